//! Small DOM helpers. Text from links or users only ever goes in through `textContent` or attributes,
//! never as markup.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

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

pub fn set_attr(e: &Element, name: &str, value: &str) {
    // Only fails for invalid attribute names, which are all literals here.
    let _ = e.set_attribute(name, value);
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
