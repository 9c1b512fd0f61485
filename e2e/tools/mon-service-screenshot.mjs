// Takes docs/img/mon-service.png: logs in to a running server as an officer and photographs
// their "Mon service" page. Run by mon-service-screenshot.sh, which prepares the server.
//   node mon-service-screenshot.mjs URL USERNAME PASSWORD TOTP_SECRET OUT.png
import { withConsole } from './screenshot.mjs';

const [url, username, password, secret, out] = process.argv.slice(2);

await withConsole({ url, username, password, secret, viewport: { width: 1000, height: 1200 } }, async (page) => {
  await page.goto(`${url}/console/service`);
  await page.locator('#service-composition').waitFor();
  await page.screenshot({ path: out, fullPage: true });
});
