// Type tests of what socketio-wasm adds to socket.io-client's typed API; must compile against pkg/
// (tests/types/check.mjs). Never run.

import {
  io,
  Socket,
  Manager,
  Engine,
  TransportError,
  ConnectionRefusedError,
  AckTimeoutError,
  DisconnectedError,
  type DefaultEventsMap,
  type EventsMap,
  type EventNames,
  type EventParams,
  type DecorateAcknowledgements,
  type EngineReservedEvents,
  type TransportName,
} from "socketio-wasm";
import { assert, type Equal, type IsAny } from "./helpers.js";

// the default maps are the exported DefaultEventsMap
assert<Equal<Socket, Socket<DefaultEventsMap, DefaultEventsMap>>>();
assert<Equal<Manager, Manager<DefaultEventsMap, DefaultEventsMap>>>();

interface Events {
  ping: (n: number, ack: (pong: string) => void) => void;
}
assert<Equal<EventNames<Events>, "ping">>();
assert<Equal<EventParams<Events, "ping">, [n: number, ack: (pong: string) => void]>>();
assert<Equal<DecorateAcknowledgements<Events>["ping"], (n: number, ack: (err: Error, pong: string) => void) => void>>();
const asMap: EventsMap = {} as Events;
void asMap;

// named error classes: `instanceof` narrows, `name` tells them apart
export async function errors(): Promise<void> {
  const socket: Socket<{}, Events> = io();
  socket.on("connect_error", (err) => {
    if (err instanceof ConnectionRefusedError) {
      const data: unknown = err.data;
      assert<Equal<typeof err.name, string>>();
      void data;
    } else if (err instanceof TransportError) {
      const type: "TransportError" = err.type;
      const description: unknown = err.description;
      void type, description;
    }
    assert<IsAny<typeof err.data>>();
  });
  socket.io.on("reconnect_error", (err) => {
    if (err instanceof TransportError) void err.description;
  });
  try {
    const pong = await socket.timeout(100).emitWithAck("ping", 1);
    assert<Equal<typeof pong, string>>();
  } catch (e) {
    if (e instanceof AckTimeoutError || e instanceof DisconnectedError) {
      const m: string = e.message;
      void m;
    }
  }
  const errs: Error[] = [new TransportError("websocket error", 0), new ConnectionRefusedError("no", { a: 1 }), new AckTimeoutError("x"), new DisconnectedError("y")];
  void errs;
}

// emitWithAck after timeout() resolves to the ack's argument (socket.io-client 4.8: `any`)
interface Acks {
  single: (a: string, ack: (c: string) => void) => void;
  object: (ack: (res: { ok: boolean; items: string[] }) => void) => void;
  several: (ack: (first: number, second: string) => void) => void;
  optional: (ack: (maybe?: string) => void) => void;
  anything: (ack: (x: any) => void) => void;
  unknown: (ack: (x: unknown) => void) => void;
  noArg: (ack: () => void) => void;
}
export async function timeoutEmitWithAck(): Promise<void> {
  const socket: Socket<{}, Acks> = io();
  const t = socket.timeout(1000);
  assert<Equal<Awaited<ReturnType<typeof t.emitWithAck<"single">>>, string>>();
  const single = await t.emitWithAck("single", "x");
  assert<Equal<typeof single, string>>();
  const object = await t.emitWithAck("object");
  assert<Equal<typeof object, { ok: boolean; items: string[] }>>();
  const several = await t.emitWithAck("several");
  assert<Equal<typeof several, number>>();
  const optional = await t.emitWithAck("optional");
  assert<Equal<typeof optional, string | undefined>>();
  const anything = await t.emitWithAck("anything");
  assert<IsAny<typeof anything>>();
  const unknown = await t.emitWithAck("unknown");
  assert<Equal<typeof unknown, unknown>>();
  // without timeout() the same as socket.io-client
  assert<Equal<Awaited<ReturnType<typeof socket.emitWithAck<"single">>>, string>>();
  assert<Equal<Awaited<ReturnType<typeof socket.emitWithAck<"object">>>, { ok: boolean; items: string[] }>>();
  assert<IsAny<Awaited<ReturnType<typeof socket.emitWithAck<"several">>>>>();
  assert<Equal<Awaited<ReturnType<typeof socket.emitWithAck<"unknown">>>, unknown>>();
  assert<IsAny<Awaited<ReturnType<typeof socket.emitWithAck<"anything">>>>>();
  assert<Equal<Awaited<ReturnType<typeof socket.emitWithAck<"noArg">>>, unknown>>();
  // an untyped socket's stays `any`
  const untyped = io();
  assert<IsAny<Awaited<ReturnType<typeof untyped.emitWithAck>>>>();
  const x = await untyped.timeout(5).emitWithAck("x", 1);
  assert<IsAny<typeof x>>();
}

// the engine class and its events
export function engine(): void {
  const socket = io();
  const e: Engine = socket.io.engine;
  const readyState: string = e.readyState;
  void readyState;
  e.on("upgradeError", (err) => assert<Equal<typeof err, Error>>());
  assert<Equal<Parameters<EngineReservedEvents["upgrade"]>[0]["name"], string>>();
  const t: TransportName = "websocket";
  io({ transports: [t, "polling"] });
}

// component-emitter's DOM-style aliases
export function aliases(): void {
  const socket = io();
  const onConnect = () => {};
  socket.addEventListener("connect", onConnect);
  socket.removeEventListener("connect", onConnect);
}

// one connection for all tabs: the `shared` option, and the same Socket type
export function sharedOption(): void {
  const s: Socket<{}, Events> = io("https://example.com", { shared: true, auth: { token: "abc" } });
  const m = new Manager("https://example.com", { shared: false });
  assert<Equal<typeof s.connected, boolean>>();
  void m;
}
