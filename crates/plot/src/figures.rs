//! What the native and the page's benchmarks and `dynabatch paper` draw: the paper's figures and the chart
//! workload, over the chart code of [`crate::chart`].

use crate::chart::{draw, ChartSpec, Scale, Series, Stroke, Theme, Unit};
use dynabatch_core::bench;
use dynabatch_core::metrics::Row;
use dynabatch_core::paper::{final_measure, outer_iterates, Axis, Study};
use plotters::prelude::{IntoDrawingArea, SVGBackend};

/// One study's curves for one seed, against SFO or rounds, as an SVG document.
pub fn paper_svg(study: &Study, curves: &[Vec<Row>], axis: Axis) -> Result<String, String> {
    let series: Vec<Series> = study
        .contenders
        .iter()
        .zip(curves)
        .zip(Theme::LIGHT.runs)
        .map(|((contender, rows), color)| Series {
            label: contender.label,
            points: outer_iterates(rows)
                .iter()
                .map(|r| {
                    let x = if axis == Axis::Sfo { r.sfo } else { r.round } as f64;
                    (x, final_measure(r, study.measure))
                })
                .collect(),
            color,
            stroke: Stroke::Solid,
        })
        .collect();
    let (x_label, x_scale, against) = match axis {
        Axis::Sfo => ("SFO calls per node", Scale::Linear, "SFO calls per node"),
        Axis::Rounds => (
            "communication rounds (log)",
            Scale::Log,
            "communication rounds",
        ),
    };
    let title = format!("{} vs. {against}", study.measure.label());
    let y_label = format!("{} (log)", study.measure.label());
    let spec = ChartSpec {
        title: &title,
        x_label,
        y_label: &y_label,
        x_scale,
        x_unit: Unit::Count,
        y_scale: Scale::Log,
        pixel_ratio: 1.0,
        theme: Theme::LIGHT,
    };
    svg(&spec, &series)
}

/// A chart as a 720 × 420 SVG document.
fn svg(spec: &ChartSpec, series: &[Series]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        draw(&area, spec, series)?;
        area.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// `dynabatch bench --scale`'s plot: seconds per run against its work (sample gradients × parameters,
/// N·T·(d + 1)), log-log, a series per parameter varied and thread count (solid: one thread; dashed:
/// more). Cost in proportion to work is a line of slope 1.
pub fn scale_svg(runs: &[bench::ScaleRun]) -> Result<String, String> {
    let mut keys: Vec<(&str, usize)> = runs.iter().map(|r| (r.varied, r.record.threads)).collect();
    keys.dedup();
    let mut kinds: Vec<&str> = keys.iter().map(|(varied, _)| *varied).collect();
    kinds.sort_unstable();
    kinds.dedup();
    // The legend names the solid curves; the title says what the dashed ones are.
    let labels: Vec<String> = keys
        .iter()
        .map(|(varied, _)| format!("{varied} varies"))
        .collect();
    let series: Vec<Series> = keys
        .iter()
        .zip(&labels)
        .map(|(&(varied, threads), label)| Series {
            label,
            points: runs
                .iter()
                .filter(|r| r.varied == varied && r.record.threads == threads)
                .map(|r| (r.point.work(), r.record.value))
                .collect(),
            color: Theme::LIGHT.runs[kinds.iter().position(|k| *k == varied).unwrap_or(0) % 5],
            stroke: if threads == 1 {
                Stroke::Solid
            } else {
                Stroke::Dashed
            },
        })
        .collect();
    let most = keys.iter().map(|(_, t)| *t).max().unwrap_or(1);
    let title = format!("A run's time against its work (solid: 1 thread; dashed: {most})");
    let spec = ChartSpec {
        title: &title,
        x_label: "sample gradients × parameters, N·T·(d + 1) (log)",
        y_label: "seconds (log)",
        x_scale: Scale::Log,
        x_unit: Unit::Count,
        y_scale: Scale::Log,
        pixel_ratio: 1.0,
        theme: Theme::LIGHT,
    };
    svg(&spec, &series)
}

/// What the chart workload draws: one curve on a log axis, as the page's f − f* chart.
pub fn bench_chart_spec() -> ChartSpec<'static> {
    ChartSpec {
        title: "Suboptimality vs. SFO calls per node",
        x_label: "SFO per node",
        y_label: "f − f* (log)",
        x_scale: Scale::Linear,
        x_unit: Unit::Count,
        y_scale: Scale::Log,
        pixel_ratio: 1.0,
        theme: Theme::LIGHT,
    }
}

/// Milliseconds per redraw of a `bench::CHART_POINTS`-point chart by `draw` (which draws `series` with
/// `bench_chart_spec()` on some backend).
pub fn bench_chart_redraw(
    now: &dyn Fn() -> f64,
    draw: &mut dyn FnMut(&[Series]) -> Result<(), String>,
) -> Result<bench::Record, String> {
    let series = [Series {
        label: "psgd",
        points: bench::chart_history(bench::CHART_POINTS),
        color: Theme::LIGHT.runs[0],
        stroke: Stroke::Solid,
    }];
    draw(&series)?;
    let mut failure = None;
    let ms = bench::ms_per_unit(now, |count| {
        for _ in 0..count {
            if let Err(e) = draw(&series) {
                failure = Some(e);
            }
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(bench::Record {
            workload: "chart",
            case: "redraw-100k",
            threads: 1,
            value: ms,
            unit: "ms",
            checksum: 0,
        }),
    }
}
