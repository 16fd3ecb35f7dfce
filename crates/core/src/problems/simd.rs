//! Vector width per target. Wasm builds use simd128 throughout (`.cargo/config.toml`). Natively the
//! kernels are compiled twice on x86-64, for the baseline (SSE2) and for AVX2, and the choice is made
//! once at run time. Both versions perform the same f64 operations in the same order (Rust never fuses
//! a multiply and an add), so every target and version gives the same bits.

#[cfg(target_arch = "x86_64")]
use std::sync::atomic::{AtomicU8, Ordering};

#[cfg(target_arch = "x86_64")]
static MODE: AtomicU8 = AtomicU8::new(UNDECIDED);
#[cfg(target_arch = "x86_64")]
const UNDECIDED: u8 = 0;
#[cfg(target_arch = "x86_64")]
const BASELINE: u8 = 1;
#[cfg(target_arch = "x86_64")]
const AVX2: u8 = 2;

/// Runs `f` compiled for the widest vectors this CPU has. `f` and the kernels it calls must be
/// `#[inline(always)]` all the way down, or they keep the baseline encoding.
#[inline(always)]
pub fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: `avx2()` checked that this CPU has AVX2.
        return unsafe { with_avx2(f) };
    }
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
fn avx2() -> bool {
    match MODE.load(Ordering::Relaxed) {
        UNDECIDED => {
            let mode = if std::is_x86_feature_detected!("avx2") {
                AVX2
            } else {
                BASELINE
            };
            // A concurrent `baseline_only` wins over detection.
            let _ = MODE.compare_exchange(UNDECIDED, mode, Ordering::Relaxed, Ordering::Relaxed);
            MODE.load(Ordering::Relaxed) == AVX2
        }
        mode => mode == AVX2,
    }
}

/// Keeps every later computation on the baseline encoding (SSE2 on x86-64): for the benchmark's
/// comparison, and for the test that both encodings agree to the bit.
pub fn baseline_only() {
    #[cfg(target_arch = "x86_64")]
    MODE.store(BASELINE, Ordering::Relaxed);
}

/// The vector encoding in use, for benchmark records.
pub fn name() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    return if avx2() { "avx2" } else { "sse2" };
    #[cfg(target_arch = "wasm32")]
    return "simd128";
    #[cfg(not(any(target_arch = "x86_64", target_arch = "wasm32")))]
    "baseline"
}
