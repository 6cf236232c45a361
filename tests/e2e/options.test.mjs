// Transport options that socket.io-client applies in browsers: requestTimeout and extraHeaders
// (long-polling requests) and protocols (WebSocket sub-protocols).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, T, FAST_RECONNECT } from "./support/harness.mjs";

const env = useEnv();

describe("transport options", () => {
  it("requestTimeout fails a long-poll that takes longer", T, async () => {
    // The server holds an idle long-poll until the next ping (2 s), longer than the limit.
    const srv = await env.newServer({ options: { pingInterval: 2000, pingTimeout: 2000 } });
    const page = await env.newPage();
    await page.connect("main", srv.url(), null, { transports: ["polling"], requestTimeout: 300, ...FAST_RECONNECT });
    const [ev] = await page.waitEvent("main:disconnect");
    assert.equal(ev.args[0], "transport error");
    // ...and the client reconnects by itself, as after any transport error.
    await page.waitEvent("main:connect", { count: 2 });
  });

  it("without requestTimeout the same long-poll is kept", T, async () => {
    const srv = await env.newServer({ options: { pingInterval: 1000, pingTimeout: 2000 } });
    const page = await env.newPage();
    await page.connect("main", srv.url(), null, { transports: ["polling"] });
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(await page.eventsNamed("main:disconnect"), []);
  });

  it("extraHeaders go with every long-polling request, the POSTs' content type too", T, async () => {
    const srv = await env.newServer({
      setup: (io, s) =>
        io.engine.on("headers", (_, req) => {
          const h = req.headers;
          s.push("request", req.method, h["x-token"], h["x-second"], h["content-type"]);
        }),
    });
    const page = await env.newPage();
    await page.connect("main", srv.url(), null, { transports: ["polling"], extraHeaders: { "x-token": "a b", "X-Second": "2" } });
    await page.waitEvent("main:connect");
    // The handshake, the CONNECT's POST and at least one long-poll.
    const requests = (await srv.waitLog("request", 3)).map((e) => e.args);
    assert.ok(requests.some(([method]) => method === "POST"), JSON.stringify(requests));
    for (const [method, token, second, type] of requests) {
      assert.equal(token, "a b");
      assert.equal(second, "2");
      if (method === "POST") assert.equal(type, "text/plain;charset=UTF-8");
    }
  });

  for (const [title, timestampParam, name] of [
    ["long-polling requests carry the timestamp as t by default", undefined, "t"],
    ["timestampParam names the long-polling timestamp", "ts", "ts"],
  ]) {
    it(title, T, async () => {
      const srv = await env.newServer({
        setup: (io, s) =>
          io.engine.on("headers", (_, req) => s.push("params", [...new URL(req.url, "http://h").searchParams.keys()])),
      });
      const page = await env.newPage();
      await page.connect("main", srv.url(), null, { transports: ["polling"], ...(timestampParam && { timestampParam }) });
      await page.waitEvent("main:connect");
      for (const { args } of await srv.waitLog("params", 2)) {
        assert.ok(args[0].includes(name), JSON.stringify(args[0]));
        if (name !== "t") assert.ok(!args[0].includes("t"), JSON.stringify(args[0]));
      }
    });
  }

  // socket.io-client's rule: polling carries the timestamp unless timestampRequests is false, a
  // WebSocket only when it is true. Seen in the handshake's query, which every server reports.
  for (const [title, transport, timestampRequests, expected] of [
    ["timestampRequests false leaves the timestamp out of long-polling", "polling", false, false],
    ["timestampRequests true adds the timestamp to the WebSocket", "websocket", true, true],
    ["a WebSocket carries no timestamp by default", "websocket", undefined, false],
  ]) {
    it(title, T, async () => {
      const srv = await env.newServer({
        setup: (io, s) => io.on("connection", (socket) => s.push("query", Object.keys(socket.handshake.query))),
      });
      const page = await env.newPage();
      const opts = { transports: [transport], ...(timestampRequests !== undefined && { timestampRequests }) };
      await page.connect("main", srv.url(), null, opts);
      const [entry] = await srv.waitLog("query");
      assert.ok(entry.args[0].includes("EIO"), JSON.stringify(entry.args[0]));
      assert.equal(entry.args[0].includes("t"), expected, JSON.stringify(entry.args[0]));
    });
  }

  // The same seen through the connection's handshake, which every server reports.
  it("extraHeaders reach the server with the handshake", T, async () => {
    const srv = await env.newServer({
      setup: (io, s) => io.on("connection", (socket) => s.push("token", socket.handshake.headers["x-token"])),
    });
    const page = await env.newPage();
    await page.connect("main", srv.url(), null, { transports: ["polling"], extraHeaders: { "x-token": "a b" } });
    const [entry] = await srv.waitLog("token");
    assert.equal(entry.args[0], "a b");
  });

  // Without the option the WebSocket asks for no sub-protocol (the engine passes an empty list).
  for (const [title, protocols, header] of [
    ["protocols are requested on the WebSocket", ["chat.v1", "chat.v2"], "chat.v1, chat.v2"],
    ["without protocols the WebSocket requests none", undefined, undefined],
  ]) {
    it(title, T, async () => {
      const srv = await env.newServer({
        setup: (io, s) => io.on("connection", (socket) => s.push("protocol", socket.request.headers["sec-websocket-protocol"])),
      });
      const page = await env.newPage();
      await page.connect("main", srv.url(), null, { transports: ["websocket"], ...(protocols && { protocols }) });
      const [entry] = await srv.waitLog("protocol");
      assert.equal(entry.args[0], header);
    });
  }
});
