//! 2-D convolution over channels × height × width, and 1-D as its special case (height 1, a kernel one
//! row high). Written for clarity: direct loops, one sample at a time. Their speed is the deep kernels'
//! concern; what they fix here is the order of every sum, and so the bits.

use super::Shape;
use crate::problems::element::Element;
use crate::rng::Stream;

/// What a convolution layer is asked for; its input's shape comes from the layer before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvSpec {
    /// Output channels.
    pub channels: usize,
    /// Kernel height and width.
    pub kernel: [usize; 2],
    /// The same step along both axes.
    pub stride: usize,
    /// Zeros added above and below, and left and right.
    pub padding: [usize; 2],
}

impl ConvSpec {
    /// A square kernel with the same padding on every side.
    pub const fn square(channels: usize, kernel: usize, stride: usize, padding: usize) -> ConvSpec {
        ConvSpec {
            channels,
            kernel: [kernel, kernel],
            stride,
            padding: [padding, padding],
        }
    }

    /// Along a 1-D signal (a shape of height 1).
    pub const fn along(channels: usize, kernel: usize, stride: usize, padding: usize) -> ConvSpec {
        ConvSpec {
            channels,
            kernel: [1, kernel],
            stride,
            padding: [0, padding],
        }
    }
}

/// Weights in PyTorch's layout, (out, in, kernel height, kernel width), then one bias per output
/// channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv {
    pub input: Shape,
    pub spec: ConvSpec,
}

impl Conv {
    /// # Panics
    /// If the kernel does not fit the padded input, or the stride is 0: a model description's mistake.
    pub fn new(input: Shape, spec: ConvSpec) -> Conv {
        let [kh, kw] = spec.kernel;
        let [ph, pw] = spec.padding;
        assert!(
            spec.stride > 0 && kh > 0 && kw > 0 && spec.channels > 0,
            "a convolution needs a kernel, a stride and channels: {spec:?}"
        );
        assert!(
            kh <= input.height + 2 * ph && kw <= input.width + 2 * pw,
            "a {kh}×{kw} kernel does not fit a {input:?} input padded by {ph}, {pw}"
        );
        Conv { input, spec }
    }

    pub fn output(&self) -> Shape {
        let [kh, kw] = self.spec.kernel;
        let [ph, pw] = self.spec.padding;
        let s = self.spec.stride;
        Shape::image(
            self.spec.channels,
            (self.input.height + 2 * ph - kh) / s + 1,
            (self.input.width + 2 * pw - kw) / s + 1,
        )
    }

    fn kernel_len(&self) -> usize {
        self.input.channels * self.spec.kernel[0] * self.spec.kernel[1]
    }

    fn weights(&self) -> usize {
        self.spec.channels * self.kernel_len()
    }

    pub fn params(&self) -> usize {
        self.weights() + self.spec.channels
    }

    /// Weights ~ N(0, 2/fan-in) (He et al. 2015, for ReLU layers), biases 0.
    pub fn init(&self, stream: &mut Stream, w: &mut [f64]) {
        let scale = libm::sqrt(2.0 / self.kernel_len() as f64);
        let (weights, biases) = w.split_at_mut(self.weights());
        weights
            .iter_mut()
            .for_each(|v| *v = stream.normal() * scale);
        biases.fill(0.0);
    }

    /// The input position that kernel offset `k` reads for output position `o`, if it is inside the
    /// input and not in the padding.
    #[inline(always)]
    fn source(&self, o: usize, k: usize, padding: usize, len: usize) -> Option<usize> {
        (o * self.spec.stride + k)
            .checked_sub(padding)
            .filter(|&i| i < len)
    }

    /// Calls `visit(output index, weight index, input index)` for every product of the convolution,
    /// in the order every sum takes them: output position, then input channel, kernel row, kernel column.
    #[inline(always)]
    fn each_product(&self, mut visit: impl FnMut(usize, usize, usize)) {
        let (input, output) = (self.input, self.output());
        let [kh, kw] = self.spec.kernel;
        let [ph, pw] = self.spec.padding;
        let plane = input.height * input.width;
        for o in 0..output.channels {
            for oy in 0..output.height {
                for ox in 0..output.width {
                    let out = (o * output.height + oy) * output.width + ox;
                    for c in 0..input.channels {
                        for ky in 0..kh {
                            let Some(iy) = self.source(oy, ky, ph, input.height) else {
                                continue;
                            };
                            for kx in 0..kw {
                                let Some(ix) = self.source(ox, kx, pw, input.width) else {
                                    continue;
                                };
                                let weight = ((o * input.channels + c) * kh + ky) * kw + kx;
                                visit(out, weight, c * plane + iy * input.width + ix);
                            }
                        }
                    }
                }
            }
        }
    }

    pub fn forward<E: Element, const R: usize>(&self, w: &[E], x: [&[E]; R], y: &mut [E]) {
        let (weights, biases) = w.split_at(self.weights());
        let output = self.output();
        let (len, plane) = (output.len(), output.height * output.width);
        for (s, x) in x.iter().enumerate() {
            let y = &mut y[s * len..(s + 1) * len];
            y.fill(E::ZERO);
            self.each_product(|out, weight, at| y[out] += weights[weight] * x[at]);
            for (o, b) in biases.iter().enumerate() {
                y[o * plane..(o + 1) * plane]
                    .iter_mut()
                    .for_each(|v| *v += *b);
            }
        }
    }

    /// Adds the block's weight and bias gradients to `dw`, sample by sample, and writes the input's
    /// gradient to `dx` unless the layer is the first.
    pub fn backward<E: Element, const R: usize>(
        &self,
        w: &[E],
        x: [&[E]; R],
        dy: &[E],
        mut dx: Option<&mut [E]>,
        dw: &mut [E],
    ) {
        let weights = &w[..self.weights()];
        let (dweights, dbiases) = dw.split_at_mut(self.weights());
        let output = self.output();
        let (len, plane, in_len) = (output.len(), output.height * output.width, self.input.len());
        for (s, x) in x.iter().enumerate() {
            let dy = &dy[s * len..(s + 1) * len];
            for (o, db) in dbiases.iter_mut().enumerate() {
                dy[o * plane..(o + 1) * plane]
                    .iter()
                    .for_each(|d| *db += *d);
            }
            self.each_product(|out, weight, at| dweights[weight] += dy[out] * x[at]);
            if let Some(dx) = dx.as_deref_mut() {
                let dx = &mut dx[s * in_len..(s + 1) * in_len];
                dx.fill(E::ZERO);
                self.each_product(|out, weight, at| dx[at] += dy[out] * weights[weight]);
            }
        }
    }
}
