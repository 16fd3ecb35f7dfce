//! A run as the page drives it: rounds in slices of about 16 ms, paced so that a short run can be
//! followed by eye, paused, stepped a recorded round at a time, cancelled, and ended.
//!
//! Both builds of the page drive their runs through a [`Session`]: the threaded build's coordinator
//! interleaves the slices of all runs on one pool thread, and the serial build's Web Worker calls them from
//! its event loop. The clock is brought by the caller (`Date.now()` in the page: std has no clock on
//! wasm32-unknown-unknown; a fake one in the tests), so this logic is tested natively.

use crate::algorithms::{planned_rounds, Progress, Stepped, Trainer};
use crate::conditioning::{self, Conditioning};
use crate::data::file::DataFile;
use crate::experiment::Experiment;
use crate::link::Fault;
use crate::metrics::Row;
use serde::{Deserialize, Serialize};

/// Milliseconds since some fixed instant.
pub trait Clock {
    fn now_ms(&self) -> f64;
}

/// How fast a run is shown. Computing is never slowed beyond this: it only spreads few rounds over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// A run takes at least about two seconds, so its rounds can be followed by eye.
    Watch,
    /// As fast as the workers go.
    Fast,
}

/// Whether a run also estimates its problem's curvature at x* (`conditioning::at_optimum`) once it has
/// f*, for the theory panel's guidance on ρ: the page asks it of its main run, where its algorithm has a ρ
/// to guide. It costs at most 80 Hessian-vector products (the Lanczos method; 160 full gradients), once
/// per problem, off the main thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Curvature {
    Measure,
    Skip,
}

/// A run just started ([`Session::start`]): its session, and μ and L at x* where they were asked for and
/// are known (strongly convex problems).
pub struct Started {
    pub session: Session,
    pub conditioning: Option<Conditioning>,
}

/// What the page asked of a run since the session last looked: the latest pause switch, and how many
/// steps. They compose in any order: pause is the last word, steps add up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Commands {
    pub pause: Option<bool>,
    pub steps: u32,
}

impl Commands {
    pub fn set_paused(&mut self, paused: bool) {
        self.pause = Some(paused);
    }

    /// Exactly one more recorded round, then paused.
    pub fn step(&mut self) {
        self.pause = Some(true);
        self.steps += 1;
    }
}

/// The page's side of a run, as a session sees it during a slice.
pub trait Host {
    /// The commands that arrived since the last call; asked before every recorded round.
    fn take_commands(&mut self) -> Commands;
    /// The run was replaced; asked before every recorded round and between the unrecorded ones.
    fn cancelled(&self) -> bool;
    /// A recorded round's row.
    fn post(&mut self, row: Row);
}

/// What a slice ended with, i.e. when the session wants its next one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Next {
    /// Due again after this many milliseconds (0: at once).
    After(f64),
    /// Paused, with no step asked for: due again once a command comes.
    Paused,
    /// The run was replaced: never due again.
    Cancelled,
    /// The budget allows no further round.
    Done,
    /// The named quantity became NaN or infinite.
    Diverged(&'static str),
}

/// Unrecorded rounds between looks at `cancelled`: a look costs an atomic load, a round far more.
const ROUNDS_BETWEEN_LOOKS: u64 = 64;

/// At most this long between looks at the commands and between handing rows over, when rounds are due
/// back to back.
pub const SLICE_MS: f64 = 16.0;

/// A wait shorter than this is not worth ending a slice for.
const SHORTEST_WAIT_MS: f64 = 1.0;

/// Watch pace spreads a run's rounds over this long, at most `WATCH_MAX_ROUND_MS` each.
const WATCH_MS: f64 = 2000.0;
const WATCH_MAX_ROUND_MS: f64 = 150.0;

/// One run's training, advanced a slice at a time.
pub struct Session {
    trainer: Trainer,
    pacing: Pacing,
    paused: bool,
    step_credits: u32,
    fault: Option<Fault>,
}

impl Session {
    /// Builds the trainer (data, f*): this can take a while, so call it off the page's main thread.
    /// The session starts playing; a run started paused gets `Commands::set_paused(true)` first.
    pub fn new(experiment: &Experiment, pace: Pace, fault: Option<Fault>) -> Session {
        Session::on(experiment, Trainer::new(experiment), pace, fault)
    }

    /// As [`Session::new`], for problem=data: on the user's file (see [`Trainer::with_data`]).
    pub fn with_data(
        experiment: &Experiment,
        data: &DataFile,
        pace: Pace,
        fault: Option<Fault>,
    ) -> Session {
        Session::on(
            experiment,
            Trainer::with_data(experiment, data),
            pace,
            fault,
        )
    }

    /// Starts a run as both builds of the page do: builds its session (on `data` for problem=data), hands
    /// its start row to `post_start` at once (with its trainer, for what a shell reports beside the row),
    /// so that the page shows the run before anything slower, then estimates the curvature at x* if
    /// `curvature` asks. Call it off the page's main thread.
    pub fn start(
        experiment: &Experiment,
        data: Option<&DataFile>,
        pace: Pace,
        fault: Option<Fault>,
        curvature: Curvature,
        post_start: impl FnOnce(&Trainer, Row),
    ) -> Started {
        let session = match data {
            Some(data) => Session::with_data(experiment, data, pace, fault),
            None => Session::new(experiment, pace, fault),
        };
        post_start(&session.trainer, session.trainer.start_row());
        // Beside f*, which building the trainer solved: x* is that solution's, and both are kept per
        // problem, so a rerun with other settings finds them at once.
        let conditioning = match curvature {
            Curvature::Measure => {
                conditioning::at_optimum(experiment, data, session.trainer.problem())
            }
            Curvature::Skip => None,
        };
        Started {
            session,
            conditioning,
        }
    }

    fn on(experiment: &Experiment, trainer: Trainer, pace: Pace, fault: Option<Fault>) -> Session {
        let per_round_ms = match pace {
            Pace::Watch => {
                (WATCH_MS / planned_rounds(experiment).max(1) as f64).min(WATCH_MAX_ROUND_MS)
            }
            Pace::Fast => 0.0,
        };
        Session {
            trainer,
            pacing: Pacing::new(per_round_ms),
            paused: false,
            step_credits: 0,
            fault,
        }
    }

    pub fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    /// Runs the rounds that are due, for about `SLICE_MS` at most, handing each recorded row to `host`.
    pub fn advance(&mut self, clock: &dyn Clock, host: &mut dyn Host) -> Next {
        let started = clock.now_ms();
        loop {
            self.apply(host.take_commands());
            if host.cancelled() {
                return Next::Cancelled;
            }
            if !self.may_run() {
                self.pacing.stop();
                return Next::Paused;
            }
            self.pacing.start_if_stopped(clock.now_ms());
            let row = loop {
                match self.trainer.step_within(ROUNDS_BETWEEN_LOOKS) {
                    Stepped::Row(row) => break row,
                    Stepped::Over => return self.over(),
                    Stepped::Unrecorded if host.cancelled() => return Next::Cancelled,
                    Stepped::Unrecorded => {}
                }
            };
            host.post(row);
            if self.fault == Some(Fault::Panic) {
                panic!(
                    "fault injected by the link's fault=panic, after round {}",
                    row.round
                );
            }
            let now = clock.now_ms();
            let wait = self.pacing.next_round_in(now);
            if wait >= SHORTEST_WAIT_MS || now - started >= SLICE_MS {
                return Next::After(wait.max(0.0));
            }
        }
    }

    fn apply(&mut self, commands: Commands) {
        if let Some(paused) = commands.pause {
            self.paused = paused;
        }
        self.step_credits += commands.steps;
    }

    /// Whether a recorded round may run now: playing, or a step was asked for (which it uses up).
    fn may_run(&mut self) -> bool {
        if !self.paused {
            return true;
        }
        match self.step_credits.checked_sub(1) {
            Some(left) => {
                self.step_credits = left;
                true
            }
            None => false,
        }
    }

    fn over(&self) -> Next {
        match self.trainer.progress() {
            Progress::Diverged { quantity, .. } => Next::Diverged(quantity),
            _ => Next::Done,
        }
    }
}

/// Spreads rounds over time when a run has few of them, so each can be seen. The schedule restarts
/// whenever the run resumes, so that a long pause is not made up for by a burst of rounds.
struct Pacing {
    per_round_ms: f64,
    /// When the rounds since the last resume started; `None` while paused or before the first round.
    since: Option<f64>,
    rounds: f64,
}

impl Pacing {
    fn new(per_round_ms: f64) -> Pacing {
        Pacing {
            per_round_ms,
            since: None,
            rounds: 0.0,
        }
    }

    fn stop(&mut self) {
        self.since = None;
    }

    fn start_if_stopped(&mut self, now: f64) {
        if self.since.is_none() {
            self.since = Some(now);
            self.rounds = 0.0;
        }
    }

    /// Milliseconds until the next round is due (≤ 0: now), counting the round just run.
    fn next_round_in(&mut self, now: f64) -> f64 {
        self.rounds += 1.0;
        self.since.unwrap_or(now) + self.rounds * self.per_round_ms - now
    }
}
