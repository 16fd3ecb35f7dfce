//! Guided presets: one-click stories, each a share link with a two-line caption. Each must run to the end
//! in well under 20 seconds in the page (tests/presets.rs bounds their work; the browser test runs them).

use crate::experiment::{Experiment, Notice};
use crate::link::{self, ViewKeys};

pub struct Preset {
    /// Stable name, used as the link's `data-preset`.
    pub name: &'static str,
    pub title: &'static str,
    pub caption: &'static str,
    pub query: &'static str,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "fewer-rounds",
        title: "Same samples, far fewer rounds",
        caption: "CR-PSGD and fixed-batch PSGD, each with its own tuned step size (γ = 0.3 and 0.001, by \
                  dynabatch tune), see the same 20,000 samples per node and both end near f − f* = 4e-5. \
                  CR-PSGD communicates 141 times, PSGD 20,000.",
        query: "alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1&compare=psgd(gamma=0.001)",
    },
    Preset {
        name: "fair-race",
        title: "A fair race",
        caption: "Tuned, one budget: CR-PSGD 4.0e-5 in 141 rounds; in 20,000 rounds, PSGD at its best constant γ \
                  4.3e-5 and PSGD with a decaying step (τ = 30) 1.9e-5. A growing batch mirrors a decaying step.",
        query: "alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1&compare=psgd(gamma=0.001),psgd(gamma=0.3,decay=30)",
    },
    Preset {
        name: "rho-too-large",
        title: "ρ too large hurts",
        caption: "With ρ = 4 the batches go 1, 4, 16, … 4,096: after 7 rounds and 5,461 samples per node the \
                  next batch, 16,384, does not fit, so 14,539 go unused and f − f* stalls at 2.2e-2. Pin it, set \
                  ρ = 1.05.",
        query: "alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=4&B1=1&gamma=0.3&T=20000&seed=1",
    },
    Preset {
        name: "noise-picks",
        title: "The noise picks the batch",
        caption: "At λ = 0.001, CR-PSGD stalls at 1.2e-2 with ρ = 1.05; ρ = 1.01 gets 3.5e-4 in 534 rounds. \
                  Adaptive batches chase B_noise: 5.7e-4 in 106 rounds here (2.3e-3 over 8 seeds).",
        query: "alg=adaptive&problem=breast-cancer&lambda=0.001&N=4&rho=1.5&eta=1&B1=1&gamma=10&T=20000&seed=1&compare=crpsgd(gamma=3,rho=1.01),crpsgd(gamma=3,rho=1.05)",
    },
    Preset {
        name: "linear-speedup",
        title: "Linear speedup with N",
        caption: "Eight nodes end at f − f* = 2.0e-4, one node at 9.0e-4 (pin this run, set N = 1): 4.5 times \
                  lower at the same samples per node, short of the 8 times that the 1/(NT) rate promises.",
        query: "alg=crpsgd&problem=digits&lambda=0.1&N=8&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1",
    },
    Preset {
        name: "catalyst",
        title: "Catalyst, non-convex",
        caption: "On the digits network, CR-PSGD-Catalyst ends at ‖∇f‖² = 8.5e-3 in 600 rounds, PSGD at 3.3e-2 \
                  in 1,666. Local SGD, averaging every H = 8 steps, takes the fewest rounds (208) but ends at 3.9e-2.",
        // Local SGD's H = auto is ⌊T^¼/N^¾⌋ = 1 here, which is PSGD itself: its curve would hide under PSGD's.
        query: "alg=catalyst&problem=digits-mlp&hidden=16&lambda=0.01&N=8&rho=2&B1=3&theta=1&gamma=0.2&T=5000&seed=1&every=25&compare=psgd,local(H=8)",
    },
    Preset {
        name: "internet",
        title: "Across the internet",
        caption: "50 ms per message over 10 MB/s: every round costs 0.3 s, so PSGD's 20,000 rounds take 1.7 hours \
                  of simulated time, while CR-PSGD's 141 rounds and its computing take 42 s.",
        query: "alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1&latency=50&bandwidth=10&sfo_time=10&compare=psgd(gamma=0.001)",
    },
    Preset {
        name: "cheap-communication",
        title: "When computing dominates",
        caption: "Here each sample's gradient takes 1 ms (a large model), so computing dominates even with 50 µs \
                  messages: CR-PSGD takes 19 s of simulated time, PSGD 26 s. 141 rounds against 20,000 save only \
                  a quarter of the time.",
        query: "alg=crpsgd&problem=breast-cancer&lambda=0.1&N=4&rho=1.05&B1=1&gamma=0.3&T=20000&seed=1&sfo_time=1000&compare=psgd(gamma=0.001)",
    },
    Preset {
        name: "noisy-landscape",
        title: "Watch the noise shrink",
        caption: "On the 2-D landscape, early small batches zig-zag; as B_t grows the path settles at the \
                  minimum, f − f* = 3.2e-4 in 27 rounds. Click the map to start somewhere else.",
        query: "alg=crpsgd&problem=landscape&sigma=3&x0=3&y0=-2.5&N=2&rho=1.3&B1=1&gamma=0.05&T=5000&seed=1",
    },
];

/// The landscape map's caption. Whether the path settles depends on γ: the story's 0.05 walks to the
/// minimum, while the parameter's default 0.5 never settles (`tests/stories.rs` runs both), so the words
/// name both rather than promise a straight walk.
pub const LANDSCAPE_CAPTION: &str = "Click the map to start there. Small early batches zig-zag; with a small \
    step (γ = 0.05, as in the story \"Watch the noise shrink\") the noise averages out as B_t grows and the path \
    settles at the minimum (×). At γ = 0.5, the default, the steps overshoot and the path keeps bouncing around it.";

/// The page with no query string opens the first story: the contrast the page exists for, CR-PSGD beside
/// fixed-batch PSGD on the same problem, seed and budget, each with its own tuned step size. It is a link,
/// not new parameter defaults, so that every existing link (format v=1) keeps its meaning.
pub const FIRST_VISIT: &Preset = &PRESETS[0];

/// One step of the guided tour: the page element it outlines (an id), its title and its words.
pub struct TourStep {
    pub target: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

/// The story the tour speaks of: every number in its steps is this story's (`tests/stories.rs` runs it).
pub const TOUR_STORY: &Preset = FIRST_VISIT;

/// The guided tour, step by step, about [`TOUR_STORY`]'s runs.
pub const TOUR: [TourStep; 6] = [
    TourStep {
        target: "figure-sfo",
        title: "Progress per sample",
        text: "This tour follows the first story: CR-PSGD and fixed-batch PSGD, each with its own tuned γ, on \
               the same problem, seed and budget. Per sample, CR-PSGD is ahead most of the way (halfway, \
               f − f* = 2.5e-5 against 3.9e-4); both end near 4e-5: growing batches cost no progress per sample.",
    },
    TourStep {
        target: "figure-rounds",
        title: "Communication rounds",
        text: "The same runs against the rounds they took, on a log axis. CR-PSGD is done in 141 rounds, \
               where fixed-batch PSGD takes one round per batch of one sample: 20,000.",
    },
    TourStep {
        target: "figure-batch",
        title: "The batch schedule",
        text: "CR-PSGD multiplies its batch by ρ = 1.05 every round: its global batch N·B_t grows from 4 to \
               3,700 samples, and half of its samples go in its last 15 rounds. PSGD keeps 4 all the way.",
    },
    TourStep {
        target: "counters",
        title: "The rounds counter",
        text: "These count the main run's rounds and samples per node as they happen. Watch the samples \
               reach 19,351 of the budget of 20,000 while the rounds stay at 141.",
    },
    TourStep {
        target: "node-boxes",
        title: "The nodes",
        text: "Each box is one of the 4 nodes in the latest round, with its batch and the Web Worker thread \
               that computed it. After every round the nodes average their results: one all-reduce.",
    },
    TourStep {
        target: "copy",
        title: "The share link",
        text: "The address bar always holds a link that reproduces this run exactly, here or with the \
               dynabatch command line tool. Copy it, or pick a guided story at the top.",
    },
];

/// Reads the page's own query string: an empty one opens the first visit's story, any other is read as
/// a link. A link that asks for the tour (`tour=1`) opens the tour's story, which its words describe,
/// keeping the link's other view keys; if the link named another run, a notice says it was not opened.
pub fn parse_page(query: &str) -> (Experiment, ViewKeys, Vec<Notice>) {
    let query = query.strip_prefix('?').unwrap_or(query);
    if query.is_empty() {
        return link::parse(FIRST_VISIT.query);
    }
    let (experiment, view, mut notices) = link::parse(query);
    if !view.tour || story_of(&experiment, &view).is_some_and(|s| s.name == TOUR_STORY.name) {
        return (experiment, view, notices);
    }
    let (story, story_view, _) = link::parse(TOUR_STORY.query);
    // A link with nothing but view keys (`?tour=1`) asked for no run of its own.
    if experiment != Experiment::default() || !view.compare.is_empty() {
        notices.push(Notice::for_link(
            "tour",
            format!(
                "the tour describes the story \"{}\", not this link's run",
                TOUR_STORY.title
            ),
            "opened that story",
        ));
    }
    let view = ViewKeys {
        compare: story_view.compare,
        ..view
    };
    (story, view, notices)
}

/// The preset with this name.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The story a link tells, if it is one: the first visit's or a preset's, with the same experiment and
/// compared runs (other view keys, such as a tour or a hidden control, do not change the story).
pub fn story_of(experiment: &Experiment, view: &ViewKeys) -> Option<&'static Preset> {
    PRESETS.iter().find(|story| {
        let (e, v, _) = link::parse(story.query);
        &e == experiment && v.compare == view.compare
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{Alg, ProblemKind};

    #[test]
    fn an_empty_page_query_opens_the_first_visit_story() {
        for empty in ["", "?"] {
            let (e, view, notices) = parse_page(empty);
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(e.alg, Alg::CrPsgd);
            assert_eq!(
                view.compare,
                link::parse("alg=crpsgd&compare=psgd(gamma=0.001)")
                    .1
                    .compare,
                "the contrast needs a baseline, with its own tuned γ"
            );
            assert_eq!(story_of(&e, &view).map(|s| s.name), Some("fewer-rounds"));
            // Its canonical link reads back as itself, so the address bar can show it.
            assert_eq!(parse_page(&link::to_query(&e, &view)), (e, view, vec![]));
        }
        assert_eq!(
            parse_page("?N=3").0,
            link::parse("N=3").0,
            "any other query is a link"
        );
        assert_eq!(parse_page("?N=3").0.problem, Experiment::default().problem);
        let (e, _, notices) = parse_page("?problem=data&N=3");
        assert!(notices.is_empty(), "the page reads files: {notices:?}");
        assert_eq!((e.problem, e.nodes), (ProblemKind::Data, 3));
    }

    #[test]
    fn a_link_with_the_tour_opens_the_story_the_tour_describes() {
        let (story, story_view, _) = link::parse(TOUR_STORY.query);
        // `?tour=1` alone, or with other view keys: the tour's story, with no notice.
        for query in ["tour=1", "?tour=1&embed=1"] {
            let (e, view, notices) = parse_page(query);
            assert_eq!(
                (&e, &view.compare),
                (&story, &story_view.compare),
                "{query}"
            );
            assert!(view.tour && notices.is_empty(), "{query}: {notices:?}");
        }
        // Another run: the tour's story, and a notice that says the link's run was not opened.
        let (e, view, notices) = parse_page("alg=local&N=3&tour=1");
        assert_eq!(story_of(&e, &view).map(|s| s.name), Some(TOUR_STORY.name));
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!(notices[0].param, "tour");
        // The tour's own story keeps its link as it is.
        let own = format!("{}&tour=1", TOUR_STORY.query);
        assert_eq!(parse_page(&own), link::parse(&own));
        // Without the tour, any link is itself.
        assert_eq!(parse_page("alg=local&N=3"), link::parse("alg=local&N=3"));
    }
}
