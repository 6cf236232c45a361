/**
 * Loads the WebAssembly engine. Nothing here blocks or throws at import:
 *
 * - In a browser (window or worker) compilation starts at import, streaming from
 *   `new URL("./socketio_wasm_bg.wasm", import.meta.url)` (bundlers emit the file beside the bundle),
 *   and managers created before it is ready start their engine as soon as it is.
 * - In Node.js (server-side rendering, tests) nothing is loaded until a manager needs the engine;
 *   the file is then read from disk synchronously when its address is a file. Where it cannot be
 *   loaded (a server bundle that moved it), the manager reports a connection error instead of
 *   breaking the render.
 */
import init, { initSync } from "./socketio_wasm.js";

type Ready = (error?: Error) => void;

let loaded = false;
let exports: object | undefined;
let failure: Error | undefined;
let waiting: Ready[] | undefined;

const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } })
  .process;
const inNode = !!proc?.versions?.node;

function address(): URL | undefined {
  try {
    return new URL("./socketio_wasm_bg.wasm", import.meta.url);
  } catch {
    return undefined;
  }
}

/** The load error, explained where a Content-Security-Policy is the cause. */
function explain(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (/unsafe-eval|Content Security Policy|CSP/i.test(err.message)) {
    return new Error(
      "socketio-wasm: the page's Content-Security-Policy does not allow WebAssembly; add 'wasm-unsafe-eval' to " +
        "its script-src (" + err.message + ")",
    );
  }
  return err;
}

function settle(error?: Error): void {
  loaded = !error;
  failure = error;
  const list = waiting ?? [];
  waiting = undefined;
  for (const f of list) f(error);
}

function loadFromDisk(): void {
  try {
    const url = address();
    const fs = proc?.getBuiltinModule?.("fs") as { readFileSync(u: URL): Uint8Array } | undefined;
    if (!url || url.protocol !== "file:" || !fs) {
      throw new Error("socketio-wasm: the WebAssembly engine cannot be loaded here (" + (url?.href ?? "no address") + ")");
    }
    exports = initSync({ module: fs.readFileSync(url) });
    settle();
  } catch (e) {
    settle(explain(e));
  }
}

if (!inNode) {
  waiting = [];
  const url = address();
  if (url) {
    init({ module_or_path: url }).then(
      (loaded) => {
        exports = loaded;
        settle();
      },
      (e: unknown) => settle(explain(e)),
    );
  } else settle(new Error("socketio-wasm: no address for the WebAssembly engine"));
}

/**
 * The module's exports, once loaded (for the memory benchmark, which finds the memory among them by
 * its type: the build shortens export names).
 */
export function wasmExports(): object | undefined {
  return exports;
}

/** Calls `f` once the engine is loaded (at once if it is), or with the reason it cannot be. */
export function whenReady(f: Ready): void {
  if (loaded || failure) return f(failure);
  if (waiting) {
    waiting.push(f);
    return;
  }
  loadFromDisk();
  f(failure);
}

export { Command, EventKind, ErrorType, State, Text, WasmManager } from "./socketio_wasm.js";
