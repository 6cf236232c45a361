/**
 * Loads the WebAssembly engine once, when the package is imported (top-level
 * await), so `io()` works with no init call in a module script, Vite and
 * webpack 5. The address is written as `new URL("./x.wasm", import.meta.url)`
 * so bundlers emit the file beside the bundle.
 */
import init from "./socketio_wasm.js";

await init({ module_or_path: new URL("./socketio_wasm_bg.wasm", import.meta.url) });

export { WasmManager, resolve } from "./socketio_wasm.js";
