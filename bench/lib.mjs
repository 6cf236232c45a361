// Shared pieces of the benchmark (run.mjs) and the profiler (profile.mjs): the socket.io server, the
// static server that serves the bench page with either library, Chromium, and one page per library
// with its CDP session.
//
// The page maps the bare specifier "socketio-wasm" with an import map:
//   /lib/wasm/index.js   -> pkg/index.js (our package; it loads pkg/socketio_wasm_bg.wasm itself)
//   /lib/ref/index.js    -> a shim re-exporting socket.io-client 4.8.4's dist/socket.io.esm.min.js
// so bench/page.js runs unchanged against both.

import http from "node:http";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../tests/support/chromium.mjs";
import { Server } from "socket.io";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "..");
export const PKG_DIR = path.join(ROOT, "pkg");
export const REF_DIST = path.join(ROOT, "node_modules/socket.io-client/dist");

/** The two libraries under comparison, by key. */
export const LIBS = {
  wasm: { key: "wasm", name: "socketio-wasm" },
  ref: { key: "ref", name: "socket.io-client 4.8.4" },
};

export { CHROMIUM_ARGS };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server.address().port);
    });
  });
}

function closeHttp(server) {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** The small JSON payload of the throughput cases (the page builds the same object). */
export const smallPayload = (i) => ({ i, text: "hello", list: [1, 2, 3] });

/**
 * socket.io 4.8 server on a free loopback port, with the bench handlers:
 *   "burst" (n)         the server emits n "e" events with the small payload, as fast as it can
 *   "req" (data, ack)   acknowledged with data.i
 *   "echo" (x, ack)     acknowledged with x (binary stays binary, a string stays a string)
 *   "big" (mb, ack)     the server emits one "big" event with a string of mb MB
 */
export async function startSioServer() {
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    cors: { origin: "*" },
    // the 1 MB case must fit in one HTTP body / WebSocket message (default limit: 1e6 bytes)
    maxHttpBufferSize: 2e8,
    // no heartbeat during a measurement
    pingInterval: 60_000,
    pingTimeout: 60_000,
  });
  io.on("connection", (socket) => {
    socket.on("burst", (n) => {
      for (let i = 0; i < n; i++) socket.emit("e", smallPayload(i));
    });
    socket.on("req", (data, ack) => ack(data.i));
    socket.on("echo", (x, ack) => ack(x));
    socket.on("big", (mb, ack) => {
      socket.emit("big", "x".repeat(mb * 1048576));
      ack();
    });
  });
  const port = await listen(httpServer);
  return {
    url: `http://127.0.0.1:${port}`,
    io,
    close: async () => {
      io.close();
      await closeHttp(httpServer);
    },
  };
}

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
};

const pageHtml = (lib) => `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>bench ${lib}</title>
<script type="importmap">{ "imports": { "socketio-wasm": "/lib/${lib}/index.js" } }</script>
<script type="module">
  import("/page.js").catch((e) => { window.__loadError = String((e && e.stack) || e); });
</script>
</head>
<body>bench ${lib}</body>
</html>
`;

const REF_SHIM = 'export * from "./socket.io.esm.min.js";\nexport { default } from "./socket.io.esm.min.js";\n';

/**
 * Static server: /?lib=wasm|ref (the page), /page.js, /lib/wasm/* (pkgDir), /lib/ref/*.
 * `pkgDir` defaults to pkg/ (profile.mjs passes a copy whose wasm keeps its function names).
 */
export async function startStaticServer({ pkgDir = PKG_DIR } = {}) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    try {
      const p = url.pathname;
      if (p === "/" || p === "/index.html") {
        const lib = url.searchParams.get("lib");
        if (!LIBS[lib]) return send(400, "text/plain", "lib must be wasm or ref");
        return send(200, MIME[".html"], pageHtml(lib));
      }
      if (p === "/favicon.ico") return send(204, "text/plain", "");
      if (p === "/page.js") return send(200, MIME[".js"], await readFile(path.join(HERE, "page.js")));
      if (p === "/lib/ref/index.js") return send(200, MIME[".js"], REF_SHIM);
      let file = null;
      if (p.startsWith("/lib/ref/")) {
        const rel = p.slice("/lib/ref/".length);
        if (rel === "socket.io.esm.min.js" || rel === "socket.io.esm.min.js.map") file = path.join(REF_DIST, rel);
      } else if (p.startsWith("/lib/wasm/")) {
        const f = path.resolve(pkgDir, decodeURIComponent(p.slice("/lib/wasm/".length)));
        if (f.startsWith(pkgDir + path.sep)) file = f;
      }
      const body = file && (await readFile(file).catch(() => null));
      if (body) return send(200, MIME[path.extname(file)] || "application/octet-stream", body);
      send(404, "text/plain", "not found");
    } catch (e) {
      send(500, "text/plain", String(e));
    }
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/`, close: () => closeHttp(server) };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, headless: true });
}

/**
 * One page (in its own browser context, hence its own renderer process) with `lib` loaded, and a
 * CDP session on it with the Performance domain enabled (thread CPU time where available).
 */
export async function openLibPage(browser, staticUrl, lib) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(`${staticUrl}?lib=${lib}`);
  await page.waitForFunction(() => window.__ready || window.__loadError, null, { timeout: 15_000 });
  const loadError = await page.evaluate(() => window.__loadError);
  if (loadError) throw new Error(`${lib}: the library did not load: ${loadError}`);
  const cdp = await context.newCDPSession(page);
  let timeDomain = "threadTicks";
  try {
    await cdp.send("Performance.enable", { timeDomain });
  } catch {
    timeDomain = "timeTicks";
    await cdp.send("Performance.enable", { timeDomain });
  }
  return {
    lib,
    name: LIBS[lib].name,
    context,
    page,
    cdp,
    errors,
    timeDomain,
    /** ScriptDuration / TaskDuration of the page's main thread, in ms (cumulative). */
    async metrics() {
      const { metrics } = await cdp.send("Performance.getMetrics");
      const get = (n) => (metrics.find((m) => m.name === n)?.value ?? NaN) * 1000;
      return { script: get("ScriptDuration"), task: get("TaskDuration") };
    },
    gc: () => cdp.send("HeapProfiler.collectGarbage"),
    call: (fn, ...args) => page.evaluate(([f, a]) => window.bench[f](...a), [fn, args]),
    close: () => context.close(),
  };
}
