// The chat page in TypeScript, bundled by Vite (the .wasm is emitted as an asset through the
// package's `new URL("./socketio_wasm_bg.wasm", import.meta.url)`; no plugin).
// DOM contract shared by every example: #status ("connecting" | "connected" | "reconnecting..." |
// "disconnected"), #messages (one <li> "<user>: <text>" per message), #online, #name, #text, #send.
import { io, type Socket } from "socketio-wasm";
import type { ChatAck, ChatAuth, ChatMessage, ClientToServerEvents, ServerToClientEvents } from "./events";

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

const statusEl = byId<HTMLSpanElement>("status");
const banner = byId<HTMLParagraphElement>("banner");
const messages = byId<HTMLUListElement>("messages");
const onlineEl = byId<HTMLSpanElement>("online");
const notice = byId<HTMLParagraphElement>("notice");
const nameInput = byId<HTMLInputElement>("name");
const textInput = byId<HTMLInputElement>("text");
const sendButton = byId<HTMLButtonElement>("send");
const composer = byId<HTMLFormElement>("composer");

const currentName = (): string => nameInput.value.trim() || "anonymous";

// The page's own origin, default path. auth is asked on every (re)connection, so a new name
// applies from the next connection.
const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
  auth: (cb) => cb({ name: currentName() } satisfies ChatAuth),
});

type Status = "connecting" | "connected" | "reconnecting" | `reconnecting (attempt ${number})` | "disconnected";

function setStatus(text: Status): void {
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
socket.on("connect_error", (err: Error) => {
  if (!socket.active) {
    setStatus("disconnected");
    notice.textContent = `connection refused: ${err.message}`;
  }
});
socket.io.on("reconnect_attempt", (attempt: number) => setStatus(`reconnecting (attempt ${attempt})`));
socket.io.on("reconnect_failed", () => setStatus("disconnected"));

socket.on("chat", ({ user, text }: ChatMessage) => {
  const li = document.createElement("li");
  li.textContent = `${user}: ${text}`;
  messages.append(li);
  li.scrollIntoView({ block: "nearest" });
});
socket.on("online", (count: number) => {
  onlineEl.textContent = String(count);
});

function send(): void {
  const text = textInput.value;
  if (!text.trim()) return;
  textInput.value = "";
  // Sent now, or buffered while offline and sent on reconnection.
  socket.emit("chat", text, (res: ChatAck) => {
    if (res.error !== undefined) notice.textContent = `not sent: ${res.error}`;
  });
}
sendButton.addEventListener("click", send);
textInput.addEventListener("keydown", (e: KeyboardEvent) => {
  if (e.key === "Enter" && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
composer.addEventListener("submit", (e: SubmitEvent) => {
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
