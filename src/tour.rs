//! The guided tour: a few steps, each outlining one part of the page and saying in two sentences what to
//! notice. A dialog (`role="dialog"` in index.html): Next, Back and Esc work, Tab stays inside it, and
//! closing it gives focus back to where it was. `tour=1` in a link opens it; a first visit offers it once.
//! Its words are the core's (`presets::TOUR`), about one story's runs (`presets::TOUR_STORY`, checked by
//! `crates/core/tests/stories.rs`): a link with `tour=1` opens that story (`presets::parse_page`), and
//! the tour's button loads it first, with a history entry, so Back returns to the run that was shown.

use super::dom::{by_id, document, set_attr};
use super::{with_app, App};
use dynabatch_core::link;
use dynabatch_core::presets::{story_of, TOUR as STEPS, TOUR_STORY};
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlButtonElement, HtmlElement, KeyboardEvent};

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
    on("tour-start", "click", |_| {
        with_app(load_story);
        open();
    });
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

/// Loads the tour's story, unless it is on screen, with a history entry for the run shown before.
fn load_story(app: &mut App) {
    if story_of(&app.experiment, &app.view).is_some_and(|s| s.name == TOUR_STORY.name) {
        return;
    }
    let (experiment, view, _) = link::parse(TOUR_STORY.query);
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let query = format!("?{}", link::to_query(&experiment, &view));
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&query));
    }
    app.open_link(TOUR_STORY.query);
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
    }
}

/// Gap in CSS pixels kept between the dialog, its target and the window's edges.
const GAP: f64 = 16.0;

/// Puts the step's target in view where the dialog can stay clear of it: if it does not fit between the
/// window's top and the room the dialog needs at the bottom, it is scrolled up to the top. Instant, not
/// smooth: no motion for those who asked for none, and none needed for others.
fn scroll_to(step: usize) {
    let (Some(target), Some(window)) = (
        document().get_element_by_id(STEPS[step].target),
        web_sys::window(),
    ) else {
        return;
    };
    let rect = target.get_bounding_client_rect();
    if rect.top() < 0.0 || rect.bottom() > window_height() - dialog_room() {
        window.scroll_by_with_x_and_y(0.0, rect.top() - GAP);
    }
}

fn window_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0)
}

/// The height the dialog takes, with a gap on either side.
fn dialog_room() -> f64 {
    by_id::<HtmlElement>("tour").offset_height() as f64 + 2.0 * GAP
}

/// Puts the dialog at the bottom of the window, or at its top where the bottom would cover the target
/// and the top would not. Cheap enough for every frame while the tour is open: the page's layout moves
/// as its charts and controls fill in, and the user may scroll.
fn choose_side(step: usize) {
    let Some(target) = document().get_element_by_id(STEPS[step].target) else {
        return;
    };
    let rect = target.get_bounding_client_rect();
    let room = dialog_room();
    let covers_bottom = rect.bottom() > window_height() - room && rect.top() < window_height();
    let top_is_clear = rect.top() >= room || rect.bottom() <= 0.0;
    let _ = by_id::<HtmlElement>("tour")
        .class_list()
        .toggle_with_force("tour-top", covers_bottom && top_is_clear);
}

fn show(step: usize) {
    if let Some(before) = STEP.with(|s| s.replace(Some(step))) {
        outline(before, false);
    }
    outline(step, true);
    let (title, text) = (STEPS[step].title, STEPS[step].text);
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
    scroll_to(step);
    choose_side(step);
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

/// Keeps the open dialog off its target as the page's layout changes (called every frame).
pub fn keep_clear() {
    if let Some(step) = STEP.with(Cell::get) {
        choose_side(step);
    }
}
