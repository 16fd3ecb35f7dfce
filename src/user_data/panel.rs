//! The "Your data" panel (the file picker, the file held and its summary, the files kept) and the box
//! in the status panel that says what a problem=data experiment waits for ("this experiment uses FILE
//! (SHA-256 …); drop it here"). A file may be dropped anywhere on the page.

use super::{Activity, App};
use crate::dom::{by_id, document, element, set_attr, set_hidden, set_text};
use crate::view::on;
use crate::with_app;
use dynabatch_core::data::file::{size_text, Sha256};
use dynabatch_core::experiment::ProblemKind;
use dynabatch_core::text::shorten;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, Element, Event, HtmlElement, HtmlInputElement, HtmlProgressElement};

thread_local! {
    /// The timer that ends the "drop it here" look once files stop being dragged over the page.
    static DRAG_END: Cell<Option<i32>> = const { Cell::new(None) };
}

/// How long after the last `dragover` the page stops looking ready for a drop (the browser sends one
/// every 50 ms or so while a file is held over the page; leaving the window sends none).
const DRAG_END_MS: i32 = 200;

pub fn listen() {
    let input: HtmlInputElement = by_id("data-input");
    on(&input, "change", |_| {
        let input: HtmlInputElement = by_id("data-input");
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            let name = file.name();
            with_app(|app| app.bring(file.into(), name));
        }
        // The same file chosen again is a change again.
        input.set_value("");
    });
    // The status panel's box asks with a button of its own (a label would not take the keyboard's focus).
    on(&by_id::<Element>("data-wait-button"), "click", |_| {
        by_id::<HtmlInputElement>("data-input").click();
    });
    on(&document(), "dragover", |event| {
        if !carries_files(&event) {
            return;
        }
        // Without this the browser opens the file itself.
        event.prevent_default();
        if let Some(transfer) = event
            .dyn_ref::<DragEvent>()
            .and_then(DragEvent::data_transfer)
        {
            transfer.set_drop_effect("copy");
        }
        show_drop_target(true);
    });
    on(&document(), "drop", |event| {
        if !carries_files(&event) {
            return;
        }
        event.prevent_default();
        show_drop_target(false);
        let file = event
            .dyn_ref::<DragEvent>()
            .and_then(DragEvent::data_transfer)
            .and_then(|transfer| transfer.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            let name = file.name();
            with_app(|app| app.bring(file.into(), name));
        }
    });
    on(&by_id::<Element>("data-files"), "click", |event| {
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button").ok().flatten())
        else {
            return;
        };
        let sha = |name: &str| {
            button
                .get_attribute(name)
                .and_then(|hex| Sha256::from_hex(&hex))
        };
        if let Some(sha256) = sha("data-use") {
            with_app(|app| app.use_kept(sha256));
        } else if let Some(sha256) = sha("data-forget") {
            with_app(|app| app.forget_kept(sha256));
        }
    });
}

/// Whether a drag carries files (and not text or a link from another page).
fn carries_files(event: &Event) -> bool {
    event
        .dyn_ref::<DragEvent>()
        .and_then(DragEvent::data_transfer)
        .is_some_and(|transfer| transfer.types().iter().any(|t| t == "Files"))
}

/// Outlines the page as a drop target while files are dragged over it.
fn show_drop_target(shown: bool) {
    if let Some(body) = document().body() {
        let _ = body.class_list().toggle_with_force("dropping", shown);
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(timer) = DRAG_END.with(Cell::take) {
        window.clear_timeout_with_handle(timer);
    }
    if shown {
        let end = Closure::once_into_js(|| show_drop_target(false));
        if let Ok(timer) = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(end.unchecked_ref(), DRAG_END_MS)
        {
            DRAG_END.with(|t| t.set(Some(timer)));
        }
    }
}

pub fn render(app: &App) {
    render_progress(app);
    render_held(app);
    render_kept(app);
    render_wait(app);
}

/// What is being read or fetched, how far, of how much.
struct Progress {
    text: String,
    done: u64,
    total: Option<u64>,
}

fn progress(app: &App) -> Option<Progress> {
    match &app.data.activity {
        Activity::Idle => None,
        Activity::Looking => Some(Progress {
            text: format!("Looking for {} in this browser…", wanted_name(app)),
            done: 0,
            total: None,
        }),
        Activity::Fetching {
            url,
            received,
            total,
        } => Some(Progress {
            text: format!("Fetching {} from {}…", wanted_name(app), host_of(url)),
            done: *received,
            total: *total,
        }),
        Activity::Queued(file) => Some(Progress {
            text: format!("Reading {}…", shorten(&file.name)),
            done: 0,
            total: Some(file.blob.size() as u64),
        }),
        Activity::Reading { file, read } => Some(Progress {
            text: format!("Reading {}…", shorten(&file.name)),
            done: super::ReadHandle::bytes_read(read),
            total: Some(file.blob.size() as u64),
        }),
    }
}

/// The progress bar and its words, in the panel and in the status panel's box alike.
fn show_progress(bar_id: &str, text_id: &str, progress: Option<&Progress>) {
    let bar: HtmlProgressElement = by_id(bar_id);
    let text: HtmlElement = by_id(text_id);
    set_hidden(&bar, progress.is_none());
    set_hidden(&text, progress.is_none());
    let Some(progress) = progress else {
        return;
    };
    let amount = match progress.total {
        Some(total) if total > 0 => {
            bar.set_max(total as f64);
            bar.set_value(progress.done as f64);
            // In the file's unit, so that the two read alike ("5.2 of 23.0 MB").
            match size_text(total).split_once(' ') {
                Some((_, "MB")) => format!(" {:.1} of {:.1} MB", mb(progress.done), mb(total)),
                _ => format!(" {} of {}", size_text(progress.done), size_text(total)),
            }
        }
        _ => {
            // An indeterminate bar: it has no value.
            let _ = bar.remove_attribute("value");
            if progress.done > 0 {
                format!(" {:.1} MB", mb(progress.done))
            } else {
                String::new()
            }
        }
    };
    set_text(&text, &format!("{}{amount}", progress.text));
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// How far a read or fetch is, in the panel and in the status panel's box: every frame while one is
/// under way (nothing is written when nothing moved).
pub fn render_progress(app: &App) {
    let progress = progress(app);
    show_progress("data-progress", "data-progress-text", progress.as_ref());
    let asks = app.waits_for_file();
    show_progress(
        "data-wait-progress",
        "data-wait-progress-text",
        progress.as_ref().filter(|_| !asks),
    );
}

/// The file held: its name, what it holds, its hash, and whether the runs are on it.
fn render_held(app: &App) {
    let summary: HtmlElement = by_id("data-summary");
    let hint: HtmlElement = by_id("data-hint");
    let Some(held) = &app.data.held else {
        set_hidden(&summary, true);
        set_hidden(&hint, true);
        return;
    };
    set_text(&hint, held.info.hint.as_deref().unwrap_or_default());
    set_hidden(&hint, held.info.hint.is_none());
    set_hidden(&summary, false);
    let in_use = app.data.run_data(&app.experiment).is_some();
    set_text(
        &by_id::<Element>("data-name"),
        &format!(
            "{} ({}){}",
            held.name,
            size_text(held.info.bytes),
            if in_use { "" } else { ", not in use" }
        ),
    );
    set_text(&by_id::<Element>("data-holds"), &held.info.summary);
    set_text(&by_id::<Element>("data-sha"), &held.sha256.to_string());
}

/// The files kept in this browser, each with Use and Forget.
fn render_kept(app: &App) {
    let list: HtmlElement = by_id("data-files");
    set_hidden(
        &by_id::<HtmlElement>("data-files-title"),
        app.data.kept.is_empty(),
    );
    set_hidden(&list, app.data.kept.is_empty());
    let in_use = app
        .data
        .run_data(&app.experiment)
        .and(app.data.held.as_ref())
        .map(|held| held.sha256);
    // Rebuilt only when it changes: a click must not land on a button replaced under the pointer.
    let key: String = app
        .data
        .kept
        .iter()
        .map(|k| {
            format!(
                "{}{}",
                k.sha256,
                if Some(k.sha256) == in_use { "*" } else { "" }
            )
        })
        .collect();
    if list.get_attribute("data-key").as_deref() == Some(key.as_str()) {
        return;
    }
    set_attr(&list, "data-key", &key);
    list.set_text_content(None);
    for kept in &app.data.kept {
        let used = Some(kept.sha256) == in_use;
        let item = element("li", "data-file", "");
        if used {
            set_attr(&item, "aria-current", "true");
        }
        let about = element("span", "data-file-about", "");
        let _ = about.append_child(&element("strong", "", &kept.name));
        let _ = about.append_child(&element(
            "small",
            "",
            &format!("{} · {}", size_text(kept.bytes), kept.summary),
        ));
        let _ = item.append_child(&about);
        let hex = kept.sha256.to_string();
        let use_it = list_button(
            if used { "In use" } else { "Use" },
            ("data-use", &hex),
            &format!("Train on {} (SHA-256 {hex})", kept.name),
        );
        if used {
            set_attr(&use_it, "disabled", "");
        }
        let forget = list_button(
            "Forget",
            ("data-forget", &hex),
            &format!("Remove {} from this browser's storage", kept.name),
        );
        let _ = item.append_child(&use_it);
        let _ = item.append_child(&forget);
        let _ = list.append_child(&item);
    }
}

/// A button of the kept files' list: `action` (`data-use`, `data-forget`) is its attribute that names the
/// file's hash.
fn list_button(text: &str, (action, hex): (&str, &str), title: &str) -> HtmlElement {
    let button = element("button", "", text);
    set_attr(&button, "type", "button");
    set_attr(&button, action, hex);
    set_attr(&button, "title", title);
    button
}

/// The status panel's box, while a problem=data experiment has no file to run on: what it waits for,
/// or what it asks for.
fn render_wait(app: &App) {
    let wait: HtmlElement = by_id("data-wait");
    let waiting =
        app.experiment.problem == ProblemKind::Data && app.data.run_data(&app.experiment).is_none();
    set_hidden(&wait, !waiting);
    if !waiting {
        return;
    }
    let asks = app.waits_for_file();
    let pinned = app.experiment.data_sha256.filter(|_| asks);
    let text = match (asks, pinned) {
        (true, Some(_)) => format!(
            "This experiment uses {}, which this browser does not have: drop it here. It is checked \
             against its hash, and kept in this browser for next time.",
            wanted_name(app)
        ),
        (true, None) => "This experiment trains on a data file of yours: drop a CSV or LIBSVM file \
                         here. It is kept in this browser for next time."
            .to_string(),
        (false, _) => String::new(),
    };
    set_text(&by_id::<Element>("data-wait-text"), &text);
    set_hidden(&by_id::<HtmlElement>("data-wait-text"), !asks);
    set_text(
        &by_id::<Element>("data-wait-sha"),
        &pinned.map(|sha256| sha256.to_string()).unwrap_or_default(),
    );
    set_hidden(&by_id::<HtmlElement>("data-wait-hash"), pinned.is_none());
    set_hidden(&by_id::<HtmlElement>("data-wait-choose"), !asks);
    set_attr(&wait, "data-asks", if asks { "true" } else { "false" });
}

/// The file the experiment asks for, by name if the link gives one.
fn wanted_name(app: &App) -> String {
    app.view
        .data_file
        .as_deref()
        .map_or_else(|| "its data file".to_string(), shorten)
}

/// The host of an address, for "Fetching iris.csv from raw.githubusercontent.com".
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    shorten(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}
