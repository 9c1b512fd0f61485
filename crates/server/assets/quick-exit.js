// Quick exit, on every visitor page (see the project's safety guide).
//
// The button and a visually hidden link carry `data-quick-exit`; Shift pressed three times (each
// press restarts a 5-second window, any other key resets) does the same. The exit runs, in this
// order and without ever waiting or asking: a blank overlay, the server is told, everything on the
// device is wiped, then location.replace(neutral page). Every step is guarded so that a failure in
// one can never stop the next, least of all the navigation.

/** sessionStorage key of `{conversation_id, token}` for the current conversation. */
export const SESSION_KEY = 'ecoute.conversation';
/** sessionStorage key of the highest message sequence this tab has shown. */
export const SEQ_KEY = 'ecoute.seq';

const SHIFT_WINDOW_MS = 5000;
const hooks = [];
let exiting = false;

/** Drop the stored conversation from this tab. */
function forgetStored() {
  try { sessionStorage.removeItem(SESSION_KEY); sessionStorage.removeItem(SEQ_KEY); } catch { /* ignore */ }
}

/**
 * How this page was reached. The token survives in sessionStorage so that a reload reconnects;
 * any other way back to the page (Back, a restored closed tab, a new navigation) must show nothing,
 * because it may be someone else at the device. The visitor comes back with a return code instead.
 */
function arrivedByReload() {
  try {
    const [nav] = performance.getEntriesByType('navigation');
    return nav ? nav.type === 'reload' : false;
  } catch {
    return false;
  }
}

/** At page load: the stored conversation if this is a reload of the same tab; else forget it. */
export function resumableSession() {
  if (!arrivedByReload()) {
    forgetStored();
    return null;
  }
  return readSession();
}

/** Read the stored conversation, or null. */
export function readSession() {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw);
    return s && typeof s.token === 'string' && typeof s.conversation_id === 'string' ? s : null;
  } catch {
    return null;
  }
}

/** Register `{notify, wipe}` callbacks run during a quick exit (notify before wipe). */
export function onQuickExit(hook) {
  hooks.push(hook);
}

/** True once a quick exit has started: nothing may be shown or sent after that. */
export function isExiting() {
  return exiting;
}

function neutralUrl() {
  const fromBody = document.body && document.body.dataset.neutralUrl;
  if (fromBody) return fromBody;
  const button = document.getElementById('quick-exit');
  return (button && button.getAttribute('href')) || 'about:blank';
}

function cover() {
  let overlay = document.getElementById('qe-overlay');
  if (!overlay) {
    overlay = document.createElement('div');
    overlay.id = 'qe-overlay';
    document.body.append(overlay);
  }
  // Inline styles through the CSSOM (allowed by the CSP): the overlay must cover the page even if
  // the style sheet has not loaded.
  Object.assign(overlay.style, {
    position: 'fixed', inset: '0', background: '#fff', zIndex: '2147483647', display: 'block',
  });
  overlay.setAttribute('aria-hidden', 'true');
  overlay.hidden = false;
  for (const el of document.body.children) {
    if (el === overlay || el.tagName === 'SCRIPT') continue;
    el.inert = true;
    el.setAttribute('aria-hidden', 'true');
  }
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
}

function tellServer() {
  const session = readSession();
  if (!session) return;
  const body = JSON.stringify({ token: session.token });
  let queued = false;
  try {
    // A string body is sent as text/plain, which the endpoint accepts.
    queued = navigator.sendBeacon ? navigator.sendBeacon('/api/visitor/quick-exit', body) : false;
  } catch { /* fall through */ }
  if (!queued) {
    try {
      fetch('/api/visitor/quick-exit', {
        method: 'POST', body, keepalive: true, credentials: 'omit', cache: 'no-store',
        headers: { 'Content-Type': 'text/plain' },
      }).catch(() => {});
    } catch { /* nothing more to try */ }
  }
}

/** Leave now. Safe to call at any moment, even before a conversation exists. */
export function quickExit() {
  if (exiting) return;
  exiting = true;
  const target = neutralUrl();
  try { cover(); } catch { /* keep going */ }
  try { tellServer(); } catch { /* keep going */ }
  for (const h of hooks) { try { if (h.notify) h.notify(); } catch { /* keep going */ } }
  try { sessionStorage.clear(); } catch { /* keep going */ }
  for (const h of hooks) { try { if (h.wipe) h.wipe(); } catch { /* keep going */ } }
  location.replace(target);
}

function setDots(count) {
  for (const button of document.querySelectorAll('.qe-button')) {
    button.classList.toggle('qe-armed', count > 0);
    button.querySelectorAll('.qe-dot').forEach((dot, i) => dot.classList.toggle('qe-on', i < count));
  }
}

function install() {
  for (const el of document.querySelectorAll('[data-quick-exit]')) {
    el.addEventListener('click', (e) => { e.preventDefault(); quickExit(); });
    // The button is a link with role="button" (so that it works without JavaScript): give it the
    // Space key of a real button. Enter already activates links.
    el.addEventListener('keydown', (e) => {
      if (e.key === ' ' || e.key === 'Spacebar') { e.preventDefault(); quickExit(); }
    });
  }

  let count = 0;
  let timer = 0;
  const reset = () => { count = 0; clearTimeout(timer); setDots(0); };
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Shift') { if (count) reset(); return; }
    if (e.repeat) return;
    count += 1;
    clearTimeout(timer);
    if (count >= 3) { reset(); quickExit(); return; }
    setDots(count);
    timer = setTimeout(reset, SHIFT_WINDOW_MS);
  }, true);

  // Links between the visitor pages (`data-replace`) replace the current history entry: the
  // tab holds one page of the site at most, whatever the person read before leaving. Without
  // script they are ordinary links. A click another script already handled, or one meant for
  // a new tab or window, is left alone.
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    const link = e.target instanceof Element ? e.target.closest('a[data-replace]') : null;
    if (!link || !link.href) return;
    e.preventDefault();
    location.replace(link.href);
  });

  // A page restored from the back/forward cache must not show anything of an earlier state.
  addEventListener('pageshow', (e) => {
    if (e.persisted) { forgetStored(); location.reload(); }
  });
}

install();
