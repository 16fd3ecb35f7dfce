// The spine in real Chromium: share links run on Web Worker threads, controls rewrite the link and rerun,
// the page's CSV equals the CLI's, and bad links give notices rather than errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, settle, status, cliCsv } from './harness.mjs';

const ISSUE_LINK = 'alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7';
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const inputValue = (page, id) => page.$eval(`#${id}`, e => e.value);

test('the issue\'s share link runs to done on >= 2 worker threads and equals the CLI CSV', async () => {
  const page = await openPage(browser, `${server.url}/?${ISSUE_LINK}`);
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), true);
  const done = await settle(page);
  assert.equal(done.state, 'done');
  assert.equal(done.nodes, 4);
  assert.ok(done.threads >= 2, `ran on ${done.threads} threads`);
  assert.equal(done.round, 15);
  assert.equal(done.sfo, 1741);
  for (const [id, value] of [['N', '4'], ['rho', '1.5'], ['B1', '2'], ['gamma', '0.5'], ['T', '2000'], ['seed', '7']]) {
    assert.equal(await inputValue(page, id), value, `#${id}`);
  }
  const csv = await page.evaluate(() => window.dynabatch.csv());
  assert.equal(csv, cliCsv(ISSUE_LINK, 1), 'page CSV = CLI CSV with --threads 1');
  assert.equal(csv, cliCsv(ISSUE_LINK, 2), 'page CSV = CLI CSV with --threads 2');
  const batches = csv.trim().split('\n').slice(2).map(line => Number(line.split(',')[1]));
  assert.deepEqual(batches, batches.map((_, i) => Math.floor(1.5 ** i * 2)));
  assert.match(await page.textContent('#workers'), /4 nodes ran on 2 of 2 Web Worker threads/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('changing #N to 8 puts N=8 in the link and reruns with 8 nodes', async () => {
  const page = await openPage(browser, `${server.url}/?${ISSUE_LINK}`);
  await settle(page);
  await page.fill('#N', '8');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('N') === '8', null, { timeout: 5000 });
  await page.waitForFunction(() => window.dynabatch.status().nodes === 8, null, { timeout: 5000 });
  const done = await settle(page);
  assert.equal(done.state, 'done');
  const query = await page.evaluate(() => location.search.slice(1));
  assert.match(query, /(^|&)N=8(&|$)/);
  assert.equal(await page.evaluate(() => window.dynabatch.csv()), cliCsv(query, 2), 'rerun matches the CLI for the new link');
  // Every other control is found by the parameter's name and rewrites the link too.
  await page.selectOption('#alg', 'psgd');
  await page.waitForFunction(() => location.search.includes('alg=psgd') && !location.search.includes('rho='));
  assert.equal(await page.isHidden('#rho'), true, 'ρ does not apply to psgd');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a bad link gets visible notices, never errors or injected markup', async () => {
  const bad = 'N=0&rho=abc&gamma=1e999&T=-5&B1=2.5&foo=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E&v=99&alg=%3Cimg%20src%3Dx%20onerror%3Dwindow.pwned%3D1%3E';
  const page = await openPage(browser, `${server.url}/?${bad}`);
  const done = await settle(page);
  assert.equal(done.state, 'done');
  assert.ok(done.notices.length >= 7, JSON.stringify(done.notices));
  assert.ok(done.notices.some(n => n.includes('N=0 is out of range (an integer from 1 to 64); using 1')));
  assert.ok(done.notices.some(n => n.includes('newer Dynabatch')));
  assert.equal(await page.isVisible('#notices'), true);
  assert.match(await page.textContent('#notices'), /rho=abc is not a number/);
  assert.equal(await page.$$eval('#notices script, #notices img', els => els.length), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await inputValue(page, 'N'), '1', 'the clamped value is shown');
  // The rewritten link keeps only what differs from the defaults: here the clamped N (and T, B₁).
  assert.match(await page.evaluate(() => location.search), /^\?v=1&N=1&/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('play/pause, step and reset, by button and by key', async () => {
  const page = await openPage(browser, `${server.url}/?alg=psgd&B1=1&T=4000&every=1`);
  await page.click('#reset');
  await page.waitForFunction(() => window.dynabatch.status().state === 'paused');
  assert.equal((await status(page)).round, 0);
  await page.click('#step');
  await page.waitForFunction(() => window.dynabatch.status().round === 1);
  await page.click('#step');
  await page.waitForFunction(() => window.dynabatch.status().round === 2);
  await page.waitForTimeout(200);
  assert.equal((await status(page)).round, 2, 'stays paused after a step');
  await page.click('#play');
  await page.waitForFunction(() => window.dynabatch.status().state === 'running');
  await page.click('#play');
  await page.waitForFunction(() => window.dynabatch.status().state === 'paused');
  await page.keyboard.press('r');
  await page.waitForFunction(() => window.dynabatch.status().round === 0);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.dynabatch.status().round === 1);
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press(' ');
  const done = await settle(page);
  assert.equal(done.round, 4000);
  assert.equal(await page.evaluate(() => window.dynabatch.csv()), cliCsv('alg=psgd&B1=1&T=4000&every=1', 2));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a diverging run stops with state diverged and says so', async () => {
  const page = await openPage(browser, `${server.url}/?alg=psgd&gamma=100&lambda=10&T=2000`);
  const done = await settle(page);
  assert.equal(done.state, 'diverged');
  assert.equal(await page.isVisible('#alert'), true);
  assert.match(await page.textContent('#alert'), /Diverged: the ((loss|gradient|iterate) became NaN or infinite|loss passed a million times its start) at round \d+/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
