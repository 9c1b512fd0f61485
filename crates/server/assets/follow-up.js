// The follow-up page (/suivi): the person gives their return code and reads where their
// forwarded report stands, adds a message, or withdraws their consent. Protocol: docs/PROTOCOL.md
// §1.6. The pass the server gives lives in this module's memory only: never in storage, a
// cookie or the URL, so a reload, Back or a quick exit asks for the code again. The URL never
// changes. All user-visible text comes from the page (the #i18n block and the markup).
import { onQuickExit, isExiting } from './quick-exit.js';

const $ = (id) => document.getElementById(id);
let i18n = (() => { try { return JSON.parse($('i18n').textContent); } catch { return {}; } })();
let pageWords = {};
const t = (key, vars = {}) => (i18n[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
/** Sets a text that follows a change of language. */
function tx(el, key, vars = {}) {
  el.textContent = t(key, vars);
  el.dataset.t = key;
  el.dataset.tv = JSON.stringify(vars);
}
function untx(el) {
  el.textContent = '';
  delete el.dataset.t;
  delete el.dataset.tv;
}

const MAX_CHARS = 4000;
/** The page's message id of each stage (visitor.ftl). */
const STAGES = {
  transmitted: 'stage-transmitted',
  received_by_unit: 'stage-received',
  tried_to_reach: 'stage-tried-to-reach',
  in_touch: 'stage-in-touch',
  complaint_taken: 'stage-complaint-taken',
  finished: 'stage-finished',
  withdrawn: 'stage-withdrawn',
};

/** Everything the page knows; wiped by quick exit and by "close the follow-up". */
const state = { pass: null, view: null };

const lang = () => document.documentElement.lang || 'fr';
let dateFmt = new Intl.DateTimeFormat(lang(), { dateStyle: 'long', timeStyle: 'short' });

function formatDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dateFmt.format(d);
}

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...body, language: lang() }),
    credentials: 'omit',
    cache: 'no-store',
  });
  let data = null;
  try { data = await res.json(); } catch { /* not JSON */ }
  return { status: res.status, data };
}

function busy(button, on) {
  if (on) {
    button.dataset.label = button.textContent;
    button.disabled = true;
    button.textContent = t('busy');
  } else {
    button.disabled = false;
    button.textContent = pageWords[button.dataset.i18n] ?? button.dataset.label ?? button.textContent;
  }
}

// ---------------------------------------------------------------- views

function showCodeForm(errorKey) {
  state.pass = null;
  state.view = null;
  $('f-state').hidden = true;
  $('f-code').hidden = false;
  $('follow-form').hidden = false;
  const input = $('follow-code');
  if (errorKey) {
    tx($('follow-error'), errorKey);
    input.setAttribute('aria-invalid', 'true');
  } else {
    untx($('follow-error'));
    input.removeAttribute('aria-invalid');
  }
  input.focus();
}

function render(view, statusKey) {
  state.view = view;
  const stage = $('f-stage');
  stage.textContent = view.stage_text;
  // The neutral words follow a change of language (page words, no variable).
  if (STAGES[view.stage]) stage.dataset.i18n = STAGES[view.stage];
  $('f-reference').textContent = view.reference;
  for (const [id, iso] of [['f-produced', view.produced_at], ['f-updated', view.updated_at]]) {
    const time = $(id);
    time.dateTime = iso;
    time.textContent = formatDate(iso);
  }
  $('f-messages').textContent = String(view.messages_sent);
  $('f-message-box').hidden = !view.open;
  $('f-withdraw-box').hidden = !view.open;
  $('f-closed').hidden = view.open;
  $('f-confirm').hidden = true;
  if (statusKey) tx($('f-status'), statusKey); else untx($('f-status'));
  $('f-code').hidden = true;
  $('f-state').hidden = false;
}

/** An answer that is not a view: the pass is gone (expired, or never valid), or a refusal. */
function refused(status, data, errorEl) {
  if (status === 401) { showCodeForm('follow_expired'); return; }
  const code = data && data.error;
  if (code === 'dossier_closed') {
    tx(errorEl, 'follow_closed_error');
    refresh();
    return;
  }
  const key = code === 'empty_message' ? 'err_empty'
    : code === 'message_too_long' ? 'err_too_long'
      : 'err_server';
  tx(errorEl, key);
}

async function refresh() {
  if (!state.pass) return;
  try {
    const { status, data } = await post('/api/visitor/follow-up/view', { pass: state.pass });
    if (isExiting()) return;
    if (status === 200) render(data);
    else if (status === 401) showCodeForm('follow_expired');
  } catch { /* the page keeps what it shows */ }
}

// ---------------------------------------------------------------- the code form

function setupCodeForm() {
  const form = $('follow-form');
  form.hidden = false;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('follow-code');
    const error = $('follow-error');
    const fail = (key) => {
      tx(error, key);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    };
    const digits = input.value.replace(/[^0-9\u0660-\u0669\u06F0-\u06F9]/g, '');
    if (digits.length !== 16) { fail('resume_format'); return; }
    untx(error);
    input.removeAttribute('aria-invalid');
    const submit = $('follow-submit');
    busy(submit, true);
    try {
      const { status, data } = await post('/api/visitor/follow-up', { code: input.value });
      if (isExiting()) return;
      if (status === 200 && data && data.pass) {
        input.value = '';
        state.pass = data.pass;
        render(data);
        $('state-title').focus();
        return;
      }
      fail(status === 404 ? 'resume_unknown' : status === 429 ? 'resume_busy'
        : status === 400 ? 'resume_format' : 'err_server');
    } catch {
      fail('err_network');
    } finally {
      busy(submit, false);
    }
  });
}

// ---------------------------------------------------------------- message and withdrawal

function updateCounter() {
  const len = $('f-message').value.length;
  const counter = $('f-message-counter');
  tx(counter, 'counter', { count: len, max: MAX_CHARS });
  counter.classList.toggle('counter-near', len > MAX_CHARS - 200);
}

function setupMessage() {
  const input = $('f-message');
  input.addEventListener('input', () => { updateCounter(); untx($('f-message-error')); });
  $('f-message-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = $('f-message-error');
    const body = input.value;
    if (!body.trim()) { tx(error, 'err_empty'); input.focus(); return; }
    if (body.length > MAX_CHARS) { tx(error, 'err_too_long'); input.focus(); return; }
    untx(error);
    const submit = $('f-message-submit');
    busy(submit, true);
    try {
      const { status, data } = await post('/api/visitor/follow-up/message', { pass: state.pass, body });
      if (isExiting()) return;
      if (status === 200) {
        input.value = '';
        updateCounter();
        render(data, 'follow_sent');
        return;
      }
      refused(status, data, error);
    } catch {
      tx(error, 'err_network');
    } finally {
      busy(submit, false);
    }
  });
  updateCounter();
}

function setupWithdraw() {
  $('f-withdraw-open').addEventListener('click', () => {
    $('f-confirm').hidden = false;
    untx($('f-withdraw-error'));
    $('f-confirm-text').focus();
  });
  $('f-withdraw-cancel').addEventListener('click', () => {
    $('f-confirm').hidden = true;
    $('f-withdraw-open').focus();
  });
  $('f-withdraw-confirm').addEventListener('click', async () => {
    const button = $('f-withdraw-confirm');
    const error = $('f-withdraw-error');
    busy(button, true);
    try {
      const { status, data } = await post('/api/visitor/follow-up/withdraw', { pass: state.pass });
      if (isExiting()) return;
      if (status === 200) {
        render(data, 'follow_withdrawn');
        $('state-title').focus();
        return;
      }
      refused(status, data, error);
    } catch {
      tx(error, 'err_network');
    } finally {
      busy(button, false);
    }
  });
  $('f-done').addEventListener('click', () => {
    $('f-message').value = '';
    updateCounter();
    showCodeForm(null);
    $('follow-title').focus();
  });
}

// ---------------------------------------------------------------- language, in place

function applyBundle(b) {
  const root = document.documentElement;
  root.lang = b.lang;
  root.dir = b.dir;
  i18n = b.script || {};
  pageWords = b.page || {};
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const text = pageWords[el.dataset.i18n];
    if (text == null || el.dataset.i18n.endsWith('-html')) continue;
    el.textContent = text;
  }
  for (const el of document.querySelectorAll('[data-i18n-label]')) {
    const text = pageWords[el.dataset.i18nLabel];
    if (text != null) el.setAttribute('aria-label', text);
  }
  for (const el of document.querySelectorAll('[data-t]')) {
    let vars = {};
    try { vars = JSON.parse(el.dataset.tv || '{}'); } catch { /* none */ }
    el.textContent = t(el.dataset.t, vars);
  }
  for (const a of document.querySelectorAll('.lang-switch [data-lang]')) {
    if (a.dataset.lang === b.lang) a.setAttribute('aria-current', 'true');
    else a.removeAttribute('aria-current');
  }
  $('home-link').href = `/?lang=${encodeURIComponent(b.lang)}`;
  dateFmt = new Intl.DateTimeFormat(b.lang, { dateStyle: 'long', timeStyle: 'short' });
  if (state.view) {
    const words = pageWords[STAGES[state.view.stage]];
    if (words) state.view.stage_text = words;
    render(state.view, $('f-status').dataset.t);
  }
}

function setupLanguage() {
  for (const a of document.querySelectorAll('.lang-switch [data-lang]')) {
    a.addEventListener('click', async (e) => {
      // Without a pass the link simply loads the page in that language; with one, the page
      // changes language in place so that the code need not be given again.
      if (!state.pass) return;
      e.preventDefault();
      try {
        const res = await fetch(`/i18n/${encodeURIComponent(a.dataset.lang)}.json`, { credentials: 'omit', cache: 'no-store' });
        if (!res.ok || isExiting()) return;
        applyBundle(await res.json());
      } catch { /* the page stays as it is */ }
    });
  }
}

// ---------------------------------------------------------------- quick exit

onQuickExit({
  wipe() {
    state.pass = null;
    state.view = null;
    $('follow-code').value = '';
    $('f-message').value = '';
    $('f-reference').textContent = '';
    $('f-stage').textContent = '';
  },
});

setupCodeForm();
setupMessage();
setupWithdraw();
setupLanguage();
