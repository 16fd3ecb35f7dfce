//! The gradient noise scale B_noise = tr(Σ)/|G|² (McCandlish, Kaplan, Amodei et al. 2018, "An Empirical
//! Model of Large-Batch Training", appendix A), estimated live from gradients a run computes anyway.
//!
//! G is the true gradient at the iterate and Σ the covariance of one sample's gradient, so B_noise is in
//! samples: batches well below it are mostly noise (each round buys little progress for its
//! communication), batches well above it spend samples that barely sharpen the step.
//!
//! A mean gradient g_b of b samples has E|g_b|² = |G|² + tr(Σ)/b. Two sizes, measured at the same
//! point, give two equations in the two unknowns: the unbiased two-batch estimator. Each round has them:
//! the N node gradients (batch B_t each; "small") and their mean (batch N·B_t; "big"). A single node
//! splits its batch in two halves instead (`Problem::minibatch_gradient_split`).
//!
//! One round's estimates are very noisy (|G|² is a small difference of large numbers when the batch is
//! far below B_noise), so both are smoothed, separately, and the ratio is taken last: a ratio of
//! noisy estimates is biased, and one round whose |G|² estimate is near zero would dominate a mean
//! of ratios.

/// One round's measurement: squared norms of mean gradients of two batch sizes, at the same point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TwoBatch {
    /// The mean of |g|² over the small batches.
    pub small_square: f64,
    /// The mean of 1/b over the small batches (1/B_t for nodes; two halves may differ by one sample).
    pub small_inverse_batch: f64,
    /// |g|² of the mean over all of them.
    pub big_square: f64,
    /// The number of samples in all of them.
    pub big_batch: f64,
}

impl TwoBatch {
    /// N node gradients of `batch` samples each (`squares` their |gᵢ|²) and the square of their mean.
    pub fn nodes(
        squares: impl ExactSizeIterator<Item = f64>,
        batch: u64,
        mean_square: f64,
    ) -> Self {
        let nodes = squares.len() as f64;
        TwoBatch {
            small_square: squares.sum::<f64>() / nodes,
            small_inverse_batch: 1.0 / batch as f64,
            big_square: mean_square,
            big_batch: nodes * batch as f64,
        }
    }

    /// One node's gradient `whole` of `batch` samples, whose first `split` samples' mean is
    /// `first_part`: the rest's mean is (B·g − s·g₁)/(B − s), so it need not be kept.
    pub fn halves(whole: &[f64], first_part: &[f64], batch: u64, split: u64) -> Self {
        let (b, s) = (batch as f64, split as f64);
        let rest = b - s;
        let (mut whole_square, mut first_square, mut rest_square) = (0.0, 0.0, 0.0);
        for (g, g1) in whole.iter().zip(first_part) {
            let g2 = (b * g - s * g1) / rest;
            whole_square += g * g;
            first_square += g1 * g1;
            rest_square += g2 * g2;
        }
        TwoBatch {
            small_square: (first_square + rest_square) / 2.0,
            small_inverse_batch: (1.0 / s + 1.0 / rest) / 2.0,
            big_square: whole_square,
            big_batch: b,
        }
    }

    /// This round's unbiased estimates (tr Σ, |G|²), from E|g_b|² = |G|² + tr(Σ)/b for both sizes:
    /// tr Σ = (|g_small|² − |g_big|²)/(1/B_small − 1/B_big) and
    /// |G|² = (B_big·|g_big|² − B_small·|g_small|²)/(B_big − B_small), written with 1/B_small.
    pub fn estimates(&self) -> Estimates {
        let (small, big) = (self.small_inverse_batch, 1.0 / self.big_batch);
        let spread = small - big;
        Estimates {
            trace: (self.small_square - self.big_square) / spread,
            signal: (small * self.big_square - big * self.small_square) / spread,
        }
    }
}

/// Estimates of tr(Σ) (per sample) and of |G|².
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimates {
    pub trace: f64,
    pub signal: f64,
}

/// Exponential moving averages of tr(Σ) and |G|², bias-corrected, and their ratio.
///
/// Each round enters with a weight of its samples (N·B_t): a round of more samples measures more
/// precisely, and with a growing batch (CR-PSGD, ρ per round) the recent rounds, whose G is the one that
/// matters now, then dominate: round t − k weighs (β/ρ)^k of round t, a window of 1/(1 − β/ρ) rounds
/// (20 at a fixed batch, 7.5 at ρ = 1.05, 2.7 at ρ = 1.5).
#[derive(Clone, Debug, Default)]
pub struct NoiseScale {
    /// Σₖ βᵏ·w_{t−k}·(tr Σ)_{t−k}, and the same of |G|².
    trace: f64,
    signal: f64,
    /// Σₖ βᵏ·w_{t−k}: dividing by it is the bias correction (the averages start from zero; with equal
    /// weights it is Adam's 1 − βᵗ). It cancels in the ratio but not in `smoothed`.
    weight: f64,
}

/// β, how much of the past each round keeps. Its window at a fixed batch, 1/(1 − β) = 20 rounds, is a
/// compromise between two errors. One round's estimates are noisy: on the two-dimensional landscape
/// with two nodes, tr Σ rests on two squared normals, and |G|² has a relative spread of about
/// B_noise/(N·B_t); averaging k rounds divides the spread by about √k. But G moves from round to round,
/// so a long window lags behind it (and CR-PSGD runs only tens to a few hundred rounds). On the
/// landscape's known answer (tests/noise_scale.rs) 20 rounds keep the median error near 20 %.
pub const SMOOTHING: f64 = 0.95;

impl NoiseScale {
    /// Takes in one round's measurement. A non-finite one (a diverging run) poisons the averages, so
    /// that nothing is reported from then on.
    pub fn observe(&mut self, round: TwoBatch) {
        let Estimates { trace, signal } = round.estimates();
        let weight = round.big_batch;
        self.trace = SMOOTHING * self.trace + weight * trace;
        self.signal = SMOOTHING * self.signal + weight * signal;
        self.weight = SMOOTHING * self.weight + weight;
    }

    /// The smoothed, bias-corrected estimates so far; `None` before any round.
    pub fn smoothed(&self) -> Option<Estimates> {
        (self.weight > 0.0).then(|| Estimates {
            trace: self.trace / self.weight,
            signal: self.signal / self.weight,
        })
    }

    /// B_noise = tr(Σ)/|G|², in samples; `None` where it is undefined: before any measurement, or while
    /// either smoothed estimate is not positive (noise still swamps the signal) or not finite.
    pub fn value(&self) -> Option<f64> {
        let Estimates { trace, signal } = self.smoothed()?;
        let ratio = trace / signal;
        (trace > 0.0 && signal > 0.0 && ratio.is_finite()).then_some(ratio)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, Stream};

    /// Draws g = G + noise/√b with noise ~ N(0, diag(variances)), as a mean of b samples would be.
    fn mean_gradient(stream: &mut Stream, g: &[f64], variances: &[f64], batch: u64) -> Vec<f64> {
        g.iter()
            .zip(variances)
            .map(|(gi, v)| gi + (v / batch as f64).sqrt() * stream.normal())
            .collect()
    }

    fn square(v: &[f64]) -> f64 {
        v.iter().map(|x| x * x).sum()
    }

    /// Exact inputs (E|g_b|² itself) give exact answers, for nodes and for two unequal halves.
    #[test]
    fn expected_squares_give_the_truth() {
        let (signal, trace) = (0.25, 3.0);
        let expected = |b: f64| signal + trace / b;
        let nodes = TwoBatch::nodes([expected(5.0); 4].into_iter(), 5, expected(20.0));
        let halves = TwoBatch {
            small_square: (expected(3.0) + expected(4.0)) / 2.0,
            small_inverse_batch: (1.0 / 3.0 + 1.0 / 4.0) / 2.0,
            big_square: expected(7.0),
            big_batch: 7.0,
        };
        for round in [nodes, halves] {
            let e = round.estimates();
            assert!((e.trace - trace).abs() < 1e-12, "{round:?}: {e:?}");
            assert!((e.signal - signal).abs() < 1e-12, "{round:?}: {e:?}");
            let mut scale = NoiseScale::default();
            assert_eq!(scale.value(), None, "nothing before the first round");
            scale.observe(round);
            let b = scale.value().expect("defined");
            assert!((b - trace / signal).abs() < 1e-9, "{b}");
        }
    }

    /// The halves' rest is recovered from the whole: the same as measuring it.
    #[test]
    fn halves_recover_the_second_part() {
        let (first, rest) = ([1.0, -2.0, 0.5], [3.0, 1.0, -1.5]);
        let (s, b) = (2u64, 5u64);
        let whole: Vec<f64> = first
            .iter()
            .zip(&rest)
            .map(|(f, r)| (s as f64 * f + (b - s) as f64 * r) / b as f64)
            .collect();
        let round = TwoBatch::halves(&whole, &first, b, s);
        assert!((round.small_square - (square(&first) + square(&rest)) / 2.0).abs() < 1e-12);
        assert_eq!(round.big_square, square(&whole));
        assert_eq!(round.small_inverse_batch, (0.5 + 1.0 / 3.0) / 2.0);
    }

    /// Sampled gradients: the smoothed estimates are unbiased, so over many rounds at a fixed point the
    /// ratio converges to tr Σ/|G|², for nodes and for one node's halves.
    #[test]
    fn sampled_gradients_converge_to_the_noise_scale() {
        let g = [0.3, -0.4, 0.0];
        let variances = [2.0, 1.0, 0.5];
        let truth = 3.5 / 0.25;
        let mut stream = Stream::new(5, Purpose::Data);
        let (mut by_nodes, mut by_halves) = (NoiseScale::default(), NoiseScale::default());
        let (mut sum_nodes, mut sum_halves, rounds) = (0.0, 0.0, 4000);
        for _ in 0..rounds {
            let batch = 3;
            let nodes: Vec<Vec<f64>> = (0..4)
                .map(|_| mean_gradient(&mut stream, &g, &variances, batch))
                .collect();
            let mean: Vec<f64> = (0..3)
                .map(|k| nodes.iter().map(|n| n[k]).sum::<f64>() / 4.0)
                .collect();
            by_nodes.observe(TwoBatch::nodes(
                nodes.iter().map(|n| square(n)),
                batch,
                square(&mean),
            ));
            // One node of 7 samples, split 3 + 4.
            let first = mean_gradient(&mut stream, &g, &variances, 3);
            let rest = mean_gradient(&mut stream, &g, &variances, 4);
            let whole: Vec<f64> = first
                .iter()
                .zip(&rest)
                .map(|(a, b)| (3.0 * a + 4.0 * b) / 7.0)
                .collect();
            by_halves.observe(TwoBatch::halves(&whole, &first, 7, 3));
            let e = |s: &NoiseScale| s.smoothed().expect("observed");
            sum_nodes += e(&by_nodes).signal;
            sum_halves += e(&by_halves).signal;
        }
        // The smoothed |G|² averaged over the rounds is unbiased (tr Σ alike): within 5 % of 0.25.
        for mean in [sum_nodes / rounds as f64, sum_halves / rounds as f64] {
            assert!((mean - 0.25).abs() < 0.05 * 0.25, "{mean}");
        }
        // Any single smoothed ratio is noisy at these small batches (B_noise = 14 ≫ 3): within a factor 2.
        for scale in [&by_nodes, &by_halves] {
            let b = scale.value().unwrap_or(f64::NAN);
            assert!(b > truth / 2.0 && b < truth * 2.0, "{b} vs {truth}");
        }
    }

    /// A diverged round leaves the scale undefined, not a number.
    #[test]
    fn non_finite_rounds_report_nothing() {
        let mut scale = NoiseScale::default();
        scale.observe(TwoBatch::nodes([1.0, 2.0].into_iter(), 2, 1.2));
        scale.observe(TwoBatch::nodes([f64::INFINITY, 2.0].into_iter(), 2, 1.2));
        assert_eq!(scale.value(), None);
    }
}
