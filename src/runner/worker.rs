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

mod read;

use super::{DataInfo, DateClock, Pace, RunHandle, RunState, Start};
use crate::faults;
use dynabatch_core::data::file::{DataError, Sha256};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::Fault;
use dynabatch_core::metrics::Row;
use dynabatch_core::session::{Commands, Host, Next, Session};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, Event, MessageChannel, MessageEvent, Worker, WorkerOptions,
    WorkerType,
};

pub use read::WorkerRead;

/// What a new worker is for. Either job gets the user's file, if any, beside it (`spawn`).
#[derive(Serialize, Deserialize)]
enum Job {
    Run(Order),
    /// Read the file with this experiment's options, and say what it holds.
    Read(Experiment),
}

/// What the page asks a new worker to run.
#[derive(Serialize, Deserialize)]
struct Order {
    experiment: Experiment,
    paused: bool,
    fast: bool,
    panic: bool,
}

/// Page → worker, after the order.
#[derive(Serialize, Deserialize)]
enum Control {
    Pause(bool),
    /// Run exactly one more round, then stay paused.
    Step,
}

/// Worker → page.
#[derive(Serialize, Deserialize)]
enum Report {
    Progress {
        rows: Vec<Row>,
        state: u8,
        threads_used: u32,
        thread_of_node: Vec<usize>,
        diverged: Option<String>,
    },
    /// The module is instantiated: the worker has started (training may take a while to report).
    Loaded,
    /// A read's progress: bytes read so far.
    Reading(u64),
    /// A read's end: the file's hash, and what it holds or why it cannot be used.
    Read {
        sha256: Sha256,
        data: Result<DataInfo, DataError>,
    },
    /// The file's bytes could not be had from the browser.
    Unreadable(String),
    /// The worker panicked (its instance is dead; the page shows the message).
    Crash(String),
    /// The worker could not load the module (`www/serial-worker.js` sends this).
    Failed(String),
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
    /// The worker has instantiated the module.
    loaded: bool,
}

type Listener = Closure<dyn FnMut(Event)>;

/// The main thread's handle on one run in its own Web Worker.
pub struct WorkerRun {
    /// `None` if the worker could not even be created (the fault is recorded for the page).
    worker: Option<(Worker, Listener, Listener)>,
    inbox: Rc<RefCell<Inbox>>,
}

impl RunHandle for WorkerRun {
    /// Starts `experiment` in a new Web Worker.
    fn start(run: Start) -> WorkerRun {
        let inbox = Rc::new(RefCell::new(Inbox {
            rows: Vec::new(),
            state: RunState::at_start(run.paused),
            threads_used: 0,
            thread_of_node: Vec::new(),
            diverged: None,
            loaded: false,
        }));
        let job = Job::Run(Order {
            experiment: run.experiment,
            paused: run.paused,
            fast: run.pace == Pace::Fast,
            panic: run.fault == Some(Fault::Panic),
        });
        let worker = spawn(&job, run.data.as_ref(), on_run_report(&inbox))
            .map_err(|e| faults::record_failure(format!("The Web Worker could not start ({e}).")))
            .ok();
        give_up_unless_loaded(&inbox);
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

    fn set_paused(&self, paused: bool) {
        self.send(&Control::Pause(paused));
    }

    fn step(&self) {
        self.send(&Control::Step);
    }
}

impl WorkerRun {
    fn send(&self, control: &Control) {
        if let (Some((worker, _, _)), Ok(message)) =
            (&self.worker, serde_wasm_bindgen::to_value(control))
        {
            let _ = worker.post_message(&message);
        }
    }
}

impl Drop for WorkerRun {
    /// A replaced run's worker is stopped at once, mid-round if need be: nothing it holds is shared.
    fn drop(&mut self) {
        stop(&self.worker);
    }
}

/// Stops a worker at once. Its listeners are dropped with their owner: a message already queued must
/// not reach them.
fn stop(worker: &Option<(Worker, Listener, Listener)>) {
    if let Some((worker, _, _)) = worker {
        worker.set_onmessage(None);
        worker.set_onerror(None);
        worker.terminate();
    }
}

/// A worker that has not loaded the module in time is not going to; a run replaced meanwhile is no
/// concern of this timer.
fn give_up_unless_loaded(inbox: &Rc<RefCell<Inbox>>) {
    let inbox = Rc::downgrade(inbox);
    faults::after_start_limit(move |did_not_start| {
        if inbox.upgrade().is_some_and(|inbox| !inbox.borrow().loaded) {
            faults::record_failure(format!("The Web Worker {did_not_start}"));
        }
    });
}

/// What a run's worker reports, into the run's inbox.
fn on_run_report(inbox: &Rc<RefCell<Inbox>>) -> impl FnMut(Result<Report, String>) + 'static {
    let inbox = inbox.clone();
    move |report| match report {
        Ok(Report::Progress {
            mut rows,
            state,
            threads_used,
            thread_of_node,
            diverged,
        }) => {
            let mut inbox = inbox.borrow_mut();
            inbox.rows.append(&mut rows);
            inbox.state = RunState::from_u8(state);
            inbox.threads_used = threads_used;
            inbox.thread_of_node = thread_of_node;
            inbox.diverged = diverged;
        }
        Ok(Report::Loaded) => inbox.borrow_mut().loaded = true,
        Ok(Report::Crash(message)) => faults::record_panic(message),
        Ok(Report::Failed(why)) => {
            faults::record_failure(format!("The Web Worker could not load the wasm ({why})."))
        }
        // The page checked the file before it started any run on it (a changed file is unreadable).
        Ok(Report::Unreadable(why)) => faults::record_failure(format!(
            "The Web Worker could not read the data file ({why})."
        )),
        Ok(Report::Reading(_) | Report::Read { .. }) => {}
        Err(e) => {
            faults::record_failure(format!("The Web Worker sent an unreadable message ({e})."))
        }
    }
}

/// Creates the worker, listens to it, and sends it the glue, the compiled module, the job and the
/// user's file, if any. `on_report` gets each of its messages, read.
fn spawn(
    job: &Job,
    data: Option<&Blob>,
    mut on_report: impl FnMut(Result<Report, String>) + 'static,
) -> Result<(Worker, Listener, Listener), String> {
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
    let start = js_sys::Object::new();
    let job = serde_wasm_bindgen::to_value(job).map_err(|e| e.to_string())?;
    for (key, value) in [
        ("glue", JsValue::from_str(&glue)),
        ("module", wasm_bindgen::module()),
        ("job", job),
        ("data", data.map_or(JsValue::UNDEFINED, JsValue::from)),
    ] {
        let _ = js_sys::Reflect::set(&start, &key.into(), &value);
    }
    if let Err(e) = worker.post_message(&start) {
        worker.terminate();
        return Err(format!("{e:?}"));
    }
    Ok((worker, on_message, on_error))
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

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn report(report: &Report) {
    if let Ok(message) = serde_wasm_bindgen::to_value(report) {
        let _ = scope().post_message(&message);
    }
}

/// The entry point of `www/serial-worker.js`: does the job, on the user's file `data` if it has one.
/// A run then applies the control messages that arrived while the module loaded (`early`), in order.
#[wasm_bindgen(js_name = serialWorkerMain)]
pub fn serial_worker_main(
    job: JsValue,
    early: js_sys::Array,
    data: Option<Blob>,
) -> Result<(), JsError> {
    std::panic::set_hook(Box::new(|info| report(&Report::Crash(info.to_string()))));
    report(&Report::Loaded);
    match serde_wasm_bindgen::from_value(job)? {
        Job::Run(order) => run(order, early, data),
        Job::Read(experiment) => {
            read::in_worker(&experiment, data);
            Ok(())
        }
    }
}

fn run(order: Order, early: js_sys::Array, data: Option<Blob>) -> Result<(), JsError> {
    let pace = if order.fast { Pace::Fast } else { Pace::Watch };
    let fault = order.panic.then_some(Fault::Panic);
    let session = match data {
        Some(blob) => match read::data_file(&blob, &order.experiment) {
            Ok(file) => Session::with_data(&order.experiment, &file, pace, fault),
            Err(why) => {
                report(&Report::Unreadable(why));
                return Ok(());
            }
        },
        None => Session::new(&order.experiment, pace, fault),
    };
    let start = session.trainer().start_row();
    let mut commands = Commands::default();
    commands.set_paused(order.paused);
    RUN_IN_WORKER.with(|t| {
        *t.borrow_mut() = Some(RunInWorker {
            session,
            commands,
            rows: Vec::new(),
            scheduled: false,
            over: false,
        })
    });
    let state = RunState::at_start(order.paused);
    send_progress(vec![start], state, None);
    let on_control =
        Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| control(event.data()));
    scope().set_onmessage(Some(on_control.as_ref().unchecked_ref()));
    // The worker lives as long as its run; the page terminates it.
    on_control.forget();
    early.iter().for_each(control);
    schedule(0.0);
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
    let slice = RUN_IN_WORKER.with(|t| {
        let mut t = t.borrow_mut();
        let t = t.as_mut()?;
        t.scheduled = false;
        let mut page = Page {
            commands: &mut t.commands,
            rows: &mut t.rows,
        };
        let next = t.session.advance(&DateClock, &mut page);
        t.over = !matches!(next, Next::After(_) | Next::Paused);
        Some((next, std::mem::take(&mut t.rows)))
    });
    let Some((next, rows)) = slice else { return };
    let diverged = match next {
        Next::Diverged(quantity) => Some(quantity),
        _ => None,
    };
    send_progress(rows, RunState::after(next), diverged);
    if let Next::After(wait_ms) = next {
        schedule(wait_ms);
    }
}

fn send_progress(rows: Vec<Row>, state: RunState, diverged: Option<&'static str>) {
    let (threads_used, thread_of_node) = RUN_IN_WORKER.with(|t| {
        t.borrow().as_ref().map_or((0, Vec::new()), |t| {
            let trainer = t.session.trainer();
            (trainer.threads_used(), trainer.thread_of_node().to_vec())
        })
    });
    report(&Report::Progress {
        rows,
        state: state as u8,
        threads_used,
        thread_of_node,
        diverged: diverged.map(str::to_string),
    });
}
