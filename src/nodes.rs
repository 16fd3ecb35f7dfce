//! The N simulated nodes of one round, spread over the current rayon pool (Web Workers in the page).
//!
//! Node `i` runs on pool thread `i mod P` and draws its samples from its own stream (seed, node, round).
//! Results are combined in node order after all nodes finish, so they are bit-identical whatever P is.

/// Runs `work(node)` for every node and returns the results in node order; records in `thread_of_node`
/// which pool thread computed each node.
pub fn on_every_node<W>(thread_of_node: &mut [usize], work: W) -> Vec<Vec<f64>>
where
    W: Fn(usize) -> Vec<f64> + Sync,
{
    let nodes = thread_of_node.len();
    let threads = rayon::current_num_threads();
    let mut results: Vec<(usize, usize, Vec<f64>)> = if nodes == 1 || threads == 1 {
        let me = rayon::current_thread_index().unwrap_or(0);
        (0..nodes).map(|node| (node, me, work(node))).collect()
    } else {
        // broadcast, not par_iter: work-stealing could leave a thread idle on short rounds, while a fixed
        // node-to-thread map keeps every worker busy and lets the page show who computed what.
        rayon::broadcast(|ctx| {
            (ctx.index()..nodes)
                .step_by(ctx.num_threads())
                .map(|node| (node, ctx.index(), work(node)))
                .collect::<Vec<_>>()
        })
        .concat()
    };
    results.sort_by_key(|(node, _, _)| *node);
    results
        .into_iter()
        .map(|(node, thread, result)| {
            thread_of_node[node] = thread;
            result
        })
        .collect()
}

/// The all-reduce: the mean of the nodes' vectors, summed in node order.
pub fn average_in_node_order(vectors: &[Vec<f64>], out: &mut [f64]) {
    out.fill(0.0);
    for v in vectors {
        out.iter_mut().zip(v).for_each(|(o, x)| *o += x);
    }
    let count = vectors.len() as f64;
    out.iter_mut().for_each(|o| *o /= count);
}
