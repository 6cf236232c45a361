import { Emitter, type AnyFn, type DefaultEventsMap, type EventNames, type EventParams, type EventsMap } from "./emitter.js";
import { hasBlobs, readBlobs, serialize, withAttachments, type Attachment } from "./binary.js";
import { ackError, report } from "./errors.js";
import { debug, off } from "./debug.js";
import type { Manager } from "./manager.js";
import { Command, RESERVED, State, Text } from "./wasm.js";

/** Options of a namespace socket. */
export interface SocketOptions {
  /** Sent with every connection: an object, or a function asked on every connect. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  auth?: { [key: string]: any } | ((cb: (data: object) => void) => void);
  /** Re-send an emit this many times until it is acknowledged (use with `ackTimeout`). */
  retries?: number;
  /** The default timeout (ms) of every emit that waits for an acknowledgement. */
  ackTimeout?: number;
}

/** The second argument of the `disconnect` event. */
export type DisconnectDescription = Error | { description: string; context?: unknown };

/**
 * The error of a `connect_error` event. When the server's middleware refused the connection with
 * `next(err)`, `data` is the server's `err.data` (the error is then a `ConnectionRefusedError`).
 */
export interface ExtendedError extends Error {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
}

/** The events every socket has. */
export interface SocketReservedEvents {
  connect: () => void;
  connect_error: (err: ExtendedError) => void;
  disconnect: (reason: Socket.DisconnectReason, description?: DisconnectDescription) => void;
}

/** Prefixes the parameters of each callback in a tuple with `err: Error`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PrependTimeoutError<T extends any[]> = {
  [K in keyof T]: T[K] extends (...args: infer P) => infer R ? (err: Error, ...args: P) => R : T[K];
};

/** The events map where every acknowledgement callback also receives an error first. */
export type DecorateAcknowledgements<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R ? (...args: PrependTimeoutError<P>) => R : E[K];
};

// The fallbacks are `any`, as in socket.io-client: an untyped socket's `emitWithAck` resolves to `any`.
/* eslint-disable @typescript-eslint/no-explicit-any */
/** The last element of a tuple. */
export type Last<T extends any[]> = T extends [...infer _H, infer L] ? L : any;
/** A tuple without its last element. */
export type AllButLast<T extends any[]> = T extends [...infer H, infer _L] ? H : any[];
/** The type of a one-argument callback's argument. */
export type FirstArg<T> = T extends (arg: infer P) => unknown ? P : any;

/**
 * What `emitWithAck` resolves to, given the event's ack callback: its first argument. After
 * `timeout()` the callback is `(err: Error, ...args) => void` (see `DecorateAcknowledgements`), and
 * the value is the argument after the error (socket.io-client 4.8 says `any` there).
 */
export type AckValue<T> = 0 extends 1 & T
  ? any
  : T extends (err: Error, ...args: infer A) => unknown
    ? (<U>() => U extends Parameters<T>[0] ? 1 : 2) extends <U>() => U extends Error ? 1 : 2
      ? A extends []
        ? FirstArg<T>
        : A[0]
      : FirstArg<T>
    : FirstArg<T>;
/* eslint-enable @typescript-eslint/no-explicit-any */

interface Flags {
  compress?: boolean;
  volatile?: boolean;
  timeout?: number;
}

/** An outgoing payload as the engine holds it: the JSON text, and the values it was made of. */
type Outgoing = [string, unknown[]];
type Bytes = ArrayBuffer | ArrayBufferView;

function notReserved(name: string): void {
  if (RESERVED.has(name)) throw new Error('"' + String(name) + '" is a reserved event name');
}

/** @internal the socket.io-client:socket logger (the manager logs some socket lines) */
export const log = DEBUG_BUILD ? debug("socket.io-client:socket") : off;

/**
 * A namespace socket, as in socket.io-client: `emit` with acknowledgements,
 * `on` for server events, buffering while disconnected.
 */
export class Socket<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
> extends Emitter<ListenEvents, EmitEvents, SocketReservedEvents> {
  /** The manager this socket is multiplexed on. */
  readonly io: Manager<ListenEvents, EmitEvents>;
  /** The namespace. */
  readonly nsp: string;
  /** @internal the engine's handle. */
  _handle: number;
  private _auth: SocketOptions["auth"];
  private flags: Flags = {};
  private _acks = new Map<number, AnyFn>();
  private _ackSeq = 0;
  private _anyListeners: AnyFn[] = [];
  private _anyOutgoingListeners: AnyFn[] = [];
  private _blobs?: Promise<void>;
  /** Asked to connect, for `active` before the engine exists. */
  private _connecting = false;
  /**
   * The emits made before the engine exists (they wait in the manager's queue), as `sendBuffer` lists
   * them until it does: `[ack id or -1, [json, values]]`. None with `retries`, whose emits wait in the
   * socket's queue and not in its buffer. The manager drops them when the engine starts.
   *
   * @internal
   */
  _early: Array<[number, Outgoing]> | undefined;

  constructor(io: Manager, nsp: string, opts?: Partial<SocketOptions>) {
    super();
    this.io = io as unknown as Manager<ListenEvents, EmitEvents>;
    this.nsp = nsp;
    this._auth = opts?.auth;
    // The engine numbers sockets in creation order, as the manager does here.
    this._handle = io._sockets.length;
    io._sockets.push(this as unknown as Socket);
    const retries = Number(opts?.retries);
    io._call((w) => w.socket(nsp, retries, ms(opts?.ackTimeout)));
    if (!io._wasm && !(retries > 0)) this._early = [];
    if (io._autoConnect) this.open();
  }

  /** The socket's session id, while connected. */
  get id(): string | undefined {
    return this.io._wasm?.text(Text.Sid, this._handle) ?? undefined;
  }

  /** True while connected to the namespace. */
  get connected(): boolean {
    return ((this.io._wasm?.state(this._handle) ?? 0) & State.Connected) !== 0;
  }

  /** True while not connected. */
  get disconnected(): boolean {
    return !this.connected;
  }

  /** True while connected or trying to (it will reconnect by itself). */
  get active(): boolean {
    const w = this.io._wasm;
    return w ? (w.state(this._handle) & State.Active) !== 0 : this._connecting;
  }

  /** True when the last connection restored the previous session (connection state recovery). */
  get recovered(): boolean {
    return ((this.io._wasm?.state(this._handle) ?? 0) & State.Recovered) !== 0;
  }

  /** The authentication payload (object or function), read again on every connect. */
  get auth(): SocketOptions["auth"] {
    return this._auth;
  }

  set auth(v: SocketOptions["auth"]) {
    this._auth = v;
  }

  /** Emits made while disconnected, sent on the next connect (a copy). Assign `[]` to drop them. */
  get sendBuffer(): Array<{ type: number; nsp: string; data: any[]; id?: number; options: { compress: boolean } }> {
    const w = this.io._wasm;
    return ((w ? w.sendBuffer(this._handle) : (this._early ?? [])) as [number, Outgoing][]).map(([id, args]) => ({
      type: 2,
      nsp: this.nsp,
      data: args[1],
      ...(id >= 0 ? { id } : {}),
      options: { compress: true },
    }));
  }

  set sendBuffer(v: unknown[]) {
    if (!Array.isArray(v) || v.length) return;
    if (this._early) this._early = [];
    this.io._call((w) => w.command(Command.ClearSendBuffer, this._handle, false));
  }

  /** Events received before the connection completed (a copy). */
  get receiveBuffer(): Array<ReadonlyArray<any>> {
    return ((this.io._wasm?.receiveBuffer(this._handle) ?? []) as [unknown[], ArrayBuffer[] | undefined][]).map(([args, atts]) =>
      Object.freeze(withAttachments(args, atts).slice()),
    );
  }

  /** Connects (or reconnects) the socket. */
  connect(): this {
    this._connecting = true;
    this.io._ensureEngine();
    this.io._call((w) => {
      if (DEBUG_BUILD && !this.io._reconnecting) this.io._logState();
      this.io._configure();
      w.command(Command.Connect, this._handle, false);
    });
    this.io._fail();
    return this;
  }

  /** Same as `connect`. */
  open(): this {
    return this.connect();
  }

  /** Disconnects; the socket does not reconnect by itself. */
  disconnect(): this {
    if (DEBUG_BUILD) log("performing disconnect (%s)", this.nsp);
    this._connecting = false;
    this._epoch++;
    this.io._call((w) => w.command(Command.Disconnect, this._handle, false));
    return this;
  }

  /** Same as `disconnect`. */
  close(): this {
    return this.disconnect();
  }

  /** Emits a `message` event. */
  send(...args: unknown[]): this {
    (this.emit as AnyFn)("message", ...args);
    return this;
  }

  /**
   * Emits an event; a function as last argument receives the server's
   * acknowledgement. Binary values (ArrayBuffer, typed arrays, DataView, Blob)
   * may appear anywhere in the arguments.
   */
  override emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): this {
    const name = ev as unknown as string;
    notReserved(name);
    const list = args as unknown[];
    const ack = typeof list[list.length - 1] === "function" ? (list.pop() as AnyFn) : undefined;
    const flags = this.flags;
    this.flags = {};
    this._emit([name, ...list], ack, false, flags);
    return this;
  }

  /** Emits an event and resolves with the server's acknowledgement (rejects on timeout or disconnection). */
  emitWithAck<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<AckValue<Last<EventParams<EmitEvents, Ev>>>> {
    const name = ev as unknown as string;
    const flags = this.flags;
    this.flags = {};
    return new Promise((resolve, reject) => {
      notReserved(name);
      this._emit([name, ...(args as unknown[])], (err: Error | null, res?: unknown) => (err ? reject(err) : resolve(res as never)), true, flags);
    });
  }

  private _emit(payload: unknown[], ack: AnyFn | undefined, withError: boolean, flags: Flags): void {
    // Serialised now, as socket.io-client does: `toJSON` and Dates see the values of the call,
    // and a value JSON cannot hold throws here.
    const bufs: Attachment[] = [];
    const data: Outgoing = [serialize(payload, bufs), payload];
    if (!this._blobs && !hasBlobs(bufs)) {
      this._send(data, bufs as Bytes[], ack, withError, flags);
      return;
    }
    // Blobs are read asynchronously; later emits wait so the order holds.
    const next = (this._blobs ?? Promise.resolve())
      .then(() => readBlobs(bufs))
      .then(
        (b) => this._send(data, b, ack, withError, flags),
        (e: unknown) => {
          if (ack && withError) ack.call(this, e instanceof Error ? e : new Error(String(e)));
          else throw e;
        },
      )
      .catch(report);
    this._blobs = next;
    void next.then(() => {
      if (this._blobs === next) this._blobs = undefined;
    });
  }

  private _send(data: Outgoing, bufs: Bytes[], ack: AnyFn | undefined, withError: boolean, flags: Flags): void {
    let token = 0;
    if (ack) {
      this._ackSeq = (this._ackSeq % 0xfffffffe) + 1;
      token = this._ackSeq;
      this._acks.set(token, ack);
    }
    // Until the engine exists, the emit is listed with the id the engine will give it: it numbers a
    // socket's acks from 0 in emit order, volatile ones too, as the tokens count from 1 (a volatile
    // emit is dropped while disconnected).
    if (!flags.volatile && !this.io._wasm) this._early?.push([token - 1, data]);
    this.io._call((w) =>
      w.emit(this._handle, data, bufs.length ? (bufs as never) : undefined, token, withError, !!flags.volatile, ms(flags.timeout)),
    );
  }

  /** @internal bumped by `disconnect()`: events queued before it are not delivered after it. */
  _epoch = 0;

  /** @internal an event from the server. */
  _onMessage(parsed: unknown[], attachments: ArrayBuffer[] | undefined, ack: number): void {
    const args = withAttachments(parsed, attachments);
    if (ack >= 0) args.push(this._ackFn(ack));
    if (DEBUG_BUILD) log("emitting event %j", args);
    if (this._anyListeners.length) for (const l of this._anyListeners.slice()) l.apply(this, args);
    this.emitUntyped(args[0] as string, args.slice(1));
  }

  private _ackFn(id: number): AnyFn {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent) return;
      sent = true;
      const bufs: Attachment[] = [];
      const data: Outgoing = [serialize(args, bufs), args];
      const send = (b: Bytes[]) => this.io._call((w) => w.ack(this._handle, id, data, b.length ? (b as never) : undefined));
      if (!hasBlobs(bufs)) send(bufs as Bytes[]);
      else readBlobs(bufs).then(send).catch(report);
    };
  }

  /** @internal the answer to an emit's acknowledgement. */
  _onAck(token: number, withError: boolean, parsed?: unknown[], attachments?: ArrayBuffer[], error?: string): void {
    const fn = this._acks.get(token);
    if (!fn) return;
    this._acks.delete(token);
    if (error !== undefined) {
      if (withError) fn.call(this, ackError(error));
      return;
    }
    const args = withAttachments(parsed ?? [], attachments);
    if (DEBUG_BUILD) log("calling ack %s with %j", this.io._ackId, args);
    if (withError) fn.call(this, null, ...args);
    else fn.apply(this, args);
  }

  /** @internal the auth function is asked for this connection's payload. */
  _onAuth(seq: number): void {
    if (DEBUG_BUILD) log("transport is open - connecting");
    const auth = this._auth;
    const send = (data: unknown) =>
      this.io._call((w) => w.authResponse(this._handle, seq, data == null ? undefined : JSON.stringify(data)));
    if (typeof auth === "function") (auth as (this: Socket, cb: (data: object) => void) => void).call(this as never, send);
    else send(auth);
  }

  /** @internal an event sent to the server, for `onAnyOutgoing` listeners. */
  _onOutgoing(data: Outgoing): void {
    // The values given to emit, as socket.io-client passes them.
    const args = data[1];
    for (const l of this._anyOutgoingListeners.slice()) l.apply(this, args);
  }

  /** @internal reserved events from the manager. */
  _reserved<Ev extends keyof SocketReservedEvents>(ev: Ev, ...args: Parameters<SocketReservedEvents[Ev]>): void {
    this.emitReserved(ev, ...args);
  }

  /** Sets the compress flag of the next emit. */
  compress(compress: boolean): this {
    this.flags.compress = compress;
    return this;
  }

  /** The next emit is dropped if the connection is not ready to send it. */
  get volatile(): this {
    this.flags.volatile = true;
    return this;
  }

  /** The next emit's acknowledgement fails with an error after `timeout` ms. */
  timeout(timeout: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>> {
    this.flags.timeout = timeout;
    return this as unknown as Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>>;
  }

  /** Adds a listener called for every incoming event, with the event name first. */
  onAny(listener: AnyFn): this {
    this._anyListeners.push(listener);
    return this;
  }

  /** Like `onAny`, called before the others. */
  prependAny(listener: AnyFn): this {
    this._anyListeners.unshift(listener);
    return this;
  }

  /** Removes one catch-all listener, or all of them. */
  offAny(listener?: AnyFn): this {
    this._anyListeners = removeFrom(this._anyListeners, listener);
    return this;
  }

  /** The catch-all listeners. */
  listenersAny(): AnyFn[] {
    return this._anyListeners;
  }

  /** Adds a listener called for every outgoing event, with the event name first. */
  onAnyOutgoing(listener: AnyFn): this {
    this._anyOutgoingListeners.push(listener);
    this.io._call((w) => w.command(Command.OutgoingEvents, this._handle, true));
    return this;
  }

  /** Like `onAnyOutgoing`, called before the others. */
  prependAnyOutgoing(listener: AnyFn): this {
    this._anyOutgoingListeners.unshift(listener);
    this.io._call((w) => w.command(Command.OutgoingEvents, this._handle, true));
    return this;
  }

  /** Removes one outgoing catch-all listener, or all of them. */
  offAnyOutgoing(listener?: AnyFn): this {
    this._anyOutgoingListeners = removeFrom(this._anyOutgoingListeners, listener);
    const on = this._anyOutgoingListeners.length > 0;
    this.io._call((w) => w.command(Command.OutgoingEvents, this._handle, on));
    return this;
  }

  /** The outgoing catch-all listeners. */
  listenersAnyOutgoing(): AnyFn[] {
    return this._anyOutgoingListeners;
  }
}

/** A timeout for the engine: none (-1) unless a number; negative and NaN are 0, as for `setTimeout`. */
function ms(v: unknown): number {
  return typeof v === "number" ? Math.max(0, v) || 0 : -1;
}

function removeFrom(list: AnyFn[], listener?: AnyFn): AnyFn[] {
  if (!listener) return [];
  const i = list.indexOf(listener);
  if (i !== -1) list.splice(i, 1);
  return list;
}

export declare namespace Socket {
  /** Why a socket disconnected. */
  type DisconnectReason =
    | "io server disconnect"
    | "io client disconnect"
    | "ping timeout"
    | "transport close"
    | "transport error"
    | "parse error";
}
