//! Runs on the rayon pool (cross-origin isolated pages): the loop on one pool thread, the nodes of each
//! round over all of them. Rows go through a mailbox that the main thread only ever `try_lock`s.

use super::{Driver, Next, Pace, RunState};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::Fault;
use dynabatch_core::metrics::Row;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// What the worker and the main thread share. The worker writes; the main thread reads atomics and
/// drains `mailbox` with `try_lock`, so it can never block on the worker.
struct Shared {
    mailbox: Mutex<Vec<Row>>,
    state: AtomicU8,
    pause: AtomicBool,
    step_credits: AtomicU32,
    cancelled: AtomicBool,
    threads_used: AtomicU32,
    /// What went non-finite, once the run diverged (set once; reading it never blocks).
    diverged: OnceLock<&'static str>,
    /// Which pool thread computed each node in the latest round (for the nodes-at-work view).
    thread_of_node: Mutex<Vec<usize>>,
}

/// The main thread's handle on one background run.
pub struct Run {
    shared: Arc<Shared>,
}

impl Run {
    /// Starts `experiment` on the pool, paused at round 0 if `paused`.
    pub fn start(experiment: Experiment, paused: bool, pace: Pace, fault: Option<Fault>) -> Run {
        let shared = Arc::new(Shared {
            mailbox: Mutex::new(Vec::new()),
            state: AtomicU8::new(RunState::at_start(paused) as u8),
            pause: AtomicBool::new(paused),
            step_credits: AtomicU32::new(0),
            cancelled: AtomicBool::new(false),
            threads_used: AtomicU32::new(0),
            diverged: OnceLock::new(),
            thread_of_node: Mutex::new(Vec::new()),
        });
        let worker_side = shared.clone();
        rayon::spawn(move || train(worker_side, experiment, pace, fault));
        Run { shared }
    }

    /// The worker's state, read *before* draining: a terminal state seen here means every row has
    /// already been posted (rows are posted before the state is stored, with release/acquire ordering).
    pub fn state(&self) -> RunState {
        RunState::from_u8(self.shared.state.load(Ordering::Acquire))
    }

    /// Moves newly posted rows into `into`; returns false if the worker held the lock (try next frame).
    pub fn drain(&self, into: &mut Vec<Row>) -> bool {
        match self.shared.mailbox.try_lock() {
            Ok(mut rows) => {
                into.append(&mut rows);
                true
            }
            Err(_) => false,
        }
    }

    pub fn threads_used(&self) -> u32 {
        self.shared.threads_used.load(Ordering::Relaxed)
    }

    /// Which Web Worker computed each node in the latest round; `None` if the worker holds the lock.
    pub fn thread_of_node(&self) -> Option<Vec<usize>> {
        self.shared
            .thread_of_node
            .try_lock()
            .ok()
            .map(|t| t.clone())
    }

    /// The quantity that became NaN or infinite, if the run diverged.
    pub fn diverged_quantity(&self) -> Option<String> {
        self.shared.diverged.get().map(|q| q.to_string())
    }

    pub fn set_paused(&self, paused: bool) {
        self.shared.pause.store(paused, Ordering::Release);
    }

    /// Runs exactly one more round, then stays paused.
    pub fn step(&self) {
        self.shared.pause.store(true, Ordering::Release);
        self.shared.step_credits.fetch_add(1, Ordering::AcqRel);
    }
}

impl Drop for Run {
    /// A replaced run stops at its next round boundary and frees its worker.
    fn drop(&mut self) {
        self.shared.cancelled.store(true, Ordering::Release);
    }
}

fn post(shared: &Shared, row: Row) {
    // Only the main thread's try_lock can hold this, for the time of a Vec::append.
    if let Ok(mut rows) = shared.mailbox.lock() {
        rows.push(row);
    }
}

fn set_state(shared: &Shared, state: RunState) {
    shared.state.store(state as u8, Ordering::Release);
}

/// Runs on a pool thread. Waiting here is fine: it is a worker, not the page.
fn train(shared: Arc<Shared>, experiment: Experiment, pace: Pace, fault: Option<Fault>) {
    // A run replaced before it started (quick edits) need not load its data or find f*.
    if shared.cancelled.load(Ordering::Acquire) {
        return;
    }
    let driver = Driver::new(&experiment, pace, fault);
    post(&shared, driver.trainer().start_row());
    drive(shared, driver);
}

thread_local! {
    /// Run loops on this thread's stack. A pool thread that waits for a round steals other jobs, and
    /// may so start another run's loop on top of its own, which then cannot go on until that returns.
    static LOOPS: Cell<usize> = const { Cell::new(0) };
}

fn drive(shared: Arc<Shared>, mut driver: Driver) {
    LOOPS.with(|n| n.set(n.get() + 1));
    let nested = LOOPS.with(Cell::get) > 1;
    let handed_on = drive_here(&shared, &mut driver, nested);
    LOOPS.with(|n| n.set(n.get() - 1));
    if handed_on {
        // Beneath this loop, another run waits for it to return: the rest of this run goes back to the
        // pool, for a thread with nothing beneath (pacing catches up there: its clock is absolute).
        rayon::spawn(move || drive(shared, driver));
    }
}

/// The loop of one run; true if it stopped only to be handed on (see `drive`).
fn drive_here(shared: &Shared, driver: &mut Driver, nested: bool) -> bool {
    loop {
        let next = driver.advance(
            &mut || may_run(shared),
            &|| shared.cancelled.load(Ordering::Acquire),
            &mut |row| post(shared, row),
        );
        let trainer = driver.trainer();
        shared
            .threads_used
            .store(trainer.threads_used(), Ordering::Relaxed);
        if let Ok(mut threads) = shared.thread_of_node.lock() {
            threads.clear();
            threads.extend_from_slice(trainer.thread_of_node());
        }
        if shared.cancelled.load(Ordering::Acquire) {
            return false;
        }
        let wait_ms = match next {
            Next::After(wait_ms) => wait_ms,
            Next::Paused => {
                set_state(shared, RunState::Paused);
                10.0
            }
            Next::Over { state, diverged } => {
                if let Some(quantity) = diverged {
                    let _ = shared.diverged.set(quantity);
                }
                set_state(shared, state);
                return false;
            }
        };
        if nested {
            return true;
        }
        nap(wait_ms);
    }
}

/// Waits about `ms` without holding up the other runs: every round of every run needs a share from each
/// pool thread (`nodes`), so a run that sleeps outright while paused or paced would stall the runs
/// compared with it mid-round. This thread serves its shares of their rounds while it waits.
fn nap(ms: f64) {
    let until = js_sys::Date::now() + ms;
    while js_sys::Date::now() < until {
        if rayon::yield_local() != Some(rayon::Yield::Executed) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Whether a round may run now: not cancelled, and either playing or a step was asked for.
fn may_run(shared: &Shared) -> bool {
    if shared.cancelled.load(Ordering::Acquire) {
        return false;
    }
    let go = !shared.pause.load(Ordering::Acquire) || take_step_credit(shared);
    if go {
        set_state(shared, RunState::Running);
    }
    go
}

fn take_step_credit(shared: &Shared) -> bool {
    shared
        .step_credits
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| c.checked_sub(1))
        .is_ok()
}
