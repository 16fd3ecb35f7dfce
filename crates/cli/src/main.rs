//! `dynabatch`: the native twin of the page. A thin shell over the library: it parses arguments, runs
//! the same `Trainer` the page runs, and prints the same CSV.

fn main() -> std::process::ExitCode {
    cli::main()
}

mod cli {
    use clap::{Parser, Subcommand};
    use dynabatch_core::algorithms::{Progress, Trainer};
    use dynabatch_core::data::file::{DataFile, Limit, Reader};
    use dynabatch_core::data::Dataset;
    use dynabatch_core::experiment::{Experiment, ProblemKind};
    use dynabatch_core::metrics::csv_header;
    use dynabatch_core::text::{one_line, Garbling};
    use dynabatch_pool::Awake;
    use indicatif::{ProgressBar, ProgressStyle};
    use plotters::prelude::{IntoDrawingArea, SVGBackend};
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};
    use std::process::ExitCode;

    /// Parallel SGD with dynamically growing batch sizes (Yu & Jin, ICML 2019), natively.
    #[derive(Parser)]
    #[command(version, about)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
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
            timing: Option<std::path::PathBuf>,
            /// For tests of failures: this rank panics in its third round.
            #[arg(long, requires = "mpi", hide = true)]
            panic_on_rank: Option<usize>,
            #[command(flatten)]
            file: DataArgs,
        },
        /// Gives the link's main run and each compared one its best step size γ (and ρ for CR-PSGD):
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
            out: std::path::PathBuf,
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
    }

    /// The data file of a problem=data link.
    #[derive(clap::Args)]
    struct DataArgs {
        /// The CSV or LIBSVM file a problem=data link trains on (README, "Bring your data").
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        /// Most memory the data set may take as the model sees it, in MB of 64-bit floats (default: 80%
        /// of the memory this machine has available).
        #[arg(long, value_name = "MB", requires = "data")]
        max_mb: Option<f64>,
    }

    /// Exit status for a run whose loss became NaN or infinite (its CSV is still written in full).
    const DIVERGED: u8 = 3;

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let outcome = match cli.command {
            Command::Run {
                query,
                threads,
                mpi: false,
                file,
                ..
            } => run(&query, threads, &file),
            Command::Run {
                query,
                threads,
                mpi: true,
                timing,
                panic_on_rank,
                file,
            } => parse(&query)
                .and_then(|experiment| Ok((file.read_for(&experiment)?, experiment)))
                .map_err(Stop::Failed)
                .and_then(|(data, experiment)| {
                    across_processes::run(
                        &experiment,
                        data.as_ref(),
                        threads,
                        timing.as_deref(),
                        panic_on_rank,
                    )
                }),
            Command::Calibrate { query } => built_in_problems_only("calibrate", &query)
                .and_then(|()| across_processes::calibrate(&query)),
            Command::Tune {
                query,
                threads,
                file,
            } => tune(&query, threads.map_or_else(cores, usize::from), &file),
            Command::Data { problem, file } => data(&problem, &file),
            Command::Paper { out, seeds } => paper(&out, usize::from(seeds)),
            Command::Bench {
                threads,
                baseline_simd,
                scale: false,
                ..
            } => bench(&threads, baseline_simd),
            Command::Bench {
                threads,
                scale: true,
                svg,
                ..
            } => scale(&threads, svg.as_deref()),
        };
        match outcome {
            Ok(code) => code,
            Err(Stop::ClosedPipe) => ExitCode::SUCCESS,
            Err(Stop::Failed(message)) => {
                say(&message);
                ExitCode::from(2)
            }
        }
    }

    /// Why a command stopped before its end.
    enum Stop {
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
    fn say(line: &str) {
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

    fn run(query: &str, threads: Option<u16>, file: &DataArgs) -> Result<ExitCode, Stop> {
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

    /// Calibration takes the built-in problems only, for now.
    fn built_in_problems_only(command: &str, query: &str) -> Result<(), Stop> {
        if parse(query)?.problem == ProblemKind::Data {
            return Err(Stop::Failed(format!(
                "{command} takes the built-in problems only for now (problem=data runs with `dynabatch run '<link>' --data FILE`)"
            )));
        }
        Ok(())
    }

    impl DataArgs {
        /// The link's data file, read: `None` for the built-in problems, which take no file.
        fn read_for(&self, experiment: &Experiment) -> Result<Option<DataFile>, String> {
            match (&self.data, experiment.problem) {
                (Some(path), ProblemKind::Data) => {
                    read_data(experiment, path, self.max_mb).map(Some)
                }
                (None, ProblemKind::Data) => {
                    Err("problem=data trains on a data file: give it with --data FILE".into())
                }
                (Some(_), other) => Err(format!(
                    "--data is for problem=data links, and this one has problem={}",
                    other.name()
                )),
                (None, _) => Ok(None),
            }
        }
    }

    /// Reads a data file a megabyte at a time, hashing it as it goes, with a progress bar. A link that
    /// pins `data_sha256` runs on that file only; one that does not is told the file's hash, to pin it.
    fn read_data(
        experiment: &Experiment,
        path: &Path,
        max_mb: Option<f64>,
    ) -> Result<DataFile, String> {
        let name = one_line(&path.display().to_string(), Garbling::Controls);
        let mut file = std::fs::File::open(path).map_err(|e| format!("cannot open {name}: {e}"))?;
        let size = file.metadata().ok().map(|m| m.len());
        let limit = Limit {
            bytes: u64::MAX,
            values: most_values(max_mb)?,
        };
        let mut reader = Reader::new(experiment.file_options(), limit, size);
        let bar = ProgressBar::new(size.unwrap_or(0)).with_style(
            ProgressStyle::with_template(
                "{spinner} reading {msg} {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(name.clone());
        let pinned = experiment.data_sha256;
        let mut chunk = vec![0; 1 << 20];
        loop {
            let read = match file.read(&mut chunk) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("cannot read {name}: {e}")),
            };
            // A broken file is still hashed to its end where the link pins a hash: a wrong file is
            // then told apart from a broken one.
            if reader.feed(&chunk[..read]).is_err() && pinned.is_none() {
                break;
            }
            bar.inc(read as u64);
        }
        bar.finish_and_clear();
        let (sha256, read) = reader.finish();
        experiment.check_pinned(&name, sha256)?;
        let data = read.map_err(|e| format!("{name}: {e}"))?;
        if pinned.is_none() {
            say(&format!(
                "notice: {name}: {}; its SHA-256 is {sha256}: add &data_sha256={sha256} to the link to pin it",
                data.summary()
            ));
        }
        Ok(data)
    }

    /// The most values a data set may hold: `--max-mb`, or 80% of the memory available now (Linux's
    /// MemAvailable), or no limit where that is unknown.
    fn most_values(max_mb: Option<f64>) -> Result<u64, String> {
        const BYTES_PER_VALUE: f64 = 8.0;
        match max_mb {
            Some(mb) if mb.is_finite() && mb > 0.0 => Ok((mb * 1e6 / BYTES_PER_VALUE) as u64),
            Some(mb) => Err(format!(
                "--max-mb {mb} is not a positive number of megabytes"
            )),
            None => Ok(available_memory().map_or(u64::MAX, |bytes| {
                (0.8 * bytes as f64 / BYTES_PER_VALUE) as u64
            })),
        }
    }

    /// Bytes of memory available to a new allocation, where the system says.
    fn available_memory() -> Option<u64> {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }

    mod tune;
    use tune::tune;

    /// Real nodes as MPI processes (`--features mpi`).
    #[cfg(feature = "mpi")]
    mod cluster;

    #[cfg(feature = "mpi")]
    use cluster as across_processes;

    /// What a build without MPI says to `--mpi` and `calibrate`.
    #[cfg(not(feature = "mpi"))]
    mod across_processes {
        use super::Stop;
        use std::process::ExitCode;

        const WITHOUT_MPI: &str = "this dynabatch was built without MPI: install Open MPI (Debian and Ubuntu: apt-get install openmpi-bin libopenmpi-dev libclang-dev clang), then build it with `cargo build --release -p dynabatch-cli --features mpi`";

        pub fn run(
            _: &dynabatch_core::experiment::Experiment,
            _: Option<&dynabatch_core::data::file::DataFile>,
            _: Option<u16>,
            _: Option<&std::path::Path>,
            _: Option<usize>,
        ) -> Result<ExitCode, Stop> {
            Err(Stop::Failed(WITHOUT_MPI.into()))
        }

        pub fn calibrate(_: &str) -> Result<ExitCode, Stop> {
            Err(Stop::Failed(WITHOUT_MPI.into()))
        }
    }

    /// What a run shows: its CSV and a progress bar, or nothing (MPI ranks other than 0).
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Report {
        Csv,
        Silent,
    }

    /// This machine's cores.
    fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// The nodes' thread pool (results never depend on its size). Whoever leads rounds on it holds an
    /// [`Awake`] while they spread, so the other threads do not park between rounds.
    fn pool(threads: usize) -> Result<rayon::ThreadPool, String> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| format!("cannot start {threads} threads: {e}"))
    }

    /// Runs `trainer` to its end on the current pool, whose other threads poll between rounds while the
    /// rounds spread (`cores`: what they may take); `budget` is the samples per node, for the progress bar.
    fn train(
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
            say(&format!("diverged: the {quantity} became NaN or infinite at round {round} (try a smaller gamma)"));
            return Ok(ExitCode::from(DIVERGED));
        }
        Ok(ExitCode::SUCCESS)
    }

    fn paper(out: &std::path::Path, seeds: usize) -> Result<ExitCode, Stop> {
        use dynabatch_core::paper::{self, Axis};
        std::fs::create_dir_all(out)
            .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
        let [easy, hard] = paper::adaptive_studies();
        let studies = [paper::logistic_study(), paper::network_study(), easy, hard];
        let runs: usize = studies
            .iter()
            .map(|s| s.contenders.len() * (seeds + 1))
            .sum();
        let bar = ProgressBar::new(runs as u64);
        let mut table = String::from(paper::TABLE_HEADER);
        for study in &studies {
            let mut curves = Vec::new();
            let mut summaries = Vec::new();
            for contender in &study.contenders {
                curves.push(paper::curve(contender.query, paper::SEEDS[0]));
                bar.inc(1);
                summaries.push(paper::summarize(
                    contender.query,
                    &paper::SEEDS[..seeds],
                    study.measure,
                ));
                bar.inc(seeds as u64);
            }
            for (axis, suffix) in [(Axis::Sfo, "sfo"), (Axis::Rounds, "rounds")] {
                let path = out.join(format!("{}-{suffix}.svg", study.name));
                let svg = dynabatch_plot::figures::paper_svg(study, &curves, axis)?;
                std::fs::write(&path, svg)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            table.push_str(&paper::table_rows(study, &summaries));
        }
        bar.finish_and_clear();
        print(&table)?;
        Ok(ExitCode::SUCCESS)
    }

    /// `dynabatch bench --scale`: the data file workloads, then the grid of run sizes, at each thread count.
    fn scale(threads: &[u16], svg: Option<&Path>) -> Result<ExitCode, Stop> {
        use dynabatch_core::bench;
        let counts = thread_counts(threads);
        let start = std::time::Instant::now();
        let now = move || start.elapsed().as_secs_f64() * 1000.0;
        let (rows, features) = bench::DATA_FILE_SHAPE;
        let csv = bench::generated_csv(rows, features);
        let mut runs = Vec::new();
        for threads in counts {
            let (records, grid) = pool(threads)?.install(|| {
                let _awake = Awake::new(cores());
                Ok::<_, String>((bench::data_file(&csv, &now)?, bench::scale_grid(&now)?))
            })?;
            for record in records.iter().chain(grid.iter().map(|r| &r.record)) {
                print(&format!("{}\n", record.json("native")))?;
            }
            runs.extend(grid);
        }
        if let Some(path) = svg {
            let drawn = dynabatch_plot::figures::scale_svg(&runs)?;
            std::fs::write(path, drawn)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(ExitCode::SUCCESS)
    }

    /// The thread counts asked for, or 1, 2, 4, … and all cores.
    fn thread_counts(threads: &[u16]) -> Vec<usize> {
        if threads.is_empty() {
            dynabatch_core::bench::thread_counts(cores())
        } else {
            threads.iter().map(|&t| usize::from(t)).collect()
        }
    }

    fn bench(threads: &[u16], baseline_simd: bool) -> Result<ExitCode, Stop> {
        use dynabatch_core::bench;
        let side = if baseline_simd {
            dynabatch_core::problems::simd::baseline_only();
            "native-baseline"
        } else {
            "native"
        };
        let counts = thread_counts(threads);
        let start = std::time::Instant::now();
        let now = move || start.elapsed().as_secs_f64() * 1000.0;
        for threads in counts {
            let records = pool(threads)?.install(|| {
                let _awake = Awake::new(cores());
                bench::compute_suite(&now)
            })?;
            for record in records {
                print(&format!("{}\n", record.json(side)))?;
            }
        }
        let record = dynabatch_plot::figures::bench_chart_redraw(&now, &mut |series| {
            let mut svg = String::new();
            let area = SVGBackend::with_string(&mut svg, (640, 360)).into_drawing_area();
            dynabatch_plot::chart::draw(&area, &dynabatch_plot::figures::bench_chart_spec(), series)
                .map(|_| ())
        })?;
        print(&format!("{}\n", record.json(side)))?;
        Ok(ExitCode::SUCCESS)
    }

    fn data(problem: &str, file: &DataArgs) -> Result<ExitCode, Stop> {
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
}
