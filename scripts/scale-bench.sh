#!/usr/bin/env bash
# How the cost of a run grows with N, d and T, and what a data file of 100,000 rows costs to read and to
# train on (docs/PERFORMANCE.md, "Scale"), natively: `dynabatch bench --scale` at 1, 2, … and all threads.
# A script, not a test: the numbers depend on the machine and its load. ./scripts/bench.sh runs it too.
# Output: target/bench/scale.jsonl (JSON lines), scale.svg (the plot) and scale.md (the tables).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet -p dynabatch-cli
OUT=target/bench
mkdir -p "$OUT"
cut -d" " -f1-3 /proc/loadavg >"$OUT/scale-load"
./scripts/busy.sh >"$OUT/scale-busy"
./target/release/dynabatch bench --scale --svg "$OUT/scale.svg" | tee "$OUT/scale.jsonl"
node scripts/bench-table.mjs "$OUT" scale
