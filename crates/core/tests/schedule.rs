//! Algorithm 1's batch schedule and stopping rule, exactly as the paper states them.

use dynabatch_core::algorithms::{batch_size, planned_rounds, ramp_batch, Schedule, Trainer};
use dynabatch_core::experiment::Experiment;
use proptest::prelude::*;

fn experiment(query: &str) -> Experiment {
    Experiment::from_query_strict(query).expect("valid query")
}

#[test]
fn the_issue_example_follows_floor_rho_power_and_stops_at_the_budget() {
    let e = experiment("alg=crpsgd&problem=breast-cancer&N=4&rho=1.5&B1=2&gamma=0.5&T=2000&seed=7");
    let rows = Trainer::new(&e).run_to_end();
    let expected: Vec<u64> = (1..=15)
        .map(|t| (1.5f64.powi(t - 1) * 2.0).floor() as u64)
        .collect();
    let batches: Vec<u64> = rows[1..].iter().map(|r| r.batch).collect();
    assert_eq!(batches, expected);
    assert_eq!(
        batches,
        [2, 3, 4, 6, 10, 15, 22, 34, 51, 76, 115, 172, 259, 389, 583]
    );
    let used = rows.last().map(|r| r.sfo).unwrap_or(0);
    assert_eq!(used, 1741);
    assert!(
        used + batch_size(2, 1.5, 16) > 2000,
        "the next round (875) would pass T and is not run"
    );
    assert_eq!((rows[0].round, rows[0].batch, rows[0].sfo), (0, 0, 0));
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.round, i as u64);
    }
}

#[test]
fn psgd_and_rho_one_are_the_same_fixed_batch_run() {
    let psgd = Trainer::new(&experiment("alg=psgd&B1=3&T=100")).run_to_end();
    let crpsgd_rho_one = Trainer::new(&experiment("alg=crpsgd&rho=1&B1=3&T=100")).run_to_end();
    assert_eq!(psgd, crpsgd_rho_one);
    assert_eq!(psgd.len() - 1, 33);
    assert!(psgd[1..].iter().all(|r| r.batch == 3));
}

#[test]
fn huge_growth_saturates_instead_of_overflowing() {
    assert_eq!(batch_size(100_000, 16.0, 1_000), u64::MAX);
    let rounds = planned_rounds(&experiment("rho=16&B1=100000&T=1000000"));
    assert_eq!(
        rounds, 1,
        "B₁ = 100000 fits; 100000 + 1600000 > 1000000 does not"
    );
}

#[test]
fn the_ramp_grows_linearly_in_the_samples_used_then_holds_its_cap_until_the_budget() {
    // B₁ = 2 to B_max = 10 over S = 20 samples: B = 2 + ⌊8·s/20⌋ for s < 20, then 10.
    // s: 0 → 2, 2 → 2 (⌊0.8⌋), 4 → 3 (⌊1.6⌋), 7 → 4 (⌊2.8⌋), 11 → 6 (⌊4.4⌋), 17 → 8 (⌊6.8⌋), 25 → 10, …
    let batches: Vec<u64> = Schedule::ramp(2, 10, 20, 60).collect();
    // 35 used up the ramp, then B_max: 45 and 55 fit T = 60, 65 would not and is not run.
    assert_eq!(batches, [2, 2, 3, 4, 6, 8, 10, 10, 10]);
    assert_eq!(batches.iter().sum::<u64>(), 55);
    assert_eq!(Schedule::ramp(2, 10, 20, 60).rounds(), 9);
    // A round that ends exactly at T is run.
    assert_eq!(Schedule::ramp(2, 10, 20, 65).count(), 10);
    // A cap of B₁ is a fixed batch, whatever the length; a ramp longer than T never reaches its cap.
    let flat: Vec<u64> = Schedule::ramp(3, 3, 50, 100).collect();
    assert_eq!(flat, Schedule::new(3, 1.0, 100).collect::<Vec<_>>());
    assert!(Schedule::ramp(1, 1000, 1_000_000, 500).all(|b| b < 1000));
    assert_eq!(ramp_batch(2, 10, 20, 19), 9, "2 + ⌊8·19/20⌋");
    assert_eq!(
        ramp_batch(5, u64::MAX, 7, 6),
        5 + (u64::MAX - 5) / 7 * 6 + 6 * ((u64::MAX - 5) % 7) / 7,
        "in exact integers, without overflow"
    );
}

proptest! {
    /// The ramp never shrinks, never passes its cap, takes B₁ first, stays within T and stops at the first
    /// round that would pass it; `rounds` counts it in closed form after the ramp.
    #[test]
    fn the_ramp_keeps_the_stopping_rule(b1 in 1u64..20, extra in 0u64..200, length in 1u64..5_000, budget in 1u64..20_000) {
        let cap = b1 + extra;
        let schedule = Schedule::ramp(b1, cap, length, budget);
        let batches: Vec<u64> = schedule.clone().collect();
        let total: u64 = batches.iter().sum();
        prop_assert!(total <= budget);
        let mut used = 0;
        for &b in &batches {
            prop_assert_eq!(b, ramp_batch(b1, cap, length, used));
            prop_assert!((b1..=cap).contains(&b));
            used += b;
        }
        prop_assert!(batches.windows(2).all(|w| w[0] <= w[1]));
        prop_assert!(total + ramp_batch(b1, cap, length, total) > budget, "a further round would have fitted");
        prop_assert_eq!(schedule.rounds(), batches.len() as u64);
    }


    /// The run takes B_t = ⌊ρ^(t−1)B₁⌋ while the per-node total stays within T, and stops at the first round
    /// that would pass it.
    #[test]
    fn stopping_rule_holds(rho in 1.0f64..4.0, b1 in 1u64..50, budget in 1u64..20_000) {
        let e = experiment(&format!("rho={rho}&B1={b1}&T={budget}"));
        let batches: Vec<u64> = Schedule::for_experiment(&e).collect();
        let total: u64 = batches.iter().sum();
        prop_assert!(total <= budget);
        for (i, &b) in batches.iter().enumerate() {
            prop_assert_eq!(b, batch_size(b1, rho, i as u64 + 1));
            prop_assert!(b >= b1);
        }
        let next = batch_size(b1, rho, batches.len() as u64 + 1);
        prop_assert!(total + next > budget, "a further round would have fitted");
        prop_assert_eq!(planned_rounds(&e), batches.len() as u64);
    }
}

#[test]
fn a_ramp_run_takes_the_ramps_batches_and_as_many_rounds_as_planned() {
    let query = "alg=ramp&problem=breast-cancer&N=2&B1=2&Bmax=10&ramp=20&gamma=0.1&T=60&every=1";
    let e = experiment(query);
    let rows = Trainer::new(&e).run_to_end();
    let batches: Vec<u64> = rows[1..].iter().map(|r| r.batch).collect();
    assert_eq!(batches, [2, 2, 3, 4, 6, 8, 10, 10, 10]);
    assert_eq!(rows.last().map(|r| r.sfo), Some(55), "65 would pass T = 60");
    assert_eq!(planned_rounds(&e), 9);
    let theory = dynabatch_core::theory::predict(&e);
    assert!(theory.rounds.holds(9), "{:?}", theory.rounds);
    assert!(
        theory.rate.contains("no bound in the paper"),
        "{}",
        theory.rate
    );
    // S·ln(B_max/B₁)/(B_max − B₁) + (T − S)/B_max = 20·ln 5/8 + 4 ≈ 8.02.
    assert!(
        (theory.asymptotic_rounds - 8.0236).abs() < 1e-3,
        "{}",
        theory.asymptotic_rounds
    );
}

#[test]
fn the_ramps_parameters_get_one_notice_each_when_they_cannot_be_used() {
    let messages = |query: &str| -> Vec<String> {
        Experiment::from_query(query)
            .1
            .iter()
            .map(|n| n.message())
            .collect()
    };
    assert_eq!(
        messages("alg=ramp&B1=8&Bmax=4"),
        ["Bmax=4 is below B1=8, and a ramp never shrinks the batch; using 8."]
    );
    assert_eq!(experiment("alg=ramp&B1=8&Bmax=8").ramp_cap, 8);
    assert_eq!(
        messages("alg=ramp&ramp=0"),
        ["ramp=0 is out of range (an integer from 1 to 1000000); using 1."]
    );
    assert_eq!(
        messages("alg=psgd&Bmax=64&ramp=100"),
        [
            "Bmax does not apply to alg=psgd; ignored.",
            "ramp does not apply to alg=psgd; ignored."
        ]
    );
    assert_eq!(
        messages("alg=ramp&Bmax=many"),
        ["Bmax=many is not a number (allowed: an integer from 1 to 100000); using 32."]
    );
    let (main, view, notices) =
        dynabatch_core::link::parse("alg=psgd&compare=ramp(Bmax=16,ramp=500,momentum=0.5)");
    assert!(notices.is_empty(), "{notices:?}");
    let ramp = view.compare[0].experiment(&main);
    assert_eq!(
        (ramp.ramp_cap, ramp.ramp_length, ramp.momentum),
        (16, 500, 0.5)
    );
}
