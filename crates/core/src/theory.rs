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
        (Alg::Catalyst | Alg::Local, false) => "E‖∇f‖² = O(1/√(NT)) for smooth non-convex f",
        (Alg::Catalyst | Alg::Local, true) => {
            "E‖∇f‖² = O(1/√(NT)) for smooth non-convex f, proved for a constant γ (decay is outside the theorem)"
        }
    }
}

pub fn predict(e: &Experiment) -> Prediction {
    let (n, t, b1) = (e.nodes as f64, e.budget as f64, e.first_batch as f64);
    let rounds = Rounds::Exact(planned_rounds(e));
    let rate = rate(e.alg, e.decay > 0.0);
    let objective = e.problem.model().objective(e.task, e.lambda);
    match e.alg {
        Alg::CrPsgd => Prediction {
            rate,
            objective,
            rounds_order: "O(log T)",
            rounds_formula: "log_ρ((ρ−1)T/B₁ + 1)",
            rounds,
            asymptotic_rounds: geometric_rounds(t, b1, e.rho),
        },
        Alg::Psgd => Prediction {
            rate,
            objective,
            rounds_order: "O(T)",
            rounds_formula: "T/B₁",
            rounds,
            asymptotic_rounds: t / b1,
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
            }
        }
        Alg::Local => Prediction {
            rate,
            objective,
            rounds_order: "O(N^¾·T^¾) with H = T^¼/N^¾",
            rounds_formula: "T/(H·B₁)",
            rounds,
            asymptotic_rounds: t / (local_steps(e) as f64 * b1),
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
