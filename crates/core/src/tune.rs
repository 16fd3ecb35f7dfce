//! `dynabatch tune`: a fair race gives every run its best step size. For the main run and each compared
//! one, a grid search over γ (and ρ for CR-PSGD) at the link's own budget, scored by the mean final
//! f − f* (‖∇f‖² where f* is unknown) over a few seeds. A run that diverges scores +∞.
//!
//! The search is a list of independent candidate runs ([`Search::candidates`]), so that a shell can
//! spread them over its threads; [`Search::finish`] picks the best of each run, whatever order the
//! scores came in.

use crate::algorithms::{Progress, Trainer};
use crate::experiment::{Alg, Experiment};
use crate::link::{Compared, ViewKeys};
use crate::paper::Measure;
use crate::params::{Param, Value};

/// γ, ×3 apart over five decades.
pub const GAMMAS: [f64; 11] = [
    0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
];
/// CR-PSGD's growth factor: from barely growing to doubling every few rounds.
pub const RHOS: [f64; 6] = [1.01, 1.02, 1.05, 1.1, 1.2, 1.5];
/// Seeds per candidate: the link's own and the next ones.
pub const SEEDS: u64 = 3;

/// One candidate: run `run` (0 the main one, then the compared ones) with `gamma` (and `rho`).
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub run: usize,
    pub gamma: f64,
    pub rho: Option<f64>,
    pub experiment: Experiment,
}

/// A run's best candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuned {
    pub label: String,
    pub gamma: f64,
    pub rho: Option<f64>,
    /// Mean final f − f* (or ‖∇f‖²) over the seeds.
    pub score: f64,
    /// What the link's own setting scored, for the table.
    pub before: f64,
}

pub struct Search {
    /// What the scores measure: f − f* where the problem's f* is known.
    pub measure: Measure,
    main: Experiment,
    view: ViewKeys,
    candidates: Vec<Candidate>,
}

impl Search {
    pub fn new(main: &Experiment, view: &ViewKeys) -> Search {
        let runs = std::iter::once(main.clone())
            .chain(view.compare.iter().map(|c| c.experiment(main)))
            .collect::<Vec<_>>();
        let mut candidates = Vec::new();
        for (run, experiment) in runs.iter().enumerate() {
            let rhos: Vec<Option<f64>> = if experiment.alg == Alg::CrPsgd {
                RHOS.iter().map(|&r| Some(r)).collect()
            } else {
                vec![None]
            };
            for &gamma in &GAMMAS {
                for &rho in &rhos {
                    let mut e = experiment.clone();
                    e.gamma = gamma;
                    if let Some(rho) = rho {
                        e.rho = rho;
                    }
                    // Another γ or ρ can mean more rounds: keep within the limits, as the page would.
                    e.apply_limits();
                    candidates.push(Candidate {
                        run,
                        gamma,
                        rho,
                        experiment: e,
                    });
                }
            }
            // The link's own setting, so the table can say what tuning gained.
            candidates.push(Candidate {
                run,
                gamma: experiment.gamma,
                rho: (experiment.alg == Alg::CrPsgd).then_some(experiment.rho),
                experiment: experiment.clone(),
            });
        }
        let known = Trainer::new(main).start_row().subopt.is_some();
        Search {
            measure: if known {
                Measure::Suboptimality
            } else {
                Measure::GradNormSquared
            },
            main: main.clone(),
            view: view.clone(),
            candidates,
        }
    }

    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The tuned link, and each run's best against its link's own setting. `scores[i]` is
    /// [`score`] of `candidates()[i]`.
    pub fn finish(&self, scores: &[f64]) -> (Experiment, ViewKeys, Vec<Tuned>) {
        let (mut main, mut view) = (self.main.clone(), self.view.clone());
        let mut table = Vec::new();
        for run in 0..=view.compare.len() {
            let mine = || {
                self.candidates
                    .iter()
                    .zip(scores)
                    .filter(move |(c, _)| c.run == run)
            };
            // The link's own setting is the last of the run's candidates.
            let before = mine().next_back().map_or(f64::INFINITY, |(_, &s)| s);
            let best = mine().fold(
                None,
                |best: Option<(&Candidate, f64)>, (c, &s)| match best {
                    Some((_, b)) if b <= s || s.is_nan() => best,
                    _ => Some((c, s)),
                },
            );
            let Some((best, score)) = best else { continue };
            let label = if run == 0 {
                main.alg.name().to_string()
            } else {
                view.compare[run - 1].label()
            };
            if run == 0 {
                main.gamma = best.gamma;
                if let Some(rho) = best.rho {
                    main.rho = rho;
                }
            } else {
                let compared = &mut view.compare[run - 1];
                set(compared, Param::Gamma, Value::Real(best.gamma));
                if let Some(rho) = best.rho {
                    set(compared, Param::Rho, Value::Real(rho));
                }
            }
            table.push(Tuned {
                label,
                gamma: best.gamma,
                rho: best.rho,
                score,
                before,
            });
        }
        main.apply_limits();
        (main, view, table)
    }
}

fn set(compared: &mut Compared, param: Param, value: Value) {
    compared.settings.retain(|(p, _)| *p != param);
    compared.settings.push((param, value));
}

/// A candidate's mean final f − f* (‖∇f‖² where f* is unknown) over [`SEEDS`] seeds; +∞ if any diverged.
pub fn score(candidate: &Candidate) -> f64 {
    let mut total = 0.0;
    for offset in 0..SEEDS {
        let mut e = candidate.experiment.clone();
        e.seed = e.seed.wrapping_add(offset);
        // Only the final row counts: recording the others would only cost time.
        e.store(Param::Every, Value::IntOrAuto(Some(1_000_000)));
        let mut trainer = Trainer::new(&e);
        let mut last = trainer.start_row();
        while let Some(row) = trainer.step() {
            last = row;
        }
        if matches!(trainer.progress(), Progress::Diverged { .. }) {
            return f64::INFINITY;
        }
        total += last
            .subopt
            .unwrap_or(last.grad_norm * last.grad_norm)
            .max(0.0);
    }
    total / SEEDS as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link;

    #[test]
    fn a_tuned_link_takes_each_runs_best_and_says_what_its_own_scored() {
        let (main, view) =
            link::parse_strict("alg=crpsgd&problem=landscape&N=2&gamma=0.001&T=400&compare=psgd")
                .expect("valid");
        let search = Search::new(&main, &view);
        let per_run = GAMMAS.len() * RHOS.len() + 1 + GAMMAS.len() + 1;
        assert_eq!(search.candidates().len(), per_run);
        let scores: Vec<f64> = search.candidates().iter().map(score).collect();
        let (tuned, tuned_view, table) = search.finish(&scores);
        assert_eq!(table.len(), 2);
        for row in &table {
            assert!(row.score <= row.before, "{row:?}");
            assert!(row.score.is_finite(), "{row:?}");
        }
        // γ = 0.001 crawls on 400 samples: the best is far larger, and the link carries it.
        assert!(tuned.gamma > 0.01, "{}", tuned.gamma);
        assert_eq!(tuned.gamma, table[0].gamma);
        assert_eq!(
            tuned_view.compare[0].experiment(&tuned).gamma,
            table[1].gamma
        );
        let again = link::to_query(&tuned, &tuned_view);
        assert_eq!(
            link::parse_strict(&again).expect("a clean link"),
            (tuned, tuned_view)
        );
    }
}
