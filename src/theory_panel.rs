//! The Theory panel: what the paper predicts for the current experiment, next to what the run measures,
//! and the five algorithms' rates side by side.

use super::dom::{append, by_id, element, set_attr};
use super::runner::RunState;
use super::App;
use dynabatch_core::experiment::{Alg, Experiment};
use dynabatch_core::theory::predict;
use web_sys::Element;

/// "E[f − f*] = O(1/(NT)) under PL" → the bound and its condition, so a table cell can set the bound
/// apart; a rate without a condition stays whole.
fn split_rate(rate: &str) -> (&str, &str) {
    [" under ", " for "]
        .iter()
        .find_map(|sep| rate.find(sep))
        .map_or((rate, ""), |i| (&rate[..i], &rate[i + 1..]))
}

/// Fills the comparison table. Rates and round orders depend only on the algorithm, so the default
/// experiment (a short schedule) stands in for every setting.
pub fn build() {
    let body: Element = by_id("theory-algs");
    for alg in Alg::ALL {
        let prediction = predict(&Experiment {
            alg,
            ..Experiment::default()
        });
        let row = element("tr", "", "");
        set_attr(&row, "data-alg", alg.name());
        let name = element("th", "", alg.label());
        set_attr(&name, "scope", "row");
        append(&name, &element("code", "", alg.name()));
        let (bound, condition) = split_rate(prediction.rate);
        let rate = element("td", "rate", "");
        append(&rate, &element("span", "bound", bound));
        if !condition.is_empty() {
            append(&rate, &element("span", "condition", condition));
        }
        append(&row, &name);
        append(&row, &rate);
        append(&row, &element("td", "order", prediction.rounds_order));
        append(&body, &row);
    }
}

fn set_text(id: &str, text: &str) {
    let e: Element = by_id(id);
    // Unchanged text is left alone, so screen readers and selections are not disturbed every frame.
    if e.text_content().as_deref() != Some(text) {
        e.set_text_content(Some(text));
    }
}

pub fn render(app: &App) {
    let p = &app.prediction;
    let alg = app.experiment.alg;
    set_text("theory-alg", alg.label());
    set_text("theory-rate", p.rate);
    set_text("rounds-order", p.rounds_order);
    set_text("rounds-formula", p.rounds_formula);
    set_text("closed-form-rounds", &format!("{:.1}", p.asymptotic_rounds));
    set_text("predicted-rounds", &p.rounds.to_string());
    let measured = app.rows().last().map_or(0, |r| r.round);
    set_text("measured-rounds", &measured.to_string());
    let note = match app.state() {
        RunState::Done if p.rounds.holds(measured) => "✓ as planned",
        RunState::Done => "stopped early",
        RunState::Diverged => "diverged",
        RunState::Error => "",
        RunState::Idle | RunState::Running | RunState::Paused => "so far",
    };
    set_text("measured-note", note);
    let body: Element = by_id("theory-algs");
    let mut next = body.first_element_child();
    while let Some(row) = next {
        next = row.next_element_sibling();
        let current = row.get_attribute("data-alg").as_deref() == Some(alg.name());
        let _ = row.class_list().toggle_with_force("current", current);
        if current {
            set_attr(&row, "aria-current", "true");
        } else {
            let _ = row.remove_attribute("aria-current");
        }
    }
}
