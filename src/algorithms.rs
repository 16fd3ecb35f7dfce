//! Algorithm 1 of Yu & Jin (ICML 2019), CR-PSGD, and its fixed-batch special case PSGD, one round at a
//! time so that callers (the CLI, the page's background run) decide when to pause, draw or stop.

use crate::experiment::{Alg, Experiment};
use crate::metrics::Row;
use crate::nodes::average_node_gradients;
use crate::problems::Objective;

/// B_t = ⌊ρ^(t−1)·B₁⌋ for t ≥ 1, saturating at `u64::MAX` (no batch that large fits any budget).
pub fn batch_size(first_batch: u64, rho: f64, t: u64) -> u64 {
    let exponent = t.saturating_sub(1) as f64;
    let size = libm::floor(libm::pow(rho, exponent) * first_batch as f64);
    if size.is_finite() && size < u64::MAX as f64 {
        size as u64
    } else {
        u64::MAX
    }
}

/// The batches a run takes: B₁, B₂, … while Σ_{τ≤t} B_τ ≤ T.
#[derive(Clone, Debug)]
pub struct Schedule {
    first_batch: u64,
    rho: f64,
    budget: u64,
    next_round: u64,
    used: u64,
}

impl Schedule {
    pub fn for_experiment(experiment: &Experiment) -> Schedule {
        let rho = match experiment.alg {
            Alg::CrPsgd => experiment.rho,
            Alg::Psgd => 1.0,
        };
        Schedule {
            first_batch: experiment.first_batch,
            rho,
            budget: experiment.budget,
            next_round: 1,
            used: 0,
        }
    }
}

impl Iterator for Schedule {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        let batch = batch_size(self.first_batch, self.rho, self.next_round);
        let used = self.used.checked_add(batch).filter(|&u| u <= self.budget)?;
        self.used = used;
        self.next_round += 1;
        Some(batch)
    }
}

/// How many communication rounds an experiment will run (known in advance: the schedule is fixed).
pub fn planned_rounds(experiment: &Experiment) -> u64 {
    match experiment.alg {
        Alg::Psgd => experiment.budget / experiment.first_batch,
        Alg::CrPsgd => Schedule::for_experiment(experiment).count() as u64,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Running,
    /// The budget allows no further round.
    Done,
    /// The loss became NaN or infinite in this round.
    Diverged {
        round: u64,
    },
}

/// One run of Algorithm 1, advanced a round at a time.
pub struct Trainer {
    objective: Objective,
    seed: u64,
    gamma: f64,
    x: Vec<f64>,
    gradient: Vec<f64>,
    schedule: Schedule,
    round: u64,
    sfo: u64,
    thread_of_node: Vec<usize>,
    threads_used: u64,
    progress: Progress,
}

impl Trainer {
    /// Builds the problem (this is where the data set is made) and starts at x₁ = 0.
    pub fn new(experiment: &Experiment) -> Trainer {
        let objective = Objective::for_experiment(experiment);
        let dim = objective.dim();
        Trainer {
            objective,
            seed: experiment.seed,
            gamma: experiment.gamma,
            x: vec![0.0; dim],
            gradient: vec![0.0; dim],
            schedule: Schedule::for_experiment(experiment),
            round: 0,
            sfo: 0,
            thread_of_node: vec![0; experiment.nodes],
            threads_used: 0,
            progress: Progress::Running,
        }
    }

    /// Row 0: the starting point.
    pub fn start_row(&self) -> Row {
        Row {
            round: 0,
            batch: 0,
            sfo: 0,
            loss: self.objective.loss(&self.x),
        }
    }

    /// Runs one round (N batch gradients, one all-reduce, one update) and returns the new state, or `None`
    /// when the run is over.
    pub fn step(&mut self) -> Option<Row> {
        if self.progress != Progress::Running {
            return None;
        }
        let Some(batch) = self.schedule.next() else {
            self.progress = Progress::Done;
            return None;
        };
        self.round += 1;
        self.sfo += batch;
        average_node_gradients(
            &self.objective,
            &self.x,
            batch,
            self.seed,
            self.round,
            &mut self.gradient,
            &mut self.thread_of_node,
        );
        self.threads_used |= self
            .thread_of_node
            .iter()
            .fold(0u64, |mask, &t| mask | 1 << (t % 64));
        let gamma = self.gamma;
        self.x
            .iter_mut()
            .zip(&self.gradient)
            .for_each(|(x, g)| *x -= gamma * g);
        let loss = self.objective.loss(&self.x);
        if !loss.is_finite() {
            self.progress = Progress::Diverged { round: self.round };
        }
        Some(Row {
            round: self.round,
            batch,
            sfo: self.sfo,
            loss,
        })
    }

    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// Which pool thread computed each node in the last round.
    pub fn thread_of_node(&self) -> &[usize] {
        &self.thread_of_node
    }

    /// How many distinct pool threads have computed nodes so far.
    pub fn threads_used(&self) -> u32 {
        self.threads_used.count_ones()
    }

    /// Runs to the end and returns every row, the starting point first.
    pub fn run_to_end(mut self) -> Vec<Row> {
        let mut rows = vec![self.start_row()];
        while let Some(row) = self.step() {
            rows.push(row);
        }
        rows
    }

    pub fn iterate(&self) -> &[f64] {
        &self.x
    }
}
