//! The background run: the training loop never runs on the page's main thread, and the main thread never
//! waits for it. Two ways to run it, one per build of the page (see ARCHITECTURE.md, "Two builds"):
//! - `pool` (feature `threads`, cross-origin isolated pages): the loop runs on a rayon pool thread and
//!   the nodes of each round are spread over the pool's Web Workers, all in one shared memory.
//! - `worker` (no shared memory, e.g. a static host without COOP/COEP): each run gets one plain Web
//!   Worker with its own instance of the serial build, and posts its rows back as messages.
//!
//! Both drive the core's [`Session`](dynabatch_core::session::Session), so pacing, pausing, stepping
//! and the end of a run are one code, and both offer the page the same handle, [`Run`].
//!
//! A user's file (problem=data) is read off the main thread too, by [`Read`]: in the threaded build by
//! the coordinator, between the runs' slices, into shared memory that every run then trains on; in the
//! serial build by a Web Worker of its own, and again by each run's worker, whose instance shares no
//! memory with the page's.

use dynabatch_core::conditioning::Conditioning;
use dynabatch_core::data::file::{DataError, Sha256};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::Fault;
use dynabatch_core::metrics::Row;
use dynabatch_core::session::{Clock, Next};
use serde::{Deserialize, Serialize};
use web_sys::Blob;

pub use dynabatch_core::session::{Curvature, Pace};

#[cfg(feature = "threads")]
pub mod pool;
#[cfg(feature = "threads")]
pub use pool::{PoolRead as Read, PoolRun as Run};
#[cfg(not(feature = "threads"))]
pub mod worker;
#[cfg(not(feature = "threads"))]
pub use worker::{WorkerRead as Read, WorkerRun as Run};

/// What a run on the user's file is given, in the threaded build: the file as read, in shared memory,
/// one copy for every run (the data set is behind an `Arc`).
#[cfg(feature = "threads")]
pub type RunData = dynabatch_core::data::file::DataFile;
/// What a run on the user's file is given, in the serial build: the file's bytes, which the run's own
/// worker reads into its own instance (a `Blob` is passed to a worker without a copy).
#[cfg(not(feature = "threads"))]
pub type RunData = Blob;

/// What the page shows of a file it has read.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DataInfo {
    /// `DataFile::summary`: rows, features, task, and the label counts or range.
    pub summary: String,
    /// A column that looks like the label it was not read as (`data::hints::likely_label`).
    pub hint: Option<String>,
    /// The file's size.
    pub bytes: u64,
    /// What a sample gradient on it costs (`Cost::of_file`): the Tune button weighs a search with it.
    pub cost: dynabatch_core::experiment::Cost,
}

impl DataInfo {
    pub fn of(file: &dynabatch_core::data::file::DataFile) -> DataInfo {
        DataInfo {
            summary: file.summary(),
            hint: dynabatch_core::data::hints::likely_label(file),
            bytes: file.bytes,
            cost: dynabatch_core::experiment::Cost::of_file(file),
        }
    }
}

/// How reading a file ended.
pub enum ReadOutcome {
    /// Read to its end: its hash, and what it holds, or why it cannot be used.
    Read {
        sha256: Sha256,
        // Boxed: a file read is rare, and its outcome large (the threaded build's `RunData` is the
        // data set's handle and options).
        data: Box<Result<(DataInfo, RunData), DataError>>,
    },
    /// The browser could not give its bytes (the file changed or went away on disk), or the reader
    /// could not start.
    Unreadable(String),
}

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

/// The page's clock, on its main thread and in Web Workers alike.
pub struct DateClock;

impl Clock for DateClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

/// A run to start in the background.
pub struct Start {
    pub experiment: Experiment,
    /// The user's file, for problem=data.
    pub data: Option<RunData>,
    /// Paused at round 0.
    pub paused: bool,
    pub pace: Pace,
    pub fault: Option<Fault>,
    pub curvature: Curvature,
}

/// What a background run offers the page, in either build: `Run` is this build's implementation, and
/// callers bring this trait into scope to use it. Dropping a `Run` stops the run (see ARCHITECTURE.md,
/// "Threads in the page"). The main thread calls all of it, so none of it may wait.
pub trait RunHandle {
    /// Starts a run in the background.
    fn start(run: Start) -> Self;
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

/// A file being read in the background, in either build (`Read` is this build's). It is read with the
/// options of an experiment (`label`, `format`, `task`, `standardize`) within the page's limit
/// (`Limit::PAGE`), and hashed to its end even after an error, so that a wrong file is told apart from a
/// broken one. Dropping it stops the reading. The main thread calls all of it, so none of it may wait.
pub trait ReadHandle {
    fn start(blob: Blob, experiment: &Experiment) -> Self;
    /// Bytes read so far.
    fn bytes_read(&self) -> u64;
    /// How the reading ended, once it has (given once).
    fn outcome(&mut self) -> Option<ReadOutcome>;
}

/// Chunks of a file, as they are read and handed to the core's `Reader`: large enough that a chunk's
/// overhead does not count, small enough that a slice of reading stays near 16 ms.
pub const CHUNK_BYTES: u64 = 1 << 20;

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
