//! Line charts drawn through plotters' backend-independent API: the page draws them on a canvas, and
//! native code can draw the same charts to SVG.

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
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

#[optimize(size)]
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    series: &[Series],
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
        (Scale::Linear, Scale::Linear) => draw_in(area, spec, series, &ticks, x, y),
        (Scale::Linear, Scale::Log) => draw_in(area, spec, series, &ticks, x, y.log_scale()),
        (Scale::Log, Scale::Linear) => draw_in(area, spec, series, &ticks, x.log_scale(), y),
        (Scale::Log, Scale::Log) => {
            draw_in(area, spec, series, &ticks, x.log_scale(), y.log_scale())
        }
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
    let mut chart = builder(area, spec, 38.0, 58.0).build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc(spec.x_label)
        .y_desc(spec.y_label)
        .x_labels(6)
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
    if series.len() > 1 {
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

/// The series a legend names: every run's own (solid) curve, once. A dashed reference shares its run's
/// colour and is named by the chart's caption, unless no solid curve has its colour. Fewer, shorter
/// lines keep the legend small enough to stay off the curves.
fn named<'s>(series: &'s [Series<'s>]) -> Vec<&'s Series<'s>> {
    series
        .iter()
        .filter(|s| {
            s.stroke == Stroke::Solid
                || !series
                    .iter()
                    .any(|o| o.stroke == Stroke::Solid && o.color == s.color)
        })
        .collect()
}

/// The legend, drawn by hand rather than by plotters: a box of the named series in the first series'
/// order (the main run on top), in the corner its own size leaves emptiest. Its text is measured through
/// the backend, which the page remembers (plotters' legend measures each name through the page's DOM,
/// twice, on every frame).
#[optimize(size)]
fn draw_legend<DB: DrawingBackend, CT: CoordTranslate>(
    plot: &DrawingArea<DB, CT>,
    spec: &ChartSpec,
    series: &[Series],
    drawn: &[(i32, i32)],
    preferred: Corner,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let entries = named(series);
    let font = spec.font(12.0).color(&spec.theme.ink);
    let mut text_width = 0;
    let mut row = spec.px(12.0 * 1.25);
    for s in &entries {
        let (w, h) = plot.estimate_text_size(s.label, &font)?;
        text_width = text_width.max(w as i32);
        row = row.max(h as i32);
    }
    let (pad, sample, gap, margin) = (spec.px(6.0), spec.px(18.0), spec.px(6.0), spec.px(6.0));
    let size = (
        pad + sample + gap + text_width + pad,
        2 * pad + row * entries.len() as i32,
    );
    let pixels = plot.get_pixel_range();
    let corner = emptiest_corner(drawn, &pixels, preferred, size, margin);
    let (left, top) = corner.origin(&pixels, size, margin);
    // The plot's own area counts from its top-left pixel.
    let area = plot.strip_coord_spec();
    let (x, y) = (left - pixels.0.start, top - pixels.1.start);
    area.draw(&Rectangle::new(
        [(x, y), (x + size.0, y + size.1)],
        spec.theme.background.mix(0.85).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [(x, y), (x + size.0, y + size.1)],
        spec.theme.legend_border,
    ))?;
    let label_style = font.pos(Pos::new(HPos::Left, VPos::Center));
    for (i, s) in entries.iter().enumerate() {
        let middle = y + pad + row * i as i32 + row / 2;
        let line = vec![(x + pad, middle), (x + pad + sample, middle)];
        let style = stroke_style(s, spec);
        match s.stroke {
            Stroke::Solid => area.draw(&PathElement::new(line, style))?,
            Stroke::Dashed => {
                let (dash, gap) = dashes(spec);
                area.draw(&DashedPathElement::new(line, dash, gap, style))?
            }
        }
        area.draw(&Text::new(
            s.label,
            (x + pad + sample + gap, middle),
            label_style.clone(),
        ))?;
    }
    Ok(())
}

/// A corner of the plot, where the legend can go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Corner {
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
}

impl Corner {
    const ALL: [Corner; 4] = [
        Corner::UpperLeft,
        Corner::UpperRight,
        Corner::LowerLeft,
        Corner::LowerRight,
    ];

    /// The top-left pixel of a box of `size` in this corner of `plot`, `margin` in from its edges.
    fn origin(self, plot: &PixelBox, size: (i32, i32), margin: i32) -> (i32, i32) {
        let (x, y) = plot;
        let left = matches!(self, Corner::UpperLeft | Corner::LowerLeft);
        let upper = matches!(self, Corner::UpperLeft | Corner::UpperRight);
        (
            if left {
                x.start + margin
            } else {
                x.end - margin - size.0
            },
            if upper {
                y.start + margin
            } else {
                y.end - margin - size.1
            },
        )
    }
}

/// The corner where a legend of `size` (`margin` in from the plot's edges) covers the fewest of the
/// curves' `points`; `preferred` unless another covers fewer.
fn emptiest_corner(
    points: &[(i32, i32)],
    plot: &PixelBox,
    preferred: Corner,
    size: (i32, i32),
    margin: i32,
) -> Corner {
    let inside = |corner: Corner| {
        let (left, top) = corner.origin(plot, size, margin);
        let (xs, ys) = (left..left + size.0, top..top + size.1);
        points
            .iter()
            .filter(|(px, py)| xs.contains(px) && ys.contains(py))
            .count()
    };
    let mut corners = Corner::ALL;
    corners.sort_by_key(|&c| (inside(c), c != preferred));
    corners[0]
}

/// Tick labels: compact on log axes (1k, 10k, 1e-4), three decimals on linear ones (losses).
fn axis_number(v: f64, scale: Scale) -> String {
    match scale {
        Scale::Log if v.abs() >= 1.0 => compact(v),
        Scale::Log if v.abs() >= 1e-3 => {
            // As many decimals as the first significant digit needs: 0.01, 0.05, 0.002.
            let decimals = (-libm::log10(v.abs())).ceil() as usize;
            format!("{v:.decimals$}")
        }
        Scale::Log => format!("{v:.0e}"),
        Scale::Linear => format!("{v:.3}"),
    }
}

/// An x tick's label. Counts are compact (1.5k, 2M). Seconds take one unit for a whole linear axis, the
/// one that fits its largest value (0, 50 ms, 100 ms), and each tick's own on a log axis, whose ticks
/// span decades (10 ms, 1 s, 1.7 min).
pub fn tick_label(v: f64, unit: Unit, scale: Scale, range: &Range<f64>) -> String {
    match unit {
        Unit::Count => compact(v),
        Unit::Seconds if v == 0.0 => "0".to_string(),
        Unit::Seconds => {
            let fits = match scale {
                Scale::Linear => range.start.abs().max(range.end.abs()),
                Scale::Log => v.abs(),
            };
            duration_in(v, time_unit(fits))
        }
    }
}

/// Seconds per unit, and its symbol, from the smallest.
const TIME_UNITS: [(f64, &str); 5] = [
    (1e-6, "µs"),
    (1e-3, "ms"),
    (1.0, "s"),
    (60.0, "min"),
    (3600.0, "h"),
];

/// The largest unit in which `seconds` is at least 1 (µs below that).
fn time_unit(seconds: f64) -> (f64, &'static str) {
    TIME_UNITS
        .into_iter()
        .rev()
        .find(|(size, _)| seconds >= *size)
        .unwrap_or(TIME_UNITS[0])
}

fn duration_in(seconds: f64, (size, symbol): (f64, &str)) -> String {
    format!("{} {symbol}", significant(seconds / size))
}

/// Up to three significant digits, without trailing zeros: 1.67, 16.7, 167, 0.25.
fn significant(v: f64) -> String {
    let a = v.abs();
    let decimals = if a == 0.0 || !a.is_finite() {
        0
    } else {
        (2.0 - libm::floor(libm::log10(a))).clamp(0.0, 6.0) as usize
    };
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A duration in the unit that fits it: 250 µs, 12 ms, 3.5 s, 1.7 min, 5.6 h.
pub fn duration(seconds: f64) -> String {
    if seconds == 0.0 {
        return "0 s".to_string();
    }
    duration_in(seconds, time_unit(seconds.abs()))
}

/// A range covering every value, padded so curves do not touch the frame (and never empty).
fn padded(values: impl Iterator<Item = f64>, scale: Scale) -> Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return if scale == Scale::Log {
            1.0..10.0
        } else {
            0.0..1.0
        };
    }
    match scale {
        // Log axes are labelled at powers of ten only, so they span at least two decades.
        Scale::Log if hi / lo < 100.0 => {
            let centre = libm::sqrt(lo * hi);
            (centre / 10.0).min(lo / 1.3)..(centre * 10.0).max(hi * 1.3)
        }
        Scale::Log => (lo / 1.3)..(hi * 1.3),
        Scale::Linear if hi - lo < 1e-12 => (lo - 0.5)..(hi + 0.5),
        Scale::Linear => {
            let pad = 0.05 * (hi - lo);
            (lo - pad)..(hi + pad)
        }
    }
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

/// 1234567 → "1,234,567".
pub fn grouped(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 1500 → "1.5k", 2000000 → "2M": axis labels stay short at any budget.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let text = format!("{scaled:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_labels() {
        assert_eq!(compact(1500.0), "1.5k");
        assert_eq!(compact(2_000_000.0), "2M");
        assert_eq!(compact(12.0), "12");
        assert_eq!(compact(0.25), "0.2");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(grouped(999), "999");
        assert_eq!(axis_number(0.01, Scale::Log), "0.01");
        assert_eq!(axis_number(0.05, Scale::Log), "0.05");
        assert_eq!(axis_number(1e-4, Scale::Log), "1e-4");
        assert_eq!(axis_number(1000.0, Scale::Log), "1k");
        let narrow = padded([0.05, 0.6].into_iter(), Scale::Log);
        assert!(
            narrow.end / narrow.start >= 100.0,
            "two decades, so two labels: {narrow:?}"
        );
    }

    #[test]
    fn time_ticks_read_at_every_scale() {
        let lin = |v: f64, range: Range<f64>| tick_label(v, Unit::Seconds, Scale::Linear, &range);
        // A short run: no longer "0 0 0 0 0".
        let short: Vec<String> = [0.0, 0.05, 0.1, 0.15, 0.2]
            .into_iter()
            .map(|v| lin(v, -0.01..0.25))
            .collect();
        assert_eq!(short, ["0", "50 ms", "100 ms", "150 ms", "200 ms"]);
        assert_eq!(lin(2e-5, 0.0..5e-5), "20 µs");
        assert_eq!(lin(2.5, 0.0..6.2), "2.5 s");
        assert_eq!(lin(1800.0, 0.0..3000.0), "30 min");
        assert_eq!(lin(7200.0, 0.0..20000.0), "2 h");
        // A log axis over decades: each tick in its own unit.
        let log = |v: f64| tick_label(v, Unit::Seconds, Scale::Log, &(0.01..10000.0));
        assert_eq!(log(0.01), "10 ms");
        assert_eq!(log(1.0), "1 s");
        assert_eq!(log(100.0), "1.67 min");
        assert_eq!(log(10000.0), "2.78 h");
        assert_eq!(duration(0.0002), "200 µs");
        assert_eq!(duration(0.23581), "236 ms");
        // Counts keep their compact form.
        assert_eq!(
            tick_label(20000.0, Unit::Count, Scale::Linear, &(0.0..20000.0)),
            "20k"
        );
    }

    #[test]
    fn the_legend_goes_to_the_emptiest_corner() {
        let plot = (0..100, 0..100);
        let corner = |points: &[(i32, i32)], preferred, size| {
            emptiest_corner(points, &plot, preferred, size, 2)
        };
        // A rising curve (pixel y grows downwards): the upper left and lower right are empty.
        let rising: Vec<(i32, i32)> = (0..100).map(|i| (i, 99 - i)).collect();
        assert_eq!(
            corner(&rising, Corner::LowerLeft, (45, 40)),
            Corner::UpperLeft
        );
        assert_eq!(
            corner(&rising, Corner::LowerRight, (45, 40)),
            Corner::LowerRight,
            "the preferred corner wins a tie"
        );
        assert_eq!(
            corner(&[], Corner::UpperRight, (45, 40)),
            Corner::UpperRight
        );
        // The box's own size counts: a curve down x = 30 in the upper half leaves room for a legend 20
        // pixels wide in the upper left, but not for one 40 wide, which goes to the upper right.
        let upper: Vec<(i32, i32)> = (0..60).map(|i| (30, i)).collect();
        assert_eq!(
            corner(&upper, Corner::UpperLeft, (20, 20)),
            Corner::UpperLeft
        );
        assert_eq!(
            corner(&upper, Corner::UpperLeft, (40, 20)),
            Corner::UpperRight
        );
    }

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
}
