//! How many samples each round takes, and how many rounds a run has: all fixed before it starts.

use crate::experiment::{max_rows, Alg, Experiment};

/// B_t = ⌊ρ^(t−1)·B₁⌋ for t ≥ 1, saturating at `u64::MAX` (no batch that large fits any budget).
pub fn batch_size(first_batch: u64, rho: f64, t: u64) -> u64 {
    let exponent = t.saturating_sub(1) as f64;
    let size = libm::floor(libm::pow(rho, exponent) * first_batch as f64);
    if size.is_finite() && size < u64::MAX as f64 {
        size as u64
    } else {
        u64::MAX
    }
}

/// GPT-3's batch ramp (Brown et al. 2020): after `used` samples per node, B = B₁ + ⌊(B_max − B₁)·used/S⌋
/// while used < S, then B_max. In integers, so that every machine agrees without a float's rounding.
pub fn ramp_batch(first_batch: u64, cap: u64, length: u64, used: u64) -> u64 {
    if used >= length {
        return cap;
    }
    let grown = u128::from(cap.saturating_sub(first_batch)) * u128::from(used) / u128::from(length);
    // grown < cap − B₁, since used < S: the sum stays below the cap.
    first_batch + grown as u64
}

/// How a schedule's batches grow.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Growth {
    /// B_t = ⌊ρ^(t−1)·B₁⌋ (ρ = 1: a fixed batch).
    Geometric { rho: f64 },
    /// Linearly in the samples used, from B₁ to `cap` over the first `length` samples per node.
    Ramp { cap: u64, length: u64 },
}

/// The batches of Algorithm 1: B₁, B₂, … while Σ_{τ≤t} B_τ ≤ T (or the ramp's, under the same rule).
#[derive(Clone, Debug)]
pub struct Schedule {
    first_batch: u64,
    growth: Growth,
    budget: u64,
    next_round: u64,
    used: u64,
}

impl Schedule {
    pub fn new(first_batch: u64, rho: f64, budget: u64) -> Schedule {
        Schedule {
            // A batch of 0 would be a round without samples, repeated forever: 1 is the least batch.
            first_batch: first_batch.max(1),
            growth: Growth::Geometric { rho },
            budget,
            next_round: 1,
            used: 0,
        }
    }

    /// The ramp from B₁ to `cap` (at least B₁) over the first `length` samples per node (at least 1).
    pub fn ramp(first_batch: u64, cap: u64, length: u64, budget: u64) -> Schedule {
        let first_batch = first_batch.max(1);
        Schedule {
            first_batch,
            growth: Growth::Ramp {
                cap: cap.max(first_batch),
                length: length.max(1),
            },
            budget,
            next_round: 1,
            used: 0,
        }
    }

    /// The whole run's schedule for CR-PSGD, PSGD (ρ = 1) and the ramp.
    pub fn for_experiment(experiment: &Experiment) -> Schedule {
        match experiment.alg {
            Alg::Ramp => Schedule::ramp(
                experiment.first_batch,
                experiment.ramp_cap,
                experiment.ramp_length,
                experiment.budget,
            ),
            _ => Schedule::new(
                experiment.first_batch,
                growth(experiment),
                experiment.budget,
            ),
        }
    }

    /// How many rounds the schedule has (in closed form for fixed batches, which may have a million).
    pub fn rounds(&self) -> u64 {
        match self.growth {
            Growth::Geometric { rho: 1.0 } => (self.budget - self.used) / self.first_batch,
            Growth::Geometric { .. } => self.clone().count() as u64,
            Growth::Ramp { cap, length } => {
                // Round by round up the ramp, then a fixed batch of B_max in closed form.
                let mut rest = self.clone();
                let mut rounds = 0;
                while rest.used < length {
                    if rest.next().is_none() {
                        return rounds;
                    }
                    rounds += 1;
                }
                rounds + (rest.budget - rest.used) / cap
            }
        }
    }
}

impl Iterator for Schedule {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        let batch = match self.growth {
            Growth::Geometric { rho } => batch_size(self.first_batch, rho, self.next_round),
            Growth::Ramp { cap, length } => ramp_batch(self.first_batch, cap, length, self.used),
        };
        // ρ < 1 (which no link can give) would shrink batches to 0: a round without samples ends the run.
        if batch == 0 {
            return None;
        }
        let used = self.used.checked_add(batch).filter(|&u| u <= self.budget)?;
        self.used = used;
        self.next_round += 1;
        Some(batch)
    }
}

fn growth(experiment: &Experiment) -> f64 {
    match experiment.alg {
        Alg::CrPsgd | Alg::Catalyst => experiment.rho,
        // The ramp's schedule is not geometric (`Schedule::ramp`).
        Alg::Psgd | Alg::Local | Alg::Ramp => 1.0,
        // Its batches are decided as it runs, never shrinking: B₁ every round is its longest schedule.
        Alg::Adaptive => 1.0,
    }
}

/// The fewest rounds an experiment can run: its planned rounds, except for adaptive batches, which take
/// fewest when they grow by the cap ρ every round.
pub fn fewest_rounds(experiment: &Experiment) -> u64 {
    match experiment.alg {
        Alg::Adaptive => {
            Schedule::new(experiment.first_batch, experiment.rho, experiment.budget).rounds()
        }
        _ => planned_rounds(experiment),
    }
}

/// Catalyst's shape: ⌊√(NT)⌋ outer steps, each a CR-PSGD run with budget ⌊√(T/N)⌋.
pub fn catalyst_shape(experiment: &Experiment) -> (u64, u64) {
    let (n, t) = (experiment.nodes as f64, experiment.budget as f64);
    (
        libm::floor(libm::sqrt(n * t)) as u64,
        libm::floor(libm::sqrt(t / n)) as u64,
    )
}

/// Local SGD's H: as given, or the rule ⌊T^(1/4) / N^(3/4)⌋, at least 1.
pub fn local_steps(experiment: &Experiment) -> u64 {
    experiment.local_steps.unwrap_or_else(|| {
        let rule =
            libm::pow(experiment.budget as f64, 0.25) / libm::pow(experiment.nodes as f64, 0.75);
        (libm::floor(rule) as u64).max(1)
    })
}

/// The SFO cost of each local SGD round, H·B₁, as a fixed-batch schedule.
pub fn local_schedule(experiment: &Experiment) -> Schedule {
    let per_round = local_steps(experiment).saturating_mul(experiment.first_batch);
    Schedule::new(per_round, 1.0, experiment.budget)
}

/// How many communication rounds an experiment will run (for adaptive batches, at most).
pub fn planned_rounds(experiment: &Experiment) -> u64 {
    match experiment.alg {
        Alg::CrPsgd | Alg::Psgd | Alg::Adaptive | Alg::Ramp => {
            Schedule::for_experiment(experiment).rounds()
        }
        Alg::Catalyst => {
            let (outers, inner_budget) = catalyst_shape(experiment);
            let inner =
                Schedule::new(experiment.first_batch, experiment.rho, inner_budget).rounds();
            outers.saturating_mul(inner)
        }
        Alg::Local => local_schedule(experiment).rounds(),
    }
}

/// Rows are recorded every this many rounds (the last round always is).
///
/// A link's `every` is already within the row limit when it is read (raised with a notice otherwise). An
/// experiment built in code, such as a compared algorithm that shares the main run's `every`, is held to
/// the same limit here, so that no run can fill the page's memory with rows.
pub fn record_every(experiment: &Experiment) -> u64 {
    const AUTO_ROWS: u64 = 1000;
    let rounds = planned_rounds(experiment);
    // Adaptive batches usually run far fewer rounds than their most: `auto` aims at their fewest.
    let asked = experiment
        .every
        .unwrap_or_else(|| fewest_rounds(experiment).div_ceil(AUTO_ROWS).max(1));
    // ⌈rounds/every⌉ + 1 ≤ most ⇔ every ≥ ⌈rounds/(most − 1)⌉.
    let least = rounds.div_ceil(max_rows(experiment).saturating_sub(1).max(1));
    asked.max(least).max(1)
}
