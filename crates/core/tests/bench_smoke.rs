//! The benchmark's workloads, run once each with a fake clock (so in milliseconds): they produce JSON
//! lines, and the bits they compute do not depend on the thread count or on the vector encoding.

use dynabatch_core::bench::{self, Record};
use dynabatch_core::problems::simd;
use std::cell::Cell;

/// A clock that jumps a second per reading: every calibration settles at one unit of work.
fn fake_clock() -> impl Fn() -> f64 {
    let t = Cell::new(0.0);
    move || {
        t.set(t.get() + 1000.0);
        t.get()
    }
}

fn suite(threads: usize) -> Vec<Record> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(|| {
        let now = fake_clock();
        bench::compute_suite(&now).expect("every workload runs")
    })
}

/// The bits of every workload that computes something the same on any pool: throughput, whole runs, the
/// ceilings' kernels. (`split` runs only on pools of several threads; `cost` is counted, not computed.)
fn checksums(records: &[Record]) -> Vec<(&'static str, &'static str, u64)> {
    records
        .iter()
        .filter(|r| matches!(r.workload, "throughput" | "round" | "peak" | "triad"))
        .map(|r| (r.workload, r.case, r.checksum))
        .collect()
}

#[test]
fn workloads_compute_the_same_bits_on_any_pool_and_encoding() {
    let widest = suite(1);
    let workloads: Vec<_> = widest.iter().map(|r| r.workload).collect();
    for workload in [
        "simd",
        "throughput",
        "round",
        "peak",
        "triad",
        "cost",
        "libm",
    ] {
        assert!(workloads.contains(&workload), "{workload}: {workloads:?}");
    }
    // The kernels' vectorised exp and tanh compute libm's bits.
    let checksum = |case: &str| widest.iter().find(|r| r.case == case).map(|r| r.checksum);
    assert_eq!(checksum("vmath-exp"), checksum("exp"));
    assert_eq!(checksum("vmath-tanh"), checksum("tanh"));
    let three = suite(3);
    for r in widest.iter().chain(&three) {
        let line = r.json("native");
        assert!(
            line.starts_with("{\"side\":\"native\"") && line.ends_with("\"}"),
            "{line}"
        );
        if r.workload != "simd" {
            assert!(r.value.is_finite() && r.value >= 0.0, "{line}");
        }
        if !matches!(r.workload, "simd" | "cost") && r.case != "threshold" {
            assert_ne!(r.checksum, 0, "{line}");
        }
    }
    assert_eq!(checksums(&three), checksums(&widest), "3 threads vs 1");
    // A round computes the same bits on one thread as spread over the pool.
    let split: Vec<_> = three.iter().filter(|r| r.workload == "split").collect();
    assert!(split.len() > 2, "{split:?}");
    for here in split.iter().filter(|r| r.case.starts_with("here:")) {
        let spread = format!("spread:{}", &here.case["here:".len()..]);
        let spread = split.iter().find(|r| r.case == spread).expect("both");
        assert_eq!(here.checksum, spread.checksum, "{}", here.case);
    }
    // Natively on x86-64 the kernels also exist for the baseline SSE2: same bits as AVX2.
    simd::baseline_only();
    assert_ne!(simd::name(), "avx2");
    assert_eq!(
        checksums(&suite(2)),
        checksums(&widest),
        "baseline encoding"
    );
}
