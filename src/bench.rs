//! The bench page's entry points (`www/bench.js`): the workloads of `dynabatch bench`, from the same
//! core code, timed with `performance.now()`.

use super::canvas::Canvas;
use dynabatch_core::bench::{self, Record};
use dynabatch_core::data::Dataset;
use dynabatch_core::experiment::Experiment;
use dynabatch_plot::{chart, figures};
use dynabatch_pool::Awake;
use js_sys::{Float64Array, Object, Reflect, Uint8Array};
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

#[wasm_bindgen]
extern "C" {
    /// Works on the page and in Web Workers alike (web-sys reaches it only through `Window`).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    /// A 2-D context, for `getImageData` without web-sys's `ImageData` feature.
    type Pixels;
    /// Only its side effect matters here: the recorded drawing is executed.
    #[wasm_bindgen(method, catch, js_name = getImageData)]
    fn read_pixels(
        this: &Pixels,
        x: f64,
        y: f64,
        width: f64,
        height: f64,
    ) -> Result<JsValue, JsValue>;
}

fn now() -> f64 {
    performance_now()
}

fn lines(records: &[Record]) -> String {
    records.iter().map(|r| r.json("wasm") + "\n").collect()
}

/// Every compute workload on this instance's rayon pool, as JSON lines. It blocks until done, so call it
/// from a Web Worker after `initThreadPool`, never from a page's main thread. The loop runs on a pool
/// thread, with the other threads kept awake between rounds, as the page's runs do.
#[wasm_bindgen(js_name = benchCompute)]
pub fn bench_compute() -> Result<String, JsError> {
    let records = rayon::scope(|_| {
        let _awake = Awake::new(crate::runner::cores());
        bench::compute_suite(&now)
    })
    .map_err(|e| JsError::new(&e))?;
    Ok(lines(&records))
}

/// The links whose whole runs the bench page times in the app (`bench::APP_REGIMES`), as JSON:
/// `[{"name": …, "query": …}, …]`.
#[wasm_bindgen(js_name = benchAppRegimes)]
pub fn bench_app_regimes() -> String {
    let regimes: Vec<_> = bench::APP_REGIMES
        .iter()
        .map(|c| serde_json::json!({ "name": c.name, "query": c.query }))
        .collect();
    serde_json::Value::from(regimes).to_string()
}

/// Redraw time of a 100k-point chart on a new `width`×`height` canvas, as JSON lines: the drawing calls
/// alone (what the main thread spends in a frame), and with the canvas rasterised after each redraw.
/// Main thread only: plotters measures text through the DOM.
#[wasm_bindgen(js_name = benchChart)]
pub fn bench_chart(width: u32, height: u32) -> Result<String, JsError> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsError::new("no document"))?;
    let js = |e: JsValue| JsError::new(&format!("{e:?}"));
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(js)?
        .unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let body = document.body().ok_or_else(|| JsError::new("no body"))?;
    body.append_child(&canvas).map_err(js)?;
    let context: Pixels = canvas
        .get_context("2d")
        .map_err(js)?
        .ok_or_else(|| JsError::new("no 2d context"))?
        .unchecked_into();
    let mut records = Vec::new();
    for (case, rasterise) in [("redraw-100k", false), ("redraw-100k-rasterised", true)] {
        let mut record = figures::bench_chart_redraw(&now, &mut |series| {
            let backend = Canvas::on(canvas.clone()).ok_or_else(|| "no 2d context".to_string())?;
            chart::draw(
                &backend.into_drawing_area(),
                &figures::bench_chart_spec(),
                series,
            )?;
            if rasterise {
                // Reading a pixel back makes the browser execute the recorded drawing now.
                context
                    .read_pixels(0.0, 0.0, 1.0, 1.0)
                    .map_err(|e| format!("{e:?}"))?;
            }
            Ok(())
        })
        .map_err(|e| JsError::new(&e))?;
        record.case = case;
        records.push(record);
    }
    Ok(lines(&records))
}

/// A throughput case's data exactly as the model sees it, for the TensorFlow.js comparison:
/// `{rows, cols, classes, hidden, lambda, nodes, batch, features: Float64Array, labels: Uint8Array}`.
#[wasm_bindgen(js_name = benchData)]
pub fn bench_data(case: &str) -> Result<Object, JsError> {
    let case = bench::CASES
        .iter()
        .find(|c| c.name == case)
        .ok_or_else(|| JsError::new(&format!("no bench case {case}")))?;
    let experiment =
        Experiment::from_query_strict(case.query).map_err(|n| JsError::new(&n.problem))?;
    let data = Dataset::for_experiment(&experiment);
    let out = Object::new();
    let set = |key: &str, value: JsValue| Reflect::set(&out, &key.into(), &value);
    let fields = [
        ("rows", (data.rows as f64).into()),
        ("cols", (data.cols as f64).into()),
        ("classes", (data.labels.count() as f64).into()),
        ("hidden", (experiment.hidden as f64).into()),
        ("lambda", experiment.lambda.into()),
        ("nodes", (bench::NODES as f64).into()),
        ("batch", (bench::BATCH as f64).into()),
        ("features", Float64Array::from(&data.features[..]).into()),
        ("labels", Uint8Array::from(data.labels.classes()).into()),
    ];
    for (key, value) in fields {
        set(key, value).map_err(|e| JsError::new(&format!("{e:?}")))?;
    }
    Ok(out)
}
