//! What the paper predicts for an experiment: each algorithm's convergence rate and round count.

use crate::algorithms::{catalyst_shape, fewest_rounds, local_steps, planned_rounds};
use crate::experiment::{Alg, Experiment};

#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// The convergence rate in the paper's terms.
    pub rate: &'static str,
    /// What this experiment's f is, against the conditions the rates state.
    pub objective: &'static str,
    /// How the number of communication rounds grows.
    pub rounds_order: &'static str,
    /// The formula behind `asymptotic_rounds`, for display.
    pub rounds_formula: &'static str,
    /// The round count of this experiment's schedule (what a run will measure).
    pub rounds: Rounds,
    /// The paper's closed-form round count for these parameters, without floors.
    pub asymptotic_rounds: f64,
    /// With momentum (β > 0): that the analysis is for β = 0, and what momentum does to the batch.
    pub momentum: Option<String>,
}

/// How many rounds a run will take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounds {
    /// Fixed before it starts.
    Exact(u64),
    /// Decided as it runs (adaptive batches): between growing by ρ every round and never growing.
    Between { fewest: u64, most: u64 },
}

impl Rounds {
    /// The most it can be.
    pub fn most(self) -> u64 {
        match self {
            Rounds::Exact(rounds) | Rounds::Between { most: rounds, .. } => rounds,
        }
    }

    /// Whether a finished run's count is what was planned.
    pub fn holds(self, measured: u64) -> bool {
        match self {
            Rounds::Exact(rounds) => measured == rounds,
            Rounds::Between { fewest, most } => (fewest..=most).contains(&measured),
        }
    }
}

impl std::fmt::Display for Rounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rounds::Exact(rounds) => write!(f, "{rounds}"),
            Rounds::Between { fewest, most } => write!(f, "{fewest} to {most}"),
        }
    }
}

/// log_ρ((ρ − 1)·budget/B₁ + 1): solves Σ_{t≤K} ρ^(t−1)·B₁ = budget for K (budget/B₁ when ρ = 1).
fn geometric_rounds(budget: f64, first_batch: f64, rho: f64) -> f64 {
    if rho <= 1.0 {
        budget / first_batch
    } else {
        libm::log((rho - 1.0) * budget / first_batch + 1.0) / libm::log(rho)
    }
}

/// The rate the paper states for `alg`. Its theorems take a constant γ; with a decaying step (`decay` > 0)
/// the statement says so, except for PSGD, whose O(1/(NT)) is the classic result for steps decaying like 1/t.
fn rate(alg: Alg, decaying: bool) -> &'static str {
    match (alg, decaying) {
        (Alg::CrPsgd, false) => "E[f − f*] = O(1/(NT)) under the Polyak–Łojasiewicz condition",
        (Alg::CrPsgd, true) => {
            "E[f − f*] = O(1/(NT)) under the Polyak–Łojasiewicz condition, proved for a constant γ (decay only shrinks the steps further)"
        }
        (Alg::Psgd, false) => "E[f − f*] = O(1/(NT)) under PL, with a small fixed batch",
        (Alg::Psgd, true) => {
            "E[f − f*] = O(1/(NT)) under PL, with a small fixed batch and steps γτ/(τ + s) decaying like 1/s (γτ large enough)"
        }
        (Alg::Adaptive, _) => {
            "no bound of its own for batches the noise picks (the norm test, Byrd et al. 2012)"
        }
        (Alg::Ramp, _) => {
            "no bound in the paper for GPT-3's linear ramp to a cap (Brown et al. 2020): it analyses batches growing geometrically"
        }
        (Alg::Catalyst | Alg::Local, false) => "E‖∇f‖² = O(1/√(NT)) for smooth non-convex f",
        (Alg::Catalyst | Alg::Local, true) => {
            "E‖∇f‖² = O(1/√(NT)) for smooth non-convex f, proved for a constant γ (decay is outside the theorem)"
        }
    }
}

/// Up GPT-3's ramp and then at its cap, treating rounds as continuous: the batch after s samples per node is
/// B(s) = B₁ + k·s with k = (B_max − B₁)/S, and a round takes B of them, so dt = ds/B(s): (1/k)·ln(B(s)/B₁)
/// rounds reach s (s/B₁ for a flat ramp), then (T − S)/B_max at the cap.
fn ramp_rounds(budget: f64, first_batch: f64, cap: f64, length: f64) -> f64 {
    let up = budget.min(length);
    let ramp = if cap > first_batch {
        let k = (cap - first_batch) / length;
        libm::log((first_batch + k * up) / first_batch) / k
    } else {
        up / first_batch
    };
    ramp + (budget - up).max(0.0) / cap
}

/// What the paper's analysis says of momentum: nothing, since it is for plain SGD; and Smith et al.'s
/// relation, which tells how a run with momentum compares with one without.
pub fn momentum_note(beta: f64) -> Option<String> {
    (beta > 0.0).then(|| {
        format!(
            "Momentum β = {beta}: the paper's analysis is for β = 0 (plain SGD), so its rates do not cover this run. \
             Smith et al. (2018): SGD's noise scale is about γ·n/(B·(1 − β)), so momentum acts like a {:.1}× larger step, \
             and at a fixed γ the batch that keeps the same noise grows as B ∝ 1/(1 − β).",
            1.0 / (1.0 - beta)
        )
    })
}

pub fn predict(e: &Experiment) -> Prediction {
    let (n, t, b1) = (e.nodes as f64, e.budget as f64, e.first_batch as f64);
    let rounds = Rounds::Exact(planned_rounds(e));
    let rate = rate(e.alg, e.decay > 0.0);
    let objective = e.problem.model().objective(e.task, e.lambda);
    let momentum = momentum_note(e.momentum);
    match e.alg {
        Alg::CrPsgd => Prediction {
            rate,
            objective,
            rounds_order: "O(log T)",
            rounds_formula: "log_ρ((ρ−1)T/B₁ + 1)",
            rounds,
            asymptotic_rounds: geometric_rounds(t, b1, e.rho),
            momentum,
        },
        Alg::Psgd => Prediction {
            rate,
            objective,
            rounds_order: "O(T)",
            rounds_formula: "T/B₁",
            rounds,
            asymptotic_rounds: t / b1,
            momentum,
        },
        Alg::Catalyst => {
            let (_, inner_budget) = catalyst_shape(e);
            Prediction {
                rate,
                objective,
                rounds_order: "O(√(NT)·log(T/N))",
                rounds_formula: "√(NT)·log_ρ((ρ−1)√(T/N)/B₁ + 1)",
                rounds,
                asymptotic_rounds: libm::sqrt(n * t)
                    * geometric_rounds(inner_budget as f64, b1, e.rho),
                momentum,
            }
        }
        Alg::Local => Prediction {
            rate,
            objective,
            rounds_order: "O(N^¾·T^¾) with H = T^¼/N^¾",
            rounds_formula: "T/(H·B₁)",
            rounds,
            asymptotic_rounds: t / (local_steps(e) as f64 * b1),
            momentum,
        },
        Alg::Adaptive => Prediction {
            objective,
            rate,
            rounds_order: "between O(log T) and O(T): the noise decides",
            rounds_formula: "log_ρ((ρ−1)T/B₁ + 1) to T/B₁",
            rounds: Rounds::Between {
                fewest: fewest_rounds(e),
                most: planned_rounds(e),
            },
            asymptotic_rounds: geometric_rounds(t, b1, e.rho),
            momentum,
        },
        Alg::Ramp => Prediction {
            rate,
            objective,
            rounds_order: "O(T), after a ramp of O(S/B_max·log(B_max/B₁))",
            rounds_formula: "S·ln(B_max/B₁)/(B_max − B₁) + (T − S)/B_max",
            rounds,
            asymptotic_rounds: ramp_rounds(t, b1, e.ramp_cap as f64, e.ramp_length as f64),
            momentum,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn predicted(query: &str) -> Prediction {
        predict(&Experiment::from_query_strict(query).expect("valid"))
    }

    #[test]
    fn closed_forms_bracket_the_exact_counts() {
        let p = predicted("rho=1.5&B1=2&T=2000");
        assert_eq!(p.rounds.most(), 15);
        // Floors only shrink batches, so the exact count is at least the closed form's floor.
        assert!(
            p.asymptotic_rounds.floor() as u64 <= p.rounds.most()
                && p.rounds.most() <= p.asymptotic_rounds as u64 + 3
        );
        let p = predicted("alg=psgd&B1=2&T=2000");
        assert_eq!((p.rounds.most(), p.asymptotic_rounds), (1000, 1000.0));
        let p = predicted("alg=catalyst&N=8&T=2000&B1=1&rho=2");
        assert_eq!(p.rounds.most(), 126 * 4);
        assert!(
            (p.asymptotic_rounds - 126.49 * 4.0).abs() < 1.0,
            "{}",
            p.asymptotic_rounds
        );
        let p = predicted("alg=local&N=4&T=2000&B1=2");
        assert_eq!(p.rounds.most(), 500, "H = ⌊2000^¼/4^¾⌋ = 2");
    }

    #[test]
    fn least_squares_is_pl_for_a_positive_lambda() {
        assert!(predicted("problem=data&task=least-squares")
            .objective
            .contains("PL holds"));
        assert!(predicted("problem=data&task=least-squares&lambda=0")
            .objective
            .contains("full rank"));
        assert!(predicted("problem=digits-mlp")
            .objective
            .starts_with("non-convex"));
    }
}
