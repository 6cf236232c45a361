import { Emitter, type AnyFn, type DefaultEventsMap, type EventsMap } from "./emitter.js";
import { withAttachments } from "./binary.js";
import { report, toError, TransportError } from "./errors.js";
import { debug, off } from "./debug.js";
import { retryable, Command, EventKind, State, Text, WasmManager, whenReady } from "./wasm.js";
import { resolve, type Resolved } from "./url.js";
import { log as slog, Socket, type DisconnectDescription, type SocketOptions } from "./socket.js";

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
  /** Use the timers the page had when the package was imported, not fake timers installed later (default false). */
  useNativeTimers: boolean;
  /** WebSocket sub-protocols to request. */
  protocols: string | string[];
  /**
   * Share one connection between the tabs of this origin that ask for the same address with the same
   * options (default false): the engine runs once, in a SharedWorker, or in one elected tab where
   * SharedWorker is missing; every tab gets a socket with the usual API. See "One connection for all
   * tabs" in the README for what each call means then. Ignored where neither SharedWorker nor Web
   * Locks with BroadcastChannel exist (the tab connects on its own) and in the CommonJS build.
   */
  shared: boolean;
}

/** What the manager's setters change (`reconnection()`, `timeout()`...). */
type Settings = Pick<
  ManagerOptions,
  "reconnection" | "reconnectionAttempts" | "reconnectionDelay" | "reconnectionDelayMax" | "randomizationFactor"
> & { timeout: number | false };

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

/** An Engine.IO packet, as the engine's `packet` and `packetCreate` events give it. */
export interface EnginePacket {
  type: "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";
  data?: string | ArrayBuffer | ArrayBufferView | Blob;
  options?: { compress: boolean };
}

/** The events of the engine (`manager.engine`), as engine.io-client's socket emits them. */
export interface EngineReservedEvents {
  open: () => void;
  handshake: (data: { sid: string; upgrades: string[]; pingInterval: number; pingTimeout: number; maxPayload: number }) => void;
  packet: (packet: EnginePacket) => void;
  packetCreate: (packet: EnginePacket) => void;
  heartbeat: () => void;
  ping: () => void;
  pong: () => void;
  data: (data: string | ArrayBuffer) => void;
  message: (data: string | ArrayBuffer) => void;
  drain: () => void;
  flush: () => void;
  upgrading: (transport: { name: string }) => void;
  upgrade: (transport: { name: string }) => void;
  upgradeError: (err: Error) => void;
  error: (err: Error) => void;
  close: (reason: string, description?: DisconnectDescription) => void;
}

/** `[event, data]` of an engine packet trace: a message's text still has its `4`. */
function enginePacket(type: string, data: unknown): EnginePacket {
  const packet = { type } as EnginePacket;
  if (data !== undefined) packet.data = (type === "message" && typeof data === "string" ? data.slice(1) : data) as string;
  return packet;
}

/** The low-level connection of a manager (`socket.io.engine`). */
export class Engine extends Emitter<{}, {}, EngineReservedEvents> {
  private _current?: { name: string };
  /** @internal the engine announced the connection attempt this object stands for */
  _started = false;

  constructor(private readonly _manager: Manager) {
    super();
  }

  /** The session id, while connected. */
  get id(): string | undefined {
    return this._manager._wasm?.text(Text.EngineId, 0) ?? undefined;
  }

  /** The current transport (the same object while the transport stays). */
  get transport(): { name: string } {
    return this._transport(this._manager._wasm?.text(Text.Transport, 0) ?? "");
  }

  /** `opening`, `open` or `closed`. */
  get readyState(): "opening" | "open" | "closing" | "closed" {
    const state = this._manager._readyState;
    // While the events of the handshake are delivered, before `open`.
    return state === "open" && this._manager._tracing && !this._opened ? "opening" : state;
  }

  /** @internal `open` was emitted */
  _opened = false;

  /** @internal */
  _transport(name: string): { name: string } {
    if (this._current?.name !== name) this._current = { name };
    return this._current;
  }

  /** Closes the connection; the manager reconnects as after a transport close. */
  close(): this {
    this._manager._call((w) => w.command(Command.CloseEngine, 0, false));
    return this;
  }

  /** @internal */
  _emit<Ev extends keyof EngineReservedEvents>(ev: Ev, ...args: Parameters<EngineReservedEvents[Ev]>): void {
    this.emitReserved(ev, ...args);
  }

  protected override _listenerAdded(ev: string | symbol): void {
    // upgrade, upgradeError and close come anyway; the debugging events only once someone listens.
    if (ev !== "upgrade" && ev !== "upgradeError" && ev !== "close") this._manager._traceEngine();
  }
}

const log = DEBUG_BUILD ? debug("socket.io-client:manager") : off;
const elog = DEBUG_BUILD ? debug("engine.io-client:socket") : off;

/** Logs a Socket.IO packet being written, as socket.io-client does (its JSON, the ack id of an emit). */
function logPacket(text: string): void {
  const m = /^(\d)(?:\d+-)?(?:(\/[^,]*),)?(\d*)/.exec(text);
  if (!m) return;
  const type = Number(m[1]);
  const nsp = m[2] || "/";
  const id = m[3] ? Number(m[3]) : undefined;
  let data: unknown;
  try {
    data = text.length > m[0].length ? JSON.parse(text.slice(m[0].length)) : undefined;
  } catch {
    data = text.slice(m[0].length);
  }
  const event = type === 2 || type === 5;
  if (event && id !== undefined) slog("emitting packet with ack id %d", id);
  const packet = event ? { type, data, options: { compress: true }, id, nsp } : type === 3 || type === 6 ? { type, id, data, nsp } : { type, data, nsp };
  log("writing packet %j", packet);
}

function detail(d: unknown): DisconnectDescription | undefined {
  if (!Array.isArray(d)) return undefined;
  if (d[0] === null) return toError(d[1]);
  if (d.length === 3) {
    const init = { code: d[1], reason: d[2], wasClean: d[1] === 1000 };
    return { description: d[0], context: typeof CloseEvent === "function" ? new CloseEvent("close", init) : init };
  }
  return { description: d[0] };
}

function transportNames(list: ManagerOptions["transports"] | undefined): string[] {
  return (list ?? ["polling", "websocket", "webtransport"]).map((t) =>
    typeof t === "string" ? t : String((t as TransportCtor).prototype?.name ?? ""),
  );
}

/**
 * A component of the address's query decoded: `%XX` escapes that are not hexadecimal stay as they
 * are, and a component whose bytes are not UTF-8 stays whole.
 */
function lenient(s: string): string {
  try {
    return decodeURIComponent(s.replace(/%(?![\da-f]{2})/gi, "%25"));
  } catch {
    return s;
  }
}

/** The pairs of a query string or an object, flat: `[key, value, key, value...]`. */
function entries(o: unknown, decode: (s: string) => string = decodeURIComponent): string[] {
  if (typeof o === "string") {
    return o
      .split("&")
      .filter(Boolean)
      .flatMap((p) => {
        const i = p.indexOf("=");
        return i === -1 ? [decode(p), ""] : [decode(p.slice(0, i)), decode(p.slice(i + 1))];
      });
  }
  if (!o || typeof o !== "object") return [];
  return Object.keys(o).flatMap((k) => [k, String((o as Record<string, unknown>)[k])]);
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
  /**
   * The current engine: `undefined` until the manager first opens, then a new one for every
   * connection attempt, as in socket.io-client.
   */
  engine!: Engine;
  /** @internal the engine, once the WebAssembly module is loaded */
  _wasm?: WasmManager;
  /** @internal calls made before the engine existed, in order */
  _pending: Array<(w: WasmManager) => void> | undefined = [];
  /** @internal why the engine cannot run here */
  private _failure?: Error;
  /** @internal failed fetches of the engine so far (each is tried again like a reconnection) */
  private _loadTries = 0;
  /** @internal */
  _address: Resolved;
  /** @internal sockets by engine handle */
  _sockets: Socket[] = [];
  /** @internal */
  _autoConnect: boolean;
  private _openCbs = new Map<number, (err?: Error) => void>();
  private _openSeq = 0;
  /** @internal the reconnection settings: from `opts`, then as the setters change them */
  private _settings: Settings;

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
    this._settings = {
      reconnection: opts.reconnection !== false,
      reconnectionAttempts: opts.reconnectionAttempts || Infinity,
      reconnectionDelay: opts.reconnectionDelay || 1000,
      reconnectionDelayMax: opts.reconnectionDelayMax || 5000,
      randomizationFactor: opts.randomizationFactor ?? 0.5,
      timeout: opts.timeout == null ? 20000 : opts.timeout,
    };
    this._autoConnect = opts.autoConnect !== false;
    this._address = resolve(uri as string | undefined, opts.path);
    this.uri = this._address.source;
    if (this._autoConnect) this.open();
    // A shared connection (js/shared.ts) is loaded only when asked for, and given the engine's parts.
    const start = (err?: Error) => this._start(err);
    if (opts.shared) import("./shared.js").then((s) => s.attach(this, WasmManager, whenReady)).catch(start);
    else whenReady(start);
  }

  /**
   * @internal the engine is loaded (or cannot be): start it (`w`, or one of the tab's own) and replay
   * what was asked meanwhile.
   */
  _start(err?: Error, w?: WasmManager): void {
    const pending = this._pending ?? [];
    if (err) {
      this._failure = err;
      if (pending.length) this._fail();
      // A load of the engine that failed (offline, a server error) is made again after the
      // reconnection delay, doubled each time and spread by the randomization factor (the pages of
      // one outage do not all come back at once) up to its maximum, as many times as reconnection
      // attempts are allowed; what was asked meanwhile waits for it.
      const s = this._settings;
      if (retryable && s.reconnection && this._loadTries < s.reconnectionAttempts) {
        // Calls made while the fetch waits join the queue; the next failure is reported once.
        this._failure = undefined;
        // As the core's backoff: a factor outside (0, 1] means no spread.
        const f = s.randomizationFactor;
        const spread = f > 0 && f <= 1 ? 1 + (2 * Math.random() - 1) * f : 1;
        const delay = Math.min(s.reconnectionDelay * 2 ** this._loadTries++ * spread, s.reconnectionDelayMax);
        setTimeout(() => whenReady((e) => this._start(e), true), delay);
      } else this._pending = undefined;
      return;
    }
    this._pending = undefined;
    w = w || new WasmManager(this._address, this._handler());
    this._wasm = w;
    // The sockets' lists of early emits: the engine lists them from now on.
    for (const s of this._sockets) s._early = undefined;
    if (DEBUG_BUILD && elog !== off) this._traceEngine();
    this._configure();
    for (const f of pending) f(w);
  }

  /** @internal reports, on the next turn, that no connection can be made here (if so). */
  _fail(): void {
    const err = this._failure;
    if (!err) return;
    setTimeout(() => {
      this.emitReserved("error", err);
      for (const s of this._sockets) s?._reserved("connect_error", err);
    });
  }

  /** @internal a connection attempt is about to start: the engine object it will use. */
  _ensureEngine(): void {
    if (!this.engine || (this.engine._started && this._readyState === "closed")) this.engine = new Engine(this);
  }

  /** @internal runs `f` on the engine now, or once it exists (calls keep their order). */
  _call(f: (w: WasmManager) => void): void {
    if (this._wasm) f(this._wasm);
    else if (this._pending) this._pending.push(f);
  }

  /** @internal hands the current options to the engine; called before every connection attempt. */
  _configure(): void {
    const w = this._wasm;
    if (!w) return;
    const opts = this.opts;
    const q = this._address.query;
    w.configure({
      path: opts.path || "/socket.io",
      // A query in the address replaces the option, as in socket.io-client.
      query: q ? entries(q, lenient) : entries(opts.query),
      transports: transportNames(opts.transports),
      upgrade: opts.upgrade !== false,
      rememberUpgrade: !!opts.rememberUpgrade,
      tryAllTransports: !!opts.tryAllTransports,
      timestampRequests: opts.timestampRequests === undefined ? -1 : +!!opts.timestampRequests,
      timestampParam: opts.timestampParam,
      addTrailingSlash: opts.addTrailingSlash !== false,
      closeOnBeforeunload: !!opts.closeOnBeforeunload,
      ...this._settings,
      timeout: this._settings.timeout === false ? -1 : Number(this._settings.timeout),
      extraHeaders: entries(opts.extraHeaders),
      requestTimeout: opts.requestTimeout ?? -1,
      protocols: opts.protocols === undefined ? [] : ([] as string[]).concat(opts.protocols),
      withCredentials: !!opts.withCredentials,
      useNativeTimers: !!opts.useNativeTimers,
    });
  }

  /** @internal the state the engine reports */
  get _readyState(): "opening" | "open" | "closed" {
    const state = this._wasm?.state(0) ?? 0;
    return state & State.Open ? "open" : state & State.Opening || this._pending?.length ? "opening" : "closed";
  }

  /** @internal */
  get _reconnecting(): boolean {
    return ((this._wasm?.state(0) ?? 0) & State.Reconnecting) !== 0;
  }

  /** Gets or sets automatic reconnection. */
  reconnection(): boolean;
  reconnection(v: boolean): this;
  reconnection(v?: boolean): this | boolean {
    return this._setting("reconnection", v === undefined ? v : !!v);
  }

  /** Gets or sets the number of reconnection attempts. */
  reconnectionAttempts(): number;
  reconnectionAttempts(v: number): this;
  reconnectionAttempts(v?: number): this | number {
    return this._setting("reconnectionAttempts", v);
  }

  /** Gets or sets the first reconnection delay (ms). */
  reconnectionDelay(): number;
  reconnectionDelay(v: number): this;
  reconnectionDelay(v?: number): this | number {
    return this._setting("reconnectionDelay", v);
  }

  /** Gets or sets the jitter factor. */
  randomizationFactor(): number;
  randomizationFactor(v: number): this;
  randomizationFactor(v?: number): this | number {
    return this._setting("randomizationFactor", v);
  }

  /** Gets or sets the longest reconnection delay (ms). */
  reconnectionDelayMax(): number;
  reconnectionDelayMax(v: number): this;
  reconnectionDelayMax(v?: number): this | number {
    return this._setting("reconnectionDelayMax", v);
  }

  /** Gets or sets the connection timeout (ms, or false). */
  timeout(): number | false;
  timeout(v: number | false): this;
  timeout(v?: number | false): this | number | false {
    return this._setting("timeout", v);
  }

  /** Reads a setting, or changes it for the engine at once. */
  private _setting<K extends keyof Settings>(k: K, v: Settings[K] | undefined): this | Settings[K] {
    if (v === undefined) return this._settings[k];
    this._settings[k] = v;
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
    this._ensureEngine();
    this._call((w) => {
      if (DEBUG_BUILD) this._logState();
      this._configure();
      if (!DEBUG_BUILD) w.command(Command.Open, token, false);
      else {
        // (for the debug log's lines)
        this._opening = true;
        try {
          w.command(Command.Open, token, false);
        } finally {
          this._opening = false;
        }
      }
    });
    this._fail();
    return this;
  }

  /** Same as `open`. */
  connect(fn?: (err?: Error) => void): this {
    return this.open(fn);
  }

  /** @internal `open()` is running (its attempt logs no second `readyState`; debug build only) */
  private declare _opening?: boolean;
  /** @internal the id of the last acknowledgement received (debug log) */
  declare _ackId?: number;
  /** @internal the attempt under way is a successful reconnection (debug build only) */
  private declare _reconnected?: boolean;

  /** @internal as socket.io-client logs on every `open()` (debug build only: set below) */
  declare _logState: () => void;

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
    this._call((w) => w.command(Command.Close, 0, false));
  }

  /** Same as `_close`. */
  disconnect(): void {
    this._close();
  }

  protected override _listenerAdded(ev: string | symbol): void {
    if (ev === "packet") this._call((w) => w.command(Command.PacketEvents, 0, true));
  }

  /** @internal the engine's debugging events are wanted (from now on, for every engine). */
  _traceEngine(): void {
    if (this._tracing) return;
    this._tracing = true;
    this._call((w) => w.command(Command.EngineEvents, 0, false));
  }
  /** @internal the engine's debugging events were asked for (unset until then) */
  declare _tracing?: boolean;

  // What user code throws is reported (as an uncaught exception would be) and never unwinds
  // through the engine, which goes on with the next event.
  //
  // What a packet from the server brings (an event, an ack, the namespace's connect, its
  // disconnect by the server) reaches the sockets in a microtask after the frame was read, in
  // order, as socket.io-client hands each decoded packet on in its `nextTick`. A socket's other
  // events (`connect_error`, `disconnect`) follow them in that queue while it is not empty, so a
  // socket sees everything in the order the engine reported it.
  /** @internal */
  _handler() {
    const queue: (() => void)[] = [];
    const run = (f: () => void) => {
      try {
        f();
      } catch (e) {
        report(e);
      }
    };
    const flush = () => {
      for (let i = 0; i < queue.length; i++) run(queue[i]!);
      queue.length = 0;
    };
    const later = (f: () => void) => {
      if (queue.push(f) === 1) void Promise.resolve().then(flush);
    };
    return {
      // An event queued before the socket's `disconnect()` (a listener of an earlier event of the
      // same frame called it) is dropped, as socket.io-client drops it once the socket is closed.
      message: (s: number, args: unknown[], atts: ArrayBuffer[] | undefined, ack: number) => {
        const socket = this._sockets[s];
        const epoch = socket?._epoch;
        later(() => socket?._epoch === epoch && socket?._onMessage(args, atts, ack));
      },
      ack: (s: number, token: number, withError: boolean, args?: unknown[], atts?: ArrayBuffer[], error?: string) =>
        later(() => this._sockets[s]?._onAck(token, withError, args, atts, error)),
      event: (kind: EventKind, s: number, a: unknown, b: unknown) => {
        const fromServer = kind === EventKind.Connect || (kind === EventKind.Disconnect && a === "io server disconnect");
        const perSocket = kind === EventKind.ConnectError || kind === EventKind.Disconnect;
        if (!(fromServer || (perSocket && queue.length))) return run(() => this._event(kind, s, a, b));
        // A listener of an event before it called the socket's `disconnect()`: in socket.io-client
        // that call closes the socket first, so its `disconnect` gives the client's reason.
        const epoch = this._sockets[s]?._epoch;
        later(() =>
          kind === EventKind.Disconnect && this._sockets[s]?._epoch !== epoch
            ? this._event(kind, s, "io client disconnect", undefined)
            : this._event(kind, s, a, b),
        );
      },
    };
  }

  private _event(kind: EventKind, s: number, a: unknown, b: unknown): void {
    const socket = this._sockets[s];
    switch (kind) {
      case EventKind.Opening: {
        // The attempt open() announced keeps the engine it made; a reconnection attempt gets a new one.
        if (!this.engine || this.engine._started) this.engine = new Engine(this as unknown as Manager);
        this.engine._started = true;
        // A reconnection attempt opens from "closed", as socket.io-client's open() logs it.
        if (DEBUG_BUILD && !this._opening) log("readyState closed");
        if (DEBUG_BUILD) log("opening %s", this.uri);
        if (DEBUG_BUILD) {
          const name = this.engine.transport.name;
          if (this._address.host !== "localhost") elog("adding listener for the 'offline' event");
          elog('creating transport "%s"', name);
          elog("options: %j", this.opts);
          elog("setting transport %s", name);
        }
        if (DEBUG_BUILD && this._settings.timeout !== false) log("connect attempt will timeout after %d", this._settings.timeout);
        return;
      }
      case EventKind.Open:
        if (DEBUG_BUILD) elog("socket open");
        if (DEBUG_BUILD) log("open");
        if (DEBUG_BUILD) log("cleanup");
        this.emitReserved("open");
        return;
      case EventKind.Error:
        this.emitReserved("error", toError(a as never));
        return;
      case EventKind.Close:
        if (DEBUG_BUILD) log("closed due to %s", a);
        if (DEBUG_BUILD) log("cleanup");
        this.emitReserved("close", a as string, detail(b));
        return;
      case EventKind.Ping:
        this.emitReserved("ping");
        return;
      case EventKind.ReconnectAttempt:
        if (DEBUG_BUILD) log("attempting reconnect");
        try {
          this.emitReserved("reconnect_attempt", a as number);
        } finally {
          // The attempt opens on the next turn, with the options as the listeners left them.
          this._configure();
        }
        return;
      case EventKind.Reconnect:
        if (DEBUG_BUILD) this._reconnected = true;
        this.emitReserved("reconnect", a as number);
        return;
      case EventKind.ReconnectError:
        this.emitReserved("reconnect_error", toError(a as never));
        return;
      case EventKind.ReconnectFailed:
        this.emitReserved("reconnect_failed");
        return;
      case EventKind.OpenResult: {
        const fn = this._openCbs.get(a as number);
        this._openCbs.delete(a as number);
        if (fn) b === undefined ? fn() : fn(toError(b as never));
        return;
      }
      case EventKind.Packet: {
        const [type, nsp, data, id] = a as [number, string, unknown, number | undefined];
        const packet: { type: number; nsp: string; data?: unknown; id?: number } = { type, nsp };
        if (data !== undefined) {
          packet.data =
            typeof data === "string" ? JSON.parse(data) : withAttachments(data as unknown[], b as ArrayBuffer[] | undefined);
        }
        if (id !== undefined) packet.id = id;
        this.emitReserved("packet", packet);
        return;
      }
      case EventKind.Upgrade:
        this.engine?._emit("upgrade", this.engine._transport(a as string));
        return;
      case EventKind.UpgradeError: {
        const err = toError(a as never) as Error & { transport?: string };
        err.transport = "websocket";
        this.engine?._emit("upgradeError", err);
        return;
      }
      case EventKind.EngineClose:
        if (DEBUG_BUILD) elog('socket close with reason: "%s"', a);
        if (DEBUG_BUILD && this._address.host !== "localhost") elog("removing listener for the 'offline' event");
        this.engine?._emit("close", a as string, detail(b));
        return;
      case EventKind.Connect:
        if (DEBUG_BUILD) slog("socket connected with id %s", socket?.id);
        if (DEBUG_BUILD) slog("draining queue");
        socket?._reserved("connect");
        return;
      case EventKind.ConnectError:
        socket?._reserved("connect_error", toError(a as never));
        return;
      case EventKind.Disconnect:
        if (DEBUG_BUILD) slog("close (%s)", a);
        socket?._reserved("disconnect", a as Socket.DisconnectReason, detail(b));
        return;
      case EventKind.Auth:
        socket?._onAuth(a as number);
        return;
      case EventKind.Outgoing:
        socket?._onOutgoing(a as [string, unknown[]]);
        return;
    }
    if (DEBUG_BUILD && kind === EventKind.ReconnectDelay) log("will wait %dms before reconnect attempt", a);
    const engine = this.engine;
    if (!engine) return;
    switch (kind) {
      case EventKind.EnginePacket: {
        const packet = enginePacket(a as string, b);
        if (DEBUG_BUILD) elog('socket receive: type "%s", data "%s"', packet.type, packet.data);
        if (DEBUG_BUILD && log !== off && typeof packet.data === "string") {
          // The id of an acknowledgement, for the socket's "calling ack" line.
          const ack = /^[36](?:\d+-)?(?:\/[^,]*,)?(\d+)/.exec(packet.data);
          if (ack) this._ackId = Number(ack[1]);
        }
        engine._emit("packet", packet);
        engine._emit("heartbeat");
        if (packet.type === "open") engine._emit("handshake", JSON.parse(packet.data as string));
        else if (packet.type === "message") {
          engine._emit("data", packet.data as string);
          engine._emit("message", packet.data as string);
        }
        return;
      }
      case EventKind.EnginePacketCreate: {
        const packet = enginePacket(a as string, b);
        if (DEBUG_BUILD && log !== off && typeof packet.data === "string") logPacket(packet.data);
        packet.options = { compress: true };
        engine._emit("packetCreate", packet);
        return;
      }
      case EventKind.EngineFlush:
        if (DEBUG_BUILD) elog("flushing %d packets in socket", a);
        engine._emit("flush");
        return;
      case EventKind.EngineDrain:
        engine._emit("drain");
        return;
      case EventKind.EnginePing:
        engine._emit("ping");
        engine._emit("pong");
        return;
      case EventKind.EngineOpen:
        engine._opened = true;
        if (DEBUG_BUILD && this._reconnected) log("reconnect success");
        if (DEBUG_BUILD) this._reconnected = false;
        if (DEBUG_BUILD && this.opts.upgrade !== false) elog("starting upgrade probes");
        engine._emit("open");
        return;
      case EventKind.EngineUpgrading:
        engine._emit("upgrading", { name: a as string });
        return;
      case EventKind.EngineError:
        engine._emit("error", toError(a as never));
        return;
    }
  }
}

if (DEBUG_BUILD) {
  Manager.prototype._logState = function (this: Manager) {
    log("readyState %s", this._readyState);
  };
}

export { TransportError };
export type { AnyFn };
