#!/usr/bin/env bash
# Runs every test: the core natively, the browser shell in headless Chromium,
# then the npm package end to end against a real socket.io 4.8 server, against
# python-socketio, and behind nginx in front of a redis-adapter cluster.
# Installs what it needs first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

section() { printf '\n==== %s\n' "$*"; }

section "style: cargo fmt --check, cargo clippy (native, and wasm32 with every feature), cargo doc; warnings are errors"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features js,leptos,yew,bench-serde --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --target wasm32-unknown-unknown --features js,leptos,yew

section "proto + codecs: cargo test (native)"
cargo test --quiet

section "browser shell + Rust API: wasm-bindgen-test in headless Chromium"
log=$(mktemp)
node tests/support/sio-server.mjs > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q '^listening' "$log" && break
  sleep 0.1
done
port=$(awk '/^listening/ { print $2 }' "$log")
[ -n "$port" ] || { cat "$log"; echo "test server did not start" >&2; exit 1; }
SIO_TEST_URL="http://127.0.0.1:$port" CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --target wasm32-unknown-unknown --lib --test web --test api --test tabs
section "Leptos and Yew hooks in headless Chromium; every doc example compiled for wasm32"
SIO_TEST_URL="http://127.0.0.1:$port" CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --target wasm32-unknown-unknown --features leptos,yew --test leptos --test yew
cargo test --doc --target wasm32-unknown-unknown --features leptos,yew
kill "$server" 2>/dev/null || true

section "npm package: build"
node scripts/build.mjs

section "npm package: size budget (bench/size-budget.json)"
node --test tests/size/

section "npm package: end to end (Node test runner + playwright-core + Chromium + socket.io 4.8)"
node --test --test-concurrency=1 tests/e2e/

section "npm package: one connection for all tabs (shared: true; SharedWorker, then the Web Locks + BroadcastChannel fallback)"
node --test --test-concurrency=1 tests/shared/

section "npm package: the engine's events (socket.io.engine) and the debug log, line by line against socket.io-client's"
node --test --test-concurrency=1 tests/dropin/

section "npm package: end to end against python-socketio 5.18 (the same tests; a case the server cannot support is skipped with the reason)"
bash tests/interop/run.sh python

section "npm package: the scaled-out example in Chromium (nginx, 2 socket.io nodes, redis adapter; sticky and round robin)"
node --test --test-concurrency=1 tests/cluster/

section "npm package in Node.js (server-side rendering imports it): import, then a long-polling round trip"
node --test tests/node/

section "npm package: TypeScript types (must compile / must not compile, against pkg/ and socket.io-client)"
node tests/types/check.mjs

section "npm package: npm pack tarball installed and used from a plain module page, a Vite build and a webpack 5 build"
node --test --test-concurrency=1 tests/bundlers/

section "frameworks: Next.js (Turbopack and webpack: build, prerender, start; dev), Jest (CommonJS, jsdom), Vitest, a plain page with one file"
node --test --test-concurrency=1 tests/frameworks/

section "examples: two pages chatting, then a server restart (vanilla, vite-ts, leptos-chat, yew-chat)"
node --test --test-concurrency=1 tests/examples/
