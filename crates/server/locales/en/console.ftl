# Écoute — the staff's pages: console, login, installation, account security, canned replies,
# audit log (English).
# Messages whose id ends in -html hold markup and are inserted as they are; keep their tags.
# Every other message is plain text.

lang-name = English
language-switch = Console language
language-apply = Apply
skip-to-content = Skip to content
back-to-console = Back to the console
logout = Log out

## Console: header and desk

console-title = Console — Écoute
brand-console = console
role-officer = officer
role-supervisor = supervisor
role-admin = administrator
nav-account = Account
nav-security = Account security
nav-replies = Canned replies
nav-audit = Audit log
desk = Availability and alerts
presence-label = I am
presence-available = Available
presence-paused = Paused
take-next = Take next
notify-enable = Enable browser notifications
sound-on = Alert sound
offer-title = Conversation offered
offer-time-before = You have
offer-time-after = s to accept, then it will be offered to a colleague.
offer-accept = Accept
offer-decline = Decline

## Queue and chats

queue-title = Queue
queue-empty = No one is waiting right now.
queue-away-title = Messages left
queue-away-hint = The person no longer has the page open. Reply anyway: they will read your reply when they come back with their code.
chats-title = My conversations
chats-empty = No ongoing conversations. Take a conversation from the queue.
qi-waiting-since = waiting for
qi-ineligible = Outside your skills for now: it will open to you if no one else takes it.
qi-claim = Take
block = Block
block-confirm = Confirm block
tab-risk = Risk
tab-unread = unread
tab-left = Left in a hurry

## Supervision board

board-title = Supervision
fig-started = Started today
fig-waiting = Waiting
fig-handled = Handled
fig-median = Median wait
fig-longest = Longest wait
fig-left = Left before a reply
board-staff-title = Officers
col-officer = Officer
col-state = Status
col-load = Load
col-skills = Skills
board-chats-title = Ongoing conversations
board-chats-empty = No ongoing conversations.
col-ref = Ref.
col-since = Since
col-priority = Priority
col-actions = Actions
monitor-title = Silent monitoring
monitor-hint = Neither the person nor the officer can see that you are reading. Your reading is recorded in the audit log.
monitor-messages = Messages of the monitored conversation
notes-label = Internal notes
whisper-label = Advice to the officer (never shown to the person)
whisper-send = Send advice
monitor-take = Take over the conversation
monitor-take-confirm = Confirm takeover
monitor-stop = Stop monitoring

## A chat's panel

fact-situation = Situation
fact-age = Age
fact-departement = Département
fact-language = Language
fact-started = Started
fact-claimed = Taken on
fact-ref = Reference
messages = Messages
reply-label = Your reply
reply-hint = Enter to send, Shift + Enter for a new line, “/” and a shortcut then Tab for a canned reply.
canned = Canned replies
send = Send
canned-search = Search canned replies
canned-empty = No canned replies. Supervisors write them in “Canned replies”.
resources-title = Support services
resources-hint = “Insert” puts the contact details into your reply; you send it after reading it over.
notes-hint = Visible to you, supervisors and any officer who takes over the conversation; never to the person.
note-add = Add a note
note-save = Save note
qualify-title = Case qualification
qualify-none = (not filled in)
facts-legend = The facts
fact-rape = Rape
fact-sexual-assault = Sexual assault
fact-sexual-harassment = Sexual harassment
fact-street-harassment = Street harassment, sexist insult
fact-exhibitionism = Sexual exhibitionism
fact-domestic-violence = Domestic or family violence
fact-cyber-violence = Cyberviolence
fact-incest = Incest
fact-prostitution = Prostitution, pimping
fact-other = Other
reporter-legend = The person is
reporter-victim = victim
reporter-witness = witness
concerned-minor = The person concerned is a minor
danger-level = Danger level
danger-none = No danger identified
danger-moderate = Risk to monitor
danger-serious = Serious danger
danger-immediate = Immediate danger
qualify-save = Save case qualification
transfer-title = Transfer
transfer-to = To whom
transfer-choose = Choose…
transfer-forces = To the other force (via the queue)
force-police = National Police
force-gendarmerie = National Gendarmerie
transfer-people = To a colleague
transfer-note = Handover note (required)
transfer-submit = Transfer
outcome-label = Conversation outcome
outcome-choose = Choose the outcome…
outcome-information-given = Information given
outcome-referred = Referred to an association / support service
outcome-forwarded = Report forwarded to a local unit
outcome-intervention = Intervention requested
outcome-visitor-left = The person left
forwarding-legend = Forwarding to a local unit
forwarding-unit = Receiving unit (police station, gendarmerie brigade, family protection unit)
forwarding-ask = Ask for the person’s consent
forwarding-help = The question appears in the chat, in the person’s language. Without their “yes” to this unit, nothing is forwarded.
close = Close
close-left-help = If they come back with their code, they will read what you write; otherwise, choose an outcome and close the conversation.
block-abuse = Block (abuse)

## Login

login-title = Log in — Écoute Console
login-heading = Écoute Console
login-for = Restricted to police officers, gendarmes and platform staff.
username = Username
password = Password
login-code = Verification code
login-code-hint = The 6 digits from your authenticator app, or a backup code. Leave blank on your very first login.
login-submit = Log in
login-too-many = Too many attempts. Try again later.
login-refused = Incorrect username, password or code.

## First installation

setup-title = Installation — Écoute
setup-heading = Écoute installation
setup-done = The administrator account has been created.
setup-used = Installation is already done: an account exists, and this link no longer works.
setup-used-restart = Log in with the administrator account. A new installation link is shown only when a server starts with no account in its database: then restart it and open the link it shows.
setup-login = Log in to the console
setup-intro = Create the first administrator account. The installation code was displayed by the server at startup; it can be used only once.
setup-code = Installation code
setup-code-hint = Filled in automatically if you opened the link given by the server; otherwise, paste the code.
display-name = Display name
display-name-hint = Visible to the people who write in, for example “Officer Martin”.
password-hint = 12 to 128 characters.
password-confirm = Confirm password
setup-submit = Create the administrator account
setup-err-username = The username must be 3 to 32 characters: lowercase letters, digits, “.”, “-” or “_”.
setup-err-display-name = The display name must be 1 to 64 characters.
setup-err-mismatch = The two passwords do not match.
setup-err-password = The password must be 12 to 128 characters.
setup-err-code = This installation code is not valid: it has already been used, it has expired, or an account already exists.
password-err-guessable = This password is too common or too easy to guess (a well-known word or name, a keyboard run, a date, your username or your name…). Choose another one, for example three or four unrelated words. Nothing was saved.

## Account security

security-title = Account security — Écoute Console
security-heading = Account security
codes-title = Your backup codes
codes-intro-html = Each can be used only once, if you no longer have your authenticator app. Write them down and keep them somewhere safe: <strong>they will never be shown again</strong>.
codes-copy = Copy the codes
codes-download = Download (text file)
codes-print = Print
codes-file-name = ecoute-backup-codes.txt
codes-file-heading = Écoute — backup codes of the account { $username } (each works only once)
codes-copied = The codes are copied: paste them into your password manager.
codes-not-copied = The browser did not allow copying: select the codes, or download them.
codes-saved = I have saved my backup codes somewhere safe
codes-wait = Tick this box once the codes are saved to continue: they will not be shown again.
go-console = Go to the console
totp-title = Two-factor authentication
totp-enrolled = An authenticator app is linked to your account. Backup codes remaining:
enrol-title = Link an authenticator app
enrol-intro = Every account must use a second factor. Scan this QR code with an authenticator app (TOTP), then enter the 6-digit code it shows.
enrol-key = Cannot scan? Enter this key in the app:
enrol-key-stays = This QR code and this key stay the same if you reload the page or log in again, until you confirm with a code (or for 24 hours at most).
enrol-key-replaced = A new key has been created: the previous one expired without being confirmed. If your app already has an “Écoute” entry for this account, delete it, then scan this new QR code.
enrol-code = 6-digit code
enrol-submit = Link
enrol-err-code = This code does not match the key shown. Check that you are reading this account’s “Écoute” entry in your app and that the phone’s time is right, then enter the code it shows now.
next-steps-title = First steps: what is left to do before opening the service
next-steps-paused = Your console is paused: it receives no chat until you choose “Available”.
next-step-officers = Create the accounts of the officers who will answer: each chooses their password and authenticator app with the link you give them.
next-step-officers-link = New account
next-step-units = Load the directory of the local units that receive forwarded reports (format: share/units.sample.txt):
next-step-forces = Check the force table (police or gendarmerie by place): the one shipped is a starting point, not an official assignment.
next-steps-done = Each step leaves this list once done (see docs/ADMINISTRATION.md).
sessions-title = Your open sessions
times-in-zone = Times in the { $zone } time zone.
col-opened = Opened
col-last-seen = Last activity
col-action = Action
this-session = (this session)
session-end = End

## Canned replies

replies-title = Canned replies — Écoute Console
replies-heading = Canned replies
replies-intro-html = Officers insert them into a conversation by typing <kbd>/</kbd> followed by the shortcut then <kbd>Tab</kbd>, or with the “Canned replies” button (<kbd>Alt</kbd>+<kbd>R</kbd>). The text can still be edited before sending.
replies-variables-html = Variables filled in on insertion: <code>{"{"}agent{"}"}</code> (the officer’s name), <code>{"{"}departement{"}"}</code> (the person’s département), <code>{"{"}services{"}"}</code> (the support services of that département, taken from the directory).
shortcut = Shortcut
shortcut-hint = (a-z, 0-9 and -, for example complaint)
title = Title
text = Text
save = Save
delete = Delete
replies-new = New canned reply
add = Add
replies-saved = Reply /{ $shortcut } saved.
replies-deleted = Reply deleted.
replies-conflict = The shortcut /{ $shortcut } is already used by another reply.
replies-err-shortcut = The shortcut may contain only a-z, 0-9 and -.
replies-err-length = { $field ->
        [shortcut] The shortcut
        [title] The title
       *[body] The text
    } must be { $min } to { $max } characters.
replies-err-variable = Unknown variable { $name }: use {"{"}agent{"}"}, {"{"}departement{"}"} or {"{"}services{"}"}.

## Audit log

audit-title = Audit log — Écoute Console
audit-heading = Audit log
audit-intro = Every staff access to a conversation, every login and every account change, chained by hash. No message content, no addresses. Viewed by { $name }.
col-number = No.
col-date = Date
col-who = Who
col-conversation = Conversation
col-detail = Detail
audit-older = Older entries
audit-system = system

# Closed chats read again (/console/history).
nav-history = Closed chats
history-title = Closed chats — Écoute
history-heading = Closed chats
history-intro-officer = The chats you closed in the last { $days } days. Each reading is recorded in the audit log.
history-intro-supervisor = Every closed chat still kept, the most recent first. Each reading is recorded in the audit log.
history-empty = No closed chat to read again.
history-closed-at = Closed on
history-visitor = The person
history-back = Closed chats
history-note-note = internal note
history-note-handover = handover note
history-note-whisper = supervisor’s message
transcript-title = Chat { $ref }
transcript-read-audited = This reading is recorded in the audit log. Times are in the { $zone } time zone.
transcript-facts = Facts
transcript-forwarded-to = Forwarded to
transcript-messages = Messages
transcript-notes = Staff notes
outcome-blocked = Chat blocked (abuse)

## Unit desk

# The unit's desk (/desk), a dossier (/desk/{id}), the supervisors' overview (/console/dossiers).
desk-brand = Unit desk
desk-nav-dossiers = Dossiers received
desk-title = Dossiers received — { $unit } — Écoute
desk-heading = Dossiers forwarded to your unit
desk-intro = The reports people agreed to forward to you, open dossiers first. Every reading and every download is recorded in the audit log.
desk-empty = No dossier has been forwarded to your unit.
desk-col-reference = Reference
desk-col-produced = Forwarded on
desk-col-age = Waiting for
desk-col-state = Status
desk-col-first-contact = First contact
desk-first-contact-at = Yes, on { $at }
desk-first-contact-none = Not yet
desk-times-paris = Times are Paris time.
desk-span-minutes = { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }
desk-span-hours = { $n ->
        [one] { $n } hour
       *[other] { $n } hours
    }
desk-span-days = { $n ->
        [one] { $n } day
       *[other] { $n } days
    }
dossier-state-sent = Forwarded, to acknowledge
dossier-state-received = Received
dossier-state-contact-attempted = Contact attempted
dossier-state-contacted = Person contacted
dossier-state-appointment-set = Appointment set
dossier-state-complaint-taken = Complaint taken
dossier-state-could-not-reach = Could not reach the person
dossier-state-closed = Closed
dossier-state-withdrawn = Consent withdrawn by the person
desk-record-withdrawn = The person withdrew their consent: the dossier is closed
desk-record-person-message = Message from the person
desk-force-police = national police
desk-force-gendarmerie = national gendarmerie
desk-standing-victim = The person is the victim
desk-standing-witness = The person is a witness
desk-error-closed = This dossier is closed: nothing more can be recorded on it.
desk-error-already-received = This dossier’s receipt was already recorded. Choose another status.
desk-error-state = Choose a status from the list.
desk-error-note = Write a note of 1 to 1,000 characters.
dossier-title = Dossier { $ref }
dossier-state-label = Dossier status:
dossier-read-audited = This reading is recorded in the audit log. Every time is given in Paris time and in UTC.
dossier-download-pdf = Download the signed PDF
dossier-download-json = Download the signed JSON
dossier-contact = How to reach the person
dossier-do-not-contact = Do not contact the person: they will come back on their own with their code.
dossier-summary = The report
dossier-facts = Facts
dossier-standing = Standing
dossier-records = Dossier follow-up
dossier-records-empty = Nothing has been recorded on this dossier yet.
dossier-record-title = Record a status
dossier-record-state = New status
dossier-record-note = Note
dossier-record-note-hint = Required, at most 1,000 characters. The person never reads your notes: they only see where their report stands.
dossier-record-submit = Record
dossier-closed = This dossier is closed: nothing more can be recorded on it.
dossier-consent = The person’s consent
dossier-consent-given = The person said yes on
dossier-messages = The conversation
dossier-handovers = Handovers between officers
dossier-handovers-none = No handover: one officer handled the conversation.
dossier-seal = Signature
dossier-seal-text = Files signed with key no. { $version }. SHA-256 fingerprint of the JSON:
dossier-back-desk = Back to the dossiers received
dossier-back-dossiers = Back to the forwarded dossiers
nav-dossiers = Forwarded dossiers
dossiers-title = Forwarded dossiers — Écoute console
dossiers-heading = Dossiers forwarded to units
dossiers-intro = { $hours ->
        [one] Every forwarded dossier, open ones first. A dossier whose unit has not acknowledged it within the hour is marked.
       *[other] Every forwarded dossier, open ones first. A dossier whose unit has not acknowledged it within { $hours } hours is marked.
    }
dossiers-empty = No dossier has been forwarded yet.
dossiers-col-unit = Unit
dossiers-col-first-contact = Time to first contact
dossiers-overdue = overdue
dossiers-not-yet = not yet
board-dossiers-overdue = Dossiers waiting for their unit’s acknowledgement for more than { $hours } h: { $count }.

# ---------------------------------------------------------------- statistics pages (issue 20)
nav-statistics = Statistics
stats-page-title = Statistics — Écoute console
stats-heading = Service statistics
stats-intro = The figures of a period, from the statistics record: one row per ended chat, identifying nobody. Each chart is followed by its data as a table, which can be downloaded as CSV.
stats-from = From
stats-to = To
stats-show = Show
stats-weeks-note = Dates are widened to whole weeks, Monday to Sunday (Paris time): the record keeps only the week and the hour each chat started. Two years at most.
stats-not-suppressed = Raw figures, small counts included: for internal use. To publish, use the open-data export, which hides small counts.
stats-toc = Charts on this page
stats-csv = Data (CSV)
stats-svg = Image (SVG)
stats-table-caption = Data: { $chart }
stats-period = Weeks { $first } to { $last }, from Monday { $start } to Sunday { $end }.
stats-weeks = { $count ->
        [one] One week.
       *[other] { $count } weeks.
    }
stats-error-bad-start = The start date is not a valid date: write it YYYY-MM-DD, for example 2026-01-05.
stats-error-bad-end = The end date is not a valid date: write it YYYY-MM-DD, for example 2026-03-01.
stats-error-reversed = The end date is before the start date: swap them.
stats-error-too-long = The period spans { $weeks } weeks; it cannot be longer than { $max } weeks (two years).
stats-decimal-mark = .
stats-percent = { $value }%
stats-no-data = No chat in this period.
stats-no-forwarded = No report forwarded in this period.
stats-unknown = Not given
stats-ending-purged = Purged without being closed
stats-wait-lt1m = under 1 min
stats-wait-1-5m = 1 to 5 min
stats-wait-5-15m = 5 to 15 min
stats-wait-15-60m = 15 to 60 min
stats-wait-ge60m = 1 h or more
stats-week-row = { $week } (Monday { $monday })
stats-day-1 = Monday
stats-day-2 = Tuesday
stats-day-3 = Wednesday
stats-day-4 = Thursday
stats-day-5 = Friday
stats-day-6 = Saturday
stats-day-7 = Sunday
stats-day-short-1 = Mon
stats-day-short-2 = Tue
stats-day-short-3 = Wed
stats-day-short-4 = Thu
stats-day-short-5 = Fri
stats-day-short-6 = Sat
stats-day-short-7 = Sun
stats-legend-fewer = fewer
stats-legend-more = more
stats-axis-chats = chats
stats-axis-wait = wait
stats-axis-percent = % of chats
stats-col-week = Week
stats-col-chats = Chats
stats-col-day = Day
stats-col-answered = Taken by an officer
stats-col-median = Median wait
stats-col-p90 = 90th percentile wait
stats-col-left = Left before an answer
stats-col-share-left = Share left before an answer
stats-col-quick-exits = Quick exits
stats-col-ending = Outcome
stats-col-share = Share
stats-col-fact = Facts
stats-col-share-qualified = Share of qualified chats
stats-col-group = People
stats-col-force = Force
stats-col-reports = Forwarded reports
stats-col-departement = Département
stats-group-all = All chats
stats-group-minors = Minors
stats-group-witnesses = Witnesses
stats-sum-chats = Chats
stats-sum-answered = Taken by an officer
stats-sum-left = Left before an answer
stats-sum-forwarded = Forwarded reports
stats-chats-per-day-title = Chats per day
stats-chats-per-day-desc = Number of chats started on each day of the period (Paris time), days without a chat included.
stats-chats-per-week-title = Chats per week
stats-chats-per-week-desc = Number of chats started in each week of the period.
stats-hour-of-week-title = Chats by day and hour
stats-hour-of-week-desc = Number of chats started in each hour of each day of the week, over the whole period (Paris time). The darker the cell, the more chats; the number is written in each cell.
stats-waits-title = Wait before an answer: median and 90th percentile
stats-waits-desc = For the chats an officer took, the band the median wait and the 90th percentile wait fall in, each week. Waits are kept only in bands (under a minute, 1 to 5 min, 5 to 15 min, 15 to 60 min, an hour or more), so the median and the percentile are bands, not exact durations. People who left before an answer are counted separately.
stats-wait-buckets-title = Waits by band
stats-wait-buckets-desc = Number of chats taken by an officer in each wait band, each week; the bands are stacked from the shortest to the longest.
stats-left-before-answer-title = People who left before an answer
stats-left-before-answer-desc = Bars: chats started each week. Line: those the person left (or that were purged) before an officer took them. The table also gives their share and the quick exits, at any moment of the chat.
stats-outcomes-title = Outcomes of the chats
stats-outcomes-desc = Number of chats per outcome over the period; “purged without being closed” counts those that reached the end of their retention without being closed.
stats-facts-title = Qualified facts
stats-facts-desc = Number of qualified chats of each kind of facts. A chat may concern several kinds of facts: it is counted in each.
stats-facts-about = { $qualified ->
        [one] One qualified chat in the period.
       *[other] { $qualified } qualified chats in the period.
    } A chat may concern several kinds of facts: it is counted in each, and the shares (of the qualified chats) may add up to more than 100%.
stats-minors-witnesses-title = Minors and witnesses
stats-minors-witnesses-desc = Share of the chats in which the person said they were under 18, and of those in which they wrote as a witness, out of every chat of the period.
stats-forwarded-by-force-title = Forwarded reports by force
stats-forwarded-by-force-desc = Number of reports forwarded to a local unit, by the force that answered.
stats-forwarded-by-departement-title = Forwarded reports by département
stats-forwarded-by-departement-desc = Number of reports forwarded to a local unit, by the département the person gave; only départements with at least one report are listed.
stats-first-contact-title = Time to first contact by unit
stats-first-contact-desc = For each unit, its reports forwarded in the period by the time from the dossier's production to the unit's first contact with the person, in bands (under a day, 1 to 3 days, 3 to 7 days, 7 days or more), then those with no contact yet, and those whose later life is not followed (forwarded before the record followed dossiers).
stats-col-unit = Unit
stats-contact-lt1d = under a day
stats-contact-1-3d = 1 to 3 days
stats-contact-3-7d = 3 to 7 days
stats-contact-ge7d = 7 days or more
stats-contact-not-yet = no contact yet
stats-contact-unknown = not followed
stats-export = Export as open data (CSV)
stats-export-hint = For publication: counts under 5 are hidden. The export is recorded in the audit log.
## Staffing plan (/console/staffing)
nav-staffing = Staffing plan
staffing-title = Staffing plan — Écoute console
staffing-heading = Staffing plan, hour by hour
staffing-intro = For each hour of the week: the officers needed to answer { $share } % of chats within { $within } seconds, from the chats of the past weeks, against the officers actually present in that hour.
staffing-weeks = Weeks { $from } to { $to }: { $weeks } asked for, { $observed } with data.
staffing-places = { $places ->
        [one] Each officer holds one chat at a time (the median capacity of the accounts that answer chats).
       *[other] Each officer holds up to { $places } chats at a time (the median capacity of the accounts that answer chats).
    }
staffing-no-data = No chat was recorded in weeks { $from } to { $to }: with no demand measured, no plan is made.
staffing-summary = A mean week
staffing-arrivals-week = Chats per week
staffing-hours-needed = Officer-hours needed
staffing-hours-present = Officer-hours present
staffing-hours-short = Hours understaffed
staffing-hours-overloaded = Hours overloaded
staffing-peak = Busiest hour
staffing-peak-value = { $hour } (officers needed: { $officers })
staffing-csv = Download the table (CSV)
staffing-figure-caption = Officers needed and officers present, for each hour of the week
staffing-table-caption = Staffing plan: the 168 hours of the week, Paris time
staffing-col-hour = Hour
staffing-col-arrivals = Chats per hour
staffing-col-handling = Mean handling (min)
staffing-col-needed = Officers needed
staffing-col-present = Officers present
staffing-col-gap = Gap
staffing-basis-all-hours = (mean of all hours)
staffing-basis-assumed = (assumed handling time)
staffing-overloaded = overloaded
staffing-note-all-hours = Fewer than { $n } chats handled in that hour: the handling time is the mean of all hours.
staffing-note-assumed = No chat was handled in these weeks: the handling time of 20 minutes is assumed, not measured.
staffing-note-handling = Mean handling: durations are only known in brackets (under 10 min, 10 to 30, 30 to 60, 60 to 120, 120 and more); each chat counts for the middle of its bracket, 120 min for the last one.
staffing-note-present = Officers present: the mean, over the minutes recorded, of the officers available at a console. Gap: present minus needed; negative, officers are missing. “—”: nothing recorded.
staffing-note-model = Model: Erlang C, which assumes that everyone waits until answered. An overloaded hour is one in which the officers present, every place taken, could not even carry the load: the queue there only stops growing because people leave unanswered.
staffing-day-mon = Monday
staffing-day-tue = Tuesday
staffing-day-wed = Wednesday
staffing-day-thu = Thursday
staffing-day-fri = Friday
staffing-day-sat = Saturday
staffing-day-sun = Sunday
staffing-hour-label = { $day } { $hour }:00
staffing-chart-axis = officers
staffing-chart-desc = For each hour of the week, from Monday 00:00 to Sunday 23:00 (Paris time): as bars, the officers needed to meet the target; as a line, the officers present on average over the weeks observed. A bar above the line is an understaffed hour.

# Change one's password, renew one's recovery codes (issue 21, item 2)
password-title = Change my password
password-intro = Enter your current password, a code from your authenticator app, then the new password twice. Your other sessions will be ended; this one stays open.
password-current = Current password
security-code = 6-digit code from your authenticator app
password-new = New password (12 to 128 characters)
password-new-confirm = New password, once more
password-submit = Change password
password-changed = Your password has been changed. Your other sessions have been ended; this one stays open.
password-err-enrol = First link an authenticator app to your account.
password-err-mismatch = The two entries of the new password differ. Nothing was changed.
password-err-rules = The new password must be 12 to 128 characters long. Nothing was changed.
security-err-check = The current password or the code is not right. Nothing was changed.
security-err-too-many = Too many attempts for this account or from this address. Try again later. Nothing was changed.
codes-renew-title = Renew my recovery codes
codes-renew-intro = Ten new codes replace all the old ones, which stop working at once. They are shown only once.
codes-renew-submit = Renew recovery codes
codes-renewed = Your recovery codes have been renewed: the old ones no longer work.

# Account administration (issue 21, items 1 and 3)
nav-admin = Accounts
admin-title = Accounts — Écoute
admin-heading = Staff accounts
admin-intro = Every account, with its role, skills and state. Disabling an account ends its sessions and closes its consoles at once, gives its chats back to the queue and refuses its login.
admin-new = Create an account
admin-col-name = Name
admin-col-username = Username
admin-col-role = Role
admin-col-capacity = Chats at once
admin-col-last-login = Last login
admin-col-sessions = Open sessions
admin-state-enabled = enabled
admin-state-disabled = disabled
admin-manage = Manage { $name }
admin-role-unit = local unit
admin-force-any = both forces
admin-minors = trained for minors
admin-new-title = New account
admin-new-intro = The person will receive a one-time link to choose their password and link their authenticator app: no password passes through you.
admin-username-hint = 3 to 32 characters: lowercase letters, digits, dot, hyphen, underscore.
admin-display-name = Name shown to visitors
admin-unit = Unit (local unit accounts only)
admin-unit-hint = The unit's identifier in the directory; leave empty for any other role.
admin-force = Force
admin-languages = Languages
admin-languages-hint = ISO 639 codes separated by commas, for example fr,en.
admin-create = Create the account
admin-back = Back to the accounts
admin-created = Account { $username } created
admin-link-enrol = Give this link to the person, by a safe channel: they choose their password and link their authenticator app.
admin-link-password = Give this link to the person, by a safe channel: they choose a new password. The current password works until then.
admin-link-totp = Give this link to the person, by a safe channel: they link a new authenticator app and receive new recovery codes. The current app works until then.
admin-link-once = This link is shown only once, works once, and expires on { $expires }. A new link replaces it.
admin-link-title = One-time link
admin-user-title = Account { $username } — Écoute
admin-authenticator = Authenticator
admin-totp-yes = linked
admin-totp-no = not linked yet
admin-state-title = Access
admin-disable-intro = Disabling ends every session of this account within a second, gives its chats back to the queue with their history and refuses its login.
admin-disable = Disable the account
admin-enable-intro = This account is disabled: it cannot log in. Enabling it lets it log in again.
admin-enable = Enable the account
admin-save-role = Change the role
admin-save-name = Change the name
admin-skills-title = Skills and capacity
admin-save-skills = Save skills and capacity
admin-reset-title = Lost password or authenticator
admin-reset-intro = Make a one-time link, valid 24 hours, for the person to choose a new password or link a new authenticator app.
admin-reset-password = Link for a new password
admin-reset-totp = Link for a new authenticator
admin-sessions-title = Open sessions
admin-no-session = No open session.
admin-disabled = The account is disabled: its sessions have ended and its chats are back in the queue.
admin-enabled = The account is enabled: it can log in again.
admin-role-changed = The role has been changed.
admin-name-changed = The name has been changed.
admin-skills-changed = Skills and capacity have been saved.
admin-session-ended = The session has been ended.
admin-err-forbidden = Only an administrator can do this.
admin-err-not-found = This account does not exist.
admin-err-last-admin = This is the last enabled administrator: it can be neither disabled nor demoted. Make another administrator first. Nothing was changed.
admin-err-unit-role = A local unit's account keeps its role, and no other account becomes one. Nothing was changed.
admin-err-username-taken = This username is already taken. Nothing was changed.
admin-err-unit = A local unit's account needs a unit of the directory, and only such an account has one. Nothing was changed.
admin-err-internal = Something went wrong. Nothing was changed.
admin-err-display-name = The name must be 1 to 64 characters long. Nothing was changed.
admin-err-display-name-required = Choose the name the people who write in will read, for example “Officer Martin”: it is not taken from the username. No account was created.
admin-err-capacity = The number of chats at once must be between 1 and 20. Nothing was changed.
admin-err-force = Choose a force from the list. Nothing was changed.
admin-err-languages = Give languages as ISO 639 codes separated by commas, for example fr,en. Nothing was changed.
admin-err-username = The username must be 3 to 32 characters: lowercase letters, digits, dot, hyphen, underscore. Nothing was changed.
admin-err-role = Choose a role from the list. Nothing was changed.
admin-err-action = This action is not known. Nothing was changed.
admin-err-session = This session has already ended.
link-title = Set up your Écoute account
link-intro = Account { $username }. This link works once.
link-password-title = Choose your password
link-submit = Save
link-done = Your account is ready. Log in with your username, your password and a code from your authenticator app.
link-invalid = This link no longer works: it has been used, it has expired (after 24 hours), a newer link replaced it, or the account is disabled. Ask an administrator for a new link.
link-to-login = Go to the login page
admin-link-err-password = The password must be 12 to 128 characters long. Nothing was saved.
# Shifts (issue 21 item 4, docs/SHIFTS.md)
shift-end-open = End of shift
shift-end-title = End of shift
shift-end-intro = For each chat you hold, choose who takes it. When all are handed, you go offline and receive no more chats.
shift-end-none = You hold no chat: you may end your shift.
shift-end-confirm = Hand over and end my shift
shift-end-cancel = Cancel
shift-chat-legend = Chat
shift-chat-left = person left
shift-to-label = Hand to
shift-to-queue = The queue
shift-to-wrap-up = The supervisors, to close it
shift-note-label = Handover note
shift-over-title = Your shift is over
shift-over-text = You are offline: no chat is offered or handed to you. You may log out, or start your shift again.
shift-restart = Start my shift again
shift-duty-link = See who is on duty and today's presence
shift-duty-title = On duty now
shift-duty-empty = Nobody is on duty right now.
shift-col-name = Name
shift-col-presence = Presence
shift-col-since = Since
shift-col-chats = Chats
shift-wrap-title = To close
shift-wrap-empty = No chat is waiting to be closed.
shift-wrap-hint = The person left and their officer is off duty: follow the chat from the board, take it over and close it.
shift-col-ref = Ref.
shift-col-officer = Officer
shift-col-left-at = Left at
shift-day-title = Presence on { $day } (Paris time)
shift-day-empty = No presence recorded today.
shift-legend = Key
shift-col-drawing = The day drawn
shift-col-spans = Detail
shift-day-note = Offline: no period. Periods are kept for 35 days.
shifts-title = Today's duty — Écoute
shifts-heading = Today's duty
shifts-back = Back to the console
shift-state-available = Available
shift-state-paused = Paused
shift-state-offline = Offline
shift-state-break = Wellbeing break
## Wellbeing (issue 21 item 5, docs/WELLBEING.md)

nav-service = My service
wellbeing-take-break = Take a break
wellbeing-invite = You have heard many heavy accounts in the last few hours. A break would do you good; your current chats stay yours.
wellbeing-later = Later
break-since = On break for
break-hint = You receive no new chat during the break; your current chats stay yours.
break-end = Resume (available)
wellbeing-board-title = Exposure and breaks
wellbeing-board-hint = Weighted minutes within the window; first, whoever has gone longest without a break.
wellbeing-col-exposure = Exposure
wellbeing-col-since-break = Since last break
service-title = My service — Écoute
service-heading = My service
service-exposure-title = My exposure
service-exposure-intro = Time spent in chats, each minute weighted by what the chat is about: a minor, a risk flag, danger, rape or incest.
service-weighted-unit = weighted minutes within the window (threshold for a suggested break)
service-over = You have reached the threshold: a break is suggested, and the heaviest chats go to your colleagues first while one of them can take them.
service-composition-caption = What your exposure is made of
service-kind-column = Kind
service-window-column = { $hours ->
        [one] Last hour
       *[other] Last { $hours } hours
    }
service-today-column = Today
service-row-chats = Time in chats
service-row-minor = of which with a minor
service-row-flagged = of which flagged by the risk rules
service-row-danger = of which with someone in danger
service-row-grave = of which rape or incest
service-row-weighted = Weighted minutes
service-weights-note = Weight of a minute: 1, plus 1 for a minor, 1 for a risk flag, 2 for danger, 2 for rape or incest.
service-breaks-title = My breaks
service-on-break-since = On break since
service-since-last-break = Since last break
service-breaks-today = Breaks taken today
service-on-break-now = on break now
service-no-break = no break recorded
service-support-title = Talk to someone
service-support-text = What you hear here weighs on you, and that is normal. A psychologist is on duty for officers: you can reach them at any time, without going through your superiors.
service-minutes = { $minutes } min
service-hours-minutes = { $hours } h { $minutes }
