// The npm package imported by Node.js, as server-side rendering (Next.js, Nuxt, SvelteKit...) imports
// a page's modules: the import must work, and the client works over long-polling (Node 20 has fetch
// but no global WebSocket, so the upgrade probe fails and the connection stays on polling).
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Server } from "socket.io";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const T = { timeout: 20_000 };

async function server() {
  const httpServer = http.createServer();
  const io = new Server(httpServer);
  io.on("connection", (socket) => {
    socket.on("hi", (name, cb) => cb(`hello ${name}`));
    socket.emit("welcome", { at: "server" });
  });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${httpServer.address().port}`, close: () => io.close() };
}

test("the package imports in Node.js", T, async () => {
  const lib = await import(pathToFileURL(path.join(ROOT, "pkg/index.js")).href);
  assert.equal(typeof lib.io, "function");
  assert.equal(lib.default, lib.io);
  assert.equal(typeof lib.Manager, "function");
});

test("and talks to a socket.io server over long-polling", T, async () => {
  const { io } = await import(pathToFileURL(path.join(ROOT, "pkg/index.js")).href);
  const srv = await server();
  const socket = io(srv.url, { forceNew: true });
  try {
    const welcome = new Promise((resolve) => socket.on("welcome", resolve));
    await new Promise((resolve, reject) => {
      socket.on("connect", resolve);
      socket.on("connect_error", reject);
    });
    assert.equal(socket.connected, true);
    assert.equal(typeof socket.id, "string");
    assert.deepEqual(await welcome, { at: "server" });
    assert.equal(await socket.timeout(5000).emitWithAck("hi", "node"), "hello node");
    if (typeof WebSocket !== "function") assert.equal(socket.io.engine.transport.name, "polling");
    const reason = new Promise((resolve) => socket.on("disconnect", resolve));
    socket.disconnect();
    assert.equal(await reason, "io client disconnect");
  } finally {
    socket.disconnect();
    srv.close();
  }
});

// `shared: true` needs a browser's SharedWorker or Web Locks: in Node.js (ES module and CommonJS
// entries) the socket connects on its own.
for (const entry of ["index.js", "index.cjs"]) {
  test(`shared: true connects on its own in Node.js (${entry})`, T, async () => {
    const file = path.join(ROOT, "pkg", entry);
    const { io } = entry.endsWith(".cjs") ? (await import("node:module")).createRequire(import.meta.url)(file) : await import(pathToFileURL(file).href);
    const srv = await server();
    const socket = io(srv.url, { shared: true });
    try {
      await new Promise((resolve, reject) => {
        socket.on("connect", resolve);
        socket.on("connect_error", reject);
      });
      assert.equal(await socket.timeout(5000).emitWithAck("hi", "shared"), "hello shared");
    } finally {
      socket.disconnect();
      srv.close();
    }
  });
}
