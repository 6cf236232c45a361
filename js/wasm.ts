/**
 * Loads the WebAssembly engine. Nothing here blocks or throws at import:
 *
 * - In a browser (window or worker) the module is fetched at import and compiled when it arrives,
 *   from `new URL("./socketio_wasm_bg.wasm", import.meta.url)` (bundlers emit the file beside the
 *   bundle), and managers created before it is ready start their engine as soon as it is.
 * - In Node.js (server-side rendering, tests) nothing is loaded until a manager needs the engine;
 *   the file is then read from disk synchronously when its address is a file. Where it cannot be
 *   loaded (a server bundle that moved it), the manager reports a connection error instead of
 *   breaking the render.
 *
 * A browser's load that failed (offline, a server error, a captive portal's page instead of the file)
 * may be made again (`whenReady(f, true)`); one that a Content-Security-Policy refuses may not.
 */
import init, { initSync } from "./socketio_wasm.js";

type Ready = (error?: Error) => void;

let loaded = false;
let exports: object | undefined;
let failure: Error | undefined;
let waiting: Ready[] | undefined;
/**
 * The last load failed in a browser for a reason that may go by (not a Content-Security-Policy that
 * refuses WebAssembly): `whenReady(f, true)` fetches the file again.
 */
export let retryable = false;

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

function fetchAndCompile(): void {
  waiting = [];
  const url = address();
  if (url) {
    init({ module_or_path: url }).then(
      (loaded) => {
        exports = loaded;
        settle();
      },
      (e: unknown) => {
        // Anything but the page's refusal may go by: offline, a server error, a proxy's or a captive
        // portal's page in place of the module.
        const err = explain(e);
        retryable = err === e;
        settle(err);
      },
    );
  } else settle(new Error("socketio-wasm: the WebAssembly engine cannot be loaded here (no address)"));
}

if (!inNode) fetchAndCompile();

/**
 * The module's exports, once loaded (for the memory benchmark, which finds the memory among them by
 * its type: the build shortens export names).
 */
export function wasmExports(): object | undefined {
  return exports;
}

/**
 * Calls `f` once the engine is loaded (at once if it is), or with the reason it cannot be; with
 * `retry`, a failed load is made again first (see `retryable`).
 */
export function whenReady(f: Ready, retry = false): void {
  if (retry && retryable && failure && !waiting) {
    failure = undefined;
    fetchAndCompile();
  }
  if (loaded || failure) return f(failure);
  if (waiting) {
    waiting.push(f);
    return;
  }
  loadFromDisk();
  f(failure);
}

export { Command, EventKind, ErrorType, RESERVED, State, Text, WasmManager } from "./socketio_wasm.js";
