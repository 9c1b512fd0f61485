// The waiting room's estimate is honest: with no officer at a console it shows no number, says
// that no one is available, and what to do meanwhile; once an officer is available, a number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT, useAccounts, newVisitor, newOfficer, startConversation, assertAccessible,
  assertNoProblems,
} from './lib.mjs';

useAccounts({ officersFrom: 44 });

test('The waiting room with no skilled officer present shows no number', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  let officer;
  try {
    await startConversation(visitor.page, { postalCode: '69003' });
    const status = visitor.page.locator('#waiting .queue-status');
    const wait = visitor.page.locator('#queue-wait');
    await assert.doesNotReject(wait.filter({ hasText: 'Aucun agent n’est disponible' }).waitFor());
    const said = await status.innerText();
    assert.doesNotMatch(said, /min\b/, `no number of minutes: ${said}`);
    assert.doesNotMatch(said, /Attente estimée/, `no estimate: ${said}`);
    assert.match(said, /\b17\b/);
    assert.match(said, /\b112\b/);
    assert.match(said, /SMS au 114/);
    assert.match(said, /\b119\b/);
    assert.match(said, /\b3919\b/);
    assert.match(said, /revenir plus tard avec votre code de retour/);
    // Said politely to screen readers, as the place in the queue is.
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    await assertAccessible(visitor.page, 'the waiting room with no one available');

    // An officer opens the console: now there is a number, and the guidance goes.
    officer = await newOfficer();
    await wait.filter({ hasText: 'Attente estimée' }).waitFor();
    assert.equal(await visitor.page.locator('#queue-meanwhile').innerText(), '');
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    if (officer) await officer.context.close();
  }
});
