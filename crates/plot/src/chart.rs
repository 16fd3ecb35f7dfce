//! Line charts drawn through plotters' backend-independent API: the page draws them on a canvas, and
//! native code can draw the same charts to SVG. Here the frame, the curves and the colours; the axes'
//! ranges and tick labels are in `axes`, the legend in `legend`.

mod axes;
mod legend;

use axes::{axis_number, padded};
pub use axes::{compact, duration, grouped, tick_label};
use legend::{draw_legend, Corner};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// One curve.
pub struct Series<'a> {
    pub label: &'a str,
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub stroke: Stroke,
}

/// How a curve is drawn: a run's own measure solid, a reference it is read against (the noise scale
/// under the batch) dashed in the same colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stroke {
    Solid,
    Dashed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log,
}

/// What an x axis counts, so that its ticks read in fitting units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Plain numbers, with k and M: samples, rounds, coordinates.
    Count,
    /// Seconds, shown in µs, ms, s, min or h as fits.
    Seconds,
}

/// The colours a chart is drawn in: one for a light page (and the SVG figures), one for a dark one (the
/// page follows `prefers-color-scheme`). Text keeps at least 4.5:1 against the background in both, curves
/// and lines at least 3:1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub background: RGBColor,
    /// Titles and the legend's names.
    pub ink: RGBColor,
    /// Axis descriptions.
    pub axis_text: RGBColor,
    /// Tick labels and the axes themselves.
    pub tick_text: RGBColor,
    pub grid_light: RGBColor,
    pub grid_bold: RGBColor,
    pub legend_border: RGBColor,
    /// One colour per algorithm, in `Alg::ALL`'s order (a second run of one takes a free one).
    pub runs: [RGBColor; 5],
    /// The landscape map: its lowest and highest shade.
    pub map_low: RGBColor,
    pub map_high: RGBColor,
}

impl Theme {
    pub const LIGHT: Theme = Theme {
        background: RGBColor(255, 255, 255),
        ink: RGBColor(30, 41, 59),
        axis_text: RGBColor(51, 65, 85),
        tick_text: RGBColor(71, 85, 105),
        grid_light: RGBColor(241, 245, 249),
        grid_bold: RGBColor(226, 232, 240),
        legend_border: RGBColor(203, 213, 225),
        runs: [
            RGBColor(37, 99, 235),
            RGBColor(234, 88, 12),
            RGBColor(22, 163, 74),
            RGBColor(147, 51, 234),
            RGBColor(190, 24, 93),
        ],
        map_low: RGBColor(255, 251, 235),
        map_high: RGBColor(71, 85, 125),
    };

    /// The page's dark panels (style.css): light text, and the runs' hues lightened to stand out on them.
    pub const DARK: Theme = Theme {
        background: RGBColor(15, 23, 42),
        ink: RGBColor(226, 232, 240),
        axis_text: RGBColor(203, 213, 225),
        tick_text: RGBColor(148, 163, 184),
        grid_light: RGBColor(24, 33, 54),
        grid_bold: RGBColor(40, 52, 76),
        legend_border: RGBColor(71, 85, 105),
        runs: [
            RGBColor(96, 165, 250),
            RGBColor(251, 146, 60),
            RGBColor(74, 222, 128),
            RGBColor(192, 132, 252),
            RGBColor(244, 114, 182),
        ],
        map_low: RGBColor(23, 31, 50),
        map_high: RGBColor(100, 116, 150),
    };

    /// A colour two thirds of the way to the background: a pinned ghost's, behind the live runs.
    pub fn faded(&self, c: RGBColor) -> RGBColor {
        let fade = |c: u8, to: u8| ((c as u16 + 2 * to as u16) / 3) as u8;
        let b = self.background;
        RGBColor(fade(c.0, b.0), fade(c.1, b.1), fade(c.2, b.2))
    }
}

/// What a chart shows, in what colours, and at what pixel density (fonts and lines scale with it, for
/// HiDPI canvases).
pub struct ChartSpec<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub x_scale: Scale,
    pub x_unit: Unit,
    pub y_scale: Scale,
    pub pixel_ratio: f64,
    pub theme: Theme,
}

impl ChartSpec<'_> {
    /// A length in CSS pixels, on the backend.
    pub fn px(&self, css: f64) -> i32 {
        (css * self.pixel_ratio).round() as i32
    }

    /// The charts' font at a size in CSS pixels.
    pub fn font(&self, css: f64) -> FontDesc<'static> {
        ("sans-serif", css * self.pixel_ratio).into_font()
    }

    /// How tick labels look on every chart.
    pub fn tick_labels(&self) -> TextStyle<'static> {
        self.font(12.0).color(&self.theme.tick_text)
    }
}

/// The frame every chart shares: the title above, a margin, and room for the tick labels below the plot
/// (`x_labels` CSS pixels high) and left of it (`y_labels` wide).
pub fn builder<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    x_labels: f64,
    y_labels: f64,
) -> ChartBuilder<'a, 'static, DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(spec.title, spec.font(15.0).color(&spec.theme.ink))
        .margin(spec.px(10.0))
        // A log axis may end on a labelled power of ten ("2.78 h"): room for half of its label.
        .margin_right(spec.px(22.0))
        .x_label_area_size(spec.px(x_labels))
        .y_label_area_size(spec.px(y_labels));
    builder
}

/// Below this many points, each one is marked: a run's rounds are worth seeing one by one.
const MARKED_POINTS: usize = 80;

/// A plot's pixel columns and rows on its backend.
type PixelBox = (Range<i32>, Range<i32>);

/// Where a chart's plot landed on its backend, so a pointer position can be turned back into an x value.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotFrame {
    pub x_pixels: Range<i32>,
    pub y_pixels: Range<i32>,
    pub x_range: Range<f64>,
    pub x_scale: Scale,
    pub x_unit: Unit,
}

impl PlotFrame {
    /// The x value under a backend pixel column, if it is inside the plot.
    pub fn x_at(&self, px: f64) -> Option<f64> {
        let t = (px - self.x_pixels.start as f64)
            / (self.x_pixels.end - self.x_pixels.start).max(1) as f64;
        let (lo, hi) = (self.x_range.start, self.x_range.end);
        (0.0..=1.0).contains(&t).then(|| match self.x_scale {
            Scale::Linear => lo + t * (hi - lo),
            Scale::Log => lo * (hi / lo).powf(t),
        })
    }

    /// An x value as the axis's ticks show it (so a tooltip and the ticks agree).
    pub fn x_text(&self, v: f64) -> String {
        tick_label(v, self.x_unit, self.x_scale, &self.x_range)
    }
}

pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    series: &[Series],
) -> Result<PlotFrame, String> {
    draw_with(area, spec, series, Legend::InPlot)
}

/// Whether a chart names its series itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Legend {
    /// In a box in the plot's emptiest corner (where there are two series or more).
    InPlot,
    /// Not at all: the page names the runs once, beside all its charts, where no legend covers a curve.
    Outside,
}

/// As [`draw`], with the legend where `legend` says.
#[optimize(size)]
pub fn draw_with<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    series: &[Series],
    legend: Legend,
) -> Result<PlotFrame, String> {
    area.fill(&spec.theme.background)
        .map_err(|e| e.to_string())?;
    let points = || series.iter().flat_map(|s| s.points.iter());
    let x = padded(
        points().map(|p| p.0).filter(|v| shown(*v, spec.x_scale)),
        spec.x_scale,
    );
    let y = padded(
        points().map(|p| p.1).filter(|v| shown(*v, spec.y_scale)),
        spec.y_scale,
    );
    let x_range = x.clone();
    let ticks = |v: &f64| tick_label(*v, spec.x_unit, spec.x_scale, &x_range);
    let result = match (spec.x_scale, spec.y_scale) {
        (Scale::Linear, Scale::Linear) => draw_in(area, spec, series, legend, &ticks, x, y),
        (Scale::Linear, Scale::Log) => {
            draw_in(area, spec, series, legend, &ticks, x, y.log_scale())
        }
        (Scale::Log, Scale::Linear) => {
            draw_in(area, spec, series, legend, &ticks, x.log_scale(), y)
        }
        (Scale::Log, Scale::Log) => draw_in(
            area,
            spec,
            series,
            legend,
            &ticks,
            x.log_scale(),
            y.log_scale(),
        ),
    };
    let (x_pixels, y_pixels) = result.map_err(|e| e.to_string())?;
    Ok(PlotFrame {
        x_pixels,
        y_pixels,
        x_range,
        x_scale: spec.x_scale,
        x_unit: spec.x_unit,
    })
}

/// Whether a value can be placed on an axis of this scale.
fn shown(v: f64, scale: Scale) -> bool {
    v.is_finite() && (scale == Scale::Linear || v > 0.0)
}

#[optimize(size)]
fn draw_in<DB, X, Y>(
    area: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    series: &[Series],
    legend: Legend,
    x_ticks: &dyn Fn(&f64) -> String,
    x: X,
    y: Y,
) -> Result<PixelBox, DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    // One x label per 80 CSS pixels at most: six labels such as "10 ms" ran together on a narrow chart.
    let x_labels = (area.dim_in_pixel().0 as i32 / spec.px(80.0).max(1)).clamp(2, 6) as usize;
    let mut chart = builder(area, spec, 38.0, 58.0).build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc(spec.x_label)
        .y_desc(spec.y_label)
        .x_labels(x_labels)
        .y_labels(6)
        .x_label_formatter(x_ticks)
        .y_label_formatter(&|v| axis_number(*v, spec.y_scale))
        .label_style(spec.tick_labels())
        .axis_desc_style(spec.font(12.5).color(&spec.theme.axis_text))
        .axis_style(spec.theme.tick_text)
        .light_line_style(spec.theme.grid_light)
        .bold_line_style(spec.theme.grid_bold)
        .draw()?;
    // Where the curves pass, in backend pixels, so that the legend can keep out of their way.
    let mut drawn = Vec::new();
    // Last drawn is on top: the first series (the page's main run) must not hide under a noisy baseline,
    // so the series are drawn from the last to the first.
    for s in series.iter().rev() {
        let visible: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|p| shown(p.0, spec.x_scale) && shown(p.1, spec.y_scale))
            .collect();
        let marked = visible.len() <= MARKED_POINTS && s.stroke == Stroke::Solid;
        let visible = envelope(&visible, |p| chart.backend_coord(p).0);
        drawn.extend(visible.iter().map(|p| chart.backend_coord(p)));
        let style = stroke_style(s, spec);
        match s.stroke {
            Stroke::Solid => {
                chart.draw_series(LineSeries::new(visible.iter().copied(), style))?;
            }
            Stroke::Dashed => {
                let (dash, gap) = dashes(spec);
                chart.draw_series(DashedLineSeries::new(
                    visible.iter().copied(),
                    dash,
                    gap,
                    style,
                ))?;
            }
        }
        if marked {
            let dot = ShapeStyle::from(s.color).filled();
            chart.draw_series(visible.iter().map(|&p| Circle::new(p, spec.px(3.0), dot)))?;
        }
    }
    if series.len() > 1 && legend == Legend::InPlot {
        // Falling curves leave the upper right empty on a linear x axis, the lower left on a log one; a
        // rising one (the batch) leaves neither, so the emptiest corner wins where it is emptier.
        let preferred = if spec.x_scale == Scale::Log {
            Corner::LowerLeft
        } else {
            Corner::UpperRight
        };
        draw_legend(chart.plotting_area(), spec, series, &drawn, preferred)?;
    }
    Ok(chart.plotting_area().get_pixel_range())
}

/// How a curve's line is drawn. A reference curve is thinner and lighter, so that it reads as a backdrop
/// to the run's own.
fn stroke_style(s: &Series, spec: &ChartSpec) -> ShapeStyle {
    match s.stroke {
        Stroke::Solid => ShapeStyle::from(s.color).stroke_width(spec.px(2.0).max(1) as u32),
        Stroke::Dashed => {
            ShapeStyle::from(s.color.mix(0.8)).stroke_width(spec.px(1.5).max(1) as u32)
        }
    }
}

/// A dashed curve's dash and gap, in backend pixels.
fn dashes(spec: &ChartSpec) -> (i32, i32) {
    (spec.px(6.0), spec.px(4.0))
}

/// A curve down-sampled to what a plot can show: within each run of points that fall in the same pixel
/// column (`column` maps a point to it), only the first, the lowest, the highest and the last, in their
/// order. The polyline through them covers the same pixels as the full curve, so spikes and the min/max
/// envelope survive, and a curve costs at most four points per column however long its history.
fn envelope(points: &[(f64, f64)], column: impl Fn(&(f64, f64)) -> i32) -> Vec<(f64, f64)> {
    let mut kept = Vec::new();
    let mut start = 0;
    while start < points.len() {
        let here = column(&points[start]);
        let mut end = start + 1;
        while end < points.len() && column(&points[end]) == here {
            end += 1;
        }
        let run = &points[start..end];
        let by_y = |a: &&(usize, &(f64, f64)), b: &&(usize, &(f64, f64))| a.1 .1.total_cmp(&b.1 .1);
        let low = run
            .iter()
            .enumerate()
            .min_by(|a, b| by_y(&a, &b))
            .map_or(0, |(i, _)| i);
        let high = run
            .iter()
            .enumerate()
            .max_by(|a, b| by_y(&a, &b))
            .map_or(0, |(i, _)| i);
        let mut picks = [0, low, high, run.len() - 1];
        picks.sort_unstable();
        let mut last = None;
        for i in picks {
            if last != Some(i) {
                kept.push(run[i]);
                last = Some(i);
            }
        }
        start = end;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_keeps_extremes_and_ends_of_each_column() {
        // 100,001 points over 100 columns, with one spike.
        let mut points: Vec<(f64, f64)> =
            (0..100_001).map(|i| (i as f64, (i % 7) as f64)).collect();
        points[55_555].1 = 1e6;
        let column = |p: &(f64, f64)| (p.0 / 1000.0) as i32;
        let kept = envelope(&points, column);
        assert!(kept.len() <= 4 * 101, "{} points", kept.len());
        assert_eq!(kept.first(), points.first());
        assert_eq!(kept.last(), points.last());
        assert!(kept.contains(&points[55_555]), "the spike survives");
        assert!(kept.windows(2).all(|w| w[0].0 < w[1].0), "order is kept");
        for c in 0..=100 {
            let full = points.iter().filter(|p| column(p) == c);
            let reduced: Vec<_> = kept.iter().filter(|p| column(p) == c).collect();
            let (lo, hi) = full.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), p| {
                (l.min(p.1), h.max(p.1))
            });
            assert!(
                reduced.iter().any(|p| p.1 == lo) && reduced.iter().any(|p| p.1 == hi),
                "column {c}"
            );
        }
        let few = [(0.0, 1.0), (5.0, 2.0), (9.0, 0.5)];
        assert_eq!(
            envelope(&few, |p| p.0 as i32),
            few,
            "sparse curves are untouched"
        );
    }

    #[test]
    fn draws_to_svg_with_a_legend() {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (640, 360)).into_drawing_area();
            let spec = ChartSpec {
                title: "loss",
                x_label: "SFO",
                y_label: "f",
                x_scale: Scale::Log,
                x_unit: Unit::Count,
                y_scale: Scale::Log,
                pixel_ratio: 1.0,
                theme: Theme::LIGHT,
            };
            let series = [
                Series {
                    label: "crpsgd",
                    points: vec![(0.0, 1.0), (1.0, 0.5), (10.0, 0.1)],
                    color: Theme::LIGHT.runs[0],
                    stroke: Stroke::Solid,
                },
                Series {
                    label: "psgd",
                    points: vec![(1.0, 0.7), (10.0, 0.2)],
                    color: Theme::LIGHT.runs[1],
                    stroke: Stroke::Dashed,
                },
            ];
            draw(&area, &spec, &series).expect("draws");
        }
        assert!(
            svg.contains("<polyline") || svg.contains("<path"),
            "a curve was drawn"
        );
        assert!(
            svg.contains("psgd"),
            "the legend names every series:\n{svg}"
        );
    }

    /// The x tick labels an SVG chart of this width draws, left to right, with their x positions.
    fn time_ticks_at_width(width: u32) -> Vec<(i32, String)> {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (width, 240)).into_drawing_area();
            let spec = ChartSpec {
                title: "time",
                x_label: "simulated time",
                y_label: "f",
                x_scale: Scale::Linear,
                x_unit: Unit::Seconds,
                y_scale: Scale::Log,
                pixel_ratio: 1.0,
                theme: Theme::LIGHT,
            };
            let points = (0..=50)
                .map(|i| (i as f64 * 1e-3, 1.0 / (1.0 + i as f64)))
                .collect();
            let series = [Series {
                label: "crpsgd",
                points,
                color: Theme::LIGHT.runs[0],
                stroke: Stroke::Solid,
            }];
            draw(&area, &spec, &series).expect("draws");
        }
        let mut ticks: Vec<(i32, String)> = svg
            .split("<text")
            .filter_map(|t| {
                let x = t
                    .split("x=\"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse::<f64>()
                    .ok()?;
                let text = t.split('>').nth(1)?.split('<').next()?.trim().to_string();
                text.ends_with(" ms").then_some((x as i32, text))
            })
            .collect();
        ticks.sort();
        ticks
    }

    #[test]
    fn time_labels_never_run_together() {
        // "10 ms20 ms30 ms40 ms50 ms" on a chart 300 pixels wide: at most one label per 80 pixels.
        for width in [300, 420, 640] {
            let ticks = time_ticks_at_width(width);
            assert!(ticks.len() >= 2, "{width}: {ticks:?}");
            for pair in ticks.windows(2) {
                assert!(pair[1].0 - pair[0].0 >= 50, "{width}: {ticks:?}");
            }
        }
    }
}
