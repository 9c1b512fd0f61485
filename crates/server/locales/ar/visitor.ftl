# Écoute — the visitor's pages (Arabic, written right to left).
# Messages whose id ends in -html hold markup and are inserted as they are; keep their tags.
# Every other message is plain text. Phone numbers stay in Western digits; names of French services stay in Latin script.

lang-name = العربية
language-switch = اللغة
brand = Écoute
page-title = Écoute

## Quick exit, on every visitor page

qe-label = خروج سريع
qe-skip = مغادرة هذا الموقع فورًا. اختصار لوحة المفاتيح: الضغط على مفتاح Shift ثلاث مرات.
skip-to-content = الانتقال إلى المحتوى

## Danger panel

danger-title = في خطر الآن
danger-17 = للاتصال بالشرطة أو الدرك
danger-112 = رقم الطوارئ، من أي هاتف
danger-114 = إذا لم يكن الكلام ممكنًا: يمكنك إرسال رسالة نصية (SMS) بصمت، مع ذكر مكانك وما يحدث.
danger-start = مراسلة عون بالأولوية
danger-close = إخفاء

## Return code, shown once

code-title = للعودة لاحقًا
code-yours = رمزك، للاحتفاظ به:
code-advice = هذا الرمز يسمح لك بالعودة إلى هذه المحادثة من أي جهاز، وبقراءة ما سيكتبه العون. الأفضل تسجيله مثل رقم هاتف في جهات الاتصال، تحت اسم عادي لا يلفت الانتباه. لن يظهر هذا الرمز مرة أخرى. يجب عدم إعطائه لأي شخص: فهو يفتح المحادثة.
code-done = لقد سجّلت هذا الرمز

## Landing

landing-title = التحدث كتابةً مع شرطي أو دركي
landing-lead-html = هل تعرضت لعنف جنسي أو لعنف قائم على النوع الاجتماعي، أو شهدت ذلك؟ يمكنك التواصل كتابةً مع شرطي أو دركي مدرَّب على الاستماع إليك، وإعلامك بحقوقك، ومساعدتك في إجراءاتك. الخدمة <strong>بدون كشف الهوية</strong> و<strong>مجانية</strong> ومفتوحة <strong>على مدار الساعة، طوال أيام الأسبوع</strong>. لا داعي لتقديم شكوى للحديث عن ذلك.
noscript-html = <strong>المحادثة تحتاج إلى JavaScript</strong>، وهو معطَّل في متصفحك. يمكنك قراءة هذه الصفحة، لكن لا يمكنك بدء محادثة.
noscript-numbers-html = في حالة الخطر: الرقم <strong>17</strong> أو <strong>112</strong>، أو رسالة SMS إلى الرقم <strong>114</strong>. Violences Femmes Info (للنساء ضحايا العنف): <strong>3919</strong>. Allô Enfance en danger (للأطفال في خطر): <strong>119</strong>.
start-open = بدء محادثة
danger-open = أنا في خطر الآن
resume-open = لديّ رمز للعودة

emergency-title = هذه الخدمة ليست رقم طوارئ
emergency-intro = إذا كنت في خطر الآن، أو كان شخص آخر في خطر:
num-17 = نجدة الشرطة أو الدرك
num-112 = رقم الطوارئ الأوروبي، من أي هاتف
num-114 = عبر رسالة SMS: للأشخاص الصمّ أو ضعاف السمع، ولكل شخص لا يستطيع الكلام بدون خطر
num-3919 = Violences Femmes Info (خط وطني للنساء ضحايا العنف): استماع مجاني وبدون كشف الهوية، على مدار الساعة
num-119 = Allô Enfance en danger (خط حماية الأطفال): للقاصرين، أو للتبليغ عن طفل في خطر، على مدار الساعة

kept-title = ما يتم حفظه، ومن يقرؤه
kept-account = لا حاجة إلى إنشاء حساب، ولا إلى ذكر اسمك.
kept-text-html = يُحفظ نص المحادثة <strong>مشفَّرًا</strong> لمدة <strong>سنة واحدة</strong>، ثم، كما ينص القانون، لمدة تصل إلى خمس سنوات إضافية مع وصول مقيَّد. يقرؤه أعوان الشرطة والدرك العاملون في هذه المنصة.
kept-ip = عنوان IP الخاص بك لا يتم تسجيله. إذا أعطيت رمزًا بريديًا، لا يُحفظ منه إلا رقم المقاطعة (département): يساعد ذلك على معرفة هل الشرطة أو الدرك هي الجهة المختصة قرب مكان سكنك.
kept-anonymity-html = عدم كشف الهوية مضمون <strong>من حيث المبدأ</strong>: إذا كانت الوقائع خطيرة أو كان شخص في خطر، يمكن للأعوان التدخل لحمايته، ومن أجل ذلك محاولة معرفة هويته.

exit-title = المغادرة بسرعة، وما لا يمحوه ذلك
exit-intro-html = الزر الأحمر <strong>«خروج سريع»</strong> في أعلى الشاشة، أو الضغط على مفتاح <kbd>Shift</kbd> ثلاث مرات متتالية، يعرض فورًا صفحة عادية لا علاقة لها بالخدمة، ويمحو المحادثة من هذه الصفحة. لكنه لا يستطيع أن يمحو:
exit-back = الصفحات التي فُتحت قبل هذه الصفحة في نفس علامة التبويب (زر الرجوع)؛
exit-history = سجل التصفح في متصفحك، الذي يحتفظ بعنوان هذا الموقع؛
exit-spyware = ما سجّله مسبقًا برنامج تجسس مثبَّت على الجهاز، إن وُجد.
exit-safety-link = البقاء في أمان على الإنترنت: التصفح الخاص، جهاز آمن، سجل التصفح، برامج التجسس

## Start form

start-title = قبل أن نبدأ
start-intro = ثلاثة أسئلة فقط، لتوجيهك إلى الشخص المناسب. لا نطلب أي شيء آخر.
kind-legend = أنت…
kind-victim = ضحية
kind-witness = شاهد أو شاهدة
minor-legend = هل عمرك أقل من 18 سنة؟
minor-yes = نعم، عمري أقل من 18 سنة
minor-no = لا، عمري 18 سنة أو أكثر
minor-note-html = سيتم توجيهك إلى عون مدرَّب على الحديث مع الصغار والشباب. يمكنك أيضًا الاتصال بالرقم <a class="num-inline" href="tel:119">119</a>، Allô Enfance en danger (خط حماية الأطفال): الاتصال مجاني، ليلًا ونهارًا، ولا يظهر في فاتورة الهاتف.
postal-label = الرمز البريدي
optional = (اختياري)
postal-hint = 5 أرقام. لا يُحفظ إلا رقم المقاطعة. يمكنك ترك هذه الخانة فارغة.
danger-now = أنا في خطر الآن
danger-hint-html = إذا استطعت الاتصال، يمكنك الاتصال بالرقم <a class="num-inline" href="tel:17">17</a> أو إرسال رسالة SMS إلى الرقم <a class="num-inline" href="sms:114">114</a>. وإلا، يكفي وضع علامة هنا: ستمر محادثتك قبل كل المحادثات الأخرى.
start-submit = بدء المحادثة
back = رجوع

## Coming back with a code

resume-title = العودة إلى محادثتك
resume-intro = يرجى إدخال الرمز المكوّن من 16 رقمًا، الذي حصلت عليه في بداية المحادثة. سيظهر لك ما كتبه العون، ويمكنك الرد عليه.
resume-label = رمزك
resume-submit = العودة إلى المحادثة

## Waiting

waiting-title = سيرد عليك أحد الأعوان
waiting-connecting = جارٍ الاتصال…
waiting-keep-open = من المهم إبقاء هذه الصفحة مفتوحة: يمكنك قراءة المعلومات في الأسفل بدون فقدان مكانك في الانتظار. يمكنك أيضًا كتابة رسالة أولى من الآن؛ سيقرؤها العون عند وصوله.
waiting-danger-html = في حالة خطر فوري، لا داعي للانتظار: <a class="num-inline" href="tel:17">17</a> أو <a class="num-inline" href="tel:112">112</a> أو رسالة SMS إلى الرقم <a class="num-inline" href="sms:114">114</a>.

## Chat

chat-title = المحادثة
danger-chat = أنا في خطر الآن
message-label = رسالتك
composer-hint = مفتاح Enter للإرسال، و Shift + Enter للانتقال إلى سطر جديد.
send = إرسال

## Ended

ended-title = انتهت المحادثة
ended-numbers-html = إذا كنت في خطر: <a class="num-inline" href="tel:17">17</a>، <a class="num-inline" href="tel:112">112</a>، رسالة SMS إلى الرقم <a class="num-inline" href="sms:114">114</a>. Violences Femmes Info (للنساء ضحايا العنف): <a class="num-inline" href="tel:3919">3919</a>. Allô Enfance en danger (للأطفال في خطر): <a class="num-inline" href="tel:119">119</a>.
restart = بدء محادثة جديدة

## Reading while waiting

reading-title = للقراءة أثناء الانتظار
rights-title = حقوقك
rights-1 = ما عشته مهم، حتى لو حدث منذ وقت طويل، أو على الإنترنت، أو مع شخص قريب منك.
rights-2 = يمكنك تقديم شكوى في أي مركز شرطة (commissariat) أو فرقة درك (brigade de gendarmerie). أعوان الشرطة والدرك ملزَمون بقبول شكواك.
rights-3 = يمكن أن يرافقك شخص بالغ من اختيارك، ومحامٍ أيضًا.
rights-4 = يمكنك طلب المساعدة من جمعية لمساعدة الضحايا، مجانًا، مع تقديم شكوى أو بدونها.
complaint-title = كيف تتم الشكوى
complaint-1 = يمكن للعون أن يشرح لك الإجراءات، وأن ينقل وضعك إلى مركز شرطة أو فرقة درك قريبة من مكان سكنك، لتحضير زيارتك.
complaint-2 = هناك، يستمع محقق إلى روايتك للوقائع. وتُسلَّم لك نسخة من شكواك.
complaint-3 = من المهم الاحتفاظ بالأدلة: الرسائل، لقطات الشاشة، الصور، أسماء الشهود. يمكن لطبيب أن يعاين الإصابات، حتى بدون شكوى.
complaint-4 = بعد ذلك، تقرر النيابة العامة (procureur de la République) ما سيتم بعد الشكوى. ويتم إبلاغك بقرارها.
help-title = الحصول على المساعدة خارج هذه الخدمة
help-3919-html = <a class="num-inline" href="tel:3919">3919</a>، Violences Femmes Info (خط وطني للنساء ضحايا العنف): استماع ومعلومات وتوجيه، مجانًا وبدون كشف الهوية، على مدار الساعة.
help-116006-html = <a class="num-inline" href="tel:116006">116 006</a>، France Victimes (شبكة جمعيات لمساعدة الضحايا): مساعدة الضحايا، مجانًا، كل يوم.
help-119-html = <a class="num-inline" href="tel:119">119</a>، Allô Enfance en danger (خط حماية الأطفال)، على مدار الساعة.

## Stay safe online

safety-page-title = البقاء في أمان على الإنترنت — Écoute
safety-title = البقاء في أمان على الإنترنت
safety-lead = إذا كان شخص ما يستطيع الاطلاع على هاتفك أو حاسوبك، فبعض الاحتياطات تقلل آثار زيارتك. يكفي فعل ما هو ممكن لك، بدون تعريض نفسك للخطر.
safety-exit-title = ما يفعله زر «خروج سريع»، وما لا يستطيع فعله
safety-exit-what-html = الزر الأحمر، أو الضغط على مفتاح <kbd>Shift</kbd> ثلاث مرات متتالية، يخفي الصفحة فورًا، وينهي المحادثة، ويمحوها من علامة التبويب هذه، ويعرض موقعًا لا علاقة له بالخدمة. صفحة المحادثة لا تبقى في سجل علامة التبويب.
safety-exit-cannot = لكنه لا يستطيع أن يمحو:
safety-exit-back = الصفحات التي فُتحت قبل هذه الصفحة في نفس علامة التبويب: يمكن الرجوع إليها بزر الرجوع؛
safety-exit-history = سجل المتصفح، الذي يحتفظ بعنوان هذا الموقع وبعناوين صفحاته؛
safety-exit-suggestions = اقتراحات شريط العنوان، التي قد تقترح هذا الموقع؛
safety-exit-spyware = ما سجّله مسبقًا برنامج تجسس، إن وُجد (التفاصيل في الأسفل).
safety-private-title = استخدام التصفح الخاص
safety-private-what = نافذة التصفح الخاص لا تحتفظ بسجل التصفح ولا ببيانات المواقع بعد إغلاقها.
safety-private-chrome-html = Chrome أو Edge: القائمة، ثم «نافذة جديدة للتصفح المتخفي» في Chrome، أو «نافذة InPrivate جديدة» في Edge (<kbd>Ctrl</kbd> + <kbd>Shift</kbd> + <kbd>N</kbd>).
safety-private-firefox-html = Firefox: القائمة، ثم «نافذة خاصة جديدة» (<kbd>Ctrl</kbd> + <kbd>Shift</kbd> + <kbd>P</kbd>).
safety-private-safari = Safari على iPhone: زر علامات التبويب، ثم «خاص».
safety-private-limits = من المهم إغلاق النافذة الخاصة في النهاية. التصفح الخاص لا يخفي شيئًا عن برامج التجسس، ولا عن الشبكة المستخدَمة (مثل شبكة صاحب العمل).
safety-device-title = اختيار جهاز آمن
safety-device-other = الأفضل، إذا أمكن، استخدام جهاز لا يستعمله الشخص الذي يؤذيك ولا يستطيع الاطلاع عليه: هاتف شخص موثوق، أو حاسوب متاح للجميع في مكتبة عامة (médiathèque) أو في البلدية (mairie).
safety-device-shared = على جهاز مشترك، من المهم تسجيل الخروج من حساباتك وإغلاق النافذة في النهاية.
safety-device-location = من المهم التحقق مما إذا كان موقعك مشارَكًا (تطبيقات تحديد الموقع، المشاركة العائلية، حسابات Google أو Apple مشتركة)، ومعرفة من يعرف كلمات المرور الخاصة بك.
safety-history-title = محو بعض الصفحات فقط من السجل
safety-history-intro = محو كل السجل مرة واحدة قد يلفت الانتباه. يمكنك حذف صفحات هذا الموقع فقط:
safety-history-chrome = Chrome أو Edge: القائمة، ثم «السجل»، ثم تحديد صفحات هذا الموقع، ثم «حذف».
safety-history-firefox = Firefox: القائمة، ثم «التأريخ»، ثم «أدِر التأريخ»، ثم نقرة بالزر الأيمن على الصفحة، ثم «احذف الصفحة».
safety-history-safari = Safari على iPhone: زر الإشارات المرجعية، ثم تبويب «السجل»، ثم سحب الصفحة إلى الجانب، ثم «حذف».
safety-history-suggestions-html = يجب الانتباه أيضًا إلى اقتراحات شريط العنوان: في Chrome، تحديد الاقتراح بمفاتيح الأسهم، ثم الضغط على <kbd>Shift</kbd> + <kbd>Delete</kbd>.
safety-spy-title = برامج التجسس
safety-spy-what = أي شخص كان هاتفك بين يديه قد يكون ثبّت عليه برنامجًا يسجل رسائلك، والصفحات المفتوحة، أو موقعك، بدون أن يظهر ذلك. يمكن الشك في ذلك إذا كان هذا الشخص يعرف أشياء لا يُفترض أن يعرفها، أو إذا كانت البطارية تفرغ بسرعة غير عادية، أو إذا ظهرت تطبيقات غير معروفة.
safety-spy-other-device = في هذه الحالة، من الأفضل طلب المساعدة من جهاز آخر.
safety-spy-remove-html = حذف البرنامج قد ينبّه ذلك الشخص، وقد يمحو أدلة: من الأفضل الحديث عن ذلك أولًا مع العون، أو مع خط <a class="num-inline" href="tel:3919">3919</a>.
safety-emergency-title = في حالة الخطر
safety-num-112 = رقم الطوارئ الأوروبي
safety-num-114 = عبر رسالة SMS، إذا لم يكن الكلام ممكنًا، أو للأشخاص الصمّ أو ضعاف السمع
safety-num-3919 = Violences Femmes Info (للنساء ضحايا العنف)، على مدار الساعة
safety-num-119 = Allô Enfance en danger (للأطفال في خطر)، على مدار الساعة
safety-home = العودة إلى الصفحة الرئيسية

## Forwarding to a local unit: the question asked in the chat
consent-question = هل توافق على إرسال بلاغك إلى: { $unit }؟ يمكن لهذه المصلحة الاتصال بك لتتمكن من تقديم شكوى، إذا رغبت في ذلك.

## Consent in the chat
consent-title = هل نرسل بلاغك؟
consent-yes = نعم
consent-no = لا
consent-how-legend = كيف يمكن لهذه المصلحة الاتصال بك؟
consent-contact-write = أعطي تعليماتي للاتصال بي
consent-contact-none = لا تتصلوا بي، سأعود برمزي
consent-instructions-label = تعليماتك
consent-instructions-hint = متى وكيف يمكن للمصلحة الاتصال بك، وماذا يقال إذا أجاب شخص آخر (مثلاً «إنها شركة التأمين الصحي»).
consent-send = إرسال إجابتي
consent-cancel = العودة إلى السؤال
forwarded-title = تم إرسال بلاغك
forwarded-follow = يمكنك متابعة وضعه برمز العودة الخاص بك، في صفحة «متابعة بلاغي».
forwarded-what = سترى هناك مرحلة بلاغك بكلمات بسيطة (أُرسل، استُلم، حاولت المصلحة الاتصال بك…)، وتاريخ آخر تغيير، ويمكنك إضافة رسالة أو سحب موافقتك. ملاحظات المصلحة لا تُعرض هناك أبداً.
forwarded-code = رمز العودة الخاص بك:
forwarded-link = متابعة بلاغي

## Follow-up
follow-page-title = متابعة بلاغي
follow-title = متابعة بلاغي
follow-intro = إذا أُرسل بلاغك إلى مركز شرطة أو درك، فإن رمز العودة يتيح لك معرفة وضعه. لا يُحفظ هذا الرمز في أي مكان على هذا الجهاز.
follow-noscript = تحتاج هذه الصفحة إلى JavaScript لعرض المتابعة. في حالة الطوارئ، اتصل بالرقم 17 أو 112.
follow-code-label = رمز العودة (16 رقماً)
follow-submit = معرفة وضع بلاغي
follow-state-title = وضع بلاغك
follow-reference = المرجع:
follow-forwarded-on = أُرسل في:
follow-updated-on = آخر تغيير في:
follow-messages-sent = الرسائل التي أضفتها:
follow-only-stage = تُعرض هنا المرحلة فقط، بكلمات بسيطة: ملاحظات المصلحة لا تُعرض أبداً.
follow-message-title = إضافة رسالة
follow-message-intro = تُرسل رسالتك إلى المصلحة وإلى منصة Écoute. لا يمكن تعديلها بعد ذلك.
follow-message-label = رسالتك
follow-message-submit = إرسال الرسالة
follow-withdraw-title = سحب موافقتي
follow-withdraw-intro = إذا لم تعد ترغب في أن تتولى المصلحة بلاغك، يمكنك سحب موافقتك. تُبلَّغ المصلحة بذلك وتنتهي المتابعة: لن تتمكن بعدها من إضافة رسالة.
follow-withdraw-open = سحب موافقتي
follow-withdraw-confirm-text = هل تريد حقاً سحب موافقتك؟ لا يمكن التراجع عن ذلك.
follow-withdraw-confirm = نعم، سحب موافقتي
follow-withdraw-cancel = لا، الإبقاء على موافقتي
follow-closed = انتهت متابعة هذا البلاغ: لم يعد بإمكانك إضافة رسالة.
follow-done = إغلاق المتابعة
follow-home = العودة إلى الصفحة الرئيسية
stage-transmitted = تم إرسال بلاغك.
stage-received = استلمته المصلحة.
stage-tried-to-reach = حاولت المصلحة الاتصال بك.
stage-in-touch = تواصلت المصلحة معك.
stage-complaint-taken = تم تسجيل شكواك.
stage-finished = انتهت متابعة بلاغك.
stage-withdrawn = لقد سحبت موافقتك: أُغلق البلاغ.
