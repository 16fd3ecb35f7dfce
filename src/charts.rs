//! The charts: suboptimality on a log scale where f* is known, the loss itself where it is not, and the
//! batch schedule against the gradient noise scale.

use super::canvas::Canvas;
use super::dom::{append, by_id, element, pixel_ratio, set_attr, set_hidden, set_text, theme};
use super::App;
use dynabatch_core::experiment::Alg;
use dynabatch_core::metrics::Row;
use dynabatch_plot::chart::{self, ChartSpec, Legend, Scale, Series, Stroke, Theme, Unit};
use plotters::prelude::IntoDrawingArea;
use std::cell::{Cell, RefCell};
use web_sys::{HtmlCanvasElement, HtmlElement};

/// One chart's words: the canvas, its title, axis labels and what a screen reader hears.
struct Labels<'a> {
    id: &'a str,
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    description: &'a str,
}

fn sfo(r: &Row) -> f64 {
    r.sfo as f64
}

fn round(r: &Row) -> f64 {
    r.round as f64
}

/// Points for a log axis: zero or negative values have no place on it (f − f* reaches 0 to rounding,
/// and f* itself is only found to about 1e-12), so they are left out rather than drawn off the chart.
fn positive(rows: &[Row], x: fn(&Row) -> f64, y: impl Fn(&Row) -> Option<f64>) -> Vec<(f64, f64)> {
    rows.iter()
        .filter_map(|r| {
            y(r).filter(|v| v.is_finite() && *v > 0.0)
                .map(|v| (x(r), v))
        })
        .collect()
}

/// What a chart plots from one run's rows.
type Points<'f> = dyn Fn(&[Row]) -> Vec<(f64, f64)> + 'f;

/// One series per shown run (main, compared, pinned), each in its algorithm's colour.
fn series<'a>(app: &'a App, theme: &Theme, points: &Points<'_>) -> Vec<Series<'a>> {
    app.shown()
        .map(|run| Series {
            label: &run.label,
            points: points(&run.rows),
            color: run.color(theme),
            stroke: Stroke::Solid,
        })
        .collect()
}

fn time(r: &Row) -> f64 {
    r.time
}

/// The page's charts, in the order a frame draws them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chart {
    Sfo,
    Rounds,
    Time,
    Batch,
    /// ‖∇f‖², shown only where f* is unknown.
    Grad,
}

const CHARTS: [Chart; 5] = [
    Chart::Sfo,
    Chart::Rounds,
    Chart::Time,
    Chart::Batch,
    Chart::Grad,
];

/// A frame draws charts until this much of it is spent (and at least one), and leaves the rest to the
/// next frames: five charts in one frame took 15 to 25 ms here, four times that on a slow phone, long
/// enough to block input (Lighthouse's mobile profile counted each such frame as blocking time). On a
/// fast machine every chart still redraws every frame.
const FRAME_BUDGET_MS: f64 = 6.0;

/// The charts due for drawing: `left` of them, in `CHARTS` order from `next`, round and round.
#[derive(Clone, Copy)]
struct Due {
    next: usize,
    left: usize,
}

thread_local! {
    static DUE: Cell<Due> = const { Cell::new(Due { next: 0, left: 0 }) };
}

/// Something the charts show changed: every chart is due once more, starting where the last round of
/// drawing stopped (so that under a stream of changes each chart still gets its turn).
pub fn invalidate() {
    DUE.with(|due| {
        due.set(Due {
            next: due.get().next,
            left: CHARTS.len(),
        })
    });
}

/// Draws the charts due, within this frame's budget.
pub fn draw_due(app: &App) {
    let mut due = DUE.with(Cell::get);
    if due.left == 0 {
        return;
    }
    let now = || {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    };
    let start = now();
    let axes = Axes::of(app);
    let theme = theme();
    while due.left > 0 {
        draw_chart(app, CHARTS[due.next], &axes, theme);
        due = Due {
            next: (due.next + 1) % CHARTS.len(),
            left: due.left - 1,
        };
        if now() - start >= FRAME_BUDGET_MS {
            break;
        }
    }
    DUE.with(|d| d.set(due));
}

/// What every chart's axes depend on: all the runs shown.
struct Axes {
    /// Rounds on a log axis when runs are compared, linear otherwise.
    rounds: Scale,
    time: Scale,
    /// Whether the runs report f − f*.
    optimum_known: bool,
}

impl Axes {
    fn of(app: &App) -> Axes {
        // Compared algorithms differ in rounds by orders of magnitude: a log axis keeps them all readable.
        let rounds = if app.shown().count() > 1 {
            Scale::Log
        } else {
            Scale::Linear
        };
        // Compared runs can end decades apart in simulated time (PSGD's 20,000 rounds across the internet
        // take hours, CR-PSGD's 141 seconds): a log axis keeps the faster one readable. Linear otherwise.
        let ends: Vec<f64> = app
            .shown()
            .filter_map(|run| run.rows.last().map(|r| r.time))
            .filter(|t| *t > 0.0)
            .collect();
        let (fastest, slowest) = ends.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), t| {
            (lo.min(*t), hi.max(*t))
        });
        let time = if slowest >= 10.0 * fastest {
            Scale::Log
        } else {
            Scale::Linear
        };
        Axes {
            rounds,
            time,
            optimum_known: app.optimum_known,
        }
    }
}

fn draw_chart(app: &App, chart: Chart, axes: &Axes, theme: Theme) {
    let loss_chart = |id, x: fn(&Row) -> f64, x_label, versus, x_scale, x_unit| {
        // Where f* is known, f − f*: it falls by decades, so on a log axis. Otherwise the loss itself.
        let (name, said, y_label, y_scale) = if axes.optimum_known {
            (
                "Suboptimality",
                "f minus f*, log scale,",
                "f − f* (log)",
                Scale::Log,
            )
        } else {
            ("Loss", "Loss", "loss f(x)", Scale::Linear)
        };
        let title = format!("{name} vs. {versus}");
        let description = format!("{said} against {versus}");
        let labels = Labels {
            id,
            title: &title,
            x_label,
            y_label,
            description: &description,
        };
        let points = |rows: &[Row]| {
            if axes.optimum_known {
                positive(rows, x, |r| r.subopt)
            } else {
                rows.iter().map(|r| (x(r), r.loss)).collect()
            }
        };
        let series = series(app, &theme, &points);
        draw(&labels, (x_scale, x_unit), y_scale, theme, &series);
    };
    match chart {
        Chart::Sfo => loss_chart(
            "chart-sfo",
            sfo,
            "SFO per node",
            "SFO calls per node",
            Scale::Linear,
            Unit::Count,
        ),
        Chart::Rounds => loss_chart(
            "chart-rounds",
            round,
            "round",
            "communication rounds",
            axes.rounds,
            Unit::Count,
        ),
        Chart::Time => loss_chart(
            "chart-time",
            time,
            "simulated time",
            "simulated time",
            axes.time,
            Unit::Seconds,
        ),
        Chart::Batch => {
            let batch = Labels {
                id: "chart-batch",
                title: "Global batch N·B_t vs. B_noise",
                x_label: "round",
                y_label: "samples (log)",
                description: "Global batch N times B_t, and the gradient noise scale B_noise dashed, against round, log scale",
            };
            let names: Vec<[String; 2]> = app
                .shown()
                .map(|run| {
                    [
                        format!("{}: N·B_t", run.label),
                        format!("{}: B_noise", run.label),
                    ]
                })
                .collect();
            draw(
                &batch,
                (axes.rounds, Unit::Count),
                Scale::Log,
                theme,
                &batch_series(app, &theme, &names),
            );
            set_text(
                &by_id::<HtmlElement>("caption-batch"),
                &batch_caption(app.experiment.alg),
            );
        }
        Chart::Grad => {
            // Where f* is unknown (non-convex, or λ = 0), the rates are stated for ‖∇f‖², so that is shown.
            set_hidden(&by_id::<HtmlElement>("figure-grad"), axes.optimum_known);
            if !axes.optimum_known {
                let labels = Labels {
                    id: "chart-grad",
                    title: "‖∇f‖² vs. SFO calls per node",
                    x_label: "SFO per node",
                    y_label: "‖∇f‖² (log)",
                    description: "Squared gradient norm against SFO calls per node, log scale",
                };
                let grad = |rows: &[Row]| positive(rows, sfo, |r| Some(r.grad_norm * r.grad_norm));
                draw(
                    &labels,
                    (Scale::Linear, Unit::Count),
                    Scale::Log,
                    theme,
                    &series(app, &theme, &grad),
                );
            }
        }
    }
}

/// Per shown run (named by `names`, in `app.shown()` order), its global batch N·B_t, solid (local
/// SGD's is N·B₁ per local step), and the noise scale B_noise it is read against, dashed in the same
/// colour: both in samples, on one log axis. Row 0 is the starting point, before any batch or measurement.
fn batch_series<'a>(app: &'a App, theme: &Theme, names: &'a [[String; 2]]) -> Vec<Series<'a>> {
    app.shown()
        .zip(names)
        .flat_map(|(run, [batch_name, noise_name])| {
            let nodes = run.experiment.nodes as f64;
            let rows = run.rows.get(1..).unwrap_or_default();
            let global = rows.iter().map(|r| (round(r), nodes * r.batch as f64));
            [
                Series {
                    label: batch_name,
                    points: global.collect(),
                    color: run.color(theme),
                    stroke: Stroke::Solid,
                },
                Series {
                    label: noise_name,
                    points: positive(rows, round, |r| r.noise_scale),
                    color: run.color(theme),
                    stroke: Stroke::Dashed,
                },
            ]
        })
        .collect()
}

/// The batch schedule's rule, after the algorithm's name.
fn batch_caption(alg: Alg) -> String {
    let rule = match alg {
        Alg::CrPsgd => "B_t = ⌊ρ^(t−1)·B₁⌋ until the budget T is spent.",
        Alg::Psgd => "the same batch B₁ every round, so about T/B₁ rounds.",
        Alg::Catalyst => "B_t grows by ρ within each outer step, then starts again at B₁.",
        Alg::Local => "each round is H local steps of batch B₁, then one average.",
        Alg::Adaptive => {
            "B_t chases B_noise/(N·η²), the batch the norm test asks for, growing by at most ρ per round."
        }
        Alg::Ramp => "B_t grows linearly in the samples used, from B₁ to B_max over S, then stays.",
    };
    format!("{}: {rule}", alg.label())
}

thread_local! {
    /// The legend's entries as last written (label and colour), so it is rebuilt only when they change.
    static LEGEND: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// The runs' legend, once above all the charts rather than in each plot, where it covered curves: each
/// run's colour and its label (what it ran). Hidden for a single run, which needs no naming.
pub fn render_legend(app: &App) {
    let theme = theme();
    let entries: Vec<(String, String)> = app
        .shown()
        .map(|run| {
            let c = run.color(&theme);
            (run.label.clone(), format!("rgb({}, {}, {})", c.0, c.1, c.2))
        })
        .collect();
    if LEGEND.with(|l| *l.borrow() == entries) {
        return;
    }
    let list: HtmlElement = by_id("run-legend");
    list.set_text_content(None);
    for (label, colour) in &entries {
        let item = element("li", "", "");
        let swatch = element("span", "swatch", "");
        set_attr(&swatch, "style", &format!("background: {colour}"));
        set_attr(&swatch, "aria-hidden", "true");
        append(&item, &swatch);
        append(&item, &element("span", "", label));
        append(&list, &item);
    }
    LEGEND.with(|l| *l.borrow_mut() = entries);
}

/// Sizes the canvas's backing store to its CSS size × devicePixelRatio (crisp on HiDPI screens); returns
/// the ratio, or `None` while the canvas is not laid out.
pub fn fit_to_screen(canvas: &HtmlCanvasElement) -> Option<f64> {
    let ratio = pixel_ratio();
    let (width, height) = (canvas.client_width() as f64, canvas.client_height() as f64);
    if width < 10.0 || height < 10.0 {
        return None;
    }
    let (w, h) = (
        (width * ratio).round() as u32,
        (height * ratio).round() as u32,
    );
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    Some(ratio)
}

fn draw(
    labels: &Labels,
    (x_scale, x_unit): (Scale, Unit),
    y_scale: Scale,
    theme: Theme,
    series: &[Series],
) {
    let canvas: HtmlCanvasElement = by_id(labels.id);
    set_attr(&canvas, "aria-label", labels.description);
    let Some(ratio) = fit_to_screen(&canvas) else {
        return;
    };
    let Some(backend) = Canvas::on(canvas) else {
        return;
    };
    let spec = ChartSpec {
        title: labels.title,
        x_label: labels.x_label,
        y_label: labels.y_label,
        x_scale,
        x_unit,
        y_scale,
        pixel_ratio: ratio,
        theme,
    };
    match chart::draw_with(&backend.into_drawing_area(), &spec, series, Legend::Outside) {
        Ok(frame) => super::hover::remember(labels.id, frame, labels.x_label, series),
        Err(e) => web_sys::console::warn_1(&format!("chart {}: {e}", labels.id).into()),
    }
}
