//! The guided stories as a strip of links: each opens its story in place (and works as a plain link
//! too). Below the strip, the caption of the story on screen, if the link is one.

use super::dom::{append, by_id, element, set_attr};
use dynabatch_core::experiment::Experiment;
use dynabatch_core::link::ViewKeys;
use dynabatch_core::presets::{story_of, Preset, PRESETS};
use web_sys::Element;

pub fn build() {
    let list: Element = by_id("presets-list");
    for preset in PRESETS {
        let item = element("li", "preset", "");
        let link = element("a", "", preset.title);
        set_attr(&link, "href", &format!("?{}", preset.query));
        set_attr(&link, "data-preset", preset.name);
        set_attr(&link, "title", preset.caption);
        append(&item, &link);
        append(&list, &item);
    }
}

/// Marks the story this link tells (if any) and shows its caption; otherwise says how to get one back.
pub fn show(experiment: &Experiment, view: &ViewKeys) {
    let story: Option<&Preset> = story_of(experiment, view);
    let list: Element = by_id("presets-list");
    let links = list.query_selector_all("a[data-preset]");
    if let Ok(links) = links {
        for i in 0..links.length() {
            let Some(link) = links
                .item(i)
                .and_then(|n| wasm_bindgen::JsCast::dyn_into::<Element>(n).ok())
            else {
                continue;
            };
            let current =
                story.is_some_and(|s| link.get_attribute("data-preset").as_deref() == Some(s.name));
            if current {
                set_attr(&link, "aria-current", "true");
            } else {
                let _ = link.remove_attribute("aria-current");
            }
        }
    }
    let caption = match story {
        Some(story) => format!("{}: {}", story.title, story.caption),
        None => "Your own experiment: every control on the left reruns it. Pick a story above for a guided one."
            .to_string(),
    };
    by_id::<Element>("story-caption").set_text_content(Some(&caption));
}
