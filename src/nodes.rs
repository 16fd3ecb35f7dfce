//! The N simulated nodes of one round, spread over the current rayon pool (Web Workers in the page).
//!
//! Node `i` runs on pool thread `i mod P`, and draws its samples from its own stream (seed, node, round).
//! Gradients are summed in node order after all nodes finish, so the result is bit-identical whatever P is.

use crate::problems::Objective;
use crate::rng::{Purpose, Stream};

/// Computes ḡ_t = (1/N) Σᵢ ḡ_{t,i} into `average`, and records in `thread_of_node` which pool thread
/// computed each node.
pub fn average_node_gradients(
    objective: &Objective,
    x: &[f64],
    batch: u64,
    seed: u64,
    round: u64,
    average: &mut [f64],
    thread_of_node: &mut [usize],
) {
    let nodes = thread_of_node.len();
    let node_gradient = |node: usize| {
        let mut g = vec![0.0; x.len()];
        let mut stream = Stream::new(
            seed,
            Purpose::Node {
                node: node as u64,
                round,
            },
        );
        objective.minibatch_gradient(x, &mut stream, batch, &mut g);
        g
    };
    let threads = rayon::current_num_threads();
    let per_node: Vec<(usize, usize, Vec<f64>)> = if nodes == 1 || threads == 1 {
        let me = rayon::current_thread_index().unwrap_or(0);
        (0..nodes)
            .map(|node| (node, me, node_gradient(node)))
            .collect()
    } else {
        // broadcast, not par_iter: work-stealing could leave a thread idle on short rounds, while a fixed
        // node-to-thread map keeps every worker busy and lets the page show who computed what.
        let mut by_thread = rayon::broadcast(|ctx| {
            (ctx.index()..nodes)
                .step_by(ctx.num_threads())
                .map(|node| (node, ctx.index(), node_gradient(node)))
                .collect::<Vec<_>>()
        })
        .concat();
        by_thread.sort_by_key(|(node, _, _)| *node);
        by_thread
    };
    average.fill(0.0);
    for (node, thread, g) in per_node {
        thread_of_node[node] = thread;
        average.iter_mut().zip(&g).for_each(|(a, gi)| *a += gi);
    }
    average.iter_mut().for_each(|a| *a /= nodes as f64);
}
