//! What the page shows (status and notices here; the theory panel and charts in their own modules) and
//! the events that change it.

use super::dom::{by_id, document, element, set_attr};
use super::runner::{Pace, RunHandle, RunState};
use super::{export, faults, with_app, App, Phase};
use dynabatch_core::algorithms::Progress;
use dynabatch_core::theory::Rounds;
use dynabatch_plot::chart::grouped;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, HtmlButtonElement, HtmlElement, HtmlSelectElement, KeyboardEvent, MouseEvent,
};

thread_local! {
    static FRAME: RefCell<Option<Closure<dyn FnMut()>>> = const { RefCell::new(None) };
    static PENDING_INPUT: Cell<Option<i32>> = const { Cell::new(None) };
}

/// Typing in a number box reruns after this pause; leaving the box or pressing Enter reruns at once.
const TYPING_PAUSE_MS: i32 = 450;

/// Asks for the next animation frame; returns its handle.
pub fn schedule_frame() -> Option<i32> {
    FRAME.with(|frame| {
        let mut frame = frame.borrow_mut();
        let callback = frame.get_or_insert_with(|| Closure::new(on_frame));
        web_sys::window()?
            .request_animation_frame(callback.as_ref().unchecked_ref())
            .ok()
    })
}

#[optimize(size)]
fn on_frame() {
    // The next frame is asked for before this one's work: a panic in that work aborts the wasm with a
    // trap, which skips whatever comes after it, and the next frame is where the crash gets shown.
    let next = schedule_frame();
    let drawn = with_app(|app| {
        app.poll();
        let changed = std::mem::take(&mut app.dirty);
        if changed {
            super::charts::invalidate();
        }
        // The canvases first: sizing one reads its layout, which is free while nothing has changed the
        // page yet in this frame, and a forced layout of the whole page after the texts below have.
        super::charts::draw_due(app);
        if changed {
            render(app);
        } else if std::mem::take(&mut app.tune_dirty) {
            super::tune_panel::render(app);
        }
    });
    if drawn.is_some() {
        super::tour::keep_clear();
    }
    if drawn.is_none() {
        // The app is gone for good (see `with_app`): say so once, and stop.
        render_dead_page();
        if let (Some(next), Some(window)) = (next, web_sys::window()) {
            let _ = window.cancel_animation_frame(next);
        }
    }
}

/// The failure of a page whose app is gone, drawn from the DOM and the panic record alone: the app's
/// state cannot be read, and drawing it may be what failed.
fn render_dead_page() {
    render_state(RunState::Error, &error_alert(&faults::trap_sentence()));
}

/// The state badge, the alert (hidden when empty) and the Reload button, which errors offer.
fn render_state(state: RunState, alert: &str) {
    let badge: HtmlElement = by_id("state");
    badge.set_text_content(Some(state.name()));
    set_attr(&badge, "data-state", state.name());
    let alert_box: HtmlElement = by_id("alert");
    alert_box.set_text_content(Some(alert));
    alert_box.set_hidden(alert.is_empty());
    by_id::<HtmlElement>("reload").set_hidden(state != RunState::Error);
}

fn error_alert(error: &str) -> String {
    format!("Error: {error} Reload the page to try again.")
}

fn render(app: &mut App) {
    if !app.rows().is_empty() {
        faults::inject_on_main_thread(app.view.fault);
    }
    // Before the texts, as the charts (`on_frame`).
    super::landscape_view::render(app);
    render_status(app);
    render_notices(app);
    super::theory_panel::render(app);
    super::compare_panel::render(app);
    super::charts::render_legend(app);
    app.tune_dirty = false;
    super::tune_panel::render(app);
    super::nodes_view::render(app);
    super::user_data::render(app);
}

fn render_status(app: &App) {
    let last = app.rows().last();
    let e = &app.experiment;
    let progress = format!(
        "round {} of {}{} · {} of {} SFO per node",
        grouped(last.map_or(0, |r| r.round)),
        match app.prediction.rounds {
            Rounds::Exact(_) => "",
            Rounds::Between { .. } => "at most ",
        },
        grouped(app.prediction.rounds.most()),
        grouped(last.map_or(0, |r| r.sfo)),
        grouped(e.budget)
    );
    // A run ends when no further round of its schedule fits T: say where the rest of the budget went, or
    // a student reads 5,461 of 20,000 as a run cut short.
    let unspent = match last {
        Some(r)
            if app.runs.first().is_some_and(|m| m.state == RunState::Done) && r.sfo < e.budget =>
        {
            format!(
                " · {} unused: no further round fits T",
                grouped(e.budget - r.sfo)
            )
        }
        _ => String::new(),
    };
    let progress = progress + &unspent;
    by_id::<Element>("progress").set_text_content(Some(&progress));
    let alert = match (&app.phase, app.state()) {
        (Phase::Failed(error), _) => error_alert(error),
        (_, RunState::Diverged) => format!(
            "Diverged: {}. Try a smaller step size γ.",
            Progress::divergence(
                &app.main_run()
                    .and_then(|r| r.diverged_quantity())
                    .unwrap_or_else(|| "loss".to_string()),
                last.map_or(0, |r| r.round)
            )
        ),
        _ => String::new(),
    };
    render_state(app.state(), &alert);
    let play: HtmlButtonElement = by_id("play");
    play.set_text_content(Some(if app.state() == RunState::Running {
        "❚❚ Pause"
    } else {
        "▶ Play"
    }));
    set_attr(
        &play,
        "aria-pressed",
        if app.state() == RunState::Running {
            "true"
        } else {
            "false"
        },
    );
    by_id::<HtmlButtonElement>("step").set_disabled(app.state().is_over());
    let pin: HtmlButtonElement = by_id("pin");
    pin.set_text_content(Some(if app.pinned.is_some() {
        "Unpin"
    } else {
        "Pin run"
    }));
    set_attr(
        &pin,
        "aria-pressed",
        if app.pinned.is_some() {
            "true"
        } else {
            "false"
        },
    );
}

/// `embed=1`: a compact layout for an iframe in slides.
pub fn apply_layout(view: &dynabatch_core::link::ViewKeys) {
    if let Some(body) = document().body() {
        body.class_list()
            .toggle_with_force("embed", view.embed)
            .ok();
    }
}

fn render_notices(app: &App) {
    let list: HtmlElement = by_id("notices");
    list.set_text_content(None);
    for notice in &app.notices {
        let _ = list.append_child(&element("li", "", &notice.message()));
    }
    list.set_hidden(app.notices.is_empty());
}

pub(crate) fn on(target: &web_sys::EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget(); // listeners live as long as the page
}

fn target_id(event: &Event) -> String {
    event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .map(|e| e.id())
        .unwrap_or_default()
}

fn button(id: &str, action: fn(&mut App)) {
    on(&by_id::<Element>(id), "click", move |_| {
        with_app(action);
    });
}

/// Wires every control, button and key.
#[optimize(size)]
pub fn listen() {
    let form: Element = by_id("controls");
    on(&form, "change", |event| {
        cancel_pending_input();
        with_app(|app| app.control_changed(&target_id(&event)));
    });
    on(&form, "input", |event| {
        let id = target_id(&event);
        cancel_pending_input();
        let Some(window) = web_sys::window() else {
            return;
        };
        let rerun = Closure::once_into_js(move || {
            PENDING_INPUT.with(|p| p.set(None));
            with_app(|app| app.control_changed(&id));
        });
        if let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            rerun.unchecked_ref(),
            TYPING_PAUSE_MS,
        ) {
            PENDING_INPUT.with(|p| p.set(Some(handle)));
        }
    });
    on(&form, "submit", |event| event.prevent_default());
    button("play", App::play_pause);
    button("step", App::step);
    button("reset", App::reset);
    button("copy", |_| copy_link());
    button("pin", App::toggle_pin);
    on(&by_id::<Element>("reload"), "click", |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });
    on(
        &by_id::<Element>("chart-landscape"),
        "click",
        super::landscape_view::on_click,
    );
    for id in super::hover::CHART_IDS {
        let canvas = by_id::<Element>(id);
        on(&canvas, "mousemove", super::hover::on_move);
        on(&canvas, "mouseleave", super::hover::on_leave);
    }
    button("download-csv", |app| {
        export::download_text("dynabatch-runs.csv", "text/csv", &export::csv(app))
    });
    button("download-json", |app| {
        export::download_text(
            "dynabatch-runs.json",
            "application/json",
            &export::json(app),
        )
    });
    button("download-png", |app| export::download_png(app));
    // A preset is a plain link (it works in a new tab too); here it opens in place, without a reload.
    on(&by_id::<Element>("presets-list"), "click", |event| {
        let target = event.target().and_then(|t| t.dyn_into::<Element>().ok());
        let name = target
            .and_then(|t| t.get_attribute("data-preset"))
            .unwrap_or_default();
        if let Some(preset) = dynabatch_core::presets::find(&name) {
            event.prevent_default();
            with_app(|app| app.open_link(preset.query));
        }
    });
    button("tune", App::start_tuning);
    button("tune-cancel", App::cancel_tuning);
    button("tune-close", App::close_tuning);
    // Links to another experiment (the tuned link and the user's, the theory panel's contrasts) open in
    // place; a modified click (a new tab or window) follows the plain link.
    on(&document(), "click", |event| {
        let Some(mouse) = event.dyn_ref::<MouseEvent>() else {
            return;
        };
        if mouse.ctrl_key() || mouse.meta_key() || mouse.shift_key() || mouse.alt_key() {
            return;
        }
        let query = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("a[data-open]").ok().flatten())
            .and_then(|a| a.get_attribute("data-open"));
        if let Some(query) = query {
            event.prevent_default();
            with_app(|app| app.open_link(&query));
        }
    });
    // Back and Forward between the user's link and the tuned one (the only history entries the page adds).
    if let Some(window) = web_sys::window() {
        on(&window, "popstate", |_| {
            let search = web_sys::window()
                .and_then(|w| w.location().search().ok())
                .unwrap_or_default();
            let query = search.trim_start_matches('?');
            // A history step within the same link (a fragment) reruns nothing.
            with_app(|app| {
                if query != dynabatch_core::link::to_query(&app.experiment, &app.view) {
                    app.open_link(query);
                }
            });
        });
    }
    on(&by_id::<Element>("pace"), "change", |_| {
        let fast = by_id::<HtmlSelectElement>("pace").value() == "fast";
        with_app(|app| {
            app.pace = if fast { Pace::Fast } else { Pace::Watch };
            app.restart(false);
        });
    });
    if let Some(window) = web_sys::window() {
        on(&window, "resize", |_| {
            with_app(|app| app.dirty = true);
        });
    }
    // The page's CSS follows a new colour scheme by itself; the canvases are drawn again in its colours.
    if let Some(scheme) = super::dom::scheme_changes() {
        on(&scheme, "change", |_| {
            with_app(|app| app.dirty = true);
        });
    }
    on(&document(), "keydown", on_key);
    super::user_data::listen();
}

fn cancel_pending_input() {
    if let (Some(handle), Some(window)) = (PENDING_INPUT.with(Cell::take), web_sys::window()) {
        window.clear_timeout_with_handle(handle);
    }
}

/// Space: play/pause, →: step, r: reset (as in TensorFlow Playground), except while typing in a control.
/// A focused button already answers Space with a click, so Space is left to it.
fn on_key(event: Event) {
    let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    let tag = event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .map(|e| e.tag_name())
        .unwrap_or_default();
    let typing = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
    // The tour's dialog has keys of its own.
    if typing || super::tour::is_open() || key.ctrl_key() || key.meta_key() || key.alt_key() {
        return;
    }
    let action: fn(&mut App) = match key.key().as_str() {
        " " if tag == "BUTTON" => return,
        " " => App::play_pause,
        "ArrowRight" => App::step,
        "r" | "R" => App::reset,
        _ => return,
    };
    event.prevent_default();
    with_app(action);
}

fn copy_link() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let link = window.location().href().unwrap_or_default();
    let copied = window.navigator().clipboard().write_text(&link);
    wasm_bindgen_futures::spawn_local(async move {
        let ok = wasm_bindgen_futures::JsFuture::from(copied).await.is_ok();
        let copy: HtmlButtonElement = by_id("copy");
        copy.set_text_content(Some(if ok {
            "✓ Link copied"
        } else {
            "Copy failed: use the address bar"
        }));
    });
}
