// Shared end-to-end harness: one Chromium per test file, a static HTTP server serving the test page
// and the library under test, real socket.io 4.8 servers with control helpers, and an HTTP proxy that
// refuses WebSocket upgrades.
//
// The library under test is chosen by env SIO_E2E_LIB:
//   pkg (default)  /lib/ is /work/main/pkg/ (our package, entry pkg/index.js)
//   reference      /lib/index.js re-exports socket.io-client 4.8's browser ESM bundle
// The page maps the bare specifier "socketio-wasm" to /lib/index.js with an import map, so the same
// tests run unchanged against both. Env SIO_E2E_PKG names another package directory than <repo>/pkg.
//
// The server is chosen by env SIO_E2E_SERVER:
//   node (default) socket.io 4.8 in this process
//   python         python-socketio 5.18 (tests/interop/python/server.py, from .venv-interop/)
//   socketioxide   socketioxide 0.18 (tests/interop/socketioxide, built in its own target/)
// The other servers run as child processes behind the same SioServer surface
// (tests/interop/support/remote.mjs). Their runs need `--import ./tests/interop/support/register.mjs`,
// which skips, with the reason printed, the cases such a server cannot support
// (tests/interop/support/skips.mjs).

import http from "node:http";
import path from "node:path";
import { readFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { before, after, afterEach } from "node:test";
import { launchChromium } from "../../support/chromium.mjs";
import { Server } from "socket.io";
import { RemoteIo, REMOTE_KINDS } from "../../interop/support/remote.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "../../..");
export const LIB = process.env.SIO_E2E_LIB || "pkg";
if (LIB !== "pkg" && LIB !== "reference") {
  throw new Error(`SIO_E2E_LIB must be "pkg" or "reference", got ${JSON.stringify(LIB)}`);
}
const PKG_DIR = process.env.SIO_E2E_PKG ? path.resolve(process.env.SIO_E2E_PKG) : path.join(ROOT, "pkg");
export const SERVER_KIND = process.env.SIO_E2E_SERVER || "node";
if (SERVER_KIND !== "node" && !REMOTE_KINDS[SERVER_KIND]) {
  throw new Error(`SIO_E2E_SERVER must be "node", "python" or "socketioxide", got ${JSON.stringify(SERVER_KIND)}`);
}
if (SERVER_KIND !== "node" && !globalThis.__sioInteropSkips) {
  throw new Error(
    `SIO_E2E_SERVER=${SERVER_KIND} needs node --import ./tests/interop/support/register.mjs ` +
      `(it skips, with the reason printed, the cases that server cannot support); see tests/e2e/README.md`,
  );
}
const REF_DIST = path.join(ROOT, "node_modules/socket.io-client/dist");

/** Default time limit of every wait, in ms. */
export const WAIT_MS = 8000;
/** Options for `it(name, T, fn)`: an upper bound for one test. */
export const T = { timeout: 45_000 };

/**
 * The transport modes every behaviour is checked in. `opts` go to io(); with `upgrade` the client starts
 * on polling and the test waits for the engine's "upgrade" event (and then websocket).
 */
export const MODES = [
  { name: "websocket", opts: { transports: ["websocket"] }, transport: "websocket", upgrade: false },
  { name: "polling", opts: { transports: ["polling"] }, transport: "polling", upgrade: false },
  { name: "upgrade", opts: {}, transport: "websocket", upgrade: true },
];

/** Client options that make reconnection quick (attempts after 50..200 ms). */
export const FAST_RECONNECT = { reconnectionDelay: 100, reconnectionDelayMax: 200 };


// ---------------------------------------------------------------------------------------------------
// small utilities

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` (sync or async) until it returns a truthy value, which is returned. Throws after
 * `timeout` ms with `message` (a string or a function returning one, for diagnostics).
 */
export async function waitFor(probe, { timeout = WAIT_MS, interval = 20, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      if (e && e.fatal) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const msg = typeof message === "function" ? await message() : message;
      const err = new Error(`timed out after ${timeout} ms waiting for ${msg}`);
      if (lastError) err.cause = lastError;
      throw err;
    }
    await sleep(interval);
  }
}

/** Rejects after `ms` unless `promise` settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

function listen(server, port = 0) {
  return new Promise((resolve, reject) => {
    const onError = (e) => reject(e);
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve(server.address().port);
    });
  });
}

function closeHttp(server) {
  return new Promise((resolve) => {
    if (!server || !server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** Deterministic byte pattern used by the big-payload tests (same formula in the page). */
export function patternByte(i) {
  return (i * 31 + 7) % 251;
}

// ---------------------------------------------------------------------------------------------------
// static server: test page + library under test

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

const TEST_PAGE = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>socketio-wasm e2e</title>
<script type="importmap">{ "imports": { "socketio-wasm": "/lib/index.js" } }</script>
<script src="/support.js"></script>
<script type="module">
  import("socketio-wasm").then(
    (lib) => { window.__lib = lib; window.io = lib.io; window.__ready = true; },
    (e) => { window.__loadError = String((e && e.stack) || e); },
  );
</script>
</head>
<body></body>
</html>
`;

// Page-side helpers (plain script, runs before the library loads).
const PAGE_SUPPORT = String.raw`
"use strict";
window.__events = [];
window.sockets = {};
window.__authCalls = 0;

// Turns any value into plain JSON that page.evaluate can return: binary becomes
// {$type: <constructor name>, bytes: [...]}, errors {$type: "Error", message, data}.
window.__describe = function describe(v, depth) {
  depth = depth || 0;
  if (depth > 20) return { $type: "too-deep" };
  if (v === undefined) return { $type: "undefined" };
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : { $type: "number", value: String(v) };
  if (typeof v === "function") return { $type: "function" };
  if (typeof v === "bigint" || typeof v === "symbol") return { $type: typeof v, value: String(v) };
  if (v instanceof ArrayBuffer) return { $type: "ArrayBuffer", bytes: Array.from(new Uint8Array(v)) };
  if (ArrayBuffer.isView(v)) {
    return { $type: v.constructor.name, bytes: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  if (typeof Blob !== "undefined" && v instanceof Blob) return { $type: "Blob", size: v.size };
  if (v instanceof Error) return { $type: "Error", message: v.message, data: describe(v.data, depth + 1) };
  if (Array.isArray(v)) return v.map((x) => describe(x, depth + 1));
  const out = {};
  for (const k of Object.keys(v)) out[k] = describe(v[k], depth + 1);
  return out;
};

window.__push = function (name, ...args) {
  window.__events.push({ name, args: args.map((a) => window.__describe(a)), t: performance.now() });
};
window.__rec = (name) => (...args) => window.__push(name, ...args);
window.__sleep = (ms) => new Promise((r) => setTimeout(r, ms));
window.__pattern = (i) => (i * 31 + 7) % 251;

// Creates io(url, opts) as sockets[key] and records its lifecycle as "<key>:<event>".
window.__open = function (key, url, opts) {
  const s = window.io(url, opts);
  window.sockets[key] = s;
  const rec = (ev) => window.__rec(key + ":" + ev);
  s.on("connect", () => window.__push(key + ":connect", {
    id: s.id,
    connected: s.connected,
    disconnected: s.disconnected,
    recovered: s.recovered,
    transport: s.io.engine && s.io.engine.transport && s.io.engine.transport.name,
  }));
  s.on("connect_error", rec("connect_error"));
  s.on("disconnect", (reason) => window.__push(key + ":disconnect", reason));
  s.io.on("reconnect_attempt", rec("reconnect_attempt"));
  s.io.on("reconnect", rec("reconnect"));
  s.io.on("reconnect_error", rec("reconnect_error"));
  s.io.on("reconnect_failed", rec("reconnect_failed"));
  s.io.on("open", () => {
    window.__push(key + ":open");
    const engine = s.io.engine;
    engine.on("upgrade", () => window.__push(key + ":upgrade", engine.transport.name));
  });
  return true;
};

// If the library exposes transport.writable (socket.io-client does), wait until nothing is in flight.
window.__idle = async function (s, timeout) {
  const deadline = performance.now() + (timeout || 5000);
  while (s.io.engine && s.io.engine.transport && s.io.engine.transport.writable === false) {
    if (performance.now() > deadline) throw new Error("transport never became writable");
    await window.__sleep(5);
  }
};
`;

function referenceShim() {
  return [
    "// e2e shim: the reference client (socket.io-client 4.8.4 browser ESM bundle)",
    'export * from "./socket.io.esm.min.js";',
    'export { default } from "./socket.io.esm.min.js";',
    "",
  ].join("\n");
}

async function resolveLibFile(rel) {
  if (LIB === "reference") {
    if (rel === "index.js") return { body: referenceShim(), ext: ".js" };
    if (rel === "socket.io.esm.min.js" || rel === "socket.io.esm.min.js.map") {
      return { file: path.join(REF_DIST, rel) };
    }
    return null;
  }
  const file = path.resolve(PKG_DIR, rel);
  if (!file.startsWith(PKG_DIR + path.sep)) return null;
  return { file };
}

export async function startStaticServer() {
  if (LIB === "pkg") {
    try {
      await stat(path.join(PKG_DIR, "index.js"));
    } catch {
      throw new Error(
        `SIO_E2E_LIB=pkg but ${path.join(PKG_DIR, "index.js")} does not exist: build the package first ` +
          `(npm run build) or run against the reference client with SIO_E2E_LIB=reference`,
      );
    }
  }
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    try {
      if (url.pathname === "/" || url.pathname === "/index.html") return send(200, MIME[".html"], TEST_PAGE);
      if (url.pathname === "/support.js") return send(200, MIME[".js"], PAGE_SUPPORT);
      if (url.pathname.startsWith("/lib/")) {
        const rel = decodeURIComponent(url.pathname.slice("/lib/".length));
        const found = await resolveLibFile(rel);
        if (found && found.body !== undefined) return send(200, MIME[found.ext], found.body);
        if (found && found.file) {
          const body = await readFile(found.file).catch(() => null);
          if (body) {
            const type = MIME[path.extname(found.file)] || "application/octet-stream";
            return send(200, type, body);
          }
        }
      }
      send(404, "text/plain", "not found");
    } catch (e) {
      send(500, "text/plain", String(e));
    }
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => closeHttp(server),
  };
}

// ---------------------------------------------------------------------------------------------------
// socket.io server with control helpers

/**
 * A real socket.io 4.8 server on a free loopback port.
 *   options: extra Server options (pingInterval, connectionStateRecovery, maxHttpBufferSize, ...)
 *   setup(io, srv): registers handlers; called again after every restart.
 * Every connection/disconnection of "/" is recorded in srv.log ({name, args}); use srv.track(nsp)
 * for other namespaces and srv.record(name) to build recording handlers.
 */
export class SioServer {
  constructor({ options = {}, setup = () => {} } = {}) {
    this.options = options;
    this.setupFn = setup;
    this.port = 0;
    this.log = [];
    this.io = null;
    this.http = null;
    this.starts = 0;
  }

  async start() {
    this.http = http.createServer();
    this.io = new Server(this.http, { cors: { origin: "*" }, ...this.options });
    this.track(this.io.of("/"));
    this.setupFn(this.io, this);
    this.port = await listen(this.http, this.port);
    this.starts++;
    return this;
  }

  /** Closes the server (every client sees its transport close). */
  async stop() {
    const io = this.io;
    const httpServer = this.http;
    if (!io) return;
    this.io = null;
    const closed = new Promise((resolve) => httpServer.once("close", resolve));
    // io.close() disconnects every socket, closes the Engine.IO clients (a pending long-poll gets a
    // close packet, websockets a close frame) and then closes the HTTP server. But a closed Node HTTP
    // server still serves requests arriving on already open keep-alive connections, and the Engine.IO
    // request handler stays attached: a browser could open a brand new session on a "stopped" server.
    // So from now on every request is refused and its connection closed.
    io.close();
    httpServer.removeAllListeners("request");
    httpServer.removeAllListeners("upgrade");
    httpServer.on("request", (req, res) => {
      res.writeHead(503, { connection: "close", "content-type": "text/plain" });
      res.end("server stopped");
    });
    httpServer.on("upgrade", (req, socket) => socket.destroy());
    const idleSweeper = setInterval(() => httpServer.closeIdleConnections?.(), 20);
    await withTimeout(closed, 3000, "HTTP server close").catch(() => {
      httpServer.closeAllConnections?.();
      return withTimeout(closed, 3000, "HTTP server close after closeAllConnections").catch(() => {});
    });
    clearInterval(idleSweeper);
  }

  /** stop(), then `whileDown()` (await it), then listen again on the same port. */
  async restart({ whileDown } = {}) {
    await this.stop();
    if (whileDown) await whileDown();
    await this.start();
  }

  url(nsp = "") {
    return `http://127.0.0.1:${this.port}${nsp}`;
  }

  /** Handler that records its (non-function) arguments as `name`. */
  record(name) {
    return (...args) => this.push(name, ...args.filter((a) => typeof a !== "function"));
  }

  push(name, ...args) {
    this.log.push({ name, args });
  }

  entries(name) {
    return this.log.filter((e) => e.name === name);
  }

  /** Waits until at least `count` entries named `name` are logged; returns them all. */
  async waitLog(name, count = 1, timeout = WAIT_MS) {
    return waitFor(
      () => {
        const found = this.entries(name);
        return found.length >= count ? found : null;
      },
      { timeout, message: () => `${count} server log entries "${name}" (got: ${JSON.stringify(this.log.map((e) => e.name))})` },
    );
  }

  /** Records "connection" and "disconnect" entries for a namespace. */
  track(nsp) {
    nsp.on("connection", (socket) => {
      this.push("connection", {
        nsp: nsp.name,
        id: socket.id,
        connId: socket.conn.id,
        transport: socket.conn.transport.name,
        recovered: socket.recovered,
        auth: socket.handshake.auth,
      });
      socket.on("disconnect", (reason) => this.push("disconnect", { nsp: nsp.name, id: socket.id, reason }));
    });
    return nsp;
  }

  /** Connected server-side sockets of a namespace. */
  sockets(nsp = "/") {
    return this.io ? [...this.io.of(nsp).sockets.values()] : [];
  }

  socket(nsp = "/") {
    const all = this.sockets(nsp);
    if (all.length !== 1) throw new Error(`expected exactly one socket in ${nsp}, found ${all.length}`);
    return all[0];
  }

  /** Closes the underlying Engine.IO connection of every socket (client sees "transport close"). */
  closeTransports(nsp = "/") {
    for (const s of this.sockets(nsp)) s.conn.close();
  }

  /** Server-side disconnect of every socket of the namespace (client sees "io server disconnect"). */
  disconnectSockets(nsp = "/") {
    for (const s of this.sockets(nsp)) s.disconnect();
  }

  async close() {
    await this.stop();
  }
}

/**
 * The same surface as SioServer with the server in a child process (SIO_E2E_SERVER=python|socketioxide):
 * `io` is an imitation of socket.io's server API (tests/interop/support/remote.mjs) whose handlers run
 * here; stop() shuts the child down (its clients are disconnected), start() spawns a new one on the
 * same port.
 */
export class RemoteSioServer extends SioServer {
  async start() {
    const io = new RemoteIo(SERVER_KIND, this.options);
    this.track(io.of("/"));
    this.setupFn(io, this);
    this.io = io;
    try {
      this.port = await io.start(this.port);
    } catch (e) {
      this.io = null;
      await io.stop().catch(() => {});
      throw e;
    }
    this.starts++;
    return this;
  }

  async stop() {
    const io = this.io;
    if (!io) return;
    this.io = null;
    await io.stop();
  }

  /** The child's last stderr lines (for diagnostics). */
  stderr() {
    return this.io ? this.io.stderr.join("\n") : "";
  }
}

/** A server of the kind chosen by SIO_E2E_SERVER, not started. */
export function createServer(config) {
  return SERVER_KIND === "node" ? new SioServer(config) : new RemoteSioServer(config);
}

/**
 * Namespace middleware: accepts when `accept(handshake.auth)` is true, otherwise rejects with an
 * Error(message) carrying `data` (the client gets connect_error with err.message / err.data).
 */
export function authMiddleware({ accept, message = "not authorized", data } = {}) {
  return (socket, next) => {
    if (accept(socket.handshake.auth)) return next();
    const err = new Error(message);
    if (data !== undefined) err.data = data;
    next(err);
  };
}

// ---------------------------------------------------------------------------------------------------
// proxy refusing WebSocket upgrades

/** HTTP proxy forwarding plain requests to `targetPort` and destroying every upgrade request. */
export async function startNoUpgradeProxy(targetPort) {
  const agent = new http.Agent({ keepAlive: true });
  const state = { requests: 0, upgradeAttempts: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    const upstream = http.request(
      { host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers, agent },
      (upRes) => {
        res.writeHead(upRes.statusCode, upRes.headers);
        upRes.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("upgrade", (req, socket) => {
    state.upgradeAttempts++;
    socket.destroy();
  });
  const port = await listen(server);
  return {
    state,
    port,
    url: (nsp = "") => `http://127.0.0.1:${port}${nsp}`,
    close: async () => {
      await closeHttp(server);
      agent.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// browser page wrapper

export class TestPage {
  constructor(page, context) {
    this.page = page;
    this.context = context;
    this.console = [];
    page.on("console", (m) => this.console.push(`[${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => this.console.push(`[pageerror] ${e.stack || e}`));
  }

  diagnostics() {
    return this.console.slice(-30).join("\n");
  }

  /** page.evaluate with a time limit. */
  async eval(fn, arg, timeout = WAIT_MS) {
    return withTimeout(this.page.evaluate(fn, arg), timeout, `page.evaluate(${String(fn).slice(0, 120)})`);
  }

  async events() {
    return this.page.evaluate(() => window.__events);
  }

  /** Events named `name`, optionally filtered by `where(event)`. */
  async eventsNamed(name, where = () => true) {
    return (await this.events()).filter((e) => e.name === name && where(e));
  }

  /** Waits until `predicate(events)` is truthy and returns its value. */
  async waitFor(predicate, { timeout = WAIT_MS, message = "page condition" } = {}) {
    return waitFor(async () => predicate(await this.events()), {
      timeout,
      message: async () => {
        const names = (await this.events().catch(() => [])).map((e) => e.name);
        return `${message}; page events: ${JSON.stringify(names)}\n${this.diagnostics()}`;
      },
    });
  }

  /** Waits for at least `count` events named `name`; returns all of them. */
  async waitEvent(name, { count = 1, timeout = WAIT_MS, where = () => true } = {}) {
    return this.waitFor(
      (evs) => {
        const found = evs.filter((e) => e.name === name && where(e));
        return found.length >= count ? found : null;
      },
      { timeout, message: `${count} page event(s) "${name}"` },
    );
  }

  /**
   * io(url, {...mode.opts, ...extra}) as sockets[key]; waits for the connect event (and, in upgrade
   * mode, the engine's upgrade). Returns the connect event's data ({id, connected, recovered, transport}).
   */
  async connect(key, url, mode, extra = {}) {
    const opts = { ...(mode ? mode.opts : {}), ...extra };
    await this.eval(({ key, url, opts }) => window.__open(key, url, opts), { key, url, opts });
    const [ev] = await this.waitEvent(`${key}:connect`);
    if (mode && mode.upgrade) await this.waitUpgrade(key);
    return ev.args[0];
  }

  /** Waits for the engine "upgrade" event of sockets[key] (at least `count` of them). */
  async waitUpgrade(key, count = 1) {
    const evs = await this.waitEvent(`${key}:upgrade`, { count });
    return evs[count - 1].args[0];
  }

  async transportName(key) {
    return this.eval((key) => window.sockets[key].io.engine.transport.name, key);
  }
}

// ---------------------------------------------------------------------------------------------------
// per-file environment

/**
 * Call once at the top level of a test file: launches Chromium and the static server before the
 * tests, closes every page/server/proxy after each test and everything at the end.
 */
export function useEnv() {
  const env = {
    browser: null,
    static: null,
    resources: [],

    async newPage() {
      const context = await env.browser.newContext();
      env.resources.push({ order: 0, close: () => context.close() });
      return env.openPage(context);
    },

    /** A new page of `context` with the test page loaded and the library ready. */
    async openPage(context) {
      const page = await context.newPage();
      const tp = new TestPage(page, context);
      await page.goto(env.static.url);
      await waitFor(
        async () => {
          const s = await page.evaluate(() => ({ ready: !!window.__ready, error: window.__loadError || null }));
          if (s.error) throw Object.assign(new Error(`library failed to load: ${s.error}`), { fatal: true });
          return s.ready;
        },
        { timeout: 15000, message: () => `the library to load\n${tp.diagnostics()}` },
      );
      return tp;
    },

    async newServer(config) {
      const srv = createServer(config);
      env.resources.push({ order: 2, close: () => srv.close() });
      await srv.start();
      return srv;
    },

    async newProxy(targetPort) {
      const proxy = await startNoUpgradeProxy(targetPort);
      env.resources.push({ order: 1, close: () => proxy.close() });
      return proxy;
    },

    async cleanup() {
      const list = env.resources.sort((a, b) => a.order - b.order);
      env.resources = [];
      for (const r of list) {
        await withTimeout(Promise.resolve().then(r.close), 10000, "cleanup").catch(() => {});
      }
    },
  };

  before(async () => {
    env.static = await startStaticServer();
    env.browser = await launchChromium();
  });
  afterEach(() => env.cleanup());
  after(async () => {
    await env.cleanup();
    if (env.browser) await env.browser.close().catch(() => {});
    if (env.static) await env.static.close();
  });
  return env;
}
