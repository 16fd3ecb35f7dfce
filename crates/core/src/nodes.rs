//! The N simulated nodes of one round, spread over the current rayon pool (Web Workers in the page).
//!
//! Node `i` runs on pool thread `i mod P` and draws its samples from its own stream (seed, node, round).
//! Results are combined in node order after all nodes finish, so they are bit-identical whatever P is,
//! and whichever thread computes a node: a round too small to be worth handing out ([`Placement`]) runs
//! every node on the calling thread, with the same bits.
//!
//! Between rounds rayon parks idle threads. Keeping them awake is the caller's policy (the page's run
//! coordinator and bench, `linger` there), not this module's: it holds no state between calls.

use std::sync::Mutex;

/// The smallest round, in samples × parameters summed over its nodes, whose nodes are handed to the
/// other pool threads. Below it the calling thread computes them all: handing out shares and collecting
/// them costs about 1 µs, while a sample gradient costs 0.3–1 ns per parameter (the `throughput` cases),
/// so a round gains from a second thread only from a few µs of work up. Chosen by measurement: the
/// bench's `split` workload times rounds of growing work both ways (docs/PERFORMANCE.md, "Small rounds").
/// On an idle machine the two placements crossed between 6,280 and 15,872, natively and in a Web Worker
/// alike.
pub const SPREAD_MIN_WORK: u64 = 8_192;

/// Where a round's nodes are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// All on the calling thread, one after another: a pool of one thread, a single node, or a round
    /// with less work than the threshold it was placed with.
    Here,
    /// Node `i` on pool thread `i mod P`.
    Spread,
}

impl Placement {
    /// Where a round of `nodes` nodes of `work_per_node` (samples × parameters) each runs on the current
    /// pool, with rounds of less than `min_work` in total kept on the calling thread
    /// ([`SPREAD_MIN_WORK`], but the benchmark that chose it tries others).
    pub fn of_round(nodes: usize, work_per_node: u64, min_work: u64) -> Placement {
        let work = work_per_node.saturating_mul(nodes as u64);
        if nodes > 1 && rayon::current_num_threads() > 1 && work >= min_work {
            Placement::Spread
        } else {
            Placement::Here
        }
    }
}

/// Runs `work(node, &mut outputs[node])` for every node, where `placement` says; records in
/// `thread_of_node` which pool thread computed each node. The caller keeps `outputs` from round to
/// round, so a round need not allocate.
pub fn on_every_node_into<T, W>(
    placement: Placement,
    thread_of_node: &mut [usize],
    outputs: &mut [T],
    work: W,
) where
    T: Send,
    W: Fn(usize, &mut T) + Sync,
{
    debug_assert_eq!(thread_of_node.len(), outputs.len());
    let threads = rayon::current_num_threads();
    if placement == Placement::Here || outputs.len() == 1 || threads == 1 {
        let me = rayon::current_thread_index().unwrap_or(0);
        for (node, output) in outputs.iter_mut().enumerate() {
            work(node, output);
            thread_of_node[node] = me;
        }
        return;
    }
    // broadcast, not par_iter: work-stealing could leave a thread idle on short rounds, while a fixed
    // node-to-thread map keeps every worker busy and lets the page show who computed what. The outputs
    // are dealt out beforehand; each thread locks only its own share, so no lock is ever contended (they
    // are there because a closure shared by all threads cannot hand out `&mut` otherwise).
    let mut shares: Vec<Vec<(usize, &mut T)>> = (0..threads).map(|_| Vec::new()).collect();
    for (node, output) in outputs.iter_mut().enumerate() {
        shares[node % threads].push((node, output));
    }
    let shares: Vec<Mutex<_>> = shares.into_iter().map(Mutex::new).collect();
    rayon::broadcast(|ctx| {
        // Both count the threads of the current pool.
        debug_assert_eq!(ctx.num_threads(), threads);
        let mut share = shares[ctx.index()].lock().expect("a share has one user");
        for (node, output) in share.iter_mut() {
            work(*node, output);
        }
    });
    for (node, thread) in thread_of_node.iter_mut().enumerate() {
        *thread = node % threads;
    }
}

/// Processes that each compute a share of a run's nodes and swap the results every round: MPI ranks in
/// the CLI (`dynabatch run --mpi`), threads in the tests. The core only needs the one collective, so it
/// stays free of any networking; the sum over nodes stays in node order on every process (not MPI's
/// all-reduce, whose order may differ between ranks), so every process holds the same bits.
pub trait Exchange: Send {
    /// This process's place, 0-based.
    fn rank(&self) -> usize;
    /// How many processes share the nodes.
    fn ranks(&self) -> usize;
    /// Every process's `mine` (the same length on each), concatenated in rank order into `all`.
    fn all_gather(&mut self, mine: &[f64], all: &mut [f64]);
}

/// Whether `ranks` processes can share `nodes` nodes: each computes whole nodes, at least one.
pub fn fit(ranks: usize, nodes: usize) -> Result<(), String> {
    if ranks > nodes {
        return Err(format!(
            "{ranks} processes for N = {nodes} nodes: each process computes whole nodes, so start at most {nodes} (or raise N)"
        ));
    }
    Ok(())
}

/// The nodes that process `rank` of `ranks` computes: a contiguous block, the blocks differing in size by
/// at most one node.
pub fn nodes_of(rank: usize, ranks: usize, nodes: usize) -> std::ops::Range<usize> {
    rank * nodes / ranks..(rank + 1) * nodes / ranks
}

/// The all-reduce: the mean of the nodes' vectors, summed in node order.
pub fn average_in_node_order<V: AsRef<[f64]>>(
    vectors: impl IntoIterator<Item = V>,
    out: &mut [f64],
) {
    out.fill(0.0);
    let mut count = 0;
    for v in vectors {
        out.iter_mut().zip(v.as_ref()).for_each(|(o, x)| *o += x);
        count += 1;
    }
    let count = count as f64;
    out.iter_mut().for_each(|o| *o /= count);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each node gets its own output, kept across rounds, and the map records who really computed it.
    #[test]
    fn outputs_persist_and_the_thread_map_is_true() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build();
        pool.expect("a pool").install(|| {
            let (mut threads, mut outputs) = (vec![usize::MAX; 7], vec![[0.0, 0.0]; 7]);
            for round in 1..=2 {
                on_every_node_into(
                    Placement::Spread,
                    &mut threads,
                    &mut outputs,
                    |node, output| {
                        output[0] += (node * round) as f64;
                        output[1] = rayon::current_thread_index().unwrap_or(99) as f64;
                    },
                );
            }
            for (node, output) in outputs.iter().enumerate() {
                assert_eq!(output[0], 3.0 * node as f64);
                assert_eq!(output[1], threads[node] as f64);
                assert_eq!(threads[node], node % 3);
            }
        });
    }

    /// A round with too little work stays on the calling thread, with the same outputs as spread.
    #[test]
    fn small_rounds_stay_on_the_calling_thread() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build();
        pool.expect("a pool").install(|| {
            assert_eq!(Placement::of_round(7, 10, 71), Placement::Here);
            assert_eq!(Placement::of_round(7, 10, 70), Placement::Spread);
            assert_eq!(Placement::of_round(1, u64::MAX, 0), Placement::Here);
            let me = rayon::current_thread_index();
            let mut outputs = [vec![0.0; 7], vec![0.0; 7]];
            let mut threads = [vec![usize::MAX; 7], vec![usize::MAX; 7]];
            for (k, placement) in [Placement::Here, Placement::Spread].into_iter().enumerate() {
                let out = &mut outputs[k];
                on_every_node_into(placement, &mut threads[k], out, |node, o| {
                    *o = (node as f64).sqrt();
                });
            }
            assert_eq!(outputs[0], outputs[1]);
            assert!(threads[0].iter().all(|&t| Some(t) == me));
            assert_eq!(threads[1], [0, 1, 2, 0, 1, 2, 0]);
        });
        // Outside any pool of more than one thread, nothing is spread.
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build();
        single.expect("a pool").install(|| {
            assert_eq!(Placement::of_round(8, u64::MAX, 0), Placement::Here);
        });
    }

    /// Every node has exactly one process, and no process is left without one while P ≤ N.
    #[test]
    fn the_blocks_cover_the_nodes_once() {
        for nodes in 1..=9 {
            for ranks in 1..=nodes {
                let blocks: Vec<_> = (0..ranks).map(|r| nodes_of(r, ranks, nodes)).collect();
                assert_eq!(
                    blocks.iter().flat_map(|b| b.clone()).collect::<Vec<_>>(),
                    (0..nodes).collect::<Vec<_>>()
                );
                assert!(blocks
                    .iter()
                    .all(|b| b.len() == nodes / ranks || b.len() == nodes.div_ceil(ranks)));
            }
        }
    }
}
