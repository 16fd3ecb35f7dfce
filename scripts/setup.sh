#!/usr/bin/env bash
# Installs whatever this project needs and is missing; safe to run again (each step checks first).
# --with-mpi: also what the CLI's `mpi` feature needs (the test command builds and tests it).
# Everything comes from the package registries: rustup, crates.io, npm and Debian's apt.
set -euo pipefail
cd "$(dirname "$0")/.."

NIGHTLY=nightly-2026-05-20      # trunk 0.22.1 needs rustc >= 1.96.1; see rust-toolchain.toml
TRUNK_VERSION=0.22.1
BINDGEN_VERSION=0.2.130         # must equal the wasm-bindgen pinned in Cargo.toml
say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 \
   || ! rustup component list --toolchain "$NIGHTLY" --installed 2>/dev/null | grep -q '^clippy' \
   || ! rustup target list --toolchain "$NIGHTLY" --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  say "installing Rust $NIGHTLY (rust-src, rustfmt, clippy, wasm32 target)"
  rustup toolchain install "$NIGHTLY" --profile minimal \
    --component rust-src,rustfmt,clippy --target wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo +"$NIGHTLY" install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $BINDGEN_VERSION"
  # No --locked: its lock file names a crate version the registry mirror lacks.
  cargo +"$NIGHTLY" install wasm-bindgen-cli --version "$BINDGEN_VERSION" --force
fi

# Debian packages: chromium for the browser tests and screenshots; with --with-mpi (the test command)
# also Open MPI and libclang, which the CLI's `mpi` feature needs (rsmpi links libmpi; its bindgen needs
# libclang). Serving the page needs neither of the latter.
APT=()
command -v chromium >/dev/null 2>&1 || APT+=(chromium)
if [ "${1:-}" = --with-mpi ]; then
  for package in openmpi-bin libopenmpi-dev libclang-dev clang; do
    dpkg -s "$package" >/dev/null 2>&1 || APT+=("$package")
  done
fi
if [ ${#APT[@]} -gt 0 ]; then
  say "installing Debian's ${APT[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${APT[@]}" >/dev/null
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
   || [ ! -d node_modules/coi-serviceworker ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (coi-serviceworker; for development playwright-core, axe-core, lighthouse, binaryen's wasm-opt)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if ! python3 -c "import numpy, scipy, sklearn" >/dev/null 2>&1; then
  say "installing numpy, scipy (the independent check of f*) and scikit-learn (tests/fixtures/make_fixtures.py)"
  python3 -m pip install --quiet numpy scipy scikit-learn
fi

# Offline trunk builds need std's own dependencies too, which only a wasm32 fetch brings.
cargo +"$NIGHTLY" fetch --target wasm32-unknown-unknown >/dev/null 2>&1 || cargo +"$NIGHTLY" fetch --target wasm32-unknown-unknown
