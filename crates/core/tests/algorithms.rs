//! The rules of each algorithm, checked on the rows a run writes.

use dynabatch_core::algorithms::{batch_size, local_steps, Trainer};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::metrics::Row;
use dynabatch_core::problems;

fn experiment(query: &str) -> Experiment {
    Experiment::from_query_strict(query).expect("valid query")
}

fn rows(query: &str) -> Vec<Row> {
    Trainer::new(&experiment(query)).run_to_end()
}

#[test]
fn catalyst_runs_floor_sqrt_nt_outer_steps_of_budget_floor_sqrt_t_over_n() {
    // N = 8, T = 2000: ⌊√16000⌋ = 126 outer steps, each with budget ⌊√250⌋ = 15: batches 1, 2, 4, 8.
    let rows = rows("alg=catalyst&problem=breast-cancer&N=8&T=2000&B1=1&rho=2&theta=1&every=1");
    let outers: Vec<u64> = rows[1..].iter().map(|r| r.outer).collect();
    assert_eq!(outers.first(), Some(&1));
    assert_eq!(outers.last(), Some(&126));
    assert!(outers.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1));
    for k in 1..=126 {
        let batches: Vec<u64> = rows
            .iter()
            .filter(|r| r.outer == k)
            .map(|r| r.batch)
            .collect();
        assert_eq!(
            batches,
            [1, 2, 4, 8],
            "outer step {k} restarts at B₁ and stops within ⌊√(T/N)⌋ = 15"
        );
    }
    assert_eq!(rows.last().map(|r| (r.round, r.sfo)), Some((504, 126 * 15)));
    assert_eq!(rows[0].outer, 0);
}

#[test]
fn catalyst_reports_the_original_objective_not_the_proximal_one() {
    let e = experiment("alg=catalyst&problem=breast-cancer&N=2&T=400&B1=1&rho=2&theta=50");
    let mut trainer = Trainer::new(&e);
    let mut last = None;
    while let Some(row) = trainer.step() {
        last = Some(row);
    }
    let f = problems::build(&e);
    assert_eq!(last.map(|r| r.loss), Some(f.loss(trainer.iterate())));
}

#[test]
fn psgd_takes_fixed_batches_one_all_reduce_per_step() {
    let rows = rows("alg=psgd&B1=7&T=100&every=1");
    assert_eq!(rows.len() - 1, 14);
    assert!(rows[1..].iter().all(|r| r.batch == 7));
    assert!(rows[1..]
        .iter()
        .enumerate()
        .all(|(i, r)| r.sfo == 7 * (i as u64 + 1)));
}

#[test]
fn local_sgd_takes_h_steps_of_b1_per_round() {
    let rows = rows("alg=local&N=4&B1=3&H=5&T=100&every=1");
    assert_eq!(rows.len() - 1, 6, "⌊100 / (5·3)⌋ rounds");
    assert!(rows[1..]
        .iter()
        .enumerate()
        .all(|(i, r)| r.batch == 3 && r.sfo == 15 * (i as u64 + 1)));
    // H = ⌊T^¼ / N^¾⌋, at least 1.
    assert_eq!(local_steps(&experiment("alg=local&N=8&T=100000&H=auto")), 3);
    assert_eq!(local_steps(&experiment("alg=local&N=4&T=2000")), 2);
    assert_eq!(local_steps(&experiment("alg=local&N=64&T=100")), 1);
}

#[test]
fn local_sgd_with_one_step_is_parallel_sgd() {
    // Same samples (node streams are keyed by round), so the only difference is rounding in the average.
    let local = rows("alg=local&N=4&B1=2&H=1&T=200&every=1");
    let psgd = rows("alg=psgd&N=4&B1=2&T=200&every=1");
    assert_eq!(local.len(), psgd.len());
    for (a, b) in local.iter().zip(&psgd) {
        assert!((a.loss - b.loss).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}

#[test]
fn every_thins_rows_but_keeps_the_last_round() {
    let all = rows("alg=psgd&B1=1&T=1000&every=1");
    let thinned = rows("alg=psgd&B1=1&T=1000&every=300");
    let rounds: Vec<u64> = thinned.iter().map(|r| r.round).collect();
    assert_eq!(rounds, [0, 300, 600, 900, 1000]);
    for r in &thinned {
        assert_eq!(
            Some(r),
            all.iter().find(|a| a.round == r.round),
            "thinning does not change the run"
        );
    }
    let auto = rows("alg=psgd&B1=1&T=5000");
    assert_eq!(auto.len(), 1 + 1000, "auto records about 1000 rows");
}

#[test]
fn batch_sizes_follow_the_closed_form() {
    for t in 1..30 {
        assert_eq!(
            batch_size(3, 1.25, t),
            (3.0 * 1.25f64.powi(t as i32 - 1)).floor() as u64
        );
    }
}
