// Emitting and receiving events: plain emits, acks both ways, emitWithAck, timeouts, JSON fidelity,
// ordering, onAny/onAnyOutgoing, once/off, volatile, reserved names.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, MODES, T } from "./support/harness.mjs";

const env = useEnv();

/** Arguments that must survive a round trip exactly (any JSON). */
const JSON_ARGS = [
  { nested: { a: [1, { b: null, c: [[], {}] }], s: "x", t: true, f: false, n: -0.5, big: 1e21, zero: 0 } },
  [1, "two", null, true, false, [], {}, [[1, [2, [3]]]]],
  null,
  42,
  -3.25,
  true,
  false,
  "astral 😀 LS \u2028 PS \u2029 quote \" backslash \\ nul \u0000 accents éü 中文 \n\t",
  "",
  { "key with spaces": "v", "😀": "emoji key", "\u2028": "\u2029", empty: "" },
  Number.MAX_SAFE_INTEGER,
  0.1,
];

function setup(io, srv) {
  io.on("connection", (socket) => {
    socket.on("fire", srv.record("fire"));
    socket.on("seq", srv.record("seq"));
    socket.on("vol", srv.record("vol"));
    socket.on("noanswer", srv.record("noanswer"));
    socket.on("echo", (...args) => {
      const cb = args.pop();
      cb(...args);
    });
    socket.on("sum", (a, b, cb) => cb(a + b));
    socket.on("burst", (n) => {
      for (let i = 0; i < n; i++) socket.emit("e", i);
    });
    socket.on("burst-then-bye", (n) => {
      for (let i = 0; i < n; i++) socket.emit("e", i);
      socket.disconnect();
    });
  });
}

for (const mode of MODES) {
  describe(`emit [${mode.name}]`, () => {
    async function start(options = {}) {
      const srv = await env.newServer({ setup, options });
      const page = await env.newPage();
      await page.connect("main", srv.url(), mode);
      return { srv, page };
    }

    it("emit without ack delivers any JSON arguments to the server", T, async () => {
      const { srv, page } = await start();
      const ret = await page.eval((args) => window.sockets.main.emit("fire", ...args) === window.sockets.main, JSON_ARGS);
      assert.equal(ret, true, "emit() returns the socket");
      const [ev] = await srv.waitLog("fire");
      assert.deepEqual(ev.args, JSON_ARGS);
    });

    it("emit with an ack callback gets the server's answer", T, async () => {
      const { page } = await start();
      const sum = await page.eval(
        () => new Promise((resolve) => window.sockets.main.emit("sum", 2, 3, (...a) => resolve(a.map(window.__describe)))),
      );
      assert.deepEqual(sum, [5]);
      const echoed = await page.eval(
        (args) =>
          new Promise((resolve) => window.sockets.main.emit("echo", ...args, (...a) => resolve(a.map(window.__describe)))),
        JSON_ARGS,
      );
      assert.deepEqual(echoed, JSON_ARGS);
    });

    it("emitWithAck resolves with the server's answer", T, async () => {
      const { page } = await start();
      const res = await page.eval(async (obj) => {
        const s = window.sockets.main;
        return {
          sum: await s.emitWithAck("sum", 20, 22),
          echo: window.__describe(await s.emitWithAck("echo", obj)),
        };
      }, JSON_ARGS[0]);
      assert.deepEqual(res, { sum: 42, echo: JSON_ARGS[0] });
    });

    it("events the server sends before disconnecting arrive in order, before the disconnect", T, async () => {
      const { page } = await start();
      const seen = await page.eval(
        () =>
          new Promise((resolve) => {
            const s = window.sockets.main;
            const seen = [];
            const onError = (e) => {
              if (String(e.message || e).includes("listener fails")) e.preventDefault?.();
            };
            window.addEventListener("error", onError);
            s.on("e", (i) => {
              seen.push(i);
              // A listener that throws skips the listeners after it for this event (as in
              // socket.io-client), not the next events.
              if (i === 0) throw new Error("listener fails");
            });
            s.on("e", (i) => seen.push(`again ${i}`));
            s.on("disconnect", (reason) => {
              window.removeEventListener("error", onError);
              resolve([...seen, reason]);
            });
            s.emit("burst-then-bye", 3);
          }),
      );
      assert.deepEqual(seen, [0, 1, "again 1", 2, "again 2", "io server disconnect"]);
    });

    // Over long-polling the server's disconnect comes in the same payload as the events before it:
    // the listener's disconnect() still wins, as in socket.io-client, which hands each packet on
    // in its own tick.
    for (const [what, ev] of [["the burst's later events", "burst"], ["the later events before the server's disconnect", "burst-then-bye"]]) {
      it(`after disconnect() in a listener, ${what} are not delivered; the reason is the client's`, T, async () => {
        const { page } = await start();
        const seen = await page.eval(
          (ev) =>
            new Promise((resolve) => {
              const s = window.sockets.main;
              const seen = [];
              s.on("e", (i) => {
                seen.push(i);
                if (i === 1) s.disconnect();
              });
              s.on("disconnect", (reason) => {
                seen.push(reason);
                // Anything still on its way would arrive within this.
                setTimeout(() => resolve(seen), 300);
              });
              s.emit(ev, 4);
            }),
          ev,
        );
        assert.deepEqual(seen, [0, 1, "io client disconnect"]);
      });
    }

    it("emit of a circular value throws at once and the socket goes on", T, async () => {
      const { page } = await start();
      const res = await page.eval(async () => {
        const s = window.sockets.main;
        // A cycle deep inside arguments longer than a usual event, and a plain one.
        const wide = Array.from({ length: 200 }, (_, i) => ({ i }));
        const deep = { wide };
        wide[150].back = deep;
        const small = { a: 1 };
        small.self = small;
        const thrown = [];
        for (const v of [deep, small]) {
          try {
            s.emit("fire", v);
            thrown.push("no error");
          } catch (e) {
            thrown.push(e instanceof TypeError);
          }
        }
        const sum = await s.emitWithAck("sum", 20, 22);
        return { thrown, sum };
      });
      assert.deepEqual(res, { thrown: [true, true], sum: 42 });
    });

    it("an ack timeout still fires on time when the system clock steps back", T, async () => {
      const { page } = await start();
      const res = await page.eval(async () => {
        const s = window.sockets.main;
        const realNow = Date.now;
        const t0 = performance.now();
        try {
          return await new Promise((resolve, reject) => {
            s.timeout(300).emit("noanswer", 1, (err) =>
              resolve({ message: err && err.message, elapsed: performance.now() - t0 }),
            );
            // The clock goes back an hour (an NTP correction, a user changing the time).
            Date.now = () => realNow() - 3_600_000;
            setTimeout(() => reject(new Error("no ack error after 3 s")), 3000);
          });
        } finally {
          Date.now = realNow;
        }
      });
      assert.equal(res.message, "operation has timed out");
      assert.ok(res.elapsed >= 280 && res.elapsed < 3000, `ack error after ${res.elapsed} ms, expected about 300`);
    });

    it("timeout(ms).emit calls the ack with an error when the server never answers", T, async () => {
      const { srv, page } = await start();
      const res = await page.eval(async () => {
        const s = window.sockets.main;
        const t0 = performance.now();
        const viaCallback = await new Promise((resolve) =>
          s.timeout(200).emit("noanswer", 1, (err, ...rest) =>
            resolve({
              isError: err instanceof Error,
              message: err && err.message,
              rest: rest.length,
              elapsed: performance.now() - t0,
            }),
          ),
        );
        const t1 = performance.now();
        const viaPromise = await s
          .timeout(200)
          .emitWithAck("noanswer", 2)
          .then(
            (v) => ({ resolved: window.__describe(v) }),
            (err) => ({ isError: err instanceof Error, message: err && err.message, elapsed: performance.now() - t1 }),
          );
        const inTime = await new Promise((resolve) =>
          s.timeout(5000).emit("sum", 1, 2, (err, res) => resolve({ err: window.__describe(err), res })),
        );
        return { viaCallback, viaPromise, inTime };
      });
      assert.equal(res.viaCallback.isError, true);
      assert.equal(res.viaCallback.message, "operation has timed out");
      assert.equal(res.viaCallback.rest, 0);
      assert.ok(res.viaCallback.elapsed >= 180, `ack error after ${res.viaCallback.elapsed} ms, expected >= 200`);
      assert.equal(res.viaPromise.isError, true, JSON.stringify(res.viaPromise));
      assert.equal(res.viaPromise.message, "operation has timed out");
      assert.ok(res.viaPromise.elapsed >= 180);
      // with a timeout, a timely answer comes with a null error first
      assert.deepEqual(res.inTime, { err: null, res: 3 });
      // the events did reach the server, which just never answered
      const got = await srv.waitLog("noanswer", 2);
      assert.deepEqual(got.map((e) => e.args), [[1], [2]]);
    });

    it("receives server events with any JSON arguments", T, async () => {
      const { srv, page } = await start();
      await page.eval(() => window.sockets.main.on("json", window.__rec("json")));
      srv.socket().emit("json", ...JSON_ARGS);
      const [ev] = await page.waitEvent("json");
      assert.deepEqual(ev.args, JSON_ARGS);
    });

    it("acknowledges server events (server emitWithAck to the client)", T, async () => {
      const { srv, page } = await start();
      await page.eval(() =>
        window.sockets.main.on("ask", (n, obj, cb) => cb({ got: n, obj, list: [n, n + 1] }, "second")),
      );
      const s = srv.socket();
      const answer = await s.timeout(5000).emitWithAck("ask", 41, JSON_ARGS[1]);
      assert.deepEqual(answer, { got: 41, obj: JSON_ARGS[1], list: [41, 42] });
      const both = await new Promise((resolve, reject) =>
        s.timeout(5000).emit("ask", 1, null, (err, ...args) => (err ? reject(err) : resolve(args))),
      );
      assert.deepEqual(both, [{ got: 1, obj: null, list: [1, 2] }, "second"]);
    });

    it("keeps the order of many events in both directions", T, async () => {
      const { srv, page } = await start();
      const N = 200;
      await page.eval((N) => {
        const s = window.sockets.main;
        s.on("seq", window.__rec("seq"));
        for (let i = 0; i < N; i++) s.emit("seq", i, "x".repeat(i % 7));
      }, N);
      const atServer = await srv.waitLog("seq", N);
      assert.deepEqual(
        atServer.map((e) => e.args[0]),
        Array.from({ length: N }, (_, i) => i),
      );
      const s = srv.socket();
      for (let i = 0; i < N; i++) s.emit("seq", i);
      const atClient = await page.waitEvent("seq", { count: N });
      assert.deepEqual(
        atClient.map((e) => e.args[0]),
        Array.from({ length: N }, (_, i) => i),
      );
    });

    it("onAny sees incoming events, onAnyOutgoing sees emitted ones", T, async () => {
      const { srv, page } = await start();
      await page.eval(() => {
        const s = window.sockets.main;
        window.__anyListener = (ev, ...args) => window.__push("any", ev, ...args);
        s.onAny(window.__anyListener);
        s.onAnyOutgoing((ev, ...args) => window.__push("anyOut", ev, ...args));
        s.on("srv", window.__rec("srv"));
      });
      srv.socket().emit("srv", 1, { a: [2] });
      await page.waitEvent("srv");
      await page.eval(async () => {
        const s = window.sockets.main;
        s.emit("fire", "out", 3);
        await s.emitWithAck("sum", 1, 2);
      });
      await srv.waitLog("fire");
      let evs = await page.events();
      assert.deepEqual(
        evs.filter((e) => e.name === "any" || e.name === "srv").map((e) => [e.name, e.args]),
        [
          ["any", ["srv", 1, { a: [2] }]],
          ["srv", [1, { a: [2] }]],
        ],
        "catch-all listeners run before the event's own listeners",
      );
      assert.deepEqual(
        evs.filter((e) => e.name === "anyOut").map((e) => e.args),
        [
          ["fire", "out", 3],
          ["sum", 1, 2],
        ],
        "outgoing listeners get the event name and arguments, without the ack callback",
      );
      // offAny(listener) stops it
      await page.eval(() => window.sockets.main.offAny(window.__anyListener));
      srv.socket().emit("srv", 2);
      await page.waitEvent("srv", { count: 2 });
      evs = await page.events();
      assert.equal(evs.filter((e) => e.name === "any").length, 1);
    });

    it("once fires a single time and off removes listeners", T, async () => {
      const { srv, page } = await start();
      await page.eval(() => {
        const s = window.sockets.main;
        s.once("tick", window.__rec("once"));
        const removed = window.__rec("removed");
        s.on("tick", removed);
        s.off("tick", removed);
        const onceRemoved = window.__rec("once-removed");
        s.once("tick", onceRemoved);
        s.off("tick", onceRemoved);
        s.on("tick", window.__rec("on"));
        s.on("tock", window.__rec("off-all-1"));
        s.on("tock", window.__rec("off-all-2"));
        s.off("tock");
        s.on("marker", window.__rec("marker"));
      });
      const s = srv.socket();
      s.emit("tick", 1);
      s.emit("tick", 2);
      s.emit("tock", 3);
      s.emit("marker");
      await page.waitEvent("marker");
      const evs = await page.events();
      const args = (name) => evs.filter((e) => e.name === name).map((e) => e.args);
      assert.deepEqual(args("once"), [[1]]);
      assert.deepEqual(args("on"), [[1], [2]]);
      assert.deepEqual(args("removed"), []);
      assert.deepEqual(args("once-removed"), []);
      assert.deepEqual(args("off-all-1"), []);
      assert.deepEqual(args("off-all-2"), []);
    });

    it("volatile emit is delivered while connected", T, async () => {
      const { srv, page } = await start();
      await page.eval(async () => {
        const s = window.sockets.main;
        await s.emitWithAck("sum", 1, 1);
        await window.__idle(s);
        s.volatile.emit("vol", "hello", 1);
      });
      const [ev] = await srv.waitLog("vol");
      assert.deepEqual(ev.args, ["hello", 1]);
    });
  });
}

describe("reserved event names", () => {
  it("emit of a reserved event name throws and sends nothing", T, async () => {
    const srv = await env.newServer({ setup });
    const page = await env.newPage();
    await page.connect("main", srv.url(), MODES[0]);
    const names = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];
    const res = await page.eval(async (names) => {
      const s = window.sockets.main;
      const out = {};
      for (const n of names) {
        try {
          s.emit(n, 1);
          out[n] = "no throw";
        } catch (e) {
          out[n] = { isError: e instanceof Error, message: e.message };
        }
      }
      out.after = await s.emitWithAck("sum", 2, 2);
      return out;
    }, names);
    for (const n of names) {
      assert.deepEqual(res[n], { isError: true, message: `"${n}" is a reserved event name` }, n);
    }
    assert.equal(res.after, 4, "the socket still works");
    assert.equal(srv.entries("disconnect").length, 0);
  });
});
