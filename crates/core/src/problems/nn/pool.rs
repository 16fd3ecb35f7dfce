//! Global average pooling: each channel's mean over its positions.

use super::Shape;
use crate::problems::element::Element;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalAvgPool {
    pub input: Shape,
}

impl GlobalAvgPool {
    pub fn output(&self) -> Shape {
        Shape::flat(self.input.channels)
    }

    fn positions(&self) -> usize {
        self.input.height * self.input.width
    }

    /// Each channel's values summed in order, then divided by their count.
    pub fn forward<E: Element, const R: usize>(&self, x: [&[E]; R], y: &mut [E]) {
        let (channels, positions) = (self.input.channels, self.positions());
        let count = E::from_usize(positions);
        for (s, x) in x.iter().enumerate() {
            for (c, plane) in x.chunks_exact(positions).enumerate() {
                let mut sum = E::ZERO;
                plane.iter().for_each(|v| sum += *v);
                y[s * channels + c] = sum / count;
            }
        }
    }

    pub fn backward<E: Element, const R: usize>(&self, dy: &[E], dx: &mut [E]) {
        let (channels, positions) = (self.input.channels, self.positions());
        let count = E::from_usize(positions);
        for s in 0..R {
            for c in 0..channels {
                let d = dy[s * channels + c] / count;
                let start = (s * channels + c) * positions;
                dx[start..start + positions].fill(d);
            }
        }
    }
}
