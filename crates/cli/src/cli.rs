//! The commands, a module each, and what they share: how a command stops, how it writes to stdout and
//! stderr, how it reads a link, and the nodes' thread pool.

pub mod args;
pub mod bench;
pub mod calibrate;
pub mod data;
mod file;
pub mod glossary;
pub mod paper;
pub mod run;
pub mod tune;

/// Real nodes as MPI processes (`--features mpi`).
#[cfg(feature = "mpi")]
mod cluster;
#[cfg(feature = "mpi")]
use cluster as across_processes;

#[cfg(not(feature = "mpi"))]
mod without_mpi;
#[cfg(not(feature = "mpi"))]
use without_mpi as across_processes;

use dynabatch_core::experiment::Experiment;
use std::io::Write;

/// Why a command stopped before its end.
pub enum Stop {
    /// What went wrong, in one line for stderr (exit status 2).
    Failed(String),
    /// Whoever read stdout has gone (`dynabatch run … | head`): what they wanted is written, so the
    /// command ends quietly, as command-line tools do.
    ClosedPipe,
}

impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop::Failed(message)
    }
}

/// Writes `dynabatch: <line>` to stderr in one write, so that MPI ranks' lines do not interleave
/// (`eprintln!` writes the pieces of its format one by one).
pub fn say(line: &str) {
    let _ = std::io::stderr().write_all(format!("dynabatch: {line}\n").as_bytes());
}

/// A failed write to stdout.
fn unwritten(e: std::io::Error) -> Stop {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Stop::ClosedPipe
    } else {
        Stop::Failed(format!("cannot write: {e}"))
    }
}

/// Writes `text` to stdout (`print!` would panic on a closed pipe).
fn print(text: &str) -> Result<(), Stop> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(unwritten)
}

/// A page's link works here too: its view keys (compare, hide, embed) are checked, then left to the page.
fn parse(query: &str) -> Result<Experiment, String> {
    dynabatch_core::link::parse_strict(query)
        .map(|(experiment, _)| experiment)
        .map_err(|notice| notice.problem)
}

/// This machine's cores.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The nodes' thread pool (results never depend on its size). Whoever leads rounds on it holds an
/// [`Awake`](dynabatch_pool::Awake) while they spread, so the other threads do not park between rounds.
fn pool(threads: usize) -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))
}
