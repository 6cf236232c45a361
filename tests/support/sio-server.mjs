// A socket.io 4.8 server for the browser-shell tests (wasm-bindgen-test):
// prints "listening <port>" once ready. Handlers:
//   echo(...args, ack)  acknowledges with the same arguments
//   never(...)          never acknowledges
//   count(..., ack)     acknowledges with the number of connected sockets
//   push(n)             emits n "tick" events with their index
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
http.listen(port, "127.0.0.1", () => {
  console.log(`listening ${http.address().port}`);
});
process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
