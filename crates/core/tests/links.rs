//! Share links: every parameter round-trips, and bad links give notices, never panics or silent use.

use dynabatch_core::experiment::{Experiment, LINK_VERSION};
use dynabatch_core::params::{Domain, PARAMS};
use proptest::prelude::*;

#[test]
fn the_default_link_round_trips() {
    let e = Experiment::default();
    let (back, notices) = Experiment::from_query(&e.to_query());
    assert_eq!(back, e);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(
        e.to_query(),
        format!("v={LINK_VERSION}"),
        "defaults are left out"
    );
    let changed = Experiment {
        nodes: 8,
        ..Experiment::default()
    };
    assert_eq!(
        changed.to_query(),
        format!("v={LINK_VERSION}&N=8"),
        "only what differs"
    );
}

#[test]
fn links_leave_out_what_does_not_apply() {
    let (e, _) = Experiment::from_query("alg=psgd&problem=digits");
    let q = e.to_query();
    assert!(
        !q.contains("rho=") && !q.contains("&n=") && !q.contains("&d="),
        "{q}"
    );
    let (e, _) = Experiment::from_query("problem=synthetic&n=50&d=3");
    assert!(e.to_query().contains("&n=50&d=3"));
}

#[test]
fn step_decay_round_trips_and_is_clamped_to_its_range() {
    let (e, notices) = Experiment::from_query("alg=local&decay=2500.5");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(e.decay, 2500.5);
    assert_eq!(
        e.to_query(),
        format!("v={LINK_VERSION}&alg=local&decay=2500.5")
    );
    assert_eq!(Experiment::from_query(&e.to_query()).0, e);
    assert_eq!(
        notices_for("decay=-1"),
        ["decay=-1 is out of range (a number from 0 to 1000000000); using 0."]
    );
    assert_eq!(
        notices_for("decay=2e9"),
        ["decay=2e9 is out of range (a number from 0 to 1000000000); using 1000000000."]
    );
    assert_eq!(
        notices_for("decay=fast"),
        ["decay=fast is not a number (allowed: a number from 0 to 1000000000); using 0."]
    );
}

fn notices_for(query: &str) -> Vec<String> {
    Experiment::from_query(query)
        .1
        .into_iter()
        .map(|n| n.message())
        .collect()
}

#[test]
fn bad_values_are_clamped_or_defaulted_with_a_notice() {
    let (e, notices) =
        Experiment::from_query("N=100&rho=abc&gamma=-1&T=1e9&B1=2.5&seed=NaN&alg=sgd");
    let notices: Vec<String> = notices.iter().map(|n| n.message()).collect();
    assert_eq!(e.nodes, 64);
    assert_eq!(e.rho, Experiment::default().rho);
    assert_eq!(e.gamma, 1e-6);
    assert_eq!(e.budget, 1_000_000);
    assert_eq!(e.first_batch, Experiment::default().first_batch);
    assert_eq!(e.seed, Experiment::default().seed);
    assert_eq!(e.alg, Experiment::default().alg);
    assert_eq!(notices.len(), 7, "{notices:?}");
    assert!(
        notices[0].contains("N=100 is out of range (an integer from 1 to 64); using 64"),
        "{}",
        notices[0]
    );
    assert!(notices[1].contains("rho=abc is not a number"));
}

#[test]
fn unknown_duplicated_inapplicable_and_future_keys_are_reported() {
    assert!(notices_for("foo=1")[0].contains("unknown parameter \"foo\""));
    let dup = Experiment::from_query("N=2&N=3");
    assert_eq!(dup.0.nodes, 3);
    assert!(dup.1[0].message().contains("more than once"));
    assert!(notices_for("alg=psgd&rho=2")[0].contains("rho does not apply to alg=psgd"));
    assert!(notices_for("v=99")[0].contains("newer Dynabatch"));
    assert!(notices_for("v=abc")[0].contains("not a link format"));
    assert!(notices_for("?v=1&N=3").is_empty(), "a leading ? is fine");
}

#[test]
fn strict_reading_names_the_parameter_and_its_range() {
    let err = Experiment::from_query_strict("rho=0.5").expect_err("rho below 1");
    assert_eq!(err.param, "rho");
    assert_eq!(
        err.problem,
        "rho=0.5 is out of range (a number from 1 to 16)"
    );
}

#[test]
fn long_and_hostile_values_are_shortened_in_messages() {
    let long = "9".repeat(10_000);
    let n = notices_for(&format!("N={long}"));
    assert!(n[0].len() < 200, "{}", n[0]);
    let n = notices_for("alg=%3Cscript%3Ealert(1)%3C/script%3E");
    assert!(
        n[0].contains("<script>"),
        "reported as text; the page inserts it as text only"
    );
}

fn within_bounds(e: &Experiment) -> bool {
    let in_range = |text: String, min: u64, max: u64| {
        text.parse::<u64>().is_ok_and(|v| (min..=max).contains(&v))
    };
    PARAMS.iter().all(|p| match p.domain {
        Domain::Choice(choices) => choices.names().contains(&e.get(p.name).as_str()),
        Domain::Int { min, max } => in_range(e.get(p.name), min, max),
        Domain::IntOrAuto { min, max } => {
            e.get(p.name) == "auto" || in_range(e.get(p.name), min, max)
        }
        Domain::Real { min, max } => e
            .get(p.name)
            .parse::<f64>()
            .is_ok_and(|v| v >= min && v <= max),
        Domain::Column | Domain::Sha256 => p.parse(&e.get(p.name)).is_ok(),
    })
}

proptest! {
    /// Whatever a link holds, reading it never panics and always yields an experiment within bounds.
    #[test]
    fn any_query_gives_an_experiment_within_bounds(query in "\\PC{0,200}") {
        let (e, _) = Experiment::from_query(&query);
        prop_assert!(within_bounds(&e));
    }

    #[test]
    fn parameter_shaped_queries_stay_within_bounds(
        pairs in proptest::collection::vec(
            (proptest::sample::select(vec!["N", "rho", "B1", "gamma", "T", "seed", "lambda", "n", "d", "alg", "v",
                "problem", "theta", "H", "hidden", "sigma", "x0", "y0", "every", "task", "format", "label",
                "standardize", "data_sha256"]),
             "-?[0-9.eE+]{0,12}|NaN|inf|auto|crpsgd|psgd|catalyst|local|synthetic|landscape|digits-mlp|data|\
              least-squares|softmax|libsvm|csv|last| price |[0-9a-f]{64}"), 0..12)
    ) {
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let (e, _) = Experiment::from_query(&query.join("&"));
        prop_assert!(within_bounds(&e));
        let (back, notices) = Experiment::from_query(&e.to_query());
        prop_assert_eq!(back, e, "the canonical link reproduces the experiment");
        prop_assert!(notices.is_empty());
    }
}
