//! Linear models on a data set: binary logistic regression and multinomial (softmax) regression.

use super::math::{axpy, dot, log_sum_exp, mean_plus_penalty, sigmoid, softmax_in_place, softplus};
use super::{Optimum, Problem};
use crate::data::Dataset;
use crate::rng::Stream;

/// Softmax works on a stack buffer of logits; the largest class count we ship is 10.
pub const MAX_CLASSES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Labels 0/1, one weight per column.
    Logistic,
    /// A row of weights per class, row-major.
    Softmax { classes: usize },
}

#[derive(Clone, Debug)]
pub struct LinearModel {
    pub data: Dataset,
    pub link: Link,
    pub lambda: f64,
}

impl LinearModel {
    fn sample_loss(&self, w: &[f64], i: usize) -> f64 {
        let x = self.data.row(i);
        let label = self.data.labels[i] as usize;
        match self.link {
            Link::Logistic => {
                let z = dot(w, x);
                softplus(z) - if label == 1 { z } else { 0.0 }
            }
            Link::Softmax { classes } => {
                let logits = self.logits(w, x, classes);
                log_sum_exp(&logits[..classes]) - logits[label]
            }
        }
    }

    /// Adds ∇loss(xᵢ, yᵢ; w) (without the penalty) to `out`.
    fn add_sample_gradient(&self, w: &[f64], i: usize, out: &mut [f64]) {
        let x = self.data.row(i);
        let label = self.data.labels[i] as usize;
        match self.link {
            Link::Logistic => {
                let residual = sigmoid(dot(w, x)) - if label == 1 { 1.0 } else { 0.0 };
                axpy(residual, x, out);
            }
            Link::Softmax { classes } => {
                let mut p = self.logits(w, x, classes);
                softmax_in_place(&mut p[..classes]);
                let cols = self.data.cols;
                for k in 0..classes {
                    let residual = p[k] - if k == label { 1.0 } else { 0.0 };
                    axpy(residual, x, &mut out[k * cols..(k + 1) * cols]);
                }
            }
        }
    }

    fn logits(&self, w: &[f64], x: &[f64], classes: usize) -> [f64; MAX_CLASSES] {
        let cols = self.data.cols;
        let mut logits = [0.0; MAX_CLASSES];
        for (k, logit) in logits.iter_mut().enumerate().take(classes) {
            *logit = dot(&w[k * cols..(k + 1) * cols], x);
        }
        logits
    }
}

impl Problem for LinearModel {
    fn dim(&self) -> usize {
        match self.link {
            Link::Logistic => self.data.cols,
            Link::Softmax { classes } => classes * self.data.cols,
        }
    }

    fn initial_point(&self) -> Vec<f64> {
        vec![0.0; self.dim()]
    }

    fn loss(&self, w: &[f64]) -> f64 {
        let mut total = 0.0;
        for i in 0..self.data.rows {
            total += self.sample_loss(w, i);
        }
        total / self.data.rows as f64 + 0.5 * self.lambda * dot(w, w)
    }

    fn gradient(&self, w: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for i in 0..self.data.rows {
            self.add_sample_gradient(w, i, out);
        }
        mean_plus_penalty(out, self.data.rows as f64, self.lambda, w);
    }

    fn minibatch_gradient(&self, w: &[f64], stream: &mut Stream, batch: u64, out: &mut [f64]) {
        out.fill(0.0);
        for _ in 0..batch {
            let i = stream.below(self.data.rows);
            self.add_sample_gradient(w, i, out);
        }
        mean_plus_penalty(out, batch as f64, self.lambda, w);
    }

    /// With λ > 0 the objective is strongly convex, so f* exists and a solver finds it.
    fn optimum(&self) -> Optimum {
        if self.lambda > 0.0 {
            Optimum::Solve
        } else {
            Optimum::Unknown
        }
    }
}
