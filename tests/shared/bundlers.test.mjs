// io(url, { shared: true }) in a Vite build and a webpack 5 build with no configuration for the worker:
// the bundlers find `new SharedWorker(new URL("./shared-worker.js", import.meta.url), ...)` in the
// package and bundle the worker; two pages of the built app then share one connection.
//
//   node --test --test-concurrency=1 tests/shared/        (after node scripts/build.mjs)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import http from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";
import { launchChromium } from "../support/chromium.mjs";
import { waitFor } from "./support.mjs";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NODE_MODULES = path.join(ROOT, "node_modules");
const T = { timeout: 90_000 };

const APP = `import { io } from "socketio-wasm";
const out = (window.__result = {});
const socket = io({ shared: true, transports: ["websocket"] });
socket.on("connect_error", (err) => (out.error = err.message));
socket.on("connect", async () => {
  out.id = socket.id;
  out.ack = await socket.timeout(5000).emitWithAck("echo", { bytes: new Uint8Array([1, 2]) }).then((r) => Array.from(new Uint8Array(r.bytes)));
});
`;

let work;
let browser;

before(async () => {
  assert.ok(existsSync(path.join(ROOT, "pkg/index.js")), "pkg/ is not built: run `node scripts/build.mjs`");
  work = mkdtempSync(path.join(tmpdir(), "sio-shared-bundlers-"));
  mkdirSync(path.join(work, "src"));
  mkdirSync(path.join(work, "node_modules"));
  symlinkSync(path.join(ROOT, "pkg"), path.join(work, "node_modules/socketio-wasm"));
  writeFileSync(path.join(work, "package.json"), JSON.stringify({ name: "shared-app", private: true, type: "module" }));
  writeFileSync(path.join(work, "src/main.js"), APP);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const MIME = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

async function serve(dir) {
  const httpServer = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": MIME[path.extname(file)] || "application/octet-stream" }).end(readFileSync(file));
  });
  const io = new Server(httpServer, { serveClient: false });
  io.on("connection", (s) => s.on("echo", (x, ack) => ack(x)));
  await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
  return {
    io,
    url: `http://127.0.0.1:${httpServer.address().port}/`,
    close: () => new Promise((r) => (io.close(() => r()), httpServer.closeAllConnections?.())),
  };
}

async function twoPages(dir) {
  const srv = await serve(dir);
  const context = await browser.newContext();
  try {
    const results = [];
    for (let i = 0; i < 2; i++) {
      const page = await context.newPage();
      const problems = [];
      page.on("pageerror", (e) => problems.push(String(e)));
      await page.goto(srv.url);
      const h = await page
        .waitForFunction(() => window.__result && (window.__result.ack || window.__result.error) && window.__result, null, { timeout: 15_000 })
        .catch((e) => assert.fail(`page ${i}: ${e.message}; ${problems.join("; ")}`));
      results.push(await h.jsonValue());
    }
    await waitFor(() => srv.io.engine.clientsCount === 1);
    assert.equal(srv.io.engine.clientsCount, 1, "one connection for the two pages");
    for (const r of results) assert.deepEqual(r, { id: results[0].id, ack: [1, 2] });
  } finally {
    await context.close();
    await srv.close();
  }
}

test("a Vite build bundles the shared worker", T, async () => {
  writeFileSync(path.join(work, "index.html"), `<!doctype html><script type="module" src="/src/main.js"></script>`);
  const vite = await run(process.execPath, [path.join(NODE_MODULES, "vite/bin/vite.js"), "build", "--logLevel", "warn", "--outDir", "dist-vite", "--emptyOutDir"], {
    cwd: work,
  });
  assert.equal((vite.stdout + vite.stderr).trim(), "", "vite build printed warnings");
  await twoPages(path.join(work, "dist-vite"));
});

test("a webpack 5 build bundles the shared worker", T, async () => {
  writeFileSync(
    path.join(work, "webpack.config.mjs"),
    `export default {
  mode: "production",
  entry: "./src/main.js",
  output: { path: new URL("./dist-webpack/", import.meta.url).pathname, filename: "main.js", clean: true },
  performance: { hints: false },
  stats: "errors-warnings",
};
`,
  );
  const webpack = await run(process.execPath, [path.join(NODE_MODULES, "webpack-cli/bin/cli.js"), "--config", "webpack.config.mjs"], { cwd: work });
  assert.doesNotMatch(webpack.stdout + webpack.stderr, /WARNING|ERROR/, "webpack build printed warnings");
  const dist = path.join(work, "dist-webpack");
  writeFileSync(path.join(dist, "index.html"), `<!doctype html><script src="main.js"></script>`);
  await twoPages(dist);
});
