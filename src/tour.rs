//! The guided tour: a few steps, each outlining one part of the page and saying in two sentences what to
//! notice. A dialog (`role="dialog"` in index.html): Next, Back and Esc work, Tab stays inside it, and
//! closing it gives focus back to where it was. `tour=1` in a link opens it; a first visit offers it once.

use super::dom::{by_id, document, set_attr};
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlButtonElement, HtmlElement, KeyboardEvent};

/// One step: the element it outlines, its title and its two sentences.
struct Step {
    target: &'static str,
    title: &'static str,
    text: &'static str,
}

const STEPS: [Step; 6] = [
    Step {
        target: "figure-sfo",
        title: "Progress per sample",
        text: "Each curve is one run against the samples each node has used, on the same problem, seed and \
               budget. Notice that they fall together: growing batches cost no progress per sample.",
    },
    Step {
        target: "figure-rounds",
        title: "Communication rounds",
        text: "The same runs against the rounds they took, on a log axis. CR-PSGD is done in about 140 \
               rounds where fixed-batch PSGD takes one round per batch, 20,000.",
    },
    Step {
        target: "figure-batch",
        title: "The batch schedule",
        text: "CR-PSGD multiplies its batch by ρ every round, so its budget goes in a few large rounds. \
               PSGD keeps one small batch all the way.",
    },
    Step {
        target: "counters",
        title: "The rounds counter",
        text: "These count the main run's rounds and samples per node as they happen. Watch the samples \
               reach the budget while the rounds stay few.",
    },
    Step {
        target: "node-boxes",
        title: "The nodes",
        text: "Each box is one node in the latest round, with its batch and the Web Worker thread that \
               computed it. After every round the nodes average their results: one all-reduce.",
    },
    Step {
        target: "copy",
        title: "The share link",
        text: "The address bar always holds a link that reproduces this run exactly, here or with the \
               dynabatch command line tool. Copy it, or pick a guided story at the top.",
    },
];

/// Remembers that a first visit was offered the tour, so it is offered once.
const OFFERED_KEY: &str = "dynabatch.tour-offered";

thread_local! {
    /// The step on screen, if the tour is open.
    static STEP: Cell<Option<usize>> = const { Cell::new(None) };
    /// What had focus before the tour opened, to give it back.
    static RETURN_FOCUS: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
}

pub fn is_open() -> bool {
    STEP.with(Cell::get).is_some()
}

/// Wires the tour's buttons and keys; offers the tour on a first visit (never for an embedded page).
pub fn build(open_now: bool, embedded: bool) {
    on("tour-start", "click", |_| open());
    on("tour-next", "click", |_| next());
    on("tour-back", "click", |_| go(-1));
    on("tour-close", "click", |_| close());
    on("tour", "keydown", on_key);
    if open_now {
        open();
    } else if !embedded && first_visit() {
        let _ = by_id::<Element>("tour-offer").class_list().add_1("offered");
    }
}

/// Whether this browser has not been offered the tour before; remembers that it now has. Storage that
/// is blocked counts as seen: no offer rather than one on every visit.
fn first_visit() -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return false;
    };
    let first = matches!(storage.get_item(OFFERED_KEY), Ok(None));
    let _ = storage.set_item(OFFERED_KEY, "1");
    first
}

fn on(id: &str, event: &str, handler: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = by_id::<Element>(id)
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget(); // listeners live as long as the page
}

pub fn open() {
    if !is_open() {
        let focused = document()
            .active_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        RETURN_FOCUS.with(|r| *r.borrow_mut() = focused);
    }
    let _ = by_id::<Element>("tour-offer")
        .class_list()
        .remove_1("offered");
    by_id::<HtmlElement>("tour").set_hidden(false);
    show(0);
    let _ = by_id::<HtmlElement>("tour-next").focus();
}

fn close() {
    if let Some(step) = STEP.with(Cell::take) {
        outline(step, false);
    }
    by_id::<HtmlElement>("tour").set_hidden(true);
    if let Some(back) = RETURN_FOCUS.with(RefCell::take) {
        let _ = back.focus();
    }
}

fn next() {
    match STEP.with(Cell::get) {
        Some(step) if step + 1 == STEPS.len() => close(),
        _ => go(1),
    }
}

fn go(by: isize) {
    if let Some(step) = STEP.with(Cell::get) {
        let to = step.saturating_add_signed(by).min(STEPS.len() - 1);
        show(to);
    }
}

fn outline(step: usize, on: bool) {
    if let Some(target) = document().get_element_by_id(STEPS[step].target) {
        let _ = target.class_list().toggle_with_force("tour-target", on);
        if on {
            // Instant, not smooth: no motion for those who asked for none, and none needed for others.
            target.scroll_into_view_with_bool(false);
        }
    }
}

fn show(step: usize) {
    if let Some(before) = STEP.with(|s| s.replace(Some(step))) {
        outline(before, false);
    }
    outline(step, true);
    let Step { title, text, .. } = &STEPS[step];
    by_id::<Element>("tour-count").set_text_content(Some(&format!(
        "Tour · step {} of {}",
        step + 1,
        STEPS.len()
    )));
    by_id::<Element>("tour-title").set_text_content(Some(title));
    by_id::<Element>("tour-text").set_text_content(Some(text));
    by_id::<HtmlButtonElement>("tour-back").set_disabled(step == 0);
    let next: HtmlButtonElement = by_id("tour-next");
    next.set_text_content(Some(if step + 1 == STEPS.len() {
        "Done"
    } else {
        "Next ›"
    }));
    set_attr(
        &next,
        "aria-label",
        if step + 1 == STEPS.len() {
            "Done: close the tour"
        } else {
            "Next step"
        },
    );
}

/// Esc closes; Tab and Shift+Tab cycle through the dialog's enabled buttons and never leave it.
fn on_key(event: Event) {
    let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    match key.key().as_str() {
        "Escape" => {
            event.prevent_default();
            close();
        }
        "Tab" => {
            let buttons: Vec<HtmlElement> = ["tour-back", "tour-next", "tour-close"]
                .into_iter()
                .map(by_id::<HtmlButtonElement>)
                .filter(|b| !b.disabled())
                .map(Into::into)
                .collect();
            let focused = document().active_element();
            let at = buttons
                .iter()
                .position(|b| focused.as_ref() == Some(b.as_ref()));
            let count = buttons.len();
            let to = match (at, key.shift_key()) {
                (Some(i), false) => (i + 1) % count,
                (Some(i), true) => (i + count - 1) % count,
                (None, _) => 0,
            };
            event.prevent_default();
            let _ = buttons[to].focus();
        }
        _ => {}
    }
}
