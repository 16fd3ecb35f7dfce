#!/usr/bin/env bash
# Installs whatever is missing, then builds the page and serves it on http://127.0.0.1:8080 (with the
# cross-origin isolation headers that the Web Worker threads need). Extra arguments go to `trunk serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
echo "Dynabatch: open http://127.0.0.1:8080/ once the build finishes (Ctrl-C stops)." >&2
exec trunk serve --release "$@"
