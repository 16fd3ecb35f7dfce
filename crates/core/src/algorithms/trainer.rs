//! `Trainer`: one run of any of the four algorithms, advanced a round at a time.

use super::cluster::Cluster;
use super::schedule::{catalyst_shape, local_schedule, local_steps, record_every, Schedule};
use crate::data::file::DataFile;
use crate::experiment::{Alg, Experiment};
use crate::metrics::Row;
use crate::network::Network;
use crate::nodes::{self, average_in_node_order, on_every_node_into, Exchange, Placement};
use crate::noise::{NoiseScale, TwoBatch};
use crate::optimum;
use crate::problems::{self, math::dot, Problem};
use crate::rng::{Purpose, Stream};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    Running,
    /// The budget allows no further round.
    Done,
    /// A quantity became NaN or infinite in this round.
    Diverged {
        round: u64,
        quantity: &'static str,
    },
}

/// What decides the next round, per algorithm.
enum Plan {
    /// CR-PSGD and PSGD: one schedule for the whole run.
    Batches(Schedule),
    /// Algorithm 2: outer step `outer` of `outers`, each a CR-PSGD run on h_θ(·; anchor).
    Catalyst {
        outer: u64,
        outers: u64,
        inner_budget: u64,
        inner: Schedule,
        anchor: Vec<f64>,
    },
    /// Local SGD: each round costs H·B₁ samples per node.
    Local { steps: u64, rounds: Schedule },
    /// Adaptive batches: each round's batch from the noise measured so far ([`Adaptive::next`]).
    Adaptive(Adaptive),
}

/// The norm test of Byrd, Chin, Nocedal & Wu (2012) on the measured noise scale: the next per-node batch
/// is B_{t+1} = max(B_t, min(⌈ρ·B_t⌉, ⌈B_noise/(N·η²)⌉)), so the averaged gradient's noise stays near η times
/// its size, growing by at most ρ per round (early estimates are noisy: uncapped, they spend the budget
/// in a few huge rounds) and never shrinking.
#[derive(Clone, Copy, Debug)]
struct Adaptive {
    /// B_t, 0 before the first round.
    batch: u64,
    used: u64,
    budget: u64,
    first_batch: u64,
    rho: f64,
    /// N·η²: B_noise over this is the per-node batch the test asks for.
    nodes_eta_squared: f64,
}

impl Adaptive {
    /// The next round's batch given the noise scale so far (`None` while the noise swamps the gradient:
    /// then the batch grows by the cap); `None` when it would take a node past the budget.
    fn next(&self, noise_scale: Option<f64>) -> Option<u64> {
        let batch = if self.batch == 0 {
            self.first_batch.max(1)
        } else {
            let capped = libm::ceil(self.rho * self.batch as f64);
            let asked = noise_scale.map_or(capped, |b| libm::ceil(b / self.nodes_eta_squared));
            // Saturating: a batch past u64 fits no budget.
            (capped.min(asked) as u64).max(self.batch)
        };
        self.used.checked_add(batch).filter(|&u| u <= self.budget)?;
        Some(batch)
    }
}

/// γ_t, the step size of a step, from the samples per node s_t used before it in the whole run (for
/// Catalyst across its outer steps too, so that its steps keep shrinking rather than restart with each
/// subproblem; for local SGD before each local step).
#[derive(Clone, Copy, Debug)]
enum StepSize {
    /// γ: `decay` = 0.
    Constant(f64),
    /// γ·τ/(τ + s_t): γ until s_t nears τ, then shrinking like 1/s_t, as SGD needs to reach O(1/(NT))
    /// with a fixed batch (the mirror image of growing the batch).
    Decaying { gamma: f64, tau: f64 },
}

impl StepSize {
    fn new(experiment: &Experiment) -> StepSize {
        // τ = 0 takes γ itself, not γ·τ/(τ + s) with τ/(τ + s) = 1: runs without decay keep their bits.
        if experiment.decay > 0.0 {
            StepSize::Decaying {
                gamma: experiment.gamma,
                tau: experiment.decay,
            }
        } else {
            StepSize::Constant(experiment.gamma)
        }
    }

    /// γ_t after `used` samples per node.
    fn after(self, used: u64) -> f64 {
        match self {
            StepSize::Constant(gamma) => gamma,
            StepSize::Decaying { gamma, tau } => gamma * tau / (tau + used as f64),
        }
    }
}

/// What a node keeps from round to round, so that rounds do not allocate.
pub(super) struct NodeMemory {
    /// What the node hands to the all-reduce: its mini-batch gradient, or local SGD's model.
    pub(super) result: Vec<f64>,
    /// Local SGD's gradient for each local step (empty for the other algorithms).
    step: Vec<f64>,
    /// The node's share of the round's noise-scale measurement (see [`noise_measurement`]).
    pub(super) noise: NodeNoise,
}

/// What a node measures for the gradient noise scale, from the gradient it takes at the round's
/// starting point x_t: its batch's gradient for CR-PSGD, PSGD and Catalyst, and the first of its H
/// local steps for local SGD (the only one that every node takes at the same point).
pub(super) enum NodeNoise {
    /// One of N ≥ 2 nodes: |gᵢ|², and for local SGD the gradient gᵢ itself (for the nodes' mean).
    Node { square: f64, gradient: Vec<f64> },
    /// The only node: its batch split in two (`None` for a batch of one sample).
    Alone {
        first_half: Vec<f64>,
        round: Option<TwoBatch>,
    },
}

impl NodeNoise {
    /// The mini-batch gradient of `batch` samples into `out`, exactly as `Problem::minibatch_gradient`
    /// computes it, measured on the way.
    fn gradient(
        &mut self,
        problem: &dyn Problem,
        w: &[f64],
        stream: &mut Stream,
        batch: u64,
        out: &mut [f64],
    ) {
        match self {
            NodeNoise::Node { square, gradient } => {
                problem.minibatch_gradient(w, stream, batch, out);
                *square = dot(out, out);
                if !gradient.is_empty() {
                    gradient.copy_from_slice(out);
                }
            }
            NodeNoise::Alone { first_half, round } => {
                let split = batch / 2;
                if split == 0 {
                    problem.minibatch_gradient(w, stream, batch, out);
                    *round = None;
                } else {
                    problem.minibatch_gradient_split(w, stream, batch, split, out, first_half);
                    *round = Some(TwoBatch::halves(out, first_half, batch, split));
                }
            }
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

/// The round's noise-scale measurement, of `batch` samples per node: one node's halves, or the nodes'
/// gradients (small) against their mean `mean` (big). `None` for one node with a batch of one sample.
fn noise_measurement(nodes: &[NodeMemory], batch: u64, mean: &[f64]) -> Option<TwoBatch> {
    match nodes {
        [NodeMemory {
            noise: NodeNoise::Alone { round, .. },
            ..
        }] => *round,
        nodes => {
            let squares = nodes.iter().map(|n| match n.noise {
                NodeNoise::Node { square, .. } => square,
                // Only a single node is alone (`Trainer::new`); were one not, nothing would be reported.
                NodeNoise::Alone { .. } => f64::NAN,
            });
            Some(TwoBatch::nodes(squares, batch, dot(mean, mean)))
        }
    }
}

/// Which nodes a trainer computes, and on which threads.
enum Site {
    /// All of them, on the current rayon pool (a round of little work on the calling thread alone:
    /// `Placement`).
    Pool,
    /// All of them, one after another on the calling thread: for many small runs at once, one per
    /// thread (`tune`), where spreading each round would only make the threads wait on each other.
    ThisThread,
    /// This process's block of them, then swapped with the other processes'.
    Cluster(Cluster),
}

/// Runs `work(node, memory)` for every node, where `site` and `placement` say.
fn on_nodes<W>(
    site: &mut Site,
    placement: Placement,
    thread_of_node: &mut [usize],
    nodes: &mut [NodeMemory],
    work: W,
) where
    W: Fn(usize, &mut NodeMemory) + Sync,
{
    match site {
        Site::Pool => on_every_node_into(placement, thread_of_node, nodes, work),
        Site::ThisThread => on_every_node_into(Placement::Here, thread_of_node, nodes, work),
        Site::Cluster(cluster) => cluster.on_every_node(placement, thread_of_node, nodes, work),
    }
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
        let plan = match experiment.alg {
            Alg::CrPsgd | Alg::Psgd => Plan::Batches(Schedule::for_experiment(experiment)),
            Alg::Catalyst => {
                let (outers, inner_budget) = catalyst_shape(experiment);
                let inner = Schedule::new(experiment.first_batch, experiment.rho, inner_budget);
                Plan::Catalyst {
                    outer: 1,
                    outers,
                    inner_budget,
                    inner,
                    anchor: x.clone(),
                }
            }
            Alg::Local => Plan::Local {
                steps: local_steps(experiment),
                rounds: local_schedule(experiment),
            },
            Alg::Adaptive => Plan::Adaptive(Adaptive {
                batch: 0,
                used: 0,
                budget: experiment.budget,
                first_batch: experiment.first_batch,
                rho: experiment.rho,
                nodes_eta_squared: experiment.nodes as f64 * experiment.eta * experiment.eta,
            }),
        };
        let local = experiment.alg == Alg::Local;
        let alone = experiment.nodes == 1;
        let nodes = (0..experiment.nodes)
            .map(|_| NodeMemory {
                result: vec![0.0; x_len],
                step: vec![0.0; if local { x_len } else { 0 }],
                noise: if alone {
                    NodeNoise::Alone {
                        first_half: vec![0.0; x_len],
                        round: None,
                    }
                } else {
                    NodeNoise::Node {
                        square: 0.0,
                        // Local SGD's nodes overwrite their first gradient; the others keep it in `result`.
                        gradient: vec![0.0; if local { x_len } else { 0 }],
                    }
                },
            })
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
                if !iterate_ok || !row.loss.is_finite() || !row.grad_norm.is_finite() {
                    let quantity = if !iterate_ok {
                        "iterate"
                    } else if !row.loss.is_finite() {
                        "loss"
                    } else {
                        "gradient"
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

    /// The per-node samples of the next round, advancing the plan; `None` when no round fits.
    fn next_round_samples(&mut self) -> Option<u64> {
        match &mut self.plan {
            Plan::Batches(schedule) => schedule.next(),
            Plan::Local { rounds, .. } => rounds.next(),
            Plan::Adaptive(adaptive) => {
                let batch = adaptive.next(self.noise_scale.value())?;
                adaptive.batch = batch;
                adaptive.used += batch;
                Some(batch)
            }
            Plan::Catalyst {
                outer,
                outers,
                inner_budget,
                inner,
                anchor,
            } => loop {
                if let Some(batch) = inner.next() {
                    return Some(batch);
                }
                if *outer >= *outers || self.first_batch > *inner_budget {
                    return None;
                }
                // y(k) is where the last inner run ended; the next subproblem is centred there.
                *outer += 1;
                anchor.copy_from_slice(&self.x);
                *inner = Schedule::new(self.first_batch, self.rho, *inner_budget);
            },
        }
    }

    fn has_next_round(&self) -> bool {
        self.peek_next_round_samples().is_some()
    }

    /// What `next_round_samples` will return, without advancing the plan.
    fn peek_next_round_samples(&self) -> Option<u64> {
        match &self.plan {
            Plan::Batches(schedule) => schedule.clone().next(),
            Plan::Local { rounds, .. } => rounds.clone().next(),
            Plan::Adaptive(adaptive) => adaptive.next(self.noise_scale.value()),
            Plan::Catalyst {
                outer,
                outers,
                inner_budget,
                inner,
                ..
            } => inner.clone().next().or_else(|| {
                // The next outer step's inner run, whose first batch is B₁ (at least 1).
                (outer < outers && self.first_batch <= *inner_budget)
                    .then_some(self.first_batch.max(1))
            }),
        }
    }

    /// Where a round of `samples` per node places this process's nodes on the current pool.
    fn placement(&self, samples: u64) -> Placement {
        let here = match &self.site {
            Site::Cluster(cluster) => cluster.nodes_here(),
            Site::Pool | Site::ThisThread => self.nodes.len(),
        };
        let work_per_node = samples.saturating_mul(self.x.len() as u64);
        match self.site {
            Site::ThisThread => Placement::Here,
            Site::Pool | Site::Cluster(_) => {
                Placement::of_round(here, work_per_node, self.spread_min_work)
            }
        }
    }

    /// One communication round: every node works on its own samples, then the results are averaged.
    /// `used_before` is the samples per node the run used before this round (what the step size decays by).
    fn run_round(&mut self, samples: u64, used_before: u64) {
        let placement = self.placement(samples);
        self.placement = placement;
        let (problem, x, seed, round) = (self.problem.as_ref(), &self.x, self.seed, self.round);
        let stream = |node: usize| {
            Stream::new(
                seed,
                Purpose::Node {
                    node: node as u64,
                    round,
                },
            )
        };
        match &self.plan {
            Plan::Batches(_) | Plan::Catalyst { .. } | Plan::Adaptive(_) => {
                on_nodes(
                    &mut self.site,
                    placement,
                    &mut self.thread_of_node,
                    &mut self.nodes,
                    |node, memory| {
                        let out = &mut memory.result;
                        memory
                            .noise
                            .gradient(problem, x, &mut stream(node), samples, out);
                    },
                );
                let gradients = self.nodes.iter().map(|n| &n.result);
                average_in_node_order(gradients, &mut self.direction);
                // Before Catalyst's proximal term: it is exact, so it adds nothing to tr Σ, and B_noise is
                // then f's own at x_t, comparable across algorithms (h_θ's would restart at each outer step).
                if let Some(round) = noise_measurement(&self.nodes, samples, &self.direction) {
                    self.noise_scale.observe(round);
                }
                if let Plan::Catalyst { anchor, .. } = &self.plan {
                    // ∇h_θ(x; y) = ∇f(x) + θ(x − y): the proximal term is exact, not sampled.
                    let theta = self.theta;
                    self.direction
                        .iter_mut()
                        .zip(x.iter().zip(anchor))
                        .for_each(|(g, (xi, yi))| *g += theta * (xi - yi));
                }
                let gamma = self.step_size.after(used_before);
                self.x
                    .iter_mut()
                    .zip(&self.direction)
                    .for_each(|(xi, g)| *xi -= gamma * g);
            }
            Plan::Local { steps, .. } => {
                let (steps, batch, step_size) = (*steps, self.first_batch, self.step_size);
                on_nodes(
                    &mut self.site,
                    placement,
                    &mut self.thread_of_node,
                    &mut self.nodes,
                    |node, memory| {
                        let (model, g, mut samples) =
                            (&mut memory.result, &mut memory.step, stream(node));
                        model.copy_from_slice(x);
                        for step in 0..steps {
                            if step == 0 {
                                memory
                                    .noise
                                    .gradient(problem, model, &mut samples, batch, g);
                            } else {
                                problem.minibatch_gradient(model, &mut samples, batch, g);
                            }
                            let gamma = step_size.after(used_before + step * batch);
                            model
                                .iter_mut()
                                .zip(g.iter())
                                .for_each(|(m, gi)| *m -= gamma * gi);
                        }
                    },
                );
                let models = self.nodes.iter().map(|n| &n.result);
                average_in_node_order(models, &mut self.x);
                // `direction` has no other use in local SGD, which averages models.
                if self.nodes.len() > 1 {
                    let first_steps = self.nodes.iter().map(|n| match &n.noise {
                        NodeNoise::Node { gradient, .. } => &gradient[..],
                        NodeNoise::Alone { .. } => &[],
                    });
                    average_in_node_order(first_steps, &mut self.direction);
                }
                if let Some(round) = noise_measurement(&self.nodes, batch, &self.direction) {
                    self.noise_scale.observe(round);
                }
            }
        }
        self.threads_used |= self
            .thread_of_node
            .iter()
            .fold(0u64, |mask, &t| mask | 1 << (t % 64));
    }

    /// For local SGD a round's samples are H batches of B₁; its `batch` column is B₁.
    fn batch_of(&self, samples: u64) -> u64 {
        match self.plan {
            Plan::Local { steps, .. } => samples / steps,
            _ => samples,
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
