//! A network of the layer kit (`nn`) trained on a data set: f, ∇f and mini-batch gradients come from the
//! sample loops of `blocks.rs`, like the regression models'.

use super::blocks::{DataModel, SampleTerms};
use super::nn::{Network, NetworkScratch, Target};
use super::Optimum;
use crate::data::{Dataset, Labels};

/// Computes in f64, the trainer's own precision: the parameters and gradients are the trainer's slices.
#[derive(Clone, Debug)]
pub struct NetworkModel {
    pub data: Dataset,
    pub network: Network,
    pub lambda: f64,
    /// Seeds the initial weights.
    pub seed: u64,
}

impl NetworkModel {
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

impl SampleTerms for NetworkModel {
    type Scratch = NetworkScratch<f64>;

    fn scratch(&self) -> Self::Scratch {
        self.network.scratch()
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
        let x = rows.map(|i| self.data.row(i));
        let targets = self.targets(rows);
        self.network.add_losses(w, x, targets, scratch, total);
    }

    #[inline(always)]
    fn add_gradients<const R: usize>(
        &self,
        w: &[f64],
        rows: [usize; R],
        scratch: &mut Self::Scratch,
        out: &mut [f64],
    ) {
        let x = rows.map(|i| self.data.row(i));
        let targets = self.targets(rows);
        self.network.add_gradients(w, x, targets, scratch, out);
    }
}

impl DataModel for NetworkModel {
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
