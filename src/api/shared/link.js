// The browser parts of a connection shared by tabs (src/api/shared): a BroadcastChannel and Web Locks.

/** A channel whose messages go to `onmessage`, or null where BroadcastChannel or Web Locks are missing. */
export function channel(name, onmessage) {
  const g = globalThis;
  if (typeof g.BroadcastChannel !== "function" || !g.navigator || !g.navigator.locks) return null;
  const c = new g.BroadcastChannel(name);
  c.onmessage = (e) => onmessage(e.data);
  return c;
}

/**
 * Asks for the Web Lock `name`; `granted` is called once it is held, and it is held until the
 * returned function is called. Called before the grant, that function withdraws the request.
 */
export function hold(name, granted) {
  const ctl = new AbortController();
  let live = true;
  let release;
  const held = new Promise((r) => (release = r));
  navigator.locks
    .request(name, { signal: ctl.signal }, () => {
      if (live) granted();
      return held;
    })
    .catch(() => {});
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
