// Figures of `io(url, { shared: true })` (README, "One connection for all tabs"). Prints, does not fail.
//
//   node bench/shared.mjs                 (pkg/ must be built; about a minute)
//   SHARED_RUNS=3 SHARED_PAGES=10 SHARED_ROUND_TRIPS=400 node bench/shared.mjs
//
// 1. Server side, for SHARED_PAGES pages of one origin in one browser context, with and without the
//    option: the socket.io server's Engine.IO connections, and its heap (heapUsed after a full GC,
//    minus the same before the pages connected and after one connection came and went). The server runs in a child process
//    (node --expose-gc) so that its memory is its own.
// 2. The extra latency of the worker: in one page, SHARED_ROUND_TRIPS sequential emitWithAck round
//    trips over WebSocket with a direct socket and with a shared one (another page of the context keeps
//    the worker's connection, as a second tab would), in batches of 20 timed together (the page's
//    clock is coarse), alternating, after a warm-up; the median batch of each, and their difference.
// Every figure is the median of SHARED_RUNS runs.

import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../tests/support/chromium.mjs";
import { startStaticServer } from "../tests/e2e/support/harness.mjs";

const RUNS = Number(process.env.SHARED_RUNS || 5);
const PAGES = Number(process.env.SHARED_PAGES || 10);
const ROUND_TRIPS = Number(process.env.SHARED_ROUND_TRIPS || 400);

// ---- the server, in a child process

async function serve() {
  const http = await import("node:http");
  const { Server } = await import("socket.io");
  const server = http.createServer();
  const io = new Server(server, { cors: { origin: "*" } });
  io.on("connection", (socket) => socket.on("echo", (x, ack) => ack(x)));
  server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
  process.on("message", async (m) => {
    if (m === "measure") {
      for (let i = 0; i < 3; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 50));
      }
      const { heapUsed } = process.memoryUsage();
      process.send({ engines: io.engine.clientsCount, sockets: io.of("/").sockets.size, heapUsed });
    }
  });
}

function startServer() {
  const child = fork(fileURLToPath(import.meta.url), ["--server"], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = () => new Promise((r) => child.once("message", r));
  return next().then(({ port }) => ({
    url: `http://127.0.0.1:${port}`,
    measure: () => {
      const p = next();
      child.send("measure");
      return p;
    },
    stop: () => child.kill(),
  }));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function openPage(context, staticUrl) {
  const page = await context.newPage();
  await page.goto(staticUrl);
  await page.waitForFunction(() => window.__ready || window.__loadError, null, { timeout: 15000 });
  return page;
}

async function connect(page, url, opts) {
  await page.evaluate(
    ({ url, opts }) =>
      new Promise((resolve, reject) => {
        const s = window.io(url, opts);
        window.s = s;
        s.once("connect", resolve);
        s.once("connect_error", reject);
      }),
    { url, opts },
  );
}

async function serverRun(browser, staticUrl, shared) {
  const srv = await startServer();
  try {
    // One connection first, so that what the server allocates once is not counted.
    const warm = await browser.newContext();
    await connect(await openPage(warm, staticUrl), srv.url, { transports: ["websocket"] });
    await warm.close();
    await new Promise((r) => setTimeout(r, 300));
    const before = await srv.measure();
    const context = await browser.newContext();
    const pages = [];
    for (let i = 0; i < PAGES; i++) pages.push(await openPage(context, staticUrl));
    for (const p of pages) await connect(p, srv.url, { transports: ["websocket"], shared });
    await new Promise((r) => setTimeout(r, 300));
    const afterConnect = await srv.measure();
    await context.close();
    return {
      engines: afterConnect.engines,
      sockets: afterConnect.sockets,
      heap: afterConnect.heapUsed - before.heapUsed,
    };
  } finally {
    srv.stop();
  }
}

async function latencyRun(browser, staticUrl, srvUrl) {
  const context = await browser.newContext();
  try {
    const other = await openPage(context, staticUrl);
    await connect(other, srvUrl, { transports: ["websocket"], shared: true });
    const page = await openPage(context, staticUrl);
    return await page.evaluate(
      async ({ url, n }) => {
        const direct = window.io(url, { transports: ["websocket"], forceNew: true });
        const shared = window.io(url, { transports: ["websocket"], shared: true });
        await Promise.all([direct, shared].map((s) => (s.connected ? 0 : new Promise((r) => s.once("connect", r)))));
        const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
        const times = { direct: [], shared: [] };
        // The page's clock is coarse (0.1 ms): batches of 20 sequential round trips, timed together.
        const batch = async (s) => {
          const t0 = performance.now();
          for (let i = 0; i < 20; i++) await s.emitWithAck("echo", 1);
          return (performance.now() - t0) / 20;
        };
        for (let i = 0; i < 3; i++) await batch(direct), await batch(shared);
        for (let i = 0; i < n / 20; i++) {
          // alternate which goes first
          if (i & 1) times.direct.push(await batch(direct)), times.shared.push(await batch(shared));
          else times.shared.push(await batch(shared)), times.direct.push(await batch(direct));
        }
        direct.disconnect();
        shared.disconnect();
        return { direct: med(times.direct), shared: med(times.shared) };
      },
      { url: srvUrl, n: ROUND_TRIPS },
    );
  } finally {
    await context.close();
  }
}

async function main() {
  const stat = await startStaticServer();
  const browser = await launchChromium();
  try {
    const rows = { without: [], with: [] };
    for (let r = 0; r < RUNS; r++) {
      // alternate the order between runs
      for (const shared of r & 1 ? [true, false] : [false, true]) rows[shared ? "with" : "without"].push(await serverRun(browser, stat.url, shared));
    }
    const srv = await startServer();
    const lat = [];
    try {
      for (let r = 0; r < RUNS; r++) lat.push(await latencyRun(browser, stat.url, srv.url));
    } finally {
      srv.stop();
    }

    const kb = (b) => `${(b / 1024).toFixed(0)} KB`;
    console.log(`\n${PAGES} pages of one origin, WebSocket, median of ${RUNS} runs (server in its own process, after GC):\n`);
    console.log("| | engine connections | sockets | server heapUsed delta |");
    console.log("|---|---:|---:|---:|");
    for (const [name, key] of [["without `shared`", "without"], ["with `shared: true`", "with"]]) {
      const list = rows[key];
      console.log(
        `| ${name} | ${median(list.map((x) => x.engines))} | ${median(list.map((x) => x.sockets))} | ${kb(median(list.map((x) => x.heap)))} |`,
      );
    }
    console.log(`\nack round trip over WebSocket, per run the median of ${ROUND_TRIPS / 20} batches of 20 sequential emitWithAck:\n`);
    console.log("| run | direct socket | shared socket | extra |");
    console.log("|---|---:|---:|---:|");
    lat.forEach((x, i) => console.log(`| ${i + 1} | ${x.direct.toFixed(3)} ms | ${x.shared.toFixed(3)} ms | ${(x.shared - x.direct).toFixed(3)} ms |`));
    const d = median(lat.map((x) => x.direct));
    const s = median(lat.map((x) => x.shared));
    const extra = median(lat.map((x) => x.shared - x.direct));
    console.log(`| median | ${d.toFixed(3)} ms | ${s.toFixed(3)} ms | ${extra.toFixed(3)} ms |`);
    console.log(`\nheapUsed delta per run (KB): ${JSON.stringify(Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.map((x) => Math.round(x.heap / 1024))])))}`);
  } finally {
    await browser.close();
    await stat.close();
  }
}

if (process.argv[2] === "--server") await serve();
else await main();
