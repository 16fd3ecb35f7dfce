//! `dynabatch data`: a problem's data set as the model sees it, as CSV on stdout.

use super::args::DataArgs;
use super::{parse, unwritten, Stop};
use dynabatch_core::data::Dataset;
use dynabatch_core::experiment::ProblemKind;
use std::io::Write;
use std::process::ExitCode;

/// Writes the data set of `problem`, a problem's name or a link (problem=data's on `file`).
pub fn data(problem: &str, file: &DataArgs) -> Result<ExitCode, Stop> {
    let query = if problem.contains('=') {
        problem.to_string()
    } else {
        format!("problem={problem}")
    };
    let experiment = parse(&query)?;
    if experiment.problem == ProblemKind::Landscape {
        return Err(Stop::Failed(
            "problem=landscape is a closed-form function and has no data set".into(),
        ));
    }
    let read = file.read_for(&experiment)?;
    let built;
    let dataset = match &read {
        Some(data) => &data.dataset,
        None => {
            built = Dataset::for_experiment(&experiment);
            &built
        }
    };
    // A line at a time: a user's matrix may be larger than its text could be held.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    dataset
        .write_csv(|line| out.write_all(line.as_bytes()))
        .and_then(|()| out.flush())
        .map_err(unwritten)?;
    Ok(ExitCode::SUCCESS)
}
