//! Layers in a row, each reading the one before: the one composition of the kit (a residual's body is
//! a sequence too).

use super::activation::Activation;
use super::conv::{Conv, ConvSpec};
use super::dense::{Bias, Dense};
use super::pool::GlobalAvgPool;
use super::residual::{Residual, ResidualScratch, Scale, Shortcut};
use super::Shape;
use crate::problems::blocks::BLOCK;
use crate::problems::element::Element;
use crate::rng::Stream;
use std::ops::Range;

/// One layer of a sequence.
#[derive(Clone, Debug)]
pub enum Layer {
    Dense(Dense),
    Activation(Activation),
    Conv(Conv),
    Residual(Residual),
    GlobalAvgPool(GlobalAvgPool),
}

/// A layer where it sits: its input's and output's shapes, and its slice of the parameters.
#[derive(Clone, Debug)]
struct Placed {
    layer: Layer,
    input: Shape,
    output: Shape,
    params: Range<usize>,
}

/// Layers built one after another from an input shape, each taking the shape the previous one gives:
/// `Sequence::new(Shape::flat(65)).dense(32, Bias::None).tanh().dense(10, Bias::Included)`.
#[derive(Clone, Debug)]
pub struct Sequence {
    input: Shape,
    layers: Vec<Placed>,
}

/// A sequence's working memory for one block of samples, reused from block to block: every layer's
/// output (the backward pass reads them), two buffers that the gradient passes between, and each
/// residual's own.
#[derive(Clone, Debug)]
pub struct Scratch<E> {
    outputs: Vec<Vec<E>>,
    residuals: Vec<Option<ResidualScratch<E>>>,
    gradients: [Vec<E>; 2],
}

impl<E: Element> Scratch<E> {
    /// The last layer's output for a block of `R` samples.
    pub fn output<const R: usize>(&self) -> &[E] {
        let last = &self.outputs[self.outputs.len() - 1];
        &last[..R * (last.len() / BLOCK)]
    }
}

impl Sequence {
    pub fn new(input: Shape) -> Sequence {
        Sequence {
            input,
            layers: Vec::new(),
        }
    }

    /// Appends a layer, whose output shape and parameter count are `output` and `params`.
    fn push(mut self, layer: Layer) -> Sequence {
        let (input, start) = (self.output(), self.params());
        let (output, count) = match &layer {
            Layer::Dense(dense) => {
                assert_eq!(dense.inputs, input.len(), "a dense layer's inputs");
                (dense.output(), dense.params())
            }
            Layer::Activation(_) => (input, 0),
            Layer::Conv(conv) => (conv.output(), conv.params()),
            Layer::Residual(residual) => (residual.output(), residual.params()),
            Layer::GlobalAvgPool(pool) => (pool.output(), 0),
        };
        self.layers.push(Placed {
            layer,
            input,
            output,
            params: start..start + count,
        });
        self
    }

    pub fn dense(self, outputs: usize, bias: Bias) -> Sequence {
        let inputs = self.output().len();
        self.push(Layer::Dense(Dense {
            inputs,
            outputs,
            bias,
        }))
    }

    pub fn tanh(self) -> Sequence {
        self.push(Layer::Activation(Activation::Tanh))
    }

    pub fn relu(self) -> Sequence {
        self.push(Layer::Activation(Activation::Relu))
    }

    pub fn conv(self, spec: ConvSpec) -> Sequence {
        let conv = Conv::new(self.output(), spec);
        self.push(Layer::Conv(conv))
    }

    /// A residual block whose body `body` builds from this sequence's output shape.
    pub fn residual(
        self,
        body: impl FnOnce(Sequence) -> Sequence,
        shortcut: Shortcut,
        scale: Scale,
    ) -> Sequence {
        let body = body(Sequence::new(self.output()));
        assert!(!body.layers.is_empty(), "a residual's body has layers");
        self.push(Layer::Residual(Residual::new(body, shortcut, scale)))
    }

    pub fn global_avg_pool(self) -> Sequence {
        let input = self.output();
        self.push(Layer::GlobalAvgPool(GlobalAvgPool { input }))
    }

    pub fn input(&self) -> Shape {
        self.input
    }

    pub fn output(&self) -> Shape {
        self.layers.last().map_or(self.input, |last| last.output)
    }

    /// The number of parameters: each layer's, in order, in one flat vector.
    pub fn params(&self) -> usize {
        self.layers.last().map_or(0, |last| last.params.end)
    }

    /// Values in a block of `BLOCK` samples of this shape.
    pub(super) fn block_len(shape: Shape) -> usize {
        BLOCK * shape.len()
    }

    /// Each layer's initial parameters, in order, from one stream.
    pub fn init(&self, stream: &mut Stream, w: &mut [f64]) {
        for placed in &self.layers {
            let w = &mut w[placed.params.clone()];
            match &placed.layer {
                Layer::Dense(dense) => dense.init(stream, w),
                Layer::Conv(conv) => conv.init(stream, w),
                Layer::Residual(residual) => residual.init(stream, w),
                Layer::Activation(_) | Layer::GlobalAvgPool(_) => {}
            }
        }
    }

    pub fn scratch<E: Element>(&self) -> Scratch<E> {
        let widest = self
            .layers
            .iter()
            .map(|placed| placed.input.len().max(placed.output.len()))
            .max()
            .unwrap_or(0);
        Scratch {
            outputs: self
                .layers
                .iter()
                .map(|placed| vec![E::ZERO; Self::block_len(placed.output)])
                .collect(),
            residuals: self
                .layers
                .iter()
                .map(|placed| match &placed.layer {
                    Layer::Residual(residual) => Some(residual.scratch()),
                    _ => None,
                })
                .collect(),
            gradients: [0, 1].map(|_| vec![E::ZERO; BLOCK * widest]),
        }
    }

    /// Runs the block `x` (`R` samples) through every layer; returns the last layer's output, `R`
    /// samples side by side.
    #[inline(always)]
    pub fn forward<'s, E: Element, const R: usize>(
        &self,
        w: &[E],
        x: [&[E]; R],
        scratch: &'s mut Scratch<E>,
    ) -> &'s [E] {
        for (i, placed) in self.layers.iter().enumerate() {
            let (before, after) = scratch.outputs.split_at_mut(i);
            let x = match before.last() {
                None => x,
                Some(previous) => samples(previous, placed.input.len()),
            };
            let y = &mut after[0];
            let w = &w[placed.params.clone()];
            match &placed.layer {
                Layer::Dense(dense) => dense.forward(w, x, y),
                Layer::Activation(activation) => activation.forward(x, y),
                Layer::Conv(conv) => conv.forward(w, x, y),
                Layer::GlobalAvgPool(pool) => pool.forward(x, y),
                Layer::Residual(residual) => {
                    let inner = scratch.residuals[i].as_mut();
                    residual.forward(w, x, y, inner.expect("a residual has its scratch"))
                }
            }
        }
        scratch.output::<R>()
    }

    /// Backpropagates `dy`, the gradient of the block's last output, after [`Sequence::forward`] of the
    /// same block: adds every parameter's gradient to `dw`, and writes the input's to `dx` if asked.
    #[inline(always)]
    pub fn backward<E: Element, const R: usize>(
        &self,
        w: &[E],
        x: [&[E]; R],
        scratch: &mut Scratch<E>,
        dy: &[E],
        mut dx: Option<&mut [E]>,
        dw: &mut [E],
    ) {
        let Scratch {
            outputs,
            residuals,
            gradients: [even, odd],
        } = scratch;
        let out_len = R * self.output().len();
        even[..out_len].copy_from_slice(&dy[..out_len]);
        for (i, placed) in self.layers.iter().enumerate().rev() {
            // The gradient of layer i's output is in `even` when i has the last layer's parity.
            let (dy, below) = if (self.layers.len() - 1 - i).is_multiple_of(2) {
                (&*even, &mut *odd)
            } else {
                (&*odd, &mut *even)
            };
            let (in_len, out_len) = (R * placed.input.len(), R * placed.output.len());
            let dy = &dy[..out_len];
            let x = match i {
                0 => x,
                _ => samples(&outputs[i - 1], placed.input.len()),
            };
            let dx = match i {
                0 => dx.as_deref_mut(),
                _ => Some(&mut below[..in_len]),
            };
            let (w, dw) = (&w[placed.params.clone()], &mut dw[placed.params.clone()]);
            match &placed.layer {
                Layer::Dense(dense) => dense.backward(w, x, dy, dx, dw),
                Layer::Conv(conv) => conv.backward(w, x, dy, dx, dw),
                Layer::Residual(residual) => {
                    let inner = residuals[i].as_mut().expect("a residual has its scratch");
                    residual.backward(w, x, dy, dx, dw, inner)
                }
                Layer::Activation(activation) => {
                    if let Some(dx) = dx {
                        activation.backward(&outputs[i][..out_len], dy, dx)
                    }
                }
                Layer::GlobalAvgPool(pool) => {
                    if let Some(dx) = dx {
                        pool.backward::<E, R>(dy, dx)
                    }
                }
            }
        }
    }
}

/// The first `R` samples of a block buffer, `len` values each.
#[inline(always)]
fn samples<E, const R: usize>(block: &[E], len: usize) -> [&[E]; R] {
    std::array::from_fn(|s| &block[s * len..(s + 1) * len])
}
