import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const axe = readFileSync('/tmp/mock/node_modules/axe-core/axe.min.js', 'utf8');
const BASE = process.env.ECOUTE_URL;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
async function check(page, label) {
  await page.evaluate(axe);
  const r = await page.evaluate(() => axe.run(document, { runOnly: ['wcag2a','wcag2aa','wcag21a','wcag21aa','best-practice'] }));
  for (const v of r.violations) console.log(label, v.impact, v.id, v.help, v.nodes.slice(0,3).map(n => n.target.join(' ')).join(' | '));
  console.log(label, 'violations:', r.violations.length);
}
const v = await b.newContext({ viewport: { width: 390, height: 844 } });
const p = await v.newPage();
await p.goto(BASE + '/'); await check(p, 'landing');
await p.getByRole('button', { name: 'Commencer une conversation' }).first().click();
await p.getByRole('button', { name: 'Commencer la conversation' }).click(); await check(p, 'form-errors');
await p.getByLabel('victime', { exact: true }).check(); await p.getByLabel('non, j’ai 18 ans ou plus').check();
await p.getByRole('button', { name: 'Commencer la conversation' }).click();
await p.locator('#queue-wait:not(:empty)').waitFor(); await check(p, 'waiting');
await p.goto(BASE + '/securite'); await check(p, 'safety');
const o = await (await b.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
await o.goto(BASE + '/console/login'); await check(o, 'login');
await o.fill('#username', 'agent.test'); await o.fill('#password', 'officer-password-123'); await o.click('button[type=submit]');
await o.waitForURL(BASE + '/console'); await o.locator('.queue-item').first().waitFor();
await o.locator('.qi-claim').first().click(); await o.locator('.panel:not([hidden])').waitFor();
await check(o, 'console');
await o.goto(BASE + '/setup'); await check(o, 'setup');
await b.close();
