#!/usr/bin/env node
// How the Rust API should turn a received argument into a typed value: its text path (the JSON text
// copied into wasm memory, checked, read by the crate's serde deserializer) or serde-wasm-bindgen
// (`JSON.parse` in JavaScript, then `serde_wasm_bindgen::from_value`). Builds bench/serde-path/
// (a cdylib with one export per path and shape) and measures both, size and speed:
//
//   node bench/serde-path.mjs        (npm run bench:serde)
//
// Size: the crate built with neither path, with `text`, with `value` (release profile of the crate:
// opt-level "z", lto, panic abort; wasm-bindgen --target web; wasm-opt -Oz as scripts/build.mjs),
// gzip -9 by Node's zlib; each path's cost is its build minus the build with neither.
// Speed: the build with both, in headless Chromium; per decode, from the text as a WebSocket hands
// it over (`["chat", {...}]`) to the Rust struct, for one object (5 fields, a list of 3 strings
// and a nested object) and for a list of 200 of them. The value path includes its `JSON.parse`
// and the npm codec's check of the array (an event name first). Median of 7 timed runs after a
// warm-up, with the ratio value / text. Writes bench/serde-path.json (git-ignored).
import { execFileSync } from "node:child_process";
import http from "node:http";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { launchBrowser } from "./lib.mjs";

const root = new URL("..", import.meta.url).pathname;
const crate = join(root, "bench/serde-path");
const targetDir = process.env.CARGO_TARGET_DIR || join(root, "target/serde-path");
const wasmOpt = join(root, "node_modules/.bin/wasm-opt");
const OPT = [
  "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];
const started = Date.now();
const step = (what) => console.error(`[serde-path] ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const run = (cmd, argv) => execFileSync(cmd, argv, { cwd: crate, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CARGO_TARGET_DIR: targetDir } });

const cli = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim().split(" ")[1];
const pinned = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(readFileSync(join(crate, "Cargo.lock"), "utf8"))?.[1];
if (pinned !== cli) {
  console.error(`wasm-bindgen CLI ${cli} does not match ${pinned} in bench/serde-path/Cargo.lock`);
  process.exit(1);
}

/** Builds the crate with `features` into target/serde-path/stage/<name>; its optimised wasm's sizes. */
function build(name, features) {
  step(`cargo build --release (${name})`);
  run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown", ...(features ? ["--features", features] : [])]);
  const stage = join(targetDir, "stage", name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  run("wasm-bindgen", [join(targetDir, "wasm32-unknown-unknown/release/serde_path.wasm"), "--out-dir", stage, "--target", "web", "--no-typescript"]);
  run(wasmOpt, [...OPT, join(stage, "serde_path_bg.wasm"), "-o", join(stage, "serde_path_bg.wasm")]);
  const wasm = readFileSync(join(stage, "serde_path_bg.wasm"));
  const glue = readFileSync(join(stage, "serde_path.js"));
  return { stage, wasm: wasm.length, wasmGzip: gzipSync(wasm, { level: 9 }).length, glueGzip: gzipSync(glue, { level: 9 }).length };
}

const size = { none: build("none", ""), text: build("text", "text"), value: build("value", "value") };
const both = build("both", "text,value");

const PAGE = `<!doctype html><script type="module">
import init, * as m from "./serde_path.js";
await init({ module_or_path: "./serde_path_bg.wasm" });
const chat = (i) => ({ user: "user" + (i % 50), text: "hello there, this is message " + i, room: i % 7,
  tags: ["general", "news", "t" + (i % 10)], meta: { ts: 1764000000000 + i, edited: i % 3 === 0 } });
const texts = {
  one: JSON.stringify(["chat", chat(1)]),
  many: JSON.stringify(["list", Array.from({ length: 200 }, (_, i) => chat(i))]),
};
// The npm codec's check of a parsed event: an array that starts with an event name.
const parse = (t) => { const v = JSON.parse(t); if (!Array.isArray(v) || typeof v[0] !== "string") throw new Error("bad"); return v; };
const paths = {
  text: { one: (t) => m.text_one(t), many: (t) => m.text_many(t) },
  value: { one: (t) => m.value_one(parse(t)[1]), many: (t) => m.value_many(parse(t)[1]) },
};
window.check = () => ["one", "many"].map((s) => [paths.text[s](texts[s]), paths.value[s](texts[s])]);
window.time = (path, shape, n) => {
  const f = paths[path][shape], t = texts[shape];
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink = (sink + f(t)) | 0;
  const ms = performance.now() - t0;
  if (sink === 0) throw new Error("nothing decoded");
  return (ms * 1000) / n;
};
window.ready = true;
</script>`;
const server = http.createServer((req, res) => {
  const file = { "/": null, "/serde_path.js": "serde_path.js", "/serde_path_bg.wasm": "serde_path_bg.wasm" }[req.url];
  if (file === undefined) return res.writeHead(404).end();
  const type = file === null ? "text/html" : file.endsWith(".js") ? "text/javascript" : "application/wasm";
  res.writeHead(200, { "content-type": type }).end(file === null ? PAGE : readFileSync(join(both.stage, file)));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const browser = await launchBrowser();
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForFunction(() => window.ready, null, { timeout: 15_000 });
const checked = await page.evaluate(() => window.check());
for (const [text, value] of checked) {
  if (text !== value || text === 2 ** 32 - 1) throw new Error(`the two paths disagree: ${JSON.stringify(checked)}`);
}
step("timing in Chromium");
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const speed = {};
for (const [shape, n] of [["one", 20000], ["many", 100]]) {
  const runs = { text: [], value: [] };
  for (const path of ["text", "value"]) await page.evaluate(([p, s, k]) => window.time(p, s, k), [path, shape, n]);
  // The paths alternate run by run, so that both see the same load.
  for (let r = 0; r < 7; r++) {
    for (const path of ["text", "value"]) runs[path].push(await page.evaluate(([p, s, k]) => window.time(p, s, k), [path, shape, n]));
  }
  speed[shape] = { text: median(runs.text), value: median(runs.value) };
}
await browser.close();
server.close();

const fmt = (n) => n.toLocaleString("en-US");
console.log(`\nSize of each path (wasm after wasm-opt -Oz, gzip -9; added to the crate built with neither: ${fmt(size.none.wasmGzip)} B)`);
for (const p of ["text", "value"]) {
  console.log(`  ${p.padEnd(6)} ${fmt(size[p].wasm).padStart(8)} B raw  ${fmt(size[p].wasmGzip).padStart(7)} B gzip  +${fmt(size[p].wasmGzip - size.none.wasmGzip)} B gzip`);
}
console.log("\nSpeed per decode in Chromium (median of 7 runs; the text path is the Rust API's today)");
for (const [shape, label] of [["one", "one object"], ["many", "200 objects"]]) {
  const { text, value } = speed[shape];
  console.log(`  ${label.padEnd(12)} text ${text.toFixed(2).padStart(8)} µs   serde-wasm-bindgen ${value.toFixed(2).padStart(8)} µs   ${(value / text).toFixed(2)}x`);
}
writeFileSync(join(root, "bench/serde-path.json"), `${JSON.stringify({ size, speed }, null, 2)}\n`);
step("wrote bench/serde-path.json");
