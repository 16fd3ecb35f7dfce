//! A link's `data_url`: the page fetches the file itself, so that a shared link works for everyone it is
//! shared with. The request carries no credentials (no cookies, no HTTP authentication) and no referrer
//! (the data's host does not learn the page's link), and the answer is read a chunk at a time, so that a
//! file past the page's limit stops as soon as it passes it.

use crate::dom::error_text;
use dynabatch_core::data::file::{DataError, Limit};
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, ReadableStreamDefaultReader, ReferrerPolicy, RequestCredentials, RequestInit,
    RequestMode, Response,
};

/// Why a fetch gave no file.
pub enum FetchError {
    /// The file is larger than the page reads (said by its size, or found while it came).
    TooLarge(DataError),
    /// Anything else, in words.
    Failed(String),
}

/// Fetches `url`, calling `progress(received, total)` as bytes come (`total` if the server says it).
pub async fn fetch(
    url: &str,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Blob, FetchError> {
    let failed = |text: String| FetchError::Failed(text);
    let window = web_sys::window().ok_or_else(|| failed("no window".into()))?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    init.set_referrer_policy(ReferrerPolicy::NoReferrer);
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| {
            failed(format!(
                "it could not be fetched ({}): the server must be reachable and let other sites read the file (CORS)",
                error_text(&e)
            ))
        })?
        .unchecked_into();
    if !response.ok() {
        return Err(failed(format!(
            "the server answered {} {}",
            response.status(),
            response.status_text()
        )));
    }
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|length| length.trim().parse::<u64>().ok());
    if let Some(total) = total {
        Limit::PAGE
            .check_size(total)
            .map_err(FetchError::TooLarge)?;
    }
    let body = response
        .body()
        .ok_or_else(|| failed("the server sent no file".into()))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let parts = Array::new();
    let mut received = 0u64;
    loop {
        let next = JsFuture::from(reader.read())
            .await
            .map_err(|e| failed(format!("the download broke off ({})", error_text(&e))))?;
        if Reflect::get(&next, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        let Ok(part) =
            Reflect::get(&next, &"value".into()).and_then(|v| v.dyn_into::<Uint8Array>())
        else {
            return Err(failed("the server sent something that is not bytes".into()));
        };
        received += u64::from(part.length());
        if let Err(too_large) = Limit::PAGE.check_size(received) {
            // Stop the download: the rest is not wanted.
            let _ = reader.cancel();
            return Err(FetchError::TooLarge(too_large));
        }
        parts.push(&part);
        progress(received, total);
    }
    Blob::new_with_u8_array_sequence(&parts).map_err(|e| failed(error_text(&e)))
}
