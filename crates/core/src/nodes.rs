//! The N simulated nodes of one round, spread over the current rayon pool (Web Workers in the page).
//!
//! Node `i` runs on pool thread `i mod P` and draws its samples from its own stream (seed, node, round).
//! Results are combined in node order after all nodes finish, so they are bit-identical whatever P is.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Runs `work(node, &mut outputs[node])` for every node; records in `thread_of_node` which pool thread
/// computed each node. The caller keeps `outputs` from round to round, so a round need not allocate.
pub fn on_every_node_into<T, W>(thread_of_node: &mut [usize], outputs: &mut [T], work: W)
where
    T: Send,
    W: Fn(usize, &mut T) + Sync,
{
    debug_assert_eq!(thread_of_node.len(), outputs.len());
    let threads = rayon::current_num_threads();
    if outputs.len() == 1 || threads == 1 {
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
    keep_threads_awake(threads);
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

/// Trainers alive (see [`ActiveRun`]).
static ACTIVE_RUNS: AtomicUsize = AtomicUsize::new(0);
/// Pool threads lingering between rounds.
static LINGERING: AtomicUsize = AtomicUsize::new(0);
/// Polls without a share before a lingering thread parks: about a millisecond, far longer than the gap
/// between the rounds of a running experiment, far shorter than a paused or paced one's.
const LINGER_POLLS: u32 = 20_000;

/// Held by each `Trainer`: pool threads linger between rounds only while at most one run is going, so a
/// lingering thread never holds up another run whose loop sits beneath it on the same thread.
pub struct ActiveRun(());

impl ActiveRun {
    pub fn new() -> ActiveRun {
        ACTIVE_RUNS.fetch_add(1, Ordering::AcqRel);
        ActiveRun(())
    }
}

impl Default for ActiveRun {
    fn default() -> Self {
        ActiveRun::new()
    }
}

impl Drop for ActiveRun {
    fn drop(&mut self) {
        ACTIVE_RUNS.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The cores this process may use; unknown in wasm, where the page sizes its pool to them.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(usize::MAX, |c| c.get()))
}

/// Between rounds rayon parks idle threads, and waking a parked Web Worker (`Atomics.wait`) costs tens
/// of µs, a large share of a short round: measured, 2 threads gave 0.81 of the ideal speed-up in wasm
/// against 0.99 natively. So the other pool threads poll for the next round's share for a while
/// instead. Which thread computes which node does not change, so neither do the results.
///
/// Only where every poller and the round's leader have a core of their own: a poller that takes the core
/// of a thread holding a share makes the round wait for the OS to switch (8 threads on 2 cores ran 1000×
/// slower).
fn keep_threads_awake(threads: usize) {
    let leader = rayon::current_thread_index();
    let others = threads - usize::from(leader.is_some());
    if others + 1 > cores()
        || ACTIVE_RUNS.load(Ordering::Acquire) > 1
        || LINGERING.load(Ordering::Acquire) >= others
    {
        return;
    }
    rayon::spawn_broadcast(move |ctx| {
        if Some(ctx.index()) != leader {
            linger();
        }
    });
}

/// Pool threads lingering right now (for tests and the curious).
pub fn lingering_threads() -> usize {
    LINGERING.load(Ordering::Acquire)
}

/// Polls this thread's own queues for shares until none has come for `LINGER_POLLS` polls. Only shares
/// reset the count, so a poller whose pool has no more rounds (or was dropped) parks soon.
fn linger() {
    LINGERING.fetch_add(1, Ordering::AcqRel);
    let mut idle = 0;
    while idle < LINGER_POLLS && ACTIVE_RUNS.load(Ordering::Acquire) <= 1 {
        // Only this thread's own queues: a broadcast share is there; a whole run to steal is not.
        if rayon::yield_local() == Some(rayon::Yield::Executed) {
            idle = 0;
        } else {
            idle += 1;
            std::hint::spin_loop();
        }
    }
    LINGERING.fetch_sub(1, Ordering::AcqRel);
}

/// `on_every_node_into` for work that returns a fresh vector: the results in node order.
pub fn on_every_node<W>(thread_of_node: &mut [usize], work: W) -> Vec<Vec<f64>>
where
    W: Fn(usize) -> Vec<f64> + Sync,
{
    let mut results = vec![Vec::new(); thread_of_node.len()];
    on_every_node_into(thread_of_node, &mut results, |node, result| {
        *result = work(node)
    });
    results
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
                on_every_node_into(&mut threads, &mut outputs, |node, output| {
                    output[0] += (node * round) as f64;
                    output[1] = rayon::current_thread_index().unwrap_or(99) as f64;
                });
            }
            for (node, output) in outputs.iter().enumerate() {
                assert_eq!(output[0], 3.0 * node as f64);
                assert_eq!(output[1], threads[node] as f64);
                assert_eq!(threads[node], node % 3);
            }
        });
    }
}
