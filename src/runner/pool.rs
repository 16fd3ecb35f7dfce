//! Runs on the rayon pool (cross-origin isolated pages): one coordinator loop, on one pool thread,
//! interleaves the slices of every live run, and each round spreads its nodes over all pool threads.
//!
//! Runs never nest: only the coordinator leads rounds. The main thread only posts: new runs through a
//! channel it never waits on, commands through atomics, and it drains rows with `try_lock`. It then
//! unparks the coordinator, which otherwise sleeps until its next round is due. The coordinator also
//! reads users' files (`read`), between the jobs' slices.
//!
//! A run is one kind of [`Job`]; the Tune button's search (`crate::tuning`) is the other, so its rounds
//! are led from here too, interleaved with the runs' slices, and never starve them.

mod read;

use super::{Curvature, DateClock, Pace, RunData, RunHandle, RunState, Start};
use dynabatch_core::conditioning::Conditioning;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::Fault;
use dynabatch_core::metrics::Row;
use dynabatch_core::session::{Clock, Commands, Host, Next, Session};
use dynabatch_pool::Awake;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::Thread;
use std::time::Duration;

pub use read::PoolRead;
use read::{ReadOnPool, Reading};

/// What the coordinator and the main thread share about one run. The coordinator writes rows and state;
/// the main thread writes commands. The main thread reads atomics and drains `mailbox` with `try_lock`,
/// so it can never block on the coordinator.
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
    /// μ and L at x*, once estimated (set once).
    conditioning: OnceLock<Conditioning>,
}

impl Shared {
    /// A command has come that a paused run should look at.
    fn has_commands(&self) -> bool {
        !self.pause.load(Ordering::Acquire)
            || self.step_credits.load(Ordering::Acquire) > 0
            || self.cancelled.load(Ordering::Acquire)
    }

    fn post(&self, row: Row) {
        // Only the main thread's try_lock can hold this, for the time of a Vec::append.
        if let Ok(mut rows) = self.mailbox.lock() {
            rows.push(row);
        }
    }

    fn set_state(&self, state: RunState) {
        self.state.store(state as u8, Ordering::Release);
    }
}

/// A new run for the coordinator.
struct RunOrder {
    shared: Arc<Shared>,
    experiment: Experiment,
    data: Option<RunData>,
    pace: Pace,
    fault: Option<Fault>,
    curvature: Curvature,
}

/// What the coordinator interleaves: a run's slices, or a search's (the Tune button).
pub trait Job: Send {
    /// When it wants its next slice (the page's clock, ms); `None` while it waits for a command.
    fn due_at(&mut self, now: f64) -> Option<f64>;
    /// Works for about `session::SLICE_MS`.
    fn slice(&mut self, clock: &DateClock);
    /// Over, or given up by the page: the coordinator drops it.
    fn is_over(&self) -> bool;
    /// Whether its rounds spread over the pool (and so gain from threads kept awake).
    fn is_parallel(&self) -> bool;
}

/// A job to start, built on the coordinator's thread (building a trainer takes a while: not on the
/// page's), given the time; `None` if the page gave it up meanwhile.
pub type JobStart = Box<dyn FnOnce(f64) -> Option<Box<dyn Job>> + Send>;

/// What the main thread asks of the coordinator.
enum Order {
    Job(JobStart),
    // Boxed: a reader is large, and orders are few.
    Read(Box<ReadOnPool>),
}

/// New jobs and files, from the main thread. Only the coordinator receives, and only with `try_recv`, so
/// a send never waits for a lock (a channel's sender locks only to wake a receiver blocked in `recv`).
static ORDERS: OnceLock<Sender<Order>> = OnceLock::new();

/// Hands an order to the coordinator (started on the first), and wakes it.
fn post(order: Order) {
    let orders = ORDERS.get_or_init(|| {
        let (orders, inbox) = mpsc::channel();
        rayon::spawn(move || coordinate(inbox));
        orders
    });
    // The receiver lives as long as the page: a send cannot fail.
    let _ = orders.send(order);
    wake();
}

/// Hands the coordinator a job.
pub fn submit(start: JobStart) {
    post(Order::Job(start));
}
/// The coordinator's thread, once its loop has started: `unpark` it after posting anything.
static COORDINATOR: OnceLock<Thread> = OnceLock::new();

/// Asks the coordinator to look at its runs now, if it is asleep.
fn wake() {
    if let Some(thread) = COORDINATOR.get() {
        thread.unpark();
    }
}

/// The main thread's handle on one run on the pool.
pub struct PoolRun {
    shared: Arc<Shared>,
}

impl RunHandle for PoolRun {
    fn start(run: Start) -> PoolRun {
        let paused = run.paused;
        let shared = Arc::new(Shared {
            mailbox: Mutex::new(Vec::new()),
            state: AtomicU8::new(RunState::at_start(paused) as u8),
            pause: AtomicBool::new(paused),
            step_credits: AtomicU32::new(0),
            cancelled: AtomicBool::new(false),
            threads_used: AtomicU32::new(0),
            diverged: OnceLock::new(),
            thread_of_node: Mutex::new(Vec::new()),
            conditioning: OnceLock::new(),
        });
        let order = RunOrder {
            shared: shared.clone(),
            experiment: run.experiment,
            data: run.data,
            pace: run.pace,
            fault: run.fault,
            curvature: run.curvature,
        };
        submit(Box::new(move |now| {
            RunOnPool::prepare(order, now).map(|run| Box::new(run) as Box<dyn Job>)
        }));
        PoolRun { shared }
    }

    /// Rows are posted before the state is stored (release/acquire).
    fn state(&self) -> RunState {
        RunState::from_u8(self.shared.state.load(Ordering::Acquire))
    }

    fn drain(&self, into: &mut Vec<Row>) -> bool {
        match self.shared.mailbox.try_lock() {
            Ok(mut rows) => {
                into.append(&mut rows);
                true
            }
            Err(_) => false,
        }
    }

    fn threads_used(&self) -> u32 {
        self.shared.threads_used.load(Ordering::Relaxed)
    }

    fn thread_of_node(&self) -> Option<Vec<usize>> {
        self.shared
            .thread_of_node
            .try_lock()
            .ok()
            .map(|t| t.clone())
    }

    fn diverged_quantity(&self) -> Option<String> {
        self.shared.diverged.get().map(|q| q.to_string())
    }

    fn conditioning(&self) -> Option<Conditioning> {
        self.shared.conditioning.get().copied()
    }

    fn set_paused(&self, paused: bool) {
        self.shared.pause.store(paused, Ordering::Release);
        wake();
    }

    fn step(&self) {
        // Pause before the credit: the coordinator takes the credit first, then reads the pause, so it
        // never sees the credit with an older "playing".
        self.shared.pause.store(true, Ordering::Release);
        self.shared.step_credits.fetch_add(1, Ordering::AcqRel);
        wake();
    }
}

impl Drop for PoolRun {
    /// A replaced run stops at its next round boundary (within 64 rounds), and the coordinator drops it.
    fn drop(&mut self) {
        self.shared.cancelled.store(true, Ordering::Release);
        wake();
    }
}

/// The page's side of a run, as its session sees it.
struct Page<'a>(&'a Shared);

impl Host for Page<'_> {
    fn take_commands(&mut self) -> Commands {
        let steps = self.0.step_credits.swap(0, Ordering::AcqRel);
        Commands {
            pause: Some(self.0.pause.load(Ordering::Acquire)),
            steps,
        }
    }

    fn cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::Acquire)
    }

    fn post(&mut self, row: Row) {
        self.0.post(row);
    }
}

/// When a run wants its next slice.
#[derive(Clone, Copy, PartialEq)]
enum Due {
    /// At this time (ms, the page's clock).
    At(f64),
    /// Once the page sends a command (paused).
    OnCommand,
    /// Never: the run is over or was replaced.
    Never,
}

/// A run the coordinator drives.
struct RunOnPool {
    shared: Arc<Shared>,
    session: Session,
    due: Due,
}

impl RunOnPool {
    /// Builds the run's trainer (data, f*) and posts its start row; `None` if it was replaced meanwhile.
    fn prepare(order: RunOrder, now: f64) -> Option<RunOnPool> {
        // A run replaced before it started (quick edits) need not load its data or find f*.
        if order.shared.cancelled.load(Ordering::Acquire) {
            return None;
        }
        let shared = &order.shared;
        let started = Session::start(
            &order.experiment,
            order.data.as_ref(),
            order.pace,
            order.fault,
            order.curvature,
            |_, start| shared.post(start),
        );
        if let Some(c) = started.conditioning {
            let _ = shared.conditioning.set(c);
        }
        Some(RunOnPool {
            shared: order.shared,
            session: started.session,
            due: Due::At(now),
        })
    }
}

impl Job for RunOnPool {
    fn due_at(&mut self, now: f64) -> Option<f64> {
        if self.due == Due::OnCommand && self.shared.has_commands() {
            self.due = Due::At(now);
        }
        match self.due {
            Due::At(at) => Some(at),
            Due::OnCommand | Due::Never => None,
        }
    }

    /// A round too small to split runs on the coordinator alone, and pollers would only take the core
    /// that the page's main thread needs to draw.
    fn is_parallel(&self) -> bool {
        self.session.trainer().next_round_spreads()
    }

    fn is_over(&self) -> bool {
        self.due == Due::Never || self.shared.cancelled.load(Ordering::Acquire)
    }

    fn slice(&mut self, clock: &DateClock) {
        let shared = &*self.shared;
        let next = self.session.advance(clock, &mut Page(shared));
        let trainer = self.session.trainer();
        shared
            .threads_used
            .store(trainer.threads_used(), Ordering::Relaxed);
        if let Ok(mut threads) = shared.thread_of_node.lock() {
            threads.clear();
            threads.extend_from_slice(trainer.thread_of_node());
        }
        if let Next::Diverged(quantity) = next {
            let _ = shared.diverged.set(quantity);
        }
        if next != Next::Cancelled {
            shared.set_state(RunState::after(next));
        }
        self.due = match next {
            Next::After(wait_ms) => Due::At(clock.now_ms() + wait_ms),
            Next::Paused => Due::OnCommand,
            Next::Cancelled | Next::Done | Next::Diverged(_) => Due::Never,
        };
    }
}

/// With a round due within this long, the other pool threads stay awake (`linger`): longer than the
/// gap between the rounds of a running experiment, far shorter than a paused or paced one's.
const LINGER_MS: f64 = 1.0;

/// The coordinator: on a pool thread for the page's lifetime. Waiting here is fine: it is a worker, not
/// the page, and no other job needs this thread (every round is led from here).
fn coordinate(orders: Receiver<Order>) {
    let _ = COORDINATOR.set(std::thread::current());
    let clock = DateClock;
    let mut runs: Vec<Box<dyn Job>> = Vec::new();
    let mut reads: Vec<ReadOnPool> = Vec::new();
    let mut awake: Option<Awake> = None;
    loop {
        for order in orders.try_iter() {
            match order {
                Order::Job(start) => {
                    // Building a trainer takes a while: the other threads need not poll meanwhile.
                    awake = None;
                    runs.extend(start(clock.now_ms()));
                }
                Order::Read(read) => reads.push(*read),
            }
        }
        // A slice of reading for each file whose bytes have come, taking turns with the jobs' slices.
        let mut more_to_read = false;
        reads.retain_mut(|read| match read.advance(&clock) {
            Reading::Waiting => true,
            Reading::More => {
                more_to_read = true;
                true
            }
            Reading::Over => false,
        });
        if more_to_read {
            awake = None;
        }
        runs.retain(|run| !run.is_over());
        let now = clock.now_ms();
        // The run due earliest goes next; a fast run is due again at once after its slice, so runs due
        // at the same time take turns.
        let next = runs
            .iter_mut()
            .filter_map(|run| Some((run.due_at(now)?, run)))
            .min_by(|(a, _), (b, _)| a.total_cmp(b));
        match next {
            Some((at, run)) if at <= now => {
                // Pollers only where they, the coordinator and the page's main thread each have a
                // core: on 2 cores a poller took the core the main thread draws on, and whole runs of
                // spread rounds took up to 1.9× as long as in the serial build (docs/PERFORMANCE.md,
                // "Small rounds").
                let cores_for_the_pool = crate::runner::cores().saturating_sub(1);
                Awake::hold_while_spread(&mut awake, run.is_parallel(), cores_for_the_pool);
                run.slice(&clock);
            }
            // Bytes are waiting to be read: no sleep.
            _ if more_to_read => {}
            Some((at, _)) => {
                if at - now > LINGER_MS {
                    awake = None;
                }
                std::thread::park_timeout(Duration::from_secs_f64((at - now) / 1000.0));
            }
            None => {
                awake = None;
                std::thread::park();
            }
        }
    }
}
