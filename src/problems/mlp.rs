//! A one-hidden-layer network (tanh, then softmax) on the digits: the non-convex stand-in for the paper's
//! ResNet20 on CIFAR-10, small enough to train in a page.
//!
//! Parameters, row-major: W₁ (hidden × cols, the input already has a bias column), then W₂
//! (classes × (hidden + 1), the last column being the output bias).

use super::linear::MAX_CLASSES;
use super::math::{axpy, dot, log_sum_exp, mean_plus_penalty, softmax_in_place};
use super::{Optimum, Problem};
use crate::data::Dataset;
use crate::rng::{Purpose, Stream};

#[derive(Clone, Debug)]
pub struct Mlp {
    pub data: Dataset,
    pub hidden: usize,
    pub classes: usize,
    pub lambda: f64,
    /// Seeds the initial weights (a network cannot start at 0: its hidden units would stay identical).
    pub seed: u64,
}

impl Mlp {
    fn first_layer_len(&self) -> usize {
        self.hidden * self.data.cols
    }

    /// Hidden activations into `h`; returns the output logits.
    fn forward(&self, w: &[f64], x: &[f64], h: &mut [f64]) -> [f64; MAX_CLASSES] {
        let cols = self.data.cols;
        for (j, hj) in h.iter_mut().enumerate() {
            *hj = libm::tanh(dot(&w[j * cols..(j + 1) * cols], x));
        }
        let second = &w[self.first_layer_len()..];
        let width = self.hidden + 1;
        let mut logits = [0.0; MAX_CLASSES];
        for (k, logit) in logits.iter_mut().enumerate().take(self.classes) {
            let row = &second[k * width..(k + 1) * width];
            *logit = dot(&row[..self.hidden], h) + row[self.hidden];
        }
        logits
    }

    fn sample_loss(&self, w: &[f64], i: usize, h: &mut [f64]) -> f64 {
        let logits = self.forward(w, self.data.row(i), h);
        log_sum_exp(&logits[..self.classes]) - logits[self.data.labels[i] as usize]
    }

    /// Adds ∇loss(xᵢ, yᵢ; w) to `out` by backpropagation; `h` and `dh` are scratch of length `hidden`.
    fn add_sample_gradient(
        &self,
        w: &[f64],
        i: usize,
        out: &mut [f64],
        h: &mut [f64],
        dh: &mut [f64],
    ) {
        let x = self.data.row(i);
        let mut p = self.forward(w, x, h);
        softmax_in_place(&mut p[..self.classes]);
        let label = self.data.labels[i] as usize;
        let (first_len, width, cols) = (self.first_layer_len(), self.hidden + 1, self.data.cols);
        dh.fill(0.0);
        let (out_first, out_second) = out.split_at_mut(first_len);
        for k in 0..self.classes {
            let dz = p[k] - if k == label { 1.0 } else { 0.0 };
            let row = &w[first_len + k * width..first_len + (k + 1) * width];
            let grad_row = &mut out_second[k * width..(k + 1) * width];
            axpy(dz, h, &mut grad_row[..self.hidden]);
            grad_row[self.hidden] += dz;
            axpy(dz, &row[..self.hidden], dh);
        }
        for j in 0..self.hidden {
            let da = dh[j] * (1.0 - h[j] * h[j]);
            axpy(da, x, &mut out_first[j * cols..(j + 1) * cols]);
        }
    }
}

impl Problem for Mlp {
    fn dim(&self) -> usize {
        self.first_layer_len() + self.classes * (self.hidden + 1)
    }

    /// Weights ~ N(0, 1/fan-in), the usual scale for tanh layers.
    fn initial_point(&self) -> Vec<f64> {
        let mut stream = Stream::new(self.seed, Purpose::Init);
        let first = 1.0 / libm::sqrt(self.data.cols as f64);
        let second = 1.0 / libm::sqrt((self.hidden + 1) as f64);
        (0..self.dim())
            .map(|i| {
                stream.normal()
                    * if i < self.first_layer_len() {
                        first
                    } else {
                        second
                    }
            })
            .collect()
    }

    fn loss(&self, w: &[f64]) -> f64 {
        let mut h = vec![0.0; self.hidden];
        let mut total = 0.0;
        for i in 0..self.data.rows {
            total += self.sample_loss(w, i, &mut h);
        }
        total / self.data.rows as f64 + 0.5 * self.lambda * dot(w, w)
    }

    fn gradient(&self, w: &[f64], out: &mut [f64]) {
        let (mut h, mut dh) = (vec![0.0; self.hidden], vec![0.0; self.hidden]);
        out.fill(0.0);
        for i in 0..self.data.rows {
            self.add_sample_gradient(w, i, out, &mut h, &mut dh);
        }
        mean_plus_penalty(out, self.data.rows as f64, self.lambda, w);
    }

    fn minibatch_gradient(&self, w: &[f64], stream: &mut Stream, batch: u64, out: &mut [f64]) {
        let (mut h, mut dh) = (vec![0.0; self.hidden], vec![0.0; self.hidden]);
        out.fill(0.0);
        for _ in 0..batch {
            let i = stream.below(self.data.rows);
            self.add_sample_gradient(w, i, out, &mut h, &mut dh);
        }
        mean_plus_penalty(out, batch as f64, self.lambda, w);
    }

    fn optimum(&self) -> Optimum {
        Optimum::Unknown
    }
}
