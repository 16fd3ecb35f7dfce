//! Reading a user's file in the serial build. A Web Worker of its own reads it first, to say what it
//! holds (or why it cannot be used) before any run is replaced; then each run's worker reads it again
//! into its own instance, since no memory is shared. Workers may read a `Blob` synchronously
//! (`FileReaderSync`), a chunk at a time, so a file is never whole in wasm memory as bytes.

use super::super::{DataInfo, ReadHandle, ReadOutcome, CHUNK_BYTES};
use super::{report, spawn, Report, Spawned};
use crate::dom;
use crate::faults;
use dynabatch_core::data::file::{DataError, DataFile, Limit, Reader, Sha256};
use dynabatch_core::experiment::Experiment;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Blob, FileReaderSync};

/// How often a reading worker says how far it is.
const PROGRESS_EVERY_MS: f64 = 50.0;

/// What the reading worker has said so far.
#[derive(Default)]
struct ReadInbox {
    bytes: u64,
    outcome: Option<ReadOutcome>,
    loaded: bool,
}

/// The main thread's handle on a file being read in a Web Worker.
pub struct WorkerRead {
    _worker: Option<Spawned>,
    inbox: Rc<RefCell<ReadInbox>>,
}

impl ReadHandle for WorkerRead {
    fn start(blob: Blob, experiment: &Experiment) -> WorkerRead {
        let inbox = Rc::new(RefCell::new(ReadInbox::default()));
        let on_report = {
            let inbox = inbox.clone();
            let blob = blob.clone();
            move |message: Result<Report, String>| {
                let mut inbox = inbox.borrow_mut();
                let outcome = match message {
                    Ok(Report::Loaded) => {
                        inbox.loaded = true;
                        return;
                    }
                    Ok(Report::Reading(bytes)) => {
                        inbox.bytes = bytes;
                        return;
                    }
                    // A run's or a search's.
                    Ok(
                        Report::Progress { .. }
                        | Report::Conditioning(_)
                        | Report::Scored(_)
                        | Report::Tuned(_),
                    ) => return,
                    Ok(Report::Read { sha256, data }) => {
                        inbox.bytes = data.as_ref().map_or(inbox.bytes, |info| info.bytes);
                        ReadOutcome::Read {
                            sha256,
                            data: Box::new(data.map(|info| (info, blob.clone()))),
                        }
                    }
                    Ok(Report::Unreadable(why) | Report::Failed(why)) => {
                        ReadOutcome::Unreadable(why)
                    }
                    Ok(Report::Crash(message)) => {
                        ReadOutcome::Unreadable(format!("its reader crashed: {message}"))
                    }
                    Err(e) => ReadOutcome::Unreadable(format!("its reader said {e}")),
                };
                inbox.outcome.get_or_insert(outcome);
            }
        };
        let worker = match spawn("serialReadMain", experiment, Some(&blob), on_report) {
            Ok(worker) => Some(worker),
            Err(e) => {
                inbox.borrow_mut().outcome = Some(ReadOutcome::Unreadable(format!(
                    "its Web Worker could not start ({e})"
                )));
                None
            }
        };
        let waiting = Rc::downgrade(&inbox);
        faults::after_start_limit(move |did_not_start| {
            if let Some(inbox) = waiting.upgrade() {
                let mut inbox = inbox.borrow_mut();
                if !inbox.loaded {
                    inbox.outcome.get_or_insert(ReadOutcome::Unreadable(format!(
                        "its Web Worker {}",
                        did_not_start.trim_end_matches('.')
                    )));
                }
            }
        });
        WorkerRead {
            _worker: worker,
            inbox,
        }
    }

    fn bytes_read(&self) -> u64 {
        self.inbox.borrow().bytes
    }

    fn outcome(&mut self) -> Option<ReadOutcome> {
        self.inbox.borrow_mut().outcome.take()
    }
}

// ---- The worker's side ------------------------------------------------------------------------------

/// The reading worker's job: read the file, saying how far it is, then what it holds.
pub(super) fn in_worker(experiment: &Experiment, data: Option<Blob>) {
    let Some(blob) = data else {
        report(&Report::Unreadable("no file was given".into()));
        return;
    };
    let mut said = js_sys::Date::now();
    let read = read_blob(&blob, experiment, |bytes| {
        let now = js_sys::Date::now();
        if now - said >= PROGRESS_EVERY_MS {
            said = now;
            report(&Report::Reading(bytes));
        }
    });
    report(&match read {
        Ok((sha256, data)) => Report::Read {
            sha256,
            data: data.map(|file| DataInfo::of(&file)),
        },
        Err(why) => Report::Unreadable(why),
    });
}

/// A run's worker reads its file into its own instance. The page read it before (`in_worker`), so a
/// failure here means the file changed on disk meanwhile.
pub fn data_file(blob: &Blob, experiment: &Experiment) -> Result<DataFile, String> {
    let (_, data) = read_blob(blob, experiment, |_| {})?;
    data.map_err(|e| e.to_string())
}

/// Reads a whole file with an experiment's options, within the page's limit, a chunk at a time; `Err`
/// if the browser could not give its bytes.
fn read_blob(
    blob: &Blob,
    experiment: &Experiment,
    mut progress: impl FnMut(u64),
) -> Result<(Sha256, Result<DataFile, DataError>), String> {
    let size = blob.size() as u64;
    let sync = FileReaderSync::new().map_err(|e| dom::error_text(&e))?;
    let mut reader = Reader::new(experiment.file_options(), Limit::PAGE, Some(size));
    let mut chunk = Vec::new();
    let mut start = 0;
    while start < size {
        let end = (start + CHUNK_BYTES).min(size);
        let slice = blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| dom::error_text(&e))?;
        let buffer = sync
            .read_as_array_buffer(&slice)
            .map_err(|e| dom::error_text(&e))?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        chunk.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut chunk);
        // The reader keeps its first error, and hashes the rest (see `ReadHandle`).
        let _ = reader.feed(&chunk);
        start = end;
        progress(start);
    }
    Ok(reader.finish())
}
