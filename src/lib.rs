//! The thin web shell: DOM controls, the share link, the charts and the background run.
//!
//! Threads: the main thread owns the DOM and draws; training runs on a rayon pool of Web Workers
//! (wasm-bindgen-rayon). The main thread never blocks: it reads the run through atomics and `try_lock`.
//!
//! Natively the crate is empty: it is the page, so every native build and test of the workspace passes
//! over it.
#![cfg(target_arch = "wasm32")]
// `#[optimize(size)]` on code that runs once or once a frame (start-up, event wiring, the frame
// callback), never on the kernels: it keeps the wasm under its size target (docs/PERFORMANCE.md).
#![feature(optimize_attribute)]

mod bench;
mod canvas;
mod charts;
mod compare_panel;
mod controls;
mod dom;
mod export;
mod faults;
mod glossary_view;
mod hook;
mod hover;
mod landscape_view;
mod nodes_view;
mod presets_panel;
mod runner;
mod runs;
mod theory_panel;
mod tour;
mod tune_panel;
mod tuning;
mod user_data;
mod view;

use dynabatch_core::conditioning::Conditioning;
use dynabatch_core::experiment::{Experiment, Notice, ProblemKind, Wanted};
use dynabatch_core::link::{self, ViewKeys};
use dynabatch_core::metrics::Row;
use dynabatch_core::optimum::ProblemKey;
use dynabatch_core::presets;
use dynabatch_core::problems::Optimum;
use dynabatch_core::theory::{predict, Prediction};
use runner::{Curvature, Pace, RunHandle, RunState};
use runs::{overall_state, ShownRun};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
#[cfg(feature = "threads")]
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Runs `f` on the page's app. Event handlers, the frame loop and the hook all go through here, each
/// straight from JavaScript, never one inside another: so `None` means the app is gone. A panic aborts
/// the wasm with a trap (`panic = "abort"`) inside `f`, which leaves the app borrowed for good; or
/// `start` trapped before the app was built. `view::on_frame` then shows the failure without the app.
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
#[optimize(size)]
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    console_error_panic_hook::set_once();
    faults::install();
    // Before the app is built, so that a panic while building it still ends in a visible error with a
    // working Reload button (nothing runs in between: this is one synchronous call).
    hook::install();
    view::listen();
    view::schedule_frame();
    let pool_threads = if cfg!(feature = "threads") {
        (window.navigator().hardware_concurrency() as usize).clamp(1, 8)
    } else {
        1
    };
    let query = window.location().search().unwrap_or_default();
    let app = App::new(&query, pool_threads);
    APP.with(|slot| *slot.borrow_mut() = Some(app));
    start_workers(pool_threads);
}

/// Starts the Web Worker pool, then the first run; gives up visibly if the workers never come.
#[cfg(feature = "threads")]
fn start_workers(pool_threads: usize) {
    faults::after_start_limit(|did_not_start| {
        with_app(|app| {
            if matches!(app.phase, Phase::Booting { .. }) {
                app.fail(format!("The Web Worker threads {did_not_start}"));
            }
        });
    });
    wasm_bindgen_futures::spawn_local(async move {
        let started = JsFuture::from(wasm_bindgen_rayon::init_thread_pool(pool_threads)).await;
        with_app(|app| match started {
            Ok(_) => app.workers_started(),
            Err(e) => app.fail(format!("The Web Worker threads could not start ({e:?}).")),
        });
    });
}

/// The serial build has no pool: each run starts its own Web Worker (`runner::worker`).
#[cfg(not(feature = "threads"))]
fn start_workers(_pool_threads: usize) {
    with_app(App::workers_started);
}

/// Whether a new experiment reruns when it equals the one running.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rerun {
    /// Only if it differs (a control set to the value it had).
    IfChanged,
    /// Always (a story opened again, a file read).
    Always,
}

/// Where the page is in its life. Only `App`'s methods change it; rendering and the hook read it.
enum Phase {
    /// Waiting for the Web Worker pool (the serial build has none, and leaves this phase at once).
    /// Nothing may touch rayon yet: its first use would build a default pool that wasm cannot staff,
    /// and `initThreadPool` would then fail. `start_paused`: how the first run should start, as Reset
    /// (or Play) pressed meanwhile asked.
    Booting { start_paused: bool },
    /// Runs start and restart.
    Ready,
    /// A fault ended the runs, said in this sentence. Nothing leaves this phase: a dead or missing
    /// worker cannot be restarted in place, so the alert offers a reload.
    Failed(String),
}

pub struct App {
    experiment: Experiment,
    /// How the page shows it: compared algorithms, hidden controls, the embedded layout.
    view: ViewKeys,
    /// The paper's prediction for `experiment`, kept because counting a long schedule takes a while and
    /// every frame shows it.
    prediction: Prediction,
    /// Whether the run reports f − f*. The rows decide; this persists across runs so the charts' titles
    /// do not flicker while a new run computes f*.
    optimum_known: bool,
    notices: Vec<Notice>,
    pool_threads: usize,
    pace: Pace,
    /// The live runs: the main experiment first, then each compared algorithm.
    runs: Vec<ShownRun>,
    /// The user's file (problem=data): the one held, what is under way, the files kept.
    data: user_data::UserData,
    /// A faded copy of an earlier main run, kept while parameters change.
    pinned: Option<ShownRun>,
    phase: Phase,
    /// The charts and status need drawing again.
    dirty: bool,
    /// The Tune button's search, and what it found.
    tune: tune_panel::Tune,
    /// Only the Tune panel needs drawing again: its progress must not redraw the charts.
    tune_dirty: bool,
    /// μ and L at x* of the problem on screen, once its main run has estimated them (kept while reruns
    /// change only the algorithm's settings, so the theory panel does not flicker).
    conditioning: Option<(ProblemKey, Conditioning)>,
}

impl App {
    fn new(query: &str, pool_threads: usize) -> App {
        // No query string: the first visit's story, CR-PSGD beside PSGD (written back as its link).
        let (experiment, view, notices) = presets::parse_page(query);
        controls::build();
        controls::show(&experiment, &view.hide);
        theory_panel::build();
        presets_panel::build();
        compare_panel::build();
        glossary_view::build();
        view::apply_layout(&view);
        tour::build(view.tour, view.embed);
        let mut app = App {
            prediction: predict(&experiment),
            optimum_known: expects_optimum(&experiment),
            experiment,
            view,
            notices,
            pool_threads,
            pace: Pace::Watch,
            runs: Vec::new(),
            data: user_data::UserData::default(),
            pinned: None,
            phase: Phase::Booting {
                start_paused: false,
            },
            dirty: true,
            tune: tune_panel::Tune::Idle,
            tune_dirty: false,
            conditioning: None,
        };
        app.write_link();
        app.list_kept();
        app.look_for_file();
        app
    }

    /// Starts the experiment and every compared algorithm from round 0 (replacing any runs), paused at
    /// the start if asked. Compared runs share everything but the algorithm (problem, seed, budget), unless a
    /// compared algorithm needs a smaller budget to stay within the limits (with a notice).
    fn restart(&mut self, paused: bool) {
        match &mut self.phase {
            Phase::Booting { start_paused } => {
                // `workers_started` starts the (by then current) experiment.
                *start_paused = paused;
                self.dirty = true;
                return;
            }
            Phase::Failed(_) => return,
            // A fault the next poll turns into `Failed`.
            Phase::Ready if faults::crashed().is_some() || faults::failure().is_some() => return,
            Phase::Ready => {}
        }
        self.runs.clear(); // stops the old runs first
        let data = match self.data.wanted(&self.experiment) {
            Wanted::Nothing => None,
            // problem=data runs once its file is read (the data panel says what it waits for).
            _ => match self.data.run_data(&self.experiment) {
                Some(data) => Some(data.clone()),
                None => {
                    self.dirty = true;
                    return;
                }
            },
        };
        // A user's file is not in the key (the serial build holds its bytes, not its data set): its
        // curvature is asked for again, which the run's side finds cached where it can.
        let problem = ProblemKey::of(&self.experiment, None);
        if self.experiment.problem == ProblemKind::Data
            || self
                .conditioning
                .as_ref()
                .is_some_and(|(key, _)| *key != problem)
        {
            self.conditioning = None;
        }
        let mut experiments = vec![self.experiment.clone()];
        for compared in &self.view.compare {
            let mut experiment = compared.experiment(&self.experiment);
            // Another algorithm can do more work on the same budget (PSGD beside CR-PSGD with ρ near 1):
            // it gets the limits of its own, said once.
            for mut notice in experiment.apply_limits() {
                notice.problem =
                    format!("the compared {} run: {}", compared.label(), notice.problem);
                if !self.notices.contains(&notice) {
                    self.notices.push(notice);
                }
            }
            experiments.push(experiment);
        }
        // The main run estimates the curvature, for the theory panel's guidance on ρ, unless it is known.
        let mut curvature = match self.conditioning {
            None if theory_panel::guides_rho(self.experiment.alg) => Curvature::Measure,
            _ => Curvature::Skip,
        };
        self.runs = experiments
            .into_iter()
            .map(|experiment| {
                ShownRun::start(runner::Start {
                    experiment,
                    data: data.clone(),
                    paused,
                    pace: self.pace,
                    fault: self.view.fault,
                    curvature: std::mem::replace(&mut curvature, Curvature::Skip),
                })
            })
            .collect();
        runs::distinct_colours(&mut self.runs);
        // A pinned run's legend says how it differs from the run now on screen.
        if let Some(pinned) = &mut self.pinned {
            pinned.label = link::pinned_label(&pinned.experiment, &self.experiment);
        }
        self.dirty = true;
    }

    /// The Web Worker pool is up (at once in the serial build): the first run starts, paused if
    /// Reset asked for that meanwhile. A pool that comes after its time limit is not used: the page
    /// has already failed.
    fn workers_started(&mut self) {
        if let Phase::Booting { start_paused } = self.phase {
            self.phase = Phase::Ready;
            self.start_queued_read();
            self.restart(start_paused);
        }
    }

    fn fail(&mut self, message: String) {
        self.runs.clear();
        self.phase = Phase::Failed(message);
        self.dirty = true;
    }

    /// What failed, once the page has.
    fn error(&self) -> Option<&str> {
        match &self.phase {
            Phase::Failed(message) => Some(message),
            Phase::Booting { .. } | Phase::Ready => None,
        }
    }

    /// Once per animation frame: takes what the runs have posted, without ever waiting for them.
    fn poll(&mut self) {
        if self.error().is_none() {
            let fault = faults::crash_sentence().or_else(|| faults::failure().map(str::to_string));
            if let Some(sentence) = fault {
                self.fail(sentence);
                return;
            }
        }
        for shown in &mut self.runs {
            self.dirty |= shown.poll();
        }
        self.poll_data();
        if let Some(first) = self.rows().first() {
            self.optimum_known = first.subopt.is_some();
        }
        if self.conditioning.is_none() {
            if let Some(c) = self.main_run().and_then(RunHandle::conditioning) {
                self.conditioning = Some((ProblemKey::of(&self.experiment, None), c));
                self.dirty = true;
            }
        }
        self.poll_tuning();
    }

    /// The main run's rows.
    fn rows(&self) -> &[Row] {
        self.runs.first().map_or(&[], |r| &r.rows)
    }

    /// The main run's worker handle.
    fn main_run(&self) -> Option<&runner::Run> {
        self.runs.first().and_then(|r| r.run.as_ref())
    }

    /// The state of all live runs together.
    fn state(&self) -> RunState {
        if self.error().is_some() {
            RunState::Error
        } else {
            overall_state(&self.runs)
        }
    }

    /// Every run on the charts: the live ones, then the pinned ghost.
    fn shown(&self) -> impl Iterator<Item = &ShownRun> {
        self.runs.iter().chain(self.pinned.iter())
    }

    /// A control changed: store its value (clamped, with a notice, if it must be), show it, rewrite the
    /// link, and rerun (once the data file is read again, where the change reads it another way).
    fn control_changed(&mut self, name: &str) {
        let mut next = self.experiment_to_change().clone();
        let notice = next.set(name, &controls::read(name));
        if notice.is_some() || next != self.experiment {
            self.notices = notice.into_iter().collect();
        }
        controls::show(&next, &self.view.hide);
        self.propose(next, Rerun::IfChanged);
        self.dirty = true;
    }

    /// Makes `next` the page's experiment now: shows it, rewrites the link, and reruns (if it changed, or
    /// always). The data it runs on is the file held (pinned in the link), or the one it is looked for.
    fn adopt(&mut self, mut next: Experiment, rerun: Rerun) {
        if next.problem == ProblemKind::Data {
            if let Some(held) = &self.data.held {
                if self.data.wanted(&next) == Wanted::Held {
                    // The link pins the file the run is on.
                    next.data_sha256 = Some(held.sha256);
                    self.view.data_file = Some(held.name.clone());
                }
            }
        } else {
            self.view.data_file = None;
            self.view.data_url = None;
        }
        controls::show(&next, &self.view.hide);
        let other_file = (next.problem, next.data_sha256)
            != (self.experiment.problem, self.experiment.data_sha256);
        let changed = next != self.experiment;
        self.experiment = next;
        if changed {
            // A compared run that is now the main one would be run twice.
            let main = &self.experiment;
            self.view.compare.retain(|c| c.experiment(main) != *main);
            self.prediction = predict(&self.experiment);
        }
        if other_file {
            self.other_file_wanted();
        }
        self.write_link();
        if (changed || rerun == Rerun::Always)
            && (!self.runs.is_empty() || matches!(self.phase, Phase::Ready))
        {
            self.restart(false);
        }
        self.dirty = true;
    }

    /// Replaces the whole experiment (a preset, the tuned link, Back), as if the page had been opened
    /// with this link.
    fn open_link(&mut self, query: &str) {
        let (experiment, view, notices) = link::parse(query);
        self.view = ViewKeys {
            hide: self.view.hide.clone(),
            embed: self.view.embed,
            ..view
        };
        self.notices = notices;
        self.propose(experiment, Rerun::Always);
    }

    /// Puts the link in the address bar, and marks the story it tells in the strip.
    fn write_link(&self) {
        presets_panel::show(&self.experiment, &self.view);
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Ok(history) = window.history() {
            let link = format!("?{}", link::to_query(&self.experiment, &self.view));
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&link));
        }
    }

    fn live_runs(&self) -> impl Iterator<Item = &runner::Run> {
        self.runs.iter().filter_map(|r| r.run.as_ref())
    }

    fn play_pause(&mut self) {
        match self.state() {
            // Still booting: the first run will play.
            _ if self.runs.is_empty() => self.restart(false),
            s if s.is_over() => self.restart(false),
            RunState::Paused => self.live_runs().for_each(|r| r.set_paused(false)),
            _ => self.live_runs().for_each(|r| r.set_paused(true)),
        }
    }

    fn step(&mut self) {
        if !self.state().is_over() {
            self.live_runs().for_each(runner::Run::step);
        }
    }

    fn reset(&mut self) {
        self.restart(true);
    }

    /// The landscape map was clicked: start there (to two decimals, so the link stays short).
    fn set_start(&mut self, x: f64, y: f64) {
        let round = |v: f64| format!("{:.2}", v);
        let notices: Vec<Notice> = [("x0", round(x)), ("y0", round(y))]
            .iter()
            .filter_map(|(name, v)| self.experiment.set(name, v))
            .collect();
        self.notices = notices;
        controls::show(&self.experiment, &self.view.hide);
        self.write_link();
        self.restart(false);
    }

    /// Pins the main run as a ghost, or lets the pinned one go.
    fn toggle_pin(&mut self) {
        self.pinned = match (&self.pinned, self.runs.first()) {
            (None, Some(main)) => Some(main.pin()),
            _ => None,
        };
        self.dirty = true;
    }

    fn threads_used(&self) -> u32 {
        self.main_run().map_or(0, runner::Run::threads_used)
    }
}

/// Only for the frames before the first run's first row arrives (that row says for certain, once f* is
/// solved for): what the model says is known of f*.
fn expects_optimum(e: &Experiment) -> bool {
    match e.problem.model().optimum(e.lambda) {
        Optimum::Known(_) | Optimum::Solve => true,
        Optimum::Unknown => false,
    }
}
