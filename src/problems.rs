//! Objectives f(w) = (1/n) Σᵢ loss(xᵢ, yᵢ; w) + (λ/2)‖w‖² and their stochastic gradients.
//!
//! Every reduction here runs in a fixed order with a fixed lane layout, and exp/log come from `libm`,
//! so a gradient is the same bit pattern natively and in wasm.

use crate::data::Dataset;
use crate::experiment::{Experiment, ProblemKind};
use crate::rng::Stream;

/// Softmax works on a stack buffer of logits; the largest class count we ship is 10.
const MAX_CLASSES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Binary logistic regression, labels 0/1, one weight per column.
    Logistic,
    /// Multinomial (softmax) regression: a row of weights per class, row-major.
    Softmax { classes: usize },
}

#[derive(Clone, Debug)]
pub struct Objective {
    pub data: Dataset,
    pub model: Model,
    pub lambda: f64,
}

impl Objective {
    pub fn for_experiment(experiment: &Experiment) -> Objective {
        let data = Dataset::for_experiment(experiment);
        let model = match experiment.problem {
            ProblemKind::Digits => Model::Softmax {
                classes: data.classes.min(MAX_CLASSES),
            },
            ProblemKind::BreastCancer | ProblemKind::Synthetic => Model::Logistic,
        };
        Objective {
            data,
            model,
            lambda: experiment.lambda,
        }
    }

    /// Number of model parameters.
    pub fn dim(&self) -> usize {
        match self.model {
            Model::Logistic => self.data.cols,
            Model::Softmax { classes } => classes * self.data.cols,
        }
    }

    /// The full objective f(w).
    pub fn loss(&self, w: &[f64]) -> f64 {
        let mut total = 0.0;
        for i in 0..self.data.rows {
            total += self.sample_loss(w, i);
        }
        total / self.data.rows as f64 + 0.5 * self.lambda * dot(w, w)
    }

    /// The full gradient ∇f(w), written into `out`.
    pub fn gradient(&self, w: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        for i in 0..self.data.rows {
            self.add_sample_gradient(w, i, 1.0, out);
        }
        let scale = 1.0 / self.data.rows as f64;
        out.iter_mut()
            .zip(w)
            .for_each(|(g, wi)| *g = *g * scale + self.lambda * wi);
    }

    /// A mini-batch gradient (1/B) Σⱼ ∇F(w; ζⱼ) over `batch` examples drawn i.i.d. with replacement from
    /// `stream`, written into `out`. Each ∇F includes the penalty's gradient λw.
    pub fn minibatch_gradient(&self, w: &[f64], stream: &mut Stream, batch: u64, out: &mut [f64]) {
        out.fill(0.0);
        for _ in 0..batch {
            let i = stream.below(self.data.rows);
            self.add_sample_gradient(w, i, 1.0, out);
        }
        let scale = 1.0 / batch as f64;
        out.iter_mut()
            .zip(w)
            .for_each(|(g, wi)| *g = *g * scale + self.lambda * wi);
    }

    fn sample_loss(&self, w: &[f64], i: usize) -> f64 {
        let x = self.data.row(i);
        let label = self.data.labels[i] as usize;
        match self.model {
            Model::Logistic => {
                let z = dot(w, x);
                softplus(z) - if label == 1 { z } else { 0.0 }
            }
            Model::Softmax { classes } => {
                let logits = self.logits(w, x, classes);
                log_sum_exp(&logits[..classes]) - logits[label]
            }
        }
    }

    /// Adds `weight`·∇loss(xᵢ, yᵢ; w) (without the penalty) to `out`.
    fn add_sample_gradient(&self, w: &[f64], i: usize, weight: f64, out: &mut [f64]) {
        let x = self.data.row(i);
        let label = self.data.labels[i] as usize;
        match self.model {
            Model::Logistic => {
                let residual = sigmoid(dot(w, x)) - if label == 1 { 1.0 } else { 0.0 };
                axpy(weight * residual, x, out);
            }
            Model::Softmax { classes } => {
                let mut p = self.logits(w, x, classes);
                softmax_in_place(&mut p[..classes]);
                let cols = self.data.cols;
                for k in 0..classes {
                    let residual = p[k] - if k == label { 1.0 } else { 0.0 };
                    axpy(weight * residual, x, &mut out[k * cols..(k + 1) * cols]);
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

/// Dot product with four independent accumulators in a fixed layout: vectorisable, and its rounding is
/// the same on every target because the summation order is spelled out.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let (a_rest, b_rest) = (a4.remainder(), b4.remainder());
    for (x, y) in a4.zip(b4) {
        for lane in 0..4 {
            acc[lane] += x[lane] * y[lane];
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

/// out += a·x
pub fn axpy(a: f64, x: &[f64], out: &mut [f64]) {
    out.iter_mut().zip(x).for_each(|(o, xi)| *o += a * xi);
}

/// log(1 + eᶻ) without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + libm::log1p(libm::exp(-z.abs()))
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + libm::exp(-z))
    } else {
        let e = libm::exp(z);
        e / (1.0 + e)
    }
}

fn log_sum_exp(v: &[f64]) -> f64 {
    let top = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    top + libm::log(v.iter().map(|x| libm::exp(x - top)).sum::<f64>())
}

fn softmax_in_place(v: &mut [f64]) {
    let top = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for x in v.iter_mut() {
        *x = libm::exp(*x - top);
        total += *x;
    }
    v.iter_mut().for_each(|x| *x /= total);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Purpose;

    fn objective(query: &str) -> Objective {
        Objective::for_experiment(&Experiment::from_query_strict(query).expect("valid query"))
    }

    fn some_point(dim: usize) -> Vec<f64> {
        let mut s = Stream::new(3, Purpose::Data);
        (0..dim).map(|_| 0.3 * s.normal()).collect()
    }

    /// Central differences agree with the analytic gradient on every problem.
    #[test]
    fn gradient_matches_finite_differences() {
        for query in [
            "problem=breast-cancer&lambda=0.01",
            "problem=digits&lambda=0.1",
            "problem=synthetic&n=40&d=5",
        ] {
            let f = objective(query);
            let w = some_point(f.dim());
            let mut g = vec![0.0; f.dim()];
            f.gradient(&w, &mut g);
            let h = 1e-6;
            for j in (0..f.dim()).step_by(7) {
                let (mut plus, mut minus) = (w.clone(), w.clone());
                plus[j] += h;
                minus[j] -= h;
                let numeric = (f.loss(&plus) - f.loss(&minus)) / (2.0 * h);
                assert!(
                    (numeric - g[j]).abs() < 1e-6 * (1.0 + g[j].abs()),
                    "{query} coord {j}: {numeric} vs {}",
                    g[j]
                );
            }
        }
    }

    /// A mini-batch gradient is an unbiased estimate: over many samples it approaches ∇f.
    #[test]
    fn minibatch_gradient_averages_to_full_gradient() {
        let f = objective("problem=breast-cancer");
        let w = some_point(f.dim());
        let (mut full, mut batch) = (vec![0.0; f.dim()], vec![0.0; f.dim()]);
        f.gradient(&w, &mut full);
        f.minibatch_gradient(&w, &mut Stream::new(1, Purpose::Data), 200_000, &mut batch);
        let err = full
            .iter()
            .zip(&batch)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            .sqrt();
        let norm = dot(&full, &full).sqrt();
        assert!(err < 0.02 * norm + 1e-3, "error {err} vs norm {norm}");
    }

    #[test]
    fn loss_at_zero_is_log_of_class_count() {
        let f = objective("problem=digits");
        assert!((f.loss(&vec![0.0; f.dim()]) - 10f64.ln()).abs() < 1e-12);
        let f = objective("problem=breast-cancer");
        assert!((f.loss(&vec![0.0; f.dim()]) - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn dot_handles_remainders() {
        let a: Vec<f64> = (1..=7).map(f64::from).collect();
        assert_eq!(dot(&a, &a), 140.0);
    }
}
