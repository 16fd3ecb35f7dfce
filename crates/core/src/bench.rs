//! The benchmark workloads, shared by `dynabatch bench` (native) and the bench page (wasm), so that both
//! sides time exactly the same work and print the same JSON lines.
//!
//! The caller brings the clock (`Instant` natively, `performance.now()` in the page: std has no clock on
//! wasm32-unknown-unknown) and the thread pool: every workload runs on the current rayon pool.
//! Each record carries a checksum of what it computed, so a run also shows that native and wasm, and
//! every thread count, computed the same bits.

use crate::algorithms::Trainer;
use crate::experiment::Experiment;
use crate::problems::math::LANES;
use crate::problems::{self, vmath};
use crate::rng::{Purpose, Stream};

/// Nodes per round in the throughput workloads, as in the paper's network study.
pub const NODES: usize = 8;
/// Samples per node per round in the throughput workloads: a mid-run CR-PSGD batch.
pub const BATCH: u64 = 256;
/// The per-round overhead workload: PSGD with one sample per node, where rounds are nearly all overhead.
pub const ROUND_QUERY: &str = "alg=psgd&problem=breast-cancer&N=8&B1=1&T=20000&every=1000000";
/// Points per curve in the chart workload.
pub const CHART_POINTS: usize = 100_000;
/// Each timing is the fastest of this many repetitions, each at least `REP_MS` long: other processes
/// only ever slow a repetition down, so the fastest is the closest to the work's own cost.
const REPS: usize = 5;
const REP_MS: f64 = 150.0;

/// A throughput case: a problem as a share link's query string.
pub struct Case {
    pub name: &'static str,
    pub query: &'static str,
}

pub const CASES: [Case; 4] = [
    Case {
        name: "breast-cancer",
        query: "problem=breast-cancer",
    },
    Case {
        name: "digits",
        query: "problem=digits",
    },
    Case {
        name: "digits-mlp",
        query: "problem=digits-mlp",
    },
    Case {
        name: "synthetic-784",
        query: "problem=synthetic&n=1000&d=784",
    },
];

/// One measurement.
#[derive(Clone, Debug)]
pub struct Record {
    pub workload: &'static str,
    pub case: &'static str,
    pub threads: usize,
    pub value: f64,
    pub unit: &'static str,
    /// A hash of the bits the workload computed (0 where there is nothing to compare).
    pub checksum: u64,
}

impl Record {
    /// One JSON object per line; `side` says who measured it ("native", "wasm", "tfjs").
    pub fn json(&self, side: &str) -> String {
        let value = if self.value.is_finite() {
            self.value.to_string()
        } else {
            "null".into()
        };
        format!(
            "{{\"side\":\"{side}\",\"workload\":\"{}\",\"case\":\"{}\",\"threads\":{},\"value\":{value},\"unit\":\"{}\",\"checksum\":\"{:016x}\"}}",
            self.workload, self.case, self.threads, self.unit, self.checksum
        )
    }
}

/// Every compute workload on the current pool: throughput of each case, then the per-round overhead.
pub fn compute_suite(now: &dyn Fn() -> f64) -> Result<Vec<Record>, String> {
    let mut records = vec![Record {
        workload: "simd",
        case: problems::simd::name(),
        threads: rayon::current_num_threads(),
        value: f64::NAN,
        unit: "",
        checksum: 0,
    }];
    for case in &CASES {
        records.push(throughput(case, now)?);
    }
    records.push(round_overhead(now)?);
    records.extend(small_rounds(now)?);
    records.extend(ceilings(now));
    if rayon::current_num_threads() == 1 {
        // The loop and call alone, to subtract from the others.
        records.push(transcendental("identity", |x| x, now));
        records.push(transcendental("exp", libm::exp, now));
        records.push(transcendental("tanh", libm::tanh, now));
        // The kernels' own, over the same inputs: the same bits (checksums), a slice at a time.
        records.push(vectorised("vmath-exp", vmath::apply::<vmath::Exp>, now));
        records.push(vectorised("vmath-tanh", vmath::apply::<vmath::Tanh>, now));
    }
    Ok(records)
}

/// The thread counts a suite runs at: 1, 2, 4, … below `all`, then `all` (both sides use the same).
pub fn thread_counts(all: usize) -> Vec<usize> {
    let mut counts: Vec<usize> = std::iter::successors(Some(1usize), |t| t.checked_mul(2))
        .take_while(|&t| t < all)
        .collect();
    counts.push(all.max(1));
    counts
}

fn experiment(query: &str) -> Result<Experiment, String> {
    Experiment::from_query_strict(query).map_err(|n| format!("{query}: {}", n.problem))
}

/// Sample gradients per second: CR-PSGD rounds of `NODES` mini-batch gradients of `BATCH` samples each,
/// from a fixed point, timed on the trainer's own round (`Trainer::round_from`): spread over the pool,
/// averaged in node order, and the update.
pub fn throughput(case: &Case, now: &dyn Fn() -> f64) -> Result<Record, String> {
    // The seed keys the nodes' sample streams (and the synthetic data set).
    let experiment = experiment(&format!("{}&N={NODES}&seed=7", case.query))?;
    let mut trainer = Trainer::new(&experiment);
    let w = away_from(trainer.iterate());
    let checksum = hash(trainer.round_from(&w, BATCH));
    let ms_per_round = ms_per_unit(now, |count| {
        for _ in 0..count {
            trainer.round_from(&w, BATCH);
        }
    });
    Ok(Record {
        workload: "throughput",
        case: case.name,
        threads: rayon::current_num_threads(),
        value: (NODES as u64 * BATCH) as f64 * 1000.0 / ms_per_round,
        unit: "samples/s",
        checksum,
    })
}

/// Microseconds per round of a whole PSGD run with N = 8 and B = 1: the rounds' fixed cost (spreading
/// the nodes over the pool, collecting and averaging their gradients, the update), since the gradients
/// themselves are 8 samples of 31 features.
pub fn round_overhead(now: &dyn Fn() -> f64) -> Result<Record, String> {
    per_round("psgd-N8-B1", ROUND_QUERY, now)
}

/// Microseconds per round of a whole run of `query`, the fastest of `REPS`, each from a new trainer.
fn per_round(case: &'static str, query: &str, now: &dyn Fn() -> f64) -> Result<Record, String> {
    let e = experiment(query)?;
    let mut timings = Vec::with_capacity(REPS);
    let mut checksum = 0;
    for _ in 0..REPS {
        let mut trainer = Trainer::new(&e);
        let start = now();
        let mut last = None;
        while let Some(row) = trainer.step() {
            last = Some(row);
        }
        let elapsed = now() - start;
        timings.push(elapsed * 1000.0 / trainer.round().max(1) as f64);
        checksum = last.map_or(0, |r| hash(&[r.loss, r.grad_norm]));
    }
    Ok(Record {
        workload: "round",
        case,
        threads: rayon::current_num_threads(),
        value: fastest(timings),
        unit: "us/round",
        checksum,
    })
}

/// Nanoseconds per call of a `libm` function over [−4, 4]: what the kernels called before `vmath`, the
/// same source on every target, so the difference between targets is the compilers'.
pub fn transcendental(name: &'static str, f: fn(f64) -> f64, now: &dyn Fn() -> f64) -> Record {
    let inputs = transcendental_inputs();
    let checksum = hash(&inputs.iter().map(|&x| f(x)).collect::<Vec<_>>());
    let ms = ms_per_unit(now, |count| {
        for _ in 0..count {
            for &x in &inputs {
                std::hint::black_box(f(std::hint::black_box(x)));
            }
        }
    });
    Record {
        workload: "libm",
        case: name,
        threads: 1,
        value: ms * 1e6 / inputs.len() as f64,
        unit: "ns/call",
        checksum,
    }
}

fn transcendental_inputs() -> Vec<f64> {
    (0..1024).map(|i| -4.0 + i as f64 / 128.0).collect()
}

/// Nanoseconds per value of a `vmath` function over `transcendental`'s inputs, a slice at a time as
/// the kernels call it (the copy of the inputs included).
pub fn vectorised(name: &'static str, f: fn(&mut [f64]), now: &dyn Fn() -> f64) -> Record {
    let inputs = transcendental_inputs();
    let mut values = inputs.clone();
    f(&mut values);
    let checksum = hash(&values);
    let ms = ms_per_unit(now, |count| {
        for _ in 0..count {
            values.copy_from_slice(&inputs);
            f(std::hint::black_box(&mut values));
        }
    });
    Record {
        workload: "libm",
        case: name,
        threads: 1,
        value: ms * 1e6 / inputs.len() as f64,
        unit: "ns/value",
        checksum,
    }
}

/// A 100k-point history shaped like a run's f − f*: a noisy power-law decay with spikes.
pub fn chart_history(points: usize) -> Vec<(f64, f64)> {
    let mut noise = Stream::new(1, Purpose::Data);
    (0..points)
        .map(|i| {
            let t = i as f64 + 1.0;
            let spike = if noise.below(500) == 0 { 30.0 } else { 1.0 };
            (t, spike * (1.0 + 0.5 * noise.unit()) / t)
        })
        .collect()
}

/// A point away from the start, where no weight is zero and every link function is in its curved part.
fn away_from(start: &[f64]) -> Vec<f64> {
    let mut s = Stream::new(11, Purpose::Data);
    start.iter().map(|v| v + 0.1 * s.normal()).collect()
}

/// Calibrates `work(count)` to about `REP_MS`, then returns the fastest of `REPS` timings, per unit.
pub fn ms_per_unit(now: &dyn Fn() -> f64, mut work: impl FnMut(u64)) -> f64 {
    let mut count = 1u64;
    loop {
        let start = now();
        work(count);
        let elapsed = now() - start;
        if elapsed >= REP_MS / 8.0 || count >= 1 << 40 {
            count = ((count as f64) * REP_MS / elapsed.max(1e-3))
                .ceil()
                .max(1.0) as u64;
            break;
        }
        count *= 8;
    }
    let timings = (0..REPS)
        .map(|_| {
            let start = now();
            work(count);
            (now() - start) / count as f64
        })
        .collect();
    fastest(timings)
}

// ---------------------------------------------------------------------------------------------------
// Small rounds (issue 15): where handing a round's nodes to other threads starts to pay.

/// Rounds of growing work for the `split` workload: a throughput case and its samples per node. Work
/// (samples × parameters over the 8 nodes) runs from 248 to 400k.
const SPLIT_REGIMES: [(&str, &[u64]); 3] = [
    ("breast-cancer", &[1, 8, 64, 512]),
    ("synthetic-784", &[1, 4, 16, 64]),
    ("digits-mlp", &[1, 4, 16]),
];

/// The `split` timings: batches of rounds about this long, this many of them.
const SPLIT_BATCH_MS: f64 = 0.5;
const SPLIT_BATCHES: usize = 200;

/// Milliseconds per unit of `work(count)`, from many short batches: the 10th percentile of their times
/// per unit. A round spread over two threads is only as fast as the later of them, and on a machine with
/// other work one is often descheduled for milliseconds: the fastest of a few long repetitions
/// (`ms_per_unit`) then still holds such waits, while the short batches that had both threads on a core
/// show what the round itself costs.
fn ms_per_unit_of_short_batches(now: &dyn Fn() -> f64, mut work: impl FnMut(u64)) -> f64 {
    let mut timed = |count: u64| {
        let start = now();
        work(count);
        now() - start
    };
    let mut count = 1u64;
    while timed(count) < SPLIT_BATCH_MS && count < 1 << 30 {
        count *= 2;
    }
    let mut per_unit: Vec<f64> = (0..SPLIT_BATCHES)
        .map(|_| timed(count) / count as f64)
        .collect();
    per_unit.sort_by(f64::total_cmp);
    per_unit[SPLIT_BATCHES / 10]
}

/// Links whose whole run the bench page times in the app, at Fast speed, in the threaded and the serial
/// build (`www/bench.js`): the rounds from tiny to large. The first is issue 15's goal (≤ 8 µs a round
/// end to end); across them the threaded build should never be slower than the serial one.
pub const APP_REGIMES: [Case; 5] = [
    Case {
        name: "psgd-N8-B1-T20k",
        query: "alg=psgd&problem=breast-cancer&N=8&B1=1&T=20000",
    },
    Case {
        name: "psgd-N32-B1-T200k",
        query: "alg=psgd&problem=breast-cancer&N=32&B1=1&T=200000",
    },
    Case {
        name: "psgd-d784-B4",
        query: "alg=psgd&problem=synthetic&n=2000&d=784&N=8&B1=4&T=20000",
    },
    Case {
        name: "psgd-d784-B64",
        query: "alg=psgd&problem=synthetic&n=2000&d=784&N=8&B1=64&T=200000",
    },
    Case {
        name: "crpsgd-digits",
        query: "alg=crpsgd&problem=digits&N=8&B1=8&rho=1.02&T=400000",
    },
];

/// Small rounds: the app's tiny-round link as the page runs it, with its 1000 recorded rows (each
/// evaluates the full f and ∇f; `round_overhead` records none), in µs per round. Then, on pools of more
/// than one thread, the `split` workload: µs per round of each regime with its nodes all on the calling
/// thread (`here:`) and spread over the pool (`spread:`), and the threshold that the trainer uses between
/// them. Case names read `here:breast-cancer,B=1,work=248`.
pub fn small_rounds(now: &dyn Fn() -> f64) -> Result<Vec<Record>, String> {
    let mut records = vec![per_round("psgd-N8-B1-recorded", APP_REGIMES[0].query, now)?];
    let threads = rayon::current_num_threads();
    if threads == 1 {
        return Ok(records);
    }
    records.push(Record {
        workload: "split",
        case: "threshold",
        threads,
        value: crate::nodes::SPREAD_MIN_WORK as f64,
        unit: "samples*parameters",
        checksum: 0,
    });
    for (name, batches) in SPLIT_REGIMES {
        let case = CASES
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| format!("no throughput case {name}"))?;
        let e = experiment(&format!("{}&N={NODES}&seed=7", case.query))?;
        for &batch in batches {
            for (placement, min_work) in [("here", u64::MAX), ("spread", 0)] {
                // A new trainer for each, so that both compute the same rounds (the same checksum).
                let mut trainer = Trainer::new(&e);
                trainer.set_spread_min_work(min_work);
                let w = away_from(trainer.iterate());
                let work = NODES as u64 * batch * w.len() as u64;
                let regime = format!("{name},B={batch},work={work}");
                let checksum = hash(trainer.round_from(&w, batch));
                let ms = ms_per_unit_of_short_batches(now, |count| {
                    for _ in 0..count {
                        trainer.round_from(&w, batch);
                    }
                });
                records.push(Record {
                    workload: "split",
                    case: leak(format!("{placement}:{regime}")),
                    threads,
                    value: ms * 1000.0,
                    unit: "us/round",
                    checksum,
                });
            }
        }
    }
    Ok(records)
}

/// A record's case is `&'static str` (most are constants); the few built ones live as long as the run.
fn leak(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}

// ---------------------------------------------------------------------------------------------------
// The roofline (issue 15): this machine's ceilings, and what each kernel does per sample.

/// What one sample gradient of a throughput case costs, counted from the kernels in
/// `problems/linear.rs` and `problems/mlp.rs` (docs/PERFORMANCE.md, "The roofline"): the f64 additions,
/// subtractions, multiplications and divisions (not the comparisons of a max), and the calls of `exp`
/// and `tanh`, counted apart since their cost is their own. With c columns (the bias included), K
/// classes and H hidden units:
/// - logistic: a dot product and an axpy of c (2c each), the sigmoid's add and divide, the residual:
///   4c + 3, and one exp;
/// - softmax: K dot products and K axpys of c, and per class the shift, the sum, the division and the
///   residual: 4Kc + 4K, and K exp;
/// - the network: the hidden layer forward and its gradient (2Hc each), the output layer forward, its
///   gradient and the back-propagation to the hidden layer (2KH each), the output biases and their
///   gradients (K each), softmax and residuals (4K), tanh's derivative (3H): 4Hc + 6KH + 6K + 3H, and
///   H tanh and K exp.
///
/// Bytes are the sample's row of features, read once per sample gradient (8c); the weights and the
/// gradient stay in the first-level cache. Where the data set is larger than the caches, these come
/// from memory.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleCost {
    pub flops: u64,
    pub exp: u64,
    pub tanh: u64,
    pub bytes: u64,
    /// The data set's features: the footprint the rows are read from.
    pub data_bytes: u64,
}

impl SampleCost {
    pub fn of(case: &Case) -> Result<SampleCost, String> {
        use crate::choices::ProblemKind;
        let e = experiment(case.query)?;
        let data = crate::data::Dataset::for_experiment(&e);
        let (c, k, h) = (
            data.cols as u64,
            data.labels.count() as u64,
            e.hidden as u64,
        );
        let (flops, exp, tanh) = match e.problem {
            ProblemKind::BreastCancer | ProblemKind::Synthetic => (4 * c + 3, 1, 0),
            ProblemKind::Digits => (4 * k * c + 4 * k, k, 0),
            ProblemKind::DigitsMlp => (4 * h * c + 6 * k * h + 6 * k + 3 * h, k, h),
            ProblemKind::Landscape | ProblemKind::Data => {
                return Err(format!("{}: no sample cost counted", case.name))
            }
        };
        Ok(SampleCost {
            flops,
            exp,
            tanh,
            bytes: 8 * c,
            data_bytes: 8 * c * data.rows as u64,
        })
    }
}

/// The footprints of the bandwidth test, in bytes over its three arrays: about the size of the cases'
/// data sets (breast-cancer's 141 kB, digits' 935 kB, synthetic-784's 6.3 MB), then far beyond any
/// cache (main memory).
pub const TRIAD_FOOTPRINTS: [u64; 4] = [144 << 10, 1 << 20, 6 << 20, 192 << 20];

/// This machine's ceilings on the current pool, all its threads at once: the peak of the kernels'
/// instruction mix (`peak`, GFLOP/s) and a STREAM-like triad at each footprint (`triad`, GB/s); at one
/// thread, also each case's counted cost per sample (`cost`).
pub fn ceilings(now: &dyn Fn() -> f64) -> Vec<Record> {
    let threads = rayon::current_num_threads();
    let mut records = vec![peak_flops(now)];
    for footprint in TRIAD_FOOTPRINTS {
        records.push(triad(footprint, now));
    }
    if threads == 1 {
        for case in &CASES {
            let Ok(cost) = SampleCost::of(case) else {
                continue;
            };
            for (what, value, unit) in [
                ("flops", cost.flops, "flop/sample"),
                ("exp", cost.exp, "calls/sample"),
                ("tanh", cost.tanh, "calls/sample"),
                ("bytes", cost.bytes, "bytes/sample"),
                ("data", cost.data_bytes, "bytes"),
            ] {
                records.push(Record {
                    workload: "cost",
                    case: leak(format!("{}:{what}", case.name)),
                    threads,
                    value: value as f64,
                    unit,
                    checksum: 0,
                });
            }
        }
    }
    records
}

/// The kernels' instruction mix, from registers: `CHAINS` lane arrays of accumulators, each adding
/// `x·m` to itself every iteration (`acc += x·m`, as a dot product adds `row·w`: the multiply is off the
/// dependency chain, the add on it), vectorised as the kernels are (`[f64; 4]` lanes; no FMA). `m` is
/// scaled by `drift` (close to 1) every iteration, so that `x·m` cannot be hoisted out of the loop; that
/// scalar multiply is not counted. Returns the accumulators, so nothing is optimised away (and nothing
/// after the loop mixes their lanes, which made the compiler keep them in narrower vectors).
#[inline(always)]
fn mul_add_chains<const CHAINS: usize>(iterations: u64, drift: f64) -> [[f64; LANES]; CHAINS] {
    let mut acc = [[0.0f64; LANES]; CHAINS];
    let mut x = [[0.0f64; LANES]; CHAINS];
    for (k, chain) in x.iter_mut().enumerate() {
        for (lane, v) in chain.iter_mut().enumerate() {
            *v = 1.0 + (k * LANES + lane) as f64 / 64.0;
        }
    }
    // Opaque, or the compiler folds the constants into scalar code.
    let x = std::hint::black_box(x);
    let mut m = 1.0;
    for _ in 0..iterations {
        for (acc, x) in acc.iter_mut().zip(&x) {
            for lane in 0..LANES {
                acc[lane] += x[lane] * m;
            }
        }
        m *= drift;
    }
    acc
}

/// Peak GFLOP/s of the kernels' mix on every pool thread at once: the best of a few chain counts (how
/// many independent chains fill the pipelines depends on the CPU's latencies, and how many fit in
/// registers on the vector width: 16 registers hold 7 chains and their operands with AVX2, 3 with SSE2
/// or simd128).
fn peak_flops(now: &dyn Fn() -> f64) -> Record {
    use crate::problems::simd::widest;
    const STEPS: u64 = 4096;
    const DRIFT: f64 = 1.0 - 1e-12;
    fn timed<const CHAINS: usize>(now: &dyn Fn() -> f64) -> f64 {
        let drift = std::hint::black_box(DRIFT);
        let ms = ms_per_unit(now, |count| {
            rayon::broadcast(|_| {
                std::hint::black_box(widest(
                    #[inline(always)]
                    || mul_add_chains::<CHAINS>(count * STEPS, drift),
                ));
            });
        });
        let threads = rayon::current_num_threads() as f64;
        threads * (STEPS * CHAINS as u64 * LANES as u64 * 2) as f64 / ms / 1e6
    }
    let best = [
        timed::<2>(now),
        timed::<3>(now),
        timed::<4>(now),
        timed::<6>(now),
        timed::<7>(now),
        timed::<8>(now),
    ]
    .into_iter()
    .fold(f64::NAN, f64::max);
    Record {
        workload: "peak",
        case: "mul+add",
        threads: rayon::current_num_threads(),
        value: best,
        unit: "GFLOP/s",
        // A fixed count's result: the same bits on every side (the timed counts differ).
        checksum: hash(mul_add_chains::<4>(STEPS, DRIFT).as_flattened()),
    }
}

/// a ← b + s·c over `footprint` bytes in three arrays, split over the pool threads, in GB/s counted as
/// STREAM does (24 bytes per element: two reads and a write).
fn triad(footprint: u64, now: &dyn Fn() -> f64) -> Record {
    use crate::problems::simd::widest;
    use rayon::prelude::*;
    let len = (footprint / 24) as usize;
    let threads = rayon::current_num_threads();
    let chunk = len.div_ceil(threads).max(1);
    let mut a = vec![0.0f64; len];
    let b: Vec<f64> = (0..len).map(|i| i as f64).collect();
    let c: Vec<f64> = (0..len).map(|i| (len - i) as f64).collect();
    let s = std::hint::black_box(0.5);
    let ms = ms_per_unit(now, |count| {
        for _ in 0..count {
            a.par_chunks_mut(chunk)
                .zip(b.par_chunks(chunk))
                .zip(c.par_chunks(chunk))
                .for_each(|((a, b), c)| {
                    widest(
                        #[inline(always)]
                        || {
                            for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
                                *a = b + s * c;
                            }
                        },
                    )
                });
        }
    });
    Record {
        workload: "triad",
        case: leak(format!("{}kB", footprint >> 10)),
        threads,
        value: (24 * len) as f64 / ms / 1e6,
        unit: "GB/s",
        checksum: hash(&a[..a.len().min(64)]),
    }
}

// ---------------------------------------------------------------------------------------------------
// Scale (issue 15, part 4): how the cost of a run grows with N, d and T, and a data file of 100k rows.
// Natively only (`dynabatch bench --scale`): the sizes are the CLI's, not the page's.

/// The run every `scale` grid point varies one parameter of: PSGD on synthetic data (n = 2000), 16
/// samples per node and round, λ = 0 (so no f* is solved: the rounds alone are timed) and no rows but the
/// first and last.
const SCALE_BASE: ScalePoint = ScalePoint {
    nodes: 8,
    features: 100,
    budget: 100_000,
};
const SCALE_NODES: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];
const SCALE_FEATURES: [usize; 5] = [10, 30, 100, 300, 999];
const SCALE_BUDGETS: [u64; 5] = [10_000, 30_000, 100_000, 300_000, 1_000_000];
/// Each grid point is the fastest of this many runs.
const SCALE_REPS: usize = 3;

/// One point of the `scale` grid.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScalePoint {
    pub nodes: usize,
    pub features: usize,
    pub budget: u64,
}

impl ScalePoint {
    fn query(&self) -> String {
        format!(
            "alg=psgd&problem=synthetic&n=2000&d={}&N={}&B1=16&T={}&lambda=0&every=1000000&seed=3",
            self.features, self.nodes, self.budget
        )
    }

    /// Sample gradients times parameters over the whole run: the work that a run's time should follow.
    pub fn work(&self) -> f64 {
        self.nodes as f64 * self.budget as f64 * (self.features + 1) as f64
    }

    /// The record's case: which parameter this series varies, then the point.
    fn case(&self, varied: &str) -> &'static str {
        leak(format!(
            "{varied}:N={},d={},T={}",
            self.nodes, self.features, self.budget
        ))
    }
}

/// One timed run of the `scale` grid: which parameter its series varies (`"N"`, `"d"` or `"T"`), the
/// point, and its record.
pub struct ScaleRun {
    pub varied: &'static str,
    pub point: ScalePoint,
    pub record: Record,
}

/// The `scale` grid on the current pool: seconds per run as N, then d, then T varies from `SCALE_BASE`
/// (case `N:N=8,d=100,T=100000`; building the trainer, i.e. the data set, is not timed).
pub fn scale_grid(now: &dyn Fn() -> f64) -> Result<Vec<ScaleRun>, String> {
    let mut points = Vec::new();
    points.extend(SCALE_NODES.map(|nodes| {
        (
            "N",
            ScalePoint {
                nodes,
                ..SCALE_BASE
            },
        )
    }));
    points.extend(SCALE_FEATURES.map(|features| {
        (
            "d",
            ScalePoint {
                features,
                ..SCALE_BASE
            },
        )
    }));
    points.extend(SCALE_BUDGETS.map(|budget| {
        (
            "T",
            ScalePoint {
                budget,
                ..SCALE_BASE
            },
        )
    }));
    let mut runs = Vec::new();
    for (varied, point) in points {
        let e = experiment(&point.query())?;
        let mut timings = Vec::new();
        let mut checksum = 0;
        for _ in 0..SCALE_REPS {
            let trainer = Trainer::new(&e);
            let start = now();
            let rows = trainer.run_to_end();
            timings.push((now() - start) / 1000.0);
            checksum = rows.last().map_or(0, |r| hash(&[r.loss, r.grad_norm]));
        }
        let record = Record {
            workload: "scale",
            case: point.case(varied),
            threads: rayon::current_num_threads(),
            value: fastest(timings),
            unit: "s",
            checksum,
        };
        runs.push(ScaleRun {
            varied,
            point,
            record,
        });
    }
    Ok(runs)
}

/// Rows and features of the generated data file.
pub const DATA_FILE_SHAPE: (usize, usize) = (100_000, 100);

/// A CSV file of `rows` examples of `features` features (printed with 6 decimals, as a spreadsheet
/// would) and a 0/1 label from a noisy linear rule, with a header row: a user's data set, made up.
pub fn generated_csv(rows: usize, features: usize) -> Vec<u8> {
    use std::fmt::Write;
    let mut stream = Stream::new(5, Purpose::Data);
    let truth: Vec<f64> = (0..features).map(|_| stream.normal()).collect();
    let mut text = String::with_capacity(rows * (features + 1) * 10);
    let names: Vec<String> = (0..features).map(|j| format!("x{j}")).collect();
    let _ = writeln!(text, "{},label", names.join(","));
    let mut x = vec![0.0; features];
    for _ in 0..rows {
        x.iter_mut().for_each(|v| *v = 2.0 * stream.normal() + 1.0);
        let z: f64 = x.iter().zip(&truth).map(|(a, b)| a * b).sum::<f64>() + stream.normal();
        for v in &x {
            let _ = write!(text, "{v:.6},");
        }
        let _ = writeln!(text, "{}", u8::from(z > 0.0));
    }
    text.into_bytes()
}

/// The data file workloads on the current pool: reading `bytes` (a CSV, e.g. [`generated_csv`]) in
/// MB/s and rows/s, then training PSGD on it (N = 8, 64 samples per node and round), in sample
/// gradients per second, and one recorded row (the full f and ∇f over every example), in ms.
pub fn data_file(bytes: &[u8], now: &dyn Fn() -> f64) -> Result<Vec<Record>, String> {
    use crate::data::file::{self, Limit};
    const QUERY: &str = "problem=data&alg=psgd&N=8&B1=64&T=20000&lambda=0&every=1000000&seed=3";
    let e = experiment(QUERY)?;
    let options = e.file_options();
    let mut timings = Vec::new();
    let mut data = None;
    for _ in 0..SCALE_REPS {
        let start = now();
        data = Some(file::read(bytes, &options, Limit::NONE).map_err(|err| err.to_string())?);
        timings.push(now() - start);
    }
    let data = data.ok_or("no read")?;
    let rows = data.dataset.rows as f64;
    let read_ms = fastest(timings);
    let threads = rayon::current_num_threads();
    let record = |case: &'static str, value: f64, unit: &'static str| Record {
        workload: "data-file",
        case,
        threads,
        value,
        unit,
        checksum: 0,
    };
    let mut records = vec![
        record("bytes", bytes.len() as f64, "bytes"),
        record("rows", rows, "rows"),
        record("read", bytes.len() as f64 / read_ms / 1000.0, "MB/s"),
        record("read-rows", rows / read_ms * 1000.0, "rows/s"),
    ];
    let mut train = Vec::new();
    let mut row = Vec::new();
    for _ in 0..SCALE_REPS {
        let mut trainer = Trainer::with_data(&e, &data);
        let start = now();
        trainer.start_row();
        row.push(now() - start);
        let start = now();
        while trainer.step().is_some() {}
        // Less the last round's row, timed above.
        train.push(now() - start - row[row.len() - 1]);
    }
    let samples = (e.nodes as u64 * e.budget) as f64;
    records.push(record(
        "train",
        samples / fastest(train) * 1000.0,
        "samples/s",
    ));
    records.push(record("row", fastest(row), "ms"));
    Ok(records)
}

fn fastest(v: Vec<f64>) -> f64 {
    v.into_iter().fold(f64::NAN, f64::min)
}

/// FNV-1a over the values' bits: equal checksums mean equal bits (with overwhelming probability).
pub fn hash(values: &[f64]) -> u64 {
    values.iter().fold(0xcbf2_9ce4_8422_2325, |h, v| {
        v.to_bits()
            .to_le_bytes()
            .iter()
            .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_json_lines() {
        let r = Record {
            workload: "round",
            case: "c",
            threads: 2,
            value: 1.5,
            unit: "us/round",
            checksum: 255,
        };
        assert_eq!(
            r.json("native"),
            r#"{"side":"native","workload":"round","case":"c","threads":2,"value":1.5,"unit":"us/round","checksum":"00000000000000ff"}"#
        );
    }

    #[test]
    fn thread_counts_double_up_to_all() {
        assert_eq!(thread_counts(1), [1]);
        assert_eq!(thread_counts(2), [1, 2]);
        assert_eq!(thread_counts(6), [1, 2, 4, 6]);
    }

    /// The counts docs/PERFORMANCE.md's roofline tables were made with ("What a sample gradient costs").
    #[test]
    fn the_roofline_counts_each_case_as_before() {
        let counted = |name: &str| {
            let case = CASES.iter().find(|c| c.name == name).expect("a case");
            let cost = SampleCost::of(case).expect("counted");
            (cost.flops, cost.exp, cost.tanh, cost.bytes, cost.data_bytes)
        };
        assert_eq!(counted("breast-cancer"), (127, 1, 0, 248, 141_112));
        assert_eq!(counted("digits"), (2640, 10, 0, 520, 934_440));
        assert_eq!(counted("digits-mlp"), (10_396, 10, 32, 520, 934_440));
        assert_eq!(counted("synthetic-784"), (3143, 1, 0, 6280, 6_280_000));
    }

    #[test]
    fn every_query_parses() {
        for case in &CASES {
            assert!(experiment(case.query).is_ok(), "{}", case.name);
        }
        assert!(experiment(ROUND_QUERY).is_ok());
    }
}
