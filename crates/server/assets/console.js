// The officer console: live queue, claiming, several chats as tabs, closing with an outcome.
// Protocol: docs/PROTOCOL.md (§2.2 staff socket, §4 delivery, §5 reconnect). All user-visible
// text comes from the page (the #i18n block, the markup and its <template>s).

const $ = (id) => document.getElementById(id);
const i18n = (() => { try { return JSON.parse($('i18n').textContent); } catch { return {}; } })();
const t = (key, vars = {}) =>
  (i18n[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

const MAX_CHARS = 4000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
const PING_MS = 25000;
const TICK_MS = 15000;
const timeFmt = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' });
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
    state.pingTimer = setInterval(() => sendFrame({ type: 'ping' }), PING_MS);
  });
  ws.addEventListener('message', (ev) => {
    if (state.ws !== ws) return;
    let frame;
    try { frame = JSON.parse(ev.data); } catch { return; }
    handleFrame(frame);
  });
  ws.addEventListener('close', async () => {
    if (state.ws !== ws) return;
    state.ws = null;
    state.welcomed = false;
    clearInterval(state.pingTimer);
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

addEventListener('online', () => { if (!state.ws && !state.stopped) { state.attempt = 0; connect(); } });

// ---------------------------------------------------------------- frames

function handleFrame(f) {
  switch (f.type) {
    case 'welcome': onWelcome(f); break;
    case 'queue': onQueue(f.items || []); break;
    case 'claimed': onClaimed(f.chat); break;
    case 'message': onMessage(f); break;
    case 'ack': onAck(f); break;
    case 'visitor_left': onVisitorLeft(f.conversation_id, f.at); break;
    case 'chat_closed': removeChat(f.conversation_id, true); break;
    case 'error': onError(f); break;
    default: break;
  }
}

function onWelcome(f) {
  state.welcomed = true;
  state.attempt = 0;
  document.body.dataset.connection = 'online';
  setStatus('');
  if (f.user && f.user.display_name) me.displayName = f.user.display_name;
  const open = new Set();
  for (const chat of f.chats || []) {
    open.add(chat.conversation_id);
    ensureChat(chat);
  }
  // A chat we show but the server no longer lists was closed while we were away.
  for (const id of [...state.chats.keys()]) if (!open.has(id)) removeChat(id, false);
  // §5: sync every chat from the highest seq we have, then resend what was not acknowledged.
  for (const chat of state.chats.values()) {
    sendFrame({ type: 'sync', conversation_id: chat.id, after_seq: contiguousSeq(chat) });
    for (const [clientId, item] of chat.outbox) {
      sendFrame({ type: 'send', conversation_id: chat.id, client_id: clientId, body: item.body });
    }
  }
  if (!state.selected && state.chats.size) select(state.chats.keys().next().value, false);
  refreshTitle();
}

function onError(f) {
  const id = f.conversation_id;
  const chat = id && state.chats.get(id);
  if (f.client_id && chat && chat.outbox.has(f.client_id)) {
    if (f.code === 'unavailable') {
      const cid = f.client_id;
      setTimeout(() => {
        const item = chat.outbox.get(cid);
        if (item) sendFrame({ type: 'send', conversation_id: chat.id, client_id: cid, body: item.body });
      }, 1000);
      return;
    }
    const msg = f.code === 'empty_message' ? t('err_empty')
      : f.code === 'message_too_long' ? t('err_too_long')
        : f.code === 'conversation_closed' ? t('err_conversation_closed')
          : t('err_send', { message: f.message || f.code });
    failPending(chat, f.client_id, msg);
    return;
  }
  if (id && state.pendingClaims.has(id)) {
    state.pendingClaims.delete(id);
    queueAlert(f.code === 'already_claimed' ? t('already_claimed')
      : f.code === 'at_capacity' ? t('at_capacity') : t('claim_failed'));
    const li = state.queueEls.get(id);
    if (li) resetClaimButton(li);
    return;
  }
  if (id && state.pendingCloses.has(id)) {
    state.pendingCloses.delete(id);
    if (chat) {
      chat.els.closeError.textContent = t('close_failed', { message: f.message || f.code });
      chat.els.closeButton.disabled = false;
      chat.els.closeButton.textContent = chat.closeLabel;
    }
    return;
  }
  if (f.code === 'already_claimed') queueAlert(t('already_claimed'));
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

function onQueue(items) {
  state.queue = items;
  const list = $('queue-list');
  const focused = document.activeElement;
  const next = [];
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
    li.dataset.since = item.waiting_since;
    li.querySelector('.qi-since').textContent = formatAgo(item.waiting_since);
    next.push(li);
  }
  for (const [id, li] of state.queueEls) if (!keep.has(id)) state.queueEls.delete(id);
  list.replaceChildren(...next);
  if (focused && focused.isConnected && focused !== document.activeElement) focused.focus();
  $('queue-count').textContent = String(items.length);
  $('queue-empty').hidden = items.length > 0;
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
  state.pendingClaims.delete(chatInfo.conversation_id);
  $('queue-alert').textContent = '';
  const chat = ensureChat(chatInfo);
  sendFrame({ type: 'sync', conversation_id: chat.id, after_seq: contiguousSeq(chat) });
  select(chat.id, false);
  chat.els.input.focus();
}

function ensureChat(info) {
  const id = info.conversation_id;
  let chat = state.chats.get(id);
  if (chat) {
    chat.info = { ...chat.info, ...info };
    fillFacts(chat);
    if (info.state === 'visitor_left' && !chat.left) onVisitorLeft(id, null);
    return chat;
  }
  chat = {
    id,
    info,
    seen: new Map(),
    outbox: new Map(),
    unread: 0,
    historyUpTo: Number(info.last_seq) || 0, // what was written before this page knew the chat
    left: false,
    leftAt: null,
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
    list: q('.messages'),
    announcer: q('.announcer'),
    composer: q('.composer'),
    input: q('.c-input'),
    counter: q('.c-counter'),
    error: q('.c-error'),
    send: q('.c-send'),
    closeForm: q('.close-form'),
    outcome: q('.x-outcome'),
    closeButton: q('.x-submit'),
    closeError: q('.x-error'),
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

  els.input.addEventListener('input', () => { updateCounter(chat); els.error.textContent = ''; });
  els.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !e.isComposing) {
      e.preventDefault();
      els.composer.requestSubmit();
    }
  });
  els.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    if (chat.left) return;
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
    if (!sendFrame({ type: 'close', conversation_id: id, outcome })) return;
    state.pendingCloses.add(id);
    els.closeButton.disabled = true;
    els.closeButton.textContent = t('closing');
  });
  els.outcome.addEventListener('change', () => { els.closeError.textContent = ''; els.outcome.removeAttribute('aria-invalid'); });
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
  q('.f-ref').textContent = refOf(chat.id);
  q('.f-created').textContent = info.created_at
    ? t('at_ago', { time: formatTime(info.created_at), ago: formatAgo(info.created_at) }) : '—';
  q('.f-claimed').textContent = info.claimed_at
    ? t('at_ago', { time: formatTime(info.claimed_at), ago: formatAgo(info.claimed_at) }) : t('not_claimed');
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
  text.textContent = body;
  li.append(meta, text);
  return li;
}

function place(chat, el) {
  const list = chat.els.list;
  const order = Number(el.dataset.order);
  for (const child of list.children) {
    if (child !== el && Number(child.dataset.order) > order) { list.insertBefore(el, child); return; }
  }
  if (el.parentNode !== list || el !== list.lastElementChild) list.append(el);
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
    chat.outbox.delete(m.client_id);
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
}

function onAck(f) {
  const chat = state.chats.get(f.conversation_id);
  if (!chat) return;
  const item = chat.outbox.get(f.client_id);
  if (!item) return;
  chat.outbox.delete(f.client_id);
  const seq = Number(f.seq);
  const shown = chat.seen.get(seq);
  if (shown && shown !== item.el) { item.el.remove(); return; }
  markSent(item.el, seq, f.sent_at);
  chat.seen.set(seq, item.el);
  place(chat, item.el);
}

function failPending(chat, clientId, message) {
  const item = chat.outbox.get(clientId);
  if (item) {
    chat.outbox.delete(clientId);
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
  if (state.welcomed) sendFrame({ type: 'send', conversation_id: chat.id, client_id: clientId, body });
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
  els.leftAlert.textContent = t('visitor_left_detail', {
    at: chat.leftAt ? t('visitor_left_at', { time: formatTime(chat.leftAt) }) : '',
  });
  els.panel.classList.add('is-left');
  els.tab.classList.add('is-left');
  els.leftBadge.hidden = false;
  els.input.disabled = true;
  els.send.disabled = true;
  for (const item of chat.outbox.values()) {
    item.el.classList.add('msg-failed');
    const st = item.el.querySelector('.msg-status');
    if (st) st.textContent = t('failed');
  }
  chat.outbox.clear();
  if (!els.outcome.value) els.outcome.value = 'visitor_left';
  // Only closing remains: bring the closing form right under the alert.
  els.leftAlert.after(els.closeForm);
  if (first) {
    renderGlobalAlert();
    refreshTitle();
  }
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
  document.title = `${left ? t('title_alert') : ''}${unread ? `(${unread}) ` : ''}${baseTitle}`;
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden || !state.selected) return;
  const chat = state.chats.get(state.selected);
  if (chat && chat.unread) { chat.unread = 0; renderBadges(chat); refreshTitle(); }
});

// ---------------------------------------------------------------- clocks

setInterval(() => {
  for (const li of state.queueEls.values()) li.querySelector('.qi-since').textContent = formatAgo(li.dataset.since);
  for (const chat of state.chats.values()) fillFacts(chat);
}, TICK_MS);

setStatus(t('connecting'));
connect();
