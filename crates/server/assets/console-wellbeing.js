// Wellbeing on the console (docs/WELLBEING.md): the calm invitation to take a break once the
// officer's exposure reaches the threshold, the break's timer, and for supervisors the panel of
// each officer's exposure, longest without a break first. Frames: `wellbeing` (one's own),
// `wellbeing_board` (supervisors), `presence`. Text comes from the page (#i18n and markup).

const $ = (id) => document.getElementById(id);

let t = (key) => key;
let send = () => false;
const mine = { over: false, dismissed: false, presence: 'available', breakSince: null, timer: 0 };

/** Wires the module to the console: its message lookup and its frame sender. */
export function initWellbeing(deps) {
  t = deps.t;
  send = deps.send;
  $('wellbeing-take-break')?.addEventListener('click', () => send({ type: 'presence', status: 'break' }));
  $('wellbeing-later')?.addEventListener('click', () => { mine.dismissed = true; render(); });
  $('break-end')?.addEventListener('click', () => send({ type: 'presence', status: 'available' }));
}

/** "12:05" for a break of twelve minutes and five seconds; "1:02:05" past an hour. */
function elapsed(since) {
  const secs = Math.max(0, Math.floor((Date.now() - since) / 1000));
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = String(secs % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function tick() {
  const el = $('break-elapsed');
  if (el && mine.breakSince !== null) el.textContent = elapsed(mine.breakSince);
}

function render() {
  const onBreak = mine.presence === 'break';
  const invite = $('wellbeing-invite');
  if (invite) invite.hidden = onBreak || !mine.over || mine.dismissed;
  const banner = $('break-banner');
  if (banner) banner.hidden = !onBreak;
  clearInterval(mine.timer);
  mine.timer = 0;
  if (onBreak) {
    if (mine.breakSince === null) mine.breakSince = Date.now();
    tick();
    mine.timer = setInterval(tick, 1000);
  } else {
    mine.breakSince = null;
  }
}

/** The officer's presence changed (from any of their tabs). */
export function onPresence(status) {
  const was = mine.presence;
  mine.presence = status;
  // Back from a break: a new invitation only once the threshold is reached again.
  if (was === 'break' && status !== 'break') mine.dismissed = true;
  render();
}

/** The officer's own exposure and break. */
export function onWellbeing(f) {
  if (!f.over) mine.dismissed = false;
  mine.over = Boolean(f.over);
  if (f.break_since) {
    const at = new Date(f.break_since).getTime();
    if (!Number.isNaN(at)) mine.breakSince = at;
  }
  render();
}

function sinceText(line) {
  if (line.on_break_since) return t('wellbeing_on_break');
  if (!line.last_break_ended) return t('wellbeing_no_break');
  const mins = Math.floor(Math.max(0, Date.now() - new Date(line.last_break_ended).getTime()) / 60000);
  if (mins < 60) return t('minutes', { m: mins });
  return t('hours', { h: Math.floor(mins / 60), mm: String(mins % 60).padStart(2, '0') });
}

/** Supervisors: every officer's exposure, longest without a break first. */
export function onWellbeingBoard(f) {
  const body = document.querySelector('#board-wellbeing-table tbody');
  if (!body) return;
  const rows = (f.officers || []).map((line) => {
    const tr = document.createElement('tr');
    tr.dataset.officer = line.id;
    if (line.over) tr.classList.add('wellbeing-over');
    const cell = (text) => { const td = document.createElement('td'); td.textContent = text; return td; };
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = line.display_name;
    const presence = line.presence === 'offline' ? 'presence_offline' : `presence_${line.presence}_short`;
    const exposure = t('wellbeing_exposure', { w: line.weighted_minutes }) + (line.over ? ` — ${t('wellbeing_over')}` : '');
    tr.append(name, cell(t(presence)), cell(exposure), cell(sinceText(line)));
    return tr;
  });
  body.replaceChildren(...rows);
}
