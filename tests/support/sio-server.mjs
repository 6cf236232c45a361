// A socket.io 4.8 server for the browser-shell tests (wasm-bindgen-test):
// prints "listening <port>" once ready. Handlers:
//   echo(...args, ack)  acknowledges with the same arguments
//   never(...)          never acknowledges
//   count(..., ack)     acknowledges with the number of connected sockets
//   push(n)             emits n "tick" events with their index
// and in the namespaces /tabs-<name> (the shared-connection tests, tests/tabs.rs):
//   count(ack)          the number of sockets in the namespace (one per connection)
//   echo(...args, ack)  as above
//   whoami(ack)         the auth payload of the socket's connection
//   shout(text)         emits "heard" with text to every socket of the namespace
//   poke()              asks "q" with an ack, then emits "answered" with each answer
//   drop()              closes the socket's connection (the client reconnects)
//   kick()              disconnects the socket from the server (no reconnection)
import { createServer } from "node:http";
import { Server } from "socket.io";

const port = Number(process.env.PORT || 0);
const http = createServer();
const io = new Server(http, {
  cors: { origin: "*" },
  pingInterval: 300,
  pingTimeout: 200,
  maxHttpBufferSize: 1e7,
});
io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });
  socket.on("never", () => {});
  socket.on("count", (...args) => args.pop()(io.of("/").sockets.size));
  socket.on("push", (n) => {
    for (let i = 0; i < n; i++) socket.emit("tick", i);
  });
});
io.of(/^\/tabs-[\w-]+$/).on("connection", (socket) => {
  const nsp = socket.nsp;
  // The ack function is the last argument, whatever comes before it.
  const acked = (f) => (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(f(...args));
  };
  socket.on("count", acked(() => nsp.sockets.size));
  socket.on("echo", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });
  socket.on("whoami", acked(() => socket.handshake.auth));
  socket.on("shout", (text) => nsp.emit("heard", text));
  socket.on("poke", () => socket.emit("q", (answer) => socket.emit("answered", answer)));
  socket.on("drop", () => socket.conn.close());
  socket.on("kick", () => socket.disconnect());
});
http.listen(port, "127.0.0.1", () => {
  console.log(`listening ${http.address().port}`);
});
process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
