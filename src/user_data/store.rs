//! The files a user brought, kept in this browser's IndexedDB so that a reload or a later visit still has
//! them: one record per file, keyed by its SHA-256 (the hash a link pins), with its name, size, summary,
//! when it was last used, and its bytes as a `Blob` (which the browser keeps outside the page's memory).
//!
//! Everything here is asynchronous: IndexedDB answers through events, which are turned into promises.
//! A browser that keeps nothing (IndexedDB refused, as in some private windows) only loses the keeping:
//! each call says why in its `Err`, and the page goes on with the file in memory.

use crate::dom::error_text;
use dynabatch_core::data::file::Sha256;
use js_sys::{Array, Object, Promise, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, IdbDatabase, IdbObjectStore, IdbObjectStoreParameters, IdbOpenDbRequest, IdbRequest,
    IdbTransaction, IdbTransactionMode,
};

const DATABASE: &str = "dynabatch";
const FILES: &str = "files";

/// A kept file, as the page lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredFile {
    pub sha256: Sha256,
    pub name: String,
    pub bytes: u64,
    pub summary: String,
    /// When it was last used (`Date.now()`).
    pub used: f64,
}

thread_local! {
    /// The database, once opened: opening it again for every call would cost a round trip each.
    static OPENED: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// Keeps a file (again), as used now.
pub async fn keep(file: &StoredFile, blob: &Blob) -> Result<(), String> {
    let record = Object::new();
    for (key, value) in [
        ("sha256", JsValue::from_str(&file.sha256.to_string())),
        ("name", JsValue::from_str(&file.name)),
        ("bytes", JsValue::from_f64(file.bytes as f64)),
        ("summary", JsValue::from_str(&file.summary)),
        ("used", JsValue::from_f64(js_sys::Date::now())),
        ("blob", blob.into()),
    ] {
        let _ = Reflect::set(&record, &key.into(), &value);
    }
    let (transaction, files) = files(IdbTransactionMode::Readwrite).await?;
    files.put(&record).map_err(|e| error_text(&e))?;
    committed(&transaction).await
}

/// The kept file with this hash, and its bytes.
pub async fn find(sha256: Sha256) -> Result<Option<(StoredFile, Blob)>, String> {
    let (_, files) = files(IdbTransactionMode::Readonly).await?;
    let request = files
        .get(&JsValue::from_str(&sha256.to_string()))
        .map_err(|e| error_text(&e))?;
    Ok(record(&answer(&request).await?))
}

/// The file used last, and its bytes.
pub async fn latest() -> Result<Option<(StoredFile, Blob)>, String> {
    Ok(all()
        .await?
        .into_iter()
        .max_by(|(a, _), (b, _)| a.used.total_cmp(&b.used)))
}

/// Every kept file, the one used last first.
pub async fn list() -> Result<Vec<StoredFile>, String> {
    let mut files: Vec<StoredFile> = all().await?.into_iter().map(|(file, _)| file).collect();
    files.sort_by(|a, b| b.used.total_cmp(&a.used));
    Ok(files)
}

/// Marks a kept file as used now (it then leads the list).
pub async fn touch(sha256: Sha256) -> Result<(), String> {
    match find(sha256).await? {
        Some((file, blob)) => keep(&file, &blob).await,
        None => Ok(()),
    }
}

/// Forgets a kept file.
pub async fn forget(sha256: Sha256) -> Result<(), String> {
    let (transaction, files) = files(IdbTransactionMode::Readwrite).await?;
    files
        .delete(&JsValue::from_str(&sha256.to_string()))
        .map_err(|e| error_text(&e))?;
    committed(&transaction).await
}

async fn all() -> Result<Vec<(StoredFile, Blob)>, String> {
    let (_, files) = files(IdbTransactionMode::Readonly).await?;
    let request = files.get_all().map_err(|e| error_text(&e))?;
    let records: Array = answer(&request).await?.unchecked_into();
    Ok(records.iter().filter_map(|r| record(&r)).collect())
}

/// A record read back; `None` for anything that is not one of ours (another version's, say).
fn record(value: &JsValue) -> Option<(StoredFile, Blob)> {
    let field = |key: &str| Reflect::get(value, &key.into()).ok();
    let file = StoredFile {
        sha256: Sha256::from_hex(&field("sha256")?.as_string()?)?,
        name: field("name")?.as_string()?,
        bytes: field("bytes")?.as_f64()? as u64,
        summary: field("summary")?.as_string()?,
        used: field("used")?.as_f64()?,
    };
    let blob = field("blob")?.dyn_into::<Blob>().ok()?;
    Some((file, blob))
}

/// A transaction on the files, and the files in it.
async fn files(mode: IdbTransactionMode) -> Result<(IdbTransaction, IdbObjectStore), String> {
    let database = database().await?;
    let transaction = database
        .transaction_with_str_and_mode(FILES, mode)
        .map_err(|e| error_text(&e))?;
    let files = transaction
        .object_store(FILES)
        .map_err(|e| error_text(&e))?;
    Ok((transaction, files))
}

async fn database() -> Result<IdbDatabase, String> {
    if let Some(database) = OPENED.with(|d| d.borrow().clone()) {
        return Ok(database);
    }
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| "this browser lets the page keep no files".to_string())?;
    let request = factory
        .open_with_u32(DATABASE, 1)
        .map_err(|e| error_text(&e))?;
    // A first visit (or a newer version of the database): make the store of files.
    let upgrading: IdbOpenDbRequest = request.clone();
    let upgrade = Closure::once_into_js(move || {
        if let Some(database) = upgrading
            .result()
            .ok()
            .and_then(|d| d.dyn_into::<IdbDatabase>().ok())
        {
            let by_hash = IdbObjectStoreParameters::new();
            by_hash.set_key_path(&"sha256".into());
            let _ = database.create_object_store_with_optional_parameters(FILES, &by_hash);
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let database: IdbDatabase = answer(&request).await?.unchecked_into();
    OPENED.with(|d| *d.borrow_mut() = Some(database.clone()));
    Ok(database)
}

/// What a request answers, once it does.
async fn answer(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let succeeded = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(
                &JsValue::NULL,
                &succeeded.result().unwrap_or(JsValue::UNDEFINED),
            );
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move || {
            let error = failed
                .error()
                .ok()
                .flatten()
                .map_or_else(|| JsValue::from_str("IndexedDB failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| error_text(&e))
}

/// Resolves once a transaction's writes are on disk (so that a reload right after finds them).
async fn committed(transaction: &IdbTransaction) -> Result<(), String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        // An error is followed by an abort: each gets a handler of its own (each runs once at most).
        let on_failure = || {
            let (failed, reject) = (transaction.clone(), reject.clone());
            Closure::once_into_js(move || {
                let error = failed
                    .error()
                    .map_or_else(|| JsValue::from_str("IndexedDB failed"), JsValue::from);
                let _ = reject.call1(&JsValue::NULL, &error);
            })
        };
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onerror(Some(on_failure().unchecked_ref()));
        transaction.set_onabort(Some(on_failure().unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| error_text(&e))
}
