//! The runs a page shows: the main one, the algorithms it is compared with, and a pinned ghost.

use super::runner::{Pace, Run, RunHandle, RunState};
use dynabatch_core::experiment::{Alg, Experiment};
use dynabatch_core::link::Fault;
use dynabatch_core::metrics::Row;
use dynabatch_plot::chart::Theme;
use plotters::style::RGBColor;

/// One run on the charts. A pinned ghost has no live run: only the rows it had when pinned.
pub struct ShownRun {
    pub label: String,
    pub experiment: Experiment,
    pub run: Option<Run>,
    pub rows: Vec<Row>,
    /// The run's state as far as the rows in `rows` go.
    pub state: RunState,
    pub ghost: bool,
}

impl ShownRun {
    pub fn start(
        experiment: Experiment,
        paused: bool,
        pace: Pace,
        fault: Option<Fault>,
    ) -> ShownRun {
        ShownRun {
            label: experiment.alg.name().to_string(),
            run: Some(Run::start(experiment.clone(), paused, pace, fault)),
            experiment,
            rows: Vec::new(),
            state: RunState::at_start(paused),
            ghost: false,
        }
    }

    /// A faded copy that stays while the parameters change.
    pub fn pin(&self) -> ShownRun {
        ShownRun {
            label: format!("pinned {}", self.label),
            experiment: self.experiment.clone(),
            run: None,
            rows: self.rows.clone(),
            state: self.state,
            ghost: true,
        }
    }

    /// Takes what the run has posted, without waiting; true if anything changed.
    pub fn poll(&mut self) -> bool {
        let Some(run) = &self.run else { return false };
        let state = run.state();
        let before = self.rows.len();
        if !run.drain(&mut self.rows) {
            return false;
        }
        let changed = state != self.state || self.rows.len() != before;
        self.state = state;
        changed
    }

    /// One colour per algorithm on every view, in the theme's hues; ghosts are the same colour, faded.
    pub fn color(&self, theme: &Theme) -> RGBColor {
        let base = theme.runs[color_index(self.experiment.alg, theme)];
        if self.ghost {
            theme.faded(base)
        } else {
            base
        }
    }
}

fn color_index(alg: Alg, theme: &Theme) -> usize {
    Alg::ALL.iter().position(|a| *a == alg).unwrap_or(0) % theme.runs.len()
}

/// The state the page reports for all its live runs together: running while any runs, then the main
/// run's ending.
pub fn overall_state(runs: &[ShownRun]) -> RunState {
    let live = || runs.iter().filter(|r| !r.ghost);
    if live().any(|r| r.state == RunState::Running) {
        RunState::Running
    } else if live().any(|r| r.state == RunState::Paused) {
        RunState::Paused
    } else {
        runs.first().map_or(RunState::Idle, |r| r.state)
    }
}
