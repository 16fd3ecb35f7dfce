//! The 2-D landscape as a heat map with each run's path drawn over it, through plotters (canvas or SVG).

use crate::chart::{self, ChartSpec, Series, Theme};
use dynabatch_core::problems::{Landscape, Problem};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;

/// Where the map landed on the backend, so a click can be turned back into a point.
#[derive(Clone, Debug, PartialEq)]
pub struct MapFrame {
    pub x_pixels: Range<i32>,
    pub y_pixels: Range<i32>,
    pub half_width: f64,
}

impl MapFrame {
    /// The point under a backend pixel, if it is on the map.
    pub fn point_at(&self, px: f64, py: f64) -> Option<(f64, f64)> {
        let fx =
            (px - self.x_pixels.start as f64) / (self.x_pixels.end - self.x_pixels.start) as f64;
        let fy =
            (py - self.y_pixels.start as f64) / (self.y_pixels.end - self.y_pixels.start) as f64;
        let on_map = (0.0..=1.0).contains(&fx) && (0.0..=1.0).contains(&fy);
        on_map.then_some((
            self.half_width * (2.0 * fx - 1.0),
            self.half_width * (1.0 - 2.0 * fy),
        ))
    }
}

/// The most points of one path worth drawing: the map is a few hundred pixels wide, so a path of a
/// million rounds shows no more than a few thousand of its points, and drawing them all costs seconds.
pub const PATH_POINTS: usize = 2000;

/// Indices of at most `most` (≥ 3) of `len` items, evenly spaced, always with the first and the last.
pub fn evenly(len: usize, most: usize) -> impl Iterator<Item = usize> {
    // Every `stride`-th index gives at most `most - 1`, which leaves room for the last one.
    let stride = if len <= most {
        1
    } else {
        (len - 1).div_ceil(most - 2)
    };
    let last = len.checked_sub(1).filter(|last| last % stride != 0);
    (0..len).step_by(stride).chain(last)
}

/// Cells per side of the heat map: fine enough to show the ripples of 3 sin², cheap enough to redraw.
const CELLS: usize = 72;

/// Draws f over [−w, w]², w covering every path point, with the paths on top.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    spec: &ChartSpec,
    paths: &[Series],
) -> Result<MapFrame, String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    area.fill(&spec.theme.background).map_err(err)?;
    let reach = paths
        .iter()
        .flat_map(|s| s.points.iter())
        .map(|p| p.0.abs().max(p.1.abs()))
        .filter(|v| v.is_finite());
    let half_width = (reach.fold(4.0f64, f64::max) * 1.1).min(12.0);
    let mut chart = chart::builder(area, spec, 30.0, 36.0)
        .build_cartesian_2d(-half_width..half_width, -half_width..half_width)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(5)
        .y_labels(5)
        .label_style(spec.tick_labels())
        .draw()
        .map_err(err)?;
    let f = Landscape {
        sigma: 0.0,
        start: [0.0, 0.0],
    };
    let cell = 2.0 * half_width / CELLS as f64;
    let top = f.loss(&[half_width, half_width]);
    let cells = (0..CELLS * CELLS).map(|k| {
        let (x, y) = (
            -half_width + (k % CELLS) as f64 * cell,
            -half_width + (k / CELLS) as f64 * cell,
        );
        let height = f.loss(&[x + cell / 2.0, y + cell / 2.0]);
        // A log-like scale, so the ripples near the minimum stay visible next to the high walls.
        let shade = libm::log1p(height) / libm::log1p(top);
        Rectangle::new(
            [(x, y), (x + cell, y + cell)],
            shade_color(&spec.theme, shade).filled(),
        )
    });
    chart.draw_series(cells).map_err(err)?;
    for path in paths {
        let style = ShapeStyle::from(path.color).stroke_width(spec.px(2.0).max(1) as u32);
        chart
            .draw_series(LineSeries::new(path.points.iter().copied(), style))
            .map_err(err)?;
        if let Some(&start) = path.points.first() {
            chart
                .draw_series([Circle::new(
                    start,
                    spec.px(4.0),
                    ShapeStyle::from(path.color).filled(),
                )])
                .map_err(err)?;
        }
    }
    chart
        .draw_series([Cross::new(
            (0.0, 0.0),
            spec.px(5.0),
            ShapeStyle::from(spec.theme.ink).stroke_width(spec.px(2.0).max(1) as u32),
        )])
        .map_err(err)?;
    let (x_pixels, y_pixels) = chart.plotting_area().get_pixel_range();
    Ok(MapFrame {
        x_pixels,
        y_pixels,
        half_width,
    })
}

/// From the theme's lowest shade at the minimum (pale on a light page, deep on a dark one) to its highest
/// up the walls.
fn shade_color(theme: &Theme, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let (low, high) = (theme.map_low, theme.map_high);
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    RGBColor(mix(low.0, high.0), mix(low.1, high.1), mix(low.2, high.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Scale, Stroke, Unit};

    #[test]
    fn draws_a_map_and_maps_pixels_back_to_points() {
        let mut svg = String::new();
        let frame = {
            let area = SVGBackend::with_string(&mut svg, (400, 400)).into_drawing_area();
            let spec = ChartSpec {
                title: "f",
                x_label: "x",
                y_label: "y",
                x_scale: Scale::Linear,
                x_unit: Unit::Count,
                y_scale: Scale::Linear,
                pixel_ratio: 1.0,
                theme: Theme::LIGHT,
            };
            let path = Series {
                label: "run",
                points: vec![(3.0, -2.5), (1.0, -1.0), (0.1, 0.0)],
                color: Theme::LIGHT.runs[0],
                stroke: Stroke::Solid,
            };
            draw(&area, &spec, &[path]).expect("draws")
        };
        assert!(svg.matches("<rect").count() >= CELLS * CELLS);
        let centre = (
            (frame.x_pixels.start + frame.x_pixels.end) as f64 / 2.0,
            (frame.y_pixels.start + frame.y_pixels.end) as f64 / 2.0,
        );
        let (x, y) = frame.point_at(centre.0, centre.1).expect("on the map");
        assert!(x.abs() < 0.1 && y.abs() < 0.1, "{x} {y}");
        let (x, y) = frame
            .point_at(frame.x_pixels.end as f64, frame.y_pixels.start as f64)
            .expect("corner");
        assert!((x - frame.half_width).abs() < 1e-9 && (y - frame.half_width).abs() < 1e-9);
        assert_eq!(frame.point_at(-5.0, 0.0), None);
    }

    #[test]
    fn evenly_keeps_the_ends_and_the_bound() {
        for len in [0, 1, 2, 5, 2000, 2001, 2002, 3999, 4000, 1_000_003] {
            let picked: Vec<usize> = evenly(len, PATH_POINTS).collect();
            if len <= PATH_POINTS {
                assert!(picked.iter().copied().eq(0..len), "short paths are whole");
            }
            assert!(picked.len() <= PATH_POINTS, "len {len}: {}", picked.len());
            assert!(picked.len() >= len.min(PATH_POINTS / 2), "len {len}");
            assert!(picked.windows(2).all(|w| w[0] < w[1]), "len {len}");
            assert_eq!(picked.first().copied(), (len > 0).then_some(0));
            assert_eq!(picked.last().copied(), len.checked_sub(1));
        }
        assert_eq!(evenly(10, 4).collect::<Vec<_>>(), [0, 5, 9]);
    }
}
