//! The dense (affine) layer: y = W x (+ b).

use super::Shape;
use crate::problems::element::Element;
use crate::problems::math::{axpy, axpys, dots};
use crate::rng::Stream;

/// Whether a dense layer adds a bias of its own. The digits' first layer has none: the data set already
/// carries a column of ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bias {
    Included,
    None,
}

/// `outputs` rows of `inputs` weights, each followed by its bias when it has one: the row-major layout
/// that the MLP's parameters always had, so a row and its bias are read together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dense {
    pub inputs: usize,
    pub outputs: usize,
    pub bias: Bias,
}

impl Dense {
    fn width(&self) -> usize {
        self.inputs + usize::from(self.bias == Bias::Included)
    }

    pub fn output(&self) -> Shape {
        Shape::flat(self.outputs)
    }

    pub fn params(&self) -> usize {
        self.outputs * self.width()
    }

    /// Every weight and bias ~ N(0, 1/width): the usual scale for tanh layers, counting the bias as one
    /// more input, one normal number per parameter in layout order.
    pub fn init(&self, stream: &mut Stream, w: &mut [f64]) {
        let scale = 1.0 / libm::sqrt(self.width() as f64);
        w.iter_mut().for_each(|v| *v = stream.normal() * scale);
    }

    /// Each row meets the whole block while it is loaded (`dots`); each sample's sum is the one it would
    /// have alone.
    #[inline(always)]
    pub fn forward<E: Element, const R: usize>(&self, w: &[E], x: [&[E]; R], y: &mut [E]) {
        let (inputs, outputs, width) = (self.inputs, self.outputs, self.width());
        for j in 0..outputs {
            let row = &w[j * width..(j + 1) * width];
            let z = dots(x, &row[..inputs]);
            for s in 0..R {
                y[s * outputs + j] = match self.bias {
                    Bias::Included => z[s] + row[inputs],
                    Bias::None => z[s],
                };
            }
        }
    }

    /// Adds the block's weight gradients to `dw` (each element takes the samples in order), and writes the
    /// input's gradient to `dx` unless the layer is the first.
    #[inline(always)]
    pub fn backward<E: Element, const R: usize>(
        &self,
        w: &[E],
        x: [&[E]; R],
        dy: &[E],
        mut dx: Option<&mut [E]>,
        dw: &mut [E],
    ) {
        let (inputs, outputs, width) = (self.inputs, self.outputs, self.width());
        if let Some(dx) = dx.as_deref_mut() {
            dx[..R * inputs].fill(E::ZERO);
        }
        for k in 0..outputs {
            let row = &w[k * width..(k + 1) * width];
            let grad = &mut dw[k * width..(k + 1) * width];
            let dz: [E; R] = std::array::from_fn(|s| dy[s * outputs + k]);
            axpys(dz, x, &mut grad[..inputs]);
            if self.bias == Bias::Included {
                for d in dz {
                    grad[inputs] += d;
                }
            }
            if let Some(dx) = dx.as_deref_mut() {
                for s in 0..R {
                    axpy(dz[s], &row[..inputs], &mut dx[s * inputs..(s + 1) * inputs]);
                }
            }
        }
    }
}
