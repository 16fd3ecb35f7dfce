// Takes the README's screenshots (desktop and phone width) of the built page in headless Chromium.
// Usage: trunk build --release && node scripts/screenshots.mjs
import { serve, launch, openPage, settle, ROOT } from '../tests/browser/harness.mjs';
import { join } from 'node:path';

// The first visit's story, as a first-time visitor opens the page: no query string.
const LINK = '/';
const server = await serve();
const browser = await launch();
try {
  for (const [name, viewport, scale] of [['desktop', { width: 1366, height: 768 }, 1], ['phone', { width: 390, height: 844 }, 2]]) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: scale });
    const page = await context.newPage();
    await page.goto(server.url + LINK);
    await page.waitForFunction(() => window.dynabatch?.status().state === 'done', null, { timeout: 60_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ROOT, 'docs', `screenshot-${name}.png`), fullPage: false });
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
