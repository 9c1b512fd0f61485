// The visitor page: start form, waiting room and live chat, on one URL that never changes.
// Protocol: docs/PROTOCOL.md (§1 visitor, §4 delivery, §5 reconnect). All user-visible text comes
// from the page (the #i18n block and the markup), never from this file.
import { SESSION_KEY, SEQ_KEY, resumableSession, onQuickExit, isExiting } from './quick-exit.js';

const $ = (id) => document.getElementById(id);
let i18n = (() => { try { return JSON.parse($('i18n').textContent); } catch { return {}; } })();
/** A value that is itself a message ({ t: 'officer_default' }) is put in the current language. */
const value = (v) => (v && typeof v === 'object' && v.t ? (i18n[v.t] ?? v.t) : String(v));
const t = (key, vars = {}) =>
  (i18n[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? value(vars[k]) : m));
/** The page's own words in its current language (filled when the language changes). */
let pageWords = {};
/** A button's label in the current language, for after a "busy" moment. */
const labelOf = (el, fallback) => pageWords[el.dataset.i18n] ?? fallback;
/** Sets a text that must follow a change of language: the key and values stay on the element. */
function tx(el, key, vars = {}) {
  el.textContent = t(key, vars);
  el.dataset.t = key;
  el.dataset.tv = JSON.stringify(vars);
  return el;
}
/** Clears a text set by tx. */
function untx(el) {
  el.textContent = '';
  delete el.dataset.t;
  delete el.dataset.tv;
}

const MAX_CHARS = 4000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const PING_MS = 25000;
const PONG_MS = 10000;
const NOTICE_DELAY_MS = 1500;
/** The visitor's own variant of the page's language when the browser has one ("ar-MA", "es-MX"). */
function localeTag() {
  const lang = document.documentElement.lang || 'fr';
  return (navigator.languages || []).find((l) => l.split('-')[0].toLowerCase() === lang) || lang;
}
let timeFmt = new Intl.DateTimeFormat(localeTag(), { hour: '2-digit', minute: '2-digit' });

const VIEWS = ['landing', 'start', 'resume', 'waiting', 'chat', 'ended', 'reading'];

/** Everything the page knows; wiped by quick exit and at the end of a conversation. */
const state = {
  session: null, // {conversation_id, token}
  ws: null,
  welcomed: false,
  attempt: 0,
  reconnectTimer: 0,
  pingTimer: 0,
  noticeTimer: 0,
  convState: null,
  officerName: null,
  seen: new Map(), // seq -> <li>
  outbox: new Map(), // client_id -> {body, el}, in creation order; not yet acknowledged
  inflight: null, // the client_id of the one message sent and not yet answered (PROTOCOL.md §4)
  holdTimer: 0, // set while a refused message waits for the moment the server gave
  announceAfter: 0, // messages up to this seq were shown before a reload: do not read them out again
  ended: false,
  consent: null, // the question asked: {unit, unit_name, question, answer}
  consentAnswer: null, // the consent_answer frame sent and not yet reflected by a consent frame
  returnCode: null, // the code shown at the start or typed to come back: memory only, shown again if forwarded
};

// ---------------------------------------------------------------- storage (sessionStorage only)

function saveSession(s) {
  try { sessionStorage.setItem(SESSION_KEY, JSON.stringify(s)); } catch { /* private mode quotas */ }
}
function saveSeq(seq) {
  try { sessionStorage.setItem(SEQ_KEY, String(seq)); } catch { /* ignore */ }
}
function storedSeq() {
  try { return Number(sessionStorage.getItem(SEQ_KEY)) || 0; } catch { return 0; }
}
function forgetSession() {
  try { sessionStorage.removeItem(SESSION_KEY); sessionStorage.removeItem(SEQ_KEY); } catch { /* ignore */ }
}

// ---------------------------------------------------------------- views

function show(...ids) {
  for (const v of VIEWS) $(v).hidden = !ids.includes(v);
}
function focusHeading(id) {
  const el = $(id);
  if (!el) return;
  window.scrollTo(0, 0);
  el.focus({ preventScroll: true });
}

// ---------------------------------------------------------------- start form

function setFieldError(inputIds, errorId, key) {
  if (key) tx($(errorId), key); else untx($(errorId));
  const message = key;
  for (const id of inputIds) {
    const input = $(id);
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

function clearStartErrors() {
  untx($('start-error'));
  setFieldError(['kind-victim', 'kind-witness'], 'kind-error', '');
  setFieldError(['minor-yes', 'minor-no'], 'minor-error', '');
  setFieldError(['postal-code'], 'postal-error', '');
}

// ---------------------------------------------------------------- danger path

/** Shows what to do right now; during a chat, also puts it first in line and alerts the officer. */
function showDanger() {
  const panel = $('danger-panel');
  panel.hidden = false;
  const inChat = !!state.session && !state.ended;
  $('danger-start').hidden = inChat;
  if (inChat) {
    state.dangerPending = true;
    const sent = state.welcomed && sendFrame({ type: 'danger' });
    tx($('danger-status'), sent ? 'danger_sending' : 'danger_offline');
  } else {
    untx($('danger-status'));
  }
  window.scrollTo(0, 0);
  $('danger-title').focus({ preventScroll: true });
}

function setupDanger() {
  const open = $('danger-open');
  open.hidden = false;
  open.addEventListener('click', showDanger);
  $('danger-chat').addEventListener('click', showDanger);
  $('danger-close').addEventListener('click', () => { $('danger-panel').hidden = true; });
  $('danger-start').addEventListener('click', () => {
    $('danger-panel').hidden = true;
    $('start-form').elements.danger.checked = true;
    show('start');
    focusHeading('start-title');
  });
}

function setupStart() {
  for (const id of ['start-open', 'start-open-bottom']) {
    const b = $(id);
    b.hidden = false;
    b.addEventListener('click', () => { show('start'); focusHeading('start-title'); });
  }
  $('start-back').addEventListener('click', () => { show('landing'); focusHeading('landing-title'); });

  const form = $('start-form');
  form.addEventListener('change', (e) => {
    if (e.target.name === 'minor') $('minor-note').hidden = form.elements.minor.value !== 'true';
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearStartErrors();
    const kind = form.elements.kind.value;
    const minor = form.elements.minor.value;
    const postal = form.elements.postal_code.value.trim();
    let firstInvalid = null;
    if (kind !== 'victim' && kind !== 'witness') {
      setFieldError(['kind-victim', 'kind-witness'], 'kind-error', 'err_kind');
      firstInvalid ??= $('kind-victim');
    }
    if (minor !== 'true' && minor !== 'false') {
      setFieldError(['minor-yes', 'minor-no'], 'minor-error', 'err_minor');
      firstInvalid ??= $('minor-yes');
    }
    if (postal && !/^[0-9]{5}$/.test(postal)) {
      setFieldError(['postal-code'], 'postal-error', 'err_postal');
      firstInvalid ??= $('postal-code');
    }
    if (firstInvalid) {
      tx($('start-error'), 'err_form');
      firstInvalid.focus();
      return;
    }

    const submit = $('start-submit');
    const label = submit.textContent;
    submit.disabled = true;
    submit.textContent = t('busy');
    try {
      const res = await fetch('/api/visitor/conversations', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          kind,
          minor: minor === 'true',
          postal_code: postal || null,
          danger: form.elements.danger.checked,
          language: document.documentElement.lang || 'fr',
        }),
        credentials: 'omit',
        cache: 'no-store',
      });
      if (isExiting()) return;
      if (res.status === 201) {
        const data = await res.json();
        if (isExiting()) return;
        beginConversation({ conversation_id: data.conversation_id, token: data.token, lang: document.documentElement.lang });
        showCode(data.return_code);
        form.reset();
        $('minor-note').hidden = true;
        return;
      }
      let code = null;
      try { code = (await res.json()).error; } catch { /* not JSON */ }
      if (code === 'invalid_postal_code') {
        setFieldError(['postal-code'], 'postal-error', 'err_postal');
        tx($('start-error'), 'err_postal');
        $('postal-code').focus();
      } else if (res.status === 429 || res.status === 503) {
        tx($('start-error'), 'err_busy');
      } else {
        tx($('start-error'), 'err_server');
      }
    } catch {
      tx($('start-error'), 'err_network');
    } finally {
      submit.disabled = false;
      submit.textContent = labelOf(submit, label);
    }
  });
}

/** What belongs to one conversation only, forgotten when it ends or another begins. */
function resetConversationState() {
  state.dangerPending = false;
  state.languageToSend = null;
  state.languageSent = null;
  state.marks = null;
  marksSent = { received: 0, read: 0 };
  clearTimeout(marksTimer);
  untx($('danger-status'));
  hideTyping();
}

function beginConversation(session) {
  resetConversationState();
  state.session = session;
  state.ended = false;
  saveSession(session);
  saveSeq(0);
  resetConversationView();
  show('waiting', 'chat', 'reading');
  focusHeading('waiting-title');
  connect();
}

function resetConversationView() {
  hideCode();
  hideConsent();
  hideForwarded();
  state.seen.clear();
  clearOutbox();
  state.convState = null;
  state.officerName = null;
  $('messages').replaceChildren();
  untx($('announcer'));
  tx($('queue-position'), 'connecting');
  untx($('queue-wait'));
  untx($('queue-meanwhile'));
  tx($('chat-with'), 'connecting');
  untx($('conn-notice'));
  untx($('composer-error'));
  untx($('composer-status'));
  setComposerEnabled(true);
}

// ---------------------------------------------------------------- socket

function connect() {
  clearTimeout(state.reconnectTimer);
  if (!state.session || state.ended || isExiting()) return;
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/visitor`;
  let ws;
  try { ws = new WebSocket(url); } catch { scheduleReconnect(); return; }
  state.ws = ws;
  state.welcomed = false;
  state.inflight = null; // whatever was on its way is sent again after hello
  let lastError = null;

  ws.addEventListener('open', () => {
    if (state.ws !== ws) return;
    ws.send(JSON.stringify({ type: 'hello', token: state.session.token, last_seq: contiguousSeq() }));
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(() => {
      // A connection that does not answer a ping within PONG_MS is dead, whatever the browser
      // thinks (a network that vanished without a word): drop it and reconnect.
      if (sendFrame({ type: 'ping' })) {
        clearTimeout(state.pongTimer);
        state.pongTimer = setTimeout(() => dropSocket(ws), PONG_MS);
      }
    }, PING_MS);
  });
  ws.addEventListener('message', (ev) => {
    if (state.ws !== ws) return;
    clearTimeout(state.pongTimer); // anything from the server proves the line is alive
    let frame;
    try { frame = JSON.parse(ev.data); } catch { return; }
    if (frame.type === 'error') lastError = frame.code;
    handleFrame(frame);
  });
  ws.addEventListener('close', (ev) => {
    if (state.ws !== ws) return;
    state.ws = null;
    state.welcomed = false;
    clearInterval(state.pingTimer);
    clearTimeout(state.pongTimer);
    document.body.dataset.connection = 'offline';
    if (state.ended || isExiting()) return;
    // §5: a 1008 close (invalid token) is final for this device; hello_required is not about it.
    if (lastError === 'invalid_token' || (ev.code === 1008 && lastError !== 'hello_required')) {
      endConversation('invalid');
      return;
    }
    scheduleReconnect();
  });
}

function scheduleReconnect() {
  clearTimeout(state.reconnectTimer);
  const base = BACKOFF_MS[Math.min(state.attempt, BACKOFF_MS.length - 1)];
  state.attempt += 1;
  const delay = base * (0.8 + Math.random() * 0.4); // up to 20 % jitter
  state.reconnectTimer = setTimeout(connect, delay);
  // Only a disconnection that lasts gets a notice; failed attempts must not restart its delay.
  if (!state.noticeTimer) {
    state.noticeTimer = setTimeout(() => {
      if (!state.welcomed && !state.ended && !isExiting()) tx($('conn-notice'), 'disconnected');
    }, NOTICE_DELAY_MS);
  }
}

function sendFrame(frame) {
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

/**
 * Gives up on a socket at once (the network went away): the page behaves as after a close,
 * with its notice and its reconnection, without waiting for a closing handshake that cannot
 * happen. Frames not yet acknowledged stay in the outbox and are resent after `hello`.
 */
function dropSocket(ws) {
  if (!ws || state.ws !== ws) return;
  state.ws = null;
  state.welcomed = false;
  clearInterval(state.pingTimer);
  clearTimeout(state.pongTimer);
  document.body.dataset.connection = 'offline';
  try { ws.close(); } catch { /* already gone */ }
  if (state.ended || isExiting()) return;
  // Said at once: the person may be typing into a line that is down.
  tx($('conn-notice'), 'disconnected');
  scheduleReconnect();
}

addEventListener('offline', () => dropSocket(state.ws));
addEventListener('online', () => {
  if (state.session && !state.ended && !state.ws) { state.attempt = 0; connect(); }
});

// ---------------------------------------------------------------- frames

function handleFrame(f) {
  switch (f.type) {
    case 'welcome': onWelcome(f); break;
    case 'message': onMessage(f); break;
    case 'ack': onAck(f); break;
    case 'queue': onQueue(f); break;
    case 'state': applyState(f.state, f.officer, true, f.outcome); break;
    case 'consent': onConsent(f); break;
    case 'typing': showTyping(); break;
    case 'marks': applyMarks(Number(f.received_seq) || 0, Number(f.read_seq) || 0); break;
    case 'danger_noted': state.dangerPending = false; tx($('danger-status'), 'danger_noted'); break;
    case 'error': onError(f); break;
    default: break; // pong and anything newer
  }
}

function onWelcome(f) {
  state.welcomed = true;
  state.attempt = 0;
  document.body.dataset.connection = 'online';
  clearTimeout(state.noticeTimer);
  state.noticeTimer = 0;
  untx($('conn-notice'));
  applyState(f.state, f.officer, false);
  if (state.ended) return;
  applyMarks(Number(f.officer_received_seq) || 0, Number(f.officer_read_seq) || 0);
  sendLanguage();
  // A call for help made while the connection was down goes first.
  if (state.dangerPending && sendFrame({ type: 'danger' })) tx($('danger-status'), 'danger_sending');
  // §5: after hello, resend every message not yet acknowledged, with the same client_id,
  // one after the other (§4). A new connection has a fresh allowance: no need to wait.
  state.inflight = null;
  clearTimeout(state.holdTimer);
  state.holdTimer = 0;
  pumpOutbox();
}

function applyState(next, officer, live, outcome) {
  const previousName = state.officerName;
  if (officer && officer.name) state.officerName = officer.name;
  const previous = state.convState;
  state.convState = next;
  if (next === 'waiting') {
    show('waiting', 'chat', 'reading');
    tx($('chat-with'), 'chat_waiting');
    if (live && previous === 'active') {
      addSystemNote('back_to_queue');
      announce(t('back_to_queue'));
    }
  } else if (next === 'active') {
    const name = state.officerName || { t: 'officer_default' };
    show('chat');
    tx($('chat-with'), 'chat_with', { name });
    if (live && previous !== 'active') {
      addSystemNote('officer_joined', { name });
      announce(t('officer_joined', { name }));
    } else if (live && previousName && previousName !== name) {
      addSystemNote('officer_changed', { name });
      announce(t('officer_changed', { name }));
    }
  } else if (next === 'closed') {
    endConversation('closed', outcome);
  } else if (next === 'visitor_left') {
    endConversation('left');
  }
}

function onQueue(f) {
  const position = Number(f.position) || 0;
  if (position <= 1) tx($('queue-position'), 'queue_first');
  else tx($('queue-position'), 'queue_position', { position });
  const wait = $('queue-wait');
  const meanwhile = $('queue-meanwhile');
  // Nobody who may answer is available now: no number, and what to do meanwhile.
  if (f.estimate === 'no_one_available' || f.estimated_wait_secs == null) {
    tx(wait, 'wait_no_one');
    tx(meanwhile, 'wait_meanwhile');
    return;
  }
  untx(meanwhile);
  const secs = Math.max(0, Number(f.estimated_wait_secs) || 0);
  const minutes = Math.ceil(secs / 60);
  if (secs < 60) tx(wait, 'wait_under_minute');
  else if (minutes < 60) tx(wait, 'wait_minutes', { minutes });
  else tx(wait, 'wait_hours', { hours: Math.floor(minutes / 60), minutes: String(minutes % 60).padStart(2, '0') });
}

function onError(f) {
  switch (f.code) {
    case 'invalid_token':
      endConversation('invalid');
      break;
    case 'unavailable': // the database did not answer: retry the same frame
    case 'rate_limited': // sent too fast: the frame was not acted on, send it again a little later
    case 'overloaded': // the service is very busy: the message was not taken, send it again later
    case 'out_of_order': // never expected from this page; the same remedy puts things right
      if (f.client_id && state.outbox.has(f.client_id)) {
        holdOutbox(f.client_id, Number(f.retry_after_ms) || 1000, HOLD_STATUS[f.code]);
      } else if (!f.client_id && state.dangerPending) {
        // A call for help that did not go through is sent again until it does.
        setTimeout(() => { if (state.dangerPending && state.welcomed) sendFrame({ type: 'danger' }); }, 1000);
      }
      if (!f.client_id && state.consentAnswer) {
        // Perhaps the answer to the question: the same answer again is harmless.
        const frame = state.consentAnswer;
        setTimeout(() => { if (state.consentAnswer === frame && state.welcomed) sendFrame(frame); }, Number(f.retry_after_ms) || 1000);
      }
      if (!f.client_id && state.languageSent) {
        // Perhaps the language change: sending it again is harmless (the same one does nothing).
        state.languageToSend = state.languageSent;
        setTimeout(sendLanguage, Number(f.retry_after_ms) || 1000);
      }
      break;
    case 'empty_message': failPending(f.client_id, 'err_empty'); break;
    case 'message_too_long': failPending(f.client_id, 'err_too_long'); break;
    case 'conversation_closed': failPending(f.client_id, 'err_closed'); break;
    case 'invalid_client_id': failPending(f.client_id, 'err_send'); break;
    case 'contact_required': consentRefused('consent_err_contact'); break;
    case 'contact_too_long': consentRefused('consent_err_too_long'); break;
    case 'consent_not_asked':
    case 'unknown_unit': consentRefused('consent_err_not_asked'); break;
    default: break;
  }
}

// ---------------------------------------------------------------- messages

/** Highest seq n such that 1..n are all shown: what we may tell the server we have. */
function contiguousSeq() {
  let n = 0;
  while (state.seen.has(n + 1)) n += 1;
  return n;
}

function registerSeq(seq, el) {
  state.seen.set(seq, el);
  el.dataset.seq = String(seq);
  el.dataset.order = String(seq);
  saveSeq(contiguousSeq());
}

function formatTime(iso) {
  const d = iso ? new Date(iso) : new Date();
  return Number.isNaN(d.getTime()) ? '' : timeFmt.format(d);
}

function buildMessage({ mine, author, body, sentAt, status }) {
  const li = document.createElement('li');
  li.className = `msg ${mine ? 'msg-mine' : 'msg-theirs'}`;
  const meta = document.createElement('p');
  meta.className = 'msg-meta';
  const who = document.createElement('span');
  who.className = 'msg-author';
  if (author.key) tx(who, author.key); else who.textContent = author;
  const time = document.createElement('time');
  time.className = 'msg-time';
  if (sentAt) time.dateTime = sentAt;
  time.textContent = formatTime(sentAt);
  meta.append(who, ' ', time);
  if (status) {
    const st = document.createElement('span');
    st.className = 'msg-status';
    tx(st, status);
    meta.append(' ', st);
  }
  const text = document.createElement('p');
  text.className = 'msg-body';
  // Either side may write in another script than the page's: each message finds its direction.
  text.dir = 'auto';
  text.textContent = body;
  li.append(meta, text);
  return li;
}

function markSent(el, sentAt) {
  el.classList.remove('msg-pending');
  const time = el.querySelector('.msg-time');
  if (sentAt) { time.dateTime = sentAt; time.textContent = formatTime(sentAt); }
  const st = el.querySelector('.msg-status');
  if (st) tx(st, 'sent');
}

/** Insert by sequence; pending messages (no seq yet) stay at the end in the order written. */
function place(el) {
  const list = $('messages');
  const order = Number(el.dataset.order);
  for (const child of list.children) {
    if (child !== el && Number(child.dataset.order) > order) { list.insertBefore(el, child); return; }
  }
  if (el.parentNode !== list || el !== list.lastElementChild) list.append(el);
}

function nearBottom() {
  return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 160;
}
function keepInView(force) {
  if (force || nearBottom()) $('composer').scrollIntoView({ block: 'end' });
}

function onMessage(m) {
  const seq = Number(m.seq);
  if (!Number.isInteger(seq) || seq < 1 || state.seen.has(seq)) return; // exactly once per seq
  const stick = nearBottom();
  let el;
  if (m.author === 'visitor' && m.client_id && state.outbox.has(m.client_id)) {
    el = state.outbox.get(m.client_id).el;
    answered(m.client_id);
    markSent(el, m.sent_at);
  } else {
    const mine = m.author === 'visitor';
    const officer = m.officer_name || state.officerName;
    const author = mine ? { key: 'you' } : (officer || { key: 'officer_default' });
    const name = mine ? t('you') : (officer || t('officer_default'));
    el = buildMessage({ mine, author, body: String(m.body ?? ''), sentAt: m.sent_at, status: null });
    if (!mine && seq > state.announceAfter) announce(t('announce_message', { name, body: m.body }));
  }
  registerSeq(seq, el);
  place(el);
  keepInView(stick);
  if (m.author === 'officer') { hideTyping(); scheduleMarks(); }
}

// ---------------------------------------------------------------- typing, received and read

const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
let typingSentAt = 0;
let typingTimer = 0;

/** Tells the officer the person is typing, at most every few seconds. */
function typingNow() {
  if (!state.welcomed || Date.now() - typingSentAt < TYPING_EVERY_MS) return;
  if (sendFrame({ type: 'typing' })) typingSentAt = Date.now();
}

function showTyping() {
  const el = $('typing');
  tx(el, 'officer_typing', { name: state.officerName || { t: 'officer_default' } });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(hideTyping, TYPING_SHOWN_MS);
}

function hideTyping() {
  clearTimeout(typingTimer);
  untx($('typing'));
}

/** The officer's messages shown so far: received now, read when the page is in front. */
let marksSent = { received: 0, read: 0 };
let marksTimer = 0;
/** One marks frame for a burst of messages (a resync of many sends one). */
function scheduleMarks() {
  clearTimeout(marksTimer);
  marksTimer = setTimeout(reportMarks, 300);
}
function reportMarks() {
  if (!state.welcomed) return;
  // Everything up to the first gap is on screen.
  const received = contiguousSeq();
  const read = document.visibilityState === 'visible' && document.hasFocus() ? received : marksSent.read;
  if (received <= marksSent.received && read <= marksSent.read) return;
  if (sendFrame({ type: 'marks', received_seq: received, read_seq: read })) marksSent = { received, read };
}
document.addEventListener('visibilitychange', reportMarks);
addEventListener('focus', reportMarks);

/** "reçu" and "lu" on the person's own messages, as the officer's console reports them. */
function applyMarks(received, read) {
  // Marks only move forward; one that arrives late (they are recorded concurrently) is ignored.
  if (state.marks) {
    received = Math.max(received, state.marks.received);
    read = Math.max(read, state.marks.read);
  }
  for (const [seq, el] of state.seen) {
    if (!el.classList.contains('msg-mine')) continue;
    const st = el.querySelector('.msg-status');
    if (!st) continue;
    if (seq <= read) tx(st, 'read');
    else if (seq <= received) tx(st, 'received');
  }
  state.marks = { received, read };
}

function onAck(f) {
  const item = state.outbox.get(f.client_id);
  if (!item) return;
  answered(f.client_id);
  const seq = Number(f.seq);
  const shown = state.seen.get(seq);
  if (shown && shown !== item.el) { item.el.remove(); return; } // already shown from a resync
  markSent(item.el, f.sent_at);
  registerSeq(seq, item.el);
  place(item.el);
  if (state.marks) applyMarks(state.marks.received, state.marks.read);
}

function failPending(clientId, message) {
  const item = clientId && state.outbox.get(clientId);
  if (item) {
    answered(clientId);
    item.el.classList.remove('msg-pending');
    item.el.classList.add('msg-failed');
    const st = item.el.querySelector('.msg-status');
    if (st) tx(st, 'failed');
  }
  tx($('composer-error'), message);
}

function addSystemNote(key, vars = {}) {
  const li = document.createElement('li');
  li.className = 'msg-note';
  tx(li, key, vars);
  li.dataset.order = String(contiguousSeq() + 0.5);
  place(li);
}

function announce(text) {
  const region = $('announcer');
  region.textContent = '';
  // A fresh text node in a later task is what screen readers reliably pick up.
  setTimeout(() => { if (!isExiting()) region.textContent = text; }, 50);
}

function randomClientId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function sendMessage(body) {
  const clientId = randomClientId();
  const el = buildMessage({ mine: true, author: { key: 'you' }, body, sentAt: null, status: 'sending' });
  el.classList.add('msg-pending');
  el.dataset.order = 'Infinity';
  state.outbox.set(clientId, { body, el });
  $('messages').append(el);
  keepInView(true);
  pumpOutbox();
}

/**
 * Sends the oldest message not yet acknowledged, if none is on its way and none waits after a
 * refusal. One at a time: a message is never stored before one written earlier (PROTOCOL.md §4).
 */
function pumpOutbox() {
  if (!state.welcomed || state.inflight || state.holdTimer) return;
  const next = state.outbox.entries().next();
  if (next.done) { untx($('composer-status')); return; }
  const [clientId, item] = next.value;
  if (sendFrame({ type: 'send', client_id: clientId, body: item.body })) state.inflight = clientId;
}

/** The server answered a message (stored, or refused for good): the next one may go. */
function answered(clientId) {
  state.outbox.delete(clientId);
  if (state.inflight === clientId) state.inflight = null;
  pumpOutbox();
}

/** A message was refused for now: it and everything after it wait, then go again in order. */
/** What the composer says while a refused message waits to go again, by the refusal's code. */
const HOLD_STATUS = { rate_limited: 'sending_soon', overloaded: 'sending_busy' };

function holdOutbox(clientId, waitMs, status) {
  if (state.inflight === clientId) state.inflight = null;
  if (status) tx($('composer-status'), status);
  clearTimeout(state.holdTimer);
  state.holdTimer = setTimeout(() => { state.holdTimer = 0; pumpOutbox(); }, Math.min(Math.max(waitMs, 50), 30_000));
}

function clearOutbox() {
  state.outbox.clear();
  state.inflight = null;
  clearTimeout(state.holdTimer);
  state.holdTimer = 0;
}

// ---------------------------------------------------------------- composer

function setComposerEnabled(on) {
  $('message-input').disabled = !on;
  $('composer').querySelector('button[type="submit"]').disabled = !on;
}

function updateCounter() {
  const len = $('message-input').value.length;
  const counter = $('message-counter');
  tx(counter, 'counter', { count: len, max: MAX_CHARS });
  counter.classList.toggle('counter-near', len > MAX_CHARS - 200);
}

function setupComposer() {
  const input = $('message-input');
  input.addEventListener('input', () => { updateCounter(); untx($('composer-error')); typingNow(); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !e.isComposing) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    if (state.ended || !state.session) return;
    const body = input.value;
    if (!body.trim()) { tx($('composer-error'), 'err_empty'); return; }
    if (body.length > MAX_CHARS) { tx($('composer-error'), 'err_too_long'); return; }
    untx($('composer-error'));
    sendMessage(body);
    input.value = '';
    updateCounter();
    input.focus();
  });
  updateCounter();
}

// ---------------------------------------------------------------- forwarding: the question in the chat

const MAX_INSTRUCTIONS = 1000;

/** The officer asks whether the report may go to a unit (PROTOCOL.md §1.3, `consent`). */
function onConsent(f) {
  if (state.ended) return;
  const previous = state.consent;
  const fresh = !previous || previous.unit !== f.unit || (previous.answer !== null && f.answer === null);
  state.consent = { unit: String(f.unit), unit_name: String(f.unit_name ?? f.unit), question: String(f.question ?? ''), answer: f.answer ?? null };
  state.consentAnswer = null;
  const box = $('consent');
  box.hidden = false;
  $('consent-question').textContent = state.consent.question;
  untx($('consent-error'));
  setConsentBusy(false);
  if (state.consent.answer === null) {
    $('consent-ask').hidden = false;
    $('consent-form').hidden = true;
    untx($('consent-answer'));
    // Said once, calmly, without taking the focus from what the person is writing.
    if (fresh) announce(t('consent_asked', { question: state.consent.question }));
    keepInView(false);
  } else {
    $('consent-ask').hidden = true;
    $('consent-form').hidden = true;
    $('consent-instructions').value = '';
    updateConsentCounter();
    tx($('consent-answer'), state.consent.answer ? 'consent_yes_recorded' : 'consent_no_recorded', { unit: state.consent.unit_name });
  }
}

function hideConsent() {
  state.consent = null;
  state.consentAnswer = null;
  $('consent').hidden = true;
  $('consent-question').textContent = '';
  $('consent-instructions').value = '';
  untx($('consent-answer'));
  untx($('consent-error'));
}

function setConsentBusy(on) {
  for (const id of ['consent-yes', 'consent-no', 'consent-send']) $(id).disabled = on;
}

function consentRefused(key) {
  if (!state.consent) return;
  state.consentAnswer = null;
  setConsentBusy(false);
  tx($('consent-error'), key);
  if (key === 'consent_err_not_asked') {
    $('consent-form').hidden = true;
    $('consent-ask').hidden = true;
  } else if (!$('consent-form').hidden) {
    $('consent-instructions').focus();
  }
}

function answerConsent(fields) {
  if (!state.consent) return;
  const frame = { type: 'consent_answer', unit: state.consent.unit, ...fields };
  untx($('consent-error'));
  if (!sendFrame(frame)) { tx($('consent-error'), 'consent_err_offline'); return; }
  state.consentAnswer = frame;
  setConsentBusy(true);
}

function updateConsentCounter() {
  const len = $('consent-instructions').value.length;
  const counter = $('consent-counter');
  tx(counter, 'counter', { count: len, max: MAX_INSTRUCTIONS });
  counter.classList.toggle('counter-near', len > MAX_INSTRUCTIONS - 100);
}

function setupConsent() {
  $('consent-yes').addEventListener('click', () => {
    $('consent-ask').hidden = true;
    $('consent-form').hidden = false;
    untx($('consent-error'));
    $('consent-write').checked = true;
    $('consent-instructions-field').hidden = false;
    $('consent-write').focus();
  });
  $('consent-no').addEventListener('click', () => answerConsent({ yes: false }));
  $('consent-cancel').addEventListener('click', () => {
    $('consent-form').hidden = true;
    $('consent-ask').hidden = false;
    untx($('consent-error'));
    $('consent-yes').focus();
  });
  $('consent-form').addEventListener('change', () => {
    $('consent-instructions-field').hidden = !$('consent-write').checked;
    untx($('consent-error'));
  });
  $('consent-instructions').addEventListener('input', () => { updateConsentCounter(); untx($('consent-error')); });
  $('consent-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (!$('consent-write').checked) { answerConsent({ yes: true, do_not_contact: true }); return; }
    const text = $('consent-instructions').value;
    if (!text.trim()) { tx($('consent-error'), 'consent_err_contact'); $('consent-instructions').focus(); return; }
    if (text.length > MAX_INSTRUCTIONS) { tx($('consent-error'), 'consent_err_too_long'); $('consent-instructions').focus(); return; }
    answerConsent({ yes: true, instructions: text });
  });
  updateConsentCounter();
}

/** The chat closed as forwarded: how to follow the report, with the code if the page has it. */
function showForwarded() {
  $('forwarded').hidden = false;
  const hasCode = !!state.returnCode;
  $('forwarded-code').textContent = hasCode ? state.returnCode : '';
  $('forwarded-code-row').hidden = !hasCode;
}

function hideForwarded() {
  $('forwarded').hidden = true;
  $('forwarded-code').textContent = '';
  $('forwarded-code-row').hidden = true;
}

// ---------------------------------------------------------------- end of a conversation

function stopSocket() {
  clearTimeout(state.reconnectTimer);
  clearTimeout(state.noticeTimer);
  state.noticeTimer = 0;
  clearInterval(state.pingTimer);
  const ws = state.ws;
  state.ws = null;
  state.welcomed = false;
  if (ws) { try { ws.close(1000); } catch { /* already closed */ } }
}

function endConversation(reason, outcome) {
  if (state.ended) return;
  state.ended = true;
  hideCode();
  hideConsent();
  resetConversationState();
  forgetSession();
  stopSocket();
  state.session = null;
  clearOutbox();
  untx($('conn-notice'));
  untx($('composer-status'));
  setComposerEnabled(false);
  $('message-input').value = '';
  updateCounter();
  if (reason === 'closed') {
    // Keep the last words of the officer on screen; nothing of it is stored on the device.
    if (outcome === 'report_forwarded') {
      tx($('ended-reason'), 'ended_forwarded');
      showForwarded();
    } else {
      tx($('ended-reason'), 'ended_closed');
    }
    show('chat', 'ended');
  } else {
    $('messages').replaceChildren();
    state.seen.clear();
    tx($('ended-reason'), reason === 'left' ? 'ended_left' : 'ended_invalid');
    show('ended');
  }
  focusHeading('ended-title');
}

// ---------------------------------------------------------------- return code

/** The code, shown once in the waiting room; gone from the page once noted (or on exit). */
function showCode(code) {
  if (!code) return;
  state.returnCode = code;
  $('code-value').textContent = code;
  $('code-box').hidden = false;
}

function hideCode() {
  untx($('code-value'));
  $('code-box').hidden = true;
}

function setupResume() {
  const open = $('resume-open');
  open.hidden = false;
  open.addEventListener('click', () => { show('resume'); focusHeading('resume-title'); });
  $('resume-back').addEventListener('click', () => {
    $('resume-code').value = '';
    untx($('resume-error'));
    $('resume-follow').hidden = true;
    show('landing');
    focusHeading('landing-title');
  });
  $('code-done').addEventListener('click', () => { hideCode(); focusHeading('waiting-title'); });
  $('resume-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('resume-code');
    const error = $('resume-error');
    const digits = input.value.replace(/[^0-9\u0660-\u0669\u06F0-\u06F9]/g, '');
    const fail = (key) => {
      tx(error, key);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    };
    $('resume-follow').hidden = true;
    if (digits.length !== 16) { fail('resume_format'); return; }
    untx(error);
    input.removeAttribute('aria-invalid');
    const submit = $('resume-submit');
    const label = submit.textContent;
    submit.disabled = true;
    submit.textContent = t('busy');
    try {
      const res = await fetch('/api/visitor/resume', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: input.value }),
        credentials: 'omit',
        cache: 'no-store',
      });
      if (res.ok) {
        const data = await res.json();
        state.returnCode = digits.replace(/(.{2})(?!$)/g, '$1 ');
        input.value = '';
        beginConversation({ conversation_id: data.conversation_id, token: data.token, lang: document.documentElement.lang });
        // Back with a language picked on this page: the officer is told.
        if (state.languagePicked) state.languageToSend = document.documentElement.lang;
        addSystemNote('back_note');
        return;
      }
      let code = null;
      try { code = (await res.json()).error; } catch { /* not JSON */ }
      if (code === 'report_forwarded') {
        // The code now follows the report: say so calmly and point to the follow-up, where
        // the person gives it again (it never travels in a URL or stays on the device).
        input.value = '';
        tx(error, 'resume_forwarded');
        $('resume-follow').hidden = false;
        $('resume-follow-link').focus();
        return;
      }
      fail(res.status === 404 ? 'resume_unknown' : res.status === 409 ? 'resume_closed'
        : res.status === 429 ? 'resume_busy' : res.status === 400 ? 'resume_format' : 'err_server');
    } catch {
      fail('err_network');
    } finally {
      submit.disabled = false;
      submit.textContent = labelOf(submit, label);
    }
  });
}

function setupRestart() {
  $('restart').addEventListener('click', () => {
    state.seen.clear();
    $('messages').replaceChildren();
    untx($('ended-reason'));
    hideForwarded();
    show('start');
    focusHeading('start-title');
  });
}

// ---------------------------------------------------------------- language

/**
 * Puts the page in another language without leaving it: the conversation, the draft and the
 * focus stay; the officer is told. Returns false when the words could not be fetched (offline):
 * the page stays as it was.
 */
async function switchLanguage(lang) {
  if (lang === document.documentElement.lang) return true;
  let bundle;
  try {
    const res = await fetch(`/i18n/${encodeURIComponent(lang)}.json`, { credentials: 'omit', cache: 'no-store' });
    if (!res.ok) return false;
    bundle = await res.json();
  } catch {
    return false;
  }
  if (isExiting()) return false;
  applyBundle(bundle);
  state.languagePicked = true;
  if (state.session && !state.ended) {
    state.session.lang = bundle.lang;
    saveSession(state.session);
    state.languageToSend = bundle.lang;
    sendLanguage();
  }
  return true;
}

/** Tells the server (and so the officer) the language the person now reads. */
function sendLanguage() {
  if (state.languageToSend && state.welcomed
      && sendFrame({ type: 'language', language: state.languageToSend })) {
    state.languageSent = state.languageToSend;
    state.languageToSend = null;
  }
}

function applyBundle(b) {
  const root = document.documentElement;
  root.lang = b.lang;
  root.dir = b.dir;
  i18n = b.script || {};
  pageWords = b.page || {};
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const text = b.page[el.dataset.i18n];
    if (text == null) continue;
    if (el.dataset.i18n.endsWith('-html')) {
      // Our own words with their links and emphasis, from our own server.
      const tpl = document.createElement('template');
      tpl.innerHTML = text;
      el.replaceChildren(tpl.content);
    } else {
      el.textContent = text;
    }
  }
  for (const el of document.querySelectorAll('[data-i18n-label]')) {
    const text = b.page[el.dataset.i18nLabel];
    if (text != null) el.setAttribute('aria-label', text);
  }
  for (const el of document.querySelectorAll('[data-t]')) {
    let vars = {};
    try { vars = JSON.parse(el.dataset.tv || '{}'); } catch { /* keep none */ }
    el.textContent = t(el.dataset.t, vars);
  }
  for (const a of document.querySelectorAll('.lang-switch [data-lang]')) {
    if (a.dataset.lang === b.lang) a.setAttribute('aria-current', 'true');
    else a.removeAttribute('aria-current');
  }
  $('safety-link').href = `/securite?lang=${encodeURIComponent(b.lang)}`;
  for (const id of ['forwarded-link', 'resume-follow-link']) $(id).href = `/suivi?lang=${encodeURIComponent(b.lang)}`;
  timeFmt = new Intl.DateTimeFormat(localeTag(), { hour: '2-digit', minute: '2-digit' });
  for (const time of document.querySelectorAll('#messages time.msg-time')) {
    if (time.dateTime) time.textContent = formatTime(time.dateTime);
  }
}

function setupLanguage() {
  for (const a of document.querySelectorAll('.lang-switch [data-lang]')) {
    a.addEventListener('click', async (e) => {
      // Without script the link reloads the page in that language; with it, nothing is lost.
      e.preventDefault();
      if (await switchLanguage(a.dataset.lang)) return;
      // Leaving now would end the conversation on this device (or undo a quick exit): the page
      // stays as it is, and the link can be tried again. Before any conversation, it loads.
      if (isExiting() || state.session) return;
      location.replace(a.href);
    });
  }
}

// ---------------------------------------------------------------- quick exit

onQuickExit({
  notify() {
    const ws = state.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'quick_exit' }));
  },
  wipe() {
    state.ended = true;
    hideCode();
    hideConsent();
    hideForwarded();
    state.returnCode = null;
    $('resume-code').value = '';
    stopSocket();
    state.session = null;
    clearOutbox();
    state.seen.clear();
    state.officerName = null;
    $('messages').replaceChildren();
    untx($('announcer'));
    untx($('chat-with'));
    $('message-input').value = '';
    untx($('queue-position'));
    untx($('queue-wait'));
    untx($('queue-meanwhile'));
  },
});

// ---------------------------------------------------------------- boot

setupStart();
setupDanger();
setupResume();
setupComposer();
setupConsent();
setupRestart();
setupLanguage();

const saved = resumableSession();
if (saved) {
  // A reload: reconnect straight away. The page has shown nothing yet, so hello asks for the whole
  // history (last_seq 0); what was already shown before the reload is not read out again.
  state.session = saved;
  state.announceAfter = storedSeq();
  // The language chosen during the conversation outlives a reload, like the conversation.
  if (saved.lang && saved.lang !== document.documentElement.lang) switchLanguage(saved.lang);
  resetConversationView();
  show('waiting', 'chat', 'reading');
  connect();
}
