// What the screenshot scripts share: a headless chromium, a French console session opened by
// logging in with a password and a TOTP code, and the browser closed whatever happens.
//   await withConsole({ url, username, password, secret, viewport }, async (page) => { ... });
import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const bytes = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { bytes.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(bytes);
}

function totp(secret) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac('sha1', base32(secret)).update(msg).digest();
  const o = mac[19] & 0x0f;
  const n = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

// Launches chromium, logs in to the console at `url` in a page of the given viewport, runs
// `steps(page)`, and closes the browser afterwards.
export async function withConsole({ url, username, password, secret, viewport }, steps) {
  const browser = await chromium.launch({
    executablePath: process.env.ECOUTE_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const context = await browser.newContext({ viewport, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const page = await context.newPage();
    await page.goto(`${url}/console/login`);
    await page.getByLabel('Identifiant').fill(username);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByLabel('Code de vérification').fill(totp(secret));
    await Promise.all([page.waitForURL(`${url}/console`), page.getByRole('button', { name: 'Se connecter' }).click()]);
    await steps(page);
  } finally {
    await browser.close();
  }
}
