//! A share link is an `Experiment` plus how the page shows it: runs to compare, controls a teacher hides,
//! a compact layout for embedding, and the name of the user's data file. ViewKeys keys never change the
//! main run, so the CLI accepts and checks them but runs the experiment alone.

use crate::choices::ALG_NAMES;
use crate::experiment::{shorten, Alg, Experiment, Notice, ProblemKind};
use crate::params::{spec, MAX_NAME, PARAMS};

/// How the page shows an experiment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewKeys {
    /// Further algorithms run on the same problem, seed and budget, overlaid on every chart.
    pub compare: Vec<Alg>,
    /// Controls hidden from students (parameter names).
    pub hide: Vec<&'static str>,
    /// A compact layout for an iframe.
    pub embed: bool,
    /// Open the guided tour.
    pub tour: bool,
    /// For testing fault handling only: make the run fail on purpose.
    pub fault: Option<Fault>,
    /// problem=data: what the user's file was called, to ask for it by name. Its bytes are pinned by
    /// the experiment's `data_sha256`, so a renamed file is the same data and the same run.
    pub data_file: Option<String>,
}

/// A failure a link can ask for, so that the page's error path can be tested in a real browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A panic on the Web Worker that runs the training loop, after its first round.
    Panic,
    /// A panic on the page's main thread, inside the app, once the first rows are drawn.
    MainPanic,
}

impl Fault {
    const ALL: [Fault; 2] = [Fault::Panic, Fault::MainPanic];

    /// The value of the link's `fault` key.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Panic => "panic",
            Fault::MainPanic => "main-panic",
        }
    }

    fn named(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// At most this many runs besides the main one: each takes a share of the Web Workers.
pub const MAX_COMPARED: usize = 3;
const VIEW_KEYS: [&str; 6] = ["compare", "hide", "embed", "tour", "fault", "data"];

/// Reads a whole link leniently: the experiment, the view, and every notice about either.
pub fn parse(query: &str) -> (Experiment, ViewKeys, Vec<Notice>) {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut rest = form_urlencoded::Serializer::new(String::new());
    let mut view_pairs = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if VIEW_KEYS.contains(&key.as_ref()) {
            view_pairs.push((key.into_owned(), value.into_owned()));
        } else {
            rest.append_pair(&key, &value);
        }
    }
    let (experiment, mut notices) = Experiment::from_query(&rest.finish());
    let mut view = ViewKeys::default();
    for (key, value) in view_pairs {
        match key.as_str() {
            "compare" => view.compare = read_compare(&value, experiment.alg, &mut notices),
            "hide" => view.hide = read_hide(&value, &mut notices),
            "fault" => match Fault::named(&value) {
                Some(fault) => view.fault = Some(fault),
                None => notices.push(Notice::for_link(
                    "fault",
                    format!(
                        "fault={} is not a known fault (allowed: {})",
                        shorten(&value),
                        Fault::ALL.map(Fault::name).join(", ")
                    ),
                    "ignored",
                )),
            },
            "tour" => view.tour = read_flag("tour", &value, &mut notices),
            "data" => view.data_file = read_data_file(&value, experiment.problem, &mut notices),
            _ => view.embed = read_flag("embed", &value, &mut notices),
        }
    }
    (experiment, view, notices)
}

/// Reads a link strictly, as the CLI does: the first notice is the error.
pub fn parse_strict(query: &str) -> Result<(Experiment, ViewKeys), Notice> {
    let (experiment, view, mut notices) = parse(query);
    if notices.is_empty() {
        Ok((experiment, view))
    } else {
        Err(notices.swap_remove(0))
    }
}

/// The shortest link for both: the experiment's, then only the view keys that differ from the default.
pub fn to_query(experiment: &Experiment, view: &ViewKeys) -> String {
    let mut out = form_urlencoded::Serializer::new(experiment.to_query());
    if !view.compare.is_empty() {
        let names: Vec<&str> = view.compare.iter().map(|a| a.name()).collect();
        out.append_pair("compare", &names.join(","));
    }
    if !view.hide.is_empty() {
        out.append_pair("hide", &view.hide.join(","));
    }
    if view.embed {
        out.append_pair("embed", "1");
    }
    if view.tour {
        out.append_pair("tour", "1");
    }
    if let Some(fault) = view.fault {
        out.append_pair("fault", fault.name());
    }
    if let Some(name) = &view.data_file {
        out.append_pair("data", name);
    }
    out.finish()
}

fn items(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn read_compare(value: &str, main: Alg, notices: &mut Vec<Notice>) -> Vec<Alg> {
    let mut compare = Vec::new();
    for name in items(value) {
        match Alg::ALL.iter().find(|a| a.name() == name) {
            None => notices.push(Notice::for_link(
                "compare",
                format!(
                    "compare={} is not an algorithm (allowed: {})",
                    shorten(name),
                    ALG_NAMES.join(", ")
                ),
                "ignored",
            )),
            Some(&alg) if alg == main || compare.contains(&alg) => notices.push(Notice::for_link(
                "compare",
                format!("compare lists {name} twice (or it is already the main algorithm)"),
                "shown once",
            )),
            Some(_) if compare.len() == MAX_COMPARED => notices.push(Notice::for_link(
                "compare",
                format!("compare takes at most {MAX_COMPARED} algorithms"),
                &format!("{name} left out"),
            )),
            Some(&alg) => compare.push(alg),
        }
    }
    compare
}

fn read_hide(value: &str, notices: &mut Vec<Notice>) -> Vec<&'static str> {
    let mut hide = Vec::new();
    for name in items(value) {
        match spec(name) {
            Some(p) if !hide.contains(&p.name) => hide.push(p.name),
            Some(_) => {}
            None => {
                let known: Vec<&str> = PARAMS.iter().map(|p| p.name).collect();
                notices.push(Notice::for_link(
                    "hide",
                    format!(
                        "hide={} is not a control (allowed: {})",
                        shorten(name),
                        known.join(", ")
                    ),
                    "ignored",
                ));
            }
        }
    }
    hide
}

/// A data file's name: for problem=data only, and no longer than a file system allows.
fn read_data_file(value: &str, problem: ProblemKind, notices: &mut Vec<Notice>) -> Option<String> {
    let ignored = |problem: String| Notice::for_link("data", problem, "ignored");
    if problem != ProblemKind::Data {
        notices.push(ignored(format!(
            "data does not apply to problem={}",
            problem.name()
        )));
        return None;
    }
    let name = value.trim();
    if name.is_empty() {
        notices.push(ignored("data= names no file".into()));
        return None;
    }
    if name.chars().count() > MAX_NAME {
        notices.push(Notice::for_link(
            "data",
            format!(
                "data={} is longer than the {MAX_NAME} characters a file name may have",
                shorten(name)
            ),
            &format!("using its first {MAX_NAME}"),
        ));
        return Some(name.chars().take(MAX_NAME).collect());
    }
    Some(name.to_string())
}

fn read_flag(key: &str, value: &str, notices: &mut Vec<Notice>) -> bool {
    match value.trim() {
        "1" | "true" | "" => true,
        "0" | "false" => false,
        other => {
            notices.push(Notice::for_link(
                key,
                format!("{key}={} is not a flag (allowed: 1 or 0)", shorten(other)),
                "using 0",
            ));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_keys_round_trip_and_leave_the_experiment_alone() {
        let (e, view, notices) = parse("alg=crpsgd&N=8&compare=psgd,local&hide=N,rho&embed=1");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(e, Experiment::from_query("alg=crpsgd&N=8").0);
        assert_eq!(
            view,
            ViewKeys {
                compare: vec![Alg::Psgd, Alg::Local],
                hide: vec!["N", "rho"],
                embed: true,
                tour: false,
                fault: None,
                data_file: None,
            }
        );
        let link = to_query(&e, &view);
        assert!(
            link.ends_with("&compare=psgd%2Clocal&hide=N%2Crho&embed=1"),
            "{link}"
        );
        assert_eq!(parse(&link), (e.clone(), view, vec![]));
        assert_eq!(
            to_query(&e, &ViewKeys::default()),
            e.to_query(),
            "no view keys unless needed"
        );
    }

    #[test]
    fn tour_round_trips_and_bad_values_get_notices() {
        let (e, view, notices) = parse("alg=psgd&tour=1");
        assert!(notices.is_empty(), "{notices:?}");
        assert!(view.tour);
        let link = to_query(&e, &view);
        assert!(link.ends_with("&tour=1"), "{link}");
        assert_eq!(parse(&link), (e, view, vec![]));
        let (_, view, notices) = parse("tour=please");
        assert!(!view.tour);
        assert!(
            notices[0]
                .message()
                .contains("tour=please is not a flag (allowed: 1 or 0)"),
            "{notices:?}"
        );
    }

    #[test]
    fn faults_round_trip() {
        for (value, fault) in [("panic", Fault::Panic), ("main-panic", Fault::MainPanic)] {
            let (e, view, notices) = parse(&format!("alg=psgd&fault={value}"));
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(view.fault, Some(fault));
            let link = to_query(&e, &view);
            assert!(link.ends_with(&format!("&fault={value}")), "{link}");
            assert_eq!(parse(&link), (e, view, vec![]));
        }
        let (_, view, notices) = parse("fault=segfault");
        assert_eq!(view.fault, None);
        assert!(
            notices[0]
                .message()
                .contains("fault=segfault is not a known fault (allowed: panic, main-panic)"),
            "{notices:?}"
        );
    }

    #[test]
    fn the_data_files_name_round_trips_for_problem_data_only() {
        let query = "problem=data&task=least-squares&data=prices%202024.csv";
        let (e, view, notices) = parse(query);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(view.data_file.as_deref(), Some("prices 2024.csv"));
        let link = to_query(&e, &view);
        assert!(link.ends_with("&data=prices+2024.csv"), "{link}");
        assert_eq!(parse(&link), (e, view, vec![]));
        let (_, view, notices) = parse("problem=digits&data=x.csv");
        assert_eq!(view.data_file, None);
        assert_eq!(
            notices[0].message(),
            "data does not apply to problem=digits; ignored."
        );
        let long = "a".repeat(300);
        let (_, view, notices) = parse(&format!("problem=data&data={long}"));
        assert_eq!(view.data_file.map(|n| n.len()), Some(MAX_NAME));
        assert_eq!(notices.len(), 1);
        assert!(parse_strict("problem=data&data=").is_err());
    }

    #[test]
    fn bad_view_values_get_notices() {
        let (_, view, notices) =
            parse("alg=psgd&compare=psgd,sgd,local,local&hide=N,colour&embed=maybe");
        assert_eq!(view.compare, vec![Alg::Local]);
        assert_eq!(view.hide, vec!["N"]);
        assert!(!view.embed);
        let text: Vec<String> = notices.iter().map(Notice::message).collect();
        assert_eq!(text.len(), 5, "{text:?}");
        assert!(text
            .iter()
            .any(|t| t.contains("compare=sgd is not an algorithm")));
        assert!(text
            .iter()
            .any(|t| t.contains("hide=colour is not a control")));
        assert!(parse_strict("compare=nope").is_err());
        assert!(parse_strict("compare=psgd&hide=T&embed=0").is_ok());
    }
}
