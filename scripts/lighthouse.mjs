// Audits the built page (dist/) with Lighthouse on its desktop and mobile profiles, served as a configured
// host would serve it: gzip, long caching of the hashed files, COOP/COEP and the Content-Security-Policy
// (tests/browser/harness.mjs, `host: true`). Prints each run's scores and the median per profile.
// A measurement, not a test: its numbers depend on the machine's load (docs/PERFORMANCE.md has a run).
// Usage: trunk build --release && node scripts/lighthouse.mjs [runs per profile, default 3] [query, e.g. '?T=2000']
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { launch as launchChrome } from 'chrome-launcher';
import { serve } from '../tests/browser/harness.mjs';

const RUNS = Number(process.argv[2] ?? 3);
const QUERY = process.argv[3] ?? '';
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
// Lighthouse's mobile profile is its default config; the desktop one is its own.
const PROFILES = [['desktop', desktopConfig], ['mobile', undefined]];
// The metrics behind the performance score, and what each one's audit is called.
const METRICS = { CLS: 'cumulative-layout-shift', FCP: 'first-contentful-paint', LCP: 'largest-contentful-paint',
  TBT: 'total-blocking-time', SI: 'speed-index' };

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const show = (name, value) => name === 'CLS' ? value.toFixed(3) : `${Math.round(value)} ms`;

/** One audit in a browser of its own: a first-time visitor has no compiled wasm cached. (Lighthouse clears
 *  the HTTP cache between runs, not V8's code cache; with the wasm compiled from cache the app filled the
 *  page before its first paint, and Lighthouse's simulated slow network then put that paint after the
 *  wasm's download, 2 s later than a first visit sees it.) */
async function audit(url, config) {
  const chrome = await launchChrome({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    return (await lighthouse(url, { port: chrome.port, onlyCategories: CATEGORIES, logLevel: 'error' }, config)).lhr;
  } finally {
    await chrome.kill();
  }
}

const server = await serve({ host: true });
let failed = false;
try {
  for (const [profile, config] of PROFILES) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const lhr = await audit(`${server.url}/${QUERY}`, config);
      if (lhr.runtimeError) throw new Error(`${profile}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      const run = Object.fromEntries([
        ...CATEGORIES.map(c => [c, lhr.categories[c].score]),
        ...Object.entries(METRICS).map(([name, audit]) => [name, lhr.audits[audit].numericValue]),
      ]);
      runs.push(run);
      // What kept a category below 1, so a low score says where to look.
      const short = CATEGORIES.flatMap(c => lhr.categories[c].auditRefs
        .filter(ref => ref.weight > 0 && (lhr.audits[ref.id].score ?? 1) < 1 && c !== 'performance')
        .map(ref => `${c}: ${ref.id}`));
      const lcp = lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.selector;
      console.log(`${profile} run ${i + 1}: ` + CATEGORIES.map(c => `${c} ${run[c].toFixed(2)}`).join(', ') + '; ' +
        Object.keys(METRICS).map(m => `${m} ${show(m, run[m])}`).join(', ') + (lcp ? ` (LCP: ${lcp})` : '') +
        (short.length ? `\n  below 1: ${short.join(', ')}` : ''));
    }
    const mid = Object.fromEntries(Object.keys(runs[0]).map(key => [key, median(runs.map(r => r[key]))]));
    console.log(`${profile} median of ${RUNS}: ` + CATEGORIES.map(c => `${c} ${mid[c].toFixed(2)}`).join(', ') + '; ' +
      Object.keys(METRICS).map(m => `${m} ${show(m, mid[m])}`).join(', '));
    // The targets (issue 14): CLS ≤ 0.05, performance ≥ 0.95 desktop / 0.90 mobile, accessibility 1.
    const target = profile === 'desktop' ? 0.95 : 0.9;
    if (mid.CLS > 0.05 || mid.performance < target || mid.accessibility < 1) {
      console.log(`${profile}: below target (CLS ≤ 0.05, performance ≥ ${target}, accessibility 1)`);
      failed = true;
    }
  }
} finally {
  await server.close();
}
process.exitCode = failed ? 1 : 0;
