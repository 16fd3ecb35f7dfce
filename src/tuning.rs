//! The Tune button's search in the background: `dynabatch tune` (the core's `tune::Tuning`, the same
//! candidates and scores, so the same tuned link), never on the page's main thread. Two ways to run it,
//! one per build, as for runs (`runner`):
//! - `pool` (feature `threads`): a job of the run coordinator, taking turns with the runs' slices: each
//!   turn, every pool thread scores candidates for about 16 ms (a lane each), so the search has the
//!   pool and never starves the runs on screen;
//! - `worker` (the serial build): a plain Web Worker of its own runs the whole search in one lane.
//!
//! Dropping the handle stops the search: at once in the serial build (the worker is terminated), within
//! a few rounds on the pool (the coordinator looks at a flag between them).

use crate::runner::RunData;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::{self, ViewKeys};
use dynabatch_core::tune::{table_header, Tuned, Tuning};
use serde::{Deserialize, Serialize};

#[cfg(feature = "threads")]
mod pool;
#[cfg(feature = "threads")]
pub use pool::{live, PoolTuner as Tuner};
#[cfg(not(feature = "threads"))]
mod worker;
#[cfg(not(feature = "threads"))]
pub use worker::{live, WorkerTuner as Tuner};

/// What a finished search hands the page: the tuned link and the table the CLI prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The tuned link's query, `link::to_query` of the search's pick: what `dynabatch tune` prints.
    pub query: String,
    pub header: [String; 7],
    pub rows: Vec<[String; 7]>,
}

impl Outcome {
    /// The tuned link and its table, once every candidate is scored.
    fn of(tuning: &Tuning) -> Option<Outcome> {
        let (tuned, view, table) = tuning.finish()?;
        Some(Outcome {
            query: link::to_query(&tuned, &view),
            header: table_header(tuning.search().measure()),
            rows: table.iter().map(Tuned::cells).collect(),
        })
    }
}

/// Where a search in the background is.
pub enum Report {
    /// This many candidates are scored.
    Working {
        scored: usize,
    },
    Finished(Outcome),
    /// It could not start: why, in one line (the user's file changed on disk since it was read). Only
    /// the serial build reads the file again for a search; the threaded one has it in shared memory.
    #[cfg_attr(feature = "threads", allow(dead_code))]
    Failed(String),
}

/// What a search in the background offers the page, in either build. The main thread calls all of it,
/// so none of it may wait.
pub trait TuneHandle {
    /// Starts tuning this link in the background (on `data`, the user's file, for problem=data).
    fn start(experiment: Experiment, view: ViewKeys, data: Option<RunData>) -> Self;
    fn report(&self) -> Report;
}
