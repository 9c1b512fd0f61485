// Browser tests of officer wellbeing (docs/WELLBEING.md), in headless Chromium: an officer takes
// a break from the console and sees its timer run, opens "Mon service" from the console's
// navigation and finds the break there, and both the break state and "Mon service" pass axe-core
// in French, English, Spanish and Arabic; back from the break, the officer is available again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, SHOTS, TEST_TIMEOUT, useAccounts, newOfficer, assertAccessible, assertNoProblems } from './lib.mjs';

useAccounts({ officersFrom: 50 });

async function chooseLanguage(page, lang) {
  await page.goto(`${BASE}/console`);
  await page.locator('#console-lang').selectOption(lang);
  await Promise.all([
    page.waitForURL(`${BASE}/console`),
    page.locator('.lang-form button[type="submit"]').click(),
  ]);
  await page.locator(`html[lang="${lang}"]`).waitFor();
  await page.locator('body[data-connection="online"]').waitFor();
}

/** The break's timer shows minutes and seconds, and runs. */
async function assertTimerRuns(page) {
  await page.locator('#break-banner').waitFor({ state: 'visible' });
  const timer = page.locator('#break-elapsed');
  const first = (await timer.textContent()).trim();
  assert.match(first, /^\d+:\d{2}$/);
  await page.waitForFunction(
    (before) => document.getElementById('break-elapsed').textContent.trim() !== before,
    first,
    { timeout: 5000 },
  );
}

test('an officer takes a break, sees its timer, opens Mon service, in four languages', { timeout: TEST_TIMEOUT * 2 }, async () => {
  const officer = await newOfficer();
  const { page } = officer;
  try {
    await page.locator('body[data-presence="available"]').waitFor();
    assert.equal(await page.locator('#break-banner').isVisible(), false);

    // The break, from the presence bar.
    await page.getByRole('button', { name: 'Prendre une pause' }).first().click();
    await page.locator('body[data-presence="break"]').waitFor();
    assert.equal(await page.locator('#presence-break').getAttribute('aria-pressed'), 'true');
    await assertTimerRuns(page);
    await assertAccessible(page, 'fr: console on break');
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'console-break.png') });
    }

    // "Mon service" from the console's navigation: the break going on, counted today.
    await Promise.all([
      page.waitForURL(`${BASE}/console/service`),
      page.getByRole('link', { name: 'Mon service' }).first().click(),
    ]);
    await page.getByRole('heading', { level: 1, name: 'Mon service' }).waitFor();
    assert.equal((await page.locator('#service-breaks-today').textContent()).trim(), '1');
    assert.match((await page.locator('#service-break-since').textContent()).trim(), /^\d{2}:\d{2}$/);
    assert.equal((await page.locator('#service-since-break').textContent()).trim(), 'en pause maintenant');
    assert.equal(await page.locator('#service-composition tbody tr').count(), 6);
    await assertAccessible(page, 'fr: Mon service');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'mon-service.png'), fullPage: true });

    for (const [lang, heading] of [['en', 'My service'], ['es', 'Mi servicio'], ['ar', 'خدمتي']]) {
      await chooseLanguage(page, lang);
      // Still on break after the reload: the timer runs again.
      await page.locator('body[data-presence="break"]').waitFor();
      await assertTimerRuns(page);
      await assertAccessible(page, `${lang}: console on break`);
      await page.goto(`${BASE}/console/service`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await assertAccessible(page, `${lang}: Mon service`);
    }

    // Back to work: available again, the banner gone.
    await chooseLanguage(page, 'fr');
    await page.locator('body[data-presence="break"]').waitFor();
    await page.getByRole('button', { name: 'Reprendre (disponible)' }).click();
    await page.locator('body[data-presence="available"]').waitFor();
    await page.locator('#break-banner').waitFor({ state: 'hidden' });
    await page.goto(`${BASE}/console/service`);
    assert.equal((await page.locator('#service-since-break').textContent()).trim(), '0 min');
    assertNoProblems(officer);
  } finally {
    await officer.context.close();
  }
});
