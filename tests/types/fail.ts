// Type tests that must NOT compile. tests/types/check.mjs asserts that tsc reports an error on every
// line ending in a comment that starts with the word "error" and on no other line, so each case is
// one line. Like pass.ts it is compiled against pkg/ and against socket.io-client 4.8.4, which must
// reject the same lines.
import { io, Manager, Socket } from "socketio-wasm";

interface BidirectionalEvents {
  random: (a: number, b: string, c: number[]) => void;
}

interface ServerToClientEvents {
  hello: (message: string, x: number) => void;
}

interface ClientToServerEvents {
  helloFromClient: (message: string) => void;
  ackFromClient: (a: string, b: number, ack: (c: string, d: boolean) => void) => void;
  ackFromClientSingleArg: (a: string, b: number, ack: (c: string) => void) => void;
}

export function reservedEvents(): void {
  const socket = io();
  socket.on("connect", (arg: unknown) => {}); // error: connect has no argument
  socket.on("connect_error", (err: string) => {}); // error: it is an Error
  socket.on("disconnect", (reason: number) => {}); // error: the reason is a string union
  socket.on("disconnect", (reason: "io server disconnect") => {}); // error: narrower than the union
  socket.on("disconnect", (reason, description: string) => {}); // error: description is an Error or an object
  const reason: Socket.DisconnectReason = "server namespace disconnect"; // error: a server-side reason
}

export function untyped(): void {
  const socket = io();
  socket.emit("ack", 1, (c) => {}); // error: implicit any (strict), as with socket.io-client
  socket.timeout(5).emit("ack", 1, (err, c) => {}); // error: implicit any (strict), as with socket.io-client
}

export function bidirectional(): void {
  const socket: Socket<BidirectionalEvents> = io();
  socket.on("random"); // error: no listener
  socket.on("random", (a: number, b: string, c: number[], d: number) => {}); // error: one parameter too many
  socket.on("random", (a: string) => {}); // error: a is a number
  socket.on(2, 3); // error
  socket.on("other", () => {}); // error: not in the map
  socket.emit("random"); // error: arguments missing
  socket.emit("random", 1, "2"); // error: c missing
  socket.emit("random", 1, "2", ["3"]); // error: c is number[]
  socket.emit("random", 1, "2", [3], 4); // error: one argument too many
  socket.emit("other"); // error: not in the map
}

export async function listenAndEmit(): Promise<void> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io();

  // on() takes the listen map only
  socket.on("helloFromClient", (message: string) => {}); // error: an emit event
  socket.on("hello", (message: number) => {}); // error: message is a string

  // emit() takes the emit map only
  socket.emit("hello", "hi", 10); // error: a listen event
  socket.emit("helloFromClient"); // error: message missing
  socket.emit("helloFromClient", 10); // error: message is a string
  socket.emit("helloFromClient", "hi", 10); // error: one argument too many
  socket.emit("wrong name", 10); // error
  socket.emit("wrong name"); // error
  socket.emit("connect"); // error: reserved, and not in the map

  // the ack callback is typed
  socket.emit("ackFromClient", "1", 2, (c: number) => {}); // error: c is a string
  socket.emit("ackFromClient", "1", 2, (c: string, d: boolean, e: number) => {}); // error: one parameter too many
  socket.emit("ackFromClient", "1", 2); // error: the ack is required by the map
  socket.emit("ackFromClient", "1", 2, "not a function"); // error

  // with timeout() the ack callback gets the error first
  socket.timeout(1000).emit("ackFromClient", "1", 2, (c: string, d: boolean) => {}); // error: err missing
  socket.timeout(1000).emit("ackFromClient", "1", 2, (err: string, c: string, d: boolean) => {}); // error: err is an Error
  socket.timeout("1s"); // error: milliseconds

  // emitWithAck() takes the arguments without the ack and resolves to the ack's argument
  const n: number = await socket.emitWithAck("ackFromClientSingleArg", "1", 2); // error: resolves to a string
  socket.emitWithAck("ackFromClientSingleArg", "1"); // error: b missing
  socket.emitWithAck("ackFromClientSingleArg", 1, 2); // error: a is a string
  socket.emitWithAck("unknown", 1); // error
}

export function manager(): void {
  const socket = io();
  socket.io.on("reconnect_attempt", (attempt: string) => {}); // error: attempt is a number
  socket.io.on("reconnect_error", (err: number) => {}); // error
  socket.io.on("no_such_event", () => {}); // error: manager events are fixed
  socket.io.emit("open"); // error: manager events are not emitted by user code
  socket.io.reconnectionAttempts("3"); // error
  const delay: string = socket.io.reconnectionDelay(); // error: a number
  const engineName: number = socket.io.engine.transport.name; // error: a string
  new Manager(42); // error
}

export function options(): void {
  io(42); // error
  io("https://example.com", "opts"); // error
  io({ reconnectionDelay: "1s" }); // error: milliseconds
  io({ notAnOption: true }); // error: unknown option
  io({ transports: "websocket" }); // error: an array
  io({ transports: ["websocket", 1] }); // error
  io({ auth: "token" }); // error: an object or a function
  io({ auth: (cb: (data: object) => void) => cb("token") }); // error: the callback takes an object
  io({ extraHeaders: { "x-n": 1 } }); // error: header values are strings
  io({ retries: "3" }); // error
  io({ withCredentials: "include" }); // error: a boolean
}
