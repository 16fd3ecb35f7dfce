//! Hovering a chart shows the value of every run at that x, as the best teaching demos do.

use super::dom::{append, by_id, element, pixel_ratio, set_attr};
use dynabatch_plot::chart::{PlotFrame, Series};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, MouseEvent};

/// What a chart last drew: where, and which points.
struct Drawn {
    frame: PlotFrame,
    x_label: String,
    series: Vec<DrawnSeries>,
}

struct DrawnSeries {
    label: String,
    /// A CSS colour, for the tooltip's swatch.
    color: String,
    points: Vec<(f64, f64)>,
}

thread_local! {
    static DRAWN: RefCell<Vec<(String, Drawn)>> = const { RefCell::new(Vec::new()) };
}

/// The page's line charts (canvas ids in index.html): hover, export and the frame loop all walk this list.
pub const CHART_IDS: [&str; 5] = [
    "chart-sfo",
    "chart-rounds",
    "chart-time",
    "chart-batch",
    "chart-grad",
];

/// Keeps what chart `id` drew (points are sorted by x: SFO, rounds and time only grow).
pub fn remember(id: &str, frame: PlotFrame, x_label: &str, series: &[Series]) {
    let series = series
        .iter()
        .map(|s| {
            let c = s.color;
            DrawnSeries {
                label: s.label.to_string(),
                color: format!("rgb({},{},{})", c.0, c.1, c.2),
                points: s.points.clone(),
            }
        })
        .collect();
    let drawn = Drawn {
        frame,
        x_label: x_label.to_string(),
        series,
    };
    DRAWN.with(|all| {
        let mut all = all.borrow_mut();
        all.retain(|(known, _)| known != id);
        all.push((id.to_string(), drawn));
    });
}

/// The point of `points` whose x is nearest to `x`.
fn nearest(points: &[(f64, f64)], x: f64) -> Option<(f64, f64)> {
    let i = points.partition_point(|p| p.0 < x);
    let candidates = [i.checked_sub(1), Some(i)];
    candidates
        .into_iter()
        .flatten()
        .filter_map(|k| points.get(k).copied())
        .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()))
}

fn value_text(v: f64) -> String {
    if v != 0.0 && (v.abs() < 0.01 || v.abs() >= 1e5) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

pub fn on_move(event: Event) {
    let (Some(mouse), Some(canvas)) = (
        event.dyn_ref::<MouseEvent>(),
        event.target().and_then(|t| t.dyn_into::<Element>().ok()),
    ) else {
        return;
    };
    let ratio = pixel_ratio();
    let tooltip: HtmlElement = by_id("chart-tooltip");
    let shown = DRAWN.with(|all| {
        let all = all.borrow();
        let Some((_, drawn)) = all.iter().find(|(id, _)| *id == canvas.id()) else {
            return false;
        };
        let Some(x) = drawn.frame.x_at(mouse.offset_x() as f64 * ratio) else {
            return false;
        };
        tooltip.set_text_content(None);
        append(
            &tooltip,
            &element(
                "div",
                "tip-x",
                &format!("{} ≈ {}", drawn.x_label, drawn.frame.x_text(x)),
            ),
        );
        for DrawnSeries {
            label,
            color,
            points,
        } in &drawn.series
        {
            if let Some((px, py)) = nearest(points, x) {
                let line = element(
                    "div",
                    "tip-run",
                    &format!(
                        "{label}: {} (at {})",
                        value_text(py),
                        drawn.frame.x_text(px)
                    ),
                );
                set_attr(&line, "style", &format!("--run: {color}"));
                append(&tooltip, &line);
            }
        }
        true
    });
    tooltip.set_hidden(!shown);
    if shown {
        let style = tooltip.style();
        let _ = style.set_property("left", &format!("{}px", mouse.client_x() + 14));
        let _ = style.set_property("top", &format!("{}px", mouse.client_y() + 14));
    }
}

pub fn on_leave(_: Event) {
    by_id::<HtmlElement>("chart-tooltip").set_hidden(true);
}
