#!/usr/bin/env bash
# Installs whatever is missing, then runs every test: formatting and lints, the core's cargo tests, and the
# page's tests in headless Chromium against a fresh release build. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*" >&2; }

step "format and lints"
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
# The page's two builds: with Web Worker threads, and serial (scripts/build-serial.sh).
cargo clippy --lib --no-default-features --features threads --target wasm32-unknown-unknown --quiet -- -D warnings
cargo clippy --lib --no-default-features --target wasm32-unknown-unknown --quiet -- -D warnings

step "core tests (cargo test)"
cargo test --quiet

step "release builds: the CLI and the page"
cargo build --release --quiet
trunk build --release >/dev/null

step "f* against an independent solver (scipy)"
python3 tests/independent_optimum.py

step "browser tests (headless Chromium)"
node --test tests/browser/
