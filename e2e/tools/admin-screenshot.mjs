// Takes docs/img/admin.png: logs in to a running server as an administrator and photographs
// the accounts page. Run by admin-screenshot.sh, which prepares the server.
//   node admin-screenshot.mjs URL USERNAME PASSWORD TOTP_SECRET OUT.png
import { withConsole } from './screenshot.mjs';

const [url, username, password, secret, out] = process.argv.slice(2);

await withConsole({ url, username, password, secret, viewport: { width: 1280, height: 700 } }, async (page) => {
  await page.goto(`${url}/console/admin`);
  await page.locator('#admin-accounts tbody tr').first().waitFor();
  await page.screenshot({ path: out, fullPage: true });
});
