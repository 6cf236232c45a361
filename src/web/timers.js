// Timers and the clock of the browser shell. With `native`, the engine uses the setTimeout,
// clearTimeout and performance.now the page had when this module was evaluated (the option
// useNativeTimers: a test's fake timers installed later do not drive the connection); without it,
// whatever the page has at the time of the call. Also whether the global scope takes event
// listeners (the shell's `offline` and `beforeunload`).

const g = globalThis;
const nativeSetTimeout = g.setTimeout;
const nativeClearTimeout = g.clearTimeout;
const nativeNow = g.performance ? g.performance.now.bind(g.performance) : Date.now;

export function setTimer(f, ms, native) {
  return native ? nativeSetTimeout.call(g, f, ms) : g.setTimeout(f, ms);
}

export function clearTimer(id, native) {
  if (native) nativeClearTimeout.call(g, id);
  else g.clearTimeout(id);
}

export function hasListeners() {
  return typeof g.addEventListener === "function";
}

export function now(native) {
  return native ? nativeNow() : g.performance.now();
}
