// Browser tests of the statistics pages, in headless Chromium: chats are closed through the
// WebSocket protocol (as the pages do it), a supervisor opens the statistics from the console's
// navigation, picks this week, finds the chats counted in the charts' tables, downloads a CSV,
// and the page passes axe-core in French, English, Spanish and Arabic; an officer is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  env, BASE, SHOTS, TEST_TIMEOUT, browser, totp, useAccounts, officerUsername, newOfficer,
  assertAccessible, assertNoProblems, forwardByProtocol, openSocket, sendOn, frameOn,
} from './lib.mjs';

useAccounts({ officersFrom: 45, supervisorsFrom: 8 });

/** Today in Paris, YYYY-MM-DD: the chats made now belong to this week of Paris time. */
function parisToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date());
}

/**
 * Chats closed through the WebSocket protocol by one officer (their own account, logged in
 * through the API): for each, a visitor starts as `intake` says and writes, the officer claims
 * it, qualifies it with `facts` and closes it with `outcome`.
 */
async function closeByProtocol(chats) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${BASE}/securite`);
    const login = await context.request.post(`${BASE}/api/staff/login`, {
      headers: { origin: BASE },
      data: { username: officerUsername(), password: env.ECOUTE_OFFICER_PASSWORD, code: totp(env.ECOUTE_OFFICER_TOTP_SECRET) },
    });
    assert.equal(login.status(), 200, await login.text());
    await openSocket(page, 'staff', '/ws/staff');
    await frameOn(page, 'staff', 'welcome');
    for (const [i, { intake, facts, outcome }] of chats.entries()) {
      const started = await context.request.post(`${BASE}/api/visitor/conversations`, {
        headers: { origin: BASE },
        data: { minor: false, postal_code: '69003', danger: false, language: 'fr', ...intake },
      });
      assert.equal(started.status(), 201, await started.text());
      const { conversation_id: id, token } = await started.json();
      const visitor = `visitor${i}`;
      await openSocket(page, visitor, '/ws/visitor');
      await sendOn(page, visitor, { type: 'hello', token, last_seq: 0 });
      await frameOn(page, visitor, 'welcome');
      await sendOn(page, visitor, { type: 'send', client_id: 'v1', body: 'Bonjour, je voudrais parler à quelqu’un.' });
      await frameOn(page, visitor, 'ack');
      await sendOn(page, 'staff', { type: 'claim', conversation_id: id });
      await frameOn(page, 'staff', 'claimed');
      await sendOn(page, 'staff', {
        type: 'qualify',
        conversation_id: id,
        qualification: { facts, reporter: intake.kind, minor: false, danger: 'serious' },
      });
      await frameOn(page, 'staff', 'case_file');
      await sendOn(page, 'staff', { type: 'close', conversation_id: id, outcome });
      await frameOn(page, 'staff', 'chat_closed');
    }
  } finally {
    await context.close();
  }
}

/** A visitor who starts a chat and leaves with the quick exit before anyone answers. */
async function leaveWhileWaiting() {
  const context = await browser.newContext();
  try {
    const started = await context.request.post(`${BASE}/api/visitor/conversations`, {
      headers: { origin: BASE },
      data: { kind: 'victim', minor: false, postal_code: '75011', danger: false, language: 'fr' },
    });
    assert.equal(started.status(), 201, await started.text());
    const { token } = await started.json();
    const exit = await context.request.post(`${BASE}/api/visitor/quick-exit`, { data: { token } });
    assert.equal(exit.status(), 204);
  } finally {
    await context.close();
  }
}

/** The number in a table's cell: the row whose key is `key`, the column `column` (0: the first after the header). */
async function cellNumber(page, table, key, column) {
  const text = await page.locator(`#${table}-table tr[data-key="${key}"] td`).nth(column).textContent();
  return Number(text.trim());
}

async function chooseLanguage(page, lang) {
  await page.goto(`${BASE}/console`);
  await page.locator('#console-lang').selectOption(lang);
  await Promise.all([
    page.waitForURL(`${BASE}/console`),
    page.locator('.lang-form button[type="submit"]').click(),
  ]);
  await page.locator(`html[lang="${lang}"]`).waitFor();
}

test('a supervisor reads this week’s statistics, with a table per chart and a CSV, and the page passes axe-core in French, English, Spanish and Arabic', { timeout: 3 * TEST_TIMEOUT }, async () => {
  await closeByProtocol([
    { intake: { kind: 'victim' }, facts: ['rape', 'domestic_violence'], outcome: 'information_given' },
    { intake: { kind: 'witness' }, facts: ['domestic_violence'], outcome: 'referred_to_support' },
  ]);
  await forwardByProtocol({ unit: 'commissariat-lyon', says: 'Il m’attend devant le lycée.' });
  await leaveWhileWaiting();

  const supervisor = await newOfficer({ supervisor: true, height: 1000 });
  const { page } = supervisor;
  try {
    // From the console's navigation; the last 8 full weeks first.
    await Promise.all([
      page.waitForURL(`${BASE}/console/statistics`),
      page.getByRole('navigation', { name: 'Compte' }).getByRole('link', { name: 'Statistiques' }).click(),
    ]);
    await page.getByRole('heading', { level: 1, name: 'Statistiques du service' }).waitFor();
    assert.match(await page.locator('#stats-period-shown').textContent(), /8 semaines\./);

    // This week, through the period picker.
    const today = parisToday();
    await page.getByLabel('Du', { exact: true }).fill(today);
    await page.getByLabel('Au', { exact: true }).fill(today);
    await Promise.all([
      page.waitForURL(/\/console\/statistics\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/),
      page.getByRole('button', { name: 'Afficher' }).click(),
    ]);
    assert.match(await page.locator('#stats-period-shown').textContent(), /Une semaine\./);

    // Every chart is a figure with its image and its data table.
    const figures = page.locator('figure.stats-figure');
    assert.equal(await figures.count(), 12);
    for (let i = 0; i < 12; i += 1) {
      const figure = figures.nth(i);
      assert.equal(await figure.locator('svg[role="img"]').count(), 1, 'an image');
      assert.equal(await figure.locator('table caption').count(), 1, 'a table with a caption');
    }

    // The chats closed above are counted (other files' chats of this week may be too).
    const week = await page.locator('#chats-per-week-table tbody tr').first().getAttribute('data-key');
    assert.ok(await cellNumber(page, 'chats-per-week', week, 0) >= 4, 'four chats at least this week');
    assert.ok(await cellNumber(page, 'facts', 'domestic_violence', 0) >= 2);
    assert.ok(await cellNumber(page, 'facts', 'rape', 0) >= 1);
    assert.ok(await cellNumber(page, 'outcomes', 'report_forwarded', 0) >= 1);
    assert.ok(await cellNumber(page, 'forwarded-by-departement', '69', 0) >= 1);
    assert.ok(await cellNumber(page, 'first-contact', 'commissariat-lyon', 0) >= 1, 'the unit’s report');
    await page.locator('#first-contact-table th', { hasText: 'Commissariat central de Lyon' }).waitFor();
    assert.ok(await cellNumber(page, 'left-before-answer', week, 1) >= 1, 'the person who left while waiting');
    assert.ok(await cellNumber(page, 'minors-witnesses', 'witness', 0) >= 1);
    await page.locator('#waits figcaption', { hasText: 'Les attentes ne sont conservées que par tranches' }).waitFor();

    // The weekly table as a CSV file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#chats-per-week').getByRole('link', { name: /Données \(CSV\)/ }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^chats-per-week_\d{4}-W\d{2}_\d{4}-W\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    assert.ok(csv.startsWith('week,chats\r\n'), csv);
    assert.match(csv, new RegExp(`^${week},\\d+\\r\\n`, 'm'));

    // The open-data export of the same weeks, small counts hidden, from the page's button.
    const [exported] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Exporter en open data (CSV)' }).click(),
    ]);
    assert.ok(readFileSync(await exported.path(), 'utf8').startsWith('table,row,column,value\r\n'));

    await assertAccessible(page, 'fr: statistics');
    // The staffing plan plans from the weeks before this one, which this server has no record
    // of: it says so plainly, with no made-up table.
    const statistics = page.url();
    await page.goto(`${BASE}/console/staffing`);
    await page.locator('#staffing-no-plan').waitFor();
    await assertAccessible(page, 'fr: staffing plan');
    await page.goto(statistics);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'statistics-e2e.png') });
    }
    const query = new URL(page.url()).search;
    for (const lang of ['en', 'es', 'ar']) {
      await chooseLanguage(page, lang);
      await page.goto(`${BASE}/console/statistics${query}`);
      await page.locator(`html[lang="${lang}"]`).waitFor();
      assert.equal(await page.locator('figure.stats-figure').count(), 12);
      await assertAccessible(page, `${lang}: statistics`);
      await page.goto(`${BASE}/console/staffing`);
      await page.locator(`html[lang="${lang}"]`).waitFor();
      await assertAccessible(page, `${lang}: staffing plan`);
    }
    // A bad period is said, not a crash.
    await page.goto(`${BASE}/console/statistics?from=2026-03-01&to=2026-01-01`);
    await page.getByRole('alert').filter({ hasText: 'تاريخ النهاية يسبق تاريخ البداية' }).waitFor();
    await assertAccessible(page, 'ar: statistics with a bad period');
    await chooseLanguage(page, 'fr');
    assertNoProblems(supervisor);
  } finally {
    await supervisor.context.close();
  }
});

test('an officer is refused the statistics and does not see them in the navigation', { timeout: TEST_TIMEOUT }, async () => {
  const officer = await newOfficer();
  try {
    const { page } = officer;
    assert.equal(await page.getByRole('link', { name: 'Statistiques' }).count(), 0);
    const response = await page.goto(`${BASE}/console/statistics`);
    assert.equal(response.status(), 403);
    const csv = await page.context().request.get(`${BASE}/console/statistics/facts.csv`);
    assert.equal(csv.status(), 403);
    assert.equal((await page.goto(`${BASE}/console/staffing`)).status(), 403);
  } finally {
    await officer.context.close();
  }
});
