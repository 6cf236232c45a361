// The chat page in plain JavaScript: no bundler, the package comes through the import map.
// DOM contract shared by every example: #status ("connecting" | "connected" | "reconnecting..." |
// "disconnected"), #messages (one <li> "<user>: <text>" per message), #online, #name, #text, #send.
import { io } from "socketio-wasm";

const $ = (id) => document.getElementById(id);
const statusEl = $("status");
const banner = $("banner");
const messages = $("messages");
const onlineEl = $("online");
const notice = $("notice");
const nameInput = $("name");
const textInput = $("text");
const sendButton = $("send");

const currentName = () => nameInput.value.trim() || "anonymous";

// The page's own origin, default path. auth is asked on every (re)connection, so a new name
// applies from the next connection. With "?shared" in the address, the tabs that have it share one
// connection (io(url, { shared: true })): the server counts one user, named by the first tab.
const shared = new URLSearchParams(location.search).has("shared");
const socket = io({ shared, auth: (cb) => cb({ name: currentName() }) });

function setStatus(text) {
  const state = text.split(" ")[0];
  statusEl.textContent = text;
  statusEl.dataset.state = state;
  banner.hidden = state !== "reconnecting";
}

socket.on("connect", () => {
  setStatus("connected");
  notice.textContent = "";
});
socket.on("disconnect", () => {
  // active: the client reconnects by itself (the server went away, not an explicit disconnect)
  setStatus(socket.active ? "reconnecting" : "disconnected");
});
socket.on("connect_error", (err) => {
  if (!socket.active) {
    setStatus("disconnected");
    notice.textContent = `connection refused: ${err.message}`;
  }
});
socket.io.on("reconnect_attempt", (attempt) => setStatus(`reconnecting (attempt ${attempt})`));
socket.io.on("reconnect_failed", () => setStatus("disconnected"));

socket.on("chat", ({ user, text }) => {
  const li = document.createElement("li");
  li.textContent = `${user}: ${text}`;
  messages.append(li);
  li.scrollIntoView({ block: "nearest" });
});
socket.on("online", (count) => {
  onlineEl.textContent = String(count);
});

function send() {
  const text = textInput.value;
  if (!text.trim()) return;
  textInput.value = "";
  // Sent now, or buffered while offline and sent on reconnection.
  socket.emit("chat", text, (res) => {
    if (res && res.error) notice.textContent = `not sent: ${res.error}`;
  });
}
sendButton.addEventListener("click", send);
textInput.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  send();
});

// A new name takes effect right away: reconnect with the new auth.
let lastName = currentName();
nameInput.addEventListener("change", () => {
  if (currentName() === lastName) return;
  lastName = currentName();
  if (socket.connected) {
    socket.disconnect();
    setStatus("connecting");
    socket.connect();
  }
});
