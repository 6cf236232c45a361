/**
 * socketio-wasm: a drop-in for socket.io-client 4.8 whose engine is Rust
 * compiled to WebAssembly.
 *
 *     import { io } from "socketio-wasm";
 *     const socket = io("https://example.com");
 *     socket.on("connect", () => socket.emit("hello", "world", (reply) => console.log(reply)));
 */
import { Manager, type ManagerOptions } from "./manager.js";
import { Socket, type SocketOptions } from "./socket.js";
import { resolve } from "./url.js";
import { wasmExports } from "./wasm.js";
import { debug, off } from "./debug.js";

const log = DEBUG_BUILD ? debug("socket.io-client") : off;
const urlLog = DEBUG_BUILD ? debug("socket.io-client:url") : off;
const cache: Record<string, Manager> = {};

/**
 * Returns a socket for the namespace in `uri` (default: the page's origin and
 * the main namespace). Namespaces of one server share one connection unless
 * `forceNew` or `multiplex: false` is given.
 */
function lookup(opts?: Partial<ManagerOptions & SocketOptions>): Socket;
function lookup(uri?: string, opts?: Partial<ManagerOptions & SocketOptions>): Socket;
function lookup(
  uri?: string | Partial<ManagerOptions & SocketOptions>,
  opts?: Partial<ManagerOptions & SocketOptions>,
): Socket {
  if (typeof uri === "object") {
    opts = uri;
    uri = undefined;
  }
  opts = opts || {};
  const { source, id, nsp: path } = resolve(uri ?? undefined, opts.path || "/socket.io");
  if (DEBUG_BUILD) urlLog("parse %s", source);
  const sameNamespace = cache[id] !== undefined && path in cache[id].nsps;
  // A shared socket gets a manager of its own: the connection is shared where it runs (js/hub.ts).
  const newConnection =
    opts.shared ||
    opts.forceNew || (opts as Record<string, unknown>)["force new connection"] || opts.multiplex === false || sameNamespace;
  let io: Manager;
  if (newConnection) {
    if (DEBUG_BUILD) log("ignoring socket cache for %s", source);
    io = new Manager(source, opts);
  } else {
    if (!cache[id]) {
      if (DEBUG_BUILD) log("new io instance for %s", source);
      cache[id] = new Manager(source, opts);
    }
    io = cache[id];
  }
  return io.socket(path, opts);
}

/** Stands for the long-polling transport in the `transports` option. */
export class Fetch {
  get name(): string {
    return "polling";
  }
}
/** Stands for the long-polling transport in the `transports` option. */
export class XHR extends Fetch {}
/** Stands for the WebSocket transport in the `transports` option. */
export class WebSocket {
  get name(): string {
    return "websocket";
  }
}
/** Stands for the WebTransport transport; not supported, so it is skipped. */
export class WebTransport {
  get name(): string {
    return "webtransport";
  }
}

/** @internal The engine's exports (the memory benchmark reads its memory). */
export const _wasmExports = wasmExports;

/** The Socket.IO protocol revision. */
export const protocol = 5;

Object.assign(lookup, { Manager, Socket, io: lookup, connect: lookup });

export { lookup as io, lookup as connect, lookup as default, Manager, Socket };
export { Engine } from "./manager.js";
export type { ManagerOptions, ManagerReservedEvents, EngineReservedEvents, TransportName, TransportCtor } from "./manager.js";
export type {
  SocketOptions,
  SocketReservedEvents,
  DisconnectDescription,
  ExtendedError,
  DecorateAcknowledgements,
  PrependTimeoutError,
  Last,
  AllButLast,
  FirstArg,
  AckValue,
} from "./socket.js";
export type { EventsMap, DefaultEventsMap, EventNames, EventParams, ReservedOrUserEventNames, ReservedOrUserListener } from "./emitter.js";
export { TransportError, ConnectionRefusedError, AckTimeoutError, DisconnectedError } from "./errors.js";
