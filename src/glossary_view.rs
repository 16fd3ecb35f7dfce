//! The glossary, where a student meets the terms: a panel listing every term (`#glossary`), and "?" marks
//! beside the controls, the theory panel's μ, L and κ and the charts' captions, which open the term's
//! definition on a tap, a click or Enter, and close on Esc, another tap or a second press. The words are
//! the core's `glossary` (a parameter's entry is its control's tooltip), as `dynabatch glossary` prints.

use super::dom::{append, by_id, document, element, set_attr};
use super::view::on;
use dynabatch_core::glossary::{term, Term, TERMS};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// A "?" mark for this term: a button that opens its definition.
pub fn mark(term: &Term) -> Element {
    let button = element("button", "term-mark", "?");
    set_attr(&button, "type", "button");
    set_attr(&button, "data-term", term.key);
    set_attr(&button, "aria-label", &format!("What is {}?", term.name));
    set_attr(&button, "aria-expanded", "false");
    set_attr(&button, "aria-controls", "term-pop");
    button.into()
}

/// Lists every term in the glossary panel, fills the page's own marks' labels and the theory panel's
/// tooltips from the same words, and wires every mark.
pub fn build() {
    let list: Element = by_id("glossary");
    for t in TERMS {
        let name = element("dt", "", t.name);
        set_attr(&name, "id", &format!("term-{}", t.key));
        append(&list, &name);
        append(&list, &element("dd", "", t.definition()));
    }
    // The marks written in index.html, and the tooltips beside them.
    if let Ok(marks) = document().query_selector_all("button.term-mark[data-term]") {
        for i in 0..marks.length() {
            let Some(mark) = marks.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            if let Some(t) = mark.get_attribute("data-term").and_then(|k| term(&k)) {
                set_attr(&mark, "aria-label", &format!("What is {}?", t.name));
                set_attr(&mark, "aria-expanded", "false");
                set_attr(&mark, "aria-controls", "term-pop");
                if let Some(holder) = mark.closest("[data-term-tooltip]").ok().flatten() {
                    set_attr(&holder, "title", t.definition());
                }
            }
        }
    }
    on(&document(), "click", |event| {
        let clicked = event.target().and_then(|t| t.dyn_into::<Element>().ok());
        let mark = clicked
            .as_ref()
            .and_then(|t| t.closest("button.term-mark[data-term]").ok().flatten());
        match mark {
            Some(mark) => toggle(&mark),
            // A tap inside the definition leaves it open; anywhere else closes it.
            None if clicked.is_some_and(|t| t.closest("#term-pop").ok().flatten().is_none()) => {
                close()
            }
            None => {}
        }
    });
    on(&document(), "keydown", |event| {
        if event
            .dyn_ref::<KeyboardEvent>()
            .is_some_and(|k| k.key() == "Escape")
        {
            close();
        }
    });
}

/// Opens the mark's definition under it, or closes it if it is the one open.
fn toggle(mark: &Element) {
    let pop: HtmlElement = by_id("term-pop");
    let open = mark.get_attribute("aria-expanded").as_deref() == Some("true");
    close();
    if open {
        return;
    }
    let Some(t) = mark.get_attribute("data-term").and_then(|k| term(&k)) else {
        return;
    };
    pop.set_text_content(None);
    append(&pop, &element("strong", "", t.name));
    append(&pop, &element("span", "", &format!(" {}", t.definition())));
    // Under the mark, inside the window; the page scrolls, so page coordinates.
    let rect = mark.get_bounding_client_rect();
    let window = web_sys::window();
    let (scroll_x, scroll_y, width) = window.as_ref().map_or((0.0, 0.0, 800.0), |w| {
        (
            w.scroll_x().unwrap_or(0.0),
            w.scroll_y().unwrap_or(0.0),
            w.inner_width()
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(800.0),
        )
    });
    let pop_width = (width - 24.0).min(320.0);
    let left = rect.left().min(width - pop_width - 12.0).max(12.0);
    set_attr(
        &pop,
        "style",
        &format!(
            "left: {}px; top: {}px; width: {pop_width}px",
            left + scroll_x,
            rect.bottom() + scroll_y + 6.0
        ),
    );
    pop.set_hidden(false);
    set_attr(mark, "aria-expanded", "true");
}

fn close() {
    by_id::<HtmlElement>("term-pop").set_hidden(true);
    if let Ok(open) = document().query_selector_all("button.term-mark[aria-expanded=\"true\"]") {
        for i in 0..open.length() {
            if let Some(mark) = open.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                set_attr(&mark, "aria-expanded", "false");
            }
        }
    }
}
