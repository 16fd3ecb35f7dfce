//! The threaded build's search: a job of the run coordinator (`runner::pool`). Its slice hands every
//! pool thread a lane of the search for about 16 ms (`rayon::broadcast`), each lane one candidate's run
//! at a time, its nodes on that thread, as the CLI's threads do; then the coordinator is free for the
//! runs' slices again. So the search has the whole pool, in turns with the runs, and never starves them.

use super::{Outcome, Report, TuneHandle};
use crate::runner::pool::{submit, Job};
use crate::runner::{DateClock, RunData};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::ViewKeys;
use dynabatch_core::session::{Clock, SLICE_MS};
use dynabatch_core::tune::{Search, Tuning};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// Rounds between looks at the clock and at the Cancel flag: a look costs a `Date.now()`, a round of the
/// smallest problems about as much.
const ROUNDS_BETWEEN_LOOKS: u64 = 8;

/// Searches the coordinator still holds: what `status().tune.background` says, so that a test sees
/// Cancel end the work, not only the progress bar.
static LIVE: AtomicUsize = AtomicUsize::new(0);

pub fn live() -> usize {
    LIVE.load(Ordering::Acquire)
}

/// What the coordinator and the main thread share about the search; the main thread only reads
/// atomics and a `OnceLock`, and writes `cancelled`.
struct Shared {
    scored: AtomicUsize,
    outcome: OnceLock<Outcome>,
    cancelled: AtomicBool,
}

/// The main thread's handle on the search; dropping it cancels the search.
pub struct PoolTuner {
    shared: Arc<Shared>,
}

impl TuneHandle for PoolTuner {
    fn start(experiment: Experiment, view: ViewKeys, data: Option<RunData>) -> PoolTuner {
        let shared = Arc::new(Shared {
            scored: AtomicUsize::new(0),
            outcome: OnceLock::new(),
            cancelled: AtomicBool::new(false),
        });
        let theirs = shared.clone();
        submit(Box::new(move |now| {
            if theirs.cancelled.load(Ordering::Acquire) {
                return None;
            }
            // On the coordinator, a pool thread: a lane for each of the pool's threads.
            let lanes = rayon::current_num_threads();
            LIVE.fetch_add(1, Ordering::AcqRel);
            let job = TuneOnPool {
                // The file as read, in shared memory: every lane trains on the same data set.
                tuning: Tuning::new(Search::new(&experiment, &view, data.map(Arc::new)), lanes),
                shared: theirs,
                due: now,
            };
            Some(Box::new(job) as Box<dyn Job>)
        }));
        PoolTuner { shared }
    }

    fn report(&self) -> Report {
        match self.shared.outcome.get() {
            Some(outcome) => Report::Finished(outcome.clone()),
            None => Report::Working {
                scored: self.shared.scored.load(Ordering::Acquire),
            },
        }
    }
}

impl Drop for PoolTuner {
    /// The coordinator sees this within a few rounds and drops the search. (It never sleeps while a
    /// search is due, which is always: no need to wake it.)
    fn drop(&mut self) {
        self.shared.cancelled.store(true, Ordering::Release);
    }
}

/// The search as the coordinator drives it.
struct TuneOnPool {
    tuning: Tuning,
    shared: Arc<Shared>,
    /// When its next slice is due: at the end of its last one, so that it takes turns with the runs
    /// that are due (a run paced to be watched goes first when its round is due).
    due: f64,
}

impl Drop for TuneOnPool {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Job for TuneOnPool {
    fn due_at(&mut self, _now: f64) -> Option<f64> {
        Some(self.due)
    }

    fn slice(&mut self, clock: &DateClock) {
        let until = clock.now_ms() + SLICE_MS;
        let (tuning, cancelled) = (&self.tuning, &self.shared.cancelled);
        rayon::broadcast(|context| {
            let clock = DateClock;
            while !cancelled.load(Ordering::Acquire) && clock.now_ms() < until {
                if !tuning.advance(context.index(), ROUNDS_BETWEEN_LOOKS) {
                    break;
                }
            }
        });
        self.shared.scored.store(tuning.scored(), Ordering::Release);
        if let Some(outcome) = Outcome::of(tuning) {
            let _ = self.shared.outcome.set(outcome);
        }
        self.due = clock.now_ms();
    }

    fn is_over(&self) -> bool {
        self.shared.cancelled.load(Ordering::Acquire) || self.shared.outcome.get().is_some()
    }

    /// Its slice is one hand-out to every thread, not rounds led one by one: no need to keep the
    /// threads polling.
    fn is_parallel(&self) -> bool {
        false
    }
}
