//! Pool threads kept awake between rounds, for whoever leads rounds on the pool: the page's run
//! coordinator and bench page, and the CLI's runs and benchmarks.
//!
//! Between rounds rayon parks idle threads, and waking a parked thread costs tens of µs (a Web Worker in
//! `Atomics.wait`, a native thread in a futex), a large share of a short round: measured, 2 threads gave
//! 0.81 of the ideal speed-up in wasm, and natively 0.37 without this against 0.99 with it (d = 784). So
//! while an [`Awake`] lives, the other pool threads poll for their next share instead. Which thread
//! computes which node does not change, so neither do the results.
//!
//! A crate of its own: this is a thread policy, which the pure core must not hold (ARCHITECTURE.md), and
//! both shells need it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Pool threads reserved for polling, counted from before their jobs start until they have ended: a
/// new [`Awake`] waits for all of them, so pollers never nest on a thread nor outnumber the threads.
static POLLERS: AtomicUsize = AtomicUsize::new(0);

/// While alive, the pool's other threads poll their own queues for work instead of parking.
pub struct Awake {
    stop: Arc<AtomicBool>,
}

impl Awake {
    /// Keeps the other threads of the current pool awake; call it on the pool thread that leads the
    /// rounds (it does not poll itself). `None` where it would not pay: with one thread, while pollers of
    /// an earlier `Awake` are still ending, or where the pollers and the leader would not each have a
    /// core (a poller that takes the core of a thread holding a share makes the round wait for the OS to
    /// switch: 8 threads on 2 cores ran 1000× slower).
    ///
    /// `cores` is how many cores the pool's threads may have: the CLI passes what the OS reports; the page
    /// what the browser reports less one, which its main thread draws on.
    pub fn new(cores: usize) -> Option<Awake> {
        let leader = rayon::current_thread_index()?;
        let threads = rayon::current_num_threads();
        let others = threads - 1;
        if others == 0 || threads > cores {
            return None;
        }
        POLLERS
            .compare_exchange(0, others, Ordering::AcqRel, Ordering::Acquire)
            .ok()?;
        let stop = Arc::new(AtomicBool::new(false));
        let told = stop.clone();
        rayon::spawn_broadcast(move |ctx| {
            if ctx.index() != leader {
                poll_until(&told);
            }
        });
        Some(Awake { stop })
    }
}

impl Awake {
    /// Holds `awake` while the rounds about to run spread over the pool, and lets the other threads park
    /// otherwise: a round kept on one thread (`nodes::Placement`) gains nothing from pollers, which would
    /// only take a core (in the page, the one its main thread draws on). For whoever leads rounds, before
    /// each slice of them.
    pub fn hold_while_spread(awake: &mut Option<Awake>, spreads: bool, cores: usize) {
        if !spreads {
            *awake = None;
        } else if awake.is_none() {
            *awake = Awake::new(cores);
        }
    }
}

impl Drop for Awake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

/// Runs what lands in this thread's own queues (a broadcast's share is there; a whole job to steal is
/// not, so a poller never starts anything that could outlive `stop`) until told to stop.
fn poll_until(stop: &AtomicBool) {
    let mut idle = 0u32;
    while !stop.load(Ordering::Acquire) {
        if rayon::yield_local() == Some(rayon::Yield::Executed) {
            idle = 0;
        } else {
            idle = idle.wrapping_add(1);
            std::hint::spin_loop();
            if idle.is_multiple_of(YIELD_EVERY) {
                give_way();
            }
        }
    }
    POLLERS.fetch_sub(1, Ordering::AcqRel);
}

/// Idle polls between two offers of this thread's core to the OS ([`give_way`]).
const YIELD_EVERY: u32 = 64;

/// Lets another runnable thread have this core, if there is one. On a machine busy with other work a
/// poller that only spins holds a core the round's leader or another process wants, and the OS then
/// deschedules it for whole time slices, with the share it is to run in its queue: measured, a CLI run of
/// breast-cancer rounds on 2 threads took 4.7 s instead of 0.17 while a build used one core. Yielding
/// costs about a µs when nothing else wants the core.
fn give_way() {
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::yield_now();
}
