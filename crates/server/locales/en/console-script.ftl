# Écoute — messages of the console's script (console.js), English.
# Plain text only. Variables are written { $name }; the script fills them in.

victim = Victim
witness = Witness
minor = minor
adult = adult
minor_long = Minor (under 18)
adult_long = Adult
dept = dept { $dept }
no_dept = —
no_dept_short = dept —
visitor = The person
you = You
sending = sending…
sent = sent
failed = not sent
under_minute = under 1 min
minutes = { $m } min
hours = { $h } h { $mm }
at_ago = { $time } ({ $ago } ago)
not_claimed = —
tab_label = { $kind } · { $dept } · { $time } · ref. { $ref }
panel_title = { $kind }, { $minor }, { $dept }
claiming = Taking…
already_claimed = This conversation has already been taken by a colleague.
at_capacity = You are already handling as many conversations as your limit allows. Close one before taking another.
claim_failed = This conversation could not be taken. It may no longer be waiting.
visitor_left = The person left in a hurry
visitor_left_detail = The person left in a hurry{ $at }. They are no longer reading this conversation. If they come back with their code, they will read what you write here; otherwise, choose an outcome and close it.
visitor_left_at = {" "}at { $time }
global_left = The person left in a hurry: { $label }.
show_chat = Show conversation
title_alert = ⚠ The person left in a hurry —{" "}
new_message = New message from the person: { $body }
closing = Closing…
closed = Conversation closed.
close_choose = Choose the conversation outcome.
close_failed = Closing failed: { $message }
err_empty = The message is empty.
err_too_long = The message exceeds 4,000 characters.
err_send = This message could not be sent: { $message }
sending_soon = You are writing very fast: your message will go in a moment.
err_conversation_closed = This conversation has ended: the message was not sent.
connecting = Connecting…
disconnected = Connection lost, reconnecting…
session_expired = Your session has expired.
login_again = Log in again
counter = { $count } / { $max }
priority_danger = In danger now
priority_flagged = Risk flag
flag_line = Risk flag: { $labels }
flag_alert = Risk flag in this conversation: { $labels }. The rules flag; they decide nothing.
force_police = police
force_gendarmerie = gendarmerie
force_any = any force
needs = { $force } · { $lang }
handed_over_note = taken over after handover
presence_available = Available
presence_paused = Paused
mode_offer = Conversations are offered to you when you are available.
mode_pull = Take the next conversation or choose from the queue.
nothing_to_take = No waiting conversation is for you right now.
not_eligible = This conversation requires another force, another language or “minors” training: it will open to you if no one else takes it.
offer_what = { $kind } · { $minor } · { $dept }
awaiting = waiting { $ago }
note_kind_note = Note
note_kind_handover = Handover
note_kind_whisper = Supervisor’s advice (whisper)
whisper_arrived = Supervisor’s advice (whisper) in conversation ref. { $ref }
handed_transferred = Conversation ref. { $ref } transferred.
handed_taken_over = Conversation ref. { $ref } taken over by a supervisor.
handed_requeued = Conversation ref. { $ref } returned to the queue.
transfer_choose = Choose a colleague or a force.
transfer_note = Write what the next person needs to know.
transfer_failed = Transfer failed: { $message }
colleague = { $name } — { $presence }, { $open }/{ $capacity }
presence_offline = offline
presence_available_short = available
presence_paused_short = paused
notify_new_chat = New conversation waiting
notify_danger = Priority conversation waiting
notify_offer = A conversation is offered to you
notify_message = New message (ref. { $ref })
notify_left = Left in a hurry (ref. { $ref })
notify_flag = Risk flag (ref. { $ref })
notify_whisper = Supervisor’s advice (ref. { $ref })
state_waiting = waiting
state_active = ongoing
state_visitor_left = left in a hurry
listen = Monitor
monitor_state = Status: { $state }{ $officer }
monitor_officer = {" "}— officer: { $name }
load = { $open } / { $capacity }
skills = { $force }{ $minors } · { $langs }
skills_minors = {" "}· minors
unassigned = —
canned_none = No canned reply matches.
canned_unknown = No canned reply /{ $shortcut }.
res_kind_association = Association
res_kind_victim_service = Victim support
res_kind_medical = Medical
res_kind_legal_aid = Legal aid
res_kind_helpline = National helpline
res_sample = sample
res_insert = Insert
res_national = (national)
res_for = (dept { $dept })
res_none = No service in the directory for this département.
services_none = the support services in your département
unsent = { $n } message(s) not sent: “{ $text }”.
visitor_typing = The person is typing…
visitor_back = The person came back with their code: they are reading the conversation and can reply to you.
notify_back = The person came back (ref. { $ref })
received = received
read = read
badge_danger = Danger
badge_flag = Risk
danger_alert = The person said they are in danger now.
q_saved = (saved at { $time })
q_none = (not filled in)
q_choose_fact = Tick at least one type of facts.
q_choose_reporter = Indicate whether the person is a victim or a witness.
xf_unit = Choose the unit to propose the forwarding to.
xf_need_yes = The person has not agreed to forwarding to this unit yet: ask for their consent.
xf_asked = The person was asked about: { $unit }. Waiting for their answer.
xf_yes = The person agrees to forwarding to: { $unit }.
xf_no = The person declines forwarding to: { $unit }. Nothing will be forwarded.
xf_contact = How to contact them: { $text }
xf_do_not_contact = They do not want to be contacted: they will come back with their code.
xf_no_units = No directory of units is loaded: ask an administrator (ecoute units load).
xf_proposed = proposed from the postal code

## Languages, as the console names them

lang_fr = French
lang_en = English
lang_es = Spanish
lang_ar = Arabic
visitor_language = The person now reads the page in { $language }.

## Refusals from the server, by error code (docs/PROTOCOL.md §3)

error_not_found = This conversation no longer exists, or you do not have access to it.
error_not_owner = This conversation is being handled by another officer.
error_not_claimed = This conversation is still waiting to be taken.
error_already_claimed = A colleague took this conversation before you.
error_at_capacity = You are already handling as many conversations as your limit allows.
error_invalid_outcome = This outcome does not exist.
error_not_eligible = This conversation requires another force, another language or “minors” training.
error_nothing_to_take = No waiting conversation is for you right now.
error_invalid_presence = This availability status does not exist.
error_handover_note_required = A handover note is required.
error_invalid_transfer = Choose either a colleague or the other force.
error_no_fact = Tick at least one type of facts.
error_no_consent = The person has not agreed to forwarding to this unit.
error_unknown_unit = This unit is not in the directory.
error_no_officer = No officer is handling this conversation: there is no one to send the advice to.
error_invalid_departement = This is not a département code.
error_colleague_unavailable = This colleague does not have a console open, or is not taking conversations.
error_forbidden = Your role does not allow this action.
error_unavailable = The service is not responding right now. Try again in a moment.
error_rate_limited = Too many actions in a row. Try again in a moment.
error_conversation_closed = This conversation has ended.
error_empty_message = The text is empty.
error_message_too_long = The text exceeds 4,000 characters.
error_bad_frame = The console sent a request that the server does not understand. Reload the page.
error_other = The server refused: { $code }.

## A long queue

queue_more = And { $count } more chats waiting, served in queue order.

## Board: dossiers

board_dossiers_overdue = Dossiers waiting for their unit’s acknowledgement for more than { $hours } h: { $count }.
board_dossiers_link = See the forwarded dossiers

## Wellbeing (issue 21 item 5, docs/WELLBEING.md)

presence_break = On break
presence_break_short = on break
wellbeing_on_break = on break now
wellbeing_no_break = no break recorded
wellbeing_exposure = { $w } weighted min
wellbeing_over = threshold reached
