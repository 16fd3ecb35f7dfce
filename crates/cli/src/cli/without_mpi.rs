//! What a build without MPI says to `run --mpi` and `calibrate`: how to get a build with it.

use super::Stop;
use dynabatch_core::data::file::DataFile;
use dynabatch_core::experiment::Experiment;
use std::path::Path;
use std::process::ExitCode;

const WITHOUT_MPI: &str = "this dynabatch was built without MPI: install Open MPI (Debian and Ubuntu: apt-get install openmpi-bin libopenmpi-dev libclang-dev clang), then build it with `cargo build --release -p dynabatch-cli --features mpi`";

pub fn run(
    _: &Experiment,
    _: Option<&DataFile>,
    _: Option<u16>,
    _: Option<&Path>,
    _: Option<usize>,
) -> Result<ExitCode, Stop> {
    Err(Stop::Failed(WITHOUT_MPI.into()))
}

pub fn calibrate(_: &str) -> Result<ExitCode, Stop> {
    Err(Stop::Failed(WITHOUT_MPI.into()))
}
