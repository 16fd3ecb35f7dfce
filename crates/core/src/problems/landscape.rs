//! The 2-D landscape f(x, y) = x² + 3 sin²x + y² + 3 sin²y: non-convex, yet it satisfies the
//! Polyak–Łojasiewicz condition (Karimi, Nutini & Schmidt 2016), with f* = 0 at the origin.
//! Its stochastic gradients are ∇f plus Gaussian noise, so growing batches visibly calm the path.

use super::{Optimum, Problem};
use crate::rng::Stream;

#[derive(Clone, Debug)]
pub struct Landscape {
    /// Standard deviation of the noise added to each sample gradient, per coordinate.
    pub sigma: f64,
    pub start: [f64; 2],
}

/// f along one coordinate.
pub fn height(v: f64) -> f64 {
    let s = libm::sin(v);
    v * v + 3.0 * s * s
}

/// The derivative of `height`: 2v + 3 sin 2v.
fn slope(v: f64) -> f64 {
    2.0 * v + 3.0 * libm::sin(2.0 * v)
}

/// `noise` plus `count` samples' noise (a standard normal per coordinate), in sample order.
fn add_noise(mut noise: [f64; 2], stream: &mut Stream, count: u64) -> [f64; 2] {
    for _ in 0..count {
        noise[0] += stream.normal();
        noise[1] += stream.normal();
    }
    noise
}

impl Landscape {
    /// ∇f(w) plus σ times the mean of `count` samples' noise, whose sum is `noise`.
    fn noisy_mean(&self, w: &[f64], noise: [f64; 2], count: u64, out: &mut [f64]) {
        for k in 0..2 {
            out[k] = slope(w[k]) + self.sigma * noise[k] / count as f64;
        }
    }
}

impl Problem for Landscape {
    fn dim(&self) -> usize {
        2
    }

    fn initial_point(&self) -> Vec<f64> {
        self.start.to_vec()
    }

    fn loss(&self, w: &[f64]) -> f64 {
        height(w[0]) + height(w[1])
    }

    fn gradient(&self, w: &[f64], out: &mut [f64]) {
        out[0] = slope(w[0]);
        out[1] = slope(w[1]);
    }

    /// The mean of `batch` noisy sample gradients: one normal draw per coordinate per sample.
    fn minibatch_gradient(&self, w: &[f64], stream: &mut Stream, batch: u64, out: &mut [f64]) {
        let noise = add_noise([0.0; 2], stream, batch);
        self.noisy_mean(w, noise, batch, out);
    }

    fn minibatch_gradient_split(
        &self,
        w: &[f64],
        stream: &mut Stream,
        batch: u64,
        split: u64,
        out: &mut [f64],
        first_part: &mut [f64],
    ) {
        let noise = add_noise([0.0; 2], stream, split);
        self.noisy_mean(w, noise, split, first_part);
        let noise = add_noise(noise, stream, batch - split);
        self.noisy_mean(w, noise, batch, out);
    }

    fn optimum(&self) -> Optimum {
        Optimum::Known(0.0)
    }
}
