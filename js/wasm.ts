/**
 * Loads the WebAssembly engine once, when the package is imported (top-level
 * await), so `io()` works with no init call in a module script, Vite and
 * webpack 5. The address is written as `new URL("./x.wasm", import.meta.url)`
 * so bundlers emit the file beside the bundle.
 *
 * Where the address is a file (Node.js: server-side rendering imports the
 * page's modules, tests), the file is read from disk, so that importing the
 * package works there too.
 */
import init from "./socketio_wasm.js";

const wasm = new URL("./socketio_wasm_bg.wasm", import.meta.url);
if (wasm.protocol === "file:") {
  // Hidden from bundlers: this branch never runs in a browser build.
  const fs = "node:fs/promises";
  const { readFile } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ fs)) as {
    readFile: (u: URL) => Promise<Uint8Array>;
  };
  await init({ module_or_path: await readFile(wasm) });
} else {
  await init({ module_or_path: wasm });
}

export { WasmManager, resolve } from "./socketio_wasm.js";
