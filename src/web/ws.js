// The WebSockets of the browser shell (src/web/mod.rs): each made with its binary type and its four
// listeners in one call, and detached in one. What throws is caught here, so that no exception
// crosses into the wasm.

/**
 * A WebSocket for `url` asking for `protocols`, its binary messages as ArrayBuffers, with the four
 * listeners set: `message` is given each message's data (read here, not by a call out of the wasm
 * per message). Undefined when the constructor throws (an invalid address).
 */
export function openSocket(url, protocols, open, message, error, close) {
  let ws;
  try {
    ws = new WebSocket(url, protocols);
  } catch {
    return undefined;
  }
  ws.binaryType = "arraybuffer";
  ws.onopen = open;
  ws.onmessage = (e) => message(e.data);
  ws.onerror = error;
  ws.onclose = close;
  return ws;
}

/** Sends a message. A socket that is closing throws; its close event tells the engine. */
export function send(ws, data) {
  try {
    ws.send(data);
  } catch {}
}

/** Removes the four listeners and closes the socket (which does nothing once it is closed). */
export function detach(ws) {
  ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
  ws.close();
}
