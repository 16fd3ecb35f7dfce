//! The serial build's search: a plain Web Worker of its own (`www/serial-worker.js` on
//! `tuneWorkerMain`) runs the whole search and posts how many candidates it has scored. Cancel
//! terminates it, so it never needs to look for messages.

use super::{Outcome, Report, TuneHandle};
use crate::runner::worker::{self, SerialWorker};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::{self, ViewKeys};
use dynabatch_core::tune::{Search, Tuning};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The link to tune: as text, which round-trips (`link::to_query` of the page's own state).
#[derive(Serialize, Deserialize)]
struct Order {
    query: String,
}

/// The main thread's handle: what the worker has said so far. Dropping it terminates the worker.
pub struct WorkerTuner {
    _worker: Option<SerialWorker>,
    inbox: Rc<RefCell<(usize, Option<Outcome>)>>,
}

impl TuneHandle for WorkerTuner {
    fn start(experiment: Experiment, view: ViewKeys) -> WorkerTuner {
        let inbox = Rc::new(RefCell::new((0, None)));
        let reports = Rc::downgrade(&inbox);
        let order = Order {
            query: link::to_query(&experiment, &view),
        };
        let worker = SerialWorker::start("tuneWorkerMain", &order, move |report| {
            let Some(inbox) = reports.upgrade() else {
                return;
            };
            match report {
                worker::Report::Scored(scored) => inbox.borrow_mut().0 = scored,
                worker::Report::Tuned(outcome) => inbox.borrow_mut().1 = Some(outcome),
                _ => {}
            }
        });
        WorkerTuner {
            _worker: worker,
            inbox,
        }
    }

    fn report(&self) -> Report {
        match &*self.inbox.borrow() {
            (_, Some(outcome)) => Report::Finished(outcome.clone()),
            (scored, None) => Report::Working { scored: *scored },
        }
    }
}

/// Rounds between looks at whether a candidate is done (to say so): a look is one comparison.
const ROUNDS_BETWEEN_LOOKS: u64 = 64;

/// The entry point of `www/serial-worker.js` for a search: runs it to the end, saying after each
/// candidate how many are scored, then the outcome.
#[wasm_bindgen(js_name = tuneWorkerMain)]
pub fn tune_worker_main(order: JsValue, _early: js_sys::Array) -> Result<(), JsError> {
    worker::begin();
    let order: Order = serde_wasm_bindgen::from_value(order)?;
    let (experiment, view, _) = link::parse(&order.query);
    let tuning = Tuning::new(Search::new(&experiment, &view, None), 1);
    let mut scored = 0;
    while tuning.advance(0, ROUNDS_BETWEEN_LOOKS) {
        if tuning.scored() != scored {
            scored = tuning.scored();
            worker::report(&worker::Report::Scored(scored));
        }
    }
    if let Some(outcome) = Outcome::of(&tuning) {
        worker::report(&worker::Report::Tuned(outcome));
    }
    Ok(())
}
