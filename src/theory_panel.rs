//! The Theory panel: what the paper predicts for the current experiment, next to what the run measures,
//! the six algorithms' rates side by side, whether ρ suits the problem's curvature, and, with momentum,
//! that the analysis is for β = 0.

use super::dom::{append, by_id, element, set_attr, set_hidden};
use super::runner::RunState;
use super::App;
use dynabatch_core::conditioning::{Conditioning, RhoFit};
use dynabatch_core::experiment::{Alg, Experiment};
use dynabatch_core::link::{self, Compared};
use dynabatch_core::theory::predict;
use dynabatch_plot::chart::grouped;
use web_sys::{Element, HtmlElement};

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

/// Whether the panel guides this algorithm's ρ by the curvature at x*: CR-PSGD's schedule, adaptive
/// batches' cap on growth, and Catalyst's inner CR-PSGD runs.
pub fn guides_rho(alg: Alg) -> bool {
    match alg {
        Alg::CrPsgd | Alg::Adaptive | Alg::Catalyst => true,
        Alg::Psgd | Alg::Local | Alg::Ramp => false,
    }
}

/// A number to four significant digits, written out plainly where that is short (0.1001, 0.001028,
/// 136.1), as the CLI's notice has it in scientific form (`{:.3e}`).
fn significant(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let exponent = x.abs().log10().floor();
    if !(-4.0..6.0).contains(&exponent) {
        return format!("{x:.3e}");
    }
    format!("{x:.*}", (3.0 - exponent).max(0.0) as usize)
}

/// The guidance on ρ: μ and L at x* (from the main run, off the main thread), κ, the ρ the analysis
/// allows at this γ against the link's, and what that means, in a sentence or two.
fn render_guidance(app: &App) {
    let panel: HtmlElement = by_id("guidance");
    let e = &app.experiment;
    let known = app.conditioning.as_ref().map(|(_, c)| *c);
    let Some(c) = known.filter(|_| guides_rho(e.alg)) else {
        set_hidden(&panel, true);
        return;
    };
    // Catalyst's inner runs are CR-PSGD on f + θ/2‖x − y‖², whose curvature is θ more.
    let inner = match e.alg {
        Alg::Catalyst => Conditioning {
            mu: c.mu + e.theta,
            l: c.l + e.theta,
        },
        _ => c,
    };
    let fit = inner.rho_fit(e.gamma, e.rho);
    set_hidden(&panel, false);
    set_text("guide-mu", &significant(c.mu));
    set_text("guide-l", &significant(c.l));
    set_text("guide-kappa", &significant(c.l / c.mu));
    set_text("guide-gamma", &e.gamma.to_string());
    set_text("guide-allowed", &format!("{:.4}", fit.allowed()));
    set_text("guide-rho", &e.rho.to_string());
    set_text(
        "guide-allowed-formula",
        match e.alg {
            Alg::Catalyst => "1/(1 − γ(μ + θ)), for its inner runs",
            _ => "1/(1 − γμ)",
        },
    );
    let floor = grouped(inner.rounds_floor(e.gamma).round() as u64);
    set_text(
        "guide-why",
        "Near x* a step of γ shrinks f − f* by a factor of about 1 − γμ; the analysis lets the batch grow by at most the inverse of that per round, or it outgrows what the steps can use.",
    );
    let _ = panel
        .class_list()
        .toggle_with_force("far", matches!(fit, RhoFit::FarAbove { .. }));
    let spent = grouped(app.prediction.rounds.most());
    let verdict = match (e.alg, fit) {
        (Alg::Adaptive, RhoFit::FarAbove { .. }) => format!(
            "Here ρ = {} only caps the growth and the noise decides, but no method that takes one gradient step per round converges in fewer than about 1/(γμ) = {floor} rounds at this curvature (κ = {}): ",
            e.rho,
            significant(c.l / c.mu)
        ),
        (Alg::Adaptive, _) => format!(
            "Here ρ = {} only caps the growth per round; the measured noise (η) decides when to grow.",
            e.rho
        ),
        (_, RhoFit::Within { .. }) => format!("ρ = {} is within it.", e.rho),
        (_, RhoFit::Above { .. }) => format!(
            "ρ = {} is above it, so the paper's guarantee does not cover this run; the charts show how much that matters here.",
            e.rho
        ),
        (_, RhoFit::FarAbove { .. }) => format!(
            "ρ = {} is far above it: this run spends its whole budget in {spent} rounds, but the problem is badly conditioned (κ = {}), and no method that takes one gradient step per round converges in fewer than about 1/(γμ) = {floor} rounds, whatever its batches. For contrast: ",
            e.rho,
            significant(c.l / c.mu)
        ),
    };
    // The verdict, and in the far-above regime the links to contrast it with.
    let mut parts: Vec<(String, Option<String>)> = vec![(verdict, None)];
    if matches!(fit, RhoFit::FarAbove { .. }) {
        for (i, (label, query)) in contrasts(app).into_iter().enumerate() {
            if i > 0 {
                parts.push((" or ".to_string(), None));
            }
            parts.push((label.to_string(), Some(query)));
        }
        parts.push((".".to_string(), None));
    }
    // Rebuilt only when it says something else: a link being focused or hovered stays put.
    let text: Element = by_id("guide-text");
    let key: String = parts
        .iter()
        .map(|(words, query)| format!("{words}|{}", query.as_deref().unwrap_or("")))
        .collect();
    if text.get_attribute("data-key").as_deref() == Some(key.as_str()) {
        return;
    }
    set_attr(&text, "data-key", &key);
    text.set_text_content(None);
    for (words, query) in parts {
        match query {
            Some(query) => {
                let a = element("a", "", &words);
                set_attr(&a, "href", &format!("?{query}"));
                set_attr(&a, "data-open", &query);
                append(&text, &a);
            }
            None => append(&text, &element("span", "", &words)),
        }
    }
}

/// The links the far-above regime points to: adaptive batches, which let the noise set the batch, and
/// local SGD beside the run, which takes many steps per round. Only those that differ from the link.
fn contrasts(app: &App) -> Vec<(&'static str, String)> {
    let (e, view) = (&app.experiment, &app.view);
    let mut links = Vec::new();
    if e.alg != Alg::Adaptive {
        let adaptive = Experiment {
            alg: Alg::Adaptive,
            ..e.clone()
        };
        links.push((
            "adaptive batches (alg=adaptive), which grow only when the measured noise asks",
            link::to_query(&adaptive, view),
        ));
    }
    if view.compare.len() < link::MAX_COMPARED && !view.compare.iter().any(|c| c.alg == Alg::Local)
    {
        let mut with_local = view.clone();
        with_local.compare.push(Compared::plain(Alg::Local));
        links.push((
            "local SGD beside it, which takes many steps per round",
            link::to_query(e, &with_local),
        ));
    }
    links
}

pub fn render(app: &App) {
    render_guidance(app);
    let p = &app.prediction;
    let alg = app.experiment.alg;
    set_text("theory-alg", alg.label());
    set_text("theory-rate", p.rate);
    // Momentum is outside the analysis: the panel says so, and what it does to the batch (Smith et al.).
    let momentum: HtmlElement = by_id("theory-momentum");
    set_hidden(&momentum, p.momentum.is_none());
    set_text("theory-momentum", p.momentum.as_deref().unwrap_or(""));
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
