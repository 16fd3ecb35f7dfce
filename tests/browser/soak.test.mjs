// Memory in real Chromium: the largest-memory link fits the 256 MiB of wasm memory (its data set is limited,
// with a notice), quick reruns of it do not pile up, and a long run at full speed and many reruns keep the
// wasm memory and the JS heap flat. The wasm memory's size comes from the instance that www/boot.js
// announces (TrunkApplicationStarted), as Trunk's own loader does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, settle, status } from './harness.mjs';

const MiB = 2 ** 20;
/** `--max-memory` in .cargo/config.toml. */
const WASM_MAX = 256 * MiB;
let server, browser;
before(async () => {
  server = await serve();
  browser = await launch({ extraArgs: ['--enable-precise-memory-info'] });
});
after(async () => { await browser?.close(); await server?.close(); });

async function openMeasured(query) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => addEventListener('TrunkApplicationStarted', e => { window.__memory = e.detail.wasm.memory; }));
  const page = await openPage(browser, `${server.url}/?${query}`, undefined, context);
  await page.waitForFunction(() => window.__memory !== undefined);
  return page;
}

/** The wasm memory's size (it only ever grows: a high-water mark) and the JS heap in use. */
const memory = page => page.evaluate(() => ({
  wasm: window.__memory.buffer.byteLength,
  heap: performance.memory?.usedJSHeapSize ?? 0,
}));
const mib = bytes => `${(bytes / MiB).toFixed(1)} MiB`;

async function rerun(page, id, value) {
  await page.fill(`#${id}`, String(value));
  await page.press(`#${id}`, 'Enter');
}

test('the largest-memory link is limited with a notice and fits in 256 MiB, even rerun quickly', async () => {
  // Synthetic data at n × d's largest, beside three compared algorithms: four data sets at once.
  const page = await openMeasured('problem=synthetic&n=5000&d=1000&T=200&N=64&compare=psgd,catalyst,local');
  const first = await status(page);
  assert.match(first.notices.join('\n'), /d=1000 with n=5000 makes a data set of 5005000 values \(40 MB\), more than the 2000000 \(16 MB\) a run may hold; allowed here: an integer from 1 to 399; using 399\./);
  assert.match(first.query, /(^|&)d=399(&|$)/);
  assert.equal((await settle(page)).state, 'done');
  // Reruns faster than a data set is built: cancelled runs must not hold their memory.
  for (const [id, value] of [['seed', 1], ['d', 398], ['n', 4999], ['seed', 2], ['d', 399], ['n', 5000], ['seed', 3]]) {
    await rerun(page, id, value);
    await page.waitForTimeout(80);
  }
  const done = await settle(page, 60_000);
  assert.equal(done.state, 'done', JSON.stringify(done));
  const { wasm } = await memory(page);
  console.log(`# largest-memory link, four runs and quick reruns: wasm memory ${mib(wasm)}`);
  assert.ok(wasm <= WASM_MAX * 0.75, `wasm memory ${mib(wasm)} leaves a quarter of 256 MiB spare`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('soak: a long run at full speed, then many reruns, keep the wasm memory and the JS heap flat', async () => {
  // A million rounds of 32 nodes of one sample: a few seconds in the page (rounds this small run on one
  // thread, nodes::SPREAD_MIN_WORK), sampled four times a second.
  const page = await openMeasured('alg=psgd&problem=breast-cancer&N=32&B1=1&T=1000000');
  await page.selectOption('#pace', 'fast');
  await page.waitForFunction(() => window.dynabatch.status().round > 0);
  const samples = [];
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    const asked = Date.now();
    const s = await status(page);
    // The main thread answers at once while the workers run flat out.
    samples.push({ t: Date.now() - started, answer: Date.now() - asked, round: s.round, state: s.state, ...await memory(page) });
    if (s.state === 'done') break;
    await page.waitForTimeout(250);
  }
  for (const s of samples) console.log(`# ${(s.t / 1000).toFixed(1)} s: round ${s.round}, wasm ${mib(s.wasm)}, JS heap ${mib(s.heap)}, answered in ${s.answer} ms`);
  assert.ok(samples.length >= 6, `sampled ${samples.length} times: the run must last long enough to soak`);
  assert.ok(samples.at(-1).round > samples[1].round, 'the run kept going');
  assert.ok(samples.every(s => s.answer < 1000), 'the page stayed responsive');
  // The run keeps about 1,000 rows (0.1 MB; their Vec doubles once midway): anything leaked per round
  // would show as megabytes over its million rounds.
  const warm = samples[2];
  assert.ok(samples.at(-1).wasm - warm.wasm <= MiB, `wasm memory ${mib(warm.wasm)} → ${mib(samples.at(-1).wasm)}`);
  assert.ok(samples.at(-1).heap < warm.heap + 16 * MiB, `JS heap ${mib(warm.heap)} → ${mib(samples.at(-1).heap)}`);
  // Reruns: each replaces the run, its rows and its charts; none may leave memory behind. The allocator
  // settles over the first few dozen (by two or three 64 KiB pages), so growth is measured after 40.
  const after = [];
  for (let i = 1; i <= 100; i++) {
    await rerun(page, 'T', 5_000 + i);
    await settle(page);
    after.push(await memory(page));
  }
  const [base, last] = [after[39], after.at(-1)];
  console.log(`# reruns 40 to 100: wasm ${mib(base.wasm)} → ${mib(last.wasm)}, JS heap ${mib(base.heap)} → ${mib(last.heap)}`);
  // Each rerun makes about 0.1 MB of rows: a run left behind would add megabytes over 60 reruns.
  assert.ok(last.wasm - base.wasm <= MiB / 4, 'no wasm memory growth over reruns');
  assert.ok(last.heap < base.heap + 16 * MiB, 'no JS heap growth over reruns');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
