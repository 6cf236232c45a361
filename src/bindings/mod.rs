//! The `#[wasm_bindgen]` surface the npm package's TypeScript layer (`js/`)
//! is built on: one `WasmManager` per `Manager`, user calls in, events out
//! through a small handler object. Payloads cross as JSON text plus binary
//! attachments; the browser's own `JSON.parse`/`JSON.stringify` turn them into
//! values on the JavaScript side.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::proto::url;
use crate::proto::{
    json, AckRequest, Auth, CloseDetail, Emit, EmitError, ErrorKind, Event, Options, Payload, SocketOptions,
    TransportDetail, TransportKind,
};
use crate::web::{Driver, HttpOptions};

#[wasm_bindgen]
extern "C" {
    /// The object events are delivered to (implemented in js/manager.ts).
    pub type Handler;

    /// A server event: `data` is `["name", ...args]` JSON; `ack` is the ack
    /// id, or -1.
    #[wasm_bindgen(method, js_name = message)]
    fn message(this: &Handler, socket: u32, data: String, attachments: Option<Array>, ack: f64);

    /// The answer to an emit's ack: the server's arguments as JSON, or an
    /// error message.
    #[wasm_bindgen(method, js_name = ack)]
    fn ack(
        this: &Handler,
        socket: u32,
        token: u32,
        with_error: bool,
        data: Option<String>,
        attachments: Option<Array>,
        error: Option<String>,
    );

    /// Every other event: `kind` says which (see `dispatch`).
    #[wasm_bindgen(method, js_name = event)]
    fn event(this: &Handler, kind: u32, socket: u32, a: JsValue, b: JsValue, c: JsValue);
}

/// Event kinds passed to `Handler.event`.
mod kind {
    pub const OPENING: u32 = 0;
    pub const OPEN: u32 = 1;
    pub const ERROR: u32 = 2;
    pub const CLOSE: u32 = 3;
    pub const PING: u32 = 4;
    pub const RECONNECT_ATTEMPT: u32 = 5;
    pub const RECONNECT: u32 = 6;
    pub const RECONNECT_ERROR: u32 = 7;
    pub const RECONNECT_FAILED: u32 = 8;
    pub const OPEN_RESULT: u32 = 9;
    pub const PACKET: u32 = 10;
    pub const UPGRADE: u32 = 11;
    pub const UPGRADE_ERROR: u32 = 12;
    pub const ENGINE_CLOSE: u32 = 13;
    pub const CONNECT: u32 = 14;
    pub const CONNECT_ERROR: u32 = 15;
    pub const DISCONNECT: u32 = 16;
    pub const AUTH: u32 = 17;
    pub const OUTGOING: u32 = 18;
}

fn attachments_to_js(list: Vec<Vec<u8>>) -> Option<Array> {
    if list.is_empty() {
        return None;
    }
    let arr = Array::new();
    for a in list {
        arr.push(&Uint8Array::from(a.as_slice()).buffer());
    }
    Some(arr)
}

fn attachments_from_js(list: Option<Array>) -> Vec<Vec<u8>> {
    list.map_or_else(Vec::new, |a| a.iter().map(|v| Uint8Array::new(&v).to_vec()).collect())
}

/// An error as `[message, type, detail]`: `type` is 0 plain, 1 transport
/// (detail: HTTP status or message), 2 refused by the namespace (detail: the
/// server's `data` as JSON text).
fn error_to_js(e: &ErrorKind) -> JsValue {
    let arr = Array::new();
    arr.push(&JsValue::from_str(e.message()));
    match e {
        ErrorKind::Transport { detail, .. } => {
            arr.push(&JsValue::from(1));
            arr.push(&match detail {
                TransportDetail::None => JsValue::UNDEFINED,
                TransportDetail::Status(s) => JsValue::from(*s),
                TransportDetail::Network(m) => JsValue::from_str(m),
            });
        }
        ErrorKind::ConnectRefused { data, .. } => {
            arr.push(&JsValue::from(2));
            arr.push(&data.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str));
        }
        _ => {
            arr.push(&JsValue::from(0));
        }
    }
    arr.into()
}

/// A close detail: undefined, `{description}`-like `[description]`,
/// `[description, code, reason]` for a WebSocket, or an error array.
fn detail_to_js(d: &CloseDetail) -> JsValue {
    match d {
        CloseDetail::None => JsValue::UNDEFINED,
        CloseDetail::Described(s) => Array::of1(&JsValue::from_str(s)).into(),
        CloseDetail::WebSocket { code, reason } => {
            Array::of3(&"websocket connection closed".into(), &JsValue::from(*code), &JsValue::from_str(reason)).into()
        }
        CloseDetail::Error(e) => {
            let wrapped = Array::of1(&JsValue::NULL);
            wrapped.push(&error_to_js(e));
            wrapped.into()
        }
    }
}

fn dispatch(h: &Handler, ev: Event) {
    use kind::*;
    let u = JsValue::UNDEFINED;
    match ev {
        Event::Message { socket, payload, ack } => {
            let ack = ack.map_or(-1.0, |a| a as f64);
            h.message(socket, payload.data, attachments_to_js(payload.attachments), ack);
        }
        Event::Ack { socket, token, with_error, result } => match result {
            Ok(p) => h.ack(socket, token, with_error, Some(p.data), attachments_to_js(p.attachments), None),
            Err(e) => h.ack(socket, token, with_error, None, None, Some(e.message().into())),
        },
        Event::Opening => h.event(OPENING, 0, u.clone(), u.clone(), u),
        Event::Open => h.event(OPEN, 0, u.clone(), u.clone(), u),
        Event::Error(e) => h.event(ERROR, 0, error_to_js(&e), u.clone(), u),
        Event::Close(r, d) => h.event(CLOSE, 0, r.as_str().into(), detail_to_js(&d), u),
        Event::Ping => h.event(PING, 0, u.clone(), u.clone(), u),
        Event::ReconnectAttempt(n) => h.event(RECONNECT_ATTEMPT, 0, n.into(), u.clone(), u),
        Event::Reconnect(n) => h.event(RECONNECT, 0, n.into(), u.clone(), u),
        Event::ReconnectError(e) => h.event(RECONNECT_ERROR, 0, error_to_js(&e), u.clone(), u),
        Event::ReconnectFailed => h.event(RECONNECT_FAILED, 0, u.clone(), u.clone(), u),
        Event::OpenResult { token, error } => {
            h.event(OPEN_RESULT, 0, token.into(), error.as_ref().map_or(u.clone(), error_to_js), u)
        }
        Event::Packet { packet, attachments } => {
            // [type, nsp, data, id] like socket.io-parser's decoded packet
            // object, whose binary packets are typed EVENT / ACK.
            use crate::proto::sio::Packet as P;
            let (t, nsp, data, id) = match packet {
                P::Connect { nsp, data } => (0, nsp, data, None),
                P::Disconnect { nsp } => (1, nsp, None, None),
                P::Event { nsp, id, data, .. } => (2, nsp, Some(data), id),
                P::Ack { nsp, id, data, .. } => (3, nsp, Some(data), id),
                P::ConnectError { nsp, data } => (4, nsp, Some(data), None),
            };
            let arr = Array::of3(&JsValue::from(t), &JsValue::from_str(&nsp), &data.map_or(u.clone(), |d| d.into()));
            arr.push(&id.map_or(u.clone(), |i| JsValue::from(i as f64)));
            h.event(PACKET, 0, arr.into(), attachments_to_js(attachments).map_or(u.clone(), Into::into), u)
        }
        Event::Upgrade(k) => h.event(UPGRADE, 0, k.name().into(), u.clone(), u),
        Event::UpgradeError(e) => h.event(UPGRADE_ERROR, 0, error_to_js(&e), u.clone(), u),
        Event::EngineClose(r, d) => h.event(ENGINE_CLOSE, 0, r.as_str().into(), detail_to_js(&d), u),
        Event::Connect(s) => h.event(CONNECT, s, u.clone(), u.clone(), u),
        Event::ConnectError(s, e) => h.event(CONNECT_ERROR, s, error_to_js(&e), u.clone(), u),
        Event::Disconnect(s, r, d) => h.event(DISCONNECT, s, r.as_str().into(), detail_to_js(&d), u),
        Event::AuthRequest { socket, seq } => h.event(AUTH, socket, seq.into(), u.clone(), u),
        Event::Outgoing { socket, payload } => h.event(
            OUTGOING,
            socket,
            payload.data.into(),
            attachments_to_js(payload.attachments).map_or(u.clone(), Into::into),
            u,
        ),
    }
}

/// Resolves what was passed to `io()`: `[source, cacheId, namespace, queryJson]`
/// where `queryJson` is a JSON array of `[key, value]` pairs (empty when the
/// address has no query).
#[wasm_bindgen]
pub fn resolve(uri: Option<String>, path: &str) -> Array {
    let p = url::resolve(uri.as_deref(), crate::web::location().as_ref());
    let mut q = String::from("[");
    for (i, (k, v)) in url::decode_query(&p.query).iter().enumerate() {
        if i > 0 {
            q.push(',');
        }
        q.push('[');
        json::write_string(&mut q, k);
        q.push(',');
        json::write_string(&mut q, v);
        q.push(']');
    }
    q.push(']');
    let arr = Array::of3(&p.source.as_str().into(), &p.cache_id(path).into(), &p.path.as_str().into());
    arr.push(&q.into());
    arr
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
    driver: Driver,
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
        data: &js_sys::JsString,
        attachments: Option<Array>,
        token: u32,
        with_error: bool,
        volatile: bool,
        timeout: f64,
    ) -> u32 {
        let e = Emit {
            payload: Payload { data: crate::web::string_from_js(data), attachments: attachments_from_js(attachments) },
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
    pub fn ack(&self, socket: u32, id: f64, data: &js_sys::JsString, attachments: Option<Array>) {
        let p = Payload { data: crate::web::string_from_js(data), attachments: attachments_from_js(attachments) };
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

    /// `socket.sendBuffer`: `[[ackId | -1, json, attachments?], ...]`.
    #[wasm_bindgen(js_name = sendBuffer)]
    pub fn send_buffer(&self, socket: u32) -> Array {
        let out = Array::new();
        self.driver.read(|c| {
            for (id, p) in c.send_buffer(socket) {
                let entry = Array::of2(&JsValue::from(id.map_or(-1.0, |i| i as f64)), &p.data.as_str().into());
                entry.push(&attachments_to_js(p.attachments.clone()).map_or(JsValue::UNDEFINED, Into::into));
                out.push(&entry);
            }
        });
        out
    }

    /// `socket.sendBuffer = []`.
    #[wasm_bindgen(js_name = clearSendBuffer)]
    pub fn clear_send_buffer(&self, socket: u32) {
        self.driver.call(|c, _| c.clear_send_buffer(socket));
    }

    /// `socket.receiveBuffer`: `[[json, attachments?], ...]`.
    #[wasm_bindgen(js_name = receiveBuffer)]
    pub fn receive_buffer(&self, socket: u32) -> Array {
        let out = Array::new();
        self.driver.read(|c| {
            for p in c.receive_buffer(socket) {
                let entry = Array::of1(&p.data.as_str().into());
                entry.push(&attachments_to_js(p.attachments.clone()).map_or(JsValue::UNDEFINED, Into::into));
                out.push(&entry);
            }
        });
        out
    }
}
