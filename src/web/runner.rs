//! The background run: the training loop runs on a rayon pool thread (a Web Worker), never on the page's
//! main thread, and hands its rows over through a mailbox that the main thread only ever `try_lock`s.

use crate::algorithms::{planned_rounds, Progress, Trainer};
use crate::experiment::Experiment;
use crate::link::Fault;
use crate::metrics::Row;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RunState {
    Idle = 0,
    Running = 1,
    Paused = 2,
    Done = 3,
    Diverged = 4,
    Error = 5,
}

impl RunState {
    fn from_u8(v: u8) -> RunState {
        [
            RunState::Idle,
            RunState::Running,
            RunState::Paused,
            RunState::Done,
            RunState::Diverged,
            RunState::Error,
        ]
        .get(v as usize)
        .copied()
        .unwrap_or(RunState::Error)
    }

    pub fn name(self) -> &'static str {
        ["idle", "running", "paused", "done", "diverged", "error"][self as usize]
    }

    pub fn is_over(self) -> bool {
        matches!(self, RunState::Done | RunState::Diverged | RunState::Error)
    }
}

/// How fast a run is shown. Computing is never slowed beyond this: it only spreads few rounds over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// A run takes at least about two seconds, so its rounds can be followed by eye.
    Watch,
    /// As fast as the workers go.
    Fast,
}

/// What the worker and the main thread share. The worker writes; the main thread reads atomics and
/// drains `mailbox` with `try_lock`, so it can never block on the worker.
pub struct Shared {
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
            state: AtomicU8::new(RunState::Running as u8),
            pause: AtomicBool::new(paused),
            step_credits: AtomicU32::new(0),
            cancelled: AtomicBool::new(false),
            threads_used: AtomicU32::new(0),
            diverged: OnceLock::new(),
            thread_of_node: Mutex::new(Vec::new()),
        });
        let worker_side = shared.clone();
        rayon::spawn(move || train(&worker_side, &experiment, pace, fault));
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
    pub fn diverged_quantity(&self) -> Option<&'static str> {
        self.shared.diverged.get().copied()
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

/// Runs on a pool thread. Sleeping here is fine: it is a worker, not the page.
fn train(shared: &Shared, experiment: &Experiment, pace: Pace, fault: Option<Fault>) {
    let mut trainer = Trainer::new(experiment);
    post(shared, trainer.start_row());
    let per_round_ms = match pace {
        Pace::Watch => (2000.0 / planned_rounds(experiment).max(1) as f64).min(150.0),
        Pace::Fast => 0.0,
    };
    let mut clock = Clock::new(per_round_ms);
    loop {
        if shared.cancelled.load(Ordering::Acquire) {
            return;
        }
        if shared.pause.load(Ordering::Acquire) && !take_step_credit(shared) {
            set_state(shared, RunState::Paused);
            std::thread::sleep(Duration::from_millis(10));
            clock.restart();
            continue;
        }
        set_state(shared, RunState::Running);
        let Some(row) = trainer.step() else { break };
        shared
            .threads_used
            .store(trainer.threads_used(), Ordering::Relaxed);
        if let Ok(mut threads) = shared.thread_of_node.lock() {
            threads.clear();
            threads.extend_from_slice(trainer.thread_of_node());
        }
        post(shared, row);
        if fault == Some(Fault::Panic) {
            panic!(
                "fault injected by the link's fault=panic, after round {}",
                row.round
            );
        }
        clock.wait_for_next_round();
    }
    let end = match trainer.progress() {
        Progress::Diverged { quantity, .. } => {
            let _ = shared.diverged.set(quantity);
            RunState::Diverged
        }
        _ => RunState::Done,
    };
    set_state(shared, end);
}

fn take_step_credit(shared: &Shared) -> bool {
    shared
        .step_credits
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| c.checked_sub(1))
        .is_ok()
}

/// Spreads rounds over time when a run has few of them, so each can be seen.
struct Clock {
    per_round_ms: f64,
    start: f64,
    rounds: f64,
}

impl Clock {
    fn new(per_round_ms: f64) -> Clock {
        Clock {
            per_round_ms,
            start: js_sys::Date::now(),
            rounds: 0.0,
        }
    }

    fn restart(&mut self) {
        self.start = js_sys::Date::now();
        self.rounds = 0.0;
    }

    fn wait_for_next_round(&mut self) {
        self.rounds += 1.0;
        let ahead = self.start + self.rounds * self.per_round_ms - js_sys::Date::now();
        if ahead >= 1.0 {
            std::thread::sleep(Duration::from_millis(ahead as u64));
        }
    }
}
