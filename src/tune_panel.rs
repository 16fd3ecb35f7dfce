//! The Tune button: `dynabatch tune` for the link on screen, in the background (`tuning`), with its
//! progress and a Cancel button; then the CLI's table, and the tuned link loaded in place of the user's,
//! which stays one Back (or one click on "Back to your link") away.

use super::dom::{append, by_id, element, set_attr, set_hidden, set_text};
use super::tuning::{Outcome, Report, TuneHandle, Tuner};
use super::{App, Phase};
use dynabatch_core::experiment::{Experiment, ProblemKind};
use dynabatch_core::link::{self, ViewKeys};
use dynabatch_core::params::Param;
use dynabatch_core::tune::{second_knob, Search, Work, SEEDS};
use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlAnchorElement, HtmlButtonElement, HtmlElement, HtmlProgressElement};

/// Where the Tune button is.
pub enum Tune {
    /// Nothing to show.
    Idle,
    Running(Running),
    /// Over: the table. The tuned link replaced `from` if it was still the link on screen.
    Done {
        outcome: Outcome,
        from: String,
    },
    /// Why tuning did not start, or that it was cancelled: one line.
    Stopped(String),
}

pub struct Running {
    tuner: Tuner,
    /// The link being tuned, as it was when the button was pressed.
    from: String,
    scored: usize,
    /// Each candidate's estimated seconds, in the order the search scores them: with the time taken so
    /// far, how long is left.
    seconds: Vec<f64>,
    started_ms: f64,
}

/// Costs of the page's search, measured in headless Chromium on 2 cores (docs/PERFORMANCE.md, "Tune in
/// the page"):
/// nanoseconds per operation of the cost model on one thread, and microseconds a round costs besides
/// (its bookkeeping: the trainer's vectors, the schedule).
const NS_PER_OPERATION: f64 = 0.3;
const US_PER_ROUND: f64 = 1.0;

/// Longer than this, and the page refuses: the CLI, on every core natively, is the place for it.
const MOST_SECONDS: f64 = 600.0;

/// Estimated seconds of `work` on this page: the search's lanes are the pool's threads (one in the
/// serial build), each scoring whole candidates.
fn seconds(work: Work, lanes: usize) -> f64 {
    (work.operations * NS_PER_OPERATION * 1e-9 + work.rounds * US_PER_ROUND * 1e-6)
        / lanes.max(1) as f64
}

/// "about 40 s", "about 3 min", "about 2 h".
fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 1.5 => "about a second".to_string(),
        s if s < 90.0 => format!("about {} s", s.round()),
        s if s < 5400.0 => format!("about {} min", (s / 60.0).round()),
        s => format!("about {} h", (s / 3600.0).round()),
    }
}

impl App {
    /// The Tune button: weighs the search, then starts it, or says in one line why not.
    pub(crate) fn start_tuning(&mut self) {
        if matches!(self.tune, Tune::Running(_)) || !matches!(self.phase, Phase::Ready) {
            return;
        }
        self.tune_dirty = true;
        let from = link::to_query(&self.experiment, &self.view);
        // problem=data is tuned on the file the page holds, as its runs are; the link alone cannot say
        // what that file costs, so what the page learnt when it read it prices the search.
        let (data, file_cost) = match self.data.run_data(&self.experiment) {
            Some(data) => (
                Some(data.clone()),
                self.data.held.as_ref().map(|held| held.info.cost),
            ),
            None if self.experiment.problem == ProblemKind::Data => {
                self.tune = Tune::Stopped(
                    "Tune needs the data file: bring it (the data panel says which) and press Tune again."
                        .to_string(),
                );
                return;
            }
            None => (None, None),
        };
        // Building the candidates is cheap (no data, no f*): the search itself runs in the background.
        let search = Search::new(&self.experiment, &self.view, None);
        let seconds: Vec<f64> = (0..search.candidates().len())
            .map(|i| seconds(search.candidate_work(i, file_cost), self.pool_threads))
            .collect();
        let total: f64 = seconds.iter().sum();
        if total > MOST_SECONDS {
            self.tune = Tune::Stopped(format!(
                "Tuning this link would take {} here ({} candidates × {SEEDS} seeds of its runs): lower T or N, or run `dynabatch tune` on it natively, on every core.",
                duration(total),
                seconds.len()
            ));
            return;
        }
        self.tune = Tune::Running(Running {
            tuner: Tuner::start(self.experiment.clone(), self.view.clone(), data),
            from,
            scored: 0,
            seconds,
            started_ms: js_sys::Date::now(),
        });
    }

    /// Cancel: the search stops (dropping its handle), the link stays as it is.
    pub(crate) fn cancel_tuning(&mut self) {
        if let Tune::Running(running) = &self.tune {
            self.tune = Tune::Stopped(format!(
                "Tuning cancelled after {} of {} candidates; the link is as it was.",
                running.scored,
                running.seconds.len()
            ));
            self.tune_dirty = true;
        }
    }

    pub(crate) fn close_tuning(&mut self) {
        self.cancel_tuning();
        self.tune = Tune::Idle;
        self.tune_dirty = true;
    }

    /// Once per frame: how far the search is; once it is over, the tuned link replaces the user's if
    /// that is still the one on screen (the user's stays in the history: Back returns to it).
    pub(crate) fn poll_tuning(&mut self) {
        let Tune::Running(running) = &mut self.tune else {
            return;
        };
        match running.tuner.report() {
            Report::Working { scored } => {
                if scored != running.scored {
                    running.scored = scored;
                    self.tune_dirty = true;
                }
            }
            Report::Failed(why) => {
                self.tune = Tune::Stopped(format!("Tuning could not start: {why}."));
                self.tune_dirty = true;
            }
            Report::Finished(outcome) => {
                let from = std::mem::take(&mut running.from);
                let unchanged = link::to_query(&self.experiment, &self.view) == from;
                if unchanged && outcome.query != from {
                    push_history(&outcome.query);
                    self.open_link(&outcome.query);
                }
                self.tune = Tune::Done { outcome, from };
                self.tune_dirty = true;
            }
        }
    }
}

/// A new history entry for the tuned link, so that Back returns to the user's (`popstate` reopens it).
fn push_history(query: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&format!("?{query}")));
    }
}

/// What `status().tune` says: the state, how many candidates are scored of how many, and the estimated
/// seconds of the whole search (while it runs).
pub fn status(tune: &Tune) -> (&'static str, usize, usize, f64) {
    match tune {
        Tune::Idle => ("idle", 0, 0, 0.0),
        Tune::Running(r) => ("running", r.scored, r.seconds.len(), r.seconds.iter().sum()),
        Tune::Done { .. } => ("done", 0, 0, 0.0),
        Tune::Stopped(_) => ("stopped", 0, 0, 0.0),
    }
}

pub fn render(app: &App) {
    let panel: HtmlElement = by_id("tune-panel");
    let button: HtmlButtonElement = by_id("tune");
    let running = matches!(app.tune, Tune::Running(_));
    button.set_disabled(running || !matches!(app.phase, Phase::Ready));
    set_text(&button, if running { "Tuning…" } else { "Tune" });
    set_hidden(&panel, matches!(app.tune, Tune::Idle));
    set_attr(&panel, "data-state", status(&app.tune).0);
    let progress: HtmlProgressElement = by_id("tune-progress");
    set_hidden(&progress, !running);
    set_hidden(&by_id::<HtmlElement>("tune-cancel"), !running);
    let table: HtmlElement = by_id("tune-table");
    let other: HtmlAnchorElement = by_id("tune-other");
    let status_line: Element = by_id("tune-status");
    let mut other_link = None;
    match &app.tune {
        Tune::Idle => {}
        Tune::Running(r) => {
            let total = r.seconds.len();
            progress.set_max(total as f64);
            progress.set_value(r.scored as f64);
            let done: f64 = r.seconds[..r.scored].iter().sum();
            let all: f64 = r.seconds.iter().sum();
            let elapsed = (js_sys::Date::now() - r.started_ms) / 1000.0;
            // The estimate until the first candidates are in, then what they took, extrapolated.
            let left = if done > 0.05 * all && elapsed > 0.5 {
                elapsed * (all - done) / done
            } else {
                all - elapsed
            };
            set_text(
                &status_line,
                &format!(
                    "Tuning γ{}: {} of {total} candidates ({SEEDS} seeds each), {} left.",
                    knobs(&app.experiment, &app.view),
                    r.scored,
                    duration(left.max(0.0))
                ),
            );
        }
        Tune::Done { outcome, from } => {
            let current = link::to_query(&app.experiment, &app.view);
            let changed = changes(from, &outcome.query);
            let (sentence, link) = if outcome.query == *from {
                (
                    "Tuned: the link's own settings are already the grid's best.".to_string(),
                    None,
                )
            } else if current == outcome.query {
                (
                    format!("Loaded the tuned link: {changed}."),
                    Some((from.as_str(), "↶ Back to your link")),
                )
            } else {
                (
                    format!("Tuned ({changed}), for a link other than this one."),
                    Some((outcome.query.as_str(), "Open the tuned link")),
                )
            };
            set_text(&status_line, &sentence);
            other_link = link;
        }
        Tune::Stopped(why) => set_text(&status_line, why),
    }
    match other_link {
        Some((query, text)) => {
            set_attr(&other, "href", &format!("?{query}"));
            set_attr(&other, "data-open", query);
            set_text(&other, text);
            set_hidden(&other, false);
        }
        None => set_hidden(&other, true),
    }
    match &app.tune {
        Tune::Done { outcome, .. } => {
            fill_table(&table, outcome);
            set_hidden(&table, false);
        }
        _ => set_hidden(&table, true),
    }
}

/// " and ρ" or " and η" where a run of the link has that second knob.
fn knobs(experiment: &Experiment, view: &ViewKeys) -> String {
    let runs = runs(experiment, view);
    let mut names: Vec<&str> = Vec::new();
    for knob in runs.iter().filter_map(|e| second_knob(e.alg)) {
        let symbol = knob.0.spec().symbol;
        if !names.contains(&symbol) {
            names.push(symbol);
        }
    }
    names.iter().map(|n| format!(" and {n}")).collect()
}

/// The main run and the compared ones.
fn runs(experiment: &Experiment, view: &ViewKeys) -> Vec<Experiment> {
    std::iter::once(experiment.clone())
        .chain(view.compare.iter().map(|c| c.experiment(experiment)))
        .collect()
}

/// What tuning changed, run by run: "crpsgd γ 0.001 → 0.1, ρ 1.05 → 1.5; psgd γ 0.001 → 0.01".
fn changes(from: &str, tuned: &str) -> String {
    let ((before, before_view, _), (after, after_view, _)) =
        (link::parse(from), link::parse(tuned));
    let mut said = Vec::new();
    for (b, a) in runs(&before, &before_view)
        .iter()
        .zip(&runs(&after, &after_view))
    {
        let params = std::iter::once(Param::Gamma).chain(second_knob(a.alg).map(|(p, _)| p));
        let moved: Vec<String> = params
            .filter_map(|p| {
                let (was, now) = (b.value(p), a.value(p));
                (was != now).then(|| format!("{} {was} → {now}", p.spec().symbol))
            })
            .collect();
        if !moved.is_empty() {
            said.push(format!("{} {}", a.alg.name(), moved.join(", ")));
        }
    }
    if said.is_empty() {
        "nothing changed".to_string()
    } else {
        said.join("; ")
    }
}

/// The CLI's table, turned so that each run is a column: a sidebar is narrow, and runs are few (four at
/// most), while the CLI's columns are seven.
fn fill_table(table: &Element, outcome: &Outcome) {
    // Rebuilt only when another outcome is shown: the frame loop renders often.
    let key = outcome.query.as_str();
    if table.get_attribute("data-query").as_deref() == Some(key) {
        return;
    }
    set_attr(table, "data-query", key);
    let head: Element = by_id("tune-head");
    let body: Element = by_id("tune-rows");
    head.set_text_content(None);
    body.set_text_content(None);
    for (i, name) in outcome.header.iter().enumerate() {
        let tr = element("tr", "", "");
        let th = element("th", "", name);
        set_attr(&th, "scope", "row");
        append(&tr, &th);
        for row in &outcome.rows {
            let cell = element(if i == 0 { "th" } else { "td" }, "", &row[i]);
            if i == 0 {
                set_attr(&cell, "scope", "col");
            }
            append(&tr, &cell);
        }
        append(if i == 0 { &head } else { &body }, &tr);
    }
}
