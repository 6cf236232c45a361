// Disconnection reasons, automatic reconnection, manager events, server restarts and offline buffering.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, MODES, T, FAST_RECONNECT, sleep } from "./support/harness.mjs";

const env = useEnv();

function setup(io, srv) {
  io.on("connection", (socket) => {
    socket.on("offline", srv.record("offline"));
    socket.on("vol", srv.record("vol"));
    socket.on("double", (n, cb) => cb(n * 2));
  });
}

/** Records {reason, active, connected} on every disconnect of sockets.main. */
async function recordDisconnectState(page) {
  await page.eval(() => {
    const s = window.sockets.main;
    s.on("disconnect", (reason) => window.__push("state", { reason, active: s.active, connected: s.connected }));
  });
}

const names = (evs, prefix = "main:") => evs.filter((e) => e.name.startsWith(prefix)).map((e) => e.name.slice(prefix.length));

for (const mode of MODES) {
  describe(`disconnect [${mode.name}]`, () => {
    async function start(extra = {}) {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      const first = await page.connect("main", srv.url(), mode, { ...FAST_RECONNECT, ...extra });
      await recordDisconnectState(page);
      await srv.waitLog("connection");
      return { srv, page, first };
    }

    it('socket.disconnect() gives "io client disconnect" and no reconnection; connect() reconnects', T, async () => {
      const { srv, page, first } = await start();
      await page.eval(() => window.sockets.main.disconnect());
      const [st] = await page.waitEvent("state");
      assert.deepEqual(st.args[0], { reason: "io client disconnect", active: false, connected: false });
      const [gone] = await srv.waitLog("disconnect");
      assert.equal(gone.args[0].reason, "client namespace disconnect");
      assert.equal(gone.args[0].id, first.id);

      // socket.connect() brings it back
      await page.eval(() => window.sockets.main.connect());
      const connects = await page.waitEvent("main:connect", { count: 2 });
      assert.notEqual(connects[1].args[0].id, first.id, "a new session has a new id");
      assert.equal(await page.eval(() => window.sockets.main.emitWithAck("double", 4)), 8);
      const evs = await page.events();
      assert.equal(names(evs).filter((n) => n === "reconnect_attempt").length, 0, "manual connect is not a reconnection");
    });

    it('server-side socket.disconnect() gives "io server disconnect" and no reconnection', T, async () => {
      const { srv, page, first } = await start();
      srv.disconnectSockets();
      const [st] = await page.waitEvent("state");
      assert.deepEqual(st.args[0], { reason: "io server disconnect", active: false, connected: false });
      const [gone] = await srv.waitLog("disconnect");
      assert.equal(gone.args[0].reason, "server namespace disconnect");

      // a negative check: with reconnection attempts every 50..200 ms, nothing may happen for 800 ms
      await sleep(800);
      const evs = await page.events();
      assert.deepEqual(
        names(evs).filter((n) => n !== "open" && n !== "upgrade"),
        ["connect", "disconnect"],
        "no reconnect_attempt, no second connect",
      );
      assert.equal(srv.entries("connection").length, 1);

      // the application may reconnect explicitly
      await page.eval(() => window.sockets.main.connect());
      const connects = await page.waitEvent("main:connect", { count: 2 });
      assert.notEqual(connects[1].args[0].id, first.id);
    });

    it('transport closed by the server gives "transport close", then the client reconnects by itself', T, async () => {
      const { srv, page, first } = await start();
      srv.closeTransports();
      const [st] = await page.waitEvent("state");
      assert.deepEqual(st.args[0], { reason: "transport close", active: true, connected: false });
      const [gone] = await srv.waitLog("disconnect");
      assert.equal(gone.args[0].reason, "forced close");

      const connects = await page.waitEvent("main:connect", { count: 2 });
      const second = connects[1].args[0];
      assert.equal(second.connected, true);
      assert.notEqual(second.id, first.id, "without connection state recovery, a new id");
      const conns = await srv.waitLog("connection", 2);
      assert.equal(conns[1].args[0].id, second.id);

      // manager events: reconnect_attempt(1) then reconnect(1), between the disconnect and the connect
      const evs = await page.events();
      const seq = names(evs).filter((n) => ["disconnect", "reconnect_attempt", "reconnect", "connect"].includes(n));
      assert.deepEqual(seq, ["connect", "disconnect", "reconnect_attempt", "reconnect", "connect"]);
      assert.deepEqual(evs.find((e) => e.name === "main:reconnect_attempt").args, [1]);
      assert.deepEqual(evs.find((e) => e.name === "main:reconnect").args, [1]);

      if (mode.upgrade) await page.waitUpgrade("main", 2);
      assert.equal(await page.transportName("main"), mode.transport);
      assert.equal(await page.eval(() => window.sockets.main.emitWithAck("double", 5)), 10);
    });

    it("server restarted: the client comes back and delivers offline emits in order", T, async () => {
      const { srv, page, first } = await start();
      await srv.stop();
      const [st] = await page.waitEvent("state");
      // a websocket sees its close frame; a polling client sees the close packet if a GET was pending,
      // otherwise its next request fails ("transport error")
      assert.ok(["transport close", "transport error"].includes(st.args[0].reason), st.args[0].reason);
      assert.equal(st.args[0].active, true);
      // at least one reconnection attempt has failed: the client is really offline now
      const [err] = await page.waitEvent("main:reconnect_error");
      assert.equal(err.args[0].$type, "Error");

      await page.eval(() => {
        const s = window.sockets.main;
        // a volatile emit while offline is dropped, not buffered
        s.volatile.emit("vol", "dropped");
        for (let i = 1; i <= 5; i++) s.emit("offline", i, { i });
        s.emit("double", 21, (res) => window.__push("offline-ack", res));
        s.emit("offline", 6, { i: 6 });
      });
      assert.equal(await page.eval(() => window.sockets.main.connected), false);

      await srv.start(); // same port
      const connects = await page.waitEvent("main:connect", { count: 2 });
      assert.notEqual(connects[1].args[0].id, first.id);
      const got = await srv.waitLog("offline", 6);
      assert.deepEqual(
        got.map((e) => e.args),
        [1, 2, 3, 4, 5, 6].map((i) => [i, { i }]),
      );
      const [ack] = await page.waitEvent("offline-ack");
      assert.deepEqual(ack.args, [42]);
      // "vol" was emitted before "offline" 1: had it been buffered it would have arrived first
      assert.equal(srv.entries("vol").length, 0, "volatile emit while offline is discarded");
      const attempts = await page.eventsNamed("main:reconnect_attempt");
      assert.deepEqual(
        attempts.map((e) => e.args[0]),
        attempts.map((_, i) => i + 1),
        "reconnect_attempt counts 1, 2, 3...",
      );
      const [rec] = await page.waitEvent("main:reconnect");
      assert.deepEqual(rec.args, [attempts.at(-1).args[0]], "reconnect carries the number of the successful attempt");
      assert.equal(await page.eval(() => window.sockets.main.emitWithAck("double", 1)), 2);
    });

    it("gives up after reconnectionAttempts with reconnect_failed", T, async () => {
      const { srv, page } = await start({ reconnectionAttempts: 2 });
      await srv.stop();
      const [failed] = await page.waitEvent("main:reconnect_failed");
      assert.deepEqual(failed.args, []);
      const evs = await page.events();
      const seq = names(evs).filter((n) => n !== "open" && n !== "upgrade" && n !== "connect_error");
      // socket.io-client emits reconnect_failed *before* the last attempt's reconnect_error
      // (Manager.reconnect() runs before emitting reconnect_error)
      assert.deepEqual(seq, [
        "connect",
        "disconnect",
        "reconnect_attempt",
        "reconnect_error",
        "reconnect_attempt",
        "reconnect_failed",
        "reconnect_error",
      ]);
      assert.deepEqual(
        evs.filter((e) => e.name === "main:reconnect_attempt").map((e) => e.args),
        [[1], [2]],
      );
      assert.equal(await page.eval(() => window.sockets.main.connected), false);
    });
  });
}
