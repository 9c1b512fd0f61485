// Browser tests of the unit's desk and the supervisors' dossiers, in headless Chromium: the
// unit's officer logs in, finds the dossier a person agreed to forward, opens it, downloads
// the signed PDF, records "contacted"; every new page passes axe-core in the four languages.
// The chats are forwarded through the WebSocket protocol (forwardByProtocol), not the console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  env, BASE, SHOTS, TEST_TIMEOUT, browser, totp, useAccounts, unitUsername, UNIT, unique, watch,
  newOfficer, newClerk, assertAccessible, assertNoProblems, forwardByProtocol,
} from './lib.mjs';

useAccounts({ officersFrom: 30, supervisorsFrom: 5 });

/** Opens the dossier at the head of the desk's list; returns its reference. */
async function openFirstDossier(page) {
  const link = page.locator('#desk-dossiers tbody tr').first().locator('a');
  const reference = (await link.textContent()).trim();
  await Promise.all([page.waitForURL(/\/desk\/[0-9a-f-]{36}$/), link.click()]);
  return reference;
}

async function chooseLanguage(page, select, lang, url) {
  await page.locator(select).selectOption(lang);
  await Promise.all([
    page.waitForURL(url),
    page.locator('.lang-form button[type="submit"]').click(),
  ]);
  await page.locator(`html[lang="${lang}"]`).waitFor();
}

test('the unit officer logs in, finds the forwarded dossier, downloads the signed PDF and records “contacted”', { timeout: 2 * TEST_TIMEOUT }, async () => {
  assert.equal(UNIT, 'commissariat-lyon', 'the desk accounts work at the Lyon commissariat');
  const says = unique('Il me suit depuis la sortie du métro');
  await forwardByProtocol({ unit: UNIT, says: unique('Une première fois, au travail') });
  await forwardByProtocol({ unit: UNIT, says });
  const clerk = await newClerk();
  try {
    const { page } = clerk;
    // Open dossiers first, newest first: the chat just forwarded heads the list.
    const rows = page.locator('#desk-dossiers tbody tr');
    assert.ok(await rows.count() >= 2, 'both dossiers are listed');
    await rows.first().getByText('Transmis, à accuser').waitFor();
    await rows.first().getByText('Pas encore').waitFor();
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'desk.png') });
    }

    const reference = await openFirstDossier(page);
    await page.getByRole('heading', { level: 1, name: `Dossier ${reference}` }).waitFor();
    await page.locator('.dossier-messages .msg-body', { hasText: says }).waitFor();
    await page.locator('#contact-instructions', { hasText: 'pharmacie' }).waitFor();

    // The signed PDF, as a download named after the reference.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le PDF signé' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${reference}.pdf`);
    const pdf = readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-', 'a PDF file');

    // "Contacted", with its note.
    const note = unique('Jointe à 18 h 30, rendez-vous proposé');
    await page.getByLabel('Nouvel état').selectOption({ label: 'Personne contactée' });
    await page.getByLabel('Note', { exact: true }).fill(note);
    await page.getByRole('button', { name: 'Inscrire' }).click();
    await page.locator('#dossier-state', { hasText: 'Personne contactée' }).waitFor();
    await page.locator('#dossier-records .record', { hasText: note }).waitFor();
    // "Received" is offered no more once anything was recorded.
    assert.equal(await page.locator('#record-state option[value="received"]').count(), 0);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'desk-dossier.png') });

    await page.goto(`${BASE}/desk`);
    await page.locator('#desk-dossiers tbody tr', { hasText: reference }).getByText(/^Oui, le /).waitFor();
    assertNoProblems(clerk);
  } finally {
    await clerk.context.close();
  }
});

test('the desk, a dossier and the supervisors’ dossiers pass axe-core in French, English, Spanish and Arabic', { timeout: 3 * TEST_TIMEOUT }, async () => {
  await forwardByProtocol({ unit: UNIT, says: unique('Dans la cour de l’immeuble') });
  const clerk = await newClerk();
  const supervisor = await newOfficer({ supervisor: true });
  try {
    await clerk.page.goto(`${BASE}/desk`);
    const dossierUrl = `${BASE}${await clerk.page.locator('#desk-dossiers tbody tr a').first().getAttribute('href')}`;
    for (const lang of ['fr', 'en', 'es', 'ar']) {
      await clerk.page.goto(`${BASE}/desk`);
      await chooseLanguage(clerk.page, '#desk-lang', lang, `${BASE}/desk`);
      await assertAccessible(clerk.page, `${lang}: the unit's desk`);
      await clerk.page.goto(dossierUrl);
      await clerk.page.locator(`html[lang="${lang}"]`).waitFor();
      await assertAccessible(clerk.page, `${lang}: a dossier on the desk`);
      // The form's error, as a clerk would meet it.
      await clerk.page.locator('#record-note').fill(' ');
      await clerk.page.locator('#record-form button[type="submit"]').click();
      await clerk.page.locator('#record-error').waitFor();
      await assertAccessible(clerk.page, `${lang}: a dossier with the form's error`);

      await supervisor.page.goto(`${BASE}/console`);
      await chooseLanguage(supervisor.page, '#console-lang', lang, `${BASE}/console`);
      await supervisor.page.goto(`${BASE}/console/dossiers`);
      await supervisor.page.locator(`html[lang="${lang}"]`).waitFor();
      await assertAccessible(supervisor.page, `${lang}: the supervisors' dossiers`);
      await supervisor.page.locator('#all-dossiers tbody tr a').first().click();
      await supervisor.page.locator('.dossier-messages').waitFor();
      await assertAccessible(supervisor.page, `${lang}: a dossier read by a supervisor`);
    }
    assertNoProblems(clerk, supervisor);
  } finally {
    await clerk.context.close();
    await supervisor.context.close();
  }
});
