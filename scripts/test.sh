#!/usr/bin/env bash
# Installs whatever is missing, then runs every test: formatting and lints, the core's cargo tests, and the
# page's tests in headless Chromium against a fresh release build. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --with-mpi
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*" >&2; }

step "format and lints"
cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
# The page's two builds: with Web Worker threads, and serial (scripts/build-serial.sh).
cargo clippy -p dynabatch-web --features threads --target wasm32-unknown-unknown --quiet -- -D warnings
cargo clippy -p dynabatch-web --target wasm32-unknown-unknown --quiet -- -D warnings
cargo clippy -p dynabatch-cli --features mpi --all-targets --quiet -- -D warnings

step "the core is pure: no browser crate in its dependencies, for any target"
if cargo tree -p dynabatch-core --target all -e normal,build | grep -E '\b(wasm-bindgen|web-sys|js-sys)\b'; then
  echo "dynabatch-core depends on a browser crate (ARCHITECTURE.md, invariants)" >&2
  exit 1
fi

step "core tests (cargo test)"
cargo test --quiet

step "real nodes as MPI processes (the CLI's feature mpi, mpirun on this host)"
# As root, mpirun wants these (../shared/TOOLCHAIN.md); the tests set them too.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cargo test -p dynabatch-cli --features mpi --test mpi --quiet

step "release builds: the CLI and the page"
cargo build --release --quiet
trunk build --release >/dev/null

step "f* against an independent solver (scipy)"
python3 tests/independent_optimum.py

step "browser tests (headless Chromium)"
node --test tests/browser/
