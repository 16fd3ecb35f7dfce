//! Faults made visible. A panic anywhere (the page or a Web Worker) is recorded in shared memory, so
//! the main thread sees it on its next frame and shows an error with a way out, instead of waiting
//! forever for a worker that has died. A panic on the main thread itself aborts the wasm with a trap
//! inside the app, which stays borrowed for good: the next frame shows it without the app
//! (`view::on_frame`).

use dynabatch_core::link::Fault;
use std::sync::OnceLock;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

static PANIC: OnceLock<String> = OnceLock::new();
static FAILURE: OnceLock<String> = OnceLock::new();

/// Chains onto the existing hook (which logs to the console). The hook is process-wide, and the
/// process is every thread of this wasm instance, so one call covers the workers too.
pub fn install() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = PANIC.set(info.to_string());
        previous(info);
    }));
}

/// Records a panic that happened outside this instance (in a Web Worker of the serial build): the page
/// treats it as one that happened here. Only the first one is kept.
#[cfg(not(feature = "threads"))]
pub fn record_panic(message: String) {
    let _ = PANIC.set(message);
}

/// Records a Web Worker of the serial build that failed without panicking (it did not load, or did not
/// start in time), as the sentence the page shows. Only the first one is kept.
#[cfg(not(feature = "threads"))]
pub fn record_failure(sentence: String) {
    let _ = FAILURE.set(sentence);
}

/// The first failure recorded with `record_failure`.
pub fn failure() -> Option<&'static str> {
    FAILURE.get().map(String::as_str)
}

/// The first panic's message, once one happened.
pub fn crashed() -> Option<&'static str> {
    PANIC.get().map(String::as_str)
}

/// The first panic as the page says it.
pub fn crash_sentence() -> Option<String> {
    crashed().map(|message| format!("The computation crashed ({}).", message.replace('\n', " ")))
}

/// Why the app is gone (see `with_app`): the panic that trapped, if one was recorded, else a trap
/// that no panic preceded (running out of memory, a stack overflow).
pub fn trap_sentence() -> String {
    crash_sentence()
        .unwrap_or_else(|| "The page stopped on a fault inside its WebAssembly module.".to_string())
}

/// The link's `fault=main-panic`: a panic on the main thread while the app is borrowed, as a bug in
/// drawing would be. (`fault=panic` panics on a Web Worker instead: `runner::Driver`.)
pub fn inject_on_main_thread(fault: Option<Fault>) {
    if fault == Some(Fault::MainPanic) {
        panic!("fault injected by the link's fault=main-panic, when the first rows were drawn");
    }
}

/// Calls `give_up` with the limit's message once `POOL_START_LIMIT_MS` have passed; `give_up` decides
/// whether the workers it waits for have started meanwhile.
pub fn after_start_limit(give_up: impl FnOnce(String) + 'static) {
    let message = format!("did not start within {} s.", POOL_START_LIMIT_MS / 1000);
    let callback = Closure::once_into_js(move || give_up(message));
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            POOL_START_LIMIT_MS,
        );
    }
}

/// Web Workers that have not started by then are not going to (the pool, or a serial run's worker).
pub const POOL_START_LIMIT_MS: i32 = 15_000;
