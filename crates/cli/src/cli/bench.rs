//! `dynabatch bench`: the core's benchmark workloads (`dynabatch_core::bench`) at each thread count, as
//! JSON lines; with `--scale`, how a run's time grows, and the generated data file's.

use super::{cores, pool, print, Stop};
use dynabatch_core::bench;
use dynabatch_pool::Awake;
use plotters::prelude::{IntoDrawingArea, SVGBackend};
use std::path::Path;
use std::process::ExitCode;

/// The workloads at each thread count, then the chart's redraw; `baseline_simd` keeps the kernels to the
/// baseline vector encoding.
pub fn bench(threads: &[u16], baseline_simd: bool) -> Result<ExitCode, Stop> {
    let side = if baseline_simd {
        dynabatch_core::problems::simd::baseline_only();
        "native-baseline"
    } else {
        "native"
    };
    let counts = thread_counts(threads);
    let start = std::time::Instant::now();
    let now = move || start.elapsed().as_secs_f64() * 1000.0;
    for threads in counts {
        let records = pool(threads)?.install(|| {
            let _awake = Awake::new(cores());
            bench::compute_suite(&now)
        })?;
        for record in records {
            print(&format!("{}\n", record.json(side)))?;
        }
    }
    let record = dynabatch_plot::figures::bench_chart_redraw(&now, &mut |series| {
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (640, 360)).into_drawing_area();
        dynabatch_plot::chart::draw(&area, &dynabatch_plot::figures::bench_chart_spec(), series)
            .map(|_| ())
    })?;
    print(&format!("{}\n", record.json(side)))?;
    Ok(ExitCode::SUCCESS)
}

/// `dynabatch bench --scale`: the data file workloads, then the grid of run sizes, at each thread count.
pub fn scale(threads: &[u16], svg: Option<&Path>) -> Result<ExitCode, Stop> {
    let counts = thread_counts(threads);
    let start = std::time::Instant::now();
    let now = move || start.elapsed().as_secs_f64() * 1000.0;
    let (rows, features) = bench::DATA_FILE_SHAPE;
    let csv = bench::generated_csv(rows, features);
    let mut runs = Vec::new();
    for threads in counts {
        let (records, grid) = pool(threads)?.install(|| {
            let _awake = Awake::new(cores());
            Ok::<_, String>((bench::data_file(&csv, &now)?, bench::scale_grid(&now)?))
        })?;
        for record in records.iter().chain(grid.iter().map(|r| &r.record)) {
            print(&format!("{}\n", record.json("native")))?;
        }
        runs.extend(grid);
    }
    if let Some(path) = svg {
        let drawn = dynabatch_plot::figures::scale_svg(&runs)?;
        std::fs::write(path, drawn).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The thread counts asked for, or 1, 2, 4, … and all cores.
fn thread_counts(threads: &[u16]) -> Vec<usize> {
    if threads.is_empty() {
        bench::thread_counts(cores())
    } else {
        threads.iter().map(|&t| usize::from(t)).collect()
    }
}
