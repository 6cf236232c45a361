/**
 * `io(url, { shared: true })`: the tab side of a connection shared by the tabs of an origin. Loaded
 * by js/manager.ts with a dynamic import only when the option is given.
 *
 * The tab's Manager and Socket are the ordinary classes; only their engine is replaced by `Remote`,
 * which has the `WasmManager` surface they call and forwards each call to the hub (js/hub.ts) over a
 * message port, keeps the state the hub reports for the getters, and hands the hub's events to the
 * manager's handler. Where the hub runs:
 *
 * 1. a module SharedWorker (js/shared-worker.ts), one per origin;
 * 2. where SharedWorker is missing and Web Locks and BroadcastChannel exist, the tab that holds the
 *    owner lock of the key; the others talk to it over a BroadcastChannel, and when it goes, the next
 *    tab granted the lock starts a new hub and every tab attaches to it again (a new connection);
 * 3. otherwise nowhere: the tab runs its own engine, as without the option.
 *
 * Every tab holds a Web Lock of its own for its lifetime; the hub asks for it, and is granted it when
 * the tab is gone.
 */
import type { Manager } from "./manager.js";
import { Command, EventKind, State, Text } from "./wasm.js";
import type { WasmManager, whenReady } from "./wasm.js";
import { Hub, type Hello, type Post, type Snapshot } from "./hub.js";

type Handler = ReturnType<Manager["_handler"]>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = Record<string, any>;
type Bytes = ArrayBuffer | ArrayBufferView;

/** The bits of `WasmManager.state` that are a socket's (the others are the manager's). */
const SOCKET_BITS = State.Connected | State.Active | State.Recovered;
const DISCONNECTED = "socket has been disconnected";
/**
 * The version of the messages between this file and js/hub.ts, in the names of the worker, the
 * channels and the locks: tabs of another version of the package (an open tab during a deploy) use
 * another worker and never see these messages. Change it (here and in the worker's name below) when
 * the messages change.
 */
const PROTOCOL = "socketio-wasm/1";

/** A copy of the bytes of each attachment, to transfer (the caller keeps its own buffers). */
function copies(bufs: Bytes[] | undefined): ArrayBuffer[] | undefined {
  return bufs?.map((b) =>
    b instanceof ArrayBuffer ? b.slice(0) : (new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice().buffer as ArrayBuffer),
  );
}

/** The engine of a tab's Manager when the connection is shared: the hub, behind a port. */
class Remote {
  private st: Snapshot = { m: 0, s: [] };
  /** commands sent whose state has not come back yet */
  private wait = 0;
  /** tab sockets: [namespace, retries, ackTimeout] */
  private defs: Array<[string, number, number]> = [];
  /** connected (or connecting) from this tab */
  private att: boolean[] = [];
  private out: boolean[] = [];
  private packets = false;
  private engine = false;
  private opened = false;
  private closed = false;
  private cfg?: object;
  /** pending acks: "socket:token" -> with error */
  private acks = new Map<string, boolean>();

  constructor(
    private h: Handler,
    private send: Post,
  ) {}

  // ---- the WasmManager surface used by js/manager.ts and js/socket.ts

  configure(c: object): void {
    this.cfg = c;
    this.send({ t: "cfg", c });
  }

  socket(n: string, r: number, a: number): number {
    const s = this.defs.length;
    this.defs.push([n, r, a]);
    this.send({ t: "socket", s, n, r, a });
    return s;
  }

  command(c: Command, a: number, on: boolean): void {
    switch (c) {
      case Command.Open:
        return this.open(a);
      case Command.Close:
        return this.close();
      case Command.CloseEngine:
        return this.send({ t: "closeEngine" });
      case Command.Connect:
        return this.connect(a);
      case Command.Disconnect:
        return this.disconnect(a);
      case Command.PacketEvents:
        this.packets = true;
        return this.send({ t: "packets" });
      case Command.EngineEvents:
        this.engine = true;
        return this.send({ t: "engine" });
      case Command.OutgoingEvents:
        this.out[a] = on;
        return this.send({ t: "out", s: a, on });
      case Command.ClearSendBuffer:
        return this.send({ t: "clear", s: a });
    }
  }

  private open(k: number): void {
    this.opened = true;
    this.closed = false;
    this.cmd({ t: "open", k });
  }

  private close(): void {
    for (let s = 0; s < this.defs.length; s++) this.detach(s);
    this.closed = true;
    this.cmd({ t: "close" });
    this.h.event(EventKind.Close, 0, "forced close", undefined);
  }

  private connect(s: number): void {
    this.att[s] = true;
    this.closed = false;
    this.cmd({ t: "connect", s });
  }

  private disconnect(s: number): void {
    this.detach(s);
    this.cmd({ t: "disconnect", s });
  }

  emit(s: number, data: [string, unknown[]], bufs: Bytes[] | undefined, k: number, e: boolean, vo: boolean, to: number): void {
    if (k) this.acks.set(s + ":" + k, e);
    // This tab's own ackTimeout, when the engine's socket was made by another tab.
    const own = this.defs[s]?.[2] ?? -1;
    if (to < 0 && own >= 0) to = own;
    const b = copies(bufs);
    this.send({ t: "emit", s, j: data[0], v: this.out[s] ? data[1] : undefined, b, k, e, vo, to }, b);
  }

  ack(s: number, i: number, data: [string, unknown[]], bufs: Bytes[] | undefined): void {
    const b = copies(bufs);
    this.send({ t: "ack", s, i, j: data[0], b }, b);
  }

  authResponse(s: number, q: number, d: string | undefined): void {
    this.send({ t: "auth", s, q, d });
  }

  sendBuffer(): unknown[] {
    return [];
  }

  receiveBuffer(): unknown[] {
    return [];
  }

  state(s: number): number {
    // The manager's bits from the hub's last word (opening while a command waits for its answer);
    // a socket's only while this tab uses it (active while a command waits).
    const m = this.closed ? 0 : (this.st.m & ~SOCKET_BITS) | (this.wait ? State.Opening : 0);
    if (!this.att[s]) return m;
    return m | ((this.st.s[s]?.[1] ?? 0) & SOCKET_BITS) | (this.wait ? State.Active : 0);
  }

  text(what: Text, s: number): string | undefined {
    if (what === Text.Sid) return this.att[s] ? this.st.s[s]?.[0] : undefined;
    if (what === Text.EngineId) return this.closed ? undefined : this.st.e;
    return this.st.t;
  }

  free(): void {}

  // ---- the hub's side

  private cmd(m: Msg): void {
    this.wait++;
    this.send(m);
  }

  /** This tab leaves namespace `s`: its pending acks fail, and it sees its own disconnect. */
  private detach(s: number, reason = "io client disconnect"): void {
    if (!this.att[s]) return;
    const was = this.state(s) & State.Connected;
    this.att[s] = false;
    this.failAcks(s);
    if (was) this.h.event(EventKind.Disconnect, s, reason, undefined);
  }

  private failAcks(s?: number): void {
    for (const [key, e] of [...this.acks]) {
      const [sock = -1, token = 0] = key.split(":").map(Number);
      if (s !== undefined && sock !== s) continue;
      this.acks.delete(key);
      this.h.ack(sock, token, e, undefined, undefined, DISCONNECTED);
    }
  }

  recv(d: Msg): void {
    if (d.st) this.st = d.st;
    const h = this.h;
    switch (d.t) {
      case "st":
        if (this.wait) this.wait--;
        return;
      case "msg":
        if (this.att[d.s]) h.message(d.s, d.a, d.b, d.i);
        return;
      case "ack":
        if (this.acks.delete(d.s + ":" + d.k)) h.ack(d.s, d.k, d.e, d.a, d.b, d.x);
        return;
      case "ev": {
        const perSocket = d.k === EventKind.Connect || d.k === EventKind.ConnectError || d.k === EventKind.Disconnect || d.k === EventKind.Auth;
        if (perSocket && !this.att[d.s]) {
          // An auth request must be answered, even by a tab that just left.
          if (d.k === EventKind.Auth) this.authResponse(d.s, d.a, undefined);
          return;
        }
        if (!perSocket && this.closed && d.k !== EventKind.OpenResult) return;
        h.event(d.k, d.s, d.a, d.b);
        return;
      }
      case "fail":
        this.wait = 0;
        for (let s = 0; s < this.defs.length; s++) {
          if (this.att[s]) h.event(EventKind.ConnectError, s, [d.x, 0], undefined);
        }
        return;
    }
  }

  /**
   * The hub changed (its owner tab went away): what this tab had on the old one ends as after a lost
   * connection, and everything it asked for is asked again of the new one, which reconnects.
   */
  moveTo(send: Post, hello: Hello): void {
    const wasOpen = this.state(0) & State.Open;
    for (let s = 0; s < this.defs.length; s++) {
      if (this.att[s] && this.state(s) & State.Connected) this.h.event(EventKind.Disconnect, s, "transport close", undefined);
    }
    this.failAcks();
    if (wasOpen) this.h.event(EventKind.Close, 0, "transport close", undefined);
    this.st = { m: 0, s: [] };
    this.wait = 0;
    this.send = send;
    send(hello);
    this.defs.forEach(([n, r, a], s) => send({ t: "socket", s, n, r, a }));
    if (this.cfg) send({ t: "cfg", c: this.cfg });
    if (this.opened && !this.closed) this.cmd({ t: "open", k: 0 });
    this.att.forEach((on, s) => on && this.cmd({ t: "connect", s }));
    this.out.forEach((on, s) => on && send({ t: "out", s, on }));
    if (this.packets) send({ t: "packets" });
    if (this.engine) send({ t: "engine" });
  }
}

// ---- where the hub is

const locks = (globalThis.navigator as Navigator | undefined)?.locks;
let tabLock: Promise<string> | undefined;
let worker: SharedWorker | undefined;

function uid(): string {
  return typeof crypto !== "undefined" && crypto.randomUUID
    ? crypto.randomUUID()
    : Math.random().toString(36).slice(2) + Date.now().toString(36);
}

/** The name of the lock this tab holds until it is gone (requested once per tab). */
function tabLockName(): Promise<string> {
  if (!tabLock) {
    const name = PROTOCOL + " tab " + uid();
    tabLock = new Promise((granted) => {
      void locks!.request(name, () => {
        granted(name);
        return new Promise(() => {});
      });
    });
  }
  return tabLock;
}

/** What identifies a connection: the server (scheme, host, port, query) and the engine options. */
function keyOf(uri: string, cfg: object): string {
  let server = uri;
  try {
    const u = new URL(uri);
    server = u.protocol + "//" + u.host + u.search;
  } catch {
    // The engine reports the bad address; tabs with the same text still share it.
  }
  return server + " " + JSON.stringify(cfg);
}

/**
 * Starts the engine of `m`: a stand-in for the shared connection, or, where it cannot be shared, the
 * tab's own (through `ready`).
 */
export function attach(m: Manager, W: typeof WasmManager, ready: typeof whenReady): void {
  const start = (err?: Error, w?: WasmManager) => m._start(err, w);
  const g = globalThis as { SharedWorker?: typeof SharedWorker; BroadcastChannel?: typeof BroadcastChannel };
  const hasWorker = typeof g.SharedWorker === "function";
  if (!locks || (!hasWorker && typeof g.BroadcastChannel !== "function")) {
    ready(start);
    return;
  }
  // The options as the engine gets them, read through the manager's own conversion.
  let cfg: object = {};
  m._wasm = { configure: (c: object) => (cfg = c) } as never;
  m._configure();
  m._wasm = undefined;
  const key = keyOf(m.uri, cfg);
  const hello: Hello = { t: "hello", key, uri: m.uri, address: m._address, cfg };
  const handler = m._handler();

  if (hasWorker) {
    const ch = new MessageChannel();
    const remote = new Remote(handler, (msg, tr) => ch.port1.postMessage(msg, tr ?? []));
    ch.port1.onmessage = (e) => remote.recv(e.data);
    start(undefined, remote as unknown as WasmManager);
    void tabLockName().then((lock) => {
      worker ??= new SharedWorker(new URL("./shared-worker.js", import.meta.url), { type: "module", name: "socketio-wasm/1" });
      // The worker's script failed to load (a bundler left it out, a Content-Security-Policy).
      worker.addEventListener("error", () => remote.recv({ t: "fail", x: "socketio-wasm: the shared worker failed to start" }));
      worker.port.postMessage({ ...hello, lock }, [ch.port2]);
    });
    return;
  }

  // No SharedWorker: the owner tab of the key runs the hub, the others reach it over a BroadcastChannel.
  const name = PROTOCOL + " " + key;
  const bc = new BroadcastChannel(name);
  const me = uid();
  /** the hub this tab talks to (its epoch), once known */
  let owner: string | undefined;
  let queue: Array<[unknown, Transferable[] | undefined]> | undefined = [];
  const remote = new Remote(handler, (msg, tr) => queue!.push([msg, tr]));
  start(undefined, remote as unknown as WasmManager);

  const use = (epoch: string, send: Post) => {
    const first = owner === undefined;
    owner = epoch;
    void tabLockName().then((lock) => {
      if (owner !== epoch) return;
      const hi = { ...hello, lock };
      if (first && queue) {
        const q = queue;
        queue = undefined;
        (remote as unknown as { send: Post }).send = send;
        send(hi);
        for (const [msg, tr] of q) send(msg, tr);
      } else remote.moveTo(send, hi);
    });
  };
  const viaChannel: Post = (m) => bc.postMessage({ f: me, o: owner, m });

  bc.onmessage = (e) => {
    const d = e.data as Msg;
    if (d.owner !== undefined) {
      if (d.owner !== owner && d.owner !== mine) use(d.owner, viaChannel);
    } else if (d.to === me && d.o === owner) remote.recv(d.m);
  };
  bc.postMessage({ who: 1 });

  let mine: string | undefined;
  void locks.request(PROTOCOL + " owner " + key, () => {
    mine = uid();
    const epoch = mine;
    const hub = new Hub(W, ready);
    const hubChannel = new BroadcastChannel(name);
    const clients = new Map<string, ReturnType<Hub["attach"]>>();
    hubChannel.onmessage = (e) => {
      const d = e.data as Msg;
      if (d.who) hubChannel.postMessage({ owner: epoch });
      else if (d.f !== undefined && d.o === epoch) {
        if (d.m.t === "hello") {
          clients.get(d.f)?.gone();
          const to = d.f;
          clients.set(to, hub.attach((m) => hubChannel.postMessage({ to, o: epoch, m }), d.m));
        } else clients.get(d.f)?.recv(d.m);
      }
    };
    // This tab's own manager talks to the hub through a port.
    const ch = new MessageChannel();
    let local: ReturnType<Hub["attach"]> | undefined;
    ch.port2.onmessage = (e) => {
      const msg = e.data as Msg;
      if (msg.t === "hello") local = hub.attach((m, tr) => ch.port2.postMessage(m, tr ?? []), msg as Hello);
      else local?.recv(msg);
    };
    ch.port1.onmessage = (e) => {
      if (owner === epoch) remote.recv(e.data);
    };
    use(epoch, (m, tr) => ch.port1.postMessage(m, tr ?? []));
    hubChannel.postMessage({ owner: epoch });
    return new Promise(() => {});
  });
}
