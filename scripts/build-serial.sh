#!/usr/bin/env bash
# The page's second build, for hosts that cannot send the cross-origin isolation headers (COOP/COEP):
# without shared memory, atomics or the Web Worker pool (no `threads` feature), so it
# runs each experiment on one Web Worker, with the same results. www/boot.js picks it when the page is not
# cross-origin isolated. Trunk runs this after its own build (Trunk.toml [[hooks]]); it writes the
# content-hashed files into Trunk's staging directory and names them on index.html's boot tag.
set -euo pipefail
cd "$(dirname "$0")/.."
STAGING="${TRUNK_STAGING_DIR:?run by trunk: see Trunk.toml [[hooks]]}"
PUBLIC_URL="${TRUNK_PUBLIC_URL:-/}"

# The threaded build's flags (.cargo/config.toml) minus atomics and shared memory; RUSTFLAGS replaces them.
export RUSTFLAGS="-C target-feature=+bulk-memory,+mutable-globals,+simd128 -C link-arg=--max-memory=268435456"
cargo build -p dynabatch-web --lib --release --quiet --target wasm32-unknown-unknown \
  --target-dir target/serial
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name serial \
  target/serial/wasm32-unknown-unknown/release/dynabatch_web.wasm
wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-mutable-globals --enable-sign-ext \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
  "$out/serial_bg.wasm" -o "$out/serial_bg.wasm"
hash=$(cat "$out/serial.js" "$out/serial_bg.wasm" | sha256sum | cut -c1-16)
glue="dynabatch-serial-$hash.js"
wasm="dynabatch-serial-${hash}_bg.wasm"
cp "$out/serial.js" "$STAGING/$glue"
cp "$out/serial_bg.wasm" "$STAGING/$wasm"

html="$STAGING/index.html"
[ "$(grep -c 'data-glue=' "$html")" = 1 ] || { echo "build-serial: no single boot tag in $html" >&2; exit 1; }
sed -i "s|data-glue=|data-serial-glue=\"$PUBLIC_URL$glue\" data-serial-wasm=\"$PUBLIC_URL$wasm\" data-glue=|" "$html"
