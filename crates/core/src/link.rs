//! A share link is an `Experiment` plus how the page shows it: runs to compare, controls a teacher hides,
//! a compact layout for embedding, and the name of the user's data file. ViewKeys keys never change the
//! main run, so the CLI accepts and checks them but runs the experiment alone.

mod compared;

use crate::experiment::{Experiment, Notice, ProblemKind};
use crate::params::{spec, MAX_NAME, PARAMS};
use crate::text::shorten;
pub use compared::{pinned_label, run_label, Compared, PER_RUN};

/// How the page shows an experiment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewKeys {
    /// Further runs on the same problem, seed and budget, overlaid on every chart: other algorithms, or
    /// the same one tuned otherwise.
    pub compare: Vec<Compared>,
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
    /// problem=data: where the page may fetch the file from, if it does not have it (a raw file on a
    /// public repository, say), so that a link works for everyone it is shared with. An https address, or
    /// http on this machine (`localhost`, `127.0.0.1`, `[::1]`: a local server); never with a user name or
    /// password in it (the page fetches without credentials).
    pub data_url: Option<String>,
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
const VIEW_KEYS: [&str; 7] = [
    "compare", "hide", "embed", "tour", "fault", "data", "data_url",
];
/// The longest `data_url` read: longer ones are not the addresses of files people share.
pub const MAX_DATA_URL: usize = 2048;

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
            "compare" => view.compare = compared::read(&value, &experiment, &mut notices),
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
            "data_url" => view.data_url = read_data_url(&value, experiment.problem, &mut notices),
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
    let mut out = experiment.to_query();
    let mut append = |key: &str, value: &str| {
        out.push('&');
        out.push_str(key);
        out.push('=');
        out.push_str(&readable(value));
    };
    if !view.compare.is_empty() {
        let runs: Vec<String> = view.compare.iter().map(Compared::to_text).collect();
        append("compare", &runs.join(","));
    }
    if !view.hide.is_empty() {
        append("hide", &view.hide.join(","));
    }
    if view.embed {
        append("embed", "1");
    }
    if view.tour {
        append("tour", "1");
    }
    if let Some(fault) = view.fault {
        append("fault", fault.name());
    }
    if let Some(name) = &view.data_file {
        append("data", name);
    }
    if let Some(url) = &view.data_url {
        append("data_url", url);
    }
    out
}

/// A view key's value as link text: percent-encoded as a form would, except for the characters that
/// a query may hold as they are and that make `compare=psgd(gamma=0.003),local` and
/// `data_url=https://host/path/file.csv` readable. A link's reader decodes both forms alike.
fn readable(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'('
            | b')'
            | b','
            | b'='
            | b':'
            | b'/' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn items(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
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
    if !applies_to_data("data", problem, notices) {
        return None;
    }
    let name = value.trim();
    if name.is_empty() {
        notices.push(Notice::for_link(
            "data",
            "data= names no file".into(),
            "ignored",
        ));
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

/// Where to fetch a data file from: for problem=data only, an https address (or http on this machine),
/// without credentials in it. Anything else is ignored, with a notice that says what is allowed.
fn read_data_url(value: &str, problem: ProblemKind, notices: &mut Vec<Notice>) -> Option<String> {
    if !applies_to_data("data_url", problem, notices) {
        return None;
    }
    let url = value.trim();
    match url_problem(url) {
        None => Some(url.to_string()),
        Some(problem) => {
            notices.push(Notice::for_link(
                "data_url",
                format!("data_url={} {problem}", shorten(url)),
                "ignored",
            ));
            None
        }
    }
}

/// Whether a view key of problem=data applies to this problem; where it does not, a notice says so.
fn applies_to_data(key: &str, problem: ProblemKind, notices: &mut Vec<Notice>) -> bool {
    if problem == ProblemKind::Data {
        return true;
    }
    notices.push(Notice::for_link(
        key,
        format!("{key} does not apply to problem={}", problem.name()),
        "ignored",
    ));
    false
}

/// What is wrong with a data file's address, if anything (see [`ViewKeys::data_url`]).
fn url_problem(url: &str) -> Option<&'static str> {
    const ALLOWED: &str = "is not an https address (the page fetches https only, or http from this machine: localhost, 127.0.0.1)";
    if url.is_empty() {
        return Some("names no address");
    }
    if url.chars().count() > MAX_DATA_URL {
        return Some("is longer than the 2048 characters an address may have here");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("has spaces or control characters: not a web address");
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(ALLOWED);
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Some("carries a user name or password, and the page fetches without credentials");
    }
    // The host, without its port: `[::1]:8080` → `[::1]`, `example.org:443` → `example.org`.
    let (host, port) = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => {
            (&authority[..colon], Some(&authority[colon + 1..]))
        }
        _ => (authority, None),
    };
    if host.is_empty()
        || port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some("has no host, or a port that is not a number: not a web address");
    }
    let on_this_machine = ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .any(|local| host.eq_ignore_ascii_case(local));
    match scheme.to_ascii_lowercase().as_str() {
        "https" => None,
        "http" if on_this_machine => None,
        _ => Some(ALLOWED),
    }
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
    use crate::experiment::Alg;

    #[test]
    fn view_keys_round_trip_and_leave_the_experiment_alone() {
        let (e, view, notices) = parse("alg=crpsgd&N=8&compare=psgd,local&hide=N,rho&embed=1");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(e, Experiment::from_query("alg=crpsgd&N=8").0);
        assert_eq!(
            view,
            ViewKeys {
                compare: vec![Compared::plain(Alg::Psgd), Compared::plain(Alg::Local)],
                hide: vec!["N", "rho"],
                embed: true,
                tour: false,
                fault: None,
                data_file: None,
                data_url: None,
            }
        );
        let link = to_query(&e, &view);
        assert!(
            link.ends_with("&compare=psgd,local&hide=N,rho&embed=1"),
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
        assert!(link.ends_with("&data=prices%202024.csv"), "{link}");
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
    fn a_data_url_is_https_or_on_this_machine_and_round_trips() {
        let iris = "https://raw.githubusercontent.com/scikit-learn/scikit-learn/1.5.2/sklearn/datasets/data/iris.csv";
        for url in [
            iris,
            "https://example.org:8443/data.csv?raw=1",
            "HTTPS://Example.org/data.csv",
            "http://127.0.0.1:8080/fixtures/iris.csv",
            "http://localhost/x.csv",
            "http://[::1]:9000/x.csv",
        ] {
            let query = format!("problem=data&data=iris.csv&data_url={url}");
            let (e, view, notices) = parse(&query);
            assert!(notices.is_empty(), "{url}: {notices:?}");
            assert_eq!(view.data_url.as_deref(), Some(url));
            let link = to_query(&e, &view);
            assert_eq!(parse(&link), (e, view, vec![]), "{link}");
        }
        let (e, view, _) = parse(&format!("problem=data&data_url={iris}"));
        assert!(
            to_query(&e, &view).ends_with(&format!("&data_url={iris}")),
            "written readably: {}",
            to_query(&e, &view)
        );
        let (e, view, _) = parse("problem=data&data_url=https%3A%2F%2Fexample.org%2Fa%26b.csv");
        assert_eq!(
            view.data_url.as_deref(),
            Some("https://example.org/a&b.csv")
        );
        assert!(to_query(&e, &view).ends_with("&data_url=https://example.org/a%26b.csv"));
        // An address's own escapes survive the link's.
        let (e, view, _) = parse("problem=data&data_url=https://example.org/a%2520b.csv");
        assert_eq!(
            view.data_url.as_deref(),
            Some("https://example.org/a%20b.csv")
        );
        assert_eq!(parse(&to_query(&e, &view)).1, view);
    }

    #[test]
    fn a_bad_data_url_is_ignored_with_a_notice() {
        for (url, says) in [
            ("http://example.org/x.csv", "is not an https address (the page fetches https only, or http from this machine: localhost, 127.0.0.1)"),
            ("ftp://example.org/x.csv", "is not an https address"),
            ("example.org/x.csv", "is not an https address"),
            ("javascript:alert(1)", "is not an https address"),
            ("http://127.0.0.2/x.csv", "is not an https address"),
            ("http://localhost.evil.org/x.csv", "is not an https address"),
            ("https://user:secret@example.org/x.csv", "carries a user name or password"),
            ("https:///x.csv", "has no host"),
            ("https://example.org:80a/x.csv", "a port that is not a number"),
            ("https://example.org/a b.csv", "has spaces or control characters"),
            ("", "names no address"),
        ] {
            let (_, view, notices) = parse(&format!(
                "problem=data&data_url={}",
                url.replace(' ', "%20")
            ));
            assert_eq!(view.data_url, None, "{url}");
            assert_eq!(notices.len(), 1, "{url}: {notices:?}");
            let message = notices[0].message();
            assert!(message.contains(says), "{url}: {message}");
            assert!(message.starts_with("data_url="), "{message}");
            assert!(message.ends_with("; ignored."), "{message}");
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_DATA_URL));
        let (_, view, notices) = parse(&format!("problem=data&data_url={long}"));
        assert_eq!(view.data_url, None);
        assert!(notices[0]
            .message()
            .contains("longer than the 2048 characters"));
        let (_, view, notices) = parse("problem=digits&data_url=https://example.org/x.csv");
        assert_eq!(view.data_url, None);
        assert_eq!(
            notices[0].message(),
            "data_url does not apply to problem=digits; ignored."
        );
        assert!(parse_strict("problem=data&data_url=http://example.org/x.csv").is_err());
    }

    #[test]
    fn bad_view_values_get_notices() {
        let (_, view, notices) =
            parse("alg=psgd&compare=psgd,sgd,local,local&hide=N,colour&embed=maybe");
        assert_eq!(view.compare, vec![Compared::plain(Alg::Local)]);
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
