#!/usr/bin/env node
// Speed benchmark: socketio-wasm (pkg/) side by side with socket.io-client 4.8.4, in the same Chromium,
// against the same socket.io 4.8 server, over websocket and over long-polling. Prints a table and
// writes bench/results.json. Figures only: nothing here passes or fails on speed.
//
//   npm run bench                 setup + build + this script
//   node bench/run.mjs            this script alone (needs pkg/ built: node scripts/build.mjs)
//
// Environment: BENCH_REPS (measured runs per figure, default 5), BENCH_SCALE (multiplies every event
// count, default 1), BENCH_TRANSPORTS (comma-separated, default "websocket,polling"), BENCH_CASES
// (comma-separated case ids, default all).
//
// Method. Each library runs in its own page (own browser context, so its own renderer process). For
// every case, each library first does one warm-up run, then BENCH_REPS measured runs; the order of
// the two libraries alternates run by run. Before each run the page's heap is collected (CDP
// HeapProfiler.collectGarbage), then CDP Performance.getMetrics is read before and after: the
// difference of ScriptDuration (JS + wasm execution) and TaskDuration (all main-thread tasks: script,
// network message dispatch, GC, ...) on the page's main thread, in thread CPU time where Chromium
// supports it, is divided by the number of events. Wall time is measured in the page with
// performance.now(). Every figure is the median of the measured runs.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { LIBS, PKG_DIR, REF_DIST, ROOT, launchBrowser, openLibPage, startSioServer, startStaticServer } from "./lib.mjs";

const REPS = Math.max(1, Number(process.env.BENCH_REPS) || 5);
const SCALE = Math.max(0.01, Number(process.env.BENCH_SCALE) || 1);
const TRANSPORTS = (process.env.BENCH_TRANSPORTS || "websocket,polling").split(",").map((s) => s.trim()).filter(Boolean);
const n = (x) => Math.max(1, Math.round(x * SCALE));
/** BENCH_CASES: comma-separated case ids to run (default all: s2c, c2s, binary, binary64, large). */
const ONLY = process.env.BENCH_CASES ? process.env.BENCH_CASES.split(",").map((s) => s.trim()) : null;
/** Size of the event of the memory figure, MB. */
const BIG_MB = 50;

/** The reference size from docs ARCHITECTURE.md "Budgets" (gzip -9 as measured there). */
const GUIDE_REFERENCE = { minified: 40_759, gzip: 12_888 };

// kind "rate": args[0] events, figure = events/s. kind "rtt": figure = ms per round trip.
const CASES = [
  {
    id: "s2c",
    kind: "rate",
    label: (a) => `server -> client, ${a[0].toLocaleString("en-US")} events`,
    fn: "s2c",
    args: { websocket: [n(20_000)], polling: [n(5_000)] },
  },
  {
    id: "c2s",
    kind: "rate",
    label: (a) => `client -> server + ack, ${a[0].toLocaleString("en-US")} emits`,
    fn: "c2s",
    args: { websocket: [n(10_000)], polling: [n(5_000)] },
  },
  {
    id: "binary",
    kind: "rtt",
    label: (a) => `1 KB ArrayBuffer echo (${a[2]} sequential)`,
    fn: "rtt",
    args: { websocket: ["binary", 1024, n(50)], polling: ["binary", 1024, n(10)] },
  },
  {
    id: "binary64",
    kind: "rtt",
    label: (a) => `64 KB ArrayBuffer echo (${a[2]} sequential)`,
    fn: "rtt",
    args: { websocket: ["binary", 64 << 10, n(30)], polling: ["binary", 64 << 10, n(5)] },
  },
  {
    id: "large",
    kind: "rtt",
    label: (a) => `1 MB string echo (${a[2]} sequential)`,
    fn: "rtt",
    args: { websocket: ["string", 1 << 20, n(3)], polling: ["string", 1 << 20, n(2)] },
  },
];

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function measure(p, c, transport) {
  const args = c.args[transport];
  await p.gc();
  const m0 = await p.metrics();
  const r = await p.call(c.fn, ...args);
  const m1 = await p.metrics();
  const count = r.events ?? r.roundTrips;
  const scriptMs = m1.script - m0.script;
  const taskMs = m1.task - m0.task;
  return c.kind === "rate"
    ? { wallMs: r.ms, count, perSec: count / (r.ms / 1000), scriptUs: (scriptMs * 1000) / count, taskUs: (taskMs * 1000) / count }
    : { wallMs: r.ms * count, count, rttMs: r.ms, scriptMsPerRt: scriptMs / count, taskMsPerRt: taskMs / count };
}

function summarize(c, runs) {
  const pick = (k) => median(runs.map((r) => r[k]));
  return c.kind === "rate"
    ? { perSec: pick("perSec"), scriptUs: pick("scriptUs"), taskUs: pick("taskUs") }
    : { rttMs: pick("rttMs"), scriptMsPerRt: pick("scriptMsPerRt"), taskMsPerRt: pick("taskMsPerRt") };
}

// ------------------------------------------------------------------------------------------------
// sizes

function sizes() {
  const file = path.join(ROOT, "target/size.json");
  if (!existsSync(file)) return { error: "target/size.json not found: run node scripts/build.mjs" };
  const size = JSON.parse(readFileSync(file, "utf8"));
  const out = { fromBuild: size, guideReference: GUIDE_REFERENCE };
  // The same files through the gzip program (gzip -9 -n), since zlib versions differ by tens of bytes.
  try {
    const gzipCli = (buf) => execFileSync("gzip", ["-9", "-n", "-c"], { input: buf, maxBuffer: 1 << 26 }).length;
    const wasm = readFileSync(path.join(PKG_DIR, "socketio_wasm_bg.wasm"));
    const ref = readFileSync(path.join(REF_DIST, "socket.io.esm.min.js"));
    out.gzipCli = { wasm: gzipCli(wasm), reference: gzipCli(ref), referenceNodeZlib: gzipSync(ref, { level: 9 }).length };
  } catch (e) {
    out.gzipCli = { error: String(e.message || e) };
  }
  return out;
}

async function addJsGzipCli(out) {
  // The minified JS scripts/build.mjs wrote, through the gzip program.
  if (!out.gzipCli || out.gzipCli.error) return;
  try {
    // The one minified module a page loads (shared.min.js only comes with `shared: true`).
    const js = readFileSync(path.join(PKG_DIR, "socketio-wasm.min.js"));
    out.gzipCli.jsMinified = execFileSync("gzip", ["-9", "-n", "-c"], { input: js }).length;
    out.gzipCli.total = out.gzipCli.wasm + out.gzipCli.jsMinified;
  } catch (e) {
    out.gzipCli.jsError = String(e.message || e);
  }
}

// ------------------------------------------------------------------------------------------------
// output

const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "—");
const fmt = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : "—");
const pad = (s, w) => String(s).padEnd(w);
const lpad = (s, w) => String(s).padStart(w);

function printSizes(sz) {
  console.log("\nPackage size (bytes)");
  if (sz.error) return console.log("  " + sz.error);
  const b = sz.fromBuild;
  const rows = [
    ["socketio-wasm  wasm", b.wasm.raw, b.wasm.gzip, sz.gzipCli?.wasm],
    ["socketio-wasm  js (bundled, minified)", b.js.minified, b.js.minifiedGzip, sz.gzipCli?.jsMinified],
    ["socketio-wasm  total", b.total.minified, b.total.minifiedGzip, sz.gzipCli?.total],
    ["socket.io-client 4.8.4 ESM bundle", b.reference.minified, b.reference.minifiedGzip, sz.gzipCli?.reference],
    ["  (architecture guide's figure)", sz.guideReference.minified, sz.guideReference.gzip, undefined],
  ];
  console.log(`  ${pad("", 40)} ${lpad("minified", 10)} ${lpad("gzip -9 (zlib)", 15)} ${lpad("gzip -9 (CLI)", 14)}`);
  for (const [label, raw, gz, cli] of rows) {
    console.log(`  ${pad(label, 40)} ${lpad(fmtInt(raw), 10)} ${lpad(fmtInt(gz), 15)} ${lpad(cli === undefined ? "" : fmtInt(cli), 14)}`);
  }
  const ratio = b.total.minifiedGzip / b.reference.minifiedGzip;
  console.log(`  socketio-wasm / socket.io-client, gzipped: ${ratio.toFixed(2)}x (zlib column is target/size.json from scripts/build.mjs)`);
}

function printSpeed(results) {
  const W = [10, 40, 25, 14, 14, 8];
  const line = (...cells) => "  " + cells.map((c, i) => (i < 3 ? pad(c, W[i]) : lpad(c, W[i]))).join(" ");
  console.log(`\nSpeed: median of ${REPS} runs after a warm-up; ratio = socketio-wasm / socket.io-client`);
  console.log(line("transport", "case", "metric", "socketio-wasm", "socket.io-cl.", "ratio"));
  console.log("  " + "-".repeat(W.reduce((a, b) => a + b + 1, 0)));
  let anyUnseen = false;
  for (const r of results) {
    const w = r.libs.wasm;
    const f = r.libs.ref;
    const metrics =
      r.kind === "rate"
        ? [
            ["events/s (higher better)", "perSec", fmtInt],
            ["script µs/event (lower)", "scriptUs", (x) => fmt(x, 2)],
            ["task µs/event (lower)", "taskUs", (x) => fmt(x, 2)],
          ]
        : [
            ["round trip ms (lower)", "rttMs", (x) => fmt(x, 2)],
            ["script ms/round trip", "scriptMsPerRt", (x) => fmt(x, 3)],
            ["task ms/round trip", "taskMsPerRt", (x) => fmt(x, 3)],
          ];
    metrics.forEach(([label, k, f2], i) => {
      // A script figure of 0 is work the metric does not see (promise reactions: the package's
      // fetch callbacks over polling), not work that costs nothing: no ratio is made of it.
      const unseen = k.startsWith("script") && !w.error && !f.error && (w.median[k] === 0 || f.median[k] === 0);
      const a = w.error ? "FAILED" : unseen && w.median[k] === 0 ? "(unseen)" : f2(w.median[k]);
      const b = f.error ? "FAILED" : unseen && f.median[k] === 0 ? "(unseen)" : f2(f.median[k]);
      const ratio = w.error || f.error || unseen ? "" : fmt(w.median[k] / f.median[k], 2) + "x";
      anyUnseen ||= unseen;
      console.log(line(i === 0 ? r.transport : "", i === 0 ? r.label : "", label, a, b, ratio));
    });
  }
  console.log("  script = JS + wasm execution, task = every main-thread task (script, IPC/event dispatch, GC, ...), per event");
  console.log("  or per round trip; ratio > 1 means socketio-wasm has more of it (better for events/s, worse for the rest)");
  if (anyUnseen) {
    console.log("  (unseen): script that runs in promise reactions, which Chromium's ScriptDuration leaves out; compare the task figure");
  }
  for (const r of results) {
    for (const lib of Object.values(r.libs)) {
      if (lib.error) console.log(`  ! ${r.transport} ${r.id} ${lib.name}: ${lib.error}`);
    }
  }
}

// ------------------------------------------------------------------------------------------------

async function main() {
  const t0 = Date.now();
  if (!existsSync(path.join(PKG_DIR, "index.js"))) {
    console.error("pkg/index.js not found: build the package first (node scripts/build.mjs)");
    process.exit(2);
  }
  const sz = sizes();
  await addJsGzipCli(sz);

  const load0 = os.loadavg()[0];
  const sio = await startSioServer();
  const stat = await startStaticServer();
  const browser = await launchBrowser();
  const results = [];
  let failed = false;
  try {
    const pages = { wasm: await openLibPage(browser, stat.url, "wasm"), ref: await openLibPage(browser, stat.url, "ref") };
    const timeDomain = pages.wasm.timeDomain;
    console.log(
      `socketio-wasm vs socket.io-client 4.8.4 in Chromium ${browser.version()}, socket.io 4.8 server on Node ${process.version}` +
        ` (CPU: ${timeDomain === "threadTicks" ? "main-thread CPU time" : "main-thread wall time"})`,
    );
    for (const transport of TRANSPORTS) {
      for (const p of Object.values(pages)) {
        const info = await p.call("connect", sio.url, transport);
        if (info.transport && info.transport !== transport) throw new Error(`${p.name} connected over ${info.transport}, not ${transport}`);
      }
      for (const c of CASES.filter((c) => !ONLY || ONLY.includes(c.id))) {
        const entry = { transport, id: c.id, kind: c.kind, label: c.label(c.args[transport]), args: c.args[transport], libs: {} };
        for (const k of Object.keys(pages)) entry.libs[k] = { name: LIBS[k].name, warmup: null, runs: [], median: null, error: null };
        const attempt = async (k, into) => {
          const e = entry.libs[k];
          if (e.error) return;
          try {
            const r = await measure(pages[k], c, transport);
            if (into) e.runs.push(r);
            else e.warmup = r;
          } catch (err) {
            e.error = String(err.message || err).split("\n")[0];
            failed = true;
            // a fresh connection for the next case
            await pages[k].call("disconnect").catch(() => {});
            await pages[k].call("connect", sio.url, transport).catch(() => {});
          }
        };
        await attempt("wasm", false);
        await attempt("ref", false);
        for (let i = 0; i < REPS; i++) {
          const order = i % 2 === 0 ? ["ref", "wasm"] : ["wasm", "ref"];
          for (const k of order) await attempt(k, true);
        }
        for (const e of Object.values(entry.libs)) if (!e.error) e.median = summarize(c, e.runs);
        results.push(entry);
        const w = entry.libs.wasm;
        const f = entry.libs.ref;
        const show = (e) => (e.error ? "FAILED" : c.kind === "rate" ? `${fmtInt(e.median.perSec)} ev/s` : `${fmt(e.median.rttMs, 2)} ms`);
        console.log(`  ${pad(transport, 10)} ${pad(entry.label, 40)} socketio-wasm ${lpad(show(w), 14)}   socket.io-client ${lpad(show(f), 14)}`);
      }
      for (const p of Object.values(pages)) await p.call("disconnect");
    }
    // Memory: the wasm memory of the package before and after one 50 MB text event (one WebSocket
    // frame, one polling response). Payloads stay JavaScript strings: the growth is what the engine
    // itself keeps.
    const memory = {};
    for (const transport of TRANSPORTS) {
      try {
        await pages.wasm.call("connect", sio.url, transport);
        memory[transport] = await pages.wasm.call("memory", BIG_MB);
        await pages.wasm.call("disconnect");
        const m = memory[transport];
        console.log(`  ${pad(transport, 10)} wasm memory before / after one ${BIG_MB} MB event: ` +
          `${fmt(m.before / 1048576, 2)} / ${fmt(m.after / 1048576, 2)} MB (+${fmt((m.after - m.before) / 1048576, 2)} MB)`);
      } catch (err) {
        memory[transport] = { error: String(err.message || err).split("\n")[0] };
        console.log(`  ${pad(transport, 10)} memory: FAILED ${memory[transport].error}`);
        failed = true;
      }
    }
    for (const p of Object.values(pages)) {
      if (p.errors.length) console.log(`  page errors (${p.name}): ${p.errors.slice(0, 5).join(" | ")}`);
    }
    const load1 = os.loadavg()[0];
    printSpeed(results);
    const cores = os.cpus().length;
    if (Math.max(load0, load1) > cores) {
      console.log(`  ! load average ${load0.toFixed(1)} -> ${load1.toFixed(1)} on ${cores} cores: other work competed for the CPU;` +
        " wall-clock figures (events/s, round trips) are noisy, the CPU-time figures less so");
    }
    printSizes(sz);
    const out = {
      date: new Date().toISOString(),
      chromium: browser.version(),
      node: process.version,
      cpuTimeDomain: timeDomain,
      cores: os.cpus().length,
      loadAverage: { start: load0, end: os.loadavg()[0] },
      reps: REPS,
      scale: SCALE,
      sizes: sz,
      results,
      memory,
      seconds: (Date.now() - t0) / 1000,
    };
    writeFileSync(path.join(ROOT, "bench/results.json"), JSON.stringify(out, null, 2) + "\n");
    console.log(`\nwrote bench/results.json (${out.seconds.toFixed(0)} s)`);
  } finally {
    await browser.close().catch(() => {});
    await stat.close();
    await sio.close();
  }
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
