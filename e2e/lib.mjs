// Shared by the browser test files: the environment, the browser, and the helpers that drive a
// visitor page and an officer console. Importing it launches the browser before the tests of
// the importing file and closes it after them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
// Browser tests of the visitor page and the officer console, in headless Chromium.
//
//   ECOUTE_URL=http://127.0.0.1:18080 ECOUTE_OFFICER_USERNAMES=agent.1,agent.2,... ECOUTE_OFFICER_TOTP_SECRET=BASE32 \
//   ECOUTE_OFFICER_PASSWORD=officer-password-123 ECOUTE_NEUTRAL_URL=https://neutral.invalid/ \
//   [ECOUTE_SCREENSHOTS_DIR=/tmp/shots] node --test --test-concurrency=1 chat.test.mjs
//
// The visitor and the officer live in two separate browser contexts, side by side, against a real
// server. Nothing is skipped: a missing variable fails every test with a message saying which.

export const REQUIRED = ['ECOUTE_URL', 'ECOUTE_OFFICER_USERNAMES', 'ECOUTE_OFFICER_PASSWORD', 'ECOUTE_OFFICER_TOTP_SECRET', 'ECOUTE_NEUTRAL_URL'];
export const env = Object.fromEntries(REQUIRED.map((k) => [k, process.env[k]]));
export const BASE = (env.ECOUTE_URL || '').replace(/\/+$/, '');
export const NEUTRAL = env.ECOUTE_NEUTRAL_URL || '';
export const SHOTS = process.env.ECOUTE_SCREENSHOTS_DIR || '';
export const CHROMIUM = process.env.ECOUTE_CHROMIUM || '/usr/bin/chromium';
export const TEST_TIMEOUT = 120_000;

export const NEUTRAL_PAGE = '<!doctype html><html lang="fr"><title>Météo</title><h1>Météo du jour</h1><p>Ensoleillé.</p></html>';
export const EXIT_ALERT = 'La personne a quitté en urgence';

export let browser;

before(async () => {
  const missing = REQUIRED.filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(`Missing environment variable(s): ${missing.join(', ')}. `
      + 'Set ECOUTE_URL (e.g. http://127.0.0.1:18080), ECOUTE_OFFICER_USERNAMES, ECOUTE_OFFICER_TOTP_SECRET, '
      + 'ECOUTE_OFFICER_PASSWORD and ECOUTE_NEUTRAL_URL (the neutral_url the server is configured with).');
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => { if (browser) await browser.close(); });

// ---------------------------------------------------------------- helpers

/** RFC 4648 base32 (no padding) to bytes. */
export function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (HMAC-SHA1, 6 digits, 30 s) of a base32 secret, now. */
export function totp(secret, offsetSteps = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + offsetSteps;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(msg).digest();
  const offset = mac[19] & 0x0f;
  const n = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/** Each test logs in with its own officer account: a TOTP code is accepted only once. */
export let nextOfficer = 0;

/**
 * Where this file's accounts start in each list: every test file runs in its own process, so
 * two files would otherwise use the same account within one 30-second step. chat.test.mjs uses
 * the first 30 officers and 5 supervisors; desk.test.mjs officers 31-35, supervisors 6-7 and
 * the first unit accounts; follow-up.test.mjs officers 36-40 and supervisor 8; journey.test.mjs
 * officers 41-45 and the last unit accounts; statistics.test.mjs officers 46-48 and supervisor 9;
 * shift.test.mjs officers 49-50 and supervisor 10.
 * wellbeing.test.mjs officers 51-52; console-layout.test.mjs officers 53-55, supervisor 11 and
 * the third administrator (it logs in by name, each account more than once).
 * visitor-pages.test.mjs officers 56-57.
 * first-run.test.mjs officer 58 and administrator 4 (the setup server's accounts are its own).
 */
export function useAccounts({ officersFrom = 0, supervisorsFrom = 0, unitsFrom = 0 } = {}) {
  nextOfficer = officersFrom;
  nextSupervisor = supervisorsFrom;
  nextUnitAccount = unitsFrom;
}

/** The unit whose desk the unit accounts work at (the sample directory's Lyon commissariat). */
export const UNIT = process.env.ECOUTE_UNIT || '';

export let nextUnitAccount = 0;
/** A unit account not used yet by this file. */
export function unitUsername() {
  const names = (process.env.ECOUTE_UNIT_USERNAMES || '').split(',').filter(Boolean);
  assert.ok(nextUnitAccount < names.length, 'set ECOUTE_UNIT_USERNAMES: not enough unit accounts');
  return names[nextUnitAccount++];
}
export function officerUsername() {
  const names = env.ECOUTE_OFFICER_USERNAMES.split(',');
  assert.ok(nextOfficer < names.length, 'not enough officer accounts for the tests');
  return names[nextOfficer++];
}

export const unique = (label) => `${label} ${randomBytes(4).toString('hex')}`;

/** Watch a page for CSP violations and uncaught errors: both mean the page is broken. */
export function watch(page, problems) {
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content[- ]Security[- ]Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
}

export async function newVisitor() {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  // There is no network: the neutral page is served here.
  await context.route((url) => url.href.startsWith(NEUTRAL), (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: NEUTRAL_PAGE }));
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  watch(page, problems);
  return { context, page, problems };
}

/** Each supervisor test uses its own supervisor account, for the same reason. */
export let nextSupervisor = 0;
export function supervisorUsername() {
  const names = (process.env.ECOUTE_SUPERVISOR_USERNAMES || '').split(',').filter(Boolean);
  assert.ok(nextSupervisor < names.length, 'set ECOUTE_SUPERVISOR_USERNAMES: not enough supervisor accounts');
  return names[nextSupervisor++];
}

/**
 * Records the desktop notifications a page shows (permission granted), and lets a test say
 * whether the officer is looking at the page: alerts notify only when they are not.
 */
export const NOTIFICATION_SPY = () => {
  window.__notifications = [];
  window.__looking = true;
  document.hasFocus = () => window.__looking;
  const Real = window.Notification;
  class Spy extends Real {
    constructor(title, options = {}) {
      super(title, options);
      window.__notifications.push({ title, body: options.body || '' });
    }
  }
  Object.defineProperty(Spy, 'permission', { get: () => 'granted' });
  window.Notification = Spy;
};

export async function newOfficer({ supervisor = false, width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  await context.grantPermissions(['notifications'], { origin: BASE });
  await context.addInitScript(NOTIFICATION_SPY);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  watch(page, problems);
  await page.goto(`${BASE}/console/login`);
  await page.getByLabel('Identifiant').fill(supervisor ? supervisorUsername() : officerUsername());
  await page.getByLabel('Mot de passe').fill(env.ECOUTE_OFFICER_PASSWORD);
  await page.getByLabel('Code de vérification').fill(totp(env.ECOUTE_OFFICER_TOTP_SECRET));
  await Promise.all([
    page.waitForURL(`${BASE}/console`),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
  await page.locator('body[data-connection="online"]').waitFor();
  return { context, page, problems };
}

/** Fill the start form on `/` and wait for the waiting room. Returns the stored conversation id. */
export async function startConversation(page, { kind = 'victim', minor = false, postalCode = '', danger = false } = {}) {
  await page.goto(`${BASE}/`);
  await page.getByRole('button', { name: 'Commencer une conversation' }).first().click();
  await page.getByLabel(kind === 'victim' ? 'victime' : 'témoin', { exact: true }).check();
  await page.getByLabel(minor ? 'oui, j’ai moins de 18 ans' : 'non, j’ai 18 ans ou plus').check();
  if (postalCode) await page.getByLabel(/Code postal/).fill(postalCode);
  if (danger) await page.getByLabel('Je suis en danger maintenant').check();
  await page.getByRole('button', { name: 'Commencer la conversation' }).click();
  await page.locator('#waiting').waitFor({ state: 'visible' });
  const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ecoute.conversation')));
  assert.ok(stored && stored.conversation_id && stored.token, 'the conversation is stored in sessionStorage');
  return stored;
}

export async function claim(officerPage, conversationId) {
  const item = officerPage.locator(`.queue-item[data-conversation-id="${conversationId}"]`);
  await item.waitFor();
  await item.getByRole('button', { name: 'Prendre' }).click();
  const panel = officerPage.locator(`#panel-${conversationId}`);
  await panel.waitFor({ state: 'visible' });
  return panel;
}

export async function visitorSend(page, text) {
  await page.locator('#message-input').fill(text);
  await page.locator('#message-input').press('Enter');
  const msg = page.locator('#messages .msg-mine', { hasText: text });
  // Stored: "envoyé", then "reçu" and "lu" as the officer's console reports them.
  await msg.locator('.msg-status', { hasText: /^(envoyé|reçu|lu)$/ }).waitFor();
  return msg;
}

export async function officerSend(panel, text) {
  await panel.locator('textarea.c-input').fill(text);
  await panel.locator('textarea.c-input').press('Enter');
  await panel.locator('.msg-mine', { hasText: text }).locator('.msg-status', { hasText: /^(envoyé|reçu|lu)$/ }).waitFor();
}

export const countText = (scope, text) => scope.locator('.msg-body', { hasText: text }).count();

/** Start a chat, let the officer claim it, and exchange messages both ways. */
export async function chatBothWays(visitor, officer, tag) {
  const { conversation_id: id, token } = await startConversation(visitor.page, { postalCode: '69003' });
  const first = unique(`${tag}: premier message pendant l’attente`);
  await visitorSend(visitor.page, first);

  const panel = await claim(officer.page, id);
  await panel.locator('.msg-body', { hasText: first }).waitFor();
  await assertText(panel.locator('.f-dept'), '69');

  const officerName = await officer.page.locator('body').getAttribute('data-display-name');
  await visitor.page.locator('#chat-with', { hasText: officerName }).waitFor();

  const fromOfficer = unique(`${tag}: Bonjour, je suis là pour vous écouter.`);
  await officerSend(panel, fromOfficer);
  const seen = visitor.page.locator('#messages .msg-theirs', { hasText: fromOfficer });
  await seen.waitFor();
  assert.equal(await seen.locator('.msg-author').textContent(), officerName, 'the officer’s name is shown');
  assert.match(await seen.locator('.msg-time').textContent(), /^\d{2}:\d{2}$/, 'the time is shown as HH:MM');

  const fromVisitor = unique(`${tag}: Merci, je voudrais des informations.`);
  await visitorSend(visitor.page, fromVisitor);
  await panel.locator('.msg-theirs', { hasText: fromVisitor }).waitFor();

  return { id, token, panel, texts: [first, fromOfficer, fromVisitor] };
}

/** The text appears in the element within a few seconds (what it shows may come by the socket). */
export async function assertText(locator, expected) {
  const deadline = Date.now() + 10000;
  let text = '';
  for (;;) {
    text = (await locator.textContent()) || '';
    if (text.includes(expected) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(text.includes(expected), `expected “${expected}” in “${text}”`);
}

export async function screenshots(visitor, officer) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await visitor.page.screenshot({ path: join(SHOTS, 'visitor-chat.png') });
  await officer.page.screenshot({ path: join(SHOTS, 'console.png') });
}

/** Open a visitor socket with `token` from a blank context and return the first frame. */
export async function helloWith(token) {
  const probe = await browser.newContext();
  try {
    const page = await probe.newPage();
    await page.goto(`${BASE}/securite`);
    return await page.evaluate((tok) => new Promise((resolve) => {
      const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws/visitor`);
      const timer = setTimeout(() => resolve({ type: 'timeout' }), 5000);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token: tok, last_seq: 0 }));
      ws.onmessage = (e) => { clearTimeout(timer); resolve(JSON.parse(e.data)); ws.close(); };
      ws.onclose = (e) => { clearTimeout(timer); resolve({ type: 'closed', code: e.code }); };
    }), token);
  } finally {
    await probe.close();
  }
}

/** After a quick exit: the tab is on the neutral page and nothing of the chat is left anywhere. */
export async function assertNoTrace(visitor, texts, token) {
  const { page, context } = visitor;
  await page.waitForURL((url) => url.href.startsWith(NEUTRAL));
  assert.ok(page.url().startsWith(NEUTRAL), 'the tab shows the neutral page');

  // Back: the chat page was replaced, so Back lands on the page before it (/securite, our origin).
  await page.goBack();
  assert.equal(page.url(), `${BASE}/securite`, 'the chat page is not in the tab history');
  const storage = await page.evaluate(async () => ({
    session: sessionStorage.length,
    local: localStorage.length,
    idb: (await indexedDB.databases()).length,
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    caches: (await caches.keys()).length,
  }));
  assert.deepEqual(storage, { session: 0, local: 0, idb: 0, workers: 0, caches: 0 }, 'nothing is stored on the device');
  let html = await page.content();
  for (const text of texts) assert.ok(!html.includes(text), `no message text after Back: ${text}`);

  // Opening the chat page again shows the landing page, not the conversation.
  await page.goto(`${BASE}/`);
  await page.locator('#landing').waitFor({ state: 'visible' });
  assert.ok(await page.locator('#chat').isHidden(), 'the chat is not shown again');
  html = await page.content();
  for (const text of texts) assert.ok(!html.includes(text), `no message text on reopening: ${text}`);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);

  assert.deepEqual(await context.cookies(), [], 'no cookie in the visitor context');

  // The server revoked the token.
  const frame = await helloWith(token);
  assert.ok(frame.type === 'error' ? frame.code === 'invalid_token' : frame.type === 'closed' && frame.code === 1008,
    `the revoked token is refused, got ${JSON.stringify(frame)}`);
}

export async function assertOfficerAlerted(officer, id) {
  const panel = officer.page.locator(`#panel-${id}`);
  await panel.getByRole('alert').filter({ hasText: EXIT_ALERT }).waitFor();
  await officer.page.locator('#global-alert', { hasText: EXIT_ALERT }).waitFor();
  await officer.page.locator(`#tab-${id} .badge-left`).waitFor({ state: 'visible' });
  const title = await officer.page.title();
  assert.ok(title.includes(EXIT_ALERT), `the page title carries the alert: ${title}`);
  assert.ok(await panel.locator('textarea.c-input').isEnabled(), 'the officer may leave a message for a return');
  assert.equal(await panel.locator('select.x-outcome').inputValue(), 'visitor_left', 'the outcome is preset');
  // Only closing remains.
  await panel.getByRole('button', { name: 'Clôturer' }).click();
  await officer.page.locator(`#tab-${id}`).waitFor({ state: 'detached' });
}

export function assertNoProblems(...actors) {
  for (const a of actors) assert.deepEqual(a.problems, [], 'no CSP violation and no uncaught error');
}

/** axe-core's WCAG 2.1 A and AA rules on the page as it is now: no serious or critical violation. */
export async function assertAccessible(page, what) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${what}: accessibility violations`,
  );
  return result.passes.length;
}

/** In a page of our origin: a socket to `path` whose frames can be awaited by type. */
export async function openSocket(page, name, path) {
  await page.evaluate(([name, path]) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}${path}`);
    const s = { ws, frames: [], waiters: [] };
    (window.__sockets ||= {})[name] = s;
    ws.onmessage = (e) => {
      const f = JSON.parse(e.data);
      const i = s.waiters.findIndex((w) => w.match(f));
      if (i >= 0) s.waiters.splice(i, 1)[0].resolve(f); else s.frames.push(f);
    };
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`${path}: the socket did not open`));
  }), [name, path]);
}

/** Sends a frame on a socket opened by `openSocket`. */
export async function sendOn(page, name, frame) {
  await page.evaluate(([name, frame]) => window.__sockets[name].ws.send(JSON.stringify(frame)), [name, frame]);
}

/** The first frame of type `type` (and fields equal to `having`) on a socket, within 10 s. */
export async function frameOn(page, name, type, having = {}) {
  return page.evaluate(([name, type, having]) => new Promise((resolve, reject) => {
    const s = window.__sockets[name];
    const match = (f) => f.type === type && Object.entries(having).every(([k, v]) => f[k] === v);
    const i = s.frames.findIndex(match);
    if (i >= 0) { resolve(s.frames.splice(i, 1)[0]); return; }
    const timer = setTimeout(() => reject(new Error(`no ${type} frame within 10 s`)), 10_000);
    s.waiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f); } });
  }), [name, type, having]);
}

/**
 * A chat forwarded to `unit` through the WebSocket protocol alone (docs/PROTOCOL.md), the way
 * the pages do it but without them: a visitor starts and writes `says`; an officer (their own
 * account, logged in through the API) claims it and proposes `unit` (ask_consent); the visitor
 * says yes with `instructions` (consent_answer); the officer closes it as forwarded, which
 * produces the dossier. Returns the conversation id.
 */
export async function forwardByProtocol({ unit, says, instructions = 'Le soir après 19 h ; dire que c’est la pharmacie.' }) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${BASE}/securite`);
    const started = await context.request.post(`${BASE}/api/visitor/conversations`, {
      headers: { origin: BASE },
      data: { kind: 'victim', minor: false, postal_code: '69003', danger: false, language: 'fr' },
    });
    assert.equal(started.status(), 201, await started.text());
    const { conversation_id: id, token } = await started.json();
    await openSocket(page, 'visitor', '/ws/visitor');
    await sendOn(page, 'visitor', { type: 'hello', token, last_seq: 0 });
    await frameOn(page, 'visitor', 'welcome');
    await sendOn(page, 'visitor', { type: 'send', client_id: 'v1', body: says });
    await frameOn(page, 'visitor', 'ack');

    // The officer's session cookie lands in this context, and goes with the staff socket.
    const login = await context.request.post(`${BASE}/api/staff/login`, {
      headers: { origin: BASE },
      data: { username: officerUsername(), password: env.ECOUTE_OFFICER_PASSWORD, code: totp(env.ECOUTE_OFFICER_TOTP_SECRET) },
    });
    assert.equal(login.status(), 200, await login.text());
    await openSocket(page, 'staff', '/ws/staff');
    await frameOn(page, 'staff', 'welcome');
    await sendOn(page, 'staff', { type: 'claim', conversation_id: id });
    await frameOn(page, 'staff', 'claimed');
    await sendOn(page, 'staff', { type: 'ask_consent', conversation_id: id, unit });
    await frameOn(page, 'visitor', 'consent');
    await sendOn(page, 'visitor', { type: 'consent_answer', unit, yes: true, instructions });
    await frameOn(page, 'staff', 'consent', { answer: true });
    await sendOn(page, 'staff', { type: 'close', conversation_id: id, outcome: 'report_forwarded' });
    await frameOn(page, 'staff', 'chat_closed');
    return id;
  } finally {
    await context.close();
  }
}

/** A unit's officer logged in (password and authenticator), on their desk. */
export async function newClerk() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', timezoneId: 'Europe/Paris', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  watch(page, problems);
  await page.goto(`${BASE}/console/login`);
  await page.getByLabel('Identifiant').fill(unitUsername());
  await page.getByLabel('Mot de passe').fill(env.ECOUTE_OFFICER_PASSWORD);
  await page.getByLabel('Code de vérification').fill(totp(env.ECOUTE_OFFICER_TOTP_SECRET));
  await Promise.all([
    page.waitForURL(`${BASE}/desk`),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
  return { context, page, problems };
}
