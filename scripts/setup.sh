#!/usr/bin/env bash
# Installs what the build, the demo and the tests need on a fresh machine:
# the wasm32 target, wasm-bindgen-cli pinned to Cargo.lock's wasm-bindgen,
# Debian's chromium and chromium-driver, redis-server and nginx (the cluster
# example and its test), the npm packages (wasm-opt comes from npm binaryen),
# and python-socketio in .venv-interop/ (the e2e run against python-socketio).
# Idempotent, and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The size build of the npm package uses nightly's rust-src when nightly is
# installed (scripts/build.mjs falls back to stable otherwise).
if rustup toolchain list 2>/dev/null | grep -q '^nightly' \
  && ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  say "adding rust-src to the nightly toolchain (size build)"
  rustup component add rust-src --toolchain nightly || say "could not add rust-src; the build will use stable"
fi

wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version (a few minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stamp=node_modules/.setup-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# python-socketio for tests/interop (pinned: tests/interop/python/server.py hooks into python-engineio)
venv=.venv-interop
py_want="python-socketio==5.18.0 python-engineio==4.15.1 aiohttp==3.14.5"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.setup-stamp" 2>/dev/null)" != "$py_want" ]; then
  say "creating $venv: $py_want"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check $py_want
  echo "$py_want" > "$venv/.setup-stamp"
fi
