//! Results do not depend on the number of threads: each node has its own stream, reduced in node order.

use dynabatch_core::algorithms::Trainer;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::metrics::to_csv;

/// The run's CSV on a pool of `threads`, with every round spread over it however small (by default a
/// round with too little work stays on one thread, which would leave nothing to compare).
fn csv_with_threads(query: &str, threads: usize) -> String {
    let e = Experiment::from_query_strict(query).expect("valid query");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(|| {
        let mut trainer = Trainer::new(&e);
        trainer.set_spread_min_work(0);
        to_csv(&trainer.run_to_end())
    })
}

#[test]
fn csv_is_identical_for_any_thread_count() {
    // With the default threshold too: small rounds on one thread, larger ones spread.
    let growing = "alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7";
    let e = Experiment::from_query_strict(growing).expect("valid query");
    let by_default = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool")
        .install(|| to_csv(&Trainer::new(&e).run_to_end()));
    assert_eq!(by_default, csv_with_threads(growing, 1));
    for query in [
        "alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7",
        "alg=crpsgd&problem=digits&N=8&rho=2&B1=4&gamma=1&T=3000&seed=3",
        "alg=psgd&problem=synthetic&n=300&d=7&N=5&B1=2&gamma=0.3&T=200&seed=11",
        "alg=local&problem=digits&N=5&B1=2&H=4&gamma=0.1&momentum=0.9&T=400&seed=12",
    ] {
        let reference = csv_with_threads(query, 1);
        for threads in [2, 3, 8] {
            assert_eq!(
                csv_with_threads(query, threads),
                reference,
                "{query} with {threads} threads"
            );
        }
    }
}

#[test]
fn every_thread_of_the_pool_computes_nodes() {
    let e = Experiment::from_query_strict("N=6&T=50").expect("valid query");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .expect("pool");
    pool.install(|| {
        let mut trainer = Trainer::new(&e);
        trainer.set_spread_min_work(0);
        assert!(trainer.next_round_spreads());
        trainer.step();
        assert_eq!(trainer.thread_of_node(), [0, 1, 2, 0, 1, 2]);
        assert_eq!(trainer.threads_used(), 3);
    });
}

/// A round of less work than `nodes::SPREAD_MIN_WORK` runs every node on the calling thread; a run whose
/// batches grow past it spreads its later rounds.
#[test]
fn small_rounds_stay_on_one_thread() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .expect("pool");
    pool.install(|| {
        // 6 nodes × 1 sample × 31 parameters.
        let tiny = Experiment::from_query_strict("N=6&B1=1&T=50").expect("valid query");
        let mut trainer = Trainer::new(&tiny);
        assert!(!trainer.next_round_spreads());
        trainer.step();
        let me = rayon::current_thread_index().expect("on the pool");
        assert_eq!(trainer.thread_of_node(), [me; 6]);
        assert_eq!(trainer.threads_used(), 1);
        // CR-PSGD from B = 2 with ρ = 1.5: 4 × B × 31 reaches the threshold (8,192) at B = 67.
        let growing = Experiment::from_query_strict(
            "alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&T=2000&every=1",
        )
        .expect("valid query");
        let mut trainer = Trainer::new(&growing);
        let mut spread_from = None;
        while let Some(row) = trainer.step() {
            let spread = trainer.thread_of_node().iter().any(|&t| t != me);
            let work = 4 * row.batch * 31;
            assert_eq!(
                spread,
                work >= dynabatch_core::nodes::SPREAD_MIN_WORK,
                "B = {}",
                row.batch
            );
            if spread && spread_from.is_none() {
                spread_from = Some(row.batch);
            }
        }
        assert!(spread_from.is_some(), "the last rounds spread");
        assert_eq!(trainer.threads_used(), 3);
    });
}

#[test]
fn seeds_change_the_run_and_repeat_it() {
    let a = csv_with_threads("seed=1&T=300", 2);
    assert_eq!(a, csv_with_threads("seed=1&T=300", 2));
    assert_ne!(a, csv_with_threads("seed=2&T=300", 2));
}

#[test]
fn training_decreases_the_loss_and_divergence_is_detected() {
    let e = Experiment::from_query_strict("problem=digits&gamma=1&T=5000").expect("valid query");
    let rows = Trainer::new(&e).run_to_end();
    assert!(rows.last().map_or(f64::NAN, |r| r.loss) < 0.6 * rows[0].loss);
    let e =
        Experiment::from_query_strict("alg=psgd&gamma=100&lambda=10&T=2000").expect("valid query");
    let mut trainer = Trainer::new(&e);
    let mut last = None;
    while let Some(row) = trainer.step() {
        last = Some(row);
    }
    assert!(matches!(
        trainer.progress(),
        dynabatch_core::algorithms::Progress::Diverged { .. }
    ));
    // It stops at the first loss that is non-finite or a million times its start (here, the latter).
    let (start, last) = (
        Trainer::new(&e).start_row().loss,
        last.map_or(0.0, |r| r.loss),
    );
    assert!(!last.is_finite() || last > 1e6 * start, "{last}");
}

/// The page steps a run in slices (`step_within`), so that a run whose rows are far apart can be
/// cancelled between them: the slices must give exactly the rows of `step`.
#[test]
fn stepping_in_slices_gives_the_same_rows() {
    use dynabatch_core::algorithms::Stepped;
    for query in [
        "alg=psgd&B1=1&T=3000&every=500",
        "alg=local&problem=digits&T=3000&every=7",
        "alg=catalyst&T=3000",
    ] {
        let e = Experiment::from_query_strict(query).expect("valid query");
        let mut whole = Trainer::new(&e);
        let expected: Vec<_> = std::iter::from_fn(|| whole.step()).collect();
        for slice in [1, 7, 64] {
            let mut sliced = Trainer::new(&e);
            let mut rows = Vec::new();
            loop {
                match sliced.step_within(slice) {
                    Stepped::Row(row) => rows.push(row),
                    Stepped::Unrecorded => {}
                    Stepped::Over => break,
                }
            }
            assert_eq!(rows, expected, "{query} in slices of {slice}");
        }
    }
}
