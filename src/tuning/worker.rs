//! The serial build's search: a plain Web Worker of its own (`www/serial-worker.js` on
//! `tuneWorkerMain`) runs the whole search in one lane and posts how many candidates it has scored.
//! Cancel terminates it. It works in slices and returns to its event loop between them: a worker busy
//! in one long call is only stopped by force, which Chromium does two seconds later.

use super::{Outcome, Report, TuneHandle};
use crate::runner::worker::{self, SerialWorker};
use crate::runner::RunData;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::{self, ViewKeys};
use dynabatch_core::tune::{Search, Tuning};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Blob;

/// The link to tune: as text, which round-trips (`link::to_query` of the page's own state).
#[derive(Serialize, Deserialize)]
struct Order {
    query: String,
}

thread_local! {
    /// Search workers alive (`status().tune.background`): a handle's drop terminates its worker.
    static LIVE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

pub fn live() -> usize {
    LIVE.with(std::cell::Cell::get)
}

/// What the worker has said so far.
enum Inbox {
    /// This many candidates are scored.
    Working(usize),
    Tuned(Outcome),
    /// The user's file could not be read again.
    Failed(String),
}

/// The main thread's handle: what the worker has said so far. Dropping it terminates the worker.
pub struct WorkerTuner {
    _worker: Option<SerialWorker>,
    inbox: Rc<RefCell<Inbox>>,
}

impl TuneHandle for WorkerTuner {
    fn start(experiment: Experiment, view: ViewKeys, data: Option<RunData>) -> WorkerTuner {
        let inbox = Rc::new(RefCell::new(Inbox::Working(0)));
        let reports = Rc::downgrade(&inbox);
        let order = Order {
            query: link::to_query(&experiment, &view),
        };
        let worker = SerialWorker::start("tuneWorkerMain", &order, data.as_ref(), move |report| {
            let Some(inbox) = reports.upgrade() else {
                return;
            };
            let mut inbox = inbox.borrow_mut();
            match report {
                worker::Report::Scored(scored) => *inbox = Inbox::Working(scored),
                worker::Report::Tuned(outcome) => *inbox = Inbox::Tuned(outcome),
                worker::Report::Unreadable(why) => *inbox = Inbox::Failed(why),
                _ => {}
            }
        });
        LIVE.with(|live| live.set(live.get() + 1));
        WorkerTuner {
            _worker: worker,
            inbox,
        }
    }

    fn report(&self) -> Report {
        match &*self.inbox.borrow() {
            Inbox::Working(scored) => Report::Working { scored: *scored },
            Inbox::Tuned(outcome) => Report::Finished(outcome.clone()),
            Inbox::Failed(why) => Report::Failed(why.clone()),
        }
    }
}

impl Drop for WorkerTuner {
    fn drop(&mut self) {
        LIVE.with(|live| live.set(live.get() - 1));
    }
}

/// Rounds between looks at the clock (and at whether a candidate is done, to say so).
const ROUNDS_BETWEEN_LOOKS: u64 = 16;

/// How long a slice works before the worker returns to its event loop, where a termination is
/// answered at once: Cancel's delay at most. (The timer between slices costs 4 ms at most.)
const SLICE_MS: f64 = 100.0;

thread_local! {
    /// The search in this worker, and how many candidates it has said are scored.
    static SEARCH: RefCell<Option<(Tuning, usize)>> = const { RefCell::new(None) };
    static NEXT_SLICE: Closure<dyn FnMut()> = Closure::new(slice);
}

/// The entry point of `www/serial-worker.js` for a search: starts it, a slice at a time, on the user's
/// file `data` (its bytes, read again into this worker's instance) for problem=data.
#[wasm_bindgen(js_name = tuneWorkerMain)]
pub fn tune_worker_main(
    order: JsValue,
    _early: js_sys::Array,
    data: Option<Blob>,
) -> Result<(), JsError> {
    worker::begin();
    let order: Order = serde_wasm_bindgen::from_value(order)?;
    let (experiment, view, _) = link::parse(&order.query);
    let file = match data.map(|blob| worker::read::data_file(&blob, &experiment)) {
        Some(Err(why)) => {
            worker::report(&worker::Report::Unreadable(why));
            return Ok(());
        }
        Some(Ok(file)) => Some(Arc::new(file)),
        None => None,
    };
    let tuning = Tuning::new(Search::new(&experiment, &view, file), 1);
    SEARCH.with(|search| *search.borrow_mut() = Some((tuning, 0)));
    slice();
    Ok(())
}

/// Scores for about `SLICE_MS`, says how far it got, and schedules the next slice; at the end, says
/// what it found.
fn slice() {
    let over = SEARCH.with(|search| {
        let mut search = search.borrow_mut();
        let Some((tuning, said)) = search.as_mut() else {
            return true;
        };
        let until = js_sys::Date::now() + SLICE_MS;
        while tuning.advance(0, ROUNDS_BETWEEN_LOOKS) {
            if js_sys::Date::now() >= until {
                break;
            }
        }
        if let Some(outcome) = Outcome::of(tuning) {
            worker::report(&worker::Report::Tuned(outcome));
            return true;
        }
        if tuning.scored() != *said {
            *said = tuning.scored();
            worker::report(&worker::Report::Scored(*said));
        }
        false
    });
    if !over {
        NEXT_SLICE.with(|next| {
            let _ = worker::scope().set_timeout_with_callback_and_timeout_and_arguments_0(
                next.as_ref().unchecked_ref(),
                0,
            );
        });
    }
}
