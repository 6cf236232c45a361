// The drop-in details of the manager's engine and emits that socket.io-client's own suite checks:
// `socket.io.engine` exists only once the manager opens; with `useNativeTimers` the client keeps the
// timers the page had at import when fake timers are installed later; onAnyOutgoing listeners receive
// the very values given to emit(). (The engine's own events are in tests/dropin/engine-events.test.mjs.)

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, T, MODES, FAST_RECONNECT, sleep } from "./support/harness.mjs";
import { setup } from "./support/engine-server.mjs";

const env = useEnv();

describe("socket.io.engine", () => {
  it("is undefined until the manager opens, then set (opening, then open)", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    const state = await page.eval((url) => {
      const s = window.io(url, { transports: ["websocket"], autoConnect: false });
      window.sockets.main = s;
      s.on("connect", () => window.__push("main:connect"));
      const before = s.io.engine;
      s.connect();
      return {
        before: before === undefined ? "undefined" : typeof before,
        after: typeof s.io.engine,
        readyState: s.io.engine && s.io.engine.readyState,
      };
    }, srv.url());
    assert.deepEqual(state, { before: "undefined", after: "object", readyState: "opening" });
    await page.waitEvent("main:connect");
    assert.equal(await page.eval(() => window.sockets.main.io.engine.readyState), "open");
  });

  it("a Manager created with autoConnect: false has no engine until open()", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    const state = await page.eval((url) => {
      const m = new window.__lib.Manager(url, { transports: ["websocket"], autoConnect: false });
      window.__mgr = m;
      const before = m.engine === undefined;
      m.on("open", () => window.__push("mgr:open"));
      m.open();
      return { before, after: typeof m.engine };
    }, srv.url());
    assert.deepEqual(state, { before: true, after: "object" });
    await page.waitEvent("mgr:open");
    await page.eval(() => window.__mgr.engine.close());
  });
});

async function installFakeClock(page) {
  await page.eval(() => {
    let now = 0;
    let nextId = 1;
    const timers = new Map();
    const add = (fn, ms, args, every) => {
      const id = nextId++;
      const delay = Math.max(0, Number(ms) || 0);
      timers.set(id, { at: now + delay, fn, args, every: every ? Math.max(1, delay) : 0 });
      return id;
    };
    globalThis.setTimeout = (fn, ms, ...args) => add(fn, ms, args, false);
    globalThis.setInterval = (fn, ms, ...args) => add(fn, ms, args, true);
    globalThis.clearTimeout = (id) => void timers.delete(id);
    globalThis.clearInterval = (id) => void timers.delete(id);
    window.__clock = {
      pending: () => timers.size,
      tick(ms) {
        const end = now + ms;
        for (;;) {
          let best = null;
          for (const [id, t] of timers) if (t.at <= end && (!best || t.at < best[1].at)) best = [id, t];
          if (!best) break;
          const [id, t] = best;
          now = t.at;
          if (t.every) t.at += t.every;
          else timers.delete(id);
          try {
            if (typeof t.fn === "function") t.fn(...t.args);
          } catch (e) {
            window.__push("clock-error", String(e));
          }
        }
        now = end;
        return timers.size;
      },
    };
    return true;
  });
}

describe("useNativeTimers", () => {
  it("with useNativeTimers the client keeps the real timers taken at import: reconnection delay and ack timeout", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await installFakeClock(page);
    const opts = { transports: ["websocket"], useNativeTimers: true, ...FAST_RECONNECT };
    await page.connect("main", srv.url(), null, opts);
    // Reconnection delay.
    srv.closeTransports();
    await page.waitEvent("main:reconnect_attempt");
    await page.waitEvent("main:connect", { count: 2 });
    // Ack timeout.
    await page.eval(() => {
      window.sockets.main.timeout(200).emit("noreply", (err) => window.__push("ack-timeout", err && err.message));
    });
    const [t] = await page.waitEvent("ack-timeout", { timeout: 3000 });
    assert.equal(t.args[0], "operation has timed out");
    assert.equal(await page.eval(() => window.__clock.pending()), 0, "nothing was scheduled on the fake clock");
  });

  it("with useNativeTimers the client's ping timeout fires when the server stops pinging", T, async () => {
    const srv = await env.newServer({ setup, options: { pingInterval: 300, pingTimeout: 200 } });
    const page = await env.newPage();
    await installFakeClock(page);
    await page.connect("main", srv.url(), null, { transports: ["websocket"], useNativeTimers: true, query: { silent: "1" }, ...FAST_RECONNECT });
    const [d] = await page.waitEvent("main:disconnect", { timeout: 4000 });
    assert.equal(d.args[0], "ping timeout");
    await page.waitEvent("main:connect", { count: 2 });
  });

  it("without useNativeTimers the reference client runs on the page's (fake) clock", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await installFakeClock(page);
    // Connecting needs no timer to fire (the connect timeout is only armed).
    await page.connect("main", srv.url(), null, { transports: ["websocket"], ...FAST_RECONNECT });
    assert.ok((await page.eval(() => window.__clock.pending())) >= 1, "timers were scheduled on the fake clock");
    srv.closeTransports();
    await page.waitEvent("main:disconnect");
    await sleep(800);
    assert.equal((await page.eventsNamed("main:reconnect_attempt")).length, 0, "the reconnection waits for the fake clock");
    await page.eval(() => window.__clock.tick(1000));
    await page.waitEvent("main:reconnect_attempt");
    await page.waitEvent("main:connect", { count: 2 });
  });
});

// ---------------------------------------------------------------------------------------------------
// onAnyOutgoing identity

describe("onAnyOutgoing receives the values given to emit", () => {
  const check = () => {
    const r = window.__outgoing;
    const [name, obj, bytes, date, n] = r.args;
    return {
      name,
      sameObject: obj === r.given.obj,
      sameBytes: bytes === r.given.bytes,
      bytesType: bytes && bytes.constructor && bytes.constructor.name,
      sameDate: date === r.given.date,
      isDate: date instanceof Date,
      n,
      connectedWhenCalled: r.connected,
    };
  };

  it("when connected: the same object, the same Uint8Array, the same Date", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.connect("main", srv.url(), null, { transports: ["websocket"] });
    await page.eval(() => {
      const s = window.sockets.main;
      const given = { obj: { a: 1, nested: { b: [2] } }, bytes: new Uint8Array([1, 2, 3]), date: new Date(0) };
      s.onAnyOutgoing((...args) => {
        window.__outgoing = { args, given, connected: s.connected };
      });
      s.emit("fire", given.obj, given.bytes, given.date, 7);
      return true;
    });
    const out = await page.eval(check);
    assert.deepEqual(out, {
      name: "fire",
      sameObject: true,
      sameBytes: true,
      bytesType: "Uint8Array",
      sameDate: true,
      isDate: true,
      n: 7,
      connectedWhenCalled: true,
    });
  });

  it("an emit buffered while offline: called only when it is sent, with the same values", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.eval((url) => {
      const s = window.io(url, { transports: ["websocket"], autoConnect: false });
      window.sockets.main = s;
      s.on("connect", () => window.__push("main:connect"));
      const given = { obj: { a: 1 }, bytes: new Uint8Array([9, 8]), date: new Date(1) };
      s.onAnyOutgoing((...args) => {
        window.__outgoing = { args, given, connected: s.connected };
        window.__push("outgoing");
      });
      s.emit("fire", given.obj, given.bytes, given.date, 7);
      window.__push("emitted", window.__outgoing === undefined);
      s.connect();
      return true;
    }, srv.url());
    const [emitted] = await page.waitEvent("emitted");
    assert.equal(emitted.args[0], true, "not called while the packet waits in the buffer");
    await page.waitEvent("main:connect");
    await page.waitEvent("outgoing");
    const out = await page.eval(check);
    assert.deepEqual(out, {
      name: "fire",
      sameObject: true,
      sameBytes: true,
      bytesType: "Uint8Array",
      sameDate: true,
      isDate: true,
      n: 7,
      connectedWhenCalled: true,
    });
  });
});
