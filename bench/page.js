// The bench page's side: the same code runs against socketio-wasm and socket.io-client (the import map
// of the page decides which one "socketio-wasm" is). run.mjs calls window.bench.<fn>(...) and gets
// plain JSON back. Every run is timed with performance.now() from just before the first call into the
// library until the last expected callback.
import * as lib from "socketio-wasm";

const { io } = lib;

const RUN_TIMEOUT_MS = 60_000;
let socket = null;
let failRun = null; // rejects the run in progress (disconnect, timeout)

const text = "hello";
const smallPayload = (i) => ({ i, text, list: [1, 2, 3] });

/** Runs `body(resolve, reject)` as a measurement that fails on disconnect or after a time limit. */
function guarded(what, body) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${what}: no result after ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
    const done = (v) => {
      clearTimeout(timer);
      failRun = null;
      resolve(v);
    };
    const fail = (e) => {
      clearTimeout(timer);
      failRun = null;
      reject(e);
    };
    failRun = fail;
    try {
      body(done, fail);
    } catch (e) {
      fail(e);
    }
  });
}

window.bench = {
  /** Connects with one transport only; resolves with the transport in use. */
  connect(url, transport) {
    return new Promise((resolve, reject) => {
      socket = io(url, { transports: [transport], forceNew: true, reconnection: false, upgrade: false });
      socket.once("connect", () =>
        resolve({ id: socket.id, transport: socket.io.engine && socket.io.engine.transport && socket.io.engine.transport.name }),
      );
      socket.once("connect_error", (e) => reject(new Error("connect_error: " + (e && e.message))));
      socket.on("disconnect", (reason) => {
        if (failRun) failRun(new Error("disconnected during a run: " + reason));
      });
    });
  },

  disconnect() {
    if (socket) socket.disconnect();
    socket = null;
    return true;
  },

  /** Server -> client: asks for n "e" events and counts them (checking order and content). */
  s2c(n) {
    return guarded(`s2c(${n})`, (done, fail) => {
      let count = 0;
      const onE = (msg) => {
        if (msg.i !== count || msg.text !== text || msg.list.length !== 3) {
          socket.off("e", onE);
          fail(new Error(`s2c: event ${count} was ${JSON.stringify(msg)}`));
          return;
        }
        if (++count === n) {
          const ms = performance.now() - t0;
          socket.off("e", onE);
          done({ ms, events: n });
        }
      };
      socket.on("e", onE);
      const t0 = performance.now();
      socket.emit("burst", n);
    });
  },

  /** Client -> server with acknowledgements: n emits at once, waits for all n acks. */
  c2s(n) {
    return guarded(`c2s(${n})`, (done, fail) => {
      let acked = 0;
      let bad = false;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        socket.emit("req", smallPayload(i), (r) => {
          if (r !== i && !bad) {
            bad = true;
            fail(new Error(`c2s: ack ${i} was ${JSON.stringify(r)}`));
          }
          if (++acked === n && !bad) done({ ms: performance.now() - t0, events: n });
        });
      }
    });
  },

  /**
   * `count` sequential round trips of an "echo" acknowledged with its own argument: kind "binary"
   * sends an ArrayBuffer of `size` bytes, kind "string" a string of `size` characters. Resolves with
   * the mean time of one round trip.
   */
  rtt(kind, size, count) {
    let payload;
    if (kind === "binary") {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) % 251;
      payload = bytes.buffer;
    } else {
      const unit = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
      payload = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    }
    const check = (r) => {
      if (kind === "binary") {
        if (!(r instanceof ArrayBuffer) || r.byteLength !== size) return "not an ArrayBuffer of " + size + " bytes";
        const v = new Uint8Array(r);
        if (v[1] !== 38 || v[size - 1] !== ((size - 1) * 31 + 7) % 251) return "wrong bytes";
      } else if (typeof r !== "string" || r.length !== size || r !== payload) {
        return "not the same string";
      }
      return null;
    };
    return guarded(`rtt(${kind}, ${size})`, (done, fail) => {
      let left = count;
      const t0 = performance.now();
      const once = () =>
        socket.emit("echo", payload, (r) => {
          const err = check(r);
          if (err) return fail(new Error(`rtt(${kind}): ${err}`));
          if (--left === 0) done({ ms: (performance.now() - t0) / count, roundTrips: count });
          else once();
        });
      once();
    });
  },

  /**
   * The package's wasm memory (bytes) before and after the server sends one event holding a string of
   * `mb` MB; `before`/`after` are null for socket.io-client (no wasm).
   */
  memory(mb) {
    // The memory is the one export of its type (the build shortens export names).
    const bytes = () => {
      const exports = typeof lib._wasmExports === "function" ? lib._wasmExports() : undefined;
      const memory = exports && Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
      return memory ? memory.buffer.byteLength : null;
    };
    return guarded(`memory(${mb})`, (done, fail) => {
      const before = bytes();
      socket.once("big", (s) => {
        if (typeof s !== "string" || s.length !== mb * 1048576) return fail(new Error("memory: wrong payload"));
        setTimeout(() => done({ before, after: bytes(), mb }), 100);
      });
      socket.emit("big", mb, () => {});
    });
  },
};

window.__ready = true;
