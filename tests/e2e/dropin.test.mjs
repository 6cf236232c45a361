// Details an app switching from socket.io-client relies on: options and auth read again on every
// connection attempt, listeners that steer reconnection, emitter semantics, errors that stay in the
// emitting call, and (package only) listener exceptions that do not stop the connection.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, T, FAST_RECONNECT, LIB, sleep, waitFor } from "./support/harness.mjs";

const env = useEnv();

/** A server with the handlers below, and a page whose sockets.main is connected over WebSocket. */
async function start(extra = {}) {
  const srv = await env.newServer({ setup });
  const page = await env.newPage();
  await page.connect("main", srv.url(), null, { transports: ["websocket"], ...extra });
  return { srv, page };
}

function setup(io, srv) {
  io.on("connection", (socket) => {
    srv.push("handshake", { query: socket.handshake.query, auth: socket.handshake.auth });
    socket.on("fire", srv.record("fire"));
    socket.on("pair", () => {
      socket.emit("a", 1);
      socket.emit("b", 2);
    });
    socket.on("numbered", () => socket.emit(7, "seven"));
    socket.on("bin", () => socket.emit("bin", new Uint8Array([1, 2, 3])));
    socket.on("echo", (...args) => args.pop()(...args));
  });
}

describe("drop-in details", () => {
  it("socket.auth changed in place is sent with the next connection", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.connect("main", srv.url(), null, { transports: ["websocket"], auth: { token: "A" }, ...FAST_RECONNECT });
    await page.eval(() => {
      window.sockets.main.auth.token = "B";
    });
    srv.closeTransports();
    await page.waitEvent("main:connect", { count: 2 });
    const tokens = (await srv.waitLog("handshake", 2)).map((e) => e.args[0].auth.token);
    assert.deepEqual(tokens, ["A", "B"]);
  });

  it("the auth function is called with the socket as `this`", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.eval((url) => {
      let socket;
      socket = window.io(url, {
        transports: ["websocket"],
        auth(cb) {
          window.__push("auth-this", this === socket);
          cb({ token: "F" });
        },
      });
      return true;
    }, srv.url());
    const [entry] = await srv.waitLog("handshake");
    assert.equal(entry.args[0].auth.token, "F");
    const [ev] = await page.waitEvent("auth-this");
    assert.equal(ev.args[0], true, "`this` is the socket");
  });

  it("socket.io.opts.query changed in a reconnect_attempt listener reaches the server", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.connect("main", srv.url(), null, { transports: ["websocket"], query: { v: "1" }, ...FAST_RECONNECT });
    await page.eval(() => {
      const s = window.sockets.main;
      s.io.on("reconnect_attempt", (n) => {
        s.io.opts.query.v = String(n + 1);
      });
    });
    await srv.restart();
    await page.waitEvent("main:connect", { count: 2 });
    const versions = (await srv.waitLog("handshake", 2)).map((e) => e.args[0].query.v);
    assert.equal(versions[0], "1");
    assert.notEqual(versions.at(-1), "1", "the reconnection used the changed query");
  });

  it("socket.io.opts.transports changed in connect_error lets a websocket-only client fall back to polling", T, async () => {
    const srv = await env.newServer({ setup });
    const proxy = await env.newProxy(srv.port);
    const page = await env.newPage();
    await page.eval((url) => {
      window.__open("main", url, { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 200 });
      const s = window.sockets.main;
      s.on("connect_error", () => {
        // The fallback documented for socket.io-client.
        s.io.opts.transports = ["polling", "websocket"];
      });
      return true;
    }, proxy.url());
    const [ev] = await page.waitEvent("main:connect");
    assert.equal(ev.args[0].transport, "polling");
    assert.ok(proxy.state.upgradeAttempts >= 1, "the first attempt was a WebSocket");
  });

  it("socket.io.reconnection(false) in a reconnect_attempt listener stops the attempt", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.connect("main", srv.url(), null, { transports: ["websocket"], ...FAST_RECONNECT });
    await page.eval(() => {
      const s = window.sockets.main;
      s.io.on("reconnect_attempt", () => s.io.reconnection(false));
    });
    srv.closeTransports();
    await page.waitEvent("main:reconnect_attempt");
    await sleep(800);
    assert.equal((await page.eventsNamed("main:connect")).length, 1, "no new connection");
    assert.equal(srv.entries("handshake").length, 1);
  });

  it("transports: [] reports connect_error", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.eval((url) => window.__open("main", url, { transports: [], reconnection: false }), srv.url());
    const [ev] = await page.waitEvent("main:connect_error");
    const err = ev.args[0];
    assert.equal(typeof err === "string" ? err : err.message, "No transports available");
  });

  it("manager.uri, and the engine is opening right after io()", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    const state = await page.eval((url) => {
      window.__open("main", url, { transports: ["websocket"] });
      const s = window.sockets.main;
      return { uri: s.io.uri, engine: s.io.engine.readyState };
    }, srv.url());
    assert.equal(state.uri, srv.url());
    assert.equal(state.engine, "opening");
    await page.waitEvent("main:connect");
    assert.equal(await page.eval(() => window.sockets.main.io.engine.readyState), "open");
  });

  it("emitWithAck with a reserved name, or a value JSON cannot hold, returns a rejected promise", T, async () => {
    const { srv, page } = await start();
    const out = await page.eval(async () => {
      const s = window.sockets.main;
      const settle = (f) => {
        try {
          return f().then(
            () => "resolved",
            (e) => "rejected: " + e.message,
          );
        } catch (e) {
          return "threw: " + e.message;
        }
      };
      return {
        reserved: await settle(() => s.emitWithAck("disconnect", 1)),
        bigint: (await settle(() => s.emitWithAck("echo", 10n))).split(":")[0],
        blobBigint: (await settle(() => s.emitWithAck("echo", new Blob(["x"]), 10n))).split(":")[0],
      };
    });
    assert.deepEqual(out, {
      reserved: 'rejected: "disconnect" is a reserved event name',
      bigint: "rejected",
      blobBigint: "rejected",
    });
  });

  it("Blob arguments keep Dates and toJSON values of the call", T, async () => {
    const { srv, page } = await start();
    await page.eval(() => {
      const custom = { toJSON: () => "custom" };
      window.sockets.main.emit("fire", { when: new Date(0), custom, file: new Blob([new Uint8Array([9, 8])]) });
      return true;
    });
    const [ev] = await srv.waitLog("fire");
    const [arg] = ev.args;
    assert.equal(arg.when, "1970-01-01T00:00:00.000Z");
    assert.equal(arg.custom, "custom");
    assert.deepEqual([...arg.file], [9, 8]);
  });

  it("socket.sendBuffer lists the emits buffered while disconnected; assigning [] drops them", T, async () => {
    // A first connection, so that the engine has loaded: the second manager's socket is then
    // backed by it from its creation.
    const { srv, page } = await start();
    const buffered = await page.eval((url) => {
      const s = window.io(url, { transports: ["websocket"], autoConnect: false, forceNew: true });
      window.sockets.lazy = s;
      s.emit("fire", 1, { a: [2] });
      s.emit("echo", "x", () => {});
      // Volatile emits are dropped, not buffered, while disconnected.
      s.volatile.emit("fire", "lost");
      // `nsp` is left out: socket.io-client sets it when the packet is sent (its buffered packets have
      // none, though their type says `nsp: string`); the package gives the socket's.
      return s.sendBuffer.map((p) => ({ type: p.type, data: p.data.filter((d) => typeof d !== "function"), id: p.id, options: p.options }));
    }, srv.url());
    assert.deepEqual(buffered, [
      { type: 2, data: ["fire", 1, { a: [2] }], id: undefined, options: { compress: true } },
      { type: 2, data: ["echo", "x"], id: 0, options: { compress: true } },
    ]);
    const left = await page.eval(() => {
      const s = window.sockets.lazy;
      s.sendBuffer = [];
      s.emit("fire", "after");
      const n = s.sendBuffer.length;
      s.connect();
      return n;
    });
    assert.equal(left, 1);
    const [ev] = await srv.waitLog("fire");
    assert.deepEqual(ev.args, ["after"], "only the emit after the reset reached the server");
    await sleep(100);
    assert.equal(srv.entries("fire").length, 1, "the dropped emits were not sent");
  });

  it("socket.sendBuffer lists the emits made while the engine is still loading, with their ack ids", T, async () => {
    const srv = await env.newServer({ setup });
    // The page's engine arrives a second late: its first sockets are made before it exists.
    const context = await env.browser.newContext();
    env.resources.push({ order: 0, close: () => context.close() });
    await context.route("**/*.wasm", async (route) => {
      await sleep(1000);
      await route.continue();
    });
    const page = await env.openPage(context);
    const early = await page.eval((url) => {
      window.shape = (list) => list.map((p) => ({ data: p.data.filter((d) => typeof d !== "function"), id: p.id }));
      const s = window.io(url, { transports: ["websocket"], autoConnect: false, forceNew: true });
      const t = window.io(url, { transports: ["websocket"], autoConnect: false, forceNew: true });
      window.sockets.lazy = s;
      window.sockets.reset = t;
      s.emit("fire", 1);
      s.emit("echo", "a", () => {});
      s.volatile.emit("echo", "lost", () => {});
      s.emit("echo", "b", () => {});
      t.emit("fire", "dropped", () => {});
      t.sendBuffer = [];
      t.emit("fire", "kept");
      return { s: window.shape(s.sendBuffer), t: window.shape(t.sendBuffer) };
    }, srv.url());
    const expected = [
      { data: ["fire", 1], id: undefined },
      { data: ["echo", "a"], id: 0 },
      { data: ["echo", "b"], id: 2 },
    ];
    assert.deepEqual(early.s, expected, "while loading: the volatile emit left out, its ack id taken");
    assert.deepEqual(early.t, [{ data: ["fire", "kept"], id: undefined }], "assigning [] while loading");
    // A third manager connects: the engine has loaded; the lists are the engine's now, and the same.
    await page.connect("main", srv.url(), null, { transports: ["websocket"], forceNew: true });
    const later = await page.eval(() => ({
      s: window.shape(window.sockets.lazy.sendBuffer),
      t: window.shape(window.sockets.reset.sendBuffer),
    }));
    assert.deepEqual(later, early);
    await page.eval(() => window.sockets.reset.connect());
    const [ev] = await srv.waitLog("fire");
    assert.deepEqual(ev.args, ["kept"], "only the emit after the reset reached the server");
    await sleep(100);
    assert.equal(srv.entries("fire").length, 1, "the dropped emit was not sent");
  });

  /** The loading of the engine: there is none in socket.io-client. */
  const ENGINE_ONLY = { ...T, skip: LIB === "reference" && "socket.io-client has no engine to load" };

  /** A page whose requests for the engine's .wasm go through `handler` (Playwright's route). */
  async function pageWithWasmRoute(handler) {
    const context = await env.browser.newContext();
    env.resources.push({ order: 0, close: () => context.close() });
    await context.route("**/*.wasm", handler);
    return env.openPage(context);
  }

  it(
    "a .wasm the server does not give (404) is a connect_error that says so",
    ENGINE_ONLY,
    async () => {
      const srv = await env.newServer({ setup });
      const page = await pageWithWasmRoute((route) => route.fulfill({ status: 404, contentType: "text/plain", body: "gone" }));
      const seen = await page.eval(
        (url) =>
          new Promise((resolve) => {
            const s = window.io(url, { transports: ["websocket"], forceNew: true });
            s.on("connect", () => resolve({ connected: true }));
            s.on("connect_error", (e) => resolve({ message: e.message }));
          }),
        srv.url(),
      );
      assert.match(seen.message ?? "", /^socketio-wasm: fetching the engine \(http:\/\/[^)]+\.wasm\) answered 404\b/);
      assert.equal(srv.entries("connection").length, 0);
    },
  );

  it(
    "a .wasm fetch that failed is made again after the reconnection delay; the emits meanwhile are sent",
    ENGINE_ONLY,
    async () => {
      const srv = await env.newServer({ setup });
      let fetches = 0;
      const page = await pageWithWasmRoute(async (route) => {
        // The first two fetches fail (a server error, then no answer at all), as while offline.
        fetches++;
        if (fetches === 1) return route.fulfill({ status: 503, contentType: "text/plain", body: "busy" });
        if (fetches === 2) return route.abort("internetdisconnected");
        return route.continue();
      });
      // The page's first fetch has failed before io() (the socket then asks for the engine after
      // that failure, and hears of it once).
      await waitFor(() => fetches >= 1, { message: "the first fetch of the .wasm" });
      await sleep(100);
      await page.eval((url) => {
        const s = window.io(url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 300 });
        window.sockets.main = s;
        window.__seen = [];
        s.on("connect_error", (e) => window.__seen.push("connect_error: " + e.message));
        s.on("connect", () => window.__seen.push("connect"));
        s.emit("fire", "before the engine");
      }, srv.url());
      const [ev] = await srv.waitLog("fire");
      assert.deepEqual(ev.args, ["before the engine"]);
      const seen = await page.eval(() => window.__seen);
      assert.equal(seen.length, 3, seen.join("\n"));
      assert.match(seen[0], /^connect_error: socketio-wasm: fetching the engine \(.+\) answered 503/);
      assert.match(seen[1], /^connect_error: /);
      assert.equal(seen[2], "connect");
      assert.equal(fetches, 3);
    },
  );

  it(
    "a page in place of the .wasm (a captive portal's) is fetched again until the module comes",
    ENGINE_ONLY,
    async () => {
      const srv = await env.newServer({ setup });
      let fetches = 0;
      const page = await pageWithWasmRoute((route) => {
        fetches++;
        if (fetches === 1) return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Sign in to the Wi-Fi</h1>" });
        return route.continue();
      });
      const seen = await page.eval(
        (url) =>
          new Promise((resolve) => {
            const list = [];
            const s = window.io(url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 50 });
            s.on("connect_error", (e) => list.push("connect_error: " + e.message));
            s.on("connect", () => resolve([...list, "connect"]));
          }),
        srv.url(),
      );
      assert.equal(seen.length, 2, seen.join("\n"));
      assert.match(seen[0], /^connect_error: .*WebAssembly/);
      assert.equal(fetches, 2);
    },
  );

  it(
    "a .wasm that the page's Content-Security-Policy refuses is not fetched again",
    ENGINE_ONLY,
    async () => {
      const srv = await env.newServer({ setup });
      const context = await env.browser.newContext();
      env.resources.push({ order: 0, close: () => context.close() });
      let fetches = 0;
      await context.route("**/*.wasm", (route) => {
        fetches++;
        return route.continue();
      });
      // The test page with a policy that allows its scripts but not WebAssembly.
      await context.route(env.static.url, async (route) => {
        const res = await route.fetch();
        await route.fulfill({ response: res, headers: { ...res.headers(), "content-security-policy": "script-src 'self' 'unsafe-inline'" } });
      });
      const page = await env.openPage(context);
      const message = await page.eval(
        (url) =>
          new Promise((resolve) => {
            const s = window.io(url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 50 });
            s.on("connect_error", (e) => resolve(e.message));
          }),
        srv.url(),
      );
      assert.match(message, /^socketio-wasm: the page's Content-Security-Policy does not allow WebAssembly/);
      await sleep(400);
      assert.equal(fetches, 1);
      assert.equal(srv.entries("connection").length, 0);
    },
  );

  it(
    "a .wasm served with another content type than application/wasm loads all the same",
    ENGINE_ONLY,
    async () => {
      const srv = await env.newServer({ setup });
      const page = await pageWithWasmRoute(async (route) => {
        const res = await route.fetch();
        await route.fulfill({ response: res, headers: { ...res.headers(), "content-type": "application/octet-stream" } });
      });
      const connected = await page.connect("main", srv.url(), null, { transports: ["websocket"] });
      assert.equal(connected.connected, true);
      assert.deepEqual(page.console.filter((l) => l.startsWith("[warning]") || l.startsWith("[error]")), []);
    },
  );

  it("the manager's packet event types binary events as EVENT (2)", T, async () => {
    const { srv, page } = await start();
    await page.eval(() => {
      const s = window.sockets.main;
      s.io.on("packet", (p) => {
        if (p.type !== 0) window.__push("packet", p.type, p.nsp, p.data);
      });
      s.emit("bin");
      return true;
    });
    const [ev] = await page.waitEvent("packet");
    assert.equal(ev.args[0], 2);
    assert.equal(ev.args[1], "/");
    assert.deepEqual(ev.args[2], ["bin", { $type: "ArrayBuffer", bytes: [1, 2, 3] }]);
  });

  it("emitter semantics: off(undefined), live listeners(), numeric event names, removeAllListeners(ev, fn)", T, async () => {
    const { srv, page } = await start();
    const out = await page.eval(async () => {
      const s = window.sockets.main;
      const f = () => {};
      const g = () => {};
      s.on("x", f);
      s.on("x", g);
      s.off(undefined);
      const afterOffUndefined = s.listeners("x").length;
      const live = s.listeners("x") === s.listeners("x");
      s.removeAllListeners("x", f);
      const afterRemoveOne = s.listeners("x").length;
      const numbered = new Promise((resolve) => s.on("7", (v) => resolve(v)));
      s.emit("numbered");
      return { afterOffUndefined, live, afterRemoveOne, numbered: await numbered };
    });
    assert.deepEqual(out, { afterOffUndefined: 2, live: true, afterRemoveOne: 1, numbered: "seven" });
  });

  it(
    "a listener that throws is reported and the next events still arrive, and the client still reconnects",
    { ...T, skip: LIB === "reference" && "socket.io-client lets the exception stop the rest of a polling payload and the reconnection" },
    async () => {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      await page.connect("main", srv.url(), null, { transports: ["polling"], ...FAST_RECONNECT });
      await page.eval(() => {
        const s = window.sockets.main;
        s.on("a", () => {
          throw new Error("listener a failed");
        });
        s.on("b", window.__rec("b"));
        s.on("disconnect", () => {
          throw new Error("disconnect listener failed");
        });
        s.emit("pair");
        return true;
      });
      await page.waitEvent("b");
      srv.closeTransports();
      await page.waitEvent("main:connect", { count: 2 });
      await page.waitFor(() => page.console.some((l) => l.includes("disconnect listener failed")), {
        message: "the disconnect listener's error reported as uncaught",
      });
      assert.ok(page.console.some((l) => l.includes("listener a failed")), page.diagnostics());
    },
  );
});

describe("debug logging", () => {
  it(
    "socketio-wasm/debug: localStorage.debug turns on the namespaces it names, exclusions first",
    { ...T, skip: LIB === "reference" && "socket.io-client's ESM bundle is built without its debug logs" },
    async () => {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      // Read when the package loads, as the debug package reads it.
      await page.eval(() => localStorage.setItem("debug", "-socket.io-client:manager,socket.io-client:*"));
      await page.page.reload();
      await page.page.waitForFunction(() => window.__ready === true);
      // The entry with debug logging (as socket.io-client/debug), beside the default one.
      await page.eval(async () => {
        window.io = (await import("/lib/debug/index.js")).io;
      });
      await page.connect("main", srv.url(), null, { transports: ["websocket"] });
      await page.eval(() => window.sockets.main.emit("fire", { n: 1 }));
      await srv.waitLog("fire");
      const lines = page.console.filter((l) => l.startsWith("[debug]"));
      assert.ok(
        // The console line is the format string (namespace and message, whose %s takes the
        // argument), then the arguments.
        lines.some((l) => /socket\.io-client:socket%c socket connected with id %s .*\S/.test(l)),
        "the socket's messages:\n" + lines.join("\n"),
      );
      assert.ok(!lines.some((l) => l.includes("socket.io-client:manager")), "the excluded namespace (its 'writing packet' line would name the event):\n" + lines.join("\n"));
      await page.eval(() => localStorage.removeItem("debug"));
    },
  );

  it("the default entry is silent with localStorage.debug set, as socket.io-client's browser build", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.eval(() => localStorage.setItem("debug", "*"));
    await page.page.reload();
    await page.page.waitForFunction(() => window.__ready === true);
    try {
      await page.connect("main", srv.url(), null, { transports: ["websocket"] });
      await page.eval(() => window.sockets.main.emit("fire", 1));
      await srv.waitLog("fire");
      assert.deepEqual(page.console.filter((l) => l.startsWith("[debug]")), []);
    } finally {
      await page.eval(() => localStorage.removeItem("debug"));
    }
  });

  it("is silent without localStorage.debug", T, async () => {
    const { srv, page } = await start();
    await page.eval(() => window.sockets.main.emit("fire", 1));
    await srv.waitLog("fire");
    assert.deepEqual(page.console.filter((l) => l.startsWith("[debug]")), []);
  });
});
