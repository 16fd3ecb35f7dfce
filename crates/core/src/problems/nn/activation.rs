//! Element-wise activations. Neither has parameters; both compute their backward pass from their own
//! output, which the sequence keeps.

use crate::problems::element::Element;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Tanh,
    Relu,
}

impl Activation {
    /// The whole block at once: for tanh a lane array at a time (`vmath`), the same bits as one sample at
    /// a time, since each value is computed alone.
    #[inline(always)]
    pub fn forward<E: Element, const R: usize>(self, x: [&[E]; R], y: &mut [E]) {
        let len = x[0].len();
        for (s, xs) in x.iter().enumerate() {
            y[s * len..(s + 1) * len].copy_from_slice(xs);
        }
        let y = &mut y[..R * len];
        match self {
            Activation::Tanh => E::tanh_all(y),
            Activation::Relu => y.iter_mut().for_each(|v| *v = v.max(E::ZERO)),
        }
    }

    /// tanh′ = 1 − y²; relu′ = 1 where y > 0, else 0 (at 0 itself, 0, as PyTorch takes it).
    #[inline(always)]
    pub fn backward<E: Element>(self, y: &[E], dy: &[E], dx: &mut [E]) {
        for ((dx, &dy), &y) in dx.iter_mut().zip(dy).zip(y) {
            *dx = match self {
                Activation::Tanh => dy * (E::ONE - y * y),
                Activation::Relu if y > E::ZERO => dy,
                Activation::Relu => E::ZERO,
            };
        }
    }
}
