//! The one `Experiment` type: every parameter of a run, read from and written to share links.
//!
//! The page reads links leniently (bad values are clamped or replaced by defaults, each with a [`Notice`]);
//! the CLI reads them strictly (the first notice is an error). Both go through [`Experiment::from_query`],
//! so the two can never disagree about what a link means.

use crate::params::{spec, Domain, ParamSpec, ALG_NAMES, PARAMS, PROBLEM_NAMES};
use serde::{Deserialize, Serialize};

mod limits;
pub use limits::{
    max_rows, recorded_rows, recording_work, training_work, Cost, BREAST_CANCER_SHAPE,
    DIGITS_SHAPE, MAX_DATA_VALUES, MAX_RECORDING_WORK, MAX_TRAINING_WORK,
};

/// The link format this build writes. Older formats must keep parsing to the same experiment.
pub const LINK_VERSION: u64 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Alg {
    /// CR-PSGD, Algorithm 1: batches grow geometrically.
    CrPsgd,
    /// Classic parallel mini-batch SGD: a fixed batch B₁ every round.
    Psgd,
    /// CR-PSGD-Catalyst, Algorithm 2: CR-PSGD on a sequence of proximal subproblems.
    Catalyst,
    /// Local SGD: H local steps per node between averages.
    Local,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProblemKind {
    BreastCancer,
    Digits,
    Synthetic,
    DigitsMlp,
    Landscape,
}

/// Every parameter of one run. Equal experiments give bit-identical runs on any machine and thread count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    pub alg: Alg,
    pub problem: ProblemKind,
    /// N, the number of nodes.
    pub nodes: usize,
    /// ρ, the batch growth factor (CR-PSGD only).
    pub rho: f64,
    /// B₁, the first (for PSGD: every) batch size per node.
    pub first_batch: u64,
    /// γ, the step size.
    pub gamma: f64,
    /// T, the SFO budget per node.
    pub budget: u64,
    pub seed: u64,
    /// λ, the L2 penalty.
    pub lambda: f64,
    /// Synthetic data: examples and features.
    pub synthetic_examples: usize,
    pub synthetic_features: usize,
    /// θ, Catalyst's proximal weight.
    pub theta: f64,
    /// H, local SGD's steps per round; `None` is the rule ⌊T^(1/4)/N^(3/4)⌋.
    pub local_steps: Option<u64>,
    /// Hidden units of digits-mlp.
    pub hidden: usize,
    /// The landscape's gradient noise and starting point.
    pub sigma: f64,
    pub start_x: f64,
    pub start_y: f64,
    /// Record a row every this many rounds; `None` is automatic.
    pub every: Option<u64>,
    /// The simulated network and compute: ms per message, MB/s, µs per sample gradient.
    pub latency_ms: f64,
    pub bandwidth_mb_s: f64,
    pub sfo_time_us: f64,
}

impl Default for Experiment {
    fn default() -> Self {
        Experiment {
            alg: Alg::CrPsgd,
            problem: ProblemKind::BreastCancer,
            nodes: 4,
            rho: 1.5,
            first_batch: 2,
            gamma: 0.5,
            budget: 2000,
            seed: 7,
            lambda: 1e-3,
            synthetic_examples: 1000,
            synthetic_features: 20,
            theta: 1.0,
            local_steps: None,
            hidden: 32,
            sigma: 3.0,
            start_x: 3.0,
            start_y: -2.5,
            every: None,
            // A datacenter: 50 µs messages over 10 GB/s links, 10 µs per sample gradient.
            latency_ms: 0.05,
            bandwidth_mb_s: 10_000.0,
            sfo_time_us: 10.0,
        }
    }
}

/// Something the reader of a link changed or ignored, said in words a user understands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The parameter concerned ("" for the link as a whole).
    pub param: String,
    /// What is wrong, naming the parameter and what it allows (the CLI's whole error message).
    pub problem: String,
    /// What the page did about it ("using 64"), empty when nothing needed doing.
    pub action: String,
}

/// A parsed parameter value, before it is stored.
enum Value {
    Choice(usize),
    Number(f64),
    Auto,
}

impl Alg {
    /// In the order of `params::ALG_NAMES`.
    pub const ALL: [Alg; 4] = [Alg::CrPsgd, Alg::Psgd, Alg::Catalyst, Alg::Local];

    pub fn name(self) -> &'static str {
        ALG_NAMES[self as usize]
    }
}

impl ProblemKind {
    /// In the order of `params::PROBLEM_NAMES`.
    pub const ALL: [ProblemKind; 5] = [
        ProblemKind::BreastCancer,
        ProblemKind::Digits,
        ProblemKind::Synthetic,
        ProblemKind::DigitsMlp,
        ProblemKind::Landscape,
    ];

    pub fn name(self) -> &'static str {
        PROBLEM_NAMES[self as usize]
    }
}

impl Experiment {
    /// Reads a share link's query string (with or without the leading `?`), leniently: every value that
    /// cannot be used as given is clamped or left at its default, and each such change is a [`Notice`].
    pub fn from_query(query: &str) -> (Experiment, Vec<Notice>) {
        let mut experiment = Experiment::default();
        let mut notices = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let query = query.strip_prefix('?').unwrap_or(query);
        for (key, raw) in form_urlencoded::parse(query.as_bytes()) {
            if key.is_empty() {
                continue;
            }
            if seen.iter().any(|k| *k == key) {
                notices.push(Notice::new(
                    &key,
                    format!("{} is given more than once", shorten(&key)),
                    "the last value counts",
                ));
            } else {
                seen.push(key.to_string());
            }
            if key == "v" {
                notices.extend(check_version(&raw));
            } else if spec(&key).is_some() {
                notices.extend(experiment.set_value(&key, &raw));
            } else {
                let known: Vec<&str> = PARAMS.iter().map(|p| p.name).collect();
                notices.push(Notice::new(
                    "",
                    format!(
                        "unknown parameter \"{}\" (known: v, {})",
                        shorten(&key),
                        known.join(", ")
                    ),
                    "ignored",
                ));
            }
        }
        for name in seen.iter().filter(|k| k.as_str() != "v") {
            if let Some(param) = spec(name) {
                if !(param.applies)(experiment.alg, experiment.problem) {
                    notices.push(Notice::new(
                        name,
                        experiment.not_applicable(param),
                        "ignored",
                    ));
                    // Ignored means ignored: the link written back would not carry it either.
                    experiment.set_value(name, &Experiment::default().get(name));
                }
            }
        }
        // Only now that every value is known: the limits weigh parameters against each other.
        notices.extend(experiment.apply_limits());
        (experiment, notices)
    }

    /// Reads a query string strictly, as the CLI does: the first notice is the error.
    pub fn from_query_strict(query: &str) -> Result<Experiment, Notice> {
        let (experiment, mut notices) = Experiment::from_query(query);
        if notices.is_empty() {
            Ok(experiment)
        } else {
            Err(notices.swap_remove(0))
        }
    }

    /// The shortest link that reproduces this experiment: the version, then every parameter that applies
    /// and differs from its default, in table order.
    pub fn to_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("v", &LINK_VERSION.to_string());
        // Defaults are part of link format v: a link leaves them out, and changing one means a new v.
        let defaults = Experiment::default();
        for param in PARAMS
            .iter()
            .filter(|p| (p.applies)(self.alg, self.problem))
        {
            let value = self.get(param.name);
            if value != defaults.get(param.name) {
                out.append_pair(param.name, &value);
            }
        }
        out.finish()
    }

    /// A parameter's current value as link text.
    pub fn get(&self, name: &str) -> String {
        match name {
            "alg" => self.alg.name().to_string(),
            "problem" => self.problem.name().to_string(),
            "N" => self.nodes.to_string(),
            "rho" => self.rho.to_string(),
            "B1" => self.first_batch.to_string(),
            "gamma" => self.gamma.to_string(),
            "T" => self.budget.to_string(),
            "seed" => self.seed.to_string(),
            "lambda" => self.lambda.to_string(),
            "n" => self.synthetic_examples.to_string(),
            "d" => self.synthetic_features.to_string(),
            "theta" => self.theta.to_string(),
            "H" => auto_or(self.local_steps),
            "hidden" => self.hidden.to_string(),
            "sigma" => self.sigma.to_string(),
            "x0" => self.start_x.to_string(),
            "y0" => self.start_y.to_string(),
            "every" => auto_or(self.every),
            "latency" => self.latency_ms.to_string(),
            "bandwidth" => self.bandwidth_mb_s.to_string(),
            "sfo_time" => self.sfo_time_us.to_string(),
            _ => String::new(),
        }
    }

    /// Sets one parameter from text, as a control does, then applies the limits across parameters.
    /// Returns a notice when the text could not be used as given (a number out of range is clamped into
    /// it; anything else unusable leaves the current value in place), or, taking precedence because it
    /// describes the value now shown, when the limits then lowered `T` or raised `every`.
    pub fn set(&mut self, name: &str, raw: &str) -> Option<Notice> {
        let notice = self.set_value(name, raw);
        self.apply_limits().into_iter().last().or(notice)
    }

    /// Sets one parameter from text, without the limits across parameters (a link applies them once,
    /// after all its values are read, so that their order does not matter).
    fn set_value(&mut self, name: &str, raw: &str) -> Option<Notice> {
        let param = spec(name)?;
        let current = self.get(name);
        let (value, notice) = match parse(param, raw) {
            Ok(value) => (value, None),
            Err(Rejected::Clamped(value)) => {
                let problem = format!(
                    "{}={} is out of range ({})",
                    name,
                    shorten(raw),
                    param.domain.describe()
                );
                let action = format!("using {value}");
                (
                    Value::Number(value),
                    Some(Notice::new(name, problem, &action)),
                )
            }
            Err(Rejected::Unusable(why)) => {
                let problem = format!(
                    "{}={} {} (allowed: {})",
                    name,
                    shorten(raw),
                    why,
                    param.domain.describe()
                );
                return Some(Notice::new(name, problem, &format!("using {current}")));
            }
        };
        self.store(name, value);
        notice
    }

    fn store(&mut self, name: &str, value: Value) {
        match (name, value) {
            ("alg", Value::Choice(i)) => self.alg = Alg::ALL[i],
            ("problem", Value::Choice(i)) => self.problem = ProblemKind::ALL[i],
            // Integers were range-checked against the table, so these casts cannot truncate.
            ("N", Value::Number(v)) => self.nodes = v as usize,
            ("rho", Value::Number(v)) => self.rho = v,
            ("B1", Value::Number(v)) => self.first_batch = v as u64,
            ("gamma", Value::Number(v)) => self.gamma = v,
            ("T", Value::Number(v)) => self.budget = v as u64,
            ("seed", Value::Number(v)) => self.seed = v as u64,
            ("lambda", Value::Number(v)) => self.lambda = v,
            ("n", Value::Number(v)) => self.synthetic_examples = v as usize,
            ("d", Value::Number(v)) => self.synthetic_features = v as usize,
            ("theta", Value::Number(v)) => self.theta = v,
            ("H", Value::Number(v)) => self.local_steps = Some(v as u64),
            ("H", Value::Auto) => self.local_steps = None,
            ("hidden", Value::Number(v)) => self.hidden = v as usize,
            ("sigma", Value::Number(v)) => self.sigma = v,
            ("x0", Value::Number(v)) => self.start_x = v,
            ("y0", Value::Number(v)) => self.start_y = v,
            ("every", Value::Number(v)) => self.every = Some(v as u64),
            ("every", Value::Auto) => self.every = None,
            ("latency", Value::Number(v)) => self.latency_ms = v,
            ("bandwidth", Value::Number(v)) => self.bandwidth_mb_s = v,
            ("sfo_time", Value::Number(v)) => self.sfo_time_us = v,
            _ => {}
        }
    }

    fn not_applicable(&self, param: &ParamSpec) -> String {
        let context = if matches!(param.name, "rho" | "theta" | "H") {
            format!("alg={}", self.alg.name())
        } else {
            format!("problem={}", self.problem.name())
        };
        format!("{} does not apply to {}", param.name, context)
    }

    /// Whether `name` is read by this experiment (the page hides the controls that are not).
    pub fn uses(&self, name: &str) -> bool {
        spec(name).is_some_and(|p| (p.applies)(self.alg, self.problem))
    }
}

impl Notice {
    fn new(param: &str, problem: String, action: &str) -> Notice {
        Notice {
            param: shorten(param),
            problem,
            action: action.to_string(),
        }
    }

    /// A notice about another part of the link (see `link`).
    pub fn for_link(param: &str, problem: String, action: &str) -> Notice {
        Notice::new(param, problem, action)
    }

    /// The whole sentence, as the page shows it.
    pub fn message(&self) -> String {
        if self.action.is_empty() {
            format!("{}.", self.problem)
        } else {
            format!("{}; {}.", self.problem, self.action)
        }
    }
}

/// Why a value could not be stored as given.
enum Rejected {
    /// A number outside the range: this is the nearest allowed value.
    Clamped(f64),
    /// Text that is not a value of this parameter at all.
    Unusable(&'static str),
}

fn parse(param: &ParamSpec, raw: &str) -> Result<Value, Rejected> {
    let text = raw.trim();
    match param.domain {
        Domain::Choice(names) => names
            .iter()
            .position(|n| *n == text)
            .map(Value::Choice)
            .ok_or(Rejected::Unusable("is not a known choice")),
        Domain::Int { min, max } => {
            let number = parse_number(text)?;
            if number.fract() != 0.0 {
                return Err(Rejected::Unusable("is not a whole number"));
            }
            in_range(number, min as f64, max as f64)
        }
        Domain::Real { min, max } => in_range(parse_number(text)?, min, max),
        Domain::IntOrAuto { .. } if text == "auto" => Ok(Value::Auto),
        Domain::IntOrAuto { min, max } => parse(
            &ParamSpec {
                domain: Domain::Int { min, max },
                ..*param
            },
            text,
        ),
    }
}

fn auto_or(value: Option<u64>) -> String {
    value.map_or_else(|| "auto".to_string(), |v| v.to_string())
}

fn parse_number(text: &str) -> Result<f64, Rejected> {
    if text.is_empty() {
        return Err(Rejected::Unusable("is empty"));
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(Rejected::Unusable("is not a finite number")),
        Err(_) => Err(Rejected::Unusable("is not a number")),
    }
}

fn in_range(v: f64, min: f64, max: f64) -> Result<Value, Rejected> {
    if v < min {
        Err(Rejected::Clamped(min))
    } else if v > max {
        Err(Rejected::Clamped(max))
    } else {
        Ok(Value::Number(v))
    }
}

fn check_version(raw: &str) -> Option<Notice> {
    match raw.trim().parse::<u64>() {
        Ok(v) if v == LINK_VERSION => None,
        Ok(v) if v > LINK_VERSION => Some(Notice::new(
            "v",
            format!(
                "this link was made by a newer Dynabatch (link format v={v}, this version reads v={LINK_VERSION}) \
                 and may not reproduce the original run"
            ),
            &format!("reading it as v={LINK_VERSION}; open it with a newer Dynabatch to be sure"),
        )),
        _ => Some(Notice::new(
            "v",
            format!("v={} is not a link format this version knows (it reads v={LINK_VERSION})", shorten(raw)),
            &format!("reading it as v={LINK_VERSION}"),
        )),
    }
}

/// Keeps messages short and single-line, whatever a link holds.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= MAX {
        clean
    } else {
        format!("{}…", clean.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_name_maps_to_its_variant() {
        assert_eq!(Alg::ALL.len(), ALG_NAMES.len());
        assert_eq!(ProblemKind::ALL.len(), PROBLEM_NAMES.len());
        for alg in Alg::ALL {
            assert_eq!(
                Experiment::from_query(&format!("alg={}", alg.name())).0.alg,
                alg
            );
        }
        for problem in ProblemKind::ALL {
            assert_eq!(
                Experiment::from_query(&format!("problem={}", problem.name()))
                    .0
                    .problem,
                problem
            );
        }
    }
}
