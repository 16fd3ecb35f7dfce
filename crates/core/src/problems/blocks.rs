//! The loops that the data problems share: f, ∇f and mini-batch gradients as sums of per-sample terms,
//! taken `BLOCK` samples at a time and then the rest one by one.
//!
//! A model only says what a block adds (`SampleTerms`); the order in which samples reach it, and so the
//! rounding of every sum, is fixed here, once for both models.

use super::math::{dot, mean_plus_penalty};
use super::simd::widest;
use super::{Optimum, Problem};
use crate::data::Dataset;
use crate::rng::Stream;

/// Samples per block.
pub const BLOCK: usize = 4;

/// f(w) = (1/n) Σᵢ loss(xᵢ, yᵢ; w) + (λ/2)‖w‖², summed a block of samples at a time. The block methods
/// run inside `widest`, so they must be `#[inline(always)]`.
pub trait SampleTerms: Sync {
    /// Working memory for one pass over samples at the parameters `w`, reused from block to block.
    type Scratch;
    fn scratch(&self, w: &[f64]) -> Self::Scratch;
    fn data(&self) -> &Dataset;
    fn lambda(&self) -> f64;
    /// Adds the block's losses to `total`, in sample order.
    fn add_losses<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        scratch: &mut Self::Scratch,
        total: &mut f64,
    );
    /// Adds the block's ∇loss(xᵢ, yᵢ; w) (without the penalty) to the pass's sum, each element in sample
    /// order: to `out`, unless the model keeps the sum in its scratch (see `gradient_sum`).
    fn add_gradients<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        scratch: &mut Self::Scratch,
        out: &mut [f64],
    );
    /// Writes the pass's sum of gradients so far into `out`, for a model that adds them up in its
    /// scratch, in its own precision (an f32 network). A model that adds them to `out` keeps this.
    fn gradient_sum(&self, _scratch: &Self::Scratch, _out: &mut [f64]) {}
}

/// The rest of a [`Problem`] over a data set: f, ∇f and mini-batch gradients then come from the loops
/// below, so each model writes only its per-sample terms and these three facts.
pub trait DataModel: SampleTerms + Send {
    fn dim(&self) -> usize;
    fn initial_point(&self) -> Vec<f64>;
    fn optimum(&self) -> Optimum;
}

impl<M: DataModel> Problem for M {
    fn dim(&self) -> usize {
        DataModel::dim(self)
    }

    fn initial_point(&self) -> Vec<f64> {
        DataModel::initial_point(self)
    }

    fn loss(&self, w: &[f64]) -> f64 {
        loss(self, w)
    }

    fn gradient(&self, w: &[f64], out: &mut [f64]) {
        gradient(self, w, out)
    }

    fn minibatch_gradient(&self, w: &[f64], stream: &mut Stream, batch: u64, out: &mut [f64]) {
        minibatch_gradient(self, w, stream, batch, out)
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
        let rows = self.data().rows;
        let first = Some(FirstPart {
            count: split,
            mean: first_part,
        });
        mean_gradient(self, w, batch, || stream.below(rows), out, first)
    }

    fn optimum(&self) -> Optimum {
        DataModel::optimum(self)
    }
}

/// The full objective f(w).
pub fn loss<M: SampleTerms>(model: &M, w: &[f64]) -> f64 {
    widest(
        #[inline(always)]
        || {
            let (rows, mut total, mut scratch) = (model.data().rows, 0.0, model.scratch(w));
            let mut next = 0..rows;
            while next.len() >= BLOCK {
                let block = [(); BLOCK].map(|_| next.next().unwrap_or_default());
                model.add_losses(w, block, &mut scratch, &mut total);
            }
            for i in next {
                model.add_losses(w, [i], &mut scratch, &mut total);
            }
            total / rows as f64 + 0.5 * model.lambda() * dot(w, w)
        },
    )
}

/// The full gradient ∇f(w), into `out`.
pub fn gradient<M: SampleTerms>(model: &M, w: &[f64], out: &mut [f64]) {
    let rows = model.data().rows;
    let mut next = 0..rows;
    mean_gradient(
        model,
        w,
        rows as u64,
        || next.next().unwrap_or_default(),
        out,
        None,
    );
}

/// The mean gradient of `batch` samples drawn from `stream` with replacement, into `out`.
pub fn minibatch_gradient<M: SampleTerms>(
    model: &M,
    w: &[f64],
    stream: &mut Stream,
    batch: u64,
    out: &mut [f64],
) {
    let rows = model.data().rows;
    mean_gradient(model, w, batch, || stream.below(rows), out, None);
}

/// Adds the gradients of the next `count` samples to `out`, a block at a time. A function, not a
/// closure, so that it can be `#[inline(always)]`: inside `widest` a closure would be compiled apart, in
/// the baseline encoding (a closure here cost 23% of the throughput at d = 784).
#[inline(always)]
fn add_gradients<M: SampleTerms>(
    model: &M,
    w: &[f64],
    count: u64,
    next: &mut impl FnMut() -> usize,
    scratch: &mut M::Scratch,
    out: &mut [f64],
) {
    for _ in 0..count / BLOCK as u64 {
        let rows = [(); BLOCK].map(|_| next());
        model.add_gradients(w, rows, scratch, out);
    }
    for _ in 0..count % BLOCK as u64 {
        model.add_gradients(w, [next()], scratch, out);
    }
}

/// Where [`mean_gradient`] also leaves the mean of its first `count` samples.
struct FirstPart<'a> {
    count: u64,
    mean: &'a mut [f64],
}

/// The mean gradient of the `count` samples `next()` yields, plus the penalty's, into `out`; and, if
/// asked, that of the first `first.count` of them into `first.mean`. Splitting regroups the samples into
/// blocks differently, which changes no bit: a block adds each sample's terms in sample order, exactly as
/// one sample at a time does (`math::axpys`, `math::dots`).
fn mean_gradient<M: SampleTerms>(
    model: &M,
    w: &[f64],
    count: u64,
    mut next: impl FnMut() -> usize,
    out: &mut [f64],
    first: Option<FirstPart>,
) {
    widest(
        #[inline(always)]
        || {
            out.fill(0.0);
            let mut scratch = model.scratch(w);
            match first {
                None => add_gradients(model, w, count, &mut next, &mut scratch, out),
                Some(FirstPart { count: split, mean }) => {
                    add_gradients(model, w, split, &mut next, &mut scratch, out);
                    model.gradient_sum(&scratch, out);
                    mean.copy_from_slice(out);
                    mean_plus_penalty(mean, split as f64, model.lambda(), w);
                    add_gradients(model, w, count - split, &mut next, &mut scratch, out);
                }
            }
            model.gradient_sum(&scratch, out);
            mean_plus_penalty(out, count as f64, model.lambda(), w);
        },
    )
}
