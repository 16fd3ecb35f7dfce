//! Share links, from any bytes at all: `Experiment::from_query` and `from_query_strict` never panic,
//! everything they accept is within the parameter ranges and the limits across them, and `to_query`
//! round-trips. Run with `./scripts/fuzz.sh` (see docs/LIMITS.md).
#![no_main]

#[path = "../invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The page reads `location.search`, which percent-encodes any bytes; the lossy decoding here lets
    // the fuzzer reach the same texts from raw bytes too.
    invariants::check(&String::from_utf8_lossy(data));
});
