//! Faults made visible. A panic anywhere (the page or a Web Worker) is recorded in shared memory, so
//! the main thread sees it on its next frame and shows an error with a way out, instead of waiting
//! forever for a worker that has died.

use std::sync::OnceLock;

static PANIC: OnceLock<String> = OnceLock::new();

/// Chains onto the existing hook (which logs to the console). The hook is process-wide, and the
/// process is every thread of this wasm instance, so one call covers the workers too.
pub fn install() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = PANIC.set(info.to_string());
        previous(info);
    }));
}

/// The first panic's message, once one happened.
pub fn crashed() -> Option<&'static str> {
    PANIC.get().map(String::as_str)
}

/// Web Workers that have not started by then are not going to.
pub const POOL_START_LIMIT_MS: i32 = 15_000;
