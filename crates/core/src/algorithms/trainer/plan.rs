//! What decides each round, per algorithm: its samples per node (the [`Plan`]: a batch schedule,
//! Catalyst's outer steps, local SGD's H steps, or the norm test on the measured noise) and the step
//! size γ_t a step takes.

use super::Trainer;
use crate::algorithms::schedule::{catalyst_shape, local_schedule, local_steps, Schedule};
use crate::experiment::{Alg, Experiment};

/// What decides the next round, per algorithm.
pub(super) enum Plan {
    /// CR-PSGD, PSGD and the ramp: one schedule for the whole run.
    Batches(Schedule),
    /// Algorithm 2: outer step `outer` of `outers`, each a CR-PSGD run on h_θ(·; anchor).
    Catalyst {
        outer: u64,
        outers: u64,
        inner_budget: u64,
        inner: Schedule,
        anchor: Vec<f64>,
    },
    /// Local SGD: each round costs H·B₁ samples per node.
    Local { steps: u64, rounds: Schedule },
    /// Adaptive batches: each round's batch from the noise measured so far ([`Adaptive::next`]).
    Adaptive(Adaptive),
}

impl Plan {
    /// The plan of `experiment`'s algorithm, from the starting point `x` (Catalyst's first anchor).
    pub(super) fn new(experiment: &Experiment, x: &[f64]) -> Plan {
        match experiment.alg {
            Alg::CrPsgd | Alg::Psgd | Alg::Ramp => {
                Plan::Batches(Schedule::for_experiment(experiment))
            }
            Alg::Catalyst => {
                let (outers, inner_budget) = catalyst_shape(experiment);
                let inner = Schedule::new(experiment.first_batch, experiment.rho, inner_budget);
                Plan::Catalyst {
                    outer: 1,
                    outers,
                    inner_budget,
                    inner,
                    anchor: x.to_vec(),
                }
            }
            Alg::Local => Plan::Local {
                steps: local_steps(experiment),
                rounds: local_schedule(experiment),
            },
            Alg::Adaptive => Plan::Adaptive(Adaptive {
                batch: 0,
                used: 0,
                budget: experiment.budget,
                first_batch: experiment.first_batch,
                rho: experiment.rho,
                nodes_eta_squared: experiment.nodes as f64 * experiment.eta * experiment.eta,
            }),
        }
    }
}

/// The norm test of Byrd, Chin, Nocedal & Wu (2012) on the measured noise scale: the next per-node batch
/// is B_{t+1} = max(B_t, min(⌈ρ·B_t⌉, ⌈B_noise/(N·η²)⌉)), so the averaged gradient's noise stays near η times
/// its size, growing by at most ρ per round (early estimates are noisy: uncapped, they spend the budget
/// in a few huge rounds) and never shrinking.
#[derive(Clone, Copy, Debug)]
pub(super) struct Adaptive {
    /// B_t, 0 before the first round.
    batch: u64,
    used: u64,
    budget: u64,
    first_batch: u64,
    rho: f64,
    /// N·η²: B_noise over this is the per-node batch the test asks for.
    nodes_eta_squared: f64,
}

impl Adaptive {
    /// The next round's batch given the noise scale so far (`None` while the noise swamps the gradient:
    /// then the batch grows by the cap); `None` when it would take a node past the budget.
    fn next(&self, noise_scale: Option<f64>) -> Option<u64> {
        let batch = if self.batch == 0 {
            self.first_batch.max(1)
        } else {
            let capped = libm::ceil(self.rho * self.batch as f64);
            let asked = noise_scale.map_or(capped, |b| libm::ceil(b / self.nodes_eta_squared));
            // Saturating: a batch past u64 fits no budget.
            (capped.min(asked) as u64).max(self.batch)
        };
        self.used.checked_add(batch).filter(|&u| u <= self.budget)?;
        Some(batch)
    }
}

/// γ_t, the step size of a step, from the samples per node s_t used before it in the whole run (for
/// Catalyst across its outer steps too, so that its steps keep shrinking rather than restart with each
/// subproblem; for local SGD before each local step).
#[derive(Clone, Copy, Debug)]
pub(super) enum StepSize {
    /// γ: `decay` = 0.
    Constant(f64),
    /// γ·τ/(τ + s_t): γ until s_t nears τ, then shrinking like 1/s_t, as SGD needs to reach O(1/(NT))
    /// with a fixed batch (the mirror image of growing the batch).
    Decaying { gamma: f64, tau: f64 },
}

impl StepSize {
    pub(super) fn new(experiment: &Experiment) -> StepSize {
        // τ = 0 takes γ itself, not γ·τ/(τ + s) with τ/(τ + s) = 1: runs without decay keep their bits.
        if experiment.decay > 0.0 {
            StepSize::Decaying {
                gamma: experiment.gamma,
                tau: experiment.decay,
            }
        } else {
            StepSize::Constant(experiment.gamma)
        }
    }

    /// γ_t after `used` samples per node.
    pub(super) fn after(self, used: u64) -> f64 {
        match self {
            StepSize::Constant(gamma) => gamma,
            StepSize::Decaying { gamma, tau } => gamma * tau / (tau + used as f64),
        }
    }
}

impl Trainer {
    /// The per-node samples of the next round, advancing the plan; `None` when no round fits.
    pub(super) fn next_round_samples(&mut self) -> Option<u64> {
        match &mut self.plan {
            Plan::Batches(schedule) => schedule.next(),
            Plan::Local { rounds, .. } => rounds.next(),
            Plan::Adaptive(adaptive) => {
                let batch = adaptive.next(self.noise_scale.value())?;
                adaptive.batch = batch;
                adaptive.used += batch;
                Some(batch)
            }
            Plan::Catalyst {
                outer,
                outers,
                inner_budget,
                inner,
                anchor,
            } => loop {
                if let Some(batch) = inner.next() {
                    return Some(batch);
                }
                if *outer >= *outers || self.first_batch > *inner_budget {
                    return None;
                }
                // y(k) is where the last inner run ended; the next subproblem is centred there.
                *outer += 1;
                anchor.copy_from_slice(&self.x);
                // A new subproblem: the velocity of the last one points along a function no longer minimised.
                self.momentum.reset();
                *inner = Schedule::new(self.first_batch, self.rho, *inner_budget);
            },
        }
    }

    pub(super) fn has_next_round(&self) -> bool {
        self.peek_next_round_samples().is_some()
    }

    /// What `next_round_samples` will return, without advancing the plan.
    pub(super) fn peek_next_round_samples(&self) -> Option<u64> {
        match &self.plan {
            Plan::Batches(schedule) => schedule.clone().next(),
            Plan::Local { rounds, .. } => rounds.clone().next(),
            Plan::Adaptive(adaptive) => adaptive.next(self.noise_scale.value()),
            Plan::Catalyst {
                outer,
                outers,
                inner_budget,
                inner,
                ..
            } => inner.clone().next().or_else(|| {
                // The next outer step's inner run, whose first batch is B₁ (at least 1).
                (outer < outers && self.first_batch <= *inner_budget)
                    .then_some(self.first_batch.max(1))
            }),
        }
    }

    /// For local SGD a round's samples are H batches of B₁; its `batch` column is B₁.
    pub(super) fn batch_of(&self, samples: u64) -> u64 {
        match self.plan {
            Plan::Local { steps, .. } => samples / steps,
            _ => samples,
        }
    }
}
