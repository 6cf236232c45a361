//! The `#[wasm_bindgen]` surface the npm package's TypeScript layer (`js/`)
//! is built on: one `WasmManager` per `Manager`, user calls in, events out
//! through a small handler object. Payloads never enter wasm memory: they stay
//! JavaScript values held through [`JsCodec`].

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

use crate::proto::url;
use crate::proto::{
    json, AckRequest, Auth, CloseDetail, Emit, EmitError, ErrorKind, Options, SocketOptions, TransportDetail,
    TransportKind,
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

#[wasm_bindgen]
extern "C" {
    /// The object events are delivered to (implemented in js/manager.ts).
    pub type Handler;

    /// A server event: `args` is the parsed `["name", ...args]`, with
    /// placeholders where `attachments` go; `ack` is the ack id, or -1.
    #[wasm_bindgen(method, js_name = message)]
    fn message(this: &Handler, socket: u32, args: JsValue, attachments: JsValue, ack: f64);

    /// The answer to an emit's ack: the server's parsed arguments, or an error
    /// message.
    #[wasm_bindgen(method, js_name = ack)]
    fn ack(
        this: &Handler,
        socket: u32,
        token: u32,
        with_error: bool,
        args: JsValue,
        attachments: JsValue,
        error: Option<&str>,
    );

    /// Every other event.
    #[wasm_bindgen(method, js_name = event)]
    fn event(this: &Handler, kind: EventKind, socket: u32, a: JsValue, b: JsValue);
}

fn attachments_to_js(list: Vec<JsValue>) -> JsValue {
    if list.is_empty() {
        return JsValue::UNDEFINED;
    }
    list.into_iter().collect::<Array>().into()
}

fn attachments_from_js(list: Option<Array>) -> Vec<JsValue> {
    list.map_or_else(Vec::new, |a| a.iter().collect())
}

/// An error as `[message, type, detail]` (see [`ErrorType`]).
fn error_to_js(e: &ErrorKind) -> JsValue {
    let arr = Array::new();
    arr.push(&JsValue::from_str(e.message()));
    match e {
        ErrorKind::Transport { detail, .. } => {
            arr.push(&JsValue::from(ErrorType::Transport));
            arr.push(&match detail {
                TransportDetail::None => JsValue::UNDEFINED,
                TransportDetail::Status(s) => JsValue::from(*s),
                TransportDetail::Network(m) => JsValue::from_str(m),
            });
        }
        ErrorKind::ConnectRefused { data, .. } => {
            arr.push(&JsValue::from(ErrorType::Refused));
            arr.push(&data.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str));
        }
        _ => {
            arr.push(&JsValue::from(ErrorType::Plain));
        }
    }
    arr.into()
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
    match ev {
        Event::Message { socket, payload, ack } => {
            let ack = ack.map_or(-1.0, |a| a as f64);
            h.message(socket, payload.data, attachments_to_js(payload.attachments), ack);
        }
        Event::Ack { socket, token, with_error, result } => match result {
            Ok(p) => h.ack(socket, token, with_error, p.data, attachments_to_js(p.attachments), None),
            Err(e) => h.ack(socket, token, with_error, u(), u(), Some(e.message())),
        },
        Event::Opening => h.event(K::Opening, 0, u(), u()),
        Event::Open => h.event(K::Open, 0, u(), u()),
        Event::Error(e) => h.event(K::Error, 0, error_to_js(&e), u()),
        Event::Close(r, d) => h.event(K::Close, 0, r.as_str().into(), detail_to_js(&d)),
        Event::Ping => h.event(K::Ping, 0, u(), u()),
        Event::ReconnectAttempt(n) => h.event(K::ReconnectAttempt, 0, n.into(), u()),
        Event::Reconnect(n) => h.event(K::Reconnect, 0, n.into(), u()),
        Event::ReconnectError(e) => h.event(K::ReconnectError, 0, error_to_js(&e), u()),
        Event::ReconnectFailed => h.event(K::ReconnectFailed, 0, u(), u()),
        Event::OpenResult { token, error } => {
            h.event(K::OpenResult, 0, token.into(), error.as_ref().map_or(u(), error_to_js))
        }
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
            h.event(K::Packet, 0, arr.into(), attachments_to_js(attachments))
        }
        Event::Upgrade(k) => h.event(K::Upgrade, 0, k.name().into(), u()),
        Event::UpgradeError(e) => h.event(K::UpgradeError, 0, error_to_js(&e), u()),
        Event::EngineClose(r, d) => h.event(K::EngineClose, 0, r.as_str().into(), detail_to_js(&d)),
        Event::Connect(s) => h.event(K::Connect, s, u(), u()),
        Event::ConnectError(s, e) => h.event(K::ConnectError, s, error_to_js(&e), u()),
        Event::Disconnect(s, r, d) => h.event(K::Disconnect, s, r.as_str().into(), detail_to_js(&d)),
        Event::AuthRequest { socket, seq } => h.event(K::Auth, socket, seq.into(), u()),
        Event::Outgoing { socket, payload } => h.event(K::Outgoing, socket, payload.data, u()),
    }
}

/// `[["k","v"], ...]` JSON into pairs (anything else is ignored).
fn pairs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    json::for_each_item(text, |item| {
        let mut kv = Vec::new();
        json::for_each_item(item, |x| kv.push(json::string(x).unwrap_or_default()));
        if let [k, v] = &kv[..] {
            out.push((k.clone(), v.clone()));
        }
    });
    out
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

/// Bits of the `flags` constructor argument.
mod flag {
    pub const UPGRADE: u32 = 1;
    pub const REMEMBER_UPGRADE: u32 = 2;
    pub const TRY_ALL: u32 = 4;
    pub const TIMESTAMP_SET: u32 = 8;
    pub const TIMESTAMP_ON: u32 = 16;
    pub const TRAILING_SLASH: u32 = 32;
    pub const CLOSE_ON_UNLOAD: u32 = 64;
    pub const RECONNECTION: u32 = 128;
    pub const WITH_CREDENTIALS: u32 = 512;
}

#[wasm_bindgen]
impl WasmManager {
    /// Creates a manager for the server at `source`; it does nothing until
    /// [`configure`](Self::configure) and `open` are called.
    #[wasm_bindgen(constructor)]
    pub fn new(source: &str, handler: Handler) -> WasmManager {
        let uri = url::parse(source);
        let opts = Options { auto_connect: false, ..Options::default() };
        let driver = Driver::new(&uri, opts, HttpOptions::default(), move |ev| dispatch(&handler, ev));
        WasmManager { driver }
    }

    /// Sets every option (see `Client::reconfigure`): the transport options
    /// apply from the next connection attempt, the reconnection options at
    /// once. `query` and `headers` are JSON arrays of `[key, value]`;
    /// `transports` and `protocols` JSON arrays of names; negative numbers
    /// mean "none" (`timeout`, `request_timeout`).
    #[allow(clippy::too_many_arguments)]
    pub fn configure(
        &self,
        path: String,
        query: &str,
        transports: &str,
        flags: u32,
        timestamp_param: String,
        reconnection_attempts: f64,
        reconnection_delay: f64,
        reconnection_delay_max: f64,
        randomization_factor: f64,
        timeout: f64,
        headers: &str,
        request_timeout: f64,
        protocols: &str,
    ) {
        let mut kinds = Vec::new();
        json::for_each_item(transports, |t| {
            if let Some(k) = json::string(t).as_deref().and_then(TransportKind::from_name) {
                kinds.push(k);
            }
        });
        let has = |f: u32| flags & f != 0;
        let opts = Options {
            path,
            query: pairs(query),
            transports: kinds,
            upgrade: has(flag::UPGRADE),
            remember_upgrade: has(flag::REMEMBER_UPGRADE),
            try_all_transports: has(flag::TRY_ALL),
            timestamp_requests: has(flag::TIMESTAMP_SET).then_some(has(flag::TIMESTAMP_ON)),
            timestamp_param,
            add_trailing_slash: has(flag::TRAILING_SLASH),
            close_on_beforeunload: has(flag::CLOSE_ON_UNLOAD),
            reconnection: has(flag::RECONNECTION),
            reconnection_attempts: count(reconnection_attempts),
            reconnection_delay: opt_ms(reconnection_delay).unwrap_or(1000),
            reconnection_delay_max: opt_ms(reconnection_delay_max).unwrap_or(5000),
            randomization_factor,
            timeout: opt_ms(timeout),
            auto_connect: false,
        };
        let mut ws_protocols = Vec::new();
        json::for_each_item(protocols, |p| ws_protocols.extend(json::string(p)));
        let http = HttpOptions {
            with_credentials: has(flag::WITH_CREDENTIALS),
            extra_headers: pairs(headers),
            request_timeout: opt_ms(request_timeout).map(|ms| ms.min(u64::from(u32::MAX)) as u32),
            protocols: ws_protocols,
        };
        self.driver.reconfigure(opts, http);
    }

    /// Creates the socket of a namespace without connecting it. Its auth
    /// payload is asked from the handler on every connect (`socket.auth` may
    /// change in place between connections).
    pub fn socket(&self, nsp: &str, retries: f64, ack_timeout: f64) -> u32 {
        let opts = SocketOptions { auth: Auth::Provider, retries: count(retries), ack_timeout: opt_ms(ack_timeout) };
        self.driver.call(|c, _| c.add_socket(nsp, opts)).unwrap_or(u32::MAX)
    }

    /// `manager.open(cb?)`: `token` 0 means no callback.
    pub fn open(&self, token: u32) {
        self.driver.call(|c, now| c.open(now, (token != 0).then_some(token)));
    }

    /// `manager.engine.close()`.
    #[wasm_bindgen(js_name = closeEngine)]
    pub fn close_engine(&self) {
        self.driver.call(|c, now| c.close_engine(now));
    }

    /// `manager.disconnect()`.
    pub fn close(&self) {
        self.driver.call(|c, now| c.close(now));
    }

    /// `socket.connect()`.
    pub fn connect(&self, socket: u32) {
        self.driver.call(|c, now| c.connect(now, socket));
    }

    /// `socket.disconnect()`.
    pub fn disconnect(&self, socket: u32) {
        self.driver.call(|c, now| c.disconnect(now, socket));
    }

    /// `socket.emit(..)`: 0 sent or buffered, 1 reserved name, 2 bad payload.
    /// `token` 0 means no ack; `timeout` negative means none.
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
    ) -> u32 {
        let e = Emit {
            payload: Payload { data: args, attachments: attachments_from_js(attachments) },
            ack: (token != 0).then_some(AckRequest { token, with_error }),
            volatile,
            timeout: opt_ms(timeout),
        };
        match self.driver.call(|c, now| c.emit(now, socket, e)) {
            Some(Ok(())) => 0,
            Some(Err(EmitError::Reserved(_))) => 1,
            _ => 2,
        }
    }

    /// Answers the server's event `id`.
    pub fn ack(&self, socket: u32, id: f64, args: JsValue, attachments: Option<Array>) {
        let p = Payload { data: args, attachments: attachments_from_js(attachments) };
        self.driver.call(|c, now| c.ack(now, socket, id as u64, p));
    }

    /// The auth provider's answer.
    #[wasm_bindgen(js_name = authResponse)]
    pub fn auth_response(&self, socket: u32, seq: u32, data: Option<String>) {
        self.driver.call(|c, now| c.handle_auth(now, socket, seq, data));
    }

    /// Emit `packet` events (a listener exists).
    #[wasm_bindgen(js_name = setPacketEvents)]
    pub fn set_packet_events(&self, on: bool) {
        self.driver.call(|c, _| c.set_packet_events(on));
    }

    /// Emit outgoing events for `onAnyOutgoing` (a listener exists).
    #[wasm_bindgen(js_name = setOutgoingEvents)]
    pub fn set_outgoing_events(&self, socket: u32, on: bool) {
        self.driver.call(|c, _| c.set_outgoing_events(socket, on));
    }

    /// Socket state bits: 1 connected, 2 active, 4 recovered.
    pub fn state(&self, socket: u32) -> u32 {
        self.driver
            .read(|c| {
                u32::from(c.is_connected(socket))
                    | (u32::from(c.is_active(socket)) << 1)
                    | (u32::from(c.is_recovered(socket)) << 2)
            })
            .unwrap_or(0)
    }

    /// `socket.id`.
    pub fn sid(&self, socket: u32) -> Option<String> {
        self.driver.read(|c| c.socket_sid(socket).map(str::to_owned)).flatten()
    }

    /// The engine's session id.
    #[wasm_bindgen(js_name = engineId)]
    pub fn engine_id(&self) -> Option<String> {
        self.driver.read(|c| c.engine_id().map(str::to_owned)).flatten()
    }

    /// The current transport's name.
    pub fn transport(&self) -> Option<String> {
        self.driver.read(|c| c.transport().map(|k| k.name().to_owned())).flatten()
    }

    /// Manager state bits: 1 reconnecting, 2 open, 4 opening.
    #[wasm_bindgen(js_name = managerState)]
    pub fn manager_state(&self) -> u32 {
        self.driver
            .read(|c| u32::from(c.is_reconnecting()) | (u32::from(c.is_open()) << 1) | (u32::from(c.is_opening()) << 2))
            .unwrap_or(0)
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

    /// `socket.sendBuffer = []`.
    #[wasm_bindgen(js_name = clearSendBuffer)]
    pub fn clear_send_buffer(&self, socket: u32) {
        self.driver.call(|c, _| c.clear_send_buffer(socket));
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
