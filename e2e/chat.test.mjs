// Browser tests of the visitor page and the officer console, in headless Chromium.
//
//   ECOUTE_URL=http://127.0.0.1:18080 ECOUTE_OFFICER_USERNAMES=agent.1,agent.2,... ECOUTE_OFFICER_TOTP_SECRET=BASE32 \
//   ECOUTE_OFFICER_PASSWORD=officer-password-123 ECOUTE_NEUTRAL_URL=https://neutral.invalid/ \
//   [ECOUTE_SCREENSHOTS_DIR=/tmp/shots] node --test --test-concurrency=1 chat.test.mjs
//
// The visitor and the officer live in two separate browser contexts, side by side, against a real
// server. Nothing is skipped: a missing variable fails every test with a message saying which.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';

const REQUIRED = ['ECOUTE_URL', 'ECOUTE_OFFICER_USERNAMES', 'ECOUTE_OFFICER_PASSWORD', 'ECOUTE_OFFICER_TOTP_SECRET', 'ECOUTE_NEUTRAL_URL'];
const env = Object.fromEntries(REQUIRED.map((k) => [k, process.env[k]]));
const BASE = (env.ECOUTE_URL || '').replace(/\/+$/, '');
const NEUTRAL = env.ECOUTE_NEUTRAL_URL || '';
const SHOTS = process.env.ECOUTE_SCREENSHOTS_DIR || '';
const CHROMIUM = process.env.ECOUTE_CHROMIUM || '/usr/bin/chromium';
const TEST_TIMEOUT = 120_000;

const NEUTRAL_PAGE = '<!doctype html><html lang="fr"><title>Météo</title><h1>Météo du jour</h1><p>Ensoleillé.</p></html>';
const EXIT_ALERT = 'La personne a quitté en urgence';

let browser;

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
function base32(text) {
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
function totp(secret, offsetSteps = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + offsetSteps;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(msg).digest();
  const offset = mac[19] & 0x0f;
  const n = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/** Each test logs in with its own officer account: a TOTP code is accepted only once. */
let nextOfficer = 0;
function officerUsername() {
  const names = env.ECOUTE_OFFICER_USERNAMES.split(',');
  assert.ok(nextOfficer < names.length, 'not enough officer accounts for the tests');
  return names[nextOfficer++];
}

const unique = (label) => `${label} ${randomBytes(4).toString('hex')}`;

/** Watch a page for CSP violations and uncaught errors: both mean the page is broken. */
function watch(page, problems) {
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content[- ]Security[- ]Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
}

async function newVisitor() {
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

async function newOfficer() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  watch(page, problems);
  await page.goto(`${BASE}/console/login`);
  await page.getByLabel('Identifiant').fill(officerUsername());
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
async function startConversation(page, { kind = 'victim', minor = false, postalCode = '' } = {}) {
  await page.goto(`${BASE}/`);
  await page.getByRole('button', { name: 'Commencer une conversation' }).first().click();
  await page.getByLabel(kind === 'victim' ? 'victime' : 'témoin', { exact: true }).check();
  await page.getByLabel(minor ? 'oui, j’ai moins de 18 ans' : 'non, j’ai 18 ans ou plus').check();
  if (postalCode) await page.getByLabel(/Code postal/).fill(postalCode);
  await page.getByRole('button', { name: 'Commencer la conversation' }).click();
  await page.locator('#waiting').waitFor({ state: 'visible' });
  const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ecoute.conversation')));
  assert.ok(stored && stored.conversation_id && stored.token, 'the conversation is stored in sessionStorage');
  return stored;
}

async function claim(officerPage, conversationId) {
  const item = officerPage.locator(`.queue-item[data-conversation-id="${conversationId}"]`);
  await item.waitFor();
  await item.getByRole('button', { name: 'Prendre' }).click();
  const panel = officerPage.locator(`#panel-${conversationId}`);
  await panel.waitFor({ state: 'visible' });
  return panel;
}

async function visitorSend(page, text) {
  await page.locator('#message-input').fill(text);
  await page.locator('#message-input').press('Enter');
  const msg = page.locator('#messages .msg-mine', { hasText: text });
  await msg.locator('.msg-status', { hasText: 'envoyé' }).waitFor();
  return msg;
}

async function officerSend(panel, text) {
  await panel.locator('textarea.c-input').fill(text);
  await panel.locator('textarea.c-input').press('Enter');
  await panel.locator('.msg-mine', { hasText: text }).locator('.msg-status', { hasText: 'envoyé' }).waitFor();
}

const countText = (scope, text) => scope.locator('.msg-body', { hasText: text }).count();

/** Start a chat, let the officer claim it, and exchange messages both ways. */
async function chatBothWays(visitor, officer, tag) {
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

async function assertText(locator, expected) {
  const text = (await locator.textContent()) || '';
  assert.ok(text.includes(expected), `expected “${expected}” in “${text}”`);
}

async function screenshots(visitor, officer) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await visitor.page.screenshot({ path: join(SHOTS, 'visitor-chat.png') });
  await officer.page.screenshot({ path: join(SHOTS, 'console.png') });
}

/** Open a visitor socket with `token` from a blank context and return the first frame. */
async function helloWith(token) {
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
async function assertNoTrace(visitor, texts, token) {
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
  }));
  assert.deepEqual(storage, { session: 0, local: 0, idb: 0, workers: 0 }, 'nothing is stored on the device');
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

async function assertOfficerAlerted(officer, id) {
  const panel = officer.page.locator(`#panel-${id}`);
  await panel.getByRole('alert').filter({ hasText: EXIT_ALERT }).waitFor();
  await officer.page.locator('#global-alert', { hasText: EXIT_ALERT }).waitFor();
  await officer.page.locator(`#tab-${id} .badge-left`).waitFor({ state: 'visible' });
  const title = await officer.page.title();
  assert.ok(title.includes(EXIT_ALERT), `the page title carries the alert: ${title}`);
  assert.ok(await panel.locator('textarea.c-input').isDisabled(), 'the officer can no longer write');
  assert.equal(await panel.locator('select.x-outcome').inputValue(), 'visitor_left', 'the outcome is preset');
  // Only closing remains.
  await panel.getByRole('button', { name: 'Clôturer' }).click();
  await officer.page.locator(`#tab-${id}`).waitFor({ state: 'detached' });
}

function assertNoProblems(...actors) {
  for (const a of actors) assert.deepEqual(a.problems, [], 'no CSP violation and no uncaught error');
}

// ---------------------------------------------------------------- tests

test('quick exit by the button leaves for the neutral page, leaves no trace on the device, and alerts the officer', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  try {
    await visitor.page.goto(`${BASE}/securite`); // a page before the chat, to go Back to
    const chat = await chatBothWays(visitor, officer, 'bouton');
    await screenshots(visitor, officer);

    await visitor.page.getByRole('button', { name: /^Quitter/ }).click();
    await assertNoTrace(visitor, chat.texts, chat.token);
    await assertOfficerAlerted(officer, chat.id);
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

test('quick exit by Shift pressed three times does the same; any other key resets the count', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  try {
    await visitor.page.goto(`${BASE}/securite`);
    const chat = await chatBothWays(visitor, officer, 'maj');
    const page = visitor.page;
    await page.locator('#message-input').focus();

    await page.keyboard.press('Shift');
    await page.locator('.qe-button.qe-armed').waitFor(); // discreet progress
    await page.keyboard.press('Shift');
    await page.keyboard.press('x'); // resets
    await page.keyboard.press('Shift');
    await page.keyboard.press('Shift');
    await page.waitForTimeout(300);
    assert.ok(page.url().startsWith(BASE), 'two presses after a reset do not exit');

    await page.keyboard.press('Shift');
    await assertNoTrace(visitor, chat.texts, chat.token);
    await assertOfficerAlerted(officer, chat.id);
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

test('a reload mid-chat reconnects and shows the history exactly once, on the visitor page and on the console', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  let officer = await newOfficer();
  try {
    const chat = await chatBothWays(visitor, officer, 'rechargement');
    const page = visitor.page;

    await page.reload();
    const last = chat.texts[chat.texts.length - 1];
    await page.locator('#messages .msg-body', { hasText: last }).waitFor();
    await page.locator('#chat').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#waiting').isHidden(), 'the chat resumes, not the waiting room');
    for (const text of chat.texts) assert.equal(await countText(page.locator('#messages'), text), 1, `shown once: ${text}`);
    assert.equal(await page.locator('#messages .msg').count(), chat.texts.length, 'no duplicate after reload');

    const afterReload = unique('rechargement: encore là après le rechargement');
    await visitorSend(page, afterReload);
    await chat.panel.locator('.msg-body', { hasText: afterReload }).waitFor();

    // The console reload finds the chat and all its messages.
    await officer.page.reload();
    await officer.page.locator('body[data-connection="online"]').waitFor();
    const panel = officer.page.locator(`#panel-${chat.id}`);
    await panel.locator('.msg-body', { hasText: afterReload }).waitFor();
    for (const text of [...chat.texts, afterReload]) assert.equal(await countText(panel, text), 1, `console shows once: ${text}`);
    assert.equal(await panel.locator('.msg').count(), chat.texts.length + 1, 'no duplicate on the console');

    const reply = unique('rechargement: je vous ai bien lu.');
    await officerSend(panel, reply);
    await page.locator('#messages .msg-body', { hasText: reply }).waitFor();

    // Closing ends the chat on the visitor side and forgets the token.
    await panel.locator('select.x-outcome').selectOption('information_given');
    await panel.getByRole('button', { name: 'Clôturer' }).click();
    await officer.page.locator(`#tab-${chat.id}`).waitFor({ state: 'detached' });
    await page.locator('#ended').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'sessionStorage is cleared when the chat ends');
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

test('coming back to the page other than by a reload (Back, a restored tab) shows nothing and forgets the token', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  try {
    const chat = await chatBothWays(visitor, officer, 'retour');
    const page = visitor.page;

    // Leave the chat for another page of the site, then come back with Back: a new navigation.
    await page.goto(`${BASE}/securite`);
    await page.goBack();
    assert.equal(page.url(), `${BASE}/`);
    await page.locator('#landing').waitFor({ state: 'visible' });
    const html = await page.content();
    for (const text of chat.texts) assert.ok(!html.includes(text), `nothing of the chat is shown: ${text}`);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'the token is forgotten');

    // The conversation itself is untouched: the officer still has it and can still write.
    await officerSend(chat.panel, unique('retour: toujours là'));
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

test('the one-time setup link creates the first administrator, who can then log in and out', { timeout: TEST_TIMEOUT }, async () => {
  // A second, fresh server: the setup link only works while no account exists.
  const link = process.env.ECOUTE_SETUP_URL;
  assert.ok(link, 'ECOUTE_SETUP_URL (the link printed at the first start of a fresh server) must be set');
  const FRESH = new URL(link).origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = [];
    watch(page, problems);
    await page.goto(link);
    // The code comes from the fragment, which is then removed from the address bar.
    assert.ok((await page.getByLabel('Code d’installation').inputValue()).length > 20, 'the code is filled in');
    assert.equal(new URL(page.url()).hash, '', 'the code is removed from the URL');
    await page.getByLabel('Identifiant').fill('admin.test');
    await page.getByLabel('Nom affiché').fill('Administratrice');
    await page.getByLabel('Mot de passe', { exact: true }).fill('admin-password-456');
    await page.getByLabel('Confirmer le mot de passe').fill('admin-password-456');
    await page.getByRole('button', { name: 'Créer le compte administrateur' }).click();
    await page.getByText('Le compte administrateur est créé.').waitFor();

    await page.goto(`${FRESH}/console/login`);
    await page.getByLabel('Identifiant').fill('admin.test');
    await page.getByLabel('Mot de passe').fill('admin-password-456');
    // First login: no authenticator yet, so the password alone leads to enrolment, and only there.
    await Promise.all([
      page.waitForURL(`${FRESH}/console/security`),
      page.getByRole('button', { name: 'Se connecter' }).click(),
    ]);
    await page.goto(`${FRESH}/console`);
    assert.equal(page.url(), `${FRESH}/console/security`, 'nothing else before enrolment');
    const secret = (await page.locator('#totp-secret').textContent()).trim();
    assert.ok(await page.locator('.qr svg').count(), 'a QR code is shown');
    await page.getByLabel('Code à 6 chiffres').fill(totp(secret));
    await page.getByRole('button', { name: 'Associer' }).click();
    await page.locator('#recovery-codes li').first().waitFor();
    assert.equal(await page.locator('#recovery-codes li').count(), 10, 'ten recovery codes, shown once');
    await page.reload();
    assert.equal(await page.locator('#recovery-codes').count(), 0, 'the codes are not shown again');
    assert.equal(await page.locator('.qr').count(), 0, 'the QR code is not shown again');
    await page.goto(`${FRESH}/console`);
    await page.getByText('Administratrice').first().waitFor();
    await Promise.all([
      page.waitForURL(`${FRESH}/console/login`),
      page.getByRole('button', { name: 'Se déconnecter' }).click(),
    ]);
    await page.goto(`${FRESH}/console`);
    assert.equal(page.url(), `${FRESH}/console/login`, 'after logout the console asks to log in again');

    // The link works once.
    await page.goto(link);
    await page.getByLabel('Identifiant').fill('admin.other');
    await page.getByLabel('Nom affiché').fill('Autre');
    await page.getByLabel('Mot de passe', { exact: true }).fill('admin-password-456');
    await page.getByLabel('Confirmer le mot de passe').fill('admin-password-456');
    await page.getByRole('button', { name: 'Créer le compte administrateur' }).click();
    await page.getByRole('alert').filter({ hasText: 'pas valable' }).waitFor();
    assert.deepEqual(problems, [], 'no CSP violation or page error');
  } finally {
    await context.close();
  }
});

test('an officer blocks an abusive chat from the queue with two clicks; the visitor page ends and forgets the token', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  try {
    const { conversation_id: id } = await startConversation(visitor.page);
    const item = officer.page.locator(`.queue-item[data-conversation-id="${id}"]`);
    await item.waitFor();
    const block = item.getByRole('button', { name: 'Bloquer' });
    await block.click();
    await item.getByRole('button', { name: 'Confirmer le blocage' }).click();
    await item.waitFor({ state: 'detached' });
    await visitor.page.locator('#ended').waitFor({ state: 'visible' });
    assert.equal(await visitor.page.evaluate(() => sessionStorage.length), 0, 'the token is forgotten');
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

test('the quick-exit button is the first element in tab order on / and /securite', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  try {
    for (const path of ['/', '/securite']) {
      await visitor.page.goto(`${BASE}${path}`);
      await visitor.page.keyboard.press('Tab');
      const button = visitor.page.getByRole('button', { name: /^Quitter/ });
      assert.equal(await button.count(), 1, `one quick-exit button on ${path}`);
      assert.ok(await button.evaluate((el) => el === document.activeElement), `the quick-exit button has focus first on ${path}`);
      const box = await button.boundingBox();
      assert.ok(box && box.y < 80, `the button is at the top of ${path}`);
      await visitor.page.mouse.wheel(0, 2000);
      const after = await button.boundingBox();
      assert.ok(after && after.y < 80, `the button stays visible when scrolling ${path}`);
    }
    assertNoProblems(visitor);
  } finally {
    await visitor.context.close();
  }
});
