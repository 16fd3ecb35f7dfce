//! The layer kit: layers with a forward and a backward pass over a block of samples, composed into a
//! sequence, with a loss at the end. No tensors and no autodiff graph: each layer reads and writes its
//! slice of the one flat parameter vector the trainer keeps, and knows its own gradient.
//!
//! - [`Sequence`] builds layers from an input [`Shape`]: dense, tanh and ReLU, 1-D and 2-D convolution,
//!   residual connections (identity, or option A's down-sampling), global average pooling.
//! - [`Network`] is a sequence and a [`Loss`]; `problems::network::NetworkModel` trains one on a data
//!   set, through the sample loops of `blocks.rs`.
//! - Every layer is generic over the [`Element`] it computes in: f64 (the MLP, whose bits predate the
//!   kit) or f32 (the deep models).
//!
//! The order of every sum is fixed by the layer, never by the vector width or the thread: a block of
//! samples gives each sample the bits it would have alone, and the weight gradients take the samples in
//! order. `tests/layers.rs` checks every layer's gradient against central finite differences.

mod activation;
mod conv;
mod dense;
mod loss;
mod pool;
mod residual;
mod sequence;

pub use activation::Activation;
pub use conv::{Conv, ConvSpec};
pub use dense::{Bias, Dense};
pub use loss::{Loss, Target};
pub use pool::GlobalAvgPool;
pub use residual::{Residual, Scale, Shortcut};
pub use sequence::{Layer, Scratch, Sequence};

pub use super::element::Element;
use crate::rng::{Purpose, Stream};

/// The shape of one sample's values between two layers: channels × height × width, stored a channel
/// at a time, row by row (PyTorch's layout without the batch). A flat vector is `n × 1 × 1`; a 1-D
/// signal `channels × 1 × length`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl Shape {
    pub const fn flat(len: usize) -> Shape {
        Shape::image(len, 1, 1)
    }

    pub const fn signal(channels: usize, length: usize) -> Shape {
        Shape::image(channels, 1, length)
    }

    pub const fn image(channels: usize, height: usize, width: usize) -> Shape {
        Shape {
            channels,
            height,
            width,
        }
    }

    pub const fn len(self) -> usize {
        self.channels * self.height * self.width
    }

    pub const fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// A sequence of layers and the loss on its output.
#[derive(Clone, Debug)]
pub struct Network {
    pub layers: Sequence,
    pub loss: Loss,
}

/// A network's working memory for a block: the sequence's, and the loss's gradient.
#[derive(Clone, Debug)]
pub struct NetworkScratch<E> {
    layers: Scratch<E>,
    output_gradient: Vec<E>,
}

impl Network {
    pub fn params(&self) -> usize {
        self.layers.params()
    }

    /// The initial parameters, from the model's seed: a network cannot start at 0, where its hidden
    /// units would stay identical.
    pub fn initial_point(&self, seed: u64) -> Vec<f64> {
        let mut w = vec![0.0; self.params()];
        self.layers
            .init(&mut Stream::new(seed, Purpose::Init), &mut w);
        w
    }

    pub fn scratch<E: Element>(&self) -> NetworkScratch<E> {
        NetworkScratch {
            layers: self.layers.scratch(),
            output_gradient: vec![E::ZERO; Sequence::block_len(self.layers.output())],
        }
    }

    /// Adds the block's losses to `total`, in sample order.
    #[inline(always)]
    pub fn add_losses<E: Element, const R: usize>(
        &self,
        w: &[E],
        x: [&[E]; R],
        targets: [Target; R],
        scratch: &mut NetworkScratch<E>,
        total: &mut f64,
    ) {
        let y = self.layers.forward(w, x, &mut scratch.layers);
        self.loss.add(y, self.layers.output().len(), targets, total);
    }

    /// Adds the block's gradients of the loss to `dw` by backpropagation.
    #[inline(always)]
    pub fn add_gradients<E: Element, const R: usize>(
        &self,
        w: &[E],
        x: [&[E]; R],
        targets: [Target; R],
        scratch: &mut NetworkScratch<E>,
        dw: &mut [E],
    ) {
        let width = self.layers.output().len();
        let y = self.layers.forward(w, x, &mut scratch.layers);
        self.loss
            .gradient(y, width, targets, &mut scratch.output_gradient);
        let dy = &scratch.output_gradient[..R * width];
        self.layers
            .backward(w, x, &mut scratch.layers, dy, None, dw);
    }
}
