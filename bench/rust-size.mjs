#!/usr/bin/env node
// What the Rust face costs a Leptos app: builds the two apps of bench/rust-size/ (`base`, a counter;
// `with-socket`, the same counter plus socketio-wasm's Leptos hook, one typed event and one
// `emit_with_ack(..).await`) and prints the size of both wasm files and the difference.
//
//   node bench/rust-size.mjs              (npm run size:rust)
//   node bench/rust-size.mjs --breakdown  also the code of each crate in both apps after wasm-opt
//                                         (a second wasm-opt run with -g, names kept)
//
// Each app: cargo build --release for wasm32-unknown-unknown (the crate's profile: opt-level "z",
// lto, codegen-units 1, panic abort; target dir target/rust-size, or CARGO_TARGET_DIR), wasm-bindgen
// --target web (the CLI on PATH must be the version in the app's Cargo.lock), then
// node_modules/.bin/wasm-opt -Oz with the feature flags of scripts/build.mjs. Sizes: raw, and gzip
// from Node's zlib at level 9. Writes bench/rust-size.json (git-ignored). The wasm-bindgen output
// (names kept) stays in target/rust-size/stage/<app>/ for `node bench/wasm-size.mjs`.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const breakdown = process.argv.includes("--breakdown");
const targetDir = process.env.CARGO_TARGET_DIR || join(root, "target/rust-size");
const wasmOpt = join(root, "node_modules/.bin/wasm-opt");
// The features the Rust compiler enables by default for wasm32 (as scripts/build.mjs).
const OPT = [
  "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];
const APPS = [
  { dir: "base", pkg: "rust-size-base" },
  { dir: "with-socket", pkg: "rust-size-with-socket" },
];

const started = Date.now();
const step = (what) => console.error(`[rust-size] ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const run = (cmd, argv, cwd, env) => {
  try {
    execFileSync(cmd, argv, { cwd, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } });
  } catch (e) {
    console.error(`[rust-size] failed: ${cmd} ${argv.join(" ")}`);
    process.exit(e.status || 1);
  }
};
if (!existsSync(wasmOpt)) {
  console.error("node_modules/.bin/wasm-opt is missing: run npm install (binaryen)");
  process.exit(1);
}
const cli = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim().split(" ")[1];

/** Code bytes per crate, from the name section (as bench/wasm-size.mjs). */
function crates(file) {
  const out = execFileSync("node", [join(root, "bench/wasm-size.mjs"), file, "0"], { encoding: "utf8" });
  const section = out.split("\ncode by crate\n")[1]?.split("\n\n")[0] ?? "";
  const map = new Map();
  for (const line of section.split("\n")) {
    const m = /^\s*([\d,]+)\s+[\d.]+%\s+(.+)$/.exec(line);
    if (m) map.set(m[2], Number(m[1].replace(/,/g, "")));
  }
  return map;
}

const results = {};
for (const app of APPS) {
  const cwd = join(root, "bench/rust-size", app.dir);
  step(`cargo build --release (${app.dir})`);
  run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown"], cwd, { CARGO_TARGET_DIR: targetDir });

  const lock = readFileSync(join(cwd, "Cargo.lock"), "utf8");
  const pinned = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
  if (pinned !== cli) {
    console.error(`wasm-bindgen CLI ${cli} does not match the crate ${pinned} in bench/rust-size/${app.dir}/Cargo.lock`);
    process.exit(1);
  }

  step(`wasm-bindgen --target web (${app.dir})`);
  const stem = app.pkg.replace(/-/g, "_");
  const stage = join(targetDir, "stage", app.dir);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const built = join(targetDir, "wasm32-unknown-unknown/release", `${app.pkg}.wasm`);
  run("wasm-bindgen", [built, "--out-dir", stage, "--out-name", stem, "--target", "web", "--no-typescript"], cwd);
  const bindgen = join(stage, `${stem}_bg.wasm`);

  step(`wasm-opt -Oz (${app.dir})`);
  const optimized = join(stage, `${stem}.opt.wasm`);
  run(wasmOpt, [...OPT, bindgen, "-o", optimized], cwd);
  const bytes = readFileSync(optimized);
  const glue = readFileSync(join(stage, `${stem}.js`));
  const result = {
    wasm: bytes.length,
    wasmGzip: gzipSync(bytes, { level: 9 }).length,
    glue: glue.length,
    glueGzip: gzipSync(glue, { level: 9 }).length,
    namedWasm: bindgen,
  };
  if (breakdown) {
    step(`wasm-opt -Oz -g (${app.dir})`);
    const named = join(stage, `${stem}.opt-names.wasm`);
    run(wasmOpt, [...OPT, "-g", bindgen, "-o", named], cwd);
    result.crates = Object.fromEntries(crates(named));
  }
  results[app.dir] = result;
}

const base = results.base;
const sock = results["with-socket"];
const diff = {
  wasm: sock.wasm - base.wasm,
  wasmGzip: sock.wasmGzip - base.wasmGzip,
  glue: sock.glue - base.glue,
  glueGzip: sock.glueGzip - base.glueGzip,
};
const fmt = (n) => n.toLocaleString("en-US");
const pad = (s, n) => String(s).padStart(n);
console.log(`\n${"".padEnd(12)} ${pad("wasm", 10)} ${pad("wasm gzip", 10)} ${pad("glue JS", 10)} ${pad("JS gzip", 10)}`);
for (const [name, r] of [["base", base], ["with-socket", sock], ["difference", diff]]) {
  console.log(`${name.padEnd(12)} ${pad(fmt(r.wasm), 10)} ${pad(fmt(r.wasmGzip), 10)} ${pad(fmt(r.glue), 10)} ${pad(fmt(r.glueGzip), 10)}`);
}
console.log(`\nsocketio-wasm adds ${fmt(diff.wasmGzip)} B of wasm (gzip -9) to a minimal Leptos 0.8 app.`);

if (breakdown) {
  const names = new Set([...Object.keys(base.crates), ...Object.keys(sock.crates)]);
  const rows = [...names]
    .map((c) => ({ c, b: base.crates[c] ?? 0, s: sock.crates[c] ?? 0 }))
    .map((r) => ({ ...r, d: r.s - r.b }))
    .filter((r) => r.d !== 0)
    .sort((x, y) => y.d - x.d);
  console.log("\ncode by crate after wasm-opt -Oz (raw bytes of function bodies): base, with-socket, added");
  for (const r of rows) console.log(`  ${pad(fmt(r.b), 9)} ${pad(fmt(r.s), 9)} ${pad(fmt(r.d), 9)}  ${r.c}`);
  diff.crates = Object.fromEntries(rows.map((r) => [r.c, r.d]));
}

writeFileSync(join(root, "bench/rust-size.json"), `${JSON.stringify({ base, withSocket: sock, difference: diff }, null, 2)}\n`);
step("wrote bench/rust-size.json");
