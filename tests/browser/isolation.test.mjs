// Pages without cross-origin isolation (a static host that cannot send COOP/COEP, such as GitHub Pages):
// the serial build runs every experiment with the same results on one Web Worker, under a banner that
// says why it is slower; and with service workers allowed, coi-serviceworker gives the page its threads
// after one reload. The test server sends no COOP/COEP headers here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, settle, status, cliCsv } from './harness.mjs';

// Every guided preset (all problems but synthetic, every algorithm, compared runs), and synthetic data.
const LINKS = [
  'alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7',
  'alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1&compare=psgd',
  'alg=crpsgd&problem=digits&lambda=0.1&N=8&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1',
  'alg=catalyst&problem=digits-mlp&hidden=16&lambda=0.01&N=8&rho=2&B1=3&theta=1&gamma=0.2&T=5000&seed=1&every=25&compare=psgd,local',
  'alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1&latency=50&bandwidth=10&sfo_time=10&compare=psgd',
  'alg=crpsgd&problem=landscape&sigma=3&x0=3&y0=-2.5&N=2&rho=1.3&B1=1&gamma=0.05&T=5000&seed=1',
  'alg=psgd&problem=synthetic&n=500&d=60&N=3&B1=4&T=3000&seed=3',
];

let server, browser;
before(async () => { server = await serve({ isolated: false }); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** A browser context where no service worker may run, as in some private windows (or on plain HTTP at a
 *  LAN address): the page cannot get isolation at all. */
async function noServiceWorkers() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined }));
  return context;
}
const openSerial = async query => openPage(browser, `${server.url}/?${query}`, undefined, await noServiceWorkers());

test('without isolation, every experiment runs on the serial build with the CLI\'s results, under a banner', async () => {
  for (const query of LINKS) {
    const page = await openSerial(query);
    assert.equal(await page.evaluate(() => window.crossOriginIsolated), false);
    const done = await settle(page);
    assert.equal(done.state, 'done', query);
    assert.equal(done.build, 'serial');
    assert.equal(done.pool, 1);
    const runs = await page.evaluate(() => window.dynabatch.runs());
    assert.equal(runs.length, 1 + (new URLSearchParams(query).get('compare')?.split(',').length ?? 0));
    for (const run of runs) {
      assert.equal(run.state, 'done', `${run.label} of ${query}`);
      assert.equal(run.csv, cliCsv(run.link, 2), `${run.label} of ${query}: page CSV = CLI CSV`);
    }
    assert.equal(await page.isVisible('#isolation'), true, 'the banner explains the single thread');
    assert.match((await page.textContent('#isolation')).replace(/\s+/g, ' '),
      /Running on one thread: the same results, only slower\..*this browser allows no service worker here/);
    assert.match(await page.textContent('#workers'), /nodes, one after another on one Web Worker/);
    assert.deepEqual(page.problems, [], query);
    await page.context().close();
  }
});

test('serial build: play/pause, step and reset, and a control change reruns', async () => {
  const query = 'alg=psgd&B1=1&T=4000&every=1';
  const page = await openSerial(query);
  await page.click('#reset');
  await page.waitForFunction(() => window.dynabatch.status().state === 'paused');
  assert.equal((await status(page)).round, 0);
  await page.click('#step');
  await page.waitForFunction(() => window.dynabatch.status().round === 1);
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.dynabatch.status().round === 2);
  await page.waitForTimeout(300);
  assert.equal((await status(page)).round, 2, 'stays paused after a step');
  await page.click('#play');
  await page.waitForFunction(() => window.dynabatch.status().state === 'running');
  await page.click('#play');
  await page.waitForFunction(() => window.dynabatch.status().state === 'paused');
  const paused = (await status(page)).round;
  await page.waitForTimeout(300);
  assert.equal((await status(page)).round, paused, 'a paused run does not move');
  await page.click('#play');
  assert.equal((await settle(page)).round, 4000);
  assert.equal(await page.evaluate(() => window.dynabatch.csv()), cliCsv(query, 1));
  await page.fill('#N', '6');
  await page.waitForFunction(() => window.dynabatch.status().nodes === 6);
  const rerun = await settle(page);
  assert.equal(rerun.state, 'done');
  const link = await page.evaluate(() => location.search.slice(1));
  assert.equal(await page.evaluate(() => window.dynabatch.csv()), cliCsv(link, 1));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('serial build: a diverging run says which quantity went non-finite, and when', async () => {
  const page = await openSerial('alg=psgd&gamma=100&lambda=10&T=2000');
  assert.equal((await settle(page)).state, 'diverged');
  assert.match(await page.textContent('#alert'), /Diverged: the ((loss|gradient|iterate) became NaN or infinite|loss passed a million times its start) at round \d+/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

const errorOf = async page => {
  await page.waitForFunction(() => window.dynabatch?.status().state === 'error', null, { timeout: 25_000, polling: 100 });
  return (await status(page)).error;
};

test('serial build: a panic in the run\'s Web Worker becomes an error state with a reload', async () => {
  const context = await noServiceWorkers();
  const page = await context.newPage();
  await page.goto(`${server.url}/?alg=psgd&B1=1&T=5000&fault=panic`);
  assert.match(await errorOf(page),
    /^The computation crashed \(panicked at .*: fault injected by the link's fault=panic, after round \d+\)\.$/);
  assert.equal(await page.isVisible('#reload'), true);
  await page.click('#play');
  assert.equal((await status(page)).state, 'error', 'Play does not hang on the dead worker');
  await context.close();
});

test('serial build: a worker script that does not load, or a worker that never starts, is an error', async () => {
  for (const [body, expected] of [
    [null, /^The Web Worker failed: /],
    ['/* starts, but never loads the wasm */', /^The Web Worker did not start within 15 s\.$/],
  ]) {
    const context = await noServiceWorkers();
    await context.route('**/serial-worker.js', route => body === null
      ? route.fulfill({ status: 404, contentType: 'text/plain', body: 'gone' })
      : route.fulfill({ contentType: 'text/javascript', body }));
    const page = await context.newPage();
    await page.goto(`${server.url}/?T=3000`);
    assert.match(await errorOf(page), expected);
    assert.equal(await page.isVisible('#reload'), true);
    assert.equal(await page.evaluate(() => 1 + 1), 2, 'the page still answers');
    await context.close();
  }
});

test('coi-serviceworker: on the same host, with service workers allowed, one reload brings the threads', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  let navigations = 0;
  page.on('request', request => { if (request.isNavigationRequest()) navigations += 1; });
  const problems = [];
  page.on('pageerror', err => problems.push(err.message));
  const query = 'alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7';
  await page.goto(`${server.url}/?${query}`);
  await page.waitForFunction(() => window.crossOriginIsolated === true && window.dynabatch !== undefined, null,
    { timeout: 30_000 });
  const done = await settle(page);
  assert.equal(done.build, 'threads');
  assert.ok(done.threads >= 2, `ran on ${done.threads} threads`);
  assert.equal(navigations, 2, 'exactly one reload');
  assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation')[0].type), 'reload');
  assert.equal(await page.isHidden('#isolation'), true, 'no banner once isolated');
  assert.equal(await page.evaluate(() => window.dynabatch.csv()), cliCsv(query, 1));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a cross-origin isolated host gets the threaded build and no banner', async () => {
  const isolated = await serve();
  try {
    const page = await openPage(browser, `${isolated.url}/?T=3000`);
    const done = await settle(page);
    assert.equal(done.build, 'threads');
    assert.equal(await page.isHidden('#isolation'), true);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  } finally {
    await isolated.close();
  }
});

test('at phone width, neither build overflows sideways (the banner included)', async () => {
  const isolated = await serve();
  try {
    for (const [url, context] of [
      [server.url, await noServiceWorkers()],
      [isolated.url, await browser.newContext()],
    ]) {
      const page = await context.newPage();
      await page.setViewportSize({ width: 360, height: 800 });
      await page.goto(`${url}/?compare=psgd`);
      await page.waitForFunction(() => window.dynabatch?.status().state === 'done', null, { timeout: 30_000 });
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
      assert.ok(widths[0] <= widths[1], `page ${widths[0]} px wide in a ${widths[1]} px viewport (${url})`);
      await context.close();
    }
  } finally {
    await isolated.close();
  }
});

