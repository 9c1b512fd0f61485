# Écoute — the staff's pages: console, login, installation, account security, canned replies,
# audit log (French, the reference language).
# Messages whose id ends in -html hold markup and are inserted as they are; keep their tags.
# Every other message is plain text.

lang-name = Français
language-switch = Langue de la console
language-apply = Changer
skip-to-content = Aller au contenu
back-to-console = Retour à la console
logout = Se déconnecter

## Console: header and desk

console-title = Console — Écoute
brand-console = console
role-officer = agent
role-supervisor = superviseur
role-admin = administrateur
nav-account = Compte
nav-security = Sécurité du compte
nav-replies = Réponses types
nav-audit = Journal d’audit
desk = Disponibilité et alertes
presence-label = Je suis
presence-available = Disponible
presence-paused = En pause
take-next = Prendre la suivante
notify-enable = Activer les notifications du navigateur
sound-on = Son des alertes
offer-title = Conversation proposée
offer-time-before = Encore
offer-time-after = s pour accepter, puis elle sera proposée à un collègue.
offer-accept = Accepter
offer-decline = Refuser

## Queue and chats

queue-title = File d’attente
queue-empty = Personne n’attend pour le moment.
queue-away-title = Messages laissés
queue-away-hint = La personne n’a plus la page ouverte. Répondez : elle lira votre réponse en revenant avec son code.
chats-title = Mes conversations
chats-empty = Aucune conversation en cours. Prenez une conversation dans la file d’attente.
qi-waiting-since = attend depuis
qi-ineligible = Hors de vos compétences pour l’instant : elle vous sera ouverte si personne d’autre ne la prend.
qi-claim = Prendre
block = Bloquer
block-confirm = Confirmer le blocage
tab-risk = Risque
tab-unread = non lus
tab-left = Partie en urgence

## Supervision board

board-title = Supervision
fig-started = Commencées aujourd’hui
fig-waiting = En attente
fig-handled = Traitées
fig-median = Attente médiane
fig-longest = Attente la plus longue
fig-left = Parties avant réponse
board-staff-title = Agents
col-officer = Agent
col-state = État
col-load = Charge
col-skills = Compétences
board-chats-title = Conversations en cours
board-chats-empty = Aucune conversation en cours.
col-ref = Réf.
col-since = Depuis
col-priority = Priorité
col-actions = Actions
monitor-title = Écoute silencieuse
monitor-hint = Ni la personne ni l’agent ne voient que vous lisez. Votre lecture est inscrite au journal d’audit.
monitor-messages = Messages de la conversation écoutée
notes-label = Notes internes
whisper-label = Conseil à l’agent (la personne ne le voit jamais)
whisper-send = Envoyer le conseil
monitor-take = Reprendre la conversation
monitor-take-confirm = Confirmer la reprise
monitor-stop = Arrêter l’écoute

## A chat's panel

fact-situation = Situation
fact-age = Âge
fact-departement = Département
fact-language = Langue
fact-started = Début
fact-claimed = Prise en charge
fact-ref = Référence
messages = Messages
reply-label = Votre réponse
reply-hint = Entrée pour envoyer, Maj + Entrée pour aller à la ligne, « / » et un raccourci puis Tab pour une réponse type.
canned = Réponses types
send = Envoyer
canned-search = Chercher une réponse type
canned-empty = Aucune réponse type. Les superviseurs les écrivent dans « Réponses types ».
resources-title = Services d’aide
resources-hint = « Insérer » met les coordonnées dans votre réponse ; vous l’envoyez après l’avoir relue.
notes-hint = Visibles par vous, les superviseurs et l’agent qui reprendrait la conversation ; jamais par la personne.
note-add = Ajouter une note
note-save = Enregistrer la note
qualify-title = Qualification
qualify-none = (non renseignée)
facts-legend = Les faits
fact-rape = Viol
fact-sexual-assault = Agression sexuelle
fact-sexual-harassment = Harcèlement sexuel
fact-street-harassment = Harcèlement de rue, outrage sexiste
fact-exhibitionism = Exhibition sexuelle
fact-domestic-violence = Violences conjugales ou intrafamiliales
fact-cyber-violence = Cyberviolences
fact-incest = Inceste
fact-prostitution = Prostitution, proxénétisme
fact-other = Autre
reporter-legend = La personne est
reporter-victim = victime
reporter-witness = témoin
concerned-minor = La personne concernée est mineure
danger-level = Niveau de danger
danger-none = Aucun danger identifié
danger-moderate = Risque à suivre
danger-serious = Danger grave
danger-immediate = Danger immédiat
qualify-save = Enregistrer la qualification
transfer-title = Transférer
transfer-to = À qui
transfer-choose = Choisir…
transfer-forces = À l’autre force (par la file d’attente)
force-police = Police nationale
force-gendarmerie = Gendarmerie nationale
transfer-people = À un collègue
transfer-note = Note de passation (obligatoire)
transfer-submit = Transférer
outcome-label = Issue de la conversation
outcome-choose = Choisir l’issue…
outcome-information-given = Information donnée
outcome-referred = Orientation vers une association / un service d’aide
outcome-forwarded = Signalement transmis à une unité locale
outcome-intervention = Intervention demandée
outcome-visitor-left = La personne est partie
forwarding-legend = Transmission à une unité locale
forwarding-unit = Unité destinataire (commissariat, brigade, maison de protection des familles)
forwarding-ask = Demander l’accord de la personne
forwarding-help = La question s’affiche dans la conversation, dans la langue de la personne. Sans son « oui » à cette unité, rien n’est transmis.
close = Clôturer
close-left-help = Si elle revient avec son code, elle lira ce que vous écrivez ; sinon, choisissez une issue et clôturez la conversation.
block-abuse = Bloquer (abus)

## Login

login-title = Connexion — Console Écoute
login-heading = Console Écoute
login-for = Réservé aux policiers, gendarmes et personnels de la plateforme.
username = Identifiant
password = Mot de passe
login-code = Code de vérification
login-code-hint = Les 6 chiffres de votre application d’authentification, ou un code de secours. Laissez vide lors de votre toute première connexion.
login-submit = Se connecter
login-too-many = Trop de tentatives. Réessayez plus tard.
login-refused = Identifiant, mot de passe ou code incorrect.

## First installation

setup-title = Installation — Écoute
setup-heading = Installation d’Écoute
setup-done = Le compte administrateur est créé.
setup-used = L’installation est déjà faite : un compte existe, ce lien ne sert plus.
setup-used-restart = Connectez-vous avec le compte administrateur. Un nouveau lien d’installation n’est affiché qu’au démarrage d’un serveur dont la base ne contient aucun compte : redémarrez-le alors et ouvrez le lien qu’il affiche.
setup-login = Se connecter à la console
setup-intro = Créez le premier compte administrateur. Le code d’installation a été affiché par le serveur au démarrage ; il ne sert qu’une fois.
setup-code = Code d’installation
setup-code-hint = Rempli automatiquement si vous avez ouvert le lien donné par le serveur ; sinon, collez le code.
display-name = Nom affiché
display-name-hint = Visible par les personnes qui écrivent, par exemple « Agent Martin ».
password-hint = De 12 à 128 caractères.
password-confirm = Confirmer le mot de passe
setup-submit = Créer le compte administrateur
setup-err-username = L’identifiant fait de 3 à 32 caractères : lettres minuscules, chiffres, « . », « - » ou « _ ».
setup-err-display-name = Le nom affiché fait de 1 à 64 caractères.
setup-err-mismatch = Les deux mots de passe sont différents.
setup-err-password = Le mot de passe fait de 12 à 128 caractères.
setup-err-code = Ce code d’installation n’est pas valable : il a déjà servi, il a expiré, ou un compte existe déjà.
password-err-guessable = Ce mot de passe est trop courant ou trop facile à deviner (un mot ou un nom connu, une suite du clavier, une date, votre identifiant ou votre nom…). Choisissez-en un autre, par exemple trois ou quatre mots sans rapport entre eux. Rien n’a été enregistré.

## Account security

security-title = Sécurité du compte — Console Écoute
security-heading = Sécurité du compte
codes-title = Vos codes de secours
codes-intro-html = Chacun sert une seule fois, si vous n’avez plus votre application d’authentification. Notez-les et rangez-les en lieu sûr : <strong>ils ne seront plus jamais affichés</strong>.
codes-copy = Copier les codes
codes-download = Télécharger (fichier texte)
codes-print = Imprimer
codes-file-name = ecoute-codes-de-secours.txt
codes-file-heading = Écoute — codes de secours du compte { $username } (chacun ne sert qu’une fois)
codes-copied = Les codes sont copiés : collez-les dans votre gestionnaire de mots de passe.
codes-not-copied = Le navigateur n’a pas permis la copie : sélectionnez les codes, ou téléchargez-les.
codes-saved = J’ai enregistré mes codes de secours en lieu sûr
codes-wait = Cochez cette case une fois les codes enregistrés pour continuer : ils ne seront plus affichés.
go-console = Aller à la console
totp-title = Double authentification
totp-enrolled = Une application d’authentification est associée à votre compte. Codes de secours restants :
enrol-title = Associer une application d’authentification
enrol-intro = Chaque compte doit utiliser un second facteur. Scannez ce code QR avec une application d’authentification (TOTP), puis saisissez le code à 6 chiffres qu’elle affiche.
enrol-key = Vous ne pouvez pas scanner ? Saisissez cette clé dans l’application :
enrol-key-stays = Ce code QR et cette clé restent les mêmes si vous rechargez la page ou vous reconnectez, jusqu’à ce que vous confirmiez avec un code (ou pendant 24 heures au plus).
enrol-key-replaced = Une nouvelle clé a été créée : la précédente a expiré sans avoir été confirmée. Si votre application contient déjà une entrée « Écoute » pour ce compte, supprimez-la, puis scannez ce nouveau code QR.
enrol-code = Code à 6 chiffres
enrol-submit = Associer
enrol-err-code = Ce code ne correspond pas à la clé affichée. Vérifiez que vous lisez l’entrée « Écoute » de ce compte dans votre application et que l’heure du téléphone est juste, puis saisissez le code qu’elle affiche maintenant.
next-steps-title = Premiers pas : ce qui reste à faire avant d’ouvrir le service
next-steps-paused = Votre console est en pause : elle ne reçoit aucune conversation tant que vous ne choisissez pas « Disponible ».
next-step-officers = Créez les comptes des agents qui répondront : chacun choisit son mot de passe et son application d’authentification avec le lien que vous lui transmettez.
next-step-officers-link = Nouveau compte
next-step-units = Chargez l’annuaire des unités locales qui reçoivent les signalements transmis (format : share/units.sample.txt) :
next-step-forces = Vérifiez la table des forces (police ou gendarmerie selon le lieu) : celle fournie est un point de départ, pas une affectation officielle.
next-steps-done = Chaque étape disparaît de cette liste une fois faite (voir docs/ADMINISTRATION.md).
sessions-title = Vos sessions ouvertes
times-in-zone = Heures du fuseau { $zone }.
col-opened = Ouverte le
col-last-seen = Dernière activité
col-action = Action
this-session = (cette session)
session-end = Fermer

## Canned replies

replies-title = Réponses types — Console Écoute
replies-heading = Réponses types
replies-intro-html = Les agents les insèrent dans une conversation en tapant <kbd>/</kbd> suivi du raccourci puis <kbd>Tab</kbd>, ou avec le bouton « Réponses types » (<kbd>Alt</kbd>+<kbd>R</kbd>). Le texte reste modifiable avant l’envoi.
replies-variables-html = Variables remplies à l’insertion : <code>{"{"}agent{"}"}</code> (le nom de l’agent), <code>{"{"}departement{"}"}</code> (le département de la personne), <code>{"{"}services{"}"}</code> (les services d’aide de ce département, tirés de l’annuaire).
shortcut = Raccourci
shortcut-hint = (a-z, 0-9 et -, par exemple plainte)
title = Titre
text = Texte
save = Enregistrer
delete = Supprimer
replies-new = Nouvelle réponse type
add = Ajouter
replies-saved = Réponse /{ $shortcut } enregistrée.
replies-deleted = Réponse supprimée.
replies-conflict = Le raccourci /{ $shortcut } est déjà utilisé par une autre réponse.
replies-err-shortcut = Le raccourci ne peut contenir que a-z, 0-9 et -.
replies-err-length = { $field ->
        [shortcut] Le raccourci
        [title] Le titre
       *[body] Le texte
    } fait de { $min } à { $max } caractères.
replies-err-variable = Variable inconnue { $name } : utilisez {"{"}agent{"}"}, {"{"}departement{"}"} ou {"{"}services{"}"}.

## Audit log

audit-title = Journal d’audit — Console Écoute
audit-heading = Journal d’audit
audit-intro = Chaque accès du personnel à une conversation, chaque connexion et chaque changement de compte, chaînés par empreinte. Aucun contenu de message, aucune adresse. Consulté par { $name }.
col-number = N°
col-date = Date
col-who = Qui
col-conversation = Conversation
col-detail = Détail
audit-older = Entrées plus anciennes
audit-system = système

# Closed chats read again (/console/history).
nav-history = Conversations closes
history-title = Conversations closes — Écoute
history-heading = Conversations closes
history-intro-officer = Les conversations que vous avez clôturées ces { $days } derniers jours. Chaque lecture est inscrite au journal d’audit.
history-intro-supervisor = Toutes les conversations closes encore conservées, les plus récentes d’abord. Chaque lecture est inscrite au journal d’audit.
history-empty = Aucune conversation close à relire.
history-closed-at = Close le
history-visitor = La personne
history-back = Conversations closes
history-note-note = note interne
history-note-handover = note de relais
history-note-whisper = message du superviseur
transcript-title = Conversation { $ref }
transcript-read-audited = Cette lecture est inscrite au journal d’audit. Les heures sont celles du fuseau { $zone }.
transcript-facts = Faits
transcript-forwarded-to = Transmis à
transcript-messages = Messages
transcript-notes = Notes du personnel
outcome-blocked = Conversation bloquée (abus)

## Unit desk

# The unit's desk (/desk), a dossier (/desk/{id}), the supervisors' overview (/console/dossiers).
desk-brand = Bureau de l’unité
desk-nav-dossiers = Dossiers reçus
desk-title = Dossiers reçus — { $unit } — Écoute
desk-heading = Dossiers transmis à votre unité
desk-intro = Les signalements que des personnes ont accepté de vous transmettre, les dossiers ouverts d’abord. Chaque lecture et chaque téléchargement sont inscrits au journal d’audit.
desk-empty = Aucun dossier n’a été transmis à votre unité.
desk-col-reference = Référence
desk-col-produced = Transmis le
desk-col-age = Depuis
desk-col-state = État
desk-col-first-contact = Premier contact
desk-first-contact-at = Oui, le { $at }
desk-first-contact-none = Pas encore
desk-times-paris = Les heures sont celles de Paris.
desk-span-minutes = { $n ->
        [one] { $n } minute
       *[other] { $n } minutes
    }
desk-span-hours = { $n ->
        [one] { $n } heure
       *[other] { $n } heures
    }
desk-span-days = { $n ->
        [one] { $n } jour
       *[other] { $n } jours
    }
dossier-state-sent = Transmis, à accuser
dossier-state-received = Reçu
dossier-state-contact-attempted = Contact tenté
dossier-state-contacted = Personne contactée
dossier-state-appointment-set = Rendez-vous fixé
dossier-state-complaint-taken = Plainte enregistrée
dossier-state-could-not-reach = Personne injoignable
dossier-state-closed = Clos
dossier-state-withdrawn = Accord retiré par la personne
desk-record-withdrawn = La personne a retiré son accord : le dossier est clos
desk-record-person-message = Message de la personne
desk-force-police = police nationale
desk-force-gendarmerie = gendarmerie nationale
desk-standing-victim = La personne est victime
desk-standing-witness = La personne est témoin
desk-error-closed = Ce dossier est clos : plus rien ne peut y être inscrit.
desk-error-already-received = La réception de ce dossier a déjà été inscrite. Choisissez un autre état.
desk-error-state = Choisissez un état dans la liste.
desk-error-note = Écrivez une note de 1 à 1 000 caractères.
dossier-title = Dossier { $ref }
dossier-state-label = État du dossier :
dossier-read-audited = Cette lecture est inscrite au journal d’audit. Chaque heure est donnée à Paris et en UTC.
dossier-download-pdf = Télécharger le PDF signé
dossier-download-json = Télécharger le JSON signé
dossier-contact = Comment joindre la personne
dossier-do-not-contact = Ne pas contacter la personne : elle reviendra d’elle-même avec son code.
dossier-summary = Le signalement
dossier-facts = Faits
dossier-standing = Qualité
dossier-records = Suivi du dossier
dossier-records-empty = Rien n’a encore été inscrit sur ce dossier.
dossier-record-title = Inscrire un état
dossier-record-state = Nouvel état
dossier-record-note = Note
dossier-record-note-hint = Obligatoire, 1 000 caractères au plus. La personne ne lit jamais vos notes : elle voit seulement où en est son signalement.
dossier-record-submit = Inscrire
dossier-closed = Ce dossier est clos : plus rien ne peut y être inscrit.
dossier-consent = Accord de la personne
dossier-consent-given = La personne a répondu oui le
dossier-messages = La conversation
dossier-handovers = Relais entre agents
dossier-handovers-none = Aucun relais : un seul agent a suivi la conversation.
dossier-seal = Signature
dossier-seal-text = Fichiers signés avec la clé n° { $version }. Empreinte SHA-256 du JSON :
dossier-back-desk = Retour aux dossiers reçus
dossier-back-dossiers = Retour aux dossiers transmis
nav-dossiers = Dossiers transmis
dossiers-title = Dossiers transmis — Console Écoute
dossiers-heading = Dossiers transmis aux unités
dossiers-intro = { $hours ->
        [one] Chaque dossier transmis, les dossiers ouverts d’abord. Un dossier dont l’unité n’a pas accusé réception dans l’heure est signalé.
       *[other] Chaque dossier transmis, les dossiers ouverts d’abord. Un dossier dont l’unité n’a pas accusé réception dans les { $hours } heures est signalé.
    }
dossiers-empty = Aucun dossier n’a encore été transmis.
dossiers-col-unit = Unité
dossiers-col-first-contact = Délai du premier contact
dossiers-overdue = en retard
dossiers-not-yet = pas encore
board-dossiers-overdue = Dossiers en attente d’accusé de réception de leur unité depuis plus de { $hours } h : { $count }.

# ---------------------------------------------------------------- statistics pages (issue 20)
nav-statistics = Statistiques
stats-page-title = Statistiques — Console Écoute
stats-heading = Statistiques du service
stats-intro = Les chiffres d’une période, tirés du registre statistique : une ligne par conversation terminée, qui n’identifie personne. Chaque graphique est suivi de ses données en tableau, téléchargeables en CSV.
stats-from = Du
stats-to = Au
stats-show = Afficher
stats-weeks-note = Les dates sont étendues aux semaines entières, du lundi au dimanche (heure de Paris) : le registre ne garde que la semaine et l’heure de début de chaque conversation. Deux ans au plus.
stats-not-suppressed = Chiffres bruts, petits effectifs compris : pour l’usage interne. Pour publier, utilisez l’export open data, qui masque les petits effectifs.
stats-toc = Graphiques de la page
stats-csv = Données (CSV)
stats-svg = Image (SVG)
stats-table-caption = Données : { $chart }
stats-period = Semaines { $first } à { $last }, du lundi { $start } au dimanche { $end }.
stats-weeks = { $count ->
        [one] Une semaine.
       *[other] { $count } semaines.
    }
stats-error-bad-start = La date de début n’est pas une date valide : écrivez-la AAAA-MM-JJ, par exemple 2026-01-05.
stats-error-bad-end = La date de fin n’est pas une date valide : écrivez-la AAAA-MM-JJ, par exemple 2026-03-01.
stats-error-reversed = La date de fin est avant la date de début : inversez-les.
stats-error-too-long = La période couvre { $weeks } semaines ; elle ne peut pas dépasser { $max } semaines (deux ans).
stats-decimal-mark = ,
stats-percent = { $value } %
stats-no-data = Aucune conversation sur la période.
stats-no-forwarded = Aucun signalement transmis sur la période.
stats-unknown = Non indiqué
stats-ending-purged = Purgée sans avoir été close
stats-wait-lt1m = moins d’1 min
stats-wait-1-5m = 1 à 5 min
stats-wait-5-15m = 5 à 15 min
stats-wait-15-60m = 15 à 60 min
stats-wait-ge60m = 1 h ou plus
stats-week-row = { $week } (lundi { $monday })
stats-day-1 = lundi
stats-day-2 = mardi
stats-day-3 = mercredi
stats-day-4 = jeudi
stats-day-5 = vendredi
stats-day-6 = samedi
stats-day-7 = dimanche
stats-day-short-1 = lun.
stats-day-short-2 = mar.
stats-day-short-3 = mer.
stats-day-short-4 = jeu.
stats-day-short-5 = ven.
stats-day-short-6 = sam.
stats-day-short-7 = dim.
stats-legend-fewer = moins
stats-legend-more = plus
stats-axis-chats = conversations
stats-axis-wait = attente
stats-axis-percent = % des conversations
stats-col-week = Semaine
stats-col-chats = Conversations
stats-col-day = Jour
stats-col-answered = Prises par un agent
stats-col-median = Attente médiane
stats-col-p90 = Attente au 90ᵉ centile
stats-col-left = Parties avant une réponse
stats-col-share-left = Part partie avant une réponse
stats-col-quick-exits = Sorties rapides
stats-col-ending = Issue
stats-col-share = Part
stats-col-fact = Faits
stats-col-share-qualified = Part des conversations qualifiées
stats-col-group = Personnes
stats-col-force = Force
stats-col-reports = Signalements transmis
stats-col-departement = Département
stats-group-all = Toutes les conversations
stats-group-minors = Mineurs
stats-group-witnesses = Témoins
stats-sum-chats = Conversations
stats-sum-answered = Prises par un agent
stats-sum-left = Parties avant une réponse
stats-sum-forwarded = Signalements transmis
stats-chats-per-day-title = Conversations par jour
stats-chats-per-day-desc = Nombre de conversations commencées chaque jour de la période (heure de Paris), jours sans conversation compris.
stats-chats-per-week-title = Conversations par semaine
stats-chats-per-week-desc = Nombre de conversations commencées chaque semaine de la période.
stats-hour-of-week-title = Conversations selon le jour et l’heure
stats-hour-of-week-desc = Nombre de conversations commencées à chaque heure de chaque jour de la semaine, sur toute la période (heure de Paris). Plus la case est foncée, plus il y en a ; le nombre est écrit dans chaque case.
stats-waits-title = Attente avant une réponse : médiane et 90ᵉ centile
stats-waits-desc = Pour les conversations qu’un agent a prises, la tranche où tombent l’attente médiane et l’attente au 90ᵉ centile, chaque semaine. Les attentes ne sont conservées que par tranches (moins d’une minute, 1 à 5 min, 5 à 15 min, 15 à 60 min, une heure ou plus) : la médiane et le centile sont donc des tranches, pas des durées exactes. Les personnes parties avant une réponse sont comptées à part.
stats-wait-buckets-title = Attentes par tranche
stats-wait-buckets-desc = Nombre de conversations prises par un agent dans chaque tranche d’attente, chaque semaine ; les tranches sont empilées, de la plus courte à la plus longue.
stats-left-before-answer-title = Personnes parties avant une réponse
stats-left-before-answer-desc = Barres : conversations commencées chaque semaine. Ligne : celles que la personne a quittées (ou qui ont été purgées) avant qu’un agent ne les prenne. Le tableau donne aussi leur part et les sorties rapides, à tout moment de la conversation.
stats-outcomes-title = Issues des conversations
stats-outcomes-desc = Nombre de conversations par issue sur la période ; « purgée sans avoir été close » compte celles arrivées au terme de leur conservation sans clôture.
stats-facts-title = Faits qualifiés
stats-facts-desc = Nombre de conversations qualifiées de chaque type de faits. Une conversation peut relever de plusieurs faits : elle est comptée pour chacun.
stats-facts-about = { $qualified ->
        [one] Une conversation qualifiée sur la période.
       *[other] { $qualified } conversations qualifiées sur la période.
    } Une conversation peut relever de plusieurs faits : elle est comptée pour chacun, et les parts (sur les conversations qualifiées) peuvent dépasser 100 % au total.
stats-minors-witnesses-title = Mineurs et témoins
stats-minors-witnesses-desc = Part des conversations où la personne a dit avoir moins de 18 ans, et de celles où elle a écrit comme témoin, sur toutes les conversations de la période.
stats-forwarded-by-force-title = Signalements transmis par force
stats-forwarded-by-force-desc = Nombre de signalements transmis à une unité locale, selon la force qui a répondu.
stats-forwarded-by-departement-title = Signalements transmis par département
stats-forwarded-by-departement-desc = Nombre de signalements transmis à une unité locale, selon le département indiqué par la personne ; seuls les départements ayant au moins un signalement sont listés.
stats-first-contact-title = Délai du premier contact par unité
stats-first-contact-desc = Pour chaque unité, ses signalements transmis sur la période selon le délai entre la production du dossier et le premier contact de l’unité avec la personne, par tranches (moins d’un jour, 1 à 3 jours, 3 à 7 jours, 7 jours ou plus), puis ceux sans contact encore, et ceux dont la suite n’est pas suivie (transmis avant que le registre ne suive les dossiers).
stats-col-unit = Unité
stats-contact-lt1d = moins d’un jour
stats-contact-1-3d = 1 à 3 jours
stats-contact-3-7d = 3 à 7 jours
stats-contact-ge7d = 7 jours ou plus
stats-contact-not-yet = pas encore de contact
stats-contact-unknown = suite non suivie
stats-export = Exporter en open data (CSV)
stats-export-hint = Pour publication : les effectifs de moins de 5 sont masqués. L’export est inscrit au journal d’audit.
## Staffing plan (/console/staffing)
nav-staffing = Plan de présence
staffing-title = Plan de présence — Console Écoute
staffing-heading = Plan de présence, heure par heure
staffing-intro = Pour chaque heure de la semaine : les agents nécessaires pour répondre à { $share } % des conversations en { $within } secondes au plus, d’après les conversations des semaines passées, face aux agents effectivement présents à cette heure.
staffing-weeks = Semaines { $from } à { $to } : { $weeks } demandées, { $observed } avec des données.
staffing-places = { $places ->
        [one] Chaque agent tient une conversation à la fois (la capacité médiane des comptes qui répondent aux conversations).
       *[other] Chaque agent tient jusqu’à { $places } conversations à la fois (la capacité médiane des comptes qui répondent aux conversations).
    }
staffing-no-data = Aucune conversation n’a été enregistrée pendant les semaines { $from } à { $to } : sans demande mesurée, aucun plan n’est établi.
staffing-summary = Une semaine moyenne
staffing-arrivals-week = Conversations par semaine
staffing-hours-needed = Heures d’agent nécessaires
staffing-hours-present = Heures d’agent présentes
staffing-hours-short = Heures en sous-effectif
staffing-hours-overloaded = Heures saturées
staffing-peak = Heure la plus chargée
staffing-peak-value = { $hour } (agents nécessaires : { $officers })
staffing-csv = Télécharger le tableau (CSV)
staffing-figure-caption = Agents nécessaires et agents présents, pour chaque heure de la semaine
staffing-table-caption = Plan de présence : les 168 heures de la semaine, heure de Paris
staffing-col-hour = Heure
staffing-col-arrivals = Conversations par heure
staffing-col-handling = Durée moyenne (min)
staffing-col-needed = Agents nécessaires
staffing-col-present = Agents présents
staffing-col-gap = Écart
staffing-basis-all-hours = (moyenne de toutes les heures)
staffing-basis-assumed = (durée supposée)
staffing-overloaded = saturé
staffing-note-all-hours = Moins de { $n } conversations traitées à cette heure : la durée est la moyenne de toutes les heures.
staffing-note-assumed = Aucune conversation n’a été traitée pendant ces semaines : la durée de 20 minutes est supposée, pas mesurée.
staffing-note-handling = Durée moyenne : les durées ne sont connues que par tranches (moins de 10 min, 10 à 30, 30 à 60, 60 à 120, 120 et plus) ; chaque conversation compte pour le milieu de sa tranche, 120 min pour la dernière.
staffing-note-present = Agents présents : la moyenne, sur les minutes enregistrées, des agents disponibles à une console. Écart : présents moins nécessaires ; négatif, il manque des agents. « — » : rien d’enregistré.
staffing-note-model = Modèle : Erlang C, qui suppose que chacun attend jusqu’à ce qu’on lui réponde. Une heure saturée est une heure où les agents présents, toutes places prises, ne suffisaient même pas à la charge : la file n’y cesse de grandir que parce que des personnes repartent sans réponse.
staffing-day-mon = lundi
staffing-day-tue = mardi
staffing-day-wed = mercredi
staffing-day-thu = jeudi
staffing-day-fri = vendredi
staffing-day-sat = samedi
staffing-day-sun = dimanche
staffing-hour-label = { $day } { $hour } h
staffing-chart-axis = agents
staffing-chart-desc = Pour chaque heure de la semaine, du lundi 0 h au dimanche 23 h (heure de Paris) : en barres, les agents nécessaires pour tenir l’objectif ; en ligne, les agents présents en moyenne sur les semaines observées. Une barre au-dessus de la ligne est une heure en sous-effectif.

# Changer son mot de passe, renouveler ses codes de secours (issue 21, point 2)
password-title = Changer mon mot de passe
password-intro = Saisissez votre mot de passe actuel, un code de votre application d’authentification, puis le nouveau mot de passe deux fois. Vos autres sessions seront fermées ; celle-ci reste ouverte.
password-current = Mot de passe actuel
security-code = Code à 6 chiffres de votre application d’authentification
password-new = Nouveau mot de passe (12 à 128 caractères)
password-new-confirm = Nouveau mot de passe, encore une fois
password-submit = Changer le mot de passe
password-changed = Votre mot de passe a été changé. Vos autres sessions ont été fermées ; celle-ci reste ouverte.
password-err-enrol = Associez d’abord une application d’authentification à votre compte.
password-err-mismatch = Les deux saisies du nouveau mot de passe ne sont pas identiques. Rien n’a été changé.
password-err-rules = Le nouveau mot de passe doit faire de 12 à 128 caractères. Rien n’a été changé.
security-err-check = Le mot de passe actuel ou le code ne convient pas. Rien n’a été changé.
security-err-too-many = Trop d’essais pour ce compte ou depuis cette adresse. Réessayez plus tard. Rien n’a été changé.
codes-renew-title = Renouveler mes codes de secours
codes-renew-intro = Dix nouveaux codes remplacent tous les anciens, qui cessent aussitôt de fonctionner. Ils ne seront affichés qu’une fois.
codes-renew-submit = Renouveler les codes de secours
codes-renewed = Vos codes de secours ont été renouvelés : les anciens ne fonctionnent plus.

# Administration des comptes (ticket 21, points 1 et 3)
nav-admin = Comptes
admin-title = Comptes — Écoute
admin-heading = Comptes des personnels
admin-intro = Tous les comptes, avec leur rôle, leurs compétences et leur état. Désactiver un compte met fin à ses sessions et ferme ses consoles aussitôt, remet ses conversations dans la file et refuse sa connexion.
admin-new = Créer un compte
admin-col-name = Nom
admin-col-username = Identifiant
admin-col-role = Rôle
admin-col-capacity = Conversations simultanées
admin-col-last-login = Dernière connexion
admin-col-sessions = Sessions ouvertes
admin-state-enabled = actif
admin-state-disabled = désactivé
admin-manage = Gérer { $name }
admin-role-unit = unité locale
admin-force-any = les deux forces
admin-minors = formé·e pour les mineurs
admin-new-title = Nouveau compte
admin-new-intro = La personne recevra un lien à usage unique pour choisir son mot de passe et associer son application d'authentification : aucun mot de passe ne passe par vous.
admin-username-hint = 3 à 32 caractères : lettres minuscules, chiffres, point, tiret, tiret bas.
admin-display-name = Nom affiché aux victimes
admin-unit = Unité (comptes d'unité locale seulement)
admin-unit-hint = L'identifiant de l'unité dans l'annuaire ; à laisser vide pour tout autre rôle.
admin-force = Force
admin-languages = Langues
admin-languages-hint = Codes ISO 639 séparés par des virgules, par exemple fr,en.
admin-create = Créer le compte
admin-back = Retour aux comptes
admin-created = Compte { $username } créé
admin-link-enrol = Transmettez ce lien à la personne par un moyen sûr : elle choisit son mot de passe et associe son application d'authentification.
admin-link-password = Transmettez ce lien à la personne par un moyen sûr : elle choisit un nouveau mot de passe. L'actuel fonctionne jusque-là.
admin-link-totp = Transmettez ce lien à la personne par un moyen sûr : elle associe une nouvelle application d'authentification et reçoit de nouveaux codes de secours. L'application actuelle fonctionne jusque-là.
admin-link-once = Ce lien n'est affiché qu'une fois, ne sert qu'une fois et expire le { $expires }. Un nouveau lien le remplace.
admin-link-title = Lien à usage unique
admin-user-title = Compte { $username } — Écoute
admin-authenticator = Application d'authentification
admin-totp-yes = associée
admin-totp-no = pas encore associée
admin-state-title = Accès
admin-disable-intro = Désactiver met fin à toutes les sessions de ce compte en une seconde, remet ses conversations dans la file avec leur historique et refuse sa connexion.
admin-disable = Désactiver le compte
admin-enable-intro = Ce compte est désactivé : il ne peut pas se connecter. Le réactiver lui permet de se connecter à nouveau.
admin-enable = Réactiver le compte
admin-save-role = Changer le rôle
admin-save-name = Changer le nom
admin-skills-title = Compétences et capacité
admin-save-skills = Enregistrer compétences et capacité
admin-reset-title = Mot de passe ou application perdus
admin-reset-intro = Créez un lien à usage unique, valable 24 heures, pour que la personne choisisse un nouveau mot de passe ou associe une nouvelle application d'authentification.
admin-reset-password = Lien pour un nouveau mot de passe
admin-reset-totp = Lien pour une nouvelle application
admin-sessions-title = Sessions ouvertes
admin-no-session = Aucune session ouverte.
admin-disabled = Le compte est désactivé : ses sessions sont terminées et ses conversations sont de retour dans la file.
admin-enabled = Le compte est réactivé : il peut de nouveau se connecter.
admin-role-changed = Le rôle a été changé.
admin-name-changed = Le nom a été changé.
admin-skills-changed = Compétences et capacité enregistrées.
admin-session-ended = La session est terminée.
admin-err-forbidden = Seul un administrateur peut faire cela.
admin-err-not-found = Ce compte n'existe pas.
admin-err-last-admin = C'est le dernier administrateur actif : il ne peut être ni désactivé ni rétrogradé. Nommez d'abord un autre administrateur. Rien n'a été modifié.
admin-err-unit-role = Un compte d'unité locale garde son rôle, et aucun autre compte n'en devient un. Rien n'a été modifié.
admin-err-username-taken = Cet identifiant est déjà pris. Rien n'a été modifié.
admin-err-unit = Un compte d'unité locale doit désigner une unité de l'annuaire, et lui seul en désigne une. Rien n'a été modifié.
admin-err-internal = Une erreur est survenue. Rien n'a été modifié.
admin-err-display-name = Le nom doit compter de 1 à 64 caractères. Rien n'a été modifié.
admin-err-display-name-required = Choisissez le nom que liront les personnes qui écrivent, par exemple « Agent Martin » : il n’est pas repris de l’identifiant. Aucun compte n’a été créé.
admin-err-capacity = Le nombre de conversations simultanées doit être compris entre 1 et 20. Rien n'a été modifié.
admin-err-force = Choisissez une force dans la liste. Rien n'a été modifié.
admin-err-languages = Indiquez les langues en codes ISO 639 séparés par des virgules, par exemple fr,en. Rien n'a été modifié.
admin-err-username = L'identifiant doit compter de 3 à 32 caractères : lettres minuscules, chiffres, point, tiret, tiret bas. Rien n'a été modifié.
admin-err-role = Choisissez un rôle dans la liste. Rien n'a été modifié.
admin-err-action = Cette action est inconnue. Rien n'a été modifié.
admin-err-session = Cette session est déjà terminée.
link-title = Activer votre compte Écoute
link-intro = Compte { $username }. Ce lien ne sert qu'une fois.
link-password-title = Choisissez votre mot de passe
link-submit = Enregistrer
link-done = Votre compte est prêt. Connectez-vous avec votre identifiant, votre mot de passe et un code de votre application d'authentification.
link-invalid = Ce lien ne fonctionne plus : il a déjà servi, il a expiré (après 24 heures), un lien plus récent l'a remplacé, ou le compte est désactivé. Demandez un nouveau lien à un administrateur.
link-to-login = Aller à la page de connexion
admin-link-err-password = Le mot de passe doit compter de 12 à 128 caractères. Rien n'a été enregistré.
# Shifts (issue 21 item 4, docs/SHIFTS.md)
shift-end-open = Fin de service
shift-end-title = Fin de service
shift-end-intro = Pour chaque conversation que vous suivez, choisissez qui la reprend. Quand toutes sont remises, vous passez hors ligne et ne recevez plus de conversation.
shift-end-none = Vous ne suivez aucune conversation : vous pouvez terminer votre service.
shift-end-confirm = Remettre et terminer mon service
shift-end-cancel = Annuler
shift-chat-legend = Conversation
shift-chat-left = personne partie
shift-to-label = Remettre à
shift-to-queue = La file d’attente
shift-to-wrap-up = Les superviseurs, pour clôture
shift-note-label = Note de passation
shift-over-title = Votre service est terminé
shift-over-text = Vous êtes hors ligne : aucune conversation ne vous est proposée ni transmise. Vous pouvez vous déconnecter, ou reprendre le service.
shift-restart = Reprendre le service
shift-duty-link = Voir qui est en service et la présence du jour
shift-duty-title = En service maintenant
shift-duty-empty = Personne n’est en service en ce moment.
shift-col-name = Nom
shift-col-presence = Présence
shift-col-since = Depuis
shift-col-chats = Conversations
shift-wrap-title = À clôturer
shift-wrap-empty = Aucune conversation n’attend de clôture.
shift-wrap-hint = La personne est partie et son agent n’est plus en service : écoutez la conversation depuis le tableau, reprenez-la et clôturez-la.
shift-col-ref = Réf.
shift-col-officer = Agent
shift-col-left-at = Partie à
shift-day-title = Présence du { $day } (heure de Paris)
shift-day-empty = Aucune présence enregistrée aujourd’hui.
shift-legend = Légende
shift-col-drawing = Frise de la journée
shift-col-spans = Détail
shift-day-note = Hors ligne : aucune période. Les périodes sont conservées 35 jours.
shifts-title = Service du jour — Écoute
shifts-heading = Service du jour
shifts-back = Retour à la console
shift-state-available = Disponible
shift-state-paused = En pause
shift-state-offline = Hors ligne
shift-state-break = Pause bien-être
## Wellbeing (issue 21 item 5, docs/WELLBEING.md)

nav-service = Mon service
wellbeing-take-break = Prendre une pause
wellbeing-invite = Vous avez entendu beaucoup de récits lourds ces dernières heures. Une pause vous ferait du bien ; vos conversations en cours restent les vôtres.
wellbeing-later = Plus tard
break-since = En pause depuis
break-hint = Vous ne recevez pas de nouvelle conversation pendant la pause ; vos conversations en cours restent les vôtres.
break-end = Reprendre (disponible)
wellbeing-board-title = Exposition et pauses
wellbeing-board-hint = Minutes pondérées dans la fenêtre ; en tête, qui est resté le plus longtemps sans pause.
wellbeing-col-exposure = Exposition
wellbeing-col-since-break = Depuis la dernière pause
service-title = Mon service — Écoute
service-heading = Mon service
service-exposure-title = Mon exposition
service-exposure-intro = Le temps passé dans des conversations, chaque minute pondérée par ce que la conversation porte : un mineur, un signalement de risque, un danger, un viol ou un inceste.
service-weighted-unit = minutes pondérées dans la fenêtre (seuil de la pause proposée)
service-over = Vous avez atteint le seuil : une pause vous est proposée, et les conversations les plus lourdes vont d’abord à vos collègues tant que l’un d’eux peut les prendre.
service-composition-caption = Composition de l’exposition
service-kind-column = Nature
service-window-column = { $hours ->
        [one] Dernière heure
       *[other] { $hours } dernières heures
    }
service-today-column = Aujourd’hui
service-row-chats = Temps en conversation
service-row-minor = dont avec un mineur
service-row-flagged = dont signalées par les règles de risque
service-row-danger = dont avec une personne en danger
service-row-grave = dont viol ou inceste
service-row-weighted = Minutes pondérées
service-weights-note = Poids d’une minute : 1, plus 1 pour un mineur, 1 pour un signalement de risque, 2 pour un danger, 2 pour un viol ou un inceste.
service-breaks-title = Mes pauses
service-on-break-since = En pause depuis
service-since-last-break = Depuis la dernière pause
service-breaks-today = Pauses prises aujourd’hui
service-on-break-now = en pause maintenant
service-no-break = aucune pause enregistrée
service-support-title = Parler à quelqu’un
service-support-text = Ce que vous entendez ici pèse, et c’est normal. Un psychologue est de permanence pour les agents : vous pouvez le joindre à tout moment, sans passer par votre hiérarchie.
service-minutes = { $minutes } min
service-hours-minutes = { $hours } h { $minutes }
