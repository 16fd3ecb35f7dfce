//! `dynabatch tune`: a fair race gives every run its best step size. For the main run and each compared
//! one, a grid search over γ (and ρ for CR-PSGD, η for adaptive batches) at the link's own budget, scored by the mean final
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
use crate::problems::{self, Optimum};

/// γ, ×3 apart over five decades.
pub const GAMMAS: [f64; 11] = [
    0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
];
/// CR-PSGD's growth factor: from barely growing to doubling every few rounds.
pub const RHOS: [f64; 6] = [1.01, 1.02, 1.05, 1.1, 1.2, 1.5];
/// The norm test's η for adaptive batches: from large batches early to small ones late.
pub const ETAS: [f64; 4] = [1.0, 2.0, 4.0, 8.0];
/// Seeds per candidate: the link's own and the next ones.
pub const SEEDS: u64 = 3;

/// The knob tuned beside γ, and its grid: ρ for CR-PSGD, η for adaptive batches.
pub fn second_knob(alg: Alg) -> Option<(Param, &'static [f64])> {
    match alg {
        Alg::CrPsgd => Some((Param::Rho, &RHOS)),
        Alg::Adaptive => Some((Param::Eta, &ETAS)),
        Alg::Psgd | Alg::Catalyst | Alg::Local => None,
    }
}

/// One candidate: run `run` (0 the main one, then the compared ones) with `gamma` (and `also`).
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub run: usize,
    pub gamma: f64,
    pub also: Option<(Param, f64)>,
    pub experiment: Experiment,
}

/// What a candidate scored: the mean final f − f* (or ‖∇f‖²) over the seeds, +∞ if any diverged, and
/// the rounds of its first seed's run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    pub mean: f64,
    pub rounds: u64,
}

/// A run's best candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuned {
    pub label: String,
    pub gamma: f64,
    pub also: Option<(Param, f64)>,
    pub score: Score,
    /// What the link's own setting scored, for the table.
    pub before: Score,
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
            let knob = second_knob(experiment.alg);
            let alsos: Vec<Option<(Param, f64)>> = match knob {
                Some((param, grid)) => grid.iter().map(|&v| Some((param, v))).collect(),
                None => vec![None],
            };
            for &gamma in &GAMMAS {
                for &also in &alsos {
                    let mut e = experiment.clone();
                    e.gamma = gamma;
                    if let Some((param, value)) = also {
                        e.store(param, Value::Real(value));
                    }
                    // Another γ or ρ can mean more rounds: keep within the limits, as the page would.
                    let _ = e.apply_limits();
                    candidates.push(Candidate {
                        run,
                        gamma,
                        also,
                        experiment: e,
                    });
                }
            }
            // The link's own setting, so the table can say what tuning gained.
            candidates.push(Candidate {
                run,
                gamma: experiment.gamma,
                also: knob.map(|(param, _)| match experiment.value(param) {
                    Value::Real(v) => (param, v),
                    _ => (param, f64::NAN),
                }),
                experiment: experiment.clone(),
            });
        }
        // Whether f* is known follows from the problem alone: no need to solve it or take a row here.
        let known = !matches!(problems::build(main, None).optimum(), Optimum::Unknown);
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
    pub fn finish(&self, scores: &[Score]) -> (Experiment, ViewKeys, Vec<Tuned>) {
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
            let unscored = Score {
                mean: f64::INFINITY,
                rounds: 0,
            };
            let before = mine().next_back().map_or(unscored, |(_, &s)| s);
            let best = mine().fold(
                None,
                |best: Option<(&Candidate, Score)>, (c, &s)| match best {
                    Some((_, b)) if b.mean <= s.mean || s.mean.is_nan() => best,
                    _ => Some((c, s)),
                },
            );
            let Some((best, score)) = best else { continue };
            let label = if run == 0 {
                main.alg.name().to_string()
            } else {
                view.compare[run - 1].label()
            };
            let settings = std::iter::once((Param::Gamma, best.gamma)).chain(best.also);
            for (param, value) in settings {
                if run == 0 {
                    main.store(param, Value::Real(value));
                } else {
                    set(&mut view.compare[run - 1], param, Value::Real(value));
                }
            }
            table.push(Tuned {
                label,
                gamma: best.gamma,
                also: best.also,
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
pub fn score(candidate: &Candidate) -> Score {
    let (mut total, mut rounds) = (0.0, 0);
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
            return Score {
                mean: f64::INFINITY,
                rounds: last.round,
            };
        }
        if offset == 0 {
            rounds = last.round;
        }
        total += last
            .subopt
            .unwrap_or(last.grad_norm * last.grad_norm)
            .max(0.0);
    }
    Score {
        mean: total / SEEDS as f64,
        rounds,
    }
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
        assert_eq!(second_knob(Alg::Adaptive).map(|(p, _)| p), Some(Param::Eta));
        assert_eq!(search.candidates().len(), per_run);
        let scores: Vec<Score> = search.candidates().iter().map(score).collect();
        let (tuned, tuned_view, table) = search.finish(&scores);
        assert_eq!(table.len(), 2);
        for row in &table {
            assert!(row.score.mean <= row.before.mean, "{row:?}");
            assert!(
                row.score.mean.is_finite() && row.score.rounds > 0,
                "{row:?}"
            );
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
