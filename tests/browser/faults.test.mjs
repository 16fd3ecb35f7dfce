// Faults surface as a visible error with a way out, never as a frozen page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch } from './harness.mjs';

let server, serialServer, browser;
before(async () => { server = await serve(); serialServer = await serve({ isolated: false }); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); await serialServer?.close(); });

const errorState = page => page.waitForFunction(() => window.dynabatch?.status().state === 'error', null, { timeout: 25_000, polling: 100 });

test('a panic inside the wasm, on a Web Worker, becomes an error state with a reload', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/?alg=psgd&B1=1&T=5000&fault=panic`);
  await errorState(page);
  const status = await page.evaluate(() => window.dynabatch.status());
  assert.match(status.error, /^The computation crashed \(panicked at .*: fault injected by the link's fault=panic, after round \d+\)\.$/);
  assert.equal(await page.isVisible('#alert'), true);
  assert.match(await page.textContent('#alert'), /^Error: The computation crashed/);
  assert.equal(await page.isVisible('#reload'), true);
  // Not frozen: the page still answers, and Play does not hang on the dead worker.
  await page.click('#play');
  assert.equal((await page.evaluate(() => window.dynabatch.status())).state, 'error');
  await Promise.all([page.waitForEvent('load'), page.click('#reload')]);
  assert.equal(await page.evaluate(() => location.search), '?v=1&alg=psgd&B1=1&T=5000&fault=panic');
  await context.close();
});

test('Web Workers that cannot be created give an error state at once', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => { window.Worker = class { constructor() { throw new Error('workers are blocked'); } }; });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await errorState(page);
  assert.match((await page.evaluate(() => window.dynabatch.status())).error, /Web Worker threads could not start \(.*workers are blocked/);
  assert.equal(await page.isVisible('#reload'), true);
  await context.close();
});

test('Web Workers that never report ready give an error state after a time limit, not an endless wait', async () => {
  const context = await browser.newContext();
  // Workers that start but never answer: the pool waits for them forever.
  await context.addInitScript(() => { window.Worker = class extends EventTarget { postMessage() {} terminate() {} }; });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await errorState(page);
  assert.match((await page.evaluate(() => window.dynabatch.status())).error, /did not start within 15 s/);
  assert.equal(await page.evaluate(() => 1 + 1), 2, 'the page still answers');
  await context.close();
});

// A panic on the main thread aborts the wasm with a trap inside the app, which stays borrowed for good: the
// page must still show it (without the app), in both builds. Without service workers a page that is not
// cross-origin isolated stays so, and runs the serial build.
for (const build of ['threads', 'serial']) {
  test(`${build} build: a panic on the main thread, inside the app, becomes the same error state, not a frozen page`, async () => {
    const context = await browser.newContext();
    if (build === 'serial') {
      await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined }));
    }
    const page = await context.newPage();
    const traps = [];
    page.on('pageerror', err => traps.push(err.message));
    const query = '?v=1&alg=psgd&B1=1&T=5000&fault=main-panic';
    await page.goto(`${(build === 'serial' ? serialServer : server).url}/${query}`);
    await errorState(page);
    const status = await page.evaluate(() => window.dynabatch.status());
    assert.equal(status.build, build);
    assert.match(status.error,
      /^The computation crashed \(panicked at .*: fault injected by the link's fault=main-panic, when the first rows were drawn\)\.$/);
    assert.equal(status.query, query.slice(1));
    assert.ok(traps.some(m => /unreachable/.test(m)), `the panic trapped the main thread's wasm: ${traps}`);
    assert.equal(await page.isVisible('#alert'), true);
    assert.match(await page.textContent('#alert'), /^Error: The computation crashed .* Reload the page to try again\.$/);
    assert.equal(await page.textContent('#state'), 'error');
    assert.equal(await page.isVisible('#reload'), true);
    // Not frozen: the page still answers, and the controls (whose handlers find no app) change nothing.
    assert.equal(await page.evaluate(() => 1 + 1), 2);
    await page.click('#play');
    await page.keyboard.press('r');
    assert.equal((await page.evaluate(() => window.dynabatch.status())).state, 'error');
    await Promise.all([page.waitForEvent('load'), page.click('#reload')]);
    assert.equal(await page.evaluate(() => location.search), query);
    await errorState(page);
    await context.close();
  });
}
