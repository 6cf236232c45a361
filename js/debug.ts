/**
 * Opt-in debug logging like socket.io-client's: set `localStorage.debug` to
 * `socket.io-client:*` (or `*`, or a comma-separated list, `-` to exclude)
 * and reload. Off by default and free when off.
 */

function enabledPatterns(): string {
  try {
    return (globalThis as { localStorage?: Storage }).localStorage?.getItem("debug") ?? "";
  } catch {
    return "";
  }
}

function matches(ns: string, spec: string): boolean {
  let on = false;
  for (const raw of spec.split(/[\s,]+/)) {
    if (!raw) continue;
    const neg = raw.startsWith("-");
    const pat = new RegExp("^" + (neg ? raw.slice(1) : raw).replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*?") + "$");
    if (pat.test(ns)) on = !neg;
  }
  return on;
}

/** A logger for namespace `ns`; a no-op unless enabled. */
export function debug(ns: string): (msg: string, ...args: unknown[]) => void {
  const spec = enabledPatterns();
  if (!spec || !matches(ns, spec)) return () => {};
  return (msg, ...args) => console.debug("%c" + ns, "color: #0a7", msg, ...args);
}
