#!/usr/bin/env bash
# The long fuzz run of share links (docs/LIMITS.md): cargo-fuzz (libFuzzer, AddressSanitizer) on
# fuzz/fuzz_targets/links.rs, from the seeds in fuzz/seeds. Every `cargo test` runs the short version
# (tests/fuzz_links.rs, 20,000 proptest cases against the same invariants).
#   ./scripts/fuzz.sh            # 10 minutes
#   ./scripts/fuzz.sh 3600 -jobs=2 -workers=2
# A failure leaves its input in fuzz/artifacts/links/; replay it with
#   cargo fuzz run links fuzz/artifacts/links/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
CARGO_FUZZ_VERSION=0.13.2
seconds=${1:-600}
shift || true
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "[fuzz] installing cargo-fuzz $CARGO_FUZZ_VERSION (about a minute)" >&2
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
# The first folder collects what the fuzzer finds (git-ignored); the seeds are only read.
mkdir -p fuzz/corpus/links
exec cargo fuzz run links fuzz/corpus/links fuzz/seeds -- -max_total_time="$seconds" -timeout=60 "$@"
