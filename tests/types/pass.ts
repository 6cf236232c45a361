// Type tests that must compile, with no error, against the built package (pkg/*.d.ts) AND against
// socket.io-client 4.8.4's own declarations: tests/types/check.mjs compiles this file twice, with
// "socketio-wasm" resolved to each. Everything here is therefore socket.io-client's typed API, and a
// failure against pkg/ only is a drop-in bug in our declarations. (socketio-wasm's additions are in
// pass-extras.ts; the errors user code must get are in fail.ts.)
//
// Never run: the assertions are types (`assert<Equal<A, B>>()` compiles only when A and B are the
// same type).

import { io, connect, Manager, Socket, Fetch, XHR, WebSocket, WebTransport, protocol } from "socketio-wasm";
import defaultIo from "socketio-wasm";
import { io as debugIo, Socket as DebugSocket } from "socketio-wasm/debug";
import type {
  DisconnectDescription,
  ExtendedError,
  ManagerOptions,
  ManagerReservedEvents,
  SocketOptions,
  SocketReservedEvents,
} from "socketio-wasm";
import { assert, value, type Equal, type IsAny } from "./helpers.js";

/** The shape of socket.io-client's DefaultEventsMap (which the reference does not re-export). */
interface Untyped {
  [event: string]: (...args: any[]) => void;
}

// ---- the entry with debug logging ------------------------------------------------------------------

export function debugEntry(): void {
  // `socket.io-client/debug` has the same API as the default entry.
  const s = debugIo("http://localhost:3000", { transports: ["websocket"] });
  assert<Equal<typeof s, DebugSocket<Untyped, Untyped>>>();
  s.emit("hello", 1);
}

// ---- io() overloads -----------------------------------------------------------------------------

export function overloads(): void {
  const a = io();
  const b = io("https://example.com");
  const c = io({ forceNew: true });
  const d = io("https://example.com/admin", { forceNew: true, auth: { token: "abc" } });
  const e = io(value<string | undefined>());
  const f = io(undefined, { path: "/custom" });
  const g = connect("https://example.com");
  const h = defaultIo({ autoConnect: false });
  assert<Equal<typeof a, Socket>>();
  assert<Equal<typeof b, Socket>>();
  assert<Equal<typeof c, Socket>>();
  assert<Equal<typeof d, Socket>>();
  assert<Equal<typeof e, Socket>>();
  assert<Equal<typeof f, Socket>>();
  assert<Equal<typeof g, Socket>>();
  assert<Equal<typeof h, Socket>>();
  // the default socket is untyped on both sides
  assert<Equal<typeof a, Socket<Untyped, Untyped>>>();
  assert<Equal<Socket<Untyped>, Socket<Untyped, Untyped>>>();
}

// ---- untyped sockets accept anything ------------------------------------------------------------

export async function untyped(): Promise<void> {
  const socket = io();

  socket.on("random", (a, b, c) => {
    assert<IsAny<typeof a>>();
    assert<IsAny<typeof b>>();
    assert<IsAny<typeof c>>();
  });
  enum Events {
    TEST = "test",
  }
  socket.on(Events.TEST, (a) => assert<IsAny<typeof a>>());
  socket.once("once", (...args) => assert<Equal<typeof args, any[]>>());
  // listeners may be async
  socket.on("async", async (x) => {
    await Promise.resolve(x);
  });

  socket.emit("random", 1, "2", [3], { four: new Uint8Array(4) }, new ArrayBuffer(5));
  socket.emit("no parameters");
  // The ack callback of an untyped event has no contextual type: under `strict` (noImplicitAny) its
  // parameters need annotations, with socket.io-client too (fail.ts has the unannotated form).
  socket.emit("ack", "1", 2, (c: unknown, d: unknown) => {});
  socket.emit("ack", "1", 2, (c: any, d: string) => {});
  socket.timeout(1000).emit("ack", "1", 2, (err: Error, c: any) => {});
  socket.timeout(1000).emit("ack", (err: Error | null) => {});

  const v1 = await socket.emitWithAck("ack", "1", 2);
  assert<IsAny<typeof v1>>();
  const v2 = await socket.timeout(1000).emitWithAck("ack", "3", 4);
  assert<IsAny<typeof v2>>();
  const v3 = await socket.emitWithAck("no arguments");
  assert<IsAny<typeof v3>>();

  socket.send("hi", { there: true });
}

// ---- reserved socket events ---------------------------------------------------------------------

export function reserved(): void {
  const socket = io();

  socket.on("connect", () => {});
  socket.once("connect", () => {});
  socket.on("connect_error", (err) => {
    assert<Equal<typeof err, ExtendedError>>();
    const message: string = err.message;
    // the server's middleware data (`next(err)` with `err.data`)
    assert<IsAny<typeof err.data>>();
    void message;
  });
  socket.on("connect_error", (err: Error) => {});
  socket.on("disconnect", (reason, description) => {
    assert<Equal<typeof reason, Socket.DisconnectReason>>();
    assert<Equal<typeof description, DisconnectDescription | undefined>>();
    if (reason === "io server disconnect") socket.connect();
    if (description instanceof Error) {
      const m: string = description.message;
      void m;
    } else if (description) {
      const d: string = description.description;
      const ctx: unknown = description.context;
      void d, ctx;
    }
  });
  socket.on("disconnect", (reason: string) => {});
  socket.on("disconnect", () => {});

  assert<
    Equal<
      Socket.DisconnectReason,
      "io server disconnect" | "io client disconnect" | "ping timeout" | "transport close" | "transport error" | "parse error"
    >
  >();
  assert<Equal<Parameters<SocketReservedEvents["connect_error"]>, [err: ExtendedError]>>();
  assert<Equal<Parameters<SocketReservedEvents["connect"]>, []>>();
  assert<Equal<Parameters<SocketReservedEvents["disconnect"]>[0], Socket.DisconnectReason>>();
  assert<Equal<ExtendedError["data"], any>>();

  const listeners = socket.listeners("connect_error");
  listeners[0]?.(new Error("x"));
  socket.off("connect_error", listeners[0]);
  socket.off("connect");
  socket.off();
  socket.removeListener("disconnect");
  socket.removeAllListeners("connect");
  socket.removeAllListeners();
  const has: boolean = socket.hasListeners("connect");
  void has;
}

// ---- one map for both directions ----------------------------------------------------------------

interface BidirectionalEvents {
  random: (a: number, b: string, c: number[]) => void;
}

export function bidirectional(): void {
  const socket: Socket<BidirectionalEvents> = io();
  assert<Equal<typeof socket, Socket<BidirectionalEvents, BidirectionalEvents>>>();

  socket.on("random", (a, b, c) => {
    assert<Equal<typeof a, number>>();
    assert<Equal<typeof b, string>>();
    assert<Equal<typeof c, number[]>>();
  });
  socket.on("random", (a) => {});
  socket.emit("random", 1, "2", [3]);
  // reserved events are still there
  socket.on("connect", () => socket.emit("random", 1, "x", []));
  socket.on("connect_error", (err) => assert<Equal<typeof err, ExtendedError>>());
}

// ---- separate listen and emit maps --------------------------------------------------------------

interface ServerToClientEvents {
  noArg: () => void;
  hello: (message: string, x: number) => void;
  binary: (data: ArrayBuffer, meta: { name: string }) => void;
  // the server asks the client for an acknowledgement
  question: (q: string, answer: (reply: number) => void) => void;
}

interface ClientToServerEvents {
  helloFromClient: (message: string) => void;
  ackFromClient: (a: string, b: number, ack: (c: string, d: boolean) => void) => void;
  ackFromClientSingleArg: (a: string, b: number, ack: (c: string) => void) => void;
  ackFromClientNoArg: (ack: () => void) => void;
  ackObject: (query: { id: number }, ack: (res: { ok: boolean; items: string[] }) => void) => void;
  optional: (a: string, b?: number) => void;
  rest: (...values: number[]) => void;
}

export async function listenAndEmit(): Promise<void> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io("https://example.com");
  assert<Equal<typeof socket, Socket<ServerToClientEvents, ClientToServerEvents>>>();

  // on(): the listen map
  socket.on("noArg", () => {});
  socket.on("hello", (message, x) => {
    assert<Equal<typeof message, string>>();
    assert<Equal<typeof x, number>>();
  });
  socket.on("binary", (data, meta) => {
    assert<Equal<typeof data, ArrayBuffer>>();
    assert<Equal<typeof meta, { name: string }>>();
  });
  socket.on("question", (q, answer) => {
    assert<Equal<typeof q, string>>();
    answer(q.length);
  });
  socket.once("hello", (message) => assert<Equal<typeof message, string>>());
  const hello = (message: string, x: number): void => {};
  socket.on("hello", hello);
  socket.off("hello", hello);
  socket.off("hello");
  const hl = socket.listeners("hello");
  assert<Equal<typeof hl, Array<(message: string, x: number) => void>>>();

  // emit(): the emit map, with the ack callback last
  socket.emit("helloFromClient", "hi");
  socket.emit("ackFromClient", "1", 2, (c, d) => {
    assert<Equal<typeof c, string>>();
    assert<Equal<typeof d, boolean>>();
  });
  socket.emit("ackFromClientNoArg", () => {});
  socket.emit("optional", "a");
  socket.emit("optional", "a", 1);
  socket.emit("rest");
  socket.emit("rest", 1, 2, 3);
  socket.volatile.emit("helloFromClient", "volatile");
  socket.compress(false).emit("helloFromClient", "uncompressed");

  // timeout(): every ack callback gets an Error first
  socket.timeout(1000).emit("ackFromClient", "1", 2, (err, c, d) => {
    assert<Equal<typeof err, Error>>();
    assert<Equal<typeof c, string>>();
    assert<Equal<typeof d, boolean>>();
  });
  socket.timeout(1000).emit("ackFromClientNoArg", (err) => assert<Equal<typeof err, Error>>());
  socket.timeout(1000).emit("helloFromClient", "no ack, still fine");
  const timed = socket.timeout(1000);
  assert<Equal<typeof timed.io, Manager<ServerToClientEvents, ClientToServerEvents>>>();
  timed.volatile.emit("ackFromClientNoArg", (err) => assert<Equal<typeof err, Error>>());

  // emitWithAck(): resolves to the ack's (first) argument
  const value1 = await socket.emitWithAck("ackFromClientSingleArg", "1", 2);
  assert<Equal<typeof value1, string>>();
  const value2 = await socket.emitWithAck("ackObject", { id: 7 });
  assert<Equal<typeof value2, { ok: boolean; items: string[] }>>();
  const p = socket.emitWithAck("ackFromClientSingleArg", "1", 2);
  assert<Equal<typeof p, Promise<string>>>();
  // After timeout() socket.io-client 4.8 resolves to `any`; socketio-wasm to the ack's argument
  // (exact types in pass-extras.ts). Both fit here.
  const value3: string = await socket.timeout(1000).emitWithAck("ackFromClientSingleArg", "3", 4);
  const value4: { ok: boolean } = await socket.timeout(1000).emitWithAck("ackObject", { id: 8 });
  void value3, value4;

  // the typed socket's manager keeps the maps
  assert<Equal<typeof socket.io, Manager<ServerToClientEvents, ClientToServerEvents>>>();
}

// ---- the manager: events, options and methods ---------------------------------------------------

export function managerEvents(): void {
  const socket = io();
  const manager = socket.io;

  manager.on("open", () => {});
  manager.on("error", (err) => assert<Equal<typeof err, Error>>());
  manager.on("ping", () => {});
  manager.on("packet", (packet) => {
    const nsp: string = packet.nsp;
    const id: number | undefined = packet.id;
    const type: number = packet.type;
    void nsp, id, type, packet.data;
  });
  manager.on("close", (reason, description) => {
    assert<Equal<typeof reason, string>>();
    assert<Equal<typeof description, DisconnectDescription | undefined>>();
  });
  manager.on("reconnect_attempt", (attempt) => assert<Equal<typeof attempt, number>>());
  manager.on("reconnect_attempt", (n: number) => {});
  manager.on("reconnect", (attempt) => assert<Equal<typeof attempt, number>>());
  manager.on("reconnect_error", (err) => assert<Equal<typeof err, Error>>());
  manager.on("reconnect_failed", () => {});
  manager.once("reconnect", () => {});
  manager.off("reconnect_attempt");
  manager.off();

  assert<Equal<Parameters<ManagerReservedEvents["reconnect_attempt"]>, [attempt: number]>>();
  assert<Equal<Parameters<ManagerReservedEvents["reconnect_error"]>, [err: Error]>>();
  assert<Equal<Parameters<ManagerReservedEvents["close"]>, [reason: string, description?: DisconnectDescription]>>();
}

export function managerApi(): void {
  const manager = new Manager("https://example.com", { reconnectionDelayMax: 10000, autoConnect: false });
  const manager2 = new Manager({ path: "/x" });
  const manager3 = new Manager();
  void manager2, manager3;

  const socket = manager.socket("/");
  const admin = manager.socket("/admin", { auth: { token: "123" }, retries: 3, ackTimeout: 1000 });
  admin.emit("anything", 1);
  socket.connect();

  const typed: Socket<ServerToClientEvents, ClientToServerEvents> = manager.socket("/typed");
  typed.emit("helloFromClient", "x");

  // getters and chained setters
  const r: boolean = manager.reconnection();
  const n: number = manager.reconnectionAttempts();
  const d: number = manager.reconnectionDelay();
  const dm: number = manager.reconnectionDelayMax();
  const f: number = manager.randomizationFactor();
  const t: number | boolean = manager.timeout();
  void r, n, d, dm, f, t;
  manager
    .reconnection(false)
    .reconnectionAttempts(5)
    .reconnectionDelay(100)
    .reconnectionDelayMax(1000)
    .randomizationFactor(0.2)
    .timeout(5000);
  manager.open((err) => {
    if (err) {
      const m: string = err.message;
      void m;
    }
  });
  manager.open();
  manager.connect(() => {});
  const path: string | undefined = manager.opts.path;
  void path;

  // the engine
  const engine = socket.io.engine;
  const name: string = engine.transport.name;
  void name;
  engine.on("upgrade", (transport) => {
    const upgradedTo: string = transport.name;
    void upgradedTo;
  });
  engine.once("upgrade", () => {});
  engine.on("close", (reason) => {
    const r2: string = reason;
    void r2;
  });
  const sid: string | undefined = engine.id;
  void sid;
  engine.close();
}

// ---- options ------------------------------------------------------------------------------------

export function options(): void {
  // every option of socket.io-client 4.8 (ManagerOptions extends engine.io-client's SocketOptions)
  const all: Partial<ManagerOptions & SocketOptions> = {
    // manager
    forceNew: true,
    multiplex: false,
    path: "/socket.io",
    reconnection: true,
    reconnectionAttempts: Infinity,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    randomizationFactor: 0.5,
    timeout: 20000,
    autoConnect: true,
    parser: undefined,
    // engine
    host: "example.com",
    hostname: "example.com",
    secure: true,
    port: 443,
    query: { a: "b", n: 1 },
    agent: false,
    upgrade: true,
    forceBase64: false,
    timestampParam: "t",
    timestampRequests: true,
    transports: ["polling", "websocket", "webtransport"],
    transportImplementations: [],
    tryAllTransports: false,
    rememberUpgrade: false,
    requestTimeout: 0,
    transportOptions: {},
    pfx: "",
    key: "",
    passphrase: "",
    cert: "",
    ca: [""],
    ciphers: "",
    rejectUnauthorized: true,
    extraHeaders: { "x-token": "abc" },
    withCredentials: true,
    closeOnBeforeunload: false,
    useNativeTimers: false,
    autoUnref: false,
    perMessageDeflate: { threshold: 1024 },
    addTrailingSlash: true,
    protocols: ["chat"],
    // socket
    auth: { token: "abc", n: 1, nested: { deep: true } },
    retries: 3,
    ackTimeout: 10000,
  };
  io(all);
  io("https://example.com", all);
  io({ port: "8080", ca: "x", protocols: "chat" });

  // auth as a function, asked on every connection
  io({ auth: (cb) => cb({ token: localStorage.getItem("token") }) });
  // transports as classes
  io({ transports: [WebSocket] });
  io({ transports: [Fetch, WebSocket] });
  io({ transports: [XHR] });
  io({ transports: [WebTransport, WebSocket] });
  // a manager option alone
  const mo: Partial<ManagerOptions> = { reconnectionDelay: 1, transports: ["websocket"] };
  const so: Partial<SocketOptions> = { auth: {}, retries: 1 };
  io({ ...mo, ...so });
  assert<Equal<SocketOptions["retries"], number | undefined>>();
  assert<Equal<ManagerOptions["reconnectionDelay"], number>>();

  const p: number = protocol;
  void p;
}

// ---- socket state and the other methods ---------------------------------------------------------

export function socketApi(): void {
  const socket = io();

  const id: string | undefined = socket.id;
  const connected: boolean = socket.connected;
  const disconnected: boolean = socket.disconnected;
  const active: boolean = socket.active;
  const recovered: boolean = socket.recovered;
  void id, connected, disconnected, active, recovered;

  socket.auth = { token: "new" };
  socket.auth = (cb) => cb({ token: "from a function" });
  const auth = socket.auth;
  if (typeof auth !== "function") {
    const token = auth.token;
    assert<IsAny<typeof token>>();
  }
  socket.sendBuffer = [];
  const queued = socket.sendBuffer.length;
  const received = socket.receiveBuffer.length;
  void queued, received;

  socket.connect().disconnect().open().close();
  socket.send("message", 1);

  const any = (event: string, ...args: any[]) => {};
  socket.onAny(any);
  socket.prependAny((event, ...args) => {});
  socket.offAny(any);
  socket.offAny();
  const la: Array<(...args: any[]) => void> = socket.listenersAny();
  socket.onAnyOutgoing(any);
  socket.prependAnyOutgoing(any);
  socket.offAnyOutgoing(any);
  socket.offAnyOutgoing();
  const lo: Array<(...args: any[]) => void> = socket.listenersAnyOutgoing();
  void la, lo;

  // typed sockets go where an untyped one is expected, and back
  const typed: Socket<ServerToClientEvents, ClientToServerEvents> = io();
  let untyped: Socket = io();
  untyped = typed as Socket;
  void untyped;
  let nullable: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  nullable = io();
  void nullable;
}
