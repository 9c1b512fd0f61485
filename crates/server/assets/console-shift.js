// The end of a shift (docs/SHIFTS.md): the "Fin de service" dialog hands each chat held to the
// queue, a colleague (with a handover note) or the supervisors, then the console shows that the
// shift is over; and, for supervisors, the board's shift section (who is on duty, the chats to
// wrap up, the day's presence), drawn by the server and refreshed here.
// Imported by console.js; it follows the presence the console shows (body[data-presence]).

const $ = (id) => document.getElementById(id);
const i18n = (() => { try { return JSON.parse($('i18n').textContent); } catch { return {}; } })();
const t = (key, vars = {}) =>
  (i18n[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

const DUTY_EVERY_MS = 10000;

const dialog = $('shift-dialog');
const form = $('shift-form');
const list = $('shift-chats');
const opener = $('shift-end-open');
const over = $('shift-over');

/** What an error code means, in the console's words. */
function errorText(code, fallback) {
  const key = `shift_error_${code}`;
  if (key in i18n) return t(key);
  const general = `error_${code}`;
  if (general in i18n) return t(general);
  return fallback || t('shift_error_other', { code: String(code) });
}

async function api(method, url, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(url, init);
  let data = null;
  try { data = await r.json(); } catch { data = null; }
  if (!r.ok) {
    const e = new Error((data && data.message) || `HTTP ${r.status}`);
    e.code = (data && data.error) || 'unavailable';
    throw e;
  }
  return data;
}

// ------------------------------------------------------------------ the dialog

let counter = 0;

function chatItem(chat, colleagues) {
  const li = $('tpl-shift-chat').content.firstElementChild.cloneNode(true);
  const n = ++counter;
  li.dataset.id = chat.conversation_id;
  li.dataset.state = chat.state;
  li.querySelector('.sc-ref').textContent = chat.reference;
  const left = chat.state === 'visitor_left';
  li.querySelector('.sc-left').hidden = !left;
  const select = li.querySelector('.sc-to');
  const note = li.querySelector('.sc-note');
  select.id = `shift-to-${n}`;
  note.id = `shift-note-${n}`;
  li.querySelector('.sc-to-label').htmlFor = select.id;
  li.querySelector('.sc-note-label').htmlFor = note.id;
  const error = li.querySelector('.sc-error');
  error.id = `shift-error-${n}`;
  const hint = li.querySelector('.sc-hint');
  hint.id = `shift-hint-${n}`;
  note.setAttribute('aria-describedby', `${hint.id} ${error.id}`);
  // A chat the visitor left cannot go to the queue (nobody could answer); a live one is not
  // left to the supervisors (it would go unanswered).
  if (left) select.querySelector('.sc-queue').remove();
  else select.querySelector('.sc-wrap').remove();
  for (const c of colleagues) {
    const o = document.createElement('option');
    o.value = `colleague:${c.id}`;
    o.textContent = t('shift_colleague', {
      name: c.display_name,
      presence: t(`presence_${c.presence}${c.presence === 'offline' ? '' : '_short'}`),
      open: c.open,
      capacity: c.capacity,
    });
    o.disabled = !c.may_take;
    select.append(o);
  }
  const showHint = () => {
    hint.textContent = select.value.startsWith('colleague:') ? t('shift_note_required') : t('shift_note_optional');
  };
  select.addEventListener('change', showHint);
  showHint();
  return li;
}

async function openDialog() {
  $('shift-error').textContent = '';
  $('shift-loading').textContent = t('shift_loading');
  list.replaceChildren();
  $('shift-none').hidden = true;
  if (typeof dialog.showModal === 'function') dialog.showModal();
  else dialog.setAttribute('open', '');
  try {
    const view = await api('GET', '/api/staff/shift');
    $('shift-loading').textContent = '';
    fill(view.chats, view.colleagues);
  } catch (e) {
    $('shift-loading').textContent = '';
    $('shift-error').textContent = errorText(e.code, e.message);
  }
}

let lastColleagues = [];

function fill(chats, colleagues) {
  lastColleagues = colleagues;
  list.replaceChildren(...chats.map((c) => chatItem(c, colleagues)));
  $('shift-none').hidden = chats.length > 0;
  const first = list.querySelector('select');
  if (first) first.focus();
}

function closeDialog() {
  if (typeof dialog.close === 'function' && dialog.open) dialog.close();
  else dialog.removeAttribute('open');
  opener.focus();
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('shift-error').textContent = '';
  let invalid = null;
  const handovers = [...list.children].map((li) => {
    const to = li.querySelector('.sc-to').value;
    const note = li.querySelector('.sc-note');
    const error = li.querySelector('.sc-error');
    error.textContent = '';
    note.removeAttribute('aria-invalid');
    const h = { conversation_id: li.dataset.id, note: note.value };
    if (to.startsWith('colleague:')) {
      h.to = 'colleague';
      h.colleague_id = to.slice('colleague:'.length);
      if (!note.value.trim()) {
        error.textContent = t('shift_note_required');
        note.setAttribute('aria-invalid', 'true');
        invalid = invalid || note;
      }
    } else {
      h.to = to;
    }
    return h;
  });
  if (invalid) { invalid.focus(); return; }
  const confirm = $('shift-confirm');
  confirm.disabled = true;
  try {
    const done = await api('POST', '/api/staff/shift/end', { handovers });
    if (done.ended) {
      closeDialog();
      showOver(true);
      return;
    }
    // What was refused stays, with its reason; what was handed leaves the list.
    const refused = new Map(done.results.filter((r) => !r.ok).map((r) => [r.conversation_id, r]));
    const keep = new Map([...list.children].map((li) => [li.dataset.id, li]));
    const items = done.remaining.map((c) => {
      const li = keep.get(c.conversation_id) || chatItem(c, lastColleagues);
      const r = refused.get(c.conversation_id);
      li.querySelector('.sc-error').textContent = r ? errorText(r.error, r.message) : t('shift_new_chat');
      return li;
    });
    list.replaceChildren(...items);
    $('shift-error').textContent = t('shift_not_over', { count: items.length });
    const firstError = list.querySelector('select');
    if (firstError) firstError.focus();
  } catch (e) {
    $('shift-error').textContent = errorText(e.code, e.message);
  } finally {
    confirm.disabled = false;
  }
});

$('shift-cancel').addEventListener('click', closeDialog);
opener.addEventListener('click', openDialog);

// ------------------------------------------------------------------ the shift over

function showOver(focus) {
  over.hidden = false;
  document.body.classList.add('shift-ended');
  if (focus) $('shift-restart').focus();
}

function followPresence() {
  const p = document.body.dataset.presence;
  if (p === 'offline') showOver(false);
  else if (p) {
    over.hidden = true;
    document.body.classList.remove('shift-ended');
  }
}

new MutationObserver(followPresence).observe(document.body, { attributes: true, attributeFilter: ['data-presence'] });
followPresence();

$('shift-restart').addEventListener('click', async () => {
  $('shift-over-error').textContent = '';
  try {
    await api('POST', '/api/staff/shift/start');
    // The presence frame that follows hides this section.
  } catch (e) {
    $('shift-over-error').textContent = errorText(e.code, e.message);
  }
});

// ------------------------------------------------------------------ the board's shift section

const duty = $('board-duty');
if (duty) {
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const r = await fetch(duty.dataset.src, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (!r.ok) return;
      const html = await r.text();
      // Our own server's page, escaped by its templates.
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const section = doc.getElementById('shift-duty');
      if (section) duty.replaceChildren(document.importNode(section, true));
    } catch {
      // The next refresh tries again; the link to the page stays meanwhile.
    }
  };
  refresh();
  setInterval(refresh, DUTY_EVERY_MS);
  document.addEventListener('visibilitychange', refresh);
}
