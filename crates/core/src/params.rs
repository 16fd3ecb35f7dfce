//! The parameter table: every experiment parameter's name, meaning, range, default and which experiments
//! read it, in one place.
//!
//! The URL parser, the page's controls (labels, tooltips, input limits), `Experiment::default()` and the
//! CLI's error messages all read this table, so a parameter is added or re-ranged here and nowhere else.
//! Values are typed ([`Value`]); text appears only at the boundary, [`ParamSpec::parse`] and `Display`.

use crate::choices::{Alg, Choices, Format, ProblemKind, Task, AUTO};
use crate::pinned::{LabelColumn, Sha256};
use std::fmt;

/// Every parameter, one variant each, in table order (`PARAMS[p as usize]` is `p`'s row).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    Alg,
    Problem,
    Nodes,
    Rho,
    Eta,
    Theta,
    LocalSteps,
    FirstBatch,
    RampCap,
    RampLength,
    Gamma,
    Decay,
    Momentum,
    Budget,
    Seed,
    Lambda,
    Examples,
    Features,
    DataSha256,
    Label,
    Format,
    Task,
    Standardize,
    Hidden,
    Sigma,
    StartX,
    StartY,
    Latency,
    Bandwidth,
    SfoTime,
    Every,
}

/// A parameter's value, of the kind its [`Domain`] describes.
#[derive(Clone, Debug)]
pub enum Value {
    Alg(Alg),
    Problem(ProblemKind),
    Int(u64),
    Real(f64),
    /// `None` is `auto`.
    IntOrAuto(Option<u64>),
    /// `None` is `auto`.
    Task(Option<Task>),
    /// `None` is `auto`.
    Format(Option<Format>),
    Label(LabelColumn),
    /// `None`: no file is pinned.
    Sha256(Option<Sha256>),
}

/// What values a parameter takes.
#[derive(Clone, Copy, Debug)]
pub enum Domain {
    /// One of a fixed list of names.
    Choice(Choices),
    /// An integer in `min..=max`.
    Int { min: u64, max: u64 },
    /// A finite real number in `min..=max`.
    Real { min: f64, max: f64 },
    /// `auto`, or an integer in `min..=max`.
    IntOrAuto { min: u64, max: u64 },
    /// A CSV column: `last`, a number from 1, or a header's name.
    Column,
    /// A SHA-256 as 64 hexadecimal digits, or nothing.
    Sha256,
}

/// Which experiments read a parameter; the others ignore it (and links leave it out).
#[derive(Clone, Copy, Debug)]
pub enum AppliesTo {
    All,
    /// Only these algorithms.
    Algs(&'static [Alg]),
    /// Only the problems whose model reads it (`models::Model::reads`): its data set's parameters and its
    /// architecture's.
    Model,
}

/// One parameter of an [`crate::experiment::Experiment`].
#[derive(Clone, Debug)]
pub struct ParamSpec {
    pub param: Param,
    /// The name used in links, in the CLI and as the page's input `id`.
    pub name: &'static str,
    /// Short label shown beside the control.
    pub label: &'static str,
    /// The paper's symbol for it, if it has one.
    pub symbol: &'static str,
    /// One sentence of help: what it means and what changing it does.
    pub help: &'static str,
    pub domain: Domain,
    /// Its value in `Experiment::default()`. Defaults are part of link format v: a link leaves them out,
    /// so changing one means a new v.
    pub default: Value,
    pub applies_to: AppliesTo,
}

/// Largest per-node SFO budget: with B₁ = 1 and ρ = 1 it is also the most rounds a run can have, which
/// bounds both the run time and the history kept for the charts.
pub const MAX_BUDGET: u64 = 1_000_000;

/// Most rows a run records (and the page keeps and charts, per run): 20 times more points than a chart
/// has pixels across. A row costs the page about 300 bytes, so four compared runs of 200,000 would not fit
/// its 256 MiB, and the landscape map, which draws every point, froze for 108 s at 166,000 (docs/LIMITS.md).
/// Past it, `every` is raised (see `experiment::limits`).
pub const MAX_ROWS: u64 = 20_000;

/// The norm test's η by default: with a tuned γ, η = 1 did best of 1, 2, 4 and 8 on breast cancer at λ = 0.1
/// and 0.001 (`dynabatch tune`; README, "Adaptive batches").
pub const ETA_DEFAULT: f64 = 1.0;

/// Largest step decay τ: a thousand times the largest budget, where γ_t stays within 0.1% of γ for the
/// whole of any run, so larger values could not be told from a constant step.
pub const MAX_DECAY: f64 = 1000.0 * MAX_BUDGET as f64;

/// Largest momentum β: the heavy ball's steps add up to γ/(1 − β) times a plain step, so β = 1 would never
/// forget a gradient and past 0.999 a run amplifies each step more than a thousandfold.
pub const MAX_MOMENTUM: f64 = 0.999;

pub const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        param: Param::Alg,
        name: "alg",
        label: "Algorithm",
        symbol: "",
        help: "crpsgd: CR-PSGD, batches grow by ρ each round (Algorithm 1). psgd: classic parallel SGD with a fixed batch B₁. catalyst: CR-PSGD-Catalyst, CR-PSGD on a sequence of proximal subproblems (Algorithm 2). local: local SGD, H local steps between averages. adaptive: adaptive batches, each round's batch grown by the norm test when the measured gradient noise asks for it (by at most ρ per round). ramp: GPT-3's batch ramp, linear from B₁ to B_max over the first S samples per node, then fixed (the paper does not analyse it).",
        domain: Domain::Choice(Choices::Alg),
        default: Value::Alg(Alg::CrPsgd),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Problem,
        name: "problem",
        label: "Problem",
        symbol: "f",
        help: "The objective: logistic regression on UCI breast cancer (569×30), softmax regression on UCI digits (1797×64), logistic regression on data generated from the seed, a one-hidden-layer network on the digits (non-convex), or the 2-D landscape x² + 3sin²x + y² + 3sin²y (non-convex but PL).",
        domain: Domain::Choice(Choices::Problem),
        default: Value::Problem(ProblemKind::BreastCancer),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Nodes,
        name: "N",
        label: "Nodes",
        symbol: "N",
        help: "Number of worker nodes. Each round every node averages B_t stochastic gradients of its own; the N averages are then averaged (one communication round).",
        domain: Domain::Int { min: 1, max: 64 },
        default: Value::Int(4),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Rho,
        name: "rho",
        label: "Batch growth",
        symbol: "ρ",
        help: "Batch growth factor: B_t = ⌊ρ^(t−1)·B₁⌋. ρ = 1 is fixed-batch parallel SGD; larger ρ means fewer, larger rounds. For adaptive batches, the most a batch may grow in one round.",
        domain: Domain::Real { min: 1.0, max: 16.0 },
        default: Value::Real(1.5),
        applies_to: AppliesTo::Algs(&[Alg::CrPsgd, Alg::Catalyst, Alg::Adaptive]),
    },
    ParamSpec {
        param: Param::Eta,
        name: "eta",
        label: "Norm test",
        symbol: "η",
        help: "Adaptive batches grow until the noise in the averaged gradient is at most η times its size: the next global batch aims at B_noise/η² (Byrd et al. 2012), growing by at most ρ per round. Smaller η means larger batches sooner.",
        domain: Domain::Real { min: 0.1, max: 100.0 },
        default: Value::Real(ETA_DEFAULT),
        applies_to: AppliesTo::Algs(&[Alg::Adaptive]),
    },
    ParamSpec {
        param: Param::Theta,
        name: "theta",
        label: "Proximal weight",
        symbol: "θ",
        help: "Catalyst's subproblems are h(x) = f(x) + (θ/2)‖x − y‖², strongly convex when θ is large enough; each is solved by CR-PSGD with budget ⌊√(T/N)⌋, ⌊√(NT)⌋ times.",
        domain: Domain::Real { min: 0.0, max: 1000.0 },
        default: Value::Real(1.0),
        applies_to: AppliesTo::Algs(&[Alg::Catalyst]),
    },
    ParamSpec {
        param: Param::LocalSteps,
        name: "H",
        label: "Local steps",
        symbol: "H",
        help: "Local SGD steps (batch B₁) each node takes between two averages. auto: H = ⌊T^(1/4)/N^(3/4)⌋, at least 1.",
        domain: Domain::IntOrAuto { min: 1, max: 100_000 },
        default: Value::IntOrAuto(None),
        applies_to: AppliesTo::Algs(&[Alg::Local]),
    },
    ParamSpec {
        param: Param::FirstBatch,
        name: "B1",
        label: "First batch",
        symbol: "B₁",
        help: "Batch size per node in the first round (in every round for psgd, in every local step for local; catalyst restarts at B₁ in each outer step).",
        domain: Domain::Int { min: 1, max: 100_000 },
        default: Value::Int(2),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::RampCap,
        name: "Bmax",
        label: "Batch cap",
        symbol: "B_max",
        help: "The batch per node the ramp grows to and then keeps: B_t = B₁ + ⌊(B_max − B₁)·s_t/S⌋ while s_t < S, where s_t is the samples per node used before round t, then B_max. At least B₁ (raised to it, with a notice).",
        domain: Domain::Int { min: 1, max: 100_000 },
        default: Value::Int(32),
        applies_to: AppliesTo::Algs(&[Alg::Ramp]),
    },
    ParamSpec {
        param: Param::RampLength,
        name: "ramp",
        label: "Ramp length",
        symbol: "S",
        help: "Samples per node over which the batch grows linearly from B₁ to B_max (GPT-3 ramped over its first few billion tokens). Longer than T: the batch never reaches B_max.",
        domain: Domain::Int { min: 1, max: MAX_BUDGET },
        default: Value::Int(1000),
        applies_to: AppliesTo::Algs(&[Alg::Ramp]),
    },
    ParamSpec {
        param: Param::Gamma,
        name: "gamma",
        label: "Step size",
        symbol: "γ",
        help: "Learning rate: x_{t+1} = x_t − γ·ḡ_t. Too large and the loss diverges.",
        domain: Domain::Real { min: 1e-6, max: 100.0 },
        default: Value::Real(0.5),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Decay,
        name: "decay",
        label: "Step decay",
        symbol: "τ",
        help: "Decaying step sizes: γ_t = γ·τ/(τ + s_t), where s_t is the samples per node used before the step (in the whole run, for catalyst; before each local step, for local). The step halves once τ samples per node are used. 0: a constant γ.",
        domain: Domain::Real {
            min: 0.0,
            max: MAX_DECAY,
        },
        default: Value::Real(0.0),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Momentum,
        name: "momentum",
        label: "Momentum",
        symbol: "β",
        help: "Heavy-ball momentum: v ← βv + ḡ, x ← x − γ_t·v, with v = 0 at the start. 0: plain SGD, the paper's analysis. Local SGD: each node carries its v through its H local steps, and the v are averaged with the models at each communication (twice the bytes). Catalyst: v starts again from 0 with each new proximal subproblem.",
        domain: Domain::Real {
            min: 0.0,
            max: MAX_MOMENTUM,
        },
        default: Value::Real(0.0),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Budget,
        name: "T",
        label: "SFO budget",
        symbol: "T",
        help: "Stochastic gradient calls allowed per node. A round whose batch would take a node past T is not run. Lowered, with a notice, where N·T on a large model would take hours.",
        domain: Domain::Int { min: 1, max: MAX_BUDGET },
        default: Value::Int(2000),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Seed,
        name: "seed",
        label: "Seed",
        symbol: "",
        help: "Seeds every node's sample stream (and the synthetic data): the same seed gives the same curves, on any machine and thread count.",
        domain: Domain::Int { min: 0, max: u32::MAX as u64 },
        default: Value::Int(7),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Lambda,
        name: "lambda",
        label: "L2 penalty",
        symbol: "λ",
        help: "Weight of (λ/2)‖w‖² in the objective. λ > 0 makes these problems strongly convex, so the Polyak–Łojasiewicz condition holds.",
        domain: Domain::Real { min: 0.0, max: 10.0 },
        default: Value::Real(1e-3),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Examples,
        name: "n",
        label: "Examples",
        symbol: "n",
        help: "Number of generated examples (synthetic problem only).",
        domain: Domain::Int { min: 10, max: 5_000 },
        default: Value::Int(1000),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Features,
        name: "d",
        label: "Features",
        symbol: "d",
        help: "Number of generated features, before the bias column (synthetic problem only). Lowered, with a notice, where n·(d + 1) would pass 2,000,000 values (16 MB).",
        domain: Domain::Int { min: 1, max: 1_000 },
        default: Value::Int(20),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::DataSha256,
        name: "data_sha256",
        label: "Data SHA-256",
        symbol: "",
        help: "The SHA-256 of the data file's bytes (as sha256sum prints it): the link runs on that file and no other. Empty: on whatever file is given.",
        domain: Domain::Sha256,
        default: Value::Sha256(None),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Label,
        name: "label",
        label: "Label column",
        symbol: "y",
        help: "The CSV column that holds the labels: last, its number (from 1), or its name in the header row. The other columns are the features. (LIBSVM files give the label first on each line.)",
        domain: Domain::Column,
        default: Value::Label(LabelColumn::Last),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Format,
        name: "format",
        label: "File format",
        symbol: "",
        help: "csv (a header row optional) or libsvm (label index:value …, indices from 1). auto: LIBSVM if the first line has index:value items and no commas, else CSV.",
        domain: Domain::Choice(Choices::Format),
        default: Value::Format(None),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Task,
        name: "task",
        label: "Task",
        symbol: "",
        help: "logistic (two classes), softmax (up to 100 classes) or least-squares, f(w) = (1/n) Σ ½(xᵢᵀw − yᵢ)² + (λ/2)‖w‖² on centred and scaled labels. auto: logistic for two distinct labels, softmax for up to 100 distinct integers, least squares otherwise.",
        domain: Domain::Choice(Choices::Task),
        default: Value::Task(None),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Standardize,
        name: "standardize",
        label: "Standardize",
        symbol: "",
        help: "1: centre each feature column and scale it to variance 1, as for breast cancer; 0: the file's values as they are. A bias column is added either way.",
        domain: Domain::Int { min: 0, max: 1 },
        default: Value::Int(1),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Hidden,
        name: "hidden",
        label: "Hidden units",
        symbol: "",
        help: "Width of the network's tanh hidden layer (digits-mlp only).",
        domain: Domain::Int { min: 1, max: 256 },
        default: Value::Int(32),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Sigma,
        name: "sigma",
        label: "Gradient noise",
        symbol: "σ",
        help: "Standard deviation of the Gaussian noise in each sample gradient (landscape only). A batch of B averages it down to σ/√B.",
        domain: Domain::Real { min: 0.0, max: 100.0 },
        default: Value::Real(3.0),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::StartX,
        name: "x0",
        label: "Start x",
        symbol: "x₀",
        help: "Where the run starts on the landscape, first coordinate.",
        domain: Domain::Real { min: -10.0, max: 10.0 },
        default: Value::Real(3.0),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::StartY,
        name: "y0",
        label: "Start y",
        symbol: "y₀",
        help: "Where the run starts on the landscape, second coordinate.",
        domain: Domain::Real { min: -10.0, max: 10.0 },
        default: Value::Real(-2.5),
        applies_to: AppliesTo::Model,
    },
    ParamSpec {
        param: Param::Latency,
        name: "latency",
        label: "Latency",
        symbol: "",
        help: "Simulated network: milliseconds per message. A ring all-reduce sends 2(N−1) messages per round.",
        domain: Domain::Real { min: 0.0, max: 10_000.0 },
        // A datacenter: 50 µs messages over 10 GB/s links, 10 µs per sample gradient.
        default: Value::Real(0.05),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Bandwidth,
        name: "bandwidth",
        label: "Bandwidth",
        symbol: "",
        help: "Simulated network: MB/s per node. A ring all-reduce moves 2(N−1)/N of the model's bytes per node per round.",
        domain: Domain::Real { min: 0.001, max: 1_000_000.0 },
        default: Value::Real(10_000.0),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::SfoTime,
        name: "sfo_time",
        label: "Gradient time",
        symbol: "",
        help: "Simulated compute: microseconds per sample gradient on one node.",
        domain: Domain::Real { min: 0.0, max: 1_000_000.0 },
        default: Value::Real(10.0),
        applies_to: AppliesTo::All,
    },
    ParamSpec {
        param: Param::Every,
        name: "every",
        label: "Log every",
        symbol: "",
        help: "Record a row (and evaluate the full f and ∇f) every this many rounds; the last round is always recorded. auto: every round up to 1000 rounds, then about 1000 rows. Raised, with a notice, past 20,000 rows or where evaluating the rows would take too long.",
        domain: Domain::IntOrAuto { min: 1, max: MAX_BUDGET },
        default: Value::IntOrAuto(None),
        applies_to: AppliesTo::All,
    },
];

// `Param::spec` indexes the table by variant: a row out of order fails the build.
const _: () = {
    let mut i = 0;
    while i < PARAMS.len() {
        assert!(
            PARAMS[i].param as usize == i,
            "PARAMS is not in Param's order"
        );
        i += 1;
    }
};

/// The table entry for `name`, if it is a parameter.
pub fn spec(name: &str) -> Option<&'static ParamSpec> {
    PARAMS.iter().find(|p| p.name == name)
}

impl Param {
    /// This parameter's row of the table.
    pub fn spec(self) -> &'static ParamSpec {
        &PARAMS[self as usize]
    }
}

impl Domain {
    /// The allowed values, as a user reads them in a message or tooltip.
    pub fn describe(&self) -> String {
        match self {
            Domain::Choice(choices) => format!("one of {}", choices.names().join(", ")),
            Domain::Int { min, max } => format!("an integer from {min} to {max}"),
            Domain::Real { min, max } => format!("a number from {min} to {max}"),
            Domain::IntOrAuto { min, max } => format!("auto or an integer from {min} to {max}"),
            Domain::Column => format!(
                "last, a column number from 1, or a column's name of at most {MAX_NAME} characters"
            ),
            Domain::Sha256 => "64 hexadecimal digits, or nothing".into(),
        }
    }
}

impl AppliesTo {
    /// The choice parameter whose value decides whether it applies (`None`: it always does).
    pub fn depends_on(self) -> Option<Param> {
        match self {
            AppliesTo::All => None,
            AppliesTo::Algs(_) => Some(Param::Alg),
            AppliesTo::Model => Some(Param::Problem),
        }
    }
}

/// The longest column name a link may give (file systems' longest file name, too).
pub const MAX_NAME: usize = 255;

/// Why a text could not be used as a parameter's value as given.
#[derive(Clone, Debug, PartialEq)]
pub enum Rejected {
    /// A number outside the range: this is the nearest allowed value.
    Clamped(Value),
    /// Text that is not a value of this parameter at all.
    Unusable(&'static str),
}

impl ParamSpec {
    /// Whether an experiment with this algorithm and problem reads this parameter.
    pub fn applies(&self, alg: Alg, problem: ProblemKind) -> bool {
        match self.applies_to {
            AppliesTo::All => true,
            AppliesTo::Algs(algs) => algs.contains(&alg),
            AppliesTo::Model => problem.model().reads(self.param),
        }
    }

    /// Reads a value from link or control text (surrounding spaces ignored).
    pub fn parse(&self, raw: &str) -> Result<Value, Rejected> {
        parse(self.domain, raw.trim())
    }
}

fn parse(domain: Domain, text: &str) -> Result<Value, Rejected> {
    match domain {
        Domain::Choice(Choices::Alg) => Alg::from_name(text).map(Value::Alg).ok_or(UNKNOWN_CHOICE),
        Domain::Choice(Choices::Problem) => ProblemKind::from_name(text)
            .map(Value::Problem)
            .ok_or(UNKNOWN_CHOICE),
        Domain::Choice(Choices::Task) if text == AUTO => Ok(Value::Task(None)),
        Domain::Choice(Choices::Task) => Task::from_name(text)
            .map(|t| Value::Task(Some(t)))
            .ok_or(UNKNOWN_CHOICE),
        Domain::Choice(Choices::Format) if text == AUTO => Ok(Value::Format(None)),
        Domain::Choice(Choices::Format) => Format::from_name(text)
            .map(|f| Value::Format(Some(f)))
            .ok_or(UNKNOWN_CHOICE),
        Domain::Column => column(text),
        Domain::Sha256 if text.is_empty() => Ok(Value::Sha256(None)),
        Domain::Sha256 => Sha256::from_hex(text)
            .map(|h| Value::Sha256(Some(h)))
            .ok_or(Rejected::Unusable("is not a SHA-256")),
        Domain::Int { min, max } => {
            let number = parse_number(text)?;
            if number.fract() != 0.0 {
                return Err(Rejected::Unusable("is not a whole number"));
            }
            // Whole and within u64 bounds, so the casts cannot truncate.
            in_range(number, min as f64, max as f64)
                .map(|v| Value::Int(v as u64))
                .map_err(|v| Rejected::Clamped(Value::Int(v as u64)))
        }
        Domain::Real { min, max } => in_range(parse_number(text)?, min, max)
            .map(Value::Real)
            .map_err(|v| Rejected::Clamped(Value::Real(v))),
        Domain::IntOrAuto { .. } if text == "auto" => Ok(Value::IntOrAuto(None)),
        Domain::IntOrAuto { min, max } => {
            let as_int = |value| match value {
                Value::Int(v) => Value::IntOrAuto(Some(v)),
                other => other,
            };
            match parse(Domain::Int { min, max }, text) {
                Ok(value) => Ok(as_int(value)),
                Err(Rejected::Clamped(value)) => Err(Rejected::Clamped(as_int(value))),
                Err(unusable) => Err(unusable),
            }
        }
    }
}

const UNKNOWN_CHOICE: Rejected = Rejected::Unusable("is not a known choice");

/// A label column: `last`, a number from 1, or any other text as a header's name.
fn column(text: &str) -> Result<Value, Rejected> {
    if text == "last" {
        return Ok(Value::Label(LabelColumn::Last));
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u64>() {
            Ok(0) => Err(Rejected::Unusable(
                "is not a column: they are numbered from 1",
            )),
            Ok(n) => Ok(Value::Label(LabelColumn::Number(n))),
            Err(_) => Err(Rejected::Unusable("is too large a column number")),
        };
    }
    if text.is_empty() {
        Err(Rejected::Unusable("is empty"))
    } else if text.chars().count() > MAX_NAME {
        Err(Rejected::Unusable("is too long a name"))
    } else {
        Ok(Value::Label(LabelColumn::Named(text.to_string())))
    }
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

/// `v` if it is in `min..=max`, else the nearest end as the error.
fn in_range(v: f64, min: f64, max: f64) -> Result<f64, f64> {
    if v < min {
        Err(min)
    } else if v > max {
        Err(max)
    } else {
        Ok(v)
    }
}

/// The value as link and control text.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Alg(alg) => f.write_str(alg.name()),
            Value::Problem(problem) => f.write_str(problem.name()),
            Value::Int(v) | Value::IntOrAuto(Some(v)) => write!(f, "{v}"),
            Value::Real(v) => write!(f, "{v}"),
            Value::IntOrAuto(None) | Value::Task(None) | Value::Format(None) => f.write_str(AUTO),
            Value::Task(Some(task)) => f.write_str(task.name()),
            Value::Format(Some(format)) => f.write_str(format.name()),
            Value::Label(column) => write!(f, "{column}"),
            Value::Sha256(None) => Ok(()),
            Value::Sha256(Some(hash)) => write!(f, "{hash}"),
        }
    }
}

/// Equal when their link text is: reals compare by their bits, so 0 and −0 differ (a link keeps a −0 it
/// was given), and values of different kinds never match.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Alg(a), Value::Alg(b)) => a == b,
            (Value::Problem(a), Value::Problem(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Real(a), Value::Real(b)) => a.to_bits() == b.to_bits(),
            (Value::IntOrAuto(a), Value::IntOrAuto(b)) => a == b,
            (Value::Task(a), Value::Task(b)) => a == b,
            (Value::Format(a), Value::Format(b)) => a == b,
            (Value::Label(a), Value::Label(b)) => a == b,
            (Value::Sha256(a), Value::Sha256(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_within_its_domain_and_reads_back_from_its_text() {
        for p in PARAMS {
            let text = p.default.to_string();
            assert_eq!(p.parse(&text), Ok(p.default.clone()), "{}={text}", p.name);
        }
    }

    #[test]
    fn applicability_depends_on_the_choice_it_names() {
        for p in PARAMS {
            // Whether some choice of the one changes the answer while the other stays put.
            let varies_with_alg = ProblemKind::ALL.iter().any(|&q| {
                Alg::ALL
                    .iter()
                    .any(|&a| p.applies(a, q) != p.applies(Alg::ALL[0], q))
            });
            let varies_with_problem = Alg::ALL.iter().any(|&a| {
                ProblemKind::ALL
                    .iter()
                    .any(|&q| p.applies(a, q) != p.applies(a, ProblemKind::ALL[0]))
            });
            let expected = match (varies_with_alg, varies_with_problem) {
                (false, false) => None,
                (true, false) => Some(Param::Alg),
                (false, true) => Some(Param::Problem),
                (true, true) => panic!("{} depends on both alg and problem", p.name),
            };
            assert_eq!(p.applies_to.depends_on(), expected, "{}", p.name);
        }
    }

    #[test]
    fn numbers_out_of_range_are_clamped_to_a_value_of_the_same_kind() {
        assert_eq!(
            Param::LocalSteps.spec().parse("0"),
            Err(Rejected::Clamped(Value::IntOrAuto(Some(1))))
        );
        assert_eq!(
            Param::Nodes.spec().parse(" 65 "),
            Err(Rejected::Clamped(Value::Int(64)))
        );
        assert_eq!(
            Param::Rho.spec().parse("0.5"),
            Err(Rejected::Clamped(Value::Real(1.0)))
        );
        assert_eq!(
            Param::Every.spec().parse("auto"),
            Ok(Value::IntOrAuto(None))
        );
        assert_eq!(
            Param::Alg.spec().parse("CR-PSGD"),
            Err(Rejected::Unusable("is not a known choice"))
        );
    }

    #[test]
    fn data_parameters_read_their_text() {
        let label = |text: &str| Param::Label.spec().parse(text);
        assert_eq!(label("last"), Ok(Value::Label(LabelColumn::Last)));
        assert_eq!(label(" 3 "), Ok(Value::Label(LabelColumn::Number(3))));
        assert_eq!(
            label("median price"),
            Ok(Value::Label(LabelColumn::Named("median price".into())))
        );
        assert_eq!(
            label("0"),
            Err(Rejected::Unusable(
                "is not a column: they are numbered from 1"
            ))
        );
        assert_eq!(label(""), Err(Rejected::Unusable("is empty")));
        assert_eq!(
            label(&"x".repeat(MAX_NAME + 1)),
            Err(Rejected::Unusable("is too long a name"))
        );
        assert_eq!(
            Param::Task.spec().parse("least-squares"),
            Ok(Value::Task(Some(Task::LeastSquares)))
        );
        assert_eq!(Param::Format.spec().parse("auto"), Ok(Value::Format(None)));
        let hex = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        let hash = Param::DataSha256.spec().parse(hex).expect("a SHA-256");
        assert_eq!(hash.to_string(), hex.to_lowercase(), "written in lowercase");
        assert_eq!(
            Param::DataSha256.spec().parse("abc"),
            Err(Rejected::Unusable("is not a SHA-256"))
        );
    }
}
