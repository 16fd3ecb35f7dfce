#!/usr/bin/env bash
# The benchmark suite in one command: installs whatever is missing, builds the CLI and the page, times the
# workloads natively (`dynabatch bench`) and in headless Chromium (the bench page, www/bench.html: same
# workloads, same thread counts, plus TensorFlow.js and the app itself), and prints the performance table
# with the ratios of this one run. docs/PERFORMANCE.md explains each number.
# Output: target/bench/{native,page}.jsonl (JSON lines) and target/bench/table.md.
# Timings are only meaningful on an otherwise idle machine: the table records the load average.
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

step "native: dynabatch bench"
./target/release/dynabatch bench | tee "$OUT/native.jsonl"
# The same with 128-bit vectors only (SSE2, like wasm's simd128): separates vector width from the rest.
./target/release/dynabatch bench --baseline-simd | tee "$OUT/native-baseline.jsonl"

step "page: www/bench.html in headless Chromium"
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

// Cross-origin isolated, as the app needs (shared memory for its Web Worker threads).
const server = await serve({ files });
const url = `${server.url}/bench.html`;

const browser = await launch();
let failed = false;
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1100 } })).newPage();
  page.on('pageerror', e => { console.error(`page error: ${e.message}`); });
  page.on('console', m => { if (m.type() === 'error') console.error(`console: ${m.text()}`); });
  await page.goto(url);
  let shown = 0;
  while (!(await page.evaluate(() => window.bench?.done))) {
    const lines = await page.evaluate(() => window.bench?.lines ?? []);
    lines.slice(shown).forEach(line => console.log(line));
    shown = lines.length;
    await new Promise(done => setTimeout(done, 1000));
  }
  const { lines, error } = await page.evaluate(() => window.bench);
  lines.slice(shown).forEach(line => console.log(line));
  await writeFile(join(process.env.BENCH_OUT, 'page.jsonl'), lines.join('\n') + '\n');
  if (error) { console.error(`bench page failed: ${error}`); failed = true; }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
EOF

step "the table"
BENCH_OUT="$OUT" node --input-type=module <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.env.BENCH_OUT;
const read = file => readFileSync(join(out, file), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l));
const records = [...read('native.jsonl'), ...read('native-baseline.jsonl'), ...read('page.jsonl')];
const find = (side, workload, kase, threads) => records.find(r => r.side === side && r.workload === workload
  && (kase === undefined || r.case === kase) && (threads === undefined || r.threads === threads));
const threads = [...new Set(records.filter(r => r.side === 'native' && r.workload === 'throughput').map(r => r.threads))];
const all = Math.max(...threads);
const fmt = v => (v === undefined || v === null ? '–' : v >= 100 ? Math.round(v).toLocaleString('en') : v.toPrecision(3));
const rate = v => (v === undefined ? '–' : `${(v / 1e6).toPrecision(3)}M`);
const verdict = ok => (ok === undefined ? '–' : ok ? 'met' : '**not met**');
const cases = ['breast-cancer', 'digits', 'digits-mlp', 'synthetic-784'];
const lines = [];
const push = (...row) => lines.push(`| ${row.join(' | ')} |`);

const env = find('wasm', 'env');
const tfEnv = find('tfjs', 'env');
const simd = [...new Set(records.filter(r => r.workload === 'simd').map(r => `${r.side} ${r.case}`))].join(', ');
const load = readFileSync(join(out, 'load'), 'utf8').trim();
// Two threads on two cores only run in parallel if nothing else wants a core; the CLI and the page run
// minutes apart, so load that comes and goes skews their ratios too.
if (Number(load.split(' ')[0]) > 0.7) {
  lines.push(`**The machine was busy (load ${load.split(' ')[0]} on ${all} cores): ratios and efficiencies below are unreliable.**`, '');
}
lines.push(`Load average when the run started: ${load} (${all} cores). `
  + `Vectors: ${simd}. Browser: ${env?.case ?? '?'}. Peer: ${tfEnv?.case ?? 'not run'}, ${tfEnv?.threads ?? '?'} threads.`, '');

lines.push('Sample gradients per second (8 nodes × 256 samples per round, averaged in node order):', '');
push('case', 'threads', 'native', 'wasm', 'wasm/native (≥ 0.8)', 'native, 128-bit only', 'wasm/that', 'TF.js wasm',
  'wasm/TF.js (≥ 3)', 'same bits');
lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const ratios = { native: [], tfjs: [] };
let identical = true;
for (const kase of cases) {
  for (const t of threads) {
    const n = find('native', 'throughput', kase, t);
    const w = find('wasm', 'throughput', kase, t);
    const tf = find('tfjs', 'throughput', kase, t);
    const b = find('native-baseline', 'throughput', kase, t);
    const same = n && w && b ? n.checksum === w.checksum && b.checksum === w.checksum : undefined;
    identical &&= same !== false;
    const vsNative = n && w ? w.value / n.value : undefined;
    const vsTf = tf && w ? w.value / tf.value : undefined;
    if (vsNative !== undefined) ratios.native.push(vsNative);
    if (vsTf !== undefined) ratios.tfjs.push(vsTf);
    push(kase, t, rate(n?.value), rate(w?.value), fmt(vsNative), rate(b?.value), b && w ? fmt(w.value / b.value) : '–',
      rate(tf?.value), vsTf === undefined ? '–' : `${fmt(vsTf)}×`,
      same === undefined ? '–' : same ? 'yes' : '**no**');
  }
}
const efficiency = side => {
  const one = find(side, 'throughput', 'synthetic-784', 1);
  const many = find(side, 'throughput', 'synthetic-784', all);
  return one && many ? many.value / one.value / all : undefined;
};
const round = (side, t) => find(side, 'round', undefined, t)?.value;
const app = kase => find('wasm', 'app', kase);
const size = find('wasm', 'size', 'wasm-gzip')?.value;
const longTasks = ['psgd-T100k', 'psgd-T100k-every1'].map(k => app(`${k}-longtasks`));
const minimum = v => (v.length ? Math.min(...v) : undefined);

lines.push('', 'Targets:', '');
push('target', 'measured', 'verdict');
lines.push('| --- | --- | --- |');
push('wasm/native throughput at the same thread count ≥ 0.8', `worst ${fmt(minimum(ratios.native))}`, verdict(minimum(ratios.native) >= 0.8));
push('our wasm / TF.js wasm ≥ 3×', `worst ${fmt(minimum(ratios.tfjs))}×`, verdict(ratios.tfjs.length ? minimum(ratios.tfjs) >= 3 : undefined));
for (const side of ['native', 'wasm']) {
  const e = efficiency(side);
  push(`parallel efficiency, 1 → ${all} threads, d = 784, ${side} ≥ 0.85`, fmt(e), verdict(e === undefined ? undefined : e >= 0.85));
}
for (const side of ['native', 'wasm']) {
  for (const t of [1, all]) {
    const v = round(side, t);
    push(`per-round time, N = 8, B = 1, ${side}, ${t} thread(s) ≤ 20 µs`, v === undefined ? '–' : `${fmt(v)} µs`, verdict(v === undefined ? undefined : v <= 20));
  }
}
for (const [i, name] of ['psgd T=100000 B=1 N=8', 'the same with every=1 (100k-point charts)'].entries()) {
  const t = longTasks[i];
  const seen = t ? `${t.value}${t.value ? ` (longest ${fmt(t.longest_ms)} ms)` : ''}; observer ${t.observer_works ? 'verified' : '**not verified**'}` : '–';
  push(`main-thread long tasks (> 50 ms) during ${name}: none`, seen, verdict(t?.observer_works ? t.value === 0 : undefined));
}
const redraw = find('wasm', 'chart', 'redraw-100k')?.value;
const raster = find('wasm', 'chart', 'redraw-100k-rasterised')?.value;
push('chart redraw, 100k points ≤ 8 ms (page canvas; rasterised)', redraw === undefined ? '–' : `${fmt(redraw)} ms; ${fmt(raster)} ms`, verdict(raster === undefined ? undefined : raster <= 8));
push('chart redraw, 100k points, native SVG (for reference)', `${fmt(find('native', 'chart', 'redraw-100k')?.value)} ms`, '');
push('wasm gzipped ≤ 500 KB', size === undefined ? '–' : `${fmt(size / 1024)} KB`, verdict(size === undefined ? undefined : size <= 500 * 1024));
const first = app('first-curve')?.value;
push('first curve after load (localhost) ≤ 1.5 s', first === undefined ? '–' : `${fmt(first)} ms`, verdict(first === undefined ? undefined : first <= 1500));
for (const k of ['psgd-T100k', 'psgd-T100k-every1']) {
  const r = app(`${k}-run`);
  push(`page run ${k} (Fast), a few seconds`, r ? `${fmt(r.value / 1000)} s (${r.state}, ${r.rounds} rounds)` : '–', '');
}
for (const fn of ['identity', 'exp', 'tanh']) {
  const n = find('native', 'libm', fn);
  const w = find('wasm', 'libm', fn);
  identical &&= !(n && w) || n.checksum === w.checksum;
  const what = fn === 'identity' ? 'the timing loop and an indirect call alone' : `libm::${fn} (same source both sides)`;
  push(`${what}, ns per call`, n && w ? `native ${fmt(n.value)}, wasm ${fmt(w.value)}` : '–', '');
}
const rn = find('native', 'round', undefined, 1);
const rw = find('wasm', 'round', undefined, 1);
push('bit-identical: every throughput, libm and PSGD-run checksum, native (both encodings) = wasm', identical && rn?.checksum === rw?.checksum ? 'yes' : '**no**', '');
const table = lines.join('\n') + '\n';
writeFileSync(join(out, 'table.md'), table);
console.log(table);
if (!identical) process.exit(1);
EOF
