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

fn checksums(records: &[Record]) -> Vec<(&'static str, u64)> {
    records
        .iter()
        .filter(|r| !matches!(r.workload, "simd" | "libm"))
        .map(|r| (r.case, r.checksum))
        .collect()
}

#[test]
fn workloads_compute_the_same_bits_on_any_pool_and_encoding() {
    let widest = suite(1);
    let names: Vec<_> = widest.iter().map(|r| (r.workload, r.case)).collect();
    assert_eq!(names.len(), 1 + bench::CASES.len() + 1 + 5, "{names:?}");
    // The kernels' vectorised exp and tanh compute libm's bits.
    let checksum = |case: &str| widest.iter().find(|r| r.case == case).map(|r| r.checksum);
    assert_eq!(checksum("vmath-exp"), checksum("exp"));
    assert_eq!(checksum("vmath-tanh"), checksum("tanh"));
    for r in &widest {
        let line = r.json("native");
        assert!(
            line.starts_with("{\"side\":\"native\"") && line.ends_with("\"}"),
            "{line}"
        );
        if r.workload != "simd" {
            assert!(r.value.is_finite() && r.value > 0.0, "{line}");
            assert_ne!(r.checksum, 0, "{line}");
        }
    }
    assert_eq!(checksums(&suite(3)), checksums(&widest), "3 threads vs 1");
    // Natively on x86-64 the kernels also exist for the baseline SSE2: same bits as AVX2.
    simd::baseline_only();
    assert_ne!(simd::name(), "avx2");
    assert_eq!(
        checksums(&suite(2)),
        checksums(&widest),
        "baseline encoding"
    );
}
