//! The gradient noise scale against a known answer. On the landscape every sample's gradient is ∇f(x)
//! plus N(0, σ²I₂) noise (problems/landscape.rs), so tr Σ = 2σ² and B_noise = 2σ²/|∇f(x_t)|² exactly.
//!
//! The estimate is smoothed over about 20 rounds (noise::SMOOTHING), and the landscape is its hardest
//! case: in two dimensions each round's tr Σ rests on only 2·(N − 1) squared normals (2 for one node's
//! halves). The tolerances below are what that allows, with room for three standard deviations.

use dynabatch_core::algorithms::Trainer;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::metrics::Row;
use dynabatch_core::noise::{NoiseScale, TwoBatch};

fn rows(query: &str) -> Vec<Row> {
    Trainer::new(&Experiment::from_query_strict(query).expect("valid query")).run_to_end()
}

/// Per round (every=1): the estimate, the truth at x_t (the row before: the round measures where it
/// starts), and that truth seen through the same smoothing (the estimator fed exact squares).
fn estimate_and_truths(query: &str, sigma: f64, nodes: u64) -> Vec<(f64, f64, f64)> {
    let trace = 2.0 * sigma * sigma;
    let mut smoothed_truth = NoiseScale::default();
    rows(query)
        .windows(2)
        .map(|pair| {
            let (before, row) = (&pair[0], &pair[1]);
            let signal = before.grad_norm * before.grad_norm;
            // E|g_b|² for a mean of b samples.
            let expected = |b: u64| signal + trace / b as f64;
            let b = row.batch;
            let round = if nodes == 1 {
                let (first, rest) = (b / 2, b - b / 2);
                TwoBatch {
                    small_square: (expected(first) + expected(rest)) / 2.0,
                    small_inverse_batch: (1.0 / first as f64 + 1.0 / rest as f64) / 2.0,
                    big_square: expected(b),
                    big_batch: b as f64,
                }
            } else {
                TwoBatch::nodes(
                    (0..nodes as usize).map(|_| expected(b)),
                    b,
                    expected(nodes * b),
                )
            };
            smoothed_truth.observe(round);
            (
                row.noise_scale.unwrap_or(f64::NAN),
                trace / signal,
                smoothed_truth.value().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

/// Where the truth holds still (γ so small that x barely moves), the estimate converges to it:
/// 2σ²/|∇f|² = 1.44 samples at (1, 0.5) with σ = 5. After two windows (40 rounds) every round is within
/// the tolerance, and the mean over 360 rounds is close.
#[test]
fn at_a_fixed_point_it_finds_two_sigma_squared_over_the_gradient_squared() {
    // (nodes, every round within this factor, the mean within this fraction)
    for (nodes, factor, mean_error) in [(4, 1.5, 0.1), (1, 3.0, 0.2)] {
        for seed in 1..=4 {
            let query = format!(
                "alg=psgd&problem=landscape&sigma=5&x0=1&y0=0.5&N={nodes}&B1=8&gamma=0.00001&T=3200&seed={seed}&every=1"
            );
            let rounds = estimate_and_truths(&query, 5.0, nodes);
            let ratios: Vec<f64> = rounds[40..].iter().map(|(e, truth, _)| e / truth).collect();
            for (k, r) in ratios.iter().enumerate() {
                assert!(
                    *r > 1.0 / factor && *r < factor,
                    "{query}: round {}: {r}",
                    41 + k
                );
            }
            let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
            assert!(
                (mean - 1.0).abs() < mean_error,
                "{query}: mean ratio {mean}"
            );
            assert!(
                (rounds[0].1 - 50.0 / 34.8).abs() < 0.01,
                "the truth is 1.44: {}",
                rounds[0].1
            );
        }
    }
}

/// Along a run the truth moves (here it falls from 6 to 7 and then climbs a hundredfold as x nears the
/// minimum and ∇f vanishes), and any smoothing lags it. The estimate tracks the truth seen through the
/// same smoothing: after 10 rounds, half the rounds within 25 % and nine in ten within a factor 1.6.
#[test]
fn along_a_run_it_tracks_the_truth_through_the_same_smoothing() {
    for (query, sigma, nodes) in [
        ("alg=crpsgd&problem=landscape&sigma=10&x0=3&y0=-2.5&N=8&rho=1.02&B1=4&gamma=0.01&T=4000&every=1", 10.0, 8),
        ("alg=crpsgd&problem=landscape&sigma=3&x0=3&y0=-2.5&N=1&rho=1.02&B1=8&gamma=0.01&T=8000&every=1", 3.0, 1),
    ] {
        for seed in 1..=3 {
            let query = format!("{query}&seed={seed}");
            let rounds = estimate_and_truths(&query, sigma, nodes);
            let mut errors: Vec<f64> = rounds[10..]
                .iter()
                .map(|(e, _, smoothed)| (e / smoothed).ln().abs())
                .collect();
            assert!(errors.iter().all(|e| e.is_finite()), "{query}: defined throughout");
            errors.sort_by(f64::total_cmp);
            let quantile = |q: f64| errors[((errors.len() - 1) as f64 * q) as usize].exp();
            assert!(quantile(0.5) < 1.25, "{query}: median error ×{}", quantile(0.5));
            assert!(quantile(0.9) < 1.6, "{query}: 90th percentile ×{}", quantile(0.9));
            let (first, last) = (rounds[10].1, rounds[rounds.len() - 1].1);
            assert!(last > 50.0 * first, "{query}: the truth climbs: {first} → {last}");
        }
    }
}

/// Local SGD measures at its first local step and Catalyst before its exact proximal term, so on the
/// landscape both find the same truth at a fixed point as the batch algorithms do.
#[test]
fn local_sgd_and_catalyst_measure_the_same_noise() {
    for alg in ["alg=local&H=4", "alg=catalyst&theta=1&rho=1.0001"] {
        let query = format!(
            "{alg}&problem=landscape&sigma=5&x0=1&y0=0.5&N=4&B1=8&gamma=0.00001&T=6400&seed=1&every=1"
        );
        let rounds = estimate_and_truths(&query, 5.0, 4);
        let late = &rounds[40..];
        assert!(late.len() > 20, "{query}: {} rounds", rounds.len());
        let mean = late.iter().map(|(e, truth, _)| e / truth).sum::<f64>() / late.len() as f64;
        assert!((mean - 1.0).abs() < 0.15, "{query}: mean ratio {mean}");
    }
}
