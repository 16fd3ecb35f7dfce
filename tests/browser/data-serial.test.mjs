// problem=data on the serial build (pages without cross-origin isolation, as isolation.test.mjs serves them):
// a Web Worker of its own reads the file, and each run's worker reads it again into its own instance. The same
// numbers as the CLI, the same notices for bad files, and the same kept files as the threaded build
// (data.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage, settle, cliCsv, withFixtures } from './harness.mjs';
import { fixture, sha256, GOOD, dataState, upload, drop, dropFixture, dropMade, hostileFiles, noticeWith } from './data-files.mjs';

let server, browser;
before(async () => { server = await serve({ isolated: false, files: withFixtures }); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** A context where no service worker may run, so the page stays on the serial build (isolation.test.mjs). */
async function serialContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined }));
  return context;
}
const openSerial = async (query, context = undefined) =>
  openPage(browser, `${server.url}/?${query}`, undefined, context ?? await serialContext());
const csv = page => page.evaluate(() => window.dynabatch.csv());

test('serial build: files picked and dropped run with the CLI\'s numbers, compared runs too', async () => {
  for (const [name, query] of [
    ['iris.csv', 'problem=data&alg=crpsgd&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7&compare=psgd,local'],
    ['breast_cancer.libsvm', 'problem=data&alg=adaptive&lambda=0.1&N=3&B1=2&gamma=0.3&T=3000&compare=crpsgd'],
    ['diabetes.csv', 'problem=data&alg=psgd&N=2&B1=4&gamma=0.01&T=1500'],
  ]) {
    const page = await openSerial(query);
    await dataState(page, 'missing');
    const path = fixture(name);
    if (name.endsWith('.csv')) await upload(page, path); else await dropFixture(page, path);
    const status = await dataState(page, 'ready');
    assert.equal(status.build, 'serial');
    assert.equal(status.data.sha256, sha256(path));
    assert.equal((await settle(page)).state, 'done', name);
    const runs = await page.evaluate(() => window.dynabatch.runs());
    assert.equal(runs.length, 1 + (new URLSearchParams(query).get('compare')?.split(',').length ?? 0));
    for (const run of runs) {
      assert.equal(run.state, 'done', `${run.label} on ${name}`);
      assert.equal(run.csv, cliCsv(run.link, 2, path), `${run.label} on ${name}: page CSV = CLI CSV`);
    }
    assert.deepEqual(page.problems, [], name);
    await page.context().close();
  }
});

test('serial build: hostile files are one notice each, and the run and the kept file stay', async () => {
  const context = await serialContext();
  const page = await openSerial('problem=data&alg=psgd&N=2&B1=2&T=200', context);
  await drop(page, 'good.csv', GOOD);
  await dataState(page, 'ready');
  await settle(page);
  const rows = await csv(page);
  for (const { file, path, link, cli, says } of hostileFiles()) {
    if (cli || new URLSearchParams(link).has('data_sha256')) continue;
    // The file's own link: good.csv comes back from this browser's storage, read with the link's options.
    await page.goto(`${server.url}/?${link}&alg=psgd&N=2&B1=2&T=200`);
    await page.waitForFunction(() => window.dynabatch !== undefined);
    assert.equal((await dataState(page, 'ready')).data.file, 'good.csv', file);
    await settle(page);
    await dropFixture(page, path);
    const notice = await noticeWith(page, says);
    assert.match(notice, new RegExp(`^${file.replace(/\./g, '\\.')}: .*; still running on good\\.csv\\.$`), file);
    const status = await page.evaluate(() => window.dynabatch.status());
    assert.equal(status.data.file, 'good.csv', file);
    assert.equal(status.state, 'done', file);
  }
  await page.goto(`${server.url}/?problem=data&alg=psgd&N=2&B1=2&T=200`);
  await page.waitForFunction(() => window.dynabatch !== undefined);
  await dataState(page, 'ready');
  await settle(page);
  assert.equal(await csv(page), rows, 'good.csv kept across the bad files');
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('serial build: the missing-file panel, data_url, a value limit, kept files across a reload', async () => {
  const iris = fixture('iris.csv');
  const url = `${server.url}/fixtures/iris.csv`;
  const context = await serialContext();
  const page = await openSerial(`problem=data&T=500&data=iris.csv&data_sha256=${sha256(iris)}`, context);
  await dataState(page, 'missing');
  assert.match(await page.textContent('#data-wait-text'), /This experiment uses iris\.csv, which this browser does not have/);
  assert.equal(await page.textContent('#data-wait-sha'), sha256(iris));
  await dropFixture(page, fixture('wine.csv'), '#data-wait');
  await noticeWith(page, 'but the link pins data_sha256=');
  await dropFixture(page, iris, '#data-wait');
  await dataState(page, 'ready');
  assert.equal((await settle(page)).state, 'done');
  const link = await page.evaluate(() => window.dynabatch.status().query);
  assert.equal(await csv(page), cliCsv(link, 1, iris));
  await page.reload();
  await page.waitForFunction(() => window.dynabatch !== undefined);
  assert.equal((await dataState(page, 'ready')).data.file, 'iris.csv', 'kept across the reload');
  await dropMade(page, 'huge.csv', 'a,b,y\n', '1,2,0\n1,3,1\n', 1_500_000);
  await noticeWith(page, 'the data set passes the limit here');
  assert.equal((await page.evaluate(() => window.dynabatch.status())).data.file, 'iris.csv');
  await context.close();

  const fetched = await openSerial(`problem=data&T=500&data_url=${url}`);
  const status = await dataState(fetched, 'ready');
  assert.equal(status.data.sha256, sha256(iris));
  assert.match(status.query, new RegExp(`data_sha256=${sha256(iris)}&data=iris\\.csv&data_url=`), 'the link now pins it');
  assert.equal((await settle(fetched)).state, 'done');
  assert.equal(await csv(fetched), cliCsv(status.query, 1, iris));
  assert.deepEqual(fetched.problems, []);
  await fetched.context().close();
});
