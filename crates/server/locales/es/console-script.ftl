# Écoute — messages of the console's script (console.js), Spanish.
# Plain text only. Variables are written { $name }; the script fills them in.

victim = Víctima
witness = Testigo
minor = menor de edad
adult = mayor de edad
minor_long = Menor de edad (menos de 18 años)
adult_long = Mayor de edad
dept = dpto. { $dept }
no_dept = —
no_dept_short = dpto. —
visitor = La persona
you = Usted
sending = enviando…
sent = enviado
failed = no enviado
under_minute = menos de 1 min
minutes = { $m } min
hours = { $h } h { $mm }
at_ago = { $time } (hace { $ago })
not_claimed = —
tab_label = { $kind } · { $dept } · { $time } · ref. { $ref }
panel_title = { $kind }, persona { $minor }, { $dept }
claiming = Tomando…
already_claimed = Un colega ya tomó esta conversación.
at_capacity = Ya atiende tantas conversaciones como permite su límite. Cierre una antes de tomar otra.
claim_failed = No se pudo tomar esta conversación. Es posible que ya no esté en espera.
visitor_left = La persona salió de urgencia
visitor_left_detail = La persona salió de urgencia{ $at }. Ya no lee esta conversación. Si vuelve con su código, leerá lo que usted escriba aquí; si no, elija un resultado y ciérrela.
visitor_left_at = {" "}a las { $time }
global_left = La persona salió de urgencia: { $label }.
show_chat = Ver la conversación
title_alert = ⚠ La persona salió de urgencia —{" "}
new_message = Nuevo mensaje de la persona: { $body }
closing = Cerrando…
closed = Conversación cerrada.
close_choose = Elija el resultado de la conversación.
close_failed = No se pudo cerrar: { $message }
err_empty = El mensaje está vacío.
err_too_long = El mensaje supera los 4000 caracteres.
err_send = No se pudo enviar este mensaje: { $message }
sending_soon = Escribe muy rápido: su mensaje saldrá en un momento.
err_conversation_closed = Esta conversación terminó: el mensaje no se envió.
connecting = Conectando…
disconnected = Conexión perdida, reconectando…
session_expired = Su sesión caducó.
login_again = Volver a iniciar sesión
counter = { $count } / { $max }
priority_danger = En peligro ahora
priority_flagged = Señal de riesgo
flag_line = Señal de riesgo: { $labels }
flag_alert = Señal de riesgo en esta conversación: { $labels }. Las reglas señalan, no deciden nada.
force_police = policía
force_gendarmerie = gendarmería
force_any = cualquier fuerza
needs = { $force } · { $lang }
handed_over_note = reanudación tras traspaso
presence_available = Disponible
presence_paused = En pausa
mode_offer = Se le proponen conversaciones cuando está disponible.
mode_pull = Tome la conversación siguiente o elija una de la fila.
nothing_to_take = Por el momento, ninguna conversación en espera le corresponde.
not_eligible = Esta conversación requiere otra fuerza, otro idioma o la formación «menores»: se le abrirá si nadie más la toma.
offer_what = { $kind } · { $minor } · { $dept }
awaiting = espera desde hace { $ago }
note_kind_note = Nota
note_kind_handover = Traspaso
note_kind_whisper = Consejo del supervisor
whisper_arrived = Consejo del supervisor en la conversación ref. { $ref }
handed_transferred = Conversación ref. { $ref } transferida.
handed_taken_over = Conversación ref. { $ref } tomada por un supervisor.
handed_requeued = Conversación ref. { $ref } devuelta a la fila de espera.
transfer_choose = Elija un colega o una fuerza.
transfer_note = Escriba lo que debe saber quien la atienda después.
transfer_failed = La transferencia falló: { $message }
colleague = { $name } — { $presence }, { $open }/{ $capacity }
presence_offline = desconectado
presence_available_short = disponible
presence_paused_short = en pausa
notify_new_chat = Nueva conversación en espera
notify_danger = Conversación prioritaria en espera
notify_offer = Se le propone una conversación
notify_message = Nuevo mensaje (ref. { $ref })
notify_left = Salida de urgencia (ref. { $ref })
notify_flag = Señal de riesgo (ref. { $ref })
notify_whisper = Consejo del supervisor (ref. { $ref })
state_waiting = en espera
state_active = en curso
state_visitor_left = salida de urgencia
listen = Escuchar
monitor_state = Estado: { $state }{ $officer }
monitor_officer = {" "}— agente: { $name }
load = { $open } / { $capacity }
skills = { $force }{ $minors } · { $langs }
skills_minors = {" "}· menores
unassigned = —
canned_none = Ninguna respuesta predefinida coincide.
canned_unknown = No existe la respuesta predefinida /{ $shortcut }.
res_kind_association = Asociación
res_kind_victim_service = Ayuda a las víctimas
res_kind_medical = Médico
res_kind_legal_aid = Asistencia jurídica
res_kind_helpline = Número nacional
res_sample = ejemplo
res_insert = Insertar
res_national = (nacionales)
res_for = (dpto. { $dept })
res_none = No hay servicios en el directorio para este departamento.
services_none = los servicios de ayuda de tu departamento
unsent = { $n } mensaje(s) sin enviar: «{ $text }».
visitor_typing = La persona está escribiendo…
visitor_back = La persona volvió con su código: está leyendo la conversación y puede responderle.
notify_back = La persona volvió (ref. { $ref })
received = recibido
read = leído
badge_danger = Peligro
badge_flag = Riesgo
danger_alert = La persona dijo que está en peligro ahora.
q_saved = (guardada a las { $time })
q_none = (sin completar)
q_choose_fact = Marque al menos un tipo de hechos.
q_choose_reporter = Indique si la persona es víctima o testigo.
xf_unit = Elija la unidad a la que proponer la transmisión.
xf_need_yes = La persona aún no ha aceptado la transmisión a esta unidad: pídale su consentimiento.
xf_asked = Se preguntó a la persona por: { $unit }. Esperando su respuesta.
xf_yes = La persona acepta la transmisión a: { $unit }.
xf_no = La persona rechaza la transmisión a: { $unit }. No se transmitirá nada.
xf_contact = Para volver a contactarla: { $text }
xf_do_not_contact = No desea que la contacten: volverá con su código.
xf_no_units = No hay ningún directorio de unidades cargado: pida a un administrador (ecoute units load).
xf_proposed = propuesta según el código postal

## Languages, as the console names them

lang_fr = francés
lang_en = inglés
lang_es = español
lang_ar = árabe
visitor_language = La persona lee ahora la página en { $language }.

## Refusals from the server, by error code (docs/PROTOCOL.md §3)

error_not_found = Esta conversación ya no existe, o usted no tiene acceso a ella.
error_not_owner = Otro agente atiende esta conversación.
error_not_claimed = Esta conversación todavía está en espera de que alguien la tome.
error_already_claimed = Un colega tomó esta conversación antes que usted.
error_at_capacity = Ya atiende tantas conversaciones como permite su límite.
error_invalid_outcome = Este resultado no existe.
error_not_eligible = Esta conversación requiere otra fuerza, otro idioma o la formación «menores».
error_nothing_to_take = Por el momento, ninguna conversación en espera le corresponde.
error_invalid_presence = Este estado de disponibilidad no existe.
error_handover_note_required = La nota de traspaso es obligatoria.
error_invalid_transfer = Elija o bien un colega, o bien la otra fuerza.
error_no_fact = Marque al menos un tipo de hechos.
error_no_consent = La persona no ha aceptado la transmisión a esta unidad.
error_unknown_unit = Esta unidad no figura en el directorio.
error_no_officer = Ningún agente atiende esta conversación: no hay a quién enviar el consejo.
error_invalid_departement = Este no es un código de departamento.
error_colleague_unavailable = Este colega no tiene la consola abierta o no toma conversaciones.
error_forbidden = Su rol no permite esta acción.
error_unavailable = El servicio no responde por el momento. Vuelva a intentarlo en un instante.
error_rate_limited = Demasiadas acciones seguidas. Vuelva a intentarlo en un instante.
error_conversation_closed = Esta conversación terminó.
error_empty_message = El texto está vacío.
error_message_too_long = El texto supera los 4000 caracteres.
error_bad_frame = La consola envió una solicitud que el servidor no entiende. Vuelva a cargar la página.
error_other = El servidor rechazó la acción: { $code }.

## A long queue

queue_more = Y { $count } conversaciones más en espera, atendidas en el orden de la cola.

## Board: dossiers

board_dossiers_overdue = Expedientes a la espera del acuse de recibo de su unidad desde hace más de { $hours } h: { $count }.
board_dossiers_link = Ver los expedientes transmitidos

## Wellbeing (issue 21 item 5, docs/WELLBEING.md)

presence_break = En descanso
presence_break_short = en descanso
wellbeing_on_break = en descanso ahora
wellbeing_no_break = ningún descanso registrado
wellbeing_exposure = { $w } min ponderados
wellbeing_over = umbral alcanzado
