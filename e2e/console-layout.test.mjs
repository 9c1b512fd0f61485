// Browser tests of the officer's console as an officer at a desk sees it (issue 22, "The
// officer's console"), in headless Chromium at 1280 x 800: how much of the conversation is in
// view (also with alerts shown and every side panel open), a supervisor's whisper in the
// conversation's flow and never on the visitor's page, a calm return next to a red quick exit,
// the board's "Écouter" buttons each named by its chat, and the presence each role starts with.
// Everything is measured from the page (bounding boxes, computed styles, accessible names).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  env, BASE, TEST_TIMEOUT, EXIT_ALERT, browser, totp, watch, unique, newVisitor, startConversation,
  claim, visitorSend, officerSend, assertNoProblems,
} from './lib.mjs';

// Officers 53-55, supervisor 11 and administrator 3 (crates/server/tests/browser.rs).
const names = (variable) => (process.env[variable] || '').split(',').filter(Boolean);
const OFFICER_LAYOUT = names('ECOUTE_OFFICER_USERNAMES')[52];
const OFFICER_WHISPER = names('ECOUTE_OFFICER_USERNAMES')[53];
const OFFICER_PRESENCE = names('ECOUTE_OFFICER_USERNAMES')[54];
const SUPERVISOR = names('ECOUTE_SUPERVISOR_USERNAMES')[10];
const ADMIN = names('ECOUTE_ADMIN_USERNAMES')[2];

const STEP_MS = 30_000;
const lastStep = new Map();
/**
 * A code for `username` the server has not seen yet: the accounts of this file log in more than
 * once, and a code's time step is accepted once per account (one step of clock skew allowed).
 */
async function freshCode(username) {
  for (;;) {
    const now = Math.floor(Date.now() / STEP_MS);
    const step = Math.max(now, (lastStep.get(username) ?? -1) + 1);
    if (step <= now + 1) {
      lastStep.set(username, step);
      return totp(env.ECOUTE_OFFICER_TOTP_SECRET, step - now);
    }
    await new Promise((r) => setTimeout(r, (now + 1) * STEP_MS - Date.now() + 200));
  }
}

/** Notes in `window.__offerShown` whether the console ever showed an offer (polled every 50 ms). */
const OFFER_WATCH = () => {
  window.__offerShown = false;
  setInterval(() => {
    const offer = document.getElementById('offer');
    if (offer && !offer.hidden) window.__offerShown = true;
  }, 50);
};

/** A member of staff logged in on the console at 1280 x 800. */
async function staff(username) {
  assert.ok(username, 'not enough accounts: raise OFFICERS, SUPERVISORS or ADMINS in crates/server/tests/browser.rs');
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  await context.addInitScript(OFFER_WATCH);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  watch(page, problems);
  await page.goto(`${BASE}/console/login`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(env.ECOUTE_OFFICER_PASSWORD);
  await page.locator('#code').fill(await freshCode(username));
  await Promise.all([
    page.waitForURL(`${BASE}/console`),
    page.locator('form[action="/console/login"] button[type="submit"]').click(),
  ]);
  await page.locator('body[data-connection="online"]').waitFor();
  return { context, page, problems };
}

async function chooseLanguage(page, lang) {
  await page.locator('#console-lang').selectOption(lang);
  await Promise.all([
    page.waitForURL(`${BASE}/console`),
    page.locator('.lang-form button[type="submit"]').click(),
  ]);
  await page.locator(`html[lang="${lang}"]`).waitFor();
  await page.locator('body[data-connection="online"]').waitFor();
}

/** The presence a console shows as chosen (the pressed button of the bar). */
async function pressedPresence(page) {
  return page.locator('.presence-btn[aria-pressed="true"]').getAttribute('data-status');
}

/**
 * The messages of a chat wholly inside the visible part of its message list and of the window,
 * and not covered by anything (what is drawn at their centre is the message itself).
 */
async function messagesInView(panel) {
  return panel.locator('.messages').evaluate((list) => {
    const box = list.getBoundingClientRect();
    const top = Math.max(box.top + list.clientTop, 0);
    const bottom = Math.min(box.top + list.clientTop + list.clientHeight, window.innerHeight);
    const items = [...list.querySelectorAll(':scope > li.msg:not(.msg-whisper)')];
    const shown = items.filter((li) => {
      const r = li.getBoundingClientRect();
      if (r.height === 0 || r.top < top - 0.5 || r.bottom > bottom + 0.5) return false;
      const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !!at && li.contains(at);
    });
    return {
      total: items.length,
      shown: shown.length,
      newestShown: shown.includes(items[items.length - 1]),
      box: { top: Math.round(box.top), height: Math.round(box.height) },
      debug: { scrollTop: list.scrollTop, clientHeight: list.clientHeight, scrollHeight: list.scrollHeight, top, bottom, inner: window.innerHeight,
        last: (() => { const li = items[items.length - 1]; const r = li.getBoundingClientRect(); const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return { top: r.top, bottom: r.bottom, h: r.height, at: at && (at.className || at.tagName), text: li.textContent.slice(0, 60), cls: li.className }; })() },
    };
  });
}

/** The reply box is wholly in the window. */
async function assertReplyBoxInView(page, panel) {
  const input = await panel.locator('textarea.c-input').boundingBox();
  const send = await panel.locator('.c-send').boundingBox();
  const height = page.viewportSize().height;
  assert.ok(input && input.y >= 0 && input.y + input.height <= height, `the reply box is in view: ${JSON.stringify(input)}`);
  assert.ok(send && send.y + send.height <= height, 'the send button is in view');
}

async function assertEightInView(panel, when) {
  // The list keeps its newest message in view when its box changes (a resize observer, which
  // runs after layout): on a loaded machine that can take a few frames, so look again for up
  // to two seconds before judging.
  let seen = await messagesInView(panel);
  for (let i = 0; i < 20 && !(seen.shown >= 8 && seen.newestShown); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen = await messagesInView(panel);
  }
  assert.ok(seen.total >= 21, `${when}: the conversation has ${seen.total} messages`);
  assert.ok(seen.shown >= 8, `${when}: ${seen.shown} of ${seen.total} messages wholly in view (${JSON.stringify(seen.box)})`);
  assert.ok(seen.newestShown, `${when}: the newest message is in view ${JSON.stringify(seen.debug)}`);
  return seen;
}

/** What a person and an officer write, short as in a real chat, alternating. */
const LINES = [
  'Bonjour, j’ai besoin de parler à quelqu’un.',
  'Bonjour, je suis là. Je vous écoute.',
  'Mon conjoint me surveille tout le temps.',
  'Êtes-vous en sécurité en ce moment ?',
  'Oui, il est au travail jusqu’à ce soir.',
  'Très bien. Prenez votre temps.',
  'Il regarde mon téléphone chaque soir.',
  'Vous pouvez effacer cette conversation.',
  'D’accord, merci de me le dire.',
  'Depuis combien de temps cela dure ?',
  'Deux ans, mais c’est pire depuis mars.',
  'Vous a-t-il déjà frappée ?',
  'Une fois, en juillet.',
  'Je suis désolée. Ce n’est pas votre faute.',
  'Je ne sais pas quoi faire.',
  'Nous allons voir les possibilités ensemble.',
  'Je peux aller chez ma sœur.',
  'C’est une bonne idée. Où habite-t-elle ?',
  'À Villeurbanne, pas très loin.',
  'Voulez-vous le numéro d’une association ?',
  'Oui, s’il vous plaît.',
  'Voici le 3919, gratuit et anonyme.',
];

test('right after logging in, an officer is available and offered a waiting chat, a supervisor and an administrator are paused and offered nothing; a pause the officer chose stays at the next login', { timeout: 2 * TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const actors = [visitor];
  try {
    const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
    const supervisor = await staff(SUPERVISOR);
    const admin = await staff(ADMIN);
    actors.push(supervisor, admin);
    for (const [who, page] of [['supervisor', supervisor.page], ['administrator', admin.page]]) {
      await page.locator('body[data-presence="paused"]').waitFor();
      assert.equal(await pressedPresence(page), 'paused', `${who}: "En pause" is the presence shown`);
    }

    // The officer starts available, and a chat waiting (this one, or one an earlier test left)
    // is offered at once.
    const officer = await staff(OFFICER_PRESENCE);
    actors.push(officer);
    await officer.page.locator('body[data-presence="available"]').waitFor();
    assert.equal(await pressedPresence(officer.page), 'available', 'officer: "Disponible" is the presence shown');
    const offer = officer.page.locator('#offer');
    await offer.waitFor({ state: 'visible' });

    // Nobody offered a chat to the supervisor or the administrator, waiting in the same queue.
    for (const [who, page] of [['supervisor', supervisor.page], ['administrator', admin.page]]) {
      assert.equal(await page.evaluate(() => window.__offerShown), false, `${who}: no offer was ever shown`);
      assert.equal(await pressedPresence(page), 'paused', `${who}: still paused`);
    }
    // The board says the same: the supervisor paused, the officer available (administrators,
    // who answer no chat, are not listed).
    const staffRows = supervisor.page.locator('#board-staff tbody tr');
    const supervisorName = await supervisor.page.evaluate(() => document.body.dataset.displayName);
    const officerName = await officer.page.evaluate(() => document.body.dataset.displayName);
    await staffRows.filter({ hasText: supervisorName }).and(supervisor.page.locator('[data-presence="paused"]')).waitFor();
    await staffRows.filter({ hasText: officerName }).and(supervisor.page.locator('[data-presence="available"]')).waitFor();

    // The officer takes this chat, closes it, chooses a pause and logs out: the next login
    // starts paused.
    const panel = await claim(officer.page, id);
    await panel.locator('select.x-outcome').selectOption('information_given');
    await panel.getByRole('button', { name: 'Clôturer' }).click();
    await officer.page.locator(`#tab-${id}`).waitFor({ state: 'detached' });
    await officer.page.locator('#presence-paused').click();
    await officer.page.locator('body[data-presence="paused"]').waitFor();
    await Promise.all([
      officer.page.waitForURL(/\/console\/login/),
      officer.page.getByRole('button', { name: 'Se déconnecter' }).click(),
    ]);
    await officer.context.close();
    const again = await staff(OFFICER_PRESENCE);
    actors.push(again);
    await again.page.locator('body[data-presence="paused"]').waitFor();
    assert.equal(await pressedPresence(again.page), 'paused', 'the pause the officer chose is kept');
    assertNoProblems(supervisor, admin, officer, again);
  } finally {
    await Promise.all(actors.map((a) => a.context.close()));
  }
});

test('at 1280 x 800 the open chat shows its last eight messages, with a quick-exit alert, a return and every side panel open', { timeout: 2 * TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await staff(OFFICER_LAYOUT);
  let back;
  try {
    const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
    const code = (await visitor.page.locator('#code-value').textContent()).trim();
    await visitor.page.getByRole('button', { name: 'J’ai noté ce code' }).click();
    const panel = await claim(officer.page, id);
    for (const [i, line] of LINES.entries()) {
      const text = `${line} (${i + 1})`;
      if (i % 2 === 0) {
        await visitorSend(visitor.page, text);
        await panel.locator('.msg-theirs .msg-body', { hasText: text }).waitFor();
      } else {
        await officerSend(panel, text);
      }
    }
    await assertEightInView(panel, 'with every panel closed');
    await assertReplyBoxInView(officer.page, panel);

    // The side panels open beside the conversation: its list keeps its place and its height.
    const before = await messagesInView(panel);
    for (const box of ['.resources-box', '.notes-box', '.qualify-box', '.transfer-box']) {
      await panel.locator(`${box} > summary`).click();
    }
    const open = await assertEightInView(panel, 'with every side panel open');
    assert.deepEqual(open.box, before.box, 'opening the side panels does not move or shrink the conversation');
    // The canned replies open over the conversation, not in its room.
    await panel.locator('.c-canned').click();
    await panel.locator('.canned-picker').waitFor();
    assert.deepEqual((await messagesInView(panel)).box, before.box, 'the canned replies do not shrink the conversation');
    await panel.locator('.cp-filter').press('Escape');
    await panel.locator('.canned-picker').waitFor({ state: 'hidden' });
    for (const box of ['.resources-box', '.notes-box', '.qualify-box', '.transfer-box']) {
      await panel.locator(`${box} > summary`).click();
    }

    // A quick exit: the alerts stay compact and the conversation keeps its room.
    await visitor.page.getByRole('button', { name: /Quitter en urgence/ }).click();
    const exit = panel.locator('.left-alert', { hasText: EXIT_ALERT });
    await exit.waitFor();
    await officer.page.locator('#global-alert', { hasText: EXIT_ALERT }).waitFor();
    await panel.locator('.x-left-help').waitFor();
    await assertEightInView(panel, 'after a quick-exit alert');
    await assertReplyBoxInView(officer.page, panel);
    await panel.locator('select.x-outcome').waitFor();
    assert.equal(await panel.locator('select.x-outcome').inputValue(), 'visitor_left', 'the outcome is preset');
    const red = await exit.evaluate((el) => ({ cls: [...el.classList], bg: getComputedStyle(el).backgroundColor }));

    // The person comes back with the code: good news, in a calm colour, not the alarm's red.
    back = await newVisitor();
    await back.page.goto(`${BASE}/`);
    await back.page.getByRole('button', { name: 'J’ai un code pour revenir' }).click();
    await back.page.getByLabel('Votre code').fill(code.replace(/ /g, ''));
    await back.page.getByRole('button', { name: 'Revenir à la conversation' }).click();
    await back.page.locator('#chat').waitFor({ state: 'visible' });
    const returned = panel.locator('.left-alert', { hasText: 'revenue' });
    await returned.waitFor();
    const calm = await returned.evaluate((el) => ({ cls: [...el.classList], bg: getComputedStyle(el).backgroundColor }));
    assert.ok(red.cls.includes('is-exit') && !red.cls.includes('is-back'), `the quick exit's class: ${red.cls}`);
    assert.ok(calm.cls.includes('is-back') && !calm.cls.includes('is-exit'), `the return's class: ${calm.cls}`);
    assert.notEqual(calm.bg, red.bg, 'the return is not dressed as the quick exit');
    const [r, g, b] = calm.bg.match(/\d+/g).map(Number);
    assert.ok(!(r > g + 60 && r > b + 60), `the return is not red: ${calm.bg}`);
    await assertEightInView(panel, 'after the return alert');
    await assertReplyBoxInView(officer.page, panel);
    assertNoProblems(visitor, officer, back);
  } finally {
    await Promise.all([visitor.context.close(), officer.context.close(), back?.context.close()]);
  }
});

test('a supervisor’s whisper shows in the officer’s conversation, in view and marked as theirs only, and never on the visitor’s page', { timeout: 2 * TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await staff(OFFICER_WHISPER);
  const supervisor = await staff(SUPERVISOR);
  try {
    const { conversation_id: id } = await startConversation(visitor.page, { postalCode: '69003' });
    const panel = await claim(officer.page, id);
    for (const [i, line] of LINES.slice(0, 12).entries()) {
      const text = `${line} (${i + 1})`;
      if (i % 2 === 0) {
        await visitorSend(visitor.page, text);
        await panel.locator('.msg-theirs .msg-body', { hasText: text }).waitFor();
      } else {
        await officerSend(panel, text);
      }
    }
    const lastBefore = `${LINES[11]} (12)`;

    const row = supervisor.page.locator(`#board-chats tr[data-conversation-id="${id}"]`);
    await row.getByRole('button', { name: /Écouter/ }).click();
    const monitor = supervisor.page.locator('#monitor');
    await monitor.locator('.msg-body', { hasText: lastBefore }).waitFor();
    const whisper = unique('CONSEIL: proposez-lui le 3919');
    await supervisor.page.getByLabel('Conseil à l’agent (la personne ne le voit jamais)').fill(whisper);
    await supervisor.page.getByRole('button', { name: 'Envoyer le conseil' }).click();

    // In the conversation, where the officer is looking: in view, not covered, labelled.
    const shown = panel.locator('.messages .msg-whisper', { hasText: whisper });
    await shown.waitFor();
    const whereAndHow = () => shown.evaluate((el) => {
      const list = el.closest('.messages');
      const box = list.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      const style = (node) => {
        const cs = getComputedStyle(node);
        return `${cs.backgroundColor} ${cs.borderTopStyle} ${cs.borderTopColor}`;
      };
      return {
        inList: r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5,
        inWindow: r.top >= 0 && r.bottom <= window.innerHeight,
        uncovered: !!at && el.contains(at),
        classes: [...el.classList],
        style: style(el),
        visitorStyle: style(list.querySelector('.msg-theirs')),
        officerStyle: style(list.querySelector('.msg-mine')),
        label: el.querySelector('.msg-whisper-label')?.textContent || '',
      };
    });
    const seen = await whereAndHow();
    assert.ok(seen.inList && seen.inWindow && seen.uncovered, `the whisper is in view: ${JSON.stringify(seen)}`);
    assert.ok(!seen.classes.includes('msg-theirs') && !seen.classes.includes('msg-mine'), 'not dressed as a message of either side');
    assert.notEqual(seen.style, seen.visitorStyle, 'styled apart from the person’s messages');
    assert.notEqual(seen.style, seen.officerStyle, 'styled apart from the officer’s messages');
    assert.match(seen.label, /visible par vous seulement/, 'marked as seen by the officer only');
    // It is kept with the chat's notes too.
    await panel.locator('.notes .note-whisper', { hasText: whisper }).waitFor({ state: 'attached' });

    // In the flow: after what was written before it, before what is written after it.
    const after = unique('Elle dit qu’elle peut sortir');
    await visitorSend(visitor.page, after);
    await panel.locator('.msg-body', { hasText: after }).waitFor();
    const order = () => panel.locator('.messages > li').evaluateAll((items, [w, b, a]) => {
      const index = (text) => items.findIndex((li) => li.textContent.includes(text));
      return [index(b), index(w), index(a)];
    }, [whisper, lastBefore, after]);
    const [b, w, a] = await order();
    assert.ok(b >= 0 && b < w && w < a, `before, whisper, after: ${[b, w, a]}`);

    // The visitor never receives it, not even in the history a reload replays.
    assert.equal(await visitor.page.locator('body', { hasText: 'CONSEIL' }).count(), 0, 'the visitor saw the whisper');
    await visitor.page.reload();
    await visitor.page.locator('#messages .msg-body', { hasText: after }).waitFor();
    assert.equal(await visitor.page.locator('body', { hasText: 'CONSEIL' }).count(), 0, 'the visitor saw the whisper after a reload');

    // After a reload of the console the whisper is in the same place, still in view.
    await officer.page.reload();
    await officer.page.locator('body[data-connection="online"]').waitFor();
    await panel.locator('.msg-body', { hasText: after }).waitFor();
    await shown.waitFor();
    const [b2, w2, a2] = await order();
    assert.ok(b2 >= 0 && b2 < w2 && w2 < a2, `after a reload, before, whisper, after: ${[b2, w2, a2]}`);
    const again = await whereAndHow();
    assert.ok(again.inList && again.inWindow && again.uncovered, `in view after a reload: ${JSON.stringify(again)}`);
    assertNoProblems(visitor, officer, supervisor);
  } finally {
    await Promise.all([visitor.context.close(), officer.context.close(), supervisor.context.close()]);
  }
});

test('on the board every "Écouter" button is named by its chat: its reference and its officer, in four languages', { timeout: 2 * TEST_TIMEOUT }, async () => {
  const visitors = [await newVisitor(), await newVisitor(), await newVisitor()];
  const first = await staff(OFFICER_LAYOUT);
  const second = await staff(OFFICER_WHISPER);
  const supervisor = await staff(SUPERVISOR);
  try {
    const ids = [];
    for (const [i, v] of visitors.entries()) {
      const { conversation_id: id } = await startConversation(v.page, { postalCode: '69003' });
      await claim((i === 1 ? second : first).page, id);
      ids.push(id);
    }
    for (const lang of ['fr', 'en', 'es', 'ar']) {
      if (lang !== 'fr') await chooseLanguage(supervisor.page, lang);
      const named = [];
      for (const id of ids) {
        const row = supervisor.page.locator(`#board-chats tbody tr[data-conversation-id="${id}"]`);
        const button = row.locator('button');
        await button.waitFor();
        const cells = await row.locator('td').allTextContents();
        const [ref, , officerName] = cells;
        // The accessibility tree's line for the button: - button "its accessible name" (quoted
        // again as a whole when the name holds a colon).
        const snapshot = await button.ariaSnapshot();
        const name = (/button "(.*?)"/.exec(snapshot) || [])[1] || '';
        const visible = (await button.textContent()).trim();
        assert.ok(name.startsWith(visible), `${lang}: the name starts with the visible label “${visible}”: ${name}`);
        assert.ok(name.includes(ref), `${lang}: the name carries the reference ${ref}: ${name}`);
        assert.ok(officerName && name.includes(officerName), `${lang}: the name carries the officer ${officerName}: ${name}`);
        named.push(name);
      }
      assert.equal(new Set(named).size, named.length, `${lang}: every name is different: ${named.join(' | ')}`);
    }
    await chooseLanguage(supervisor.page, 'fr');
    assertNoProblems(first, second, supervisor);
  } finally {
    await Promise.all([...visitors, first, second, supervisor].map((a) => a.context.close()));
  }
});
