// problem=data in the page (threaded build): a file picked or dropped is read off the main thread, summarised,
// pinned in the link by its SHA-256, kept in IndexedDB, and trained on with the CLI's numbers; a link whose file
// this browser lacks asks for it, checks what it is given against the hash, or fetches its data_url; bad files
// are one notice each and the page keeps what it had. data-serial.test.mjs runs the same on the serial build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, openPage, settle, cliCsv, withFixtures, ROOT } from './harness.mjs';
import {
  fixture, sha256, sha256Of, GOOD, dataState, upload, drop, dropFixture, dropMade, hostileFiles, noticesOf,
  noticeWith,
} from './data-files.mjs';

let server, browser;
before(async () => { server = await serve({ files: withFixtures }); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const IRIS = fixture('iris.csv');
const IRIS_SHA = sha256(IRIS);
const RUN = 'alg=crpsgd&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7';
const csv = page => page.evaluate(() => window.dynabatch.csv());
const query = page => page.evaluate(() => window.dynabatch.status().query);

test('a file picked with the file input: summary, hash, the link pins it, page CSV = CLI CSV for every run', async () => {
  const page = await openPage(browser, `${server.url}/?problem=data&${RUN}&compare=psgd`);
  let status = await dataState(page, 'missing');
  assert.equal(status.state, 'idle', 'waiting for a file is not an error');
  assert.equal(await page.isVisible('#data-wait'), true);
  assert.match(await page.textContent('#data-wait-text'), /trains on a data file of yours: drop a CSV or LIBSVM file here/);
  await upload(page, IRIS);
  status = await dataState(page, 'ready');
  assert.equal(status.data.file, 'iris.csv');
  assert.equal(status.data.sha256, IRIS_SHA);
  assert.equal(status.data.summary, '150 rows, 4 features, softmax regression (labels 0: 50, 1: 50, 2: 50)');
  assert.match(await page.textContent('#data-holds'), /^150 rows, 4 features, softmax regression/);
  assert.equal(await page.textContent('#data-sha'), IRIS_SHA);
  assert.match(await page.textContent('#data-name'), /^iris\.csv \(2\.8 kB\)$/);
  assert.equal(await page.isHidden('#data-wait'), true);
  const done = await settle(page);
  assert.equal(done.state, 'done');
  assert.ok(done.threads >= 2, `ran on ${done.threads} threads`);
  const link = await query(page);
  assert.match(link, new RegExp(`problem=data.*data_sha256=${IRIS_SHA}`));
  assert.match(link, /&data=iris\.csv/);
  assert.equal(await page.evaluate(() => location.search.slice(1)), link, 'the address bar holds the pinned link');
  const runs = await page.evaluate(() => window.dynabatch.runs());
  assert.equal(runs.length, 2);
  for (const run of runs) {
    assert.equal(run.state, 'done', run.label);
    assert.equal(run.csv, cliCsv(run.link, 2, IRIS), `${run.label}: page CSV = CLI CSV`);
  }
  assert.equal(await csv(page), cliCsv(link, 1, IRIS));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a file dropped anywhere switches the page to it; its options re-read it; a bad option keeps the run', async () => {
  const page = await openPage(browser, `${server.url}/?${RUN}`);
  assert.equal((await settle(page)).data.state, 'none');
  const diabetes = fixture('diabetes.csv');
  await dropFixture(page, diabetes, '#figure-sfo');
  let status = await dataState(page, 'ready');
  assert.match(status.data.summary, /^442 rows, 10 features, least squares \(labels from 25 to 346\)$/);
  assert.equal((await settle(page)).state, 'done');
  assert.equal(await page.inputValue('#problem'), 'data');
  let link = await query(page);
  assert.match(link, new RegExp(`data_sha256=${sha256(diabetes)}`));
  assert.equal(await csv(page), cliCsv(link, 2, diabetes));
  // Another task and no standardising: the file is read again with them, and the run restarts on it.
  await page.selectOption('#task', 'logistic');
  await noticeWith(page, 'task=logistic takes at most 2 classes');
  assert.equal(await page.inputValue('#task'), 'auto', 'the control goes back to what runs');
  assert.equal(status.data.summary, (await page.evaluate(() => window.dynabatch.status())).data.summary);
  await page.fill('#standardize', '0');
  await page.waitForFunction(() => window.dynabatch.status().query.includes('standardize=0'));
  // Raw features (s1 runs to 301, the label to 346) at γ = 0.5: the loss runs away in the first round, and
  // the page says so, as the CLI does.
  assert.equal((await settle(page)).state, 'diverged');
  link = await query(page);
  assert.equal(await csv(page), cliCsv(link, 2, diabetes, { diverged: true }), 'the re-read file, as the CLI reads it');
  await page.fill('#label', 'sex');
  await page.press('#label', 'Enter');
  await page.waitForFunction(() => window.dynabatch.status().query.includes('label=sex'));
  status = await settle(page);
  assert.equal(status.data.summary, '442 rows, 10 features, logistic regression (labels 1: 235, 2: 207)');
  link = await query(page);
  assert.equal(await csv(page), cliCsv(link, 2, diabetes));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every hostile file is one notice, and the page keeps its file, its run and its kept files', async () => {
  for (const { file, path, link, cli, says } of hostileFiles()) {
    const page = await openPage(browser, `${server.url}/?${link}&alg=psgd&N=2&B1=2&T=200`);
    if (new URLSearchParams(link).has('data_sha256')) {
      // The link pins another file: the page asks for it, and checks what it is given.
      await dataState(page, 'missing');
      await dropFixture(page, path);
      const notices = await noticeWith(page, says);
      assert.ok(notices.startsWith(`${file} has SHA-256 ${sha256(path)}, but the link pins`), notices);
      assert.equal((await dataState(page, 'missing')).state, 'idle', file);
      await page.context().close();
      continue;
    }
    await drop(page, 'good.csv', GOOD);
    await dataState(page, 'ready');
    const before = await settle(page);
    assert.equal(before.state, 'done', file);
    const rows = await csv(page);
    if (cli.includes('--max-mb')) {
      // The page's limit is its own (Limit::PAGE, 48 MiB of matrix): a file made in the page passes it.
      await dropMade(page, 'huge.csv', 'a,b,y\n', '1,2,0\n1,3,1\n', 1_500_000);
      const notice = await noticeWith(page, 'the data set passes the limit here');
      assert.match(notice, /huge\.csv \(18\.0 MB\): line \d+: the data set passes the limit here: more than 6291456 values .*: more than this page holds \(files up to 256 MiB and data sets up to 6291456 values \(48 MiB as 64-bit floats\)\); the CLI can run it: dynabatch run '.*problem=data.*' --data huge\.csv; still running on good\.csv\.$/);
    } else {
      await dropFixture(page, path);
      const notice = await noticeWith(page, says);
      assert.equal(notice.split('\n').length, 1, `${file}: one notice`);
      assert.ok(notice.startsWith(`${file}: `), `${file}: names the file: ${notice}`);
      assert.match(notice, /; still running on good\.csv\.$/, file);
    }
    const after = await page.evaluate(() => window.dynabatch.status());
    assert.equal(after.data.file, 'good.csv', `${file}: the file held stays`);
    assert.equal(after.state, 'done', `${file}: the run stays`);
    assert.equal(await csv(page), rows, `${file}: the run's rows stay`);
    assert.deepEqual(after.data.kept, ['good.csv'], `${file}: nothing kept is lost`);
    assert.deepEqual(page.problems, [], file);
    await page.context().close();
  }
});

test('a file\'s name is text, never markup, in the panel, the list, the link and a reload', async () => {
  const page = await openPage(browser, `${server.url}/?problem=data&T=200`);
  await dataState(page, 'missing');
  const name = '<img src=x onerror="window.__pwned=1">.csv';
  await drop(page, name, GOOD);
  assert.equal((await dataState(page, 'ready')).data.file, name);
  await page.waitForFunction(() => window.dynabatch.status().data.kept.length === 1);
  assert.match(await page.textContent('#data-name'), /^<img src=x onerror="window\.__pwned=1">\.csv \(/);
  assert.match(await page.textContent('#data-files'), /<img src=x onerror=/);
  assert.equal(await page.evaluate(() => document.querySelectorAll('main img').length), 0);
  await page.reload();
  await page.waitForFunction(() => window.dynabatch !== undefined);
  assert.equal((await dataState(page, 'ready')).data.file, name, 'the link names it, and reads back');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a file over the page\'s size limit is refused by its size, before it is read', async () => {
  const page = await openPage(browser, `${server.url}/?problem=data&T=200`);
  await dataState(page, 'missing');
  const started = Date.now();
  await dropMade(page, 'big.csv', '', '1'.repeat(1023) + '\n', 256 * 1024 + 1);
  const notice = await noticeWith(page, 'big.csv');
  assert.ok(Date.now() - started < 10_000, 'refused without reading it');
  assert.match(notice, /^big\.csv \(268\.4 MB\): the file is 268\.4 MB, more than the 256 MiB read here: more than this page holds \(files up to 256 MiB and data sets up to 6291456 values \(48 MiB as 64-bit floats\)\); the CLI can run it: dynabatch run 'v=1&problem=data&T=200' --data big\.csv; nothing changed\.$/);
  assert.equal((await dataState(page, 'missing')).state, 'idle');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a link whose file this browser lacks asks for it by name and hash, refuses another, runs on the right one', async () => {
  const link = `problem=data&${RUN}&data_sha256=${IRIS_SHA}&data=iris.csv`;
  const page = await openPage(browser, `${server.url}/?${link}`);
  const status = await dataState(page, 'missing');
  assert.equal(status.state, 'idle');
  assert.equal(status.error, null);
  assert.equal(await page.isVisible('#data-wait'), true);
  const asked = (await page.textContent('#data-wait-text')).replace(/\s+/g, ' ');
  assert.equal(asked, 'This experiment uses iris.csv, which this browser does not have: drop it here. It is checked '
    + 'against its hash, and kept in this browser for next time.');
  assert.equal(await page.textContent('#data-wait-sha'), IRIS_SHA);
  assert.equal(await page.isVisible('#data-wait-choose'), true);
  const wine = fixture('wine.csv');
  await dropFixture(page, wine, '#data-wait');
  const refused = await noticeWith(page, 'wine.csv has SHA-256');
  assert.equal(refused, `wine.csv has SHA-256 ${sha256(wine)}, but the link pins data_sha256=${IRIS_SHA}: `
    + 'it is not the file the link was made with; nothing changed.');
  assert.equal((await dataState(page, 'missing')).data.kept.length, 0, 'a wrong file is not kept');
  await dropFixture(page, IRIS, '#data-wait');
  await dataState(page, 'ready');
  assert.equal((await settle(page)).state, 'done');
  assert.equal(await csv(page), cliCsv(link, 2, IRIS));
  assert.match(await query(page), new RegExp(`data_sha256=${IRIS_SHA}&data=iris\\.csv$`), 'the link is kept');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('data_url: fetched without credentials or referrer, checked against its hash, run; bad ones are notices', async () => {
  const url = `${server.url}/fixtures/iris.csv`;
  const context = await browser.newContext();
  await context.addCookies([{ name: 'session', value: 'secret', url: server.url }]);
  const sent = [];
  context.on('request', request => { if (request.url() === url) sent.push(request); });
  const link = `problem=data&${RUN}&data_sha256=${IRIS_SHA}&data_url=${url}`;
  const page = await openPage(browser, `${server.url}/?${link}`, undefined, context);
  const status = await dataState(page, 'ready');
  assert.equal(status.data.file, 'iris.csv', 'named after the address');
  assert.equal((await settle(page)).state, 'done');
  assert.equal(await csv(page), cliCsv(link, 2, IRIS));
  assert.match(await query(page), new RegExp(`&data=iris\\.csv&data_url=${url.replace(/[.:/]/g, c => `\\${c}`)}$`));
  assert.equal(sent.length, 1);
  const headers = await sent[0].allHeaders();
  assert.equal(headers.cookie, undefined, 'no cookie goes with it');
  assert.equal(headers.referer, undefined, 'nor the page\'s link');
  assert.deepEqual(page.problems, []);
  // Kept: a later visit needs no fetch.
  sent.length = 0;
  await page.reload();
  await page.waitForFunction(() => window.dynabatch !== undefined);
  assert.equal((await dataState(page, 'ready')).data.file, 'iris.csv');
  assert.equal(sent.length, 0, 'not fetched again');
  await context.close();

  for (const [bad, says] of [
    [`problem=data&data_sha256=${'0'.repeat(64)}&data_url=${url}`, `iris.csv has SHA-256 ${IRIS_SHA}, but the link pins data_sha256=${'0'.repeat(64)}`],
    // (The address is quoted to its first 40 characters.)
    [`problem=data&data_url=${server.url}/fixtures/nothing.csv`, ': the server answered 404 Not Found; download the file, and drop it here; nothing changed.'],
    ['problem=data&data_url=http://example.org/iris.csv', 'data_url=http://example.org/iris.csv is not an https address (the page fetches https only, or http from this machine: localhost, 127.0.0.1); ignored.'],
  ]) {
    const page = await openPage(browser, `${server.url}/?${bad}&T=200`);
    const notices = await noticeWith(page, says);
    assert.ok(notices.includes(says), notices);
    assert.equal((await dataState(page, 'missing')).state, 'idle', bad);
    page.problems = page.problems.filter(p => !/\b404\b/.test(p));
    assert.deepEqual(page.problems, [], bad);
    await page.context().close();
  }
});

test('the README\'s share link: its data_url (GitHub, answered here with scikit-learn\'s file) is fetched and run', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const link = readme.match(/http:\/\/127\.0\.0\.1:8080\/\?(problem=data\S*data_url=https:\/\/raw\.githubusercontent\.com\S*)/)[1];
  const params = new URLSearchParams(link);
  // scikit-learn's sklearn/datasets/data/iris.csv (1.5.2): its own header, then the rows of tests/fixtures/iris.csv.
  const rows = readFileSync(IRIS, 'utf8');
  const sklearn = `150,4,setosa,versicolor,virginica\n${rows.slice(rows.indexOf('\n') + 1)}`;
  assert.equal(sha256Of(sklearn), params.get('data_sha256'), 'the README pins scikit-learn\'s file');
  const file = join(mkdtempSync(join(tmpdir(), 'dynabatch-')), 'iris.csv');
  writeFileSync(file, sklearn);
  const context = await browser.newContext();
  // As GitHub's raw files are served: any site may read them.
  await context.route(params.get('data_url'), route => route.fulfill({
    body: sklearn, contentType: 'text/plain; charset=utf-8', headers: { 'access-control-allow-origin': '*' },
  }));
  const page = await openPage(browser, `${server.url}/?${link}`, undefined, context);
  const status = await dataState(page, 'ready');
  assert.equal(status.data.summary, '150 rows, 4 features, softmax regression (labels 0: 50, 1: 50, 2: 50)');
  assert.equal((await settle(page)).state, 'done');
  assert.equal(await csv(page), cliCsv(link, 2, file), 'page CSV = CLI CSV on the downloaded file');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('kept files survive a reload and a later visit; the list switches between them and forgets them', async () => {
  const context = await browser.newContext();
  const page = await openPage(browser, `${server.url}/?problem=data&T=300`, undefined, context);
  await dataState(page, 'missing');
  await upload(page, IRIS);
  await dataState(page, 'ready');
  const wine = fixture('wine.csv');
  await upload(page, wine);
  let status = await dataState(page, 'ready');
  await page.waitForFunction(() => window.dynabatch.status().data.kept.length === 2);
  assert.equal(status.data.file, 'wine.csv');
  assert.deepEqual((await page.evaluate(() => window.dynabatch.status())).data.kept, ['wine.csv', 'iris.csv']);
  // A reload: the link pins wine.csv, which this browser keeps.
  await page.reload();
  await page.waitForFunction(() => window.dynabatch !== undefined);
  status = await dataState(page, 'ready');
  assert.equal(status.data.file, 'wine.csv');
  assert.equal((await settle(page)).state, 'done');
  // Switch to iris.csv from the list: the link pins it now.
  await page.click(`#data-files button[data-use="${IRIS_SHA}"]`);
  await page.waitForFunction(sha => window.dynabatch.status().data.sha256 === sha, IRIS_SHA);
  await page.waitForFunction(() => window.dynabatch.status().data.kept[0] === 'iris.csv', null, { polling: 50 });
  assert.match(await query(page), new RegExp(`data_sha256=${IRIS_SHA}&data=iris\\.csv`));
  // A later visit with no link uses the file used last.
  const later = await openPage(browser, `${server.url}/?problem=data&T=300`, undefined, context);
  assert.equal((await dataState(later, 'ready')).data.file, 'iris.csv');
  await later.close();
  // Forget iris.csv: what runs goes on, but a reload asks for it.
  await page.click(`#data-files button[data-forget="${IRIS_SHA}"]`);
  await page.waitForFunction(() => window.dynabatch.status().data.kept.length === 1);
  assert.deepEqual((await page.evaluate(() => window.dynabatch.status())).data.kept, ['wine.csv']);
  assert.equal((await page.evaluate(() => window.dynabatch.status())).data.file, 'iris.csv', 'still in use');
  await page.reload();
  await page.waitForFunction(() => window.dynabatch !== undefined);
  await dataState(page, 'missing');
  assert.match(await page.textContent('#data-wait-text'), /This experiment uses iris\.csv/);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('a large file shows its progress, and the page answers while it is read', async () => {
  const page = await openPage(browser, `${server.url}/?problem=data&alg=psgd&N=2&B1=50&T=2000`);
  await dataState(page, 'missing');
  // About 30 MB of a least-squares problem: 1.5 million rows of three features.
  await dropMade(page, 'large.csv', 'x1,x2,x3,y\n', '0.25,1.5,-2.75,3.125\n0.5,-1,2,0.75\n1,2,3,-1.5\n', 500_000);
  await page.waitForFunction(() => !document.querySelector('#data-wait-progress').hidden, null, { polling: 20 });
  const seen = await page.evaluate(async () => {
    const values = new Set();
    let longest = 0;
    let last = performance.now();
    while (window.dynabatch.status().data.state === 'reading') {
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      values.add(document.querySelector('#data-wait-progress').value);
    }
    return { values: values.size, longest };
  });
  assert.ok(seen.values >= 3, `the bar moved (${seen.values} values)`);
  assert.ok(seen.longest < 250, `the longest frame while reading took ${seen.longest.toFixed(0)} ms`);
  const status = await dataState(page, 'ready');
  assert.equal(status.data.summary, '1500000 rows, 3 features, least squares (labels from -1.5 to 3.125)');
  assert.equal((await settle(page, 120_000)).state, 'done');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
