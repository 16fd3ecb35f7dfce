//! A one-hidden-layer network (tanh, then softmax) on the digits: the non-convex stand-in for the paper's
//! ResNet20 on CIFAR-10, small enough to train in a page.
//!
//! Parameters, row-major: W₁ (hidden × cols, the input already has a bias column), then W₂
//! (classes × (hidden + 1), the last column being the output bias).
//!
//! Samples go through in blocks, as in `linear`: each weight row meets the whole block while it is
//! loaded, and each gradient element takes the block's terms in sample order, which keeps the results
//! those of one sample at a time.

use super::blocks::{DataModel, SampleTerms, BLOCK};
use super::math::{axpy, axpys, dots, log_sum_exp, softmax_rows};
use super::vmath::{apply, Tanh};
use super::Optimum;
use crate::data::Dataset;
use crate::rng::{Purpose, Stream};

/// The logits of a block of samples sit in a stack buffer: the network's data, the digits, has 10 classes.
pub const MAX_CLASSES: usize = 16;

#[derive(Clone, Debug)]
pub struct Mlp {
    pub data: Dataset,
    pub hidden: usize,
    pub classes: usize,
    pub lambda: f64,
    /// Seeds the initial weights (a network cannot start at 0: its hidden units would stay identical).
    pub seed: u64,
}

/// Per-block scratch: hidden activations and their gradients, `BLOCK` rows of `hidden`.
pub struct Scratch {
    h: Vec<f64>,
    dh: Vec<f64>,
}

impl Mlp {
    fn first_layer_len(&self) -> usize {
        self.hidden * self.data.cols
    }

    /// Hidden activations of the block's samples into `h` (a row of `hidden` per sample); returns the
    /// output logits.
    #[inline(always)]
    fn forward<const R: usize>(
        &self,
        w: &[f64],
        xs: [&[f64]; R],
        h: &mut [f64],
    ) -> [[f64; MAX_CLASSES]; R] {
        let (cols, hidden) = (self.data.cols, self.hidden);
        for j in 0..hidden {
            let z = dots(xs, &w[j * cols..(j + 1) * cols]);
            for s in 0..R {
                h[s * hidden + j] = z[s];
            }
        }
        // The block's hidden units at once, a lane array at a time.
        apply::<Tanh>(&mut h[..R * hidden]);
        let second = &w[self.first_layer_len()..];
        let width = hidden + 1;
        let hs: [&[f64]; R] = std::array::from_fn(|s| &h[s * hidden..(s + 1) * hidden]);
        let mut logits = [[0.0; MAX_CLASSES]; R];
        for k in 0..self.classes {
            let row = &second[k * width..(k + 1) * width];
            let z = dots(hs, &row[..hidden]);
            for s in 0..R {
                logits[s][k] = z[s] + row[hidden];
            }
        }
        logits
    }
}

impl SampleTerms for Mlp {
    type Scratch = Scratch;

    fn scratch(&self) -> Scratch {
        Scratch {
            h: vec![0.0; BLOCK * self.hidden],
            dh: vec![0.0; BLOCK * self.hidden],
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
        scratch: &mut Scratch,
        total: &mut f64,
    ) {
        let logits = self.forward(w, rows.map(|i| self.data.row(i)), &mut scratch.h);
        let labels = self.data.labels.classes();
        for (z, i) in logits.iter().zip(rows) {
            *total += log_sum_exp(&z[..self.classes]) - z[labels[i] as usize];
        }
    }

    /// Adds the block's ∇loss(xᵢ, yᵢ; w) to `out` by backpropagation.
    #[inline(always)]
    fn add_gradients<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        scratch: &mut Scratch,
        out: &mut [f64],
    ) {
        let xs = rows.map(|i| self.data.row(i));
        let logits = self.forward(w, xs, &mut scratch.h);
        let (first_len, width, cols, hidden) = (
            self.first_layer_len(),
            self.hidden + 1,
            self.data.cols,
            self.hidden,
        );
        let (h, dh) = (&scratch.h, &mut scratch.dh[..R * hidden]);
        dh.fill(0.0);
        let (out_first, out_second) = out.split_at_mut(first_len);
        let hs: [&[f64]; R] = std::array::from_fn(|s| &h[s * hidden..(s + 1) * hidden]);
        // The block's probabilities, a row of `classes` per sample, side by side for `softmax_rows`.
        let classes = self.classes;
        let mut probabilities = [0.0; MAX_CLASSES * BLOCK];
        let p = &mut probabilities[..R * classes];
        for (row, z) in p.chunks_exact_mut(classes).zip(&logits) {
            row.copy_from_slice(&z[..classes]);
        }
        softmax_rows(p, classes);
        let mut dz = [[0.0; MAX_CLASSES]; R];
        let labels = self.data.labels.classes();
        for s in 0..R {
            let label = labels[rows[s]] as usize;
            for k in 0..classes {
                dz[s][k] = p[s * classes + k] - if k == label { 1.0 } else { 0.0 };
            }
        }
        for k in 0..self.classes {
            let row = &w[first_len + k * width..first_len + (k + 1) * width];
            let grad_row = &mut out_second[k * width..(k + 1) * width];
            let dz_k: [f64; R] = std::array::from_fn(|s| dz[s][k]);
            axpys(dz_k, hs, &mut grad_row[..hidden]);
            for d in dz_k {
                grad_row[hidden] += d;
            }
            for s in 0..R {
                axpy(
                    dz_k[s],
                    &row[..hidden],
                    &mut dh[s * hidden..(s + 1) * hidden],
                );
            }
        }
        for j in 0..hidden {
            let da: [f64; R] = std::array::from_fn(|s| {
                let hj = h[s * hidden + j];
                dh[s * hidden + j] * (1.0 - hj * hj)
            });
            axpys(da, xs, &mut out_first[j * cols..(j + 1) * cols]);
        }
    }
}

impl DataModel for Mlp {
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

    fn optimum(&self) -> Optimum {
        Optimum::Unknown
    }
}
