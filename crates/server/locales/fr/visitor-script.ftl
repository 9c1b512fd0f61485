# Écoute — messages of the visitor's script (visitor.js), French.
# Plain text only. Variables are written { $name }; the script fills them in.

you = Vous
officer_default = L’agent
sending = envoi…
sent = envoyé
failed = non envoyé
connecting = Connexion en cours…
queue_first = Vous êtes la prochaine personne dans la file d’attente.
queue_position = Vous êtes en position { $position } dans la file d’attente.
wait_under_minute = Attente estimée : moins d’une minute.
wait_minutes = Attente estimée : environ { $minutes } min.
wait_hours = Attente estimée : environ { $hours } h { $minutes }.
chat_waiting = En attente d’un agent. Vous pouvez déjà écrire.
chat_with = Vous échangez avec { $name }.
officer_joined = { $name } a rejoint la conversation.
officer_changed = { $name } prend le relais. Cette personne a lu toute la conversation.
back_to_queue = Un autre agent va vous répondre. La conversation est gardée, vous pouvez continuer à écrire.
announce_message = Message de { $name } : { $body }
disconnected = Connexion interrompue, reconnexion en cours… Vos messages partiront dès le retour de la connexion.
ended_closed = L’agent a clôturé la conversation. Merci de nous avoir écrit.
ended_left = Vous avez quitté la conversation.
ended_invalid = Cette conversation n’est plus accessible depuis cet appareil.
counter = { $count } / { $max }
err_form = Il manque une réponse. Vérifiez les questions indiquées.
err_kind = Indiquez si vous êtes victime ou témoin.
err_minor = Indiquez si vous avez moins de 18 ans.
err_postal = Le code postal doit avoir 5 chiffres. Vous pouvez aussi le laisser vide.
err_network = La connexion a échoué. Réessayez dans un instant. En cas d’urgence, appelez le 17 ou le 112.
err_busy = Le service reçoit beaucoup de demandes. Réessayez dans un instant. En cas d’urgence, appelez le 17 ou le 112.
err_server = Un problème est survenu. Réessayez dans un instant. En cas d’urgence, appelez le 17 ou le 112.
err_empty = Le message est vide.
err_too_long = Le message dépasse 4 000 caractères.
err_send = Ce message n’a pas pu être envoyé.
err_closed = La conversation est terminée : ce message n’a pas été envoyé.
sending_soon = Vous écrivez très vite, votre message part dans un instant.
sending_busy = Le service est très sollicité, votre message part dans un instant.
busy = Un instant…
officer_typing = { $name } écrit…
received = reçu
read = lu
resume_format = Le code a 16 chiffres. Vérifiez-le.
resume_unknown = Ce code n’ouvre aucune conversation. Vérifiez-le, ou commencez une nouvelle conversation.
resume_closed = Cette conversation est terminée. Vous pouvez en commencer une nouvelle.
resume_busy = Trop d’essais. Réessayez plus tard. En cas d’urgence, appelez le 17 ou le 112.
back_note = Vous êtes revenu·e dans la conversation.
danger_sending = Nous prévenons l’agent…
danger_noted = C’est noté : votre conversation passe avant toutes les autres et l’agent est prévenu. Si vous le pouvez, appelez le 17.
danger_offline = Connexion interrompue : l’agent sera prévenu dès le retour de la connexion. Appelez le 17 si vous le pouvez.

## Consent in the chat
consent_yes_recorded = Vous avez accepté que votre signalement soit transmis à : { $unit }.
consent_no_recorded = Vous avez refusé que votre signalement soit transmis à : { $unit }. Rien ne lui sera transmis.
consent_asked = L’agent vous pose une question : { $question }
consent_err_contact = Écrivez vos consignes, ou choisissez « Ne me contactez pas ».
consent_err_too_long = Vos consignes dépassent 1 000 caractères.
consent_err_not_asked = Cette question n’est plus posée. L’agent vous en posera une autre si besoin.
consent_err_offline = Connexion interrompue : votre réponse n’est pas partie. Réessayez dans un instant.
ended_forwarded = L’agent a clôturé la conversation et votre signalement a été transmis.
resume_forwarded = Ce code suit votre signalement transmis : il ne rouvre plus la conversation. Vous pouvez voir où en est votre signalement sur la page « Suivre mon signalement ».

## Follow-up
follow_expired = Pour votre sécurité, le suivi s’est refermé. Entrez à nouveau votre code.
follow_closed_error = Le suivi est terminé : votre message n’a pas été envoyé.
follow_sent = Votre message a été transmis.
follow_withdrawn = Vous avez retiré votre accord. Le service en est informé.

## Honest wait
wait_no_one = Aucun agent n’est disponible pour le moment : nous ne pouvons pas vous donner de temps d’attente.
wait_meanwhile = En attendant : en cas de danger, appelez le 17 ou le 112, ou envoyez un SMS au 114. Enfant en danger : 119. Violences faites aux femmes : 3919. Vous pouvez écrire votre message dès maintenant et revenir plus tard avec votre code de retour.
