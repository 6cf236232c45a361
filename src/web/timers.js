// Timers and the clock of the browser shell. With `native`, the engine uses the setTimeout,
// clearTimeout and Date.now the page had when this module was evaluated (the option
// useNativeTimers: a test's fake timers installed later do not drive the connection); without it,
// whatever the page has at the time of the call. Also whether the global scope takes event
// listeners (the shell's `offline` and `beforeunload`), and the shell's microtasks.
//
// The clock is Date.now, as socket.io-client's heartbeat check, kept from going backwards: a step
// back of the system clock is absorbed, so no deadline moves later. It is read on every input and
// costs a third of performance.now (the Window's accessor and the call); fake timers fake Date by
// default (Jest, Vitest and Sinon), so they drive it as they drive setTimeout.

const g = globalThis;
const nativeSetTimeout = g.setTimeout;
const nativeClearTimeout = g.clearTimeout;
const nativeNow = Date.now;

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

// The last reading and the correction so far, of the page's clock, then of the native one.
const clocks = [0, 0, 0, 0];

export function now(native) {
  const i = native ? 2 : 0;
  let t = (native ? nativeNow() : Date.now()) + clocks[i + 1];
  if (t < clocks[i]) {
    clocks[i + 1] += clocks[i] - t;
    t = clocks[i];
  }
  return (clocks[i] = t);
}

// A microtask as a promise reaction, as engine.io-client schedules its own (its `nextTick`):
// `queueMicrotask` goes through the page's bindings and costs more per call.
const done = Promise.resolve();

export function microtask(f) {
  done.then(f);
}
