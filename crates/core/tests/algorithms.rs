//! The rules of each algorithm, checked on the rows a run writes.

use dynabatch_core::algorithms::{batch_size, local_steps, Trainer};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::metrics::Row;
use dynabatch_core::problems;

fn experiment(query: &str) -> Experiment {
    Experiment::from_query_strict(query).expect("valid query")
}

fn rows(query: &str) -> Vec<Row> {
    Trainer::new(&experiment(query)).run_to_end()
}

#[test]
fn catalyst_runs_floor_sqrt_nt_outer_steps_of_budget_floor_sqrt_t_over_n() {
    // N = 8, T = 2000: ⌊√16000⌋ = 126 outer steps, each with budget ⌊√250⌋ = 15: batches 1, 2, 4, 8.
    let rows = rows("alg=catalyst&problem=breast-cancer&N=8&T=2000&B1=1&rho=2&theta=1&every=1");
    let outers: Vec<u64> = rows[1..].iter().map(|r| r.outer).collect();
    assert_eq!(outers.first(), Some(&1));
    assert_eq!(outers.last(), Some(&126));
    assert!(outers.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1));
    for k in 1..=126 {
        let batches: Vec<u64> = rows
            .iter()
            .filter(|r| r.outer == k)
            .map(|r| r.batch)
            .collect();
        assert_eq!(
            batches,
            [1, 2, 4, 8],
            "outer step {k} restarts at B₁ and stops within ⌊√(T/N)⌋ = 15"
        );
    }
    assert_eq!(rows.last().map(|r| (r.round, r.sfo)), Some((504, 126 * 15)));
    assert_eq!(rows[0].outer, 0);
}

#[test]
fn catalyst_reports_the_original_objective_not_the_proximal_one() {
    let e = experiment("alg=catalyst&problem=breast-cancer&N=2&T=400&B1=1&rho=2&theta=50");
    let mut trainer = Trainer::new(&e);
    let mut last = None;
    while let Some(row) = trainer.step() {
        last = Some(row);
    }
    let f = problems::build(&e, None);
    assert_eq!(last.map(|r| r.loss), Some(f.loss(trainer.iterate())));
}

#[test]
fn psgd_takes_fixed_batches_one_all_reduce_per_step() {
    let rows = rows("alg=psgd&B1=7&T=100&every=1");
    assert_eq!(rows.len() - 1, 14);
    assert!(rows[1..].iter().all(|r| r.batch == 7));
    assert!(rows[1..]
        .iter()
        .enumerate()
        .all(|(i, r)| r.sfo == 7 * (i as u64 + 1)));
}

#[test]
fn local_sgd_takes_h_steps_of_b1_per_round() {
    let rows = rows("alg=local&N=4&B1=3&H=5&T=100&every=1");
    assert_eq!(rows.len() - 1, 6, "⌊100 / (5·3)⌋ rounds");
    assert!(rows[1..]
        .iter()
        .enumerate()
        .all(|(i, r)| r.batch == 3 && r.sfo == 15 * (i as u64 + 1)));
    // H = ⌊T^¼ / N^¾⌋, at least 1.
    assert_eq!(local_steps(&experiment("alg=local&N=8&T=100000&H=auto")), 3);
    assert_eq!(local_steps(&experiment("alg=local&N=4&T=2000")), 2);
    assert_eq!(local_steps(&experiment("alg=local&N=64&T=100")), 1);
}

#[test]
fn local_sgd_with_one_step_is_parallel_sgd() {
    // Same samples (node streams are keyed by round), so the only difference is rounding in the average.
    let local = rows("alg=local&N=4&B1=2&H=1&T=200&every=1");
    let psgd = rows("alg=psgd&N=4&B1=2&T=200&every=1");
    assert_eq!(local.len(), psgd.len());
    for (a, b) in local.iter().zip(&psgd) {
        assert!((a.loss - b.loss).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}

#[test]
fn every_thins_rows_but_keeps_the_last_round() {
    let all = rows("alg=psgd&B1=1&T=1000&every=1");
    let thinned = rows("alg=psgd&B1=1&T=1000&every=300");
    let rounds: Vec<u64> = thinned.iter().map(|r| r.round).collect();
    assert_eq!(rounds, [0, 300, 600, 900, 1000]);
    for r in &thinned {
        assert_eq!(
            Some(r),
            all.iter().find(|a| a.round == r.round),
            "thinning does not change the run"
        );
    }
    let auto = rows("alg=psgd&B1=1&T=5000");
    assert_eq!(auto.len(), 1 + 1000, "auto records about 1000 rows");
}

#[test]
fn batch_sizes_follow_the_closed_form() {
    for t in 1..30 {
        assert_eq!(
            batch_size(3, 1.25, t),
            (3.0 * 1.25f64.powi(t as i32 - 1)).floor() as u64
        );
    }
}

/// The landscape's gradient, ∂/∂v (v² + 3 sin² v) = 2v + 3 sin 2v, as the problem computes it.
fn landscape_gradient(e: &Experiment, x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; 2];
    problems::build(e, None).gradient(x, &mut g);
    g
}

/// γ_t = γ·τ/(τ + s_t), s_t the samples per node used before the step; γ itself for τ = 0.
fn step_size(e: &Experiment, used: u64) -> f64 {
    if e.decay == 0.0 {
        e.gamma
    } else {
        e.gamma * e.decay / (e.decay + used as f64)
    }
}

/// The rows' iterates, every round recorded.
fn points(query: &str) -> Vec<[f64; 2]> {
    rows(query).iter().map(|r| r.point.expect("2-D")).collect()
}

// Without noise (σ = 0) every node follows the full gradient, and the average of equal vectors is that
// vector, so a run is a plain gradient descent that a loop here computes to the bit.

#[test]
fn psgd_steps_decay_by_the_samples_per_node_used_before_each_round() {
    let query = "alg=psgd&problem=landscape&sigma=0&N=2&B1=3&gamma=0.2&decay=7.5&T=60&every=1";
    let e = experiment(query);
    let mut x = vec![e.start_x, e.start_y];
    let mut expected = vec![[x[0], x[1]]];
    for round in 0..20 {
        let (g, gamma) = (landscape_gradient(&e, &x), step_size(&e, 3 * round));
        x.iter_mut().zip(&g).for_each(|(xi, gi)| *xi -= gamma * gi);
        expected.push([x[0], x[1]]);
    }
    assert_eq!(points(query), expected);
    assert!(step_size(&e, 57) < e.gamma / 8.0, "the steps did decay");
}

#[test]
fn local_sgd_steps_decay_within_a_round() {
    // H = 3 steps of B₁ = 2 per round: s = 0, 2, 4 in round 1, 6, 8, 10 in round 2, ...
    let query = "alg=local&problem=landscape&sigma=0&N=2&B1=2&H=3&gamma=0.3&decay=4&T=30&every=1";
    let e = experiment(query);
    let mut x = vec![e.start_x, e.start_y];
    let mut expected = vec![[x[0], x[1]]];
    for round in 0..5 {
        for step in 0..3 {
            let used = round * 6 + step * 2;
            let (g, gamma) = (landscape_gradient(&e, &x), step_size(&e, used));
            x.iter_mut().zip(&g).for_each(|(xi, gi)| *xi -= gamma * gi);
        }
        expected.push([x[0], x[1]]);
    }
    assert_eq!(points(query), expected);
}

#[test]
fn catalyst_steps_decay_over_the_whole_run_not_each_subproblem() {
    // N = 2, T = 8: ⌊√16⌋ = 4 outer steps of budget ⌊√4⌋ = 2, so two steps of one sample each.
    let query = "alg=catalyst&problem=landscape&sigma=0&N=2&rho=1&B1=1&theta=2&gamma=0.1&decay=3&T=8&every=1";
    let e = experiment(query);
    let mut x = vec![e.start_x, e.start_y];
    let mut expected = vec![[x[0], x[1]]];
    for outer in 0..4 {
        let anchor = x.clone();
        for step in 0..2 {
            let mut g = landscape_gradient(&e, &x);
            g.iter_mut()
                .zip(x.iter().zip(&anchor))
                .for_each(|(gi, (xi, yi))| *gi += e.theta * (xi - yi));
            let gamma = step_size(&e, outer * 2 + step);
            x.iter_mut().zip(&g).for_each(|(xi, gi)| *xi -= gamma * gi);
            expected.push([x[0], x[1]]);
        }
    }
    assert_eq!(points(query), expected);
}

#[test]
fn crpsgd_steps_decay_by_the_growing_batches() {
    // ρ = 2, B₁ = 1: batches 1, 2, 4, 8, so s = 0, 1, 3, 7 before each round.
    let query = "problem=landscape&sigma=0&N=2&rho=2&B1=1&gamma=0.2&decay=2&T=15&every=1";
    let e = experiment(query);
    let mut x = vec![e.start_x, e.start_y];
    let mut expected = vec![[x[0], x[1]]];
    for used in [0, 1, 3, 7] {
        let (g, gamma) = (landscape_gradient(&e, &x), step_size(&e, used));
        x.iter_mut().zip(&g).for_each(|(xi, gi)| *xi -= gamma * gi);
        expected.push([x[0], x[1]]);
    }
    assert_eq!(points(query), expected);
}

#[test]
fn no_decay_is_a_constant_step_to_the_bit() {
    for alg in ["psgd", "crpsgd", "local", "catalyst"] {
        let plain = format!("alg={alg}&problem=breast-cancer&N=3&B1=2&gamma=0.4&T=300&seed=5");
        let zero = format!("{plain}&decay=0");
        assert_eq!(experiment(&zero), experiment(&plain), "{alg}");
        assert!(!experiment(&zero).to_query().contains("decay"));
        assert_eq!(rows(&zero), rows(&plain), "{alg}");
        // Any τ > 0 changes the run: the decay is not silently ignored.
        assert_ne!(rows(&format!("{plain}&decay=100")), rows(&plain), "{alg}");
    }
}

/// Adaptive batches follow the norm test on the noise scale the run itself reports: every next batch is
/// max(B_t, min(⌈ρ·B_t⌉, ⌈B_noise/(N·η²)⌉)) of the row before it (⌈ρ·B_t⌉ while B_noise is undefined),
/// within the budget.
#[test]
fn adaptive_batches_follow_the_norm_test_on_the_reported_noise_scale() {
    for query in [
        "alg=adaptive&problem=breast-cancer&lambda=0.001&N=4&B1=1&rho=1.5&eta=4&gamma=1&T=19000&seed=1&every=1",
        "alg=adaptive&problem=landscape&sigma=3&N=2&B1=1&rho=1.2&eta=1&gamma=0.05&T=3000&seed=2&every=1",
        "alg=adaptive&problem=digits&N=1&B1=2&rho=2&eta=8&gamma=0.5&T=2000&seed=3&every=1",
    ] {
        let e = experiment(query);
        let rows = rows(query);
        assert_eq!(rows[1].batch, e.first_batch, "{query}");
        let norm_test = |row: &Row| {
            let capped = (e.rho * row.batch as f64).ceil();
            let asked = row
                .noise_scale
                .map_or(capped, |b| (b / (e.nodes as f64 * e.eta * e.eta)).ceil());
            ((capped.min(asked) as u64).max(row.batch), asked < capped)
        };
        let mut grew_by_noise = false;
        for pair in rows[1..].windows(2) {
            let (now, next) = (&pair[0], &pair[1]);
            let (expected, by_noise) = norm_test(now);
            assert_eq!(next.batch, expected, "{query}: round {}", next.round);
            assert!(next.sfo == now.sfo + next.batch, "{query}");
            grew_by_noise |= by_noise && expected > now.batch;
        }
        assert!(grew_by_noise, "{query}: the noise, not the cap, decided some growth");
        // It ends where the next batch would take a node past T.
        let last = rows.last().expect("rows");
        assert!(last.sfo <= e.budget, "{query}");
        assert!(last.sfo + norm_test(last).0 > e.budget, "{query}");
    }
}

#[test]
fn heavy_ball_momentum_follows_its_definition_bit_for_bit() {
    // Without noise (σ = 0) every sample gradient is ∇f itself, so the run is v ← βv + ∇f(x), x ← x − γv
    // from v = 0, computed here by hand with the problem's own ∇f.
    let query = "alg=psgd&problem=landscape&sigma=0&x0=3&y0=-2.5&N=2&B1=1&gamma=0.05&momentum=0.9&T=6&every=1";
    let e = experiment(query);
    let trainer = Trainer::new(&e);
    let (mut x, mut v, mut g) = ([3.0, -2.5], [0.0; 2], [0.0; 2]);
    let mut expected = vec![x];
    for _ in 0..6 {
        trainer.problem().gradient(&x, &mut g);
        for k in 0..2 {
            v[k] = 0.9 * v[k] + g[k];
            x[k] -= 0.05 * v[k];
        }
        expected.push(x);
    }
    assert_eq!(points(query), expected);
    // Momentum changes the run: the same link without it does not take these steps.
    assert_ne!(points(&query.replace("&momentum=0.9", "")), expected);
}

#[test]
fn local_sgd_averages_the_velocities_so_one_local_step_is_psgd_with_momentum() {
    // Without noise both nodes take the same steps, so averaging two changes no bit, and with H = 1 each
    // round is one heavy-ball step from the averaged model and velocity: PSGD's, bit for bit.
    let psgd = "alg=psgd&problem=landscape&sigma=0&N=2&B1=2&gamma=0.05&momentum=0.5&T=40&every=1";
    let local = psgd.replace("alg=psgd", "alg=local&H=1");
    assert_eq!(points(psgd), points(&local));
    // Averaging the velocities doubles what a node sends.
    let bytes = |query: &str| rows(query).last().map(|r| r.comm_bytes);
    assert_eq!(
        bytes(&local),
        bytes(&local.replace("momentum=0.5", "momentum=0")).map(|b| 2 * b)
    );
}

#[test]
fn catalyst_restarts_the_velocity_with_each_subproblem() {
    // N = 1, T = 4: ⌊√4⌋ = 2 outer steps of budget ⌊√4⌋ = 2, each one round of B₁ = 2 (ρ = 2 would take
    // 4 next). Without noise, by hand: each subproblem starts from v = 0 at its anchor y = x.
    let query = "alg=catalyst&problem=landscape&sigma=0&N=1&B1=2&rho=2&theta=1&gamma=0.05&momentum=0.9&T=4&every=1";
    let trainer = Trainer::new(&experiment(query));
    let (mut x, mut g) = ([3.0, -2.5], [0.0; 2]);
    let mut expected = vec![x];
    for _ in 0..2 {
        // One step of each subproblem from v = 0: v = ∇h(y; y) = ∇f(y), x = y − γv.
        trainer.problem().gradient(&x, &mut g);
        for k in 0..2 {
            let v = 0.9 * 0.0 + g[k];
            x[k] -= 0.05 * v;
        }
        expected.push(x);
    }
    assert_eq!(points(query), expected);
}

#[test]
fn a_compared_run_has_a_momentum_of_its_own() {
    let (main, view, notices) =
        dynabatch_core::link::parse("alg=crpsgd&compare=psgd(gamma=0.001,momentum=0.9)");
    assert!(notices.is_empty(), "{notices:?}");
    let compared = view.compare[0].experiment(&main);
    assert_eq!((compared.momentum, compared.gamma), (0.9, 0.001));
    assert_eq!(main.momentum, 0.0, "the main run keeps its own");
    assert_eq!(view.compare[0].label(), "psgd γ=0.001 β=0.9");
}

#[test]
fn momentum_out_of_range_is_one_notice_and_clamped() {
    let (e, notices) = Experiment::from_query("momentum=1");
    assert_eq!(e.momentum, 0.999);
    assert_eq!(
        notices.iter().map(|n| n.message()).collect::<Vec<_>>(),
        ["momentum=1 is out of range (a number from 0 to 0.999); using 0.999."]
    );
    assert!(Experiment::from_query_strict("momentum=-0.5").is_err());
    assert!(Experiment::from_query_strict("momentum=fast").is_err());
}
