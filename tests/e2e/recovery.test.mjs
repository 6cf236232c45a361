// Connection state recovery and ack retries.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, MODES, T, FAST_RECONNECT } from "./support/harness.mjs";

const env = useEnv();

for (const mode of MODES) {
  describe(`connection state recovery [${mode.name}]`, () => {
    it("recovers the session after a transport drop and delivers the missed events", T, async () => {
      let emitWhileGone = false;
      const srv = await env.newServer({
        options: { connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: true } },
        setup(io) {
          io.on("connection", (socket) => {
            if (!socket.recovered) socket.emit("hello", "first");
            socket.on("disconnect", () => {
              // the client is gone: these can only reach it through recovery
              if (emitWhileGone) {
                io.emit("missed", "a");
                io.emit("missed", { b: [2] });
                io.emit("missed", 3);
              }
            });
            socket.on("double", (n, cb) => cb(n * 2));
          });
        },
      });
      const page = await env.newPage();
      await page.eval(() => {
        // handlers exist before the socket connects
        window.__on = (s) => {
          s.on("hello", window.__rec("hello"));
          s.on("missed", window.__rec("missed"));
          s.on("missed", () => window.__push("missed-state", { connected: s.connected, recovered: s.recovered, id: s.id }));
        };
      });
      await page.eval(
        ({ url, opts }) => {
          window.__open("main", url, opts);
          window.__on(window.sockets.main);
        },
        { url: srv.url(), opts: { ...mode.opts, ...FAST_RECONNECT } },
      );
      const [c1] = await page.waitEvent("main:connect");
      if (mode.upgrade) await page.waitUpgrade("main");
      const first = c1.args[0];
      assert.equal(first.recovered, false, "a first connection is not recovered");

      // with recovery enabled, the server appends the packet offset (a string) to every event's
      // arguments, and socket.io-client hands it to the listener as an extra argument
      const [hello] = await page.waitEvent("hello");
      assert.equal(hello.args[0], "first");
      assert.equal(hello.args.length, 2);
      assert.equal(typeof hello.args[1], "string");

      emitWhileGone = true;
      srv.closeTransports();
      const [gone] = await srv.waitLog("disconnect");
      assert.equal(gone.args[0].reason, "forced close");
      emitWhileGone = false;

      const connects = await page.waitEvent("main:connect", { count: 2 });
      const second = connects[1].args[0];
      assert.equal(second.recovered, true, "socket.recovered");
      assert.equal(second.id, first.id, "a recovered session keeps its id");
      assert.equal(await page.eval(() => window.sockets.main.recovered), true);
      const [conn2] = (await srv.waitLog("connection", 2)).slice(1);
      assert.equal(conn2.args[0].recovered, true);
      assert.equal(conn2.args[0].id, first.id);

      const missed = await page.waitEvent("missed", { count: 3 });
      assert.deepEqual(
        missed.map((e) => e.args[0]),
        ["a", { b: [2] }, 3],
      );
      for (const e of missed) assert.equal(typeof e.args[1], "string", "offset argument");
      // the server sends the missed packets before its CONNECT packet; socket.io-client buffers them
      // and hands them out when the CONNECT arrives, just before the "connect" event, with the socket
      // already connected and recovered
      const evs = await page.events();
      const recoveredAt = evs.findIndex((e) => e.name === "main:connect" && e.args[0].recovered === true);
      const missedAt = evs.map((e, i) => (e.name === "missed" ? i : -1)).filter((i) => i >= 0);
      assert.ok(missedAt.every((i) => i < recoveredAt), "missed events are delivered before the connect event");
      assert.deepEqual(
        evs.filter((e) => e.name === "missed-state").map((e) => e.args[0]),
        [1, 2, 3].map(() => ({ connected: true, recovered: true, id: first.id })),
      );
      assert.equal((await page.eventsNamed("hello")).length, 1);
      assert.equal(await page.eval(() => window.sockets.main.emitWithAck("double", 8)), 16);
    });
  });

  describe(`retries [${mode.name}]`, () => {
    function setup(io, srv) {
      io.on("connection", (socket) => {
        let attempts = 0;
        socket.on("flaky", (payload, cb) => {
          attempts++;
          srv.push("flaky", payload, attempts);
          if (attempts >= 3) cb({ ok: true, attempts }); // the first 2 attempts are ignored
        });
        socket.on("never", srv.record("never"));
        socket.on("double", (n, cb) => cb(n * 2));
      });
    }

    it("with {retries: 3, ackTimeout: 300} the ack is called exactly once with (null, result)", T, async () => {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      await page.connect("main", srv.url(), mode, { retries: 3, ackTimeout: 300 });
      await page.eval(() => {
        window.sockets.main.emit("flaky", { n: 1 }, (...args) => window.__push("ack", ...args));
      });
      const [ack] = await page.waitEvent("ack");
      assert.deepEqual(ack.args, [null, { ok: true, attempts: 3 }]);
      // later traffic goes through the same queue; the first ack must not fire again
      const later = await page.eval(() => window.sockets.main.emitWithAck("double", 2));
      assert.equal(later, 4);
      assert.equal((await page.eventsNamed("ack")).length, 1);
      assert.deepEqual(
        srv.entries("flaky").map((e) => e.args),
        [
          [{ n: 1 }, 1],
          [{ n: 1 }, 2],
          [{ n: 1 }, 3],
        ],
        "the server saw the same event 3 times",
      );
    });

    it("after the last retry the ack gets the timeout error", T, async () => {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      await page.connect("main", srv.url(), mode, { retries: 2, ackTimeout: 200 });
      await page.eval(() => {
        window.sockets.main.emit("never", "x", (...args) => window.__push("ack", ...args));
      });
      const [ack] = await page.waitEvent("ack");
      assert.equal(ack.args.length, 1);
      assert.equal(ack.args[0].$type, "Error");
      assert.equal(ack.args[0].message, "operation has timed out");
      // 1 try + 2 retries
      assert.deepEqual(
        srv.entries("never").map((e) => e.args),
        [["x"], ["x"], ["x"]],
      );
      assert.equal(await page.eval(() => window.sockets.main.emitWithAck("double", 3)), 6);
      assert.equal((await page.eventsNamed("ack")).length, 1);
    });
  });
}
