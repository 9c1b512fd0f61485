# Écoute — the staff's pages: console, login, installation, account security, canned replies,
# audit log (Arabic, written right to left).
# Messages whose id ends in -html hold markup and are inserted as they are; keep their tags.
# Every other message is plain text.

lang-name = العربية
language-switch = لغة لوحة التحكم
language-apply = تغيير
skip-to-content = الانتقال إلى المحتوى
back-to-console = العودة إلى لوحة التحكم
logout = تسجيل الخروج

## Console: header and desk

console-title = لوحة التحكم — Écoute
brand-console = لوحة التحكم
role-officer = عنصر
role-supervisor = مشرف
role-admin = مسؤول
nav-account = الحساب
nav-security = أمان الحساب
nav-replies = الردود الجاهزة
nav-audit = سجل التدقيق
desk = التوفر والتنبيهات
presence-label = حالتي
presence-available = متاح
presence-paused = متوقف مؤقتًا
take-next = استلام المحادثة التالية
notify-enable = تفعيل إشعارات المتصفح
sound-on = صوت التنبيهات
offer-title = محادثة مقترحة
offer-time-before = متبقٍّ
offer-time-after = ثانية لقبولها، ثم ستُقترح على زميل.
offer-accept = قبول
offer-decline = رفض

## Queue and chats

queue-title = قائمة الانتظار
queue-empty = لا أحد في الانتظار حاليًا.
queue-away-title = رسائل متروكة
queue-away-hint = لم تعد الصفحة مفتوحة لدى الشخص. أجب: سيقرأ ردك عند عودته برمزه.
chats-title = محادثاتي
chats-empty = لا توجد محادثة جارية. استلم محادثة من قائمة الانتظار.
qi-waiting-since = ينتظر منذ
qi-ineligible = خارج نطاق اختصاصك حاليًا: ستُفتح لك إذا لم يستلمها أحد غيرك.
qi-claim = استلام
block = حظر
block-confirm = تأكيد الحظر
tab-risk = خطر محتمل
tab-unread = غير مقروءة
tab-left = غادر بشكل طارئ

## Supervision board

board-title = الإشراف
fig-started = بدأت اليوم
fig-waiting = في الانتظار
fig-handled = عولجت
fig-median = الوسيط لمدة الانتظار
fig-longest = أطول مدة انتظار
fig-left = غادروا قبل الرد
board-staff-title = العناصر
col-officer = العنصر
col-state = الحالة
col-load = العبء
col-skills = الكفاءات
board-chats-title = المحادثات الجارية
board-chats-empty = لا توجد محادثة جارية.
col-ref = المرجع
col-since = منذ
col-priority = الأولوية
col-actions = الإجراءات
monitor-title = المراقبة الصامتة
monitor-hint = لا يرى الشخص ولا العنصر أنك تقرأ. تُسجَّل قراءتك في سجل التدقيق.
monitor-messages = رسائل المحادثة المراقَبة
notes-label = ملاحظات داخلية
whisper-label = نصيحة للعنصر (لا يراها الشخص أبدًا)
whisper-send = إرسال النصيحة
monitor-take = تولّي المحادثة
monitor-take-confirm = تأكيد التولّي
monitor-stop = إيقاف المراقبة

## A chat's panel

fact-situation = الوضع
fact-age = العمر
fact-departement = المقاطعة
fact-language = اللغة
fact-started = البداية
fact-claimed = الاستلام
fact-ref = المرجع
messages = الرسائل
reply-label = ردك
reply-hint = Enter للإرسال، وShift + Enter للانتقال إلى سطر جديد، و« / » متبوعة باختصار ثم Tab لإدراج رد جاهز.
canned = الردود الجاهزة
send = إرسال
canned-search = البحث عن رد جاهز
canned-empty = لا توجد ردود جاهزة. يكتبها المشرفون في « الردود الجاهزة ».
resources-title = خدمات المساعدة
resources-hint = يضع زر « إدراج » بيانات الاتصال في ردك؛ وترسله أنت بعد مراجعته.
notes-hint = مرئية لك وللمشرفين وللعنصر الذي قد يتولى المحادثة؛ ولا يراها الشخص أبدًا.
note-add = إضافة ملاحظة
note-save = حفظ الملاحظة
qualify-title = التوصيف
qualify-none = (غير محدد)
facts-legend = الوقائع
fact-rape = اغتصاب
fact-sexual-assault = اعتداء جنسي
fact-sexual-harassment = تحرش جنسي
fact-street-harassment = تحرش في الشارع، إهانة متحيزة جنسيًا
fact-exhibitionism = تعرٍّ مخل بالحياء
fact-domestic-violence = عنف زوجي أو أسري
fact-cyber-violence = عنف إلكتروني
fact-incest = سفاح القربى
fact-prostitution = دعارة، قوادة
fact-other = أخرى
reporter-legend = الشخص هو
reporter-victim = ضحية
reporter-witness = شاهد
concerned-minor = الشخص المعني قاصر
danger-level = مستوى الخطر
danger-none = لم يُحدَّد أي خطر
danger-moderate = خطر يستدعي المتابعة
danger-serious = خطر جسيم
danger-immediate = خطر داهم
qualify-save = حفظ التوصيف
transfer-title = تحويل
transfer-to = إلى مَن
transfer-choose = اختر…
transfer-forces = إلى القوة الأخرى (عبر قائمة الانتظار)
force-police = الشرطة الوطنية
force-gendarmerie = الدرك الوطني
transfer-people = إلى زميل
transfer-note = ملاحظة التسليم (إلزامية)
transfer-submit = تحويل
outcome-label = نتيجة المحادثة
outcome-choose = اختر النتيجة…
outcome-information-given = تقديم معلومات
outcome-referred = توجيه نحو جمعية / خدمة مساعدة
outcome-forwarded = إحالة البلاغ إلى وحدة محلية
outcome-intervention = طلب تدخل
outcome-visitor-left = غادر الشخص
forwarding-legend = الإحالة إلى وحدة محلية
forwarding-unit = الوحدة المُحال إليها (مركز شرطة، فرقة درك، دار حماية الأسر)
forwarding-ask = طلب موافقة الشخص
forwarding-help = يظهر السؤال في المحادثة بلغة الشخص. بدون موافقته على هذه الوحدة، لا يُحال أي شيء.
close = إغلاق
close-left-help = إذا عاد برمزه، فسيقرأ ما تكتبه؛ وإلا فاختر نتيجة وأغلق المحادثة.
block-abuse = حظر (إساءة استخدام)

## Login

login-title = تسجيل الدخول — لوحة تحكم Écoute
login-heading = لوحة تحكم Écoute
login-for = مخصصة لعناصر الشرطة والدرك وموظفي المنصة.
username = اسم المستخدم
password = كلمة المرور
login-code = رمز التحقق
login-code-hint = الرمز المكوّن من 6 أرقام في تطبيق المصادقة لديك، أو رمز احتياطي. اتركه فارغًا عند تسجيل دخولك لأول مرة.
login-submit = تسجيل الدخول
login-too-many = محاولات كثيرة جدًا. أعد المحاولة لاحقًا.
login-refused = اسم المستخدم أو كلمة المرور أو الرمز غير صحيح.

## First installation

setup-title = التثبيت — Écoute
setup-heading = تثبيت Écoute
setup-done = تم إنشاء حساب المسؤول.
setup-used = تم التثبيت بالفعل: يوجد حساب، ولم يعد هذا الرابط صالحًا.
setup-used-restart = سجّل الدخول بحساب المسؤول. لا يُعرض رابط تثبيت جديد إلا عند تشغيل خادم لا تحتوي قاعدة بياناته على أي حساب: في هذه الحالة أعد تشغيله وافتح الرابط الذي يعرضه.
setup-login = تسجيل الدخول إلى لوحة التحكم
setup-intro = أنشئ أول حساب مسؤول. عرض الخادم رمز التثبيت عند بدء تشغيله؛ ولا يُستخدم إلا مرة واحدة.
setup-code = رمز التثبيت
setup-code-hint = يُملأ تلقائيًا إذا فتحت الرابط الذي قدمه الخادم؛ وإلا فالصق الرمز.
display-name = الاسم المعروض
display-name-hint = يراه الأشخاص الذين يكتبون، مثل « العنصر مارتن ».
password-hint = من 12 إلى 128 حرفًا.
password-confirm = تأكيد كلمة المرور
setup-submit = إنشاء حساب المسؤول
setup-err-username = يتكون اسم المستخدم من 3 إلى 32 حرفًا: أحرف لاتينية صغيرة، أو أرقام، أو « . » أو « - » أو « _ ».
setup-err-display-name = يتكون الاسم المعروض من 1 إلى 64 حرفًا.
setup-err-mismatch = كلمتا المرور مختلفتان.
setup-err-password = تتكون كلمة المرور من 12 إلى 128 حرفًا.
setup-err-code = رمز التثبيت هذا غير صالح: سبق استخدامه، أو انتهت صلاحيته، أو يوجد حساب بالفعل.
password-err-guessable = كلمة المرور هذه شائعة جدًا أو سهلة التخمين (كلمة أو اسم معروف، أو تسلسل من لوحة المفاتيح، أو تاريخ، أو اسم المستخدم أو اسمك…). اختر كلمة أخرى، مثل ثلاث أو أربع كلمات لا علاقة بينها. لم يُحفظ شيء.

## Account security

security-title = أمان الحساب — لوحة تحكم Écoute
security-heading = أمان الحساب
codes-title = رموزك الاحتياطية
codes-intro-html = يُستخدم كل رمز مرة واحدة فقط، إذا لم يعد تطبيق المصادقة بحوزتك. دوّنها واحفظها في مكان آمن: <strong>لن تُعرض مرة أخرى أبدًا</strong>.
codes-copy = نسخ الرموز
codes-download = تنزيل (ملف نصي)
codes-print = طباعة
codes-file-name = ecoute-backup-codes.txt
codes-file-heading = Écoute — رموز الاحتياط للحساب { $username } (كل رمز يُستخدم مرة واحدة فقط)
codes-copied = تم نسخ الرموز: الصقها في مدير كلمات المرور لديك.
codes-not-copied = لم يسمح المتصفح بالنسخ: حدّد الرموز أو نزّلها.
codes-saved = لقد حفظت رموز الاحتياط في مكان آمن
codes-wait = ضع علامة في هذا المربع بعد حفظ الرموز للمتابعة: لن تُعرض مرة أخرى.
go-console = الانتقال إلى لوحة التحكم
totp-title = المصادقة الثنائية
totp-enrolled = تطبيق مصادقة مرتبط بحسابك. الرموز الاحتياطية المتبقية:
enrol-title = ربط تطبيق مصادقة
enrol-intro = يجب أن يستخدم كل حساب عاملًا ثانيًا. امسح رمز QR هذا بتطبيق مصادقة (TOTP)، ثم أدخل الرمز المكوّن من 6 أرقام الذي يعرضه.
enrol-key = لا يمكنك المسح؟ أدخل هذا المفتاح في التطبيق:
enrol-key-stays = يبقى رمز QR هذا وهذا المفتاح كما هما إذا أعدت تحميل الصفحة أو سجّلت الدخول من جديد، إلى أن تؤكد برمز (أو لمدة 24 ساعة على الأكثر).
enrol-key-replaced = تم إنشاء مفتاح جديد: انتهت صلاحية المفتاح السابق دون تأكيده. إذا كان تطبيقك يحتوي بالفعل على إدخال « Écoute » لهذا الحساب، فاحذفه، ثم امسح رمز QR الجديد هذا.
enrol-code = رمز من 6 أرقام
enrol-submit = ربط
enrol-err-code = هذا الرمز لا يطابق المفتاح المعروض. تحقق من أنك تقرأ إدخال « Écoute » الخاص بهذا الحساب في تطبيقك ومن صحة الوقت في الهاتف، ثم أدخل الرمز الذي يعرضه الآن.
next-steps-title = الخطوات الأولى: ما بقي فعله قبل فتح الخدمة
next-steps-paused = وحدة التحكم الخاصة بك متوقفة مؤقتًا: لا تتلقى أي محادثة إلى أن تختار « متاح ».
next-step-officers = أنشئ حسابات العناصر الذين سيجيبون: يختار كل منهم كلمة مروره وتطبيق المصادقة الخاص به عبر الرابط الذي ترسله إليه.
next-step-officers-link = حساب جديد
next-step-units = حمّل دليل الوحدات المحلية التي تتلقى البلاغات المحالة (الصيغة: share/units.sample.txt):
next-step-forces = تحقق من جدول القوات (الشرطة أو الدرك حسب المكان): الجدول المرفق نقطة انطلاق وليس توزيعًا رسميًا.
next-steps-done = تختفي كل خطوة من هذه القائمة بعد إنجازها (انظر docs/ADMINISTRATION.md).
sessions-title = جلساتك المفتوحة
times-in-zone = الأوقات بتوقيت المنطقة الزمنية { $zone }.
col-opened = فُتحت في
col-last-seen = آخر نشاط
col-action = إجراء
this-session = (هذه الجلسة)
session-end = إغلاق

## Canned replies

replies-title = الردود الجاهزة — لوحة تحكم Écoute
replies-heading = الردود الجاهزة
replies-intro-html = يدرجها العناصر في محادثة بكتابة <kbd>/</kbd> متبوعة بالاختصار ثم <kbd>Tab</kbd>، أو بزر « الردود الجاهزة » (<kbd>Alt</kbd>+<kbd>R</kbd>). يظل النص قابلًا للتعديل قبل الإرسال.
replies-variables-html = متغيرات تُملأ عند الإدراج: <code>{"{"}agent{"}"}</code> (اسم العنصر)، <code>{"{"}departement{"}"}</code> (مقاطعة الشخص)، <code>{"{"}services{"}"}</code> (خدمات المساعدة في هذه المقاطعة، مأخوذة من الدليل).
shortcut = الاختصار
shortcut-hint = (a-z و0-9 و-، مثلًا plainte)
title = العنوان
text = النص
save = حفظ
delete = حذف
replies-new = رد جاهز جديد
add = إضافة
replies-saved = تم حفظ الرد /{ $shortcut }.
replies-deleted = تم حذف الرد.
replies-conflict = الاختصار /{ $shortcut } مستخدم بالفعل لرد آخر.
replies-err-shortcut = لا يمكن أن يحتوي الاختصار إلا على a-z و0-9 و-.
replies-err-length = { $field ->
        [shortcut] الاختصار
        [title] العنوان
       *[body] النص
    } يتكون من { $min } إلى { $max } حرفًا.
replies-err-variable = متغير غير معروف { $name }: استخدم {"{"}agent{"}"} أو {"{"}departement{"}"} أو {"{"}services{"}"}.

## Audit log

audit-title = سجل التدقيق — لوحة تحكم Écoute
audit-heading = سجل التدقيق
audit-intro = كل وصول للموظفين إلى محادثة، وكل تسجيل دخول، وكل تغيير في حساب، مترابطة في سلسلة بصمات. لا يتضمن أي محتوى للرسائل ولا أي عنوان. اطّلع عليه { $name }.
col-number = الرقم
col-date = التاريخ
col-who = مَن
col-conversation = المحادثة
col-detail = التفاصيل
audit-older = إدخالات أقدم
audit-system = النظام

# Closed chats read again (/console/history).
nav-history = المحادثات المغلقة
history-title = المحادثات المغلقة — Écoute
history-heading = المحادثات المغلقة
history-intro-officer = المحادثات التي أغلقتَها خلال آخر { $days } يومًا. تُسجَّل كل قراءة في سجل التدقيق.
history-intro-supervisor = كل المحادثات المغلقة التي ما زالت محفوظة، الأحدث أولًا. تُسجَّل كل قراءة في سجل التدقيق.
history-empty = لا توجد محادثة مغلقة لإعادة قراءتها.
history-closed-at = أُغلقت في
history-visitor = الشخص
history-back = المحادثات المغلقة
history-note-note = ملاحظة داخلية
history-note-handover = ملاحظة تسليم
history-note-whisper = رسالة المشرف
transcript-title = المحادثة { $ref }
transcript-read-audited = تُسجَّل هذه القراءة في سجل التدقيق. الأوقات بتوقيت المنطقة الزمنية { $zone }.
transcript-facts = الوقائع
transcript-forwarded-to = أُحيلت إلى
transcript-messages = الرسائل
transcript-notes = ملاحظات الموظفين
outcome-blocked = محادثة محظورة (إساءة)

## Unit desk

# The unit's desk (/desk), a dossier (/desk/{id}), the supervisors' overview (/console/dossiers).
desk-brand = مكتب الوحدة
desk-nav-dossiers = الملفات الواردة
desk-title = الملفات الواردة — { $unit } — Écoute
desk-heading = الملفات المحالة إلى وحدتكم
desk-intro = البلاغات التي وافق أصحابها على إحالتها إليكم، الملفات المفتوحة أولاً. تُسجَّل كل قراءة وكل تنزيل في سجل التدقيق.
desk-empty = لم يُحَل أي ملف إلى وحدتكم.
desk-col-reference = المرجع
desk-col-produced = تاريخ الإحالة
desk-col-age = منذ
desk-col-state = الحالة
desk-col-first-contact = أول اتصال
desk-first-contact-at = نعم، في { $at }
desk-first-contact-none = ليس بعد
desk-times-paris = الأوقات بتوقيت باريس.
desk-span-minutes = { $n ->
        [one] دقيقة واحدة
        [two] دقيقتان
        [few] { $n } دقائق
       *[other] { $n } دقيقة
    }
desk-span-hours = { $n ->
        [one] ساعة واحدة
        [two] ساعتان
        [few] { $n } ساعات
       *[other] { $n } ساعة
    }
desk-span-days = { $n ->
        [one] يوم واحد
        [two] يومان
        [few] { $n } أيام
       *[other] { $n } يومًا
    }
dossier-state-sent = محال، في انتظار الإشعار بالاستلام
dossier-state-received = تم الاستلام
dossier-state-contact-attempted = محاولة اتصال
dossier-state-contacted = تم الاتصال بالشخص
dossier-state-appointment-set = تم تحديد موعد
dossier-state-complaint-taken = تم تسجيل الشكوى
dossier-state-could-not-reach = تعذّر الوصول إلى الشخص
dossier-state-closed = مغلق
dossier-state-withdrawn = سحب الشخص موافقته
desk-record-withdrawn = سحب الشخص موافقته: أُغلق الملف
desk-record-person-message = رسالة من الشخص
desk-force-police = الشرطة الوطنية
desk-force-gendarmerie = الدرك الوطني
desk-standing-victim = الشخص هو الضحية
desk-standing-witness = الشخص شاهد
desk-error-closed = هذا الملف مغلق: لا يمكن تسجيل أي شيء فيه بعد الآن.
desk-error-already-received = سبق تسجيل استلام هذا الملف. اختاروا حالة أخرى.
desk-error-state = اختاروا حالة من القائمة.
desk-error-note = اكتبوا ملاحظة من حرف واحد إلى 1000 حرف.
dossier-title = الملف { $ref }
dossier-state-label = حالة الملف:
dossier-read-audited = تُسجَّل هذه القراءة في سجل التدقيق. كل وقت مذكور بتوقيت باريس وبالتوقيت العالمي.
dossier-download-pdf = تنزيل ملف PDF الموقَّع
dossier-download-json = تنزيل ملف JSON الموقَّع
dossier-contact = كيفية الاتصال بالشخص
dossier-do-not-contact = لا تتصلوا بالشخص: سيعود من تلقاء نفسه برمزه.
dossier-summary = البلاغ
dossier-facts = الوقائع
dossier-standing = الصفة
dossier-records = متابعة الملف
dossier-records-empty = لم يُسجَّل أي شيء في هذا الملف بعد.
dossier-record-title = تسجيل حالة
dossier-record-state = الحالة الجديدة
dossier-record-note = ملاحظة
dossier-record-note-hint = إلزامية، 1000 حرف على الأكثر. لا يقرأ الشخص ملاحظاتكم أبدًا: يرى فقط أين وصل بلاغه.
dossier-record-submit = تسجيل
dossier-closed = هذا الملف مغلق: لا يمكن تسجيل أي شيء فيه بعد الآن.
dossier-consent = موافقة الشخص
dossier-consent-given = وافق الشخص في
dossier-messages = المحادثة
dossier-handovers = التسليم بين الأعوان
dossier-handovers-none = لا تسليم: تابع المحادثةَ عونٌ واحد.
dossier-seal = التوقيع
dossier-seal-text = ملفات موقَّعة بالمفتاح رقم { $version }. بصمة SHA-256 لملف JSON:
dossier-back-desk = العودة إلى الملفات الواردة
dossier-back-dossiers = العودة إلى الملفات المحالة
nav-dossiers = الملفات المحالة
dossiers-title = الملفات المحالة — وحدة تحكم Écoute
dossiers-heading = الملفات المحالة إلى الوحدات
dossiers-intro = { $hours ->
        [one] كل ملف محال، الملفات المفتوحة أولاً. يُنبَّه إلى الملف الذي لم تُشعر وحدته باستلامه خلال ساعة.
       *[other] كل ملف محال، الملفات المفتوحة أولاً. يُنبَّه إلى الملف الذي لم تُشعر وحدته باستلامه خلال { $hours } ساعة.
    }
dossiers-empty = لم يُحَل أي ملف بعد.
dossiers-col-unit = الوحدة
dossiers-col-first-contact = المدة حتى أول اتصال
dossiers-overdue = متأخر
dossiers-not-yet = ليس بعد
board-dossiers-overdue = ملفات تنتظر إشعار وحدتها بالاستلام منذ أكثر من { $hours } ساعة: { $count }.

# ---------------------------------------------------------------- statistics pages (issue 20)
nav-statistics = الإحصاءات
stats-page-title = الإحصاءات — لوحة تحكم Écoute
stats-heading = إحصاءات الخدمة
stats-intro = أرقام فترة ما، مأخوذة من السجل الإحصائي: سطر واحد لكل محادثة انتهت، لا يحدد هوية أحد. يلي كل رسم بياني جدولُ بياناته، ويمكن تنزيله بصيغة CSV.
stats-from = من
stats-to = إلى
stats-show = عرض
stats-weeks-note = تُوسَّع التواريخ إلى أسابيع كاملة، من الاثنين إلى الأحد (بتوقيت باريس): لا يحتفظ السجل إلا بالأسبوع والساعة اللذين بدأت فيهما كل محادثة. سنتان على الأكثر.
stats-not-suppressed = أرقام خام، بما فيها الأعداد الصغيرة: للاستخدام الداخلي. للنشر، استخدموا تصدير البيانات المفتوحة الذي يُخفي الأعداد الصغيرة.
stats-toc = الرسوم البيانية في هذه الصفحة
stats-csv = البيانات (CSV)
stats-svg = الصورة (SVG)
stats-table-caption = البيانات: { $chart }
stats-period = الأسابيع من { $first } إلى { $last }، من الاثنين { $start } إلى الأحد { $end }.
stats-weeks = { $count ->
        [one] أسبوع واحد.
        [two] أسبوعان.
        [few] { $count } أسابيع.
       *[other] { $count } أسبوعًا.
    }
stats-error-bad-start = تاريخ البداية ليس تاريخًا صالحًا: اكتبوه بالصيغة YYYY-MM-DD، مثلًا 2026-01-05.
stats-error-bad-end = تاريخ النهاية ليس تاريخًا صالحًا: اكتبوه بالصيغة YYYY-MM-DD، مثلًا 2026-03-01.
stats-error-reversed = تاريخ النهاية يسبق تاريخ البداية: اعكسوهما.
stats-error-too-long = تمتد الفترة على { $weeks } أسبوعًا؛ ولا يمكن أن تتجاوز { $max } أسبوعًا (سنتين).
stats-decimal-mark = ,
stats-percent = { $value }٪
stats-no-data = لا توجد أي محادثة في هذه الفترة.
stats-no-forwarded = لم يُحَل أي بلاغ في هذه الفترة.
stats-unknown = غير مذكور
stats-ending-purged = حُذفت دون أن تُغلق
stats-wait-lt1m = أقل من دقيقة
stats-wait-1-5m = من 1 إلى 5 دقائق
stats-wait-5-15m = من 5 إلى 15 دقيقة
stats-wait-15-60m = من 15 إلى 60 دقيقة
stats-wait-ge60m = ساعة أو أكثر
stats-week-row = { $week } (الاثنين { $monday })
stats-day-1 = الاثنين
stats-day-2 = الثلاثاء
stats-day-3 = الأربعاء
stats-day-4 = الخميس
stats-day-5 = الجمعة
stats-day-6 = السبت
stats-day-7 = الأحد
stats-day-short-1 = اثنين
stats-day-short-2 = ثلاثاء
stats-day-short-3 = أربعاء
stats-day-short-4 = خميس
stats-day-short-5 = جمعة
stats-day-short-6 = سبت
stats-day-short-7 = أحد
stats-legend-fewer = أقل
stats-legend-more = أكثر
stats-axis-chats = محادثات
stats-axis-wait = الانتظار
stats-axis-percent = ٪ من المحادثات
stats-col-week = الأسبوع
stats-col-chats = المحادثات
stats-col-day = اليوم
stats-col-answered = تولاها عون
stats-col-median = الانتظار الوسيط
stats-col-p90 = الانتظار عند المئين 90
stats-col-left = غادروا قبل أي رد
stats-col-share-left = نسبة من غادروا قبل أي رد
stats-col-quick-exits = الخروج السريع
stats-col-ending = النتيجة
stats-col-share = النسبة
stats-col-fact = الوقائع
stats-col-share-qualified = النسبة من المحادثات المصنفة
stats-col-group = الأشخاص
stats-col-force = الجهاز
stats-col-reports = البلاغات المحالة
stats-col-departement = المقاطعة
stats-group-all = كل المحادثات
stats-group-minors = القاصرون
stats-group-witnesses = الشهود
stats-sum-chats = المحادثات
stats-sum-answered = تولاها عون
stats-sum-left = غادروا قبل أي رد
stats-sum-forwarded = البلاغات المحالة
stats-chats-per-day-title = المحادثات في اليوم
stats-chats-per-day-desc = عدد المحادثات التي بدأت في كل يوم من أيام الفترة (بتوقيت باريس)، بما فيها الأيام التي لم تبدأ فيها أي محادثة.
stats-chats-per-week-title = المحادثات في الأسبوع
stats-chats-per-week-desc = عدد المحادثات التي بدأت في كل أسبوع من أسابيع الفترة.
stats-hour-of-week-title = المحادثات حسب اليوم والساعة
stats-hour-of-week-desc = عدد المحادثات التي بدأت في كل ساعة من كل يوم من أيام الأسبوع، على امتداد الفترة (بتوقيت باريس). كلما كانت الخانة أغمق كان العدد أكبر؛ والعدد مكتوب في كل خانة.
stats-waits-title = الانتظار قبل الرد: الوسيط والمئين 90
stats-waits-desc = بالنسبة إلى المحادثات التي تولاها عون، الشريحة التي يقع فيها الانتظار الوسيط والانتظار عند المئين 90، في كل أسبوع. لا تُحفظ مدد الانتظار إلا في شرائح (أقل من دقيقة، من 1 إلى 5 دقائق، من 5 إلى 15 دقيقة، من 15 إلى 60 دقيقة، ساعة أو أكثر)، لذا فالوسيط والمئين شرائح وليسا مددًا دقيقة. ويُحسب من غادروا قبل أي رد على حدة.
stats-wait-buckets-title = الانتظار حسب الشريحة
stats-wait-buckets-desc = عدد المحادثات التي تولاها عون في كل شريحة انتظار، في كل أسبوع؛ والشرائح مكدسة من الأقصر إلى الأطول.
stats-left-before-answer-title = الأشخاص الذين غادروا قبل أي رد
stats-left-before-answer-desc = الأعمدة: المحادثات التي بدأت في كل أسبوع. الخط: تلك التي غادرها الشخص (أو حُذفت) قبل أن يتولاها عون. ويعطي الجدول أيضًا نسبتها وحالات الخروج السريع في أي لحظة من المحادثة.
stats-outcomes-title = نتائج المحادثات
stats-outcomes-desc = عدد المحادثات حسب النتيجة خلال الفترة؛ وتعدّ «حُذفت دون أن تُغلق» المحادثات التي بلغت نهاية مدة حفظها دون إغلاق.
stats-facts-title = الوقائع المصنفة
stats-facts-desc = عدد المحادثات المصنفة في كل نوع من أنواع الوقائع. قد تتعلق المحادثة بعدة أنواع من الوقائع: فتُحسب في كل منها.
stats-facts-about = { $qualified ->
        [one] محادثة مصنفة واحدة في هذه الفترة.
        [two] محادثتان مصنفتان في هذه الفترة.
        [few] { $qualified } محادثات مصنفة في هذه الفترة.
       *[other] { $qualified } محادثة مصنفة في هذه الفترة.
    } قد تتعلق المحادثة بعدة أنواع من الوقائع: فتُحسب في كل منها، وقد يتجاوز مجموع النسب (من المحادثات المصنفة) 100٪.
stats-minors-witnesses-title = القاصرون والشهود
stats-minors-witnesses-desc = نسبة المحادثات التي قال فيها الشخص إن عمره أقل من 18 عامًا، ونسبة تلك التي كتب فيها بصفته شاهدًا، من بين كل محادثات الفترة.
stats-forwarded-by-force-title = البلاغات المحالة حسب الجهاز
stats-forwarded-by-force-desc = عدد البلاغات المحالة إلى وحدة محلية، حسب الجهاز الذي ردّ.
stats-forwarded-by-departement-title = البلاغات المحالة حسب المقاطعة
stats-forwarded-by-departement-desc = عدد البلاغات المحالة إلى وحدة محلية، حسب المقاطعة التي ذكرها الشخص؛ ولا تُذكر إلا المقاطعات التي لها بلاغ واحد على الأقل.
stats-first-contact-title = المدة حتى أول اتصال حسب الوحدة
stats-first-contact-desc = لكل وحدة، بلاغاتها المحالة خلال الفترة حسب المدة بين إصدار الملف وأول اتصال للوحدة بالشخص، في شرائح (أقل من يوم، من 1 إلى 3 أيام، من 3 إلى 7 أيام، 7 أيام أو أكثر)، ثم تلك التي لم يحدث فيها اتصال بعد، وتلك التي لا تُتابَع بقيتها (أُحيلت قبل أن يتابع السجل الملفات).
stats-col-unit = الوحدة
stats-contact-lt1d = أقل من يوم
stats-contact-1-3d = من 1 إلى 3 أيام
stats-contact-3-7d = من 3 إلى 7 أيام
stats-contact-ge7d = 7 أيام أو أكثر
stats-contact-not-yet = لا اتصال بعد
stats-contact-unknown = بقية غير متابَعة
stats-export = التصدير كبيانات مفتوحة (CSV)
stats-export-hint = للنشر: تُخفى الأعداد التي تقل عن 5. ويُسجَّل التصدير في سجل التدقيق.
## Staffing plan (/console/staffing)
nav-staffing = خطة الحضور
staffing-title = خطة الحضور — وحدة تحكم Écoute
staffing-heading = خطة الحضور، ساعة بساعة
staffing-intro = لكل ساعة من ساعات الأسبوع: عدد الأعوان اللازمين للرد على { $share } % من المحادثات في { $within } ثانية على الأكثر، بحسب محادثات الأسابيع الماضية، مقارنةً بالأعوان الحاضرين فعلاً في تلك الساعة.
staffing-weeks = الأسابيع من { $from } إلى { $to }: { $weeks } مطلوبة، و{ $observed } فيها بيانات.
staffing-places = { $places ->
        [one] يتولى كل عون محادثة واحدة في كل مرة (السعة الوسيطة للحسابات التي ترد على المحادثات).
       *[other] يتولى كل عون ما يصل إلى { $places } محادثات في آن واحد (السعة الوسيطة للحسابات التي ترد على المحادثات).
    }
staffing-no-data = لم تُسجَّل أي محادثة في الأسابيع من { $from } إلى { $to }: لا تُوضع أي خطة دون طلب مَقيس.
staffing-summary = أسبوع متوسط
staffing-arrivals-week = المحادثات في الأسبوع
staffing-hours-needed = ساعات الأعوان اللازمة
staffing-hours-present = ساعات الأعوان الحاضرة
staffing-hours-short = ساعات ينقص فيها الأعوان
staffing-hours-overloaded = ساعات مشبعة
staffing-peak = أكثر الساعات ضغطاً
staffing-peak-value = { $hour } (الأعوان اللازمون: { $officers })
staffing-csv = تنزيل الجدول (CSV)
staffing-figure-caption = الأعوان اللازمون والأعوان الحاضرون، لكل ساعة من ساعات الأسبوع
staffing-table-caption = خطة الحضور: ساعات الأسبوع الـ168، بتوقيت باريس
staffing-col-hour = الساعة
staffing-col-arrivals = المحادثات في الساعة
staffing-col-handling = متوسط المدة (دقيقة)
staffing-col-needed = الأعوان اللازمون
staffing-col-present = الأعوان الحاضرون
staffing-col-gap = الفرق
staffing-basis-all-hours = (متوسط جميع الساعات)
staffing-basis-assumed = (مدة مفترضة)
staffing-overloaded = مشبعة
staffing-note-all-hours = أقل من { $n } محادثات عولجت في تلك الساعة: المدة هي متوسط جميع الساعات.
staffing-note-assumed = لم تُعالَج أي محادثة خلال هذه الأسابيع: مدة 20 دقيقة مفترضة وليست مَقيسة.
staffing-note-handling = متوسط المدة: لا تُعرف المدد إلا بشرائح (أقل من 10 دقائق، من 10 إلى 30، من 30 إلى 60، من 60 إلى 120، 120 فأكثر)؛ تُحسب كل محادثة بمنتصف شريحتها، و120 دقيقة للشريحة الأخيرة.
staffing-note-present = الأعوان الحاضرون: متوسط الأعوان المتاحين أمام وحدة تحكم، على الدقائق المسجلة. الفرق: الحاضرون ناقص اللازمين؛ إذا كان سالباً فهناك نقص في الأعوان. «—»: لا شيء مسجل.
staffing-note-model = النموذج: Erlang C، الذي يفترض أن كل شخص ينتظر حتى يُرد عليه. الساعة المشبعة هي ساعة لم يكفِ فيها الأعوان الحاضرون، وكل أماكنهم مشغولة، حتى لتحمّل الحِمل: لا يتوقف الطابور فيها عن الطول إلا لأن أشخاصاً يغادرون دون رد.
staffing-day-mon = الاثنين
staffing-day-tue = الثلاثاء
staffing-day-wed = الأربعاء
staffing-day-thu = الخميس
staffing-day-fri = الجمعة
staffing-day-sat = السبت
staffing-day-sun = الأحد
staffing-hour-label = { $day } { $hour }:00
staffing-chart-axis = أعوان
staffing-chart-desc = لكل ساعة من ساعات الأسبوع، من الاثنين 0:00 إلى الأحد 23:00 (بتوقيت باريس): الأعمدة هي الأعوان اللازمون لبلوغ الهدف، والخط هو متوسط الأعوان الحاضرين خلال الأسابيع المرصودة. العمود الذي يعلو الخط ساعةٌ ينقصها أعوان.

# تغيير كلمة المرور وتجديد رموز الاسترداد (issue 21، البند 2)
password-title = تغيير كلمة المرور
password-intro = أدخل كلمة المرور الحالية ورمزًا من تطبيق المصادقة، ثم كلمة المرور الجديدة مرتين. ستُغلق جلساتك الأخرى، وتبقى هذه الجلسة مفتوحة.
password-current = كلمة المرور الحالية
security-code = الرمز المكوّن من 6 أرقام من تطبيق المصادقة
password-new = كلمة المرور الجديدة (من 12 إلى 128 حرفًا)
password-new-confirm = كلمة المرور الجديدة مرة أخرى
password-submit = تغيير كلمة المرور
password-changed = تم تغيير كلمة المرور. أُغلقت جلساتك الأخرى، وتبقى هذه الجلسة مفتوحة.
password-err-enrol = اربط أولًا تطبيق مصادقة بحسابك.
password-err-mismatch = الإدخالان لكلمة المرور الجديدة غير متطابقين. لم يتغير شيء.
password-err-rules = يجب أن تتكون كلمة المرور الجديدة من 12 إلى 128 حرفًا. لم يتغير شيء.
security-err-check = كلمة المرور الحالية أو الرمز غير صحيح. لم يتغير شيء.
security-err-too-many = محاولات كثيرة جدًا لهذا الحساب أو من هذا العنوان. أعد المحاولة لاحقًا. لم يتغير شيء.
codes-renew-title = تجديد رموز الاسترداد
codes-renew-intro = عشرة رموز جديدة تحل محل جميع الرموز القديمة، التي تتوقف عن العمل فورًا. لن تُعرض إلا مرة واحدة.
codes-renew-submit = تجديد رموز الاسترداد
codes-renewed = تم تجديد رموز الاسترداد: الرموز القديمة لم تعد تعمل.

# إدارة الحسابات (التذكرة 21، البندان 1 و3)
nav-admin = الحسابات
admin-title = الحسابات — Écoute
admin-heading = حسابات الموظفين
admin-intro = جميع الحسابات، مع دورها وكفاءاتها وحالتها. تعطيل حساب ينهي جلساته ويغلق وحدات التحكم الخاصة به فورًا، ويعيد محادثاته إلى قائمة الانتظار ويرفض دخوله.
admin-new = إنشاء حساب
admin-col-name = الاسم
admin-col-username = اسم المستخدم
admin-col-role = الدور
admin-col-capacity = المحادثات في وقت واحد
admin-col-last-login = آخر دخول
admin-col-sessions = الجلسات المفتوحة
admin-state-enabled = مفعّل
admin-state-disabled = معطّل
admin-manage = إدارة { $name }
admin-role-unit = وحدة محلية
admin-force-any = كلتا القوتين
admin-minors = مدرّب للتعامل مع القاصرين
admin-new-title = حساب جديد
admin-new-intro = سيتلقى الشخص رابطًا لاستخدام واحد ليختار كلمة مروره ويربط تطبيق المصادقة: لا تمر أي كلمة مرور عبرك.
admin-username-hint = من 3 إلى 32 حرفًا: أحرف لاتينية صغيرة وأرقام ونقطة وشرطة وشرطة سفلية.
admin-display-name = الاسم الظاهر للضحايا
admin-unit = الوحدة (لحسابات الوحدات المحلية فقط)
admin-unit-hint = معرّف الوحدة في الدليل؛ اتركه فارغًا لأي دور آخر.
admin-force = القوة
admin-languages = اللغات
admin-languages-hint = رموز ISO 639 مفصولة بفواصل، مثل fr,en.
admin-create = إنشاء الحساب
admin-back = العودة إلى الحسابات
admin-created = تم إنشاء الحساب { $username }
admin-link-enrol = سلّم هذا الرابط إلى الشخص بوسيلة آمنة: يختار كلمة مروره ويربط تطبيق المصادقة.
admin-link-password = سلّم هذا الرابط إلى الشخص بوسيلة آمنة: يختار كلمة مرور جديدة. تبقى الحالية صالحة حتى ذلك الحين.
admin-link-totp = سلّم هذا الرابط إلى الشخص بوسيلة آمنة: يربط تطبيق مصادقة جديدًا ويتلقى رموز استرداد جديدة. يبقى التطبيق الحالي صالحًا حتى ذلك الحين.
admin-link-once = يُعرض هذا الرابط مرة واحدة فقط، ويصلح لاستخدام واحد، وتنتهي صلاحيته في { $expires }. أي رابط جديد يحل محله.
admin-link-title = رابط لاستخدام واحد
admin-user-title = الحساب { $username } — Écoute
admin-authenticator = تطبيق المصادقة
admin-totp-yes = مربوط
admin-totp-no = غير مربوط بعد
admin-state-title = الوصول
admin-disable-intro = التعطيل ينهي كل جلسات هذا الحساب خلال ثانية، ويعيد محادثاته إلى قائمة الانتظار مع سجلها، ويرفض دخوله.
admin-disable = تعطيل الحساب
admin-enable-intro = هذا الحساب معطّل: لا يمكنه الدخول. إعادة تفعيله تسمح له بالدخول من جديد.
admin-enable = إعادة تفعيل الحساب
admin-save-role = تغيير الدور
admin-save-name = تغيير الاسم
admin-skills-title = الكفاءات والقدرة
admin-save-skills = حفظ الكفاءات والقدرة
admin-reset-title = كلمة مرور أو تطبيق مفقود
admin-reset-intro = أنشئ رابطًا لاستخدام واحد، صالحًا 24 ساعة، ليختار الشخص كلمة مرور جديدة أو يربط تطبيق مصادقة جديدًا.
admin-reset-password = رابط لكلمة مرور جديدة
admin-reset-totp = رابط لتطبيق مصادقة جديد
admin-sessions-title = الجلسات المفتوحة
admin-no-session = لا توجد جلسة مفتوحة.
admin-disabled = تم تعطيل الحساب: انتهت جلساته وعادت محادثاته إلى قائمة الانتظار.
admin-enabled = تمت إعادة تفعيل الحساب: يمكنه الدخول من جديد.
admin-role-changed = تم تغيير الدور.
admin-name-changed = تم تغيير الاسم.
admin-skills-changed = تم حفظ الكفاءات والقدرة.
admin-session-ended = انتهت الجلسة.
admin-err-forbidden = لا يستطيع القيام بهذا إلا مدير.
admin-err-not-found = هذا الحساب غير موجود.
admin-err-last-admin = هذا آخر مدير مفعّل: لا يمكن تعطيله ولا تخفيض دوره. عيّن مديرًا آخر أولًا. لم يتغير شيء.
admin-err-unit-role = يحتفظ حساب الوحدة المحلية بدوره، ولا يصبح أي حساب آخر حساب وحدة. لم يتغير شيء.
admin-err-username-taken = اسم المستخدم هذا مستعمل. لم يتغير شيء.
admin-err-unit = يحتاج حساب الوحدة المحلية إلى وحدة من الدليل، ولا يحمل وحدةً غيره. لم يتغير شيء.
admin-err-internal = حدث خطأ. لم يتغير شيء.
admin-err-display-name = يجب أن يتكون الاسم من 1 إلى 64 حرفًا. لم يتغير شيء.
admin-err-display-name-required = اختر الاسم الذي سيقرؤه الأشخاص الذين يكتبون، مثل « العنصر مارتن »: لا يؤخذ من اسم المستخدم. لم يُنشأ أي حساب.
admin-err-capacity = يجب أن يكون عدد المحادثات في وقت واحد بين 1 و20. لم يتغير شيء.
admin-err-force = اختر قوة من القائمة. لم يتغير شيء.
admin-err-languages = اكتب اللغات برموز ISO 639 مفصولة بفواصل، مثل fr,en. لم يتغير شيء.
admin-err-username = يجب أن يتكون اسم المستخدم من 3 إلى 32 حرفًا: أحرف لاتينية صغيرة وأرقام ونقطة وشرطة وشرطة سفلية. لم يتغير شيء.
admin-err-role = اختر دورًا من القائمة. لم يتغير شيء.
admin-err-action = هذا الإجراء غير معروف. لم يتغير شيء.
admin-err-session = هذه الجلسة منتهية بالفعل.
link-title = تفعيل حسابك في Écoute
link-intro = الحساب { $username }. يصلح هذا الرابط لاستخدام واحد.
link-password-title = اختر كلمة مرورك
link-submit = حفظ
link-done = حسابك جاهز. ادخل باسم المستخدم وكلمة المرور ورمز من تطبيق المصادقة.
link-invalid = لم يعد هذا الرابط صالحًا: استُخدم من قبل، أو انتهت صلاحيته (بعد 24 ساعة)، أو حلّ محله رابط أحدث، أو الحساب معطّل. اطلب رابطًا جديدًا من مدير.
link-to-login = الذهاب إلى صفحة الدخول
admin-link-err-password = يجب أن تتكون كلمة المرور من 12 إلى 128 حرفًا. لم يُحفظ شيء.
# Shifts (issue 21 item 4, docs/SHIFTS.md)
shift-end-open = نهاية المناوبة
shift-end-title = نهاية المناوبة
shift-end-intro = لكل محادثة تتابعها، اختر من يتولاها. عندما تُسلَّم كلها، تصبح غير متصل ولا تتلقى محادثات أخرى.
shift-end-none = لا تتابع أي محادثة: يمكنك إنهاء مناوبتك.
shift-end-confirm = التسليم وإنهاء مناوبتي
shift-end-cancel = إلغاء
shift-chat-legend = محادثة
shift-chat-left = غادر الشخص
shift-to-label = التسليم إلى
shift-to-queue = قائمة الانتظار
shift-to-wrap-up = المشرفون، لإغلاقها
shift-note-label = ملاحظة التسليم
shift-over-title = انتهت مناوبتك
shift-over-text = أنت غير متصل: لا تُعرض عليك ولا تُحال إليك أي محادثة. يمكنك تسجيل الخروج أو استئناف المناوبة.
shift-restart = استئناف المناوبة
shift-duty-link = عرض من هم في المناوبة وحضور اليوم
shift-duty-title = في المناوبة الآن
shift-duty-empty = لا أحد في المناوبة حاليًا.
shift-col-name = الاسم
shift-col-presence = الحضور
shift-col-since = منذ
shift-col-chats = المحادثات
shift-wrap-title = للإغلاق
shift-wrap-empty = لا توجد محادثة تنتظر الإغلاق.
shift-wrap-hint = غادر الشخص ووكيله لم يعد في المناوبة: تابع المحادثة من اللوحة، وتولَّها وأغلقها.
shift-col-ref = المرجع
shift-col-officer = الوكيل
shift-col-left-at = غادر في
shift-day-title = الحضور يوم { $day } (بتوقيت باريس)
shift-day-empty = لم يُسجَّل أي حضور اليوم.
shift-legend = مفتاح الألوان
shift-col-drawing = رسم اليوم
shift-col-spans = التفاصيل
shift-day-note = غير متصل: لا فترة. تُحفظ الفترات 35 يومًا.
shifts-title = مناوبة اليوم — Écoute
shifts-heading = مناوبة اليوم
shifts-back = العودة إلى وحدة التحكم
shift-state-available = متاح
shift-state-paused = في استراحة
shift-state-offline = غير متصل
shift-state-break = استراحة للعافية
## Wellbeing (issue 21 item 5, docs/WELLBEING.md)

nav-service = خدمتي
wellbeing-take-break = أخذ استراحة
wellbeing-invite = استمعت إلى كثير من الروايات الثقيلة في الساعات الأخيرة. ستفيدك استراحة؛ تبقى محادثاتك الجارية لك.
wellbeing-later = لاحقًا
break-since = في استراحة منذ
break-hint = لا تصلك محادثات جديدة أثناء الاستراحة؛ تبقى محادثاتك الجارية لك.
break-end = الاستئناف (متاح)
wellbeing-board-title = التعرّض والاستراحات
wellbeing-board-hint = الدقائق الموزونة في النافذة؛ في الأعلى من مضى عليه أطول وقت دون استراحة.
wellbeing-col-exposure = التعرّض
wellbeing-col-since-break = منذ آخر استراحة
service-title = خدمتي — Écoute
service-heading = خدمتي
service-exposure-title = تعرّضي
service-exposure-intro = الوقت الذي قضيته في المحادثات، كل دقيقة موزونة بما تتناوله المحادثة: قاصر، أو تنبيه خطر، أو خطر داهم، أو اغتصاب أو سفاح قربى.
service-weighted-unit = دقيقة موزونة في النافذة (عتبة الاستراحة المقترحة)
service-over = بلغت العتبة: تُقترح عليك استراحة، وتذهب المحادثات الأثقل أولًا إلى زملائك ما دام أحدهم قادرًا على تولّيها.
service-composition-caption = مكوّنات التعرّض
service-kind-column = النوع
service-window-column = { $hours ->
        [one] الساعة الأخيرة
       *[other] آخر { $hours } ساعات
    }
service-today-column = اليوم
service-row-chats = الوقت في المحادثات
service-row-minor = منها مع قاصر
service-row-flagged = منها بتنبيه من قواعد الخطر
service-row-danger = منها مع شخص في خطر
service-row-grave = منها اغتصاب أو سفاح قربى
service-row-weighted = الدقائق الموزونة
service-weights-note = وزن الدقيقة: 1، يضاف 1 للقاصر، و1 لتنبيه الخطر، و2 للخطر الداهم، و2 للاغتصاب أو سفاح القربى.
service-breaks-title = استراحاتي
service-on-break-since = في استراحة منذ
service-since-last-break = منذ آخر استراحة
service-breaks-today = الاستراحات المأخوذة اليوم
service-on-break-now = في استراحة الآن
service-no-break = لا استراحة مسجّلة
service-support-title = التحدث إلى شخص ما
service-support-text = ما تسمعه هنا ثقيل، وهذا طبيعي. يوجد أخصائي نفسي مناوب للعناصر: يمكنك التواصل معه في أي وقت، دون المرور برؤسائك.
service-minutes = { $minutes } د
service-hours-minutes = { $hours } س { $minutes } د
