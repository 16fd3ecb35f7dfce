// Issue 25, every word on the page is true: the tour describes the run on screen and its dialog covers
// none of what it points at, a diverging run says "diverged", and compared runs say what they ran. The
// stories' and the tour's numbers are checked natively against their runs (crates/core/tests/stories.rs);
// here, what only a browser shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, settle } from './harness.mjs';
import { dataState, fixture, upload } from './data-files.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

/** Whether two elements' boxes overlap on screen. */
const overlap = (page, a, b) => page.evaluate(([a, b]) => {
  const r = document.querySelector(a).getBoundingClientRect();
  const s = document.querySelector(b).getBoundingClientRect();
  return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
}, [a, b]);

test('tour=1 opens the story the tour describes, and a link with another run says it did', async () => {
  const page = await openPage(browser, `${server.url}/?tour=1`, LAPTOP);
  const done = await settle(page);
  assert.equal(done.state, 'done', done.error);
  const runs = await page.evaluate(() => window.dynabatch.runs());
  assert.deepEqual(runs.map(r => r.alg), ['crpsgd', 'psgd'], 'the tour speaks of CR-PSGD beside PSGD');
  assert.equal(await page.textContent('#round-counter'), '141', 'step 2 says 141 rounds');
  assert.equal(await page.$eval('a[data-preset="fewer-rounds"]', a => a.getAttribute('aria-current')), 'true');
  assert.equal(await page.isVisible('#notices'), false, '?tour=1 asked for no run of its own');
  await page.context().close();

  const other = await openPage(browser, `${server.url}/?alg=local&N=3&tour=1`, LAPTOP);
  await settle(other);
  assert.deepEqual((await other.evaluate(() => window.dynabatch.runs())).map(r => r.alg), ['crpsgd', 'psgd']);
  assert.match(await other.textContent('#notices'), /the tour describes the story/);
  await other.context().close();
});

test("the tour's button opens its story, and Back returns to the run shown before", async () => {
  const page = await openPage(browser, `${server.url}/?alg=local&N=3&T=500`, LAPTOP);
  await settle(page);
  await page.click('#tour-start');
  await page.waitForFunction(() => window.dynabatch.runs().map(r => r.alg).join() === 'crpsgd,psgd');
  assert.equal(await page.isVisible('#tour'), true);
  await page.keyboard.press('Escape');
  await page.goBack();
  await page.waitForFunction(() => window.dynabatch.runs()[0]?.alg === 'local');
  await page.context().close();
});

for (const [name, viewport] of [['1366×768', LAPTOP], ['390×844', PHONE]]) {
  test(`at ${name} no tour step's dialog covers what it points at`, async () => {
    const page = await openPage(browser, `${server.url}/?tour=1`, viewport);
    await page.locator('#tour').waitFor({ state: 'visible' });
    await settle(page);
    for (let step = 1; step <= 6; step++) {
      if (step > 1) await page.click('#tour-next');
      assert.match(await page.textContent('#tour-count'), new RegExp(`step ${step} of 6`));
      // Two frames: the dialog is placed once the page's layout has settled.
      await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
      const target = await page.$eval('.tour-target', e => `#${e.id}`);
      assert.equal(await overlap(page, '#tour', target), false, `step ${step}: the dialog covers ${target}`);
      const inView = await page.$eval(target, e => {
        const r = e.getBoundingClientRect();
        return r.bottom > 0 && r.top < innerHeight;
      });
      assert.ok(inView, `step ${step}: ${target} is on screen`);
      await page.screenshot({ path: `/tmp/truth-tour-${viewport.width}-${step}.png` });
    }
    await page.context().close();
  });
}

test('a run whose loss runs away (γ = 50, inside its range) says "diverged", as the CLI does', async () => {
  const link = 'alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=50&T=20000&seed=1';
  const page = await openPage(browser, `${server.url}/?${link}`, LAPTOP);
  const done = await settle(page);
  assert.equal(done.state, 'diverged');
  assert.equal(await page.textContent('#state'), 'diverged');
  assert.match(await page.textContent('#alert'), /Diverged: the loss passed a million times its start at round \d+/);
  await page.screenshot({ path: '/tmp/truth-diverged.png' });
  await page.context().close();
});

test('a compared run says what it ran, and the page adds and removes compared runs', async () => {
  const story = 'alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=4000&seed=1&compare=psgd(gamma=0.001)';
  const page = await openPage(browser, `${server.url}/?${story}`, LAPTOP);
  await settle(page);
  const labels = async () => (await page.evaluate(() => window.dynabatch.runs())).map(r => r.label);
  assert.deepEqual(await labels(), ['crpsgd γ=0.3 B₁=1 ρ=1.05', 'psgd γ=0.001 B₁=1']);
  assert.deepEqual(await page.$$eval('#compare-list .compare-label', e => e.map(s => s.textContent)), ['psgd γ=0.001 B₁=1']);
  // B₁ = 8 on the main run: the compared run follows it, and its label says so.
  await page.fill('#B1', '8');
  await page.press('#B1', 'Enter');
  await page.waitForFunction(() => window.dynabatch.runs()[1]?.label === 'psgd γ=0.001 B₁=8');
  // Add local SGD with a γ of its own, then remove the PSGD run.
  await page.selectOption('#compare-alg', 'local');
  await page.fill('#compare-settings', 'gamma=0.1,H=4');
  await page.click('#compare-add');
  await page.waitForFunction(() => location.search.includes('compare=psgd(gamma=0.001),local(gamma=0.1,H=4)'));
  await settle(page);
  assert.deepEqual(await labels(), ['crpsgd γ=0.3 B₁=8 ρ=1.05', 'psgd γ=0.001 B₁=8', 'local γ=0.1 B₁=8 H=4']);
  await page.click('button[aria-label="Remove the compared run psgd γ=0.001 B₁=8"]');
  await page.waitForFunction(() => window.dynabatch.runs().length === 2);
  assert.match(await page.evaluate(() => location.search), /compare=local\(gamma=0\.1,H=4\)$/);
  await page.click('button[aria-label="Remove the compared run local γ=0.1 B₁=8 H=4"]');
  await page.waitForFunction(() => window.dynabatch.runs().length === 1);
  assert.equal(await page.textContent('#compare-list'), 'None: the main run alone.');
  assert.equal(await page.evaluate(() => location.search.includes('compare=')), false);
  // A setting a compared run cannot have gets the link's notice.
  await page.selectOption('#compare-alg', 'psgd');
  await page.fill('#compare-settings', 'N=8');
  await page.press('#compare-settings', 'Enter');
  await page.waitForFunction(() => /cannot differ between runs/.test(document.querySelector('#notices').textContent));
  await page.context().close();
});

test('every term has a definition a tap or a key opens, from the one glossary', async () => {
  for (const viewport of [LAPTOP, PHONE]) {
    const page = await openPage(browser, `${server.url}/`, viewport);
    await settle(page);
    const terms = await page.$$eval('#glossary dt', e => e.map(d => d.textContent));
    for (const name of ['SFO', 'f*', 'Polyak–Łojasiewicz (PL) condition', 'B_noise', 'ρ, batch growth', 'B₁, the first batch',
      'γ, step size', 'T, the SFO budget', 'μ', 'L', 'κ = L/μ, the condition number', 'Communication round', 'Local SGD',
      'CR-PSGD-Catalyst']) {
      assert.ok(terms.includes(name), `the glossary defines ${name}`);
    }
    // γ's "?" beside its control opens the same words as its tooltip and its glossary entry.
    const mark = '.control[data-param="gamma"] .term-mark';
    await page.click(mark);
    assert.equal(await page.isVisible('#term-pop'), true);
    assert.equal(await page.getAttribute(mark, 'aria-expanded'), 'true');
    const said = await page.textContent('#term-pop');
    assert.match(said, /^γ, step size Learning rate/);
    assert.ok((await page.getAttribute('.control[data-param="gamma"]', 'title')).includes(said.replace(/^γ, step size /, '')));
    assert.equal(await overlap(page, '#term-pop', mark), false, 'the definition opens beside its mark');
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('#term-pop'), false);
    // By keyboard: focus the SFO mark of the first chart and press Enter; pressing it again closes it.
    const sfo = '#figure-sfo .term-mark[data-term="sfo"]';
    await page.focus(sfo);
    await page.keyboard.press('Enter');
    assert.match(await page.textContent('#term-pop'), /stochastic first-order oracle/);
    await page.keyboard.press('Enter');
    assert.equal(await page.isVisible('#term-pop'), false);
    await page.context().close();
  }
});

test('the exported PNG carries a footer with each run and the link', async () => {
  const page = await openPage(browser, `${server.url}/`, LAPTOP);
  await settle(page);
  // Catch the download's data URL instead of saving it.
  await page.evaluate(() => {
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () { window.__download = this.href; return click.call(this); };
  });
  await page.click('#download-png');
  const size = await page.evaluate(async () => {
    const img = new Image();
    img.src = window.__download;
    await img.decode();
    const chart = document.querySelector('#chart-sfo');
    return { height: img.naturalHeight, chart: chart.height, charts: [...document.querySelectorAll('.charts canvas')].filter(c => c.clientWidth > 0).length };
  });
  const gridHeight = Math.ceil(size.charts / 2) * size.chart;
  assert.ok(size.height > gridHeight + 40, `a footer below the charts: ${JSON.stringify(size)}`);
  await page.context().close();
});

test("a phone's first two screens hold the contrast chart, the stories and Play; nothing is clipped", async () => {
  const page = await openPage(browser, `${server.url}/`, PHONE);
  await settle(page);
  const bottom = selector => page.$eval(selector, e => e.getBoundingClientRect().bottom + scrollY);
  for (const selector of ['#chart-sfo', '#presets-list', '#story-caption', '#play']) {
    const y = await bottom(selector);
    assert.ok(y <= 2 * PHONE.height, `${selector} ends at ${y}, beyond two screens`);
  }
  // Algorithm 1's formulas fit the phone's width.
  const clipped = await page.$$eval('.about math[display="block"]', ms => ms.filter(m => {
    const r = m.getBoundingClientRect();
    return r.right > innerWidth || m.scrollWidth > m.clientWidth + 1;
  }).length);
  assert.equal(clipped, 0, 'a formula is clipped');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'no sideways overflow');
  await page.context().close();

  const laptop = await openPage(browser, `${server.url}/`, LAPTOP);
  await settle(laptop);
  const strip = await laptop.$eval('#presets', s => ({ scroll: s.scrollWidth, client: s.clientWidth,
    list: s.querySelector('#presets-list').getBoundingClientRect().right, card: s.getBoundingClientRect().right }));
  assert.ok(strip.scroll <= strip.client && strip.list <= strip.card, `the story strip overflows its card: ${JSON.stringify(strip)}`);
  await laptop.context().close();
});

test("at 390×844 every algorithm's theory panel fits the phone (adaptive batches and the ramp state their order in a sentence)", async () => {
  for (const alg of ['crpsgd', 'catalyst', 'psgd', 'local', 'adaptive', 'ramp']) {
    const page = await openPage(browser, `${server.url}/?alg=${alg}&problem=breast-cancer&N=4&T=2000`, PHONE);
    await settle(page);
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
    assert.ok(widths[0] <= widths[1], `alg=${alg}: the page is ${widths[0]} px wide at ${widths[1]} px`);
    await page.context().close();
  }
});

test('a file whose first column looks like its class says so, with the setting that uses it', async () => {
  const page = await openPage(browser, `${server.url}/?problem=data&N=2&T=200`, LAPTOP);
  await upload(page, fixture('wine.csv'));
  await dataState(page, 'ready');
  await page.locator('#data-hint').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#data-hint'), /^Column 1 \("cultivar"\) takes only 3 values: if it is the class to predict, set label=1/);
  await page.fill('#label', '1');
  await page.press('#label', 'Enter');
  await page.waitForFunction(() => window.dynabatch.status().query.includes('label=1'));
  await dataState(page, 'ready');
  await page.locator('#data-hint').waitFor({ state: 'hidden' });
  await page.context().close();
});
