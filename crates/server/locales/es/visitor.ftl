# Écoute — the visitor's pages (Spanish).
# Messages whose id ends in -html hold markup and are inserted as they are; keep their tags.
# Every other message is plain text.

lang-name = Español
language-switch = Idioma
brand = Écoute
page-title = Écoute

## Quick exit, on every visitor page

qe-label = Salir rápido
qe-skip = Salir de este sitio ahora mismo. Atajo de teclado: pulsa tres veces la tecla Mayús.
skip-to-content = Ir al contenido

## Danger panel

danger-title = Estoy en peligro ahora
danger-17 = Llama a la policía o a la gendarmería
danger-112 = Número de emergencias, desde cualquier teléfono
danger-114 = Si no puedes hablar: envía un SMS, sin hacer ruido. Escribe dónde estás y qué está pasando.
danger-start = Escribir a un agente con prioridad
danger-close = Ocultar

## Return code, shown once

code-title = Para volver más tarde
code-yours = Tu código, guárdalo:
code-advice = Con este código puedes volver a esta conversación desde cualquier dispositivo y leer lo que el agente te haya escrito. Apúntalo como si fuera un número de teléfono, en tus contactos, con un nombre que no llame la atención. No se volverá a mostrar. No se lo des a nadie: abre la conversación.
code-done = Ya apunté el código

## Landing

landing-title = Hablar por escrito con un policía o un gendarme
landing-lead-html = ¿Eres víctima o testigo de violencia sexista o sexual? Puedes hablar por escrito con un policía o un gendarme formado para escucharte, informarte sobre tus derechos y ayudarte en tus trámites. Es <strong>anónimo</strong>, <strong>gratuito</strong> y está abierto <strong>las 24 horas, todos los días</strong>. No necesitas presentar una denuncia para hablar de ello.
noscript-html = <strong>La conversación necesita JavaScript</strong>, que está desactivado en tu navegador. Puedes leer esta página, pero no puedes empezar una conversación.
noscript-numbers-html = Si estás en peligro, llama al <strong>17</strong> o al <strong>112</strong>, o envía un SMS al <strong>114</strong>. Violences Femmes Info (línea sobre violencia contra las mujeres): <strong>3919</strong>. Infancia en peligro: <strong>119</strong>.
start-open = Empezar una conversación
danger-open = Estoy en peligro ahora
resume-open = Tengo un código para volver

emergency-title = Este no es un número de emergencias
emergency-intro = Si tú u otra persona están en peligro ahora:
num-17 = Policía o gendarmería, para emergencias
num-112 = Número europeo de emergencias, desde cualquier teléfono
num-114 = Por SMS: para personas sordas o con problemas de audición, y para cualquier persona que no pueda hablar sin peligro
num-3919 = Violences Femmes Info (línea nacional sobre violencia contra las mujeres): te escuchan gratis y de forma anónima, las 24 horas
num-119 = Allô Enfance en danger (línea de infancia en peligro): para menores, o para avisar de que un niño o una niña está en peligro, las 24 horas

kept-title = Qué se guarda y quién lo lee
kept-account = No creas ninguna cuenta y no tienes que dar tu nombre.
kept-text-html = El texto de la conversación se guarda <strong>cifrado</strong> durante <strong>un año</strong>. Después, como lo prevé la ley, se conserva hasta cinco años más con acceso restringido. Lo leen los policías y gendarmes de la plataforma.
kept-ip = No se registra tu dirección IP. Si das un código postal, solo se guarda el departamento: sirve para saber si te corresponde la policía o la gendarmería cerca de donde vives.
kept-anonymity-html = El anonimato está garantizado <strong>en principio</strong>: si los hechos son graves o si una persona está en peligro, los agentes pueden actuar para protegerla y, para ello, intentar identificarla.

exit-title = Salir rápido, y lo que eso no borra
exit-intro-html = El botón rojo <strong>«Salir rápido»</strong>, arriba en la pantalla, o la tecla <kbd>Mayús</kbd> pulsada tres veces seguidas, muestra al instante una página neutral y borra la conversación de esta página. No puede borrar:
exit-back = las páginas que abriste antes de esta en la misma pestaña (botón Atrás);
exit-history = el historial de tu navegador, que guarda la dirección de este sitio;
exit-spyware = lo que un programa espía instalado en el dispositivo ya haya registrado.
exit-safety-link = Tu seguridad en internet: navegación privada, dispositivo seguro, historial, programas espía

## Start form

start-title = Antes de empezar
start-intro = Tres preguntas, para ponerte en contacto con la persona adecuada. No se pide nada más.
kind-legend = Eres…
kind-victim = víctima
kind-witness = testigo
minor-legend = ¿Tienes menos de 18 años?
minor-yes = sí, tengo menos de 18 años
minor-no = no, tengo 18 años o más
minor-note-html = Te pondremos en contacto con un agente formado para hablar con jóvenes. También puedes llamar al <a class="num-inline" href="tel:119">119</a>, Allô Enfance en danger (línea de infancia en peligro): es gratis, de día y de noche, y la llamada no aparece en las facturas.
postal-label = Código postal
optional = (opcional)
postal-hint = 5 cifras. Solo se guarda el departamento. Puedes dejarlo vacío.
danger-now = Estoy en peligro ahora
danger-hint-html = Si puedes llamar, llama al <a class="num-inline" href="tel:17">17</a> o envía un SMS al <a class="num-inline" href="sms:114">114</a>. Si no, marca esta casilla: tu conversación pasará antes que todas las demás.
start-submit = Empezar la conversación
back = Atrás

## Coming back with a code

resume-title = Volver a tu conversación
resume-intro = Escribe el código de 16 cifras que recibiste al empezar la conversación. Verás lo que el agente te escribió y podrás responderle.
resume-label = Tu código
resume-submit = Volver a la conversación

## Waiting

waiting-title = Un agente te va a responder
waiting-connecting = Conectando…
waiting-keep-open = Deja esta página abierta: puedes leer la información de abajo sin perder tu turno. También puedes escribir ya un primer mensaje; el agente lo leerá al llegar.
waiting-danger-html = Si estás en peligro inmediato, no esperes: <a class="num-inline" href="tel:17">17</a>, <a class="num-inline" href="tel:112">112</a> o SMS al <a class="num-inline" href="sms:114">114</a>.

## Chat

chat-title = Conversación
danger-chat = Estoy en peligro ahora
message-label = Tu mensaje
composer-hint = Intro para enviar, Mayús + Intro para cambiar de línea.
send = Enviar

## Ended

ended-title = La conversación ha terminado
ended-numbers-html = Si estás en peligro: <a class="num-inline" href="tel:17">17</a>, <a class="num-inline" href="tel:112">112</a>, SMS al <a class="num-inline" href="sms:114">114</a>. Violences Femmes Info (línea sobre violencia contra las mujeres): <a class="num-inline" href="tel:3919">3919</a>. Infancia en peligro: <a class="num-inline" href="tel:119">119</a>.
restart = Empezar una nueva conversación

## Reading while waiting

reading-title = Para leer mientras esperas
rights-title = Tus derechos
rights-1 = Lo que viviste importa, aunque haya pasado hace mucho tiempo, en internet o con una persona cercana.
rights-2 = Puedes presentar una denuncia en cualquier comisaría de policía o puesto de la gendarmería. Los policías y gendarmes tienen la obligación de recibir tu denuncia.
rights-3 = Puede acompañarte una persona mayor de edad que tú elijas, y también un abogado o una abogada.
rights-4 = Puedes pedir ayuda a una asociación de ayuda a las víctimas, gratis, con denuncia o sin ella.
complaint-title = Cómo se presenta una denuncia
complaint-1 = El agente puede explicarte los pasos y enviar tu situación a una comisaría o a un puesto de la gendarmería cerca de donde vives, para preparar tu visita.
complaint-2 = Allí, le cuentas los hechos a un investigador. Recibes una copia de tu denuncia.
complaint-3 = Guarda las pruebas: mensajes, capturas de pantalla, fotos, nombres de testigos. Un médico puede dejar constancia de las lesiones, incluso sin denuncia.
complaint-4 = Después, el fiscal (procureur de la République) decide qué se hace. Se te informará de su decisión.
help-title = Recibir ayuda fuera de este servicio
help-3919-html = <a class="num-inline" href="tel:3919">3919</a>, Violences Femmes Info (línea nacional sobre violencia contra las mujeres): escucha, información y orientación, gratis y anónimo, las 24 horas.
help-116006-html = <a class="num-inline" href="tel:116006">116 006</a>, France Victimes (red de ayuda a las víctimas): ayuda a las víctimas, gratis, todos los días.
help-119-html = <a class="num-inline" href="tel:119">119</a>, Allô Enfance en danger (línea de infancia en peligro), las 24 horas.

## Stay safe online

safety-page-title = Tu seguridad en internet — Écoute
safety-title = Tu seguridad en internet
safety-lead = Si alguien puede mirar tu teléfono o tu computadora, algunas precauciones reducen las huellas de tu visita. Haz lo que puedas, sin ponerte en peligro.
safety-exit-title = Lo que hace «Salir rápido», y lo que no puede hacer
safety-exit-what-html = El botón rojo, o la tecla <kbd>Mayús</kbd> pulsada tres veces seguidas, oculta al instante la página, termina la conversación, la borra de esta pestaña y muestra un sitio que no tiene nada que ver. La página de la conversación no queda en el historial de la pestaña.
safety-exit-cannot = No puede borrar:
safety-exit-back = las páginas que abriste antes de esta en la misma pestaña: se puede volver a ellas con el botón Atrás;
safety-exit-history = el historial del navegador, que guarda la dirección de este sitio y el título de sus páginas;
safety-exit-suggestions = las sugerencias de la barra de direcciones, que pueden mostrar este sitio;
safety-exit-spyware = lo que un programa espía ya haya registrado (mira más abajo).
safety-private-title = Usar la navegación privada
safety-private-what = Una ventana de navegación privada no guarda el historial ni los datos de los sitios una vez cerrada.
safety-private-chrome-html = Chrome: menú, luego «Nueva ventana de incógnito». Edge: menú, luego «Nueva ventana InPrivate». En los dos: <kbd>Ctrl</kbd> + <kbd>Mayús</kbd> + <kbd>N</kbd>.
safety-private-firefox-html = Firefox: menú, luego «Nueva ventana privada» (<kbd>Ctrl</kbd> + <kbd>Mayús</kbd> + <kbd>P</kbd>).
safety-private-safari = Safari en iPhone: botón de las pestañas, luego «Privada».
safety-private-limits = Recuerda cerrar la ventana privada al terminar. La navegación privada no oculta nada a un programa espía, ni a la red que usas (por ejemplo, la de un empleador).
safety-device-title = Elegir un dispositivo seguro
safety-device-other = Si puedes, usa un dispositivo que la persona que te hace daño no use ni pueda revisar: el teléfono de una persona de confianza, o una computadora de uso libre en una biblioteca o en el ayuntamiento.
safety-device-shared = En un dispositivo compartido, cierra la sesión de tus cuentas y cierra la ventana al terminar.
safety-device-location = Revisa si compartes tu ubicación (aplicaciones de localización, grupo familiar, cuentas de Google o Apple compartidas) y quién conoce tus contraseñas.
safety-history-title = Borrar solo algunas páginas del historial
safety-history-intro = Borrar todo el historial de una vez puede llamar la atención. Puedes eliminar solo las páginas de este sitio:
safety-history-chrome = Chrome, Edge: menú, «Historial», marca las páginas de este sitio y luego «Eliminar».
safety-history-firefox = Firefox: menú, «Historial», «Administrar historial», clic derecho sobre una página y luego «Eliminar página».
safety-history-safari = Safari en iPhone: botón de los marcadores, pestaña «Historial», desliza la página hacia la izquierda y luego «Eliminar».
safety-history-suggestions-html = Piensa también en las sugerencias de la barra de direcciones: en Chrome, selecciona la sugerencia con las flechas y luego pulsa <kbd>Mayús</kbd> + <kbd>Supr</kbd>.
safety-spy-title = Programas espía
safety-spy-what = Una persona que tuvo tu teléfono en sus manos puede haber instalado un programa que registra tus mensajes, las páginas que visitas o tu ubicación, sin que se note. Puedes sospecharlo si sabe cosas que no debería saber, si la batería se gasta demasiado rápido o si aparecen aplicaciones que no conoces.
safety-spy-other-device = En ese caso, pide ayuda desde otro dispositivo.
safety-spy-remove-html = Borrar el programa puede alertar a esa persona y borrar pruebas: háblalo primero con el agente, o con el <a class="num-inline" href="tel:3919">3919</a>.
safety-emergency-title = Si estás en peligro
safety-num-112 = Número europeo de emergencias
safety-num-114 = Por SMS, si no puedes hablar, o para personas sordas o con problemas de audición
safety-num-3919 = Violences Femmes Info (línea sobre violencia contra las mujeres), las 24 horas
safety-num-119 = Allô Enfance en danger (línea de infancia en peligro), las 24 horas
safety-home = Volver a la página de inicio

## Forwarding to a local unit: the question asked in the chat
consent-question = ¿Acepta que su denuncia se transmita a: { $unit }? Este servicio podrá ponerse en contacto con usted para que pueda presentar una denuncia, si lo desea.

## Consent in the chat
consent-title = ¿Transmitir su denuncia?
consent-yes = Sí
consent-no = No
consent-how-legend = ¿Cómo puede contactarle este servicio?
consent-contact-write = Doy mis indicaciones para que me contacten
consent-contact-none = No me contacten, volveré con mi código
consent-instructions-label = Sus indicaciones
consent-instructions-hint = Cuándo y cómo puede llamarle el servicio, y qué decir si contesta otra persona (por ejemplo «es la mutua»).
consent-send = Enviar mi respuesta
consent-cancel = Volver a la pregunta
forwarded-title = Su denuncia ha sido transmitida
forwarded-follow = Puede seguir en qué punto está con su código de regreso, en la página «Seguir mi denuncia».
forwarded-what = Allí verá la etapa de su denuncia en palabras sencillas (transmitida, recibida, el servicio intentó contactarle…), la fecha del último cambio, y podrá añadir un mensaje o retirar su consentimiento. Las notas del servicio nunca se muestran allí.
forwarded-code = Su código de regreso:
forwarded-link = Seguir mi denuncia

## Follow-up
follow-page-title = Seguir mi denuncia
follow-title = Seguir mi denuncia
follow-intro = Si su denuncia fue transmitida a una comisaría o a la gendarmería, su código de regreso le permite saber en qué punto está. El código no se guarda en ningún lugar de este dispositivo.
follow-noscript = Esta página necesita JavaScript para mostrar el seguimiento. En caso de urgencia, llame al 17 o al 112.
follow-code-label = Su código de regreso (16 cifras)
follow-submit = Ver en qué punto está mi denuncia
follow-state-title = En qué punto está su denuncia
follow-reference = Referencia:
follow-forwarded-on = Transmitida el:
follow-updated-on = Último cambio:
follow-messages-sent = Mensajes que ha añadido:
follow-only-stage = Aquí solo se muestra la etapa, en palabras sencillas: las notas del servicio nunca.
follow-message-title = Añadir un mensaje
follow-message-intro = Su mensaje se transmite al servicio y a la plataforma Écoute. No podrá modificarse.
follow-message-label = Su mensaje
follow-message-submit = Enviar el mensaje
follow-withdraw-title = Retirar mi consentimiento
follow-withdraw-intro = Si ya no desea que el servicio se ocupe de su denuncia, puede retirar su consentimiento. El servicio es informado y el seguimiento termina: ya no podrá añadir mensajes.
follow-withdraw-open = Retirar mi consentimiento
follow-withdraw-confirm-text = ¿Seguro que quiere retirar su consentimiento? No se puede deshacer.
follow-withdraw-confirm = Sí, retirar mi consentimiento
follow-withdraw-cancel = No, mantener mi consentimiento
follow-closed = El seguimiento de esta denuncia ha terminado: ya no puede añadir mensajes.
follow-done = Cerrar el seguimiento
follow-home = Volver a la página de inicio
stage-transmitted = Su denuncia ha sido transmitida.
stage-received = El servicio la ha recibido.
stage-tried-to-reach = El servicio intentó contactarle.
stage-in-touch = El servicio se ha puesto en contacto con usted.
stage-complaint-taken = Su denuncia formal ha sido registrada.
stage-finished = El seguimiento de su denuncia ha terminado.
stage-withdrawn = Ha retirado su consentimiento: la denuncia está cerrada.
