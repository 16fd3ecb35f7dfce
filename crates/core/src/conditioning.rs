//! μ and L of a strongly convex problem: the smallest and largest eigenvalues of ∇²f at its minimiser
//! x* (λ included), by the Lanczos method on Hessian-vector products (central differences of the full
//! gradient, deterministic), with full reorthogonalisation. They tell what the analysis asks of ρ: growing the batch by more than
//! 1/(1 − γμ) per round outruns the contraction a step of γ buys (Yu & Jin's condition for PL), which is
//! why ρ = 1.05 misfits breast cancer at λ = 0.001.

use crate::data::file::DataFile;
use crate::experiment::Experiment;
use crate::optimum::{self, PerProblem, ProblemKey};
use crate::problems::{math::dot, Problem};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conditioning {
    /// The smallest eigenvalue of ∇²f(x*).
    pub mu: f64,
    /// The largest.
    pub l: f64,
}

impl Conditioning {
    /// The largest ρ the analysis allows with step size γ: 1/(1 − γμ) (unbounded once γμ ≥ 1).
    pub fn rho_allowed(&self, gamma: f64) -> f64 {
        let contraction = 1.0 - gamma * self.mu;
        if contraction > 0.0 {
            1.0 / contraction
        } else {
            f64::INFINITY
        }
    }

    /// How a growth factor ρ fits the analysis at step size γ.
    pub fn rho_fit(&self, gamma: f64, rho: f64) -> RhoFit {
        let allowed = self.rho_allowed(gamma);
        if rho <= allowed {
            RhoFit::Within { allowed }
        } else if rho - 1.0 > FAR * (allowed - 1.0) {
            RhoFit::FarAbove { allowed }
        } else {
            RhoFit::Above { allowed }
        }
    }

    /// About how many rounds of one gradient step of γ each it takes to shrink f − f* by a constant
    /// factor near x*: 1/(γμ). No method that steps once per round gets there in fewer.
    pub fn rounds_floor(&self, gamma: f64) -> f64 {
        1.0 / (gamma * self.mu)
    }
}

/// "Far above" is this many times the growth the analysis allows (ρ − 1 against 1/(1 − γμ) − 1): the
/// λ = 0.001 regime of the README, where ρ = 1.05 spends the budget in a few dozen rounds.
const FAR: f64 = 10.0;

/// Where a ρ stands against what the analysis allows, `allowed` = 1/(1 − γμ).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RhoFit {
    Within { allowed: f64 },
    Above { allowed: f64 },
    FarAbove { allowed: f64 },
}

impl RhoFit {
    pub fn allowed(self) -> f64 {
        match self {
            RhoFit::Within { allowed }
            | RhoFit::Above { allowed }
            | RhoFit::FarAbove { allowed } => allowed,
        }
    }
}

/// Lanczos steps at most, each one Hessian-vector product (two full gradients): a problem of at most
/// this many parameters has its whole spectrum found; for larger ones (digits' 650), the extreme
/// eigenvalues settle within it, since a Krylov space finds the ends of a spectrum first. (Power iteration
/// on L·I − ∇²f, which this replaced, was still a few percent high on μ after 500 products.)
const STEPS: usize = 80;

/// μ and L at the minimiser of this experiment's problem (on `data` for problem=data), for the problems
/// whose f* is solved for (strongly convex); `None` otherwise. x* is the one solved for f*
/// ([`optimum::solution`]), and the estimate is cached per problem as f* is: it costs a thousand or
/// more full gradients.
pub fn at_optimum(
    experiment: &Experiment,
    data: Option<&DataFile>,
    problem: &dyn Problem,
) -> Option<Conditioning> {
    static ESTIMATES: PerProblem<Conditioning> = PerProblem::new();
    let solution = optimum::solution(experiment, data, problem)?;
    Some(
        ESTIMATES.get_or_compute(ProblemKey::of(experiment, data), || {
            estimate(problem, &solution.point)
        }),
    )
}

/// μ and L of ∇²f at `x`.
pub fn estimate(problem: &dyn Problem, x: &[f64]) -> Conditioning {
    let dim = x.len();
    let (mut plus, mut minus) = (vec![0.0; dim], vec![0.0; dim]);
    let (mut g_plus, mut g_minus) = (vec![0.0; dim], vec![0.0; dim]);
    let mut hessian_times = |v: &[f64], out: &mut [f64]| {
        // The step is small against x and v (|v| = 1), large against rounding in ∇f.
        let h = 1e-5 * (1.0 + libm::sqrt(dot(x, x)));
        for i in 0..dim {
            plus[i] = x[i] + h * v[i];
            minus[i] = x[i] - h * v[i];
        }
        // Two independent gradients: on two threads where there are (the same bits either way).
        rayon::join(
            || problem.gradient(&plus, &mut g_plus),
            || problem.gradient(&minus, &mut g_minus),
        );
        for i in 0..dim {
            out[i] = (g_plus[i] - g_minus[i]) / (2.0 * h);
        }
    };
    let (diagonal, off_diagonal) = lanczos(dim, dim.min(STEPS), &mut hessian_times);
    let (mu, l) = extreme_eigenvalues(&diagonal, &off_diagonal);
    Conditioning { mu, l }
}

/// The Lanczos method for `steps` steps at most: an orthonormal basis of the Krylov space of `apply`
/// from a fixed start (which no eigenvector of these problems is orthogonal to in practice), and the
/// tridiagonal matrix of `apply` in it, as its diagonal and off-diagonal. Every new vector is
/// orthogonalised against the whole basis, twice, so rounding cannot bring back directions already
/// found (the classical method's ghost eigenvalues). It ends early if the space is invariant.
fn lanczos(
    dim: usize,
    steps: usize,
    apply: &mut dyn FnMut(&[f64], &mut [f64]),
) -> (Vec<f64>, Vec<f64>) {
    let mut v: Vec<f64> = (0..dim).map(|i| 1.0 / (1.0 + i as f64)).collect();
    let norm = libm::sqrt(dot(&v, &v));
    v.iter_mut().for_each(|vi| *vi /= norm);
    let mut basis: Vec<Vec<f64>> = Vec::with_capacity(steps);
    let (mut diagonal, mut off_diagonal) = (Vec::new(), Vec::new());
    let mut w = vec![0.0; dim];
    for _ in 0..steps {
        apply(&v, &mut w);
        diagonal.push(dot(&v, &w));
        basis.push(std::mem::take(&mut v));
        for _ in 0..2 {
            for q in &basis {
                let along = dot(q, &w);
                w.iter_mut().zip(q).for_each(|(wi, qi)| *wi -= along * qi);
            }
        }
        let norm = libm::sqrt(dot(&w, &w));
        let scale = diagonal.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        if basis.len() == steps || norm <= 1e-10 * scale {
            break;
        }
        off_diagonal.push(norm);
        v = w.iter().map(|wi| wi / norm).collect();
    }
    (diagonal, off_diagonal)
}

/// The smallest and the largest eigenvalue of the symmetric tridiagonal matrix with this diagonal and
/// off-diagonal, by bisection on Sturm counts within the Gershgorin bounds (to the last bits).
fn extreme_eigenvalues(diagonal: &[f64], off_diagonal: &[f64]) -> (f64, f64) {
    let n = diagonal.len();
    let off = |i: usize| off_diagonal.get(i).map_or(0.0, |b| b.abs());
    let radius = |i: usize| off(i) + if i > 0 { off(i - 1) } else { 0.0 };
    let low = (0..n)
        .map(|i| diagonal[i] - radius(i))
        .fold(f64::INFINITY, f64::min);
    let high = (0..n)
        .map(|i| diagonal[i] + radius(i))
        .fold(f64::NEG_INFINITY, f64::max);
    // How many eigenvalues are below `x`: the negative pivots of T − xI's LDLᵀ factorisation.
    let below = |x: f64| {
        let mut count = 0;
        let mut pivot = 1.0;
        for i in 0..n {
            let coupling = if i > 0 { off_diagonal[i - 1] } else { 0.0 };
            pivot = diagonal[i] - x - coupling * coupling / pivot;
            if pivot == 0.0 {
                pivot = f64::MIN_POSITIVE;
            }
            if pivot < 0.0 {
                count += 1;
            }
        }
        count
    };
    // The k-th smallest eigenvalue (from 1): the least x with k eigenvalues below or at it.
    let kth = |k: usize| {
        let (mut a, mut b) = (low, high);
        for _ in 0..200 {
            let middle = 0.5 * (a + b);
            if middle <= a || middle >= b {
                break;
            }
            if below(middle) >= k {
                b = middle;
            } else {
                a = middle;
            }
        }
        b
    };
    (kth(1), kth(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Experiment;
    use crate::problems::{build, Optimum};
    use crate::rng::Stream;

    /// f(x) = ½ Σ aᵢ xᵢ²: its Hessian's eigenvalues are the aᵢ.
    struct Quadratic(Vec<f64>);

    impl Problem for Quadratic {
        fn dim(&self) -> usize {
            self.0.len()
        }
        fn initial_point(&self) -> Vec<f64> {
            vec![1.0; self.0.len()]
        }
        fn loss(&self, w: &[f64]) -> f64 {
            self.0.iter().zip(w).map(|(a, x)| 0.5 * a * x * x).sum()
        }
        fn gradient(&self, w: &[f64], out: &mut [f64]) {
            for ((o, a), x) in out.iter_mut().zip(&self.0).zip(w) {
                *o = a * x;
            }
        }
        fn minibatch_gradient(&self, w: &[f64], _: &mut Stream, _: u64, out: &mut [f64]) {
            self.gradient(w, out);
        }
        fn minibatch_gradient_split(
            &self,
            w: &[f64],
            _: &mut Stream,
            _: u64,
            _: u64,
            out: &mut [f64],
            first_part: &mut [f64],
        ) {
            self.gradient(w, out);
            self.gradient(w, first_part);
        }
        fn optimum(&self) -> Optimum {
            Optimum::Solve
        }
    }

    #[test]
    fn a_quadratics_extreme_curvatures_are_found() {
        let problem = Quadratic(vec![0.02, 3.0, 0.5, 7.0, 1.0, 0.3]);
        let c = estimate(&problem, &optimum::minimize(&problem).point);
        assert!((c.l - 7.0).abs() < 1e-6, "{c:?}");
        assert!((c.mu - 0.02).abs() < 1e-3, "{c:?}");
        assert!((c.rho_allowed(0.5) - 1.0 / 0.99).abs() < 1e-3);
        assert_eq!(c.rho_allowed(100.0), f64::INFINITY);
        // At γ = 0.5 the analysis allows growth of 1 %: 5 % is above it, 20 % far above.
        assert_eq!(
            c.rho_fit(0.5, 1.01),
            RhoFit::Within {
                allowed: c.rho_allowed(0.5)
            }
        );
        assert!(matches!(c.rho_fit(0.5, 1.05), RhoFit::Above { .. }));
        assert!(matches!(c.rho_fit(0.5, 1.2), RhoFit::FarAbove { .. }));
        assert!((c.rounds_floor(0.5) - 100.0).abs() < 5.0);
    }

    /// x* is solved once per problem, for f* and the curvature alike, and so is the curvature.
    #[test]
    fn the_solution_and_the_curvature_are_kept_per_problem() {
        let e = Experiment::from_query_strict("problem=breast-cancer&lambda=0.05").expect("valid");
        let problem = build(&e, None);
        let first = optimum::solution(&e, None, problem.as_ref()).expect("solvable");
        let f_star = optimum::reference(&e, None, problem.as_ref());
        let c = at_optimum(&e, None, problem.as_ref());
        // Another algorithm on the same problem: the same solution, not a second solve.
        let other = Experiment {
            alg: crate::experiment::Alg::Psgd,
            gamma: 0.01,
            ..e.clone()
        };
        let again =
            optimum::solution(&other, None, build(&other, None).as_ref()).expect("solvable");
        assert!(std::sync::Arc::ptr_eq(&first, &again));
        assert_eq!(f_star, Some(first.value));
        assert_eq!(c, at_optimum(&other, None, problem.as_ref()));
        assert_eq!(c, Some(estimate(problem.as_ref(), &first.point)));
        // The landscape's f* is known, not solved: no curvature is claimed for it.
        let landscape = Experiment::from_query_strict("problem=landscape").expect("valid");
        assert_eq!(
            at_optimum(&landscape, None, build(&landscape, None).as_ref()),
            None
        );
    }

    /// On breast cancer the data only adds curvature to λ's, and λ = 0.001 allows far less growth than
    /// the ρ = 1.05 that misfits it (README, "Two regimes where growing batches need care").
    #[test]
    fn breast_cancers_curvature_bounds_rho() {
        for (lambda, most_rho) in [(0.1, 1.2), (0.001, 1.05)] {
            let e =
                Experiment::from_query_strict(&format!("problem=breast-cancer&lambda={lambda}"))
                    .expect("valid");
            let c = at_optimum(&e, None, build(&e, None).as_ref()).expect("strongly convex");
            assert!(c.mu >= lambda * 0.999 && c.mu < c.l, "λ = {lambda}: {c:?}");
            assert!(c.rho_allowed(0.3) < most_rho, "λ = {lambda}: {c:?}");
        }
    }
}
