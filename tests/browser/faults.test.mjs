// Faults surface as a visible error with a way out, never as a frozen page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

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
