//! Downloads: every shown run as CSV or JSON, and the charts as one PNG.

use super::dom::{by_id, document, set_attr};
use super::hover::CHART_IDS;
use super::App;
use dynabatch_core::link;
use dynabatch_core::metrics::{csv_header, Row};
use serde::Serialize;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlAnchorElement, HtmlCanvasElement,
    HtmlElement, Url,
};

/// All runs in one CSV: a `run` column first, then the usual columns.
pub fn csv(app: &App) -> String {
    let mut out = String::new();
    let with_point = app.rows().first().is_some_and(|r| r.point.is_some());
    out.push_str(&format!("run,{}", csv_header(with_point)));
    for run in app.shown() {
        for row in &run.rows {
            out.push_str(&format!("{},{}", run.label, row.csv_line()));
        }
    }
    out
}

#[derive(Serialize)]
struct RunJson<'a> {
    label: &'a str,
    alg: &'static str,
    link: String,
    rows: &'a [Row],
}

/// All runs as JSON: each with its label, algorithm, share link and rows.
pub fn json(app: &App) -> String {
    let runs: Vec<RunJson> = app
        .shown()
        .map(|r| RunJson {
            label: &r.label,
            alg: r.experiment.alg.name(),
            link: link::to_query(&r.experiment, &Default::default()),
            rows: &r.rows,
        })
        .collect();
    serde_json::to_string_pretty(&runs).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Offers `text` as a file download.
pub fn download_text(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = Url::create_object_url_with_blob(&blob) else {
        return;
    };
    click_link(name, &url);
    let _ = Url::revoke_object_url(&url);
}

/// The visible charts side by side in two columns, as one PNG at the screen's pixel density, with a
/// footer that says what ran: each run's label in its colour, and the link that reproduces them (a
/// picture passed on without them could not be checked or rerun).
pub fn download_png(app: &App) {
    let charts: Vec<HtmlCanvasElement> = CHART_IDS
        .iter()
        .map(|id| by_id::<HtmlCanvasElement>(id))
        .filter(|c| c.client_width() > 0 && c.width() > 0)
        .collect();
    let Some(first) = charts.first() else { return };
    let (w, h) = (first.width(), first.height());
    let rows = charts.len().div_ceil(2) as u32;
    let ratio = super::dom::pixel_ratio();
    let line = (18.0 * ratio).round();
    let runs: Vec<(String, String)> = app
        .shown()
        .map(|run| {
            let c = run.color(&super::dom::theme());
            (run.label.clone(), format!("rgb({}, {}, {})", c.0, c.1, c.2))
        })
        .collect();
    let footer = (line * (runs.len() as f64 + 1.0) + line / 2.0) as u32;
    let Ok(sheet) = document().create_element("canvas") else {
        return;
    };
    let sheet: HtmlCanvasElement = sheet.unchecked_into();
    sheet.set_width(2 * w);
    sheet.set_height(rows * h + footer);
    let Some(context) = sheet
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, (2 * w) as f64, (rows * h + footer) as f64);
    for (i, chart) in charts.iter().enumerate() {
        let (x, y) = ((i as u32 % 2) * w, (i as u32 / 2) * h);
        let _ = context.draw_image_with_html_canvas_element_and_dw_and_dh(
            chart, x as f64, y as f64, w as f64, h as f64,
        );
    }
    // The footer: a swatch and a label per run, then the link, on the white sheet in dark ink.
    context.set_font(&format!("{}px sans-serif", (12.0 * ratio).round()));
    context.set_text_baseline("middle");
    let (left, top) = (10.0 * ratio, (rows * h) as f64 + line / 2.0);
    for (i, (label, colour)) in runs.iter().enumerate() {
        let y = top + line * i as f64 + line / 2.0;
        context.set_fill_style_str(colour);
        context.fill_rect(left, y - 2.0 * ratio, 18.0 * ratio, 4.0 * ratio);
        context.set_fill_style_str("#0f172a");
        let _ = context.fill_text(label, left + 26.0 * ratio, y);
    }
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let _ = context.fill_text_with_max_width(
        &href,
        left,
        top + line * runs.len() as f64 + line / 2.0,
        (2 * w) as f64 - 2.0 * left,
    );
    if let Ok(url) = sheet.to_data_url_with_type("image/png") {
        click_link("dynabatch-charts.png", &url);
    }
}

fn click_link(name: &str, href: &str) {
    let Ok(a) = document().create_element("a") else {
        return;
    };
    set_attr(&a, "href", href);
    set_attr(&a, "download", name);
    let a: HtmlAnchorElement = a.unchecked_into();
    let body: Option<HtmlElement> = document().body();
    if let Some(body) = body {
        let _ = body.append_child(&a);
        a.click();
        let _ = body.remove_child(&a);
    }
}
