//! The thin web shell: DOM controls, the share link, the charts and the background run.
//!
//! Threads: the main thread owns the DOM and draws; training runs on a rayon pool of Web Workers
//! (wasm-bindgen-rayon). The main thread never blocks: it reads the run through atomics and `try_lock`.

mod charts;
mod controls;
mod dom;
mod hook;
mod runner;
mod theory_panel;
mod view;

use crate::experiment::{Experiment, Notice, ProblemKind};
use crate::metrics::Row;
use crate::theory::{predict, Prediction};
use runner::{Pace, Run, RunState};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Runs `f` on the page's app, if it has started. Event handlers and the hook all go through here.
fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|app| {
        app.try_borrow_mut()
            .ok()
            .and_then(|mut app| app.as_mut().map(f))
    })
}

/// Entry point. Every pool worker instantiates this module too and runs this again; only the page
/// (which has a `window`) builds the app.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    console_error_panic_hook::set_once();
    let hardware = window.navigator().hardware_concurrency() as usize;
    let pool_threads = hardware.clamp(1, 8);
    let query = window.location().search().unwrap_or_default();
    let app = App::new(&query, pool_threads);
    APP.with(|slot| *slot.borrow_mut() = Some(app));
    hook::install();
    view::listen();
    view::schedule_frame();
    wasm_bindgen_futures::spawn_local(async move {
        let started = JsFuture::from(wasm_bindgen_rayon::init_thread_pool(pool_threads)).await;
        with_app(|app| match started {
            Ok(_) => app.restart(app.start_paused),
            Err(e) => app.fail(format!("The Web Worker threads could not start ({e:?}).")),
        });
    });
}

pub struct App {
    experiment: Experiment,
    /// The paper's prediction for `experiment`, kept because counting a long schedule takes a while and
    /// every frame shows it.
    prediction: Prediction,
    /// Whether the run reports f − f*. The rows decide; this persists across runs so the charts' titles
    /// do not flicker while a new run computes f*.
    optimum_known: bool,
    notices: Vec<Notice>,
    pool_threads: usize,
    pace: Pace,
    run: Option<Run>,
    /// Rows received so far from the current run.
    rows: Vec<Row>,
    /// The run's state as far as the rows in `rows` go.
    state: RunState,
    error: Option<String>,
    /// Reset (or Play) pressed before the worker threads were up: how the first run should start.
    start_paused: bool,
    /// The charts and status need drawing again.
    dirty: bool,
}

impl App {
    fn new(query: &str, pool_threads: usize) -> App {
        let (experiment, notices) = Experiment::from_query(query);
        controls::build();
        controls::show(&experiment);
        theory_panel::build();
        let app = App {
            prediction: predict(&experiment),
            optimum_known: guess_optimum_known(&experiment),
            experiment,
            notices,
            pool_threads,
            pace: Pace::Watch,
            run: None,
            rows: Vec::new(),
            state: RunState::Idle,
            error: None,
            start_paused: false,
            dirty: true,
        };
        app.write_link();
        app
    }

    /// Starts the current experiment from round 0 (replacing any run), paused at the start if asked.
    fn restart(&mut self, paused: bool) {
        self.run = None; // stops the old run first
        self.rows.clear();
        self.error = None;
        self.state = if paused {
            RunState::Paused
        } else {
            RunState::Running
        };
        self.run = Some(Run::start(self.experiment.clone(), paused, self.pace));
        self.dirty = true;
    }

    fn fail(&mut self, message: String) {
        self.run = None;
        self.state = RunState::Error;
        self.error = Some(message);
        self.dirty = true;
    }

    /// Once per animation frame: takes what the run has posted, without ever waiting for it.
    fn poll(&mut self) {
        let Some(run) = &self.run else { return };
        let state = run.state();
        let before = self.rows.len();
        if !run.drain(&mut self.rows) {
            return;
        }
        self.dirty |= state != self.state || self.rows.len() != before;
        self.state = state;
        if let Some(first) = self.rows.first() {
            self.optimum_known = first.subopt.is_some();
        }
    }

    /// A control changed: store its value (clamped, with a notice, if it must be), show it, rewrite the
    /// link, and rerun.
    fn control_changed(&mut self, name: &str) {
        let before = self.experiment.clone();
        let notice = self.experiment.set(name, &controls::read(name));
        controls::show(&self.experiment);
        if notice.is_some() || self.experiment != before {
            self.notices = notice.into_iter().collect();
        }
        if self.experiment != before {
            self.prediction = predict(&self.experiment);
            self.write_link();
            if self.run.is_some() {
                self.restart(false);
            }
        }
        self.dirty = true;
    }

    fn write_link(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Ok(history) = window.history() {
            let link = format!("?{}", self.experiment.to_query());
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&link));
        }
    }

    fn play_pause(&mut self) {
        match (&self.run, self.state) {
            (Some(_), s) if s.is_over() => self.restart(false),
            (Some(run), RunState::Paused) => run.set_paused(false),
            (Some(run), _) => run.set_paused(true),
            (None, _) => self.start_paused = false,
        }
    }

    fn step(&mut self) {
        match (&self.run, self.state) {
            (Some(_), s) if s.is_over() => {}
            (Some(run), _) => run.step(),
            (None, _) => {}
        }
    }

    fn reset(&mut self) {
        if self.run.is_some() {
            self.restart(true);
        } else {
            self.start_paused = true;
        }
    }

    fn threads_used(&self) -> u32 {
        self.run.as_ref().map_or(0, Run::threads_used)
    }
}

/// Only for the frames before the first run's first row arrives (that row says for certain): f* is
/// found for the convex problems when λ > 0, and known for the landscape.
fn guess_optimum_known(e: &Experiment) -> bool {
    match e.problem {
        ProblemKind::Landscape => true,
        ProblemKind::DigitsMlp => false,
        _ => e.lambda > 0.0,
    }
}
