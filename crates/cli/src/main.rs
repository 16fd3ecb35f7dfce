//! `dynabatch`: the native twin of the page. A thin shell over the library: it parses arguments, runs
//! the same `Trainer` the page runs, and prints the same CSV.
//!
//! `main` only turns the outcome into an exit status, `try_main` parses the arguments, and `dispatch`
//! hands each command to its own module under `cli/`.

mod cli;

use clap::Parser;
use cli::args::{Cli, Command};
use cli::{say, Stop};
use std::process::ExitCode;

fn main() -> ExitCode {
    match try_main() {
        Ok(code) => code,
        Err(Stop::ClosedPipe) => ExitCode::SUCCESS,
        Err(Stop::Failed(message)) => {
            say(&message);
            ExitCode::from(2)
        }
    }
}

fn try_main() -> Result<ExitCode, Stop> {
    dispatch(Cli::parse().command)
}

fn dispatch(command: Command) -> Result<ExitCode, Stop> {
    match command {
        Command::Run {
            query,
            threads,
            mpi: false,
            file,
            ..
        } => cli::run::run(&query, threads, &file),
        Command::Run {
            query,
            threads,
            mpi: true,
            timing,
            panic_on_rank,
            file,
        } => cli::run::spread(&query, threads, timing.as_deref(), panic_on_rank, &file),
        Command::Calibrate { query } => cli::calibrate::calibrate(&query),
        Command::Tune {
            query,
            threads,
            file,
        } => cli::tune::tune(&query, threads.map_or_else(cli::cores, usize::from), &file),
        Command::Data { problem, file } => cli::data::data(&problem, &file),
        Command::Paper { out, seeds } => cli::paper::paper(&out, usize::from(seeds)),
        Command::Glossary => cli::glossary::glossary(),
        Command::Bench {
            threads,
            baseline_simd,
            scale: false,
            ..
        } => cli::bench::bench(&threads, baseline_simd),
        Command::Bench {
            threads,
            scale: true,
            svg,
            ..
        } => cli::bench::scale(&threads, svg.as_deref()),
    }
}
