//! `dynabatch tune`: the core's search (`dynabatch_core::tune`), its candidates spread over this
//! machine's threads, and the table.

use super::args::DataArgs;
use super::{pool, print, say, Stop};
use dynabatch_core::conditioning;
use dynabatch_core::conditioning::RhoFit;
use dynabatch_core::data::file::DataFile;
use dynabatch_core::experiment::{Alg, Experiment};
use dynabatch_core::link::ViewKeys;
use dynabatch_core::problems;
use dynabatch_core::tune::{table_header, Search, Tuning};
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::sync::Arc;

/// Tunes the link on `threads` threads (on `file`'s data for problem=data); prints the table, then the
/// tuned link.
pub fn tune(query: &str, threads: usize, file: &DataArgs) -> Result<ExitCode, Stop> {
    let (experiment, view) =
        dynabatch_core::link::parse_strict(query).map_err(|notice| notice.problem)?;
    let data = file.read_for(&experiment)?.map(Arc::new);
    let search = Search::new(&experiment, &view, data.clone());
    let candidates = search.candidates().len();
    let bar = ProgressBar::new(candidates as u64).with_style(
        ProgressStyle::with_template("{spinner} tuning {wide_bar} {pos}/{len} candidates ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Candidates are many small runs: one per thread at a time (a lane each), each on a pool of one
    // thread of its own, beats splitting each run's nodes. The scores do not depend on who computed them.
    let tuning = Tuning::new(search, threads.min(candidates));
    let failed = std::thread::scope(|scope| {
        let lanes: Vec<_> = (0..tuning.lanes())
            .map(|lane| {
                let (tuning, bar) = (&tuning, &bar);
                scope.spawn(move || {
                    pool(1).map(|pool| {
                        pool.install(|| {
                            while tuning.advance(lane, u64::MAX) {
                                bar.set_position(tuning.scored() as u64);
                            }
                        })
                    })
                })
            })
            .collect();
        // A lane that could not start leaves its candidates to the others: only all failing stops.
        lanes
            .into_iter()
            .filter_map(|lane| lane.join().ok()?.err())
            .next()
    });
    bar.finish_and_clear();
    let Some((tuned, tuned_view, table)) = tuning.finish() else {
        return Err(Stop::Failed(failed.unwrap_or_else(|| {
            "tune: a candidate was left unscored".to_string()
        })));
    };
    let mut text = String::new();
    let rows = std::iter::once(table_header(tuning.search().measure()))
        .chain(table.iter().map(|t| t.cells()));
    for cells in rows {
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    text.push_str(&dynabatch_core::link::to_query(&tuned, &tuned_view));
    text.push('\n');
    print(&text)?;
    guide_rho(&tuned, &tuned_view, data.as_deref());
    note_momentum(&tuned, &tuned_view);
    Ok(ExitCode::SUCCESS)
}

/// On stderr, for each tuned run with momentum: the theory's word on it (`theory::momentum_note`), as the
/// page's theory panel says it.
fn note_momentum(main: &Experiment, view: &ViewKeys) {
    let runs = std::iter::once(main.clone()).chain(view.compare.iter().map(|c| c.experiment(main)));
    for e in runs {
        if let Some(note) = dynabatch_core::theory::momentum_note(e.momentum) {
            say(&format!("notice: {}: {note}", e.alg.name()));
        }
    }
}

/// On stderr, for each CR-PSGD run of a strongly convex problem: the ρ that the analysis allows at its
/// tuned γ, 1/(1 − γμ) with μ the curvature at x*, and whether its ρ is far above it.
fn guide_rho(main: &Experiment, view: &ViewKeys, data: Option<&DataFile>) {
    let runs = std::iter::once(main.clone()).chain(view.compare.iter().map(|c| c.experiment(main)));
    let crpsgd: Vec<Experiment> = runs.filter(|e| e.alg == Alg::CrPsgd).collect();
    let Some(first) = crpsgd.first() else {
        return;
    };
    let Some(c) = conditioning::at_optimum(first, data, problems::build(first, data).as_ref())
    else {
        return;
    };
    for e in &crpsgd {
        let fit = c.rho_fit(e.gamma, e.rho);
        let (allowed, far) = (fit.allowed(), matches!(fit, RhoFit::FarAbove { .. }));
        say(&format!(
            "notice: at x*, μ = {:.3e} and L = {:.3e}: the analysis allows CR-PSGD ρ ≤ 1/(1 − γμ) = {allowed:.4} at γ = {}, and it has ρ = {}{}",
            c.mu,
            c.l,
            e.gamma,
            e.rho,
            if far {
                " (far above: alg=adaptive lets the measured noise set the batch instead)"
            } else {
                ""
            }
        ));
    }
}
