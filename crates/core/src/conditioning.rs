//! μ and L of a strongly convex problem: the smallest and largest eigenvalues of ∇²f at its minimiser
//! x* (λ included), by power iteration on Hessian-vector products (central differences of the full
//! gradient, deterministic). They tell what the analysis asks of ρ: growing the batch by more than
//! 1/(1 − γμ) per round outruns the contraction a step of γ buys (Yu & Jin's condition for PL), which is
//! why ρ = 1.05 misfits breast cancer at λ = 0.001.

use crate::optimum;
use crate::problems::{math::dot, Optimum, Problem};

#[derive(Clone, Copy, Debug, PartialEq)]
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
}

/// Power iterations per eigenvalue: enough for the built-in problems' spectra to settle to a few digits
/// (the tests check known answers); the estimate of μ errs high when they have not.
const ITERATIONS: usize = 500;

/// μ and L at the minimiser, for the problems whose f* is solved for (strongly convex); `None` otherwise.
pub fn at_optimum(problem: &dyn Problem) -> Option<Conditioning> {
    match problem.optimum() {
        Optimum::Solve => Some(estimate(problem, &optimum::minimize(problem).point)),
        Optimum::Known(_) | Optimum::Unknown => None,
    }
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
        problem.gradient(&plus, &mut g_plus);
        problem.gradient(&minus, &mut g_minus);
        for i in 0..dim {
            out[i] = (g_plus[i] - g_minus[i]) / (2.0 * h);
        }
    };
    let l = largest(dim, &mut |v, out| hessian_times(v, out));
    // L·I − ∇²f has eigenvalues L − λᵢ ≥ 0: its largest is L − μ.
    let spread = largest(dim, &mut |v, out| {
        hessian_times(v, out);
        out.iter_mut().zip(v).for_each(|(o, vi)| *o = l * vi - *o);
    });
    Conditioning { mu: l - spread, l }
}

/// The largest eigenvalue of a symmetric positive semi-definite operator, by power iteration from a
/// fixed start that no eigenvector of these problems is orthogonal to in practice.
fn largest(dim: usize, apply: &mut dyn FnMut(&[f64], &mut [f64])) -> f64 {
    let mut v: Vec<f64> = (0..dim).map(|i| 1.0 / (1.0 + i as f64)).collect();
    let mut w = vec![0.0; dim];
    let mut value = 0.0;
    for _ in 0..ITERATIONS {
        let norm = libm::sqrt(dot(&v, &v));
        if norm == 0.0 {
            return 0.0;
        }
        v.iter_mut().for_each(|vi| *vi /= norm);
        apply(&v, &mut w);
        value = dot(&v, &w);
        std::mem::swap(&mut v, &mut w);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::Experiment;
    use crate::problems::build;
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
        let c = at_optimum(&problem).expect("solvable");
        assert!((c.l - 7.0).abs() < 1e-6, "{c:?}");
        assert!((c.mu - 0.02).abs() < 1e-3, "{c:?}");
        assert!((c.rho_allowed(0.5) - 1.0 / 0.99).abs() < 1e-3);
        assert_eq!(c.rho_allowed(100.0), f64::INFINITY);
    }

    /// On breast cancer the data only adds curvature to λ's, and λ = 0.001 allows far less growth than
    /// the ρ = 1.05 that misfits it (README, "Two regimes where growing batches need care").
    #[test]
    fn breast_cancers_curvature_bounds_rho() {
        for (lambda, most_rho) in [(0.1, 1.2), (0.001, 1.05)] {
            let e =
                Experiment::from_query_strict(&format!("problem=breast-cancer&lambda={lambda}"))
                    .expect("valid");
            let c = at_optimum(build(&e, None).as_ref()).expect("strongly convex");
            assert!(c.mu >= lambda * 0.999 && c.mu < c.l, "λ = {lambda}: {c:?}");
            assert!(c.rho_allowed(0.3) < most_rho, "λ = {lambda}: {c:?}");
        }
    }
}
