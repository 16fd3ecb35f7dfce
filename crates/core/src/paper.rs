//! The paper's two experiments re-created, and the measurements behind its claims. `dynabatch paper` draws
//! and tabulates these; `tests/claims.rs` checks them. Both read the settings here, so the README's numbers
//! and the tests can never drift apart.
//!
//! Step sizes were tuned per algorithm on a grid (×3 apart) for the best mean final value over 8 seeds;
//! the grids and results are in the README, "The paper's claims, measured".

use crate::algorithms::Trainer;
use crate::experiment::Experiment;
use crate::metrics::Row;
use crate::theory::Rounds;

/// One algorithm's settings in a study, as a share link's query.
#[derive(Clone, Debug)]
pub struct Contender {
    pub label: &'static str,
    pub query: &'static str,
}

/// What a study compares at the end of each run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// f − f*, for the convex problems.
    Suboptimality,
    /// ‖∇f‖², for the non-convex one.
    GradNormSquared,
}

#[derive(Clone, Debug)]
pub struct Study {
    pub name: &'static str,
    pub title: &'static str,
    pub measure: Measure,
    pub contenders: Vec<Contender>,
}

pub const SEEDS: [u64; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

/// Distributed logistic regression with N = 10 (the paper's first experiment), on UCI breast cancer.
pub fn logistic_study() -> Study {
    Study {
        name: "logistic-n10",
        title: "Logistic regression, breast cancer, N = 10, T = 20000",
        measure: Measure::Suboptimality,
        contenders: vec![
            Contender { label: "CR-PSGD (ρ=1.05)", query: "problem=breast-cancer&lambda=0.1&N=10&T=20000&alg=crpsgd&B1=1&rho=1.05&gamma=0.3" },
            Contender { label: "PSGD (B₁=1)", query: "problem=breast-cancer&lambda=0.1&N=10&T=20000&alg=psgd&B1=1&gamma=0.001" },
            Contender { label: "local SGD (H=auto)", query: "problem=breast-cancer&lambda=0.1&N=10&T=20000&alg=local&B1=1&H=auto&gamma=0.001" },
        ],
    }
}

/// The non-convex stand-in for the paper's ResNet20 on CIFAR-10 with N = 8: a tanh network on the digits.
pub fn network_study() -> Study {
    Study {
        name: "mlp-n8",
        title: "One-hidden-layer network, digits, N = 8, T = 20000",
        measure: Measure::GradNormSquared,
        contenders: vec![
            Contender {
                label: "CR-PSGD-Catalyst (at y(k))",
                query: "problem=digits-mlp&hidden=32&lambda=0.01&N=8&T=20000&alg=catalyst&B1=3&rho=2&theta=1&gamma=0.2",
            },
            Contender { label: "PSGD (B₁=1)", query: "problem=digits-mlp&hidden=32&lambda=0.01&N=8&T=20000&alg=psgd&B1=1&gamma=0.003" },
            Contender { label: "local SGD (H=auto)", query: "problem=digits-mlp&hidden=32&lambda=0.01&N=8&T=20000&alg=local&B1=1&H=auto&gamma=0.003" },
        ],
    }
}

/// Adaptive batches (`alg=adaptive`, the norm test) against CR-PSGD's fixed schedule and the fixed-batch
/// baselines on breast cancer with N = 4, where the problem is well conditioned (λ = 0.1, CR-PSGD's default
/// ρ = 1.05 fits) and where it is not (λ = 0.001, where ρ must come near 1). Every contender's γ, and ρ or η,
/// is `dynabatch tune`'s pick (3 seeds; the table averages 8).
pub fn adaptive_studies() -> [Study; 2] {
    [
        Study {
            name: "adaptive-lambda0.1",
            title: "Adaptive batches, breast cancer, λ = 0.1, N = 4, T = 20000",
            measure: Measure::Suboptimality,
            contenders: vec![
                Contender { label: "adaptive (η=1, ρ≤1.5)", query: "problem=breast-cancer&lambda=0.1&N=4&T=20000&alg=adaptive&B1=1&rho=1.5&eta=1&gamma=1" },
                Contender { label: "CR-PSGD (ρ=1.05)", query: "problem=breast-cancer&lambda=0.1&N=4&T=20000&alg=crpsgd&B1=1&rho=1.05&gamma=0.3" },
                Contender { label: "PSGD (B₁=1)", query: "problem=breast-cancer&lambda=0.1&N=4&T=20000&alg=psgd&B1=1&gamma=0.001" },
                Contender { label: "local SGD (H=auto)", query: "problem=breast-cancer&lambda=0.1&N=4&T=20000&alg=local&B1=1&H=auto&gamma=0.001" },
            ],
        },
        Study {
            name: "adaptive-lambda0.001",
            title: "Adaptive batches, breast cancer, λ = 0.001, N = 4, T = 20000",
            measure: Measure::Suboptimality,
            contenders: vec![
                Contender { label: "adaptive (η=1, ρ≤1.5)", query: "problem=breast-cancer&lambda=0.001&N=4&T=20000&alg=adaptive&B1=1&rho=1.5&eta=1&gamma=10" },
                Contender { label: "CR-PSGD (ρ=1.01)", query: "problem=breast-cancer&lambda=0.001&N=4&T=20000&alg=crpsgd&B1=1&rho=1.01&gamma=3" },
                Contender { label: "CR-PSGD (ρ=1.05)", query: "problem=breast-cancer&lambda=0.001&N=4&T=20000&alg=crpsgd&B1=1&rho=1.05&gamma=3" },
                Contender { label: "PSGD (B₁=1)", query: "problem=breast-cancer&lambda=0.001&N=4&T=20000&alg=psgd&B1=1&gamma=0.03" },
                Contender { label: "local SGD (H=auto)", query: "problem=breast-cancer&lambda=0.001&N=4&T=20000&alg=local&B1=1&H=auto&gamma=0.03" },
            ],
        },
    ]
}

/// The mean over seeds of a run's final measure, and its size.
#[derive(Clone, Debug)]
pub struct Summary {
    pub rounds: u64,
    pub sfo: u64,
    pub mean: f64,
}

fn with_seed(query: &str, seed: u64, extra: &str) -> Experiment {
    let full = format!("{query}&seed={seed}{extra}");
    Experiment::from_query_strict(&full)
        .unwrap_or_else(|n| panic!("study query {full}: {}", n.problem))
}

pub fn final_measure(row: &Row, measure: Measure) -> f64 {
    match measure {
        Measure::Suboptimality => row.subopt.unwrap_or(f64::NAN),
        Measure::GradNormSquared => row.grad_norm * row.grad_norm,
    }
}

/// Runs `query` once per seed, recording only the final row (the runs themselves are unchanged).
pub fn summarize(query: &str, seeds: &[u64], measure: Measure) -> Summary {
    let mut total = 0.0;
    let mut last = None;
    for &seed in seeds {
        let rows = Trainer::new(&with_seed(query, seed, "&every=1000000")).run_to_end();
        let row = *rows.last().unwrap_or(&rows[0]);
        total += final_measure(&row, measure);
        last = Some(row);
    }
    let last = last.unwrap_or_else(|| panic!("no seeds"));
    Summary {
        rounds: last.round,
        sfo: last.sfo,
        mean: total / seeds.len() as f64,
    }
}

/// One seed's full curve, for the figures.
pub fn curve(query: &str, seed: u64) -> Vec<Row> {
    Trainer::new(&with_seed(query, seed, "")).run_to_end()
}

/// Which x axis a figure uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    Sfo,
    Rounds,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::Suboptimality => "f − f*",
            Measure::GradNormSquared => "‖∇f‖²",
        }
    }
}

/// Catalyst's rows at the end of each outer step, where y(k) is defined (within a step the iterate
/// restarts from small, noisy batches); other algorithms' rows unchanged.
pub fn outer_iterates(rows: &[Row]) -> Vec<Row> {
    let last_of_its_step = |i: usize| {
        rows.get(i + 1)
            .is_none_or(|next| next.outer != rows[i].outer)
    };
    (0..rows.len())
        .filter(|&i| rows[i].outer == 0 || last_of_its_step(i))
        .map(|i| rows[i])
        .collect()
}

/// The claims' table rows for one study, in Markdown, with the paper's predicted round counts beside
/// the measured ones.
pub fn table_rows(study: &Study, summaries: &[Summary]) -> String {
    let mut out = String::new();
    for (contender, summary) in study.contenders.iter().zip(summaries) {
        let predicted = crate::theory::predict(&with_seed(contender.query, 1, ""));
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} ({}) | {:.2e} |\n",
            study.name,
            contender.label,
            summary.sfo,
            summary.rounds,
            predicted.rounds_order,
            match predicted.rounds {
                Rounds::Exact(_) => libm::round(predicted.asymptotic_rounds).to_string(),
                between @ Rounds::Between { .. } => between.to_string(),
            },
            summary.mean
        ));
    }
    out
}

pub const TABLE_HEADER: &str = "| study | algorithm | SFO per node used | rounds | predicted rounds | mean final value (8 seeds) |\n| --- | --- | --- | --- | --- | --- |\n";
