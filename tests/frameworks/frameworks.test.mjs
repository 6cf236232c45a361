// The npm package in the frameworks and test runners people put it in (issue 13, items 1-3):
//
//   (1) Next.js 16, App Router: a "use client" component that connects in useEffect, and socket.io's
//       own pattern of a module-scope `export const socket = io(...)` (so io() also runs while the page
//       is prerendered, in Node.js). `next build` with Turbopack and with --webpack must succeed and
//       prerender both pages (and webpack must not warn about top-level await), `next start` must serve
//       them and in Chromium they connect to a real socket.io server and do ack round trips; `next dev`
//       must answer 200 and connect too.
//   (2) Jest 30 in CommonJS mode with testEnvironment jsdom (its only setting) require()s the package and
//       does an ack round trip; so does Vitest 4 (jsdom, no configuration file).
//   (3) A plain page whose <script type=module> imports ONE minified file of the package
//       (socketio-wasm.min.js at the package root) makes exactly one JS request plus the .wasm, and connects.
//
//   node --test --test-concurrency=1 tests/frameworks/
//
// env SIO_FRAMEWORKS_PKG=DIR tests another build of the package (default pkg/). The test packs it with
// `npm pack` and installs the tarball (offline, --no-save) into tests/frameworks/fixtures/, whose apps
// resolve next, react, jest and vitest from the repository's node_modules. One socket.io 4.8 server
// (CORS open) serves every app for the whole run; each Next.js variant is built once.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import http from "node:http";
import net from "node:net";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { run as runCollect, start } from "../../scripts/lib/process.mjs";
import { Server } from "socket.io";

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const PKG = process.env.SIO_FRAMEWORKS_PKG ? path.resolve(process.env.SIO_FRAMEWORKS_PKG) : path.join(ROOT, "pkg");
const FIXTURES = path.join(HERE, "fixtures");
const NEXT_APP = path.join(FIXTURES, "next-app");
const NODE_MODULES = path.join(ROOT, "node_modules");
const NEXT_BIN = path.join(NODE_MODULES, "next/dist/bin/next");
const WASM_NAME = "socketio_wasm_bg.wasm";
/** The one browser file of the package (item 3). */
const MIN_FILE = "socketio-wasm.min.js";

const PAGE_MS = 20_000;
const BUILD = { timeout: 300_000 };
const QUIET_NPM = { npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

let work;
let browser;
let sio; // the socket.io server (and static files for the plain page)

// ---- the socket.io server: a `hello` event answered with an ack; also serves FIXTURES statically ---

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
};

async function startSocketIo(staticRoot) {
  const requests = [];
  const hellos = [];
  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.join(staticRoot, rel);
    const ok = file.startsWith(staticRoot + path.sep) && existsSync(file) && statSync(file).isFile();
    requests.push({ path: url.pathname, status: ok ? 200 : 404 });
    if (!ok) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  const io = new Server(httpServer, { serveClient: false, cors: { origin: true, credentials: true } });
  io.on("connection", (socket) => {
    socket.on("hello", (payload, ack) => {
      hellos.push({ variant: payload?.variant, sid: socket.id });
      if (typeof ack === "function") ack({ echo: payload?.variant, sid: socket.id });
    });
  });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${httpServer.address().port}`,
    requests,
    hellos,
    close: () =>
      new Promise((resolve) => {
        io.close(() => resolve());
        httpServer.closeAllConnections?.();
      }),
  };
}

before(async () => {
  assert.ok(existsSync(path.join(PKG, "package.json")) && existsSync(path.join(PKG, WASM_NAME)), `${PKG} is not a built package`);
  work = mkdtempSync(path.join(tmpdir(), "sio-frameworks-"));
  const env = { ...process.env, ...QUIET_NPM };
  const packed = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: PKG, env });
  const tarball = path.join(work, JSON.parse(packed.stdout)[0].filename);
  rmSync(path.join(FIXTURES, "node_modules"), { recursive: true, force: true });
  await run("npm", ["install", tarball, "--offline", "--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: FIXTURES,
    env,
  });
  assert.ok(existsSync(path.join(FIXTURES, "node_modules/socketio-wasm/package.json")), "the tarball is installed in the fixtures");
  sio = await startSocketIo(FIXTURES);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await sio?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// ---- helpers ------------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A long-running server (next start / next dev) in its own process group, stopped as a whole. */
const startProcess = (cmd, args, opts) => start(cmd, args, { ...opts, group: true });

async function waitForHttp(url, proc, ms) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      return { status: res.status, body: await res.text() };
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer (${last?.message}); output:\n${proc.output}`);
}

/** Opens `url` in Chromium, waits for window.__result.done; returns the result and what was requested. */
async function openPage(url, label) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const problems = [];
  const requests = [];
  let onPageError;
  const pageError = new Promise((_, reject) => (onPageError = reject));
  pageError.catch(() => {});
  tab.on("pageerror", (e) => {
    problems.push("pageerror: " + (e.stack || e.message));
    onPageError(new Error("uncaught error in the page"));
  });
  tab.on("console", (m) => {
    if (m.type() === "error") problems.push("console.error: " + m.text());
  });
  tab.on("request", (r) => requests.push({ url: r.url(), type: r.resourceType() }));
  try {
    await tab.goto(url);
    const result = await Promise.race([
      tab.waitForFunction(() => window.__result && (window.__result.done || window.__result.error) && window.__result, null, {
        timeout: PAGE_MS,
        polling: 50,
      }),
      pageError,
    ])
      .then((h) => h.jsonValue())
      .catch(async (e) => {
        const partial = await tab.evaluate(() => window.__result).catch(() => undefined);
        throw new Error(`${label}: no round trip (${e.message}); page state ${JSON.stringify(partial)}; problems ${JSON.stringify(problems)}`, {
          cause: e,
        });
      });
    const status = await tab.evaluate(() => document.getElementById("status")?.textContent).catch(() => undefined);
    return { result, problems, requests, status };
  } finally {
    await context.close();
  }
}

function checkRoundTrip(label, variant, seen) {
  const { result, problems } = seen;
  assert.equal(result.error, undefined, `${label}: ${result.error}; problems ${JSON.stringify(problems)}`);
  assert.equal(result.variant, variant);
  assert.equal(result.connected, true);
  assert.deepEqual(result.ack, { echo: variant, sid: result.socketId }, `${label}: emit's ack`);
  assert.deepEqual(result.emitWithAck, { echo: `${variant}/emitWithAck`, sid: result.socketId }, `${label}: emitWithAck`);
  assert.ok(
    sio.hellos.some((h) => h.variant === variant && h.sid === result.socketId),
    `${label}: the server saw the socket's hello`,
  );
  // the page's own errors; Next's dev overlay may log HMR noise, but nothing about the package
  assert.deepEqual(
    problems.filter((p) => /socketio|wasm|pageerror/i.test(p)),
    [],
    `${label}: no page errors`,
  );
}

// ---- server-side rendering: import touches nothing, io() never throws ----------------------------

test("in Node.js, import reads no wasm, and io() where the wasm cannot be found fails with connect_error", async () => {
  // What a server bundle does to `new URL("./x.wasm", import.meta.url)` (Next.js: a URL-like object whose
  // href is "/_next/static/media/x.wasm" and whose protocol is ""), imitated by hiding the file: the
  // package is copied without its .wasm. Import must not read or fetch anything; io() must return a
  // socket and report the failure asynchronously, as a server that cannot be reached.
  const copy = path.join(work, "no-wasm/node_modules/socketio-wasm");
  cpSync(path.join(FIXTURES, "node_modules/socketio-wasm"), copy, { recursive: true });
  rmSync(path.join(copy, WASM_NAME), { force: true });
  const script = `
    const fs = await import("node:fs");
    const touched = [];
    for (const f of ["readFileSync", "readFile"]) { const o = fs.default[f]; fs.default[f] = (...a) => { if (String(a[0]).includes(".wasm")) touched.push(f); return o(...a); }; }
    const fsp = fs.default.promises; const rf = fsp.readFile; fsp.readFile = (...a) => { if (String(a[0]).includes(".wasm")) touched.push("promises.readFile"); return rf(...a); };
    const of = globalThis.fetch; globalThis.fetch = (...a) => { if (String(a[0]).includes(".wasm")) touched.push("fetch"); return of(...a); };
    let mod;
    try { mod = await import(${JSON.stringify(path.join(copy, "index.js"))}); } catch (e) { console.log(JSON.stringify({ importError: String(e) })); process.exit(0); }
    const afterImport = touched.slice();
    let socket, thrown;
    try { socket = mod.io("http://127.0.0.1:9", { reconnection: false }); } catch (e) { thrown = String(e); }
    const err = thrown ? undefined : await new Promise((r) => { socket.on("connect_error", (e) => r(e.message)); setTimeout(() => r("no connect_error in 5 s"), 5000); });
    console.log(JSON.stringify({ afterImport, thrown, err, connected: socket?.connected }));
    process.exit(0);
  `;
  const r = await runCollect(process.execPath, ["--input-type=module", "-e", script], { cwd: work });
  assert.equal(r.code, 0, r.output);
  const seen = JSON.parse(r.output.trim().split("\n").pop());
  assert.equal(seen.importError, undefined, `importing the package without a reachable wasm must not fail: ${seen.importError}`);
  assert.deepEqual(seen.afterImport, [], "import alone reads and fetches no wasm");
  assert.equal(seen.thrown, undefined, "io() does not throw");
  assert.equal(seen.connected, false);
  assert.notEqual(seen.err, "no connect_error in 5 s", "the socket reports a connect_error");
});

// ---- (2) Jest, Vitest, require() ------------------------------------------------------------------

test("require('socketio-wasm') in Node.js (CommonJS) gives io() and connects", async () => {
  const script = `
    const { io } = require("socketio-wasm");
    const s = io(process.env.SIO_URL, { reconnection: false });
    s.on("connect_error", (e) => { console.error("connect_error " + e.message); process.exit(1); });
    s.on("connect", () => s.emit("hello", { variant: "node-cjs" }, (r) => { console.log(JSON.stringify(r)); s.disconnect(); }));
  `;
  const r = await runCollect(process.execPath, ["-e", script], { cwd: FIXTURES, env: { ...process.env, SIO_URL: sio.url } });
  assert.equal(r.code, 0, r.output);
  assert.equal(JSON.parse(r.output.trim().split("\n").pop()).echo, "node-cjs");
  const manifest = JSON.parse(readFileSync(path.join(FIXTURES, "node_modules/socketio-wasm/package.json"), "utf8"));
  const main = path.join(FIXTURES, "node_modules/socketio-wasm", manifest.main);
  assert.ok(/\.cjs$/.test(main) || manifest.type !== "module", `"main" (${manifest.main}) is CommonJS`);
});

test("Jest 30, CommonJS, testEnvironment jsdom: require() and an ack round trip", { timeout: 120_000 }, async (t) => {
  const started = Date.now();
  const r = await runCollect("nice", ["-n", "10", process.execPath, path.join(NODE_MODULES, "jest/bin/jest.js"), "--ci", "--colors=false"], {
    cwd: path.join(FIXTURES, "jest"),
    env: { ...process.env, SIO_URL: sio.url, FORCE_COLOR: "0" },
  });
  assert.equal(r.code, 0, `jest failed:\n${r.output}`);
  assert.match(r.output, /Tests:\s+3 passed, 3 total/);
  assert.ok(sio.hellos.some((h) => h.variant === "jest/emitWithAck"), "the server saw Jest's socket");
  t.diagnostic(`jest ${Date.now() - started} ms`);
});

test("Vitest 4 (jsdom, no config file): import, an ack round trip, an ack timeout on fake timers", { timeout: 120_000 }, async (t) => {
  const started = Date.now();
  const r = await runCollect("nice", ["-n", "10", process.execPath, path.join(NODE_MODULES, "vitest/vitest.mjs"), "run"], {
    cwd: path.join(FIXTURES, "vitest"),
    env: { ...process.env, SIO_URL: sio.url, FORCE_COLOR: "0", NO_COLOR: "1", CI: "1" },
  });
  assert.equal(r.code, 0, `vitest failed:\n${r.output}`);
  assert.match(r.output, /Tests\s+2 passed \(2\)/);
  assert.ok(sio.hellos.some((h) => h.variant === "vitest/emitWithAck"), "the server saw Vitest's socket");
  t.diagnostic(`vitest ${Date.now() - started} ms`);
});

// ---- (3) one minified file ----------------------------------------------------------------------

test(`a plain page importing one file (${MIN_FILE}): one JS request plus the wasm, and a round trip`, { timeout: 60_000 }, async (t) => {
  const installed = path.join(FIXTURES, "node_modules/socketio-wasm");
  assert.ok(existsSync(path.join(installed, MIN_FILE)), `the package ships ${MIN_FILE}`);
  const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
  for (const field of ["browser", "unpkg", "jsdelivr"]) {
    assert.equal(manifest[field], `./${MIN_FILE}`, `package.json "${field}" points at the one file`);
  }
  const seen = await openPage(`${sio.url}/plain/`, "plain page");
  checkRoundTrip("plain page", "plain", seen);
  const js = seen.requests.filter((r) => r.type === "script" || /\.m?js($|\?)/.test(new URL(r.url).pathname));
  const wasm = seen.requests.filter((r) => new URL(r.url).pathname.endsWith(".wasm"));
  assert.deepEqual(
    js.map((r) => new URL(r.url).pathname),
    [`/node_modules/socketio-wasm/${MIN_FILE}`],
    "exactly one JS request",
  );
  assert.deepEqual(wasm.map((r) => new URL(r.url).pathname), [`/node_modules/socketio-wasm/${WASM_NAME}`], "one wasm request");
  t.diagnostic(`connect at ${Math.round(seen.result.connectMs)} ms after navigation start`);
});

// ---- (1) Next.js --------------------------------------------------------------------------------

const nextEnv = (dist) => ({
  ...process.env,
  NEXT_TELEMETRY_DISABLED: "1",
  SIO_NEXT_DIST: dist,
  NEXT_PUBLIC_SIO_URL: sio.url,
  NODE_ENV: undefined,
});

/** Both pages in Chromium against `base` (a next start or next dev server). */
async function checkNextPages(base, label) {
  for (const [route, variant] of [
    ["/", "effect"],
    ["/module-scope", "module-scope"],
  ]) {
    const seen = await openPage(base + route, `${label} ${route}`);
    checkRoundTrip(`${label} ${route}`, variant, seen);
    assert.equal(seen.status, "status: done", `${label} ${route}: the component rendered the round trip`);
  }
}

for (const bundler of ["turbopack", "webpack"]) {
  test(`Next.js 16 App Router, ${bundler}: next build prerenders, next start serves, Chromium connects`, BUILD, async (t) => {
    const dist = `.next-${bundler}`;
    rmSync(path.join(NEXT_APP, dist), { recursive: true, force: true });
    const args = [NEXT_BIN, "build", ...(bundler === "webpack" ? ["--webpack"] : [])];
    const started = Date.now();
    const build = await runCollect("nice", ["-n", "10", process.execPath, ...args], { cwd: NEXT_APP, env: nextEnv(dist) });
    const buildMs = Date.now() - started;
    assert.equal(build.code, 0, `next build (${bundler}) failed:\n${build.output}`);
    assert.doesNotMatch(build.output, /prerender-error|Error occurred prerendering/i, "no prerender error");
    if (bundler === "webpack") {
      assert.doesNotMatch(build.output, /top-?level-?await/i, "webpack does not warn about top-level await");
    }
    // both pages are static (prerendered), and the client component's first render is in the HTML
    assert.match(build.output, /○ \/\s/, "/ is prerendered as static content");
    assert.match(build.output, /○ \/module-scope/, "/module-scope is prerendered as static content");
    for (const page of ["index.html", "module-scope.html"]) {
      const html = readFileSync(path.join(NEXT_APP, dist, "server/app", page), "utf8");
      assert.match(html, /status: <!-- -->idle|status: idle/, `${page} holds the prerendered client component`);
    }
    const port = await freePort();
    const server = startProcess(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: NEXT_APP,
      env: nextEnv(dist),
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const first = await waitForHttp(base + "/", server, 60_000);
      assert.equal(first.status, 200);
      await checkNextPages(base, `next start (${bundler})`);
      assert.doesNotMatch(server.output, /TypeError|Failed to parse URL/, "next start logged no error");
    } finally {
      await server.stop();
    }
    t.diagnostic(`next build (${bundler}) ${buildMs} ms`);
  });
}

test("Next.js 16 App Router, next dev (Turbopack): the page answers 200 and connects", BUILD, async (t) => {
  const dist = ".next-dev";
  rmSync(path.join(NEXT_APP, dist), { recursive: true, force: true });
  const port = await freePort();
  const server = startProcess("nice", ["-n", "10", process.execPath, NEXT_BIN, "dev", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: NEXT_APP,
    env: nextEnv(dist),
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    const started = Date.now();
    for (const route of ["/", "/module-scope"]) {
      const res = await waitForHttp(base + route, server, 180_000);
      assert.equal(res.status, 200, `next dev ${route}: ${res.body.slice(0, 2000)}\n${server.output}`);
    }
    const compileMs = Date.now() - started;
    await checkNextPages(base, "next dev");
    assert.doesNotMatch(server.output, /Failed to parse URL|⨯/, `next dev logged no error:\n${server.output}`);
    t.diagnostic(`next dev first responses ${compileMs} ms`);
  } finally {
    await server.stop();
  }
});
