//! One round, per algorithm: every node works on its own samples where the trainer's [`Site`] puts it
//! (a mini-batch gradient for CR-PSGD, PSGD, Catalyst and adaptive batches, H local steps for local SGD),
//! measuring the gradient noise on the way; the results are averaged in node order, and the iterate is
//! updated.

use super::plan::Plan;
use super::Trainer;
use crate::algorithms::cluster::Cluster;
use crate::algorithms::momentum::Momentum;
use crate::experiment::{Alg, Experiment};
use crate::nodes::{average_in_node_order, on_every_node_into, Placement};
use crate::noise::TwoBatch;
use crate::problems::{math::dot, Problem};
use crate::rng::{Purpose, Stream};

/// What a node keeps from round to round, so that rounds do not allocate.
pub(in crate::algorithms) struct NodeMemory {
    /// What the node hands to the all-reduce: its mini-batch gradient, or local SGD's model.
    pub(in crate::algorithms) result: Vec<f64>,
    /// Local SGD's gradient for each local step (empty for the other algorithms).
    step: Vec<f64>,
    /// The node's share of the round's noise-scale measurement (see [`noise_measurement`]).
    pub(in crate::algorithms) noise: NodeNoise,
    /// Local SGD's velocity over the node's local steps, averaged with the models at each communication
    /// (`Off` for the other algorithms, whose one velocity is the trainer's, and at β = 0).
    pub(in crate::algorithms) momentum: Momentum,
}

impl NodeMemory {
    /// One node's memory for `experiment`'s algorithm, on a model of `parameters` values.
    pub(super) fn for_experiment(experiment: &Experiment, parameters: usize) -> NodeMemory {
        let local = experiment.alg == Alg::Local;
        NodeMemory {
            result: vec![0.0; parameters],
            step: vec![0.0; if local { parameters } else { 0 }],
            noise: if experiment.nodes == 1 {
                NodeNoise::Alone {
                    first_half: vec![0.0; parameters],
                    round: None,
                }
            } else {
                NodeNoise::Node {
                    square: 0.0,
                    // Local SGD's nodes overwrite their first gradient; the others keep it in `result`.
                    gradient: vec![0.0; if local { parameters } else { 0 }],
                }
            },
            momentum: Momentum::new(if local { experiment.momentum } else { 0.0 }, parameters),
        }
    }
}

/// What a node measures for the gradient noise scale, from the gradient it takes at the round's
/// starting point x_t: its batch's gradient for CR-PSGD, PSGD and Catalyst, and the first of its H
/// local steps for local SGD (the only one that every node takes at the same point).
pub(in crate::algorithms) enum NodeNoise {
    /// One of N ≥ 2 nodes: |gᵢ|², and for local SGD the gradient gᵢ itself (for the nodes' mean).
    Node { square: f64, gradient: Vec<f64> },
    /// The only node: its batch split in two (`None` for a batch of one sample).
    Alone {
        first_half: Vec<f64>,
        round: Option<TwoBatch>,
    },
}

impl NodeNoise {
    /// The mini-batch gradient of `batch` samples into `out`, exactly as `Problem::minibatch_gradient`
    /// computes it, measured on the way.
    fn gradient(
        &mut self,
        problem: &dyn Problem,
        w: &[f64],
        stream: &mut Stream,
        batch: u64,
        out: &mut [f64],
    ) {
        match self {
            NodeNoise::Node { square, gradient } => {
                problem.minibatch_gradient(w, stream, batch, out);
                *square = dot(out, out);
                if !gradient.is_empty() {
                    gradient.copy_from_slice(out);
                }
            }
            NodeNoise::Alone { first_half, round } => {
                let split = batch / 2;
                if split == 0 {
                    problem.minibatch_gradient(w, stream, batch, out);
                    *round = None;
                } else {
                    problem.minibatch_gradient_split(w, stream, batch, split, out, first_half);
                    *round = Some(TwoBatch::halves(out, first_half, batch, split));
                }
            }
        }
    }
}

/// The round's noise-scale measurement, of `batch` samples per node: one node's halves, or the nodes'
/// gradients (small) against their mean `mean` (big). `None` for one node with a batch of one sample.
fn noise_measurement(nodes: &[NodeMemory], batch: u64, mean: &[f64]) -> Option<TwoBatch> {
    match nodes {
        [NodeMemory {
            noise: NodeNoise::Alone { round, .. },
            ..
        }] => *round,
        nodes => {
            let squares = nodes.iter().map(|n| match n.noise {
                NodeNoise::Node { square, .. } => square,
                // Only a single node is alone (`NodeMemory::for_experiment`); were one not, nothing would be reported.
                NodeNoise::Alone { .. } => f64::NAN,
            });
            Some(TwoBatch::nodes(squares, batch, dot(mean, mean)))
        }
    }
}

/// Which nodes a trainer computes, and on which threads.
pub(super) enum Site {
    /// All of them, on the current rayon pool (a round of little work on the calling thread alone:
    /// `Placement`).
    Pool,
    /// All of them, one after another on the calling thread: for many small runs at once, one per
    /// thread (`tune`), where spreading each round would only make the threads wait on each other.
    ThisThread,
    /// This process's block of them, then swapped with the other processes'.
    Cluster(Cluster),
}

/// Runs `work(node, memory)` for every node, where `site` and `placement` say.
fn on_nodes<W>(
    site: &mut Site,
    placement: Placement,
    thread_of_node: &mut [usize],
    nodes: &mut [NodeMemory],
    work: W,
) where
    W: Fn(usize, &mut NodeMemory) + Sync,
{
    match site {
        Site::Pool => on_every_node_into(placement, thread_of_node, nodes, work),
        Site::ThisThread => on_every_node_into(Placement::Here, thread_of_node, nodes, work),
        Site::Cluster(cluster) => cluster.on_every_node(placement, thread_of_node, nodes, work),
    }
}

impl Trainer {
    /// Where a round of `samples` per node places this process's nodes on the current pool.
    pub(super) fn placement(&self, samples: u64) -> Placement {
        let here = match &self.site {
            Site::Cluster(cluster) => cluster.nodes_here(),
            Site::Pool | Site::ThisThread => self.nodes.len(),
        };
        let work_per_node = samples.saturating_mul(self.x.len() as u64);
        match self.site {
            Site::ThisThread => Placement::Here,
            Site::Pool | Site::Cluster(_) => {
                Placement::of_round(here, work_per_node, self.spread_min_work)
            }
        }
    }

    /// One communication round: every node works on its own samples, then the results are averaged.
    /// `used_before` is the samples per node the run used before this round (what the step size decays by).
    pub(super) fn run_round(&mut self, samples: u64, used_before: u64) {
        let placement = self.placement(samples);
        self.placement = placement;
        let (problem, x, seed, round) = (self.problem.as_ref(), &self.x, self.seed, self.round);
        let stream = |node: usize| {
            Stream::new(
                seed,
                Purpose::Node {
                    node: node as u64,
                    round,
                },
            )
        };
        match &self.plan {
            Plan::Batches(_) | Plan::Catalyst { .. } | Plan::Adaptive(_) => {
                on_nodes(
                    &mut self.site,
                    placement,
                    &mut self.thread_of_node,
                    &mut self.nodes,
                    |node, memory| {
                        let out = &mut memory.result;
                        memory
                            .noise
                            .gradient(problem, x, &mut stream(node), samples, out);
                    },
                );
                let gradients = self.nodes.iter().map(|n| &n.result);
                average_in_node_order(gradients, &mut self.direction);
                // Before Catalyst's proximal term: it is exact, so it adds nothing to tr Σ, and B_noise is
                // then f's own at x_t, comparable across algorithms (h_θ's would restart at each outer step).
                if let Some(round) = noise_measurement(&self.nodes, samples, &self.direction) {
                    self.noise_scale.observe(round);
                }
                if let Plan::Catalyst { anchor, .. } = &self.plan {
                    // ∇h_θ(x; y) = ∇f(x) + θ(x − y): the proximal term is exact, not sampled.
                    let theta = self.theta;
                    self.direction
                        .iter_mut()
                        .zip(x.iter().zip(anchor))
                        .for_each(|(g, (xi, yi))| *g += theta * (xi - yi));
                }
                let gamma = self.step_size.after(used_before);
                self.momentum.step(&mut self.x, &self.direction, gamma);
            }
            Plan::Local { steps, .. } => {
                let (steps, batch, step_size) = (*steps, self.first_batch, self.step_size);
                // Every node starts the round from the averaged velocity, as from the averaged model.
                let velocity = self.momentum.velocity();
                on_nodes(
                    &mut self.site,
                    placement,
                    &mut self.thread_of_node,
                    &mut self.nodes,
                    |node, memory| {
                        let (model, g, momentum, mut samples) = (
                            &mut memory.result,
                            &mut memory.step,
                            &mut memory.momentum,
                            stream(node),
                        );
                        model.copy_from_slice(x);
                        if let (Some(mine), Some(shared)) = (momentum.velocity_mut(), velocity) {
                            mine.copy_from_slice(shared);
                        }
                        for step in 0..steps {
                            if step == 0 {
                                memory
                                    .noise
                                    .gradient(problem, model, &mut samples, batch, g);
                            } else {
                                problem.minibatch_gradient(model, &mut samples, batch, g);
                            }
                            let gamma = step_size.after(used_before + step * batch);
                            momentum.step(model, g, gamma);
                        }
                    },
                );
                let models = self.nodes.iter().map(|n| &n.result);
                average_in_node_order(models, &mut self.x);
                if let Some(velocity) = self.momentum.velocity_mut() {
                    let velocities = self.nodes.iter().map(|n| n.momentum.velocity());
                    average_in_node_order(velocities.map(Option::unwrap_or_default), velocity);
                }
                // `direction` has no other use in local SGD, which averages models.
                if self.nodes.len() > 1 {
                    let first_steps = self.nodes.iter().map(|n| match &n.noise {
                        NodeNoise::Node { gradient, .. } => &gradient[..],
                        NodeNoise::Alone { .. } => &[],
                    });
                    average_in_node_order(first_steps, &mut self.direction);
                }
                if let Some(round) = noise_measurement(&self.nodes, batch, &self.direction) {
                    self.noise_scale.observe(round);
                }
            }
        }
        self.threads_used |= self
            .thread_of_node
            .iter()
            .fold(0u64, |mask, &t| mask | 1 << (t % 64));
    }
}
