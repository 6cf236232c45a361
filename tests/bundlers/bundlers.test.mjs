// The npm package works with no init call and no bundler plugin: `import { io } from "socketio-wasm"`
// in (a) a plain <script type="module"> with an import map, (b) a Vite build, (c) a webpack 5 build.
//
//   node --test --test-concurrency=1 tests/bundlers/        (npm run test:bundlers)
//
// Needs the package in pkg/ (`node scripts/build.mjs`). The test packs pkg/ with `npm pack` and installs
// the tarball (offline) into a fresh project in a temporary directory, so it also proves that the
// tarball installs into another project and that its files and `exports` map are enough. The builds
// run the repository's own vite and webpack (node_modules/), with no configuration for Vite and a
// configuration without plugins or rules for webpack. Each result is served by a small static server
// that also hosts a real socket.io 4.8 server, and opened in headless Chromium: the app connects,
// emits with an ack callback (binary both ways), then awaits `timeout().emitWithAck()`. The test
// checks the round trips on both sides, and that the .wasm was fetched as a separate asset (status
// 200, application/wasm, the same bytes as pkg/socketio_wasm_bg.wasm) and not inlined into the JS.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import http from "node:http";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { Server } from "socket.io";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// env SIO_BUNDLERS_PKG=DIR tests another build of the package (default pkg/)
const PKG = process.env.SIO_BUNDLERS_PKG ? path.resolve(process.env.SIO_BUNDLERS_PKG) : path.join(ROOT, "pkg");
const NODE_MODULES = path.join(ROOT, "node_modules");
const WASM_NAME = "socketio_wasm_bg.wasm";

/** Limit of one page's round trip, in ms. */
const PAGE_MS = 15_000;
/** Limit of one test (a build, a server and a page), in ms. */
const T = { timeout: 90_000 };


// ---- the app under test -------------------------------------------------------------------------

// The same source for every variant. No init call: the import alone must load the wasm. The page's
// <html data-variant="..."> names the variant, so the server can tell them apart.
const APP = `import { io } from "socketio-wasm";

const variant = document.documentElement.dataset.variant;
const out = (window.__result = { variant });
const socket = io({ reconnection: false });
socket.on("connect_error", (err) => {
  out.error = "connect_error: " + err.message;
});
socket.on("connect", () => {
  out.connected = true;
  out.transport = socket.io.engine.transport.name;
  socket.emit("hello", { variant, bytes: new Uint8Array([1, 2, 3]) }, async (reply) => {
    try {
      out.ack = { echo: reply.echo, sid: reply.sid, bin: Array.from(new Uint8Array(reply.bin)) };
      out.emitWithAck = await socket.timeout(5000).emitWithAck("hello", { variant: variant + "/emitWithAck" });
      out.emitWithAck.bin = Array.from(new Uint8Array(out.emitWithAck.bin));
      out.socketId = socket.id;
      out.done = true;
    } catch (e) {
      out.error = String((e && e.stack) || e);
    }
  });
});
`;

const page = (variant, head, body = "") => `<!doctype html>
<html data-variant="${variant}">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>socketio-wasm in ${variant}</title>
${head}
</head>
<body>${body}</body>
</html>
`;

// ---- shared state: the packed package, installed in a fresh project, and one Chromium -------------

let work; // temporary directory
let app; // the project the tarball is installed into
let tarball;
let browser;
const wasmBytes = existsSync(path.join(PKG, WASM_NAME)) ? readFileSync(path.join(PKG, WASM_NAME)) : null;

before(async () => {
  assert.ok(wasmBytes && existsSync(path.join(PKG, "index.js")), "pkg/ is not built: run `node scripts/build.mjs`");
  work = mkdtempSync(path.join(tmpdir(), "sio-bundlers-"));
  const env = { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };

  const packed = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: PKG, env });
  tarball = path.join(work, JSON.parse(packed.stdout)[0].filename);

  app = path.join(work, "app");
  mkdirSync(path.join(app, "src"), { recursive: true });
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "bundler-test-app", private: true, type: "module" }, null, 2));
  await run("npm", ["install", tarball, "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: app, env });

  writeFileSync(path.join(app, "src/main.js"), APP);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// ---- static server + socket.io server -----------------------------------------------------------

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
};

/** Serves `dir` (index.html for "/") next to a socket.io 4.8 server on one origin. */
async function startServer(dir) {
  const requests = [];
  const hellos = [];
  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.join(dir, rel);
    const ok = file.startsWith(dir + path.sep) && existsSync(file) && statSync(file).isFile();
    requests.push({ path: url.pathname, status: ok ? 200 : 404 });
    if (!ok) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  const io = new Server(httpServer, { serveClient: false });
  io.on("connection", (socket) => {
    socket.on("hello", (payload, ack) => {
      hellos.push({ variant: payload?.variant, bytes: payload?.bytes ? Array.from(payload.bytes) : null, sid: socket.id });
      ack({ echo: payload?.variant, sid: socket.id, bin: Buffer.from([9, 8, 7]) });
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

// ---- one variant, end to end --------------------------------------------------------------------

/** Files under `dir` (recursive), relative. */
function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))],
  );
}

/** Build outputs hold the .wasm as its own file, byte for byte, and no JS inlines it (base64 "\0asm"). */
function checkOutput(dir) {
  const files = listFiles(dir);
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `one .wasm file in the output, got ${JSON.stringify(files)}`);
  assert.ok(readFileSync(path.join(dir, wasm[0])).equals(wasmBytes), `${wasm[0]} is pkg/${WASM_NAME}`);
  for (const f of files.filter((f) => /\.m?js$/.test(f))) {
    const js = readFileSync(path.join(dir, f), "utf8");
    assert.ok(!js.includes("AGFzbQ"), `${f} does not inline the wasm as base64`);
  }
  return { files, wasm: wasm[0] };
}

/**
 * Serves `dir`, opens `pagePath` in Chromium and waits for the app's round trips. Returns what the
 * page, the server and the network saw.
 */
async function openApp(variant, dir, pagePath) {
  const server = await startServer(dir);
  const context = await browser.newContext();
  const tab = await context.newPage();
  const problems = [];
  const wasmResponses = [];
  // an uncaught error (e.g. the wasm not ready at import) ends the wait at once
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
  tab.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  tab.on("response", (r) => {
    if (new URL(r.url()).pathname.endsWith(".wasm")) wasmResponses.push(r);
  });
  try {
    await tab.goto(server.url + pagePath);
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
        throw new Error(
          `${variant}: no round trip (${e.message}); page state ${JSON.stringify(partial)}; ` +
            `problems ${JSON.stringify(problems)}; requests ${JSON.stringify(server.requests)}`,
          { cause: e },
        );
      });
    const wasm = [];
    for (const r of wasmResponses) {
      wasm.push({
        path: new URL(r.url()).pathname,
        status: r.status(),
        type: r.headers()["content-type"],
        same: (await r.body()).equals(wasmBytes),
      });
    }
    return { result, wasm, problems, requests: server.requests, hellos: server.hellos };
  } finally {
    await context.close();
    await server.close();
  }
}

/** The assertions every variant shares. */
function checkRoundTrip(variant, seen, expectedWasmPath) {
  const { result, wasm, problems, hellos } = seen;
  assert.equal(result.error, undefined, `${variant}: ${result.error}; problems ${JSON.stringify(problems)}`);
  assert.deepEqual(problems, [], `${variant}: no page errors`);
  assert.equal(result.variant, variant);
  assert.equal(result.connected, true);
  // the ack of emit(ev, data, cb): the server's reply, with its binary attachment
  assert.deepEqual(result.ack, { echo: variant, sid: result.socketId, bin: [9, 8, 7] });
  // timeout().emitWithAck(): resolves to the ack's argument
  assert.deepEqual(result.emitWithAck, { echo: `${variant}/emitWithAck`, sid: result.socketId, bin: [9, 8, 7] });
  // the server got both events from this socket, with the client's binary
  assert.deepEqual(hellos, [
    { variant, bytes: [1, 2, 3], sid: result.socketId },
    { variant: `${variant}/emitWithAck`, bytes: null, sid: result.socketId },
  ]);
  // the .wasm was fetched once, as its own asset
  assert.equal(wasm.length, 1, `${variant}: one .wasm response, got ${JSON.stringify(wasm)}`);
  assert.deepEqual(wasm[0], { path: expectedWasmPath, status: 200, type: "application/wasm", same: true });
}

// ---- the tests ----------------------------------------------------------------------------------

test("the packed tarball installs into a fresh project", () => {
  const installed = path.join(app, "node_modules/socketio-wasm");
  const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
  assert.equal(manifest.name, "socketio-wasm");
  assert.equal(manifest.type, "module");
  assert.equal(manifest.exports["."].import, "./index.js");
  assert.equal(manifest.exports["."].types, "./index.d.ts");
  for (const f of ["index.js", "index.d.ts", "wasm.js", "socketio_wasm.js", WASM_NAME]) {
    assert.ok(existsSync(path.join(installed, f)), `the tarball holds ${f}`);
  }
  assert.ok(readFileSync(path.join(installed, WASM_NAME)).equals(wasmBytes), "the installed wasm is pkg/'s");
  const appManifest = JSON.parse(readFileSync(path.join(app, "package.json"), "utf8"));
  assert.match(appManifest.dependencies["socketio-wasm"], /^file:.*\.tgz$/);
});

test("a plain <script type=module> with an import map", T, async (t) => {
  // served as is: the page, src/main.js and the installed package's files
  writeFileSync(
    path.join(app, "importmap.html"),
    page(
      "importmap",
      `<script type="importmap">{ "imports": { "socketio-wasm": "/node_modules/socketio-wasm/index.js" } }</script>
<script type="module" src="/src/main.js"></script>`,
    ),
  );
  const seen = await openApp("importmap", app, "/importmap.html");
  checkRoundTrip("importmap", seen, `/node_modules/socketio-wasm/${WASM_NAME}`);
  t.diagnostic(`wasm fetched from ${seen.wasm[0].path}; transport at connect: ${seen.result.transport}`);
});

test("a Vite 8 build (no plugins, no config)", T, async (t) => {
  writeFileSync(path.join(app, "index.html"), page("vite", `<script type="module" src="/src/main.js"></script>`));
  const started = Date.now();
  const vite = await run(process.execPath, [path.join(NODE_MODULES, "vite/bin/vite.js"), "build", "--logLevel", "warn", "--outDir", "dist-vite", "--emptyOutDir"], {
    cwd: app,
  });
  // At log level "warn" Vite prints nothing unless something is wrong.
  assert.equal((vite.stdout + vite.stderr).trim(), "", "vite build printed warnings");
  const buildMs = Date.now() - started;
  const dist = path.join(app, "dist-vite");
  const { wasm } = checkOutput(dist);
  assert.match(wasm, /^assets\/socketio_wasm_bg-[\w-]+\.wasm$/);
  const seen = await openApp("vite", dist, "/");
  checkRoundTrip("vite", seen, "/" + wasm);
  t.diagnostic(`vite build ${buildMs} ms; wasm fetched from ${seen.wasm[0].path}; transport at connect: ${seen.result.transport}`);
});

test("a webpack 5 build (no plugins, no rules)", T, async (t) => {
  // Only entry and output: webpack 5 turns `new URL("./x.wasm", import.meta.url)` into an asset and
  // supports top-level await by default. `performance.hints` off only silences the size warning.
  writeFileSync(
    path.join(app, "webpack.config.mjs"),
    `export default {
  mode: "production",
  entry: "./src/main.js",
  output: { path: new URL("./dist-webpack/", import.meta.url).pathname, filename: "main.js", clean: true },
  performance: { hints: false },
  stats: "errors-warnings",
};
`,
  );
  const started = Date.now();
  const webpack = await run(process.execPath, [path.join(NODE_MODULES, "webpack-cli/bin/cli.js"), "--config", "webpack.config.mjs"], {
    cwd: app,
  });
  assert.doesNotMatch(webpack.stdout + webpack.stderr, /WARNING|ERROR/, "webpack build printed warnings");
  const buildMs = Date.now() - started;
  const dist = path.join(app, "dist-webpack");
  writeFileSync(path.join(dist, "index.html"), page("webpack", `<script src="main.js"></script>`));
  const { wasm } = checkOutput(dist);
  const seen = await openApp("webpack", dist, "/");
  checkRoundTrip("webpack", seen, "/" + wasm);
  t.diagnostic(`webpack build ${buildMs} ms; wasm fetched from ${seen.wasm[0].path}; transport at connect: ${seen.result.transport}`);
});
