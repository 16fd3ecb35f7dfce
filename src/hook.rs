//! `window.dynabatch`: a read-only window onto the run, for tests and for the curious.

use super::runner::RunState;
use super::{faults, with_app};
use dynabatch_core::metrics::to_csv;
use js_sys::{Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
struct Status {
    state: &'static str,
    round: u64,
    sfo: u64,
    nodes: usize,
    /// Web Worker threads that computed nodes in this run.
    threads: u32,
    /// Web Worker threads in the pool.
    pool: usize,
    /// Which build runs: "threads" (cross-origin isolated, shared memory) or "serial".
    build: &'static str,
    notices: Vec<String>,
    error: Option<String>,
    /// The share link's query string.
    query: String,
    /// The user's data file (problem=data): see `user_data::DataStatus`.
    data: Option<super::user_data::DataStatus>,
    /// The Tune button's search.
    tune: TuneStatus,
}

/// `status().tune`: `state` is idle, running, done or stopped; while running, `scored` of `candidates`
/// and the estimated `seconds` of the whole search; `background`, the searches still working (a
/// cancelled one stops within a few rounds).
#[derive(Serialize)]
struct TuneStatus {
    state: &'static str,
    scored: usize,
    candidates: usize,
    seconds: f64,
    background: usize,
}

pub fn install() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hook = Object::new();
    let status = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|app| status_value(app)).unwrap_or_else(dead_status_value)
    });
    let csv = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|app| JsValue::from_str(&to_csv(app.rows()))).unwrap_or(JsValue::NULL)
    });
    let _ = Reflect::set(&hook, &"status".into(), status.as_ref());
    let _ = Reflect::set(&hook, &"csv".into(), csv.as_ref());
    let runs =
        Closure::<dyn Fn() -> JsValue>::new(|| with_app(runs_value).unwrap_or(JsValue::NULL));
    let _ = Reflect::set(&hook, &"runs".into(), runs.as_ref());
    runs.forget();
    // The hook lives as long as the page.
    status.forget();
    csv.forget();
    Object::freeze(&hook);
    let descriptor = Object::new();
    let _ = Reflect::set(&descriptor, &"value".into(), &hook);
    let _ = Object::define_property(&window, &"dynabatch".into(), &descriptor);
}

/// One run as `runs()` reports it.
#[derive(Serialize)]
struct RunView {
    label: String,
    alg: &'static str,
    /// Its colour on the charts, `#rrggbb`.
    color: String,
    state: &'static str,
    /// The run's own share link: the CLI reproduces its CSV from it.
    link: String,
    csv: String,
}

/// Every run on the charts: `[{label, alg, color, state, link, csv}]`, the main run first, a pinned ghost last.
fn runs_value(app: &mut super::App) -> JsValue {
    let runs: Vec<RunView> = app
        .shown()
        .map(|r| RunView {
            label: r.label.clone(),
            alg: r.experiment.alg.name(),
            color: {
                let c = r.color(&super::dom::theme());
                format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
            },
            state: r.state.name(),
            link: r.experiment.to_query(),
            csv: to_csv(&r.rows),
        })
        .collect();
    runs.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn status_value(app: &super::App) -> JsValue {
    let last = app.rows().last();
    to_value(&Status {
        state: app.state().name(),
        round: last.map_or(0, |r| r.round),
        sfo: last.map_or(0, |r| r.sfo),
        nodes: app.experiment.nodes,
        threads: app.threads_used(),
        pool: app.pool_threads,
        build: build(),
        notices: app.notices.iter().map(|n| n.message()).collect(),
        error: app.error().map(str::to_string),
        query: dynabatch_core::link::to_query(&app.experiment, &app.view),
        data: Some(app.data_status()),
        tune: {
            let (state, scored, candidates, seconds) = super::tune_panel::status(&app.tune);
            TuneStatus {
                state,
                scored,
                candidates,
                seconds,
                background: super::tuning::live(),
            }
        },
    })
}

/// The status once the app is gone (see `with_app`): the error, and the link from the address bar.
/// What only the app knew reads as zero or empty.
fn dead_status_value() -> JsValue {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    to_value(&Status {
        state: RunState::Error.name(),
        round: 0,
        sfo: 0,
        nodes: 0,
        threads: 0,
        pool: 0,
        build: build(),
        notices: Vec::new(),
        error: Some(faults::trap_sentence()),
        query: search.trim_start_matches('?').to_string(),
        data: None,
        tune: TuneStatus {
            state: "idle",
            scored: 0,
            candidates: 0,
            seconds: 0.0,
            background: 0,
        },
    })
}

/// Which build runs: "threads" (cross-origin isolated, shared memory) or "serial".
fn build() -> &'static str {
    if cfg!(feature = "threads") {
        "threads"
    } else {
        "serial"
    }
}

fn to_value(status: &Status) -> JsValue {
    status
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}
