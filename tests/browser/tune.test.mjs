// The Tune button (issue 11): `dynabatch tune` in the background, in both builds. It loads the very link
// the CLI prints, with the CLI's table; Back returns to the user's link; Cancel stops the work at once and
// keeps the link; a search far too large is refused in one line; the page stays responsive meanwhile. And
// the theory panel's guidance on ρ says what the CLI's notice says. Both pass axe-core, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { serve, launch, openPage, settle, status, ROOT } from './harness.mjs';
import { fixture, dataState, upload } from './data-files.mjs';

const CLI = join(ROOT, 'target', 'release', 'dynabatch');

/** What `dynabatch tune` prints (on `data`, a file, for problem=data): the table's rows (tab-separated
 *  cells), the tuned link, and its notices. */
function cliTune(query, data) {
  const run = spawnSync(CLI, ['tune', query, '--threads', '2', ...(data ? ['--data', data] : [])], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  return {
    table: lines.slice(0, -1).map(line => line.split('\t')),
    link: lines.at(-1),
    notices: run.stderr.split('\n').filter(line => line.includes('the analysis allows')),
  };
}

// Fast to tune (under a second here), with a compared run, CR-PSGD's ρ tuned too, and f* known.
const SMALL = 'alg=crpsgd&problem=breast-cancer&lambda=0.001&N=4&T=2000&compare=psgd';
// Long to tune (digits, 67 candidates of 20,000 samples per node): time to press Cancel.
const LONG = 'alg=crpsgd&problem=digits&lambda=0.1&N=8&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1';

let threaded, plain, browser;
before(async () => {
  threaded = await serve();
  plain = await serve({ isolated: false });
  browser = await launch();
});
after(async () => { await browser?.close(); await threaded?.close(); await plain?.close(); });

/** A page of the threaded build, or of the serial one (no isolation, and no service worker to get it). */
async function open(query, build) {
  if (build === 'threads') return openPage(browser, `${threaded.url}/?${query}`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined }));
  return openPage(browser, `${plain.url}/?${query}`, undefined, context);
}

/** From now on, the page records every animation frame's gap and tune state, and every long task. */
const watchFrames = page => page.evaluate(() => {
  window.framesSeen = [];
  window.longTasks = [];
  let last = performance.now();
  const frame = now => {
    window.framesSeen.push({ at: now, gap: now - last, tune: window.dynabatch.status().tune.state });
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver(list => list.getEntries().forEach(e =>
    window.longTasks.push({ at: e.startTime, duration: e.duration }))).observe({ type: 'longtask' });
});

/** The frames and long tasks while the search ran (up to the frame that first saw it over). */
const whileTuning = page => page.evaluate(() => {
  const running = window.framesSeen.filter(f => f.tune === 'running');
  const start = running[0]?.at ?? 0;
  const end = window.framesSeen.find(f => f.at > start && f.tune !== 'running')?.at ?? performance.now();
  return {
    seconds: (end - start) / 1000,
    frames: running.length,
    longestGap: Math.max(...running.slice(1).map(f => f.gap)),
    longTasks: window.longTasks.filter(t => t.at >= start && t.at + t.duration < end).map(t => t.duration),
  };
});

/** The table as the CLI prints it: the page turns it so that each run is a column. */
const tableCells = async page => {
  const turned = await page.$$eval('#tune-table tr', rows => rows.map(row => [...row.children].map(cell => cell.textContent)));
  return turned[0].map((_, run) => turned.map(row => row[run]));
};

for (const build of ['threads', 'serial']) {
  test(`${build}: Tune loads the link dynabatch tune prints, with its table; Back returns to the user's`, async () => {
    const cli = cliTune(SMALL);
    const page = await open(SMALL, build);
    const before = await settle(page);
    assert.equal(before.build, build);
    await watchFrames(page);
    await page.click('#tune');
    await page.waitForFunction(() => window.dynabatch.status().tune.state === 'done', null, { timeout: 120_000 });
    const tuned = await status(page);
    assert.equal(tuned.query, cli.link, 'the tuned link is the CLI\'s');
    assert.notEqual(tuned.query, before.query, 'this link was not tuned yet');
    assert.deepEqual(await tableCells(page), cli.table, 'the table is the CLI\'s');
    assert.match(await page.textContent('#tune-status'), /^Loaded the tuned link: crpsgd γ 0\.5 → 1, ρ 1\.5 → 1\.01; psgd γ 0\.5 → 0\.03, β 0 → 0\.9\.$/);
    assert.equal(await page.textContent('#tune-other'), '↶ Back to your link');

    // The page stayed responsive: no long task on its main thread, and its frames kept coming. (The
    // frames' bound is loose: on a machine loaded by other work the compositor itself waits for a core.)
    const tuning = await whileTuning(page);
    console.log(`${build}: tuned in ${tuning.seconds.toFixed(2)} s, ${tuning.frames} frames, longest gap ` +
      `${tuning.longestGap.toFixed(0)} ms, long tasks ${JSON.stringify(tuning.longTasks)}`);
    assert.deepEqual(tuning.longTasks.filter(d => d >= 100), [], 'no long task blocked the page');
    assert.ok(tuning.frames >= 3 && tuning.longestGap < 1000, `frames kept coming: ${JSON.stringify(tuning)}`);

    // Nothing the user had is lost: Back is their link again, and the panel offers the tuned one.
    await page.goBack();
    await page.waitForFunction(q => window.dynabatch.status().query === q, before.query);
    await page.waitForFunction(() => document.querySelector('#tune-other').textContent === 'Open the tuned link');
    await page.click('#tune-other');
    await page.waitForFunction(q => window.dynabatch.status().query === q, cli.link);
    await page.click('#tune-close');
    await page.waitForSelector('#tune-panel', { state: 'hidden' });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  test(`${build}: Cancel stops the search at once and keeps the link`, async () => {
    const page = await open(LONG, build);
    const before = await settle(page, 120_000);
    const workers = page.workers().length;
    await page.click('#tune');
    await page.waitForSelector('#tune-panel[data-state="running"]');
    const running = await status(page);
    assert.equal(running.tune.state, 'running');
    assert.ok(running.tune.seconds > 1 && running.tune.seconds < 600, `estimated ${running.tune.seconds} s`);
    assert.match(await page.textContent('#tune-status'),
      /^Tuning γ and ρ: \d+ of 67 candidates \(3 seeds each\), about .* left\.$/);
    assert.equal(await page.getAttribute('#tune-progress', 'max'), '67');
    await page.waitForFunction(() => window.dynabatch.status().tune.scored >= 1, null, { timeout: 60_000 });
    const withSearch = page.workers().length;
    const cancelled = Date.now();
    await page.click('#tune-cancel');
    // The panel says so from the next frame on.
    await page.waitForSelector('#tune-panel[data-state="stopped"]');
    const after = await status(page);
    assert.equal(after.tune.state, 'stopped');
    assert.equal(after.query, before.query, 'the link is as it was');
    assert.match(await page.textContent('#tune-status'),
      /^Tuning cancelled after \d+ of 67 candidates; the link is as it was\.$/);
    assert.equal(await page.isHidden('#tune-table'), true);
    assert.equal(await page.isDisabled('#tune'), false, 'Tune can be pressed again');
    // The work itself stops, not only the bar: the search is dropped (threads) or its worker ended (serial).
    await page.waitForFunction(() => window.dynabatch.status().tune.background === 0, null, { timeout: 2_000 });
    if (build === 'serial') {
      assert.equal(withSearch, workers + 1, 'the search has a worker of its own');
      for (const until = Date.now() + 2_000; page.workers().length > workers && Date.now() < until;) {
        await new Promise(done => setTimeout(done, 20));
      }
      assert.equal(page.workers().length, workers, 'the search\'s worker is gone');
    }
    console.log(`${build}: the search stopped ${Date.now() - cancelled} ms after Cancel`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

for (const build of ['threads', 'serial']) {
  test(`${build}: a problem=data link is tuned on the file the page holds, to the link the CLI prints with it`, async () => {
    const IRIS = fixture('iris.csv');
    const page = await open('problem=data&alg=crpsgd&N=2&T=300&compare=psgd', build);
    await dataState(page, 'missing');
    // Before the file is there, Tune says what it needs.
    await page.click('#tune');
    await page.waitForSelector('#tune-panel[data-state="stopped"]');
    assert.match(await page.textContent('#tune-status'), /^Tune needs the data file: bring it/);
    await upload(page, IRIS);
    await dataState(page, 'ready');
    const before = await settle(page);
    const cli = cliTune(before.query, IRIS);
    await page.click('#tune');
    await page.waitForFunction(() => window.dynabatch.status().tune.state === 'done', null, { timeout: 120_000 });
    const tuned = await status(page);
    assert.equal(tuned.query, cli.link, 'the tuned link is the CLI\'s');
    assert.match(tuned.query, /data_sha256=/, 'still pinned to its file');
    assert.deepEqual(await tableCells(page), cli.table, 'the table is the CLI\'s');
    assert.equal((await settle(page)).state, 'done', 'the tuned link runs on the file');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

test('a search far too long for a page is refused in one line, and the page runs on', async () => {
  const query = 'alg=crpsgd&problem=digits-mlp&hidden=64&N=8&T=1000000&compare=psgd';
  const page = await open(query, 'threads');
  await page.waitForFunction(() => window.dynabatch.status().state !== 'idle');
  const before = await status(page);
  await page.click('#tune');
  await page.waitForSelector('#tune-panel[data-state="stopped"]');
  const refused = await status(page);
  assert.equal(refused.tune.state, 'stopped');
  assert.equal(refused.tune.background, 0);
  assert.match(await page.textContent('#tune-status'),
    /^Tuning this link would take about \d+ (min|h) here \(101 candidates × 3 seeds of its runs\): lower T or N, or run `dynabatch tune` on it natively, on every core\.$/);
  assert.equal(refused.query, before.query);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the theory panel\'s guidance on ρ says what the CLI\'s notice says', async () => {
  // The link tune gives (γ = 1, ρ = 1.01): the CLI's notice is for this very γ and ρ.
  const cli = cliTune('alg=crpsgd&problem=breast-cancer&lambda=0.001&N=4&T=2000');
  assert.equal(cli.notices.length, 1, cli.notices.join('\n'));
  const [, mu, l, allowed, gamma, rho] = cli.notices[0].match(
    /μ = (\S+) and L = (\S+): the analysis allows CR-PSGD ρ ≤ 1\/\(1 − γμ\) = (\S+) at γ = (\S+), and it has ρ = ([^\s(]+)/);
  const page = await open(cli.link, 'threads');
  await page.waitForSelector('#guidance:not([hidden])', { timeout: 30_000 });
  const text = id => page.textContent(`#${id}`);
  const same = (shown, printed) => assert.equal(Number(shown).toPrecision(4), Number(printed).toPrecision(4),
    `${shown} on the page, ${printed} from the CLI`);
  same(await text('guide-mu'), mu);
  same(await text('guide-l'), l);
  assert.equal(await text('guide-allowed'), allowed);
  assert.equal(await text('guide-gamma'), gamma);
  assert.equal(await text('guide-rho'), rho);
  assert.match(await text('guide-text'), /ρ = 1\.01 is above it, so the paper's guarantee does not cover this run/);

  // ρ = 1.05 at γ = 0.3 and λ = 0.001 is far too fast: the panel says why no method is much faster here,
  // and points to adaptive batches and local SGD, which open in place.
  await page.goto(`${threaded.url}/?alg=crpsgd&problem=breast-cancer&lambda=0.001&N=4&rho=1.05&gamma=0.3&T=20000`);
  await page.waitForSelector('#guidance:not([hidden])', { timeout: 30_000 });
  assert.equal(await text('guide-allowed'), '1.0003');
  assert.match(await text('guide-text'),
    /^ρ = 1\.05 is far above it: this run spends its whole budget in 127 rounds, but the problem is badly conditioned \(κ = 139\.\d\), and no method that takes one gradient step per round converges in fewer than about 1\/\(γμ\) = 3,331 rounds, whatever its batches\. For contrast: adaptive batches/);
  const links = await page.$$eval('#guide-text a', as => as.map(a => a.dataset.open));
  assert.equal(links.length, 2);
  assert.match(links[0], /alg=adaptive/);
  assert.match(links[1], /compare=local/);
  await page.click('#guide-text a >> nth=0');
  await page.waitForFunction(() => window.dynabatch.status().query.includes('alg=adaptive'));
  await page.waitForSelector('#guidance:not([hidden])');
  assert.match(await text('guide-text'), /only caps the growth/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// axe-core (npm) in the page, as first.test.mjs runs it: the WCAG 2.1 A and AA rules.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
async function violations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
  });
}

for (const colorScheme of ['light', 'dark']) {
  test(`axe-core finds no WCAG 2.1 AA violations in the guidance and the Tune panel (${colorScheme})`, async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, colorScheme });
    const far = 'alg=crpsgd&problem=breast-cancer&lambda=0.001&N=4&rho=1.05&gamma=0.3&T=2000&compare=psgd';
    const page = await openPage(browser, `${threaded.url}/?${far}`, undefined, context);
    await settle(page);
    await page.waitForSelector('#guidance.far:not([hidden])', { timeout: 30_000 });
    assert.deepEqual(await violations(page), [], 'the guidance, far above');
    await page.click('#tune');
    await page.waitForFunction(() => window.dynabatch.status().tune.state === 'done', null, { timeout: 120_000 });
    await settle(page);
    assert.deepEqual(await violations(page), [], 'the table and its links');
    await page.goto(`${threaded.url}/?${LONG}`);
    await page.waitForFunction(() => window.dynabatch?.status().state === 'done', null, { timeout: 120_000 });
    await page.click('#tune');
    await page.waitForSelector('#tune-panel[data-state="running"]');
    assert.deepEqual(await violations(page), [], 'the progress and Cancel');
    await page.click('#tune-cancel');
    assert.deepEqual(page.problems, []);
    await context.close();
  });
}
