//! The background run: the training loop never runs on the page's main thread, and the main thread never
//! waits for it. Two ways to run it, one per build of the page (see ARCHITECTURE.md, "Two builds"):
//! - `pool` (feature `threads`, cross-origin isolated pages): the loop runs on a rayon pool thread and
//!   the nodes of each round are spread over the pool's Web Workers, all in one shared memory.
//! - `worker` (no shared memory, e.g. a static host without COOP/COEP): each run gets one plain Web
//!   Worker with its own instance of the serial build, and posts its rows back as messages.
//!
//! Both drive the same [`Driver`], so pacing, pausing, stepping and the end of a run are one code.

use dynabatch_core::algorithms::{planned_rounds, Progress, Stepped, Trainer};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::Fault;
use dynabatch_core::metrics::Row;

#[cfg(feature = "threads")]
mod pool;
#[cfg(feature = "threads")]
pub use pool::Run;
#[cfg(not(feature = "threads"))]
mod worker;
#[cfg(not(feature = "threads"))]
pub use worker::Run;

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

    /// A run's state before its first round: paused if it was started paused.
    pub fn at_start(paused: bool) -> RunState {
        if paused {
            RunState::Paused
        } else {
            RunState::Running
        }
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

/// Unrecorded rounds between looks at `cancelled`: a look costs an atomic load, a round far more.
const ROUNDS_BETWEEN_LOOKS: u64 = 64;

/// At most this long between looks at the controls (pause, step, cancel) and between posts of rows.
const CHUNK_MS: f64 = 16.0;

/// What the loop around [`Driver::advance`] should do next.
pub enum Next {
    /// Advance again after this many milliseconds (0: at once, once the controls have been read).
    After(f64),
    /// Paused, with no step asked for.
    Paused,
    /// The run is over; `diverged` names the quantity that went non-finite.
    Over {
        state: RunState,
        diverged: Option<&'static str>,
    },
}

/// One run's training loop, in slices that the pool thread or the worker's event loop call in turn.
pub struct Driver {
    trainer: Trainer,
    clock: Clock,
    fault: Option<Fault>,
}

impl Driver {
    pub fn new(experiment: &Experiment, pace: Pace, fault: Option<Fault>) -> Driver {
        let per_round_ms = match pace {
            Pace::Watch => (2000.0 / planned_rounds(experiment).max(1) as f64).min(150.0),
            Pace::Fast => 0.0,
        };
        Driver {
            trainer: Trainer::new(experiment),
            clock: Clock::new(per_round_ms),
            fault,
        }
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Runs the rounds that are due, for about `CHUNK_MS` at most, handing each row to `post`.
    /// `may_run` is asked before every recorded round: false means paused (or cancelled). `cancelled`
    /// is also asked between the unrecorded rounds in between, which a link's `every` can make many.
    pub fn advance(
        &mut self,
        may_run: &mut dyn FnMut() -> bool,
        cancelled: &dyn Fn() -> bool,
        post: &mut dyn FnMut(Row),
    ) -> Next {
        let started = js_sys::Date::now();
        loop {
            if !may_run() {
                self.clock.restart();
                return Next::Paused;
            }
            let row = loop {
                match self.trainer.step_within(ROUNDS_BETWEEN_LOOKS) {
                    Stepped::Row(row) => break row,
                    Stepped::Over => return self.over(),
                    Stepped::Unrecorded if cancelled() => return Next::Paused,
                    Stepped::Unrecorded => {}
                }
            };
            post(row);
            if self.fault == Some(Fault::Panic) {
                panic!(
                    "fault injected by the link's fault=panic, after round {}",
                    row.round
                );
            }
            let wait = self.clock.next_round_in();
            if wait >= 1.0 || js_sys::Date::now() - started >= CHUNK_MS {
                return Next::After(wait.max(0.0));
            }
        }
    }
}

impl Driver {
    fn over(&self) -> Next {
        match self.trainer.progress() {
            Progress::Diverged { quantity, .. } => Next::Over {
                state: RunState::Diverged,
                diverged: Some(quantity),
            },
            _ => Next::Over {
                state: RunState::Done,
                diverged: None,
            },
        }
    }
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

    /// Milliseconds until the next round is due (≤ 0: now), counting the round just run.
    fn next_round_in(&mut self) -> f64 {
        self.rounds += 1.0;
        self.start + self.rounds * self.per_round_ms - js_sys::Date::now()
    }
}
