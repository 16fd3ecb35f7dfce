//! Dynabatch: parallel SGD with dynamically growing batch sizes (Yu & Jin, ICML 2019), as a library.
//!
//! It knows nothing of the browser (no browser crate in its tree, for any target): it is deterministic, runs
//! natively under `cargo test`, and is shared by the page (the root package) and the `dynabatch` CLI
//! (`crates/cli`), which bring what it lacks (a clock, threads, files, a screen). See ARCHITECTURE.md.

// `std::simd` fixes the kernels' vector layout where LLVM's auto-vectoriser chose a worse one
// (`problems::math::dots`). The toolchain is pinned to a nightly anyway (rust-toolchain.toml: the page's
// threads need build-std).
#![feature(portable_simd)]

pub mod algorithms;
pub mod bench;
pub mod choices;
pub mod conditioning;
pub mod data;
pub mod experiment;
pub mod glossary;
pub mod link;
pub mod metrics;
pub mod models;
pub mod network;
pub mod nodes;
pub mod noise;
pub mod optimum;
pub mod paper;
pub mod params;
mod pinned;
pub mod presets;
pub mod problems;
pub mod rng;
pub mod session;
pub mod text;
pub mod theory;
pub mod tune;
