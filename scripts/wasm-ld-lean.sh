#!/bin/sh
# The linker of the npm package's size build (scripts/build.mjs): the
# toolchain's rust-lld, called with the arguments rustc gives it except the
# exports of js-sys's JSPI task runner (`__wbg_jspi_task_poll`,
# `__wbindgen_jspi_set_rejected`). The package never suspends on a promise,
# and wasm-bindgen deletes those exports after linking, but by then the
# waker's vtable has put four functions and the task's drop in the function
# table, where nothing can remove them. Not exported, they are never linked.
set -e
lld="$(rustc +nightly --print sysroot)/lib/rustlib/$(rustc +nightly -vV | sed -n 's/^host: //p')/bin/rust-lld"
export_next=0
for arg in "$@"; do
  shift
  if [ "$export_next" = 1 ]; then
    export_next=0
    case "$arg" in
      __wbg_jspi_task_poll | __wbindgen_jspi_set_rejected) continue ;;
    esac
    set -- "$@" --export "$arg"
  elif [ "$arg" = "--export" ]; then
    export_next=1
  else
    set -- "$@" "$arg"
  fi
done
exec "$lld" "$@"
