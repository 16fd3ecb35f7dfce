//! The experiment's controls, generated from the parameter table: an input per parameter, whose `id` is
//! the parameter's name, with the paper's symbol, a tooltip and the allowed range.

use super::dom::{append, by_id, element, set_attr};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::glossary;
use dynabatch_core::params::{Domain, ParamSpec, PARAMS};
use dynabatch_plot::chart::grouped;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

/// Builds every control into `#controls`.
pub fn build() {
    let form: Element = by_id("controls");
    for param in PARAMS {
        let wrapper = element("div", "control", "");
        set_attr(&wrapper, "data-param", param.name);
        // The paper's symbol first, so the tooltip ties the control to the equations.
        let symbol = if param.symbol.is_empty() {
            String::new()
        } else {
            format!("{} — ", param.symbol)
        };
        let tooltip = format!(
            "{symbol}{} Allowed: {}.",
            param.help,
            param.domain.describe()
        );
        set_attr(&wrapper, "title", &tooltip);
        let label = element("label", "", param.label);
        set_attr(&label, "for", param.name);
        if !param.symbol.is_empty() {
            append(&label, &element("span", "symbol", param.symbol));
        }
        // The label, and a "?" that opens the glossary's definition where a tooltip cannot (touch).
        let head = element("div", "control-head", "");
        append(&head, &label);
        if let Some(term) = glossary::of_param(param.param) {
            append(&head, &super::glossary_view::mark(term));
        }
        append(&wrapper, &head);
        append(&wrapper, &input_for(param));
        let hint = element("small", "hint", &range_hint(param));
        set_attr(&hint, "id", &format!("{}-hint", param.name));
        append(&wrapper, &hint);
        append(&form, &wrapper);
    }
}

fn input_for(param: &ParamSpec) -> Element {
    let control: Element = match param.domain {
        Domain::Choice(choices) => {
            let select = element("select", "", "");
            // A choice's link name first, so the text a student sees is the text they can type into a link.
            for (name, words) in choices.options() {
                let option = element("option", "", &format!("{name} — {words}"));
                set_attr(&option, "value", name);
                append(&select, &option);
            }
            select.into()
        }
        Domain::Int { min, max } => number_input(&min.to_string(), &max.to_string(), "1"),
        Domain::Real { min, max } => number_input(&min.to_string(), &max.to_string(), "any"),
        Domain::IntOrAuto { .. } => text_input("numeric", "auto"),
        Domain::Column => text_input("text", "last"),
        Domain::Sha256 => text_input("text", "any file"),
    };
    set_attr(&control, "id", param.name);
    set_attr(&control, "name", param.name);
    set_attr(
        &control,
        "aria-describedby",
        &format!("{}-hint", param.name),
    );
    control
}

fn text_input(mode: &str, placeholder: &str) -> Element {
    let input = element("input", "", "");
    for (name, value) in [
        ("type", "text"),
        ("inputmode", mode),
        ("placeholder", placeholder),
        ("spellcheck", "false"),
    ] {
        set_attr(&input, name, value);
    }
    input.into()
}

fn number_input(min: &str, max: &str, step: &str) -> Element {
    let input = element("input", "", "");
    for (name, value) in [
        ("type", "number"),
        ("min", min),
        ("max", max),
        ("step", step),
        ("inputmode", "decimal"),
    ] {
        set_attr(&input, name, value);
    }
    input.into()
}

fn range_hint(param: &ParamSpec) -> String {
    match param.domain {
        Domain::Choice(_) => String::new(),
        Domain::Int { min, max } => format!("{} – {}", grouped(min), grouped(max)),
        Domain::Real { min, max } => format!("{min} – {max}"),
        Domain::IntOrAuto { min, max } => format!("auto, or {} – {}", grouped(min), grouped(max)),
        Domain::Column => "last, a number, or a name".into(),
        Domain::Sha256 => "64 hex digits".into(),
    }
}

/// The text currently in a control.
pub fn read(name: &str) -> String {
    let e: Element = by_id(name);
    if let Some(select) = e.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else if let Some(input) = e.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else {
        String::new()
    }
}

/// Shows the experiment's values in the controls, and hides the controls it does not use and those a
/// teacher's link hides (`hide=`).
pub fn show(experiment: &Experiment, hidden_by_link: &[&str]) {
    for param in PARAMS {
        let e: Element = by_id(param.name);
        let value = experiment.get(param.name);
        if let Some(select) = e.dyn_ref::<HtmlSelectElement>() {
            select.set_value(&value);
        } else if let Some(input) = e.dyn_ref::<HtmlInputElement>() {
            if input.value() != value {
                input.set_value(&value);
            }
        }
        let wrapper: HtmlElement = match e.parent_element().and_then(|p| p.dyn_into().ok()) {
            Some(w) => w,
            None => continue,
        };
        wrapper.set_hidden(!experiment.uses(param.param) || hidden_by_link.contains(&param.name));
    }
}
