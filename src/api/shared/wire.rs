//! The messages between the tabs and the hub of a shared connection, and the
//! browser parts they travel through (`link.js`: a `BroadcastChannel`, Web
//! Locks, a microtask).
//!
//! A message is a JavaScript array, `[direction, from, to, kind, ...fields]`:
//! `direction` is [`TO_HUB`] or [`TO_TAB`]; `from` and `to` are tab ids (the
//! hub is known by the id of the tab it runs in; `to` 0 is every tab). The
//! fields of each kind are listed with its constant. A payload is two fields,
//! its JSON text and an array of `Uint8Array` attachments. A snapshot (the
//! state a tab reads for `id`, `connected`, `active` and the transport) is
//! `[messages the hub has read from the tab, transport name or "", [[sid or
//! undefined, bits] per tab socket]]`, bits [`CONNECTED`], [`ACTIVE`],
//! [`RECOVERED`].

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::proto::Payload;

#[wasm_bindgen(module = "/src/api/shared/link.js")]
extern "C" {
    pub(super) type Channel;
    /// `None` where `BroadcastChannel` or Web Locks are missing.
    pub(super) fn channel(name: &str, onmessage: &Closure<dyn FnMut(JsValue)>) -> Option<Channel>;
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    pub(super) fn post(this: &Channel, message: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    pub(super) fn close(this: &Channel);
    /// Asks for a Web Lock; `granted(true)` runs once it is held, and
    /// `granted(false)` if the browser refuses the request. The returned
    /// function releases it, or withdraws the request.
    pub(super) fn hold(name: &str, granted: &Closure<dyn FnMut(bool)>) -> js_sys::Function;
    /// Runs a function in a microtask.
    pub(super) fn soon(f: &JsValue);
}

/// The version of these messages, in the names of the channel and the locks:
/// tabs running another version of the crate (an open tab during a deploy)
/// never see them. Change it when the messages change.
pub(super) const PROTOCOL: &str = "socketio-wasm/rs1";

pub(super) const TO_HUB: u32 = 0;
pub(super) const TO_TAB: u32 = 1;

// To the hub.
/// `[]`: a tab starts, or attaches to a new hub.
pub(super) const HELLO: u32 = 1;
/// `[socket, namespace, retries, ack timeout or -1]`: a tab socket.
pub(super) const SOCKET: u32 = 2;
/// `[socket]`: the tab connects its socket.
pub(super) const CONNECT: u32 = 3;
/// `[socket]`: the tab disconnects its socket.
pub(super) const DISCONNECT: u32 = 4;
/// `[socket, payload (2), ack token or 0, volatile 0/1, timeout or -1]`.
pub(super) const EMIT: u32 = 5;
/// `[socket, server's ack id, payload (2)]`: the answer to a server event.
pub(super) const ACK: u32 = 6;
/// `[socket, seq, JSON text or undefined]`: the answer to [`ASK_AUTH`].
pub(super) const AUTH: u32 = 7;
/// `[]`: `manager.disconnect()`.
pub(super) const CLOSE: u32 = 8;
/// `[]`: the tab's manager is gone.
pub(super) const BYE: u32 = 9;

// To the tabs.
/// `[]` to every tab: a new hub runs the connection; attach to it.
pub(super) const HUB: u32 = 20;
/// `[snapshot]`.
pub(super) const STATE: u32 = 21;
/// `[socket, snapshot]`.
pub(super) const CONNECTED: u32 = 22;
/// `[socket, reason, snapshot]`.
pub(super) const DISCONNECTED: u32 = 23;
/// `[socket, refused 0/1, message, data or undefined, snapshot]`.
pub(super) const CONNECT_ERROR: u32 = 24;
/// `[socket, payload (2), server's ack id or -1]`.
pub(super) const MESSAGE: u32 = 25;
/// `[socket, token, outcome (`ACK_OK`, `ACK_TIMEOUT`, `ACK_DISCONNECTED`), payload (2)]`.
pub(super) const ACKED: u32 = 26;
/// `[socket, seq]`: the tab's auth payload is wanted.
pub(super) const ASK_AUTH: u32 = 27;
/// `[attempt, snapshot]`.
pub(super) const RECONNECT_ATTEMPT: u32 = 28;
/// `[attempts, snapshot]`.
pub(super) const RECONNECT: u32 = 29;
/// `[snapshot]`.
pub(super) const RECONNECT_FAILED: u32 = 30;

pub(super) const ACK_OK: u32 = 0;
pub(super) const ACK_TIMEOUT: u32 = 1;
pub(super) const ACK_DISCONNECTED: u32 = 2;

// Bits of a socket's state in a snapshot.
pub(super) const CONNECTED_BIT: u32 = 1;
pub(super) const ACTIVE_BIT: u32 = 2;
pub(super) const RECOVERED_BIT: u32 = 4;

/// A message being written.
pub(super) struct Out(Array);

impl Out {
    pub(super) fn new(direction: u32, from: u32, to: u32, kind: u32) -> Out {
        let array = Array::new();
        for n in [direction, from, to, kind] {
            array.push(&n.into());
        }
        Out(array)
    }

    pub(super) fn num(self, n: f64) -> Out {
        self.0.push(&n.into());
        self
    }

    pub(super) fn text(self, text: &str) -> Out {
        self.0.push(&text.into());
        self
    }

    pub(super) fn opt_text(self, text: Option<&str>) -> Out {
        self.0.push(&text.map_or(JsValue::UNDEFINED, JsValue::from_str));
        self
    }

    pub(super) fn value(self, value: &JsValue) -> Out {
        self.0.push(value);
        self
    }

    pub(super) fn payload(self, payload: &Payload) -> Out {
        let attachments: Array = payload.attachments.iter().map(|bytes| Uint8Array::from(bytes.as_slice())).collect();
        self.text(&payload.data).value(&attachments)
    }

    pub(super) fn done(self) -> JsValue {
        self.0.into()
    }
}

/// A message being read; a field of the wrong type reads as absent.
pub(super) struct In(Array);

impl In {
    pub(super) fn new(message: JsValue) -> Option<In> {
        message.dyn_into::<Array>().ok().map(In)
    }

    pub(super) fn get(&self, i: u32) -> JsValue {
        self.0.get(i)
    }

    /// A whole number, or `None`.
    pub(super) fn num(&self, i: u32) -> Option<f64> {
        self.0.get(i).as_f64()
    }

    /// A number that fits in a `u32`, else 0.
    pub(super) fn u32(&self, i: u32) -> u32 {
        self.num(i).filter(|n| (0.0..=f64::from(u32::MAX)).contains(n)).map_or(0, |n| n as u32)
    }

    /// A non-negative number, else `None` (for fields where -1 means none).
    pub(super) fn opt_u64(&self, i: u32) -> Option<u64> {
        self.num(i).filter(|n| *n >= 0.0).map(|n| n as u64)
    }

    pub(super) fn text(&self, i: u32) -> Option<String> {
        self.0.get(i).as_string()
    }

    pub(super) fn payload(&self, i: u32) -> Option<Payload> {
        let data = self.text(i)?;
        let attachments = self.0.get(i + 1).dyn_into::<Array>().ok()?;
        let attachments = attachments
            .iter()
            .map(|bytes| bytes.dyn_into::<Uint8Array>().map(|bytes| bytes.to_vec()).ok())
            .collect::<Option<Vec<_>>>()?;
        Some(Payload { data, attachments })
    }
}

/// The number of an optional value: `-1` for none.
pub(super) fn or_minus_one(value: Option<u64>) -> f64 {
    value.map_or(-1.0, |v| v as f64)
}
