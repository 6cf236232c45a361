// A proxy in front of the server forwards HTTP long-polling but refuses WebSocket upgrades.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, T, waitFor } from "./support/harness.mjs";

const env = useEnv();

function setup(io, srv) {
  io.on("connection", (socket) => {
    socket.on("double", (n, cb) => cb(n * 2));
    socket.on("fire", srv.record("fire"));
  });
}

async function start() {
  // short heartbeats: waiting for pongs lets time pass without fixed sleeps
  const srv = await env.newServer({ setup, options: { pingInterval: 150, pingTimeout: 500 } });
  const proxy = await env.newProxy(srv.port);
  const page = await env.newPage();
  return { srv, proxy, page };
}

async function waitPongs(srv, count) {
  let pongs = 0;
  srv.socket().conn.on("packet", (p) => {
    if (p.type === "pong") pongs++;
  });
  await waitFor(() => pongs >= count, { message: `${count} pongs` });
}

describe("proxy refusing WebSocket upgrades", () => {
  it("default transports stay on polling and keep working", T, async () => {
    const { srv, proxy, page } = await start();
    const first = await page.connect("main", proxy.url(), null, {});
    assert.equal(first.transport, "polling");
    // the client tried to upgrade and the proxy refused
    await waitFor(() => proxy.state.upgradeAttempts >= 1, { message: "an upgrade attempt at the proxy" });
    await srv.waitLog("connection");
    await waitPongs(srv, 3); // the failed probe has had time to be noticed

    const res = await page.eval(async () => {
      const s = window.sockets.main;
      const answers = [];
      for (let i = 1; i <= 3; i++) answers.push(await s.emitWithAck("double", i));
      s.emit("fire", "still here");
      return { answers, transport: s.io.engine.transport.name, connected: s.connected, id: s.id };
    });
    assert.deepEqual(res.answers, [2, 4, 6]);
    assert.equal(res.transport, "polling");
    assert.equal(res.connected, true);
    assert.equal(res.id, first.id, "same session: no reconnection happened");
    await srv.waitLog("fire");
    assert.equal(srv.socket().conn.transport.name, "polling");
    assert.ok(proxy.state.requests > 0);
    assert.deepEqual(await page.eventsNamed("main:disconnect"), []);
    assert.deepEqual(await page.eventsNamed("main:upgrade"), []);
    assert.deepEqual(await page.eventsNamed("main:connect_error"), []);
    assert.equal(srv.entries("connection").length, 1);
  });

  it('transports ["websocket","polling"] with tryAllTransports falls back to polling', T, async () => {
    const { srv, proxy, page } = await start();
    const first = await page.connect("main", proxy.url(), null, {
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    assert.equal(first.transport, "polling");
    assert.ok(proxy.state.upgradeAttempts >= 1, "websocket was tried first");
    const res = await page.eval(async () => ({
      answer: await window.sockets.main.emitWithAck("double", 21),
      transport: window.sockets.main.io.engine.transport.name,
    }));
    assert.deepEqual(res, { answer: 42, transport: "polling" });
    // the websocket failure was absorbed by the fallback
    assert.deepEqual(await page.eventsNamed("main:connect_error"), []);
    assert.deepEqual(await page.eventsNamed("main:disconnect"), []);
    const [conn] = await srv.waitLog("connection");
    assert.equal(conn.args[0].id, first.id);
    assert.equal(conn.args[0].transport, "polling");
  });

  it('transports ["websocket"] alone gets connect_error and keeps retrying', T, async () => {
    const { srv, proxy, page } = await start();
    await page.eval(
      ({ url }) =>
        window.__open("main", url, { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 200 }),
      { url: proxy.url() },
    );
    const errors = await page.waitEvent("main:connect_error", { count: 2 });
    assert.equal(errors[0].args[0].$type, "Error");
    assert.equal(errors[0].args[0].message, "websocket error");
    await page.waitEvent("main:reconnect_attempt");
    assert.ok(proxy.state.upgradeAttempts >= 2);
    assert.equal(await page.eval(() => window.sockets.main.connected), false);
    assert.equal(srv.entries("connection").length, 0);
  });
});
