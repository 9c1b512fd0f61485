// Browser tests of the first run as a new operator meets it (issue 24), in headless Chromium: the
// one-time setup link on a fresh server (crates/server/tests/browser.rs starts one with no
// account), refusals in the page's own words that keep what was typed, the setup link once used,
// the first administrator's enrolment with a key that stays across reloads and logins, recovery
// codes to copy, download or print and to confirm before going on, the administrator's first
// steps on the console, and an officer's enrolment link. On the main server: an administrator
// whose service is set up sees no first step, and staff pages give times in the service's zone.
//
// Accounts: administrator 3 and officer 58 of the main server (see useAccounts in lib.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  env, BASE, TEST_TIMEOUT, browser, totp, watch, assertAccessible, assertNoProblems, useAccounts,
  officerUsername,
} from './lib.mjs';

useAccounts({ officersFrom: 57 });

const SETUP_LINK = process.env.ECOUTE_SETUP_URL || '';
const ADMIN_PASSWORD = 'trois mots choisis, et un quatrième';
const OFFICER_PASSWORD = 'le chemin des douaniers en hiver';

async function newContext(locale = 'fr-FR') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  watch(page, problems);
  return { context, page, problems };
}

/** The hours and minutes a clock in Paris shows at `ms` (default now), as the pages write them. */
function parisClock(ms = Date.now()) {
  return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
}

/** Sends the setup form as typed; the page after it. */
async function submitSetup(page, { username, displayName, password, confirm = password }) {
  await page.locator('#username').fill(username);
  await page.locator('#display_name').fill(displayName);
  await page.locator('#password').fill(password);
  await page.locator('#password_confirm').fill(confirm);
  await Promise.all([
    page.waitForLoadState('load'),
    page.getByRole('button', { name: 'Créer le compte administrateur' }).click(),
  ]);
}

/** The key shown for manual entry: its groups as shown, and the key they make. */
async function shownKey(page) {
  const groups = await page.locator('#totp-secret span').allTextContents();
  const key = (await page.locator('#totp-secret').textContent()).trim();
  return { groups, key };
}

/** Checks the recovery codes box: each code on one line, copy, download, print, and the way on
 *  offered only once the person says they kept them; then follows it. */
async function keepRecoveryCodes(page, nextUrl) {
  const codes = (await page.locator('#recovery-codes code').allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10, 'ten recovery codes');
  const lines = await page.locator('#recovery-codes code').evaluateAll((els) => els.map((e) => e.getClientRects().length));
  assert.deepEqual(lines, Array(10).fill(1), 'every code on one line, none broken across two');
  const heights = await page.locator('#recovery-codes li').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
  const lineHeight = Math.min(...heights);
  assert.ok(heights.every((h) => h < lineHeight * 1.5), `one line each: ${heights}`);

  // Copy: the ten codes, one a line.
  await page.locator('#codes-copy').click();
  await page.locator('#codes-said', { hasText: 'Les codes sont copiés' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.deepEqual(copied.trim().split('\n'), codes, 'the clipboard holds the codes');

  // Download: a plain-text file with every code.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#codes-download').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'ecoute-codes-de-secours.txt');
  const text = await readFile(await download.path(), 'utf8');
  for (const code of codes) assert.ok(text.includes(`${code}\r\n`), `${code} is in the file`);

  // Print: the browser's print, with the codes alone on the page.
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
  await page.locator('#codes-print').click();
  assert.equal(await page.evaluate(() => window.printed), 1, 'print is asked for');
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.locator('#recovery-codes').isVisible(), 'the codes are printed');
  assert.equal(await page.locator('#codes-saved').isVisible(), false, 'the box is not printed');
  await page.emulateMedia({ media: 'screen' });

  // The way on appears once the box is ticked, and only then.
  assert.equal(await page.locator('#codes-next').isVisible(), false, 'no way on before the confirmation');
  await page.getByLabel('J’ai enregistré mes codes de secours en lieu sûr').check();
  await page.locator('#codes-next').waitFor({ state: 'visible' });
  await Promise.all([page.waitForURL(nextUrl), page.locator('#codes-next').click()]);
  return codes;
}

test('first run: the setup link refuses in the page’s words and keeps the form, then says it has served; the first administrator enrols with a key that stays, keeps the recovery codes, and sees the next steps', { timeout: 4 * TEST_TIMEOUT }, async () => {
  assert.ok(SETUP_LINK, 'ECOUTE_SETUP_URL (the link printed at the first start of a fresh server) must be set');
  const FRESH = new URL(SETUP_LINK).origin;
  const admin = await newContext();
  await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: FRESH });
  const { page } = admin;
  try {
    await page.goto(SETUP_LINK);
    const code = await page.locator('#setup_code').inputValue();
    assert.ok(code.length > 20, 'the code is filled in from the link');
    assert.equal(new URL(page.url()).hash, '', 'the code is removed from the address bar');
    await assertAccessible(page, 'setup form');

    // Too short: the page's own message, in French, not the browser's bubble.
    await submitSetup(page, { username: 'admin.premier', displayName: 'Administratrice Premier', password: 'court' });
    await page.locator('#setup-error', { hasText: 'Le mot de passe fait de 12 à 128 caractères.' }).waitFor();
    assert.equal(await page.locator('#setup_code').inputValue(), code, 'the code is kept');

    // Two different passwords: everything but the passwords comes back.
    await submitSetup(page, {
      username: 'admin.premier', displayName: 'Administratrice Premier', password: ADMIN_PASSWORD, confirm: `${ADMIN_PASSWORD}!`,
    });
    await page.locator('#setup-error', { hasText: 'Les deux mots de passe sont différents.' }).waitFor();
    assert.equal(await page.locator('#setup_code').inputValue(), code, 'the code is kept after a refusal');
    assert.equal(await page.locator('#username').inputValue(), 'admin.premier');
    assert.equal(await page.locator('#display_name').inputValue(), 'Administratrice Premier');
    assert.equal(await page.locator('#password').inputValue(), '', 'passwords are never sent back');
    await assertAccessible(page, 'setup form refused');

    // A common password is refused, in the page's language.
    await submitSetup(page, { username: 'admin.premier', displayName: 'Administratrice Premier', password: 'password1234' });
    await page.locator('#setup-error', { hasText: 'trop courant ou trop facile à deviner' }).waitFor();

    // The kept code works.
    await submitSetup(page, { username: 'admin.premier', displayName: 'Administratrice Premier', password: ADMIN_PASSWORD });
    await page.getByText('Le compte administrateur est créé.').waitFor();

    // The link, once used, says so at once: no form to fill in for nothing. (From another page:
    // from /setup itself, the link would only change the fragment.)
    await page.goto('about:blank');
    await page.goto(SETUP_LINK);
    await page.locator('#setup-used', { hasText: 'L’installation est déjà faite' }).waitFor();
    assert.ok((await page.locator('#setup-used').textContent()).includes('nouveau lien'), 'how to get a new link');
    assert.equal(await page.locator('form[action="/setup"]').count(), 0, 'no setup form');
    await assertAccessible(page, 'setup link already used');

    // First login: enrolment, with a key that stays the same across a reload and a new login.
    const logIn = async (code = '') => {
      await page.goto(`${FRESH}/console/login`);
      await page.locator('#username').fill('admin.premier');
      await page.locator('#password').fill(ADMIN_PASSWORD);
      await page.locator('#code').fill(code);
      await Promise.all([page.waitForURL(/\/console(\/security)?$/), page.getByRole('button', { name: 'Se connecter' }).click()]);
    };
    await logIn();
    assert.equal(page.url(), `${FRESH}/console/security`);
    const first = await shownKey(page);
    assert.equal(first.key.length, 32, first.key);
    assert.equal(first.groups.length, 8, 'the key is shown in groups');
    assert.ok(first.groups.every((g) => g.length === 4), `groups of four: ${first.groups}`);
    assert.equal(first.groups.join(''), first.key, 'copied, the groups make the key itself');
    const groupLines = await page.locator('#totp-secret span').evaluateAll((els) => els.map((e) => e.getClientRects().length));
    assert.deepEqual(groupLines, Array(8).fill(1), 'no group is broken across two lines');
    await page.reload();
    assert.equal((await shownKey(page)).key, first.key, 'the same key after a reload');
    assert.equal(await page.locator('#key-replaced').count(), 0, 'no new key, nothing to delete');
    // A wrong code keeps the key too.
    await page.locator('#code').fill('000000');
    await page.getByRole('button', { name: 'Associer' }).click();
    await page.locator('#security-error').waitFor();
    assert.equal((await shownKey(page)).key, first.key, 'the same key after a wrong code');
    // Logged out and in again: the same key, for the same account.
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(`${FRESH}/console/login`);
    await logIn();
    assert.equal((await shownKey(page)).key, first.key, 'the same key after a new login');
    await assertAccessible(page, 'enrolment with a stable key');
    // A code from the key noted at first enrols the authenticator.
    await page.locator('#code').fill(totp(first.key));
    await page.getByRole('button', { name: 'Associer' }).click();
    await page.locator('#codes-box').waitFor();
    await assertAccessible(page, 'recovery codes shown once');
    await keepRecoveryCodes(page, `${FRESH}/console`);

    // The console: paused, no chat offered, and what is left to do.
    await page.locator('body[data-connection="online"]').waitFor();
    await page.locator('#presence-paused[aria-pressed="true"]').waitFor();
    const steps = page.locator('#next-steps');
    await steps.waitFor();
    for (const id of ['step-officers', 'step-units', 'step-forces']) {
      assert.ok(await steps.locator(`#${id}`).isVisible(), `${id} is shown`);
    }
    assert.ok((await steps.textContent()).includes('ecoute units load'), 'the command for the units');
    await assertAccessible(page, 'first console of an administrator');

    // The sessions are given in Paris time (the service's zone), whatever the UTC clock says.
    await page.goto(`${FRESH}/console/security`);
    assert.equal(await page.locator('#recovery-codes').count(), 0, 'the codes are not shown again');
    assert.equal(await page.locator('.qr').count(), 0, 'nor the QR code');
    await page.locator('#sessions-zone', { hasText: 'Europe/Paris' }).waitFor();
    const opened = await page.locator('table.sessions tbody tr').first().locator('td').first().textContent();
    const clocks = [parisClock(), parisClock(Date.now() - 60_000), parisClock(Date.now() - 120_000)];
    assert.ok(clocks.some((c) => opened.includes(c)), `the session opened at ${clocks[0]} Paris time: ${opened}`);

    // An officer's account: the form asks for the name visitors read, then gives a link.
    await page.goto(`${FRESH}/console/admin/new`);
    await page.locator('#new-username').fill('j.martin');
    await page.locator('#new-role').selectOption('officer');
    await page.locator('#admin-new-form button[type="submit"]').click();
    await page.locator('#admin-error', { hasText: 'Choisissez le nom que liront' }).waitFor();
    assert.equal(await page.locator('#new-username').inputValue(), 'j.martin', 'the form keeps what was typed');
    await page.locator('#new-display').fill('Agent Martin');
    await page.locator('#admin-new-form button[type="submit"]').click();
    const url = (await page.locator('#account-link-url').textContent()).trim();
    await page.goto(`${FRESH}/console`);
    await page.locator('#next-steps').waitFor();
    assert.equal(await page.locator('#step-officers').count(), 0, 'officers added: that step is done');
    assert.ok(await page.locator('#step-units').isVisible(), 'the units are still to load');

    // The officer's enrolment link: the same key after a reload and after a refusal.
    const officer = await newContext();
    await officer.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: FRESH });
    try {
      await officer.page.goto(url);
      const key = (await shownKey(officer.page)).key;
      await officer.page.reload();
      assert.equal((await shownKey(officer.page)).key, key, 'the link shows the same key after a reload');
      await officer.page.locator('#link-password').fill('court');
      await officer.page.locator('#link-confirm').fill('court');
      await officer.page.locator('#link-code').fill(totp(key));
      await officer.page.locator('#link-form button[type="submit"]').click();
      await officer.page.locator('#link-error', { hasText: 'de 12 à 128 caractères' }).waitFor();
      await officer.page.locator('#link-password').fill('azertyuiop12');
      await officer.page.locator('#link-confirm').fill('azertyuiop12');
      await officer.page.locator('#link-code').fill(totp(key));
      await officer.page.locator('#link-form button[type="submit"]').click();
      await officer.page.locator('#link-error', { hasText: 'trop courant ou trop facile à deviner' }).waitFor();
      assert.equal((await shownKey(officer.page)).key, key, 'the same key after a refusal');
      await officer.page.locator('#link-password').fill(OFFICER_PASSWORD);
      await officer.page.locator('#link-confirm').fill(OFFICER_PASSWORD);
      await officer.page.locator('#link-code').fill(totp(key));
      await officer.page.locator('#link-form button[type="submit"]').click();
      await officer.page.locator('#link-done').waitFor();
      await assertAccessible(officer.page, 'enrolment link done, codes to keep');
      await keepRecoveryCodes(officer.page, `${FRESH}/console/login`);
      assertNoProblems(officer);
    } finally {
      await officer.context.close();
    }
    assertNoProblems(admin);
  } finally {
    await admin.context.close();
  }
});

test('an administrator whose service has officers and units sees no step for them; staff pages give times in the service’s zone', { timeout: TEST_TIMEOUT }, async () => {
  const names = (process.env.ECOUTE_ADMIN_USERNAMES || '').split(',').filter(Boolean);
  assert.ok(names.length >= 4, 'set ECOUTE_ADMIN_USERNAMES: administrator 4 is this file’s');
  const admin = await newContext();
  try {
    await admin.page.goto(`${BASE}/console/login`);
    await admin.page.locator('#username').fill(names[3]);
    await admin.page.locator('#password').fill(env.ECOUTE_OFFICER_PASSWORD);
    await admin.page.locator('#code').fill(totp(env.ECOUTE_OFFICER_TOTP_SECRET));
    await Promise.all([admin.page.waitForURL(`${BASE}/console`), admin.page.getByRole('button', { name: 'Se connecter' }).click()]);
    await admin.page.locator('body[data-connection="online"]').waitFor();
    assert.equal(await admin.page.locator('#step-officers').count(), 0, 'officers exist');
    assert.equal(await admin.page.locator('#step-units').count(), 0, 'units are loaded');

    // An officer's own sessions, in Paris time.
    const officer = await newContext();
    try {
      await officer.page.goto(`${BASE}/console/login`);
      await officer.page.locator('#username').fill(officerUsername());
      await officer.page.locator('#password').fill(env.ECOUTE_OFFICER_PASSWORD);
      await officer.page.locator('#code').fill(totp(env.ECOUTE_OFFICER_TOTP_SECRET));
      await Promise.all([officer.page.waitForURL(`${BASE}/console`), officer.page.getByRole('button', { name: 'Se connecter' }).click()]);
      await officer.page.goto(`${BASE}/console/security`);
      const opened = await officer.page.locator('table.sessions tbody tr').first().locator('td').first().textContent();
      const clocks = [parisClock(), parisClock(Date.now() - 60_000), parisClock(Date.now() - 120_000)];
      assert.ok(clocks.some((c) => opened.includes(c)), `opened at ${clocks[0]} Paris time: ${opened}`);
      assert.ok(!opened.includes('UTC'), opened);
      assertNoProblems(officer);
    } finally {
      await officer.context.close();
    }
    assertNoProblems(admin);
  } finally {
    await admin.context.close();
  }
});
