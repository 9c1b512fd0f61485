// Browser tests of the visitor page and the officer console, in headless Chromium.
//
//   ECOUTE_URL=http://127.0.0.1:18080 ECOUTE_OFFICER_USERNAMES=agent.1,agent.2,... ECOUTE_OFFICER_TOTP_SECRET=BASE32 \
//   ECOUTE_OFFICER_PASSWORD=officer-password-123 ECOUTE_NEUTRAL_URL=https://neutral.invalid/ \
//   [ECOUTE_SCREENSHOTS_DIR=/tmp/shots] node --test --test-concurrency=1 chat.test.mjs
//
// The visitor and the officer live in two separate browser contexts, side by side, against a real
// server. Nothing is skipped: a missing variable fails every test with a message saying which.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';
import {
  REQUIRED, env, BASE, NEUTRAL, SHOTS, CHROMIUM,
  TEST_TIMEOUT, NEUTRAL_PAGE, EXIT_ALERT, browser, base32, totp,
  nextOfficer, officerUsername, unique, watch, newVisitor, nextSupervisor,
  supervisorUsername, NOTIFICATION_SPY, newOfficer, startConversation, claim, visitorSend,
  officerSend, countText, chatBothWays, assertText, screenshots, helloWith,
  assertNoTrace, assertOfficerAlerted, assertNoProblems, assertAccessible,
} from './lib.mjs';

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

// ---------------------------------------------------------------- routing and the console (issue 4)

/** Writes a canned reply on the supervisors' page. */
async function addCannedReply(page, shortcut, title, body) {
  await page.goto(`${BASE}/console/replies`);
  await page.getByLabel(/^Raccourci/).last().fill(shortcut);
  await page.getByLabel('Titre').last().fill(title);
  await page.getByLabel('Texte').last().fill(body);
  await page.getByRole('button', { name: 'Ajouter' }).click();
  await page.getByRole('status').filter({ hasText: `Réponse /${shortcut} enregistrée.` }).waitFor();
}

test('an officer handles three chats at once, is notified, inserts a canned reply and a resource, and transfers a chat', { timeout: TEST_TIMEOUT }, async () => {
  const supervisor = await newOfficer({ supervisor: true });
  const shortcut = `accueil${randomBytes(2).toString('hex')}`;
  await addCannedReply(supervisor.page, shortcut, 'Accueil',
    'Bonjour, je suis {agent}. Dans le {departement}, vous pouvez joindre : {services}');
  await supervisor.context.close();

  const officer = await newOfficer();
  const colleague = await newOfficer();
  const colleagueName = (await colleague.page.locator('body').getAttribute('data-display-name'));
  const myName = await officer.page.locator('body').getAttribute('data-display-name');
  // Someone else must not take the chats meanwhile: the colleague pauses.
  await colleague.page.getByRole('button', { name: 'En pause' }).click();
  await colleague.page.locator('body[data-presence="paused"]').waitFor();

  // Three visitors at once; the third says she is in danger now and comes first in the queue.
  const visitors = [await newVisitor(), await newVisitor(), await newVisitor()];
  const ids = [];
  ids.push((await startConversation(visitors[0].page, { postalCode: '69003' })).conversation_id);
  ids.push((await startConversation(visitors[1].page, { postalCode: '75011' })).conversation_id);
  // The officer is looking elsewhere when the urgent chat arrives: a notification, no content.
  await officer.page.evaluate(() => { window.__looking = false; });
  ids.push((await startConversation(visitors[2].page, { postalCode: '13001', danger: true })).conversation_id);
  const urgent = officer.page.locator(`.queue-item.is-danger[data-conversation-id="${ids[2]}"]`);
  await urgent.waitFor();
  assert.equal(await officer.page.locator('.queue-item').first().getAttribute('data-conversation-id'), ids[2],
    'the chat in danger is first in the queue');
  await officer.page.waitForFunction(() => window.__notifications.length > 0);
  const notes = await officer.page.evaluate(() => window.__notifications);
  assert.ok(notes.some((n) => /prioritaire|proposée|Nouvelle/.test(n.body)), JSON.stringify(notes));
  assert.ok(notes.every((n) => !/\d{5}/.test(n.body)), 'no visitor data in a notification');
  assert.match(await officer.page.title(), /●/, 'the tab title shows the alert');
  await officer.page.evaluate(() => { window.__looking = true; });

  // The officer takes all three.
  const panels = [];
  for (const id of ids) panels.push(await claim(officer.page, id));
  assert.equal(await officer.page.locator('#tabs [role="tab"]').count(), 3);

  // Each visitor writes; each reply reaches the right person only.
  for (let i = 0; i < 3; i += 1) await visitorSend(visitors[i].page, unique(`visiteur ${i}`));
  const replies = [];
  for (let i = 0; i < 3; i += 1) {
    await officer.page.locator(`#tab-${ids[i]}`).click();
    const text = unique(`réponse pour ${i}`);
    replies.push(text);
    await officerSend(panels[i], text);
  }
  for (let i = 0; i < 3; i += 1) {
    await visitors[i].page.locator('#messages .msg-theirs .msg-body', { hasText: replies[i] }).waitFor();
    for (let j = 0; j < 3; j += 1) {
      if (j !== i) assert.equal(await countText(visitors[i].page.locator('#messages'), replies[j]), 0, 'a reply reached the wrong person');
    }
  }

  // An unread message in a chat not shown: a badge on its tab.
  await officer.page.locator(`#tab-${ids[0]}`).click();
  await visitorSend(visitors[1].page, unique('pendant que l’agent lit ailleurs'));
  await officer.page.locator(`#tab-${ids[1]} .badge-unread:not([hidden])`).waitFor();

  // Canned reply with its variables, by shortcut and Tab.
  await officer.page.locator(`#tab-${ids[0]}`).click();
  const input = panels[0].locator('textarea.c-input');
  await input.fill(`/${shortcut}`);
  await input.press('Tab');
  const filled = await input.inputValue();
  assert.ok(filled.startsWith(`Bonjour, je suis ${myName}. Dans le 69, vous pouvez joindre : EXEMPLE`), filled);
  await input.press('Enter');
  await visitors[0].page.locator('#messages .msg-theirs .msg-body', { hasText: `je suis ${myName}` }).waitFor();

  // A resource of the chat's département, inserted in one action, then sent.
  await panels[0].locator('.resources-box summary').click();
  await panels[0].getByRole('button', { name: /Insérer : EXEMPLE — Unité médico-judiciaire de Lyon/ }).click();
  assert.match(await input.inputValue(), /EXEMPLE — Unité médico-judiciaire de Lyon — 04 00 00 00 02/);
  await input.press('Enter');
  await visitors[0].page.locator('#messages .msg-body', { hasText: /^EXEMPLE — Unité médico-judiciaire de Lyon — 04/ }).waitFor();

  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await officer.page.locator(`#tab-${ids[2]}`).click();
    await officer.page.screenshot({ path: join(SHOTS, 'console-three-chats.png') });
  }

  // Transfer the third chat to the colleague, with a handover note.
  await colleague.page.getByRole('button', { name: 'Disponible' }).click();
  await officer.page.locator(`#tab-${ids[2]}`).click();
  await panels[2].locator('.transfer-box summary').click();
  const target = panels[2].getByLabel('À qui');
  // The colleague's own option: "Agent Martin 2 — …", not "Agent Martin 21 — …".
  const colleagueOption = target.locator('option', { hasText: new RegExp(`^${colleagueName} —`) });
  await colleagueOption.waitFor({ state: 'attached' });
  const value = await colleagueOption.getAttribute('value');
  await target.selectOption(value);
  await panels[2].getByLabel('Note de passation (obligatoire)').fill('Elle est en sécurité chez une amie.');
  await panels[2].getByRole('button', { name: 'Transférer' }).click();
  await officer.page.locator(`#tab-${ids[2]}`).waitFor({ state: 'detached' });
  const moved = colleague.page.locator(`#panel-${ids[2]}`);
  await colleague.page.locator(`#tab-${ids[2]}`).click();
  await moved.locator('.note-handover', { hasText: 'Elle est en sécurité chez une amie.' }).waitFor();
  await moved.locator('.msg-body', { hasText: replies[2] }).waitFor();
  await visitors[2].page.locator('#messages', { hasText: `${colleagueName} prend le relais` }).waitFor();
  assert.equal(await countText(visitors[2].page.locator('#messages'), 'Elle est en sécurité'), 0,
    'the visitor never sees the handover note');

  // Qualify the first chat. Closing it as forwarded waits for the person's yes, asked in the
  // chat (the whole forwarding is the dossier journey's test); it closes as referred instead.
  await officer.page.locator(`#tab-${ids[0]}`).click();
  await panels[0].locator('.qualify-box summary').click();
  await panels[0].getByLabel('Violences conjugales ou intrafamiliales').check();
  await panels[0].locator('.q-reporter').getByLabel('victime').check();
  await panels[0].getByLabel('Niveau de danger').selectOption('serious');
  await panels[0].getByRole('button', { name: 'Enregistrer la qualification' }).click();
  await panels[0].locator('.q-status', { hasText: 'enregistrée' }).waitFor();
  await panels[0].getByLabel('Issue de la conversation').selectOption('report_forwarded');
  await panels[0].locator('.xf-unit option').nth(1).waitFor({ state: 'attached' });
  await panels[0].getByRole('button', { name: 'Clôturer' }).click();
  await panels[0].locator('.x-error', { hasText: 'pas encore accepté' }).waitFor();
  await panels[0].getByLabel('Issue de la conversation').selectOption('referred_to_support');
  await panels[0].getByRole('button', { name: 'Clôturer' }).click();
  await officer.page.locator(`#tab-${ids[0]}`).waitFor({ state: 'detached' });

  for (const v of visitors) assert.deepEqual(v.problems, []);
  assert.deepEqual(officer.problems, []);
  assert.deepEqual(colleague.problems, []);
  for (const c of [officer, colleague, ...visitors]) await c.context.close();
});

test('a supervisor sees the board, monitors a chat and whispers; the visitor never sees the whisper', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '48000' });
  const panel = await claim(officer.page, id);
  const said = unique('Il est là, derrière la porte');
  await visitorSend(visitor.page, said);
  // The risk rules flag the chat: the officer sees why, never a copy of the words.
  await panel.locator('.flag-alert', { hasText: 'Agresseur présent' }).waitFor();
  await officerSend(panel, unique('Je vous entends. Êtes-vous en sécurité dans la pièce ?'));

  const supervisor = await newOfficer({ supervisor: true, height: 1400 });
  const board = supervisor.page.locator('#board');
  await board.locator('.fig-started').filter({ hasText: /\d/ }).waitFor();
  const row = board.locator(`#board-chats tr[data-conversation-id="${id}"]`);
  await row.waitFor();
  await row.getByRole('button', { name: /Écouter/ }).click();
  const monitor = supervisor.page.locator('#monitor');
  await monitor.locator('.msg-body', { hasText: said }).waitFor();

  // Live: what the visitor writes next appears in the monitor.
  const next = unique('Je suis dans la salle de bain');
  await visitorSend(visitor.page, next);
  await monitor.locator('.msg-body', { hasText: next }).waitFor();

  const whisper = unique('CONSEIL: proposez le 3919 et demandez si elle peut sortir');
  await supervisor.page.getByLabel('Conseil à l’agent (la personne ne le voit jamais)').fill(whisper);
  await supervisor.page.getByRole('button', { name: 'Envoyer le conseil' }).click();
  // The officer reads it in the conversation; it is kept with the chat's notes too.
  await panel.locator('.messages .msg-whisper', { hasText: whisper }).waitFor();
  await panel.locator('.notes .note-whisper', { hasText: whisper }).waitFor({ state: 'attached' });
  await monitor.locator('.note-whisper', { hasText: whisper }).waitFor();

  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await supervisor.page.screenshot({ path: join(SHOTS, 'supervisor-board.png'), fullPage: true });
  }

  // The visitor page never received it, even after a reload that replays the history.
  await visitor.page.waitForTimeout(500);
  assert.equal(await visitor.page.locator('body', { hasText: 'CONSEIL' }).count(), 0);
  await visitor.page.reload();
  await visitor.page.locator('#messages .msg-body', { hasText: next }).waitFor();
  assert.equal(await visitor.page.locator('body', { hasText: 'CONSEIL' }).count(), 0, 'the visitor saw a whisper');

  // Take-over: the supervisor now answers; the officer's tab goes away.
  await monitor.getByRole('button', { name: 'Reprendre la conversation' }).click();
  await monitor.getByRole('button', { name: 'Confirmer la reprise' }).click();
  await supervisor.page.locator(`#panel-${id}`).waitFor({ state: 'visible' });
  await officer.page.locator(`#tab-${id}`).waitFor({ state: 'detached' });
  await visitor.page.locator('#messages', { hasText: 'Superviseure Durand' }).waitFor();

  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(officer.problems, []);
  assert.deepEqual(supervisor.problems, []);
  for (const c of [visitor, officer, supervisor]) await c.context.close();
});

test('"I am in danger now" shows what to do at once, and during a chat alerts the officer', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  await visitor.page.goto(`${BASE}/`);
  // From the landing page: the numbers at once, then a chat that starts first in line.
  await visitor.page.getByRole('button', { name: 'Je suis en danger maintenant' }).first().click();
  const panel = visitor.page.locator('#danger-panel');
  await panel.waitFor({ state: 'visible' });
  assert.equal(await visitor.page.evaluate(() => document.activeElement.id), 'danger-title');
  for (const n of ['17', '112', '114']) await panel.getByRole('link', { name: n, exact: true }).waitFor();
  await panel.getByRole('button', { name: 'Écrire à un agent en priorité' }).click();
  assert.ok(await visitor.page.getByLabel('Je suis en danger maintenant').isChecked());
  await visitor.page.goto(`${BASE}/`);

  const officer = await newOfficer();
  const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
  const panelOfficer = await claim(officer.page, id);
  await officer.page.locator(`#tab-${id} .badge-flag`).waitFor({ state: 'hidden' });

  // During the chat: the same button, and the officer sees it at once.
  await visitor.page.locator('#danger-chat').click();
  await panel.waitFor({ state: 'visible' });
  await visitor.page.locator('#danger-status', { hasText: 'l’agent est prévenu' }).waitFor();
  await officer.page.locator(`#tab-${id} .badge-flag`, { hasText: 'Danger' }).waitFor();
  await panelOfficer.locator('.flag-alert', { hasText: 'en danger maintenant' }).waitFor();
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await visitor.page.screenshot({ path: join(SHOTS, 'visitor-danger.png') });
  }

  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(officer.problems, []);
  await visitor.context.close();
  await officer.context.close();
});

test('after a whole chat the device keeps nothing, the tab history does not grow, and the page never comes back from the back/forward cache', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  await visitor.page.goto(`${BASE}/`);
  const historyAtStart = await visitor.page.evaluate(() => history.length);
  const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
  const panel = await claim(officer.page, id);
  const words = unique('Ce que j’ai écrit');
  await visitorSend(visitor.page, words);
  await officerSend(panel, unique('Je vous lis'));
  await panel.getByLabel('Issue de la conversation').selectOption('information_given');
  await panel.getByRole('button', { name: 'Clôturer' }).click();
  await visitor.page.locator('#ended').waitFor({ state: 'visible' });

  const stored = await visitor.page.evaluate(async () => ({
    session: sessionStorage.length,
    local: localStorage.length,
    idb: (await indexedDB.databases()).length,
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    caches: (await caches.keys()).length,
    history: history.length,
    url: location.pathname + location.search + location.hash,
  }));
  assert.deepEqual(stored, { session: 0, local: 0, idb: 0, workers: 0, caches: 0, history: historyAtStart, url: '/' },
    'nothing kept on the device, one history entry, an address that never changed');
  assert.deepEqual(await visitor.context.cookies(), [], 'no cookie');

  // Leave and come back: the page is loaded anew (no-store), never restored with its memory.
  // Playwright turns the back/forward cache off by default: this browser has it on, and a
  // control page without no-store shows that it does restore pages.
  const bfBrowser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
  try {
    const bfContext = await bfBrowser.newContext();
    await bfContext.route((url) => url.href.startsWith(NEUTRAL), (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: NEUTRAL_PAGE }));
    const bf = await bfContext.newPage();
    const restored = async (url) => {
      await bf.goto(url);
      await bf.evaluate(() => { window.__stillHere = true; });
      await bf.goto(`${NEUTRAL}elsewhere`);
      // A page restored from the cache fires no "load": wait for the navigation only.
      await bf.goBack({ waitUntil: 'commit' });
      await bf.waitForFunction((u) => location.href === u, url);
      await bf.waitForTimeout(300);
      return bf.evaluate(() => window.__stillHere === true);
    };
    assert.equal(await restored(`${NEUTRAL}control`), true, 'control: this browser restores pages from the back/forward cache');
    assert.equal(await restored(`${BASE}/`), false, 'our page is never restored from the back/forward cache');
  } finally {
    await bfBrowser.close();
  }
  await visitor.page.goto(`${BASE}/securite`);
  await visitor.page.goBack();
  await visitor.page.locator('#landing').waitFor({ state: 'visible' });
  assert.equal(await visitor.page.locator('.msg-body', { hasText: words }).count(), 0);

  assert.deepEqual(visitor.problems, []);
  await visitor.context.close();
  await officer.context.close();
});

test('each side sees the other typing, and its own messages marked received then read', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
  const panel = await claim(officer.page, id);
  const myName = await officer.page.locator('body').getAttribute('data-display-name');

  await visitor.page.locator('#message-input').pressSequentially('Bonj', { delay: 30 });
  await panel.locator('.typing', { hasText: 'La personne écrit…' }).waitFor();
  await panel.locator('textarea.c-input').pressSequentially('Je', { delay: 30 });
  await visitor.page.locator('#typing', { hasText: `${myName} écrit…` }).waitFor();
  await panel.locator('textarea.c-input').fill('');

  // The chat is in front on the console: the visitor's message is read at once.
  await visitor.page.locator('#message-input').fill('');
  const mine = await visitorSend(visitor.page, unique('Bonjour'));
  await mine.locator('.msg-status', { hasText: /^lu$/ }).waitFor();

  const reply = unique('Je vous lis');
  await officerSend(panel, reply);
  await panel.locator('.msg-mine', { hasText: reply }).locator('.msg-status', { hasText: /^lu$/ }).waitFor();
  assert.equal(await visitor.page.locator('#typing').textContent(), '', 'typing ends with the message');

  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(officer.problems, []);
  await visitor.context.close();
  await officer.context.close();
});

test('on a slow 3G network, and across a cut connection, nothing is lost and nothing is duplicated', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  // Chrome's "Slow 3G": 400 kbit/s each way, 2 s of latency.
  const cdp = await visitor.context.newCDPSession(visitor.page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 2000, downloadThroughput: 400 * 1024 / 8, uploadThroughput: 400 * 1024 / 8,
  });
  visitor.page.setDefaultTimeout(45_000);
  const started = Date.now();
  await visitor.page.goto(`${BASE}/`);
  // The text is there before any script has run or any asset has loaded.
  await visitor.page.locator('#landing-title').waitFor();
  const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
  const panel = await claim(officer.page, id);
  const slow = unique('écrit sur un réseau lent');
  await visitorSend(visitor.page, slow);
  await panel.locator('.msg-body', { hasText: slow }).waitFor();
  console.log(`# slow 3G: page, start and first message in ${Date.now() - started} ms`);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  // The connection is cut: a calm notice, and what is typed waits.
  await visitor.context.setOffline(true);
  await visitor.page.locator('#conn-notice', { hasText: 'Connexion interrompue' }).waitFor();
  const typedOffline = [unique('hors ligne un'), unique('hors ligne deux')];
  for (const text of typedOffline) {
    await visitor.page.locator('#message-input').fill(text);
    await visitor.page.locator('#message-input').press('Enter');
    await visitor.page.locator('#messages .msg-mine.msg-pending', { hasText: text }).waitFor();
  }
  const whileAway = unique('écrit par l’agent pendant la coupure');
  await officerSend(panel, whileAway);

  // Back online: everything goes through, once, in both directions.
  await visitor.context.setOffline(false);
  for (const text of typedOffline) {
    await visitor.page.locator('#messages .msg-mine', { hasText: text }).locator('.msg-status', { hasText: /^(envoyé|reçu|lu)$/ }).waitFor();
    await panel.locator('.msg-body', { hasText: text }).waitFor();
  }
  await visitor.page.locator('#messages .msg-body', { hasText: whileAway }).waitFor();
  await visitor.page.locator('#conn-notice').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
  await visitor.page.waitForTimeout(1000);
  for (const text of [slow, ...typedOffline, whileAway]) {
    assert.equal(await countText(visitor.page.locator('#messages'), text), 1, `once on the visitor page: ${text}`);
    assert.equal(await countText(panel, text), 1, `once on the console: ${text}`);
  }
  assert.deepEqual(visitor.problems, []);
  assert.deepEqual(officer.problems, []);
  await visitor.context.close();
  await officer.context.close();
});

// ---------------------------------------------------------------- order under the rate limit

/**
 * Records every `error` frame a page receives on its sockets from now on: `{code, client_id}`.
 * A console's socket is already open: reload it afterwards so that its socket is watched.
 */
function recordRefusals(page) {
  const refusals = [];
  page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    try {
      const f = JSON.parse(String(payload));
      if (f.type === 'error') refusals.push({ code: f.code, client_id: f.client_id });
    } catch { /* not JSON */ }
  }));
  return refusals;
}

/** The texts of a message list that carry `tag`, in the order the page shows them. */
async function shownOrder(scope, tag) {
  const texts = await scope.locator('.msg-body').allTextContents();
  return texts.map((t) => t.trim()).filter((t) => t.includes(tag));
}

/** The officer's view after a reload: the console asks the server for everything stored. */
async function storedOrder(officer, id, tag, count) {
  await officer.page.reload();
  await officer.page.locator('body[data-connection="online"]').waitFor();
  const panel = officer.page.locator(`#panel-${id}`);
  await panel.waitFor({ state: 'attached' });
  await officer.page.waitForFunction(
    ({ sel, tag: t, n }) => [...document.querySelectorAll(`${sel} .msg-body`)].filter((e) => e.textContent.includes(t)).length >= n,
    { sel: `#panel-${id}`, tag, n: count },
  );
  return shownOrder(panel, tag);
}

test('a visitor’s 40 messages written as fast as the page allows are stored and shown in the order written', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  try {
    const refusals = recordRefusals(visitor.page);
    const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
    const panel = await claim(officer.page, id);
    const tag = randomBytes(3).toString('hex');
    const written = Array.from({ length: 40 }, (_, i) => `rafale ${tag} n°${String(i + 1).padStart(2, '0')}`);
    const input = visitor.page.locator('#message-input');
    for (const text of written) {
      await input.fill(text);
      await input.press('Enter');
    }
    // The page's allowance is 20 at once then 2 a second: it says so calmly and sends the rest
    // in order as soon as it may.
    await visitor.page.locator('#composer-status', { hasText: 'Vous écrivez très vite, votre message part dans un instant.' }).waitFor();
    const last = visitor.page.locator('#messages .msg-mine', { hasText: written[39] });
    await last.locator('.msg-status', { hasText: /^(envoyé|reçu|lu)$/ }).waitFor({ timeout: 40_000 });
    await visitor.page.locator('#composer-status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    await panel.locator('.msg-body', { hasText: written[39] }).waitFor();

    assert.ok(refusals.some((r) => r.code === 'rate_limited'), 'the burst went past the allowance');
    assert.deepEqual(refusals.filter((r) => r.code === 'out_of_order'), [], 'the page never lets a message overtake a refused one');
    assert.deepEqual(await shownOrder(visitor.page.locator('#messages'), tag), written, 'the visitor page');
    assert.deepEqual(await shownOrder(panel, tag), written, 'the console, live');
    assert.deepEqual(await storedOrder(officer, id, tag, written.length), written, 'what is stored');
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

test('both sides writing every 0.6 s for 30 s: nothing is refused and the order is kept', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  try {
    const visitorRefusals = recordRefusals(visitor.page);
    const officerRefusals = recordRefusals(officer.page);
    await officer.page.reload();
    await officer.page.locator('body[data-connection="online"]').waitFor();
    const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
    const panel = await claim(officer.page, id);
    const tag = randomBytes(3).toString('hex');
    const rounds = 50; // 30 s
    const write = async (input, side) => {
      const texts = [];
      const t0 = Date.now();
      for (let i = 0; i < rounds; i++) {
        const text = `${side}${String(i + 1).padStart(2, '0')} ${tag}`;
        await input.fill(text);
        await input.press('Enter');
        texts.push(text);
        const next = t0 + (i + 1) * 600;
        await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      }
      return texts;
    };
    const [mine, theirs] = await Promise.all([
      write(visitor.page.locator('#message-input'), 'V'),
      write(panel.locator('textarea.c-input'), 'O'),
    ]);
    await visitor.page.locator('#messages .msg-body', { hasText: theirs[rounds - 1] }).waitFor();
    await panel.locator('.msg-body', { hasText: mine[rounds - 1] }).waitFor();
    await visitor.page.locator('#messages .msg-mine', { hasText: mine[rounds - 1] }).locator('.msg-status', { hasText: /^(envoyé|reçu|lu)$/ }).waitFor();
    await panel.locator('.msg-mine', { hasText: theirs[rounds - 1] }).locator('.msg-status', { hasText: /^(envoyé|reçu|lu)$/ }).waitFor();

    assert.deepEqual(visitorRefusals, [], 'nothing refused to the visitor');
    assert.deepEqual(officerRefusals, [], 'nothing refused to the officer');
    const onVisitor = await shownOrder(visitor.page.locator('#messages'), tag);
    const onConsole = await shownOrder(panel, tag);
    assert.deepEqual(onVisitor.filter((t) => t.startsWith('V')), mine, 'the visitor’s messages in the order written');
    assert.deepEqual(onVisitor.filter((t) => t.startsWith('O')), theirs, 'the officer’s messages in the order written');
    assert.deepEqual(onConsole, onVisitor, 'both pages show the same conversation');
    assert.deepEqual(await storedOrder(officer, id, tag, 2 * rounds), onVisitor, 'what is stored');
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

test('an officer’s 80 messages written as fast as the console allows are stored and shown in the order written', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  try {
    const refusals = recordRefusals(officer.page);
    await officer.page.reload();
    await officer.page.locator('body[data-connection="online"]').waitFor();
    const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
    const panel = await claim(officer.page, id);
    const tag = randomBytes(3).toString('hex');
    // A console's allowance is twice a visitor's: 40 at once, then 4 a second.
    const written = Array.from({ length: 80 }, (_, i) => `réponse ${tag} n°${String(i + 1).padStart(2, '0')}`);
    const input = panel.locator('textarea.c-input');
    for (const text of written) {
      await input.fill(text);
      await input.press('Enter');
    }
    await panel.locator('.c-status', { hasText: 'Vous écrivez très vite : votre message part dans un instant.' }).waitFor();
    await panel.locator('.msg-mine', { hasText: written[79] }).locator('.msg-status', { hasText: /^(envoyé|reçu|lu)$/ }).waitFor({ timeout: 40_000 });
    await panel.locator('.c-status').filter({ hasText: /^$/ }).waitFor({ state: 'attached' });
    await visitor.page.locator('#messages .msg-body', { hasText: written[79] }).waitFor();

    assert.ok(refusals.some((r) => r.code === 'rate_limited'), 'the burst went past the allowance');
    assert.deepEqual(refusals.filter((r) => r.code === 'out_of_order'), [], 'the console never lets a message overtake a refused one');
    assert.deepEqual(await shownOrder(panel, tag), written, 'the console, live');
    assert.deepEqual(await shownOrder(visitor.page.locator('#messages'), tag), written, 'the visitor page');
    assert.deepEqual(await storedOrder(officer, id, tag, written.length), written, 'what is stored');
    assertNoProblems(visitor, officer);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

// ---------------------------------------------------------------- accessibility (axe-core)
// Fills the security page's password form with two different new passwords: refused before any
// secret is checked (no login budget spent), the page comes back with its error.
async function refusePasswordChange(page) {
  const form = page.locator('#password-form');
  await form.locator('#pw-current').fill('not checked here');
  await form.locator('#pw-code').fill('123456');
  await form.locator('#pw-new').fill('a new password, once');
  await form.locator('#pw-confirm').fill('a new password, twice');
  await Promise.all([
    page.waitForURL(`${BASE}/console/security/password`),
    form.locator('button[type="submit"]').click(),
  ]);
  await page.locator('#security-error').waitFor();
  await page.locator('#renew-form').waitFor();
}


test('every visitor page and every console page passes axe-core (WCAG 2.1 AA) with no serious or critical violation', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const page = visitor.page;
  await page.goto(`${BASE}/`);
  await page.locator('#start-open').waitFor();
  await assertAccessible(page, 'landing page');
  await page.getByRole('button', { name: 'Je suis en danger maintenant' }).first().click();
  await assertAccessible(page, 'landing page with the danger panel');
  await page.goto(`${BASE}/securite`);
  await assertAccessible(page, 'stay safe online');
  await page.goto(`${BASE}/`);
  await page.getByRole('button', { name: 'Commencer une conversation' }).first().click();
  await page.getByRole('button', { name: 'Commencer la conversation' }).click();
  await page.locator('#start-error').filter({ hasText: /./ }).waitFor();
  await assertAccessible(page, 'start form with its errors');

  const { conversation_id: id } = await startConversation(page, { postalCode: '69003' });
  await assertAccessible(page, 'waiting room');
  const officer = await newOfficer();
  await assertAccessible(officer.page, 'console with the queue');
  const panel = await claim(officer.page, id);
  await visitorSend(page, unique('Bonjour'));
  await officerSend(panel, unique('Bonjour, je vous lis.'));
  await page.locator('#messages .msg-theirs').first().waitFor();
  await assertAccessible(page, 'chat');
  for (const box of ['.notes-box', '.qualify-box', '.transfer-box', '.resources-box']) {
    await panel.locator(`${box} summary`).click();
  }
  await assertAccessible(officer.page, 'console with a chat and every panel open');
  await officer.page.goto(`${BASE}/console/security`);
  await assertAccessible(officer.page, 'account security page');
  await refusePasswordChange(officer.page);
  await assertAccessible(officer.page, 'account security page with a refused password change');

  const supervisor = await newOfficer({ supervisor: true, height: 1400 });
  const row = supervisor.page.locator(`#board-chats tr[data-conversation-id="${id}"]`);
  await row.getByRole('button', { name: /Écouter/ }).click();
  await supervisor.page.locator('#monitor .msg-body').first().waitFor();
  await assertAccessible(supervisor.page, 'supervision board with a chat monitored');
  await supervisor.page.goto(`${BASE}/console/replies`);
  await assertAccessible(supervisor.page, 'canned replies page');
  await supervisor.page.goto(`${BASE}/console/audit`);
  await assertAccessible(supervisor.page, 'audit log');

  await panel.page().goto(`${BASE}/console`);
  await officer.page.locator('body[data-connection="online"]').waitFor();
  const reopened = officer.page.locator(`#panel-${id}`);
  await reopened.getByLabel('Issue de la conversation').selectOption('information_given');
  await reopened.getByRole('button', { name: 'Clôturer' }).click();
  await page.locator('#ended').waitFor({ state: 'visible' });
  await assertAccessible(page, 'conversation ended');
  // The officer who closed it reads it again from the list of closed chats.
  await officer.page.goto(`${BASE}/console/history`);
  await assertAccessible(officer.page, 'closed chats page');
  await officer.page.locator(`a[href="/console/history/${id}"]`).click();
  await officer.page.locator('.transcript .msg-body').first().waitFor();
  await assertAccessible(officer.page, 'a closed chat read again');

  const login = await browser.newContext();
  const loginPage = await login.newPage();
  await loginPage.goto(`${BASE}/console/login`);
  await assertAccessible(loginPage, 'login page');
  await login.close();

  for (const c of [visitor, officer, supervisor]) await c.context.close();
});

test('the visitor pages work at 320 px wide: nothing wider than the screen, the exit button always in view', { timeout: TEST_TIMEOUT }, async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 568 }, locale: 'fr-FR' });
  await context.route((url) => url.href.startsWith(NEUTRAL), (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: NEUTRAL_PAGE }));
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const fits = async (what) => {
    const m = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
    assert.ok(m.scroll <= m.width, `${what}: ${m.scroll} px wide on a ${m.width} px screen`);
    const exit = await page.getByRole('button', { name: /Quitter en urgence/ }).boundingBox();
    assert.ok(exit && exit.x >= 0 && exit.x + exit.width <= m.width && exit.y >= 0 && exit.y < 100, `${what}: the exit button is in view`);
  };
  await page.goto(`${BASE}/`);
  await fits('landing page');
  await page.getByRole('button', { name: 'Je suis en danger maintenant' }).first().click();
  await fits('danger panel');
  await page.goto(`${BASE}/securite`);
  await fits('stay safe online');
  await startConversation(page, { postalCode: '69003' });
  await page.locator('#message-input').fill('Un message assez long pour remplir la ligne et voir si rien ne déborde de l’écran étroit');
  await page.locator('#message-input').press('Enter');
  await page.locator('#messages .msg-mine').waitFor();
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await fits('waiting room and chat, scrolled down');
  await context.close();
});

test('a visitor leaves and comes back from another device with the return code; the officer is told', { timeout: TEST_TIMEOUT }, async () => {
  const first = await newVisitor();
  const officer = await newOfficer();
  const { conversation_id: id } = await startConversation(first.page, { postalCode: '69003' });
  // Shown once, by pairs, then gone from the page.
  const code = (await first.page.locator('#code-value').textContent()).trim();
  assert.match(code, /^(\d\d ){7}\d\d$/);
  await first.page.getByRole('button', { name: 'J’ai noté ce code' }).click();
  assert.equal(await first.page.locator('body', { hasText: code }).count(), 0, 'the code is no longer on the page');
  const panel = await claim(officer.page, id);
  await visitorSend(first.page, unique('Je dois partir'));
  await first.page.getByRole('button', { name: /Quitter en urgence/ }).click();
  await panel.getByRole('alert').filter({ hasText: EXIT_ALERT }).waitFor();

  // Later, another device: a wrong code says nothing, the right one reopens the chat.
  const second = await newVisitor();
  await second.page.goto(`${BASE}/`);
  await second.page.getByRole('button', { name: 'J’ai un code pour revenir' }).click();
  await second.page.getByLabel('Votre code').fill('12 34 56 78 90 12 34 56');
  await second.page.getByRole('button', { name: 'Revenir à la conversation' }).click();
  await second.page.locator('#resume-error', { hasText: 'aucune conversation' }).waitFor();
  await second.page.getByLabel('Votre code').fill(code.replace(/ /g, ''));
  await second.page.getByRole('button', { name: 'Revenir à la conversation' }).click();
  await second.page.locator('#chat').waitFor({ state: 'visible' });
  await officer.page.locator(`#panel-${id} .left-alert`, { hasText: 'revenue' }).waitFor();
  assert.ok(await panel.locator('textarea.c-input').isEnabled(), 'the officer can write again');

  const reply = unique('Content de vous relire');
  await officerSend(panel, reply);
  await second.page.locator('#messages .msg-body', { hasText: reply }).waitFor();
  await second.page.locator('#messages .msg-body', { hasText: 'Je dois partir' }).waitFor();
  const answer = unique('Je suis en sécurité');
  await visitorSend(second.page, answer);
  await panel.locator('.msg-body', { hasText: answer }).waitFor();

  assert.deepEqual(second.problems, []);
  assert.deepEqual(officer.problems, []);
  for (const c of [first, second, officer]) await c.context.close();
});

// ---------------------------------------------------------------- every language

/** The words of a visitor page in `lang`, as the server serves them to a page switching to it. */
async function visitorWords(page, lang) {
  return page.evaluate(async (l) => (await fetch(`/i18n/${l}.json`)).json(), lang);
}

test('the visitor changes language mid-chat and loses nothing; Arabic reads right to left; the officer sees the language', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await newOfficer();
  const page = visitor.page;
  const { id, panel, texts } = await chatBothWays(visitor, officer, 'langue');
  await assertText(panel.locator('.f-lang'), 'français');
  const draft = unique('un brouillon pas encore envoyé');
  await page.locator('#message-input').fill(draft);
  const historyBefore = await page.evaluate(() => history.length);

  const ar = await visitorWords(page, 'ar');
  await page.getByRole('link', { name: 'العربية' }).click();
  await page.locator('html[lang="ar"][dir="rtl"]').waitFor();
  // Every word of the interface changed, the conversation and the draft did not.
  assert.equal((await page.locator('#quick-exit').textContent()).trim(), ar.page['qe-label']);
  assert.equal(await page.locator('label[for="message-input"]').textContent(), ar.page['message-label']);
  assert.equal(await page.locator('#chat-title').textContent(), ar.page['chat-title']);
  assert.equal(await page.title(), ar.page['page-title']);
  for (const text of texts) assert.equal(await countText(page.locator('#messages'), text), 1, `${text} still there once`);
  assert.equal(await page.locator('#message-input').inputValue(), draft);
  assert.equal(await page.evaluate(() => history.length), historyBefore, 'switching adds no history entry');
  const marks = [ar.script.sent, ar.script.received, ar.script.read];
  const ownStatus = await page.locator('#messages .msg-mine .msg-status').first().textContent();
  assert.ok(marks.includes(ownStatus), `the marks are in Arabic: ${ownStatus}`);
  // Times follow the visitor's locale.
  const shown = await page.locator('#messages .msg-theirs .msg-time').first().evaluate((el) => ({
    text: el.textContent,
    expected: new Intl.DateTimeFormat('ar', { hour: '2-digit', minute: '2-digit' }).format(new Date(el.dateTime)),
  }));
  assert.equal(shown.text, shown.expected);
  // Laid out right to left: the exit button sits on the left of the bar.
  const bar = await page.locator('.qe-bar').boundingBox();
  const exit = await page.locator('#quick-exit').boundingBox();
  assert.ok(exit.x < bar.x + bar.width / 2, 'the exit button is on the left in Arabic');

  // The officer is told, and the chat's facts say it.
  await assertText(panel.locator('.f-lang'), 'arabe');
  await assertText(panel.locator('.left-alert'), 'arabe');
  await page.locator('#message-input').fill('');
  const arabic = unique('مرحبا، أحتاج إلى مساعدة');
  await page.locator('#message-input').fill(arabic);
  await page.locator('#message-input').press('Enter');
  await page.locator('#messages .msg-mine', { hasText: arabic }).locator('.msg-status', { hasText: new RegExp(`^(${marks.join('|')})$`) }).waitFor();
  await panel.locator('.msg-theirs', { hasText: arabic }).waitFor();
  assert.equal(await panel.locator('.msg-theirs', { hasText: arabic }).locator('.msg-body').getAttribute('dir'), 'auto');
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'visitor-chat-ar.png') });
  }

  // A reload keeps the language chosen, like the conversation.
  await page.reload();
  await page.locator('html[lang="ar"][dir="rtl"]').waitFor();
  await page.locator('#messages .msg-body', { hasText: arabic }).waitFor();
  for (const text of texts) assert.equal(await countText(page.locator('#messages'), text), 1);

  // And back to French: the officer is told again.
  await page.getByRole('link', { name: 'Français' }).click();
  await page.locator('html[lang="fr"][dir="ltr"]').waitFor();
  await assertText(panel.locator('.f-lang'), 'français');
  assert.equal((await page.locator('#quick-exit').textContent()).trim(), 'Quitter en urgence');
  assertNoProblems(visitor, officer);
  void id;
  for (const c of [visitor, officer]) await c.context.close();
});

test('the pages open in the browser’s language, and every language reads at 320 px and in screenshots', { timeout: TEST_TIMEOUT }, async () => {
  for (const [locale, lang, dir] of [['fr-FR', 'fr', 'ltr'], ['en-GB', 'en', 'ltr'], ['es-ES', 'es', 'ltr'], ['ar-MA', 'ar', 'rtl']]) {
    const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems = [];
    watch(page, problems);
    await page.goto(`${BASE}/`);
    await page.locator(`html[lang="${lang}"][dir="${dir}"]`).waitFor();
    const words = await visitorWords(page, lang);
    assert.equal(await page.locator('#landing-title').textContent(), words.page['landing-title']);
    const m = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth }));
    assert.ok(m.scroll <= m.width, `${lang}: ${m.scroll} px wide on ${m.width}`);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `visitor-landing-${lang}.png`) });
    }
    await page.goto(`${BASE}/securite`);
    assert.equal(await page.locator('h1').textContent(), words.page['safety-title']);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('every visitor page and every console page passes axe-core in English, Spanish and Arabic too', { timeout: 6 * TEST_TIMEOUT }, async () => {
  const officer = await newOfficer();
  const supervisor = await newOfficer({ supervisor: true, height: 1400 });
  for (const [locale, lang] of [['en-GB', 'en'], ['es-ES', 'es'], ['ar-MA', 'ar']]) {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale });
    await context.route((url) => url.href.startsWith(NEUTRAL), (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: NEUTRAL_PAGE }));
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${BASE}/`);
    await page.locator(`html[lang="${lang}"]`).waitFor();
    await page.locator('#start-open').waitFor();
    await assertAccessible(page, `${lang}: landing page`);
    await page.locator('#danger-open').click();
    await assertAccessible(page, `${lang}: danger panel`);
    await page.locator('#danger-close').click();
    await page.locator('#resume-open').click();
    await page.locator('#resume-submit').click();
    await page.locator('#resume-error').filter({ hasText: /./ }).waitFor();
    await assertAccessible(page, `${lang}: return code form with its error`);
    await page.locator('#resume-back').click();
    await page.locator('#start-open').click();
    await page.locator('#start-submit').click();
    await page.locator('#start-error').filter({ hasText: /./ }).waitFor();
    await assertAccessible(page, `${lang}: start form with its errors`);
    await page.locator('#kind-victim').check();
    await page.locator('#minor-no').check();
    await page.locator('#start-submit').click();
    await page.locator('#waiting').waitFor({ state: 'visible' });
    await assertAccessible(page, `${lang}: waiting room with the return code`);
    const { conversation_id: id } = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ecoute.conversation')));

    // The console in the same language, chosen with its own form.
    await officer.page.locator('#console-lang').selectOption(lang);
    await Promise.all([
      officer.page.waitForURL(`${BASE}/console`),
      officer.page.locator('.lang-form button[type="submit"]').click(),
    ]);
    await officer.page.locator(`html[lang="${lang}"]`).waitFor();
    await officer.page.locator('body[data-connection="online"]').waitFor();
    await assertAccessible(officer.page, `${lang}: console with the queue`);
    const item = officer.page.locator(`.queue-item[data-conversation-id="${id}"]`);
    await item.locator('.qi-claim').click();
    const panel = officer.page.locator(`#panel-${id}`);
    await panel.waitFor({ state: 'visible' });
    await panel.locator('textarea.c-input').fill(unique('Hello'));
    await panel.locator('textarea.c-input').press('Enter');
    await page.locator('#messages .msg-theirs').first().waitFor();
    await assertAccessible(page, `${lang}: chat`);
    for (const box of ['.notes-box', '.qualify-box', '.transfer-box', '.resources-box']) {
      await panel.locator(`${box} summary`).click();
    }
    await assertAccessible(officer.page, `${lang}: console with a chat and every panel open`);
    await officer.page.goto(`${BASE}/console/security`);
    await assertAccessible(officer.page, `${lang}: account security page`);
    await refusePasswordChange(officer.page);
    await assertAccessible(officer.page, `${lang}: account security page with a refused password change`);
    await officer.page.goto(`${BASE}/console`);
    await officer.page.locator('body[data-connection="online"]').waitFor();
    await officer.page.locator(`#panel-${id} .x-outcome`).selectOption('information_given');
    await officer.page.locator(`#panel-${id} .x-submit`).click();
    await page.locator('#ended').waitFor({ state: 'visible' });
    await assertAccessible(page, `${lang}: conversation ended`);
    await officer.page.goto(`${BASE}/console/history/${id}`);
    await officer.page.locator('.transcript .msg-body').first().waitFor();
    await assertAccessible(officer.page, `${lang}: a closed chat read again`);
    await officer.page.goto(`${BASE}/console`);
    await officer.page.locator('body[data-connection="online"]').waitFor();
    await page.goto(`${BASE}/securite`);
    await assertAccessible(page, `${lang}: stay safe online`);

    await supervisor.page.goto(`${BASE}/console`);
    await supervisor.page.locator('#console-lang').selectOption(lang);
    await Promise.all([
      supervisor.page.waitForURL(`${BASE}/console`),
      supervisor.page.locator('.lang-form button[type="submit"]').click(),
    ]);
    await supervisor.page.locator(`html[lang="${lang}"]`).waitFor();
    await supervisor.page.locator('body[data-connection="online"]').waitFor();
    await supervisor.page.locator('#board-staff tbody tr').first().waitFor();
    await assertAccessible(supervisor.page, `${lang}: supervision board`);
    await supervisor.page.goto(`${BASE}/console/replies`);
    await assertAccessible(supervisor.page, `${lang}: canned replies page`);
    await supervisor.page.goto(`${BASE}/console/audit`);
    await assertAccessible(supervisor.page, `${lang}: audit log`);

    const login = await browser.newContext({ locale });
    const loginPage = await login.newPage();
    await loginPage.goto(`${BASE}/console/login`);
    await loginPage.locator(`html[lang="${lang}"]`).waitFor();
    await assertAccessible(loginPage, `${lang}: login page`);
    await login.close();
    await context.close();
  }
  for (const c of [officer, supervisor]) await c.context.close();
});
