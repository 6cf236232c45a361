// The server side of the engine tests (tests/e2e/engine.test.mjs, tests/dropin/engine-events.test.mjs):
// an echo with ack, a server event on request, an event left unanswered, and a socket whose server
// stops pinging when its query has `silent`.

export function setup(io) {
  io.on("connection", (socket) => {
    socket.on("echo", (...args) => args.pop()(...args));
    socket.on("poke", () => socket.emit("hi", 1));
    socket.on("noreply", () => {});
    if (socket.handshake.query.silent) {
      // No more pings from the server: the client's ping timeout has to fire.
      clearTimeout(socket.conn.pingIntervalTimer);
    }
  });
}
