//! Limits across parameters. Each parameter's own range (`params.rs`) keeps it sane alone. A few
//! combinations would still keep a page busy for hours or fill its memory:
//! - synthetic data grows with n·d, and each run on the page holds its own, so `d` is lowered until it
//!   fits;
//! - the training work grows with N·T and the model's size, so `T` is lowered until it fits;
//! - the recorded rows grow with the rounds over `every`, and each row evaluates the full f and ∇f, so
//!   `every` is raised until they fit.
//!
//! The work is estimated from a deterministic cost model (operations, not a clock): the page, the CLI and
//! every machine agree on what a link means. docs/LIMITS.md gives the measured times behind the budgets.

use super::{Alg, Experiment, Notice};
use crate::algorithms::{local_steps, planned_rounds};
use crate::data::{self, file::DataFile};
use crate::models::SizedModel;
use crate::params::{MAX_BUDGET, MAX_ROWS};

/// Most estimated operations a run may spend training: N·(T·sample + steps·per-step vector work).
/// Measured at about 0.33 ns an operation per thread (docs/LIMITS.md), a run at this limit takes about
/// 8 minutes natively on 2 cores.
pub const MAX_TRAINING_WORK: f64 = 3e12;
/// Most estimated operations a run may spend evaluating f and ∇f on the whole data set for its rows
/// (about 3 minutes). Automatic recording (about 1000 rows) always fits: the costliest problem needs
/// 1.6e11 for that.
pub const MAX_RECORDING_WORK: f64 = 1e12;
/// Most values (examples × (features + bias)) in a synthetic data set: 16 MB of f64. Each run on the page
/// holds its own copy (a comparison runs four), twice over while building it, so that 5000 × 1001 values
/// (40 MB) with three compared algorithms and quick reruns ran out of 256 MiB of wasm memory.
pub const MAX_DATA_VALUES: u64 = 2_000_000;
/// Per node and round (and per local step), the model-sized vectors that are allocated, zeroed, scaled,
/// averaged and applied cost about this many multiply-adds' time per parameter (measured with batch 1).
const VECTOR_PASSES: f64 = 32.0;
/// A tanh, exp or sigmoid, or a normal draw, counted in multiply-adds.
const TRANSCENDENTAL: f64 = 30.0;
/// The shapes of the committed data sets, bias column included.
pub const BREAST_CANCER_SHAPE: (usize, usize) = shape_of(data::BREAST_CANCER);
pub const DIGITS_SHAPE: (usize, usize) = shape_of(data::DIGITS);

const fn shape_of(set: data::Committed) -> (usize, usize) {
    (set.shape.rows, set.shape.cols)
}

/// What one experiment costs, in multiply-adds.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cost {
    /// One sample gradient.
    pub sample: f64,
    /// The model's parameters.
    pub dim: f64,
    /// Examples read by one full evaluation of f and ∇f (1 for the closed-form landscape).
    pub examples: f64,
    /// Values per example in memory, bias column included (0 for the landscape, which has no data).
    pub cols: f64,
}

impl Cost {
    /// What the experiment's model costs, as its link sizes it (`models::SizedModel`).
    pub fn of(e: &Experiment) -> Cost {
        match e.problem.model().sized(e) {
            Some(model) => Cost::of_model(model),
            // A link does not know its file's size, so that the link alone says what a run does, the same
            // on every machine: the work on the data is not counted here. What a user's file may hold is
            // the reader's limit instead (`data::file::Limit`): the page's memory, the CLI's machine.
            None => Cost {
                sample: 0.0,
                dim: 0.0,
                examples: 0.0,
                cols: 0.0,
            },
        }
    }

    /// What a run on this user's file costs: the link alone cannot say (its `Cost::of` counts nothing),
    /// so a shell that holds the file prices it (the page, to say how long tuning will take).
    pub fn of_file(file: &DataFile) -> Cost {
        Cost::of_model(SizedModel::on_file(file))
    }

    /// The limits count a sample gradient's multiply-adds with the weights, and `TRANSCENDENTAL` for
    /// each of its exp, tanh and normal draws (`models::SampleCost` says what the count leaves out).
    fn of_model(model: SizedModel) -> Cost {
        let sample = model.sample_cost();
        let calls = sample.exp + sample.tanh + sample.draws;
        let shape = model.shape();
        Cost {
            sample: sample.multiply_adds as f64 + TRANSCENDENTAL * calls as f64,
            dim: model.dim() as f64,
            // A closed-form f is evaluated once, about one sample's work.
            examples: shape.map_or(1.0, |shape| shape.rows as f64),
            cols: shape.map_or(0.0, |shape| shape.cols as f64),
        }
    }

    /// One recorded row: the loss and the gradient over every example.
    pub fn row(&self) -> f64 {
        2.0 * self.examples * self.sample
    }
}

/// Model updates per node over `rounds` rounds: one each, or H local steps each for local SGD.
fn steps(e: &Experiment, rounds: u64) -> f64 {
    match e.alg {
        Alg::Local => rounds as f64 * local_steps(e) as f64,
        _ => rounds as f64,
    }
}

/// The estimated operations of training with `steps` model updates per node, summed over the nodes.
fn work(e: &Experiment, steps: f64) -> f64 {
    work_at(e, Cost::of(e), steps)
}

fn work_at(e: &Experiment, cost: Cost, steps: f64) -> f64 {
    e.nodes as f64 * (e.budget as f64 * cost.sample + steps * VECTOR_PASSES * cost.dim)
}

/// The estimated operations of the training itself, summed over the nodes.
pub fn training_work(e: &Experiment) -> f64 {
    training_work_at(e, Cost::of(e))
}

/// As [`training_work`], at a given cost per sample and parameter (`Cost::of_file` for a user's file).
pub fn training_work_at(e: &Experiment, cost: Cost) -> f64 {
    work_at(e, cost, steps(e, planned_rounds(e)))
}

/// Rows a run records: row 0, one every `every` rounds, and the last round.
pub fn recorded_rows(rounds: u64, every: u64) -> u64 {
    1 + rounds.div_ceil(every.max(1))
}

/// The most rows this experiment may record: by memory for the cheap problems, by evaluation work for
/// the costly ones.
pub fn max_rows(e: &Experiment) -> u64 {
    let by_work = (MAX_RECORDING_WORK / Cost::of(e).row()) as u64;
    by_work.clamp(2, MAX_ROWS)
}

/// The estimated operations spent on recorded rows.
pub fn recording_work(e: &Experiment) -> f64 {
    let every = crate::algorithms::record_every(e);
    recorded_rows(planned_rounds(e), every) as f64 * Cost::of(e).row()
}

impl Experiment {
    /// Applies the limits across parameters: lowers `d` while synthetic data would take too much memory,
    /// `T` while the training would be too much work, then raises `every` while the recorded rows would be
    /// too many. Returns a notice for each change. An experiment within the limits is left as it is, so a
    /// canonical link reads back unchanged.
    pub fn apply_limits(&mut self) -> Vec<Notice> {
        let mut notices: Vec<Notice> = self.limit_ramp().into_iter().collect();
        notices.extend(self.limit_data());
        // Every update and every round takes at least B₁ samples per node, so T/B₁ bounds both without
        // counting the schedule (which takes a while for ρ near 1): most links stop here.
        let most_steps = self.budget / self.first_batch.max(1);
        let rows_fit = |every| recorded_rows(most_steps, every) <= max_rows(self);
        if work(self, most_steps as f64) <= MAX_TRAINING_WORK && self.every.is_none_or(rows_fit) {
            return notices;
        }
        let mut rounds = planned_rounds(self);
        if let Some(notice) = self.limit_budget(rounds) {
            notices.push(notice);
            rounds = planned_rounds(self);
        }
        notices.extend(self.limit_rows(rounds));
        notices
    }

    /// A ramp never shrinks the batch: B_max below B₁ is raised to B₁.
    fn limit_ramp(&mut self) -> Option<Notice> {
        if self.alg != Alg::Ramp || self.ramp_cap >= self.first_batch {
            return None;
        }
        let (cap, first) = (self.ramp_cap, self.first_batch);
        self.ramp_cap = first;
        Some(Notice::new(
            "Bmax",
            format!("Bmax={cap} is below B1={first}, and a ramp never shrinks the batch"),
            &format!("using {first}"),
        ))
    }

    fn limit_data(&mut self) -> Option<Notice> {
        let (n, d) = (
            self.synthetic_examples as u64,
            self.synthetic_features as u64,
        );
        let values = n * (d + 1);
        let generated = matches!(self.problem.model().data, data::Source::Generated);
        if !generated || values <= MAX_DATA_VALUES {
            return None;
        }
        // n ≤ 5000, so at least 399 features always fit.
        let most = (MAX_DATA_VALUES / n.max(1)).saturating_sub(1).max(1);
        self.synthetic_features = most as usize;
        Some(Notice::new(
            "d",
            format!(
                "d={d} with n={n} makes a data set of {values} values ({} MB), more than the \
                 {MAX_DATA_VALUES} ({} MB) a run may hold; allowed here: an integer from 1 to {most}",
                values * 8 / 1_000_000,
                MAX_DATA_VALUES * 8 / 1_000_000
            ),
            &format!("using {most}"),
        ))
    }

    fn limit_budget(&mut self, rounds: u64) -> Option<Notice> {
        let needed = work(self, steps(self, rounds));
        if needed <= MAX_TRAINING_WORK {
            return None;
        }
        let asked = self.budget;
        // The work grows with T (more samples, never fewer rounds), and T = 1 always fits: bisect.
        let fits = |budget: u64| {
            training_work(&Experiment {
                budget,
                ..self.clone()
            }) <= MAX_TRAINING_WORK
        };
        let (mut fit, mut too_much) = (1, asked);
        while too_much - fit > 1 {
            let middle = fit + (too_much - fit) / 2;
            if fits(middle) {
                fit = middle;
            } else {
                too_much = middle;
            }
        }
        self.budget = fit;
        Some(Notice::new(
            "T",
            format!(
                "T={asked} with N={} on {} needs about {needed:.2e} operations, more than the \
                 {MAX_TRAINING_WORK:.0e} (about 10 minutes) a run may take; allowed here: an integer \
                 from 1 to {fit}",
                self.nodes,
                self.problem.model().words(self),
            ),
            &format!("using {fit}"),
        ))
    }

    fn limit_rows(&mut self, rounds: u64) -> Option<Notice> {
        let every = self.every?;
        let most = max_rows(self);
        if recorded_rows(rounds, every) <= most {
            return None;
        }
        // ⌈rounds/every⌉ + 1 ≤ most ⇔ every ≥ ⌈rounds/(most − 1)⌉.
        let least = rounds.div_ceil(most - 1).clamp(1, MAX_BUDGET);
        self.every = Some(least);
        let why = if most == MAX_ROWS {
            format!("more than the {MAX_ROWS} a run keeps")
        } else {
            format!(
                "and each evaluates f and ∇f on all of {}: at most {most} rows fit the {:.0e} \
                 operations (about 3 minutes) a run may spend on them",
                self.problem.model().words(self),
                MAX_RECORDING_WORK
            )
        };
        Some(Notice::new(
            "every",
            format!(
                "every={every} would record {} rows over {rounds} rounds, {why}; allowed here: auto or an \
                 integer from {least} to {MAX_BUDGET}",
                recorded_rows(rounds, every)
            ),
            &format!("using {least}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::file::{read, Limit, Options};

    fn cost(sample: f64, dim: f64, examples: f64, cols: f64) -> Cost {
        Cost {
            sample,
            dim,
            examples,
            cols,
        }
    }

    /// The numbers every link so far was weighed with: the budgets (docs/LIMITS.md) were measured against
    /// them, so a change of the cost model must leave them as they are.
    #[test]
    fn the_limits_weigh_every_model_as_before() {
        let of = |query: &str| Cost::of(&Experiment::from_query_strict(query).expect("valid"));
        assert_eq!(of("problem=breast-cancer"), cost(92.0, 31.0, 569.0, 31.0));
        assert_eq!(of("problem=digits"), cost(1600.0, 650.0, 1797.0, 65.0));
        assert_eq!(
            of("problem=synthetic&n=300&d=7"),
            cost(46.0, 8.0, 300.0, 8.0)
        );
        assert_eq!(
            of("problem=digits-mlp&hidden=1"),
            cost(480.0, 85.0, 1797.0, 65.0)
        );
        assert_eq!(of("problem=digits-mlp"), cost(6060.0, 2410.0, 1797.0, 65.0));
        assert_eq!(
            of("problem=digits-mlp&hidden=256"),
            cost(46380.0, 19210.0, 1797.0, 65.0)
        );
        assert_eq!(of("problem=landscape"), cost(60.0, 2.0, 1.0, 0.0));
        assert_eq!(of("problem=data"), cost(0.0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn a_users_file_is_weighed_by_its_task() {
        let of_file = |text: &str| {
            Cost::of_file(&read(text.as_bytes(), &Options::default(), Limit::NONE).expect("valid"))
        };
        let rows = |labels: [&str; 4]| {
            let lines: Vec<String> = labels
                .iter()
                .enumerate()
                .map(|(i, y)| format!("{i},{},{y}", 2 * i + 1))
                .collect();
            format!("a,b,y\n{}\n", lines.join("\n"))
        };
        assert_eq!(
            of_file(&rows(["0", "1", "1", "0"])),
            cost(36.0, 3.0, 4.0, 3.0)
        );
        assert_eq!(
            of_file(&rows(["0", "1", "2", "0"])),
            cost(108.0, 9.0, 4.0, 3.0)
        );
        assert_eq!(
            of_file(&rows(["0.5", "1.7", "-2.25", "3"])),
            cost(6.0, 3.0, 4.0, 3.0)
        );
    }
}
