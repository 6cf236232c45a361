/**
 * The SharedWorker of `io(url, { shared: true })`: one per origin, holding one engine per connection
 * key for every tab that asked for it (js/hub.ts). A tab's manager sends a `hello` with a port of its
 * own (js/shared.ts); everything after goes over that port.
 *
 * js/shared.ts creates it with `new SharedWorker(new URL("./shared-worker.js", import.meta.url),
 * { type: "module" })`, which bundlers (Vite, webpack 5) recognise and bundle on their own.
 */
import { Hub, type Hello } from "./hub.js";
import { WasmManager, whenReady } from "./wasm.js";

const hub = new Hub(WasmManager, whenReady);

(globalThis as unknown as { onconnect: (e: MessageEvent) => void }).onconnect = (e) => {
  const port = e.ports[0];
  if (!port) return;
  port.onmessage = (m: MessageEvent) => {
    const hello = m.data as Hello;
    const p = m.ports[0];
    if (hello?.t !== "hello" || !p) return;
    const c = hub.attach((msg, tr) => p.postMessage(msg, tr ?? []), hello);
    p.onmessage = (x) => c.recv(x.data);
  };
};

/** @internal For tests: the number of connections the worker holds. */
(globalThis as unknown as { __sioConnections: () => number }).__sioConnections = () => hub.size;
