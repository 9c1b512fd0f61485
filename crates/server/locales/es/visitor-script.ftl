# Écoute — messages of the visitor's script (visitor.js), Spanish.
# Plain text only. Variables are written { $name }; the script fills them in.

you = Tú
officer_default = El agente
sending = enviando…
sent = enviado
failed = no enviado
connecting = Conectando…
queue_first = Eres la próxima persona en la fila de espera.
queue_position = Estás en el puesto { $position } de la fila de espera.
wait_under_minute = Espera estimada: menos de un minuto.
wait_minutes = Espera estimada: unos { $minutes } min.
wait_hours = Espera estimada: unas { $hours } h { $minutes } min.
chat_waiting = Esperando a un agente. Ya puedes escribir.
chat_with = Estás hablando con { $name }.
officer_joined = { $name } se unió a la conversación.
officer_changed = Ahora te atiende { $name }. Esta persona leyó toda la conversación.
back_to_queue = Otro agente te va a responder. La conversación se guarda, puedes seguir escribiendo.
announce_message = Mensaje de { $name }: { $body }
disconnected = Se cortó la conexión, reconectando… Tus mensajes se enviarán en cuanto vuelva la conexión.
ended_closed = El agente cerró la conversación. Gracias por escribirnos.
ended_left = Saliste de la conversación.
ended_invalid = Ya no se puede abrir esta conversación desde este dispositivo.
counter = { $count } / { $max }
err_form = Falta una respuesta. Revisa las preguntas señaladas.
err_kind = Indica si eres víctima o testigo.
err_minor = Indica si tienes menos de 18 años.
err_postal = El código postal debe tener 5 cifras. También puedes dejarlo vacío.
err_network = La conexión falló. Vuelve a intentarlo en un momento. Si es una emergencia, llama al 17 o al 112.
err_busy = El servicio está recibiendo muchas solicitudes. Vuelve a intentarlo en un momento. Si es una emergencia, llama al 17 o al 112.
err_server = Hubo un problema. Vuelve a intentarlo en un momento. Si es una emergencia, llama al 17 o al 112.
err_empty = El mensaje está vacío.
err_too_long = El mensaje tiene más de 4000 caracteres.
err_send = No se pudo enviar este mensaje.
err_closed = La conversación terminó: este mensaje no se envió.
sending_soon = Escribe muy rápido; su mensaje saldrá en un momento.
sending_busy = El servicio está muy ocupado; su mensaje saldrá en un momento.
busy = Un momento…
officer_typing = { $name } está escribiendo…
received = recibido
read = leído
resume_format = El código tiene 16 cifras. Revísalo.
resume_unknown = Este código no abre ninguna conversación. Revísalo, o empieza una nueva conversación.
resume_closed = Esta conversación terminó. Puedes empezar una nueva.
resume_busy = Demasiados intentos. Vuelve a intentarlo más tarde. Si es una emergencia, llama al 17 o al 112.
back_note = Volviste a la conversación.
danger_sending = Estamos avisando al agente…
danger_noted = Entendido: tu conversación pasa antes que todas las demás y el agente ya está avisado. Si puedes, llama al 17.
danger_offline = Se cortó la conexión: el agente recibirá el aviso en cuanto vuelva la conexión. Llama al 17 si puedes.

## Consent in the chat
consent_yes_recorded = Ha aceptado que su denuncia se transmita a: { $unit }.
consent_no_recorded = Ha rechazado que su denuncia se transmita a: { $unit }. No se le transmitirá nada.
consent_asked = El agente le hace una pregunta: { $question }
consent_err_contact = Escriba sus indicaciones, o elija «No me contacten».
consent_err_too_long = Sus indicaciones superan los 1000 caracteres.
consent_err_not_asked = Esta pregunta ya no está planteada. El agente le hará otra si es necesario.
consent_err_offline = Conexión interrumpida: su respuesta no se ha enviado. Inténtelo de nuevo en un momento.
ended_forwarded = El agente ha cerrado la conversación y su denuncia ha sido transmitida.
resume_forwarded = Este código sigue su denuncia transmitida: ya no reabre la conversación. Puede ver en qué punto está su denuncia en la página «Seguir mi denuncia».

## Follow-up
follow_expired = Por su seguridad, el seguimiento se ha cerrado. Introduzca de nuevo su código.
follow_closed_error = El seguimiento ha terminado: su mensaje no se ha enviado.
follow_sent = Su mensaje ha sido transmitido.
follow_withdrawn = Ha retirado su consentimiento. El servicio ha sido informado.

## Honest wait
wait_no_one = Ningún agente está disponible en este momento: no podemos darte un tiempo de espera.
wait_meanwhile = Mientras tanto: si estás en peligro, llama al 17 o al 112, o envía un SMS al 114. Un niño en peligro: 119. Violencia contra las mujeres: 3919. Puedes escribir tu mensaje ahora y volver más tarde con tu código de regreso.
