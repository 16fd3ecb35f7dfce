//! The command line, as clap reads it: the commands, their arguments and their help.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Parallel SGD with dynamically growing batch sizes (Yu & Jin, ICML 2019), natively.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Runs an experiment given as a share link's query string and writes it as CSV to stdout.
    Run {
        /// For example 'alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7'.
        query: String,
        /// Worker threads for the nodes (the result does not depend on it). Under --mpi, per process;
        /// by default this host's cores shared among its processes.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: Option<u16>,
        /// Spread the N nodes over the processes of `mpirun -n P` (P ≤ N). Rank 0 writes the CSV,
        /// the same bytes as without --mpi. Needs a build with `--features mpi`.
        #[arg(long)]
        mpi: bool,
        /// With --mpi: write each round's measured seconds (compute, communication, wall) and bytes
        /// sent, per rank, as CSV to this file.
        #[arg(long, requires = "mpi")]
        timing: Option<PathBuf>,
        /// For tests of failures: this rank panics in its third round.
        #[arg(long, requires = "mpi", hide = true)]
        panic_on_rank: Option<usize>,
        #[command(flatten)]
        file: DataArgs,
    },
    /// Gives the link's main run and each compared one its best step size γ (and ρ for CR-PSGD, η for
    /// adaptive batches, momentum β for PSGD, local SGD and the ramp):
    /// a grid ×3 apart, scored by the mean final f − f* (‖∇f‖² where f* is unknown) over 3 seeds at
    /// the link's budget. Prints a table, then the tuned link.
    Tune {
        /// A link, with compared runs if any, e.g. 'alg=crpsgd&problem=breast-cancer&compare=psgd'.
        query: String,
        /// Runs at once (default: this machine's cores).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: Option<u16>,
        #[command(flatten)]
        file: DataArgs,
    },
    /// Under mpirun: measures this cluster's all-gather latency and bandwidth at the link's model size,
    /// and a node's time per sample gradient; prints the link parameters that make the simulated time
    /// model it (latency=…&bandwidth=…&sfo_time=…). Needs a build with `--features mpi`.
    Calibrate {
        /// The link whose problem, N and model size to calibrate for.
        query: String,
    },
    /// Re-creates the paper's two experiments: writes their figures (SVG) and prints the claims' table.
    Paper {
        /// Folder for the figures.
        #[arg(long, default_value = "docs/figures")]
        out: PathBuf,
        /// Seeds averaged in the table (1 to 8).
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=8))]
        seeds: u8,
    },
    /// Times the benchmark workloads (docs/PERFORMANCE.md) at 1 to all threads; prints JSON lines.
    Bench {
        /// Thread counts, comma-separated (default: 1, 2, 4, … and all cores).
        #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: Vec<u16>,
        /// Only the baseline vector encoding (SSE2 on x86-64), not AVX2; records say "native-baseline".
        #[arg(long)]
        baseline_simd: bool,
        /// Instead of the workloads: how a run's time grows with N, d and T, and reading and training
        /// on a generated data file of 100,000 rows (docs/PERFORMANCE.md, "Scale").
        #[arg(long)]
        scale: bool,
        /// With --scale: also draw the run times against their work into this SVG file.
        #[arg(long, requires = "scale")]
        svg: Option<PathBuf>,
    },
    /// Writes a problem's data set as the model sees it (features, then label) as CSV to stdout.
    Data {
        /// A problem name (breast-cancer, digits, synthetic) or a query string such as
        /// 'problem=synthetic&n=200&d=5&seed=3', or 'problem=data&…' with --data.
        problem: String,
        #[command(flatten)]
        file: DataArgs,
    },
    /// Defines the lab's terms (SFO, f*, the PL condition, B_noise, ρ, γ, …), in the words of the
    /// page's glossary; a parameter's entry is its help text.
    Glossary,
}

/// The data file of a problem=data link.
#[derive(clap::Args)]
pub struct DataArgs {
    /// The CSV or LIBSVM file a problem=data link trains on (README, "Bring your data").
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Most memory the data set may take as the model sees it, in MB of 64-bit floats (default: 80%
    /// of the memory this machine has available).
    #[arg(long, value_name = "MB", requires = "data")]
    pub max_mb: Option<f64>,
}
