//! The roofline (issue 15): this machine's ceilings, and what each kernel does per sample.

use super::harness::{experiment, hash, leak, ms_per_unit};
use super::{Case, Record, CASES};
use crate::models::SampleCost;
use crate::problems::math::LANES;

/// What one sample gradient of a throughput case costs, as its model counts it (`models::SampleCost`:
/// flops, exp and tanh calls, and the bytes of the sample's row), and the footprint the rows are read
/// from: where the data set is larger than the caches, they come from memory.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CaseCost {
    pub sample: SampleCost,
    /// The data set's features.
    pub data_bytes: u64,
}

impl CaseCost {
    pub fn of(case: &Case) -> Result<CaseCost, String> {
        let e = experiment(case.query)?;
        let model = (e.problem.model().sized(&e))
            .ok_or_else(|| format!("{}: its link does not size its model", case.name))?;
        Ok(CaseCost {
            sample: model.sample_cost(),
            data_bytes: model.shape().map_or(0, |shape| shape.bytes()),
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
            let Ok(CaseCost { sample, data_bytes }) = CaseCost::of(case) else {
                continue;
            };
            for (what, value, unit) in [
                ("flops", sample.flops, "flop/sample"),
                ("exp", sample.exp, "calls/sample"),
                ("tanh", sample.tanh, "calls/sample"),
                ("bytes", sample.bytes, "bytes/sample"),
                ("data", data_bytes, "bytes"),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts docs/PERFORMANCE.md's roofline tables were made with ("What a sample gradient costs").
    #[test]
    fn the_roofline_counts_each_case_as_before() {
        let counted = |name: &str| {
            let case = CASES.iter().find(|c| c.name == name).expect("a case");
            let CaseCost { sample, data_bytes } = CaseCost::of(case).expect("counted");
            (
                sample.flops,
                sample.exp,
                sample.tanh,
                sample.bytes,
                data_bytes,
            )
        };
        assert_eq!(counted("breast-cancer"), (127, 1, 0, 248, 141_112));
        assert_eq!(counted("digits"), (2640, 10, 0, 520, 934_440));
        assert_eq!(counted("digits-mlp"), (10_396, 10, 32, 520, 934_440));
        assert_eq!(counted("synthetic-784"), (3143, 1, 0, 6280, 6_280_000));
    }
}
