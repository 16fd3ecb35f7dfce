//! Every preset is a clean link (no notices) whose run stays small enough to finish quickly in a page.

use dynabatch_core::algorithms::{planned_rounds, record_every, Trainer};
use dynabatch_core::experiment::Alg;
use dynabatch_core::link;
use dynabatch_core::presets::PRESETS;

#[test]
fn presets_are_clean_links_of_bounded_work() {
    assert!(PRESETS.len() >= 5);
    for preset in PRESETS {
        let (experiment, view) = link::parse_strict(preset.query)
            .unwrap_or_else(|n| panic!("{}: {}", preset.name, n.message()));
        let compared = view.compare.iter().map(|c| c.experiment(&experiment));
        for e in std::iter::once(experiment.clone()).chain(compared) {
            let alg = e.alg;
            // Full evaluations of f and ∇f are the costly part of a round; keep them to a few thousand.
            // Adaptive batches' rounds are known only by running them (runs are deterministic).
            let rows = match alg {
                Alg::Adaptive => Trainer::new(&e).run_to_end().len() as u64,
                _ => planned_rounds(&e) / record_every(&e),
            };
            assert!(
                rows <= 2_000,
                "{} ({}): {rows} recorded rows",
                preset.name,
                alg.name()
            );
            assert!(
                e.budget * e.nodes as u64 <= 200_000,
                "{}: total samples",
                preset.name
            );
        }
        assert!(
            !preset.caption.is_empty() && preset.caption.len() < 260,
            "{}: two lines",
            preset.name
        );
    }
}
