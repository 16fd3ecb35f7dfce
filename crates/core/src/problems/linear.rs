//! Linear models on a data set: binary logistic regression, multinomial (softmax) regression, and least
//! squares.
//!
//! Samples are processed in blocks of `BLOCK`: the block's dot products run side by side, and each
//! gradient element takes the block's terms in sample order while it sits in a register. That is the
//! same arithmetic in the same order as one sample at a time, so the results are too.

use super::blocks::{DataModel, SampleTerms, BLOCK};
use super::math::{axpys, dots, log_sum_exp, softmax_rows};
use super::vmath::{on_block, Sigmoid, Softplus};
use super::Optimum;
use crate::data::Dataset;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Which regression a linear model fits: the loss of one sample given its logits.
pub enum Regression {
    /// Labels 0/1, one weight per column.
    Logistic,
    /// A row of weights per class, row-major.
    Softmax { classes: usize },
    /// Real targets y, one weight per column: the loss ½(xᵀw − y)².
    LeastSquares,
}

#[derive(Clone, Debug)]
pub struct LinearModel {
    /// Shared: every run on a user's file reads the one copy.
    pub data: Arc<Dataset>,
    pub regression: Regression,
    pub lambda: f64,
}

impl LinearModel {
    /// The block's logits for softmax, `classes` per sample, into `logits`.
    #[inline(always)]
    fn softmax_logits<const R: usize>(
        &self,
        w: &[f64],
        xs: [&[f64]; R],
        classes: usize,
        logits: &mut [f64],
    ) {
        let cols = self.data.cols;
        for k in 0..classes {
            let z = dots(xs, &w[k * cols..(k + 1) * cols]);
            for s in 0..R {
                logits[s * classes + k] = z[s];
            }
        }
    }

    fn classes(&self) -> usize {
        match self.regression {
            Regression::Logistic | Regression::LeastSquares => 1,
            Regression::Softmax { classes } => classes,
        }
    }
}

impl SampleTerms for LinearModel {
    /// Softmax's logits of a block of samples; the models with one output need none.
    type Scratch = Vec<f64>;

    fn scratch(&self, _: &[f64]) -> Vec<f64> {
        match self.regression {
            Regression::Softmax { classes } => vec![0.0; BLOCK * classes],
            Regression::Logistic | Regression::LeastSquares => Vec::new(),
        }
    }

    fn data(&self) -> &Dataset {
        &self.data
    }

    fn lambda(&self) -> f64 {
        self.lambda
    }

    #[inline(always)]
    fn add_losses<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        logits: &mut Vec<f64>,
        total: &mut f64,
    ) {
        let xs = rows.map(|i| self.data.row(i));
        let cols = self.data.cols;
        match self.regression {
            Regression::Logistic => {
                let labels = self.data.labels.classes();
                let z = dots(xs, &w[..cols]);
                let losses = on_block::<Softplus, R>(z);
                for s in 0..R {
                    *total += losses[s] - if labels[rows[s]] == 1 { z[s] } else { 0.0 };
                }
            }
            Regression::LeastSquares => {
                let targets = self.data.labels.targets();
                let z = dots(xs, &w[..cols]);
                for (z, i) in z.into_iter().zip(rows) {
                    let residual = z - targets[i];
                    *total += 0.5 * residual * residual;
                }
            }
            Regression::Softmax { classes } => {
                let labels = self.data.labels.classes();
                self.softmax_logits(w, xs, classes, logits);
                for (z, i) in logits.chunks_exact(classes).zip(rows) {
                    *total += log_sum_exp(z) - z[labels[i] as usize];
                }
            }
        }
    }

    #[inline(always)]
    fn add_gradients<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        logits: &mut Vec<f64>,
        out: &mut [f64],
    ) {
        let xs = rows.map(|i| self.data.row(i));
        let cols = self.data.cols;
        match self.regression {
            Regression::Logistic => {
                let labels = self.data.labels.classes();
                let p = on_block::<Sigmoid, R>(dots(xs, &w[..cols]));
                let mut residual = [0.0; R];
                for s in 0..R {
                    residual[s] = p[s] - if labels[rows[s]] == 1 { 1.0 } else { 0.0 };
                }
                axpys(residual, xs, out);
            }
            Regression::LeastSquares => {
                let targets = self.data.labels.targets();
                let z = dots(xs, &w[..cols]);
                let mut residual = [0.0; R];
                for s in 0..R {
                    residual[s] = z[s] - targets[rows[s]];
                }
                axpys(residual, xs, out);
            }
            Regression::Softmax { classes } => {
                let class_of = self.data.labels.classes();
                let labels = rows.map(|i| class_of[i] as usize);
                self.softmax_logits(w, xs, classes, logits);
                let p = &mut logits[..R * classes];
                softmax_rows(p, classes);
                for k in 0..classes {
                    let mut residual = [0.0; R];
                    for s in 0..R {
                        residual[s] = p[s * classes + k] - if k == labels[s] { 1.0 } else { 0.0 };
                    }
                    axpys(residual, xs, &mut out[k * cols..(k + 1) * cols]);
                }
            }
        }
    }
}

impl DataModel for LinearModel {
    fn dim(&self) -> usize {
        self.classes() * self.data.cols
    }

    fn initial_point(&self) -> Vec<f64> {
        vec![0.0; self.dim()]
    }

    /// With λ > 0 the objective is strongly convex, so f* exists and a solver finds it. (Least squares
    /// with λ = 0 has an f* too, but its minimisers need not be unique, and the solver's stopping rule
    /// bounds f − f* through λ.)
    fn optimum(&self) -> Optimum {
        if self.lambda > 0.0 {
            Optimum::Solve
        } else {
            Optimum::Unknown
        }
    }
}
