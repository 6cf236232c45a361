#!/usr/bin/env bash
# Runs the e2e suite (tests/e2e/) against a Socket.IO server other than socket.io:
#
#   bash tests/interop/run.sh python          python-socketio 5.18 (from .venv-interop/, made by scripts/setup.sh)
#   bash tests/interop/run.sh socketioxide    socketioxide 0.18 (the crate in tests/interop/socketioxide, built here)
#   bash tests/interop/run.sh python tests/e2e/emit.test.mjs     only some files
#
# The package under test is <repo>/pkg, or SIO_E2E_PKG; SIO_E2E_LIB=reference runs the same cases with
# socket.io-client 4.8. Cases the server cannot support are skipped with the reason
# (tests/interop/support/skips.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."

kind=${1:?usage: run.sh python|socketioxide [test files...]}
shift
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/e2e/)

case "$kind" in
  python)
    if [ ! -x .venv-interop/bin/python ]; then
      echo "[interop] .venv-interop/ is missing: running scripts/setup.sh" >&2
      bash scripts/setup.sh
    fi
    ;;
  socketioxide)
    echo "[interop] building tests/interop/socketioxide (release)" >&2
    nice -n 10 cargo build --release --quiet --manifest-path tests/interop/socketioxide/Cargo.toml
    ;;
  *)
    echo "unknown server kind: $kind (python or socketioxide)" >&2
    exit 2
    ;;
esac

SIO_E2E_SERVER="$kind" node --import ./tests/interop/support/register.mjs --test --test-concurrency=1 "${files[@]}"
