// The browser parts of a connection shared by tabs (src/api/shared): a BroadcastChannel and Web Locks.

/** A channel whose messages go to `onmessage`, or null where BroadcastChannel or Web Locks are missing. */
export function channel(name, onmessage) {
  const g = globalThis;
  if (typeof g.BroadcastChannel !== "function" || !g.navigator || !g.navigator.locks) return null;
  let c;
  try {
    c = new g.BroadcastChannel(name);
  } catch {
    return null;
  }
  c.onmessage = (e) => onmessage(e.data);
  return c;
}

/**
 * Asks for the Web Lock `name`; `granted(true)` is called once it is held, and it is held until the
 * returned function is called. Called before the grant, that function withdraws the request. Where
 * the browser refuses the request (an opaque origin, say), `granted(false)` is called instead.
 */
export function hold(name, granted) {
  const ctl = new AbortController();
  let live = true;
  let release;
  const held = new Promise((r) => (release = r));
  const refused = (e) => {
    if (live && !(e && e.name === "AbortError")) granted(false);
  };
  try {
    navigator.locks
      .request(name, { signal: ctl.signal }, () => {
        if (live) granted(true);
        return held;
      })
      .catch(refused);
  } catch (e) {
    queueMicrotask(() => refused(e));
  }
  return () => {
    live = false;
    ctl.abort();
    release();
  };
}

/** Calls `f` in a microtask. */
export function soon(f) {
  queueMicrotask(f);
}
