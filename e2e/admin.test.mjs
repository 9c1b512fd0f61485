// Browser tests of the administration of accounts, in headless Chromium: an administrator
// creates an officer, who enrols from the one-time link (password, authenticator code computed
// here, recovery codes shown once) and opens the console; the administrator disables them and
// the officer's console closes within seconds and asks to log in again. The administration
// pages and the enrolment page pass axe-core in French, English, Spanish and Arabic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  env, BASE, TEST_TIMEOUT, browser, totp, watch, assertAccessible, assertNoProblems,
} from './lib.mjs';

/** The administrators' accounts (crates/server/tests/browser.rs makes them), one per test. */
let nextAdmin = 0;
function adminUsername() {
  const names = (process.env.ECOUTE_ADMIN_USERNAMES || '').split(',').filter(Boolean);
  assert.ok(nextAdmin < names.length, 'set ECOUTE_ADMIN_USERNAMES: not enough administrator accounts');
  return names[nextAdmin++];
}

async function newContext(locale = 'fr-FR') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  watch(page, problems);
  return { context, page, problems };
}

async function logIn(page, username, password, code) {
  await page.goto(`${BASE}/console/login`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#code').fill(code);
  await Promise.all([
    page.waitForURL(`${BASE}/console`),
    page.locator('form[action="/console/login"] button[type="submit"]').click(),
  ]);
}

/** Fills and sends the new-account form; the one-time link the page shows. */
async function createAccount(page, username) {
  await page.goto(`${BASE}/console/admin/new`);
  await page.locator('#new-username').fill(username);
  await page.locator('#new-display').fill(`Agent ${username}`);
  await page.locator('#new-role').selectOption('officer');
  await page.locator('#new-languages').fill('fr,en');
  await page.locator('#new-capacity').fill('2');
  await Promise.all([
    page.waitForURL(`${BASE}/console/admin/new`),
    page.locator('#admin-new-form button[type="submit"]').click(),
  ]);
  const url = (await page.locator('#account-link-url').textContent()).trim();
  assert.ok(url.startsWith(`${BASE}/account-link?t=`), url);
  return url;
}

/** Opens a link's page and enrols: password twice, a code of the authenticator shown. */
async function enrol(page, url, password) {
  await page.goto(url);
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.locator('#link-password').fill(password);
  await page.locator('#link-confirm').fill(password);
  await page.locator('#link-code').fill(totp(secret));
  await page.locator('#link-form button[type="submit"]').click();
  await page.locator('#link-done').waitFor();
  return secret;
}

test('an administrator creates an officer who enrols from the link; disabling them closes their open console', { timeout: TEST_TIMEOUT }, async () => {
  const admin = await newContext();
  await logIn(admin.page, adminUsername(), env.ECOUTE_OFFICER_PASSWORD, totp(env.ECOUTE_OFFICER_TOTP_SECRET));
  await admin.page.locator('body[data-connection="online"]').waitFor();
  await Promise.all([
    admin.page.waitForURL(`${BASE}/console/admin`),
    admin.page.locator('nav.account a[href="/console/admin"]').click(),
  ]);
  await assertAccessible(admin.page, 'fr: accounts page');
  await admin.page.locator('#admin-new').click();
  await admin.page.waitForURL(`${BASE}/console/admin/new`);
  await assertAccessible(admin.page, 'fr: new account page');

  const username = `agent.neuf.${randomBytes(3).toString('hex')}`;
  const url = await createAccount(admin.page, username);
  await assertAccessible(admin.page, 'fr: new account page with its link');

  const officer = await newContext();
  await officer.page.goto(url);
  await assertAccessible(officer.page, 'fr: enrolment page');
  const password = 'mon mot de passe bien long';
  const secret = await enrol(officer.page, url, password);
  assert.equal(await officer.page.locator('#recovery-codes li').count(), 10, 'ten recovery codes, shown once');
  await assertAccessible(officer.page, 'fr: enrolment done');
  // The link is spent.
  await officer.page.goto(url);
  await officer.page.locator('#link-invalid').waitFor();
  await assertAccessible(officer.page, 'fr: spent link');

  // The code typed at enrolment is spent: the next step's logs in.
  await logIn(officer.page, username, password, totp(secret, 1));
  await officer.page.locator('body[data-connection="online"]').waitFor();

  await admin.page.goto(`${BASE}/console/admin`);
  const row = admin.page.locator(`tr[data-username="${username}"]`);
  await row.locator('.account-state').filter({ hasText: 'actif' }).waitFor();
  await row.locator('a').click();
  await admin.page.locator('#state-form').waitFor();
  await assertAccessible(admin.page, 'fr: account page');
  const disabledAt = Date.now();
  await admin.page.locator('#state-form button[type="submit"]').click();
  await admin.page.locator('#admin-notice').waitFor();
  await admin.page.locator('#account-state').filter({ hasText: 'désactivé' }).waitFor();

  // The officer's console loses its socket and, its session gone, asks to log in again.
  await officer.page.locator('body[data-connection="offline"]').waitFor({ timeout: 5_000 });
  await officer.page.locator('#conn-status a[href="/console/login"]').waitFor({ timeout: 10_000 });
  assert.ok(Date.now() - disabledAt < 15_000, 'the console closed within seconds');
  // Their login is refused now.
  await officer.page.goto(`${BASE}/console/login`);
  await officer.page.locator('#username').fill(username);
  await officer.page.locator('#password').fill(password);
  await officer.page.locator('#code').fill(totp(secret, 2));
  await officer.page.locator('form[action="/console/login"] button[type="submit"]').click();
  await officer.page.locator('[role="alert"]').first().waitFor();
  assert.equal(officer.page.url(), `${BASE}/console/login`);

  assertNoProblems(admin, officer);
  await admin.context.close();
  await officer.context.close();
});

test('the administration pages and the enrolment page pass axe in four languages', { timeout: TEST_TIMEOUT }, async () => {
  const admin = await newContext();
  await logIn(admin.page, adminUsername(), env.ECOUTE_OFFICER_PASSWORD, totp(env.ECOUTE_OFFICER_TOTP_SECRET));
  for (const [lang, locale] of [['fr', 'fr-FR'], ['en', 'en-GB'], ['es', 'es-ES'], ['ar', 'ar']]) {
    await admin.page.goto(`${BASE}/console`);
    await admin.page.locator('#console-lang').selectOption(lang);
    await Promise.all([
      admin.page.waitForURL(`${BASE}/console`),
      admin.page.locator('.lang-form button[type="submit"]').click(),
    ]);
    await admin.page.locator(`html[lang="${lang}"]`).waitFor();
    await admin.page.goto(`${BASE}/console/admin`);
    await admin.page.locator(`html[lang="${lang}"]`).waitFor();
    await assertAccessible(admin.page, `${lang}: accounts page`);
    const username = `agent.${lang}.${randomBytes(3).toString('hex')}`;
    const url = await createAccount(admin.page, username);
    await assertAccessible(admin.page, `${lang}: new account page with its link`);
    // A refusal, shown on the page.
    await admin.page.locator('#new-username').fill('X');
    await admin.page.locator('#admin-new-form button[type="submit"]').click();
    await admin.page.locator('#admin-error').waitFor();
    await assertAccessible(admin.page, `${lang}: new account page with an error`);
    await admin.page.goto(`${BASE}/console/admin`);
    await admin.page.locator(`tr[data-username="${username}"] a`).click();
    await admin.page.locator('#reset-password-form').waitFor();
    await assertAccessible(admin.page, `${lang}: account page`);

    const holder = await newContext(locale);
    await holder.page.goto(url);
    await holder.page.locator(`html[lang="${lang}"]`).waitFor();
    await assertAccessible(holder.page, `${lang}: enrolment page`);
    await enrol(holder.page, url, 'un mot de passe assez long');
    await assertAccessible(holder.page, `${lang}: enrolment done`);
    await holder.page.goto(`${BASE}/account-link?t=spent`);
    await holder.page.locator('#link-invalid').waitFor();
    await assertAccessible(holder.page, `${lang}: invalid link page`);
    assertNoProblems(holder);
    await holder.context.close();
  }
  assertNoProblems(admin);
  await admin.context.close();
});
