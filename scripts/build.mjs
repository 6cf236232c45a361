// Builds the npm package into pkg/: the Rust engine for wasm32 (size-tuned
// release profile), wasm-bindgen (pinned in Cargo.lock), wasm-opt -Oz, the
// TypeScript face compiled with declarations, and pkg-template/. Ends by
// printing the package's size.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const stage = join(root, "target/js-build");
const pkg = join(root, "pkg");

// With the nightly toolchain and its rust-src (scripts/setup.sh adds it when
// nightly is installed), the standard library is rebuilt for size with panics
// that abort at once: no formatting machinery and no panic messages in the
// wasm (about 20 KB less). Otherwise the stable toolchain builds it. The MIR
// optimisations of level 3 (more inlining and value numbering before LLVM)
// leave code of about the same size that compresses better (about 800 B
// less gzipped); a MIR inlining threshold of 40 instead of 50 gains about
// 400 B more (measured from 0 to 200: 40 is the smallest).
// It links through scripts/wasm-ld-lean.sh, which leaves out two exports of
// js-sys that nothing calls (about 170 B gzipped; the script says why).
const cargoArgs = ["build", "--release", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features", "--features", "js"];
const hasNightlySrc = (() => {
  try {
    return execFileSync("rustup", ["component", "list", "--toolchain", "nightly", "--installed"], { encoding: "utf8" })
      .split("\n").some((l) => l.startsWith("rust-src"));
  } catch {
    return false;
  }
})();
let wasmIn = "target/wasm32-unknown-unknown/release/socketio_wasm.wasm";
let toolchain = "stable";
if (hasNightlySrc && process.env.SIO_STABLE_BUILD !== "1") {
  try {
    execFileSync("cargo", ["+nightly", ...cargoArgs, "-Zbuild-std=std,panic_abort", "--target-dir", "target/nightly"], {
      cwd: root,
      stdio: "inherit",
      env: {
        ...process.env,
        RUSTFLAGS: "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none -Zmir-opt-level=3 -Zinline-mir-threshold=40",
        CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER: join(root, "scripts/wasm-ld-lean.sh"),
      },
    });
    wasmIn = "target/nightly/wasm32-unknown-unknown/release/socketio_wasm.wasm";
    toolchain = "nightly (build-std, immediate-abort panics)";
  } catch {
    console.warn("[build] the nightly size build failed; building with stable");
  }
}
if (toolchain === "stable") run("cargo", cargoArgs);
console.log(`[build] wasm built with ${toolchain}`);

// The package is assembled in target/pkg-next and then swapped into pkg/, so
// pkg/ is never half-built while something else reads it.
const out = join(root, "target/pkg-next");
rmSync(stage, { recursive: true, force: true });
rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
mkdirSync(out, { recursive: true });
run("wasm-bindgen", [
  wasmIn,
  "--out-dir", stage, "--target", "web", "--omit-default-module-path",
]);
// npm binaryen: Debian's binaryen 108 mis-handles the externref table of
// current wasm-bindgen output. The flags are the features the Rust compiler
// enables by default for wasm32. `-lmu` (the low 1 KB of memory is never
// read or written) holds: the stack comes first and grows down from 1 MB, so
// only a stack of almost 1 MB would reach it; constant addresses then fold
// into load and store offsets. Flattening and re-running the relooper
// between -Oz rounds finds smaller control flow (the last rounds clean up
// what it leaves). Functions of at most 4 instructions are always inlined
// (the default is 2; 3 to 5 measured about the same). A limit on inlining
// functions with one caller (20 instructions instead of any size) made the
// module 527 B smaller gzipped but its hot paths slower: alternated with the
// build without it four times, its script per event was higher in every
// comparison (push 1.32x against 1.25x at the medians), so it is not used.
const WASM_OPT_FLAGS = [
  "--always-inline-max-function-size=4",
  "-lmu", "-Oz", "--flatten", "--rereloop", "-Oz", "-Oz", "-Oz",
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];
// The import and export names of the wasm are shortened to one or two letters (wasm-bindgen's carry
// a hash each: about 4 KB in the module and as much in the glue). wasm-opt prints the mapping; the
// glue is rewritten with it below.
const mapping = JSON.parse(
  execFileSync(join(root, "node_modules/.bin/wasm-opt"), [
    ...WASM_OPT_FLAGS, "--minify-imports-and-exports-and-modules",
    // The `producers` (toolchain versions) and `target_features` sections: read by no browser.
    "--strip-producers", "--strip-target-features",
    join(stage, "socketio_wasm_bg.wasm"), "-o", join(out, "socketio_wasm_bg.wasm"),
  ], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }),
);
writeFileSync(
  join(stage, "socketio_wasm.js"),
  leanLoader(leanGlue(fastCrossings(oneWayEnums(shortenGlue(readFileSync(join(stage, "socketio_wasm.js"), "utf8"), mapping))))),
);
writeFileSync(join(root, "target/wasm-names.json"), JSON.stringify(mapping, null, 1) + "\n");
// The reserved event names are declared once, in the codec (src/bindings/codec.js, which refuses them
// from the server); the glue passes them on to js/socket.ts, which refuses them in `emit`.
{
  const glue = readFileSync(join(stage, "socketio_wasm.js"), "utf8");
  const codec = /from '(\.\/snippets\/[^']+\/src\/bindings\/codec\.js)'/.exec(glue);
  if (!codec) throw new Error("build: the glue does not import the codec");
  writeFileSync(join(stage, "socketio_wasm.js"), glue + `export { RESERVED } from '${codec[1]}';\n`);
  const dts = join(stage, "socketio_wasm.d.ts");
  writeFileSync(dts, readFileSync(dts, "utf8") + "\n/** The event names an application cannot emit or receive. */\nexport const RESERVED: ReadonlySet<string>;\n");
}

/**
 * The glue with the short names: the keys of its import object renamed, the snippets' functions
 * added to it, every import in the one module `a` that wasm-opt made, and `wasm.<export>` renamed.
 * Throws when a name is not found, so that a new wasm-bindgen cannot break the package silently.
 */
function shortenGlue(glue, { imports, exports }) {
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const namespaces = new Map();
  for (const [, name, module] of glue.matchAll(/^import \* as (\w+) from "([^"]+)"/gm)) namespaces.set(module, name);
  const extra = [];
  for (const [module, name, short] of imports) {
    if (module === "./socketio_wasm_bg.js") {
      const re = new RegExp(`(\\n\\s+)${esc(name)}(: function)`);
      if (!re.test(glue)) throw new Error(`build: import ${name} not found in the glue`);
      glue = glue.replace(re, (_, indent, rest) => indent + short + rest);
    } else {
      const ns = namespaces.get(module);
      if (!ns) throw new Error(`build: no namespace import of ${module} in the glue`);
      extra.push(`${JSON.stringify(short)}: ${ns}.${name}`);
    }
  }
  const ret = /return \{\n\s+__proto__: null,\n\s+"\.\/socketio_wasm_bg\.js": import0,\n[^}]*\};/;
  if (!ret.test(glue)) throw new Error("build: the import object of the glue has an unknown shape");
  glue = glue.replace(ret, () => `return { a: Object.assign(import0, { ${extra.join(", ")} }) };`);
  for (const [name, short] of exports) glue = glue.replace(new RegExp(`\\bwasm\\.${esc(name)}\\b`, "g"), () => `wasm.${short}`);
  return glue;
}
/**
 * The glue's enums without their reverse entries (`Open: 1, "1": "Open"` becomes `Open: 1`): js/
 * only reads names to numbers, and the enums are internal to the package. Throws when none is
 * found, so that a new wasm-bindgen cannot undo this silently.
 */
function oneWayEnums(glue) {
  let n = 0;
  glue = glue.replace(/^(\s+\w+: (\d+)), "\2": "\w+",$/gm, (_, entry) => {
    n++;
    return entry + ",";
  });
  if (n === 0) throw new Error("build: no enum entries found in the glue");
  // The objects are pure: a bundle drops them where every member is written as a number (below).
  return glue.replace(/^export const (\w+) = Object\.freeze\(\{/gm, (_, name) => `export const ${name} = /* @__PURE__ */ Object.freeze({`);
}
/**
 * Two crossings of the glue made cheaper, as they happen on every event:
 * - a Rust closure called from JavaScript (a WebSocket's `message`) takes its arguments as
 *   parameters, not as a rest array spread again into the call (as many as the largest closure
 *   signature of the module has);
 * - short ASCII text read from the wasm (an outgoing packet's header) is made with
 *   `String.fromCharCode`, without a TextDecoder call, which costs about three times as much at
 *   that length.
 * Throws when the glue has an unknown shape.
 */
function fastCrossings(glue) {
  let arity = -1;
  for (const [, params] of glue.matchAll(/^function wasm_bindgen_\w+_convert__closures_____invoke\w*\(([^)]*)\)/gm)) {
    arity = Math.max(arity, params.split(",").length - 2);
  }
  const spread = /const real = \(\.\.\.args\) => \{([\s\S]*?)return f\(a, state\.b, \.\.\.args\);/;
  if (arity < 0 || !spread.test(glue)) throw new Error("build: the closure wrapper of the glue has an unknown shape");
  const params = Array.from({ length: arity }, (_, i) => `x${i}`);
  glue = glue.replace(spread, (_, body) => `const real = (${params.join(", ")}) => {${body}return f(${["a", "state.b", ...params].join(", ")});`);
  const text = /function getStringFromWasm0\(ptr, len\) \{\n    ptr = ptr >>> 0;\n    return decodeText\(getUint8ArrayMemory0\(\)\.subarray\(ptr, ptr \+ len\)\);\n\}/;
  if (!text.test(glue)) throw new Error("build: getStringFromWasm0 of the glue has an unknown shape");
  return glue.replace(text, () => `function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    const bytes = getUint8ArrayMemory0().subarray(ptr, ptr + len);
    if (len < 64) {
        let i = 0;
        while (i < len && bytes[i] < 128) i++;
        if (i === len) return String.fromCharCode.apply(null, bytes);
    }
    return decodeText(bytes);
}`);
}
/**
 * The glue without what the package never uses. Every string copy into the wasm passes the same
 * allocator pair (now written once, inside), so the branch for a call without `realloc` goes, and
 * so does the `encodeInto` fallback (every browser of the ES2022 target and Node.js have it).
 * Throws when the glue has an unknown shape.
 */
function leanGlue(glue) {
  const calls = [...glue.matchAll(/passStringToWasm0\((\w+), (wasm\.\w+), (wasm\.\w+)\)/g)];
  const pairs = new Set(calls.map((c) => `${c[2]}, ${c[3]}`));
  if (calls.length === 0 || pairs.size !== 1) throw new Error("build: passStringToWasm0 is called with other allocators");
  const [[, , malloc, realloc]] = calls;
  glue = glue.replace(/passStringToWasm0\((\w+), wasm\.\w+, wasm\.\w+\)/g, (_, arg) => `passStringToWasm0(${arg})`);
  const head = /function passStringToWasm0\(arg, malloc, realloc\) \{\n    if \(realloc === undefined\) \{\n[^}]*\n    \}\n/;
  const polyfill = /\nif \(!\('encodeInto' in cachedTextEncoder\)\) \{\n[\s\S]*?\n\}\n/;
  if (!head.test(glue) || !polyfill.test(glue)) throw new Error("build: passStringToWasm0 of the glue has an unknown shape");
  glue = glue
    .replace(head, () => `function passStringToWasm0(arg) {\n    const malloc = ${malloc}, realloc = ${realloc};\n`)
    .replace(polyfill, () => "\n");
  // The manager's `Symbol.dispose` (js/ never disposes it with `using`), and the memory view's
  // test for a detached buffer: a grown memory has a new buffer, which the comparison finds alone.
  const dispose = /\nif \(Symbol\.dispose\) WasmManager\.prototype\[Symbol\.dispose\] = WasmManager\.prototype\.free;\n/;
  const view = /cachedDataViewMemory0 === null \|\| cachedDataViewMemory0\.buffer\.detached === true \|\| \(cachedDataViewMemory0\.buffer\.detached === undefined && (cachedDataViewMemory0\.buffer !== wasm\.\w+\.buffer)\)/;
  if (!dispose.test(glue) || !view.test(glue)) throw new Error("build: the glue's dispose or memory view has an unknown shape");
  return glue.replace(dispose, () => "\n").replace(view, (_, changed) => `cachedDataViewMemory0 === null || ${changed}`);
}
/**
 * The glue's loader cut to the two calls js/wasm.ts makes: `initSync({ module })` with the file's
 * bytes (Node.js) and the default export with `{ module_or_path: URL }` (browsers), once each. Gone:
 * the deprecated positional parameters, strings, `Request`s and modules as `module_or_path`, the
 * promise kept for repeated calls, and streaming compilation with its fallback for a server that
 * does not send `application/wasm`: the bytes are fetched, then compiled, whatever their type (for
 * a module of this size no slower from navigation to connect: `tests/frameworks/connect-time.mjs`
 * measured 206 ms against 228 ms with streaming on loopback, 610 against 623 ms at 40 ms and
 * 10 Mbit/s). A failed fetch throws the package's error, which sockets get as their
 * `connect_error`. Throws when the loader has an unknown shape.
 */
function leanLoader(glue) {
  const loader = /\nasync function __wbg_load\(module, imports\) \{[\s\S]*\nexport \{ initSync, __wbg_init as default \};\n$/;
  if (!loader.test(glue)) throw new Error("build: the loader of the glue has an unknown shape");
  return glue.replace(loader, () => `
function initSync({ module }) {
    if (wasm !== undefined) return wasm;
    if (!(module instanceof WebAssembly.Module)) module = new WebAssembly.Module(module);
    return __wbg_finalize_init(new WebAssembly.Instance(module, __wbg_get_imports()), module);
}

async function __wbg_init({ module_or_path }) {
    if (wasm !== undefined) return wasm;
    const res = await fetch(module_or_path);
    if (!res.ok) throw new Error(\`socketio-wasm: fetching the engine (\${res.url}) answered \${res.status} \${res.statusText}\`);
    const r = await WebAssembly.instantiate(await res.arrayBuffer(), __wbg_get_imports());
    return __wbg_finalize_init(r.instance, r.module);
}

export { initSync, __wbg_init as default };
`);
}
for (const f of readdirSync(join(root, "js"))) cpSync(join(root, "js", f), join(stage, f));
run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json", "--outDir", out]);
inlineEnums(out, readFileSync(join(stage, "socketio_wasm.js"), "utf8"));
debugBuild(out);

/**
 * The package's modules without debug logging (`DEBUG_BUILD` false: a bundler drops every log call
 * and its message, as socket.io-client's browser build has none), and `debug/`, the entry
 * `socketio-wasm/debug` (as `socket.io-client/debug`): the modules that log, with `DEBUG_BUILD`
 * true, importing the others from the package.
 */
function debugBuild(dir) {
  const logging = ["index", "manager", "socket"];
  mkdirSync(join(dir, "debug"));
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
    const file = join(dir, f);
    const code = readFileSync(file, "utf8");
    const uses = code.includes("DEBUG_BUILD");
    if (uses !== logging.includes(f.slice(0, -3))) throw new Error(`build: ${f} ${uses ? "names" : "does not name"} DEBUG_BUILD`);
    if (!uses) continue;
    writeFileSync(file, code.replaceAll("DEBUG_BUILD", "false"));
    const debug = code
      .replaceAll("DEBUG_BUILD", "true")
      .replace(/(["'])\.\/([\w-]+)\.js\1/g, (m, q, name) => (logging.includes(name) ? m : `${q}../${name}.js${q}`));
    writeFileSync(join(dir, "debug", f), debug);
  }
  writeFileSync(join(dir, "debug", "index.d.ts"), 'export * from "../index.js";\nexport { default } from "../index.js";\n');
}

/**
 * The enums that cross the boundary (declared once, in src/bindings) read as their numbers where
 * the package's modules name a member (`EventKind.Connect` becomes `14`), as TypeScript does with a
 * `const enum`. The glue still exports the objects, marked pure, so a bundle drops them. Throws
 * when a module names a member the glue does not have.
 */
function inlineEnums(dir, glue) {
  const enums = new Map();
  for (const [, name, body] of glue.matchAll(/^export const (\w+) = (?:\/\* @__PURE__ \*\/ )?Object\.freeze\(\{([\s\S]*?)\n\}\);/gm)) {
    const members = new Map();
    for (const [, key, value] of body.matchAll(/^\s+(\w+): (\d+),$/gm)) members.set(key, value);
    enums.set(name, members);
  }
  if (!enums.has("EventKind") || !enums.has("ErrorType")) throw new Error("build: the glue's enums were not found");
  const member = new RegExp(`\\b(${[...enums.keys()].join("|")})\\.(\\w+)\\b`, "g");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".js") && f !== "socketio_wasm.js")) {
    const file = join(dir, f);
    const code = readFileSync(file, "utf8");
    let inlined = code.replace(member, (m, e, key) => {
      const v = enums.get(e).get(key);
      if (v === undefined) throw new Error(`build: ${f} names ${m}, which the glue does not have`);
      return v;
    });
    // An enum no longer named goes from the imports, so that nothing imports the glue only for it
    // (shared.min.js must not bundle the glue).
    inlined = inlined.replace(/^import \{([^}]*)\} from "\.\/wasm\.js";\n/gm, (line, names) => {
      const rest = inlined.replace(line, "");
      const used = (n) => !enums.has(n) || new RegExp(`\\b${n}\\b`).test(rest);
      const kept = names.split(",").map((n) => n.trim()).filter((n) => n && used(n));
      return kept.length ? `import { ${kept.join(", ")} } from "./wasm.js";\n` : "";
    });
    if (inlined !== code) writeFileSync(file, inlined);
  }
}
for (const f of ["socketio_wasm.js", "socketio_wasm.d.ts"]) cpSync(join(stage, f), join(out, f));
// The JavaScript half of the payload codec (src/bindings/codec.js), imported by the glue.
cpSync(join(stage, "snippets"), join(out, "snippets"), { recursive: true });
cpSync(join(root, "pkg-template"), out, { recursive: true });

// One minified ES module for plain pages and CDNs (the wasm resolves beside it, from import.meta.url).
// What only `io(url, { shared: true })` needs (js/shared.ts and js/hub.ts) is a second one beside it,
// shared.min.js, which the first imports on demand; the worker is the package's
// shared-worker.js. (esbuild's code splitting would also work, but it moves its runtime helpers into
// a third file that every page then loads.)
const onDemand = {
  name: "shared-on-demand",
  setup(b) {
    b.onResolve({ filter: /^\.\/shared\.js$/ }, () => ({ path: "./shared.min.js", external: true }));
  },
};
const minOpts = { bundle: true, minify: true, format: "esm", platform: "neutral", target: "es2022", logLevel: "warning", legalComments: "none" };
await build({ ...minOpts, entryPoints: [join(out, "index.js")], outfile: join(out, "socketio-wasm.min.js"), plugins: [onDemand] });
await build({ ...minOpts, entryPoints: [join(out, "shared.js")], outfile: join(out, "shared.min.js") });

// The CommonJS entry (require, Jest): the same code bundled, with its debug logging (as
// socket.io-client's CommonJS build), the wasm found beside the file and read from disk. Jest's
// jsdom environment lacks fetch, Response, TextEncoder and TextDecoder and has its own
// AbortController, which Node's fetch refuses: the engine then takes Node's own, from its main
// context, so that require() works in any test environment without configuration.
const CJS_HOST = `"use strict";
var __sio_url = require("url").pathToFileURL(__filename).href;
var __sio_host = (() => {
  const own = globalThis;
  let main;
  try { main = require("vm").runInThisContext("globalThis"); } catch { main = own; }
  return { TextEncoder: own.TextEncoder || main.TextEncoder, TextDecoder: own.TextDecoder || main.TextDecoder, main };
})();
var __sio_net = typeof globalThis.fetch === "function" && typeof globalThis.Response === "function" ? globalThis : __sio_host.main;`;
await build({
  entryPoints: [join(out, "debug", "index.js")], bundle: true, format: "cjs", platform: "node", target: "node18",
  outfile: join(out, "index.cjs"), logLevel: "warning", legalComments: "none", banner: { js: CJS_HOST },
  define: {
    "import.meta.url": "__sio_url",
    fetch: "__sio_net.fetch",
    Response: "__sio_net.Response",
    Headers: "__sio_net.Headers",
    AbortController: "__sio_net.AbortController",
    AbortSignal: "__sio_net.AbortSignal",
    TextEncoder: "__sio_host.TextEncoder",
    TextDecoder: "__sio_host.TextDecoder",
  },
});

rmSync(pkg, { recursive: true, force: true });
renameSync(out, pkg);

// ---- size report ----
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const wasm = readFileSync(join(pkg, "socketio_wasm_bg.wasm"));
const jsFiles = readdirSync(pkg).filter((f) => f.endsWith(".js") && !f.endsWith(".min.js"));
const jsRaw = jsFiles.reduce((n, f) => n + statSync(join(pkg, f)).size, 0);
const jsAll = Buffer.concat(jsFiles.map((f) => readFileSync(join(pkg, f))));
// What a page downloads: the one minified module (the same bundle a bundler makes of index.js); the
// shared-connection code is loaded only by pages that ask for it.
const jsMin = readFileSync(join(pkg, "socketio-wasm.min.js"));
const ref = readFileSync(join(root, "node_modules/socket.io-client/dist/socket.io.esm.min.js"));
const size = {
  toolchain,
  wasm: { raw: wasm.length, gzip: gz(wasm) },
  js: { raw: jsRaw, gzip: gz(jsAll), minified: jsMin.length, minifiedGzip: gz(jsMin) },
  total: { minified: wasm.length + jsMin.length, minifiedGzip: gz(wasm) + gz(jsMin) },
  reference: { name: "socket.io-client 4.8.4 dist/socket.io.esm.min.js", minified: ref.length, minifiedGzip: gz(ref) },
};
writeFileSync(join(root, "target/size.json"), JSON.stringify(size, null, 2) + "\n");
const kb = (n) => `${n.toLocaleString("en-US")} B`;
console.log("\npackage size (gzip -9):");
console.log(`  wasm               ${kb(size.wasm.raw)} raw, ${kb(size.wasm.gzip)} gzipped`);
console.log(`  js                 ${kb(size.js.raw)} raw, ${kb(size.js.gzip)} gzipped (${kb(size.js.minified)} minified, ${kb(size.js.minifiedGzip)} gzipped)`);
console.log(`  total (wasm + minified js)  ${kb(size.total.minified)}, ${kb(size.total.minifiedGzip)} gzipped`);
console.log(`  socket.io-client 4.8.4      ${kb(size.reference.minified)}, ${kb(size.reference.minifiedGzip)} gzipped`);
