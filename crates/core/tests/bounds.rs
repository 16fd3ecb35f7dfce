//! Resource bounds: every parameter's range, the limits across parameters (work and recorded rows), and
//! batch schedules that can neither overflow nor run forever. docs/LIMITS.md explains each number.

use dynabatch_core::algorithms::{
    batch_size, local_schedule, planned_rounds, record_every, Schedule,
};
use dynabatch_core::data::Dataset;
use dynabatch_core::experiment::{
    max_rows, recorded_rows, recording_work, training_work, Alg, Cost, Experiment, ProblemKind,
    BREAST_CANCER_SHAPE, DIGITS_SHAPE, MAX_DATA_VALUES, MAX_RECORDING_WORK, MAX_TRAINING_WORK,
};
use dynabatch_core::metrics::Row;
use dynabatch_core::params::{Domain, Param, ParamSpec, MAX_BUDGET, MAX_ROWS, PARAMS};
use dynabatch_core::problems;

/// Wasm memory the page may grow to (`--max-memory` in .cargo/config.toml).
const WASM_MAX_MEMORY: usize = 256 << 20;

/// A link prefix under which `param` applies (for the ramp's cap, with B₁ = 1: a cap below B₁ is raised to
/// it, a second limit this test does not look at).
fn context(param: &ParamSpec) -> String {
    for alg in Alg::ALL {
        for problem in ProblemKind::ALL {
            if param.applies(alg, problem) {
                let first_batch = if param.param == Param::RampCap {
                    "B1=1&"
                } else {
                    ""
                };
                return format!(
                    "alg={}&problem={}&{first_batch}",
                    alg.name(),
                    problem.name()
                );
            }
        }
    }
    panic!("{} applies nowhere", param.name)
}

#[test]
fn every_number_is_clamped_at_both_ends_with_a_notice_naming_it_and_its_range() {
    for param in PARAMS {
        let (min, max) = match param.domain {
            Domain::Int { min, max } | Domain::IntOrAuto { min, max } => (min as f64, max as f64),
            Domain::Real { min, max } => (min, max),
            Domain::Choice(_) | Domain::Column | Domain::Sha256 => continue,
        };
        let beyond = [(min - 1.0, min), (max * 10.0 + 1.0, max)];
        for (given, expected) in beyond {
            let query = format!("{}{}={given}", context(param), param.name);
            let (e, notices) = Experiment::from_query(&query);
            assert_eq!(
                e.get(param.name).parse::<f64>().ok(),
                Some(expected),
                "{query}"
            );
            let notice = &notices[0];
            assert_eq!(notice.param, param.name, "{query}");
            assert!(
                notice.problem.contains(&param.domain.describe()),
                "{query}: {}",
                notice.problem
            );
            let strict = Experiment::from_query_strict(&query).expect_err("the CLI refuses it");
            assert!(
                !strict.problem.contains('\n'),
                "one line: {}",
                strict.problem
            );
        }
    }
}

#[test]
fn too_many_rows_raise_every_with_a_notice_and_the_cli_names_every() {
    let query = "alg=psgd&problem=landscape&T=1000000&B1=1&every=1";
    let (e, notices) = Experiment::from_query(query);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].param, "every");
    assert!(notices[0]
        .message()
        .contains("more than the 20000 a run keeps"));
    let rows = recorded_rows(planned_rounds(&e), record_every(&e));
    assert!(rows <= MAX_ROWS, "{rows} rows");
    assert_eq!(e.every, Some(51), "the least every that fits: ⌈10⁶/19999⌉");
    let err = Experiment::from_query_strict(query).expect_err("strict");
    assert_eq!(err.param, "every");
    assert!(
        err.problem.starts_with("every=1 would record 1000001 rows"),
        "{}",
        err.problem
    );
    assert!(!err.problem.contains('\n'));
    // One more row than allowed is refused; exactly the cap is not.
    let at_cap = format!("alg=psgd&problem=landscape&B1=1&every=1&T={}", MAX_ROWS - 1);
    assert!(Experiment::from_query_strict(&at_cap).is_ok());
    let over = format!("alg=psgd&problem=landscape&B1=1&every=1&T={MAX_ROWS}");
    assert!(Experiment::from_query_strict(&over).is_err());
}

#[test]
fn rows_that_cost_too_much_to_evaluate_raise_every() {
    let query = "alg=psgd&problem=digits-mlp&hidden=256&T=20000&B1=1&every=1";
    let (e, notices) = Experiment::from_query(query);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].param, "every");
    assert!(notices[0]
        .problem
        .contains("evaluates f and ∇f on all of digits-mlp (hidden=256)"));
    assert!(recording_work(&e) <= MAX_RECORDING_WORK);
    let work = |every: u64| recorded_rows(planned_rounds(&e), every) as f64 * Cost::of(&e).row();
    let every = e.every.expect("explicit");
    assert!(work(every) <= MAX_RECORDING_WORK);
    assert!(
        work(every - 1) > MAX_RECORDING_WORK,
        "every is raised no further than needed"
    );
}

#[test]
fn experiments_built_in_code_are_held_to_the_row_limit_too() {
    // A compared algorithm shares the main run's every=1, but PSGD has a million rounds.
    let main =
        Experiment::from_query_strict("alg=crpsgd&problem=landscape&N=1&B1=1&T=1000000&every=1")
            .expect("within limits");
    let compared = Experiment {
        alg: Alg::Psgd,
        ..main
    };
    assert_eq!(record_every(&compared), 51);
    assert!(recorded_rows(planned_rounds(&compared), record_every(&compared)) <= MAX_ROWS);
}

#[test]
fn synthetic_data_larger_than_16_mb_lowers_d() {
    let (e, notices) = Experiment::from_query("problem=synthetic&n=5000&d=1000");
    assert_eq!(e.synthetic_features, 399);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].param, "d");
    assert_eq!(
        notices[0].message(),
        "d=1000 with n=5000 makes a data set of 5005000 values (40 MB), more than the 2000000 (16 MB) \
         a run may hold; allowed here: an integer from 1 to 399; using 399."
    );
    assert!(e.synthetic_examples * (e.synthetic_features + 1) <= MAX_DATA_VALUES as usize);
    assert!(Experiment::from_query_strict("problem=synthetic&n=5000&d=399").is_ok());
    assert!(Experiment::from_query_strict("problem=synthetic&n=2000&d=999").is_ok());
    assert_eq!(
        Experiment::from_query_strict("problem=synthetic&n=5000&d=400").map_err(|n| n.param),
        Err("d".into())
    );
    // Only synthetic data is generated: elsewhere n and d are ignored, not limited.
    let (other, notices) = Experiment::from_query("problem=digits&n=5000&d=1000");
    assert!(
        notices.iter().all(|n| n.problem.contains("does not apply")),
        "{notices:?}"
    );
    assert_eq!(
        other.synthetic_features,
        Experiment::default().synthetic_features
    );
}

#[test]
fn automatic_recording_always_fits() {
    for problem in ProblemKind::ALL {
        let e = Experiment {
            problem,
            hidden: 256,
            synthetic_examples: 5000,
            synthetic_features: 1000,
            ..Default::default()
        };
        assert!(
            max_rows(&e) > 1001,
            "{}: auto records about 1000 rows",
            problem.name()
        );
    }
}

#[test]
fn too_much_training_work_lowers_t_to_the_most_that_fits() {
    let query = "alg=psgd&problem=digits-mlp&hidden=256&N=64&T=1000000&B1=1";
    let (e, notices) = Experiment::from_query(query);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].param, "T");
    assert!(
        notices[0]
            .problem
            .contains("allowed here: an integer from 1 to"),
        "{}",
        notices[0].problem
    );
    assert!(notices[0].action.contains(&e.budget.to_string()));
    assert!(training_work(&e) <= MAX_TRAINING_WORK);
    let one_more = Experiment {
        budget: e.budget + 1,
        ..e.clone()
    };
    assert!(training_work(&one_more) > MAX_TRAINING_WORK);
    let err = Experiment::from_query_strict(query).expect_err("strict");
    assert_eq!(err.param, "T");
    // The page's controls go through `set`, which applies the same limits.
    let mut control =
        Experiment::from_query_strict("alg=psgd&problem=digits-mlp&hidden=256&N=64&B1=1")
            .expect("within limits");
    let notice = control.set("T", "1000000").expect("a notice");
    assert_eq!((notice.param.as_str(), control.budget), ("T", e.budget));
}

#[test]
fn limits_leave_ordinary_links_alone_and_links_read_back_unchanged() {
    assert!(Experiment::default().clone().apply_limits().is_empty());
    for query in [
        "problem=digits-mlp&hidden=32&lambda=0.01&N=8&T=20000&alg=catalyst&B1=3&rho=2",
        "alg=psgd&problem=breast-cancer&N=64&T=1000000&B1=1&every=51",
        "alg=local&problem=synthetic&n=5000&d=399&N=64&T=1000000&B1=1&H=1",
    ] {
        assert!(Experiment::from_query_strict(query).is_ok(), "{query}");
    }
    let (limited, _) = Experiment::from_query(
        "alg=psgd&problem=digits-mlp&hidden=256&N=64&T=1000000&B1=1&every=1",
    );
    let (back, notices) = Experiment::from_query(&limited.to_query());
    assert_eq!((back, notices), (limited, vec![]));
}

/// Every algorithm and problem at the corners of every range: within the limits after reading.
#[test]
fn the_worst_corners_stay_within_work_rows_and_memory() {
    let row_bytes = MAX_ROWS as usize * std::mem::size_of::<Row>();
    assert!(row_bytes <= 32 << 20, "{row_bytes} bytes of rows at most");
    for alg in Alg::ALL {
        for problem in ProblemKind::ALL {
            for extra in [
                "B1=1&every=1&H=1&rho=1",
                "B1=1&rho=1.0001&every=1",
                "B1=100000&rho=16&H=100000",
            ] {
                let query = format!(
                    "alg={}&problem={}&N=64&T=1000000&hidden=256&n=5000&d=1000&{extra}",
                    alg.name(),
                    problem.name()
                );
                let (e, _) = Experiment::from_query(&query);
                let rounds = planned_rounds(&e);
                assert!(rounds <= MAX_BUDGET, "{query}: {rounds} rounds");
                assert!(training_work(&e) <= MAX_TRAINING_WORK, "{query}");
                assert!(recording_work(&e) <= MAX_RECORDING_WORK, "{query}");
                assert!(
                    recorded_rows(rounds, record_every(&e)) <= MAX_ROWS,
                    "{query}"
                );
                let cost = Cost::of(&e);
                // The data set, twice while it is built (with its bias column), and one gradient per node.
                let bytes = 8.0 * (2.0 * cost.examples * cost.cols + e.nodes as f64 * cost.dim);
                assert!(
                    (bytes as usize) + row_bytes < WASM_MAX_MEMORY / 2,
                    "{query}: {bytes} bytes"
                );
            }
        }
    }
}

#[test]
fn the_cost_model_knows_the_real_shapes() {
    for query in [
        "problem=breast-cancer",
        "problem=digits",
        "problem=synthetic&n=300&d=7",
    ] {
        let e = Experiment::from_query_strict(query).expect("valid");
        let data = Dataset::for_experiment(&e);
        let cost = Cost::of(&e);
        assert_eq!(
            (cost.examples as usize, cost.cols as usize),
            (data.rows, data.cols),
            "{query}"
        );
        assert_eq!(
            cost.dim as usize,
            problems::build(&e, None).dim(),
            "{query}"
        );
    }
    let shape = |q: &str| {
        let d = Dataset::for_experiment(&Experiment::from_query_strict(q).expect("valid"));
        (d.rows, d.cols)
    };
    assert_eq!(shape("problem=breast-cancer"), BREAST_CANCER_SHAPE);
    assert_eq!(shape("problem=digits"), DIGITS_SHAPE);
    for hidden in [1, 32, 256] {
        let e = Experiment {
            problem: ProblemKind::DigitsMlp,
            hidden,
            ..Default::default()
        };
        assert_eq!(
            Cost::of(&e).dim as usize,
            problems::build(&e, None).dim(),
            "hidden={hidden}"
        );
    }
}

#[test]
fn batches_saturate_instead_of_overflowing() {
    assert_eq!(batch_size(100_000, 16.0, u64::MAX), u64::MAX);
    assert_eq!(
        batch_size(1, 16.0, 17),
        u64::MAX,
        "16^16 = 2^64 does not fit"
    );
    assert_eq!(batch_size(1, 16.0, 16), 1 << 60);
    assert_eq!(batch_size(3, 1.0, u64::MAX), 3);
    // A budget of u64::MAX ends once the running total would overflow, not by wrapping.
    let rounds = Schedule::new(1, 2.0, u64::MAX).count();
    assert_eq!(rounds, 64);
    assert_eq!(Schedule::new(100_000, 16.0, MAX_BUDGET).count(), 1);
    assert_eq!(Schedule::new(1, 1.0, MAX_BUDGET).rounds(), MAX_BUDGET);
    let barely = Schedule::new(1, 1.0 + 1e-12, MAX_BUDGET).rounds();
    assert!(barely <= MAX_BUDGET, "{barely}");
}

#[test]
fn degenerate_schedules_end() {
    assert_eq!(
        Schedule::new(0, 1.0, 10).rounds(),
        10,
        "a batch of 0 is read as 1"
    );
    assert!(
        Schedule::new(1, 0.5, 100).count() <= 100,
        "shrinking batches stop at 0"
    );
    assert!(Schedule::new(1, f64::NAN, 100).count() <= 1);
    assert!(Schedule::new(1, f64::INFINITY, 100).count() <= 1);
    assert!(Schedule::new(5, -2.0, 100).count() <= 1);
    // Local SGD's H·B₁ saturates; such a round never fits the budget.
    let e = Experiment::from_query_strict("alg=local&H=100000&B1=100000&T=1000000").expect("valid");
    assert_eq!(local_schedule(&e).rounds(), 0);
    let catalyst =
        Experiment::from_query_strict("alg=catalyst&N=1&T=1000000&B1=1&rho=1").expect("valid");
    assert_eq!(
        planned_rounds(&catalyst),
        MAX_BUDGET,
        "√(NT) outer steps of √(T/N) rounds"
    );
}
