// Issue 4 in real Chromium: side-by-side runs, pinning, the network cost model, presets, classroom links,
// downloads, and crisp canvases.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, settle, status, cliCsv } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const BASE = 'alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=4000&seed=2';
const runs = page => page.evaluate(() => window.dynabatch.runs());

test('compare= overlays the listed algorithms on the same problem, seed and budget, each equal to the CLI', async () => {
  const page = await openPage(browser, `${server.url}/?${BASE}&compare=psgd,local`);
  const done = await settle(page);
  assert.equal(done.state, 'done');
  const shown = await runs(page);
  assert.deepEqual(shown.map(r => [r.label, r.alg, r.state]), [
    ['crpsgd γ=0.3 B₁=1 ρ=1.05', 'crpsgd', 'done'], ['psgd γ=0.3 B₁=1', 'psgd', 'done'], ['local γ=0.3 B₁=1 H=auto', 'local', 'done']]);
  const query = await page.evaluate(() => location.search.slice(1));
  assert.match(query, /&compare=psgd,local$/);
  for (const run of shown) {
    assert.equal(new URLSearchParams(run.link).get('alg') ?? 'crpsgd', run.alg, 'links leave out defaults');
    assert.equal(run.csv, cliCsv(run.link, 2), run.label);
  }
  assert.equal(shown[0].csv, await page.evaluate(() => window.dynabatch.csv()), 'csv() is the main run');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('compared runs with settings of their own (a fair race) run those settings, each equal to the CLI', async () => {
  const page = await openPage(browser, `${server.url}/?${BASE}&compare=psgd(gamma=0.001),psgd(gamma=0.01,B1=4)`);
  assert.equal((await settle(page)).state, 'done');
  const shown = await runs(page);
  assert.deepEqual(shown.map(r => r.label), ['crpsgd γ=0.3 B₁=1 ρ=1.05', 'psgd γ=0.001 B₁=1', 'psgd γ=0.01 B₁=4']);
  assert.equal(new URLSearchParams(shown[1].link).get('gamma'), '0.001');
  assert.equal(new URLSearchParams(shown[2].link).get('B1'), '4');
  for (const run of shown) assert.equal(run.csv, cliCsv(run.link, 2), run.label);
  const query = await page.evaluate(() => location.search.slice(1));
  assert.match(query, /&compare=psgd\(gamma=0\.001\),psgd\(gamma=0\.01,B1=4\)$/, 'written back readably');
  // Two runs of one algorithm get colours of their own.
  assert.equal(new Set(shown.map(r => r.color)).size, 3, JSON.stringify(shown.map(r => r.color)));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a compared setting that cannot differ between runs gets a notice and is left out', async () => {
  const page = await openPage(browser, `${server.url}/?${BASE}&compare=psgd(N=8)`);
  await settle(page);
  assert.match(await page.textContent('#notices'), /compare: psgd\(N\) cannot differ between runs/);
  assert.deepEqual((await runs(page)).map(r => r.label), ['crpsgd γ=0.3 B₁=1 ρ=1.05', 'psgd γ=0.3 B₁=1']);
  await page.context().close();
});

test('pin keeps the run as a ghost while parameters change', async () => {
  const page = await openPage(browser, `${server.url}/?${BASE}`);
  await settle(page);
  const before = (await runs(page))[0].csv;
  await page.click('#pin');
  await page.waitForFunction(() => document.querySelector('#pin').textContent === 'Unpin');
  assert.equal(await page.getAttribute('#pin', 'aria-pressed'), 'true');
  await page.fill('#N', '1');
  await page.press('#N', 'Enter');
  await page.waitForFunction(() => window.dynabatch.status().nodes === 1);
  await settle(page);
  const shown = await runs(page);
  // Each legend says what its run ran; the pinned one also how it differs from the run on screen.
  assert.deepEqual(shown.map(r => r.label), ['crpsgd γ=0.3 B₁=1 ρ=1.05', 'pinned crpsgd γ=0.3 B₁=1 ρ=1.05 N=4']);
  assert.equal(shown[1].csv, before, 'the ghost keeps the pinned rows');
  assert.notEqual(shown[0].csv, before);
  await page.click('#pin');
  assert.equal((await runs(page)).length, 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the network model gives every round a simulated time, charted against loss', async () => {
  const query = `${BASE}&latency=50&bandwidth=10&sfo_time=10`;
  const page = await openPage(browser, `${server.url}/?${query}`);
  await settle(page);
  const csv = await page.evaluate(() => window.dynabatch.csv());
  assert.ok(csv.startsWith('round,batch,sfo,loss,subopt,grad_norm,outer,time,comm_bytes,noise_scale\n'));
  const [round, , sfo, , , , , time, bytes] = csv.trim().split('\n').at(-1).split(',').map(Number);
  // Each round: 2(N−1) = 6 messages of 50 ms, 6/4 of the 31 × 8-byte model at 10 MB/s; 10 µs per sample.
  assert.equal(bytes, round * Math.floor(6 * 248 / 4));
  const expected = round * (6 * 0.05 + Math.floor(6 * 248 / 4) / 1e7) + sfo * 1e-5;
  assert.ok(Math.abs(time - expected) < 1e-9, `${time} vs ${expected}`);
  assert.equal(csv, cliCsv(await page.evaluate(() => location.search.slice(1)), 1));
  assert.equal(await page.isVisible('#chart-time'), true);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every guided preset opens in place and runs to done without errors', async () => {
  const page = await openPage(browser, `${server.url}/`);
  const presets = await page.$$eval('a[data-preset]', links => links.map(a => [a.dataset.preset, a.getAttribute('href')]));
  assert.ok(presets.length >= 5, `${presets.length} presets`);
  for (const [name, href] of presets) {
    await page.click(`a[data-preset="${name}"]`);
    await page.waitForFunction(() => ['running', 'done'].includes(window.dynabatch.status().state));
    const started = Date.now();
    const done = await settle(page, 30_000);
    assert.equal(done.state, 'done', `${name}: ${done.error}`);
    assert.ok(Date.now() - started < 20_000, `${name} took ${Date.now() - started} ms`);
    assert.deepEqual(done.notices, [], name);
    // The address bar now reproduces the preset: the page's run equals the CLI's run of the preset's link.
    assert.equal(await page.evaluate(() => window.dynabatch.csv()), cliCsv(href.slice(1), 2), name);
    assert.equal(cliCsv(await page.evaluate(() => location.search.slice(1)), 2), cliCsv(href.slice(1), 2), name);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('hide= hides controls and embed=1 gives the compact layout, and both stay in the link', async () => {
  const page = await openPage(browser, `${server.url}/?${BASE}&hide=N,rho&embed=1`);
  await settle(page);
  assert.equal(await page.isHidden('#N'), true);
  assert.equal(await page.isHidden('#rho'), true);
  assert.equal(await page.isVisible('#gamma'), true);
  assert.equal(await page.evaluate(() => document.body.classList.contains('embed')), true);
  assert.equal(await page.isHidden('.masthead'), true);
  assert.match(await page.evaluate(() => location.search), /&hide=N,rho&embed=1$/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('downloads: CSV and JSON of all runs, and a PNG of the charts', async () => {
  const page = await openPage(browser, `${server.url}/?${BASE}&compare=psgd`);
  await settle(page);
  const fetch = async id => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    const stream = await download.createReadStream();
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    return [download.suggestedFilename(), Buffer.concat(chunks)];
  };
  const [csvName, csv] = await fetch('#download-csv');
  assert.equal(csvName, 'dynabatch-runs.csv');
  const lines = csv.toString().trim().split('\n');
  assert.equal(lines[0], 'run,round,batch,sfo,loss,subopt,grad_norm,outer,time,comm_bytes,noise_scale');
  const shown = await runs(page);
  assert.equal(lines.length, 1 + shown.reduce((n, r) => n + r.csv.trim().split('\n').length - 1, 0));
  // The run column is each run's label, which says what it ran.
  assert.ok(lines.some(l => l.startsWith('psgd γ=0.3 B₁=1,')) && lines.some(l => l.startsWith('crpsgd γ=0.3 B₁=1 ρ=1.05,')));
  const [, json] = await fetch('#download-json');
  const parsed = JSON.parse(json.toString());
  assert.deepEqual(parsed.map(r => r.alg), ['crpsgd', 'psgd']);
  assert.ok(parsed[1].link.includes('alg=psgd') && parsed[1].rows.length > 100);
  const [pngName, png] = await fetch('#download-png');
  assert.equal(pngName, 'dynabatch-charts.png');
  assert.deepEqual([...png.subarray(1, 4)].map(c => String.fromCharCode(c)).join(''), 'PNG');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('charts are crisp on HiDPI screens: the canvas is scaled by devicePixelRatio', async () => {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await page.goto(`${server.url}/?${BASE}`);
  await page.waitForFunction(() => window.dynabatch?.status().state === 'done', null, { timeout: 30_000 });
  const [css, pixels] = await page.$eval('#chart-sfo', c => [c.clientWidth, c.width]);
  assert.equal(pixels, 2 * css);
  await context.close();
});

test('the landscape map shows the path, and a click starts the run there', async () => {
  const query = 'alg=crpsgd&problem=landscape&sigma=3&x0=3&y0=-2.5&N=2&rho=1.3&B1=1&gamma=0.05&T=2000&seed=1';
  const page = await openPage(browser, `${server.url}/?${query}`);
  await settle(page);
  assert.equal(await page.isVisible('#chart-landscape'), true);
  const map = page.locator('#chart-landscape');
  const box = await map.boundingBox();
  // Up and to the left of the centre: a start with x0 < 0 and y0 > 0.
  await map.click({ position: { x: box.width * 0.3, y: box.height * 0.35 } });
  await page.waitForFunction(() => Number(new URLSearchParams(location.search).get('x0')) < 0);
  const params = new URLSearchParams(await page.evaluate(() => location.search));
  const [x0, y0] = [Number(params.get('x0')), Number(params.get('y0'))];
  assert.ok(x0 < 0 && y0 > 0, `${x0}, ${y0}`);
  await settle(page);
  const row0 = (await page.evaluate(() => window.dynabatch.csv())).split('\n')[1].split(',');
  assert.deepEqual(row0.slice(-2).map(Number), [x0, y0], 'the run starts where the map was clicked');
  await page.selectOption('#problem', 'breast-cancer');
  await page.waitForFunction(() => document.querySelector('#figure-landscape').hidden);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the nodes at work: each node, its batch and its Web Worker, with round and sample counters', async () => {
  const page = await openPage(browser, `${server.url}/?alg=crpsgd&problem=breast-cancer&N=6&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7`);
  await settle(page);
  await page.waitForFunction(() => document.querySelectorAll('#node-boxes .node').length === 6);
  const boxes = await page.$$eval('#node-boxes .node', nodes => nodes.map(n => n.textContent));
  assert.deepEqual(boxes.map(t => t.match(/worker (\d+)/)[1]), ['0', '1', '0', '1', '0', '1'], 'node i on worker i mod 2');
  assert.ok(boxes.every(t => t.includes('B = 583')));
  assert.equal(await page.textContent('#round-counter'), '15');
  assert.equal(await page.textContent('#sfo-counter'), '1,741');
  assert.equal(await page.textContent('#workers'), '6 nodes ran on 2 of 2 Web Worker threads');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the nodes of a round too small to split run on one worker, and the page says why', async () => {
  // 8 nodes × 1 sample × 31 parameters: far below nodes::SPREAD_MIN_WORK.
  const page = await openPage(browser, `${server.url}/?alg=psgd&problem=breast-cancer&N=8&B1=1&T=2000&seed=7`);
  const done = await settle(page);
  assert.equal(done.state, 'done');
  assert.equal(await page.textContent('#workers'), '8 nodes on 1 worker: too little work to split');
  await page.waitForFunction(() => document.querySelectorAll('#node-boxes .node').length === 8);
  const workers = await page.$$eval('#node-boxes .node', nodes => nodes.map(n => n.textContent.match(/worker (\d+)/)[1]));
  assert.equal(new Set(workers).size, 1, `one worker for every node: ${workers}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('hovering a chart shows the value of every run at that x', async () => {
  const page = await openPage(browser, `${server.url}/?${BASE}&compare=psgd`);
  await settle(page);
  const chart = page.locator('#chart-sfo');
  const box = await chart.boundingBox();
  await chart.hover({ position: { x: box.width * 0.55, y: box.height * 0.5 } });
  await page.waitForFunction(() => !document.querySelector('#chart-tooltip').hidden);
  const lines = await page.$$eval('#chart-tooltip div', divs => divs.map(d => d.textContent));
  assert.match(lines[0], /^SFO per node ≈ /);
  assert.ok(lines.some(l => /^crpsgd γ=[^:]*: [-\d.e]+ \(at /.test(l)) && lines.some(l => /^psgd γ=[^:]*: [-\d.e]+ \(at /.test(l)), lines.join(' | '));
  await page.mouse.move(0, 0);
  await page.waitForFunction(() => document.querySelector('#chart-tooltip').hidden);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every control has a label, a tooltip with the paper\u2019s symbol and range, and a visible focus ring', async () => {
  const page = await openPage(browser, `${server.url}/?${BASE}`);
  const controls = await page.$$eval('#controls [data-param]', wrappers => wrappers.map(w => {
    const input = w.querySelector('input, select');
    return { name: w.dataset.param, title: w.title, label: document.querySelector(`label[for="${input.id}"]`)?.textContent ?? '' };
  }));
  assert.ok(controls.length >= 15);
  for (const c of controls) {
    assert.ok(c.label.length > 0, `${c.name} has a label`);
    assert.match(c.title, /Allowed: /, `${c.name} tooltip states its range`);
  }
  assert.match(controls.find(c => c.name === 'rho').title, /^ρ — .*Allowed: a number from 1 to 16\./);
  assert.match(controls.find(c => c.name === 'gamma').title, /^γ — /);
  await page.focus('#rho');
  const outline = await page.$eval('#rho', e => getComputedStyle(e).outlineStyle);
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, 'none', 'keyboard focus is visible');
  assert.ok(outline.length > 0);
  await page.context().close();
});

test('a compared algorithm that would work far longer on the same budget gets limits of its own, with a notice', async () => {
  // CR-PSGD fits the work limit here; PSGD, with a round per sample, would need about 1e13 operations.
  const main = 'alg=crpsgd&problem=digits-mlp&hidden=64&N=64&rho=1.05&B1=1&T=1000000';
  const page = await openPage(browser, `${server.url}/?${main}&compare=psgd`);
  await page.waitForFunction(() => window.dynabatch.runs().length === 2);
  const [ours, compared] = await runs(page);
  assert.match(ours.link, /(^|&)T=1000000(&|$)/, 'the main run keeps its budget');
  const limited = Number(new URLSearchParams(compared.link).get('T'));
  assert.ok(limited > 0 && limited < 1_000_000, `compared psgd runs T=${limited}`);
  const { notices } = await status(page);
  assert.ok(notices.some(n => /the compared psgd run: .*T=1000000/.test(n) && n.includes(String(limited))), JSON.stringify(notices));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('pausing side-by-side runs at full speed pauses them all, and Play takes them to the end', async () => {
  // Every round needs a share from each pool thread: a run that slept outright while paused used to
  // leave the other run stuck mid-round, "running" for ever. The rounds must be large enough to spread
  // over the pool (nodes::SPREAD_MIN_WORK; breast cancer at B = 1 now stays on one thread, and ends in
  // well under a second), and the runs long enough to pause three times (about 8 s at Fast here).
  const link = 'alg=psgd&problem=synthetic&d=784&lambda=0.1&N=4&B1=8&gamma=0.3&T=400000&seed=2&compare=local';
  const page = await openPage(browser, `${server.url}/?${link}`);
  await page.selectOption('#pace', 'fast');
  for (let i = 0; i < 3; i++) {
    await page.waitForFunction(() => window.dynabatch.status().state === 'running');
    await page.waitForTimeout(150);
    await page.click('#play');
    await page.waitForFunction(() => window.dynabatch.status().state === 'paused'
      && window.dynabatch.runs().every(r => ['paused', 'done'].includes(r.state)), null, { timeout: 5000 });
    await page.click('#play');
  }
  const done = await settle(page);
  assert.equal(done.state, 'done');
  for (const run of await runs(page)) {
    assert.equal(run.state, 'done', run.label);
    assert.equal(run.csv, cliCsv(run.link, 2), `${run.label}: page CSV = CLI CSV`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
