/**
 * The engine side of a shared connection: one `WasmManager` per key (address + options) and the
 * tabs attached to it, each a `Client` that js/shared.ts drives over a message port. It runs in the
 * SharedWorker (js/shared-worker.ts) or, where SharedWorker is missing, in the tab elected owner.
 *
 * A tab's Manager and Socket are the ordinary ones (js/manager.ts, js/socket.ts) running on a
 * stand-in engine (`Remote` in js/shared.ts); their calls arrive here as messages and the engine's
 * events go back to the tabs they concern:
 *
 * - server events and the lifecycle events go to every tab attached to the namespace (binary
 *   attachments are transferred to the last tab and copied for the others);
 * - acks go to the tab that asked (the hub renumbers the tokens), and the server's ack requests are
 *   answered by the first tab that answers;
 * - the auth payload is asked from the longest-attached live tab of the namespace;
 * - every event that can change the state carries a snapshot of it (`st`), which the tab reads for
 *   `socket.id`, `connected`, `active`, the manager state and the transport.
 *
 * A tab is gone when the hub is granted the Web Lock the tab holds for its lifetime: its pending
 * acks are forgotten, its namespaces released, and the connection closes with its last tab.
 *
 * Nothing here imports the engine: the glue's parts are given to the constructor, so that the tab's
 * code (which has them already) does not load a second copy.
 */
import { Command, EventKind, State, Text } from "./wasm.js";
import type { WasmManager, whenReady } from "./wasm.js";

/** Sends a message to a tab, moving the buffers in `transfer`. */
export type Post = (m: unknown, transfer?: Transferable[]) => void;

/** A tab's view of a connection: `State` bits (the manager's are read), engine id, transport, socket [sid, bits]. */
export interface Snapshot {
  m: number;
  e?: string;
  t?: string;
  s: Array<[string | undefined, number] | undefined>;
}

/** The first message of a tab. */
export interface Hello {
  t: "hello";
  key: string;
  uri: string;
  /** The address's parts, as js/url.ts resolved them (see \`WasmManager\`'s constructor). */
  address: object;
  cfg: object;
  lock?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = Record<string, any>;
type Bytes = ArrayBuffer[] | undefined;

/** An outgoing payload's values as the hub hands them to the engine: the tab that emitted, its values. */
interface Mark {
  c: Client;
  v: unknown[] | undefined;
}

export class Hub {
  private conns = new Map<string, Conn>();
  private ids = 0;

  constructor(
    /** @internal */ readonly W: typeof WasmManager,
    /** @internal */ readonly ready: typeof whenReady,
  ) {}

  /** A tab attaches: its connection (made for the first tab of the key), and a client for its messages. */
  attach(post: Post, hello: Hello): Client {
    let conn = this.conns.get(hello.key);
    if (!conn) {
      conn = new Conn(this, hello);
      this.conns.set(hello.key, conn);
    }
    const c = new Client(conn, post, ++this.ids);
    conn.clients.push(c);
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    // Granted when the tab that holds it is gone (closed, crashed or navigated away).
    if (hello.lock && locks) void locks.request(hello.lock, () => c.gone());
    return c;
  }

  /** @internal */
  _drop(conn: Conn): void {
    if (this.conns.get(conn.key) === conn) this.conns.delete(conn.key);
  }

  /** The number of connections (for tests and figures). */
  get size(): number {
    return this.conns.size;
  }
}

/** One connection and the tabs on it. */
class Conn {
  readonly key: string;
  clients: Client[] = [];
  w?: WasmManager;
  private q: Array<(w: WasmManager) => void> | undefined = [];
  /** namespace -> engine socket */
  private nsps = new Map<string, number>();
  /** engine token -> [client, tab socket, tab token] */
  acks = new Map<number, [Client, number, number]>();
  private seq = 0;
  /** open tokens -> [client, tab token] */
  private opens = new Map<number, [Client, number]>();
  /** server events waiting for an ack: "socket:id" */
  private awaiting = new Set<string>();
  /** engine socket -> [auth seq, client asked] */
  private auth = new Map<number, [number, Client | undefined]>();
  private closed = false;

  constructor(
    readonly hub: Hub,
    hello: Hello,
  ) {
    this.key = hello.key;
    hub.ready((err) => {
      const q = this.q ?? [];
      this.q = undefined;
      if (this.closed) return;
      if (err) {
        for (const c of this.clients) c.post({ t: "fail", x: err.message });
        return;
      }
      const w = new hub.W(hello.address, this.handler());
      w.configure(hello.cfg);
      this.w = w;
      for (const f of q) f(w);
    });
  }

  call(f: (w: WasmManager) => void): void {
    if (this.w) f(this.w);
    else this.q?.push(f);
  }

  token(): number {
    this.seq = (this.seq % 0xfffffffe) + 1;
    return this.seq;
  }

  /** The engine socket of a namespace. */
  socket(w: WasmManager, nsp: string, retries: number, ackTimeout: number): number {
    let h = this.nsps.get(nsp);
    if (h === undefined) {
      h = w.socket(nsp, retries, ackTimeout);
      this.nsps.set(nsp, h);
    }
    return h;
  }

  wanted(h: number): boolean {
    return this.clients.some((c) => c.want.has(h));
  }

  snapshot(c: Client): Snapshot | undefined {
    const w = this.w;
    if (!w) return undefined;
    return { m: w.state(0), e: w.text(Text.EngineId, 0), t: w.text(Text.Transport, 0), s: c.handles.map((h) => [w.text(Text.Sid, h), w.state(h)]) };
  }

  /** A tab no longer listens to namespace `h`: its acks there are dropped, and the socket closes with its last tab. */
  release(c: Client, h: number): void {
    if (!c.want.delete(h)) return;
    const s = c.rev.get(h);
    for (const [g, e] of this.acks) if (e[0] === c && e[1] === s) this.acks.delete(g);
    if (this.auth.get(h)?.[1] === c) this.ask(h);
    if (!this.wanted(h)) {
      for (const k of this.awaiting) if (k.startsWith(h + ":")) this.awaiting.delete(k);
      this.w?.command(Command.Disconnect, h, false);
    }
  }

  remove(c: Client): void {
    const i = this.clients.indexOf(c);
    if (i < 0) return;
    for (const h of [...c.want]) this.release(c, h);
    this.clients.splice(i, 1);
    for (const [g, e] of this.opens) if (e[0] === c) this.opens.delete(g);
    for (const [g, e] of this.acks) if (e[0] === c) this.acks.delete(g);
    if (this.clients.length === 0) {
      this.closed = true;
      this.hub._drop(this);
      const w = this.w;
      if (w) {
        w.command(Command.Close, 0, false);
        // Freed once the close has been written.
        setTimeout(() => w.free(), 2000);
      }
    }
  }

  /** Asks the longest-attached tab of namespace `h` for the auth payload of the pending connect. */
  ask(h: number): void {
    const pending = this.auth.get(h);
    if (!pending) return;
    const c = this.clients.find((x) => x.want.has(h));
    pending[1] = c;
    if (c) c.post({ t: "ev", k: EventKind.Auth, s: c.rev.get(h), a: pending[0] });
    else {
      this.auth.delete(h);
      this.w?.authResponse(h, pending[0], undefined);
    }
  }

  answerAuth(c: Client, h: number, seq: number, data: string | undefined): void {
    const pending = this.auth.get(h);
    if (!pending || pending[0] !== seq || pending[1] !== c) return;
    this.auth.delete(h);
    this.w?.authResponse(h, seq, data);
  }

  answer(h: number, id: number): boolean {
    return this.awaiting.delete(h + ":" + id);
  }

  open(c: Client, w: WasmManager, token: number): void {
    c.closed = false;
    if (w.state(0) & State.Open) {
      // Already open: this tab sees what the others saw.
      const st = this.snapshot(c);
      c.post({ t: "ev", k: EventKind.Opening, s: 0, st });
      c.post({ t: "ev", k: EventKind.Open, s: 0, st });
      if (token) c.post({ t: "ev", k: EventKind.OpenResult, s: 0, a: token, st });
      return;
    }
    // Opening, or closed: the tab gets the events of the attempt with the others.
    let g = 0;
    if (token) {
      g = this.token();
      this.opens.set(g, [c, token]);
    }
    w.command(Command.Open, g, false);
  }

  private handler() {
    const live = () => this.clients.filter((c) => !c.closed);
    const on = (h: number) => this.clients.filter((c) => c.want.has(h));
    return {
      message: (h: number, args: unknown[], atts: Bytes, ack: number) => {
        if (ack >= 0) this.awaiting.add(h + ":" + ack);
        const to = on(h);
        to.forEach((c, i) =>
          c.post({ t: "msg", s: c.rev.get(h), a: args, b: atts, i: ack }, i === to.length - 1 ? atts : undefined),
        );
      },
      ack: (_h: number, g: number, withError: boolean, args?: unknown[], atts?: Bytes, error?: string) => {
        const e = this.acks.get(g);
        if (!e) return;
        this.acks.delete(g);
        e[0].post({ t: "ack", s: e[1], k: e[2], e: withError, a: args, b: atts, x: error }, atts);
      },
      event: (kind: EventKind, h: number, a: unknown, b: unknown) => {
        switch (kind) {
          case EventKind.Connect:
          case EventKind.ConnectError:
          case EventKind.Disconnect:
            if (kind === EventKind.Disconnect) for (const k of this.awaiting) if (k.startsWith(h + ":")) this.awaiting.delete(k);
            for (const c of on(h)) c.post({ t: "ev", k: kind, s: c.rev.get(h), a, b, st: this.snapshot(c) });
            return;
          case EventKind.Auth:
            this.auth.set(h, [a as number, undefined]);
            this.ask(h);
            return;
          case EventKind.Outgoing: {
            const [json, mark] = a as [string, Mark];
            const c = mark.c;
            if (c.want.has(h) && c.out.has(h)) c.post({ t: "ev", k: kind, s: c.rev.get(h), a: [json, mark.v] });
            return;
          }
          case EventKind.OpenResult: {
            const e = this.opens.get(a as number);
            this.opens.delete(a as number);
            if (e) e[0].post({ t: "ev", k: kind, s: 0, a: e[1], b, st: this.snapshot(e[0]) });
            return;
          }
          case EventKind.Packet:
            for (const c of this.clients) if (c.packets) c.post({ t: "ev", k: kind, s: 0, a, b });
            return;
          // The engine's debugging events, to the tabs that listen to them.
          case EventKind.EnginePacket:
          case EventKind.EnginePacketCreate:
          case EventKind.EngineFlush:
          case EventKind.EngineDrain:
          case EventKind.EnginePing:
          case EventKind.EngineOpen:
          case EventKind.EngineUpgrading:
          case EventKind.EngineError:
          case EventKind.ReconnectDelay:
            for (const c of this.clients) if (c.engine) c.post({ t: "ev", k: kind, s: 0, a, b });
            return;
          default: {
            const snap = kind !== EventKind.Ping;
            for (const c of live()) c.post({ t: "ev", k: kind, s: 0, a, b, st: snap ? this.snapshot(c) : undefined });
          }
        }
      },
    };
  }
}

/** A tab's Manager attached to a connection. */
export class Client {
  /** tab socket -> engine socket */
  handles: number[] = [];
  /** engine socket -> tab socket */
  rev = new Map<number, number>();
  /** engine sockets this tab is connected (or connecting) to */
  want = new Set<number>();
  /** engine sockets with onAnyOutgoing listeners in this tab */
  out = new Set<number>();
  packets = false;
  /** the tab wants the engine's debugging events */
  engine = false;
  /** the tab closed its manager (`io.disconnect()`) */
  closed = false;
  private dead = false;

  constructor(
    private conn: Conn,
    readonly post: Post,
    readonly id: number,
  ) {}

  /** The tab is gone. */
  gone(): void {
    if (this.dead) return;
    this.dead = true;
    this.conn.remove(this);
  }

  /** A message from the tab. */
  recv(m: Msg): void {
    if (this.dead) return;
    const conn = this.conn;
    conn.call((w) => {
      if (this.dead) return;
      // The tab names only sockets it created ("socket" comes first).
      const h = this.handles[m.s as number] as number;
      switch (m.t) {
        case "socket": {
          const e = conn.socket(w, m.n, m.r, m.a);
          this.handles[m.s] = e;
          this.rev.set(e, m.s);
          return;
        }
        case "cfg":
          if (conn.clients[0] === this) w.configure(m.c);
          return;
        case "open":
          conn.open(this, w, m.k);
          break;
        case "close":
          this.closed = true;
          for (const x of [...this.want]) conn.release(this, x);
          if (conn.clients.every((c) => c.closed)) w.command(Command.Close, 0, false);
          break;
        case "connect": {
          this.closed = false;
          this.want.add(h);
          const state = w.state(h);
          if (state & State.Connected) this.post({ t: "ev", k: EventKind.Connect, s: m.s, st: conn.snapshot(this) });
          else if (!(state & State.Active)) w.command(Command.Connect, h, false);
          break;
        }
        case "disconnect":
          conn.release(this, h);
          break;
        case "emit": {
          let g = 0;
          if (m.k) {
            g = conn.token();
            conn.acks.set(g, [this, m.s, m.k]);
          }
          const mark: Mark = { c: this, v: m.v };
          w.emit(h, [m.j, mark], m.b, g, m.e, m.vo, m.to);
          return;
        }
        case "ack":
          if (conn.answer(h, m.i)) w.ack(h, m.i, [m.j, undefined], m.b);
          return;
        case "auth":
          conn.answerAuth(this, h, m.q, m.d);
          return;
        case "out":
          if (m.on) this.out.add(h);
          else this.out.delete(h);
          w.command(Command.OutgoingEvents, h, conn.clients.some((c) => c.out.has(h)));
          return;
        case "engine":
          this.engine = true;
          w.command(Command.EngineEvents, 0, false);
          return;
        case "packets":
          this.packets = true;
          w.command(Command.PacketEvents, 0, true);
          return;
        case "clear":
          w.command(Command.ClearSendBuffer, h, false);
          return;
        case "closeEngine":
          w.command(Command.CloseEngine, 0, false);
          return;
        default:
          return;
      }
      // The commands that change the state are answered with it.
      this.post({ t: "st", st: conn.snapshot(this) });
    });
  }
}
