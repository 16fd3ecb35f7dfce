//! The page's words, checked against the runs they describe. Every number or comparison a story's
//! caption states is measured here from the story's own link, run as the page runs it (the main run and
//! each compared run, with their limits). The test formats the measured number as the caption writes it
//! and looks for that text in the caption, so a change that moves a number fails here, and the words are
//! mended in the same change. Qualitative words ("about the same", "ends near") are checked as ratios.

use dynabatch_core::algorithms::{Progress, Trainer, RUNAWAY};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link;
use dynabatch_core::metrics::{grouped, Row};
use dynabatch_core::paper::{summarize, Measure, SEEDS};
use dynabatch_core::presets::{self, find, story_of, Preset, PRESETS};

/// One run of a story: its experiment and every row (each round recorded, as `every` allows).
struct Run {
    experiment: Experiment,
    rows: Vec<Row>,
}

impl Run {
    fn of(experiment: Experiment) -> Run {
        let rows = Trainer::new(&experiment).run_to_end();
        Run { experiment, rows }
    }

    fn last(&self) -> &Row {
        self.rows.last().expect("a run records its start")
    }

    fn subopt(&self) -> f64 {
        self.last().subopt.expect("f* is known")
    }

    /// f − f* at the first recorded row with at least `sfo` samples per node.
    fn subopt_at(&self, sfo: u64) -> f64 {
        let row = self.rows.iter().find(|r| r.sfo >= sfo).expect("reaches it");
        row.subopt.expect("f* is known")
    }

    fn grad_squared(&self) -> f64 {
        self.last().grad_norm * self.last().grad_norm
    }
}

/// The story's main run, then its compared runs, as the page starts them.
fn runs(story: &Preset) -> Vec<Run> {
    runs_of(story.query)
}

fn runs_of(query: &str) -> Vec<Run> {
    let (main, view) = link::parse_strict(query).unwrap_or_else(|n| panic!("{}", n.message()));
    let mut out = vec![Run::of(main.clone())];
    for compared in &view.compare {
        let mut experiment = compared.experiment(&main);
        assert!(experiment.apply_limits().is_empty(), "{query}: limits");
        out.push(Run::of(experiment));
    }
    out
}

fn story(name: &str) -> &'static Preset {
    find(name).unwrap_or_else(|| panic!("no story {name}"))
}

/// A value as the captions write it: two significant digits, as in 4.0e-5.
fn sci(v: f64) -> String {
    format!("{v:.1e}")
}

/// The text states this measured value.
#[track_caller]
fn states(text: &str, value: &str) {
    assert!(
        text.contains(value),
        "the words should state {value:?}, as measured; they read: {text}"
    );
}

#[test]
fn fewer_rounds_and_the_fair_race() {
    let runs = runs(story("fewer-rounds"));
    let (cr, psgd) = (&runs[0], &runs[1]);
    let caption = story("fewer-rounds").caption;
    states(caption, &grouped(cr.last().round));
    states(caption, &grouped(psgd.last().round));
    // "both end near 4e-5": within 20% of each other, and that value at one digit.
    assert!((cr.subopt() / psgd.subopt() - 1.0).abs() < 0.2);
    states(caption, &format!("{:.0e}", cr.subopt()));

    let race = runs_of(story("fair-race").query);
    let caption = story("fair-race").caption;
    states(
        caption,
        &format!(
            "{} in {} rounds",
            sci(race[0].subopt()),
            race[0].last().round
        ),
    );
    states(caption, &sci(race[1].subopt()));
    states(caption, &sci(race[2].subopt()));
    states(caption, &grouped(race[1].last().round));
}

#[test]
fn the_noise_picks_the_batch() {
    let preset = story("noise-picks");
    let runs = runs(preset);
    let (adaptive, fine, coarse) = (&runs[0], &runs[1], &runs[2]);
    states(
        preset.caption,
        &format!("stalls at {}", sci(coarse.subopt())),
    );
    states(
        preset.caption,
        &format!("{} in {} rounds", sci(fine.subopt()), fine.last().round),
    );
    states(
        preset.caption,
        &format!(
            "{} in {} rounds",
            sci(adaptive.subopt()),
            adaptive.last().round
        ),
    );
    let over_seeds = summarize(
        &adaptive.experiment.to_query().replace("&seed=1", ""),
        &SEEDS,
        Measure::Suboptimality,
    );
    states(
        preset.caption,
        &format!("{} over {} seeds", sci(over_seeds.mean), SEEDS.len()),
    );
}

#[test]
fn every_story_opens_itself() {
    // A story whose link equals another's is marked and captioned as that other one when clicked.
    for preset in PRESETS {
        let (e, view, _) = link::parse(preset.query);
        assert_eq!(
            story_of(&e, &view).map(|s| s.name),
            Some(preset.name),
            "{}'s link opens another story",
            preset.name
        );
    }
}

#[test]
fn when_communication_is_cheap_the_times_are_close() {
    let preset = story("cheap-communication");
    let runs = runs(preset);
    let (cr, psgd) = (&runs[0], &runs[1]);
    states(preset.caption, &format!("{:.0} s", cr.last().time));
    states(preset.caption, &format!("{:.0} s", psgd.last().time));
    // Saving 99% of the rounds saves this share of the time; the caption says it in words.
    let saved = 1.0 - cr.last().time / psgd.last().time;
    assert!((0.2..0.3).contains(&saved), "saved {saved}");
    states(preset.caption, "a quarter of the time");
}

#[test]
fn linear_speedup_states_the_measured_ratio() {
    let preset = story("linear-speedup");
    let eight = &runs(preset)[0];
    let mut one = eight.experiment.clone();
    one.nodes = 1;
    let one = Run::of(one);
    states(preset.caption, &sci(eight.subopt()));
    states(preset.caption, &sci(one.subopt()));
    states(
        preset.caption,
        &format!("{:.1} times", one.subopt() / eight.subopt()),
    );
}

#[test]
fn no_story_shows_a_run_twice() {
    // Two runs with the same rows draw one curve over the other: the legend names a run nobody sees.
    for preset in PRESETS {
        let runs = runs(preset);
        for (i, a) in runs.iter().enumerate() {
            for b in &runs[i + 1..] {
                // What the charts draw of a row: samples, rounds, f − f*, the loss and ‖∇f‖.
                let drawn = |run: &Run| -> Vec<_> {
                    run.rows
                        .iter()
                        .map(|r| (r.sfo, r.round, r.subopt, r.loss, r.grad_norm))
                        .collect()
                };
                assert_ne!(
                    drawn(a),
                    drawn(b),
                    "{}: {} and {} give the same rows",
                    preset.name,
                    a.experiment.alg.name(),
                    b.experiment.alg.name()
                );
            }
        }
    }
}

#[test]
fn catalyst_states_each_runs_gradient_and_rounds() {
    let preset = story("catalyst");
    for run in runs(preset) {
        states(preset.caption, &sci(run.grad_squared()));
        states(preset.caption, &grouped(run.last().round));
    }
}

#[test]
fn rho_too_large_says_where_the_budget_went() {
    let preset = story("rho-too-large");
    let run = &runs(preset)[0];
    let last = run.last();
    let e = &run.experiment;
    // The next batch, ⌊ρ^t·B₁⌋, would pass T: the rest of the budget is never spent.
    let next = (e.rho.powi(last.round as i32) * e.first_batch as f64).floor() as u64;
    assert!(last.sfo + next > e.budget);
    states(preset.caption, &grouped(last.sfo));
    states(preset.caption, &grouped(e.budget - last.sfo));
    states(preset.caption, &grouped(next));
    states(preset.caption, &format!("{} rounds", last.round));
    states(preset.caption, &sci(run.subopt()));
}

#[test]
fn across_the_internet() {
    let preset = story("internet");
    let runs = runs(preset);
    let (cr, psgd) = (&runs[0], &runs[1]);
    let per_round = psgd.last().time / psgd.last().round as f64;
    states(preset.caption, &format!("{per_round:.1} s"));
    states(
        preset.caption,
        &format!("{:.1} hours", psgd.last().time / 3600.0),
    );
    states(preset.caption, &format!("{:.0} s", cr.last().time));
    states(preset.caption, &grouped(psgd.last().round));
    states(preset.caption, &grouped(cr.last().round));
}

#[test]
fn the_landscape_settles_at_a_small_step_and_bounces_at_the_default() {
    let preset = story("noisy-landscape");
    let run = &runs(preset)[0];
    let at = |row: &Row| row.subopt.expect("f* is known");
    // "settles at the minimum": the last tenth of the path stays below 1% of where it started.
    let start = at(&run.rows[0]);
    let tail = &run.rows[run.rows.len() * 9 / 10..];
    assert!(tail.iter().all(|r| at(r) < 0.01 * start), "{tail:?}");
    states(
        preset.caption,
        &format!("{} in {} rounds", sci(run.subopt()), run.last().round),
    );
    // The map's caption names the story's γ and the default's, which does not settle: in the second half
    // of its run the path is still back above a tenth of where it started.
    let default = Run::of(Experiment::from_query_strict("problem=landscape").expect("valid"));
    let second_half = &default.rows[default.rows.len() / 2..];
    assert!(second_half
        .iter()
        .any(|r| at(r) > 0.1 * at(&default.rows[0])));
    states(
        presets::LANDSCAPE_CAPTION,
        &format!("γ = {}", run.experiment.gamma),
    );
    states(
        presets::LANDSCAPE_CAPTION,
        &format!("γ = {}, the default", default.experiment.gamma),
    );
}

#[test]
fn the_tour_states_its_storys_numbers() {
    let runs = runs(presets::TOUR_STORY);
    let (cr, psgd) = (&runs[0], &runs[1]);
    let text = |i: usize| presets::TOUR[i].text;
    // Step 1, progress per sample: CR-PSGD ahead at most recorded rows, both near the same end.
    let half = cr.experiment.budget / 2;
    states(
        text(0),
        &format!(
            "halfway, f − f* = {} against {}",
            sci(cr.subopt_at(half)),
            sci(psgd.subopt_at(half))
        ),
    );
    let ahead = cr
        .rows
        .iter()
        .filter(|r| r.subopt.expect("known") < psgd.subopt_at(r.sfo))
        .count();
    assert!(
        2 * ahead > cr.rows.len(),
        "ahead {ahead} of {}",
        cr.rows.len()
    );
    assert!((cr.subopt() / psgd.subopt() - 1.0).abs() < 0.2);
    states(text(0), &format!("{:.0e}", cr.subopt()));
    // Step 2, rounds.
    states(text(1), &format!("{} rounds", cr.last().round));
    states(text(1), &grouped(psgd.last().round));
    // Step 3, the global batch N·B_t, first and last.
    let nodes = cr.experiment.nodes as u64;
    states(text(2), &format!("ρ = {}", cr.experiment.rho));
    states(
        text(2),
        &format!(
            "from {} to {}",
            nodes * cr.rows[1].batch,
            grouped(nodes * cr.last().batch)
        ),
    );
    states(
        text(2),
        &format!("keeps {} all the way", nodes * psgd.last().batch),
    );
    // The fewest last rounds that hold half of its samples.
    let (mut late, mut last_rounds) = (0, 0);
    for row in cr.rows.iter().rev() {
        if 2 * late >= cr.last().sfo {
            break;
        }
        late += row.batch;
        last_rounds += 1;
    }
    states(
        text(2),
        &format!("half of its samples go in its last {last_rounds} rounds"),
    );
    // Step 4, the counters.
    states(text(3), &grouped(cr.last().sfo));
    states(text(3), &grouped(cr.experiment.budget));
    states(text(3), &format!("stay at {}", cr.last().round));
    // Step 5, the nodes.
    states(text(4), &format!("the {} nodes", nodes));
}

#[test]
fn a_runaway_loss_says_diverged() {
    // γ = 50 in the first story (inside γ's range): the loss grows twentyfold a round, finite to the end.
    // The page said "done" and drew ticks such as "51154688M"; both shells now say "diverged".
    let query = presets::FIRST_VISIT.query.replace("gamma=0.3", "gamma=50");
    let (e, _) = link::parse_strict(&query).expect("valid");
    let mut trainer = Trainer::new(&e);
    let mut last = trainer.start_row();
    while let Some(row) = trainer.step() {
        last = row;
    }
    assert_eq!(
        trainer.progress(),
        Progress::Diverged {
            round: last.round,
            quantity: RUNAWAY
        }
    );
    assert!(last.round < 20, "stopped at round {}", last.round);
    assert_eq!(
        Progress::divergence(RUNAWAY, 8),
        "the loss passed a million times its start at round 8"
    );
}
