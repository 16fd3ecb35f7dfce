//! `Trainer`: one run of any of the six algorithms, advanced a round at a time. This is the driver:
//! building a run, stepping it to its recorded rounds, divergence, and the rows. What each algorithm does
//! in a round is in `round`, and what decides each round's samples and step size in `plan`.

mod plan;
pub(super) mod round;

use super::cluster::Cluster;
use super::momentum::Momentum;
use super::schedule::record_every;
use crate::data::file::DataFile;
use crate::experiment::Experiment;
use crate::metrics::Row;
use crate::network::Network;
use crate::nodes::{self, on_every_node_into, Exchange, Placement};
use crate::noise::NoiseScale;
use crate::optimum;
use crate::problems::{self, math::dot, Problem};
use plan::{Plan, StepSize};
use round::{NodeMemory, Site};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Running,
    /// The budget allows no further round.
    Done,
    /// A quantity became NaN or infinite in this round, or the loss ran away ([`RUNAWAY`]).
    Diverged {
        round: u64,
        quantity: &'static str,
    },
}

/// The `quantity` of a run whose loss passed [`RUNAWAY`] times its start while still finite.
pub const RUNAWAY: &str = "runaway loss";

/// A loss this many times its start (or 1, where the start is smaller) has diverged, though finite: at
/// γ = 50 on breast cancer the loss grows twentyfold a round to 1e170 and stays finite to the end, and
/// a run that "ends" there is no result to read. No finished run's loss comes near it (the goldens'
/// largest rise is under 1000 times).
const RUNAWAY_FACTOR: f64 = 1e6;

impl Progress {
    /// What a diverged run says, in the same words in the page and the CLI.
    pub fn divergence(quantity: &str, round: u64) -> String {
        if quantity == RUNAWAY {
            format!("the loss passed a million times its start at round {round}")
        } else {
            format!("the {quantity} became NaN or infinite at round {round}")
        }
    }
}

/// What [`Trainer::step_within`] did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stepped {
    /// A recorded round.
    Row(Row),
    /// Rounds ran, none of them recorded.
    Unrecorded,
    /// The run is over (done or diverged): no round ran.
    Over,
}

pub struct Trainer {
    problem: Box<dyn Problem>,
    f_star: Option<f64>,
    seed: u64,
    step_size: StepSize,
    theta: f64,
    rho: f64,
    first_batch: u64,
    every: u64,
    plan: Plan,
    x: Vec<f64>,
    direction: Vec<f64>,
    /// Heavy-ball momentum's velocity (none at β = 0); for local SGD, the nodes' average.
    momentum: Momentum,
    round: u64,
    sfo: u64,
    nodes: Vec<NodeMemory>,
    thread_of_node: Vec<usize>,
    threads_used: u64,
    /// Where the latest round's nodes ran: a recorded row's f and ∇f run alike (`measure`).
    placement: Placement,
    progress: Progress,
    network: Network,
    time: f64,
    comm_bytes: u64,
    /// The gradient noise scale, smoothed over the rounds so far.
    noise_scale: NoiseScale,
    /// Where the nodes are computed.
    site: Site,
    /// Rounds of less work than this (samples × parameters over this process's nodes) run on one thread.
    spread_min_work: u64,
    /// A loss above this has run away: [`RUNAWAY_FACTOR`] times the loss at the start, measured before
    /// the first round.
    runaway_above: f64,
}

impl Trainer {
    /// Builds the problem (and its data set), finds f* where it can, and starts at x₁.
    ///
    /// # Panics
    /// For problem=data, which trains on a user's file: see [`Trainer::with_data`].
    pub fn new(experiment: &Experiment) -> Trainer {
        Trainer::build(experiment, None)
    }

    /// As [`Trainer::new`], for problem=data: on the user's file, read with this experiment's options
    /// (`Experiment::file_options`). Runs on one file share its data set.
    pub fn with_data(experiment: &Experiment, data: &DataFile) -> Trainer {
        Trainer::build(experiment, Some(data))
    }

    fn build(experiment: &Experiment, data: Option<&DataFile>) -> Trainer {
        let problem = problems::build(experiment, data);
        let f_star = optimum::reference(experiment, data, problem.as_ref());
        let x = problem.initial_point();
        let x_len = x.len();
        let plan = Plan::new(experiment, &x);
        let nodes = (0..experiment.nodes)
            .map(|_| NodeMemory::for_experiment(experiment, x_len))
            .collect();
        Trainer {
            f_star,
            seed: experiment.seed,
            step_size: StepSize::new(experiment),
            theta: experiment.theta,
            rho: experiment.rho,
            first_batch: experiment.first_batch,
            every: record_every(experiment),
            plan,
            direction: vec![0.0; x.len()],
            momentum: Momentum::new(experiment.momentum, x_len),
            x,
            problem,
            round: 0,
            sfo: 0,
            nodes,
            thread_of_node: vec![0; experiment.nodes],
            threads_used: 0,
            placement: Placement::Here,
            progress: Progress::Running,
            network: Network::new(experiment, x_len),
            time: 0.0,
            comm_bytes: 0,
            noise_scale: NoiseScale::default(),
            site: Site::Pool,
            spread_min_work: nodes::SPREAD_MIN_WORK,
            runaway_above: f64::INFINITY,
        }
    }

    /// As [`Trainer::new`], with the nodes spread over processes: this one computes its block of them
    /// ([`nodes_of`](crate::nodes::nodes_of)) and swaps results with the others every round. Built from
    /// the same experiment on every process, each then holds the iterate a single process would, bit for
    /// bit. More processes than nodes is an error.
    /// `data` is problem=data's file, as for [`Trainer::with_data`].
    pub fn spread(
        experiment: &Experiment,
        data: Option<&DataFile>,
        exchange: Box<dyn Exchange>,
    ) -> Result<Trainer, String> {
        let mut trainer = Trainer::build(experiment, data);
        trainer.site = Site::Cluster(Cluster::new(exchange, &trainer.nodes)?);
        Ok(trainer)
    }

    /// Computes every node on the calling thread from now on, one after another, whatever pool it is
    /// on: for a shell that runs many small runs at once, one per thread (the CLI's and the page's
    /// tune). The results are the same bits (they never depend on threads).
    pub fn on_this_thread(mut self) -> Trainer {
        self.site = Site::ThisThread;
        self
    }

    /// Row 0: the starting point.
    pub fn start_row(&self) -> Row {
        let placement = self
            .peek_next_round_samples()
            .map_or(Placement::Here, |samples| self.placement(samples));
        self.measure(0, placement)
    }

    /// Runs rounds up to the next recorded one (every `every` rounds, the last round, or a divergence)
    /// and returns its row; `None` once the run is over.
    pub fn step(&mut self) -> Option<Row> {
        loop {
            match self.step_within(u64::MAX) {
                Stepped::Row(row) => return Some(row),
                Stepped::Over => return None,
                Stepped::Unrecorded => {}
            }
        }
    }

    /// As `step`, but returns after `max_rounds` rounds even if none of them was recorded, so that a
    /// caller can look up between them (a run whose rows are far apart can still be cancelled).
    pub fn step_within(&mut self, max_rounds: u64) -> Stepped {
        for _ in 0..max_rounds {
            if self.progress != Progress::Running {
                return Stepped::Over;
            }
            let Some(samples) = self.next_round_samples() else {
                self.progress = Progress::Done;
                return Stepped::Over;
            };
            if self.round == 0 {
                let start = self.problem.loss(&self.x).abs().max(1.0);
                self.runaway_above = RUNAWAY_FACTOR * start;
            }
            self.round += 1;
            let used_before = self.sfo;
            self.sfo += samples;
            let cost = self.network.round(samples);
            self.time += cost.seconds;
            self.comm_bytes += cost.bytes_per_node;
            self.run_round(samples, used_before);
            let iterate_ok = self.x.iter().all(|v| v.is_finite());
            if !iterate_ok || self.round.is_multiple_of(self.every) || !self.has_next_round() {
                let row = self.measure(self.batch_of(samples), self.placement);
                let runaway = row.loss > self.runaway_above;
                if !iterate_ok || !row.loss.is_finite() || !row.grad_norm.is_finite() || runaway {
                    let quantity = if !iterate_ok {
                        "iterate"
                    } else if !row.loss.is_finite() {
                        "loss"
                    } else if !row.grad_norm.is_finite() {
                        "gradient"
                    } else {
                        RUNAWAY
                    };
                    self.progress = Progress::Diverged {
                        round: self.round,
                        quantity,
                    };
                }
                return Stepped::Row(row);
            }
        }
        if self.progress == Progress::Running {
            Stepped::Unrecorded
        } else {
            Stepped::Over
        }
    }

    /// One round of `samples` per node from the point `x`, outside the schedule (nothing is recorded or
    /// counted but the round number, which keys the nodes' sample streams), and the direction it
    /// computed: the averaged gradient (for local SGD, the averaged models). The benchmark times the
    /// trainer's real round with it.
    pub fn round_from(&mut self, x: &[f64], samples: u64) -> &[f64] {
        self.x.copy_from_slice(x);
        self.round += 1;
        self.run_round(samples, self.sfo);
        match self.plan {
            Plan::Local { .. } => &self.x,
            _ => &self.direction,
        }
    }

    /// The row of the current iterate. f and ∇f over every example are two passes independent of each
    /// other: where the round's nodes were spread (`placement`), they run on two pool threads at once
    /// (the threads are awake then: whoever leads spread rounds keeps them so), else one after the other.
    /// Each is the same computation either way, so the row is the same bits.
    fn measure(&self, batch: u64, placement: Placement) -> Row {
        let (problem, x) = (self.problem.as_ref(), &self.x[..]);
        let mut parts = [(0.0, Vec::new()), (0.0, vec![0.0; x.len()])];
        on_every_node_into(
            placement,
            &mut [0; 2],
            &mut parts,
            |part, (loss, gradient)| {
                if part == 0 {
                    *loss = problem.loss(x);
                } else {
                    problem.gradient(x, gradient);
                }
            },
        );
        let [(loss, _), (_, gradient)] = parts;
        let outer = match &self.plan {
            Plan::Catalyst { outer, .. } if self.round > 0 => *outer,
            _ => 0,
        };
        Row {
            round: self.round,
            batch,
            sfo: self.sfo,
            loss,
            subopt: self.f_star.map(|f| loss - f),
            grad_norm: libm::sqrt(dot(&gradient, &gradient)),
            outer,
            time: self.time,
            comm_bytes: self.comm_bytes,
            noise_scale: self.noise_scale.value(),
            point: (self.x.len() == 2).then(|| [self.x[0], self.x[1]]),
        }
    }

    /// Runs to the end and returns every recorded row, the starting point first.
    pub fn run_to_end(mut self) -> Vec<Row> {
        let mut rows = vec![self.start_row()];
        while let Some(row) = self.step() {
            rows.push(row);
        }
        rows
    }

    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// How many f64 values a node's round result takes when the nodes are spread over processes
    /// ([`Trainer::spread`]): what `dynabatch calibrate` times the all-gather at.
    pub fn exchanged_per_node(&self) -> usize {
        self.nodes.first().map_or(0, NodeMemory::record_len)
    }

    /// Which pool thread computed each node in the last round.
    pub fn thread_of_node(&self) -> &[usize] {
        &self.thread_of_node
    }

    /// Whether the next round's nodes will be spread over the current pool's threads (false once the
    /// run is over): who leads rounds keeps the other threads awake only for those.
    pub fn next_round_spreads(&self) -> bool {
        self.peek_next_round_samples()
            .is_some_and(|samples| self.placement(samples) == Placement::Spread)
    }

    /// Rounds of less work than `work` (samples × parameters over the nodes) then run on the calling
    /// thread, instead of [`nodes::SPREAD_MIN_WORK`]: for the benchmark that times both placements
    /// (`bench::split`). Results do not change.
    pub fn set_spread_min_work(&mut self, work: u64) {
        self.spread_min_work = work;
    }

    /// How many distinct pool threads have computed nodes so far.
    pub fn threads_used(&self) -> u32 {
        self.threads_used.count_ones()
    }

    pub fn round(&self) -> u64 {
        self.round
    }

    pub fn iterate(&self) -> &[f64] {
        &self.x
    }

    /// The problem it trains on, built with its data: for what a shell computes beside f* (its
    /// curvature, `conditioning::at_optimum`) without building the data set again.
    pub fn problem(&self) -> &dyn Problem {
        self.problem.as_ref()
    }
}
