//! The threaded build's search: a job of the run coordinator (`runner::pool`), which leads its rounds
//! between the runs' slices, a few rounds at a time, as it leads theirs.

use super::{Outcome, Report, TuneHandle};
use crate::runner::pool::{submit, Job};
use crate::runner::DateClock;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::ViewKeys;
use dynabatch_core::session::{Clock, SLICE_MS};
use dynabatch_core::tune::{Search, Tuning};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// Rounds between looks at the clock and at the Cancel flag: a look costs a `Date.now()`, a round at
/// least a hand-out of its nodes to the pool.
const ROUNDS_BETWEEN_LOOKS: u64 = 4;

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
    fn start(experiment: Experiment, view: ViewKeys) -> PoolTuner {
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
            let job = TuneOnPool {
                parallel: experiment.nodes > 1,
                tuning: Tuning::new(Search::new(&experiment, &view, None)),
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
    /// Its candidates' rounds spread over the pool (every candidate has the link's N).
    parallel: bool,
}

impl Job for TuneOnPool {
    fn due_at(&mut self, _now: f64) -> Option<f64> {
        Some(self.due)
    }

    fn slice(&mut self, clock: &DateClock) {
        let until = clock.now_ms() + SLICE_MS;
        while !self.shared.cancelled.load(Ordering::Acquire) {
            if self.tuning.advance(ROUNDS_BETWEEN_LOOKS) {
                if let Some(outcome) = Outcome::of(&self.tuning) {
                    let _ = self.shared.outcome.set(outcome);
                }
                break;
            }
            self.shared
                .scored
                .store(self.tuning.scored(), Ordering::Release);
            if clock.now_ms() >= until {
                break;
            }
        }
        self.due = clock.now_ms();
    }

    fn is_over(&self) -> bool {
        self.shared.cancelled.load(Ordering::Acquire) || self.shared.outcome.get().is_some()
    }

    fn is_parallel(&self) -> bool {
        self.parallel
    }
}
