// Browser tests of the visitor's own pages as a careful person moves between them: the tab's
// history after reading the safety advice, and what the waiting room says first.
//
// Accounts: officers 56-57 (none needed so far; kept for this file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, NEUTRAL, TEST_TIMEOUT, browser, useAccounts, newVisitor, startConversation,
  assertNoProblems,
} from './lib.mjs';

useAccounts({ officersFrom: 55 });

const historyLength = (page) => page.evaluate(() => history.length);

test('moving between the visitor pages replaces the history entry: after /securite and back the tab holds one page of the site, and none after a quick exit', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const page = visitor.page;
  try {
    // The person was somewhere else first, then opened the site.
    await page.goto(NEUTRAL);
    await page.goto(`${BASE}/`);
    const before = await historyLength(page);

    await page.locator('#safety-link').click();
    await page.waitForURL((url) => url.pathname === '/securite');
    await page.getByRole('heading', { level: 1, name: 'Rester en sécurité en ligne' }).waitFor();
    assert.equal(await historyLength(page), before, 'reading the safety advice adds no entry');

    // Its language switch is a page of the site too.
    await page.locator('.lang-switch [data-lang="en"]').click();
    await page.waitForURL((url) => url.searchParams.get('lang') === 'en');
    await page.locator('html[lang="en"]').waitFor();
    assert.equal(await historyLength(page), before, 'changing language adds no entry');
    await page.locator('.lang-switch [data-lang="fr"]').click();
    await page.waitForURL((url) => url.searchParams.get('lang') === 'fr');

    await page.getByRole('link', { name: 'Revenir à la page d’accueil' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.locator('#landing-title').waitFor();
    assert.equal(await historyLength(page), before, 'coming back adds no entry');

    // Going back now leaves the site: the only entry of the site was the current one.
    await page.goBack();
    assert.ok(page.url().startsWith(NEUTRAL), `Back leaves the site: ${page.url()}`);
    await page.goForward();
    await page.locator('#landing-title').waitFor();

    // The quick exit replaces that one entry: nothing of the site is left in the tab.
    await page.getByRole('button', { name: /^Quitter/ }).click();
    await page.waitForURL((url) => url.href.startsWith(NEUTRAL));
    assert.equal(await historyLength(page), before, 'the exit replaced the page');
    await page.goBack();
    assert.ok(page.url().startsWith(NEUTRAL), `no page of the site behind the exit: ${page.url()}`);
    assertNoProblems(visitor);
  } finally {
    await visitor.context.close();
  }
});

test('without script the links between the visitor pages still work as ordinary links', { timeout: TEST_TIMEOUT }, async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 }, locale: 'fr-FR' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  try {
    await page.goto(`${BASE}/`);
    await page.locator('#safety-link').click();
    await page.waitForURL((url) => url.pathname === '/securite');
    await page.getByRole('heading', { level: 1, name: 'Rester en sécurité en ligne' }).waitFor();
    await page.getByRole('link', { name: 'Revenir à la page d’accueil' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.locator('#landing-title').waitFor();
  } finally {
    await context.close();
  }
});

test('the waiting room says first whether someone is coming, then shows the return code', { timeout: TEST_TIMEOUT }, async () => {
  const visitor = await newVisitor();
  const page = visitor.page;
  try {
    await startConversation(page);
    const heading = page.getByRole('heading', { level: 1, name: 'Un agent va vous répondre' });
    await heading.waitFor();
    const code = page.locator('#code-box');
    await code.waitFor({ state: 'visible' });
    const status = page.locator('#waiting .queue-status');

    const inOrder = await page.evaluate(() => {
      const follows = (a, b) => Boolean(document.querySelector(a).compareDocumentPosition(document.querySelector(b))
        & Node.DOCUMENT_POSITION_FOLLOWING);
      return follows('#waiting-title', '#code-box') && follows('#waiting .queue-status', '#code-box');
    });
    assert.ok(inOrder, 'the heading and the status come before the code in the page');
    const [h, s, c] = await Promise.all([heading.boundingBox(), status.boundingBox(), code.boundingBox()]);
    assert.ok(h.y < c.y && s.y < c.y, `the heading (${h.y}) and the status (${s.y}) are above the code (${c.y})`);
    assert.ok(h.y < 844, 'the heading is on the first screen');
    assert.match((await page.locator('#code-value').textContent()).replace(/\s/g, ''), /^\d{16}$/);

    await page.getByRole('button', { name: /^Quitter/ }).click();
    await page.waitForURL((url) => url.href.startsWith(NEUTRAL));
    assertNoProblems(visitor);
  } finally {
    await visitor.context.close();
  }
});
