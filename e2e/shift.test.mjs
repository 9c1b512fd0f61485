// Browser test of the end of a shift (docs/SHIFTS.md): an officer holding a chat opens "Fin de
// service", hands it to a colleague with a note; the colleague's console shows the chat and the
// note first; the first officer's console says the shift is over. The dialog and the board's
// duty section pass axe-core in French, English, Spanish and Arabic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  BASE, SHOTS, TEST_TIMEOUT, useAccounts, newVisitor, newOfficer, startConversation, claim,
  assertAccessible, assertNoProblems,
} from './lib.mjs';

// Officers 49 and 50, supervisor 10 (see useAccounts in lib.mjs).
useAccounts({ officersFrom: 48, supervisorsFrom: 9 });

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

test('an officer ends their shift handing a chat to a colleague with a note, and the dialog and the board pass axe-core in four languages', { timeout: 4 * TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const anna = await newOfficer();
  const bruno = await newOfficer();
  const sam = await newOfficer({ supervisor: true });
  try {
    const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
    await claim(anna.page, id);
    const brunoName = await bruno.page.evaluate(() => document.body.dataset.displayName);

    // The dialog, in each language, passes axe-core.
    for (const lang of ['en', 'es', 'ar', 'fr']) {
      await chooseLanguage(anna.page, lang);
      await anna.page.locator('#shift-end-open').click();
      await anna.page.locator('#shift-dialog .shift-chat').first().waitFor();
      await assertAccessible(anna.page, `${lang}: end-of-shift dialog`);
      if (lang !== 'fr') await anna.page.locator('#shift-cancel').click();
    }

    // Hand it to Bruno, with a note.
    const item = anna.page.locator(`#shift-dialog .shift-chat[data-id="${id}"]`);
    const value = await item.locator('.sc-to option').evaluateAll(
      (options, name) => options.find((o) => o.textContent.startsWith(name))?.value, brunoName);
    assert.ok(value, `${brunoName} is offered in the dialog`);
    await item.locator('.sc-to').selectOption(value);
    // Without a note, the dialog says it is required and sends nothing.
    await anna.page.locator('#shift-confirm').click();
    await item.locator('.sc-error', { hasText: 'note de passation est obligatoire' }).waitFor();
    await item.getByLabel('Note de passation').fill('Elle attend un appel de sa sœur à 18 h.');
    if (SHOTS) await anna.page.screenshot({ path: join(SHOTS, 'shift-end-dialog.png') });
    await anna.page.locator('#shift-confirm').click();

    // Anna: the shift is over, the chat gone from her tabs.
    await anna.page.locator('#shift-over', { hasText: 'Votre service est terminé' }).waitFor();
    await anna.page.locator('body[data-presence="offline"]').waitFor();
    await anna.page.locator(`#panel-${id}`).waitFor({ state: 'detached' });
    assert.equal(await anna.page.getByRole('button', { name: 'Reprendre le service' }).count(), 1);
    await assertAccessible(anna.page, 'fr: shift over');

    // Bruno: the chat, with the note.
    const panel = bruno.page.locator(`#panel-${id}`);
    await bruno.page.locator(`.tab[aria-controls="panel-${id}"]`).click();
    await panel.locator('.note-handover', { hasText: 'Elle attend un appel de sa sœur à 18 h.' }).waitFor();

    // The supervisor's board: Bruno on duty, the day drawn; axe-core in four languages.
    for (const lang of ['fr', 'en', 'es', 'ar']) {
      if (lang !== 'fr') await chooseLanguage(sam.page, lang);
      const duty = sam.page.locator('#board-duty #shift-duty');
      await duty.waitFor();
      await duty.locator('#shift-on-duty', { hasText: brunoName }).waitFor();
      await duty.locator('#shift-timeline svg.tl').first().waitFor();
      await assertAccessible(sam.page, `${lang}: the board with its duty section`);
    }
    if (SHOTS) await sam.page.screenshot({ path: join(SHOTS, 'shift-board.png'), fullPage: true });
    await chooseLanguage(sam.page, 'fr');
    assertNoProblems(anna, bruno, sam);
  } finally {
    await Promise.all([visitor.context.close(), anna.context.close(), bruno.context.close(), sam.context.close()]);
  }
});
