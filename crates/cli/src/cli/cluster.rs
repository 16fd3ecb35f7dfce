//! Real nodes as MPI processes: `mpirun -n P dynabatch run '<link>' --mpi`, and `dynabatch calibrate`.
//!
//! The core spreads a run's nodes over processes given an [`Exchange`] (`Trainer::spread`); this is the
//! MPI one, an all-gather over `MPI_COMM_WORLD`. Every rank computes every row (the same bits); rank 0
//! writes them. Whatever could end one rank and not the others is agreed on first (`agree`), because a
//! rank that leaves early would leave the others waiting in their next all-gather.

use super::run::{train, Report};
use super::{cores, parse, pool, print, say, Stop};
use dynabatch_core::algorithms::Trainer;
use dynabatch_core::data::file::DataFile;
use dynabatch_core::data::Dataset;
use dynabatch_core::experiment::{Experiment, ProblemKind};
use dynabatch_core::network::BYTES_PER_PARAMETER;
use dynabatch_core::nodes::{self, Exchange};
use dynabatch_core::rng::{Purpose, Stream};
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi::Threading;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The exit status of a job in which a rank panicked.
const PANICKED: i32 = 101;

/// MPI in this process: started by [`start`], finalized when dropped.
struct Mpi {
    world: SimpleCommunicator,
    _universe: Universe,
}

fn start() -> Result<Mpi, String> {
    // The nodes' pool threads make the MPI calls (from inside `ThreadPool::install`), one at a time.
    let (universe, threading) =
        mpi::initialize_with_threading(Threading::Serialized).ok_or("MPI was started twice")?;
    if threading < Threading::Serialized {
        return Err(format!(
            "this MPI library supports threads only as {threading:?}; dynabatch needs Serialized"
        ));
    }
    // A panicking rank must end the job: unwinding would finalize MPI while the other ranks wait in their
    // next all-gather, and the job would hang.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info);
        SimpleCommunicator::world().abort(PANICKED)
    }));
    let launched = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"]
        .iter()
        .any(|name| std::env::var_os(name).is_some());
    if !launched {
        say("notice: not started by mpirun, so this is one process: start P of them with `mpirun -n P dynabatch … --mpi`");
    }
    Ok(Mpi {
        world: universe.world(),
        _universe: universe,
    })
}

impl Mpi {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    fn ranks(&self) -> usize {
        self.world.size() as usize
    }

    /// Threads for this rank: this host's cores, shared among the ranks on it. A collective (by default).
    fn threads(&self, asked: Option<u16>) -> usize {
        asked.map_or_else(
            || {
                let here = self.world.split_shared(self.world.rank()).size() as usize;
                (cores() / here.max(1)).max(1)
            },
            usize::from,
        )
    }

    /// `mine` if every rank got `Ok`, else an error on every rank: its own, or which rank failed. Called
    /// by all ranks, before anything that a failure on one of them would leave waiting.
    fn agree<T>(&self, mine: Result<T, String>) -> Result<T, String> {
        let failed = u8::from(mine.is_err());
        let mut all = vec![0u8; self.ranks()];
        self.world.all_gather_into(&failed, &mut all[..]);
        match (mine, all.iter().position(|&f| f == 1)) {
            (Err(message), _) => Err(message),
            (Ok(_), Some(rank)) => Err(format!("rank {rank} failed (its message is above)")),
            (Ok(value), None) => Ok(value),
        }
    }

    /// Ends a failure that every rank has agreed on: each says it, then they wait for each other, so
    /// that mpirun, which ends the job when the first rank exits, has every rank's line.
    fn fail_together(&self, message: &str) -> ExitCode {
        say(message);
        self.world.barrier();
        ExitCode::from(2)
    }

    /// An error on every rank unless each was given the same link and data.
    fn check_same_run(
        &self,
        experiment: &Experiment,
        data: Option<&DataFile>,
    ) -> Result<(), String> {
        let mine = fingerprint(experiment, data);
        let mut all = vec![0u64; self.ranks()];
        self.world.all_gather_into(&mine, &mut all[..]);
        match all.iter().position(|&theirs| theirs != all[0]) {
            None => Ok(()),
            Some(rank) => Err(format!(
                "rank {rank} was given another link or data than rank 0 (fingerprints {:016x} and {:016x}): give every rank the same link and the same binary",
                all[rank], all[0]
            )),
        }
    }
}

/// A hash of the link, of the data set it trains on (a user's file by its SHA-256), and of this version.
fn fingerprint(experiment: &Experiment, data: Option<&DataFile>) -> u64 {
    // SipHash with fixed keys: the same on every rank of the same binary.
    let mut hash = std::hash::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hash);
    experiment.to_query().hash(&mut hash);
    if let Some(data) = data {
        data.sha256.to_string().hash(&mut hash);
    } else if experiment.problem != ProblemKind::Landscape {
        let data = Dataset::for_experiment(experiment);
        data.features
            .iter()
            .for_each(|x| x.to_bits().hash(&mut hash));
        data.labels.classes().hash(&mut hash);
    }
    hash.finish()
}

/// One round as a rank measured it.
#[derive(Clone, Copy)]
struct RoundTiming {
    /// From the end of the last all-gather to the start of this one: the nodes' work, and the rows.
    compute: f64,
    /// The all-gather.
    communication: f64,
    /// `(P − 1)` × this rank's part: what it must send for every other rank to have it.
    bytes_sent: u64,
}

#[derive(Default)]
struct Stopwatch {
    last: Option<Instant>,
    rounds: Vec<RoundTiming>,
}

/// The core's exchange over `MPI_COMM_WORLD`.
struct MpiExchange {
    rank: usize,
    ranks: usize,
    /// Filled when `--timing` asks for it.
    stopwatch: Option<Arc<Mutex<Stopwatch>>>,
    /// A test's fault: this rank panics in its third round (`--panic-on-rank`).
    panic_on_rank: Option<usize>,
    rounds: u64,
}

impl Exchange for MpiExchange {
    fn rank(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.ranks
    }

    fn all_gather(&mut self, mine: &[f64], all: &mut [f64]) {
        self.rounds += 1;
        if self.panic_on_rank == Some(self.rank) && self.rounds == 3 {
            panic!("a fault injected by --panic-on-rank {}", self.rank);
        }
        let start = Instant::now();
        SimpleCommunicator::world().all_gather_into(mine, all);
        let Some(stopwatch) = &self.stopwatch else {
            return;
        };
        let end = Instant::now();
        let mut stopwatch = stopwatch.lock().unwrap_or_else(|e| e.into_inner());
        let compute = stopwatch
            .last
            .map_or(0.0, |last| (start - last).as_secs_f64());
        stopwatch.rounds.push(RoundTiming {
            compute,
            communication: (end - start).as_secs_f64(),
            bytes_sent: (self.ranks as u64 - 1) * (mine.len() as u64) * 8,
        });
        stopwatch.last = Some(end);
    }
}

pub fn run(
    experiment: &Experiment,
    data: Option<&DataFile>,
    threads: Option<u16>,
    timing: Option<&Path>,
    panic_on_rank: Option<usize>,
) -> Result<ExitCode, Stop> {
    let mpi = start()?;
    let stopwatch = timing.map(|_| Arc::new(Mutex::new(Stopwatch::default())));
    let exchange = MpiExchange {
        rank: mpi.rank(),
        ranks: mpi.ranks(),
        stopwatch: stopwatch.clone(),
        panic_on_rank,
        rounds: 0,
    };
    let threads = mpi.threads(threads);
    let (trainer, pool, timing_file) =
        match prepare(&mpi, experiment, data, exchange, threads, timing) {
            Ok(prepared) => prepared,
            Err(message) => return Ok(mpi.fail_together(&message)),
        };
    let report = if mpi.rank() == 0 {
        Report::Csv
    } else {
        Report::Silent
    };
    let ended = pool.install(|| {
        if let Some(stopwatch) = &stopwatch {
            stopwatch.lock().unwrap_or_else(|e| e.into_inner()).last = Some(Instant::now());
        }
        train(trainer, experiment.budget, report, threads)
    });
    let code = match ended {
        Ok(code) => code,
        // Only rank 0 writes, so only it can fail here, and the others may still be running: end them.
        Err(Stop::Failed(message)) => {
            say(&message);
            mpi.world.abort(2)
        }
        Err(Stop::ClosedPipe) => mpi.world.abort(0),
    };
    if let Some(stopwatch) = stopwatch {
        let rounds =
            std::mem::take(&mut stopwatch.lock().unwrap_or_else(|e| e.into_inner()).rounds);
        write_timing(&mpi, &rounds, timing_file)?;
    }
    Ok(code)
}

/// Everything that could fail before the run, agreed on by every rank.
fn prepare(
    mpi: &Mpi,
    experiment: &Experiment,
    data: Option<&DataFile>,
    exchange: MpiExchange,
    threads: usize,
    timing: Option<&Path>,
) -> Result<(Trainer, rayon::ThreadPool, Option<std::fs::File>), String> {
    mpi.check_same_run(experiment, data)?;
    // Rank 0 opens the timing file now, so that a path it cannot write fails every rank before the run.
    let timing_file = mpi.agree(match timing {
        Some(path) if mpi.rank() == 0 => std::fs::File::create(path)
            .map(Some)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        _ => Ok(None),
    })?;
    let trainer = mpi.agree(Trainer::spread(experiment, data, Box::new(exchange)))?;
    let pool = mpi.agree(pool(threads))?;
    Ok((trainer, pool, timing_file))
}

/// Gathers every rank's round timings on rank 0, which writes them (rank by rank within each round).
fn write_timing(
    mpi: &Mpi,
    rounds: &[RoundTiming],
    file: Option<std::fs::File>,
) -> Result<(), String> {
    // Every rank ran the same rounds, so the parts are the same size.
    let mine: Vec<f64> = rounds
        .iter()
        .flat_map(|r| [r.compute, r.communication, r.bytes_sent as f64])
        .collect();
    let root = mpi.world.process_at_rank(0);
    let Some(file) = file else {
        root.gather_into(&mine[..]);
        return Ok(());
    };
    let mut all = vec![0.0; mine.len() * mpi.ranks()];
    root.gather_into_root(&mine[..], &mut all[..]);
    let mut out = std::io::BufWriter::new(file);
    let mut text = String::from("round,rank,compute_s,communication_s,wall_s,bytes_sent\n");
    for round in 0..rounds.len() {
        for rank in 0..mpi.ranks() {
            let at = (rank * rounds.len() + round) * 3;
            let [compute, communication, bytes] = [all[at], all[at + 1], all[at + 2]];
            text.push_str(&format!(
                "{},{rank},{compute:.9},{communication:.9},{:.9},{bytes}\n",
                round + 1,
                compute + communication
            ));
        }
    }
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the timing file: {e}"))
}

/// How long `work` takes on average, over about `at_least` of calls: the slowest rank's mean, since a
/// round waits for its slowest rank. `work` may be a collective, so every rank makes the same number of
/// calls: rank 0 picks it from ten untimed ones.
fn slowest_mean(mpi: &Mpi, at_least: Duration, mut work: impl FnMut()) -> f64 {
    let timed = |work: &mut dyn FnMut(), calls: u64| {
        mpi.world.barrier();
        let start = Instant::now();
        (0..calls).for_each(|_| work());
        start.elapsed().as_secs_f64() / calls as f64
    };
    let pilot = timed(&mut work, 10);
    let mut calls = (at_least.as_secs_f64() / pilot.max(1e-9)).clamp(10.0, 1e7) as u64;
    mpi.world.process_at_rank(0).broadcast_into(&mut calls);
    let mean = timed(&mut work, calls);
    let mut all = vec![0.0; mpi.ranks()];
    mpi.world.all_gather_into(&mean, &mut all[..]);
    all.into_iter().fold(0.0, f64::max)
}

pub fn calibrate(query: &str) -> Result<ExitCode, Stop> {
    let experiment = parse(query)?;
    let n = experiment.nodes;
    if n < 2 {
        return Err(Stop::Failed(
            "calibrate needs N ≥ 2 nodes: a single node sends nothing".into(),
        ));
    }
    let mpi = start()?;
    let ranks = mpi.ranks();
    let checked = mpi
        .check_same_run(&experiment, None)
        .and_then(|()| mpi.agree(nodes::fit(ranks, n)));
    if let Err(message) = checked {
        return Ok(mpi.fail_together(&message));
    }
    let trainer = Trainer::new(&experiment);
    let parameters = trainer.iterate().len();
    let part = n.div_ceil(ranks) * trainer.exchanged_per_node();
    let (one, mut one_all) = ([0.0f64], vec![0.0; ranks]);
    let small = slowest_mean(&mpi, Duration::from_millis(300), || {
        mpi.world.all_gather_into(&one[..], &mut one_all[..]);
    });
    let (mine, mut all) = (vec![0.0f64; part], vec![0.0; part * ranks]);
    let large = slowest_mean(&mpi, Duration::from_millis(300), || {
        mpi.world.all_gather_into(&mine[..], &mut all[..]);
    });
    // One node's sample gradients at the starting point, in batches of the link's first (per sample, a
    // larger batch costs less: CR-PSGD's growing batches are modelled a little slow).
    let problem = dynabatch_core::problems::build(&experiment, None);
    let (x, mut gradient) = (problem.initial_point(), vec![0.0; parameters]);
    let batch = experiment.first_batch;
    let mut stream = Stream::new(experiment.seed, Purpose::Node { node: 0, round: 1 });
    let per_batch = slowest_mean(&mpi, Duration::from_millis(300), || {
        problem.minibatch_gradient(&x, &mut stream, batch, &mut gradient);
    });
    // Map onto the page's model of a round (`Network::round`): 2(N − 1) latencies, then 2(N − 1)/N of the
    // model's bytes per node at `bandwidth`, and samples × sfo_time of compute on each node at once. Here a
    // rank's threads take its nodes in turn, so a sample costs that many nodes' gradients.
    let messages = 2.0 * (n as f64 - 1.0);
    let latency_ms = small / messages * 1e3;
    let bytes_per_node = 2 * (n as u64 - 1) * parameters as u64 * BYTES_PER_PARAMETER / n as u64;
    // All-gathers of a small model can be as fast as one value: then the bandwidth is the highest allowed.
    let bandwidth_mb_s =
        (bytes_per_node as f64 / (large - small).max(1e-12) / 1e6).clamp(0.001, 1e6);
    let threads = mpi.threads(None);
    let nodes_in_turn = n.div_ceil(ranks).div_ceil(threads);
    let sfo_time_us = per_batch / batch as f64 * nodes_in_turn as f64 * 1e6;
    if mpi.rank() == 0 {
        say(&format!(
            "{ranks} processes, {threads} thread(s) each: an all-gather of 1 value takes {:.1} µs, of {part} values per process {:.1} µs; a sample gradient {:.3} µs, {nodes_in_turn} node(s) in turn per thread",
            small * 1e6,
            large * 1e6,
            per_batch / batch as f64 * 1e6,
        ));
        print(&format!(
            "latency={}&bandwidth={}&sfo_time={}\n",
            significant(latency_ms),
            significant(bandwidth_mb_s),
            significant(sfo_time_us)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Three significant digits, as plain decimals a link reads well with.
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.decimals$}")
}
