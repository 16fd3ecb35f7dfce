// The science in real Chromium: the four algorithms' controls, the theory panel's predicted and measured
// rounds, and page CSV = CLI CSV for every algorithm and problem family.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, settle, cliCsv } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const text = (page, id) => page.$eval(`#${id}`, e => e.textContent);
/** The control's wrapper: the element with data-param that the page hides when the control does not apply. */
const wrapperHidden = (page, name) => page.$eval(`#${name}`, e => {
  const wrapper = e.parentElement;
  if (wrapper.dataset.param !== e.id) throw new Error(`#${e.id}'s parent is not its data-param wrapper`);
  return wrapper.hidden;
});

test('#alg offers the six algorithms, and θ, H, η, Bmax and ramp show only where they apply', async () => {
  const page = await openPage(browser, `${server.url}/`);
  const values = await page.$$eval('#alg option', options => options.map(o => o.value));
  assert.deepEqual(values, ['crpsgd', 'psgd', 'catalyst', 'local', 'adaptive', 'ramp']);
  assert.equal(await wrapperHidden(page, 'Bmax'), true, 'B_max is the ramp\'s alone');
  assert.equal(await wrapperHidden(page, 'momentum'), false, 'momentum applies to every algorithm');
  assert.equal(await wrapperHidden(page, 'eta'), true, 'η is adaptive batches\' alone');
  await page.selectOption('#alg', 'catalyst');
  await page.waitForFunction(() => location.search.includes('alg=catalyst'));
  assert.equal(await wrapperHidden(page, 'theta'), false, 'θ applies to catalyst');
  assert.equal(await wrapperHidden(page, 'H'), true, 'H does not apply to catalyst');
  assert.equal(await text(page, 'theory-alg'), 'CR-PSGD-Catalyst');
  await page.selectOption('#alg', 'local');
  await page.waitForFunction(() => location.search.includes('alg=local'));
  assert.equal(await wrapperHidden(page, 'H'), false, 'H applies to local');
  assert.equal(await wrapperHidden(page, 'theta'), true, 'θ does not apply to local');
  const current = await page.$$eval('#theory-algs tr.current', rows => rows.map(r => r.dataset.alg));
  assert.deepEqual(current, ['local'], 'the table highlights the current algorithm only');
  await page.selectOption('#alg', 'ramp');
  await page.waitForFunction(() => location.search.includes('alg=ramp'));
  assert.equal(await wrapperHidden(page, 'Bmax'), false, 'B_max applies to ramp');
  assert.equal(await wrapperHidden(page, 'ramp'), false, 'S applies to ramp');
  assert.equal(await text(page, 'theory-alg'), 'Batch ramp');
  await settle(page);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the theory panel predicts 15 rounds for the issue\'s link, and the run measures 15', async () => {
  const link = 'alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7';
  const page = await openPage(browser, `${server.url}/?${link}`);
  const done = await settle(page);
  assert.equal(done.state, 'done');
  assert.equal(await text(page, 'predicted-rounds'), '15');
  assert.equal(await text(page, 'measured-rounds'), '15');
  assert.match(await text(page, 'closed-form-rounds'), /^\d+\.\d$/);
  assert.equal(await text(page, 'rounds-order'), 'O(log T)');
  assert.equal(await page.isHidden('#figure-grad'), true, 'f* is known, so f − f* is charted instead of ‖∇f‖²');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

for (const link of [
  'alg=catalyst&problem=digits-mlp&N=8&T=600&B1=1&rho=2&gamma=0.5&hidden=16&seed=3',
  'alg=local&problem=breast-cancer&N=4&T=2000&B1=2&H=auto',
  'alg=psgd&problem=landscape&N=2&T=300&B1=1&gamma=0.05&sigma=3',
  'alg=crpsgd&problem=digits&N=4&T=3000&B1=4&rho=1.5&gamma=1',
  // One node: its batch is split in two for the noise scale, in wasm as natively.
  'alg=crpsgd&problem=synthetic&n=300&d=12&N=1&rho=1.2&B1=3&gamma=0.3&T=3000&seed=2',
]) {
  test(`page CSV = CLI CSV: ${link}`, async () => {
    const page = await openPage(browser, `${server.url}/?${link}`);
    const done = await settle(page);
    assert.equal(done.state, 'done', JSON.stringify(done));
    const query = await page.evaluate(() => location.search.slice(1));
    const csv = await page.evaluate(() => window.dynabatch.csv());
    assert.equal(csv, cliCsv(query, 2), 'page CSV = CLI CSV with --threads 2');
    assert.equal(csv, cliCsv(query, 1), 'page CSV = CLI CSV with --threads 1');
    const rows = csv.trim().split('\n').slice(1).map(line => line.split(','));
    const lastRound = rows.at(-1)[0];
    assert.equal(await text(page, 'measured-rounds'), lastRound);
    assert.equal(await text(page, 'predicted-rounds'), lastRound, 'a finished run takes the planned rounds');
    const optimumKnown = rows[0][4] !== '';
    assert.equal(await page.isHidden('#figure-grad'), optimumKnown, '‖∇f‖² is charted exactly when f* is unknown');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('the batch chart shows the global batch against the noise scale, and the CSV carries it as the CLI does', async () => {
  const link = 'alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1&compare=psgd';
  const page = await openPage(browser, `${server.url}/?${link}`);
  assert.equal((await settle(page)).state, 'done');
  const csv = await page.evaluate(() => window.dynabatch.csv());
  const query = await page.evaluate(() => location.search.slice(1));
  assert.equal(csv, cliCsv(query, 2), 'page CSV = CLI CSV, noise_scale included');
  const lines = csv.trim().split('\n');
  const column = lines[0].split(',').indexOf('noise_scale');
  assert.equal(column, 9, 'after comm_bytes');
  const values = lines.slice(1).map(l => l.split(',')[column]);
  assert.equal(values[0], '', 'undefined at the starting point');
  assert.ok(values.slice(1).filter(v => Number(v) > 0).length > values.length / 2, values.join(' '));
  // Hovering the batch chart names both series of both runs.
  const chart = page.locator('#chart-batch');
  const box = await chart.boundingBox();
  await chart.hover({ position: { x: box.width * 0.6, y: box.height * 0.5 } });
  await page.waitForFunction(() => !document.querySelector('#chart-tooltip').hidden);
  const tip = await page.$$eval('#chart-tooltip div', divs => divs.map(d => d.textContent));
  // Each run's label says what it ran (its γ, B₁, and ρ for CR-PSGD).
  for (const series of ['crpsgd γ=0.3 B₁=1 ρ=1.05: N·B_t', 'crpsgd γ=0.3 B₁=1 ρ=1.05: B_noise', 'psgd γ=0.3 B₁=1: N·B_t']) {
    assert.ok(tip.some(l => l.startsWith(`${series}: `)), `${series} in ${tip.join(' | ')}`);
  }
  assert.match(await page.textContent('figure:has(#chart-batch) figcaption'), /noise scale B\s*noise/);
  await page.mouse.move(0, 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
