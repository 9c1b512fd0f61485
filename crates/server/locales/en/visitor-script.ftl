# Écoute — messages of the visitor's script (visitor.js), English.
# Plain text only. Variables are written { $name }; the script fills them in.

you = You
officer_default = The officer
sending = sending…
sent = sent
failed = not sent
connecting = Connecting…
queue_first = You are next in the queue.
queue_position = You are number { $position } in the queue.
wait_under_minute = Estimated wait: less than a minute.
wait_minutes = Estimated wait: about { $minutes } min.
wait_hours = Estimated wait: about { $hours } h { $minutes } min.
chat_waiting = Waiting for an officer. You can already write.
chat_with = You are talking with { $name }.
officer_joined = { $name } has joined the conversation.
officer_changed = { $name } is taking over. This person has read the whole conversation.
back_to_queue = Another officer will answer you. The conversation is kept, and you can keep writing.
announce_message = Message from { $name }: { $body }
disconnected = Connection lost, reconnecting… Your messages will be sent as soon as the connection is back.
ended_closed = The officer has closed the conversation. Thank you for writing to us.
ended_left = You have left the conversation.
ended_invalid = This conversation can no longer be opened from this device.
counter = { $count } / { $max }
err_form = An answer is missing. Check the questions marked.
err_kind = Say whether you are a victim or a witness.
err_minor = Say whether you are under 18.
err_postal = The postcode must have 5 digits. You can also leave it empty.
err_network = The connection failed. Try again in a moment. In an emergency, call 17 or 112.
err_busy = The service is receiving many requests. Try again in a moment. In an emergency, call 17 or 112.
err_server = Something went wrong. Try again in a moment. In an emergency, call 17 or 112.
err_empty = The message is empty.
err_too_long = The message is longer than 4,000 characters.
err_send = This message could not be sent.
err_closed = The conversation has ended: this message was not sent.
sending_soon = You are writing very fast; your message will go in a moment.
sending_busy = The service is very busy; your message will go in a moment.
busy = One moment…
officer_typing = { $name } is writing…
received = received
read = read
resume_format = The code has 16 digits. Check it.
resume_unknown = This code does not open any conversation. Check it, or start a new conversation.
resume_closed = This conversation has ended. You can start a new one.
resume_busy = Too many tries. Try again later. In an emergency, call 17 or 112.
back_note = You are back in the conversation.
danger_sending = We are alerting the officer…
danger_noted = Done: your conversation now goes before all the others, and the officer has been alerted. If you can, call 17.
danger_offline = Connection lost: the officer will be alerted as soon as the connection is back. Call 17 if you can.

## Consent in the chat
consent_yes_recorded = You agreed that your report is sent to: { $unit }.
consent_no_recorded = You refused that your report is sent to: { $unit }. Nothing will be sent to it.
consent_asked = The officer asks you a question: { $question }
consent_err_contact = Write your instructions, or choose “Do not contact me”.
consent_err_too_long = Your instructions are over 1,000 characters.
consent_err_not_asked = This question is no longer asked. The officer will ask another one if needed.
consent_err_offline = Connection lost: your answer was not sent. Try again in a moment.
ended_forwarded = The officer closed the conversation and your report has been sent on.
resume_forwarded = This code follows your report that was sent on: it no longer reopens the conversation. You can see where your report stands on the “Follow my report” page.

## Follow-up
follow_expired = For your safety, the follow-up closed. Enter your code again.
follow_closed_error = The follow-up is over: your message was not sent.
follow_sent = Your message has been sent.
follow_withdrawn = You withdrew your consent. The service has been told.

## Honest wait
wait_no_one = No officer is available right now, so we cannot give you a waiting time.
wait_meanwhile = Meanwhile: if you are in danger, call 17 or 112, or text 114. A child in danger: 119. Violence against women: 3919. You may write your message now and come back later with your return code.
