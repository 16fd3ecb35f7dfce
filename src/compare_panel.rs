//! The compared runs, listed where they can be changed: each one's label (what it ran) with a Remove
//! button, and a row that adds one, an algorithm with settings of its own (`gamma=0.001,B1=2`), as
//! `compare=` in a link does. Adding and removing rewrite the link and rerun, through `App::open_link`,
//! so a setting that cannot be used gets the link's own notice.

use super::dom::{append, by_id, element, set_attr};
use super::view::on;
use super::{with_app, App};
use dynabatch_core::experiment::Alg;
use dynabatch_core::link::{self, run_label, ViewKeys, MAX_COMPARED};
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlInputElement, HtmlSelectElement};

thread_local! {
    /// The labels listed, so the list is rebuilt only when they change (and keeps focus otherwise);
    /// `None` before the first rendering.
    static LISTED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Fills the algorithm menu and wires the buttons.
pub fn build() {
    let menu: HtmlSelectElement = by_id("compare-alg");
    for alg in Alg::ALL {
        let option = element("option", "", alg.label());
        set_attr(&option, "value", alg.name());
        append(&menu, &option);
    }
    on(&by_id::<Element>("compare-add"), "click", |_| add());
    on(&by_id::<Element>("compare-settings"), "keydown", |event| {
        if event
            .dyn_ref::<web_sys::KeyboardEvent>()
            .is_some_and(|k| k.key() == "Enter")
        {
            event.prevent_default();
            add();
        }
    });
    // One listener for every Remove button, which carries its run's index.
    on(&by_id::<Element>("compare-list"), "click", |event| {
        let index = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button[data-remove]").ok().flatten())
            .and_then(|b| b.get_attribute("data-remove"))
            .and_then(|i| i.parse::<usize>().ok());
        if let Some(index) = index {
            with_app(|app| app.remove_compared(index));
        }
    });
}

fn add() {
    let alg = by_id::<HtmlSelectElement>("compare-alg").value();
    let settings: HtmlInputElement = by_id("compare-settings");
    let text = settings.value();
    with_app(|app| app.add_compared(&alg, text.trim()));
    settings.set_value("");
}

/// Lists the compared runs by what each ran; Add is disabled at the most a link allows.
pub fn render(app: &App) {
    let labels: Vec<String> = app
        .view
        .compare
        .iter()
        .map(|c| run_label(&c.experiment(&app.experiment)))
        .collect();
    by_id::<HtmlButtonElement>("compare-add").set_disabled(labels.len() >= MAX_COMPARED);
    if LISTED.with(|l| l.borrow().as_ref() == Some(&labels)) {
        return;
    }
    let list: Element = by_id("compare-list");
    list.set_text_content(None);
    for (i, label) in labels.iter().enumerate() {
        let item = element("li", "", "");
        append(&item, &element("span", "compare-label", label));
        let remove = element("button", "", "Remove");
        set_attr(&remove, "type", "button");
        set_attr(&remove, "data-remove", &i.to_string());
        set_attr(
            &remove,
            "aria-label",
            &format!("Remove the compared run {label}"),
        );
        append(&item, &remove);
        append(&list, &item);
    }
    if labels.is_empty() {
        append(&list, &element("li", "hint", "None: the main run alone."));
    }
    LISTED.with(|l| *l.borrow_mut() = Some(labels));
}

impl App {
    /// Adds a compared run: the link's `compare` with one more, read as a link is (notices included).
    fn add_compared(&mut self, alg: &str, settings: &str) {
        let mut runs: Vec<String> = self.view.compare.iter().map(|c| c.to_text()).collect();
        runs.push(if settings.is_empty() {
            alg.to_string()
        } else {
            format!("{alg}({settings})")
        });
        let rest = ViewKeys {
            compare: Vec::new(),
            ..self.view.clone()
        };
        let compare = js_sys::encode_uri_component(&runs.join(","));
        let query = format!(
            "{}&compare={}",
            link::to_query(&self.experiment, &rest),
            String::from(compare)
        );
        self.open_link(&query);
    }

    fn remove_compared(&mut self, index: usize) {
        if index < self.view.compare.len() {
            let mut view = self.view.clone();
            view.compare.remove(index);
            self.open_link(&link::to_query(&self.experiment, &view));
        }
    }
}
