#!/usr/bin/env node
// Time from page load (navigation start) to the socket's `connect` event in a plain page, socketio-wasm
// next to socket.io-client 4.8.4, in headless Chromium against one socket.io 4.8 server on the page's
// origin. Figures only: nothing here passes or fails.
//
//   node tests/frameworks/connect-time.mjs
//
// env SIO_CONNECT_PKG=DIR      the package to measure (default pkg/)
//     SIO_CONNECT_BASELINE=DIR another build shown next to it through its index.js and an import map
//                              (e.g. /work/pkg-stable, the layout of many modules; optional)
//     SIO_CONNECT_RUNS=N       runs per variant (default 7)
//
// Variants: socket.io-client's one minified ESM file; the package's index.js through an import map (one
// request per module); the package's one minified file (socketio-wasm.min.js) if it ships one, alone and
// with preload hints for itself and the wasm. Every run has its own browser context (cold HTTP cache;
// the server also says no-store); the variants alternate run by run; the figure is the median. Two
// network profiles: loopback as is, and loopback with 40 ms of added latency and 10 Mbit/s (CDP network
// emulation), where the number of requests shows.

import http from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { Server } from "socket.io";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PKG = path.resolve(process.env.SIO_CONNECT_PKG || path.join(ROOT, "pkg"));
const BASELINE = process.env.SIO_CONNECT_BASELINE ? path.resolve(process.env.SIO_CONNECT_BASELINE) : undefined;
const SIO_DIST = path.join(ROOT, "node_modules/socket.io-client/dist");
const RUNS = Math.max(1, Number(process.env.SIO_CONNECT_RUNS) || 7);
const MIN = "socketio-wasm.min.js";
const WASM = "socketio_wasm_bg.wasm";

const MOUNTS = { "/pkg/": PKG, "/sio/": SIO_DIST, ...(BASELINE ? { "/baseline/": BASELINE } : {}) };
const MIME = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm" };

const body = (spec) => `
  const out = (window.__result = {});
  const socket = io({ reconnection: false });
  socket.on("connect", () => { out.connectMs = performance.now(); out.transport = socket.io.engine.transport.name; socket.disconnect(); });
  socket.on("connect_error", (e) => { out.error = e.message; });`;

const page = (head, script) => `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">${head}
<script type="module">
${script}
${body()}
</script></head><body></body></html>`;

const PAGES = {
  "socket.io-client (1 min file)": page("", `import { io } from "/sio/socket.io.esm.min.js";`),
  "socketio-wasm index.js (modules)": page(
    `<script type="importmap">{ "imports": { "socketio-wasm": "/pkg/index.js" } }</script>`,
    `import { io } from "socketio-wasm";`,
  ),
};
if (BASELINE) {
  PAGES["baseline index.js (modules)"] = page(
    `<script type="importmap">{ "imports": { "socketio-wasm": "/baseline/index.js" } }</script>`,
    `import { io } from "socketio-wasm";`,
  );
}
if (existsSync(path.join(PKG, MIN))) {
  PAGES[`socketio-wasm ${MIN}`] = page("", `import { io } from "/pkg/${MIN}";`);
  PAGES[`socketio-wasm ${MIN} + preload`] = page(
    `<link rel="modulepreload" href="/pkg/${MIN}"><link rel="preload" href="/pkg/${WASM}" as="fetch" type="application/wasm" crossorigin>`,
    `import { io } from "/pkg/${MIN}";`,
  );
}
const names = Object.keys(PAGES);

const requests = [];
const httpServer = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  requests.push(url.pathname);
  const m = /^\/page\/(\d+)$/.exec(url.pathname);
  if (m) return void res.writeHead(200, { "content-type": MIME[".html"], "cache-control": "no-store" }).end(PAGES[names[+m[1]]]);
  for (const [prefix, dir] of Object.entries(MOUNTS)) {
    if (!url.pathname.startsWith(prefix)) continue;
    const file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (file.startsWith(dir + path.sep) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream", "cache-control": "no-store" });
      return void res.end(readFileSync(file));
    }
  }
  res.writeHead(404).end();
});
const io = new Server(httpServer, { serveClient: false });
await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${httpServer.address().port}`;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function once(i, profile) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  if (profile.network) {
    const cdp = await context.newCDPSession(tab);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, ...profile.network });
  }
  const from = requests.length;
  await tab.goto(`${base}/page/${i}`);
  const r = await tab
    .waitForFunction(() => window.__result && (window.__result.connectMs || window.__result.error) && window.__result, null, { timeout: 30_000, polling: 10 })
    .then((h) => h.jsonValue());
  await context.close();
  if (r.error) throw new Error(`${names[i]}: ${r.error}`);
  const got = requests.slice(from).filter((p) => !p.startsWith("/socket.io/"));
  return { ms: r.connectMs, js: got.filter((p) => p.endsWith(".js")).length, wasm: got.filter((p) => p.endsWith(".wasm")).length };
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const PROFILES = [
  { name: "loopback" },
  { name: "loopback + 40 ms latency, 10 Mbit/s", network: { latency: 40, downloadThroughput: 1_250_000, uploadThroughput: 1_250_000 } },
];

console.log(`package: ${PKG}${BASELINE ? `\nbaseline: ${BASELINE}` : ""}\nruns per variant: ${RUNS} (alternating), median ms from navigation start to connect\n`);
for (const profile of PROFILES) {
  const times = names.map(() => []);
  const counts = names.map(() => undefined);
  for (let i = 0; i < names.length; i++) await once(i, profile); // warm-up (Chromium, server, disk cache of files)
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 ? [...names.keys()].reverse() : [...names.keys()];
    for (const i of order) {
      const r = await once(i, profile);
      times[i].push(r.ms);
      counts[i] = `${r.js} JS + ${r.wasm} wasm`;
    }
  }
  const ref = median(times[0]);
  console.log(`== ${profile.name}`);
  for (let i = 0; i < names.length; i++) {
    const m = median(times[i]);
    console.log(
      `${names[i].padEnd(44)} ${m.toFixed(0).padStart(6)} ms  ${(m / ref).toFixed(2)}x  (${counts[i]}; runs ${times[i].map((t) => t.toFixed(0)).join(" ")})`,
    );
  }
  console.log("");
}

await browser.close();
await new Promise((r) => io.close(() => r()));
