//! The one `Experiment` type: every parameter of a run, read from and written to share links.
//!
//! The page reads links leniently (bad values are clamped or replaced by defaults, each with a [`Notice`]);
//! the CLI reads them strictly (the first notice is an error). Both go through [`Experiment::from_query`],
//! so the two can never disagree about what a link means.

pub use crate::choices::{Alg, Format, ProblemKind, Task};
use crate::params::{spec, Param, ParamSpec, Rejected, Value, PARAMS};
pub use crate::pinned::{LabelColumn, Sha256};
use crate::text::shorten;
use serde::{Deserialize, Serialize};

mod file;
mod limits;
pub use file::Wanted;
pub use limits::{
    max_rows, recorded_rows, recording_work, training_work, training_work_at, Cost,
    BREAST_CANCER_SHAPE, DIGITS_SHAPE, MAX_DATA_VALUES, MAX_RECORDING_WORK, MAX_TRAINING_WORK,
};

/// The link format this build writes. Older formats must keep parsing to the same experiment.
pub const LINK_VERSION: u64 = 1;

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
    /// B_max, the batch per node the ramp grows to (alg=ramp).
    pub ramp_cap: u64,
    /// S, the samples per node over which the ramp grows (alg=ramp).
    pub ramp_length: u64,
    /// γ, the step size.
    pub gamma: f64,
    /// η, the norm test's ratio of noise to gradient (adaptive batches).
    pub eta: f64,
    /// τ, the step decay in samples per node: γ_t = γ·τ/(τ + s_t). 0 is a constant γ.
    pub decay: f64,
    /// β, heavy-ball momentum; 0 is plain SGD.
    pub momentum: f64,
    /// T, the SFO budget per node.
    pub budget: u64,
    pub seed: u64,
    /// λ, the L2 penalty.
    pub lambda: f64,
    /// Synthetic data: examples and features.
    pub synthetic_examples: usize,
    pub synthetic_features: usize,
    /// problem=data: the SHA-256 of the file the link runs on; `None` runs on any file given.
    pub data_sha256: Option<Sha256>,
    /// problem=data: the CSV column that holds the labels.
    pub label: LabelColumn,
    /// problem=data: the file's format; `None` is detected.
    pub format: Option<Format>,
    /// problem=data: what to fit to the labels; `None` is decided by them.
    pub task: Option<Task>,
    /// problem=data: standardise the feature columns.
    pub standardize: bool,
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

/// The table's defaults (`params::PARAMS`).
impl Default for Experiment {
    fn default() -> Self {
        fn table<T: Field>(param: Param) -> T {
            T::typed(param, param.spec().default.clone())
        }
        Experiment {
            alg: table(Param::Alg),
            problem: table(Param::Problem),
            nodes: table(Param::Nodes),
            rho: table(Param::Rho),
            first_batch: table(Param::FirstBatch),
            ramp_cap: table(Param::RampCap),
            ramp_length: table(Param::RampLength),
            gamma: table(Param::Gamma),
            decay: table(Param::Decay),
            momentum: table(Param::Momentum),
            eta: table(Param::Eta),
            budget: table(Param::Budget),
            seed: table(Param::Seed),
            lambda: table(Param::Lambda),
            synthetic_examples: table(Param::Examples),
            synthetic_features: table(Param::Features),
            data_sha256: table(Param::DataSha256),
            label: table(Param::Label),
            format: table(Param::Format),
            task: table(Param::Task),
            standardize: table(Param::Standardize),
            theta: table(Param::Theta),
            local_steps: table(Param::LocalSteps),
            hidden: table(Param::Hidden),
            sigma: table(Param::Sigma),
            start_x: table(Param::StartX),
            start_y: table(Param::StartY),
            every: table(Param::Every),
            latency_ms: table(Param::Latency),
            bandwidth_mb_s: table(Param::Bandwidth),
            sfo_time_us: table(Param::SfoTime),
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
                if let Some(problem) = experiment.not_applicable(param) {
                    notices.push(Notice::new(name, problem, "ignored"));
                    // Ignored means ignored: the link written back would not carry it either.
                    experiment.store(param.param, param.default.clone());
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
        for param in PARAMS.iter().filter(|p| self.uses(p.param)) {
            let value = self.value(param.param);
            if value != param.default {
                out.append_pair(param.name, &value.to_string());
            }
        }
        out.finish()
    }

    /// A parameter's current value as link text ("" for a name that is not a parameter).
    pub fn get(&self, name: &str) -> String {
        spec(name).map_or_else(String::new, |p| self.value(p.param).to_string())
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
        let (value, notice) = match param.parse(raw) {
            Ok(value) => (value, None),
            Err(Rejected::Clamped(value)) => {
                let problem = format!(
                    "{}={} is out of range ({})",
                    name,
                    shorten(raw),
                    param.domain.describe()
                );
                let action = format!("using {}", shown(&value));
                (value, Some(Notice::new(name, problem, &action)))
            }
            Err(Rejected::Unusable(why)) => {
                let problem = format!(
                    "{}={} {} (allowed: {})",
                    name,
                    shorten(raw),
                    why,
                    param.domain.describe()
                );
                let current = self.value(param.param);
                return Some(Notice::new(
                    name,
                    problem,
                    &format!("using {}", shown(&current)),
                ));
            }
        };
        self.store(param.param, value);
        notice
    }

    /// A parameter's current value.
    pub fn value(&self, param: Param) -> Value {
        match param {
            Param::Alg => self.alg.value(),
            Param::Problem => self.problem.value(),
            Param::Nodes => self.nodes.value(),
            Param::Rho => self.rho.value(),
            Param::Theta => self.theta.value(),
            Param::LocalSteps => self.local_steps.value(),
            Param::FirstBatch => self.first_batch.value(),
            Param::RampCap => self.ramp_cap.value(),
            Param::RampLength => self.ramp_length.value(),
            Param::Gamma => self.gamma.value(),
            Param::Decay => self.decay.value(),
            Param::Momentum => self.momentum.value(),
            Param::Eta => self.eta.value(),
            Param::Budget => self.budget.value(),
            Param::Seed => self.seed.value(),
            Param::Lambda => self.lambda.value(),
            Param::Examples => self.synthetic_examples.value(),
            Param::Features => self.synthetic_features.value(),
            Param::DataSha256 => self.data_sha256.value(),
            Param::Label => self.label.value(),
            Param::Format => self.format.value(),
            Param::Task => self.task.value(),
            Param::Standardize => self.standardize.value(),
            Param::Hidden => self.hidden.value(),
            Param::Sigma => self.sigma.value(),
            Param::StartX => self.start_x.value(),
            Param::StartY => self.start_y.value(),
            Param::Latency => self.latency_ms.value(),
            Param::Bandwidth => self.bandwidth_mb_s.value(),
            Param::SfoTime => self.sfo_time_us.value(),
            Param::Every => self.every.value(),
        }
    }

    /// Stores a value of the parameter's kind (as [`ParamSpec::parse`] and the table's defaults give).
    pub(crate) fn store(&mut self, param: Param, value: Value) {
        fn put<T: Field>(field: &mut T, param: Param, value: Value) {
            *field = T::typed(param, value);
        }
        match param {
            Param::Alg => put(&mut self.alg, param, value),
            Param::Problem => put(&mut self.problem, param, value),
            Param::Nodes => put(&mut self.nodes, param, value),
            Param::Rho => put(&mut self.rho, param, value),
            Param::Theta => put(&mut self.theta, param, value),
            Param::LocalSteps => put(&mut self.local_steps, param, value),
            Param::FirstBatch => put(&mut self.first_batch, param, value),
            Param::RampCap => put(&mut self.ramp_cap, param, value),
            Param::RampLength => put(&mut self.ramp_length, param, value),
            Param::Gamma => put(&mut self.gamma, param, value),
            Param::Decay => put(&mut self.decay, param, value),
            Param::Momentum => put(&mut self.momentum, param, value),
            Param::Eta => put(&mut self.eta, param, value),
            Param::Budget => put(&mut self.budget, param, value),
            Param::Seed => put(&mut self.seed, param, value),
            Param::Lambda => put(&mut self.lambda, param, value),
            Param::Examples => put(&mut self.synthetic_examples, param, value),
            Param::Features => put(&mut self.synthetic_features, param, value),
            Param::DataSha256 => put(&mut self.data_sha256, param, value),
            Param::Label => put(&mut self.label, param, value),
            Param::Format => put(&mut self.format, param, value),
            Param::Task => put(&mut self.task, param, value),
            Param::Standardize => put(&mut self.standardize, param, value),
            Param::Hidden => put(&mut self.hidden, param, value),
            Param::Sigma => put(&mut self.sigma, param, value),
            Param::StartX => put(&mut self.start_x, param, value),
            Param::StartY => put(&mut self.start_y, param, value),
            Param::Latency => put(&mut self.latency_ms, param, value),
            Param::Bandwidth => put(&mut self.bandwidth_mb_s, param, value),
            Param::SfoTime => put(&mut self.sfo_time_us, param, value),
            Param::Every => put(&mut self.every, param, value),
        }
    }

    /// Why `param` is ignored here, naming the choice its applicability depends on ("rho does not apply
    /// to alg=psgd"); `None` where it applies.
    fn not_applicable(&self, param: &ParamSpec) -> Option<String> {
        let choice = param.applies_to.depends_on()?;
        (!self.uses(param.param)).then(|| {
            format!(
                "{} does not apply to {}={}",
                param.name,
                choice.spec().name,
                self.value(choice)
            )
        })
    }

    /// Whether this experiment reads `param` (the page hides the controls that it does not).
    pub fn uses(&self, param: Param) -> bool {
        param.spec().applies(self.alg, self.problem)
    }

    /// This experiment on the data file that `file` trains on: problem=data, with `file`'s values of the
    /// parameters that apply to problem=data alone (which file, and how it is read); the algorithm, the
    /// nodes, the budget and the rest stay this one's. With the limits applied, and their notices.
    pub fn on_file_of(&self, file: &Experiment) -> (Experiment, Vec<Notice>) {
        let mut out = self.clone();
        out.problem = ProblemKind::Data;
        // Which file, and how it is read: the parameters of problem=data's data set.
        for &param in out.problem.model().data.params() {
            out.store(param, file.value(param));
        }
        let notices = out.apply_limits();
        (out, notices)
    }
}

/// An experiment field's type, as a parameter [`Value`].
trait Field: Sized {
    fn value(&self) -> Value;
    /// `None` for a value of another kind.
    fn from_value(value: Value) -> Option<Self>;

    /// The value as this field's type. A value's kind follows from its parameter's row alone, never from
    /// the text it was read from, so a mismatch is a bug in the table, ruled out for every parameter by
    /// the tests (and by `Experiment::default()`, which reads every row).
    fn typed(param: Param, value: Value) -> Self {
        let shown = format!("{value:?}");
        Self::from_value(value)
            .unwrap_or_else(|| panic!("{shown} is not a value of {param:?}: fix params::PARAMS"))
    }
}

/// The fields whose type is exactly one kind of [`Value`].
macro_rules! fields {
    ($($field:ty => $kind:ident),* $(,)?) => {$(
        impl Field for $field {
            fn value(&self) -> Value {
                Value::$kind(*self)
            }
            fn from_value(value: Value) -> Option<Self> {
                match value {
                    Value::$kind(v) => Some(v),
                    _ => None,
                }
            }
        }
    )*};
}

// The `Option`s: `None` is `auto` (or, for the SHA-256, nothing pinned).
fields!(
    Alg => Alg,
    ProblemKind => Problem,
    u64 => Int,
    f64 => Real,
    Option<u64> => IntOrAuto,
    Option<Task> => Task,
    Option<Format> => Format,
    Option<Sha256> => Sha256,
);

impl Field for LabelColumn {
    fn value(&self) -> Value {
        Value::Label(self.clone())
    }
    fn from_value(value: Value) -> Option<Self> {
        match value {
            Value::Label(column) => Some(column),
            _ => None,
        }
    }
}

/// A flag is the integer 0 or 1 (`standardize=0`).
impl Field for bool {
    fn value(&self) -> Value {
        Value::Int(u64::from(*self))
    }
    fn from_value(value: Value) -> Option<Self> {
        match value {
            Value::Int(0) => Some(false),
            Value::Int(1) => Some(true),
            _ => None,
        }
    }
}

impl Field for usize {
    fn value(&self) -> Value {
        Value::Int(*self as u64)
    }
    fn from_value(value: Value) -> Option<Self> {
        // Counts are range-checked against the table first, far below usize::MAX on any target.
        u64::from_value(value).and_then(|v| usize::try_from(v).ok())
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

/// A value as a notice quotes it: "nothing" for an empty one.
fn shown(value: &Value) -> String {
    match value.to_string() {
        text if text.is_empty() => "nothing".into(),
        text => shorten(&text),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_file_of_takes_the_file_and_how_it_is_read_and_keeps_the_rest() {
        let file = Experiment::from_query(
            "problem=data&label=price&format=csv&task=least-squares&standardize=0&N=7&alg=psgd\
             &data_sha256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        )
        .0;
        let run = Experiment::from_query("problem=digits&N=3&alg=local&T=5000").0;
        let (on, notices) = run.on_file_of(&file);
        assert!(notices.is_empty(), "{notices:?}");
        let expected = Experiment::from_query(
            "problem=data&label=price&format=csv&task=least-squares&standardize=0&N=3&alg=local&T=5000\
             &data_sha256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        );
        assert_eq!((on, vec![]), expected);
    }
    use crate::choices::{ALG_NAMES, PROBLEM_NAMES};
    use crate::params::Domain;

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

    #[test]
    fn the_default_experiment_is_the_tables_defaults() {
        let e = Experiment::default();
        for p in PARAMS {
            assert_eq!(e.value(p.param), p.default, "{}", p.name);
        }
        assert_eq!(e.to_query(), format!("v={LINK_VERSION}"));
    }

    #[test]
    fn every_default_round_trips_through_its_text() {
        for p in PARAMS {
            let mut e = Experiment::default();
            let text = e.get(p.name);
            assert_eq!(text, p.default.to_string());
            assert_eq!(e.set(p.name, &text), None, "{}={text}", p.name);
            assert_eq!(e, Experiment::default(), "{}={text}", p.name);
        }
    }

    /// A value of each parameter other than its default, at an edge of its domain.
    fn other_value(p: &ParamSpec) -> Value {
        match p.domain {
            Domain::Choice(crate::choices::Choices::Alg) => Value::Alg(Alg::Local),
            Domain::Choice(crate::choices::Choices::Problem) => {
                Value::Problem(ProblemKind::Landscape)
            }
            Domain::Int { min, max } => Value::Int(if p.default == Value::Int(min) {
                max
            } else {
                min
            }),
            Domain::Real { min, max } => Value::Real(if p.default == Value::Real(min) {
                max
            } else {
                min
            }),
            Domain::IntOrAuto { max, .. } => Value::IntOrAuto(Some(max)),
            Domain::Choice(crate::choices::Choices::Task) => Value::Task(Some(Task::LeastSquares)),
            Domain::Choice(crate::choices::Choices::Format) => Value::Format(Some(Format::Libsvm)),
            Domain::Column => Value::Label(LabelColumn::Named("price".into())),
            Domain::Sha256 => Value::Sha256(Some(Sha256::of(b"data"))),
        }
    }

    #[test]
    fn each_parameter_reads_and_writes_its_own_field_only() {
        for p in PARAMS {
            let value = other_value(p);
            assert_ne!(value, p.default, "{}", p.name);
            let mut e = Experiment::default();
            assert_eq!(e.set_value(p.name, &value.to_string()), None, "{}", p.name);
            for q in PARAMS {
                let expected = if q.param == p.param {
                    value.clone()
                } else {
                    q.default.clone()
                };
                assert_eq!(
                    e.value(q.param),
                    expected,
                    "{} set, {} read",
                    p.name,
                    q.name
                );
            }
        }
    }

    #[test]
    fn ignored_parameters_name_the_choice_they_depend_on_and_are_reset() {
        let problems = |query: &str| -> Vec<String> {
            Experiment::from_query(query)
                .1
                .into_iter()
                .map(|n| n.message())
                .collect()
        };
        assert_eq!(
            problems("alg=psgd&rho=2"),
            ["rho does not apply to alg=psgd; ignored."]
        );
        assert_eq!(
            problems("theta=3&H=4"),
            [
                "theta does not apply to alg=crpsgd; ignored.",
                "H does not apply to alg=crpsgd; ignored.",
            ]
        );
        assert_eq!(
            problems("problem=landscape&lambda=0.1&n=50&hidden=8"),
            [
                "lambda does not apply to problem=landscape; ignored.",
                "n does not apply to problem=landscape; ignored.",
                "hidden does not apply to problem=landscape; ignored.",
            ]
        );
        assert_eq!(
            problems("x0=1&problem=digits"),
            ["x0 does not apply to problem=digits; ignored."]
        );
        let (e, _) = Experiment::from_query("alg=psgd&rho=2&problem=digits&sigma=9");
        assert_eq!((e.rho, e.sigma), (1.5, 3.0), "reset to the defaults");
    }
}
