// Connection basics: connect event, socket.id, socket.connected, transport name, heartbeats.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, MODES, T, waitFor } from "./support/harness.mjs";

const env = useEnv();

for (const mode of MODES) {
  describe(`connect [${mode.name}]`, () => {
    it("emits connect with socket.id matching the server and socket.connected true", T, async () => {
      const srv = await env.newServer();
      const page = await env.newPage();

      const before = await page.eval(() => {
        const s = window.io("http://127.0.0.1:1", { autoConnect: false });
        return { connected: s.connected, disconnected: s.disconnected, id: s.id ?? null };
      });
      assert.deepEqual(before, { connected: false, disconnected: true, id: null });

      const connected = await page.connect("main", srv.url(), mode);
      assert.equal(typeof connected.id, "string");
      assert.ok(connected.id.length > 0);
      assert.equal(connected.connected, true, "socket.connected inside the connect handler");
      assert.equal(connected.disconnected, false);
      // socket.io-client leaves socket.recovered undefined (falsy) when the server has no recovery
      assert.ok(connected.recovered === false || connected.recovered?.$type === "undefined", "never recovered");

      const [conn] = await srv.waitLog("connection");
      assert.equal(conn.args[0].id, connected.id, "client and server agree on socket.id");

      const state = await page.eval(() => {
        const s = window.sockets.main;
        return { id: s.id, connected: s.connected, disconnected: s.disconnected, active: s.active };
      });
      assert.deepEqual(state, { id: connected.id, connected: true, disconnected: false, active: true });
    });

    it(`uses the ${mode.transport} transport (socket.io.engine.transport.name)`, T, async () => {
      const srv = await env.newServer();
      const page = await env.newPage();
      const connected = await page.connect("main", srv.url(), mode);
      if (!mode.upgrade) assert.equal(connected.transport, mode.transport);
      // with default transports the session opens on polling; whether the probe finishes before the
      // namespace's connect is a race, so the transport at connect time may already be websocket
      else assert.ok(["polling", "websocket"].includes(connected.transport), connected.transport);
      assert.equal(await page.transportName("main"), mode.transport);
      if (mode.upgrade) {
        const [up] = await page.eventsNamed("main:upgrade");
        assert.equal(up.args[0], "websocket", "engine 'upgrade' event, then transport is websocket");
      }
      // the server agrees (after an upgrade, its socket's transport is websocket too); the client
      // switches when it sends the upgrade packet, the server when that packet arrives, so wait for it
      await srv.waitLog("connection");
      await waitFor(() => srv.socket().conn.transport.name === mode.transport, {
        message: () => `the server's transport (${srv.socket().conn.transport.name}) to be ${mode.transport}`,
      });
    });

    it("answers the server's heartbeats and stays connected", T, async () => {
      const srv = await env.newServer({ options: { pingInterval: 100, pingTimeout: 300 } });
      const page = await env.newPage();
      const connected = await page.connect("main", srv.url(), mode);
      await srv.waitLog("connection");
      let pongs = 0;
      srv.socket().conn.on("packet", (p) => {
        if (p.type === "pong") pongs++;
      });
      await waitFor(() => pongs >= 5, { message: "5 pongs from the client" });
      const disconnects = await page.eventsNamed("main:disconnect");
      assert.deepEqual(disconnects, []);
      const state = await page.eval(() => ({ id: window.sockets.main.id, connected: window.sockets.main.connected }));
      assert.deepEqual(state, { id: connected.id, connected: true });
      assert.equal(srv.entries("connection").length, 1);
    });
  });
}
