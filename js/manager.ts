import { Emitter, type AnyFn, type DefaultEventsMap, type EventsMap } from "./emitter.js";
import { decode } from "./binary.js";
import { report, toError, TransportError } from "./errors.js";
import { debug } from "./debug.js";
import { WasmManager, resolve } from "./wasm.js";
import { Socket, type DisconnectDescription, type SocketOptions } from "./socket.js";

/** A transport, named by string or by one of the exported transport classes. */
export type TransportName = "polling" | "websocket" | "webtransport" | (string & {});
/** A class standing for a transport in the `transports` option. */
export type TransportCtor = { prototype: { readonly name: string } };

/** Options of the manager (the connection) and its engine. */
export interface ManagerOptions {
  /** Create a new connection instead of reusing a cached one. */
  forceNew: boolean;
  /** Share one connection between namespaces of the same server (default true). */
  multiplex: boolean;
  /** The server's path (default `/socket.io`). */
  path: string;
  /** Reconnect automatically (default true). */
  reconnection: boolean;
  /** Attempts before giving up (default Infinity). */
  reconnectionAttempts: number;
  /** First delay before reconnecting, ms (default 1000). */
  reconnectionDelay: number;
  /** Longest delay before reconnecting, ms (default 5000). */
  reconnectionDelayMax: number;
  /** Jitter of the delay, 0 to 1 (default 0.5). */
  randomizationFactor: number;
  /** Connection timeout, ms, or false (default 20000). */
  timeout: number | false;
  /** Connect on creation (default true). */
  autoConnect: boolean;
  /** Query parameters sent with every request. */
  query: { [key: string]: unknown } | string;
  /** Transports in order of preference (default polling, then websocket). */
  transports: Array<TransportName | TransportCtor>;
  /** When the first transport fails to open, try the next (default false). */
  tryAllTransports: boolean;
  /** Upgrade from long-polling to WebSocket (default true). */
  upgrade: boolean;
  /** Start with WebSocket when the last WebSocket connection succeeded (default false). */
  rememberUpgrade: boolean;
  /** Add the cache-busting timestamp parameter. */
  timestampRequests: boolean;
  /** Name of the timestamp parameter (default `t`). */
  timestampParam: string;
  /** End the path with a slash (default true). */
  addTrailingSlash: boolean;
  /** Send cookies cross-origin (default false). */
  withCredentials: boolean;
  /** Headers added to long-polling requests (browsers do not allow them on WebSocket). */
  extraHeaders: { [header: string]: string };
  /** Close the connection silently when the page unloads (default false). */
  closeOnBeforeunload: boolean;
  /** Accepted for compatibility; the browser's WebSocket negotiates compression. */
  perMessageDeflate: unknown;
  /** Accepted for compatibility; binary is always sent as binary. */
  forceBase64: boolean;
  /** Accepted for compatibility; the payload format is fixed. */
  parser: unknown;
  /** Accepted for compatibility. */
  autoUnref: boolean;
  // The rest of socket.io-client's options (engine.io-client's), accepted so that code written for
  // it compiles. They have no effect here: the server's address comes from the URL, the TLS and
  // agent options are Node's, and the others are not implemented.
  /** Ignored: the host comes from the URL given to `io()`. */
  host: string;
  /** Ignored: the host name comes from the URL given to `io()`. */
  hostname: string;
  /** Ignored: the scheme comes from the URL given to `io()`. */
  secure: boolean;
  /** Ignored: the port comes from the URL given to `io()`. */
  port: string | number;
  /** Ignored (Node's http.Agent). */
  agent: string | boolean;
  /** Ignored (engine.io-client internals). */
  transportImplementations: unknown[];
  /** Time limit (ms) of each long-polling request; a slower one fails the transport. */
  requestTimeout: number;
  /** Not implemented: per-transport options are not applied. */
  transportOptions: object;
  /** Ignored (Node's TLS). */
  pfx: string;
  /** Ignored (Node's TLS). */
  key: string;
  /** Ignored (Node's TLS). */
  passphrase: string;
  /** Ignored (Node's TLS). */
  cert: string;
  /** Ignored (Node's TLS). */
  ca: string | string[];
  /** Ignored (Node's TLS). */
  ciphers: string;
  /** Ignored (Node's TLS). */
  rejectUnauthorized: boolean;
  /** Ignored: the browser's timers are used. */
  useNativeTimers: boolean;
  /** WebSocket sub-protocols to request. */
  protocols: string | string[];
}

/** The events of a manager. */
export interface ManagerReservedEvents {
  open: () => void;
  error: (err: Error) => void;
  ping: () => void;
  packet: (packet: { type: number; nsp: string; data?: unknown; id?: number }) => void;
  close: (reason: string, description?: DisconnectDescription) => void;
  reconnect_failed: () => void;
  reconnect_attempt: (attempt: number) => void;
  reconnect_error: (err: Error) => void;
  reconnect: (attempt: number) => void;
}

/** The events of the engine (`manager.engine`). */
export interface EngineReservedEvents {
  upgrade: (transport: { name: string }) => void;
  upgradeError: (err: Error) => void;
  close: (reason: string, description?: DisconnectDescription) => void;
}

/** The low-level connection of a manager (`socket.io.engine`). */
export class Engine extends Emitter<{}, {}, EngineReservedEvents> {
  private _t?: { name: string };

  constructor(private readonly _m: Manager) {
    super();
  }

  /** The session id, while connected. */
  get id(): string | undefined {
    return this._m._w.engineId() ?? undefined;
  }

  /** The current transport (the same object while the transport stays). */
  get transport(): { name: string } {
    return this._transport(this._m._w.transport() ?? "");
  }

  /** `opening`, `open` or `closed`. */
  get readyState(): "opening" | "open" | "closing" | "closed" {
    return this._m._readyState;
  }

  /** @internal */
  _transport(name: string): { name: string } {
    if (this._t?.name !== name) this._t = { name };
    return this._t;
  }

  /** Closes the connection; the manager reconnects as after a transport close. */
  close(): this {
    this._m._w.closeEngine();
    return this;
  }

  /** @internal */
  _emit<Ev extends keyof EngineReservedEvents>(ev: Ev, ...args: Parameters<EngineReservedEvents[Ev]>): void {
    this.emitReserved(ev, ...args);
  }
}

const log = debug("socket.io-client:manager");
const EVENT = {
  OPENING: 0, OPEN: 1, ERROR: 2, CLOSE: 3, PING: 4, RECONNECT_ATTEMPT: 5, RECONNECT: 6, RECONNECT_ERROR: 7,
  RECONNECT_FAILED: 8, OPEN_RESULT: 9, PACKET: 10, UPGRADE: 11, UPGRADE_ERROR: 12, ENGINE_CLOSE: 13,
  CONNECT: 14, CONNECT_ERROR: 15, DISCONNECT: 16, AUTH: 17, OUTGOING: 18,
} as const;

function detail(d: unknown): DisconnectDescription | undefined {
  if (!Array.isArray(d)) return undefined;
  if (d[0] === null) return toError(d[1]);
  if (d.length === 3) return { description: d[0], context: { code: d[1], reason: d[2], wasClean: d[1] === 1000 } };
  return { description: d[0] };
}

function transportNames(list: ManagerOptions["transports"] | undefined): string[] {
  return (list ?? ["polling", "websocket", "webtransport"]).map((t) =>
    typeof t === "string" ? t : String((t as TransportCtor).prototype?.name ?? ""),
  );
}

/** `f`, but exceptions are reported instead of thrown. */
function guarded<A extends unknown[]>(f: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      f(...args);
    } catch (e) {
      report(e);
    }
  };
}

function entries(o: unknown): [string, string][] {
  if (typeof o === "string") {
    return o
      .split("&")
      .filter(Boolean)
      .map((p) => {
        const i = p.indexOf("=");
        return i === -1 ? [decodeURIComponent(p), ""] : [decodeURIComponent(p.slice(0, i)), decodeURIComponent(p.slice(i + 1))];
      });
  }
  if (!o || typeof o !== "object") return [];
  return Object.keys(o).map((k) => [k, String((o as Record<string, unknown>)[k])]);
}

/**
 * The connection to one server, multiplexing namespace sockets, with
 * reconnection: socket.io-client's `Manager`.
 */
export class Manager<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
> extends Emitter<{}, {}, ManagerReservedEvents> {
  /**
   * The options given at creation (with `path` defaulted). As in socket.io-client, changes to the
   * transport options (`query`, `transports`, `extraHeaders`...) apply from the next connection attempt.
   */
  opts: Partial<ManagerOptions & SocketOptions>;
  /** The address given to `io()`, resolved. */
  readonly uri: string;
  /** The namespace sockets by name. */
  nsps: Record<string, Socket> = {};
  /** The current engine; replaced on every connection attempt. */
  engine: Engine;
  /** @internal */
  _w: WasmManager;
  /** @internal sockets by engine handle */
  _sockets: Socket[] = [];
  /** @internal */
  _autoConnect: boolean;
  private _openCbs = new Map<number, (err?: Error) => void>();
  private _openSeq = 0;
  private _reconnection: boolean;
  private _reconnectionAttempts: number;
  private _reconnectionDelay: number;
  private _reconnectionDelayMax: number;
  private _randomizationFactor: number;
  private _timeout: number | false;

  constructor(opts: Partial<ManagerOptions & SocketOptions>);
  constructor(uri?: string, opts?: Partial<ManagerOptions & SocketOptions>);
  constructor(uri?: string | Partial<ManagerOptions & SocketOptions>, opts?: Partial<ManagerOptions & SocketOptions>) {
    super();
    if (uri && typeof uri === "object") {
      opts = uri;
      uri = undefined;
    }
    opts = opts || {};
    opts.path = opts.path || "/socket.io";
    this.opts = opts;
    this._reconnection = opts.reconnection !== false;
    this._reconnectionAttempts = opts.reconnectionAttempts || Infinity;
    this._reconnectionDelay = opts.reconnectionDelay || 1000;
    this._reconnectionDelayMax = opts.reconnectionDelayMax || 5000;
    this._randomizationFactor = opts.randomizationFactor ?? 0.5;
    this._timeout = opts.timeout == null ? 20000 : opts.timeout;
    this._autoConnect = opts.autoConnect !== false;
    this.engine = new Engine(this);
    this.uri = resolve(uri as string | undefined, opts.path)[0] as string;
    this._w = new WasmManager(this.uri, this._handler());
    this._configure();
    if (this._autoConnect) this.open();
  }

  /** @internal hands the current options to the engine; called before every connection attempt. */
  _configure(): void {
    const opts = this.opts;
    const flags =
      (opts.upgrade !== false ? 1 : 0) |
      (opts.rememberUpgrade ? 2 : 0) |
      (opts.tryAllTransports ? 4 : 0) |
      (opts.timestampRequests !== undefined ? 8 : 0) |
      (opts.timestampRequests ? 16 : 0) |
      (opts.addTrailingSlash !== false ? 32 : 0) |
      (opts.closeOnBeforeunload ? 64 : 0) |
      (this._reconnection ? 128 : 0) |
      (opts.withCredentials ? 512 : 0);
    this._w.configure(
      opts.path || "/socket.io",
      JSON.stringify(entries(opts.query)),
      JSON.stringify(transportNames(opts.transports)),
      flags,
      opts.timestampParam || "t",
      this._reconnectionAttempts,
      this._reconnectionDelay,
      this._reconnectionDelayMax,
      this._randomizationFactor,
      this._timeout === false ? -1 : Number(this._timeout),
      JSON.stringify(entries(opts.extraHeaders)),
      opts.requestTimeout ?? -1,
      JSON.stringify(opts.protocols === undefined ? [] : ([] as string[]).concat(opts.protocols)),
    );
  }

  /** @internal the state the engine reports */
  get _readyState(): "opening" | "open" | "closed" {
    const state = this._w.managerState();
    return state & 2 ? "open" : state & 4 ? "opening" : "closed";
  }

  /** @internal */
  get _reconnecting(): boolean {
    return (this._w.managerState() & 1) !== 0;
  }

  /** Gets or sets automatic reconnection. */
  reconnection(): boolean;
  reconnection(v: boolean): this;
  reconnection(v?: boolean): this | boolean {
    if (v === undefined) return this._reconnection;
    this._reconnection = !!v;
    this._configure();
    return this;
  }

  /** Gets or sets the number of reconnection attempts. */
  reconnectionAttempts(): number;
  reconnectionAttempts(v: number): this;
  reconnectionAttempts(v?: number): this | number {
    if (v === undefined) return this._reconnectionAttempts;
    this._reconnectionAttempts = v;
    this._configure();
    return this;
  }

  /** Gets or sets the first reconnection delay (ms). */
  reconnectionDelay(): number;
  reconnectionDelay(v: number): this;
  reconnectionDelay(v?: number): this | number {
    if (v === undefined) return this._reconnectionDelay;
    this._reconnectionDelay = v;
    this._configure();
    return this;
  }

  /** Gets or sets the jitter factor. */
  randomizationFactor(): number;
  randomizationFactor(v: number): this;
  randomizationFactor(v?: number): this | number {
    if (v === undefined) return this._randomizationFactor;
    this._randomizationFactor = v;
    this._configure();
    return this;
  }

  /** Gets or sets the longest reconnection delay (ms). */
  reconnectionDelayMax(): number;
  reconnectionDelayMax(v: number): this;
  reconnectionDelayMax(v?: number): this | number {
    if (v === undefined) return this._reconnectionDelayMax;
    this._reconnectionDelayMax = v;
    this._configure();
    return this;
  }

  /** Gets or sets the connection timeout (ms, or false). */
  timeout(): number | false;
  timeout(v: number | false): this;
  timeout(v?: number | false): this | number | false {
    if (v === undefined) return this._timeout;
    this._timeout = v;
    this._configure();
    return this;
  }

  /** Opens the connection; `fn` is called with nothing on success or the error. */
  open(fn?: (err?: Error) => void): this {
    let token = 0;
    if (fn) {
      this._openSeq = (this._openSeq % 0xfffffffe) + 1;
      token = this._openSeq;
      this._openCbs.set(token, fn);
    }
    log("opening %s", this.uri);
    this._configure();
    this._w.open(token);
    return this;
  }

  /** Same as `open`. */
  connect(fn?: (err?: Error) => void): this {
    return this.open(fn);
  }

  /** The socket of a namespace on this connection, created on first use. */
  socket(nsp: string, opts?: Partial<SocketOptions>): Socket<ListenEvents, EmitEvents> {
    let socket = this.nsps[nsp];
    if (!socket) {
      socket = new Socket(this as unknown as Manager, nsp, opts);
      this.nsps[nsp] = socket;
    } else if (this._autoConnect && !socket.active) {
      socket.connect();
    }
    return socket as unknown as Socket<ListenEvents, EmitEvents>;
  }

  /** Closes the connection; no reconnection. */
  _close(): void {
    this._w.close();
  }

  /** Same as `_close`. */
  disconnect(): void {
    this._close();
  }

  protected override _listenerAdded(ev: string | symbol): void {
    if (ev === "packet") this._w.setPacketEvents(true);
  }

  // What user code throws is reported (as an uncaught exception would be) and never unwinds
  // through the engine, which goes on with the next event.
  private _handler() {
    return {
      message: guarded((s: number, data: string, atts: ArrayBuffer[] | undefined, ack: number) =>
        this._sockets[s]?._onMessage(data, atts, ack),
      ),
      ack: guarded((s: number, token: number, withError: boolean, data?: string, atts?: ArrayBuffer[], error?: string) =>
        this._sockets[s]?._onAck(token, withError, data, atts, error),
      ),
      event: guarded((kind: number, s: number, a: unknown, b: unknown) => this._event(kind, s, a, b)),
    };
  }

  private _event(kind: number, s: number, a: unknown, b: unknown): void {
    const socket = this._sockets[s];
    switch (kind) {
      case EVENT.OPENING:
        this.engine = new Engine(this as unknown as Manager);
        return;
      case EVENT.OPEN:
        log("open");
        this.emitReserved("open");
        return;
      case EVENT.ERROR:
        this.emitReserved("error", toError(a as never));
        return;
      case EVENT.CLOSE:
        log("closed due to %s", a);
        this.emitReserved("close", a as string, detail(b));
        return;
      case EVENT.PING:
        this.emitReserved("ping");
        return;
      case EVENT.RECONNECT_ATTEMPT:
        log("attempting reconnect");
        try {
          this.emitReserved("reconnect_attempt", a as number);
        } finally {
          // The attempt opens on the next turn, with the options as the listeners left them.
          this._configure();
        }
        return;
      case EVENT.RECONNECT:
        this.emitReserved("reconnect", a as number);
        return;
      case EVENT.RECONNECT_ERROR:
        this.emitReserved("reconnect_error", toError(a as never));
        return;
      case EVENT.RECONNECT_FAILED:
        this.emitReserved("reconnect_failed");
        return;
      case EVENT.OPEN_RESULT: {
        const fn = this._openCbs.get(a as number);
        this._openCbs.delete(a as number);
        if (fn) b === undefined ? fn() : fn(toError(b as never));
        return;
      }
      case EVENT.PACKET: {
        const [type, nsp, data, id] = a as [number, string, string | undefined, number | undefined];
        const packet: { type: number; nsp: string; data?: unknown; id?: number } = { type, nsp };
        if (data !== undefined) packet.data = type === 2 || type === 3 ? decode(data, b as ArrayBuffer[] | undefined) : JSON.parse(data);
        if (id !== undefined) packet.id = id;
        this.emitReserved("packet", packet);
        return;
      }
      case EVENT.UPGRADE:
        this.engine._emit("upgrade", this.engine._transport(a as string));
        return;
      case EVENT.UPGRADE_ERROR: {
        const err = toError(a as never) as Error & { transport?: string };
        err.transport = "websocket";
        this.engine._emit("upgradeError", err);
        return;
      }
      case EVENT.ENGINE_CLOSE:
        this.engine._emit("close", a as string, detail(b));
        return;
      case EVENT.CONNECT:
        socket?._reserved("connect");
        return;
      case EVENT.CONNECT_ERROR:
        socket?._reserved("connect_error", toError(a as never));
        return;
      case EVENT.DISCONNECT:
        socket?._reserved("disconnect", a as Socket.DisconnectReason, detail(b));
        return;
      case EVENT.AUTH:
        socket?._onAuth(a as number);
        return;
      case EVENT.OUTGOING:
        socket?._onOutgoing(a as string, b as ArrayBuffer[] | undefined);
        return;
    }
  }
}

export { TransportError };
export type { AnyFn };
