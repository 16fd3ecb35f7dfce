//! The losses at a network's end, each with its gradient with respect to the network's output: the ones
//! the regression models use, written for any output width and element type.

use crate::problems::element::Element;
use crate::problems::math::{log_sum_exp, softmax_rows};

/// What a sample's output is compared with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// A class: 0 or 1 for the logistic loss, 0..width for softmax cross-entropy.
    Class(usize),
    /// A real value, for least squares.
    Value(f64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// −log softmax(z)_y over the output's width.
    SoftmaxCrossEntropy,
    /// ln(1 + eᶻ) − y·z on one output, y ∈ {0, 1}.
    Logistic,
    /// ½(z − t)² on one output.
    SquaredError,
}

impl Target {
    fn class(self) -> usize {
        match self {
            Target::Class(class) => class,
            Target::Value(_) => panic!("a classification loss needs classes, not values"),
        }
    }

    fn value<E: Element>(self) -> E {
        match self {
            Target::Value(value) => E::from_f64(value),
            Target::Class(_) => panic!("least squares needs values, not classes"),
        }
    }
}

impl Loss {
    /// Adds each sample's loss to `total`, in sample order. `y` holds `R` outputs of `width` values.
    #[inline(always)]
    pub fn add<E: Element, const R: usize>(
        self,
        y: &[E],
        width: usize,
        targets: [Target; R],
        total: &mut f64,
    ) {
        match self {
            Loss::SoftmaxCrossEntropy => {
                for (z, target) in y.chunks_exact(width).zip(targets) {
                    *total += (log_sum_exp(z) - z[target.class()]).to_f64();
                }
            }
            Loss::Logistic => {
                let mut losses: [E; R] = std::array::from_fn(|s| y[s]);
                E::softplus_all(&mut losses);
                for s in 0..R {
                    let taken = if targets[s].class() == 1 {
                        y[s]
                    } else {
                        E::ZERO
                    };
                    *total += (losses[s] - taken).to_f64();
                }
            }
            Loss::SquaredError => {
                for (z, target) in y.iter().zip(targets) {
                    let residual = *z - target.value();
                    *total += (E::from_f64(0.5) * residual * residual).to_f64();
                }
            }
        }
    }

    /// Writes each sample's ∂loss/∂output into `dy` (the same layout as `y`).
    #[inline(always)]
    pub fn gradient<E: Element, const R: usize>(
        self,
        y: &[E],
        width: usize,
        targets: [Target; R],
        dy: &mut [E],
    ) {
        let dy = &mut dy[..R * width];
        match self {
            Loss::SoftmaxCrossEntropy => {
                // softmax(z) − onehot(y): the block's exponentials in one call.
                dy.copy_from_slice(&y[..R * width]);
                softmax_rows(dy, width);
                for (s, target) in targets.iter().enumerate() {
                    dy[s * width + target.class()] -= E::ONE;
                }
            }
            Loss::Logistic => {
                dy.copy_from_slice(&y[..R]);
                E::sigmoid_all(dy);
                for (d, target) in dy.iter_mut().zip(targets) {
                    if target.class() == 1 {
                        *d -= E::ONE;
                    }
                }
            }
            Loss::SquaredError => {
                for ((d, z), target) in dy.iter_mut().zip(y).zip(targets) {
                    *d = *z - target.value();
                }
            }
        }
    }
}
