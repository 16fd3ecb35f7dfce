//! How a workload is timed (calibrated repetitions, the fastest of them, or a percentile of many short
//! batches) and recorded (checksums of the bits computed, case names).

use crate::experiment::Experiment;

/// Each timing is the fastest of this many repetitions, each at least `REP_MS` long: other processes
/// only ever slow a repetition down, so the fastest is the closest to the work's own cost.
pub(super) const REPS: usize = 5;
const REP_MS: f64 = 150.0;

/// A workload's link, read strictly: the links are the benchmark's own, so a notice is a bug in them.
pub(super) fn experiment(query: &str) -> Result<Experiment, String> {
    Experiment::from_query_strict(query).map_err(|n| format!("{query}: {}", n.problem))
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

/// Short batches (the `split` workload's timings): each about this long, this many of them.
const SHORT_BATCH_MS: f64 = 0.5;
const SHORT_BATCHES: usize = 200;

/// Milliseconds per unit of `work(count)`, from many short batches: the 10th percentile of their times
/// per unit. A round spread over two threads is only as fast as the later of them, and on a machine with
/// other work one is often descheduled for milliseconds: the fastest of a few long repetitions
/// (`ms_per_unit`) then still holds such waits, while the short batches that had both threads on a core
/// show what the round itself costs.
pub(super) fn ms_per_unit_of_short_batches(
    now: &dyn Fn() -> f64,
    mut work: impl FnMut(u64),
) -> f64 {
    let mut timed = |count: u64| {
        let start = now();
        work(count);
        now() - start
    };
    let mut count = 1u64;
    while timed(count) < SHORT_BATCH_MS && count < 1 << 30 {
        count *= 2;
    }
    let mut per_unit: Vec<f64> = (0..SHORT_BATCHES)
        .map(|_| timed(count) / count as f64)
        .collect();
    per_unit.sort_by(f64::total_cmp);
    per_unit[SHORT_BATCHES / 10]
}

/// The fastest of some timings: other work only ever slows one down.
pub(super) fn fastest(v: Vec<f64>) -> f64 {
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

/// A record's case is `&'static str` (most are constants); the few built ones live as long as the run.
pub(super) fn leak(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}
