//! What every share link must satisfy, whatever its bytes: shared by the cargo-fuzz target
//! (`fuzz/fuzz_targets/links.rs`, the long run) and the proptest in `tests/fuzz_links.rs` (the CI run).

use dynabatch_core::algorithms::{planned_rounds, record_every};
use dynabatch_core::experiment::{
    recorded_rows, recording_work, training_work, Experiment, ProblemKind, LINK_VERSION,
    MAX_DATA_VALUES, MAX_RECORDING_WORK, MAX_TRAINING_WORK,
};
use dynabatch_core::params::{Domain, MAX_ROWS, PARAMS};

/// Longest notice: the longest fixed text (the list of known parameters) plus shortened link text.
const MAX_NOTICE_CHARS: usize = 600;

/// Reads `query` leniently and strictly and checks every invariant; panics (for the fuzzer) on a breach.
pub fn check(query: &str) {
    let (e, notices) = Experiment::from_query(query);
    assert_within_ranges(&e, query);
    assert_within_limits(&e, query);
    for n in &notices {
        let message = n.message();
        assert!(
            message.chars().count() <= MAX_NOTICE_CHARS && !message.chars().any(char::is_control),
            "{query:?}: notice too long or multi-line: {message:?}"
        );
        // A key quoted back (a duplicated unknown one) is shortened like any link text: 40 and "…".
        assert!(
            n.param.chars().count() <= 41 && !n.param.chars().any(char::is_control),
            "{query:?}: {:?}",
            n.param
        );
    }
    match Experiment::from_query_strict(query) {
        Ok(strict) => {
            assert!(
                notices.is_empty(),
                "{query:?}: strict accepted what had notices"
            );
            assert_eq!(strict, e, "{query:?}");
        }
        Err(first) => assert_eq!(Some(&first), notices.first(), "{query:?}"),
    }
    let canonical = e.to_query();
    let version = format!("v={LINK_VERSION}");
    assert!(
        canonical == version || canonical.starts_with(&format!("{version}&")),
        "{query:?}: {canonical}"
    );
    let (back, again) = Experiment::from_query(&canonical);
    assert!(again.is_empty(), "{query:?}: {canonical} gives {again:?}");
    assert_eq!(back, e, "{query:?}: {canonical} reads back differently");
    assert_eq!(back.to_query(), canonical, "{query:?}: not canonical");
}

fn assert_within_ranges(e: &Experiment, query: &str) {
    for p in PARAMS {
        let text = e.get(p.name);
        let int_in =
            |min: u64, max: u64| text.parse::<u64>().is_ok_and(|v| (min..=max).contains(&v));
        let ok = match p.domain {
            Domain::Choice(choices) => choices.names().contains(&text.as_str()),
            Domain::Int { min, max } => int_in(min, max),
            Domain::IntOrAuto { min, max } => text == "auto" || int_in(min, max),
            Domain::Real { min, max } => text
                .parse::<f64>()
                .is_ok_and(|v| v.is_finite() && v >= min && v <= max),
            // Text whose every value reads back as itself.
            Domain::Column | Domain::Sha256 => p.parse(&text).is_ok_and(|v| v.to_string() == text),
        };
        assert!(
            ok,
            "{query:?}: {}={text} is outside {}",
            p.name,
            p.domain.describe()
        );
    }
}

fn assert_within_limits(e: &Experiment, query: &str) {
    if e.problem == ProblemKind::Synthetic {
        let values = e.synthetic_examples * (e.synthetic_features + 1);
        assert!(
            values as u64 <= MAX_DATA_VALUES,
            "{query:?}: {values} values of data"
        );
    }
    assert!(
        training_work(e) <= MAX_TRAINING_WORK,
        "{query:?}: training work"
    );
    assert!(
        recording_work(e) <= MAX_RECORDING_WORK,
        "{query:?}: recording work"
    );
    // The link's own `every` must need no raising (the trainer would raise it silently).
    let every = record_every(e);
    assert_eq!(
        e.every.unwrap_or(every),
        every,
        "{query:?}: every needs no raising"
    );
    let rows = recorded_rows(planned_rounds(e), every);
    assert!(rows <= MAX_ROWS, "{query:?}: {rows} rows");
}
