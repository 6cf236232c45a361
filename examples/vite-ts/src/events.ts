/**
 * The chat protocol of examples/server/server.mjs, as socket.io typed events. The Leptos and Yew
 * examples speak the same protocol.
 */

/** One chat message, as broadcast by the server to every client. */
export interface ChatMessage {
  /** Increasing per server run (starts again at 1 when the server restarts). */
  id: number;
  /** The sender's `auth.name`, or "anonymous". */
  user: string;
  /** At most 500 characters (longer texts are truncated by the server). */
  text: string;
}

/** The server's acknowledgement of a "chat" emit. */
export type ChatAck = { id: number; error?: undefined } | { error: string; id?: undefined };

/** Events the server sends. */
export interface ServerToClientEvents {
  chat: (message: ChatMessage) => void;
  /** The number of connected clients, after every connect and disconnect. */
  online: (count: number) => void;
}

/** Events the client sends. */
export interface ClientToServerEvents {
  chat: (text: string, ack: (res: ChatAck) => void) => void;
}

/** What the client sends as `auth` on every connection. */
export interface ChatAuth {
  name: string;
}
