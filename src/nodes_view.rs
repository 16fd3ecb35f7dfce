//! The nodes at work: in the latest round, each node's batch and the Web Worker that computed it, the
//! all-reduce that follows, and counters that make "fewer rounds, same samples" visible.

use super::dom::{append, by_id, element, set_attr, set_text};
use super::runner::RunHandle;
use super::App;
use dynabatch_plot::chart::grouped;
use web_sys::{Element, HtmlElement};

/// The line above the boxes: where the latest round's nodes ran, and why on one worker when the pool has
/// more (the core keeps a round with too little work on one thread: `nodes::SPREAD_MIN_WORK`).
fn where_nodes_ran(thread_of_node: &[usize], round: u64, pool: usize) -> String {
    let nodes = thread_of_node.len();
    let nodes_text = match nodes {
        1 => "1 node".to_string(),
        n => format!("{n} nodes"),
    };
    if !cfg!(feature = "threads") {
        return format!(
            "{nodes_text}, one after another on one Web Worker (no shared memory here)"
        );
    }
    if round == 0 {
        return format!("{nodes_text} · pool of {pool} Web Worker threads");
    }
    let mut used = thread_of_node.to_vec();
    used.sort_unstable();
    used.dedup();
    // A round is only kept on one thread for want of work (or of a second node or thread). Short enough
    // for one line on a 390 px phone, as the line's reserved height is (a first story's run starts so).
    if used.len() == 1 && nodes > 1 && pool > 1 {
        format!("{nodes_text} on 1 worker: too little work to split")
    } else {
        format!(
            "{nodes_text} ran on {} of {pool} Web Worker threads",
            used.len()
        )
    }
}

/// More boxes than this would not fit a phone; the rest are summarised.
const MAX_BOXES: usize = 16;
/// Distinct hues for up to eight worker threads.
const WORKER_COLORS: [&str; 8] = [
    "#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563",
];

pub fn render(app: &App) {
    let last = app.rows().last();
    let round = last.map_or(0, |r| r.round);
    by_id::<Element>("round-counter").set_text_content(Some(&grouped(round)));
    by_id::<Element>("sfo-counter").set_text_content(Some(&grouped(last.map_or(0, |r| r.sfo))));
    let view: HtmlElement = by_id("node-boxes");
    // Redraw only when a new round arrived: the pulse marks one all-reduce.
    if view.get_attribute("data-round").as_deref() == Some(&round.to_string()) {
        return;
    }
    set_attr(&view, "data-round", &round.to_string());
    let Some(threads) = app.main_run().and_then(|r| r.thread_of_node()) else {
        return;
    };
    set_text(
        &by_id::<Element>("workers"),
        &where_nodes_ran(&threads, round, app.pool_threads),
    );
    let batch = last.map_or(0, |r| r.batch);
    view.set_text_content(None);
    for (node, &thread) in threads.iter().enumerate().take(MAX_BOXES) {
        let item = element("li", "node", "");
        set_attr(
            &item,
            "style",
            &format!("--worker: {}", WORKER_COLORS[thread % WORKER_COLORS.len()]),
        );
        set_attr(
            &item,
            "title",
            &format!("Node {node}: {batch} samples, computed by Web Worker {thread}"),
        );
        append(
            &item,
            &element("span", "node-name", &format!("node {node}")),
        );
        append(
            &item,
            &element("span", "node-batch", &format!("B = {}", grouped(batch))),
        );
        append(
            &item,
            &element("span", "node-worker", &format!("worker {thread}")),
        );
        append(&view, &item);
    }
    if threads.len() > MAX_BOXES {
        append(
            &view,
            &element(
                "li",
                "node more",
                &format!("+{} more", threads.len() - MAX_BOXES),
            ),
        );
    }
    if round > 0 {
        // A new animation name restarts the animation: odd and even rounds pulse under two names (the
        // usual restart, class off, read a layout, class on, forced a layout of the page every round).
        let pulse = if round.is_multiple_of(2) {
            "pulse-even"
        } else {
            "pulse-odd"
        };
        set_attr(&by_id::<Element>("all-reduce"), "data-pulse", pulse);
    }
}
