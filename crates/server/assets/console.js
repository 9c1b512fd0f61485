// The officer console: presence, offers and the live queue, several chats as tabs with notes
// and transfers, alerts that cannot be missed, closing with an outcome; for supervisors, the
// live board, silent monitoring, whispers and take-over.
// Protocol: docs/PROTOCOL.md (§2.2 staff socket, §4 delivery, §5 reconnect). All user-visible
// text comes from the page (the #i18n block, the markup and its <template>s).

// The end of a shift and the board's shift section live in their own module.
import './console-shift.js';
import { initWellbeing, onPresence, onWellbeing, onWellbeingBoard } from './console-wellbeing.js';

const $ = (id) => document.getElementById(id);
const i18n = (() => { try { return JSON.parse($('i18n').textContent); } catch { return {}; } })();
const t = (key, vars = {}) =>
  (i18n[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

const MAX_CHARS = 4000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const PING_MS = 25000;
const PONG_MS = 10000;
const TICK_MS = 15000;
const timeFmt = new Intl.DateTimeFormat(document.documentElement.lang || 'fr', { hour: '2-digit', minute: '2-digit' });
const baseTitle = document.title;
const me = { displayName: document.body.dataset.displayName || '' };

const state = {
  ws: null,
  welcomed: false,
  attempt: 0,
  reconnectTimer: 0,
  pingTimer: 0,
  queue: [],
  queueEls: new Map(), // conversation_id -> <li>
  chats: new Map(), // conversation_id -> chat
  selected: null,
  pendingClaims: new Set(),
  pendingCloses: new Set(),
  stopped: false,
  presence: 'available',
  mode: 'offer',
  offer: null, // { id, expiresAt, timer }
  knownQueue: null, // ids seen in the previous queue frame (null before the first)
  monitor: null, // { id, seen: Set }
  canned: [], // canned replies, by shortcut
  resources: new Map(), // département ('' for national only) -> items
  supervisor: ['supervisor', 'admin'].includes(document.body.dataset.role),
};

// ---------------------------------------------------------------- formatting

function formatTime(iso) {
  const d = iso ? new Date(iso) : new Date();
  return Number.isNaN(d.getTime()) ? '' : timeFmt.format(d);
}
function formatAgo(iso) {
  const start = new Date(iso).getTime();
  if (Number.isNaN(start)) return '—';
  const mins = Math.floor(Math.max(0, Date.now() - start) / 60000);
  if (mins < 1) return t('under_minute');
  if (mins < 60) return t('minutes', { m: mins });
  return t('hours', { h: Math.floor(mins / 60), mm: String(mins % 60).padStart(2, '0') });
}
const kindText = (k) => t(k === 'witness' ? 'witness' : 'victim');
const minorText = (m) => t(m ? 'minor' : 'adult');
const deptText = (d) => (d ? t('dept', { dept: d }) : t('no_dept_short'));
const refOf = (id) => String(id).replace(/-/g, '').slice(-6);

// ---------------------------------------------------------------- socket

function connect() {
  clearTimeout(state.reconnectTimer);
  if (state.stopped) return;
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/staff`;
  let ws;
  try { ws = new WebSocket(url); } catch { scheduleReconnect(); return; }
  state.ws = ws;
  state.welcomed = false;
  let opened = false;
  ws.addEventListener('open', () => {
    opened = true;
    clearInterval(state.pingTimer);
    state.pingTimer = setInterval(() => {
      // No answer to a ping within PONG_MS: the line is dead, reconnect.
      if (sendFrame({ type: 'ping' })) {
        clearTimeout(state.pongTimer);
        state.pongTimer = setTimeout(() => dropSocket(ws), PONG_MS);
      }
    }, PING_MS);
  });
  ws.addEventListener('message', (ev) => {
    if (state.ws !== ws) return;
    clearTimeout(state.pongTimer);
    let frame;
    try { frame = JSON.parse(ev.data); } catch { return; }
    handleFrame(frame);
  });
  ws.addEventListener('close', async () => {
    if (state.ws !== ws) return;
    state.ws = null;
    state.welcomed = false;
    clearInterval(state.pingTimer);
    clearTimeout(state.pongTimer);
    document.body.dataset.connection = 'offline';
    setStatus(t('disconnected'));
    // A refused upgrade looks like any network failure: ask whether the session is still valid.
    if (!opened || state.attempt >= 2) {
      try {
        const res = await fetch('/api/staff/me', { cache: 'no-store' });
        if (res.status === 401) { sessionExpired(); return; }
      } catch { /* offline: keep retrying */ }
    }
    scheduleReconnect();
  });
}

function scheduleReconnect() {
  clearTimeout(state.reconnectTimer);
  const base = BACKOFF_MS[Math.min(state.attempt, BACKOFF_MS.length - 1)];
  state.attempt += 1;
  state.reconnectTimer = setTimeout(connect, base * (0.8 + Math.random() * 0.4));
}

function sendFrame(frame) {
  const ws = state.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

function setStatus(text) { $('conn-status').textContent = text; }

function sessionExpired() {
  state.stopped = true;
  const status = $('conn-status');
  status.textContent = `${t('session_expired')} `;
  const a = document.createElement('a');
  a.href = '/console/login';
  a.textContent = t('login_again');
  status.append(a);
}

/** Gives up on a socket at once (the network went away) and reconnects as after a close. */
function dropSocket(ws) {
  if (!ws || state.ws !== ws) return;
  state.ws = null;
  state.welcomed = false;
  clearInterval(state.pingTimer);
  clearTimeout(state.pongTimer);
  document.body.dataset.connection = 'offline';
  try { ws.close(); } catch { /* already gone */ }
  if (state.stopped) return;
  setStatus(t('disconnected'));
  scheduleReconnect();
}

addEventListener('offline', () => dropSocket(state.ws));
addEventListener('online', () => { if (!state.ws && !state.stopped) { state.attempt = 0; connect(); } });

// ---------------------------------------------------------------- frames

function handleFrame(f) {
  switch (f.type) {
    case 'welcome': onWelcome(f); break;
    case 'queue': onQueue(f.items || [], Number(f.total) || 0); break;
    case 'claimed': onClaimed(f.chat); break;
    case 'message':
      if (state.monitor && f.conversation_id === state.monitor.id && !state.chats.has(f.conversation_id)) onMonitorMessage(f);
      else onMessage(f);
      break;
    case 'ack': onAck(f); break;
    case 'visitor_left': onVisitorLeft(f.conversation_id, f.at); break;
    case 'chat_closed': removeChat(f.conversation_id, true); break;
    case 'offer': onOffer(f); break;
    case 'offer_withdrawn': onOfferWithdrawn(f.conversation_id); break;
    case 'presence': setPresence(f.status); break;
    case 'flagged': onFlagged(f); break;
    case 'note': onNote(f); break;
    case 'handed_over': onHandedOver(f); break;
    case 'colleagues': onColleagues(f.items || []); break;
    case 'canned': state.canned = f.items || []; for (const c of state.chats.values()) renderPicker(c); break;
    case 'resources': onResources(f.departement || '', f.items || []); break;
    case 'case_file': onCaseFile(f.conversation_id, f.case || {}); break;
    case 'consent': onConsent(f); break;
    case 'typing': onTyping(f.conversation_id); break;
    case 'visitor_back': onVisitorBack(f.conversation_id); break;
    case 'visitor_language': onVisitorLanguage(f.conversation_id, f.language); break;
    case 'marks': onMarks(f.conversation_id, Number(f.received_seq) || 0, Number(f.read_seq) || 0); break;
    case 'board': onBoard(f); break;
    case 'wellbeing': onWellbeing(f); break;
    case 'wellbeing_board': onWellbeingBoard(f); break;
    case 'monitoring': onMonitoring(f.chat); break;
    case 'monitor_state': onMonitorState(f); break;
    case 'error': onError(f); break;
    default: break;
  }
}

// ---------------------------------------------------------------- alerts

// Alerts an officer cannot miss: a sound, a desktop notification when the page is not in front,
// and the tab title. Never any message content in a notification.
let audio = null;
function unlockAudio() {
  if (audio || !window.AudioContext) return;
  try { audio = new AudioContext(); } catch { audio = null; }
}
addEventListener('pointerdown', unlockAudio, { once: true });
addEventListener('keydown', unlockAudio, { once: true });

function beep(urgent) {
  if (!$('sound-on').checked || !audio) return;
  try {
    const now = audio.currentTime;
    const tones = urgent ? [880, 660, 880] : [660];
    tones.forEach((freq, i) => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.25 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.25 + 0.2);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.25);
      osc.stop(now + i * 0.25 + 0.22);
    });
  } catch { /* no sound device */ }
}

let titleFlash = '';
function raiseAlert(text, urgent) {
  beep(urgent);
  document.body.dataset.lastAlert = text;
  if ('Notification' in window && Notification.permission === 'granted' && (document.hidden || !document.hasFocus())) {
    try {
      const n = new Notification('Écoute', { body: text, tag: 'ecoute-alert', renotify: true, silent: true });
      n.addEventListener('click', () => { window.focus(); n.close(); });
    } catch { /* notifications unavailable */ }
  }
  if (document.hidden || !document.hasFocus()) { titleFlash = text; refreshTitle(); }
}

addEventListener('focus', () => { titleFlash = ''; refreshTitle(); });

function setupNotifications() {
  const b = $('notify-enable');
  if (!('Notification' in window) || Notification.permission !== 'default') return;
  b.hidden = false;
  b.addEventListener('click', async () => {
    try { await Notification.requestPermission(); } catch { /* refused */ }
    b.hidden = Notification.permission === 'default';
  });
}

// ---------------------------------------------------------------- presence, offers, take next

function setPresence(status) {
  state.presence = status;
  for (const b of document.querySelectorAll('.presence-btn')) {
    b.setAttribute('aria-pressed', String(b.dataset.status === status));
  }
  document.body.dataset.presence = status;
  onPresence(status);
}

for (const b of document.querySelectorAll('.presence-btn')) {
  b.addEventListener('click', () => sendFrame({ type: 'presence', status: b.dataset.status }));
}
initWellbeing({ t, send: (f) => sendFrame(f) });
$('take-next').addEventListener('click', () => { if (sendFrame({ type: 'take_next' })) state.takingNext = true; });

function needsText(item) {
  const force = item.force ? t(`force_${item.force}`) : t('force_any');
  return t('needs', { force, lang: langName(item.language) });
}

/** A language by its name in the console's language ("arabe"), or its code when unknown. */
function langName(code) {
  const c = String(code || 'fr').toLowerCase();
  return i18n[`lang_${c}`] ?? c.toUpperCase();
}

function flagsText(item) {
  if (item.priority === 'danger') {
    return item.labels && item.labels.length ? `${t('priority_danger')} · ${item.labels.join(' · ')}` : t('priority_danger');
  }
  return item.labels && item.labels.length ? t('flag_line', { labels: item.labels.join(' · ') }) : '';
}

function onOffer(f) {
  const item = f.chat;
  if (!item) return;
  clearOffer();
  const box = $('offer');
  const expires = new Date(f.expires_at).getTime();
  state.offer = { id: item.conversation_id, expiresAt: expires, timer: 0 };
  box.querySelector('.offer-what').textContent = t('offer_what', {
    kind: kindText(item.kind), minor: minorText(item.minor), dept: deptText(item.departement),
  });
  box.querySelector('.offer-flags').textContent = flagsText(item);
  box.classList.toggle('is-urgent', item.priority !== 'normal');
  const tick = () => {
    const left = Math.max(0, Math.round((expires - Date.now()) / 1000));
    box.querySelector('.offer-left').textContent = String(left);
  };
  tick();
  state.offer.timer = setInterval(tick, 1000);
  box.hidden = false;
  raiseAlert(t('notify_offer'), item.priority !== 'normal');
}

function clearOffer() {
  if (state.offer) clearInterval(state.offer.timer);
  state.offer = null;
  $('offer').hidden = true;
}

function onOfferWithdrawn(id) {
  if (state.offer && state.offer.id === id) clearOffer();
}

$('offer').querySelector('.offer-accept').addEventListener('click', () => {
  if (!state.offer) return;
  const id = state.offer.id;
  if (sendFrame({ type: 'claim', conversation_id: id })) state.pendingClaims.add(id);
  clearOffer();
});
$('offer').querySelector('.offer-decline').addEventListener('click', () => {
  if (!state.offer) return;
  sendFrame({ type: 'decline', conversation_id: state.offer.id });
  clearOffer();
});

function onWelcome(f) {
  state.welcomed = true;
  state.attempt = 0;
  document.body.dataset.connection = 'online';
  setStatus('');
  if (f.user && f.user.display_name) me.displayName = f.user.display_name;
  if (f.presence) setPresence(f.presence);
  if (f.mode) {
    state.mode = f.mode;
    $('mode-note').textContent = t(f.mode === 'pull' ? 'mode_pull' : 'mode_offer');
  }
  const open = new Set();
  for (const chat of f.chats || []) {
    open.add(chat.conversation_id);
    ensureChat(chat);
  }
  // A chat we show but the server no longer lists was closed while we were away.
  for (const id of [...state.chats.keys()]) if (!open.has(id)) removeChat(id, false);
  // §5: sync every chat from the highest seq we have, then resend what was not acknowledged,
  // one message at a time per chat (§4); a new connection has a fresh allowance.
  for (const chat of state.chats.values()) {
    sendFrame({ type: 'sync', conversation_id: chat.id, after_seq: contiguousSeq(chat) });
    chat.inflight = null;
    clearTimeout(chat.holdTimer);
    chat.holdTimer = 0;
    pumpOutbox(chat);
  }
  if (!state.selected && state.chats.size) select(state.chats.keys().next().value, false);
  refreshTitle();
}

/** A refusal from the server in the console's language. */
function errorText(code) {
  const key = `error_${code}`;
  return key in i18n ? t(key) : t('error_other', { code: String(code) });
}

// Each error names the frame it answers (`frame`): it is shown where that action was taken.
function onError(f) {
  const id = f.conversation_id;
  const chat = id && state.chats.get(id);
  // The server's own message is for developers; people read the console's words for the code.
  const text = errorText(f.code);
  if (f.client_id && chat && chat.outbox.has(f.client_id)) {
    if (f.code === 'unavailable' || f.code === 'rate_limited' || f.code === 'overloaded' || f.code === 'out_of_order') {
      holdOutbox(chat, f.client_id, Number(f.retry_after_ms) || 1000, HOLD_STATUS[f.code]);
      return;
    }
    const msg = f.code === 'empty_message' ? t('err_empty')
      : f.code === 'message_too_long' ? t('err_too_long')
        : f.code === 'conversation_closed' ? t('err_conversation_closed')
          : t('err_send', { message: text });
    failPending(chat, f.client_id, msg);
    return;
  }
  switch (f.frame) {
    case 'qualify':
      if (chat) chat.els.qualifyError.textContent = text;
      return;
    case 'transfer':
      if (chat) chat.els.transferError.textContent = t('transfer_failed', { message: text });
      return;
    case 'note':
      if (chat) {
        chat.els.noteError.textContent = text;
        // The note was not kept: give its text back, unless something new was typed.
        if (chat.noteDraft && !chat.els.noteInput.value) chat.els.noteInput.value = chat.noteDraft;
        chat.noteDraft = '';
      }
      return;
    case 'ask_consent':
      if (chat) chat.els.closeError.textContent = text;
      return;
    case 'close':
      state.pendingCloses.delete(id);
      if (chat) {
        chat.els.closeError.textContent = t('close_failed', { message: text });
        chat.els.closeButton.disabled = false;
        chat.els.closeButton.textContent = chat.closeLabel;
      }
      return;
    case 'monitor': case 'whisper': case 'take_over':
      if (state.supervisor) $('monitor').querySelector('.whisper-error').textContent = text;
      if (f.frame === 'take_over') state.takingOver = null;
      return;
    case 'take_next':
      state.takingNext = false;
      queueAlert(f.code === 'nothing_to_take' ? t('nothing_to_take') : f.code === 'at_capacity' ? t('at_capacity') : text);
      return;
    case 'claim': {
      state.pendingClaims.delete(id);
      queueAlert(f.code === 'already_claimed' ? t('already_claimed')
        : f.code === 'at_capacity' ? t('at_capacity')
          : f.code === 'not_eligible' ? t('not_eligible') : t('claim_failed'));
      const li = state.queueEls.get(id);
      if (li) resetClaimButton(li);
      return;
    }
    default:
      if (chat) chat.els.error.textContent = text;
      else if (text) setStatus(text);
  }
}

// ---------------------------------------------------------------- queue

let queueAlertTimer = 0;
function queueAlert(text) {
  const el = $('queue-alert');
  el.textContent = text;
  clearTimeout(queueAlertTimer);
  queueAlertTimer = setTimeout(() => { el.textContent = ''; }, 15000);
}

function resetClaimButton(li) {
  const b = li.querySelector('.qi-claim');
  b.disabled = false;
  b.textContent = b.dataset.label;
}

function onQueue(items, total) {
  state.queue = items;
  // A new chat in the queue is an alert; a new urgent one, a louder one.
  if (state.knownQueue) {
    const fresh = items.filter((i) => !state.knownQueue.has(i.conversation_id));
    const urgent = fresh.some((i) => i.priority !== 'normal');
    if (fresh.length) raiseAlert(t(urgent ? 'notify_danger' : 'notify_new_chat'), urgent);
  }
  state.knownQueue = new Set(items.map((i) => i.conversation_id));
  const list = $('queue-list');
  const focused = document.activeElement;
  const next = [];
  const away = [];
  const keep = new Set();
  for (const item of items) {
    const id = item.conversation_id;
    keep.add(id);
    let li = state.queueEls.get(id);
    if (!li) {
      li = $('tpl-queue-item').content.firstElementChild.cloneNode(true);
      li.dataset.conversationId = id;
      const title = li.querySelector('.qi-title');
      title.id = `qi-${id}`;
      const button = li.querySelector('.qi-claim');
      button.dataset.label = button.textContent;
      button.setAttribute('aria-describedby', title.id);
      button.addEventListener('click', () => claim(id, li));
      const block = li.querySelector('.qi-block');
      block.setAttribute('aria-describedby', title.id);
      armBlock(block, id);
      state.queueEls.set(id, li);
    }
    li.querySelector('.qi-kind').textContent = kindText(item.kind);
    li.querySelector('.qi-minor').textContent = minorText(item.minor);
    li.querySelector('.qi-dept').textContent = deptText(item.departement);
    li.classList.toggle('is-minor', !!item.minor);
    li.classList.toggle('is-danger', item.priority === 'danger');
    li.classList.toggle('is-flagged', item.priority === 'flagged');
    li.dataset.priority = item.priority || 'normal';
    li.querySelector('.qi-needs').textContent = needsText(item)
      + (item.handed_over ? ` · ${t('handed_over_note')}` : '');
    li.querySelector('.qi-flags').textContent = flagsText(item);
    const eligible = item.eligible !== false;
    li.querySelector('.qi-ineligible').hidden = eligible;
    const claimButton = li.querySelector('.qi-claim');
    if (!state.pendingClaims.has(id)) claimButton.disabled = !eligible;
    li.dataset.since = item.waiting_since;
    li.querySelector('.qi-since').textContent = formatAgo(item.waiting_since);
    li.classList.toggle('is-away', item.visitor_here === false);
    (item.visitor_here === false ? away : next).push(li);
  }
  for (const [id, li] of state.queueEls) if (!keep.has(id)) state.queueEls.delete(id);
  list.replaceChildren(...next);
  $('queue-away').replaceChildren(...away);
  $('queue-away-box').hidden = away.length === 0;
  $('queue-away-count').textContent = String(away.length);
  if (focused && focused.isConnected && focused !== document.activeElement) focused.focus();
  // The server sends the head of a long queue; the rest is counted.
  const all = Math.max(total, items.length);
  $('queue-count').textContent = String(all);
  $('queue-empty').hidden = all > 0;
  const more = $('queue-more');
  more.hidden = all <= items.length;
  more.textContent = more.hidden ? '' : t('queue_more', { count: all - items.length });
}

/**
 * Blocking ends a chat for good and revokes its token: it takes two clicks, the first one only
 * asks for confirmation (no modal dialog, which would stop the console), and resets after 5 s.
 */
function armBlock(button, id) {
  const label = button.textContent;
  let timer = 0;
  button.addEventListener('click', () => {
    if (button.dataset.armed !== 'true') {
      button.dataset.armed = 'true';
      button.textContent = button.dataset.confirm;
      timer = setTimeout(() => { button.dataset.armed = ''; button.textContent = label; }, 5000);
      return;
    }
    clearTimeout(timer);
    button.dataset.armed = '';
    button.textContent = label;
    sendFrame({ type: 'block', conversation_id: id });
  });
}

function claim(id, li) {
  const b = li.querySelector('.qi-claim');
  if (!sendFrame({ type: 'claim', conversation_id: id })) return;
  state.pendingClaims.add(id);
  b.disabled = true;
  b.textContent = t('claiming');
}

// ---------------------------------------------------------------- chats

function onClaimed(chatInfo) {
  if (!chatInfo) return;
  if (state.takingOver && state.takingOver === chatInfo.conversation_id) {
    state.takingOver = null;
    stopMonitor();
    state.pendingClaims.add(chatInfo.conversation_id);
  }
  const asked = state.pendingClaims.delete(chatInfo.conversation_id) || state.takingNext;
  state.takingNext = false;
  $('queue-alert').textContent = '';
  const isNew = !state.chats.has(chatInfo.conversation_id);
  const chat = ensureChat(chatInfo);
  sendFrame({ type: 'sync', conversation_id: chat.id, after_seq: contiguousSeq(chat) });
  if (asked || !state.selected) {
    select(chat.id, false);
    chat.els.input.focus();
  } else if (isNew) {
    // Handed over by a colleague: shown as a new tab, without taking the focus from the
    // chat the officer is writing in.
    chat.unread = Math.max(chat.unread, 1);
    renderBadges(chat);
    refreshTitle();
    raiseAlert(t('notify_new_chat'), false);
  }
}

function ensureChat(info) {
  const id = info.conversation_id;
  let chat = state.chats.get(id);
  if (chat) {
    chat.info = { ...chat.info, ...info };
    fillFacts(chat);
    if (info.state === 'visitor_left' && !chat.left) onVisitorLeft(id, null);
    // Came back with their code while this console was away.
    else if (info.state === 'active' && chat.left) onVisitorBack(id);
    return chat;
  }
  chat = {
    id,
    info,
    seen: new Map(),
    outbox: new Map(), // client_id -> {body, el}, in the order written; not yet acknowledged
    inflight: null, // the one message sent and not yet answered (PROTOCOL.md §4)
    holdTimer: 0, // set while a refused message waits for the moment the server gave
    unread: 0,
    historyUpTo: Number(info.last_seq) || 0, // what was written before this page knew the chat
    left: false,
    leftAt: null,
    awaitingSince: null, // the visitor's first message not answered yet
    marks: { received: Number(info.visitor_received_seq) || 0, read: Number(info.visitor_read_seq) || 0 },
    marksSent: { received: 0, read: 0 },
    typingSentAt: 0,
    typingTimer: 0,
    noteSeqs: new Set(),
    whispers: [], // the supervisors' whispers shown in the conversation, by time
    els: {},
  };
  buildChatDom(chat);
  state.chats.set(id, chat);
  $('chats-empty').hidden = true;
  fillFacts(chat);
  if (info.state === 'visitor_left') onVisitorLeft(id, null);
  return chat;
}

function buildChatDom(chat) {
  const id = chat.id;
  const tab = $('tpl-tab').content.firstElementChild.cloneNode(true);
  tab.id = `tab-${id}`;
  tab.setAttribute('aria-controls', `panel-${id}`);
  tab.dataset.conversationId = id;
  tab.addEventListener('click', () => select(id, true));
  tab.addEventListener('keydown', onTabKey);
  const panel = $('tpl-panel').content.firstElementChild.cloneNode(true);
  panel.id = `panel-${id}`;
  panel.dataset.conversationId = id;
  panel.setAttribute('aria-labelledby', tab.id);
  const q = (sel) => panel.querySelector(sel);
  const els = {
    tab,
    panel,
    tabLabel: tab.querySelector('.tab-label'),
    unread: tab.querySelector('.badge-unread'),
    unreadN: tab.querySelector('.badge-n'),
    leftBadge: tab.querySelector('.badge-left'),
    title: q('.panel-title'),
    leftAlert: q('.left-alert'),
    panelHead: q('.panel-head'),
    list: q('.messages'),
    announcer: q('.announcer'),
    composer: q('.composer'),
    input: q('.c-input'),
    counter: q('.c-counter'),
    error: q('.c-error'),
    status: q('.c-status'),
    send: q('.c-send'),
    closeForm: q('.close-form'),
    outcome: q('.x-outcome'),
    closeButton: q('.x-submit'),
    closeError: q('.x-error'),
    waitBadge: tab.querySelector('.badge-wait'),
    typing: q('.typing'),
    flagBadge: tab.querySelector('.badge-flag'),
    flagAlert: q('.flag-alert'),
    notes: q('.notes'),
    notesCount: q('.notes-count'),
    notesBox: q('.notes-box'),
    noteForm: q('.note-form'),
    noteInput: q('.n-input'),
    noteError: q('.n-error'),
    transferBox: q('.transfer-box'),
    transferForm: q('.transfer-form'),
    transferTarget: q('.t-target'),
    transferNote: q('.t-note'),
    transferError: q('.t-error'),
    people: q('.t-people'),
    cannedButton: q('.c-canned'),
    picker: q('.canned-picker'),
    pickerFilter: q('.cp-filter'),
    pickerList: q('.cp-list'),
    pickerEmpty: q('.cp-empty'),
    resources: q('.resources'),
    resDept: q('.res-dept'),
    qualifyForm: q('.qualify-form'),
    qualifyStatus: q('.q-status'),
    qualifyError: q('.q-error'),
    forwarding: q('.x-forwarding'),
    fwUnit: q('.xf-unit'),
    fwAsk: q('.xf-ask'),
    fwStatus: q('.xf-status'),
    fwContact: q('.xf-contact'),
  };
  chat.els = els;
  chat.closeLabel = els.closeButton.textContent;
  // Unique ids for label/for and aria-describedby.
  els.input.id = `input-${id}`;
  q('.c-label').htmlFor = els.input.id;
  const hint = q('.c-hint');
  hint.id = `hint-${id}`;
  els.counter.id = `counter-${id}`;
  els.error.id = `error-${id}`;
  els.input.setAttribute('aria-describedby', `${hint.id} ${els.counter.id} ${els.error.id}`);
  els.outcome.id = `outcome-${id}`;
  q('.x-label').htmlFor = els.outcome.id;
  els.closeError.id = `xerror-${id}`;
  els.outcome.setAttribute('aria-describedby', els.closeError.id);

  // A list that was showing its end keeps showing it when it gets smaller (an alert appears,
  // the window shrinks): the newest messages stay in view. Whether it showed its end is judged
  // with the height it had before, not from scroll events, which the browser may deliver after
  // the new layout (a shrunken list then looks as if the officer had scrolled up).
  let height = els.list.clientHeight;
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      const before = height;
      height = els.list.clientHeight;
      if (height < before && els.list.scrollTop + before >= els.list.scrollHeight - 24) scrollToEnd(chat);
    }).observe(els.list);
  }
  els.input.addEventListener('input', () => {
    updateCounter(chat);
    els.error.textContent = '';
    // The person sees "… écrit", at most every few seconds.
    if (Date.now() - chat.typingSentAt > 3000 && sendFrame({ type: 'typing', conversation_id: id })) chat.typingSentAt = Date.now();
  });
  els.input.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && expandShortcut(chat)) { e.preventDefault(); return; }
    if (e.altKey && (e.key === 'r' || e.key === 'R')) { e.preventDefault(); openPicker(chat); return; }
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !e.isComposing) {
      e.preventDefault();
      els.composer.requestSubmit();
    }
  });
  els.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = els.input.value;
    if (!body.trim()) { els.error.textContent = t('err_empty'); return; }
    if (body.length > MAX_CHARS) { els.error.textContent = t('err_too_long'); return; }
    els.error.textContent = '';
    sendMessage(chat, body);
    els.input.value = '';
    updateCounter(chat);
    els.input.focus();
  });
  els.closeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const outcome = els.outcome.value;
    if (!outcome) {
      els.closeError.textContent = t('close_choose');
      els.outcome.setAttribute('aria-invalid', 'true');
      els.outcome.focus();
      return;
    }
    els.outcome.removeAttribute('aria-invalid');
    els.closeError.textContent = '';
    const frame = { type: 'close', conversation_id: id, outcome };
    // Forwarded only with the person's yes, given in the chat, to the unit chosen here.
    if (outcome === 'report_forwarded'
      && !(chat.consent && chat.consent.answer === true && chat.consent.unit === els.fwUnit.value)) {
      els.closeError.textContent = t('xf_need_yes');
      (els.fwUnit.value ? els.fwAsk : els.fwUnit).focus();
      return;
    }
    if (!sendFrame(frame)) return;
    state.pendingCloses.add(id);
    els.closeButton.disabled = true;
    els.closeButton.textContent = t('closing');
  });
  els.outcome.addEventListener('change', () => {
    els.closeError.textContent = '';
    els.outcome.removeAttribute('aria-invalid');
    els.forwarding.hidden = els.outcome.value !== 'report_forwarded';
    if (!els.forwarding.hidden) fillUnits(chat);
  });
  els.fwUnit.addEventListener('change', () => { els.closeError.textContent = ''; renderConsent(chat); });
  els.fwAsk.addEventListener('click', () => {
    const unit = els.fwUnit.value;
    if (!unit) { els.closeError.textContent = t('xf_unit'); els.fwUnit.focus(); return; }
    els.closeError.textContent = '';
    sendFrame({ type: 'ask_consent', conversation_id: id, unit });
  });
  // Unique ids and names for the qualification and forwarding fields of this chat.
  for (const [sel, key] of [['.q-danger', 'qdanger'], ['.xf-unit', 'xfunit']]) {
    q(sel).id = `${key}-${id}`;
  }
  q('.q-danger-label').htmlFor = `qdanger-${id}`;
  q('.xf-unit-label').htmlFor = `xfunit-${id}`;
  els.fwUnit.setAttribute('aria-describedby', els.closeError.id);
  for (const r of panel.querySelectorAll('input[name="reporter"]')) r.name = `reporter-${id}`;
  els.qualifyForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const form = els.qualifyForm;
    const facts = [...form.querySelectorAll('input[name="facts"]:checked')].map((i) => i.value);
    const reporter = form.querySelector(`input[name="reporter-${id}"]:checked`);
    if (!facts.length) { els.qualifyError.textContent = t('q_choose_fact'); form.querySelector('input[name="facts"]').focus(); return; }
    if (!reporter) { els.qualifyError.textContent = t('q_choose_reporter'); form.querySelector(`input[name="reporter-${id}"]`).focus(); return; }
    els.qualifyError.textContent = '';
    sendFrame({
      type: 'qualify',
      conversation_id: id,
      qualification: {
        facts, reporter: reporter.value, minor: form.querySelector('input[name="minor"]').checked, danger: form.querySelector('.q-danger').value,
      },
    });
  });
  els.noteInput.id = `note-${id}`;
  q('.n-label').htmlFor = els.noteInput.id;
  els.noteError.id = `nerror-${id}`;
  els.noteInput.setAttribute('aria-describedby', els.noteError.id);
  els.noteForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = els.noteInput.value;
    if (!body.trim()) { els.noteError.textContent = t('err_empty'); return; }
    els.noteError.textContent = '';
    if (!sendFrame({ type: 'note', conversation_id: id, body })) return;
    chat.noteDraft = body;
    els.noteInput.value = '';
  });
  els.pickerFilter.id = `cpf-${id}`;
  q('.cp-label').htmlFor = els.pickerFilter.id;
  els.pickerList.id = `cpl-${id}`;
  els.pickerFilter.setAttribute('aria-controls', els.pickerList.id);
  els.cannedButton.addEventListener('click', () => (els.picker.hidden ? openPicker(chat) : closePicker(chat, true)));
  els.pickerFilter.addEventListener('input', () => renderPicker(chat));
  els.pickerFilter.addEventListener('keydown', (e) => pickerKey(chat, e));
  els.pickerList.addEventListener('keydown', (e) => pickerKey(chat, e));
  const dept = chat.info.departement || '';
  if (!state.resources.has(dept)) sendFrame({ type: 'resources', departement: dept || null });
  else renderResources(chat);
  els.transferTarget.id = `target-${id}`;
  q('.t-label').htmlFor = els.transferTarget.id;
  els.transferNote.id = `tnote-${id}`;
  q('.t-note-label').htmlFor = els.transferNote.id;
  els.transferError.id = `terror-${id}`;
  els.transferNote.setAttribute('aria-describedby', els.transferError.id);
  els.transferBox.addEventListener('toggle', () => { if (els.transferBox.open) sendFrame({ type: 'colleagues' }); });
  els.transferForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const target = els.transferTarget.value;
    const note = els.transferNote.value;
    if (!target) { els.transferError.textContent = t('transfer_choose'); els.transferTarget.focus(); return; }
    if (!note.trim()) { els.transferError.textContent = t('transfer_note'); els.transferNote.focus(); return; }
    els.transferError.textContent = '';
    const frame = { type: 'transfer', conversation_id: id, note };
    if (target.startsWith('force:')) frame.to_force = target.slice(6);
    else frame.to_officer = target;
    sendFrame(frame);
  });
  armBlock(q('.x-block'), id);
  updateCounter(chat);
  $('tabs').append(tab);
  $('panels').append(panel);
}

function fillFacts(chat) {
  const { info, els } = chat;
  const q = (sel) => els.panel.querySelector(sel);
  const label = t('tab_label', {
    kind: kindText(info.kind), dept: deptText(info.departement), time: formatTime(info.created_at), ref: refOf(chat.id),
  });
  els.tabLabel.textContent = label;
  chat.label = label;
  els.title.textContent = t('panel_title', { kind: kindText(info.kind), minor: minorText(info.minor), dept: deptText(info.departement) });
  q('.f-kind').textContent = kindText(info.kind);
  q('.f-minor').textContent = t(info.minor ? 'minor_long' : 'adult_long');
  q('.f-minor').classList.toggle('is-minor', !!info.minor);
  q('.f-dept').textContent = info.departement || t('no_dept');
  q('.f-lang').textContent = langName(info.language);
  q('.f-ref').textContent = refOf(chat.id);
  q('.f-created').textContent = info.created_at
    ? t('at_ago', { time: formatTime(info.created_at), ago: formatAgo(info.created_at) }) : '—';
  q('.f-claimed').textContent = info.claimed_at
    ? t('at_ago', { time: formatTime(info.claimed_at), ago: formatAgo(info.claimed_at) }) : t('not_claimed');
  const labels = info.labels || [];
  const danger = info.priority === 'danger';
  els.flagBadge.hidden = !labels.length && !danger;
  els.flagBadge.textContent = t(danger ? 'badge_danger' : 'badge_flag');
  const lines = [];
  if (danger) lines.push(t('danger_alert'));
  if (labels.length) lines.push(t('flag_alert', { labels: labels.join(' · ') }));
  els.flagAlert.hidden = !lines.length;
  els.flagAlert.textContent = lines.join(' ');
  els.tab.classList.toggle('is-flagged', !els.flagBadge.hidden);
  renderWait(chat);
}

function renderWait(chat) {
  const b = chat.els.waitBadge;
  b.hidden = !chat.awaitingSince || chat.left;
  if (!b.hidden) b.textContent = t('awaiting', { ago: formatAgo(chat.awaitingSince) });
}

function select(id, userAction) {
  const chat = state.chats.get(id);
  if (!chat) return;
  state.selected = id;
  for (const c of state.chats.values()) {
    const on = c.id === id;
    c.els.tab.setAttribute('aria-selected', String(on));
    c.els.tab.tabIndex = on ? 0 : -1;
    c.els.tab.classList.toggle('is-selected', on);
    c.els.panel.hidden = !on;
  }
  chat.unread = 0;
  renderBadges(chat);
  refreshTitle();
  reportMarks(chat);
  if (userAction) chat.els.tab.focus();
}

function onTabKey(e) {
  const tabs = [...$('tabs').querySelectorAll('[role="tab"]')];
  const i = tabs.indexOf(e.currentTarget);
  let j = -1;
  if (e.key === 'ArrowRight' || e.key === 'ArrowDown') j = (i + 1) % tabs.length;
  else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') j = (i - 1 + tabs.length) % tabs.length;
  else if (e.key === 'Home') j = 0;
  else if (e.key === 'End') j = tabs.length - 1;
  if (j < 0) return;
  e.preventDefault();
  select(tabs[j].dataset.conversationId, true);
}

function removeChat(id, announceIt) {
  const chat = state.chats.get(id);
  state.pendingCloses.delete(id);
  if (!chat) return;
  clearTimeout(chat.holdTimer);
  const tabs = [...$('tabs').querySelectorAll('[role="tab"]')];
  const i = tabs.indexOf(chat.els.tab);
  chat.els.tab.remove();
  chat.els.panel.remove();
  state.chats.delete(id);
  if (state.selected === id) {
    state.selected = null;
    const rest = tabs.filter((tb) => tb !== chat.els.tab);
    const next = rest[Math.min(Math.max(i, 0), rest.length - 1)];
    if (next) select(next.dataset.conversationId, false);
    $('chats-title').tabIndex = -1;
    if (announceIt) (next || $('chats-title')).focus();
  }
  $('chats-empty').hidden = state.chats.size > 0;
  if (announceIt) setStatus(t('closed'));
  renderGlobalAlert();
  refreshTitle();
}

// ---------------------------------------------------------------- messages

function contiguousSeq(chat) {
  let n = 0;
  while (chat.seen.has(n + 1)) n += 1;
  return n;
}

function buildMessage({ mine, author, body, sentAt, status }) {
  const li = document.createElement('li');
  li.className = `msg ${mine ? 'msg-mine' : 'msg-theirs'}`;
  const meta = document.createElement('p');
  meta.className = 'msg-meta';
  const who = document.createElement('span');
  who.className = 'msg-author';
  who.textContent = author;
  const time = document.createElement('time');
  time.className = 'msg-time';
  if (sentAt) time.dateTime = sentAt;
  time.textContent = formatTime(sentAt);
  meta.append(who, ' ', time);
  if (status) {
    const st = document.createElement('span');
    st.className = 'msg-status';
    st.textContent = status;
    meta.append(' ', st);
  }
  const text = document.createElement('p');
  text.className = 'msg-body';
  text.dir = 'auto';
  text.textContent = body;
  li.append(meta, text);
  return li;
}

function place(chat, el) {
  const list = chat.els.list;
  const order = Number(el.dataset.order);
  let placed = false;
  for (const child of list.children) {
    if (child !== el && Number(child.dataset.order) > order) { list.insertBefore(el, child); placed = true; break; }
  }
  if (!placed && (el.parentNode !== list || el !== list.lastElementChild)) list.append(el);
  // Whispers have no place in the sequence: they stay where their time puts them.
  for (const w of chat.whispers) placeWhisper(chat, w);
}

/** When an item of the conversation was written (a message not stored yet: after everything). */
function whenOf(el) {
  if (el.dataset.at) return Number(el.dataset.at);
  const time = el.querySelector('.msg-time');
  const ms = time && time.dateTime ? Date.parse(time.dateTime) : NaN;
  return Number.isNaN(ms) ? Infinity : ms;
}

/** A whisper goes after every message written before it (or at the same moment). */
function placeWhisper(chat, el) {
  const list = chat.els.list;
  const at = Number(el.dataset.at);
  for (const child of list.children) {
    if (child === el) continue;
    if (whenOf(child) > at) {
      if (el.nextElementSibling !== child) list.insertBefore(el, child);
      return;
    }
  }
  if (el.parentNode !== list || el !== list.lastElementChild) list.append(el);
}

/**
 * A supervisor's whisper in the conversation's flow, where the officer is looking: marked as
 * advice seen only by them (the person never receives it), in a style of its own.
 */
function showWhisper(chat, n) {
  const li = document.createElement('li');
  li.className = 'msg msg-whisper';
  const at = Date.parse(n.at);
  li.dataset.at = String(Number.isNaN(at) ? Date.now() : at);
  const label = document.createElement('p');
  label.className = 'msg-whisper-label';
  label.textContent = t('whisper_flow');
  const meta = document.createElement('p');
  meta.className = 'msg-meta';
  const who = document.createElement('span');
  who.className = 'msg-author';
  who.textContent = n.author_name || '';
  const time = document.createElement('time');
  time.className = 'msg-time';
  time.dateTime = n.at;
  time.textContent = formatTime(n.at);
  meta.append(who, ' ', time);
  const body = document.createElement('p');
  body.className = 'msg-body';
  body.dir = 'auto';
  body.textContent = String(n.body ?? '');
  li.append(label, meta, body);
  const list = chat.els.list;
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 80;
  chat.whispers.push(li);
  placeWhisper(chat, li);
  // The newest thing in the conversation: brought into view.
  if (stick || li === list.lastElementChild) scrollToEnd(chat);
}

function scrollToEnd(chat) {
  const list = chat.els.list;
  list.scrollTop = list.scrollHeight;
}

function markSent(el, seq, sentAt) {
  el.classList.remove('msg-pending');
  el.dataset.seq = String(seq);
  el.dataset.order = String(seq);
  const time = el.querySelector('.msg-time');
  if (sentAt) { time.dateTime = sentAt; time.textContent = formatTime(sentAt); }
  const st = el.querySelector('.msg-status');
  if (st) st.textContent = t('sent');
}

function onMessage(m) {
  const chat = state.chats.get(m.conversation_id);
  if (!chat) return;
  const seq = Number(m.seq);
  if (!Number.isInteger(seq) || seq < 1 || chat.seen.has(seq)) return;
  const list = chat.els.list;
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 80;
  let el;
  if (m.author === 'officer' && m.client_id && chat.outbox.has(m.client_id)) {
    el = chat.outbox.get(m.client_id).el;
    answered(chat, m.client_id);
    markSent(el, seq, m.sent_at);
  } else {
    const fromVisitor = m.author === 'visitor';
    const mine = !fromVisitor && m.officer_name === me.displayName;
    const author = fromVisitor ? t('visitor') : (mine ? t('you') : (m.officer_name || ''));
    el = buildMessage({ mine, author, body: String(m.body ?? ''), sentAt: m.sent_at, status: null });
    el.dataset.seq = String(seq);
    el.dataset.order = String(seq);
    if (fromVisitor && seq > chat.historyUpTo) {
      const looking = state.selected === chat.id && !document.hidden;
      if (!looking) { chat.unread += 1; renderBadges(chat); refreshTitle(); }
      if (state.selected === chat.id) announceIn(chat, t('new_message', { body: m.body }));
    }
  }
  chat.seen.set(seq, el);
  place(chat, el);
  if (stick || el.classList.contains('msg-mine')) scrollToEnd(chat);
  // How long the person has been waiting for an answer: since their first unanswered message.
  if (seq === contiguousSeq(chat)) {
    if (m.author === 'visitor') chat.awaitingSince ??= m.sent_at;
    else chat.awaitingSince = null;
    renderWait(chat);
  }
  if (m.author === 'visitor' && seq > chat.historyUpTo && (state.selected !== chat.id || document.hidden || !document.hasFocus())) {
    raiseAlert(t('notify_message', { ref: refOf(chat.id) }), false);
  }
  if (m.author === 'visitor') { hideTyping(chat); reportMarks(chat); }
  else applyMarks(chat);
}

// ---------------------------------------------------------------- typing, received and read

function onTyping(id) {
  const chat = state.chats.get(id);
  if (!chat) return;
  chat.els.typing.textContent = t('visitor_typing');
  clearTimeout(chat.typingTimer);
  chat.typingTimer = setTimeout(() => hideTyping(chat), 6000);
}

function hideTyping(chat) {
  clearTimeout(chat.typingTimer);
  chat.els.typing.textContent = '';
}

/** The visitor's messages this console holds: received now; read once the chat is in front. */
function reportMarks(chat) {
  if (!state.welcomed) return;
  // Everything up to the first gap is on screen.
  const received = contiguousSeq(chat);
  // Read means seen: the chat in front, in a window that has the focus.
  const looking = state.selected === chat.id && document.visibilityState === 'visible' && document.hasFocus();
  const read = looking ? received : chat.marksSent.read;
  if (received <= chat.marksSent.received && read <= chat.marksSent.read) return;
  if (sendFrame({ type: 'marks', conversation_id: chat.id, received_seq: received, read_seq: read })) {
    chat.marksSent = { received, read };
  }
}

function onMarks(id, received, read) {
  const chat = state.chats.get(id);
  if (!chat) return;
  chat.marks = { received: Math.max(chat.marks.received, received), read: Math.max(chat.marks.read, read) };
  applyMarks(chat);
}

/** "reçu" and "lu" on the officer's own messages. */
function applyMarks(chat) {
  for (const [seq, el] of chat.seen) {
    if (!el.classList.contains('msg-mine')) continue;
    const st = el.querySelector('.msg-status');
    if (!st) continue;
    if (seq <= chat.marks.read) st.textContent = t('read');
    else if (seq <= chat.marks.received) st.textContent = t('received');
  }
}

function reportSelectedMarks() {
  const chat = state.selected && state.chats.get(state.selected);
  if (chat) reportMarks(chat);
}
document.addEventListener('visibilitychange', reportSelectedMarks);
addEventListener('focus', reportSelectedMarks);

function onAck(f) {
  const chat = state.chats.get(f.conversation_id);
  if (!chat) return;
  const item = chat.outbox.get(f.client_id);
  if (!item) return;
  answered(chat, f.client_id);
  const seq = Number(f.seq);
  const shown = chat.seen.get(seq);
  if (shown && shown !== item.el) { item.el.remove(); return; }
  markSent(item.el, seq, f.sent_at);
  chat.seen.set(seq, item.el);
  place(chat, item.el);
  applyMarks(chat);
  chat.awaitingSince = null;
  renderWait(chat);
}

function failPending(chat, clientId, message) {
  const item = chat.outbox.get(clientId);
  if (item) {
    answered(chat, clientId);
    item.el.classList.remove('msg-pending');
    item.el.classList.add('msg-failed');
    const st = item.el.querySelector('.msg-status');
    if (st) st.textContent = t('failed');
  }
  chat.els.error.textContent = message;
}

function randomClientId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function sendMessage(chat, body) {
  const clientId = randomClientId();
  const el = buildMessage({ mine: true, author: t('you'), body, sentAt: null, status: t('sending') });
  el.classList.add('msg-pending');
  el.dataset.order = 'Infinity';
  chat.outbox.set(clientId, { body, el });
  chat.els.list.append(el);
  scrollToEnd(chat);
  pumpOutbox(chat);
}

/**
 * Sends the chat's oldest message not yet acknowledged, if none is on its way and none waits
 * after a refusal: a message is never stored before one written earlier (PROTOCOL.md §4).
 */
function pumpOutbox(chat) {
  if (!state.welcomed || chat.inflight || chat.holdTimer || !state.chats.has(chat.id)) return;
  const next = chat.outbox.entries().next();
  if (next.done) { chat.els.status.textContent = ''; return; }
  const [clientId, item] = next.value;
  if (sendFrame({ type: 'send', conversation_id: chat.id, client_id: clientId, body: item.body })) {
    chat.inflight = clientId;
  }
}

/** The server answered a message (stored, or refused for good): the next one may go. */
function answered(chat, clientId) {
  chat.outbox.delete(clientId);
  if (chat.inflight === clientId) chat.inflight = null;
  pumpOutbox(chat);
}

/** A message was refused for now: it and everything after it wait, then go again in order. */
/** What the chat's status line says while a refused message waits to go again, by code. */
const HOLD_STATUS = { rate_limited: 'sending_soon', overloaded: 'sending_busy' };

function holdOutbox(chat, clientId, waitMs, status) {
  if (chat.inflight === clientId) chat.inflight = null;
  if (status) chat.els.status.textContent = t(status);
  clearTimeout(chat.holdTimer);
  chat.holdTimer = setTimeout(() => { chat.holdTimer = 0; pumpOutbox(chat); }, Math.min(Math.max(waitMs, 50), 30_000));
}

function updateCounter(chat) {
  const len = chat.els.input.value.length;
  chat.els.counter.textContent = t('counter', { count: len, max: MAX_CHARS });
  chat.els.counter.classList.toggle('counter-near', len > MAX_CHARS - 200);
}

function announceIn(chat, text) {
  const region = chat.els.announcer;
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

// ---------------------------------------------------------------- visitor left (quick exit)

function onVisitorLeft(id, at) {
  const chat = state.chats.get(id);
  if (!chat) return;
  const first = !chat.left;
  chat.left = true;
  if (at) chat.leftAt = at;
  const { els } = chat;
  showEvent(chat, 'exit', t('visitor_left_detail', {
    at: chat.leftAt ? t('visitor_left_at', { time: formatTime(chat.leftAt) }) : '',
  }));
  els.panel.classList.add('is-left');
  els.tab.classList.add('is-left');
  els.leftBadge.hidden = false;
  if (!els.outcome.value) els.outcome.value = 'visitor_left';
  // Only closing remains: the closing form goes to the top of the side column, in view, and
  // leaves the conversation its room.
  els.panelHead.after(els.closeForm);
  if (first) {
    renderGlobalAlert();
    refreshTitle();
    renderWait(chat);
    if (at) raiseAlert(t('notify_left', { ref: refOf(id) }), true);
  }
}

/** The person came back with their return code: the chat is open again. */
function onVisitorBack(id) {
  const chat = state.chats.get(id);
  if (!chat) return;
  const { els } = chat;
  chat.left = false;
  chat.leftAt = null;
  els.panel.classList.remove('is-left');
  els.tab.classList.remove('is-left');
  els.leftBadge.hidden = true;
  showEvent(chat, 'back', t('visitor_back'));
  if (els.outcome.value === 'visitor_left') els.outcome.value = '';
  // The closing form goes back to its place.
  els.transferBox.after(els.closeForm);
  renderGlobalAlert();
  renderWait(chat);
  refreshTitle();
  announceIn(chat, t('visitor_back'));
  raiseAlert(t('notify_back', { ref: refOf(id) }), true);
}

/** The person now reads the page in another language: the facts say so, and the officer is told. */
function onVisitorLanguage(id, language) {
  const chat = state.chats.get(id);
  if (!chat || chat.info.language === language) return;
  chat.info.language = language;
  fillFacts(chat);
  const text = t('visitor_language', { language: langName(language) });
  showEvent(chat, 'info', text);
  announceIn(chat, text);
}

/**
 * The line above the conversation that says what happened to the person: `exit` (a quick
 * exit, in the alarm's red), `back` (they came back with their code: good news, calm) or
 * `info` (a change to know about, such as their language). One line at a time, kept short.
 */
function showEvent(chat, kind, text) {
  const box = chat.els.leftAlert;
  for (const k of ['exit', 'back', 'info']) box.classList.toggle(`is-${k}`, k === kind);
  box.textContent = text;
}

function renderGlobalAlert() {
  const box = $('global-alert');
  box.replaceChildren();
  for (const chat of state.chats.values()) {
    if (!chat.left) continue;
    const p = document.createElement('p');
    p.className = 'global-alert-item';
    p.append(t('global_left', { label: chat.label || '' }), ' ');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn btn-small';
    b.textContent = t('show_chat');
    b.addEventListener('click', () => { select(chat.id, true); chat.els.outcome.focus(); });
    p.append(b);
    box.append(p);
  }
}

function renderBadges(chat) {
  const { els } = chat;
  els.unread.hidden = chat.unread === 0;
  els.unreadN.textContent = String(chat.unread);
}

function refreshTitle() {
  let unread = 0;
  let left = false;
  for (const c of state.chats.values()) { unread += c.unread; left ||= c.left; }
  const flash = titleFlash ? `● ${titleFlash} — ` : '';
  document.title = `${left ? t('title_alert') : ''}${flash}${unread ? `(${unread}) ` : ''}${baseTitle}`;
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden || !state.selected) return;
  const chat = state.chats.get(state.selected);
  if (chat && chat.unread) { chat.unread = 0; renderBadges(chat); refreshTitle(); }
});

// ---------------------------------------------------------------- canned replies and resources

function insertIntoComposer(chat, text, replaceFrom = null) {
  const input = chat.els.input;
  const start = replaceFrom ?? input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  const before = input.value.slice(0, start);
  const after = input.value.slice(end);
  const sep = before && !/\s$/.test(before) ? ' ' : '';
  input.value = `${before}${sep}${text}${after}`;
  const caret = before.length + sep.length + text.length;
  input.setSelectionRange(caret, caret);
  updateCounter(chat);
  input.focus();
}

function servicesText(chat) {
  const dept = chat.info.departement || '';
  const items = state.resources.get(dept) || [];
  const local = items.filter((r) => r.departement);
  const chosen = local.length ? local : items;
  if (!chosen.length) return t('services_none');
  return chosen.map((r) => (r.phone ? `${r.name} (${r.phone})` : r.name)).join(' ; ');
}

function fillReply(chat, reply) {
  const values = { agent: me.displayName, departement: chat.info.departement || '', services: servicesText(chat) };
  return String(reply.body).replace(/\{(agent|departement|services)\}/g, (m, k) => values[k]);
}

/** `/shortcut` right before the caret becomes the reply; `false` when there is none. */
function expandShortcut(chat) {
  const input = chat.els.input;
  const caret = input.selectionStart ?? input.value.length;
  const m = /(^|\s)\/([a-z0-9-]+)$/.exec(input.value.slice(0, caret));
  if (!m) return false;
  const reply = state.canned.find((r) => r.shortcut === m[2]);
  if (!reply) { chat.els.error.textContent = t('canned_unknown', { shortcut: m[2] }); return true; }
  chat.els.error.textContent = '';
  input.setSelectionRange(caret, caret);
  insertIntoComposer(chat, fillReply(chat, reply), caret - m[2].length - 1);
  return true;
}

function openPicker(chat) {
  sendFrame({ type: 'canned' });
  const { els } = chat;
  els.picker.hidden = false;
  els.cannedButton.setAttribute('aria-expanded', 'true');
  els.pickerFilter.value = '';
  renderPicker(chat);
  els.pickerFilter.focus();
}

function closePicker(chat, refocus) {
  chat.els.picker.hidden = true;
  chat.els.cannedButton.setAttribute('aria-expanded', 'false');
  if (refocus) chat.els.input.focus();
}

function renderPicker(chat) {
  const { els } = chat;
  const needle = els.pickerFilter.value.trim().toLowerCase();
  const items = state.canned.filter((r) => !needle
    || r.shortcut.includes(needle) || r.title.toLowerCase().includes(needle));
  els.pickerList.replaceChildren(...items.map((r, i) => {
    const li = document.createElement('li');
    li.role = 'option';
    li.id = `cp-${chat.id}-${r.shortcut}`;
    li.tabIndex = -1;
    li.dataset.shortcut = r.shortcut;
    li.setAttribute('aria-selected', String(i === 0));
    const code = document.createElement('code');
    code.textContent = `/${r.shortcut}`;
    li.append(code, ' ', r.title);
    li.addEventListener('click', () => pickReply(chat, r));
    return li;
  }));
  els.pickerEmpty.hidden = state.canned.length > 0;
  if (state.canned.length && !items.length) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = t('canned_none');
    els.pickerList.append(li);
  }
}

function pickReply(chat, reply) {
  closePicker(chat, false);
  insertIntoComposer(chat, fillReply(chat, reply));
}

function pickerKey(chat, e) {
  const options = [...chat.els.pickerList.querySelectorAll('[role="option"]')];
  const current = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
  const move = (i) => {
    options.forEach((o, j) => o.setAttribute('aria-selected', String(i === j)));
    if (options[i]) chat.els.pickerFilter.setAttribute('aria-activedescendant', options[i].id);
  };
  if (e.key === 'ArrowDown') { e.preventDefault(); move(Math.min(options.length - 1, current + 1)); }
  else if (e.key === 'ArrowUp') { e.preventDefault(); move(Math.max(0, current - 1)); }
  else if (e.key === 'Enter') {
    e.preventDefault();
    const o = options[Math.max(0, current)];
    const reply = o && state.canned.find((r) => r.shortcut === o.dataset.shortcut);
    if (reply) pickReply(chat, reply);
  } else if (e.key === 'Escape') { e.preventDefault(); closePicker(chat, true); }
}

function onResources(dept, items) {
  state.resources.set(dept, items);
  for (const chat of state.chats.values()) if ((chat.info.departement || '') === dept) renderResources(chat);
}

function resourceText(r) {
  return [r.name, r.phone, r.address, r.hours, r.url].filter(Boolean).join(' — ');
}

function renderResources(chat) {
  const dept = chat.info.departement || '';
  const items = state.resources.get(dept) || [];
  const { els } = chat;
  els.resDept.textContent = dept ? t('res_for', { dept }) : t('res_national');
  if (!items.some((r) => r.departement) && dept) {
    const none = document.createElement('li');
    none.className = 'muted';
    none.textContent = t('res_none');
    els.resources.replaceChildren(none);
  } else {
    els.resources.replaceChildren();
  }
  for (const r of items) {
    const li = document.createElement('li');
    li.className = 'resource';
    const text = document.createElement('p');
    text.className = 'res-text';
    const kind = document.createElement('span');
    kind.className = 'res-kind';
    kind.textContent = t(`res_kind_${r.kind}`);
    text.append(kind, ' ', resourceText(r));
    if (r.sample) {
      const tag = document.createElement('span');
      tag.className = 'badge badge-sample';
      tag.textContent = t('res_sample');
      text.append(' ', tag);
    }
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn btn-small';
    b.textContent = t('res_insert');
    b.setAttribute('aria-label', `${t('res_insert')} : ${r.name}`);
    b.addEventListener('click', () => insertIntoComposer(chat, resourceText(r)));
    li.append(text, b);
    els.resources.append(li);
  }
}

// ---------------------------------------------------------------- case file

function onCaseFile(id, file) {
  const chat = state.chats.get(id);
  if (!chat) return;
  const { els } = chat;
  const q = file.qualification;
  if (!q) { els.qualifyStatus.textContent = t('q_none'); return; }
  els.qualifyError.textContent = '';
  els.qualifyStatus.textContent = t('q_saved', { time: formatTime(null) });
  const form = els.qualifyForm;
  for (const box of form.querySelectorAll('input[name="facts"]')) box.checked = q.facts.includes(box.value);
  for (const r of form.querySelectorAll(`input[name="reporter-${id}"]`)) r.checked = r.value === q.reporter;
  form.querySelector('input[name="minor"]').checked = !!q.minor;
  form.querySelector('.q-danger').value = q.danger;
}

// ---------------------------------------------------------------- forwarding with consent

// The directory of local units, read once per page (it changes only with `ecoute units load`).
let unitsLoading = null;
function loadUnits() {
  if (!unitsLoading) {
    unitsLoading = fetch('/api/staff/units', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : []))
      .catch(() => { unitsLoading = null; return []; });
  }
  return unitsLoading;
}

/** Fills a chat's unit list, the unit proposed from the postal code first and chosen. */
async function fillUnits(chat) {
  const { els } = chat;
  if (els.fwUnit.options.length) return;
  const units = await loadUnits();
  if (els.fwUnit.options.length) return;
  if (!units.length) {
    els.fwStatus.textContent = t('xf_no_units');
    els.fwAsk.disabled = true;
    return;
  }
  const proposed = chat.info.proposed_unit || '';
  const blank = new Option(t('xf_unit'), '');
  els.fwUnit.append(blank);
  const sorted = [...units].sort((a, b) => (a.id === proposed ? -1 : b.id === proposed ? 1 : a.name.localeCompare(b.name)));
  for (const u of sorted) {
    const label = u.id === proposed ? `${u.name} (${t('xf_proposed')})` : u.name;
    els.fwUnit.append(new Option(label, u.id));
  }
  els.fwUnit.value = chat.consent ? chat.consent.unit : (units.some((u) => u.id === proposed) ? proposed : '');
  renderConsent(chat);
}

function onConsent(f) {
  const chat = state.chats.get(f.conversation_id);
  if (!chat) return;
  chat.consent = { unit: f.unit, unitName: f.unit_name, answer: f.answer, contact: f.contact || null };
  const { els } = chat;
  // A question asked (by this tab or another) shows the forwarding part, on that unit.
  if (els.outcome.value !== 'report_forwarded' && f.answer !== false) {
    els.outcome.value = 'report_forwarded';
    els.forwarding.hidden = false;
  }
  fillUnits(chat).then(() => {
    if ([...els.fwUnit.options].some((o) => o.value === f.unit)) els.fwUnit.value = f.unit;
    renderConsent(chat);
  });
}

/** Where the person's consent stands for the unit chosen in the list. */
function renderConsent(chat) {
  const { els, consent } = chat;
  els.fwContact.textContent = '';
  if (!consent || consent.unit !== els.fwUnit.value) { els.fwStatus.textContent = ''; return; }
  const unit = consent.unitName;
  if (consent.answer === null || consent.answer === undefined) {
    els.fwStatus.textContent = t('xf_asked', { unit });
  } else if (consent.answer) {
    els.fwStatus.textContent = t('xf_yes', { unit });
    const c = consent.contact;
    els.fwContact.textContent = c && c.contact === 'instructions' ? t('xf_contact', { text: c.text }) : t('xf_do_not_contact');
  } else {
    els.fwStatus.textContent = t('xf_no', { unit });
  }
}

// ---------------------------------------------------------------- flags, notes, transfers

function onFlagged(f) {
  const chat = state.chats.get(f.conversation_id);
  if (!chat) return;
  chat.info = { ...chat.info, priority: f.priority, labels: f.labels || [] };
  fillFacts(chat);
  raiseAlert(t('notify_flag', { ref: refOf(chat.id) }), true);
}

function buildNote(n) {
  const li = document.createElement('li');
  li.className = `note note-${n.kind}`;
  const meta = document.createElement('p');
  meta.className = 'msg-meta';
  const kind = document.createElement('strong');
  kind.textContent = t(`note_kind_${n.kind}`);
  const time = document.createElement('time');
  time.dateTime = n.at;
  time.textContent = formatTime(n.at);
  meta.append(kind, ' · ', n.author_name || '', ' · ', time);
  const body = document.createElement('p');
  body.className = 'note-body';
  body.textContent = String(n.body ?? '');
  li.append(meta, body);
  return li;
}

function onNote(n) {
  const chat = state.chats.get(n.conversation_id);
  if (!chat) {
    if (state.monitor && state.monitor.id === n.conversation_id && !state.monitor.notes.has(n.seq)) {
      state.monitor.notes.add(n.seq);
      $('monitor').querySelector('.monitor-notes').append(buildNote(n));
    }
    return;
  }
  if (chat.noteSeqs.has(n.seq)) return;
  chat.noteSeqs.add(n.seq);
  if (n.kind === 'note' && n.body === chat.noteDraft) chat.noteDraft = '';
  chat.els.notes.append(buildNote(n));
  chat.els.notesCount.textContent = `(${chat.noteSeqs.size})`;
  // A handover note is for reading now; a whisper is read in the conversation itself.
  if (n.kind === 'handover') chat.els.notesBox.open = true;
  if (n.kind === 'whisper') {
    showWhisper(chat, n);
    announceIn(chat, t('whisper_arrived', { ref: refOf(chat.id) }));
    raiseAlert(t('notify_whisper', { ref: refOf(chat.id) }), false);
  }
}

function onHandedOver(f) {
  const id = f.conversation_id;
  const chat = state.chats.get(id);
  let text = t(`handed_${f.reason}`, { ref: refOf(id) });
  // What the officer had just written and that was not stored is not lost silently.
  const unsent = chat ? [...chat.outbox.values()].map((item) => item.body) : [];
  if (unsent.length) text += ` ${t('unsent', { n: unsent.length, text: unsent.join(' / ') })}`;
  removeChat(id, false);
  setStatus(text);
}

function onColleagues(items) {
  for (const chat of state.chats.values()) {
    const group = chat.els.people;
    const chosen = chat.els.transferTarget.value;
    group.replaceChildren(...items.map((c) => {
      const o = document.createElement('option');
      o.value = c.id;
      o.textContent = t('colleague', {
        name: c.display_name,
        presence: t(`presence_${c.presence}${c.presence === 'offline' ? '' : '_short'}`),
        open: c.open,
        capacity: c.capacity,
      });
      o.disabled = c.open >= c.capacity || c.presence === 'offline';
      return o;
    }));
    chat.els.transferTarget.value = chosen;
  }
}

// ---------------------------------------------------------------- supervision

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function secsText(s) {
  if (s === null || s === undefined) return '—';
  if (s < 60) return `${s} s`;
  return formatAgo(new Date(Date.now() - s * 1000).toISOString());
}

function onBoard(b) {
  if (!state.supervisor) return;
  const f = b.figures || {};
  const fig = (cls, v) => { $('figures').querySelector(cls).textContent = String(v); };
  fig('.fig-started', f.started ?? '—');
  fig('.fig-waiting', f.waiting ?? '—');
  fig('.fig-handled', f.handled ?? '—');
  fig('.fig-median', secsText(f.median_wait_secs));
  fig('.fig-longest', secsText(f.longest_wait_secs));
  fig('.fig-left', f.left_unanswered ?? '—');
  boardDossiers(b);

  $('board-staff').tBodies[0].replaceChildren(...(b.staff || []).map((s) => {
    const tr = document.createElement('tr');
    tr.dataset.presence = s.presence;
    const langs = (s.languages || []).map(langName).join(', ');
    tr.append(
      cell(s.display_name),
      cell(t(`presence_${s.presence}${s.presence === 'offline' ? '' : '_short'}`)),
      cell(t('load', { open: s.open, capacity: s.capacity })),
      cell(t('skills', { force: s.force ? t(`force_${s.force}`) : t('force_any'), minors: s.minors ? t('skills_minors') : '', langs })),
    );
    return tr;
  }));

  const chats = b.chats || [];
  $('board-chats-empty').hidden = chats.length > 0;
  $('board-chats').tBodies[0].replaceChildren(...chats.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.conversationId = c.conversation_id;
    tr.classList.toggle('is-danger', c.priority === 'danger');
    tr.classList.toggle('is-flagged', c.priority === 'flagged');
    const actions = document.createElement('td');
    if (c.state !== 'waiting') {
      const listen = document.createElement('button');
      listen.type = 'button';
      listen.className = 'btn btn-small';
      listen.textContent = t('listen');
      // "Écouter" on every row: the name says which chat, and whose.
      listen.setAttribute('aria-label', t('listen_chat', {
        ref: refOf(c.conversation_id), officer: c.officer_name || t('unassigned'),
      }));
      listen.addEventListener('click', () => sendFrame({ type: 'monitor', conversation_id: c.conversation_id }));
      actions.append(listen);
    }
    tr.append(
      cell(refOf(c.conversation_id)),
      cell(t(`state_${c.state}`)),
      cell(c.officer_name || t('unassigned')),
      cell(formatAgo(c.created_at)),
      cell(flagsText(c) || '—'),
      actions,
    );
    return tr;
  }));
}

/** The alert while dossiers wait for their unit's acknowledgement too long (board frame). */
function boardDossiers(b) {
  const box = $('board-dossiers');
  if (!box) return;
  const count = b.dossiers_overdue || 0;
  box.hidden = count === 0;
  box.querySelector('.bd-text').textContent = count ? t('board_dossiers_overdue', { count, hours: b.dossier_ack_hours }) : '';
  box.querySelector('.bd-link').textContent = t('board_dossiers_link');
}

function onMonitoring(chat) {
  const box = $('monitor');
  state.monitor = { id: chat.conversation_id, seen: new Set(), notes: new Set() };
  box.querySelector('.monitor-ref').textContent = `— réf. ${refOf(chat.conversation_id)}`;
  box.querySelector('.monitor-messages').replaceChildren();
  box.querySelector('.monitor-notes').replaceChildren();
  box.querySelector('.whisper-error').textContent = '';
  onMonitorState({ state: chat.state, officer_name: chat.officer_name });
  box.hidden = false;
  $('monitor-title').tabIndex = -1;
  $('monitor-title').focus();
}

function onMonitorState(f) {
  const officer = f.officer_name ? t('monitor_officer', { name: f.officer_name }) : '';
  $('monitor').querySelector('.monitor-state').textContent = t('monitor_state', { state: t(`state_${f.state}`), officer });
}

function onMonitorMessage(m) {
  const mon = state.monitor;
  const seq = Number(m.seq);
  if (mon.seen.has(seq)) return;
  mon.seen.add(seq);
  const el = buildMessage({
    mine: false,
    author: m.author === 'visitor' ? t('visitor') : (m.officer_name || ''),
    body: String(m.body ?? ''),
    sentAt: m.sent_at,
    status: null,
  });
  el.dataset.order = String(seq);
  const list = $('monitor').querySelector('.monitor-messages');
  const after = [...list.children].find((c) => Number(c.dataset.order) > seq);
  if (after) list.insertBefore(el, after); else list.append(el);
  list.scrollTop = list.scrollHeight;
}

if (state.supervisor) {
  const box = $('monitor');
  box.querySelector('.whisper-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('whisper-input');
    const body = input.value;
    const error = box.querySelector('.whisper-error');
    if (!state.monitor) return;
    if (!body.trim()) { error.textContent = t('err_empty'); return; }
    error.textContent = '';
    if (sendFrame({ type: 'whisper', conversation_id: state.monitor.id, body })) input.value = '';
  });
  const take = box.querySelector('.monitor-take');
  const label = take.textContent;
  let armed = 0;
  take.addEventListener('click', () => {
    if (!state.monitor) return;
    if (!take.dataset.armed) {
      take.dataset.armed = 'true';
      take.textContent = take.dataset.confirm;
      armed = setTimeout(() => { take.dataset.armed = ''; take.textContent = label; }, 5000);
      return;
    }
    clearTimeout(armed);
    take.dataset.armed = '';
    take.textContent = label;
    // The monitor stays until the chat arrives as one of ours (`claimed`), or a refusal says why.
    if (sendFrame({ type: 'take_over', conversation_id: state.monitor.id })) state.takingOver = state.monitor.id;
  });
  box.querySelector('.monitor-stop').addEventListener('click', () => { sendFrame({ type: 'unmonitor' }); stopMonitor(); });
}

function stopMonitor() {
  state.monitor = null;
  $('monitor').hidden = true;
}

// ---------------------------------------------------------------- clocks

setInterval(() => {
  for (const li of state.queueEls.values()) li.querySelector('.qi-since').textContent = formatAgo(li.dataset.since);
  for (const chat of state.chats.values()) fillFacts(chat);
}, TICK_MS);

setupNotifications();
setStatus(t('connecting'));
connect();
