//! The `#[wasm_bindgen]` surface the npm package's TypeScript layer (`js/`)
//! is built on: one `WasmManager` per `Manager`, user calls in, events out
//! through a small handler object. Payloads never enter wasm memory: they stay
//! JavaScript values held through [`JsCodec`].
//!
//! One file for the one contract with `js/`: the enums that cross, the
//! conversion of every event, the options read by name and the exported calls.

mod codec;

// The npm package's allocations are few and small (headers, queues of
// events): a free-list allocator is enough and much smaller than the default.
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without threads runs one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

use js_sys::Array;
use wasm_bindgen::prelude::*;

pub use codec::JsCodec;

use crate::proto::url::ParsedUri;
use crate::proto::{
    AckRequest, Auth, CloseDetail, Emit, ErrorKind, Options, SocketOptions, TransportDetail, TransportKind,
};
use crate::web::{Driver, HttpOptions};

type Event = crate::proto::Event<JsCodec>;
type Payload = crate::proto::Payload<JsCodec>;

/// What an event delivered through `Handler.event` is. Declared once here; the
/// glue exports it to `js/` and to the `.d.ts`.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum EventKind {
    /// The manager starts a connection attempt with a new engine.
    Opening,
    /// Manager `open`.
    Open,
    /// Manager `error` (a: error).
    Error,
    /// Manager `close` (a: reason, b: close detail).
    Close,
    /// Manager `ping`.
    Ping,
    /// Manager `reconnect_attempt` (a: attempt).
    ReconnectAttempt,
    /// Manager `reconnect` (a: attempt).
    Reconnect,
    /// Manager `reconnect_error` (a: error).
    ReconnectError,
    /// Manager `reconnect_failed`.
    ReconnectFailed,
    /// The outcome of `open(callback)` (a: token, b: error or undefined).
    OpenResult,
    /// Manager `packet` (a: `[type, nsp, data, id]`, b: attachments).
    Packet,
    /// Engine `upgrade` (a: transport name).
    Upgrade,
    /// Engine `upgradeError` (a: error).
    UpgradeError,
    /// Engine `close` (a: reason, b: close detail).
    EngineClose,
    /// Socket `connect`.
    Connect,
    /// Socket `connect_error` (a: error).
    ConnectError,
    /// Socket `disconnect` (a: reason, b: close detail).
    Disconnect,
    /// The socket's auth is asked for (a: sequence number for `authResponse`).
    Auth,
    /// An event left for the server (a: `[json, values]`), for `onAnyOutgoing`.
    Outgoing,
    /// Engine `packet` (a: packet type name, b: its data; a message's text
    /// still starts with its `4`).
    EnginePacket,
    /// Engine `packetCreate` (a, b: as for `EnginePacket`).
    EnginePacketCreate,
    /// Engine `flush` (a: how many packets).
    EngineFlush,
    /// Engine `drain`.
    EngineDrain,
    /// Engine `ping` and `pong`: the server's ping was answered.
    EnginePing,
    /// Engine `open`.
    EngineOpen,
    /// Engine `upgrading` (a: transport name).
    EngineUpgrading,
    /// Engine `error` (a: error).
    EngineError,
    /// The manager's next attempt is in `a` ms (for the debug log).
    ReconnectDelay,
}

/// What kind of error crossed: the `type` of the `[message, type, detail]` array.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum ErrorType {
    /// A plain `Error`.
    Plain,
    /// A `TransportError` (detail: HTTP status or message).
    Transport,
    /// A `ConnectionRefusedError` (detail: the server's `data` as JSON text).
    Refused,
}

/// The calls of [`WasmManager::command`]: what `arg` and `on` are to each.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum Command {
    /// `manager.open(cb?)` (arg: the callback's token, 0 for none).
    Open,
    /// `manager.engine.close()`.
    CloseEngine,
    /// `manager.disconnect()`.
    Close,
    /// `socket.connect()` (arg: socket).
    Connect,
    /// `socket.disconnect()` (arg: socket).
    Disconnect,
    /// Emit `packet` events (on: a listener exists).
    PacketEvents,
    /// Emit the engine's debugging events (a listener exists, or debug logs).
    EngineEvents,
    /// Emit outgoing events for `onAnyOutgoing` (arg: socket; on: a listener exists).
    OutgoingEvents,
    /// `socket.sendBuffer = []` (arg: socket).
    ClearSendBuffer,
}

/// The bits of [`WasmManager::state`]: a socket's, then the manager's.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum State {
    /// `socket.connected`.
    Connected = 1,
    /// `socket.active`: connected, or connecting and reconnecting by itself.
    Active = 2,
    /// `socket.recovered`: the last connection restored the session.
    Recovered = 4,
    /// The manager is between reconnection attempts or in one.
    Reconnecting = 8,
    /// The manager's engine is open.
    Open = 16,
    /// The manager's engine is opening.
    Opening = 32,
}

/// What [`WasmManager::text`] reads.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub enum Text {
    /// `socket.id`.
    Sid,
    /// The engine's session id.
    EngineId,
    /// The current transport's name.
    Transport,
}

#[wasm_bindgen]
extern "C" {
    /// The object events are delivered to (implemented in js/manager.ts).
    pub type Handler;

    /// A server event: `args` is the parsed `["name", ...args]`, with
    /// placeholders where `attachments` go; `ack` is the ack id, or -1.
    #[wasm_bindgen(method, js_name = message)]
    fn message(this: &Handler, socket: u32, args: JsValue, attachments: JsValue, ack: f64);

    /// The answer to an emit's ack: the server's parsed arguments, or an error
    /// message (a string, else undefined: a value, not an optional string,
    /// whose glue would be one more conversion).
    #[wasm_bindgen(method, js_name = ack)]
    fn ack(
        this: &Handler,
        socket: u32,
        token: u32,
        with_error: bool,
        args: JsValue,
        attachments: JsValue,
        error: JsValue,
    );

    /// Every other event.
    #[wasm_bindgen(method, js_name = event)]
    fn event(this: &Handler, kind: EventKind, socket: u32, a: JsValue, b: JsValue);
}

fn attachments_to_js(list: Vec<JsValue>) -> JsValue {
    if list.is_empty() {
        return JsValue::UNDEFINED;
    }
    codec::to_array(list).into()
}

fn attachments_from_js(list: Option<Array>) -> Vec<JsValue> {
    list.map_or_else(Vec::new, |a| codec::to_vec(&a))
}

/// An error as `[message, type, detail]` (see [`ErrorType`]).
fn error_to_js(e: &ErrorKind) -> JsValue {
    let message = JsValue::from_str(e.message());
    let (kind, detail) = match e {
        ErrorKind::Transport { detail, .. } => (
            ErrorType::Transport,
            match detail {
                TransportDetail::None => JsValue::UNDEFINED,
                TransportDetail::Status(s) => JsValue::from(*s),
                TransportDetail::Network(m) => JsValue::from_str(m),
            },
        ),
        ErrorKind::ConnectRefused { data, .. } => (ErrorType::Refused, text_or_undefined(data.as_deref())),
        _ => return Array::of2(&message, &ErrorType::Plain.into()).into(),
    };
    Array::of3(&message, &kind.into(), &detail).into()
}

/// A close detail: undefined, `{description}`-like `[description]`,
/// `[description, code, reason]` for a WebSocket, or `[null, error]`.
fn detail_to_js(d: &CloseDetail) -> JsValue {
    match d {
        CloseDetail::None => JsValue::UNDEFINED,
        CloseDetail::Described(s) => Array::of1(&JsValue::from_str(s)).into(),
        CloseDetail::WebSocket { code, reason } => {
            Array::of3(&"websocket connection closed".into(), &JsValue::from(*code), &JsValue::from_str(reason)).into()
        }
        CloseDetail::Error(e) => Array::of2(&JsValue::NULL, &error_to_js(e)).into(),
    }
}

fn dispatch(h: &Handler, ev: Event) {
    use EventKind as K;
    let u = || JsValue::UNDEFINED;
    // Every other event is one `h.event` call made at the end: one call site
    // for all of them, not one per kind.
    let (kind, socket, a, b) = match ev {
        Event::Message { socket, payload, ack } => {
            let ack = ack.map_or(-1.0, |a| a as f64);
            return h.message(socket, payload.data, attachments_to_js(payload.attachments), ack);
        }
        Event::Ack { socket, token, with_error, result } => {
            return match result {
                Ok(p) => h.ack(socket, token, with_error, p.data, attachments_to_js(p.attachments), u()),
                Err(e) => h.ack(socket, token, with_error, u(), u(), e.message().into()),
            }
        }
        Event::Engine(t) => {
            let (kind, a, b) = trace(t);
            (kind, 0, a, b)
        }
        Event::Opening => (K::Opening, 0, u(), u()),
        Event::Open => (K::Open, 0, u(), u()),
        Event::Error(e) => (K::Error, 0, error_to_js(&e), u()),
        Event::Close(r, d) => (K::Close, 0, r.as_str().into(), detail_to_js(&d)),
        Event::Ping => (K::Ping, 0, u(), u()),
        Event::ReconnectAttempt(n) => (K::ReconnectAttempt, 0, n.into(), u()),
        Event::Reconnect(n) => (K::Reconnect, 0, n.into(), u()),
        Event::ReconnectError(e) => (K::ReconnectError, 0, error_to_js(&e), u()),
        Event::ReconnectFailed => (K::ReconnectFailed, 0, u(), u()),
        Event::OpenResult { token, error } => (K::OpenResult, 0, token.into(), error.as_ref().map_or(u(), error_to_js)),
        Event::Packet { packet, attachments } => {
            // [type, nsp, data, id] like socket.io-parser's decoded packet
            // object, whose binary packets are typed EVENT / ACK. Event and
            // ack data are parsed already; the others are JSON text.
            use crate::proto::sio::Packet as P;
            let text = |d: Option<String>| d.map_or(u(), |d| JsValue::from_str(&d));
            let (t, nsp, data, id) = match packet {
                P::Connect { nsp, data } => (0, nsp, text(data), None),
                P::Disconnect { nsp } => (1, nsp, u(), None),
                P::Event { nsp, id, data, .. } => (2, nsp, data, id),
                P::Ack { nsp, id, data, .. } => (3, nsp, data, id),
                P::ConnectError { nsp, data } => (4, nsp, text(Some(data)), None),
            };
            let arr = Array::of3(&JsValue::from(t), &JsValue::from_str(&nsp), &data);
            arr.push(&id.map_or(u(), |i| JsValue::from(i as f64)));
            (K::Packet, 0, arr.into(), attachments_to_js(attachments))
        }
        Event::Upgrade(k) => (K::Upgrade, 0, k.name().into(), u()),
        Event::UpgradeError(e) => (K::UpgradeError, 0, error_to_js(&e), u()),
        Event::EngineClose(r, d) => (K::EngineClose, 0, r.as_str().into(), detail_to_js(&d)),
        Event::Connect(s) => (K::Connect, s, u(), u()),
        Event::ConnectError(s, e) => (K::ConnectError, s, error_to_js(&e), u()),
        Event::Disconnect(s, r, d) => (K::Disconnect, s, r.as_str().into(), detail_to_js(&d)),
        Event::AuthRequest { socket, seq } => (K::Auth, socket, seq.into(), u()),
        Event::Outgoing { socket, payload } => (K::Outgoing, socket, payload.data, u()),
    };
    h.event(kind, socket, a, b);
}

/// An engine trace as the kind and the two values of its `Handler.event`.
fn trace(t: crate::proto::EngineTrace<JsCodec>) -> (EventKind, JsValue, JsValue) {
    use crate::proto::eio::{OutPacket, Packet};
    use crate::proto::EngineTrace as T;
    use EventKind as K;
    let u = JsValue::UNDEFINED;
    match t {
        T::Packet(p) => {
            let (name, data) = match p {
                Packet::Open(d) => ("open", JsValue::from_str(&d)),
                Packet::Close => ("close", u),
                Packet::Ping => ("ping", u),
                Packet::Pong { probe } => ("pong", if probe { "probe".into() } else { u }),
                Packet::Message(m) => ("message", m),
                Packet::Binary(b) => ("message", b),
                Packet::Upgrade => ("upgrade", u),
                Packet::Noop => ("noop", u),
            };
            (K::EnginePacket, name.into(), data)
        }
        T::PacketCreate(p) => match p {
            OutPacket::Pong => (K::EnginePacketCreate, "pong".into(), u),
            OutPacket::Message(m) | OutPacket::Binary(m) => (K::EnginePacketCreate, "message".into(), m),
        },
        T::Flush(n) => (K::EngineFlush, (n as u32).into(), u),
        T::Drain => (K::EngineDrain, u.clone(), u),
        T::Ping => (K::EnginePing, u.clone(), u),
        T::Open => (K::EngineOpen, u.clone(), u),
        T::Upgrading(k) => (K::EngineUpgrading, k.name().into(), u),
        T::Error(e) => (K::EngineError, error_to_js(&e), u),
        T::ReconnectDelay(ms) => (K::ReconnectDelay, (ms as f64).into(), u),
    }
}

/// Reads the fields of an options object by name (through the codec's
/// `field`, which takes the key as text: no `Reflect::get` and no key value
/// made per field).
struct Read<'a>(&'a JsValue);

impl Read<'_> {
    fn get(&self, k: &str) -> JsValue {
        codec::field(self.0, k)
    }

    fn flag(&self, k: &str) -> bool {
        self.get(k).is_truthy()
    }

    fn num(&self, k: &str) -> f64 {
        codec::number_field(self.0, k)
    }

    fn text(&self, k: &str) -> Option<String> {
        self.get(k).as_string()
    }

    /// An array of strings (anything else in it is skipped).
    fn names(&self, k: &str) -> Vec<String> {
        <JsCodec as crate::proto::Codec>::strings_field(self.0, k)
    }

    /// Pairs of strings from a flat array `[key, value, key, value...]`
    /// (read as [`names`](Self::names): the code that collects strings once).
    fn pairs(&self, k: &str) -> Vec<(String, String)> {
        let mut flat = self.names(k);
        // Taken from the end: no iterator over the vector of strings. `js/`
        // makes even lists; an odd one out would be the first item, dropped.
        let mut out = Vec::new();
        while flat.len() >= 2 {
            let value = flat.pop().unwrap_or_default();
            let key = flat.pop().unwrap_or_default();
            out.push((key, value));
        }
        out.reverse();
        out
    }
}

/// The options `configure` takes (see there), read by name.
fn options(opts: &JsValue) -> (Options, HttpOptions) {
    let o = Read(opts);
    let mut transports = Vec::new();
    for t in o.names("transports") {
        transports.extend(TransportKind::from_name(&t));
    }
    let timestamp = o.num("timestampRequests");
    let opts = Options {
        path: o.text("path").unwrap_or_else(|| "/socket.io".into()),
        query: o.pairs("query"),
        transports,
        upgrade: o.flag("upgrade"),
        remember_upgrade: o.flag("rememberUpgrade"),
        try_all_transports: o.flag("tryAllTransports"),
        // 1 on, 0 off, -1 left to the engine's default.
        timestamp_requests: (timestamp >= 0.0).then_some(timestamp > 0.0),
        timestamp_param: o.text("timestampParam").unwrap_or_else(|| "t".into()),
        add_trailing_slash: o.flag("addTrailingSlash"),
        close_on_beforeunload: o.flag("closeOnBeforeunload"),
        reconnection: o.flag("reconnection"),
        reconnection_attempts: count(o.num("reconnectionAttempts")),
        reconnection_delay: opt_ms(o.num("reconnectionDelay")).unwrap_or(1000),
        reconnection_delay_max: opt_ms(o.num("reconnectionDelayMax")).unwrap_or(5000),
        randomization_factor: o.num("randomizationFactor"),
        timeout: opt_ms(o.num("timeout")),
        auto_connect: false,
    };
    let http = HttpOptions {
        with_credentials: o.flag("withCredentials"),
        extra_headers: o.pairs("extraHeaders"),
        request_timeout: opt_ms(o.num("requestTimeout")).map(|ms| ms.min(u64::from(u32::MAX)) as u32),
        protocols: o.names("protocols"),
        native_timers: o.flag("useNativeTimers"),
    };
    (opts, http)
}

/// A string for JavaScript, or undefined.
fn text_or_undefined(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// A number option: NaN or negative means "not set".
fn opt_ms(v: f64) -> Option<u64> {
    (v >= 0.0).then_some(v as u64)
}

/// A count from JavaScript: `Infinity` (or anything above `u32::MAX`) is
/// unlimited, NaN and negatives are 0.
fn count(v: f64) -> u32 {
    if v >= f64::from(u32::MAX) {
        u32::MAX
    } else if v > 0.0 {
        v as u32
    } else {
        0
    }
}

/// The Manager of the npm package.
#[wasm_bindgen]
pub struct WasmManager {
    driver: Driver<JsCodec>,
}

#[wasm_bindgen]
impl WasmManager {
    /// Creates a manager for the server at `address` (the parts of the
    /// address js/url.ts resolved: `source`, `protocol`, `host`, `port`,
    /// `nsp`); it does nothing until [`configure`](Self::configure) and `open`
    /// are called. The address's query reaches the engine decoded, as the
    /// `query` option (js/manager.ts), so no query decoder is in the wasm.
    #[wasm_bindgen(constructor)]
    pub fn new(address: &JsValue, handler: Handler) -> WasmManager {
        let a = Read(address);
        let part = |k| a.text(k).unwrap_or_default();
        let uri = ParsedUri {
            source: part("source"),
            protocol: part("protocol"),
            host: part("host"),
            port: part("port"),
            path: part("nsp"),
            query: String::new(),
            query_params: None,
        };
        // Placeholders (the options of an empty object): js/ calls
        // `configure` with the real ones before anything connects. Read by
        // the same code, so that no second way of making `Options` is linked.
        let (opts, http) = options(&Array::new());
        let driver = Driver::new(&uri, opts, http, move |ev| dispatch(&handler, ev));
        WasmManager { driver }
    }

    /// Sets every option (see `Client::reconfigure`): the transport options
    /// apply from the next connection attempt, the reconnection options at
    /// once. `opts` is the object `Manager._configure` (js/manager.ts) makes,
    /// read by name: `query` (the address's own query when it has one) and
    /// `extraHeaders` are flat `[key, value, key, value...]` lists,
    /// `transports` and `protocols` names, `timeout` and `requestTimeout`
    /// negative for "none", `timestampRequests` 1, 0 or -1 (unset).
    pub fn configure(&self, opts: &JsValue) {
        let (opts, http) = options(opts);
        self.driver.reconfigure(opts, http);
    }

    /// Creates the socket of a namespace without connecting it. Its auth
    /// payload is asked from the handler on every connect (`socket.auth` may
    /// change in place between connections).
    pub fn socket(&self, nsp: &str, retries: f64, ack_timeout: f64) -> u32 {
        let opts = SocketOptions { auth: Auth::Provider, retries: count(retries), ack_timeout: opt_ms(ack_timeout) };
        self.driver.call(|c, _| c.add_socket(nsp, opts)).unwrap_or(u32::MAX)
    }

    /// The calls that take at most a number and a flag and return nothing
    /// (see [`Command`] for what `arg` and `on` are to each; the others pass
    /// 0 and false).
    pub fn command(&self, cmd: Command, arg: u32, on: bool) {
        self.driver.call(|c, now| match cmd {
            Command::Open => c.open(now, (arg != 0).then_some(arg)),
            Command::CloseEngine => c.close_engine(now),
            Command::Close => c.close(now),
            Command::Connect => c.connect(now, arg),
            Command::Disconnect => c.disconnect(now, arg),
            Command::PacketEvents => c.set_packet_events(on),
            Command::EngineEvents => c.set_engine_events(true),
            Command::OutgoingEvents => c.set_outgoing_events(arg, on),
            Command::ClearSendBuffer => c.clear_send_buffer(arg),
        });
    }

    /// `socket.emit(..)`: sent or buffered (`JsCodec` takes any payload, and
    /// js/ has checked the name). `token` 0 means no ack; `timeout` negative
    /// means none.
    #[allow(clippy::too_many_arguments)]
    pub fn emit(
        &self,
        socket: u32,
        args: JsValue,
        attachments: Option<Array>,
        token: u32,
        with_error: bool,
        volatile: bool,
        timeout: f64,
    ) {
        let e = Emit {
            payload: Payload { data: args, attachments: attachments_from_js(attachments) },
            ack: (token != 0).then_some(AckRequest { token, with_error }),
            volatile,
            timeout: opt_ms(timeout),
        };
        self.driver.call(|c, now| c.emit(now, socket, e));
    }

    /// Answers the server's event `id`.
    pub fn ack(&self, socket: u32, id: f64, args: JsValue, attachments: Option<Array>) {
        let p = Payload { data: args, attachments: attachments_from_js(attachments) };
        self.driver.call(|c, now| c.ack(now, socket, id as u64, p));
    }

    /// The auth provider's answer.
    #[wasm_bindgen(js_name = authResponse)]
    pub fn auth_response(
        &self,
        socket: u32,
        seq: u32,
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] data: JsValue,
    ) {
        // Taken as a JavaScript value and read by the glue's one `as_string`
        // (an optional string parameter has glue of its own).
        let data = data.as_string();
        self.driver.call(|c, now| c.handle_auth(now, socket, seq, data));
    }

    /// The [`State`] bits of the manager and of socket `socket`.
    pub fn state(&self, socket: u32) -> u32 {
        let bit = |on: bool, b: State| if on { b as u32 } else { 0 };
        self.driver
            .read(|c| {
                bit(c.is_connected(socket), State::Connected)
                    | bit(c.is_active(socket), State::Active)
                    | bit(c.is_recovered(socket), State::Recovered)
                    | bit(c.is_reconnecting(), State::Reconnecting)
                    | bit(c.is_open(), State::Open)
                    | bit(c.is_opening(), State::Opening)
            })
            .unwrap_or(0)
    }

    /// `socket.id` (of socket `socket`), the engine's session id or the
    /// current transport's name: a JavaScript string made in place (an owned
    /// `String` handed over to the glue costs a multi-value shim).
    #[wasm_bindgen(unchecked_return_type = "string | undefined")]
    pub fn text(&self, what: Text, socket: u32) -> JsValue {
        self.driver
            .read(|c| {
                text_or_undefined(match what {
                    Text::Sid => c.socket_sid(socket),
                    Text::EngineId => c.engine_id(),
                    Text::Transport => c.transport().map(TransportKind::name),
                })
            })
            .unwrap_or_default()
    }

    /// `socket.sendBuffer`: `[[ackId | -1, [json, values]], ...]`.
    #[wasm_bindgen(js_name = sendBuffer)]
    pub fn send_buffer(&self, socket: u32) -> Array {
        let out = Array::new();
        self.driver.read(|c| {
            for (id, p) in c.send_buffer(socket) {
                out.push(&Array::of2(&JsValue::from(id.map_or(-1.0, |i| i as f64)), &p.data).into());
            }
        });
        out
    }

    /// `socket.receiveBuffer`: `[[args, attachments?], ...]`.
    #[wasm_bindgen(js_name = receiveBuffer)]
    pub fn receive_buffer(&self, socket: u32) -> Array {
        let out = Array::new();
        self.driver.read(|c| {
            for p in c.receive_buffer(socket) {
                out.push(&Array::of2(&p.data, &attachments_to_js(p.attachments.clone())).into());
            }
        });
        out
    }
}
