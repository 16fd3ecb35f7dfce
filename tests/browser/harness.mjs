// Shared by the browser tests: serves the built page (dist/) on 127.0.0.1, drives Debian's chromium through
// playwright-core, and runs the native CLI for comparison.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { execFileSync, spawnSync } from 'node:child_process';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const CLI = join(ROOT, 'target', 'release', 'dynabatch');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.png': 'image/png' };

/** The page's Content-Security-Policy, as index.html's <meta> and Trunk.toml state it (docs/LIMITS.md). */
export const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; " +
  "connect-src 'self' https:; style-src 'self'; style-src-attr 'unsafe-inline'; img-src data:; base-uri 'none'; " +
  "form-action 'none'";

/** What gzip shrinks: text and wasm (the PNG is compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.wasm', '.css']);

/** The caching a configured host would send: Trunk content-hashes the wasm, its glue and the stylesheet
 *  (`name-<16 hex>`), so they never change under their names; everything else (index.html, boot.js, the
 *  workers) may change with any deploy and is revalidated. */
const cacheControl = file => /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/.test(file)
  ? 'public, max-age=31536000, immutable' : 'no-cache';

/** Where a URL path is read from: Trunk's dist/ (the default of `serve`). */
const fromDist = path => [join(DIST, path === '/' ? 'index.html' : path)];

/** The data files of problem=data's tests (tests/fixtures/, crates/cli/tests/data.rs uses them too). */
export const FIXTURES = join(ROOT, 'tests', 'fixtures');
/** dist/, and the fixtures under /fixtures/: a link's `data_url` can then name one, from the page's own origin
 *  (the only plain-http origin its Content-Security-Policy lets it fetch from). */
export const withFixtures = path => path.startsWith('/fixtures/') ? [join(FIXTURES, path.slice('/fixtures/'.length))]
  : fromDist(path);

/** Serves dist/ with the cross-origin isolation headers (or without, to test that path), and the page with
 *  its Content-Security-Policy header, as a configured host would send it. `files(path)` lists where a URL
 *  path may be read from, first found wins (scripts/bench.sh adds the bench page and TensorFlow.js).
 *  `host: true` adds what a production host does besides (scripts/lighthouse.mjs): gzip where the client
 *  accepts it, and long caching of the content-hashed files; the tests leave it off, so every load is fresh. */
export async function serve({ isolated = true, files = fromDist, host = false } = {}) {
  const gzipped = new Map(); // file → its gzip, compressed once (the wasm takes about 100 ms)
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    for (const file of files(path)) {
      if (!file.startsWith(ROOT) || file.includes('..')) break;
      try {
        let body = await readFile(file);
        const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' };
        if (host) {
          headers['Cache-Control'] = cacheControl(file);
          headers['Vary'] = 'Accept-Encoding';
          if (COMPRESSIBLE.has(extname(file)) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
            if (!gzipped.has(file)) gzipped.set(file, gzipSync(body, { level: 9 }));
            body = gzipped.get(file);
            headers['Content-Encoding'] = 'gzip';
          }
        }
        // The app's page only: other pages (the bench page) keep their own rules.
        if (file === join(DIST, 'index.html')) headers['Content-Security-Policy'] = CSP;
        if (isolated) {
          headers['Cross-Origin-Opener-Policy'] = 'same-origin';
          headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
        }
        res.writeHead(200, headers).end(body);
        return;
      } catch { /* try the next place */ }
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  await new Promise(done => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise(done => server.close(done)) };
}

/** Launches Debian's chromium headless (with `extraArgs` too, e.g. --enable-precise-memory-info). */
export async function launch({ extraArgs = [] } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

/** A new page that records console errors and uncaught exceptions in `page.problems` (in `context`, if
 *  given: a test that needs init scripts or downloads brings its own). */
export async function openPage(browser, url, viewport = { width: 1280, height: 900 }, context = undefined) {
  context ??= await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
  const page = await context.newPage();
  page.problems = [];
  page.on('console', msg => { if (msg.type() === 'error') page.problems.push(`console: ${msg.text()}`); });
  page.on('pageerror', err => page.problems.push(`pageerror: ${err.message}`));
  page.on('response', res => { if (res.status() >= 400) page.problems.push(`HTTP ${res.status()}: ${res.url()}`); });
  await page.goto(url);
  await page.waitForFunction(() => window.dynabatch !== undefined, null, { timeout: 20_000 });
  return page;
}

export const status = page => page.evaluate(() => window.dynabatch.status());

/** Waits until the run is over (done, diverged or error) and returns its status. */
export async function settle(page, timeout = 60_000) {
  await page.waitForFunction(() => ['done', 'diverged', 'error'].includes(window.dynabatch.status().state), null,
    { timeout, polling: 50 });
  return status(page);
}

/** The CLI's CSV for a query string (on a data file, for problem=data). A run that diverges still prints its
 * CSV, and exits 3: `diverged` says that this is what the caller expects. */
export function cliCsv(query, threads, dataFile = undefined, { diverged = false } = {}) {
  const data = dataFile === undefined ? [] : ['--data', dataFile];
  const args = ['run', query, '--threads', String(threads), ...data];
  if (!diverged) return execFileSync(CLI, args, { encoding: 'utf8' });
  const run = spawnSync(CLI, args, { encoding: 'utf8' });
  assert.equal(run.status, 3, `the CLI exits 3 for a diverged run: ${run.stderr}`);
  return run.stdout;
}
