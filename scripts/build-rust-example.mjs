// Builds a Rust example (a standalone crate under examples/) into
// examples/<name>/dist/: index.html, <name>.js, <name>_bg.wasm and the glue's snippets/.
//
//   node scripts/build-rust-example.mjs <leptos-chat|yew-chat> [--no-opt]
//
// cargo build --release for wasm32-unknown-unknown (target dir shared by the
// examples: target/examples), wasm-bindgen --target web (the version pinned in
// the example's Cargo.lock must match the installed CLI), then wasm-opt -Oz
// when npm's binaryen is installed (node_modules/.bin/wasm-opt; Debian's
// binaryen 108 breaks wasm-bindgen's externref table, so it is never used).
// Idempotent: dist/ is rebuilt from scratch every time.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith("--"));
const optimize = !args.includes("--no-opt");
const known = ["leptos-chat", "yew-chat"];
if (!name || !known.includes(name)) {
  console.error(`usage: node scripts/build-rust-example.mjs <${known.join("|")}> [--no-opt]`);
  process.exit(2);
}

const dir = join(root, "examples", name);
const dist = join(dir, "dist");
const targetDir = process.env.CARGO_TARGET_DIR || join(root, "target/examples");
const stem = name.replace(/-/g, "_");
const run = (cmd, argv, env) => {
  try {
    execFileSync(cmd, argv, { cwd: dir, stdio: "inherit", env: { ...process.env, ...env } });
  } catch (e) {
    console.error(`[build-rust-example] failed: ${cmd} ${argv.join(" ")}`);
    process.exit(e.status || 1);
  }
};
const started = Date.now();
const step = (what) => console.error(`[build-rust-example] ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

step(`cargo build --release (${name})`);
run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown"], { CARGO_TARGET_DIR: targetDir });

// wasm-bindgen's CLI must be the version of the wasm-bindgen crate.
const lock = readFileSync(join(dir, "Cargo.lock"), "utf8");
const pinned = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
const cli = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim().split(" ")[1];
if (pinned && pinned !== cli) {
  console.error(`wasm-bindgen CLI ${cli} does not match the crate ${pinned} in ${name}/Cargo.lock`);
  process.exit(1);
}

// A bin target keeps the package's hyphens in its file name.
const wasm = join(targetDir, "wasm32-unknown-unknown/release", `${name}.wasm`);

step("wasm-bindgen --target web");
const stage = join(targetDir, "stage", name);
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
run("wasm-bindgen", [wasm, "--out-dir", stage, "--out-name", stem, "--target", "web", "--no-typescript"]);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const wasmOpt = join(root, "node_modules/.bin/wasm-opt");
if (optimize && existsSync(wasmOpt)) {
  step("wasm-opt -Oz");
  // The features the Rust compiler enables by default for wasm32.
  run(wasmOpt, [
    "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
    "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
    join(stage, `${stem}_bg.wasm`), "-o", join(dist, `${stem}_bg.wasm`),
  ]);
} else {
  renameSync(join(stage, `${stem}_bg.wasm`), join(dist, `${stem}_bg.wasm`));
}
renameSync(join(stage, `${stem}.js`), join(dist, `${stem}.js`));
// The JavaScript modules the glue imports (the shell's timers and requests).
if (existsSync(join(stage, "snippets"))) renameSync(join(stage, "snippets"), join(dist, "snippets"));

const title = name === "leptos-chat" ? "Leptos chat (socketio-wasm)" : "Yew chat (socketio-wasm)";
writeFileSync(join(dist, "index.html"), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  header { display: flex; align-items: center; gap: 1rem; flex-wrap: wrap; }
  h1 { font-size: 1.3rem; margin: 0; flex: 1; }
  .indicator::before { content: ""; display: inline-block; width: .7em; height: .7em; border-radius: 50%;
    margin-right: .4em; background: #9aa3b2; }
  .indicator[data-state="connected"]::before { background: #1f9d55; }
  .indicator[data-state="connecting"]::before, .indicator[data-state="reconnecting"]::before { background: #e3a008;
    animation: blink 1s infinite; }
  .indicator[data-state="disconnected"]::before { background: #d64545; }
  .indicator small { color: #6b7280; margin-left: .4em; }
  @keyframes blink { 50% { opacity: .3; } }
  #messages { list-style: none; padding: .5rem; margin: 1rem 0; background: #fff; border: 1px solid #dde1e7;
    border-radius: 6px; min-height: 12rem; max-height: 60vh; overflow-y: auto; }
  #messages li { padding: .2rem .3rem; }
  #error { color: #d64545; min-height: 1.2em; margin: 0; }
  form { display: flex; gap: .5rem; }
  input { padding: .45rem; border: 1px solid #c5cbd4; border-radius: 4px; font: inherit; }
  #name { width: 8rem; }
  #text { flex: 1; }
  button { padding: .45rem 1rem; font: inherit; }
</style>
</head>
<body>
<script type="module">
  import init from "./${stem}.js";
  await init();
</script>
</body>
</html>
`);

const sizes = ["index.html", `${stem}.js`, `${stem}_bg.wasm`].map((f) => {
  const buf = readFileSync(join(dist, f));
  return `${f} ${statSync(join(dist, f)).size} B (gzip ${gzipSync(buf, { level: 9 }).length} B)`;
});
step(`done: ${dist}\n  ${sizes.join("\n  ")}`);
