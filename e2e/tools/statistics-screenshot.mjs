// Takes docs/img/statistics.png: logs in to a running server as a supervisor and photographs
// the top of the statistics page, then, given a second file, the staffing plan's chart. Run by
// statistics-screenshot.sh, which prepares the server.
//   node statistics-screenshot.mjs URL USERNAME PASSWORD TOTP_SECRET OUT.png [STAFFING.png]
import { withConsole } from './screenshot.mjs';

const [url, username, password, secret, out, staffingOut] = process.argv.slice(2);

await withConsole({ url, username, password, secret, viewport: { width: 1280, height: 1500 } }, async (page) => {
  await page.goto(`${url}/console/statistics`);
  await page.locator('#chats-per-week svg').waitFor();
  await page.screenshot({ path: out });
  if (staffingOut) {
    // The staffing plan's chart, officers needed against officers present, with its summary.
    await page.goto(`${url}/console/staffing`);
    await page.locator('#staffing-figure svg').waitFor();
    const top = await page.locator('#staffing-summary').boundingBox();
    const chart = await page.locator('#staffing-figure svg').boundingBox();
    await page.screenshot({
      path: staffingOut,
      clip: { x: 0, y: Math.max(0, top.y - 70), width: 1280, height: chart.y + chart.height - top.y + 90 },
    });
  }
});
