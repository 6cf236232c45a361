#!/usr/bin/env node
// One node of the cluster example: a socket.io 4.8 server joined to the others by
// @socket.io/redis-adapter, serving the chat page.
//
//   node examples/cluster/server.mjs --name node-a --port 3001 --redis redis://127.0.0.1:6379
//        [--lib <dir> | --client reference]
//
//   --lib <dir>            the package served at /lib/ (default: <repo>/pkg, the built socketio-wasm)
//   --client reference     serve socket.io-client 4.8 at /lib/ instead
// /ref/ always serves socket.io-client 4.8 (the chat page uses it with ?client=reference).
//
// When ready it prints one line on stdout: `cluster node <name> listening on http://127.0.0.1:<port>`.
//
// Chat protocol:
//   server -> client  "welcome" { node, id } on connection
//   client -> server  "join" (room, ack)        joins the room; ack({ node, room })
//                     "chat" (room, text, ack)  broadcast "chat" { room, user, text, node } to the
//                                               room on every node; ack({ node })
//   A bad room or text gets ack({ error }) and no broadcast. The user name is handshake.auth.name.

import http from "node:http";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const REF_DIST = path.join(ROOT, "node_modules/socket.io-client/dist");
const MAX_TEXT = 500;
const MAX_ROOM = 50;
const MAX_NAME = 50;

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
};

const { values: opts } = parseArgs({
  options: {
    name: { type: "string", default: "node" },
    port: { type: "string", default: "3000" },
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    lib: { type: "string" },
    client: { type: "string" },
  },
});
const NAME = opts.name;
const LIB_DIR = path.resolve(opts.lib || path.join(ROOT, "pkg"));
const SERVE_REFERENCE = opts.client === "reference";

const REFERENCE_SHIM = 'export * from "./socket.io.esm.min.js";\nexport { default } from "./socket.io.esm.min.js";\n';

/** Maps a URL path to a file (or an in-memory body); null when outside the served directories. */
function resolveStatic(pathname) {
  const inside = (dir, rel) => {
    const file = path.resolve(dir, rel);
    return file.startsWith(dir + path.sep) ? { file } : null;
  };
  const reference = (rel) => {
    if (rel === "index.js") return { body: REFERENCE_SHIM, ext: ".js" };
    if (rel === "socket.io.esm.min.js" || rel === "socket.io.esm.min.js.map") return inside(REF_DIST, rel);
    return null;
  };
  if (pathname === "/" || pathname === "/index.html") return { file: path.join(HERE, "public/index.html") };
  if (pathname === "/chat.js" || pathname === "/style.css") return { file: path.join(HERE, "public", pathname) };
  if (pathname.startsWith("/ref/")) return reference(pathname.slice(5));
  if (pathname.startsWith("/lib/")) {
    const rel = pathname.slice(5);
    return SERVE_REFERENCE ? reference(rel) : inside(LIB_DIR, rel);
  }
  return null;
}

const httpServer = http.createServer(async (req, res) => {
  const send = (status, type, body) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  };
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
  } catch {
    return send(400, "text/plain", "bad request");
  }
  if (pathname === "/node") return send(200, MIME[".json"], JSON.stringify({ node: NAME }));
  const found = resolveStatic(pathname);
  if (found && found.body !== undefined) return send(200, MIME[found.ext], found.body);
  if (found && found.file) {
    const body = await readFile(found.file).catch(() => null);
    if (body) return send(200, MIME[path.extname(found.file)] || "application/octet-stream", body);
  }
  send(404, "text/plain", "not found");
});

const io = new Server(httpServer);

const pub = createClient({ url: opts.redis });
const sub = pub.duplicate();
for (const client of [pub, sub]) client.on("error", (e) => console.error(`[${NAME}] redis: ${e.message}`));
await Promise.all([pub.connect(), sub.connect()]);
io.adapter(createAdapter(pub, sub));

const validRoom = (room) => typeof room === "string" && room.length > 0 && room.length <= MAX_ROOM;
const reply = (cb, value) => {
  if (typeof cb === "function") cb(value);
};

io.on("connection", (socket) => {
  const auth = socket.handshake.auth || {};
  const user = typeof auth.name === "string" && auth.name.trim() ? auth.name.trim().slice(0, MAX_NAME) : "anonymous";
  console.error(`[${NAME}] + ${socket.id} ${user} (${socket.conn.transport.name})`);
  socket.emit("welcome", { node: NAME, id: socket.id });
  socket.on("join", (room, cb) => {
    if (!validRoom(room)) return reply(cb, { error: "room must be a string of 1 to 50 characters" });
    socket.join(room);
    reply(cb, { node: NAME, room });
  });
  socket.on("chat", (room, text, cb) => {
    if (!validRoom(room) || !socket.rooms.has(room)) return reply(cb, { error: "join the room first" });
    if (typeof text !== "string") return reply(cb, { error: "text must be a string" });
    io.to(room).emit("chat", { room, user, text: text.slice(0, MAX_TEXT), node: NAME });
    reply(cb, { node: NAME });
  });
  socket.on("disconnect", (reason) => console.error(`[${NAME}] - ${socket.id} ${reason}`));
});

httpServer.listen(Number(opts.port), "127.0.0.1", () => {
  console.log(`cluster node ${NAME} listening on http://127.0.0.1:${httpServer.address().port}`);
});

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  io.close();
  httpServer.closeAllConnections?.();
  await Promise.allSettled([pub.quit(), sub.quit()]);
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
