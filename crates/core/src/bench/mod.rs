//! The benchmark workloads, shared by `dynabatch bench` (native) and the bench page (wasm), so that both
//! sides time exactly the same work and print the same JSON lines.
//!
//! The caller brings the clock (`Instant` natively, `performance.now()` in the page: std has no clock on
//! wasm32-unknown-unknown) and the thread pool: every workload runs on the current rayon pool.
//! Each record carries a checksum of what it computed, so a run also shows that native and wasm, and
//! every thread count, computed the same bits.
//!
//! Here: the cases and the suite. How a workload is timed and recorded is `harness`; what is timed,
//! `workloads`; the machine's ceilings and what each kernel costs, `roofline`; how a run's cost grows with
//! its size, `scale` (`dynabatch bench --scale`).

mod harness;
mod roofline;
mod scale;
mod workloads;

pub use harness::{hash, ms_per_unit};
pub use roofline::{ceilings, CaseCost, TRIAD_FOOTPRINTS};
pub use scale::{data_file, generated_csv, scale_grid, ScalePoint, ScaleRun, DATA_FILE_SHAPE};
pub use workloads::{
    chart_history, round_overhead, small_rounds, throughput, transcendental, vectorised,
    APP_REGIMES,
};

use crate::problems::{self, vmath};

/// Nodes per round in the throughput workloads, as in the paper's network study.
pub const NODES: usize = 8;
/// Samples per node per round in the throughput workloads: a mid-run CR-PSGD batch.
pub const BATCH: u64 = 256;
/// The per-round overhead workload: PSGD with one sample per node, where rounds are nearly all overhead.
pub const ROUND_QUERY: &str = "alg=psgd&problem=breast-cancer&N=8&B1=1&T=20000&every=1000000";
/// Points per curve in the chart workload.
pub const CHART_POINTS: usize = 100_000;

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
            assert!(harness::experiment(case.query).is_ok(), "{}", case.name);
        }
        assert!(harness::experiment(ROUND_QUERY).is_ok());
    }
}
