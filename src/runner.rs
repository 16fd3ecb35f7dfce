//! The background run: the training loop never runs on the page's main thread, and the main thread never
//! waits for it. Two ways to run it, one per build of the page (see ARCHITECTURE.md, "Two builds"):
//! - `pool` (feature `threads`, cross-origin isolated pages): the loop runs on a rayon pool thread and
//!   the nodes of each round are spread over the pool's Web Workers, all in one shared memory.
//! - `worker` (no shared memory, e.g. a static host without COOP/COEP): each run gets one plain Web
//!   Worker with its own instance of the serial build, and posts its rows back as messages.
//!
//! Both drive the core's [`Session`](dynabatch_core::session::Session), so pacing, pausing, stepping
//! and the end of a run are one code, and both offer the page the same handle, [`Run`].

use dynabatch_core::conditioning::Conditioning;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::Fault;
use dynabatch_core::metrics::Row;
use dynabatch_core::session::{Clock, Next};

pub use dynabatch_core::session::Pace;

#[cfg(feature = "threads")]
pub mod pool;
#[cfg(feature = "threads")]
pub use pool::PoolRun as Run;
#[cfg(not(feature = "threads"))]
pub mod worker;
#[cfg(not(feature = "threads"))]
pub use worker::WorkerRun as Run;

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

impl RunState {
    /// The state a slice that ended with `next` leaves its run in (a cancelled run is no one's concern).
    fn after(next: Next) -> RunState {
        match next {
            Next::After(_) => RunState::Running,
            Next::Paused | Next::Cancelled => RunState::Paused,
            Next::Done => RunState::Done,
            Next::Diverged(_) => RunState::Diverged,
        }
    }
}

/// Whether a run also estimates its problem's curvature at x* (`conditioning::at_optimum`) once it has
/// f*, for the theory panel's guidance on ρ: the main run does, where its algorithm has a ρ to guide.
/// It costs a thousand or more full gradients, once per problem, off the main thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Curvature {
    Measure,
    Skip,
}

/// How a run starts, besides its experiment.
#[derive(Clone, Copy, Debug)]
pub struct Launch {
    /// Paused at round 0.
    pub paused: bool,
    pub pace: Pace,
    pub fault: Option<Fault>,
    pub curvature: Curvature,
}

/// The page's clock, on its main thread and in Web Workers alike.
pub struct DateClock;

impl Clock for DateClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

/// What a background run offers the page, in either build: `Run` is this build's implementation, and
/// callers bring this trait into scope to use it. Dropping a `Run` stops the run (see ARCHITECTURE.md,
/// "Threads in the page"). The main thread calls all of it, so none of it may wait.
pub trait RunHandle {
    /// Starts `experiment` in the background, as `launch` says.
    fn start(experiment: Experiment, launch: Launch) -> Self;
    /// The run's state, read *before* draining: a terminal state seen here means every row has already
    /// been handed over.
    fn state(&self) -> RunState;
    /// Moves newly posted rows into `into`; false if they could not be taken now (try next frame).
    fn drain(&self, into: &mut Vec<Row>) -> bool;
    fn set_paused(&self, paused: bool);
    /// Runs exactly one more recorded round, then stays paused.
    fn step(&self);
    /// How many distinct Web Workers have computed nodes so far.
    fn threads_used(&self) -> u32;
    /// Which Web Worker computed each node in the latest round; `None` if not readable now.
    fn thread_of_node(&self) -> Option<Vec<usize>>;
    /// The quantity that became NaN or infinite, if the run diverged.
    fn diverged_quantity(&self) -> Option<String>;
    /// μ and L at x*, once estimated (asked with [`Curvature::Measure`], on a strongly convex problem).
    fn conditioning(&self) -> Option<Conditioning>;
}

/// The cores of this machine, as the browser tells them (the page sizes its pool to them); unknown is
/// taken as plenty. Works on the page and in Web Workers alike.
pub fn cores() -> usize {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into());
    navigator
        .and_then(|n| js_sys::Reflect::get(&n, &"hardwareConcurrency".into()))
        .ok()
        .and_then(|c| c.as_f64())
        .filter(|&c| c >= 1.0)
        .map_or(usize::MAX, |c| c as usize)
}
