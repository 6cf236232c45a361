// The e2e cases a server other than socket.io cannot pass for a reason of its own, with the reason printed
// when skipped. Each entry: `match` is tested against "<describe> > ... > <test name>".
//
// Cases that need a server capability the server's API lacks (connection state recovery, closing one
// client's Engine.IO connection, observing its pongs) are not listed here: the test server refuses them
// (tests/interop/support/remote.mjs, Unsupported) and the case is skipped with that reason when it asks.

const NO_PROTOCOL_ANSWER =
  "answers the WebSocket handshake without Sec-WebSocket-Protocol, and Chromium then refuses the handshake " +
  "of a client that asked for protocols (socket.io-client fails the same)";
const PINGS_STOPPED_THROUGH_NODE_INTERNALS = {
  match: /^useNativeTimers > with useNativeTimers the client's ping timeout fires when the server stops pinging$/,
  reason: "the case stops the server's pings through socket.io's engine internals (socket.conn.pingIntervalTimer)",
};

export const SKIPS = {
  python: [
    PINGS_STOPPED_THROUGH_NODE_INTERNALS,
    {
      match: /^transport options > protocols are requested on the WebSocket$/,
      reason: `python-engineio (aiohttp) ${NO_PROTOCOL_ANSWER}`,
    },
    {
      match: /^binary \[polling\] > sends 4 MB binary and a 4 MB string to the server$/,
      reason:
        "python-engineio (aiohttp) reads a multi-megabyte long-polling POST body partially and fails to " +
        "decode it (binascii.Error: Incorrect padding); socket.io-client fails the same",
    },
    {
      match: /^debug logging > (websocket|polling): connect, emit with ack, transport close and reconnect print socket\.io-client's lines$/,
      reason:
        "the expected lines pin socket.io's handshake text, and python-engineio writes pingTimeout before " +
        "pingInterval (socket.io-client prints the same difference)",
    },
    {
      match: /^namespaces \[polling\] > auth given as a function is called for every connection attempt$/,
      reason:
        "on a loaded machine python-socketio sometimes never answers the CONNECT sent after the reconnection's " +
        "handshake over long-polling (two requests of the closed session get 400 first); socket.io-client " +
        "fails the same (2 of 8 runs with both cores busy, against 1 of 8 for this package)",
    },
    {
      match: /^engine events > upgrade > handshake: /,
      reason:
        "python-engineio answers the upgrade packet with one more noop packet than socket.io, and the case pins " +
        "socket.io's packet sequence (socket.io-client sees the same extra packet)",
    },
  ],
  socketioxide: [
    PINGS_STOPPED_THROUGH_NODE_INTERNALS,
    {
      match: /^transport options > protocols are requested on the WebSocket$/,
      reason: `socketioxide ${NO_PROTOCOL_ANSWER}`,
    },
    {
      match: /^namespaces \[[a-z]+\] > io\("\/"\) and io\("\/admin"\) share one Manager and one engine connection$/,
      reason:
        "socketioxide gives a client's sockets the same id in every namespace of one connection, where " +
        "socket.io gives each its own (socket.io-client sees the same ids)",
    },
    {
      match: /^namespaces \[[a-z]+\] > namespace middleware rejection gives connect_error with err\.message and err\.data$/,
      reason:
        "socketioxide's connect middleware refuses a connection with a message only: the CONNECT_ERROR " +
        "packet has no data (socket.io-client sees the same)",
    },
  ],
};

/** The reason why case `fullName` is skipped on server `kind`, or null. */
export function skipReason(kind, fullName) {
  for (const { match, reason } of SKIPS[kind] || []) if (match.test(fullName)) return reason;
  return null;
}
