/**
 * The errors the package reports. They keep socket.io-client's messages and
 * fields (`type`, `description`, `data`) and add a `name`, so TypeScript code
 * can tell them apart with `instanceof`.
 */

import { ErrorType } from "./wasm.js";

/** A transport failed (`websocket error`, `xhr poll error`, `xhr post error`). */
export class TransportError extends Error {
  override name = "TransportError";
  readonly type = "TransportError";
  constructor(
    message: string,
    /** The HTTP status or the network error message, when known. */
    readonly description?: unknown,
    readonly context?: unknown,
  ) {
    super(message);
  }
}

/** The server refused the namespace connection (its middleware called `next(err)`). */
export class ConnectionRefusedError extends Error {
  override name = "ConnectionRefusedError";
  constructor(
    message: string,
    /** The server's `err.data`. */
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** An acknowledgement did not come in time: `operation has timed out`. */
export class AckTimeoutError extends Error {
  override name = "AckTimeoutError";
}

/** The socket disconnected before the acknowledgement came: `socket has been disconnected`. */
export class DisconnectedError extends Error {
  override name = "DisconnectedError";
}

/** @internal Builds an error from the engine's `[message, type, detail]`. */
export function toError(e: [string, ErrorType, unknown?]): Error {
  const [message, type, detail] = e;
  if (type === ErrorType.Transport) return new TransportError(message, detail);
  if (type === ErrorType.Refused) {
    return new ConnectionRefusedError(message, typeof detail === "string" ? JSON.parse(detail) : undefined);
  }
  return new Error(message);
}

/** @internal Builds the error of a failed acknowledgement. */
export function ackError(message: string): Error {
  return message === "operation has timed out" ? new AckTimeoutError(message) : new DisconnectedError(message);
}

/**
 * @internal
 * Reports an exception of user code the way an uncaught one is reported, so
 * that it never unwinds through the engine.
 */
export function report(e: unknown): void {
  if (typeof reportError === "function") reportError(e);
  else setTimeout(() => {
    throw e;
  });
}
