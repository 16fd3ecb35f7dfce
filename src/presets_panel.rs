//! The guided presets as links: each opens its story in place (and works as a plain link too).

use super::dom::{append, by_id, element, set_attr};
use dynabatch_core::presets::PRESETS;
use web_sys::Element;

pub fn build() {
    let list: Element = by_id("presets-list");
    for preset in PRESETS {
        let item = element("li", "preset", "");
        let link = element("a", "", preset.title);
        set_attr(&link, "href", &format!("?{}", preset.query));
        set_attr(&link, "data-preset", preset.name);
        append(&item, &link);
        append(&item, &element("p", "caption", preset.caption));
        append(&list, &item);
    }
}
