// The whole journey of a forwarded report, through the pages only, in headless Chromium: the
// officer proposes the unit from the console, the person agrees in the chat with their contact
// instructions, the chat closes as forwarded; the unit's officer finds the dossier on the desk,
// downloads it and records "contacted"; the person comes back with the return code and reads
// where the report stands, in neutral words and without the unit's note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE, SHOTS, TEST_TIMEOUT, UNIT, useAccounts, unique, newVisitor, newOfficer, newClerk,
  startConversation, claim, visitorSend, assertText, assertAccessible, assertNoProblems,
} from './lib.mjs';

useAccounts({ officersFrom: 40, supervisorsFrom: 7, unitsFrom: 3 });

const UNIT_NAME = 'Commissariat central de Lyon';

test('a report goes to the unit with the consent given in the chat; the unit records “contacted”; the person reads it with the code', { timeout: 3 * TEST_TIMEOUT }, async () => {
  assert.equal(UNIT, 'commissariat-lyon');
  const visitor = await newVisitor();
  const officer = await newOfficer();
  let clerk = null;
  const vpage = visitor.page;
  try {
    // The person starts from Lyon (69003): the force is the police, the unit Lyon's.
    const { conversation_id: id } = await startConversation(vpage, { postalCode: '69003' });
    const code = (await vpage.locator('#code-value').textContent()).trim();
    await vpage.getByRole('button', { name: 'J’ai noté ce code' }).click();
    await claim(officer.page, id);
    const says = unique('Il m’a suivie jusqu’au tramway');
    await visitorSend(vpage, says);
    const panel = officer.page.locator(`#panel-${id}`);
    await panel.locator('.msg-body', { hasText: says }).waitFor();

    // The officer proposes the unit of the postal code, chosen already, and asks.
    await panel.getByLabel('Issue de la conversation').selectOption('report_forwarded');
    const unit = panel.locator('.xf-unit');
    await unit.locator(`option[value="${UNIT}"]`).waitFor({ state: 'attached' });
    assert.equal(await unit.inputValue(), UNIT, 'the unit of the postal code is proposed');
    await assertText(unit.locator(`option[value="${UNIT}"]`), 'proposée d’après le code postal');
    // Not before the person's yes.
    await panel.getByRole('button', { name: 'Clôturer' }).click();
    await panel.locator('.x-error', { hasText: 'pas encore accepté' }).waitFor();
    await panel.getByRole('button', { name: 'Demander l’accord de la personne' }).click();
    await assertText(panel.locator('.xf-status'), `Question posée à la personne pour : ${UNIT_NAME}`);

    // The person reads the question in the chat and agrees, saying how to reach them.
    const box = vpage.locator('#consent');
    await box.waitFor({ state: 'visible' });
    await assertText(box.locator('#consent-question'), UNIT_NAME);
    await box.getByRole('button', { name: 'Oui', exact: true }).click();
    await box.getByLabel('Je donne mes consignes pour être contacté·e').check();
    const instructions = 'Le soir après 19 h ; si quelqu’un d’autre répond, dire que c’est la pharmacie';
    await box.getByLabel('Vos consignes').fill(instructions);
    await box.getByRole('button', { name: 'Envoyer ma réponse' }).click();
    await assertText(box.locator('#consent-answer'), 'Vous avez accepté');

    // The officer sees the yes and the instructions at once, then closes.
    await assertText(panel.locator('.xf-status'), `La personne accepte la transmission à : ${UNIT_NAME}`);
    await assertText(panel.locator('.xf-contact'), 'pharmacie');
    await assertAccessible(officer.page, 'console with the forwarding part and the person’s answer');
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await officer.page.screenshot({ path: join(SHOTS, 'console-forwarding.png') });
    }
    await panel.getByRole('button', { name: 'Clôturer' }).click();
    await officer.page.locator(`#tab-${id}`).waitFor({ state: 'detached' });
    const forwarded = vpage.locator('#forwarded');
    await forwarded.waitFor({ state: 'visible' });
    await assertText(forwarded, 'Votre signalement a été transmis');

    // The unit's officer finds it at the head of the desk, reads it, downloads it.
    clerk = await newClerk();
    const desk = clerk.page;
    const row = desk.locator('#desk-dossiers tbody tr').first();
    await row.getByText('Transmis, à accuser').waitFor();
    const link = row.locator('a');
    const reference = (await link.textContent()).trim();
    await Promise.all([desk.waitForURL(/\/desk\/[0-9a-f-]{36}$/), link.click()]);
    await desk.locator('.dossier-messages .msg-body', { hasText: says }).waitFor();
    await desk.locator('#contact-instructions', { hasText: 'pharmacie' }).waitFor();
    const [download] = await Promise.all([
      desk.waitForEvent('download'),
      desk.getByRole('link', { name: 'Télécharger le PDF signé' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${reference}.pdf`);
    assert.equal(readFileSync(await download.path()).subarray(0, 5).toString(), '%PDF-');

    // "Contacted", with a note the person must never read.
    const note = unique('Jointe à 19 h 10, rendez-vous jeudi');
    await desk.getByLabel('Nouvel état').selectOption({ label: 'Personne contactée' });
    await desk.getByLabel('Note', { exact: true }).fill(note);
    await desk.getByRole('button', { name: 'Inscrire' }).click();
    await desk.locator('#dossier-state', { hasText: 'Personne contactée' }).waitFor();

    // The person comes back with the code and reads where it stands.
    await vpage.goto(`${BASE}/suivi?lang=fr`);
    await vpage.getByLabel('Votre code de retour (16 chiffres)').fill(code);
    await vpage.getByRole('button', { name: 'Voir où en est mon signalement' }).click();
    await assertText(vpage.locator('#f-stage'), 'Le service a pris contact avec vous.');
    assert.equal(await vpage.locator('#f-reference').textContent(), reference);
    assert.equal(await vpage.getByText(note.split(' ').pop()).count(), 0, 'never the unit’s note');
    assertNoProblems(visitor, officer, clerk);
  } finally {
    for (const c of [visitor, officer, clerk]) if (c) await c.context.close();
  }
});
