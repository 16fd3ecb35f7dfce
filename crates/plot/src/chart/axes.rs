//! A chart's axes: the range each one spans, and how its ticks read (one formatter for the page's
//! charts, its tooltips and the figures).

use super::{Scale, Unit};
use std::ops::Range;

/// Tick labels: compact on log axes (1k, 10k, 1e-4), three decimals on linear ones (losses).
pub(super) fn axis_number(v: f64, scale: Scale) -> String {
    match scale {
        Scale::Log if v.abs() >= 1.0 => compact(v),
        Scale::Log if v.abs() >= 1e-3 => {
            // As many decimals as the first significant digit needs: 0.01, 0.05, 0.002.
            let decimals = (-libm::log10(v.abs())).ceil() as usize;
            format!("{v:.decimals$}")
        }
        Scale::Log => format!("{v:.0e}"),
        // Three decimals, less the trailing zeros: 2.5 and 2, not 2.500 and 2.000.
        Scale::Linear => {
            let text = format!("{v:.3}");
            let text = text.trim_end_matches('0').trim_end_matches('.');
            if text == "-0" { "0" } else { text }.to_string()
        }
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

/// A log axis's end, moved out to the power of ten beyond it where that is within half a decade: log axes
/// are labelled at powers of ten, and a curve that ends past the last label (PSGD's 1.7 hours across the
/// internet, beyond "16.7 min") cannot be read. Further away, the end stays, and the axis ends near a label.
fn out_to_decade(v: f64, round: fn(f64) -> f64) -> f64 {
    let decade = libm::pow(10.0, round(libm::log10(v)));
    if (decade / v).max(v / decade) <= libm::sqrt(10.0) {
        decade
    } else {
        v
    }
}

/// A range covering every value, padded so curves do not touch the frame (and never empty).
pub(super) fn padded(values: impl Iterator<Item = f64>, scale: Scale) -> Range<f64> {
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
        Scale::Log => out_to_decade(lo / 1.3, libm::floor)..out_to_decade(hi * 1.3, libm::ceil),
        Scale::Linear if hi - lo < 1e-12 => (lo - 0.5)..(hi + 0.5),
        Scale::Linear => {
            let pad = 0.05 * (hi - lo);
            (lo - pad)..(hi + pad)
        }
    }
}

/// 1234567 → "1,234,567": the core's, which the stories' tests also write their counts with.
pub use dynabatch_core::metrics::grouped;

/// 1500 → "1.5k", 2000000 → "2M": axis labels stay short at any budget.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    // Past a thousand millions, an exponent: a runaway loss read "51154688M" and ran into its axis title.
    if a >= 1e9 {
        return format!("{v:.0e}");
    }
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
        assert_eq!(compact(5.1e14), "5e14");
        assert_eq!(compact(3e170), "3e170");
        assert_eq!(compact(12.0), "12");
        assert_eq!(compact(0.25), "0.2");
        assert_eq!(grouped(1234567), "1,234,567");
        assert_eq!(grouped(999), "999");
        assert_eq!(axis_number(0.01, Scale::Log), "0.01");
        assert_eq!(axis_number(0.05, Scale::Log), "0.05");
        assert_eq!(axis_number(1e-4, Scale::Log), "1e-4");
        assert_eq!(axis_number(1000.0, Scale::Log), "1k");
        assert_eq!(axis_number(2.5, Scale::Linear), "2.5");
        assert_eq!(axis_number(2.0, Scale::Linear), "2");
        assert_eq!(axis_number(0.6712, Scale::Linear), "0.671");
        assert_eq!(axis_number(-0.0001, Scale::Linear), "0");
        // An end within half a decade of a power of ten goes out to it, so the curve ends between labels.
        let internet = padded([0.042, 6000.9].into_iter(), Scale::Log);
        assert_eq!(internet.end, 1e4);
        let near = padded([1e-5, 1.1].into_iter(), Scale::Log);
        assert!((near.end - 1.43).abs() < 1e-9, "{near:?}");
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
}
