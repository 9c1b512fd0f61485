# Écoute — messages of the console's script (console.js), Arabic.
# Plain text only. Variables are written { $name }; the script fills them in.

victim = ضحية
witness = شاهد
minor = قاصر
adult = راشد
minor_long = قاصر (أقل من 18 سنة)
adult_long = راشد
dept = مقاطعة { $dept }
no_dept = —
no_dept_short = مقاطعة —
visitor = الشخص
you = أنت
sending = جارٍ الإرسال…
sent = أُرسلت
failed = لم تُرسل
under_minute = أقل من دقيقة
minutes = { $m } د
hours = { $h } س { $mm } د
at_ago = { $time } (منذ { $ago })
not_claimed = —
tab_label = { $kind } · { $dept } · { $time } · مرجع { $ref }
panel_title = { $kind }، شخص { $minor }، { $dept }
claiming = جارٍ الاستلام…
already_claimed = استلم زميل هذه المحادثة بالفعل.
at_capacity = أنت تتابع بالفعل العدد الأقصى من المحادثات المسموح لك به. أغلق إحداها قبل استلام أخرى.
claim_failed = تعذّر استلام هذه المحادثة. ربما لم تعد في الانتظار.
visitor_left = غادر الشخص بشكل طارئ
visitor_left_detail = غادر الشخص بشكل طارئ{ $at }. لم يعد يقرأ هذه المحادثة. إذا عاد برمزه، فسيقرأ ما تكتبه هنا؛ وإلا فاختر نتيجة وأغلقها.
visitor_left_at = {" "}في الساعة { $time }
global_left = غادر الشخص بشكل طارئ: { $label }.
show_chat = عرض المحادثة
title_alert = ⚠ غادر الشخص بشكل طارئ —{" "}
new_message = رسالة جديدة من الشخص: { $body }
closing = جارٍ الإغلاق…
closed = أُغلقت المحادثة.
close_choose = اختر نتيجة المحادثة.
close_failed = فشل الإغلاق: { $message }
err_empty = الرسالة فارغة.
err_too_long = تتجاوز الرسالة 4 000 حرف.
err_send = تعذّر إرسال هذه الرسالة: { $message }
sending_soon = أنت تكتب بسرعة كبيرة: ستُرسَل رسالتك بعد لحظة.
err_conversation_closed = انتهت هذه المحادثة: لم تُرسل الرسالة.
connecting = جارٍ الاتصال…
disconnected = انقطع الاتصال، جارٍ إعادة الاتصال…
session_expired = انتهت صلاحية جلستك.
login_again = إعادة تسجيل الدخول
counter = { $count } / { $max }
priority_danger = في خطر الآن
priority_flagged = مؤشر خطر
flag_line = مؤشر خطر: { $labels }
flag_alert = مؤشر خطر في هذه المحادثة: { $labels }. القواعد تنبّه فقط، ولا تقرر شيئًا.
force_police = الشرطة
force_gendarmerie = الدرك
force_any = أي قوة
needs = { $force } · { $lang }
handed_over_note = استُلمت بعد تسليم
presence_available = متاح
presence_paused = متوقف مؤقتًا
mode_offer = تُقترح عليك المحادثات عندما تكون متاحًا.
mode_pull = استلم المحادثة التالية أو اختر من قائمة الانتظار.
nothing_to_take = لا توجد حاليًا محادثة في الانتظار مخصصة لك.
not_eligible = تتطلب هذه المحادثة قوة أخرى، أو لغة أخرى، أو تدريبًا خاصًا بـ« القاصرين »: ستُفتح لك إذا لم يستلمها أحد غيرك.
offer_what = { $kind } · { $minor } · { $dept }
awaiting = ينتظر منذ { $ago }
note_kind_note = ملاحظة
note_kind_handover = تسليم
note_kind_whisper = نصيحة المشرف
whisper_arrived = نصيحة المشرف في المحادثة مرجع { $ref }
handed_transferred = تم تحويل المحادثة مرجع { $ref }.
handed_taken_over = تولّى مشرف المحادثة مرجع { $ref }.
handed_requeued = أُعيدت المحادثة مرجع { $ref } إلى قائمة الانتظار.
transfer_choose = اختر زميلًا أو قوة.
transfer_note = اكتب ما يجب أن يعرفه الزميل التالي.
transfer_failed = فشل التحويل: { $message }
colleague = { $name } — { $presence }، { $open }/{ $capacity }
presence_offline = غير متصل
presence_available_short = متاح
presence_paused_short = متوقف مؤقتًا
notify_new_chat = محادثة جديدة في الانتظار
notify_danger = محادثة ذات أولوية في الانتظار
notify_offer = تُقترح عليك محادثة
notify_message = رسالة جديدة (مرجع { $ref })
notify_left = مغادرة طارئة (مرجع { $ref })
notify_flag = مؤشر خطر (مرجع { $ref })
notify_whisper = نصيحة المشرف (مرجع { $ref })
state_waiting = في الانتظار
state_active = جارية
state_visitor_left = غادر بشكل طارئ
listen = مراقبة
monitor_state = الحالة: { $state }{ $officer }
monitor_officer = {" "}— العنصر: { $name }
load = { $open } / { $capacity }
skills = { $force }{ $minors } · { $langs }
skills_minors = {" "}· القاصرون
unassigned = —
canned_none = لا يوجد رد جاهز مطابق.
canned_unknown = لا يوجد رد جاهز /{ $shortcut }.
res_kind_association = جمعية
res_kind_victim_service = مساعدة الضحايا
res_kind_medical = طبي
res_kind_legal_aid = مساعدة قانونية
res_kind_helpline = رقم وطني
res_sample = مثال
res_insert = إدراج
res_national = (وطنية)
res_for = (مقاطعة { $dept })
res_none = لا توجد أي خدمة في الدليل لهذه المقاطعة.
services_none = خدمات المساعدة في مقاطعتك
unsent = رسائل لم تُرسل ({ $n }): « { $text } ».
visitor_typing = الشخص يكتب…
visitor_back = عاد الشخص برمزه: إنه يقرأ المحادثة ويمكنه الرد عليك.
notify_back = عاد الشخص (مرجع { $ref })
received = استُلمت
read = قُرئت
badge_danger = خطر
badge_flag = خطر محتمل
danger_alert = قال الشخص إنه في خطر الآن.
q_saved = (حُفظ في الساعة { $time })
q_none = (غير محدد)
q_choose_fact = حدّد نوعًا واحدًا على الأقل من الوقائع.
q_choose_reporter = حدّد ما إذا كان الشخص ضحية أم شاهدًا.
xf_unit = اختر الوحدة التي تقترح الإحالة إليها.
xf_need_yes = لم يوافق الشخص بعد على الإحالة إلى هذه الوحدة: اطلب موافقته.
xf_asked = سُئل الشخص عن: { $unit }. في انتظار جوابه.
xf_yes = يوافق الشخص على الإحالة إلى: { $unit }.
xf_no = يرفض الشخص الإحالة إلى: { $unit }. لن يُحال أي شيء.
xf_contact = للاتصال به: { $text }
xf_do_not_contact = لا يرغب في أن يُتصل به: سيعود برمزه.
xf_no_units = لم يُحمَّل أي دليل للوحدات: اطلب ذلك من مسؤول (ecoute units load).
xf_proposed = مقترحة حسب الرمز البريدي

## Languages, as the console names them

lang_fr = الفرنسية
lang_en = الإنجليزية
lang_es = الإسبانية
lang_ar = العربية
visitor_language = الشخص يقرأ الصفحة الآن باللغة { $language }.

## Refusals from the server, by error code (docs/PROTOCOL.md §3)

error_not_found = لم تعد هذه المحادثة موجودة، أو ليس لديك صلاحية الوصول إليها.
error_not_owner = يتابع هذه المحادثة عنصر آخر.
error_not_claimed = لا تزال هذه المحادثة في انتظار استلامها.
error_already_claimed = استلم زميل هذه المحادثة قبلك.
error_at_capacity = أنت تتابع بالفعل العدد الأقصى من المحادثات المسموح لك به.
error_invalid_outcome = هذه النتيجة غير موجودة.
error_not_eligible = تتطلب هذه المحادثة قوة أخرى، أو لغة أخرى، أو تدريبًا خاصًا بـ« القاصرين ».
error_nothing_to_take = لا توجد حاليًا محادثة في الانتظار مخصصة لك.
error_invalid_presence = حالة التوفر هذه غير موجودة.
error_handover_note_required = ملاحظة التسليم إلزامية.
error_invalid_transfer = اختر إما زميلًا وإما القوة الأخرى.
error_no_fact = حدّد نوعًا واحدًا على الأقل من الوقائع.
error_no_consent = لم يوافق الشخص على الإحالة إلى هذه الوحدة.
error_unknown_unit = هذه الوحدة غير موجودة في الدليل.
error_no_officer = لا يتابع أي عنصر هذه المحادثة: لا يوجد من تُوجَّه إليه النصيحة.
error_invalid_departement = هذا ليس رمز مقاطعة.
error_colleague_unavailable = ليست لدى هذا الزميل لوحة تحكم مفتوحة، أو أنه لا يستلم محادثات.
error_forbidden = دورك لا يسمح بهذا الإجراء.
error_unavailable = الخدمة لا تستجيب حاليًا. أعد المحاولة بعد قليل.
error_rate_limited = إجراءات كثيرة متتالية. أعد المحاولة بعد قليل.
error_conversation_closed = انتهت هذه المحادثة.
error_empty_message = النص فارغ.
error_message_too_long = يتجاوز النص 4 000 حرف.
error_bad_frame = أرسلت لوحة التحكم طلبًا لا يفهمه الخادم. أعد تحميل الصفحة.
error_other = رفض الخادم: { $code }.

## A long queue

queue_more = و{ $count } محادثات أخرى في الانتظار، تُعالَج حسب ترتيب قائمة الانتظار.

## Board: dossiers

board_dossiers_overdue = ملفات تنتظر إشعار وحدتها بالاستلام منذ أكثر من { $hours } ساعة: { $count }.
board_dossiers_link = عرض الملفات المحالة

## Wellbeing (issue 21 item 5, docs/WELLBEING.md)

presence_break = في استراحة
presence_break_short = في استراحة
wellbeing_on_break = في استراحة الآن
wellbeing_no_break = لا استراحة مسجّلة
wellbeing_exposure = { $w } دقيقة موزونة
wellbeing_over = بلغ العتبة
