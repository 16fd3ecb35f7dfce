//! A residual connection: y = shortcut(x) + α·body(x).

use super::sequence::{Scratch, Sequence};
use super::Shape;
use crate::problems::element::Element;
use crate::rng::Stream;

/// How x reaches the sum when the body does not change its shape, and when it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    Identity,
    /// He et al.'s option A, with no parameters: every `stride`-th position, and the new channels as
    /// zeros, as many before the input's channels as after (as the common CIFAR ResNets pad).
    Downsample {
        stride: usize,
    },
}

/// What multiplies the body's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    One,
    /// A learned scalar α that starts at 0, so each block starts as its shortcut (SkipInit, De & Smith
    /// 2020): deep networks without batch norm then train from the first step.
    Learned,
}

#[derive(Clone, Debug)]
pub struct Residual {
    pub body: Sequence,
    pub shortcut: Shortcut,
    pub scale: Scale,
}

/// A residual layer's working memory: the body's own, and its gradients on the way back.
#[derive(Clone, Debug)]
pub struct ResidualScratch<E> {
    pub(super) body: Scratch<E>,
    body_dy: Vec<E>,
    body_dx: Vec<E>,
}

impl Residual {
    /// # Panics
    /// If the shortcut's output shape is not the body's: a model description's mistake.
    pub fn new(body: Sequence, shortcut: Shortcut, scale: Scale) -> Residual {
        let residual = Residual {
            body,
            shortcut,
            scale,
        };
        assert_eq!(
            residual.shortcut_output(),
            residual.body.output(),
            "a residual's shortcut must give the body's shape"
        );
        residual
    }

    fn input(&self) -> Shape {
        self.body.input()
    }

    fn shortcut_output(&self) -> Shape {
        let input = self.input();
        match self.shortcut {
            Shortcut::Identity => input,
            Shortcut::Downsample { stride } => {
                let channels = self.body.output().channels.max(input.channels);
                Shape::image(
                    channels,
                    input.height.div_ceil(stride),
                    input.width.div_ceil(stride),
                )
            }
        }
    }

    pub fn output(&self) -> Shape {
        self.body.output()
    }

    /// The body's parameters, then α.
    pub fn params(&self) -> usize {
        self.body.params() + usize::from(self.scale == Scale::Learned)
    }

    pub fn init(&self, stream: &mut Stream, w: &mut [f64]) {
        let (body, alpha) = w.split_at_mut(self.body.params());
        self.body.init(stream, body);
        alpha.fill(0.0);
    }

    pub fn scratch<E: Element>(&self) -> ResidualScratch<E> {
        ResidualScratch {
            body: self.body.scratch(),
            body_dy: vec![E::ZERO; Sequence::block_len(self.output())],
            body_dx: vec![E::ZERO; Sequence::block_len(self.input())],
        }
    }

    fn alpha<E: Element>(&self, w: &[E]) -> E {
        match self.scale {
            Scale::One => E::ONE,
            Scale::Learned => w[self.body.params()],
        }
    }

    /// Calls `visit(input index, output index)` for each value the down-sampling shortcut carries over.
    fn each_carried(&self, stride: usize, mut visit: impl FnMut(usize, usize)) {
        let (input, output) = (self.input(), self.output());
        let before = (output.channels - input.channels) / 2;
        for c in 0..input.channels {
            for oy in 0..output.height {
                for ox in 0..output.width {
                    let from = (c * input.height + oy * stride) * input.width + ox * stride;
                    let to = ((c + before) * output.height + oy) * output.width + ox;
                    visit(from, to);
                }
            }
        }
    }

    pub fn forward<E: Element, const R: usize>(
        &self,
        w: &[E],
        x: [&[E]; R],
        y: &mut [E],
        scratch: &mut ResidualScratch<E>,
    ) {
        let body = self
            .body
            .forward(&w[..self.body.params()], x, &mut scratch.body);
        let alpha = self.alpha(w);
        let len = self.output().len();
        for (s, x) in x.iter().enumerate() {
            let y = &mut y[s * len..(s + 1) * len];
            let body = &body[s * len..(s + 1) * len];
            match self.shortcut {
                Shortcut::Identity => y.copy_from_slice(x),
                Shortcut::Downsample { stride } => {
                    y.fill(E::ZERO);
                    self.each_carried(stride, |from, to| y[to] = x[from]);
                }
            }
            for (y, b) in y.iter_mut().zip(body) {
                *y += match self.scale {
                    Scale::One => *b,
                    Scale::Learned => alpha * *b,
                };
            }
        }
    }

    pub fn backward<E: Element, const R: usize>(
        &self,
        w: &[E],
        x: [&[E]; R],
        dy: &[E],
        dx: Option<&mut [E]>,
        dw: &mut [E],
        scratch: &mut ResidualScratch<E>,
    ) {
        let split = self.body.params();
        let (out_len, in_len) = (self.output().len(), self.input().len());
        let dy = &dy[..R * out_len];
        let body_dy = &mut scratch.body_dy[..R * out_len];
        match self.scale {
            Scale::One => body_dy.copy_from_slice(dy),
            Scale::Learned => {
                let alpha = self.alpha(w);
                let body = scratch.body.output::<R>();
                // Each sample's ∂/∂α is added on its own, so a block adds what its samples would.
                for s in 0..R {
                    let mut dalpha = E::ZERO;
                    let at = s * out_len..(s + 1) * out_len;
                    for ((bd, d), b) in body_dy[at.clone()]
                        .iter_mut()
                        .zip(&dy[at.clone()])
                        .zip(&body[at])
                    {
                        dalpha += *d * *b;
                        *bd = alpha * *d;
                    }
                    dw[split] += dalpha;
                }
            }
        }
        let (w, dw) = (&w[..split], &mut dw[..split]);
        let Some(dx) = dx else {
            self.body
                .backward(w, x, &mut scratch.body, body_dy, None, dw);
            return;
        };
        let body_dx = &mut scratch.body_dx[..R * in_len];
        self.body
            .backward(w, x, &mut scratch.body, body_dy, Some(body_dx), dw);
        let dx = &mut dx[..R * in_len];
        dx.copy_from_slice(body_dx);
        for s in 0..R {
            let (dx, dy) = (
                &mut dx[s * in_len..(s + 1) * in_len],
                &dy[s * out_len..(s + 1) * out_len],
            );
            match self.shortcut {
                Shortcut::Identity => dx.iter_mut().zip(dy).for_each(|(a, d)| *a += *d),
                Shortcut::Downsample { stride } => {
                    self.each_carried(stride, |from, to| dx[from] += dy[to])
                }
            }
        }
    }
}
