//! The landscape problem's map: f as a heat map, every run's path over it; a click starts there.

use super::canvas::Canvas;
use super::dom::{by_id, pixel_ratio, set_hidden, set_text, theme};
use super::{with_app, App};
use dynabatch_core::experiment::ProblemKind;
use dynabatch_plot::chart::{ChartSpec, Scale, Series, Stroke, Unit};
use dynabatch_plot::heatmap::{self, MapFrame};
use plotters::prelude::IntoDrawingArea;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlCanvasElement, HtmlElement, MouseEvent};

thread_local! {
    /// Where the last drawn map sits on its canvas, for clicks.
    static FRAME: RefCell<Option<MapFrame>> = const { RefCell::new(None) };
}

pub fn render(app: &App) {
    let figure: HtmlElement = by_id("figure-landscape");
    let shown = app.experiment.problem == ProblemKind::Landscape;
    set_hidden(&figure, !shown);
    if !shown {
        return;
    }
    set_text(
        &by_id::<HtmlElement>("caption-landscape"),
        dynabatch_core::presets::LANDSCAPE_CAPTION,
    );
    let theme = theme();
    let paths: Vec<Series> = app
        .shown()
        .map(|run| Series {
            label: &run.label,
            points: heatmap::evenly(run.rows.len(), heatmap::PATH_POINTS)
                .filter_map(|i| run.rows[i].point)
                .map(|[x, y]| (x, y))
                .collect(),
            color: run.color(&theme),
            stroke: Stroke::Solid,
        })
        .collect();
    let canvas: HtmlCanvasElement = by_id("chart-landscape");
    let Some(ratio) = super::charts::fit_to_screen(&canvas) else {
        return;
    };
    // The whole title takes about 540 px at its size: a phone's map (366 px) cut it at both ends, so a
    // narrow map keeps the formula alone (its paths are named by the legend above the charts).
    let title = if canvas.client_width() < 560 {
        "f(x, y) = x² + 3sin²x + y² + 3sin²y"
    } else {
        "The landscape f(x, y) = x² + 3sin²x + y² + 3sin²y, and each run's path"
    };
    let Some(backend) = Canvas::on(canvas) else {
        return;
    };
    let spec = ChartSpec {
        title,
        x_label: "x",
        y_label: "y",
        x_scale: Scale::Linear,
        x_unit: Unit::Count,
        y_scale: Scale::Linear,
        pixel_ratio: ratio,
        theme,
    };
    match heatmap::draw(&backend.into_drawing_area(), &spec, &paths) {
        Ok(frame) => FRAME.with(|f| *f.borrow_mut() = Some(frame)),
        Err(e) => web_sys::console::warn_1(&format!("landscape map: {e}").into()),
    }
}

/// A click on the map sets the starting point (x₀, y₀) there and reruns.
pub fn on_click(event: Event) {
    let Some(mouse) = event.dyn_ref::<MouseEvent>() else {
        return;
    };
    let ratio = pixel_ratio();
    let (px, py) = (
        mouse.offset_x() as f64 * ratio,
        mouse.offset_y() as f64 * ratio,
    );
    let point = FRAME.with(|f| f.borrow().as_ref().and_then(|frame| frame.point_at(px, py)));
    if let Some((x, y)) = point {
        with_app(|app| app.set_start(x, y));
    }
}
