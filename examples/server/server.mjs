#!/usr/bin/env node
// The chat server of the examples: a socket.io 4.8 server that also serves a static directory.
//
//   node examples/server/server.mjs --static <dir> [--port N] [--mount /prefix=<dir>]...
//
//   --static <dir>          files served at / (index.html for a directory)
//   --port N                default: env PORT, else 3000; 0 picks a free port
//   --mount /prefix=<dir>   extra static directory served under /prefix/ (repeatable), e.g.
//                           --mount /pkg=pkg for the vanilla example's import map
//   env HOST                address to bind (default 127.0.0.1; 0.0.0.0 for every interface)
//
// When ready it prints exactly one line on stdout: `chat server listening on http://<host>:<port>`.
// Connections and disconnections are logged on stderr.
//
// The chat protocol (shared by every example, keep it exact):
//   client -> server  "chat" (text: string, ack)
//                     broadcast "chat" { id: number, user: string, text: string } to every client,
//                     then ack({ id }); texts longer than 500 characters are truncated; a text that
//                     is not a string gets ack({ error: "text must be a string" }) and no broadcast.
//   server -> client  "online" (count: number) on every connect and disconnect.
//   The user name is socket.handshake.auth.name (a non-empty string) or "anonymous".

import http from "node:http";
import path from "node:path";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { Server } from "socket.io";

const MAX_TEXT = 500;
const MAX_NAME = 50;

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".txt": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

function fail(message) {
  process.stderr.write(`server.mjs: ${message}\n`);
  process.exit(2);
}

// ---- command line ----------------------------------------------------------------------------

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      static: { type: "string" },
      port: { type: "string" },
      mount: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }));
} catch (e) {
  fail(`${e.message}\nusage: node examples/server/server.mjs --static <dir> [--port N] [--mount /prefix=<dir>]...`);
}
if (args.help) {
  process.stdout.write("usage: node examples/server/server.mjs --static <dir> [--port N] [--mount /prefix=<dir>]...\n");
  process.exit(0);
}
if (!args.static) fail("--static <dir> is required");

const portText = args.port ?? (process.env.PORT || "3000");
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`bad port ${JSON.stringify(portText)}`);
const host = process.env.HOST || "127.0.0.1";

// Mounts, longest prefix first so /pkg/x wins over /.
const mounts = [{ prefix: "/", dir: path.resolve(args.static) }];
for (const m of args.mount) {
  const eq = m.indexOf("=");
  if (eq <= 0) fail(`--mount wants /prefix=<dir>, got ${JSON.stringify(m)}`);
  let prefix = m.slice(0, eq);
  if (!prefix.startsWith("/")) prefix = "/" + prefix;
  if (!prefix.endsWith("/")) prefix += "/";
  mounts.push({ prefix, dir: path.resolve(m.slice(eq + 1)) });
}
mounts.sort((a, b) => b.prefix.length - a.prefix.length);
for (const { dir } of mounts) {
  const s = await stat(dir).catch(() => null);
  if (!s || !s.isDirectory()) fail(`not a directory: ${dir}`);
}

// ---- static files ----------------------------------------------------------------------------

/** Maps a URL path to a file inside one of the mounts, or null (never outside a mount). */
async function locate(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  // "/pkg" (no slash) is the directory of the "/pkg/" mount.
  const withSlash = decoded.endsWith("/") ? decoded : decoded + "/";
  const mount = mounts.find((m) => decoded.startsWith(m.prefix) || withSlash === m.prefix);
  if (!mount) return null;
  const rel = decoded.slice(Math.min(mount.prefix.length, decoded.length));
  const file = path.resolve(mount.dir, "." + path.posix.normalize("/" + rel));
  if (file !== mount.dir && !file.startsWith(mount.dir + path.sep)) return null;
  const s = await stat(file).catch(() => null);
  if (!s) return null;
  if (s.isDirectory()) {
    if (!urlPath.endsWith("/")) return { redirect: urlPath + "/" };
    const index = path.join(file, "index.html");
    const si = await stat(index).catch(() => null);
    return si && si.isFile() ? { file: index, size: si.size } : null;
  }
  return s.isFile() ? { file, size: s.size } : null;
}

async function serveStatic(req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" });
    res.end("method not allowed\n");
    return;
  }
  const urlPath = new URL(req.url ?? "/", "http://x").pathname;
  const found = await locate(urlPath);
  if (!found) {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("not found\n");
    return;
  }
  if (found.redirect) {
    res.writeHead(301, { Location: found.redirect });
    res.end();
    return;
  }
  res.writeHead(200, {
    "Content-Type": MIME[path.extname(found.file).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": found.size,
    // The examples are rebuilt often: always revalidate.
    "Cache-Control": "no-cache",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(found.file)
    .on("error", () => res.destroy())
    .pipe(res);
}

const httpServer = http.createServer((req, res) => {
  serveStatic(req, res).catch((e) => {
    process.stderr.write(`static: ${e.stack ?? e}\n`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});

// ---- chat ------------------------------------------------------------------------------------

// Attached after the static handler: socket.io answers its own path and hands the rest on.
const io = new Server(httpServer, { cors: { origin: "*" }, serveClient: false });
let nextId = 1;

function userName(auth) {
  const name = auth && typeof auth.name === "string" ? auth.name.trim() : "";
  return name ? Array.from(name).slice(0, MAX_NAME).join("") : "anonymous";
}

function truncate(text) {
  if (text.length <= MAX_TEXT) return text;
  // by code points, so an emoji is never cut in half
  return Array.from(text).slice(0, MAX_TEXT).join("");
}

const online = () => io.of("/").sockets.size;

io.on("connection", (socket) => {
  const user = userName(socket.handshake.auth);
  process.stderr.write(`[chat] ${user} connected (${online()} online)\n`);
  io.emit("online", online());

  socket.on("chat", (text, ack) => {
    const reply = typeof ack === "function" ? ack : () => {};
    if (typeof text !== "string") {
      reply({ error: "text must be a string" });
      return;
    }
    const id = nextId++;
    io.emit("chat", { id, user, text: truncate(text) });
    reply({ id });
  });

  socket.on("disconnect", (reason) => {
    // the socket has already left the namespace here
    process.stderr.write(`[chat] ${user} disconnected: ${reason} (${online()} online)\n`);
    io.emit("online", online());
  });
});

// ---- start and stop --------------------------------------------------------------------------

httpServer.on("error", (e) => {
  if (e.code === "EADDRINUSE") fail(`${host}:${port} is already in use (choose another with --port or PORT)`);
  fail(e.message);
});

httpServer.listen(port, host, () => {
  const actual = httpServer.address().port;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  process.stdout.write(`chat server listening on http://${shown}:${actual}\n`);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  // Closing the transports (not a socket.io disconnect packet) lets clients reconnect later.
  io.close(() => process.exit(0));
  httpServer.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
