//! `dynabatch calibrate`: under mpirun, the link parameters that make the simulated cluster model this
//! one (the measuring is MPI's, `cluster::calibrate`).

use super::{across_processes, parse, Stop};
use dynabatch_core::experiment::ProblemKind;
use std::process::ExitCode;

/// Calibrates for the link's problem, N and model size; the built-in problems only, for now.
pub fn calibrate(query: &str) -> Result<ExitCode, Stop> {
    if parse(query)?.problem == ProblemKind::Data {
        return Err(Stop::Failed(
            "calibrate takes the built-in problems only for now (problem=data runs with `dynabatch run '<link>' --data FILE`)".into(),
        ));
    }
    across_processes::calibrate(query)
}
