// Browser tests of forwarding as the person lives it: the question asked in the chat, the
// answer with contact instructions, the forwarded close, then the follow-up page (/suivi) with
// the return code: the stage, a message, withdrawal, and the quick exit leaving no trace.
//
// The officer's side is driven over the staff socket from a page of our origin (the console's
// buttons for asking are being built elsewhere): frames `claim`, `ask_consent`, `close`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEUTRAL, TEST_TIMEOUT, browser, env, totp, officerUsername, useAccounts, unique,
  newVisitor, startConversation, visitorSend, assertText, assertAccessible, assertNoProblems,
} from './lib.mjs';

useAccounts({ officersFrom: 35, supervisorsFrom: 7 });

const UNIT_ID = 'commissariat-lyon';
const UNIT_NAME = 'Commissariat central de Lyon';
const LANGS = ['fr', 'en', 'es', 'ar'];

/** An officer logged in by the API, with a staff socket opened from a page of our origin. */
async function socketOfficer() {
  const context = await browser.newContext();
  const login = await context.request.post(`${BASE}/api/staff/login`, {
    headers: { Origin: BASE },
    data: { username: officerUsername(), password: env.ECOUTE_OFFICER_PASSWORD, code: totp(env.ECOUTE_OFFICER_TOTP_SECRET) },
  });
  assert.equal(login.status(), 200, 'the officer logs in');
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${BASE}/healthz`);
  await page.evaluate(() => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws/staff`);
    window.__frames = [];
    window.__ws = ws;
    ws.onmessage = (e) => window.__frames.push(JSON.parse(e.data));
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('the staff socket did not open'));
  }));
  const send = (frame) => page.evaluate((f) => window.__ws.send(JSON.stringify(f)), frame);
  /** The first frame received since `from` that passes `match`. */
  const expect = async (match, what) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const frames = await page.evaluate(() => window.__frames);
      const found = frames.find(match);
      if (found) return found;
      const error = frames.find((f) => f.type === 'error');
      assert.ok(Date.now() < deadline, `${what}: not received (last error ${JSON.stringify(error)})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { context, page, send, expect };
}

/** Puts the visitor page in another language through its language links (in place). */
async function switchTo(page, lang) {
  await page.locator(`.lang-switch [data-lang="${lang}"]`).click();
  await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
}

async function noStorage(page) {
  return page.evaluate(async () => ({
    session: sessionStorage.length,
    local: localStorage.length,
    idb: (await indexedDB.databases()).length,
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    caches: (await caches.keys()).length,
  }));
}

test('the person agrees in the chat, sees the report forwarded, then follows it with the code: stage, message, withdrawal', { timeout: TEST_TIMEOUT * 2 }, async () => {
  const visitor = await newVisitor();
  const officer = await socketOfficer();
  const page = visitor.page;
  try {
    const { conversation_id: id } = await startConversation(page, { postalCode: '69003' });
    const code = (await page.locator('#code-value').textContent()).trim();
    assert.match(code, /^(\d{2} ){7}\d{2}$/, 'the return code is shown at the start');
    await page.getByRole('button', { name: 'J’ai noté ce code' }).click();

    await officer.send({ type: 'claim', conversation_id: id });
    await officer.expect((f) => f.type === 'claimed', 'claimed');
    await visitorSend(page, unique('Il me suit depuis des semaines'));

    // The question, in the chat, calmly: no dialog, the focus stays where it was.
    await officer.send({ type: 'ask_consent', conversation_id: id, unit: UNIT_ID });
    const box = page.locator('#consent');
    await box.waitFor({ state: 'visible' });
    await assertText(box.locator('#consent-question'), UNIT_NAME);
    assert.equal(await page.locator('[role="dialog"], [aria-modal="true"]').count(), 0, 'no modal');
    for (const lang of LANGS) {
      if (lang !== 'fr') await switchTo(page, lang);
      await assertAccessible(page, `chat with the consent question (${lang})`);
    }
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl', 'Arabic is right to left');
    await switchTo(page, 'fr');

    // Yes, with instructions; the counter follows.
    await box.getByRole('button', { name: 'Oui', exact: true }).click();
    await box.getByLabel('Je donne mes consignes pour être contacté·e').check();
    const instructions = 'Le matin avant 9 h ; si un homme répond, dire que c’est la mutuelle';
    await box.getByLabel('Vos consignes').fill(instructions);
    await assertText(box.locator('#consent-counter'), `${instructions.length} / 1000`);
    // An empty answer is refused on the page, clearly.
    await box.getByLabel('Vos consignes').fill('  ');
    await box.getByRole('button', { name: 'Envoyer ma réponse' }).click();
    await assertText(box.locator('#consent-error'), 'Écrivez vos consignes');
    await box.getByLabel('Vos consignes').fill(instructions);
    await box.getByRole('button', { name: 'Envoyer ma réponse' }).click();
    await assertText(box.locator('#consent-answer'), `Vous avez accepté que votre signalement soit transmis à : ${UNIT_NAME}`);
    await officer.expect((f) => f.type === 'consent' && f.answer === true, 'the yes reaches the officer');

    // The chat closes as forwarded: the page says so, with the code and the way to follow it.
    await officer.send({ type: 'close', conversation_id: id, outcome: 'report_forwarded' });
    const forwarded = page.locator('#forwarded');
    await forwarded.waitFor({ state: 'visible' });
    await assertText(forwarded, 'Votre signalement a été transmis');
    await assertText(forwarded.locator('#forwarded-code'), code);
    await assertText(forwarded, 'Suivre mon signalement');
    assert.deepEqual(await noStorage(page), { session: 0, local: 0, idb: 0, workers: 0, caches: 0 }, 'nothing stored after the close');

    // The follow-up page, reached from the link; the code is typed again (never in a URL).
    await forwarded.getByRole('link', { name: 'Suivre mon signalement' }).click();
    await page.waitForURL(`${BASE}/suivi?lang=fr`);
    assert.ok(!page.url().includes(code.replace(/ /g, '')));
    for (const lang of LANGS) {
      await page.goto(`${BASE}/suivi?lang=${lang}`);
      await page.locator('#follow-form').waitFor({ state: 'visible' });
      await assertAccessible(page, `follow-up code form (${lang})`);
    }
    await page.goto(`${BASE}/suivi?lang=fr`);
    // An unknown code: the same words as the resume form.
    await page.getByLabel('Votre code de retour (16 chiffres)').fill('11 22 33 44 55 66 77 88');
    await page.getByRole('button', { name: 'Voir où en est mon signalement' }).click();
    await assertText(page.locator('#follow-error'), 'Ce code n’ouvre aucune conversation');
    await page.getByLabel('Votre code de retour (16 chiffres)').fill(code);
    await page.getByRole('button', { name: 'Voir où en est mon signalement' }).click();
    await assertText(page.locator('#f-stage'), 'Votre signalement a été transmis.');
    assert.equal(page.url(), `${BASE}/suivi?lang=fr`, 'the URL does not change');
    assert.match(await page.locator('#f-reference').textContent(), /^EC-/);
    for (const lang of LANGS) {
      if (lang !== 'fr') await switchTo(page, lang);
      await assertAccessible(page, `follow-up state (${lang})`);
    }
    await assertText(page.locator('#f-stage'), 'تم إرسال بلاغك.');
    await switchTo(page, 'fr');
    assert.deepEqual(await noStorage(page), { session: 0, local: 0, idb: 0, workers: 0, caches: 0 }, 'the pass is kept in memory only');

    // A message for the unit and the platform.
    await page.getByLabel('Votre message').fill('Je suis joignable le mardi.');
    await page.getByRole('button', { name: 'Envoyer le message' }).click();
    await assertText(page.locator('#f-status'), 'Votre message a été transmis.');
    await assertText(page.locator('#f-messages'), '1');

    // Withdrawal asks first, then closes the follow-up.
    await page.getByRole('button', { name: 'Retirer mon accord', exact: true }).click();
    await page.getByRole('button', { name: 'Non, garder mon accord' }).click();
    assert.ok(await page.locator('#f-confirm').isHidden(), 'nothing withdrawn without the confirmation');
    await page.getByRole('button', { name: 'Retirer mon accord', exact: true }).click();
    await page.getByRole('button', { name: 'Oui, retirer mon accord' }).click();
    await assertText(page.locator('#f-stage'), 'Vous avez retiré votre accord : le signalement est clos.');
    await page.locator('#f-closed').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#f-message-box').isHidden(), 'no more messages');
    await assertAccessible(page, 'follow-up after withdrawal');

    // A reload asks for the code again.
    await page.reload();
    await page.locator('#follow-form').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#f-state').isHidden());
    assertNoProblems(visitor);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});

test('the quick exit on the follow-up page leaves no trace: neutral page, nothing stored, history not grown', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const officer = await socketOfficer();
  const page = visitor.page;
  try {
    // A forwarded report whose code the person has.
    const { conversation_id: id } = await startConversation(page, { postalCode: '69003' });
    const code = (await page.locator('#code-value').textContent()).trim();
    await officer.send({ type: 'claim', conversation_id: id });
    await officer.expect((f) => f.type === 'claimed', 'claimed');
    await officer.send({ type: 'ask_consent', conversation_id: id, unit: UNIT_ID });
    const box = page.locator('#consent');
    await box.waitFor({ state: 'visible' });
    await box.getByRole('button', { name: 'Oui', exact: true }).click();
    await box.getByLabel('Ne me contactez pas, je reviendrai avec mon code').check();
    assert.ok(await box.locator('#consent-instructions-field').isHidden(), 'no instructions asked');
    await box.getByRole('button', { name: 'Envoyer ma réponse' }).click();
    await officer.expect((f) => f.type === 'consent' && f.answer === true, 'the yes');
    await officer.send({ type: 'close', conversation_id: id, outcome: 'report_forwarded' });
    await page.locator('#forwarded').waitFor({ state: 'visible' });

    // On another visit: the follow-up page, after the safety page.
    await page.goto(`${BASE}/securite`);
    await page.goto(`${BASE}/suivi`);
    // The quick exit is the first thing in the tab order.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'quick-exit');
    const before = await page.evaluate(() => history.length);
    await page.getByLabel('Votre code de retour (16 chiffres)').fill(code);
    await page.getByRole('button', { name: 'Voir où en est mon signalement' }).click();
    await page.locator('#f-state').waitFor({ state: 'visible' });
    const reference = (await page.locator('#f-reference').textContent()).trim();
    assert.equal(await page.evaluate(() => history.length), before, 'reading the follow-up adds no history entry');

    await page.getByRole('button', { name: /^Quitter/ }).click();
    await page.waitForURL((url) => url.href.startsWith(NEUTRAL));
    assert.equal(await page.evaluate(() => history.length), before, 'the exit replaced the page: history not grown');
    await page.goBack();
    assert.equal(page.url(), `${BASE}/securite`, 'the follow-up page is not in the tab history');
    assert.deepEqual(await noStorage(page), { session: 0, local: 0, idb: 0, workers: 0, caches: 0 }, 'nothing stored');
    const html = await page.content();
    assert.ok(!html.includes(reference) && !html.includes(code), 'nothing of the follow-up after Back');
    assert.deepEqual(await visitor.context.cookies(), [], 'no cookie');
    // Opening it again asks for the code.
    await page.goto(`${BASE}/suivi`);
    await page.locator('#follow-form').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#f-state').isHidden());
    assertNoProblems(visitor);
  } finally {
    await visitor.context.close();
    await officer.context.close();
  }
});
