//! Heavy-ball momentum (Polyak 1964): v ← βv + g, x ← x − γ·v, with v = 0 at the start.
//!
//! The paper's analysis is for plain SGD (β = 0). A run with β = 0 has no buffer at all ([`Momentum::Off`]),
//! so it computes exactly what it did before momentum existed: `0·v + g` would not, since a diverging run's
//! v becomes infinite and 0·∞ is NaN.
//!
//! Where the buffer lives:
//! - CR-PSGD, PSGD, adaptive batches and the ramp: one v for the run, fed the averaged gradient ḡ_t.
//! - Catalyst: the same, on ∇h_θ, and reset to 0 with each new proximal subproblem: its objective and
//!   anchor change, so the old velocity points along a function that is no longer minimised, and the inner
//!   run starts afresh in every other way too (its batches restart at B₁).
//! - Local SGD: each node starts a round from the averaged v, carries it through its H local steps, and the
//!   nodes' v are averaged in node order with their models at the communication. With H = 1 this is PSGD
//!   with momentum, bit for bit in exact arithmetic; resetting instead would make momentum do nothing at
//!   H = 1 and little at small H. The price is twice the bytes per all-reduce (`exchanged_vectors`).

use crate::experiment::{Alg, Experiment};

/// A run's (or one local SGD node's) momentum state.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Momentum {
    /// β = 0: each step is the gradient itself.
    Off,
    /// β > 0 and the velocity v.
    HeavyBall { beta: f64, velocity: Vec<f64> },
}

impl Momentum {
    /// The state of a run with momentum `beta` on a model of `parameters` values, before its first step.
    pub(crate) fn new(beta: f64, parameters: usize) -> Momentum {
        if beta > 0.0 {
            Momentum::HeavyBall {
                beta,
                velocity: vec![0.0; parameters],
            }
        } else {
            Momentum::Off
        }
    }

    /// One step: x ← x − γ·g without momentum, else v ← βv + g, then x ← x − γ·v.
    pub(crate) fn step(&mut self, x: &mut [f64], gradient: &[f64], gamma: f64) {
        match self {
            Momentum::Off => x
                .iter_mut()
                .zip(gradient)
                .for_each(|(xi, g)| *xi -= gamma * g),
            Momentum::HeavyBall { beta, velocity } => x
                .iter_mut()
                .zip(velocity.iter_mut().zip(gradient))
                .for_each(|(xi, (v, g))| {
                    *v = *beta * *v + g;
                    *xi -= gamma * *v;
                }),
        }
    }

    /// Forgets the velocity (Catalyst's next subproblem).
    pub(crate) fn reset(&mut self) {
        if let Momentum::HeavyBall { velocity, .. } = self {
            velocity.fill(0.0);
        }
    }

    /// The velocity, if there is one.
    pub(crate) fn velocity(&self) -> Option<&[f64]> {
        match self {
            Momentum::Off => None,
            Momentum::HeavyBall { velocity, .. } => Some(velocity),
        }
    }

    /// The velocity to write into (a local SGD node's, at the start of a round or from another
    /// process's record), if there is one.
    pub(crate) fn velocity_mut(&mut self) -> Option<&mut Vec<f64>> {
        match self {
            Momentum::Off => None,
            Momentum::HeavyBall { velocity, .. } => Some(velocity),
        }
    }
}

/// How many model-sized vectors each node sends per all-reduce: local SGD with momentum averages the
/// velocities beside the models; every other run sends one (its gradient, or local SGD's model).
pub fn exchanged_vectors(experiment: &Experiment) -> u64 {
    match (experiment.alg, experiment.momentum > 0.0) {
        (Alg::Local, true) => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_momentum_there_is_no_buffer_and_a_step_is_plain_sgd() {
        let mut off = Momentum::new(0.0, 3);
        assert_eq!(off, Momentum::Off);
        let mut x = [1.0, -2.0, f64::INFINITY];
        off.step(&mut x, &[0.5, 0.25, 1.0], 0.1);
        assert_eq!(x, [1.0 - 0.1 * 0.5, -2.0 - 0.1 * 0.25, f64::INFINITY]);
        assert_eq!(off.velocity(), None);
    }

    #[test]
    fn heavy_ball_steps_by_hand_and_a_reset_forgets() {
        // f(x) = x²/2 in one dimension, g = x: with β = 0.5 and γ = 0.25 from x = 1,
        // v₁ = 1, x₂ = 0.75; v₂ = 0.5 + 0.75 = 1.25, x₃ = 0.4375; v₃ = 0.625 + 0.4375 = 1.0625,
        // x₄ = 0.171875 (all exact in binary).
        let mut momentum = Momentum::new(0.5, 1);
        let mut x = [1.0];
        let mut seen = Vec::new();
        for _ in 0..3 {
            let g = x;
            momentum.step(&mut x, &g, 0.25);
            seen.push((x[0], momentum.velocity().map(|v| v[0])));
        }
        assert_eq!(
            seen,
            [
                (0.75, Some(1.0)),
                (0.4375, Some(1.25)),
                (0.171875, Some(1.0625))
            ]
        );
        momentum.reset();
        assert_eq!(momentum.velocity(), Some(&[0.0][..]));
    }
}
