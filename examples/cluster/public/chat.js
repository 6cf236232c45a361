// The cluster chat page: joins a room and chats with everyone in it, whichever node they are on.
// window.chat = { socket, events } lets you (and the cluster test) look at what happened.

const params = new URLSearchParams(location.search);
const room = params.get("room") || "lobby";
const user = params.get("user") || `guest-${Math.floor(Math.random() * 10000)}`;
const transports = params.get("transports") ? params.get("transports").split(",") : undefined;
const lib = await import(params.get("client") === "reference" ? "/ref/index.js" : "socketio-wasm");

const $ = (id) => document.getElementById(id);
$("room").textContent = room;
$("user").textContent = user;

const events = [];
const record = (name, detail) => events.push({ name, detail, t: performance.now() });

// io() with no URL connects to the page's origin: nginx, which picks a node.
const socket = lib.io({ auth: { name: user }, ...(transports ? { transports } : {}) });
window.chat = { socket, events, room, user };

function showTransport() {
  const engine = socket.io.engine;
  $("transport").textContent = engine && engine.transport ? engine.transport.name : "";
}

function addLine(text, cls) {
  const li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  $("messages").append(li);
  li.scrollIntoView({ block: "end" });
}

socket.on("connect", () => {
  record("connect", { id: socket.id });
  $("status").textContent = "connected";
  showTransport();
  socket.emit("join", room, (res) => {
    record("joined", res);
    if (res && res.node) $("node").textContent = res.node;
  });
});
socket.on("welcome", (info) => record("welcome", info));
socket.on("disconnect", (reason) => {
  record("disconnect", reason);
  $("status").textContent = `disconnected (${reason})`;
  addLine(`disconnected: ${reason}`, "system");
});
socket.on("connect_error", (err) => {
  record("connect_error", err.message);
  $("status").textContent = `connection error: ${err.message}`;
});
socket.on("chat", (msg) => {
  record("chat", msg);
  addLine(`[${msg.node}] ${msg.user}: ${msg.text}`);
});
socket.io.on("open", () => socket.io.engine.on("upgrade", showTransport));
socket.io.on("reconnect_attempt", (n) => record("reconnect_attempt", n));
socket.io.on("reconnect", (n) => record("reconnect", n));
socket.io.on("reconnect_error", (err) => record("reconnect_error", err.message));

$("form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  socket.emit("chat", room, text, (res) => {
    if (res && res.error) addLine(`not sent: ${res.error}`, "system");
  });
  $("text").value = "";
});
