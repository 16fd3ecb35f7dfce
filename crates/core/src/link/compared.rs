//! `compare`: the runs beside the main one, each an algorithm with settings of its own, such as
//! `compare=psgd(gamma=0.003),local(H=10,gamma=0.3)`. They share the main run's problem, data, seed,
//! nodes and budget: a fair race differs only in how each algorithm is tuned.

use super::{items, MAX_COMPARED};
use crate::choices::ALG_NAMES;
use crate::experiment::{Alg, Experiment, Notice};
use crate::params::{spec, Param, ParamSpec, Rejected, Value, PARAMS};
use crate::text::shorten;

/// The parameters a compared run may set for itself: how an algorithm is tuned, not what it is run on.
pub const PER_RUN: [Param; 9] = [
    Param::Gamma,
    Param::FirstBatch,
    Param::LocalSteps,
    Param::Rho,
    Param::Eta,
    Param::Decay,
    Param::Momentum,
    Param::RampCap,
    Param::RampLength,
];

/// A run beside the main one.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    pub alg: Alg,
    /// Its own values of parameters in [`PER_RUN`], in the order the link gave them.
    pub settings: Vec<(Param, Value)>,
}

impl Compared {
    /// Another algorithm with the main run's settings.
    pub fn plain(alg: Alg) -> Compared {
        Compared {
            alg,
            settings: Vec::new(),
        }
    }

    /// The compared run's experiment: the main one with this algorithm and these settings. The caller
    /// applies the limits (another algorithm may do more work on the same budget).
    pub fn experiment(&self, main: &Experiment) -> Experiment {
        let mut experiment = Experiment {
            alg: self.alg,
            ..main.clone()
        };
        for (param, value) in &self.settings {
            experiment.store(*param, value.clone());
        }
        experiment
    }

    /// As a link writes it: `psgd`, or `psgd(gamma=0.003,B1=2)`.
    pub fn to_text(&self) -> String {
        if self.settings.is_empty() {
            return self.alg.name().to_string();
        }
        let settings: Vec<String> = self
            .settings
            .iter()
            .map(|(param, value)| format!("{}={value}", param.spec().name))
            .collect();
        format!("{}({})", self.alg.name(), settings.join(","))
    }

    /// As a chart's legend names it: `psgd`, or `psgd γ=0.003 B₁=2`.
    pub fn label(&self) -> String {
        let mut label = self.alg.name().to_string();
        for (param, value) in &self.settings {
            let spec = param.spec();
            let symbol = if spec.symbol.is_empty() {
                spec.name
            } else {
                spec.symbol
            };
            label.push_str(&format!(" {symbol}={value}"));
        }
        label
    }
}

/// What a run ran, as the charts' legends name it: its algorithm and its values of the per-run parameters
/// that apply to it (`psgd γ=0.001 B₁=8`). Written from the run's experiment rather than from the link's
/// `compare` text, because a setting the link leaves out follows the main run: after B₁ = 8 on the main
/// run, `psgd(gamma=0.001)` ran with B₁ = 8 too, and its legend must say so. A constant step (τ = 0) and
/// no momentum (β = 0) go unsaid.
pub fn run_label(run: &Experiment) -> String {
    let mut label = run.alg.name().to_string();
    for param in PER_RUN {
        let value = run.value(param);
        // A constant step (τ = 0) and no momentum (β = 0) are the plain algorithm: nothing to say.
        let off = matches!(param, Param::Decay | Param::Momentum) && value.to_string() == "0";
        if run.uses(param) && !off {
            label.push_str(&format!(" {}={value}", symbol(param.spec())));
        }
    }
    label
}

/// A pinned run's label: `pinned`, what it ran ([`run_label`]), and each other parameter in which it
/// differs from `main`, the run now on screen (`pinned crpsgd γ=0.3 B₁=1 ρ=1.05 N=8`).
pub fn pinned_label(pinned: &Experiment, main: &Experiment) -> String {
    let mut label = format!("pinned {}", run_label(pinned));
    for spec in PARAMS {
        let param = spec.param;
        // The algorithm and per-run values are said already; a file's hash would fill the legend.
        if param == Param::Alg || param == Param::DataSha256 || PER_RUN.contains(&param) {
            continue;
        }
        let value = pinned.value(param).to_string();
        if (pinned.uses(param) || main.uses(param)) && value != main.value(param).to_string() {
            label.push_str(&format!(" {}={value}", symbol(spec)));
        }
    }
    label
}

/// A parameter as a legend writes it: its paper symbol, or its link name where it has none.
fn symbol(spec: &ParamSpec) -> &'static str {
    if spec.symbol.is_empty() {
        spec.name
    } else {
        spec.symbol
    }
}

/// Splits `a,b(c=1,d=2),e` at the commas outside parentheses.
fn runs(value: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Reads `compare`, leniently: every part that cannot be used as given gets a notice.
pub(super) fn read(value: &str, main: &Experiment, notices: &mut Vec<Notice>) -> Vec<Compared> {
    let mut compare: Vec<Compared> = Vec::new();
    for text in runs(value) {
        let Some(run) = read_run(text, main, notices) else {
            continue;
        };
        let experiment = run.experiment(main);
        let seen = &experiment == main || compare.iter().any(|c| c.experiment(main) == experiment);
        if seen {
            notices.push(Notice::for_link(
                "compare",
                format!(
                    "compare lists {} twice (or it is the main run)",
                    shorten(text)
                ),
                "shown once",
            ));
        } else if compare.len() == MAX_COMPARED {
            notices.push(Notice::for_link(
                "compare",
                format!("compare takes at most {MAX_COMPARED} runs"),
                &format!("{} left out", shorten(text)),
            ));
        } else {
            compare.push(run);
        }
    }
    compare
}

/// One run: `name` or `name(key=value,…)`.
fn read_run(text: &str, main: &Experiment, notices: &mut Vec<Notice>) -> Option<Compared> {
    let (name, settings) = match text.split_once('(') {
        None => (text, None),
        Some((name, rest)) => match rest.strip_suffix(')') {
            Some(settings) => (name.trim(), Some(settings)),
            None => {
                notices.push(Notice::for_link(
                    "compare",
                    format!(
                        "compare={} has no closing parenthesis (write e.g. psgd(gamma=0.003,B1=2))",
                        shorten(text)
                    ),
                    "ignored",
                ));
                return None;
            }
        },
    };
    let Some(&alg) = Alg::ALL.iter().find(|a| a.name() == name) else {
        notices.push(Notice::for_link(
            "compare",
            format!(
                "compare={} is not an algorithm (allowed: {})",
                shorten(name),
                ALG_NAMES.join(", ")
            ),
            "ignored",
        ));
        return None;
    };
    let mut run = Compared::plain(alg);
    for setting in settings.into_iter().flat_map(items) {
        if let Some((param, value)) = read_setting(alg, setting, main, notices) {
            run.settings.retain(|(p, _)| *p != param);
            run.settings.push((param, value));
        }
    }
    Some(run)
}

/// One `key=value` of a compared `alg`; `None`, with a notice, where it cannot be used.
fn read_setting(
    alg: Alg,
    setting: &str,
    main: &Experiment,
    notices: &mut Vec<Notice>,
) -> Option<(Param, Value)> {
    let allowed = || {
        let names: Vec<&str> = PER_RUN.iter().map(|p| p.spec().name).collect();
        names.join(", ")
    };
    let mut notice = |problem: String, action: &str| {
        notices.push(Notice::for_link("compare", problem, action));
    };
    let Some((key, raw)) = setting.split_once('=') else {
        notice(
            format!(
                "compare: {}({}) is not a setting (write key=value with one of {})",
                alg.name(),
                shorten(setting),
                allowed()
            ),
            "ignored",
        );
        return None;
    };
    let Some(spec) = spec(key.trim()).filter(|s| PER_RUN.contains(&s.param)) else {
        notice(
            format!(
                "compare: {}({}) cannot differ between runs (a compared run may set {})",
                alg.name(),
                shorten(key),
                allowed()
            ),
            "ignored",
        );
        return None;
    };
    if !spec.applies(alg, main.problem) {
        notice(
            format!("compare: {} has no {}", alg.name(), spec.name),
            "ignored",
        );
        return None;
    }
    match spec.parse(raw.trim()) {
        Ok(value) => Some((spec.param, value)),
        Err(Rejected::Clamped(value)) => {
            notice(
                format!(
                    "compare: {}({}={}) is out of range ({})",
                    alg.name(),
                    spec.name,
                    shorten(raw),
                    spec.domain.describe()
                ),
                &format!("using {value}"),
            );
            Some((spec.param, value))
        }
        Err(Rejected::Unusable(why)) => {
            notice(
                format!(
                    "compare: {}({}={}) {why} (allowed: {})",
                    alg.name(),
                    spec.name,
                    shorten(raw),
                    spec.domain.describe()
                ),
                "ignored",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{pinned_label, run_label};
    use crate::experiment::Alg;
    use crate::link::{parse, parse_strict, to_query, Compared};
    use crate::params::{Param, Value};

    #[test]
    fn runs_with_settings_of_their_own_round_trip_as_readable_links() {
        let query = "alg=crpsgd&gamma=0.3&compare=psgd(gamma=0.003,B1=2),local(H=10),psgd";
        let (e, view, notices) = parse(query);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(
            view.compare,
            vec![
                Compared {
                    alg: Alg::Psgd,
                    settings: vec![
                        (Param::Gamma, Value::Real(0.003)),
                        (Param::FirstBatch, Value::Int(2))
                    ],
                },
                Compared {
                    alg: Alg::Local,
                    settings: vec![(Param::LocalSteps, Value::IntOrAuto(Some(10)))],
                },
                Compared::plain(Alg::Psgd),
            ]
        );
        let psgd = view.compare[0].experiment(&e);
        assert_eq!(
            (psgd.alg, psgd.gamma, psgd.first_batch),
            (Alg::Psgd, 0.003, 2)
        );
        assert_eq!(
            (psgd.seed, psgd.budget, psgd.nodes),
            (e.seed, e.budget, e.nodes),
            "a fair race"
        );
        let link = to_query(&e, &view);
        assert!(
            link.ends_with("&compare=psgd(gamma=0.003,B1=2),local(H=10),psgd"),
            "{link}"
        );
        assert_eq!(parse(&link), (e, view.clone(), vec![]));
        // Percent-encoded, as a form or another tool would write it, it reads the same.
        let encoded = link
            .replace('(', "%28")
            .replace(')', "%29")
            .replace(',', "%2C");
        assert_eq!(parse(&encoded).1, view);
        assert_eq!(view.compare[0].label(), "psgd γ=0.003 B₁=2");
    }

    #[test]
    fn the_main_algorithm_tuned_otherwise_is_a_run_of_its_own() {
        let (_, view, notices) =
            parse("alg=psgd&gamma=0.05&compare=psgd(gamma=0.003),psgd(gamma=0.05)");
        assert_eq!(
            view.compare,
            vec![parse("compare=psgd(gamma=0.003)&alg=crpsgd").1.compare[0].clone()]
        );
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].problem.contains("twice (or it is the main run)"),
            "{notices:?}"
        );
    }

    #[test]
    fn settings_that_cannot_be_used_get_one_notice_each() {
        for (compare, problem, kept) in [
            ("psgd(N=8)", "compare: psgd(N) cannot differ between runs (a compared run may set gamma, B1, H, rho, eta, decay, momentum, Bmax, ramp)", Some(0)),
            ("psgd(rho=2)", "compare: psgd has no rho", Some(0)),
            ("psgd(gamma=500)", "compare: psgd(gamma=500) is out of range (a number from 0.000001 to 100)", Some(1)),
            ("psgd(gamma=fast)", "compare: psgd(gamma=fast) is not a number (allowed: a number from 0.000001 to 100)", Some(0)),
            ("psgd(gamma)", "compare: psgd(gamma) is not a setting (write key=value with one of gamma, B1, H, rho, eta, decay, momentum, Bmax, ramp)", Some(0)),
            ("psgd(gamma=0.1", "compare=psgd(gamma=0.1 has no closing parenthesis (write e.g. psgd(gamma=0.003,B1=2))", None),
            ("sgd(gamma=0.1)", "compare=sgd is not an algorithm (allowed: crpsgd, psgd, catalyst, local, adaptive, ramp)", None),
        ] {
            let (_, view, notices) = parse(&format!("alg=crpsgd&compare={compare}"));
            assert_eq!(notices.len(), 1, "{compare}: {notices:?}");
            assert_eq!(notices[0].problem, problem, "{compare}");
            assert_eq!(view.compare.first().map(|c| c.settings.len()), kept, "{compare}");
            assert!(parse_strict(&format!("alg=crpsgd&compare={compare}")).is_err());
        }
    }

    #[test]
    fn a_runs_label_says_what_it_ran_and_a_pinned_one_how_it_differs() {
        let (main, view, _) =
            crate::link::parse("alg=crpsgd&B1=8&rho=1.05&gamma=0.3&compare=psgd(gamma=0.001)");
        // The compared run follows the main run's B₁, and says so.
        let psgd = view.compare[0].experiment(&main);
        assert_eq!(run_label(&psgd), "psgd γ=0.001 B₁=8");
        assert_eq!(run_label(&main), "crpsgd γ=0.3 B₁=8 ρ=1.05");
        let decaying = crate::link::parse("alg=psgd&decay=30").0;
        assert_eq!(run_label(&decaying), "psgd γ=0.5 B₁=2 τ=30");
        // A pinned run names what differs from the run on screen, and nothing else.
        let mut now = main.clone();
        now.nodes = 1;
        assert_eq!(
            pinned_label(&main, &now),
            format!("pinned crpsgd γ=0.3 B₁=8 ρ=1.05 N={}", main.nodes)
        );
        assert_eq!(
            pinned_label(&main, &main),
            "pinned crpsgd γ=0.3 B₁=8 ρ=1.05"
        );
    }
}
