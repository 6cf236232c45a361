// Type tests that must NOT compile against pkg/ (socketio-wasm only: socket.io-client 4.8.4 accepts
// these lines because its `timeout().emitWithAck()` resolves to `any`). Checked like fail.ts: tsc
// must report an error on every marked line and on no other line.

import { io, Socket } from "socketio-wasm";

interface ClientToServerEvents {
  ackFromClientSingleArg: (a: string, b: number, ack: (c: string) => void) => void;
  ackObject: (query: { id: number }, ack: (res: { ok: boolean }) => void) => void;
}

export async function timeoutEmitWithAck(): Promise<void> {
  const socket: Socket<{}, ClientToServerEvents> = io();
  const m: number = await socket.timeout(5).emitWithAck("ackFromClientSingleArg", "1", 2); // error: a string
  const o = await socket.timeout(5).emitWithAck("ackObject", { id: 1 });
  o.missing; // error: { ok: boolean } has no such property
  socket.timeout(5).emitWithAck("ackObject", { id: "1" }); // error: id is a number
}

export function sharedOption(): void {
  io({ shared: "yes" }); // error: shared is a boolean
}
