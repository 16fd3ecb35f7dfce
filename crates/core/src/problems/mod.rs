//! Objectives f(w) and their stochastic gradients ∇F(w; ζ), behind one trait so that every algorithm
//! runs on every problem.
//!
//! The data problems are f(w) = (1/n) Σᵢ loss(xᵢ, yᵢ; w) + (λ/2)‖w‖², sampled i.i.d. with replacement.

mod blocks;
pub mod element;
mod landscape;
mod linear;
pub mod math;
mod mlp;
mod network;
pub mod nn;
pub mod simd;
pub mod vmath;

pub use landscape::Landscape;
pub use linear::{LinearModel, Regression};
pub use mlp::mlp;
pub use network::NetworkModel;
use std::sync::Arc;

use crate::data::file::DataFile;
use crate::data::Dataset;
use crate::experiment::{Experiment, Task};
use crate::models::{Architecture, Fit};
use crate::rng::Stream;

/// What is known of f* = min f.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Optimum {
    /// Known in closed form.
    Known(f64),
    /// Strongly convex: a deterministic solver finds it (see `crate::optimum`).
    Solve,
    /// Not known (non-convex, or convex without a unique minimiser).
    Unknown,
}

pub trait Problem: Send + Sync {
    /// Number of parameters.
    fn dim(&self) -> usize;
    /// x₁, where every run starts.
    fn initial_point(&self) -> Vec<f64>;
    /// The full objective f(w).
    fn loss(&self, w: &[f64]) -> f64;
    /// The full gradient ∇f(w), written into `out`.
    fn gradient(&self, w: &[f64], out: &mut [f64]);
    /// (1/B) Σⱼ ∇F(w; ζⱼ) over `batch` samples drawn from `stream`, written over all of `out` (the
    /// trainer reuses `out` from round to round, so nothing may depend on what it held).
    fn minibatch_gradient(&self, w: &[f64], stream: &mut Stream, batch: u64, out: &mut [f64]);
    /// `minibatch_gradient`, bit for bit in `out` and in what it draws from `stream`, that also writes
    /// the mean gradient of the first `split` of those samples into `first_part` (0 < split < batch).
    /// With one node this splits its batch in two for the gradient noise scale (`crate::noise`) without
    /// changing the run: the partial sum is read on the way, not computed again.
    fn minibatch_gradient_split(
        &self,
        w: &[f64],
        stream: &mut Stream,
        batch: u64,
        split: u64,
        out: &mut [f64],
        first_part: &mut [f64],
    );
    fn optimum(&self) -> Optimum;
}

/// The problem an experiment trains on, as its model says (`models`): this is where its data set is built,
/// or, for problem=data, taken from the user's file (`data`, read with the experiment's options; `None`
/// for every other problem).
///
/// # Panics
/// For problem=data without its file: the page and the CLI read it before they build anything.
pub fn build(experiment: &Experiment, data: Option<&DataFile>) -> Box<dyn Problem> {
    let lambda = experiment.lambda;
    match experiment.problem.model().architecture {
        Architecture::Linear(fit) => {
            let (data, task) = match fit {
                Fit::Task(task) => (Arc::new(Dataset::for_experiment(experiment)), task),
                Fit::FileTask => {
                    let Some(file) = data else {
                        panic!(
                            "problem=data trains on the user's file: read it with data::file first"
                        )
                    };
                    (Arc::clone(&file.dataset), file.task)
                }
            };
            let regression = match task {
                Task::Logistic => Regression::Logistic,
                Task::Softmax => Regression::Softmax {
                    classes: data.labels.count(),
                },
                Task::LeastSquares => Regression::LeastSquares,
            };
            Box::new(LinearModel {
                data,
                regression,
                lambda,
            })
        }
        Architecture::TanhMlp => {
            let data = Dataset::for_experiment(experiment);
            Box::new(mlp(data, experiment.hidden, lambda, experiment.seed))
        }
        Architecture::Landscape => Box::new(Landscape {
            sigma: experiment.sigma,
            start: [experiment.start_x, experiment.start_y],
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::math::dot;
    use super::*;
    use crate::rng::Purpose;

    fn problem(query: &str) -> Box<dyn Problem> {
        build(
            &Experiment::from_query_strict(query).expect("valid query"),
            None,
        )
    }

    fn some_point(p: &dyn Problem) -> Vec<f64> {
        let mut s = Stream::new(3, Purpose::Data);
        p.initial_point()
            .iter()
            .map(|v| v + 0.3 * s.normal())
            .collect()
    }

    const ALL: [&str; 6] = [
        "problem=breast-cancer&lambda=0.01",
        "problem=digits&lambda=0.1",
        "problem=synthetic&n=40&d=5",
        "problem=digits-mlp&hidden=6&lambda=0.01",
        "problem=landscape&x0=1.3&y0=-0.4",
        "problem=digits-mlp&hidden=3&lambda=0",
    ];

    /// Least squares on 60 examples of 4 features with a noisy linear target.
    pub(crate) fn least_squares(lambda: f64) -> LinearModel {
        use crate::data::file::{read, Limit, Options};
        let mut s = Stream::new(9, Purpose::Data);
        let mut text = String::from("a,b,c,d,y\n");
        for _ in 0..60 {
            let x: Vec<f64> = (0..4).map(|_| s.normal()).collect();
            let y = 2.0 * x[0] - x[1] + 0.5 * x[3] + 0.5 + 0.3 * s.normal();
            let cells: Vec<String> = x.iter().chain([&y]).map(f64::to_string).collect();
            text.push_str(&format!("{}\n", cells.join(",")));
        }
        let file = read(text.as_bytes(), &Options::default(), Limit::NONE).expect("valid");
        LinearModel {
            data: file.dataset,
            regression: Regression::LeastSquares,
            lambda,
        }
    }

    /// Every problem, by its query (least squares by a name).
    fn all() -> Vec<(&'static str, Box<dyn Problem>)> {
        let mut all: Vec<(&str, Box<dyn Problem>)> = ALL.iter().map(|q| (*q, problem(q))).collect();
        all.push(("least squares", Box::new(least_squares(0.01))));
        all.push(("least squares, lambda=0", Box::new(least_squares(0.0))));
        all
    }

    /// Central differences agree with the analytic gradient on every problem.
    #[test]
    fn gradient_matches_finite_differences() {
        for (query, f) in all() {
            let w = some_point(f.as_ref());
            let mut g = vec![0.0; f.dim()];
            f.gradient(&w, &mut g);
            let h = 1e-6;
            for j in (0..f.dim()).step_by(1 + f.dim() / 40) {
                let (mut plus, mut minus) = (w.clone(), w.clone());
                plus[j] += h;
                minus[j] -= h;
                let numeric = (f.loss(&plus) - f.loss(&minus)) / (2.0 * h);
                let tolerance = 1e-6 * (1.0 + g[j].abs());
                assert!(
                    (numeric - g[j]).abs() < tolerance,
                    "{query} coord {j}: {numeric} vs {}",
                    g[j]
                );
            }
        }
    }

    /// A mini-batch gradient is an unbiased estimate: over many samples it approaches ∇f.
    #[test]
    fn minibatch_gradients_average_to_the_full_gradient() {
        for (query, f) in all() {
            let w = some_point(f.as_ref());
            let (mut full, mut batch) = (vec![0.0; f.dim()], vec![0.0; f.dim()]);
            f.gradient(&w, &mut full);
            f.minibatch_gradient(&w, &mut Stream::new(1, Purpose::Data), 100_000, &mut batch);
            let err = full
                .iter()
                .zip(&batch)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                .sqrt();
            let norm = dot(&full, &full).sqrt();
            assert!(
                err < 0.03 * norm + 2e-2,
                "{query}: error {err} vs norm {norm}"
            );
        }
    }

    /// Splitting a batch changes no bit of its gradient or of the stream, and its first part is the
    /// gradient of a batch of that many samples from the same stream.
    #[test]
    fn a_split_batch_gives_the_same_bits() {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for (query, f) in all() {
            let w = some_point(f.as_ref());
            let dim = f.dim();
            for batch in [2, 3, 5, 8, 9, 13, 21] {
                for split in [1, batch / 2, batch - 1] {
                    let stream = || Stream::new(batch + 7, Purpose::Data);
                    let (mut plain, mut whole, mut part, mut alone) = (
                        vec![0.0; dim],
                        vec![1.0; dim],
                        vec![2.0; dim],
                        vec![0.0; dim],
                    );
                    let (mut s_plain, mut s_split) = (stream(), stream());
                    f.minibatch_gradient(&w, &mut s_plain, batch, &mut plain);
                    f.minibatch_gradient_split(
                        &w,
                        &mut s_split,
                        batch,
                        split,
                        &mut whole,
                        &mut part,
                    );
                    f.minibatch_gradient(&w, &mut stream(), split, &mut alone);
                    assert_eq!(
                        bits(&plain),
                        bits(&whole),
                        "{query} B={batch} split={split}"
                    );
                    assert_eq!(bits(&part), bits(&alone), "{query} B={batch} split={split}");
                    assert_eq!(
                        s_plain.next_u64(),
                        s_split.next_u64(),
                        "{query}: same draws"
                    );
                }
            }
        }
    }

    #[test]
    fn losses_at_the_start() {
        let at_start = |q: &str| {
            let f = problem(q);
            f.loss(&f.initial_point())
        };
        assert!((at_start("problem=digits") - 10f64.ln()).abs() < 1e-12);
        assert!((at_start("problem=breast-cancer") - 2f64.ln()).abs() < 1e-12);
        let mlp = at_start("problem=digits-mlp&lambda=0");
        assert!(
            (mlp - 10f64.ln()).abs() < 0.5,
            "a random tanh net starts near log 10: {mlp}"
        );
        let expected = landscape::height(2.0) + landscape::height(-1.0);
        assert_eq!(at_start("problem=landscape&x0=2&y0=-1"), expected);
        assert_eq!(problem("problem=landscape").optimum(), Optimum::Known(0.0));
    }
}
