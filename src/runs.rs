//! The runs a page shows: the main one, the algorithms it is compared with, and a pinned ghost.

use super::runner::{Run, RunHandle, RunState, Start};
use dynabatch_core::experiment::{Alg, Experiment};
use dynabatch_core::link::{pinned_label, run_label};
use dynabatch_core::metrics::Row;
use dynabatch_plot::chart::Theme;
use plotters::style::RGBColor;

/// One run on the charts. A pinned ghost has no live run: only the rows it had when pinned.
pub struct ShownRun {
    pub label: String,
    /// Its colour in the palette: its algorithm's, unless an earlier run has that (see `distinct_colours`).
    pub slot: usize,
    pub experiment: Experiment,
    pub run: Option<Run>,
    pub rows: Vec<Row>,
    /// The run's state as far as the rows in `rows` go.
    pub state: RunState,
    pub ghost: bool,
}

impl ShownRun {
    pub fn start(run: Start) -> ShownRun {
        ShownRun {
            label: run_label(&run.experiment),
            slot: color_index(run.experiment.alg),
            experiment: run.experiment.clone(),
            state: RunState::at_start(run.paused),
            run: Some(Run::start(run)),
            rows: Vec::new(),
            ghost: false,
        }
    }

    /// A faded copy that stays while the parameters change.
    pub fn pin(&self) -> ShownRun {
        ShownRun {
            label: pinned_label(&self.experiment, &self.experiment),
            slot: self.slot,
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

    /// One colour per run on every view, in the theme's hues; ghosts are the same colour, faded.
    pub fn color(&self, theme: &Theme) -> RGBColor {
        let base = theme.runs[self.slot];
        if self.ghost {
            theme.faded(base)
        } else {
            base
        }
    }
}

/// How many run colours a theme has: one per algorithm.
const COLOURS: usize = Theme::LIGHT.runs.len();

/// Gives each live run a colour of its own: a second run of an algorithm (tuned otherwise) takes the
/// colour of an algorithm not shown. There are as many colours as algorithms, and more than runs.
pub fn distinct_colours(runs: &mut [ShownRun]) {
    let mut taken = [false; COLOURS];
    for run in runs {
        if taken[run.slot] {
            run.slot = taken.iter().position(|t| !t).unwrap_or(run.slot);
        }
        taken[run.slot] = true;
    }
}

/// Its algorithm's colour: the same index in every theme.
fn color_index(alg: Alg) -> usize {
    Alg::ALL.iter().position(|a| *a == alg).unwrap_or(0) % COLOURS
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
