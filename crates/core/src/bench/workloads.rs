//! What is timed: throughput of each case's round, whole runs' rounds (`round`), the transcendental
//! functions (`libm`), the chart's history, and rounds with their nodes here or spread (`split`).

use super::harness::{
    experiment, fastest, hash, leak, ms_per_unit, ms_per_unit_of_short_batches, REPS,
};
use super::{Case, Record, BATCH, CASES, NODES, ROUND_QUERY};
use crate::algorithms::Trainer;
use crate::rng::{Purpose, Stream};

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

/// Rounds of growing work for the `split` workload: a throughput case and its samples per node. Work
/// (samples × parameters over the 8 nodes) runs from 248 to 400k.
const SPLIT_REGIMES: [(&str, &[u64]); 3] = [
    ("breast-cancer", &[1, 8, 64, 512]),
    ("synthetic-784", &[1, 4, 16, 64]),
    ("digits-mlp", &[1, 4, 16]),
];

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
