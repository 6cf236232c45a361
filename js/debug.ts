/**
 * Opt-in debug logging like socket.io-client's: import `socketio-wasm/debug`
 * instead of `socketio-wasm` (as `socket.io-client/debug`; the package's own
 * modules are built without their log calls, as socket.io-client's browser
 * build), set `localStorage.debug` to `socket.io-client:*` (or `*`, or a
 * comma-separated list, `-` to exclude) and reload.
 */

function enabledPatterns(): string {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage?.getItem("debug") ?? "";
  } catch {
    return "";
  }
}

/** As the `debug` package decides: an exclusion (`-pattern`) wins wherever it stands. */
function matches(ns: string, spec: string): boolean {
  let on = false;
  for (const raw of spec.split(/[\s,]+/)) {
    if (!raw) continue;
    const neg = raw.startsWith("-");
    const pat = new RegExp("^" + (neg ? raw.slice(1) : raw).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*?") + "$");
    if (pat.test(ns)) {
      if (neg) return false;
      on = true;
    }
  }
  return on;
}

/** What `debug` returns for a namespace that is off. */
export const off = (): void => {};

/** A logger for namespace `ns`; a no-op (`off`) unless enabled. */
export function debug(ns: string): (msg: string, ...args: unknown[]) => void {
  const spec = enabledPatterns();
  if (!spec || !matches(ns, spec)) return off;
  // The message is part of the format string, so its %s / %o / %d take the arguments.
  return (msg, ...args) => console.debug("%c" + ns + "%c " + msg, "color: #0a7", "color: inherit", ...args);
}
