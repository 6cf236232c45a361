// Transport options that socket.io-client applies in browsers: requestTimeout (long-polling
// requests) and protocols (WebSocket sub-protocols).
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
