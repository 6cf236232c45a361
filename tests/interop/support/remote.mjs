// A Socket.IO server that is not socket.io (python-socketio, socketioxide), run as a child process and
// driven over its stdin/stdout (one JSON object per line), behind a small imitation of the part of
// socket.io's server API that the e2e tests use: io.on("connection"), io.of(nsp), nsp.use(middleware),
// socket.on/emit/timeout().emit/emitWithAck/disconnect, socket.conn.{id, transport.name, close(),
// on("packet")}, socket.handshake.{auth, query, headers}, io.engine.clientsCount (io.engine.on() is
// refused: the servers do not report each HTTP request).
//
// Everything on the wire is the other server's own implementation: the child only reports what happens
// (connection requests, events with or without an ack id, disconnections, transport upgrades, received
// Engine.IO packets) and carries out orders (accept/refuse a connection, emit, ack, disconnect, close
// the Engine.IO connection, shut down). Handlers and middlewares written for socket.io run here, in
// Node, unchanged.

import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../../..");
const BIN = "\u0000bin";

// Servers still running when this process exits (a test that never closed its server) are killed, and
// they never keep this process alive by themselves.
const LIVE = new Set();
process.on("exit", () => {
  for (const child of LIVE) child.kill("SIGKILL");
});

/**
 * Thrown when a test needs what the server under test does not offer; the e2e runs against these
 * servers (tests/interop/support/node-test-shim.mjs) report the case as skipped, with this message.
 */
export class Unsupported extends Error {
  constructor(message) {
    super(message);
    this.name = "Unsupported";
    this.unsupported = true;
    this.fatal = true; // not retried by the harness's waitFor()
  }
}

/**
 * The servers other than socket.io, how to start one on `port` with socket.io-style `options`, and
 * what their API lets the tests do (`closeTransport`: close one client's Engine.IO connection;
 * `packets`: observe the Engine.IO packets a client sends, such as pongs).
 */
export const REMOTE_KINDS = {
  python: {
    label: "python-socketio 5.18 (aiohttp)",
    can: { closeTransport: true, packets: true },
    command(port, options) {
      const python = process.env.SIO_INTEROP_PYTHON || path.join(ROOT, ".venv-interop/bin/python");
      if (!existsSync(python)) {
        throw new Error(`${python} does not exist: run scripts/setup.sh (it creates .venv-interop/)`);
      }
      const script = path.join(ROOT, "tests/interop/python/server.py");
      return [python, ["-u", script, "--port", String(port), "--options", JSON.stringify(options)]];
    },
  },
  socketioxide: {
    label: "socketioxide 0.18 (axum)",
    can: { closeTransport: false, packets: false },
    command(port, options, namespaces) {
      const bin =
        process.env.SIO_INTEROP_SOCKETIOXIDE ||
        path.join(ROOT, "tests/interop/socketioxide/target/release/sio-interop-server");
      if (!existsSync(bin)) {
        throw new Error(`${bin} does not exist: build it with npm run test:interop (or cargo build --release in tests/interop/socketioxide)`);
      }
      const args = ["--port", String(port), "--options", JSON.stringify(options)];
      return [bin, [...args, "--namespaces", JSON.stringify(namespaces)]];
    },
  },
};

/** Server options the remote servers honour (others are refused, loudly). */
export const REMOTE_OPTIONS = new Set(["pingInterval", "pingTimeout", "maxHttpBufferSize", "cors"]);

function isBinary(v) {
  return Buffer.isBuffer(v) || ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

function toBuffer(v) {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Node value -> JSON line value (binary tagged as base64). */
export function encodeValue(v) {
  if (isBinary(v)) return { [BIN]: toBuffer(v).toString("base64") };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v && typeof v === "object") {
    if (typeof v.toJSON === "function") return encodeValue(v.toJSON());
    const out = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== "function") out[k] = encodeValue(x);
    return out;
  }
  return v;
}

/** JSON line value -> Node value (binary becomes a Buffer, as socket.io gives it). */
export function decodeValue(v) {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === BIN) return Buffer.from(v[BIN], "base64");
    const out = {};
    for (const k of keys) out[k] = decodeValue(v[k]);
    return out;
  }
  return v;
}

class Conn extends EventEmitter {
  constructor(io, id) {
    super();
    this.io = io;
    this.id = id;
    this.transport = { name: "polling" };
    this.watching = false;
  }

  on(event, fn) {
    if (event === "packet" && !this.io.spec.can.packets) {
      throw new Unsupported(`${this.io.spec.label}: its API does not expose the Engine.IO packets a client sends (no socket.conn.on("packet"))`);
    }
    if (event === "packet" && !this.watching) {
      this.watching = true;
      this.io.order({ op: "watch-packets", eioSid: this.id });
    }
    return super.on(event, fn);
  }

  close() {
    if (!this.io.spec.can.closeTransport) {
      throw new Unsupported(`${this.io.spec.label}: its API cannot close one client's Engine.IO connection (no socket.conn.close())`);
    }
    this.io.order({ op: "close-transport", eioSid: this.id });
  }
}

const RESERVED = new Set(["disconnect", "disconnecting", "error"]);

class Socket {
  constructor(nsp, info) {
    this.nsp = nsp;
    this.io = nsp.io;
    this.id = info.sid;
    this.conn = nsp.io.conn(info.eioSid, info.transport);
    this.handshake = {
      auth: decodeValue(info.auth || {}),
      query: info.query || {},
      headers: info.headers || {},
      address: "127.0.0.1",
    };
    this.request = { headers: info.headers || {} };
    this.recovered = false;
    this.connected = false;
    this.data = {};
    this.listeners = new EventEmitter();
  }

  get disconnected() {
    return !this.connected;
  }

  on(event, fn) {
    this.listeners.on(event, fn);
    return this;
  }

  once(event, fn) {
    this.listeners.once(event, fn);
    return this;
  }

  off(event, fn) {
    this.listeners.off(event, fn);
    return this;
  }

  /** socket.emit(event, ...args[, ack]) towards the client. */
  emit(event, ...args) {
    if (RESERVED.has(event)) throw new Error(`"${event}" is a reserved event name`);
    return this.#send(event, args, null);
  }

  timeout(ms) {
    return {
      emit: (event, ...args) => this.#send(event, args, ms),
      emitWithAck: (event, ...args) => this.#withAck(event, args, ms),
    };
  }

  emitWithAck(event, ...args) {
    return this.#withAck(event, args, null);
  }

  #withAck(event, args, ms) {
    return new Promise((resolve, reject) => {
      const cb =
        ms === null ? (first) => resolve(first) : (err, first) => (err ? reject(err) : resolve(first));
      this.#send(event, [...args, cb], ms);
    });
  }

  #send(event, args, timeoutMs) {
    let ack = null;
    if (typeof args.at(-1) === "function") {
      const cb = args.pop();
      ack = this.io.registerAck(cb, timeoutMs);
    }
    this.io.order({ op: "emit", nsp: this.nsp.name, sid: this.id, event, args: encodeValue(args), ack });
    return true;
  }

  disconnect(close = false) {
    if (close) this.conn.close();
    else this.io.order({ op: "disconnect", nsp: this.nsp.name, sid: this.id });
    return this;
  }

  /** Delivers a client event to the handlers registered with socket.on(). */
  deliver(event, args, ack) {
    const list = this.listeners.listeners(event);
    if (ack !== null && ack !== undefined) {
      let answered = false;
      args.push((...answer) => {
        if (answered) return;
        answered = true;
        this.io.order({ op: "ack", ack, args: encodeValue(answer) });
      });
    }
    for (const fn of list) fn(...args);
  }
}

class Namespace extends EventEmitter {
  constructor(io, name) {
    super();
    this.io = io;
    this.name = name;
    this.sockets = new Map();
    this.middlewares = [];
  }

  use(fn) {
    this.middlewares.push(fn);
    return this;
  }

  /** Broadcast to every socket of the namespace. */
  emit(event, ...args) {
    if (typeof args.at(-1) === "function") throw new Error("broadcast acks are not supported here");
    this.io.order({ op: "emit", nsp: this.name, event, args: encodeValue(args), ack: null });
    return true;
  }

  async admit(socket) {
    for (const mw of this.middlewares) {
      const err = await new Promise((resolve) => {
        try {
          mw(socket, (e) => resolve(e || null));
        } catch (e) {
          resolve(e);
        }
      });
      if (err) return err;
    }
    return null;
  }
}

/**
 * The `io` handed to the tests' setup functions, backed by a child process. `options` are socket.io
 * server options (see REMOTE_OPTIONS); `log` receives the child's stderr lines.
 */
export class RemoteIo {
  constructor(kind, options) {
    const spec = REMOTE_KINDS[kind];
    if (!spec) throw new Error(`unknown server kind ${JSON.stringify(kind)}`);
    for (const key of Object.keys(options)) {
      if (!REMOTE_OPTIONS.has(key)) {
        const what = key === "connectionStateRecovery" ? "connection state recovery, a socket.io feature" : `server option ${key}`;
        throw new Unsupported(`${spec.label}: the server has no ${what}`);
      }
    }
    this.kind = kind;
    this.spec = spec;
    this.options = options;
    this.namespaces = new Map();
    this.conns = new Map();
    this.acks = new Map();
    this.nextAck = 0;
    this.child = null;
    this.stderr = [];
    this.exited = null;
    const io = this;
    this.engine = {
      get clientsCount() {
        return io.conns.size;
      },
      on() {
        throw new Unsupported(`${spec.label}: its API does not report each HTTP request (no io.engine.on("headers"))`);
      },
    };
    this.of("/");
  }

  of(name) {
    if (!this.namespaces.has(name)) this.namespaces.set(name, new Namespace(this, name));
    return this.namespaces.get(name);
  }

  on(event, fn) {
    this.of("/").on(event, fn);
    return this;
  }

  use(fn) {
    this.of("/").use(fn);
    return this;
  }

  emit(event, ...args) {
    return this.of("/").emit(event, ...args);
  }

  conn(eioSid, transport) {
    let c = this.conns.get(eioSid);
    if (!c) {
      c = new Conn(this, eioSid);
      this.conns.set(eioSid, c);
    }
    if (transport) c.transport.name = transport;
    return c;
  }

  registerAck(cb, timeoutMs) {
    const id = ++this.nextAck;
    const entry = { cb, timer: null, withError: timeoutMs !== null };
    if (timeoutMs !== null) {
      entry.timer = setTimeout(() => {
        this.acks.delete(id);
        cb(new Error("operation has timed out"));
      }, timeoutMs);
    }
    this.acks.set(id, entry);
    return id;
  }

  order(message) {
    if (!this.child || this.child.exitCode !== null || !this.child.stdin.writable) return;
    this.child.stdin.write(JSON.stringify(message) + "\n");
  }

  /** Starts the child on `port` (0: any free port); resolves with the port it listens on. */
  async start(port) {
    const [cmd, args] = this.spec.command(port, this.options, [...this.namespaces.keys()]);
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    LIVE.add(child);
    this.exited = new Promise((resolve) => child.once("exit", resolve));
    child.once("exit", () => LIVE.delete(child));
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream.unref?.();
    readline.createInterface({ input: child.stderr }).on("line", (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 200) this.stderr.shift();
      if (process.env.SIO_INTEROP_DEBUG) console.error(`[${this.kind}] ${line}`);
    });
    const listening = new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) =>
        reject(new Error(`${this.spec.label} server exited (${code}) before listening:\n${this.stderr.join("\n")}`)),
      );
      this.onListening = resolve;
    });
    readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", (line) => {
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        this.stderr.push(`(stdout) ${line}`);
        return;
      }
      this.#handle(msg);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20000);
    try {
      return await listening;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Disconnects every client and stops the child (killed if it takes more than 3 s). */
  async stop() {
    const child = this.child;
    if (!child) return;
    this.order({ op: "shutdown" });
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await this.exited;
    clearTimeout(timer);
    this.child = null;
    for (const nsp of this.namespaces.values()) {
      for (const s of [...nsp.sockets.values()]) this.#gone(nsp, s, "server shutting down");
    }
    this.conns.clear();
    for (const entry of this.acks.values()) clearTimeout(entry.timer);
    this.acks.clear();
  }

  #gone(nsp, socket, reason) {
    if (!nsp.sockets.delete(socket.id)) return;
    socket.connected = false;
    socket.listeners.emit("disconnect", reason);
  }

  async #admit(msg) {
    const nsp = this.namespaces.get(msg.nsp);
    if (!nsp) {
      this.order({ op: "decision", req: msg.req, ok: false, message: "Invalid namespace" });
      return;
    }
    const socket = new Socket(nsp, msg);
    const err = await nsp.admit(socket);
    if (err) {
      const decision = { op: "decision", req: msg.req, ok: false, message: String(err.message ?? err) };
      if (err.data !== undefined) decision.data = encodeValue(err.data);
      this.order(decision);
      return;
    }
    this.order({ op: "decision", req: msg.req, ok: true });
    socket.connected = true;
    nsp.sockets.set(socket.id, socket);
    EventEmitter.prototype.emit.call(nsp, "connection", socket);
  }

  #handle(msg) {
    switch (msg.ev) {
      case "listening":
        this.onListening(msg.port);
        break;
      case "eio-open":
        this.conn(msg.eioSid);
        break;
      case "eio-close":
        this.conns.delete(msg.eioSid);
        break;
      case "transport":
        this.conn(msg.eioSid).transport.name = msg.transport;
        break;
      case "packet": {
        const c = this.conns.get(msg.eioSid);
        if (c) EventEmitter.prototype.emit.call(c, "packet", { type: msg.type });
        break;
      }
      case "connect-request":
        this.#admit(msg).catch((e) => {
          this.stderr.push(`admission failed: ${e.stack || e}`);
          this.order({ op: "decision", req: msg.req, ok: false, message: "server error" });
        });
        break;
      case "event": {
        const nsp = this.namespaces.get(msg.nsp);
        const socket = nsp && nsp.sockets.get(msg.sid);
        if (socket) socket.deliver(msg.event, decodeValue(msg.args || []), msg.ack);
        break;
      }
      case "ack": {
        const entry = this.acks.get(msg.ack);
        if (!entry) break;
        this.acks.delete(msg.ack);
        clearTimeout(entry.timer);
        const args = decodeValue(msg.args || []);
        if (entry.withError) entry.cb(null, ...args);
        else entry.cb(...args);
        break;
      }
      case "disconnect": {
        const nsp = this.namespaces.get(msg.nsp);
        const socket = nsp && nsp.sockets.get(msg.sid);
        if (socket) this.#gone(nsp, socket, msg.reason);
        break;
      }
      case "stopped":
        break;
      default:
        this.stderr.push(`unknown message ${JSON.stringify(msg).slice(0, 200)}`);
    }
  }

  close() {
    return this.stop();
  }
}
