//! The legend, drawn by hand: each run's own curve named once, in the corner its size leaves emptiest.

use super::{dashes, stroke_style, ChartSpec, PixelBox, Series, Stroke};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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
pub(super) fn draw_legend<DB: DrawingBackend, CT: CoordTranslate>(
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
pub(super) enum Corner {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
