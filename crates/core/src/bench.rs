//! The benchmark workloads, shared by `dynabatch bench` (native) and the bench page (wasm), so that both
//! sides time exactly the same work and print the same JSON lines.
//!
//! The caller brings the clock (`Instant` natively, `performance.now()` in the page: std has no clock on
//! wasm32-unknown-unknown) and the thread pool: every workload runs on the current rayon pool.
//! Each record carries a checksum of what it computed, so a run also shows that native and wasm, and
//! every thread count, computed the same bits.

use crate::algorithms::Trainer;
use crate::experiment::Experiment;
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
    let e = experiment(ROUND_QUERY)?;
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
        case: "psgd-N8-B1",
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

    #[test]
    fn every_query_parses() {
        for case in &CASES {
            assert!(experiment(case.query).is_ok(), "{}", case.name);
        }
        assert!(experiment(ROUND_QUERY).is_ok());
    }
}
