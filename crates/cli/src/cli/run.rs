//! `dynabatch run`: a link's run, its CSV on stdout and a progress bar on stderr; with `--mpi`, its
//! nodes spread over the processes of `mpirun`.

use super::args::DataArgs;
use super::{across_processes, cores, parse, pool, say, unwritten, Stop};
use dynabatch_core::algorithms::{Progress, Trainer};
use dynabatch_core::metrics::csv_header;
use dynabatch_pool::Awake;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Exit status for a run whose loss became NaN or infinite, or ran away (its CSV is still written in full).
const DIVERGED: u8 = 3;

/// What a run shows: its CSV and a progress bar, or nothing (MPI ranks other than 0).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Csv,
    Silent,
}

/// Runs the link in this process, its nodes on `threads` threads (default: this machine's cores).
pub fn run(query: &str, threads: Option<u16>, file: &DataArgs) -> Result<ExitCode, Stop> {
    let experiment = parse(query)?;
    let data = file.read_for(&experiment)?;
    let threads = threads.map_or_else(cores, usize::from);
    pool(threads)?.install(|| {
        let trainer = match &data {
            Some(data) => Trainer::with_data(&experiment, data),
            None => Trainer::new(&experiment),
        };
        train(trainer, experiment.budget, Report::Csv, cores())
    })
}

/// `run --mpi`: the link's nodes spread over the processes of `mpirun` (`--features mpi`).
pub fn spread(
    query: &str,
    threads: Option<u16>,
    timing: Option<&Path>,
    panic_on_rank: Option<usize>,
    file: &DataArgs,
) -> Result<ExitCode, Stop> {
    let experiment = parse(query)?;
    let data = file.read_for(&experiment)?;
    across_processes::run(&experiment, data.as_ref(), threads, timing, panic_on_rank)
}

/// Runs `trainer` to its end on the current pool, whose other threads poll between rounds while the
/// rounds spread (`cores`: what they may take); `budget` is the samples per node, for the progress bar.
pub fn train(
    mut trainer: Trainer,
    budget: u64,
    report: Report,
    cores: usize,
) -> Result<ExitCode, Stop> {
    let (mut out, bar): (Box<dyn Write>, _) = match report {
        Report::Csv => (
            Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            ProgressBar::new(budget),
        ),
        Report::Silent => (Box::new(std::io::sink()), ProgressBar::hidden()),
    };
    let bar = bar.with_style(
        ProgressStyle::with_template(
            "{spinner} round {msg} {wide_bar} {pos}/{len} SFO per node ({eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut write = |line: &str| out.write_all(line.as_bytes()).map_err(unwritten);
    let start = trainer.start_row();
    write(&csv_header(start.point.is_some()))?;
    write(&start.csv_line())?;
    let mut awake = None;
    loop {
        Awake::hold_while_spread(&mut awake, trainer.next_round_spreads(), cores);
        let Some(row) = trainer.step() else { break };
        write(&row.csv_line())?;
        bar.set_position(row.sfo);
        bar.set_message(row.round.to_string());
    }
    bar.finish_and_clear();
    out.flush().map_err(unwritten)?;
    if let Progress::Diverged { round, quantity } = trainer.progress() {
        if report == Report::Silent {
            return Ok(ExitCode::from(DIVERGED));
        }
        say(&format!(
            "diverged: {} (try a smaller gamma)",
            Progress::divergence(quantity, round)
        ));
        return Ok(ExitCode::from(DIVERGED));
    }
    Ok(ExitCode::SUCCESS)
}
