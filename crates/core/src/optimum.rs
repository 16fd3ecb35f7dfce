//! The reference optimum f* of the strongly convex problems, so runs can report f − f*.
//!
//! A small L-BFGS with Armijo backtracking. It is deterministic and uses only the core's fixed-order
//! arithmetic, so the page and the CLI find the same f* to the last bit. (An external optimiser would
//! need a wall clock, which wasm32-unknown-unknown lacks, and would not promise that.) Its answer is
//! checked against scipy on the matrix that `dynabatch data` writes (tests/independent_optimum.py).

use crate::data::file::{DataFile, Options, Sha256};
use crate::experiment::{Experiment, ProblemKind};
use crate::params::Param;
use crate::problems::{math::dot, Optimum, Problem};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The solver stops when ‖∇f‖ is below this (then f − f* ≤ ‖∇f‖²/(2λ) is far below 1e-10 for λ ≥ 1e-6),
/// or when a line search can no longer decrease f in floating point.
pub const GRADIENT_TOLERANCE: f64 = 1e-9;
const MEMORY: usize = 10;
const MAX_ITERATIONS: usize = 20_000;

#[derive(Clone, Debug)]
pub struct Solution {
    pub value: f64,
    pub gradient_norm: f64,
    pub iterations: usize,
    /// Where f is least: x*.
    pub point: Vec<f64>,
}

/// f* for this experiment's problem (on `data`, the user's file, for problem=data), if known or
/// solvable. Solutions are cached per problem, so a page that reruns the same problem with other
/// algorithm settings solves it once.
pub fn reference(
    experiment: &Experiment,
    data: Option<&DataFile>,
    problem: &dyn Problem,
) -> Option<f64> {
    match problem.optimum() {
        Optimum::Known(value) => Some(value),
        Optimum::Unknown => None,
        Optimum::Solve => solution(experiment, data, problem).map(|s| s.value),
    }
}

/// The solved minimiser and f* of a problem whose f* is solved for (strongly convex); `None` for the
/// others. Cached with f* ([`reference`]): whoever asks first solves it, once per problem.
pub fn solution(
    experiment: &Experiment,
    data: Option<&DataFile>,
    problem: &dyn Problem,
) -> Option<Arc<Solution>> {
    static SOLUTIONS: PerProblem<Arc<Solution>> = PerProblem::new();
    match problem.optimum() {
        Optimum::Solve => Some(
            SOLUTIONS.get_or_compute(ProblemKey::of(experiment, data), || {
                Arc::new(minimize(problem))
            }),
        ),
        Optimum::Known(_) | Optimum::Unknown => None,
    }
}

/// What is computed once per problem (its solution, its curvature): a page reruns one problem with
/// other algorithm settings many times. The most recent problems are kept, a few dozen, so a page whose
/// user sweeps λ does not grow without bound.
pub(crate) struct PerProblem<T> {
    entries: Mutex<Vec<(ProblemKey, T)>>,
}

impl<T: Clone> PerProblem<T> {
    const KEPT: usize = 32;

    pub(crate) const fn new() -> PerProblem<T> {
        PerProblem {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// The value for `key`, computed by `compute` if it is not kept. The lock is not held while
    /// computing, so two threads asking at once may both compute; they find the same value (the
    /// computations are deterministic), and one is kept.
    pub(crate) fn get_or_compute(&self, key: ProblemKey, compute: impl FnOnce() -> T) -> T {
        let entries = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, value)) = entries().iter().find(|(k, _)| *k == key) {
            return value.clone();
        }
        let value = compute();
        let mut entries = entries();
        if !entries.iter().any(|(k, _)| *k == key) {
            if entries.len() == Self::KEPT {
                entries.remove(0);
            }
            entries.push((key, value.clone()));
        }
        value
    }
}

/// The parameters that define f, and nothing else: experiments equal in these share one f*.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProblemKey {
    problem: ProblemKind,
    /// λ's bits, where the problem has a λ (f64 has no `Eq`; two texts of one number give one λ).
    lambda: Option<u64>,
    /// The synthetic data's n and d, and the seed that generates it.
    synthetic: Option<(usize, usize, u64)>,
    /// The network's hidden units.
    hidden: Option<usize>,
    /// A user's file: its bytes' hash and how they were read, which is everything its data set
    /// depends on (whether or not the link pins the hash).
    file: Option<(Sha256, Options)>,
}

impl ProblemKey {
    pub fn of(e: &Experiment, data: Option<&DataFile>) -> ProblemKey {
        ProblemKey {
            problem: e.problem,
            lambda: e.uses(Param::Lambda).then_some(e.lambda.to_bits()),
            synthetic: (e.uses(Param::Examples) && e.uses(Param::Features)).then_some((
                e.synthetic_examples,
                e.synthetic_features,
                e.seed,
            )),
            hidden: e.uses(Param::Hidden).then_some(e.hidden),
            file: data
                .filter(|_| e.problem == ProblemKind::Data)
                .map(|d| (d.sha256, d.options.clone())),
        }
    }
}

/// Minimises f from its initial point with L-BFGS.
pub fn minimize(problem: &dyn Problem) -> Solution {
    let mut x = problem.initial_point();
    let dim = x.len();
    let mut g = vec![0.0; dim];
    let mut value = problem.loss(&x);
    problem.gradient(&x, &mut g);
    let mut history: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(MEMORY);
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS && norm(&g) > GRADIENT_TOLERANCE {
        iterations += 1;
        let direction = two_loop(&g, &history);
        let slope = dot(&direction, &g);
        let direction = if slope < 0.0 {
            direction
        } else {
            g.iter().map(|v| -v).collect()
        };
        let slope = dot(&direction, &g);
        let Some((step, next_value)) = backtrack(problem, &x, value, slope, &direction) else {
            break;
        };
        let next_x: Vec<f64> = x
            .iter()
            .zip(&direction)
            .map(|(xi, d)| xi + step * d)
            .collect();
        let mut next_g = vec![0.0; dim];
        problem.gradient(&next_x, &mut next_g);
        let s: Vec<f64> = next_x.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = next_g.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-300 {
            if history.len() == MEMORY {
                history.pop_front();
            }
            history.push_back((s, y, 1.0 / sy));
        }
        (x, g, value) = (next_x, next_g, next_value);
    }
    Solution {
        value,
        gradient_norm: norm(&g),
        iterations,
        point: x,
    }
}

/// The L-BFGS two-loop recursion: −H∇f from the last few (s, y) pairs.
fn two_loop(g: &[f64], history: &VecDeque<(Vec<f64>, Vec<f64>, f64)>) -> Vec<f64> {
    let mut q = g.to_vec();
    let mut alphas = Vec::with_capacity(history.len());
    for (s, y, rho) in history.iter().rev() {
        let alpha = rho * dot(s, &q);
        q.iter_mut().zip(y).for_each(|(qi, yi)| *qi -= alpha * yi);
        alphas.push(alpha);
    }
    let scale = history
        .back()
        .map_or(1.0, |(s, y, _)| dot(s, y) / dot(y, y));
    q.iter_mut().for_each(|qi| *qi *= scale);
    for ((s, y, rho), alpha) in history.iter().zip(alphas.iter().rev()) {
        let beta = rho * dot(y, &q);
        q.iter_mut()
            .zip(s)
            .for_each(|(qi, si)| *qi += (alpha - beta) * si);
    }
    q.iter_mut().for_each(|qi| *qi = -*qi);
    q
}

/// Armijo backtracking from step 1; `None` once no step decreases f in floating point.
fn backtrack(
    problem: &dyn Problem,
    x: &[f64],
    value: f64,
    slope: f64,
    direction: &[f64],
) -> Option<(f64, f64)> {
    let mut step = 1.0;
    let mut trial = vec![0.0; x.len()];
    for _ in 0..60 {
        trial
            .iter_mut()
            .zip(x.iter().zip(direction))
            .for_each(|(t, (xi, d))| *t = xi + step * d);
        let trial_value = problem.loss(&trial);
        if trial_value <= value + 1e-4 * step * slope && trial_value < value {
            return Some((step, trial_value));
        }
        step *= 0.5;
    }
    None
}

fn norm(v: &[f64]) -> f64 {
    libm::sqrt(dot(v, v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problems::build;

    #[test]
    fn finds_a_stationary_point_of_each_convex_problem() {
        for query in [
            "problem=breast-cancer",
            "problem=digits",
            "problem=synthetic&n=300&d=10&lambda=0.01",
        ] {
            let e = Experiment::from_query_strict(query).expect("valid");
            let solution = minimize(build(&e, None).as_ref());
            // ‖∇f‖ ≤ 1e-7 with λ = 1e-3 bounds f − f* by 5e-12.
            assert!(solution.gradient_norm < 1e-7, "{query}: {solution:?}");
        }
    }

    /// Least squares has f* in closed form: w* solves (XᵀX/n + λI)w = Xᵀy/n.
    #[test]
    fn least_squares_meets_its_closed_form() {
        let model = crate::problems::tests::least_squares(0.01);
        let data = &model.data;
        let (n, d) = (data.rows, data.cols);
        let y = data.labels.targets();
        // The normal equations, augmented with their right-hand side, by Gaussian elimination.
        let mut a = vec![vec![0.0; d + 1]; d];
        for (i, target) in y.iter().enumerate() {
            let x = data.row(i);
            for (j, row) in a.iter_mut().enumerate() {
                for (k, entry) in row[..d].iter_mut().enumerate() {
                    *entry += x[j] * x[k] / n as f64;
                }
                row[d] += x[j] * target / n as f64;
            }
        }
        (0..d).for_each(|j| a[j][j] += model.lambda);
        for p in 0..d {
            let pivot = a[p].clone();
            for row in a.iter_mut().skip(p + 1) {
                let factor = row[p] / pivot[p];
                row.iter_mut()
                    .zip(&pivot)
                    .skip(p)
                    .for_each(|(entry, above)| *entry -= factor * above);
            }
        }
        let mut w = vec![0.0; d];
        for p in (0..d).rev() {
            let known: f64 = (p + 1..d).map(|c| a[p][c] * w[c]).sum();
            w[p] = (a[p][d] - known) / a[p][p];
        }
        let closed_form = model.loss(&w);
        let solved = minimize(&model);
        assert!(solved.gradient_norm < 1e-8, "{solved:?}");
        assert!(
            (solved.value - closed_form).abs() < 1e-12,
            "{} vs {closed_form}",
            solved.value
        );
    }

    #[test]
    fn knows_the_landscape_and_not_the_network() {
        let f_star = |q: &str| {
            let e = Experiment::from_query_strict(q).expect("valid");
            reference(&e, None, build(&e, None).as_ref())
        };
        assert_eq!(f_star("problem=landscape"), Some(0.0));
        assert_eq!(f_star("problem=digits-mlp"), None);
        assert_eq!(f_star("problem=breast-cancer&lambda=0"), None);
    }
}
