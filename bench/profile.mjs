#!/usr/bin/env node
// Where does the main-thread time go? Runs one benchmark case under the Chromium CPU profiler (CDP
// Profiler domain) for each library and prints the functions with the most self time, grouped by layer.
// A diagnostic tool, not part of `npm run bench`.
//
//   node bench/profile.mjs [case] [transport] [count]
//     case       s2c | c2s | binary | large          (default c2s)
//     transport  websocket | polling                 (default websocket)
//     count      events / round trips                (default: as in run.mjs)
//   env PROFILE_LIBS=wasm,ref   PROFILE_TOP=25   PROFILE_INTERVAL_US=50   PROFILE_RUNS=1 (runs profiled)
//
// The wasm served here keeps its function names: it is target/js-build/socketio_wasm_bg.wasm (the
// wasm-bindgen output of the last `node scripts/build.mjs`) put through the same `wasm-opt -Oz` as
// pkg/, plus `-g`; the JS is pkg/'s. Profiles are saved as bench/profiles/<lib>-<transport>-<case>.cpuprofile
// (open them in Chrome DevTools > Performance).

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LIBS, PKG_DIR, ROOT, launchBrowser, openLibPage, startSioServer, startStaticServer } from "./lib.mjs";

const [caseId = "c2s", transport = "websocket", countArg] = process.argv.slice(2);
const libs = (process.env.PROFILE_LIBS || "wasm,ref").split(",");
const TOP = Number(process.env.PROFILE_TOP) || 25;
const INTERVAL = Number(process.env.PROFILE_INTERVAL_US) || 50;
const RUNS = Math.max(1, Number(process.env.PROFILE_RUNS) || 1);

const DEFAULTS = {
  s2c: { fn: "s2c", args: (n) => [n], n: { websocket: 20_000, polling: 5_000 } },
  c2s: { fn: "c2s", args: (n) => [n], n: { websocket: 10_000, polling: 5_000 } },
  binary: { fn: "rtt", args: (n) => ["binary", 1024, n], n: { websocket: 200, polling: 20 } },
  large: { fn: "rtt", args: (n) => ["string", 1 << 20, n], n: { websocket: 5, polling: 5 } },
};
const c = DEFAULTS[caseId];
if (!c || !["websocket", "polling"].includes(transport)) {
  console.error("usage: node bench/profile.mjs [s2c|c2s|binary|large] [websocket|polling] [count]");
  process.exit(2);
}
const count = Number(countArg) || c.n[transport];
const args = c.args(count);

/** A copy of pkg/ whose wasm keeps the name section. */
function namedPkg() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sio-bench-pkg-"));
  for (const f of readdirSync(PKG_DIR)) if (!f.endsWith(".wasm")) cpSync(path.join(PKG_DIR, f), path.join(dir, f), { recursive: true });
  const staged = path.join(ROOT, "target/js-build/socketio_wasm_bg.wasm");
  if (existsSync(staged)) {
    execFileSync(path.join(ROOT, "node_modules/.bin/wasm-opt"), [
      "-Oz", "-g", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
      "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
      // The same short import/export names as pkg/'s glue expects (the mapping is deterministic).
      "--minify-imports-and-exports-and-modules",
      staged, "-o", path.join(dir, "socketio_wasm_bg.wasm"),
    ], { stdio: ["ignore", "ignore", "inherit"] });
  } else {
    console.warn("target/js-build/socketio_wasm_bg.wasm not found: profiling pkg/'s wasm (no function names)");
    cpSync(path.join(PKG_DIR, "socketio_wasm_bg.wasm"), path.join(dir, "socketio_wasm_bg.wasm"));
  }
  return dir;
}

function layerOf(frame) {
  const { url, functionName } = frame;
  if (["(program)", "(idle)", "(garbage collector)", "(root)"].includes(functionName)) return functionName;
  if (url.startsWith("wasm://") || url.endsWith(".wasm")) return "wasm";
  if (url.endsWith("/socketio_wasm.js")) return "wasm-bindgen glue";
  if (url.includes("/lib/wasm/") || url.includes("/lib/ref/")) return "library JS";
  if (url.endsWith("/page.js")) return "bench page";
  if (!url) return "native / builtins";
  return "other";
}

function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000; // ms attributed to sample i
    self.set(samples[i], (self.get(samples[i]) || 0) + dt);
  }
  const fns = new Map();
  const layers = new Map();
  let total = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id).callFrame;
    const layer = layerOf(f);
    if (layer === "(idle)" || layer === "(root)") continue;
    total += ms;
    const file = f.url ? f.url.split("/").pop() : "";
    const fname = (f.functionName || "(anonymous)").replace(/::h[0-9a-f]{16}$/, "");
    const key = `${fname}  ${file}${f.url && layer !== "wasm" ? ":" + (f.lineNumber + 1) : ""}`;
    const e = fns.get(key) || { key, layer, ms: 0 };
    e.ms += ms;
    fns.set(key, e);
    layers.set(layer, (layers.get(layer) || 0) + ms);
  }
  return { total, fns: [...fns.values()].sort((a, b) => b.ms - a.ms), layers: [...layers].sort((a, b) => b[1] - a[1]) };
}

const pkgDir = namedPkg();
const sio = await startSioServer();
const stat = await startStaticServer({ pkgDir });
const browser = await launchBrowser();
const outDir = path.join(ROOT, "bench/profiles");
mkdirSync(outDir, { recursive: true });
try {
  console.log(`case ${caseId} ${transport} ${JSON.stringify(args)} x ${RUNS} run(s), sampling every ${INTERVAL} µs, Chromium ${browser.version()}`);
  for (const lib of libs) {
    const p = await openLibPage(browser, stat.url, lib);
    await p.call("connect", sio.url, transport);
    await p.call(c.fn, ...args); // warm-up
    await p.gc();
    await p.cdp.send("Profiler.enable");
    await p.cdp.send("Profiler.setSamplingInterval", { interval: INTERVAL });
    await p.cdp.send("Profiler.start");
    let r;
    let wall = 0;
    for (let i = 0; i < RUNS; i++) {
      r = await p.call(c.fn, ...args);
      wall += r.ms;
    }
    r.ms = wall / RUNS;
    const { profile } = await p.cdp.send("Profiler.stop");
    await p.call("disconnect");
    await p.close();
    const file = path.join(outDir, `${lib}-${transport}-${caseId}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const s = summarize(profile);
    const n = (r.events ?? r.roundTrips) * RUNS;
    console.log(`\n== ${LIBS[lib].name}: wall ${r.ms.toFixed(1)} ms${r.roundTrips ? " per round trip" : ""}; ` +
      `sampled busy time ${s.total.toFixed(1)} ms = ${((s.total * 1000) / n).toFixed(2)} µs per ${r.roundTrips ? "round trip" : "event"}  (${path.relative(ROOT, file)})`);
    console.log("  by layer:");
    for (const [layer, ms] of s.layers) console.log(`    ${layer.padEnd(22)} ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / s.total).toFixed(1).padStart(5)}%`);
    console.log(`  top ${TOP} functions by self time:`);
    for (const f of s.fns.slice(0, TOP)) {
      console.log(`    ${f.ms.toFixed(1).padStart(8)} ms ${((100 * f.ms) / s.total).toFixed(1).padStart(5)}%  [${f.layer}] ${f.key}`);
    }
  }
} finally {
  await browser.close().catch(() => {});
  await stat.close();
  await sio.close();
  rmSync(pkgDir, { recursive: true, force: true });
}
