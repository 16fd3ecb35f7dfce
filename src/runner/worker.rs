//! Runs without shared memory (the serial build, for pages that are not cross-origin isolated): each
//! run gets one plain Web Worker holding its own instance of this build, which trains on one thread and
//! posts its rows back. Results are the same as on the pool: a run's numbers never depend on threads.
//!
//! The worker cannot block to wait for pause or step (no atomics without shared memory), so it trains in
//! slices from its event loop, and control messages arrive between slices.
//!
//! A run on a user's file gets the file's bytes (a `Blob`, passed without a copy) and reads them in its
//! own instance before it starts; a file is first read by a worker of its own (`read`), to show what it
//! holds and to refuse it, if it must be, before any run is replaced.

pub mod read;

use super::{Curvature, DataInfo, DateClock, Pace, RunHandle, RunState, Start};
use crate::faults;
use crate::tuning::Outcome;
use dynabatch_core::algorithms::Trainer;
use dynabatch_core::conditioning::Conditioning;
use dynabatch_core::data::file::{DataError, Sha256};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::Fault;
use dynabatch_core::metrics::Row;
use dynabatch_core::session::{Commands, Host, Next, Session};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, Event, MessageChannel, MessageEvent, Worker, WorkerOptions,
    WorkerType,
};

pub use read::WorkerRead;

/// What the page asks a new worker to run.
#[derive(Serialize, Deserialize)]
struct Order {
    experiment: Experiment,
    paused: bool,
    fast: bool,
    panic: bool,
    curvature: Curvature,
}

/// Page → worker, after the order.
#[derive(Serialize, Deserialize)]
enum Control {
    Pause(bool),
    /// Run exactly one more round, then stay paused.
    Step,
}

/// Worker → page, from a run's worker or a search's (`crate::tuning::worker`).
#[derive(Serialize, Deserialize)]
pub enum Report {
    Progress {
        rows: Vec<Row>,
        state: u8,
        threads_used: u32,
        thread_of_node: Vec<usize>,
        diverged: Option<String>,
    },
    /// The module is instantiated: the worker has started (training may take a while to report).
    Loaded,
    /// The worker panicked (its instance is dead; the page shows the message).
    Crash(String),
    /// The worker could not load the module (`www/serial-worker.js` sends this).
    Failed(String),
    /// A run's μ and L at x*, once estimated.
    Conditioning(Conditioning),
    /// A search has scored this many candidates.
    Scored(usize),
    /// A search is over: the tuned link and its table.
    Tuned(Outcome),
    /// A read's progress: bytes read so far.
    Reading(u64),
    /// A read's end: the file's hash, and what it holds or why it cannot be used.
    Read {
        sha256: Sha256,
        data: Result<DataInfo, DataError>,
    },
    /// The file's bytes could not be had from the browser.
    Unreadable(String),
}

#[wasm_bindgen]
extern "C" {
    /// This build's wasm-bindgen glue: the worker imports it to instantiate the same module.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

/// What a worker has reported so far, kept on the page's side.
struct Inbox {
    rows: Vec<Row>,
    state: RunState,
    threads_used: u32,
    thread_of_node: Vec<usize>,
    diverged: Option<String>,
    conditioning: Option<Conditioning>,
}

type Listener = Closure<dyn FnMut(Event)>;

/// The main thread's handle on one run in its own Web Worker.
pub struct WorkerRun {
    /// `None` if the worker could not even be created (the fault is recorded for the page).
    worker: Option<SerialWorker>,
    inbox: Rc<RefCell<Inbox>>,
}

impl RunHandle for WorkerRun {
    /// Starts a run in a new Web Worker.
    fn start(run: Start) -> WorkerRun {
        let paused = run.paused;
        let inbox = Rc::new(RefCell::new(Inbox {
            rows: Vec::new(),
            state: RunState::at_start(paused),
            threads_used: 0,
            thread_of_node: Vec::new(),
            diverged: None,
            conditioning: None,
        }));
        let order = Order {
            experiment: run.experiment,
            paused,
            fast: run.pace == Pace::Fast,
            panic: run.fault == Some(Fault::Panic),
            curvature: run.curvature,
        };
        let reports = Rc::downgrade(&inbox);
        let data = run.data.as_ref();
        let worker = SerialWorker::start("serialWorkerMain", &order, data, move |report| {
            let Some(inbox) = reports.upgrade() else {
                return;
            };
            let mut inbox = inbox.borrow_mut();
            match report {
                Report::Progress {
                    mut rows,
                    state,
                    threads_used,
                    thread_of_node,
                    diverged,
                } => {
                    inbox.rows.append(&mut rows);
                    inbox.state = RunState::from_u8(state);
                    inbox.threads_used = threads_used;
                    inbox.thread_of_node = thread_of_node;
                    inbox.diverged = diverged;
                }
                Report::Conditioning(c) => inbox.conditioning = Some(c),
                // The page read the file before it started any run on it: a file changed on disk since.
                Report::Unreadable(why) => faults::record_failure(format!(
                    "The Web Worker could not read the data file ({why})."
                )),
                // A search's or a read's, or the ones `SerialWorker` answers itself.
                _ => {}
            }
        });
        WorkerRun { worker, inbox }
    }

    fn state(&self) -> RunState {
        self.inbox.borrow().state
    }

    /// Messages arrive between frames, so this never waits.
    fn drain(&self, into: &mut Vec<Row>) -> bool {
        into.append(&mut self.inbox.borrow_mut().rows);
        true
    }

    fn threads_used(&self) -> u32 {
        self.inbox.borrow().threads_used
    }

    fn thread_of_node(&self) -> Option<Vec<usize>> {
        Some(self.inbox.borrow().thread_of_node.clone())
    }

    fn diverged_quantity(&self) -> Option<String> {
        self.inbox.borrow().diverged.clone()
    }

    fn conditioning(&self) -> Option<Conditioning> {
        self.inbox.borrow().conditioning
    }

    fn set_paused(&self, paused: bool) {
        self.send(&Control::Pause(paused));
    }

    fn step(&self) {
        self.send(&Control::Step);
    }
}

impl WorkerRun {
    fn send(&self, control: &Control) {
        if let (Some(worker), Ok(message)) = (&self.worker, serde_wasm_bindgen::to_value(control)) {
            let _ = worker.spawned.worker.post_message(&message);
        }
    }
}

/// A Web Worker with its own instance of this build, running one export of it (`entry`) on an order: a
/// run's, or a search's. It answers the reports every worker may send (loaded, crashed, could not load)
/// itself, as faults of the page, and hands the others to its owner. Dropping it stops the worker.
pub struct SerialWorker {
    spawned: Spawned,
    /// The worker has instantiated the module; the start limit looks at it.
    _loaded: Rc<Cell<bool>>,
}

impl SerialWorker {
    /// Starts a worker on `entry` with `order` (and the user's file `data`, if any); `None` if it could
    /// not even be created (the fault is recorded for the page). One that has not loaded the module in
    /// time is recorded as a fault too.
    pub fn start(
        entry: &str,
        order: &impl Serialize,
        data: Option<&Blob>,
        mut on_report: impl FnMut(Report) + 'static,
    ) -> Option<SerialWorker> {
        let loaded = Rc::new(Cell::new(false));
        let on_message = {
            let loaded = loaded.clone();
            move |report: Result<Report, String>| match report {
                Ok(Report::Loaded) => loaded.set(true),
                Ok(Report::Crash(message)) => faults::record_panic(message),
                Ok(Report::Failed(why)) => faults::record_failure(format!(
                    "The Web Worker could not load the wasm ({why})."
                )),
                Ok(report) => on_report(report),
                Err(e) => faults::record_failure(format!(
                    "The Web Worker sent an unreadable message ({e})."
                )),
            }
        };
        let spawned = spawn(entry, order, data, on_message)
            .map_err(|e| faults::record_failure(format!("The Web Worker could not start ({e}).")))
            .ok()?;
        give_up_unless_loaded(Rc::downgrade(&loaded));
        Some(SerialWorker {
            spawned,
            _loaded: loaded,
        })
    }
}

/// A worker and the listeners it calls, which live as long as it does. Dropping it stops the worker at
/// once, mid-round if need be: nothing it holds is shared.
pub struct Spawned {
    worker: Worker,
    _on_message: Listener,
    _on_error: Listener,
}

impl Drop for Spawned {
    /// The listeners are dropped with `self`: a message already queued must not reach them.
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// A worker that has not loaded the module in time is not going to; one stopped meanwhile is no
/// concern of this timer.
fn give_up_unless_loaded(loaded: Weak<Cell<bool>>) {
    faults::after_start_limit(move |did_not_start| {
        if loaded.upgrade().is_some_and(|loaded| !loaded.get()) {
            faults::record_failure(format!("The Web Worker {did_not_start}"));
        }
    });
}

/// Creates the worker, listens to it, and sends it the glue, the compiled module, the export to run,
/// the order and the user's file, if any. `on_report` gets each of its messages, read.
fn spawn(
    entry: &str,
    order: &impl Serialize,
    data: Option<&Blob>,
    mut on_report: impl FnMut(Result<Report, String>) + 'static,
) -> Result<Spawned, String> {
    let glue = GLUE_URL.with(Clone::clone);
    let script = web_sys::Url::new_with_base("serial-worker.js", &glue)
        .map_err(|e| format!("{e:?}"))?
        .href();
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(&script, &options).map_err(|e| format!("{e:?}"))?;
    let on_message: Listener = Closure::new(move |event: Event| {
        let data = event.unchecked_into::<MessageEvent>().data();
        on_report(serde_wasm_bindgen::from_value::<Report>(data).map_err(|e| e.to_string()));
    });
    // A script that fails to load fires a plain Event, a thrown error an ErrorEvent: read `message` softly.
    let on_error: Listener = Closure::new(|event: Event| {
        let message = js_sys::Reflect::get(&event, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "its script did not load".to_string());
        faults::record_failure(format!("The Web Worker failed: {message}."));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let spawned = Spawned {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    };
    let start = js_sys::Object::new();
    let order = serde_wasm_bindgen::to_value(order).map_err(|e| e.to_string())?;
    for (key, value) in [
        ("glue", JsValue::from_str(&glue)),
        ("module", wasm_bindgen::module()),
        ("entry", JsValue::from_str(entry)),
        ("order", order),
        ("data", data.map_or(JsValue::UNDEFINED, JsValue::from)),
    ] {
        let _ = js_sys::Reflect::set(&start, &key.into(), &value);
    }
    spawned
        .worker
        .post_message(&start)
        .map_err(|e| format!("{e:?}"))?;
    Ok(spawned)
}

// ---- The worker's side ------------------------------------------------------------------------------

/// The run inside this worker, and what the page has asked of it.
struct RunInWorker {
    session: Session,
    /// The control messages since the last slice.
    commands: Commands,
    /// Rows of the current slice, to report at its end.
    rows: Vec<Row>,
    /// A slice is already scheduled (so a control message need not schedule another).
    scheduled: bool,
    over: bool,
}

/// The page's side of the run, as the session sees it: messages in, rows out.
struct Page<'a> {
    commands: &'a mut Commands,
    rows: &'a mut Vec<Row>,
}

impl Host for Page<'_> {
    fn take_commands(&mut self) -> Commands {
        std::mem::take(self.commands)
    }

    /// A replaced run's worker is terminated, not asked.
    fn cancelled(&self) -> bool {
        false
    }

    fn post(&mut self, row: Row) {
        self.rows.push(row);
    }
}

thread_local! {
    static RUN_IN_WORKER: RefCell<Option<RunInWorker>> = const { RefCell::new(None) };
    static SLICE: Closure<dyn FnMut()> = Closure::new(run_slice);
    /// For slices due at once: a message to itself, since browsers hold back nested zero-delay timers
    /// to 4 ms, which cost a fifth of the speed at full pace.
    static AT_ONCE: Option<MessageChannel> = MessageChannel::new().ok().inspect(|channel| {
        SLICE.with(|slice| channel.port1().set_onmessage(Some(slice.as_ref().unchecked_ref())));
    });
}

pub fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// What every worker's entry point does first: panics are reported to the page (the instance is dead
/// after one), and the page learns that the module loaded.
pub fn begin() {
    std::panic::set_hook(Box::new(|info| report(&Report::Crash(info.to_string()))));
    report(&Report::Loaded);
}

pub fn report(report: &Report) {
    if let Ok(message) = serde_wasm_bindgen::to_value(report) {
        let _ = scope().post_message(&message);
    }
}

/// The entry point of `www/serial-worker.js` for a run: starts the order, on the user's file `data` if
/// it has one, then applies the control messages that arrived while the module loaded (`early`), in
/// order.
#[wasm_bindgen(js_name = serialWorkerMain)]
pub fn serial_worker_main(
    order: JsValue,
    early: js_sys::Array,
    data: Option<Blob>,
) -> Result<(), JsError> {
    begin();
    let order: Order = serde_wasm_bindgen::from_value(order)?;
    let pace = if order.fast { Pace::Fast } else { Pace::Watch };
    let fault = order.panic.then_some(Fault::Panic);
    let file = match data.map(|blob| read::data_file(&blob, &order.experiment)) {
        Some(Err(why)) => {
            report(&Report::Unreadable(why));
            return Ok(());
        }
        Some(Ok(file)) => Some(file),
        None => None,
    };
    // The start row goes to the page at once; the curvature, which can take a while, after it.
    let started = Session::start(
        &order.experiment,
        file.as_ref(),
        pace,
        fault,
        order.curvature,
        |trainer, start| {
            send_progress(trainer, vec![start], RunState::at_start(order.paused), None)
        },
    );
    let mut commands = Commands::default();
    commands.set_paused(order.paused);
    RUN_IN_WORKER.with(|t| {
        *t.borrow_mut() = Some(RunInWorker {
            session: started.session,
            commands,
            rows: Vec::new(),
            scheduled: false,
            over: false,
        })
    });
    if let Some(c) = started.conditioning {
        report(&Report::Conditioning(c));
    }
    let on_control =
        Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| control(event.data()));
    scope().set_onmessage(Some(on_control.as_ref().unchecked_ref()));
    // The worker lives as long as its run; the page terminates it.
    on_control.forget();
    early.iter().for_each(control);
    schedule(0.0);
    Ok(())
}

/// The entry point of `www/serial-worker.js` for reading the user's file `data` with an experiment's
/// options (`order`), to say what it holds.
#[wasm_bindgen(js_name = serialReadMain)]
pub fn serial_read_main(
    order: JsValue,
    _early: js_sys::Array,
    data: Option<Blob>,
) -> Result<(), JsError> {
    begin();
    let experiment: Experiment = serde_wasm_bindgen::from_value(order)?;
    read::in_worker(&experiment, data);
    Ok(())
}

fn control(message: JsValue) {
    let Ok(control) = serde_wasm_bindgen::from_value::<Control>(message) else {
        return;
    };
    RUN_IN_WORKER.with(|t| {
        if let Some(t) = t.borrow_mut().as_mut() {
            match control {
                Control::Pause(paused) => t.commands.set_paused(paused),
                Control::Step => t.commands.step(),
            }
        }
    });
    schedule(0.0);
}

/// Runs a slice after `wait_ms`, unless one is already due or the run is over.
fn schedule(wait_ms: f64) {
    let go = RUN_IN_WORKER.with(|t| match t.borrow_mut().as_mut() {
        Some(t) if !t.scheduled && !t.over => {
            t.scheduled = true;
            true
        }
        _ => false,
    });
    if !go {
        return;
    }
    let posted = wait_ms < 1.0
        && AT_ONCE.with(|channel| {
            channel
                .as_ref()
                .is_some_and(|c| c.port2().post_message(&JsValue::NULL).is_ok())
        });
    if !posted {
        SLICE.with(|slice| {
            let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(
                slice.as_ref().unchecked_ref(),
                wait_ms as i32,
            );
        });
    }
}

fn run_slice() {
    let next = RUN_IN_WORKER.with(|t| {
        let mut t = t.borrow_mut();
        let t = t.as_mut()?;
        t.scheduled = false;
        let mut page = Page {
            commands: &mut t.commands,
            rows: &mut t.rows,
        };
        let next = t.session.advance(&DateClock, &mut page);
        t.over = !matches!(next, Next::After(_) | Next::Paused);
        let diverged = match next {
            Next::Diverged(quantity) => Some(quantity),
            _ => None,
        };
        let rows = std::mem::take(&mut t.rows);
        send_progress(t.session.trainer(), rows, RunState::after(next), diverged);
        Some(next)
    });
    if let Some(Next::After(wait_ms)) = next {
        schedule(wait_ms);
    }
}

fn send_progress(
    trainer: &Trainer,
    rows: Vec<Row>,
    state: RunState,
    diverged: Option<&'static str>,
) {
    report(&Report::Progress {
        rows,
        state: state as u8,
        threads_used: trainer.threads_used(),
        thread_of_node: trainer.thread_of_node().to_vec(),
        diverged: diverged.map(str::to_string),
    });
}
