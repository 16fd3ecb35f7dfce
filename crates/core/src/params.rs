//! The parameter table: every experiment parameter's name, meaning, range and default, in one place.
//!
//! The URL parser, the page's controls (labels, tooltips, input limits) and the CLI's error messages all
//! read this table, so a parameter is added or re-ranged here and nowhere else.

use crate::experiment::{Alg, ProblemKind};

/// What values a parameter takes.
#[derive(Clone, Copy, Debug)]
pub enum Domain {
    /// One of a fixed list of names.
    Choice(&'static [&'static str]),
    /// An integer in `min..=max`.
    Int { min: u64, max: u64 },
    /// A finite real number in `min..=max`.
    Real { min: f64, max: f64 },
    /// `auto`, or an integer in `min..=max`.
    IntOrAuto { min: u64, max: u64 },
}

/// One parameter of an [`crate::experiment::Experiment`].
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    /// The name used in links, in the CLI and as the page's input `id`.
    pub name: &'static str,
    /// Short label shown beside the control.
    pub label: &'static str,
    /// The paper's symbol for it, if it has one.
    pub symbol: &'static str,
    /// One sentence of help: what it means and what changing it does.
    pub help: &'static str,
    pub domain: Domain,
    /// Which experiments read it; others ignore it (and links leave it out).
    pub applies: fn(Alg, ProblemKind) -> bool,
}

fn always(_: Alg, _: ProblemKind) -> bool {
    true
}
fn growing_batches(alg: Alg, _: ProblemKind) -> bool {
    matches!(alg, Alg::CrPsgd | Alg::Catalyst)
}
fn catalyst(alg: Alg, _: ProblemKind) -> bool {
    alg == Alg::Catalyst
}
fn local_sgd(alg: Alg, _: ProblemKind) -> bool {
    alg == Alg::Local
}
fn synthetic_data(_: Alg, problem: ProblemKind) -> bool {
    problem == ProblemKind::Synthetic
}
fn data_problems(_: Alg, problem: ProblemKind) -> bool {
    problem != ProblemKind::Landscape
}
fn network(_: Alg, problem: ProblemKind) -> bool {
    problem == ProblemKind::DigitsMlp
}
fn landscape(_: Alg, problem: ProblemKind) -> bool {
    problem == ProblemKind::Landscape
}

pub const ALG_NAMES: &[&str] = &["crpsgd", "psgd", "catalyst", "local"];
pub const PROBLEM_NAMES: &[&str] = &[
    "breast-cancer",
    "digits",
    "synthetic",
    "digits-mlp",
    "landscape",
];

/// Largest per-node SFO budget: with B₁ = 1 and ρ = 1 it is also the most rounds a run can have, which
/// bounds both the run time and the history kept for the charts.
pub const MAX_BUDGET: u64 = 1_000_000;

/// Most rows a run records (and the page keeps and charts, per run): 20 times more points than a chart
/// has pixels across. A row costs the page about 300 bytes, so four compared runs of 200,000 would not fit
/// its 256 MiB, and the landscape map, which draws every point, froze for 108 s at 166,000 (docs/LIMITS.md).
/// Past it, `every` is raised (see `experiment::limits`).
pub const MAX_ROWS: u64 = 20_000;

pub const PARAMS: &[ParamSpec] = &[
    ParamSpec {
        name: "alg",
        label: "Algorithm",
        symbol: "",
        help: "crpsgd: CR-PSGD, batches grow by ρ each round (Algorithm 1). psgd: classic parallel SGD with a fixed batch B₁. catalyst: CR-PSGD-Catalyst, CR-PSGD on a sequence of proximal subproblems (Algorithm 2). local: local SGD, H local steps between averages.",
        domain: Domain::Choice(ALG_NAMES),
        applies: always,
    },
    ParamSpec {
        name: "problem",
        label: "Problem",
        symbol: "f",
        help: "The objective: logistic regression on UCI breast cancer (569×30), softmax regression on UCI digits (1797×64), logistic regression on data generated from the seed, a one-hidden-layer network on the digits (non-convex), or the 2-D landscape x² + 3sin²x + y² + 3sin²y (non-convex but PL).",
        domain: Domain::Choice(PROBLEM_NAMES),
        applies: always,
    },
    ParamSpec {
        name: "N",
        label: "Nodes",
        symbol: "N",
        help: "Number of worker nodes. Each round every node averages B_t stochastic gradients of its own; the N averages are then averaged (one communication round).",
        domain: Domain::Int { min: 1, max: 64 },
        applies: always,
    },
    ParamSpec {
        name: "rho",
        label: "Batch growth",
        symbol: "ρ",
        help: "Batch growth factor: B_t = ⌊ρ^(t−1)·B₁⌋. ρ = 1 is fixed-batch parallel SGD; larger ρ means fewer, larger rounds.",
        domain: Domain::Real { min: 1.0, max: 16.0 },
        applies: growing_batches,
    },
    ParamSpec {
        name: "theta",
        label: "Proximal weight",
        symbol: "θ",
        help: "Catalyst's subproblems are h(x) = f(x) + (θ/2)‖x − y‖², strongly convex when θ is large enough; each is solved by CR-PSGD with budget ⌊√(T/N)⌋, ⌊√(NT)⌋ times.",
        domain: Domain::Real { min: 0.0, max: 1000.0 },
        applies: catalyst,
    },
    ParamSpec {
        name: "H",
        label: "Local steps",
        symbol: "H",
        help: "Local SGD steps (batch B₁) each node takes between two averages. auto: H = ⌊T^(1/4)/N^(3/4)⌋, at least 1.",
        domain: Domain::IntOrAuto { min: 1, max: 100_000 },
        applies: local_sgd,
    },
    ParamSpec {
        name: "B1",
        label: "First batch",
        symbol: "B₁",
        help: "Batch size per node in the first round (in every round for psgd, in every local step for local; catalyst restarts at B₁ in each outer step).",
        domain: Domain::Int { min: 1, max: 100_000 },
        applies: always,
    },
    ParamSpec {
        name: "gamma",
        label: "Step size",
        symbol: "γ",
        help: "Learning rate: x_{t+1} = x_t − γ·ḡ_t. Too large and the loss diverges.",
        domain: Domain::Real { min: 1e-6, max: 100.0 },
        applies: always,
    },
    ParamSpec {
        name: "T",
        label: "SFO budget",
        symbol: "T",
        help: "Stochastic gradient calls allowed per node. A round whose batch would take a node past T is not run. Lowered, with a notice, where N·T on a large model would take hours.",
        domain: Domain::Int { min: 1, max: MAX_BUDGET },
        applies: always,
    },
    ParamSpec {
        name: "seed",
        label: "Seed",
        symbol: "",
        help: "Seeds every node's sample stream (and the synthetic data): the same seed gives the same curves, on any machine and thread count.",
        domain: Domain::Int { min: 0, max: u32::MAX as u64 },
        applies: always,
    },
    ParamSpec {
        name: "lambda",
        label: "L2 penalty",
        symbol: "λ",
        help: "Weight of (λ/2)‖w‖² in the objective. λ > 0 makes these problems strongly convex, so the Polyak–Łojasiewicz condition holds.",
        domain: Domain::Real { min: 0.0, max: 10.0 },
        applies: data_problems,
    },
    ParamSpec {
        name: "n",
        label: "Examples",
        symbol: "n",
        help: "Number of generated examples (synthetic problem only).",
        domain: Domain::Int { min: 10, max: 5_000 },
        applies: synthetic_data,
    },
    ParamSpec {
        name: "d",
        label: "Features",
        symbol: "d",
        help: "Number of generated features, before the bias column (synthetic problem only). Lowered, with a notice, where n·(d + 1) would pass 2,000,000 values (16 MB).",
        domain: Domain::Int { min: 1, max: 1_000 },
        applies: synthetic_data,
    },
    ParamSpec {
        name: "hidden",
        label: "Hidden units",
        symbol: "",
        help: "Width of the network's tanh hidden layer (digits-mlp only).",
        domain: Domain::Int { min: 1, max: 256 },
        applies: network,
    },
    ParamSpec {
        name: "sigma",
        label: "Gradient noise",
        symbol: "σ",
        help: "Standard deviation of the Gaussian noise in each sample gradient (landscape only). A batch of B averages it down to σ/√B.",
        domain: Domain::Real { min: 0.0, max: 100.0 },
        applies: landscape,
    },
    ParamSpec {
        name: "x0",
        label: "Start x",
        symbol: "x₀",
        help: "Where the run starts on the landscape, first coordinate.",
        domain: Domain::Real { min: -10.0, max: 10.0 },
        applies: landscape,
    },
    ParamSpec {
        name: "y0",
        label: "Start y",
        symbol: "y₀",
        help: "Where the run starts on the landscape, second coordinate.",
        domain: Domain::Real { min: -10.0, max: 10.0 },
        applies: landscape,
    },
    ParamSpec {
        name: "latency",
        label: "Latency",
        symbol: "",
        help: "Simulated network: milliseconds per message. A ring all-reduce sends 2(N−1) messages per round.",
        domain: Domain::Real { min: 0.0, max: 10_000.0 },
        applies: always,
    },
    ParamSpec {
        name: "bandwidth",
        label: "Bandwidth",
        symbol: "",
        help: "Simulated network: MB/s per node. A ring all-reduce moves 2(N−1)/N of the model's bytes per node per round.",
        domain: Domain::Real { min: 0.001, max: 1_000_000.0 },
        applies: always,
    },
    ParamSpec {
        name: "sfo_time",
        label: "Gradient time",
        symbol: "",
        help: "Simulated compute: microseconds per sample gradient on one node.",
        domain: Domain::Real { min: 0.0, max: 1_000_000.0 },
        applies: always,
    },
    ParamSpec {
        name: "every",
        label: "Log every",
        symbol: "",
        help: "Record a row (and evaluate the full f and ∇f) every this many rounds; the last round is always recorded. auto: every round up to 1000 rounds, then about 1000 rows. Raised, with a notice, past 20,000 rows or where evaluating the rows would take too long.",
        domain: Domain::IntOrAuto { min: 1, max: MAX_BUDGET },
        applies: always,
    },
];

/// The table entry for `name`, if it is a parameter.
pub fn spec(name: &str) -> Option<&'static ParamSpec> {
    PARAMS.iter().find(|p| p.name == name)
}

impl Domain {
    /// The allowed values, as a user reads them in a message or tooltip.
    pub fn describe(&self) -> String {
        match self {
            Domain::Choice(names) => format!("one of {}", names.join(", ")),
            Domain::Int { min, max } => format!("an integer from {min} to {max}"),
            Domain::Real { min, max } => format!("a number from {min} to {max}"),
            Domain::IntOrAuto { min, max } => format!("auto or an integer from {min} to {max}"),
        }
    }
}
