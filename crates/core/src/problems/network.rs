//! A network of the layer kit (`nn`) trained on a data set: f, ∇f and mini-batch gradients come from the
//! sample loops of `blocks.rs`, like the regression models'.

use super::blocks::{DataModel, SampleTerms};
use super::element::Element;
use super::nn::{Network, NetworkScratch, Target};
use super::Optimum;
use crate::data::{Dataset, Labels};
use std::marker::PhantomData;

/// A network computing in `E`. With f64, the trainer's own precision, it reads the trainer's parameters
/// and the data set's rows where they are and adds gradients straight into the trainer's. With f32 it
/// computes on f32 copies (the data set's once, the parameters once per pass) and adds each pass's
/// gradients up in f32, as deep-learning frameworks do; the objective stays a function of the
/// parameters alone.
#[derive(Clone, Debug)]
pub struct NetworkModel<E: Element = f64> {
    pub data: Dataset,
    pub network: Network,
    pub lambda: f64,
    /// Seeds the initial weights.
    pub seed: u64,
    /// The data set's features in `E` (none for f64).
    features: Vec<E>,
    precision: PhantomData<E>,
}

/// A pass's working memory: the network's, the parameters in `E` and the gradients' sum in `E` (both
/// empty for f64).
pub struct PassScratch<E> {
    network: NetworkScratch<E>,
    weights: Vec<E>,
    gradient_sum: Vec<E>,
}

impl<E: Element> NetworkModel<E> {
    pub fn new(data: Dataset, network: Network, lambda: f64, seed: u64) -> NetworkModel<E> {
        NetworkModel {
            features: E::narrow(&data.features),
            data,
            network,
            lambda,
            seed,
            precision: PhantomData,
        }
    }

    #[inline(always)]
    fn inputs<const R: usize>(&self, rows: [usize; R]) -> [&[E]; R] {
        let (features, cols) = (E::view(&self.data.features, &self.features), self.data.cols);
        rows.map(|i| &features[i * cols..(i + 1) * cols])
    }

    #[inline(always)]
    fn targets<const R: usize>(&self, rows: [usize; R]) -> [Target; R] {
        match &self.data.labels {
            Labels::Classes { of_example, .. } => {
                rows.map(|i| Target::Class(usize::from(of_example[i])))
            }
            Labels::Targets(values) => rows.map(|i| Target::Value(values[i])),
        }
    }
}

impl<E: Element> SampleTerms for NetworkModel<E> {
    type Scratch = PassScratch<E>;

    fn scratch(&self, w: &[f64]) -> Self::Scratch {
        let weights = E::narrow(w);
        PassScratch {
            network: self.network.scratch(),
            gradient_sum: vec![E::ZERO; weights.len()],
            weights,
        }
    }

    fn data(&self) -> &Dataset {
        &self.data
    }

    fn lambda(&self) -> f64 {
        self.lambda
    }

    #[inline(always)]
    fn add_losses<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        scratch: &mut Self::Scratch,
        total: &mut f64,
    ) {
        let w = E::view(w, &scratch.weights);
        let (x, targets) = (self.inputs(rows), self.targets(rows));
        self.network
            .add_losses(w, x, targets, &mut scratch.network, total);
    }

    #[inline(always)]
    fn add_gradients<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        scratch: &mut Self::Scratch,
        out: &mut [f64],
    ) {
        let PassScratch {
            network,
            weights,
            gradient_sum,
        } = scratch;
        let (w, sum) = (E::view(w, weights), E::view_mut(out, gradient_sum));
        let (x, targets) = (self.inputs(rows), self.targets(rows));
        self.network.add_gradients(w, x, targets, network, sum);
    }

    fn gradient_sum(&self, scratch: &Self::Scratch, out: &mut [f64]) {
        E::widen_into(&scratch.gradient_sum, out);
    }
}

impl<E: Element> DataModel for NetworkModel<E> {
    fn dim(&self) -> usize {
        self.network.params()
    }

    fn initial_point(&self) -> Vec<f64> {
        self.network.initial_point(self.seed)
    }

    /// Non-convex: no solver finds f*.
    fn optimum(&self) -> Optimum {
        Optimum::Unknown
    }
}
