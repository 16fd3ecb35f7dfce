//! Dynabatch's drawing: line charts, the landscape map and the paper's figures, through plotters'
//! backend-independent API, so the page draws on a canvas and the CLI writes SVG with the same code.
//!
//! Not in `dynabatch-core` because plotters depends on wasm-bindgen and web-sys when built for wasm32.

// `#[optimize(size)]` on the chart drawing: it is not a hot path, and compiled for speed it held four
// inlined copies of plotters' chart code in the page's wasm (docs/PERFORMANCE.md, "The wasm's size").
#![feature(optimize_attribute)]

pub mod chart;
pub mod figures;
pub mod heatmap;
