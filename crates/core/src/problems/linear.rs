//! Linear models on a data set: binary logistic regression and multinomial (softmax) regression.
//!
//! Samples are processed in blocks of `BLOCK`: the block's dot products run side by side, and each
//! gradient element takes the block's terms in sample order while it sits in a register. That is the
//! same arithmetic in the same order as one sample at a time, so the results are too.

use super::blocks::{DataModel, SampleTerms};
use super::math::{axpys, dots, log_sum_exp, sigmoid, softmax_in_place, softplus};
use super::Optimum;
use crate::data::Dataset;

/// Softmax works on a stack buffer of logits; the largest class count we ship is 10.
pub const MAX_CLASSES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Which regression a linear model fits: the loss of one sample given its logits.
pub enum Regression {
    /// Labels 0/1, one weight per column.
    Logistic,
    /// A row of weights per class, row-major.
    Softmax { classes: usize },
}

#[derive(Clone, Debug)]
pub struct LinearModel {
    pub data: Dataset,
    pub regression: Regression,
    pub lambda: f64,
}

impl LinearModel {
    /// Each sample's logits (only the first is used for the logistic link).
    #[inline(always)]
    fn logits<const R: usize>(&self, w: &[f64], xs: [&[f64]; R]) -> [[f64; MAX_CLASSES]; R] {
        let mut logits = [[0.0; MAX_CLASSES]; R];
        let cols = self.data.cols;
        for k in 0..self.classes() {
            let z = dots(xs, &w[k * cols..(k + 1) * cols]);
            for s in 0..R {
                logits[s][k] = z[s];
            }
        }
        logits
    }

    fn classes(&self) -> usize {
        match self.regression {
            Regression::Logistic => 1,
            Regression::Softmax { classes } => classes,
        }
    }
}

impl SampleTerms for LinearModel {
    type Scratch = ();

    fn scratch(&self) {}

    fn data(&self) -> &Dataset {
        &self.data
    }

    fn lambda(&self) -> f64 {
        self.lambda
    }

    #[inline(always)]
    fn add_losses<const R: usize>(&self, w: &[f64], rows: [usize; R], _: &mut (), total: &mut f64) {
        let logits = self.logits(w, rows.map(|i| self.data.row(i)));
        let classes = self.data.labels.classes();
        for (z, i) in logits.iter().zip(rows) {
            let label = classes[i] as usize;
            *total += match self.regression {
                Regression::Logistic => softplus(z[0]) - if label == 1 { z[0] } else { 0.0 },
                Regression::Softmax { classes } => log_sum_exp(&z[..classes]) - z[label],
            };
        }
    }

    #[inline(always)]
    fn add_gradients<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        _: &mut (),
        out: &mut [f64],
    ) {
        let xs = rows.map(|i| self.data.row(i));
        let mut p = self.logits(w, xs);
        let classes = self.data.labels.classes();
        let labels = rows.map(|i| classes[i] as usize);
        match self.regression {
            Regression::Logistic => {
                let mut residual = [0.0; R];
                for s in 0..R {
                    residual[s] = sigmoid(p[s][0]) - if labels[s] == 1 { 1.0 } else { 0.0 };
                }
                axpys(residual, xs, out);
            }
            Regression::Softmax { classes } => {
                p.iter_mut()
                    .for_each(|p| softmax_in_place(&mut p[..classes]));
                let cols = self.data.cols;
                for k in 0..classes {
                    let mut residual = [0.0; R];
                    for s in 0..R {
                        residual[s] = p[s][k] - if k == labels[s] { 1.0 } else { 0.0 };
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

    /// With λ > 0 the objective is strongly convex, so f* exists and a solver finds it.
    fn optimum(&self) -> Optimum {
        if self.lambda > 0.0 {
            Optimum::Solve
        } else {
            Optimum::Unknown
        }
    }
}
