//! [`Message`]: an event from the server, its arguments decoded on demand,
//! and the acknowledgement the server may wait for.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::emit::{encode_args, encode_one};
use super::engine::WeakEngine;
use super::{binary, de, DecodeError, EmitError};
use crate::proto::{json, Payload, SocketId};

/// An event from the server.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use socketio_wasm::Message;
///
/// fn on_chat(m: &Message) {
///     if let Ok((user, text)) = m.args::<(String, String)>() {
///         show(&format!("{user}: {text}"));
///     }
/// }
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// socket.on_message("chat", on_chat).detach();
/// # fn show(_: &str) {}
/// # }
/// ```
pub struct Message {
    pub(super) event: String,
    pub(super) payload: Payload,
    /// Set when the server waits for an acknowledgement.
    pub(super) ack: Option<AckHandle>,
}

/// Where to send the acknowledgement of a message: the core's ack id on this socket.
pub(super) struct AckHandle {
    pub(super) engine: Option<WeakEngine>,
    pub(super) socket: SocketId,
    pub(super) id: u64,
}

impl Message {
    pub(super) fn new(payload: Payload, ack: Option<AckHandle>) -> Message {
        let event = json::first_item(&payload.data).and_then(json::string).unwrap_or_default();
        Message { event, payload, ack }
    }

    /// The event name.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_any(|m| match m.event() {
    ///     "user_joined" | "user_left" => refresh_user_list(),
    ///     _ => {}
    /// }).detach();
    /// # fn refresh_user_list() {}
    /// # }
    /// ```
    pub fn event(&self) -> &str {
        &self.event
    }

    /// The arguments as JSON text (`[arg0, arg1, ...]`, binary values as placeholders).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// // Hand the arguments to JavaScript code as they are.
    /// socket.on_message("chart", |m| {
    ///     if let Ok(args) = js_sys::JSON::parse(&m.json()) {
    ///         render_chart(&args);
    ///     }
    /// }).detach();
    /// # fn render_chart(_: &wasm_bindgen::JsValue) {}
    /// # }
    /// ```
    pub fn json(&self) -> String {
        let mut items = Vec::new();
        json::for_each_item(&self.payload.data, |item| items.push(item));
        let mut out = String::from("[");
        // Item 0 is the event name.
        for (index, item) in items.iter().skip(1).enumerate() {
            if index > 0 {
                out.push(',');
            }
            out.push_str(item);
        }
        out.push(']');
        out
    }

    fn raw_arg(&self, index: usize) -> Option<&str> {
        let mut found = None;
        let mut position = 0usize;
        json::for_each_item(&self.payload.data, |item| {
            if position == index + 1 {
                found = Some(item);
            }
            position += 1;
        });
        found
    }

    /// The number of arguments.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("log", |m| {
    ///     for i in 0..m.len() {
    ///         let part: serde_json::Value = m.arg(i).unwrap_or_default();
    ///         show(&part.to_string());
    ///     }
    /// }).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        let mut items = 0usize;
        json::for_each_item(&self.payload.data, |_| items += 1);
        items.saturating_sub(1)
    }

    /// True when the event has no arguments.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("refresh", |m| {
    ///     if m.is_empty() {
    ///         reload_all();
    ///     } else if let Ok(id) = m.arg::<u64>(0) {
    ///         reload(id);
    ///     }
    /// }).detach();
    /// # fn reload_all() {}
    /// # fn reload(_: u64) {}
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Argument `index` decoded as `T` (a missing argument decodes as `null`).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("move", |m| {
    ///     let x: i32 = m.arg(0).unwrap_or_default();
    ///     let y: i32 = m.arg(1).unwrap_or_default();
    ///     let _ = (x, y);
    /// }).detach();
    /// # }
    /// ```
    pub fn arg<T: DeserializeOwned>(&self, index: usize) -> Result<T, DecodeError> {
        self.decode(self.raw_arg(index).unwrap_or("null"))
    }

    /// All the arguments decoded as one value, typically a tuple.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("move", |m| {
    ///     if let Ok((x, y, dir)) = m.args::<(i32, i32, String)>() {
    ///         show(&format!("{x},{y} facing {dir}"));
    ///     }
    /// }).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn args<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        self.decode(&self.json())
    }

    /// Decodes `text` (JSON from this message) with the message's attachments.
    pub(super) fn decode<T: DeserializeOwned>(&self, text: &str) -> Result<T, DecodeError> {
        binary::with_attachments(&self.payload.attachments, || de::from_str(text))
            .map_err(|error| DecodeError { event: self.event.clone(), message: error.into_message() })
    }

    /// The binary attachments, in placeholder order.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("file", |m| {
    ///     for bytes in m.attachments() {
    ///         show(&format!("received {} bytes", bytes.len()));
    ///     }
    /// }).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn attachments(&self) -> &[Vec<u8>] {
        &self.payload.attachments
    }

    /// True when the server waits for an acknowledgement.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("notification", |m| {
    ///     show(&m.arg::<String>(0).unwrap_or_default());
    ///     if m.wants_ack() {
    ///         let _ = m.ack(&"seen");
    ///     }
    /// }).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn wants_ack(&self) -> bool {
        self.ack.is_some()
    }

    /// Answers the server's acknowledgement with one value.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("get_settings", |m| {
    ///     let settings = serde_json::json!({ "theme": "dark", "lang": "en" });
    ///     if let Err(e) = m.ack(&settings) {
    ///         show(&e.to_string());
    ///     }
    /// }).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn ack<T: Serialize>(&self, value: &T) -> Result<(), EmitError> {
        let (data, attachments) = encode_one(value)?;
        self.ack_payload(Payload { data, attachments })
    }

    /// Answers the server's acknowledgement with several values (a tuple;
    /// `&()` for none).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("get_user", |m| {
    ///     let id: u64 = m.arg(0).unwrap_or_default();
    ///     // Node.js style: (error, result).
    ///     let _ = m.ack_args(&((), serde_json::json!({ "id": id, "name": "Ada" })));
    /// }).detach();
    /// # }
    /// ```
    pub fn ack_args<T: Serialize>(&self, args: &T) -> Result<(), EmitError> {
        let (data, attachments) = encode_args(args)?;
        self.ack_payload(Payload { data, attachments })
    }

    fn ack_payload(&self, payload: Payload) -> Result<(), EmitError> {
        let Some(ack) = &self.ack else { return Ok(()) };
        let engine = ack.engine.as_ref().and_then(WeakEngine::upgrade).ok_or(EmitError::Closed)?;
        engine.ack(ack.socket, ack.id, payload).ok_or(EmitError::Closed)
    }
}
