// The bench page (bench.html): the workloads of `dynabatch bench` in this browser, then TensorFlow.js on the
// same mini-batch gradients, then the app itself in an iframe. Every result is a JSON line in
// `window.bench.lines`; `window.bench.done` turns true at the end. ./scripts/bench.sh drives it headless,
// twice: cross-origin isolated (the threaded build, every section), and without isolation
// (`?only=regimes`: the serial build, which the app then loads, on the same whole runs).
//
// This one file is also the compute worker: each thread count gets a fresh Web Worker with its own wasm
// instance and a rayon pool of exactly that many threads (one pool per instance), and blocking there is
// allowed, unlike on the page's main thread.

const REPS = 5;
const REP_MS = 150;
const LONG_RUN = 'alg=psgd&problem=breast-cancer&N=8&B1=1&T=100000';
const bench = { lines: [], done: false, error: null };
// Whose numbers these are: the app loads its threaded build only where the page is cross-origin isolated.
const SIDE = self.crossOriginIsolated ? 'wasm' : 'wasm-serial';

if (typeof document === 'undefined') {
  self.onmessage = ({ data }) => work(data).then(postMessage, e => postMessage({ error: String(e?.stack ?? e) }));
} else if (new URL(import.meta.url).searchParams.has('app')) {
  // Injected into the app's iframe: the app's own module instance (the same URL in the same document),
  // so the chart workload draws on the main thread of a page that runs the real app.
  appAssets().then(({ glue }) => import(glue)).then(app => { window.benchApp = app; });
} else {
  main().catch(e => fail(e));
}

async function work({ glue, wasm, threads, datasets, regimes }) {
  const app = await import(glue);
  await app.default({ module_or_path: wasm });
  if (datasets) return { datasets: datasets.map(name => app.benchData(name)) };
  if (regimes) return { regimes: JSON.parse(app.benchAppRegimes()) };
  await app.initThreadPool(threads);
  return { lines: app.benchCompute() };
}

function emit(record) {
  const line = JSON.stringify({ checksum: '0000000000000000', ...record });
  bench.lines.push(line);
  document.getElementById('out').textContent += line + '\n';
}

function say(text) {
  document.getElementById('status').textContent = text;
}

function fail(e) {
  bench.error = String(e?.stack ?? e);
  say(`failed: ${bench.error}`);
  bench.done = true;
}

async function main() {
  window.bench = bench;
  const sections = new URLSearchParams(location.search).get('only')?.split(',') ?? ['compute', 'tfjs', 'app', 'regimes'];
  const assets = await appAssets();
  const all = navigator.hardwareConcurrency || 1;
  emit({ side: SIDE, workload: 'env', case: navigator.userAgent, threads: all, value: null, unit: '' });
  if (SIDE === 'wasm') await wasmSize(assets.wasm);
  if (sections.includes('compute')) {
    for (const threads of threadCounts(all)) {
      say(`compute workloads on ${threads} thread(s)…`);
      const { lines } = await inWorker({ ...assets, threads });
      lines.trim().split('\n').forEach(line => emit(JSON.parse(line)));
    }
  }
  if (sections.includes('tfjs')) await tfjs(assets, all);
  if (sections.includes('app')) await appWorkloads();
  if (sections.includes('regimes')) await appRegimes(assets);
  say('done');
  bench.done = true;
}

/** The glue script and wasm of the build that the app loads here (as www/boot.js picks it): index.html's
 * boot tag names both builds' files (their names carry content hashes). */
async function appAssets() {
  const html = await (await fetch('index.html')).text();
  const prefix = SIDE === 'wasm' ? 'data' : 'data-serial';
  const glue = html.match(new RegExp(`${prefix}-glue="([^"]+)"`))?.[1];
  const wasm = html.match(new RegExp(`${prefix}-wasm="([^"]+)"`))?.[1];
  if (!glue || !wasm) throw new Error('index.html names no wasm-bindgen glue: build with trunk first');
  return { glue: new URL(glue, location.href).href, wasm: new URL(wasm, location.href).href };
}

/** 1, 2, 4, … below `all`, then `all`: the same rule as `bench::thread_counts`. */
function threadCounts(all) {
  const counts = [];
  for (let t = 1; t < all; t *= 2) counts.push(t);
  return [...counts, all];
}

function inWorker(message) {
  const worker = new Worker(import.meta.url, { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
    worker.onerror = e => reject(new Error(e.message));
    worker.postMessage(message);
  }).finally(() => worker.terminate());
}

async function wasmSize(url) {
  const bytes = await (await fetch(url)).arrayBuffer();
  const gzip = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  const zipped = await new Response(gzip).arrayBuffer();
  emit({ side: 'wasm', workload: 'size', case: 'wasm', threads: 0, value: bytes.byteLength, unit: 'bytes' });
  emit({ side: 'wasm', workload: 'size', case: 'wasm-gzip', threads: 0, value: zipped.byteLength, unit: 'bytes' });
}

/** Calibrates `work(count)` to about REP_MS, then the fastest of REPS timings, in ms per unit (as
 * `bench::ms_per_unit` does). */
async function msPerUnit(work) {
  let count = 1;
  for (;;) {
    const start = performance.now();
    await work(count);
    const elapsed = performance.now() - start;
    if (elapsed >= REP_MS / 8) {
      count = Math.max(1, Math.ceil((count * REP_MS) / Math.max(elapsed, 1e-3)));
      break;
    }
    count *= 8;
  }
  const timings = [];
  for (let i = 0; i < REPS; i++) {
    const start = performance.now();
    await work(count);
    timings.push((performance.now() - start) / count);
  }
  return Math.min(...timings);
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement('script'), { src, onload: resolve, onerror: reject });
    document.head.append(script);
  });
}

const MODELS = { 'breast-cancer': 'logistic', 'synthetic-784': 'logistic', digits: 'softmax', 'digits-mlp': 'mlp' };

/** TensorFlow.js's wasm backend on the same rounds: 8 nodes' mini-batch gradients of 256 samples each
 * (tf.grad of the same penalised loss), averaged across nodes and read back, per round. */
async function tfjs(assets, threads) {
  say('TensorFlow.js (wasm backend)…');
  await loadScript('tfjs/tf.min.js');
  await loadScript('tfjs/tf-backend-wasm.min.js');
  const tf = window.tf;
  tf.wasm.setWasmPaths(new URL('tfjs/', location.href).href);
  tf.wasm.setThreadsCount(threads);
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const flavour = `simd=${simd} multithread=${threaded}`;
  emit({ side: 'tfjs', workload: 'env', case: `tfjs ${tf.version.tfjs} ${tf.getBackend()} ${flavour}`, threads, value: null, unit: '' });
  const names = Object.keys(MODELS);
  const { datasets } = await inWorker({ ...assets, datasets: names });
  for (const [i, name] of names.entries()) {
    const step = tfjsRound(tf, MODELS[name], datasets[i]);
    const d = datasets[i];
    const ms = await msPerUnit(async count => { for (let r = 0; r < count; r++) step(); });
    emit({ side: 'tfjs', workload: 'throughput', case: name, threads, value: (d.nodes * d.batch * 1000) / ms, unit: 'samples/s' });
  }
}

function tfjsRound(tf, model, d) {
  const x = tf.tensor2d(Float32Array.from(d.features), [d.rows, d.cols]);
  const y = tf.tensor1d(Int32Array.from(d.labels), 'int32');
  const normal = shape => tf.variable(tf.randomNormal(shape, 0, 0.1));
  const params = model === 'logistic' ? [normal([d.cols, 1])]
    : model === 'softmax' ? [normal([d.cols, d.classes])]
    : [normal([d.cols, d.hidden]), normal([d.hidden, d.classes]), normal([d.classes])];
  const penalty = () => tf.addN(params.map(p => p.square().sum())).mul(d.lambda / 2);
  const loss = (xb, yb) => () => {
    if (model === 'logistic') {
      return tf.losses.sigmoidCrossEntropy(yb.toFloat().expandDims(1), xb.matMul(params[0])).add(penalty());
    }
    const hidden = model === 'mlp' ? xb.matMul(params[0]).tanh() : xb;
    const logits = model === 'mlp' ? hidden.matMul(params[1]).add(params[2]) : hidden.matMul(params[0]);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(yb, d.classes), logits).add(penalty());
  };
  const indices = new Int32Array(d.batch);
  return () => tf.tidy(() => {
    const sums = [];
    for (let node = 0; node < d.nodes; node++) {
      for (let i = 0; i < d.batch; i++) indices[i] = Math.floor(Math.random() * d.rows);
      const rows = tf.tensor1d(indices, 'int32');
      const { grads } = tf.variableGrads(loss(x.gather(rows), y.gather(rows)), params);
      params.forEach((p, k) => { sums[k] = sums[k] ? sums[k].add(grads[p.name]) : grads[p.name]; });
    }
    sums.forEach(s => s.div(d.nodes).dataSync());
  });
}

/** The app in the iframe, loaded with `query`; resolves once its hook is up. */
async function openApp(query) {
  const frame = document.getElementById('app');
  const loaded = new Promise(resolve => { frame.onload = resolve; });
  frame.src = `index.html${query ? `?${query}` : ''}`;
  await loaded;
  const win = frame.contentWindow;
  while (!win.dynabatch) await nextFrame();
  return win;
}

const nextFrame = () => new Promise(resolve => requestAnimationFrame(resolve));

/** Whether the app's first chart shows the run's curve (the main run's colour, PALETTE[0]). */
function curveDrawn(win) {
  const canvas = win.document.getElementById('chart-sfo');
  if (!canvas || canvas.width === 0) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] === 37 && pixels[i + 1] === 99 && pixels[i + 2] === 235) return true;
  }
  return false;
}

async function appWorkloads() {
  say('the app: time to first curve…');
  const frame = document.getElementById('app');
  const start = performance.now();
  frame.src = 'index.html';
  for (;;) {
    await nextFrame();
    const win = frame.contentWindow;
    if (win?.dynabatch && curveDrawn(win)) break;
    if (performance.now() - start > 30_000) throw new Error('no curve after 30 s');
  }
  emit({ side: 'wasm', workload: 'app', case: 'first-curve', threads: 0, value: performance.now() - start, unit: 'ms' });
  for (const [name, query] of [['psgd-T100k', LONG_RUN], ['psgd-T100k-every1', `${LONG_RUN}&every=1`]]) {
    say(`the app: ${name}…`);
    const run = await longRun(await openApp(query));
    emit({ side: 'wasm', workload: 'app', case: `${name}-run`, threads: run.status.pool ?? 0, value: run.ms, unit: 'ms', state: run.status.state, rounds: run.status.round });
    emit({ side: 'wasm', workload: 'app', case: `${name}-longtasks`, threads: run.status.pool ?? 0, value: run.longTasks, unit: 'count', longest_ms: run.longestMs, observer_works: run.observerWorks });
  }
  say('the app: chart redraw…');
  const win = await openApp('T=1');
  const helper = Object.assign(win.document.createElement('script'), { type: 'module', src: 'bench.js?app' });
  win.document.head.append(helper);
  while (!win.benchApp) await nextFrame();
  const lines = win.benchApp.benchChart(640, 360);
  lines.trim().split('\n').forEach(line => emit(JSON.parse(line)));
}

/** Whole runs of small to large rounds (`bench::APP_REGIMES`) in the app at Fast speed, in whichever build
 * it loads here: µs per round end to end, the fastest of REGIME_REPS runs (each in a freshly loaded app). */
const REGIME_REPS = 3;
async function appRegimes(assets) {
  const { regimes } = await inWorker({ ...assets, regimes: true });
  for (const { name, query } of regimes) {
    say(`the app (${SIDE}): ${name}…`);
    let best;
    for (let rep = 0; rep < REGIME_REPS; rep++) {
      const run = await longRun(await openApp(query));
      if (run.status.state !== 'done') throw new Error(`${name}: the run ended ${run.status.state}`);
      if (!best || run.ms < best.ms) best = run;
    }
    const rounds = best.status.round;
    emit({ side: SIDE, workload: 'app-regime', case: name, threads: best.status.pool ?? 0, value: (best.ms * 1000) / rounds, unit: 'us/round', ms: best.ms, rounds, query, workers: best.workers });
  }
}

/** Switches the app to Fast (which restarts the run), times it to the end, and counts the main thread's
 * long tasks meanwhile. */
async function longRun(win) {
  const tasks = [];
  new win.PerformanceObserver(list => tasks.push(...list.getEntries())).observe({ type: 'longtask', buffered: true });
  const pace = win.document.getElementById('pace');
  const start = win.performance.now();
  pace.value = 'fast';
  pace.dispatchEvent(new win.Event('change'));
  await nextFrame();
  let status;
  do {
    await nextFrame();
    status = win.dynabatch.status();
  } while (!['done', 'diverged', 'error'].includes(status.state) && win.performance.now() - start < 120_000);
  const end = win.performance.now();
  // A deliberate 80 ms task on the app's main thread proves that the observer sees long tasks at all.
  win.setTimeout(() => { const t = win.performance.now(); while (win.performance.now() - t < 80); });
  await new Promise(resolve => setTimeout(resolve, 300));
  const probed = tasks.some(t => t.startTime > end && t.duration >= 80);
  const during = tasks.filter(t => t.startTime >= start && t.startTime <= end);
  const longest = during.reduce((m, t) => Math.max(m, t.duration), 0);
  const workers = win.document.getElementById('workers')?.textContent ?? '';
  return { ms: end - start, status, longTasks: during.length, longestMs: longest, observerWorks: probed, workers };
}
