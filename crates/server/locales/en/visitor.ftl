# Écoute — the visitor's pages (English).
# Messages whose id ends in -html hold markup and are inserted as they are; keep their tags.
# Every other message is plain text.

lang-name = English
language-switch = Language
brand = Écoute
page-title = Écoute

## Quick exit, on every visitor page

qe-label = Quick exit
qe-skip = Leave this site now. Keyboard shortcut: press the Shift key three times.
skip-to-content = Skip to content

## Danger panel

danger-title = In danger now
danger-17 = Call the police or the gendarmerie
danger-112 = Emergency number, from any phone
danger-114 = If you cannot speak: send a text message, silently. Write where you are and what is happening.
danger-start = Write to an officer first
danger-close = Hide

## Return code, shown once

code-title = To come back later
code-yours = Your code, keep it:
code-advice = With it, you can come back to this conversation from any device and read what the officer wrote. Save it like a phone number in your contacts, under an ordinary name. It will not be shown again. Do not give it to anyone: it opens the conversation.
code-done = I have saved this code

## Landing

landing-title = Talk to a police officer or a gendarme, in writing
landing-lead-html = Are you a victim or a witness of sexist or sexual violence? You can write to a police officer or a gendarme trained to listen to you, tell you about your rights and help you with the next steps. It is <strong>anonymous</strong>, <strong>free</strong> and open <strong>24 hours a day, 7 days a week</strong>. You do not need to file a complaint to talk about it.
noscript-html = <strong>The conversation needs JavaScript</strong>, which is turned off in your browser. You can read this page, but you cannot start a conversation.
noscript-numbers-html = If you are in danger, call <strong>17</strong> or <strong>112</strong>, or send a text message to <strong>114</strong>. Violences Femmes Info (national helpline on violence against women): <strong>3919</strong>. Children in danger: <strong>119</strong>.
start-open = Start a conversation
danger-open = I am in danger now
resume-open = I have a code to come back

emergency-title = This is not an emergency number
emergency-intro = If you are in danger now, or if someone else is:
num-17 = Police or gendarmerie emergency
num-112 = European emergency number, from any phone
num-114 = By text message: for deaf or hard-of-hearing people, and for anyone who cannot speak safely
num-3919 = Violences Femmes Info: national helpline on violence against women, free and anonymous, 24 hours a day
num-119 = Allô Enfance en danger: children's helpline, for minors or to report a child in danger, 24 hours a day

kept-title = What is kept, and who reads it
kept-account = You do not create an account, and you do not have to give your name.
kept-text-html = The text of the conversation is kept <strong>encrypted</strong> for <strong>one year</strong>, then, as the law provides, for up to five more years with restricted access. It is read by the police officers and gendarmes of this service.
kept-ip = Your IP address is not recorded. If you give a postcode, only the département (the area) is kept: it tells us whether the police or the gendarmerie covers the place where you live.
kept-anonymity-html = Anonymity is guaranteed <strong>as a rule</strong>: if the acts are serious or if someone is in danger, officers can act to protect that person, and for that they may try to find out who they are.

exit-title = Leaving quickly, and what it does not erase
exit-intro-html = The red <strong>“Quick exit”</strong> button at the top of the screen, or pressing the <kbd>Shift</kbd> key three times in a row, shows a neutral page at once and erases the conversation from this page. It cannot erase:
exit-back = the pages opened before this one in the same tab (Back button);
exit-history = your browser history, which keeps the address of this site;
exit-spyware = what spyware installed on the device may already have recorded.
exit-safety-link = Stay safe online: private browsing, safe device, history, spyware

## Start form

start-title = Before you start
start-intro = Three questions, to put you in touch with the right person. Nothing else is asked.
kind-legend = You are…
kind-victim = a victim
kind-witness = a witness
minor-legend = Are you under 18?
minor-yes = yes, I am under 18
minor-no = no, I am 18 or older
minor-note-html = You will be put in touch with an officer trained to talk with young people. You can also call <a class="num-inline" href="tel:119">119</a>, Allô Enfance en danger (the children's helpline): it is free, day and night, and the call does not show on phone bills.
postal-label = Postcode
optional = (optional)
postal-hint = 5 digits. Only the département (the area) is kept. You can leave it empty.
danger-now = I am in danger now
danger-hint-html = If you can make a call, call <a class="num-inline" href="tel:17">17</a> or send a text message to <a class="num-inline" href="sms:114">114</a>. If not, tick this box: your conversation will go before all the others.
start-submit = Start the conversation
back = Back

## Coming back with a code

resume-title = Come back to your conversation
resume-intro = Enter the 16-digit code you received at the start of the conversation. You will see what the officer wrote to you, and you can reply.
resume-label = Your code
resume-submit = Go back to the conversation

## Waiting

waiting-title = An officer will answer you
waiting-connecting = Connecting…
waiting-keep-open = Keep this page open: you can read the information below without losing your place. You can also write a first message now; the officer will read it when they arrive.
waiting-danger-html = If you are in immediate danger, do not wait: <a class="num-inline" href="tel:17">17</a>, <a class="num-inline" href="tel:112">112</a> or a text message to <a class="num-inline" href="sms:114">114</a>.

## Chat

chat-title = Conversation
danger-chat = I am in danger now
message-label = Your message
composer-hint = Enter to send, Shift + Enter for a new line.
send = Send

## Ended

ended-title = The conversation has ended
ended-numbers-html = If you are in danger: <a class="num-inline" href="tel:17">17</a>, <a class="num-inline" href="tel:112">112</a>, text message to <a class="num-inline" href="sms:114">114</a>. Violences Femmes Info (helpline on violence against women): <a class="num-inline" href="tel:3919">3919</a>. Children in danger: <a class="num-inline" href="tel:119">119</a>.
restart = Start a new conversation

## Reading while waiting

reading-title = To read while you wait
rights-title = Your rights
rights-1 = What happened to you matters, even if it was a long time ago, online, or with someone close to you.
rights-2 = You can file a complaint at any police station or gendarmerie station. Police officers and gendarmes must take your complaint.
rights-3 = You can bring an adult of your choice with you, and a lawyer.
rights-4 = You can ask a victim support association for help, for free, whether or not you file a complaint.
complaint-title = How a complaint works
complaint-1 = The officer can explain the steps and pass on your situation to a police station or gendarmerie station near you, to prepare your visit.
complaint-2 = There, you tell an investigator what happened. You get a copy of your complaint.
complaint-3 = Keep the evidence: messages, screenshots, photos, names of witnesses. A doctor can record your injuries, even without a complaint.
complaint-4 = The public prosecutor then decides what happens next. You will be informed of the decision.
help-title = Getting help outside this service
help-3919-html = <a class="num-inline" href="tel:3919">3919</a>, Violences Femmes Info (national helpline on violence against women): listening, information and guidance, free and anonymous, 24 hours a day.
help-116006-html = <a class="num-inline" href="tel:116006">116 006</a>, France Victimes (victim support): help for victims, free, every day.
help-119-html = <a class="num-inline" href="tel:119">119</a>, Allô Enfance en danger (children's helpline), 24 hours a day.

## Stay safe online

safety-page-title = Stay safe online — Écoute
safety-title = Stay safe online
safety-lead = If someone can look at your phone or computer, a few precautions limit the traces of your visit. Do what you can, without putting yourself in danger.
safety-exit-title = What “Quick exit” does, and what it cannot do
safety-exit-what-html = The red button, or pressing the <kbd>Shift</kbd> key three times in a row, hides the page at once, ends the conversation, erases it from this tab and shows an unrelated site. The conversation page does not stay in the tab's history.
safety-exit-cannot = It cannot erase:
safety-exit-back = the pages opened before this one in the same tab: someone can go back to them with the Back button;
safety-exit-history = the browser history, which keeps the address of this site and the titles of its pages;
safety-exit-suggestions = the address bar suggestions, which may show this site;
safety-exit-spyware = what spyware may already have recorded (see below).
safety-private-title = Use private browsing
safety-private-what = A private browsing window keeps no history and no site data once it is closed.
safety-private-chrome-html = Chrome, Edge: menu, then “New Incognito window” in Chrome or “New InPrivate window” in Edge (<kbd>Ctrl</kbd> + <kbd>Shift</kbd> + <kbd>N</kbd>).
safety-private-firefox-html = Firefox: menu, then “New private window” (<kbd>Ctrl</kbd> + <kbd>Shift</kbd> + <kbd>P</kbd>).
safety-private-safari = Safari on iPhone: tabs button, then “Private”.
safety-private-limits = Remember to close the private window at the end. Private browsing hides nothing from spyware, or from the network you are using (for example, an employer's network).
safety-device-title = Choose a safe device
safety-device-other = If you can, use a device that the person hurting you does not use and cannot check: the phone of someone you trust, or a public computer in a library or a town hall.
safety-device-shared = On a shared device, sign out of your accounts and close the window at the end.
safety-device-location = Check whether your location is shared (location apps, family sharing, shared Google or Apple accounts) and who knows your passwords.
safety-history-title = Delete only some pages from your history
safety-history-intro = Clearing all your history at once can draw attention. You can delete only the pages of this site:
safety-history-chrome = Chrome, Edge: menu, “History”, tick the pages of this site, then “Delete”.
safety-history-firefox = Firefox: menu, “History”, “Manage history”, right-click a page, then “Delete Page”.
safety-history-safari = Safari on iPhone: bookmarks button, “History” tab, swipe the page to the left, then “Delete”.
safety-history-suggestions-html = Also think of the address bar suggestions: in Chrome, select the suggestion with the arrow keys, then press <kbd>Shift</kbd> + <kbd>Delete</kbd>.
safety-spy-title = Spyware
safety-spy-what = Someone who has had your phone in their hands may have installed software on it that records your messages, the pages you visit or your location, without it showing. You may suspect this if they know things they should not know, if the battery runs down unusually fast, or if apps you do not know appear.
safety-spy-other-device = If so, ask for help from another device.
safety-spy-remove-html = Removing the software may alert the person and erase evidence: talk about it first with the officer, or call <a class="num-inline" href="tel:3919">3919</a>.
safety-emergency-title = If you are in danger
safety-num-112 = European emergency number
safety-num-114 = By text message, if you cannot speak, or for deaf or hard-of-hearing people
safety-num-3919 = Violences Femmes Info (helpline on violence against women), 24 hours a day
safety-num-119 = Allô Enfance en danger (children's helpline), 24 hours a day
safety-home = Back to the home page

## Forwarding to a local unit: the question asked in the chat
consent-question = Do you agree that your report is sent to: { $unit }? This service may contact you so that you can file a complaint, if you wish.

## Consent in the chat
consent-title = Send your report on?
consent-yes = Yes
consent-no = No
consent-how-legend = How may this service contact you?
consent-contact-write = I give instructions for contacting me
consent-contact-none = Do not contact me, I will come back with my code
consent-instructions-label = Your instructions
consent-instructions-hint = When and how the service may call you, and what to say if someone else answers (for example “it is the health insurance”).
consent-send = Send my answer
consent-cancel = Back to the question
forwarded-title = Your report has been sent on
forwarded-follow = You can follow where it stands with your return code, on the “Follow my report” page.
forwarded-what = There you will see the stage of your report in plain words (sent, received, the service tried to reach you…), the date of the last change, and you can add a message or withdraw your consent. The service’s notes are never shown there.
forwarded-code = Your return code:
forwarded-link = Follow my report

## Follow-up
follow-page-title = Follow my report
follow-title = Follow my report
follow-intro = If your report was sent on to a police station or a gendarmerie, your return code lets you see where it stands. The code is not kept anywhere on this device.
follow-noscript = This page needs JavaScript to show the follow-up. In an emergency, call 17 or 112.
follow-code-label = Your return code (16 digits)
follow-submit = See where my report stands
follow-state-title = Where your report stands
follow-reference = Reference:
follow-forwarded-on = Sent on:
follow-updated-on = Last change:
follow-messages-sent = Messages you added:
follow-only-stage = Only the stage is shown here, in plain words: the service’s notes never are.
follow-message-title = Add a message
follow-message-intro = Your message goes to the service and to the Écoute platform. It cannot be changed afterwards.
follow-message-label = Your message
follow-message-submit = Send the message
follow-withdraw-title = Withdraw my consent
follow-withdraw-intro = If you no longer want the service to deal with your report, you can withdraw your consent. The service is told and the follow-up ends: you will not be able to add a message any more.
follow-withdraw-open = Withdraw my consent
follow-withdraw-confirm-text = Do you really want to withdraw your consent? This cannot be undone.
follow-withdraw-confirm = Yes, withdraw my consent
follow-withdraw-cancel = No, keep my consent
follow-closed = The follow-up of this report is over: you can no longer add a message.
follow-done = Close the follow-up
follow-home = Back to the home page
stage-transmitted = Your report has been sent on.
stage-received = The service has received it.
stage-tried-to-reach = The service tried to reach you.
stage-in-touch = The service has been in touch with you.
stage-complaint-taken = Your complaint has been recorded.
stage-finished = The follow-up of your report is over.
stage-withdrawn = You withdrew your consent: the report is closed.
