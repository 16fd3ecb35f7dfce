//! The chart workload of the benchmark draws the whole long history (see dynabatch-core's bench_smoke).

use dynabatch_core::bench;
use dynabatch_plot::figures;
use std::cell::Cell;

/// A clock that jumps a second per reading: every calibration settles at one unit of work.
fn fake_clock() -> impl Fn() -> f64 {
    let t = Cell::new(0.0);
    move || {
        t.set(t.get() + 1000.0);
        t.get()
    }
}

#[test]
fn chart_redraw_draws_the_long_history() {
    let history = bench::chart_history(bench::CHART_POINTS);
    assert_eq!(history.len(), 100_000);
    assert!(history.iter().all(|p| p.1 > 0.0), "fits a log axis");
    let mut draws = 0;
    let now = fake_clock();
    let record = figures::bench_chart_redraw(&now, &mut |series| {
        draws += 1;
        assert_eq!(series[0].points.len(), bench::CHART_POINTS);
        Ok(())
    })
    .expect("draws");
    assert!(draws >= 2 && record.unit == "ms");
}
