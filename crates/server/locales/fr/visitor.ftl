# Écoute — the visitor's pages (French, the reference language).
# Messages whose id ends in -html hold markup and are inserted as they are; keep their tags.
# Every other message is plain text. Use non-breaking spaces where French typography wants them.

lang-name = Français
language-switch = Langue
brand = Écoute
page-title = Écoute

## Quick exit, on every visitor page

qe-label = Quitter en urgence
qe-skip = Quitter ce site immédiatement. Raccourci clavier : appuyer trois fois sur la touche Maj.
skip-to-content = Aller au contenu

## Danger panel

danger-title = En danger maintenant
danger-17 = Appelez la police ou la gendarmerie
danger-112 = Numéro d’urgence, depuis tout téléphone
danger-114 = Si vous ne pouvez pas parler : envoyez un SMS, sans bruit. Écrivez où vous êtes et ce qui se passe.
danger-start = Écrire à un agent en priorité
danger-close = Masquer

## Return code, shown once

code-title = Pour revenir plus tard
code-yours = Votre code, à garder :
code-advice = Il permet de revenir à cette conversation depuis n’importe quel appareil, et de lire ce que l’agent aura écrit. Notez-le comme un numéro de téléphone, parmi vos contacts, sous un nom banal. Il ne sera plus affiché. Ne le donnez à personne : il ouvre la conversation.
code-done = J’ai noté ce code

## Landing

landing-title = Parler à un policier ou un gendarme, par écrit
landing-lead-html = Vous êtes victime ou témoin de violences sexistes ou sexuelles ? Vous pouvez échanger par écrit avec un policier ou un gendarme formé pour vous écouter, vous informer sur vos droits et vous aider dans vos démarches. C’est <strong>anonyme</strong>, <strong>gratuit</strong> et ouvert <strong>24 h/24, 7 j/7</strong>. Vous n’avez pas besoin de porter plainte pour en parler.
noscript-html = <strong>La conversation a besoin de JavaScript</strong>, qui est désactivé dans votre navigateur. Vous pouvez lire cette page, mais pas commencer une conversation.
noscript-numbers-html = En cas de danger, appelez le <strong>17</strong> ou le <strong>112</strong>, ou envoyez un SMS au <strong>114</strong>. Violences Femmes Info : <strong>3919</strong>. Enfance en danger : <strong>119</strong>.
start-open = Commencer une conversation
danger-open = Je suis en danger maintenant
resume-open = J’ai un code pour revenir

emergency-title = Ce n’est pas un numéro d’urgence
emergency-intro = Si vous êtes en danger maintenant, ou si quelqu’un l’est :
num-17 = Police secours ou gendarmerie
num-112 = Numéro d’urgence européen, depuis tout téléphone
num-114 = Par SMS : pour les personnes sourdes ou malentendantes, et pour toute personne qui ne peut pas parler sans danger
num-3919 = Violences Femmes Info : écoute gratuite et anonyme, 24 h/24
num-119 = Allô Enfance en danger : pour les mineurs, ou pour signaler un enfant en danger, 24 h/24

kept-title = Ce qui est gardé, et qui le lit
kept-account = Vous ne créez pas de compte et vous n’avez pas à donner votre nom.
kept-text-html = Le texte de la conversation est conservé <strong>chiffré</strong> pendant <strong>un an</strong>, puis, comme la loi le prévoit, jusqu’à cinq ans de plus avec un accès restreint. Il est lu par les policiers et gendarmes de la plateforme.
kept-ip = Votre adresse IP n’est pas enregistrée. Si vous donnez un code postal, seul le département est gardé : il sert à savoir si la police ou la gendarmerie est compétente près de chez vous.
kept-anonymity-html = L’anonymat est garanti <strong>en principe</strong> : si les faits sont graves ou si une personne est en danger, les agents peuvent agir pour la protéger, et pour cela chercher à l’identifier.

exit-title = Partir vite, et ce que cela n’efface pas
exit-intro-html = Le bouton rouge <strong>« Quitter en urgence »</strong>, en haut de l’écran, ou la touche <kbd>Maj</kbd> pressée trois fois de suite, affiche aussitôt une page neutre et efface la conversation de cette page. Il ne peut pas effacer :
exit-back = les pages ouvertes avant celle-ci dans le même onglet (bouton Retour) ;
exit-history = l’historique de votre navigateur, qui garde l’adresse de ce site ;
exit-spyware = ce qu’un logiciel espion installé sur l’appareil aurait déjà enregistré.
exit-safety-link = Rester en sécurité en ligne : navigation privée, appareil sûr, historique, logiciels espions

## Start form

start-title = Avant de commencer
start-intro = Trois questions, pour vous mettre en relation avec la bonne personne. Rien d’autre n’est demandé.
kind-legend = Vous êtes…
kind-victim = victime
kind-witness = témoin
minor-legend = Avez-vous moins de 18 ans ?
minor-yes = oui, j’ai moins de 18 ans
minor-no = non, j’ai 18 ans ou plus
minor-note-html = Vous serez mis en relation avec un agent formé pour parler avec les jeunes. Vous pouvez aussi appeler le <a class="num-inline" href="tel:119">119</a>, Allô Enfance en danger : c’est gratuit, jour et nuit, et l’appel n’apparaît pas sur les factures.
postal-label = Code postal
optional = (facultatif)
postal-hint = 5 chiffres. Seul le département est gardé. Vous pouvez laisser vide.
danger-now = Je suis en danger maintenant
danger-hint-html = Si vous pouvez appeler, appelez le <a class="num-inline" href="tel:17">17</a> ou envoyez un SMS au <a class="num-inline" href="sms:114">114</a>. Sinon, cochez : votre conversation passera avant toutes les autres.
start-submit = Commencer la conversation
back = Retour

## Coming back with a code

resume-title = Revenir à votre conversation
resume-intro = Entrez le code de 16 chiffres reçu au début de la conversation. Vous retrouverez ce que l’agent vous a écrit, et vous pourrez lui répondre.
resume-label = Votre code
resume-submit = Revenir à la conversation

## Waiting

waiting-title = Un agent va vous répondre
waiting-connecting = Connexion en cours…
waiting-keep-open = Gardez cette page ouverte : vous pouvez lire les informations plus bas sans perdre votre place. Vous pouvez aussi écrire dès maintenant un premier message ; l’agent le lira en arrivant.
waiting-danger-html = En cas de danger immédiat, n’attendez pas : <a class="num-inline" href="tel:17">17</a>, <a class="num-inline" href="tel:112">112</a> ou SMS au <a class="num-inline" href="sms:114">114</a>.

## Chat

chat-title = Conversation
danger-chat = Je suis en danger maintenant
message-label = Votre message
composer-hint = Entrée pour envoyer, Maj + Entrée pour aller à la ligne.
send = Envoyer

## Ended

ended-title = La conversation est terminée
ended-numbers-html = Si vous êtes en danger : <a class="num-inline" href="tel:17">17</a>, <a class="num-inline" href="tel:112">112</a>, SMS au <a class="num-inline" href="sms:114">114</a>. Violences Femmes Info : <a class="num-inline" href="tel:3919">3919</a>. Enfance en danger : <a class="num-inline" href="tel:119">119</a>.
restart = Commencer une nouvelle conversation

## Reading while waiting

reading-title = À lire pendant l’attente
rights-title = Vos droits
rights-1 = Ce que vous avez vécu compte, même si cela s’est passé il y a longtemps, en ligne, ou avec une personne proche.
rights-2 = Vous pouvez porter plainte dans n’importe quel commissariat ou brigade de gendarmerie. Les policiers et gendarmes sont tenus de recevoir votre plainte.
rights-3 = Vous pouvez être accompagné·e par la personne majeure de votre choix, et par un avocat.
rights-4 = Vous pouvez demander l’aide d’une association d’aide aux victimes, gratuitement, avec ou sans plainte.
complaint-title = Comment se passe une plainte
complaint-1 = L’agent peut vous expliquer la démarche et transmettre votre situation à un commissariat ou une brigade près de chez vous, pour préparer votre venue.
complaint-2 = Sur place, vous racontez les faits à un enquêteur. Vous recevez une copie de votre plainte.
complaint-3 = Gardez les preuves : messages, captures d’écran, photos, noms de témoins. Un médecin peut constater les blessures, même sans plainte.
complaint-4 = Le procureur de la République décide ensuite des suites. Vous êtes informé·e de sa décision.
help-title = Être aidé·e, en dehors de ce service
help-3919-html = <a class="num-inline" href="tel:3919">3919</a>, Violences Femmes Info : écoute, information et orientation, gratuit et anonyme, 24 h/24.
help-116006-html = <a class="num-inline" href="tel:116006">116 006</a>, France Victimes : aide aux victimes, gratuit, tous les jours.
help-119-html = <a class="num-inline" href="tel:119">119</a>, Allô Enfance en danger, 24 h/24.

## Stay safe online

safety-page-title = Rester en sécurité en ligne — Écoute
safety-title = Rester en sécurité en ligne
safety-lead = Si quelqu’un peut regarder votre téléphone ou votre ordinateur, quelques précautions limitent les traces de votre visite. Faites ce qui est possible pour vous, sans vous mettre en danger.
safety-exit-title = Ce que fait « Quitter en urgence », et ce qu’il ne peut pas faire
safety-exit-what-html = Le bouton rouge, ou la touche <kbd>Maj</kbd> pressée trois fois de suite, cache aussitôt la page, met fin à la conversation, l’efface de cet onglet et affiche un site sans rapport. La page de conversation ne reste pas dans l’historique de l’onglet.
safety-exit-cannot = Il ne peut pas effacer :
safety-exit-back = les pages ouvertes avant celle-ci dans le même onglet : on peut y revenir avec le bouton Retour ;
safety-exit-history = l’historique du navigateur, qui garde l’adresse de ce site et le titre de ses pages ;
safety-exit-suggestions = les suggestions de la barre d’adresse, qui peuvent proposer ce site ;
safety-exit-spyware = ce qu’un logiciel espion aurait déjà enregistré (voir plus bas).
safety-private-title = Utiliser la navigation privée
safety-private-what = Une fenêtre de navigation privée ne garde ni l’historique ni les données des sites une fois fermée.
safety-private-chrome-html = Chrome, Edge : menu, puis « Nouvelle fenêtre de navigation privée » (<kbd>Ctrl</kbd> + <kbd>Maj</kbd> + <kbd>N</kbd>).
safety-private-firefox-html = Firefox : menu, puis « Nouvelle fenêtre privée » (<kbd>Ctrl</kbd> + <kbd>Maj</kbd> + <kbd>P</kbd>).
safety-private-safari = Safari sur iPhone : bouton des onglets, puis « Privée ».
safety-private-limits = Pensez à fermer la fenêtre privée à la fin. La navigation privée ne cache rien à un logiciel espion, ni au réseau que vous utilisez (par exemple celui d’un employeur).
safety-device-title = Choisir un appareil sûr
safety-device-other = Si possible, utilisez un appareil que la personne qui vous fait du mal n’utilise pas et ne peut pas consulter : le téléphone d’une personne de confiance, un ordinateur en accès libre dans une médiathèque ou une mairie.
safety-device-shared = Sur un appareil partagé, déconnectez-vous de vos comptes et fermez la fenêtre à la fin.
safety-device-location = Vérifiez si votre position est partagée (applications de localisation, partage familial, comptes Google ou Apple communs) et qui connaît vos mots de passe.
safety-history-title = Effacer seulement certaines pages de l’historique
safety-history-intro = Effacer tout l’historique d’un coup peut attirer l’attention. Vous pouvez supprimer seulement les pages de ce site :
safety-history-chrome = Chrome, Edge : menu, « Historique », cochez les pages de ce site, puis « Supprimer ».
safety-history-firefox = Firefox : menu, « Historique », « Gérer l’historique », clic droit sur une page, puis « Supprimer la page ».
safety-history-safari = Safari sur iPhone : bouton des signets, onglet « Historique », glissez la page vers la gauche, puis « Supprimer ».
safety-history-suggestions-html = Pensez aussi aux suggestions de la barre d’adresse : dans Chrome, sélectionnez la suggestion avec les flèches puis <kbd>Maj</kbd> + <kbd>Suppr</kbd>.
safety-spy-title = Logiciels espions
safety-spy-what = Une personne qui a eu votre téléphone entre les mains peut y avoir installé un logiciel qui enregistre vos messages, vos pages ou votre position, sans que cela se voie. Cela peut se soupçonner si elle sait des choses qu’elle ne devrait pas savoir, si la batterie se vide anormalement vite, ou si des applications inconnues apparaissent.
safety-spy-other-device = Dans ce cas, demandez de l’aide depuis un autre appareil.
safety-spy-remove-html = Supprimer le logiciel peut alerter la personne, et effacer des preuves : parlez-en d’abord à l’agent, ou au <a class="num-inline" href="tel:3919">3919</a>.
safety-emergency-title = En cas de danger
safety-num-112 = Numéro d’urgence européen
safety-num-114 = Par SMS, si vous ne pouvez pas parler, ou pour les personnes sourdes ou malentendantes
safety-num-3919 = Violences Femmes Info, 24 h/24
safety-num-119 = Allô Enfance en danger, 24 h/24
safety-home = Revenir à la page d’accueil

## Forwarding to a local unit: the question asked in the chat
consent-question = Acceptez-vous que votre signalement soit transmis à : { $unit } ? Ce service pourra vous recontacter pour que vous puissiez porter plainte, si vous le souhaitez.

## Consent in the chat
consent-title = Transmettre votre signalement ?
consent-yes = Oui
consent-no = Non
consent-how-legend = Comment ce service peut-il vous contacter ?
consent-contact-write = Je donne mes consignes pour être contacté·e
consent-contact-none = Ne me contactez pas, je reviendrai avec mon code
consent-instructions-label = Vos consignes
consent-instructions-hint = Quand et comment le service peut vous appeler, et quoi dire si quelqu’un d’autre répond (par exemple « c’est la mutuelle »).
consent-send = Envoyer ma réponse
consent-cancel = Revenir à la question
forwarded-title = Votre signalement a été transmis
forwarded-follow = Vous pouvez suivre où il en est avec votre code de retour, sur la page « Suivre mon signalement ».
forwarded-what = Vous y verrez l’étape de votre signalement en mots simples (transmis, reçu, le service a tenté de vous joindre…), la date du dernier changement, et vous pourrez ajouter un message ou retirer votre accord. Les notes du service n’y sont jamais affichées.
forwarded-code = Votre code de retour :
forwarded-link = Suivre mon signalement

## Follow-up
follow-page-title = Suivre mon signalement
follow-title = Suivre mon signalement
follow-intro = Si votre signalement a été transmis à un commissariat ou une gendarmerie, votre code de retour vous permet de savoir où il en est. Ce code n’est gardé nulle part sur cet appareil.
follow-noscript = Cette page a besoin de JavaScript pour afficher le suivi. En cas d’urgence, appelez le 17 ou le 112.
follow-code-label = Votre code de retour (16 chiffres)
follow-submit = Voir où en est mon signalement
follow-state-title = Où en est votre signalement
follow-reference = Référence :
follow-forwarded-on = Transmis le :
follow-updated-on = Dernier changement le :
follow-messages-sent = Messages que vous avez ajoutés :
follow-only-stage = Seule l’étape est affichée ici, en mots simples : les notes du service ne le sont jamais.
follow-message-title = Ajouter un message
follow-message-intro = Votre message est transmis au service et à la plateforme Écoute. Il ne pourra pas être modifié.
follow-message-label = Votre message
follow-message-submit = Envoyer le message
follow-withdraw-title = Retirer mon accord
follow-withdraw-intro = Si vous ne souhaitez plus que le service s’occupe de votre signalement, vous pouvez retirer votre accord. Le service en est informé et le suivi se termine : vous ne pourrez plus ajouter de message.
follow-withdraw-open = Retirer mon accord
follow-withdraw-confirm-text = Voulez-vous vraiment retirer votre accord ? Cela ne peut pas être annulé.
follow-withdraw-confirm = Oui, retirer mon accord
follow-withdraw-cancel = Non, garder mon accord
follow-closed = Le suivi de ce signalement est terminé : vous ne pouvez plus ajouter de message.
follow-done = Fermer le suivi
follow-home = Revenir à la page d’accueil
stage-transmitted = Votre signalement a été transmis.
stage-received = Le service l’a bien reçu.
stage-tried-to-reach = Le service a tenté de vous joindre.
stage-in-touch = Le service a pris contact avec vous.
stage-complaint-taken = Votre plainte a été enregistrée.
stage-finished = Le suivi de votre signalement est terminé.
stage-withdrawn = Vous avez retiré votre accord : le signalement est clos.
