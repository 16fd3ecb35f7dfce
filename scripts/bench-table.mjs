// The performance tables of one ./scripts/bench.sh run (docs/PERFORMANCE.md explains each number), from
// the JSON lines in OUT: `node scripts/bench-table.mjs OUT` writes OUT/table.md (every section; the scale
// section if OUT/scale.jsonl is there), `node scripts/bench-table.mjs OUT scale` only OUT/scale.md
// (scripts/scale-bench.sh). Exits 1 if native and wasm computed different bits.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [out = 'target/bench', only] = process.argv.slice(2);
const read = file => (existsSync(join(out, file))
  ? readFileSync(join(out, file), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)) : []);
const fmt = v => (v === undefined || v === null || Number.isNaN(v) ? '–' : v >= 100 ? Math.round(v).toLocaleString('en') : v.toPrecision(3));
const rate = v => (v === undefined ? '–' : `${(v / 1e6).toPrecision(3)}M`);
const percent = v => (v === undefined || Number.isNaN(v) ? '–' : `${Math.round(100 * v)}%`);
const verdict = ok => (ok === undefined ? '–' : ok ? 'met' : '**not met**');
const minimum = v => (v.length ? Math.min(...v) : undefined);
const maximum = v => (v.length ? Math.max(...v) : undefined);
const lines = [];
const push = (...row) => lines.push(`| ${row.join(' | ')} |`);
const header = (...cells) => { push(...cells); lines.push(`|${' --- |'.repeat(cells.length)}`); };
/** The busy percentage scripts/busy.sh wrote to OUT/`file`, or NaN if there is none. */
const readBusy = file => (existsSync(join(out, file)) ? Number(readFileSync(join(out, file), 'utf8').trim()) : NaN);
/** Above this share of the cores' time on other work, the table warns that its ratios are unreliable. */
const BUSY_MAX = 5;

if (only === 'scale') {
  scaleSection(read('scale.jsonl'), readFileSync(join(out, 'scale-load'), 'utf8').trim(), readBusy('scale-busy'));
  const table = lines.join('\n') + '\n';
  writeFileSync(join(out, 'scale.md'), table);
  console.log(table);
  process.exit(0);
}

const records = [...read('native.jsonl'), ...read('native-baseline.jsonl'), ...read('page.jsonl'), ...read('page-serial.jsonl')];
const find = (side, workload, kase, threads) => records.find(r => r.side === side && r.workload === workload
  && (kase === undefined || r.case === kase) && (threads === undefined || r.threads === threads));
const threads = [...new Set(records.filter(r => r.side === 'native' && r.workload === 'throughput').map(r => r.threads))];
const all = Math.max(...threads);
const cases = ['breast-cancer', 'digits', 'digits-mlp', 'synthetic-784'];

const env = find('wasm', 'env');
const tfEnv = find('tfjs', 'env');
const simd = [...new Set(records.filter(r => r.workload === 'simd').map(r => `${r.side} ${r.case}`))].join(', ');
const load = readFileSync(join(out, 'load'), 'utf8').trim();
const busy = readBusy('busy');
// Two threads on two cores only run in parallel if nothing else wants a core; the CLI and the page run
// minutes apart, so activity that comes and goes skews their ratios too.
if (!(busy <= BUSY_MAX)) {
  lines.push(`**The machine was busy (${fmt(busy)}% of its cores' time on other work when the timings started): `
    + 'ratios and efficiencies below are unreliable.**', '');
}
lines.push(`Other work when the timings started: ${fmt(busy)}% of the ${all} cores' time over 5 s (\`scripts/busy.sh\`); `
  + `load average ${load}. Vectors: ${simd}. Browser: ${env?.case ?? '?'}. `
  + `Peer: ${tfEnv?.case ?? 'not run'}, ${tfEnv?.threads ?? '?'} threads.`, '');

lines.push('Sample gradients per second (8 nodes × 256 samples per round, averaged in node order):', '');
push('case', 'threads', 'native', 'wasm', 'wasm/native (≥ 0.85)', 'native, 128-bit only', 'wasm/that', 'TF.js wasm',
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
const round = (side, t) => find(side, 'round', 'psgd-N8-B1', t)?.value;
const app = kase => find('wasm', 'app', kase);
const size = find('wasm', 'size', 'wasm-gzip')?.value;
const longTasks = ['psgd-T100k', 'psgd-T100k-every1'].map(k => app(`${k}-longtasks`));
const small = smallRounds();

lines.push('', 'Targets:', '');
push('target', 'measured', 'verdict');
lines.push('| --- | --- | --- |');
push('wasm/native throughput at the same thread count ≥ 0.85', `worst ${fmt(minimum(ratios.native))}`, verdict(minimum(ratios.native) >= 0.85));
// What the ratio can be for a compute-bound kernel: the same instruction mix from registers (`peak`) on
// both sides, at the widest vectors each has.
const peakRatios = threads.map(t => {
  const n = find('native', 'peak', 'mul+add', t);
  const w = find('wasm', 'peak', 'mul+add', t);
  return n && w ? `${fmt(w.value / n.value)} at ${t}` : undefined;
}).filter(Boolean);
push('for reference, wasm/native of the peak kernel (the ratio a compute-bound kernel can reach)', peakRatios.join(', ') || '–', '');
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
for (const row of small.targets) push(...row);
const rn = find('native', 'round', 'psgd-N8-B1', 1);
const rw = find('wasm', 'round', 'psgd-N8-B1', 1);
identical &&= small.identical;
push('bit-identical: every throughput, libm and PSGD-run checksum, native (both encodings) = wasm; both placements of a round', identical && rn?.checksum === rw?.checksum ? 'yes' : '**no**', '');
lines.push('', ...small.lines);
roofline();
const scale = read('scale.jsonl');
if (scale.length) {
  scaleSection(scale, existsSync(join(out, 'scale-load')) ? readFileSync(join(out, 'scale-load'), 'utf8').trim() : '?', readBusy('scale-busy'));
}
const table = lines.join('\n') + '\n';
writeFileSync(join(out, 'table.md'), table);
console.log(table);
if (!identical) process.exit(1);

/** Small rounds (issue 15): whole runs in the app in both builds, where spreading a round over threads
 * starts to pay (`split`), and what recording adds to a round. Returns target rows and the section's lines. */
function smallRounds() {
  const section = [];
  const row = (...cells) => section.push(`| ${cells.join(' | ')} |`);
  const head = (...cells) => { row(...cells); section.push(`|${' --- |'.repeat(cells.length)}`); };
  const targets = [];
  let same = true;

  section.push('### Small rounds', '', 'Whole runs in the app at Fast speed, from the speed change to `done`, µs per round end to end '
    + '(the fastest of 3, each in a freshly loaded app):', '');
  head('link', 'rounds', 'threaded build', 'serial build', 'threaded/serial (≤ 1.1)', 'where the threaded build ran the nodes');
  const regimes = records.filter(r => r.side === 'wasm' && r.workload === 'app-regime');
  const ratios = [];
  for (const t of regimes) {
    const s = find('wasm-serial', 'app-regime', t.case);
    const ratio = s ? t.value / s.value : undefined;
    if (ratio !== undefined) ratios.push(ratio);
    row(`\`${t.query}\``, t.rounds.toLocaleString('en'), `${fmt(t.value)} µs (${fmt(t.ms / 1000)} s)`,
      s ? `${fmt(s.value)} µs (${fmt(s.ms / 1000)} s)` : '–', fmt(ratio), t.workers ?? '');
  }
  const tiny = regimes[0];
  targets.push([`page, tiny rounds (\`${tiny?.query ?? '?'}\`, Fast) ≤ 8 µs per round end to end`,
    tiny ? `${fmt(tiny.value)} µs` : '–', verdict(tiny ? tiny.value <= 8 : undefined)]);
  targets.push(['page, the threaded build no slower than the serial one in any of these regimes (threaded/serial ≤ 1.1)',
    `worst ${fmt(maximum(ratios))}`, verdict(ratios.length ? maximum(ratios) <= 1.1 : undefined)]);

  const threshold = side => find(side, 'split', 'threshold')?.value;
  section.push('', `Where spreading a round's nodes over ${all} threads starts to pay (\`split\`; µs per round of `
    + `8 nodes from a fixed point; the trainer spreads rounds of at least ${fmt(threshold('native'))} samples × parameters `
    + `natively, ${fmt(threshold('wasm'))} in wasm):`, '');
  head('regime', 'work', 'native: here', 'spread', 'spread/here', 'wasm: here', 'spread', 'spread/here', 'the trainer');
  const worst = [];
  for (const here of records.filter(r => r.side === 'native' && r.workload === 'split' && r.case.startsWith('here:'))) {
    const regime = here.case.slice('here:'.length);
    const work = Number(regime.match(/work=(\d+)/)?.[1]);
    const spreads = side => work >= threshold(side);
    const cells = [];
    for (const side of ['native', 'wasm']) {
      // A timing of 0 is a failed measurement (the clock's resolution), not an infinitely fast round.
      const timed = r => (r && r.value > 0 ? r : undefined);
      const h = timed(find(side, 'split', `here:${regime}`, all));
      const s = timed(find(side, 'split', `spread:${regime}`, all));
      same &&= !(h && s) || h.checksum === s.checksum;
      if (h && s) worst.push((spreads(side) ? s.value : h.value) / Math.min(h.value, s.value));
      cells.push(fmt(h?.value), fmt(s?.value), h && s ? fmt(s.value / h.value) : '–');
    }
    const n = find('native', 'split', `here:${regime}`, all);
    const w = find('wasm', 'split', `here:${regime}`, all);
    same &&= !(n && w) || n.checksum === w.checksum;
    const choice = side => (spreads(side) ? 'spread' : 'here');
    row(regime.replace(/,work=\d+/, '').replace(',', ', '), work.toLocaleString('en'), ...cells,
      choice('native') === choice('wasm') ? choice('native') : `${choice('native')} natively, ${choice('wasm')} in wasm`);
  }
  targets.push([`the trainer's placement within 10% of the faster one in every \`split\` regime (native and wasm, ${all} threads)`,
    `worst ${fmt(maximum(worst))}× the faster`, verdict(worst.length ? maximum(worst) <= 1.1 : undefined)]);

  section.push('', 'What recording adds: µs per round of `alg=psgd&problem=breast-cancer&N=8&B1=1&T=20000`, without rows '
    + 'and with its 1000 (each evaluates the full f and ∇f over the 569 examples):', '');
  head('side', 'threads', 'no rows', '1000 rows', 'added by the rows');
  for (const side of ['native', 'wasm']) {
    for (const t of threads) {
      const bare = find(side, 'round', 'psgd-N8-B1', t)?.value;
      const rows = find(side, 'round', 'psgd-N8-B1-recorded', t)?.value;
      row(side, t, bare === undefined ? '–' : `${fmt(bare)} µs`, rows === undefined ? '–' : `${fmt(rows)} µs`,
        bare !== undefined && rows !== undefined ? `${fmt(rows - bare)} µs` : '–');
    }
  }
  return { targets, lines: section, identical: same };
}

/** The roofline: this machine's ceilings, then each kernel's achieved rate against them. */
function roofline() {
  lines.push('', '### The roofline', '', 'Ceilings, on every thread at once: the peak of the kernels\' mix (chains of an f64 '
    + 'multiply and a dependent add, `[f64; 4]` lanes, no FMA), and a STREAM triad (a ← b + s·c, 24 bytes per element) '
    + 'over three arrays of the given total size:', '');
  header('ceiling', 'threads', 'native (AVX2)', 'native (SSE2)', 'wasm (simd128)');
  const ceiling = (side, workload, kase, t) => find(side, workload, kase, t)?.value;
  for (const t of threads) {
    push('peak mul+add, GFLOP/s', t, ...['native', 'native-baseline', 'wasm'].map(s => fmt(ceiling(s, 'peak', 'mul+add', t))));
  }
  const footprints = [...new Set(records.filter(r => r.workload === 'triad').map(r => r.case))];
  for (const f of footprints) {
    for (const t of threads) {
      push(`triad ${f}, GB/s`, t, ...['native', 'native-baseline', 'wasm'].map(s => fmt(ceiling(s, 'triad', f, t))));
    }
  }
  const kib = kase => Number(kase.replace('kB', '')) * 1024;
  lines.push('', 'Each kernel against them (flops and bytes per sample gradient are counted from the kernels: '
    + '`models::SampleCost`; the rows\' bandwidth is compared with the triad over the smallest footprint that holds the '
    + 'data set; the exp/tanh share is their calls at the `libm` workload\'s cost per value (`vmath-exp`, `vmath-tanh` where '
    + 'timed) over the measured time per sample gradient and thread):', '');
  header('case', 'side', 'threads', 'flops, bytes per sample', 'GFLOP/s', 'of peak', 'GB/s of rows', 'of triad',
    'exp/tanh calls', 'bound');
  for (const kase of cases) {
    const cost = what => find('native', 'cost', `${kase}:${what}`)?.value;
    const [flops, bytes, data, exps, tanhs] = ['flops', 'bytes', 'data', 'exp', 'tanh'].map(cost);
    if (flops === undefined) continue;
    const footprint = footprints.map(f => [f, kib(f)]).sort((a, b) => a[1] - b[1]).find(([, size]) => size >= data)?.[0]
      ?? footprints.at(-1);
    for (const side of ['native', 'wasm']) {
      for (const t of threads) {
        const samples = find(side, 'throughput', kase, t)?.value;
        if (samples === undefined) continue;
        const perSampleNs = (1e9 * t) / samples;
        const gflops = (samples * flops) / 1e9;
        const peak = ceiling(side, 'peak', 'mul+add', t);
        const gbs = (samples * bytes) / 1e9;
        const triad = ceiling(side, 'triad', footprint, t);
        // What the kernels call: vmath's functions per value where the run timed them, else libm's per call.
        const libm = fn => (find(side, 'libm', `vmath-${fn}`, 1) ?? find(side, 'libm', fn, 1))?.value ?? NaN;
        const transcendental = (exps * libm('exp') + tanhs * libm('tanh')) / perSampleNs;
        const shares = [['compute', gflops / peak], ['bandwidth', gbs / triad], ['exp/tanh', transcendental]];
        // The ceiling it is nearest; under half of every ceiling, none of them is what holds it back.
        const [nearest, share] = shares.filter(([, v]) => !Number.isNaN(v)).sort((a, b) => b[1] - a[1])[0] ?? ['–', 0];
        const bound = share >= 0.5 ? nearest : `none (nearest: ${nearest})`;
        push(kase, side, t, `${flops.toLocaleString('en')}, ${bytes.toLocaleString('en')}`, fmt(gflops), percent(gflops / peak),
          fmt(gbs), `${percent(gbs / triad)} (${footprint})`, percent(transcendental), bound);
      }
    }
  }
}

/** Scale: a generated data file of 100k rows, and how a run's time grows with N, d and T (scale.svg). */
function scaleSection(scale, load, busy) {
  const at = (workload, kase, t) => scale.find(r => r.workload === workload && r.case === kase && r.threads === t)?.value;
  const counts = [...new Set(scale.map(r => r.threads))];
  const most = Math.max(...counts);
  lines.push('', '### Scale', '', `Other work when the scale runs started: ${fmt(busy)}% of the cores' time; load average ${load}.`, '');
  const rows = at('data-file', 'rows', 1);
  const bytes = at('data-file', 'bytes', 1);
  lines.push(`A generated CSV of ${fmt(rows)} rows × 100 features and a 0/1 label (${fmt(bytes / 1e6)} MB), read from memory `
    + '(`data::file::read`), then PSGD on it (N = 8, 64 samples per node and round, T = 20,000):', '');
  header('threads', 'reading', 'rows read per second', 'training, sample gradients per second', 'one recorded row (full f and ∇f)');
  for (const t of counts) {
    push(t, `${fmt(at('data-file', 'read', t))} MB/s`, fmt(at('data-file', 'read-rows', t)), rate(at('data-file', 'train', t)),
      `${fmt(at('data-file', 'row', t))} ms`);
  }
  lines.push('', 'How a run\'s time grows: PSGD on synthetic data (n = 2000), B = 16 per node and round, λ = 0, no rows but '
    + 'the first and last; each series varies one of N, d, T from N = 8, d = 100, T = 100,000 (the fastest of 3):', '');
  header('varied', 'N', 'd', 'T', 'work N·T·(d+1)', ...counts.map(t => `${t} thread${t > 1 ? 's' : ''}`), 'ns per sample × parameter (1 thread)', `speed-up on ${most}`);
  const grid = scale.filter(r => r.workload === 'scale' && r.threads === 1);
  for (const r of grid) {
    const [varied, point] = r.case.split(':');
    const { N, d, T } = Object.fromEntries(point.split(',').map(kv => kv.split('=').map(Number)).map(([k, v], i) => [['N', 'd', 'T'][i], v]));
    const work = N * T * (d + 1);
    const times = counts.map(t => at('scale', r.case, t));
    push(varied, N, d, T.toLocaleString('en'), fmt(work), ...times.map(s => `${fmt(s * 1000)} ms`), fmt((r.value * 1e9) / work),
      fmt(times[0] / times.at(-1)));
  }
  // Growth exponents: the least-squares slope of log time against log of the varied parameter, per series.
  const slopes = [];
  for (const varied of ['N', 'd', 'T']) {
    const pts = grid.filter(r => r.case.startsWith(`${varied}:`)).map(r => {
      const v = Number(r.case.match(new RegExp(`${varied}=(\\d+)`))[1]);
      return [Math.log(varied === 'd' ? v + 1 : v), Math.log(r.value)];
    });
    const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
    const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
    const slope = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
    slopes.push(`${varied === 'd' ? '(d + 1)' : varied}^${slope.toFixed(2)}`);
  }
  lines.push('', `On one thread, time grows as ${slopes.join(', ')} (least-squares slopes on log scales; 1 is in proportion). `
    + 'The plot: `target/bench/scale.svg`.');
}
