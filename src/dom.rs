//! Small DOM helpers. Text from links or users only ever goes in through `textContent` or attributes,
//! never as markup.

use dynabatch_plot::chart::Theme;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement, MediaQueryList};

thread_local! {
    /// The reader's colour scheme, as style.css reads it: asked once, then followed as it changes.
    static DARK_SCHEME: Option<MediaQueryList> = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten());
}

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("the page has a document")
}

/// The element with this id, cast to `T`. The ids come from index.html, so a miss is a build defect.
pub fn by_id<T: JsCast>(id: &str) -> T {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<T>().ok())
        .unwrap_or_else(|| panic!("index.html lacks #{id} of the expected type"))
}

/// A new element with a class and text.
pub fn element(tag: &str, class: &str, text: &str) -> HtmlElement {
    let e: HtmlElement = document()
        .create_element(tag)
        .expect("valid tag")
        .unchecked_into();
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e
}

/// Sets an attribute, unless it already has this value: the frame loop sets the same values over and
/// over, and each write would make the browser recompute the page's style.
pub fn set_attr(e: &Element, name: &str, value: &str) {
    if e.get_attribute(name).as_deref() != Some(value) {
        // Only fails for invalid attribute names, which are all literals here.
        let _ = e.set_attribute(name, value);
    }
}

/// Sets an element's text, unless it already reads so (as `set_attr`).
pub fn set_text(e: &Element, text: &str) {
    if e.text_content().as_deref() != Some(text) {
        e.set_text_content(Some(text));
    }
}

/// Hides or shows an element, unless it already is (as `set_attr`).
pub fn set_hidden(e: &HtmlElement, hidden: bool) {
    if e.hidden() != hidden {
        e.set_hidden(hidden);
    }
}

pub fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

/// Canvas pixels per CSS pixel: the screen's devicePixelRatio, clamped so that a zoomed-out or odd screen
/// never makes a canvas's backing store absurdly small or large. Charts, tooltips and the map all map the
/// pointer through this one value.
pub fn pixel_ratio() -> f64 {
    web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .clamp(1.0, 4.0)
}

/// The charts' and map's colours for the page's colour scheme (style.css follows the same query).
pub fn theme() -> Theme {
    if DARK_SCHEME.with(|q| q.as_ref().is_some_and(MediaQueryList::matches)) {
        Theme::DARK
    } else {
        Theme::LIGHT
    }
}

/// What a change of the colour scheme (the reader's setting, or the system's at dusk) is heard on.
pub fn scheme_changes() -> Option<MediaQueryList> {
    DARK_SCHEME.with(Clone::clone)
}

/// What a JavaScript error says: its message (a `DOMException`, `TypeError`…), or the value as text.
pub fn error_text(error: &wasm_bindgen::JsValue) -> String {
    js_sys::Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .filter(|m| !m.is_empty())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
