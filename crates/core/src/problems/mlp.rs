//! A one-hidden-layer network (tanh, then softmax) on the digits: the non-convex stand-in for the paper's
//! ResNet20 on CIFAR-10, small enough to train in a page. Built of the layer kit, with the bits it had
//! when it was written by hand (every digits-mlp golden).
//!
//! Parameters, row-major: W₁ (hidden × cols, the input already has a bias column), then W₂
//! (classes × (hidden + 1), the last column being the output bias).

use super::network::NetworkModel;
use super::nn::{Bias, Loss, Network, Sequence, Shape};
use crate::data::Dataset;

/// The MLP of `hidden` tanh units on `data`, with weight decay `lambda` and initial weights from
/// `seed`, each ~ N(0, 1/fan-in).
pub fn mlp(data: Dataset, hidden: usize, lambda: f64, seed: u64) -> NetworkModel {
    let layers = Sequence::new(Shape::flat(data.cols))
        .dense(hidden, Bias::None)
        .tanh()
        .dense(data.labels.count(), Bias::Included);
    let network = Network {
        layers,
        loss: Loss::SoftmaxCrossEntropy,
    };
    NetworkModel::new(data, network, lambda, seed)
}
