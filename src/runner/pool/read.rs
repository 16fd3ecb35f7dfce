//! Reading a user's file on the pool (threaded build). The main thread takes the file's bytes from the
//! browser a chunk at a time (`Blob.slice().arrayBuffer()`, which never blocks it) and posts each chunk;
//! the coordinator feeds them to the core's `Reader` between the runs' slices, so that the runs go on
//! while a file is read, and the data set is built once, in shared memory, for every run on it.

use super::super::{DataInfo, ReadHandle, ReadOutcome, CHUNK_BYTES};
use super::{post, wake, DateClock, Order};
use crate::dom;
use dynabatch_core::data::file::{DataError, DataFile, Limit, Reader, Sha256};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::session::{Clock, SLICE_MS};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, OnceLock};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

/// The most bytes posted ahead of the reader: a slow reader does not fill the memory with chunks.
const AHEAD_BYTES: u64 = 8 * CHUNK_BYTES;

/// A piece of the file, from the main thread.
enum Chunk {
    Bytes(Vec<u8>),
    /// The whole file has been posted.
    End,
    /// The browser could not give the file's bytes.
    Unreadable(String),
}

/// How reading ended, as the coordinator leaves it for the main thread.
enum Finished {
    Read(Sha256, Result<DataFile, DataError>),
    Unreadable(String),
}

/// What the coordinator and the main thread share about one file. The main thread only reads the
/// atomics and the `OnceLock`, so it never waits.
struct ReadShared {
    /// Bytes fed to the reader so far.
    read: AtomicU64,
    cancelled: AtomicBool,
    finished: OnceLock<Finished>,
}

/// The main thread's handle on a file being read on the pool.
pub struct PoolRead {
    shared: Arc<ReadShared>,
    /// The outcome has been handed over.
    given: bool,
}

impl ReadHandle for PoolRead {
    fn start(blob: Blob, experiment: &Experiment) -> PoolRead {
        let shared = Arc::new(ReadShared {
            read: AtomicU64::new(0),
            cancelled: AtomicBool::new(false),
            finished: OnceLock::new(),
        });
        let size = blob.size() as u64;
        let (chunks, inbox) = mpsc::channel();
        post(Order::Read(Box::new(ReadOnPool {
            reader: Some(Reader::new(
                experiment.file_options(),
                Limit::PAGE,
                Some(size),
            )),
            chunks: inbox,
            shared: shared.clone(),
        })));
        wasm_bindgen_futures::spawn_local(pump(blob, size, chunks, shared.clone()));
        PoolRead {
            shared,
            given: false,
        }
    }

    fn bytes_read(&self) -> u64 {
        self.shared.read.load(Ordering::Acquire)
    }

    fn outcome(&mut self) -> Option<ReadOutcome> {
        if self.given {
            return None;
        }
        let outcome = match self.shared.finished.get()? {
            Finished::Read(sha256, data) => ReadOutcome::Read {
                sha256: *sha256,
                data: Box::new(
                    data.as_ref()
                        .map(|file| (DataInfo::of(file), file.clone()))
                        .map_err(Clone::clone),
                ),
            },
            Finished::Unreadable(why) => ReadOutcome::Unreadable(why.clone()),
        };
        self.given = true;
        Some(outcome)
    }
}

impl Drop for PoolRead {
    /// A read no longer wanted stops at the coordinator's next look, and its memory goes with it.
    fn drop(&mut self) {
        self.shared.cancelled.store(true, Ordering::Release);
        wake();
    }
}

/// Posts the file's bytes, a chunk at a time, never more than `AHEAD_BYTES` ahead of the reader.
async fn pump(blob: Blob, size: u64, chunks: Sender<Chunk>, shared: Arc<ReadShared>) {
    let mut posted = 0;
    while posted < size {
        if shared.cancelled.load(Ordering::Acquire) {
            return;
        }
        if posted - shared.read.load(Ordering::Acquire) >= AHEAD_BYTES {
            let _ = sleep(4).await;
            continue;
        }
        let end = (posted + CHUNK_BYTES).min(size);
        let chunk = match bytes_of(&blob, posted, end).await {
            Ok(bytes) => Chunk::Bytes(bytes),
            Err(why) => Chunk::Unreadable(why),
        };
        let unreadable = matches!(chunk, Chunk::Unreadable(_));
        // The coordinator drops its end only once the read is over.
        let _ = chunks.send(chunk);
        wake();
        if unreadable {
            return;
        }
        posted = end;
    }
    let _ = chunks.send(Chunk::End);
    wake();
}

/// The bytes `start..end` of a file, copied into this instance's memory.
async fn bytes_of(blob: &Blob, start: u64, end: u64) -> Result<Vec<u8>, String> {
    let slice = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|e| format!("{e:?}"))?;
    let buffer = JsFuture::from(slice.array_buffer())
        .await
        .map_err(|e| dom::error_text(&e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A file the coordinator reads.
pub(super) struct ReadOnPool {
    /// `None` once finished.
    reader: Option<Reader>,
    chunks: Receiver<Chunk>,
    shared: Arc<ReadShared>,
}

/// Where a read stands after its slice.
pub(super) enum Reading {
    /// No bytes are waiting: the main thread wakes the coordinator when some come.
    Waiting,
    /// The slice's time ran out with bytes perhaps still waiting.
    More,
    /// Finished, failed or no longer wanted: drop it.
    Over,
}

impl ReadOnPool {
    /// Feeds the bytes that have come, for at most a slice's time.
    pub(super) fn advance(&mut self, clock: &DateClock) -> Reading {
        let start = clock.now_ms();
        loop {
            if self.shared.cancelled.load(Ordering::Acquire) {
                return Reading::Over;
            }
            let Some(reader) = self.reader.as_mut() else {
                return Reading::Over;
            };
            match self.chunks.try_recv() {
                Ok(Chunk::Bytes(bytes)) => {
                    // The reader keeps its first error, and hashes the rest (see `ReadHandle`).
                    let _ = reader.feed(&bytes);
                    self.shared
                        .read
                        .fetch_add(bytes.len() as u64, Ordering::Release);
                    if clock.now_ms() - start > SLICE_MS {
                        return Reading::More;
                    }
                }
                Ok(Chunk::End) => {
                    if let Some(reader) = self.reader.take() {
                        let (sha256, data) = reader.finish();
                        let _ = self.shared.finished.set(Finished::Read(sha256, data));
                    }
                    return Reading::Over;
                }
                Ok(Chunk::Unreadable(why)) => {
                    let _ = self.shared.finished.set(Finished::Unreadable(why));
                    return Reading::Over;
                }
                Err(TryRecvError::Empty) => return Reading::Waiting,
                Err(TryRecvError::Disconnected) => return Reading::Over,
            }
        }
    }
}

/// Resolves after `ms` on the page's event loop: a wait that never blocks.
fn sleep(ms: i32) -> wasm_bindgen_futures::JsFuture {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(set_timeout) = set_timeout {
            let _ = set_timeout.call2(&global, &resolve, &ms.into());
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise)
}
