#!/usr/bin/env bash
# The benchmark suite in one command: installs whatever is missing, builds the CLI and the page, times the
# workloads natively (`dynabatch bench`) and in headless Chromium (the bench page, www/bench.html: same
# workloads, same thread counts, plus TensorFlow.js and the app itself, in its threaded and its serial
# build), how a run's cost grows (scripts/scale-bench.sh), and prints the performance tables with the
# ratios of this one run (scripts/bench-table.mjs). docs/PERFORMANCE.md explains each number.
# Output: target/bench/{native,native-baseline,page,page-serial,scale}.jsonl (JSON lines), scale.svg and
# table.md.
# Timings are only meaningful on an otherwise idle machine: the table records how busy it was
# (scripts/busy.sh, before the timings and before the scale runs) and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*" >&2; }

# setup.sh reinstalls npm packages only when its own tools are missing; the bench also needs TensorFlow.js.
if [ ! -d node_modules/@tensorflow/tfjs-backend-wasm ] || [ ! -d node_modules/@tensorflow/tfjs ]; then
  step "installing the npm dev packages (TensorFlow.js for the peer comparison)"
  npm ci --no-audit --no-fund --loglevel=error
fi

step "release builds: the CLI and the page"
cargo build --release --quiet
trunk build --release >/dev/null

OUT=target/bench
mkdir -p "$OUT"
cut -d' ' -f1-3 /proc/loadavg >"$OUT/load"
step "how busy the machine is with anything else (5 s)"
./scripts/busy.sh | tee "$OUT/busy"

step "native: dynabatch bench"
./target/release/dynabatch bench | tee "$OUT/native.jsonl"
# The same with 128-bit vectors only (SSE2, like wasm's simd128): separates vector width from the rest.
./target/release/dynabatch bench --baseline-simd | tee "$OUT/native-baseline.jsonl"

step "scale: how a run's cost grows with N, d and T, and a 100k-row data file"
SKIP_BUILD=1 ./scripts/scale-bench.sh

step "page: www/bench.html in headless Chromium, cross-origin isolated (threaded build) and not (serial build)"
BENCH_OUT="$OUT" node --input-type=module <<'EOF'
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = process.cwd();
const { launch, serve } = await import(pathToFileURL(join(ROOT, 'tests/browser/harness.mjs')).href);

/** Where a URL path may be read from: the bench page from www/, TensorFlow.js from node_modules, the rest
 * from Trunk's dist/. */
function files(path) {
  if (path === '/bench.html' || path === '/bench.js') return [join(ROOT, 'www', path)];
  if (path.startsWith('/tfjs/')) {
    const file = path.slice('/tfjs/'.length);
    return ['tfjs', 'tfjs-backend-wasm'].map(pkg => join(ROOT, 'node_modules/@tensorflow', pkg, 'dist', file));
  }
  return [join(ROOT, 'dist', path === '/' ? 'index.html' : path)];
}

/** Drives the bench page to its end and writes its JSON lines to `file`. Cross-origin isolated, the app in
 * its iframe loads the threaded build (shared memory for its Web Worker threads) and every section runs;
 * without isolation, and with no service worker to bring it (coi-serviceworker would reload the page
 * isolated), the app loads its serial build, for the whole runs to compare with (`?only=regimes`). */
async function pass(browser, { isolated, query, file }) {
  const server = await serve({ files, isolated });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    // As where service workers cannot run (isolation.test.mjs): the page stays on its serial build.
    if (!isolated) await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined }));
    const page = await context.newPage();
    page.on('pageerror', e => { console.error(`page error: ${e.message}`); });
    page.on('console', m => { if (m.type() === 'error') console.error(`console: ${m.text()}`); });
    await page.goto(`${server.url}/bench.html${query}`);
    let shown = 0;
    while (!(await page.evaluate(() => window.bench?.done))) {
      const lines = await page.evaluate(() => window.bench?.lines ?? []);
      lines.slice(shown).forEach(line => console.log(line));
      shown = lines.length;
      await new Promise(done => setTimeout(done, 1000));
    }
    const { lines, error } = await page.evaluate(() => window.bench);
    lines.slice(shown).forEach(line => console.log(line));
    await writeFile(join(process.env.BENCH_OUT, file), lines.join('\n') + '\n');
    await context.close();
    if (error) { console.error(`bench page failed: ${error}`); return false; }
    return true;
  } finally {
    await server.close();
  }
}

const browser = await launch();
let failed = false;
try {
  failed = !(await pass(browser, { isolated: true, query: '', file: 'page.jsonl' }));
  failed = !(await pass(browser, { isolated: false, query: '?only=regimes', file: 'page-serial.jsonl' })) || failed;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
EOF

step "the table"
node scripts/bench-table.mjs "$OUT"
