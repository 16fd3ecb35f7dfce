//! `dynabatch tune`: a fair race gives every run its best step size. For the main run and each compared
//! one, a grid search over γ (and ρ for CR-PSGD, η for adaptive batches) at the link's own budget, scored by the mean final
//! f − f* (‖∇f‖² where f* is unknown) over a few seeds. A run that diverges scores +∞.
//!
//! The search is a list of independent candidate runs ([`Search::candidates`]), so that a shell can
//! spread them over its threads (the CLI); [`Search::finish`] picks the best of each run, whatever order
//! the scores came in. A shell that must stop between any two steps (the page, with its Cancel button and
//! its pool shared with the runs it shows) drives a [`Tuning`] a few rounds at a time instead: the same
//! candidates, the same scores.

use crate::algorithms::{planned_rounds, Progress, Stepped, Trainer};
use crate::data::file::DataFile;
use crate::experiment::{training_work_at, Cost};
use crate::experiment::{Alg, Experiment};
use crate::link::{Compared, ViewKeys};
use crate::metrics::Row;
use crate::paper::Measure;
use crate::params::{Param, Value};
use crate::problems::{self, Optimum};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// γ, ×3 apart over five decades.
pub const GAMMAS: [f64; 11] = [
    0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
];
/// CR-PSGD's growth factor: from barely growing to doubling every few rounds.
pub const RHOS: [f64; 6] = [1.01, 1.02, 1.05, 1.1, 1.2, 1.5];
/// The norm test's η for adaptive batches: from large batches early to small ones late.
pub const ETAS: [f64; 4] = [1.0, 2.0, 4.0, 8.0];
/// Heavy-ball momentum β: none, moderate, and the usual 0.9.
pub const MOMENTA: [f64; 3] = [0.0, 0.5, 0.9];
/// Seeds per candidate: the link's own and the next ones.
pub const SEEDS: u64 = 3;

/// The knob tuned beside γ, and its grid: ρ for CR-PSGD, η for adaptive batches, momentum β for the
/// runs whose batches stop growing (PSGD, local SGD, the ramp at its cap), where nothing else tames the
/// noise late in a run, and β changes the noise at a given γ and B (Smith et al. 2018: the noise scale grows
/// as 1/(1 − β)), which the γ grid alone does not reach. Not for Catalyst, whose velocity
/// restarts with each subproblem of a few rounds, and not beside ρ or η, which would triple their grids.
pub fn second_knob(alg: Alg) -> Option<(Param, &'static [f64])> {
    match alg {
        Alg::CrPsgd => Some((Param::Rho, &RHOS)),
        Alg::Adaptive => Some((Param::Eta, &ETAS)),
        Alg::Psgd | Alg::Local | Alg::Ramp => Some((Param::Momentum, &MOMENTA)),
        Alg::Catalyst => None,
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

impl Tuned {
    /// Its row of the table under [`table_header`]: run, γ, the other knob, the mean score and rounds,
    /// and the same for the link's own setting.
    pub fn cells(&self) -> [String; 7] {
        let also = self.also.map_or_else(
            || "-".to_string(),
            |(param, value)| format!("{}={value}", param.spec().name),
        );
        [
            self.label.clone(),
            self.gamma.to_string(),
            also,
            format!("{:.3e}", self.score.mean),
            self.score.rounds.to_string(),
            format!("{:.3e}", self.before.mean),
            self.before.rounds.to_string(),
        ]
    }
}

/// The table's header: what [`Tuned::cells`] are.
pub fn table_header(measure: Measure) -> [String; 7] {
    [
        "run".to_string(),
        "gamma".to_string(),
        "also".to_string(),
        format!("mean {} ({SEEDS} seeds)", measure.label()),
        "rounds".to_string(),
        "with the link's own".to_string(),
        "rounds".to_string(),
    ]
}

/// What a search costs by the cost model of `experiment::limits` (operations, not a clock), summed over
/// the candidates and their seeds: a shell turns it into time at its own speed, to say how long tuning
/// will take, or that it would take too long.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Work {
    /// Estimated multiply-adds: the training, and the two rows each seed's run measures.
    pub operations: f64,
    /// Rounds at most: each costs a shell a fixed amount besides its operations (the page's pool hands
    /// every round's nodes out and collects them).
    pub rounds: f64,
}

impl Work {
    /// A candidate's work over its seeds, at `cost` per sample and parameter.
    fn of(e: &Experiment, cost: Cost) -> Work {
        let seeds = SEEDS as f64;
        Work {
            operations: seeds * (training_work_at(e, cost) + 2.0 * cost.row()),
            rounds: seeds * planned_rounds(e) as f64,
        }
    }
}

impl std::ops::Add for Work {
    type Output = Work;

    fn add(self, other: Work) -> Work {
        Work {
            operations: self.operations + other.operations,
            rounds: self.rounds + other.rounds,
        }
    }
}

impl std::iter::Sum for Work {
    fn sum<I: Iterator<Item = Work>>(works: I) -> Work {
        works.fold(Work::default(), |a, b| a + b)
    }
}

pub struct Search {
    main: Experiment,
    view: ViewKeys,
    candidates: Vec<Candidate>,
    /// The user's file, for problem=data: every candidate trains on it.
    data: Option<Arc<DataFile>>,
}

impl Search {
    /// The search for this link; `data` is the link's file where it has problem=data (its runs cannot
    /// be built without it), `None` for the built-in problems.
    pub fn new(main: &Experiment, view: &ViewKeys, data: Option<Arc<DataFile>>) -> Search {
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
        Search {
            main: main.clone(),
            view: view.clone(),
            candidates,
            data,
        }
    }

    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// What the scores measure: f − f* where the problem's f* is known. That follows from the problem
    /// alone (no need to solve f* or take a row), but building it builds its data set: asked only for
    /// the table, not when the search is made (the page makes one on its main thread to weigh it).
    pub fn measure(&self) -> Measure {
        match problems::build(&self.main, self.data.as_deref()).optimum() {
            Optimum::Unknown => Measure::GradNormSquared,
            Optimum::Known(_) | Optimum::Solve => Measure::Suboptimality,
        }
    }

    /// What every candidate together costs (`file`: as [`Search::candidate_work`]).
    pub fn work(&self, file: Option<Cost>) -> Work {
        (0..self.candidates.len())
            .map(|i| self.candidate_work(i, file))
            .sum()
    }

    /// What candidate `i` costs, over its seeds. A link does not say what its user's file costs: `file`
    /// prices it (`Cost::of_file`) where the caller holds only that (the page's serial build, whose
    /// main thread has the file's bytes, not its data set); otherwise the search's own file does.
    pub fn candidate_work(&self, i: usize, file: Option<Cost>) -> Work {
        let e = &self.candidates[i].experiment;
        let cost = file
            .or_else(|| self.data.as_deref().map(Cost::of_file))
            .filter(|_| e.problem == crate::experiment::ProblemKind::Data)
            .unwrap_or_else(|| Cost::of(e));
        Work::of(e, cost)
    }

    /// Candidate `i`, to be scored a few rounds at a time.
    fn scoring(&self, i: usize) -> Scoring {
        let mut experiment = self.candidates[i].experiment.clone();
        // Only the final row counts: recording the others would only cost time.
        experiment.store(Param::Every, Value::IntOrAuto(Some(1_000_000)));
        Scoring {
            experiment,
            data: self.data.clone(),
            seed: 0,
            trainer: None,
            total: 0.0,
            rounds: 0,
        }
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

/// One candidate's runs, its seeds one after another, advanced a few rounds at a time.
struct Scoring {
    /// The candidate's experiment, recording only its last round.
    experiment: Experiment,
    data: Option<Arc<DataFile>>,
    /// Which of the [`SEEDS`] seeds runs: the link's own seed plus this.
    seed: u64,
    /// The seed's run and its latest row; `None` before it is built.
    trainer: Option<(Trainer, Row)>,
    /// The final f − f* (or ‖∇f‖²) of the seeds done.
    total: f64,
    /// The first seed's rounds.
    rounds: u64,
}

impl Scoring {
    /// Runs at most `max_rounds` rounds (building a seed's run, its data and f*, counts as one), and
    /// returns the candidate's score once its last seed has ended.
    fn advance(&mut self, max_rounds: u64) -> Option<Score> {
        let mut left = max_rounds;
        while left > 0 {
            let Some((trainer, last)) = &mut self.trainer else {
                let mut e = self.experiment.clone();
                e.seed = e.seed.wrapping_add(self.seed);
                let trainer = match &self.data {
                    Some(data) => Trainer::with_data(&e, data),
                    None => Trainer::new(&e),
                };
                // Its lane is one thread: the lanes, not the nodes, are what runs in parallel.
                let trainer = trainer.on_this_thread();
                let start = trainer.start_row();
                self.trainer = Some((trainer, start));
                left -= 1;
                continue;
            };
            let before = trainer.round();
            let stepped = trainer.step_within(left);
            left = left.saturating_sub((trainer.round() - before).max(1));
            match stepped {
                Stepped::Row(row) => *last = row,
                Stepped::Unrecorded => {}
                Stepped::Over => {
                    let (last, diverged) = (
                        *last,
                        matches!(trainer.progress(), Progress::Diverged { .. }),
                    );
                    self.trainer = None;
                    if diverged {
                        return Some(Score {
                            mean: f64::INFINITY,
                            rounds: last.round,
                        });
                    }
                    if self.seed == 0 {
                        self.rounds = last.round;
                    }
                    self.total += last
                        .subopt
                        .unwrap_or(last.grad_norm * last.grad_norm)
                        .max(0.0);
                    self.seed += 1;
                    if self.seed == SEEDS {
                        return Some(Score {
                            mean: self.total / SEEDS as f64,
                            rounds: self.rounds,
                        });
                    }
                }
            }
        }
        None
    }
}

/// A whole search, in lanes: each lane scores one candidate at a time, a few rounds per call, then takes
/// the next one no lane has taken. Lanes may advance at once, each on a thread of its own (the CLI's
/// threads, the page's pool), each candidate's nodes on its lane's thread; a shell that must stop between
/// any two steps (the page's Cancel) calls them with few rounds. Whichever lane scores a candidate, and
/// however its rounds are sliced, its score is the same bits, so the search finds the same link.
pub struct Tuning {
    search: Search,
    /// The next candidate no lane has taken.
    next: AtomicUsize,
    scores: Vec<OnceLock<Score>>,
    scored: AtomicUsize,
    /// What each lane is scoring. A lane is advanced by one thread at a time: its lock is never waited
    /// for.
    lanes: Vec<Mutex<Option<(usize, Scoring)>>>,
}

impl Tuning {
    /// The search in `lanes` lanes (at least one).
    pub fn new(search: Search, lanes: usize) -> Tuning {
        Tuning {
            next: AtomicUsize::new(0),
            scores: search.candidates.iter().map(|_| OnceLock::new()).collect(),
            scored: AtomicUsize::new(0),
            lanes: (0..lanes.max(1)).map(|_| Mutex::new(None)).collect(),
            search,
        }
    }

    pub fn search(&self) -> &Search {
        &self.search
    }

    pub fn lanes(&self) -> usize {
        self.lanes.len()
    }

    /// How many candidates are scored.
    pub fn scored(&self) -> usize {
        self.scored.load(Ordering::Acquire)
    }

    /// Lane `lane` scores for at most `max_rounds` rounds (a candidate that ends meanwhile ends the
    /// call); false once no candidate is left for it (other lanes may still be scoring theirs).
    pub fn advance(&self, lane: usize, max_rounds: u64) -> bool {
        let Some(lane) = self.lanes.get(lane) else {
            return false;
        };
        let mut lane = lane.lock().unwrap_or_else(|e| e.into_inner());
        let (i, scoring) = match &mut *lane {
            Some(taken) => taken,
            None => {
                let i = self.next.fetch_add(1, Ordering::AcqRel);
                if i >= self.scores.len() {
                    return false;
                }
                lane.insert((i, self.search.scoring(i)))
            }
        };
        if let Some(score) = scoring.advance(max_rounds) {
            let _ = self.scores[*i].set(score);
            self.scored.fetch_add(1, Ordering::AcqRel);
            *lane = None;
        }
        true
    }

    /// The tuned link and its table, once every candidate is scored.
    pub fn finish(&self) -> Option<(Experiment, ViewKeys, Vec<Tuned>)> {
        let scores: Option<Vec<Score>> = self.scores.iter().map(|s| s.get().copied()).collect();
        scores.map(|scores| self.search.finish(&scores))
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
        let search = Search::new(&main, &view, None);
        let per_run = GAMMAS.len() * RHOS.len() + 1 + GAMMAS.len() * MOMENTA.len() + 1;
        assert_eq!(second_knob(Alg::Adaptive).map(|(p, _)| p), Some(Param::Eta));
        assert_eq!(
            second_knob(Alg::Psgd).map(|(p, _)| p),
            Some(Param::Momentum)
        );
        assert_eq!(search.candidates().len(), per_run);
        let tuning = Tuning::new(search, 1);
        while tuning.advance(0, u64::MAX) {}
        let (tuned, tuned_view, table) = tuning.finish().expect("every candidate scored");
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

    /// A search in three lanes, a few rounds at a time, finds the same scores, bit for bit, as one lane
    /// scoring whole candidates, and so the same link.
    #[test]
    fn a_search_in_lanes_and_slices_finds_what_the_whole_search_finds() {
        let (main, view) = link::parse_strict(
            "alg=adaptive&problem=breast-cancer&lambda=0.01&N=3&T=300&compare=local(H=4)",
        )
        .expect("valid");
        let whole = Tuning::new(Search::new(&main, &view, None), 1);
        while whole.advance(0, u64::MAX) {}
        let sliced = Tuning::new(Search::new(&main, &view, None), 3);
        let mut calls = 0;
        // Lanes take turns unevenly, as threads would.
        while (0..3).fold(false, |more, lane| {
            sliced.advance(lane, 7 + lane as u64) | more
        }) {
            calls += 1;
        }
        let total = whole.search().candidates().len();
        assert!(calls > total / 3, "{calls} turns");
        assert_eq!((sliced.scored(), whole.scored()), (total, total));
        assert_eq!(sliced.scores, whole.scores);
        assert_eq!(sliced.finish(), whole.finish());
        assert!(!sliced.advance(5, 1), "no such lane");
        // Every candidate's work is counted once.
        let search = whole.search();
        let work = search.work(None);
        assert!(work.operations > 0.0 && work.rounds >= total as f64);
        let parts = (0..total).map(|i| search.candidate_work(i, None));
        assert_eq!(parts.sum::<Work>(), work);
        assert!(search.candidate_work(0, None).operations < work.operations);
    }

    #[test]
    fn the_table_says_what_the_cli_prints() {
        let tuned = Tuned {
            label: "crpsgd".to_string(),
            gamma: 0.3,
            also: Some((Param::Rho, 1.05)),
            score: Score {
                mean: 2.0504e-5,
                rounds: 141,
            },
            before: Score {
                mean: 1.5,
                rounds: 20,
            },
        };
        assert_eq!(
            tuned.cells().join("\t"),
            "crpsgd\t0.3\trho=1.05\t2.050e-5\t141\t1.500e0\t20"
        );
        assert_eq!(
            table_header(Measure::Suboptimality)[3],
            "mean f − f* (3 seeds)"
        );
    }

    /// A link with problem=data is tuned on its file: every candidate trains on it, f* is solved on it
    /// (least squares with λ > 0), and the table says so.
    #[test]
    fn a_search_on_a_users_file_trains_every_candidate_on_it() {
        use crate::data::file::{read, Limit};
        let (main, view) =
            link::parse_strict("problem=data&task=least-squares&alg=psgd&N=2&T=200&lambda=0.01")
                .expect("valid");
        let text: String = (0..60)
            .map(|i| format!("{},{},{}\n", i % 7, (i * i) % 11, (3 * i) % 13))
            .collect();
        let data = read(text.as_bytes(), &main.file_options(), Limit::NONE).expect("valid");
        let cost = Cost::of_file(&data);
        // Three columns with the bias, least squares: 6 operations a sample, over 60 examples.
        assert_eq!((cost.sample, cost.dim, cost.examples), (6.0, 3.0, 60.0));
        let tuning = Tuning::new(Search::new(&main, &view, Some(Arc::new(data))), 2);
        // The file prices the search (the link alone counts nothing), and so does its cost alone.
        let work = tuning.search().work(None);
        assert!(work.operations > 0.0);
        assert_eq!(tuning.search().work(Some(cost)), work);
        while (0..2).fold(false, |more, lane| tuning.advance(lane, 50) | more) {}
        let (tuned, _, table) = tuning.finish().expect("every candidate scored");
        assert_eq!(tuning.search().measure(), Measure::Suboptimality);
        assert_eq!(table.len(), 1);
        assert!(table[0].score.mean.is_finite(), "{table:?}");
        assert!(table[0].score.mean <= table[0].before.mean, "{table:?}");
        assert_eq!(tuned.gamma, table[0].gamma);
    }
}
