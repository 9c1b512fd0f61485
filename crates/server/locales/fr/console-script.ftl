# Écoute — messages of the console's script (console.js), French.
# Plain text only. Variables are written { $name }; the script fills them in.

victim = Victime
witness = Témoin
minor = mineure
adult = majeure
minor_long = Mineure (moins de 18 ans)
adult_long = Majeure
dept = dépt { $dept }
no_dept = —
no_dept_short = dépt —
visitor = La personne
you = Vous
sending = envoi…
sent = envoyé
failed = non envoyé
under_minute = moins d’1 min
minutes = { $m } min
hours = { $h } h { $mm }
at_ago = { $time } (il y a { $ago })
not_claimed = —
tab_label = { $kind } · { $dept } · { $time } · réf. { $ref }
panel_title = { $kind }, personne { $minor }, { $dept }
claiming = Prise en cours…
already_claimed = Cette conversation a déjà été prise par un collègue.
at_capacity = Vous suivez déjà autant de conversations que votre limite le permet. Clôturez-en une avant d’en prendre une autre.
claim_failed = Cette conversation n’a pas pu être prise. Elle n’est peut-être plus en attente.
visitor_left = La personne a quitté en urgence
visitor_left_detail = La personne a quitté en urgence{ $at }. Elle ne lit plus cette conversation. Si elle revient avec son code, elle lira ce que vous écrivez ici ; sinon, choisissez une issue et clôturez-la.
visitor_left_at = {" "}à { $time }
global_left = La personne a quitté en urgence : { $label }.
show_chat = Voir la conversation
title_alert = ⚠ La personne a quitté en urgence —{" "}
new_message = Nouveau message de la personne : { $body }
closing = Clôture…
closed = Conversation clôturée.
close_choose = Choisissez l’issue de la conversation.
close_failed = La clôture a échoué : { $message }
err_empty = Le message est vide.
err_too_long = Le message dépasse 4 000 caractères.
err_send = Ce message n’a pas pu être envoyé : { $message }
sending_soon = Vous écrivez très vite : votre message part dans un instant.
err_conversation_closed = Cette conversation est terminée : le message n’a pas été envoyé.
connecting = Connexion…
disconnected = Connexion perdue, reconnexion en cours…
session_expired = Votre session a expiré.
login_again = Se reconnecter
counter = { $count } / { $max }
priority_danger = En danger maintenant
priority_flagged = Signal de risque
flag_line = Signal de risque : { $labels }
flag_alert = Signal de risque dans cette conversation : { $labels }. Les règles signalent, elles ne décident rien.
force_police = police
force_gendarmerie = gendarmerie
force_any = toute force
needs = { $force } · { $lang }
handed_over_note = reprise après passation
presence_available = Disponible
presence_paused = En pause
mode_offer = Les conversations vous sont proposées quand vous êtes disponible.
mode_pull = Prenez la conversation suivante ou choisissez dans la file.
nothing_to_take = Aucune conversation en attente ne vous revient pour le moment.
not_eligible = Cette conversation demande une autre force, une autre langue ou une formation « mineurs » : elle vous sera ouverte si personne d’autre ne la prend.
offer_what = { $kind } · { $minor } · { $dept }
awaiting = attend { $ago }
note_kind_note = Note
note_kind_handover = Passation
note_kind_whisper = Conseil du superviseur
whisper_arrived = Conseil du superviseur dans la conversation réf. { $ref }
handed_transferred = Conversation réf. { $ref } transférée.
handed_taken_over = Conversation réf. { $ref } reprise par un superviseur.
handed_requeued = Conversation réf. { $ref } remise en file d’attente.
transfer_choose = Choisissez un collègue ou une force.
transfer_note = Écrivez ce que la personne suivante doit savoir.
transfer_failed = Le transfert a échoué : { $message }
colleague = { $name } — { $presence }, { $open }/{ $capacity }
presence_offline = hors ligne
presence_available_short = disponible
presence_paused_short = en pause
notify_new_chat = Nouvelle conversation en attente
notify_danger = Conversation prioritaire en attente
notify_offer = Une conversation vous est proposée
notify_message = Nouveau message (réf. { $ref })
notify_left = Départ en urgence (réf. { $ref })
notify_flag = Signal de risque (réf. { $ref })
notify_whisper = Conseil du superviseur (réf. { $ref })
state_waiting = en attente
state_active = en cours
state_visitor_left = partie en urgence
listen = Écouter
monitor_state = État : { $state }{ $officer }
monitor_officer = {" "}— agent : { $name }
load = { $open } / { $capacity }
skills = { $force }{ $minors } · { $langs }
skills_minors = {" "}· mineurs
unassigned = —
canned_none = Aucune réponse type ne correspond.
canned_unknown = Pas de réponse type /{ $shortcut }.
res_kind_association = Association
res_kind_victim_service = Aide aux victimes
res_kind_medical = Médical
res_kind_legal_aid = Aide juridique
res_kind_helpline = Numéro national
res_sample = exemple
res_insert = Insérer
res_national = (nationaux)
res_for = (dépt { $dept })
res_none = Aucun service dans l’annuaire pour ce département.
services_none = les services d’aide de votre département
unsent = { $n } message(s) non envoyé(s) : « { $text } ».
visitor_typing = La personne écrit…
visitor_back = La personne est revenue avec son code : elle lit la conversation et peut vous répondre.
notify_back = La personne est revenue (réf. { $ref })
received = reçu
read = lu
badge_danger = Danger
badge_flag = Risque
danger_alert = La personne a dit être en danger maintenant.
q_saved = (enregistrée à { $time })
q_none = (non renseignée)
q_choose_fact = Cochez au moins un type de faits.
q_choose_reporter = Indiquez si la personne est victime ou témoin.
xf_unit = Choisissez l’unité à laquelle proposer la transmission.
xf_need_yes = La personne n’a pas encore accepté la transmission à cette unité : demandez-lui son accord.
xf_asked = Question posée à la personne pour : { $unit }. En attente de sa réponse.
xf_yes = La personne accepte la transmission à : { $unit }.
xf_no = La personne refuse la transmission à : { $unit }. Rien ne sera transmis.
xf_contact = Pour la recontacter : { $text }
xf_do_not_contact = Elle ne souhaite pas être recontactée : elle reviendra avec son code.
xf_no_units = Aucun annuaire d’unités n’est chargé : demandez à un administrateur (ecoute units load).
xf_proposed = proposée d’après le code postal

## Languages, as the console names them

lang_fr = français
lang_en = anglais
lang_es = espagnol
lang_ar = arabe
visitor_language = La personne lit maintenant la page en { $language }.

## Refusals from the server, by error code (docs/PROTOCOL.md §3)

error_not_found = Cette conversation n’existe plus, ou vous n’y avez pas accès.
error_not_owner = Cette conversation est suivie par un autre agent.
error_not_claimed = Cette conversation attend encore d’être prise.
error_already_claimed = Un collègue a pris cette conversation avant vous.
error_at_capacity = Vous suivez déjà autant de conversations que votre limite le permet.
error_invalid_outcome = Cette issue n’existe pas.
error_not_eligible = Cette conversation demande une autre force, une autre langue ou une formation « mineurs ».
error_nothing_to_take = Aucune conversation en attente ne vous revient pour le moment.
error_invalid_presence = Cet état de disponibilité n’existe pas.
error_handover_note_required = Une note de passation est obligatoire.
error_invalid_transfer = Choisissez soit un collègue, soit l’autre force.
error_no_fact = Cochez au moins un type de faits.
error_no_consent = La personne n’a pas accepté la transmission à cette unité.
error_unknown_unit = Cette unité n’est pas dans l’annuaire.
error_no_officer = Aucun agent ne suit cette conversation : le conseil n’a personne à qui aller.
error_invalid_departement = Ce n’est pas un code de département.
error_colleague_unavailable = Ce collègue n’a pas de console ouverte, ou ne prend pas de conversations.
error_forbidden = Votre rôle ne permet pas cette action.
error_unavailable = Le service ne répond pas pour l’instant. Réessayez dans un instant.
error_rate_limited = Trop d’actions à la suite. Réessayez dans un instant.
error_conversation_closed = Cette conversation est terminée.
error_empty_message = Le texte est vide.
error_message_too_long = Le texte dépasse 4 000 caractères.
error_bad_frame = La console a envoyé une demande que le serveur ne comprend pas. Rechargez la page.
error_other = Le serveur a refusé : { $code }.

## A long queue

queue_more = Et { $count } autres conversations en attente, servies dans l’ordre de la file.

## Board: dossiers

board_dossiers_overdue = Dossiers en attente d’accusé de réception de leur unité depuis plus de { $hours } h : { $count }.
board_dossiers_link = Voir les dossiers transmis

## Wellbeing (issue 21 item 5, docs/WELLBEING.md)

presence_break = En pause (repos)
presence_break_short = en pause (repos)
wellbeing_on_break = en pause maintenant
wellbeing_no_break = aucune pause enregistrée
wellbeing_exposure = { $w } min pondérées
wellbeing_over = seuil atteint
