# Écoute — the staff's pages: console, login, installation, account security, canned replies,
# audit log (Spanish).
# Messages whose id ends in -html hold markup and are inserted as they are; keep their tags.
# Every other message is plain text.

lang-name = Español
language-switch = Idioma de la consola
language-apply = Cambiar
skip-to-content = Ir al contenido
back-to-console = Volver a la consola
logout = Cerrar sesión

## Console: header and desk

console-title = Consola — Écoute
brand-console = consola
role-officer = agente
role-supervisor = supervisor
role-admin = administrador
nav-account = Cuenta
nav-security = Seguridad de la cuenta
nav-replies = Respuestas predefinidas
nav-audit = Registro de auditoría
desk = Disponibilidad y alertas
presence-label = Estoy
presence-available = Disponible
presence-paused = En pausa
take-next = Tomar la siguiente
notify-enable = Activar las notificaciones del navegador
sound-on = Sonido de las alertas
offer-title = Conversación propuesta
offer-time-before = Quedan
offer-time-after = s para aceptar; después se propondrá a un colega.
offer-accept = Aceptar
offer-decline = Rechazar

## Queue and chats

queue-title = Fila de espera
queue-empty = Nadie está esperando por el momento.
queue-away-title = Mensajes dejados
queue-away-hint = La persona ya no tiene la página abierta. Responda: leerá su respuesta cuando vuelva con su código.
chats-title = Mis conversaciones
chats-empty = Ninguna conversación en curso. Tome una conversación de la fila de espera.
qi-waiting-since = espera desde hace
qi-ineligible = Fuera de sus competencias por ahora: se le abrirá si nadie más la toma.
qi-claim = Tomar
block = Bloquear
block-confirm = Confirmar el bloqueo
tab-risk = Riesgo
tab-unread = no leídos
tab-left = Salida de urgencia

## Supervision board

board-title = Supervisión
fig-started = Iniciadas hoy
fig-waiting = En espera
fig-handled = Atendidas
fig-median = Espera mediana
fig-longest = Espera más larga
fig-left = Abandonos antes de respuesta
board-staff-title = Agentes
col-officer = Agente
col-state = Estado
col-load = Carga
col-skills = Competencias
board-chats-title = Conversaciones en curso
board-chats-empty = Ninguna conversación en curso.
col-ref = Ref.
col-since = Desde
col-priority = Prioridad
col-actions = Acciones
monitor-title = Escucha silenciosa
monitor-hint = Ni la persona ni el agente ven que usted está leyendo. Su lectura queda anotada en el registro de auditoría.
monitor-messages = Mensajes de la conversación escuchada
notes-label = Notas internas
whisper-label = Consejo al agente (la persona nunca lo ve)
whisper-send = Enviar el consejo
monitor-take = Tomar la conversación
monitor-take-confirm = Confirmar la toma
monitor-stop = Detener la escucha

## A chat's panel

fact-situation = Situación
fact-age = Edad
fact-departement = Departamento
fact-language = Idioma
fact-started = Inicio
fact-claimed = Toma a cargo
fact-ref = Referencia
messages = Mensajes
reply-label = Su respuesta
reply-hint = Intro para enviar, Mayús + Intro para cambiar de línea, «/» y un atajo y luego Tab para una respuesta predefinida.
canned = Respuestas predefinidas
send = Enviar
canned-search = Buscar una respuesta predefinida
canned-empty = No hay respuestas predefinidas. Los supervisores las redactan en «Respuestas predefinidas».
resources-title = Servicios de ayuda
resources-hint = «Insertar» añade los datos de contacto a su respuesta; usted la envía después de releerla.
notes-hint = Visibles para usted, los supervisores y el agente que tome la conversación después; nunca para la persona.
note-add = Añadir una nota
note-save = Guardar la nota
qualify-title = Calificación
qualify-none = (sin completar)
facts-legend = Los hechos
fact-rape = Violación
fact-sexual-assault = Agresión sexual
fact-sexual-harassment = Acoso sexual
fact-street-harassment = Acoso callejero, ultraje sexista
fact-exhibitionism = Exhibicionismo sexual
fact-domestic-violence = Violencia en la pareja o intrafamiliar
fact-cyber-violence = Ciberviolencia
fact-incest = Incesto
fact-prostitution = Prostitución, proxenetismo
fact-other = Otro
reporter-legend = La persona es
reporter-victim = víctima
reporter-witness = testigo
concerned-minor = La persona afectada es menor de edad
danger-level = Nivel de peligro
danger-none = Ningún peligro identificado
danger-moderate = Riesgo que vigilar
danger-serious = Peligro grave
danger-immediate = Peligro inmediato
qualify-save = Guardar la calificación
transfer-title = Transferir
transfer-to = A quién
transfer-choose = Elegir…
transfer-forces = A la otra fuerza (por la fila de espera)
force-police = Policía Nacional
force-gendarmerie = Gendarmería Nacional
transfer-people = A un colega
transfer-note = Nota de traspaso (obligatoria)
transfer-submit = Transferir
outcome-label = Resultado de la conversación
outcome-choose = Elegir el resultado…
outcome-information-given = Información proporcionada
outcome-referred = Derivación a una asociación / un servicio de ayuda
outcome-forwarded = Denuncia transmitida a una unidad local
outcome-intervention = Intervención solicitada
outcome-visitor-left = La persona se fue
forwarding-legend = Transmisión a una unidad local
forwarding-unit = Unidad destinataria (comisaría, brigada, unidad de protección de las familias)
forwarding-ask = Pedir el consentimiento de la persona
forwarding-help = La pregunta aparece en la conversación, en el idioma de la persona. Sin su «sí» a esta unidad, no se transmite nada.
close = Cerrar
close-left-help = Si vuelve con su código, leerá lo que usted escriba; si no, elija un resultado y cierre la conversación.
block-abuse = Bloquear (abuso)

## Login

login-title = Inicio de sesión — Consola Écoute
login-heading = Consola Écoute
login-for = Reservado a policías, gendarmes y personal de la plataforma.
username = Identificador
password = Contraseña
login-code = Código de verificación
login-code-hint = Las 6 cifras de su aplicación de autenticación, o un código de respaldo. Déjelo vacío la primera vez que inicie sesión.
login-submit = Iniciar sesión
login-too-many = Demasiados intentos. Vuelva a intentarlo más tarde.
login-refused = Identificador, contraseña o código incorrectos.

## First installation

setup-title = Instalación — Écoute
setup-heading = Instalación de Écoute
setup-done = Se creó la cuenta de administrador.
setup-used = La instalación ya está hecha: existe una cuenta y este enlace ya no sirve.
setup-used-restart = Inicie sesión con la cuenta de administración. Solo se muestra un nuevo enlace de instalación cuando arranca un servidor cuya base no contiene ninguna cuenta: en ese caso, reinícielo y abra el enlace que muestra.
setup-login = Iniciar sesión en la consola
setup-intro = Cree la primera cuenta de administrador. El servidor mostró el código de instalación al arrancar; solo sirve una vez.
setup-code = Código de instalación
setup-code-hint = Se completa automáticamente si abrió el enlace que dio el servidor; si no, pegue el código.
display-name = Nombre visible
display-name-hint = Visible para las personas que escriben, por ejemplo «Agente Martin».
password-hint = De 12 a 128 caracteres.
password-confirm = Confirmar la contraseña
setup-submit = Crear la cuenta de administrador
setup-err-username = El identificador tiene de 3 a 32 caracteres: letras minúsculas, cifras, «.», «-» o «_».
setup-err-display-name = El nombre visible tiene de 1 a 64 caracteres.
setup-err-mismatch = Las dos contraseñas no coinciden.
setup-err-password = La contraseña tiene de 12 a 128 caracteres.
setup-err-code = Este código de instalación no es válido: ya se usó, caducó o ya existe una cuenta.
password-err-guessable = Esta contraseña es demasiado común o demasiado fácil de adivinar (una palabra o un nombre conocido, una secuencia del teclado, una fecha, su identificador o su nombre…). Elija otra, por ejemplo tres o cuatro palabras sin relación entre sí. No se ha guardado nada.

## Account security

security-title = Seguridad de la cuenta — Consola Écoute
security-heading = Seguridad de la cuenta
codes-title = Sus códigos de respaldo
codes-intro-html = Cada uno sirve una sola vez, si ya no tiene su aplicación de autenticación. Anótelos y guárdelos en un lugar seguro: <strong>no se volverán a mostrar nunca</strong>.
codes-copy = Copiar los códigos
codes-download = Descargar (archivo de texto)
codes-print = Imprimir
codes-file-name = ecoute-codigos-de-respaldo.txt
codes-file-heading = Écoute — códigos de respaldo de la cuenta { $username } (cada uno sirve una sola vez)
codes-copied = Los códigos están copiados: péguelos en su gestor de contraseñas.
codes-not-copied = El navegador no permitió copiar: seleccione los códigos o descárguelos.
codes-saved = He guardado mis códigos de respaldo en un lugar seguro
codes-wait = Marque esta casilla una vez guardados los códigos para continuar: no se volverán a mostrar.
go-console = Ir a la consola
totp-title = Autenticación de dos factores
totp-enrolled = Hay una aplicación de autenticación asociada a su cuenta. Códigos de respaldo restantes:
enrol-title = Asociar una aplicación de autenticación
enrol-intro = Cada cuenta debe usar un segundo factor. Escanee este código QR con una aplicación de autenticación (TOTP) y luego introduzca el código de 6 cifras que muestra.
enrol-key = ¿No puede escanearlo? Introduzca esta clave en la aplicación:
enrol-key-stays = Este código QR y esta clave siguen siendo los mismos si recarga la página o vuelve a iniciar sesión, hasta que confirme con un código (o durante 24 horas como máximo).
enrol-key-replaced = Se ha creado una clave nueva: la anterior caducó sin haberse confirmado. Si su aplicación ya tiene una entrada «Écoute» para esta cuenta, elimínela y luego escanee este nuevo código QR.
enrol-code = Código de 6 cifras
enrol-submit = Asociar
enrol-err-code = Este código no corresponde a la clave mostrada. Compruebe que está leyendo la entrada «Écoute» de esta cuenta en su aplicación y que la hora del teléfono es correcta, y luego introduzca el código que muestra ahora.
next-steps-title = Primeros pasos: lo que queda por hacer antes de abrir el servicio
next-steps-paused = Su consola está en pausa: no recibe ninguna conversación hasta que elija «Disponible».
next-step-officers = Cree las cuentas de los agentes que responderán: cada uno elige su contraseña y su aplicación de autenticación con el enlace que usted le transmite.
next-step-officers-link = Nueva cuenta
next-step-units = Cargue el directorio de las unidades locales que reciben los informes transmitidos (formato: share/units.sample.txt):
next-step-forces = Compruebe la tabla de fuerzas (policía o gendarmería según el lugar): la suministrada es un punto de partida, no una asignación oficial.
next-steps-done = Cada paso desaparece de esta lista una vez hecho (véase docs/ADMINISTRATION.md).
sessions-title = Sus sesiones abiertas
times-in-zone = Horas de la zona horaria { $zone }.
col-opened = Abierta el
col-last-seen = Última actividad
col-action = Acción
this-session = (esta sesión)
session-end = Cerrar

## Canned replies

replies-title = Respuestas predefinidas — Consola Écoute
replies-heading = Respuestas predefinidas
replies-intro-html = Los agentes las insertan en una conversación escribiendo <kbd>/</kbd> seguido del atajo y luego <kbd>Tab</kbd>, o con el botón «Respuestas predefinidas» (<kbd>Alt</kbd>+<kbd>R</kbd>). El texto se puede modificar antes del envío.
replies-variables-html = Variables que se completan al insertar: <code>{"{"}agent{"}"}</code> (el nombre del agente), <code>{"{"}departement{"}"}</code> (el departamento de la persona), <code>{"{"}services{"}"}</code> (los servicios de ayuda de ese departamento, tomados del directorio).
shortcut = Atajo
shortcut-hint = (a-z, 0-9 y -, por ejemplo denuncia)
title = Título
text = Texto
save = Guardar
delete = Eliminar
replies-new = Nueva respuesta predefinida
add = Añadir
replies-saved = Respuesta /{ $shortcut } guardada.
replies-deleted = Respuesta eliminada.
replies-conflict = El atajo /{ $shortcut } ya lo usa otra respuesta.
replies-err-shortcut = El atajo solo puede contener a-z, 0-9 y -.
replies-err-length = { $field ->
        [shortcut] El atajo
        [title] El título
       *[body] El texto
    } tiene de { $min } a { $max } caracteres.
replies-err-variable = Variable desconocida { $name }: use {"{"}agent{"}"}, {"{"}departement{"}"} o {"{"}services{"}"}.

## Audit log

audit-title = Registro de auditoría — Consola Écoute
audit-heading = Registro de auditoría
audit-intro = Cada acceso del personal a una conversación, cada inicio de sesión y cada cambio de cuenta, encadenados por huella criptográfica. Ningún contenido de mensaje, ninguna dirección. Consultado por { $name }.
col-number = N.º
col-date = Fecha
col-who = Quién
col-conversation = Conversación
col-detail = Detalle
audit-older = Entradas más antiguas
audit-system = sistema

# Closed chats read again (/console/history).
nav-history = Conversaciones cerradas
history-title = Conversaciones cerradas — Écoute
history-heading = Conversaciones cerradas
history-intro-officer = Las conversaciones que usted cerró en los últimos { $days } días. Cada lectura queda registrada en el registro de auditoría.
history-intro-supervisor = Todas las conversaciones cerradas que aún se conservan, las más recientes primero. Cada lectura queda registrada en el registro de auditoría.
history-empty = No hay ninguna conversación cerrada para releer.
history-closed-at = Cerrada el
history-visitor = La persona
history-back = Conversaciones cerradas
history-note-note = nota interna
history-note-handover = nota de relevo
history-note-whisper = mensaje del supervisor
transcript-title = Conversación { $ref }
transcript-read-audited = Esta lectura queda registrada en el registro de auditoría. Las horas son las de la zona horaria { $zone }.
transcript-facts = Hechos
transcript-forwarded-to = Transmitida a
transcript-messages = Mensajes
transcript-notes = Notas del personal
outcome-blocked = Conversación bloqueada (abuso)

## Unit desk

# The unit's desk (/desk), a dossier (/desk/{id}), the supervisors' overview (/console/dossiers).
desk-brand = Despacho de la unidad
desk-nav-dossiers = Expedientes recibidos
desk-title = Expedientes recibidos — { $unit } — Écoute
desk-heading = Expedientes transmitidos a su unidad
desk-intro = Las denuncias que las personas aceptaron transmitirle, primero los expedientes abiertos. Cada lectura y cada descarga quedan registradas en el registro de auditoría.
desk-empty = No se ha transmitido ningún expediente a su unidad.
desk-col-reference = Referencia
desk-col-produced = Transmitido el
desk-col-age = Desde hace
desk-col-state = Estado
desk-col-first-contact = Primer contacto
desk-first-contact-at = Sí, el { $at }
desk-first-contact-none = Todavía no
desk-times-paris = Las horas son las de París.
desk-span-minutes = { $n ->
        [one] { $n } minuto
       *[other] { $n } minutos
    }
desk-span-hours = { $n ->
        [one] { $n } hora
       *[other] { $n } horas
    }
desk-span-days = { $n ->
        [one] { $n } día
       *[other] { $n } días
    }
dossier-state-sent = Transmitido, pendiente de acuse
dossier-state-received = Recibido
dossier-state-contact-attempted = Contacto intentado
dossier-state-contacted = Persona contactada
dossier-state-appointment-set = Cita fijada
dossier-state-complaint-taken = Denuncia registrada
dossier-state-could-not-reach = Persona ilocalizable
dossier-state-closed = Cerrado
dossier-state-withdrawn = Consentimiento retirado por la persona
desk-record-withdrawn = La persona retiró su consentimiento: el expediente está cerrado
desk-record-person-message = Mensaje de la persona
desk-force-police = policía nacional
desk-force-gendarmerie = gendarmería nacional
desk-standing-victim = La persona es la víctima
desk-standing-witness = La persona es testigo
desk-error-closed = Este expediente está cerrado: ya no se puede registrar nada en él.
desk-error-already-received = La recepción de este expediente ya se registró. Elija otro estado.
desk-error-state = Elija un estado de la lista.
desk-error-note = Escriba una nota de 1 a 1000 caracteres.
dossier-title = Expediente { $ref }
dossier-state-label = Estado del expediente:
dossier-read-audited = Esta lectura queda registrada en el registro de auditoría. Cada hora se da en hora de París y en UTC.
dossier-download-pdf = Descargar el PDF firmado
dossier-download-json = Descargar el JSON firmado
dossier-contact = Cómo contactar a la persona
dossier-do-not-contact = No contactar a la persona: volverá por su cuenta con su código.
dossier-summary = La denuncia
dossier-facts = Hechos
dossier-standing = Condición
dossier-records = Seguimiento del expediente
dossier-records-empty = Todavía no se ha registrado nada en este expediente.
dossier-record-title = Registrar un estado
dossier-record-state = Nuevo estado
dossier-record-note = Nota
dossier-record-note-hint = Obligatoria, 1000 caracteres como máximo. La persona nunca lee sus notas: solo ve en qué punto está su denuncia.
dossier-record-submit = Registrar
dossier-closed = Este expediente está cerrado: ya no se puede registrar nada en él.
dossier-consent = Consentimiento de la persona
dossier-consent-given = La persona respondió que sí el
dossier-messages = La conversación
dossier-handovers = Relevos entre agentes
dossier-handovers-none = Ningún relevo: un solo agente atendió la conversación.
dossier-seal = Firma
dossier-seal-text = Archivos firmados con la clave n.º { $version }. Huella SHA-256 del JSON:
dossier-back-desk = Volver a los expedientes recibidos
dossier-back-dossiers = Volver a los expedientes transmitidos
nav-dossiers = Expedientes transmitidos
dossiers-title = Expedientes transmitidos — Consola Écoute
dossiers-heading = Expedientes transmitidos a las unidades
dossiers-intro = { $hours ->
        [one] Cada expediente transmitido, primero los abiertos. Se señala el expediente cuya unidad no ha acusado recibo en una hora.
       *[other] Cada expediente transmitido, primero los abiertos. Se señala el expediente cuya unidad no ha acusado recibo en { $hours } horas.
    }
dossiers-empty = Todavía no se ha transmitido ningún expediente.
dossiers-col-unit = Unidad
dossiers-col-first-contact = Plazo hasta el primer contacto
dossiers-overdue = con retraso
dossiers-not-yet = todavía no
board-dossiers-overdue = Expedientes a la espera del acuse de recibo de su unidad desde hace más de { $hours } h: { $count }.

# ---------------------------------------------------------------- statistics pages (issue 20)
nav-statistics = Estadísticas
stats-page-title = Estadísticas — Consola Écoute
stats-heading = Estadísticas del servicio
stats-intro = Las cifras de un periodo, sacadas del registro estadístico: una fila por conversación terminada, que no identifica a nadie. Cada gráfico va seguido de sus datos en una tabla, que se puede descargar en CSV.
stats-from = Desde
stats-to = Hasta
stats-show = Mostrar
stats-weeks-note = Las fechas se amplían a semanas completas, de lunes a domingo (hora de París): el registro solo guarda la semana y la hora en que empezó cada conversación. Dos años como máximo.
stats-not-suppressed = Cifras brutas, pequeños recuentos incluidos: para uso interno. Para publicar, utilice la exportación de datos abiertos, que oculta los pequeños recuentos.
stats-toc = Gráficos de la página
stats-csv = Datos (CSV)
stats-svg = Imagen (SVG)
stats-table-caption = Datos: { $chart }
stats-period = Semanas { $first } a { $last }, del lunes { $start } al domingo { $end }.
stats-weeks = { $count ->
        [one] Una semana.
       *[other] { $count } semanas.
    }
stats-error-bad-start = La fecha de inicio no es una fecha válida: escríbala AAAA-MM-DD, por ejemplo 2026-01-05.
stats-error-bad-end = La fecha de fin no es una fecha válida: escríbala AAAA-MM-DD, por ejemplo 2026-03-01.
stats-error-reversed = La fecha de fin es anterior a la de inicio: inviértalas.
stats-error-too-long = El periodo abarca { $weeks } semanas; no puede superar { $max } semanas (dos años).
stats-decimal-mark = ,
stats-percent = { $value } %
stats-no-data = Ninguna conversación en el periodo.
stats-no-forwarded = Ninguna denuncia transmitida en el periodo.
stats-unknown = No indicado
stats-ending-purged = Purgada sin haberse cerrado
stats-wait-lt1m = menos de 1 min
stats-wait-1-5m = 1 a 5 min
stats-wait-5-15m = 5 a 15 min
stats-wait-15-60m = 15 a 60 min
stats-wait-ge60m = 1 h o más
stats-week-row = { $week } (lunes { $monday })
stats-day-1 = lunes
stats-day-2 = martes
stats-day-3 = miércoles
stats-day-4 = jueves
stats-day-5 = viernes
stats-day-6 = sábado
stats-day-7 = domingo
stats-day-short-1 = lun.
stats-day-short-2 = mar.
stats-day-short-3 = mié.
stats-day-short-4 = jue.
stats-day-short-5 = vie.
stats-day-short-6 = sáb.
stats-day-short-7 = dom.
stats-legend-fewer = menos
stats-legend-more = más
stats-axis-chats = conversaciones
stats-axis-wait = espera
stats-axis-percent = % de las conversaciones
stats-col-week = Semana
stats-col-chats = Conversaciones
stats-col-day = Día
stats-col-answered = Atendidas por un agente
stats-col-median = Espera mediana
stats-col-p90 = Espera en el percentil 90
stats-col-left = Se fueron antes de una respuesta
stats-col-share-left = Proporción que se fue antes de una respuesta
stats-col-quick-exits = Salidas rápidas
stats-col-ending = Resultado
stats-col-share = Proporción
stats-col-fact = Hechos
stats-col-share-qualified = Proporción de las conversaciones calificadas
stats-col-group = Personas
stats-col-force = Fuerza
stats-col-reports = Denuncias transmitidas
stats-col-departement = Departamento
stats-group-all = Todas las conversaciones
stats-group-minors = Menores
stats-group-witnesses = Testigos
stats-sum-chats = Conversaciones
stats-sum-answered = Atendidas por un agente
stats-sum-left = Se fueron antes de una respuesta
stats-sum-forwarded = Denuncias transmitidas
stats-chats-per-day-title = Conversaciones por día
stats-chats-per-day-desc = Número de conversaciones iniciadas cada día del periodo (hora de París), incluidos los días sin conversación.
stats-chats-per-week-title = Conversaciones por semana
stats-chats-per-week-desc = Número de conversaciones iniciadas cada semana del periodo.
stats-hour-of-week-title = Conversaciones según el día y la hora
stats-hour-of-week-desc = Número de conversaciones iniciadas en cada hora de cada día de la semana, en todo el periodo (hora de París). Cuanto más oscura la casilla, más conversaciones; el número está escrito en cada casilla.
stats-waits-title = Espera antes de una respuesta: mediana y percentil 90
stats-waits-desc = Para las conversaciones que atendió un agente, el tramo en que caen la espera mediana y la espera en el percentil 90, cada semana. Las esperas solo se guardan por tramos (menos de un minuto, 1 a 5 min, 5 a 15 min, 15 a 60 min, una hora o más): la mediana y el percentil son tramos, no duraciones exactas. Las personas que se fueron antes de una respuesta se cuentan aparte.
stats-wait-buckets-title = Esperas por tramo
stats-wait-buckets-desc = Número de conversaciones atendidas por un agente en cada tramo de espera, cada semana; los tramos se apilan del más corto al más largo.
stats-left-before-answer-title = Personas que se fueron antes de una respuesta
stats-left-before-answer-desc = Barras: conversaciones iniciadas cada semana. Línea: las que la persona dejó (o que se purgaron) antes de que un agente las atendiera. La tabla da también su proporción y las salidas rápidas, en cualquier momento de la conversación.
stats-outcomes-title = Resultados de las conversaciones
stats-outcomes-desc = Número de conversaciones por resultado en el periodo; «purgada sin haberse cerrado» cuenta las que llegaron al final de su conservación sin cierre.
stats-facts-title = Hechos calificados
stats-facts-desc = Número de conversaciones calificadas de cada tipo de hechos. Una conversación puede referirse a varios tipos de hechos: se cuenta en cada uno.
stats-facts-about = { $qualified ->
        [one] Una conversación calificada en el periodo.
       *[other] { $qualified } conversaciones calificadas en el periodo.
    } Una conversación puede referirse a varios tipos de hechos: se cuenta en cada uno, y las proporciones (sobre las conversaciones calificadas) pueden sumar más del 100 %.
stats-minors-witnesses-title = Menores y testigos
stats-minors-witnesses-desc = Proporción de las conversaciones en que la persona dijo tener menos de 18 años, y de aquellas en que escribió como testigo, sobre todas las conversaciones del periodo.
stats-forwarded-by-force-title = Denuncias transmitidas por fuerza
stats-forwarded-by-force-desc = Número de denuncias transmitidas a una unidad local, según la fuerza que respondió.
stats-forwarded-by-departement-title = Denuncias transmitidas por departamento
stats-forwarded-by-departement-desc = Número de denuncias transmitidas a una unidad local, según el departamento que indicó la persona; solo se listan los departamentos con al menos una denuncia.
stats-first-contact-title = Plazo del primer contacto por unidad
stats-first-contact-desc = Para cada unidad, sus denuncias transmitidas en el periodo según el plazo entre la producción del expediente y el primer contacto de la unidad con la persona, por tramos (menos de un día, 1 a 3 días, 3 a 7 días, 7 días o más), luego las que aún no tienen contacto, y aquellas cuyo seguimiento no consta (transmitidas antes de que el registro siguiera los expedientes).
stats-col-unit = Unidad
stats-contact-lt1d = menos de un día
stats-contact-1-3d = 1 a 3 días
stats-contact-3-7d = 3 a 7 días
stats-contact-ge7d = 7 días o más
stats-contact-not-yet = aún sin contacto
stats-contact-unknown = seguimiento no registrado
stats-export = Exportar como datos abiertos (CSV)
stats-export-hint = Para publicar: se ocultan los recuentos inferiores a 5. La exportación queda registrada en el registro de auditoría.
## Staffing plan (/console/staffing)
nav-staffing = Plan de presencia
staffing-title = Plan de presencia — Consola Écoute
staffing-heading = Plan de presencia, hora por hora
staffing-intro = Para cada hora de la semana: los agentes necesarios para responder al { $share } % de las conversaciones en { $within } segundos como máximo, según las conversaciones de las semanas pasadas, frente a los agentes realmente presentes a esa hora.
staffing-weeks = Semanas { $from } a { $to }: { $weeks } pedidas, { $observed } con datos.
staffing-places = { $places ->
        [one] Cada agente atiende una conversación a la vez (la capacidad mediana de las cuentas que responden conversaciones).
       *[other] Cada agente atiende hasta { $places } conversaciones a la vez (la capacidad mediana de las cuentas que responden conversaciones).
    }
staffing-no-data = No se registró ninguna conversación en las semanas { $from } a { $to }: sin demanda medida, no se establece ningún plan.
staffing-summary = Una semana media
staffing-arrivals-week = Conversaciones por semana
staffing-hours-needed = Horas de agente necesarias
staffing-hours-present = Horas de agente presentes
staffing-hours-short = Horas con falta de personal
staffing-hours-overloaded = Horas saturadas
staffing-peak = Hora de más carga
staffing-peak-value = { $hour } (agentes necesarios: { $officers })
staffing-csv = Descargar la tabla (CSV)
staffing-figure-caption = Agentes necesarios y agentes presentes, para cada hora de la semana
staffing-table-caption = Plan de presencia: las 168 horas de la semana, hora de París
staffing-col-hour = Hora
staffing-col-arrivals = Conversaciones por hora
staffing-col-handling = Duración media (min)
staffing-col-needed = Agentes necesarios
staffing-col-present = Agentes presentes
staffing-col-gap = Diferencia
staffing-basis-all-hours = (media de todas las horas)
staffing-basis-assumed = (duración supuesta)
staffing-overloaded = saturada
staffing-note-all-hours = Menos de { $n } conversaciones atendidas a esa hora: la duración es la media de todas las horas.
staffing-note-assumed = No se atendió ninguna conversación en esas semanas: la duración de 20 minutos es supuesta, no medida.
staffing-note-handling = Duración media: las duraciones solo se conocen por tramos (menos de 10 min, 10 a 30, 30 a 60, 60 a 120, 120 o más); cada conversación cuenta por el punto medio de su tramo, 120 min para el último.
staffing-note-present = Agentes presentes: la media, sobre los minutos registrados, de los agentes disponibles en una consola. Diferencia: presentes menos necesarios; si es negativa, faltan agentes. «—»: nada registrado.
staffing-note-model = Modelo: Erlang C, que supone que cada persona espera hasta que se le responde. Una hora saturada es aquella en la que los agentes presentes, con todas sus plazas ocupadas, no bastaban ni siquiera para la carga: la cola solo deja de crecer porque hay personas que se van sin respuesta.
staffing-day-mon = lunes
staffing-day-tue = martes
staffing-day-wed = miércoles
staffing-day-thu = jueves
staffing-day-fri = viernes
staffing-day-sat = sábado
staffing-day-sun = domingo
staffing-hour-label = { $day } { $hour }:00
staffing-chart-axis = agentes
staffing-chart-desc = Para cada hora de la semana, del lunes a las 0 h al domingo a las 23 h (hora de París): en barras, los agentes necesarios para cumplir el objetivo; en línea, los agentes presentes de media en las semanas observadas. Una barra por encima de la línea es una hora con falta de personal.

# Cambiar la contraseña, renovar los códigos de recuperación (issue 21, punto 2)
password-title = Cambiar mi contraseña
password-intro = Introduzca su contraseña actual, un código de su aplicación de autenticación y, después, la nueva contraseña dos veces. Sus otras sesiones se cerrarán; esta permanece abierta.
password-current = Contraseña actual
security-code = Código de 6 cifras de su aplicación de autenticación
password-new = Nueva contraseña (de 12 a 128 caracteres)
password-new-confirm = Nueva contraseña, otra vez
password-submit = Cambiar la contraseña
password-changed = Su contraseña se ha cambiado. Sus otras sesiones se han cerrado; esta permanece abierta.
password-err-enrol = Primero vincule una aplicación de autenticación a su cuenta.
password-err-mismatch = Las dos entradas de la nueva contraseña no coinciden. No se ha cambiado nada.
password-err-rules = La nueva contraseña debe tener de 12 a 128 caracteres. No se ha cambiado nada.
security-err-check = La contraseña actual o el código no es correcto. No se ha cambiado nada.
security-err-too-many = Demasiados intentos para esta cuenta o desde esta dirección. Vuelva a intentarlo más tarde. No se ha cambiado nada.
codes-renew-title = Renovar mis códigos de recuperación
codes-renew-intro = Diez códigos nuevos sustituyen a todos los anteriores, que dejan de funcionar en el acto. Solo se mostrarán una vez.
codes-renew-submit = Renovar los códigos de recuperación
codes-renewed = Sus códigos de recuperación se han renovado: los anteriores ya no funcionan.

# Administración de cuentas (incidencia 21, puntos 1 y 3)
nav-admin = Cuentas
admin-title = Cuentas — Écoute
admin-heading = Cuentas del personal
admin-intro = Todas las cuentas, con su rol, sus competencias y su estado. Desactivar una cuenta cierra sus sesiones y sus consolas al instante, devuelve sus conversaciones a la cola y rechaza su acceso.
admin-new = Crear una cuenta
admin-col-name = Nombre
admin-col-username = Usuario
admin-col-role = Rol
admin-col-capacity = Conversaciones a la vez
admin-col-last-login = Último acceso
admin-col-sessions = Sesiones abiertas
admin-state-enabled = activa
admin-state-disabled = desactivada
admin-manage = Gestionar { $name }
admin-role-unit = unidad local
admin-force-any = ambas fuerzas
admin-minors = formado/a para menores
admin-new-title = Nueva cuenta
admin-new-intro = La persona recibirá un enlace de un solo uso para elegir su contraseña y vincular su aplicación de autenticación: ninguna contraseña pasa por usted.
admin-username-hint = De 3 a 32 caracteres: minúsculas, cifras, punto, guion, guion bajo.
admin-display-name = Nombre que ven las víctimas
admin-unit = Unidad (solo cuentas de unidad local)
admin-unit-hint = El identificador de la unidad en el directorio; déjelo vacío para cualquier otro rol.
admin-force = Fuerza
admin-languages = Idiomas
admin-languages-hint = Códigos ISO 639 separados por comas, por ejemplo fr,en.
admin-create = Crear la cuenta
admin-back = Volver a las cuentas
admin-created = Cuenta { $username } creada
admin-link-enrol = Entregue este enlace a la persona por un medio seguro: elige su contraseña y vincula su aplicación de autenticación.
admin-link-password = Entregue este enlace a la persona por un medio seguro: elige una nueva contraseña. La actual funciona hasta entonces.
admin-link-totp = Entregue este enlace a la persona por un medio seguro: vincula una nueva aplicación de autenticación y recibe nuevos códigos de recuperación. La aplicación actual funciona hasta entonces.
admin-link-once = Este enlace solo se muestra una vez, sirve una sola vez y caduca el { $expires }. Un enlace nuevo lo sustituye.
admin-link-title = Enlace de un solo uso
admin-user-title = Cuenta { $username } — Écoute
admin-authenticator = Aplicación de autenticación
admin-totp-yes = vinculada
admin-totp-no = aún no vinculada
admin-state-title = Acceso
admin-disable-intro = Desactivar cierra todas las sesiones de esta cuenta en un segundo, devuelve sus conversaciones a la cola con su historial y rechaza su acceso.
admin-disable = Desactivar la cuenta
admin-enable-intro = Esta cuenta está desactivada: no puede acceder. Reactivarla le permite volver a acceder.
admin-enable = Reactivar la cuenta
admin-save-role = Cambiar el rol
admin-save-name = Cambiar el nombre
admin-skills-title = Competencias y capacidad
admin-save-skills = Guardar competencias y capacidad
admin-reset-title = Contraseña o aplicación perdidas
admin-reset-intro = Cree un enlace de un solo uso, válido 24 horas, para que la persona elija una nueva contraseña o vincule una nueva aplicación de autenticación.
admin-reset-password = Enlace para una nueva contraseña
admin-reset-totp = Enlace para una nueva aplicación
admin-sessions-title = Sesiones abiertas
admin-no-session = Ninguna sesión abierta.
admin-disabled = La cuenta está desactivada: sus sesiones han terminado y sus conversaciones han vuelto a la cola.
admin-enabled = La cuenta está reactivada: puede volver a acceder.
admin-role-changed = El rol se ha cambiado.
admin-name-changed = El nombre se ha cambiado.
admin-skills-changed = Competencias y capacidad guardadas.
admin-session-ended = La sesión ha terminado.
admin-err-forbidden = Solo un administrador puede hacer esto.
admin-err-not-found = Esta cuenta no existe.
admin-err-last-admin = Es el último administrador activo: no se puede desactivar ni degradar. Nombre antes a otro administrador. No se ha cambiado nada.
admin-err-unit-role = Una cuenta de unidad local conserva su rol, y ninguna otra cuenta pasa a serlo. No se ha cambiado nada.
admin-err-username-taken = Este usuario ya existe. No se ha cambiado nada.
admin-err-unit = Una cuenta de unidad local necesita una unidad del directorio, y solo ella tiene una. No se ha cambiado nada.
admin-err-internal = Se ha producido un error. No se ha cambiado nada.
admin-err-display-name = El nombre debe tener de 1 a 64 caracteres. No se ha cambiado nada.
admin-err-display-name-required = Elija el nombre que leerán las personas que escriben, por ejemplo «Agente Martin»: no se toma del identificador. No se ha creado ninguna cuenta.
admin-err-capacity = El número de conversaciones a la vez debe estar entre 1 y 20. No se ha cambiado nada.
admin-err-force = Elija una fuerza de la lista. No se ha cambiado nada.
admin-err-languages = Indique los idiomas con códigos ISO 639 separados por comas, por ejemplo fr,en. No se ha cambiado nada.
admin-err-username = El usuario debe tener de 3 a 32 caracteres: minúsculas, cifras, punto, guion, guion bajo. No se ha cambiado nada.
admin-err-role = Elija un rol de la lista. No se ha cambiado nada.
admin-err-action = Esta acción es desconocida. No se ha cambiado nada.
admin-err-session = Esta sesión ya ha terminado.
link-title = Active su cuenta de Écoute
link-intro = Cuenta { $username }. Este enlace sirve una sola vez.
link-password-title = Elija su contraseña
link-submit = Guardar
link-done = Su cuenta está lista. Acceda con su usuario, su contraseña y un código de su aplicación de autenticación.
link-invalid = Este enlace ya no funciona: ya se ha usado, ha caducado (tras 24 horas), uno más reciente lo ha sustituido o la cuenta está desactivada. Pida un nuevo enlace a un administrador.
link-to-login = Ir a la página de acceso
admin-link-err-password = La contraseña debe tener de 12 a 128 caracteres. No se ha guardado nada.
# Shifts (issue 21 item 4, docs/SHIFTS.md)
shift-end-open = Fin del servicio
shift-end-title = Fin del servicio
shift-end-intro = Para cada conversación que atiende, elija quién la retoma. Cuando todas estén entregadas, pasará a desconectado y no recibirá más conversaciones.
shift-end-none = No atiende ninguna conversación: puede terminar su servicio.
shift-end-confirm = Entregar y terminar mi servicio
shift-end-cancel = Cancelar
shift-chat-legend = Conversación
shift-chat-left = la persona se fue
shift-to-label = Entregar a
shift-to-queue = La cola de espera
shift-to-wrap-up = Los supervisores, para cerrarla
shift-note-label = Nota de traspaso
shift-over-title = Su servicio ha terminado
shift-over-text = Está desconectado: no se le ofrece ni se le transfiere ninguna conversación. Puede cerrar la sesión o retomar el servicio.
shift-restart = Retomar el servicio
shift-duty-link = Ver quién está de servicio y la presencia del día
shift-duty-title = De servicio ahora
shift-duty-empty = Nadie está de servicio en este momento.
shift-col-name = Nombre
shift-col-presence = Presencia
shift-col-since = Desde
shift-col-chats = Conversaciones
shift-wrap-title = Por cerrar
shift-wrap-empty = Ninguna conversación espera su cierre.
shift-wrap-hint = La persona se fue y su agente ya no está de servicio: siga la conversación desde el panel, retómela y ciérrela.
shift-col-ref = Ref.
shift-col-officer = Agente
shift-col-left-at = Se fue a las
shift-day-title = Presencia del { $day } (hora de París)
shift-day-empty = No hay presencia registrada hoy.
shift-legend = Leyenda
shift-col-drawing = El día dibujado
shift-col-spans = Detalle
shift-day-note = Desconectado: ningún periodo. Los periodos se conservan 35 días.
shifts-title = Servicio del día — Écoute
shifts-heading = Servicio del día
shifts-back = Volver a la consola
shift-state-available = Disponible
shift-state-paused = En pausa
shift-state-offline = Desconectado
shift-state-break = Pausa de bienestar
## Wellbeing (issue 21 item 5, docs/WELLBEING.md)

nav-service = Mi servicio
wellbeing-take-break = Tomar un descanso
wellbeing-invite = Ha escuchado muchos relatos duros en las últimas horas. Un descanso le sentaría bien; sus conversaciones en curso siguen siendo suyas.
wellbeing-later = Más tarde
break-since = En descanso desde hace
break-hint = No recibe conversaciones nuevas durante el descanso; sus conversaciones en curso siguen siendo suyas.
break-end = Volver (disponible)
wellbeing-board-title = Exposición y descansos
wellbeing-board-hint = Minutos ponderados en la ventana; primero, quien lleva más tiempo sin descanso.
wellbeing-col-exposure = Exposición
wellbeing-col-since-break = Desde el último descanso
service-title = Mi servicio — Écoute
service-heading = Mi servicio
service-exposure-title = Mi exposición
service-exposure-intro = El tiempo pasado en conversaciones, cada minuto ponderado según su contenido: un menor, una alerta de riesgo, un peligro, una violación o un incesto.
service-weighted-unit = minutos ponderados en la ventana (umbral del descanso propuesto)
service-over = Ha alcanzado el umbral: se le propone un descanso, y las conversaciones más duras van primero a sus colegas mientras alguno pueda atenderlas.
service-composition-caption = Composición de la exposición
service-kind-column = Tipo
service-window-column = { $hours ->
        [one] Última hora
       *[other] Últimas { $hours } horas
    }
service-today-column = Hoy
service-row-chats = Tiempo en conversación
service-row-minor = de ello con un menor
service-row-flagged = de ello con alerta de riesgo
service-row-danger = de ello con una persona en peligro
service-row-grave = de ello violación o incesto
service-row-weighted = Minutos ponderados
service-weights-note = Peso de un minuto: 1, más 1 por un menor, 1 por una alerta de riesgo, 2 por un peligro, 2 por una violación o un incesto.
service-breaks-title = Mis descansos
service-on-break-since = En descanso desde
service-since-last-break = Desde el último descanso
service-breaks-today = Descansos tomados hoy
service-on-break-now = en descanso ahora
service-no-break = ningún descanso registrado
service-support-title = Hablar con alguien
service-support-text = Lo que escucha aquí pesa, y es normal. Un psicólogo está de guardia para los agentes: puede contactarlo en cualquier momento, sin pasar por sus superiores.
service-minutes = { $minutes } min
service-hours-minutes = { $hours } h { $minutes }
