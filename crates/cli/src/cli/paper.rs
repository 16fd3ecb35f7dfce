//! `dynabatch paper`: the paper's studies (`dynabatch_core::paper`), their figures as SVG and the
//! claims' table.

use super::{print, Stop};
use dynabatch_core::paper::{self, Axis};
use indicatif::ProgressBar;
use std::path::Path;
use std::process::ExitCode;

/// Writes each study's figures into `out` and prints the table, averaged over `seeds` seeds.
pub fn paper(out: &Path, seeds: usize) -> Result<ExitCode, Stop> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let [easy, hard] = paper::adaptive_studies();
    let studies = [paper::logistic_study(), paper::network_study(), easy, hard];
    let runs: usize = studies
        .iter()
        .map(|s| s.contenders.len() * (seeds + 1))
        .sum();
    let bar = ProgressBar::new(runs as u64);
    let mut table = String::from(paper::TABLE_HEADER);
    for study in &studies {
        let mut curves = Vec::new();
        let mut summaries = Vec::new();
        for contender in &study.contenders {
            curves.push(paper::curve(contender.query, paper::SEEDS[0]));
            bar.inc(1);
            summaries.push(paper::summarize(
                contender.query,
                &paper::SEEDS[..seeds],
                study.measure,
            ));
            bar.inc(seeds as u64);
        }
        for (axis, suffix) in [(Axis::Sfo, "sfo"), (Axis::Rounds, "rounds")] {
            let path = out.join(format!("{}-{suffix}.svg", study.name));
            let svg = dynabatch_plot::figures::paper_svg(study, &curves, axis)?;
            std::fs::write(&path, svg)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        table.push_str(&paper::table_rows(study, &summaries));
    }
    bar.finish_and_clear();
    print(&table)?;
    Ok(ExitCode::SUCCESS)
}
