//! Emitting: [`Emitter`] (per-emit options) and the `emit*` methods of
//! [`Socket`]; arguments to JSON with their attachments.

use std::future::Future;
use std::time::Duration;

use futures_channel::oneshot;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{binary, millis, ser, AckError, EmitError, Message, Socket};
use crate::proto::{self, json, AckRequest, Emit, Payload};

/// JSON text and the binary attachments it refers to.
type Encoded = (String, Vec<Vec<u8>>);

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Encoded, EmitError> {
    let (json, attachments) = binary::collect(|| ser::to_string(value));
    Ok((json.map_err(|error| EmitError::Encode(error.into_message()))?, attachments))
}

/// Encodes one argument as an argument list: `[value]`.
pub(super) fn encode_one<T: Serialize + ?Sized>(value: &T) -> Result<Encoded, EmitError> {
    let (json, attachments) = encode(value)?;
    let mut list = String::with_capacity(json.len() + 2);
    list.push('[');
    list.push_str(&json);
    list.push(']');
    Ok((list, attachments))
}

/// Encodes an argument list: an array (tuple, sequence), or `()` for none.
pub(super) fn encode_args<T: Serialize + ?Sized>(args: &T) -> Result<Encoded, EmitError> {
    let (json, attachments) = encode(args)?;
    match json.as_str() {
        "null" => Ok(("[]".into(), attachments)),
        list if list.starts_with('[') => Ok((json, attachments)),
        _ => Err(EmitError::Encode("the arguments must serialize to an array (a tuple)".into())),
    }
}

/// `["event", ...args]` from an event name and the JSON of its arguments array.
fn event_payload(event: &str, args_json: &str, attachments: Vec<Vec<u8>>) -> Payload {
    let mut data = String::with_capacity(args_json.len() + event.len() + 4);
    data.push('[');
    json::write_string(&mut data, event);
    // JSON's whitespace is ASCII: `trim_ascii`, not `trim` and its Unicode table.
    let inner =
        args_json.trim_ascii().strip_prefix("[").and_then(|list| list.strip_suffix("]")).unwrap_or("").trim_ascii();
    if !inner.is_empty() {
        data.push(',');
        data.push_str(inner);
    }
    data.push(']');
    Payload { data, attachments }
}

/// Emits with options: see [`Socket::timeout`] and [`Socket::volatile`].
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// // One emitter for a burst of updates; each is dropped when offline.
/// let live = socket.volatile();
/// for (x, y) in [(10, 20), (12, 24), (15, 30)] {
///     live.emit("cursor", &(x, y)).unwrap();
/// }
/// # }
/// ```
#[must_use]
pub struct Emitter<'a> {
    socket: &'a Socket,
    volatile: bool,
    /// Milliseconds; `None`: the socket's `ack_timeout`.
    timeout: Option<u64>,
}

impl Emitter<'_> {
    /// The acknowledgement fails with [`AckError::Timeout`] after `timeout`.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() {
    /// use std::time::Duration;
    /// use socketio_wasm::AckError;
    ///
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let r: Result<u32, AckError> =
    ///     socket.volatile().timeout(Duration::from_secs(1)).emit_with_ack("ping", &()).await;
    /// if let Err(AckError::Timeout) = r {
    ///     show("the server is slow");
    /// }
    /// # }
    /// # fn show(_: &str) {}
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(millis(timeout));
        self
    }

    /// The emit is dropped if the connection is not ready to send it.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() {
    /// use std::time::Duration;
    ///
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// // A stale answer is useless: skip the emit when offline, give up after 500 ms.
    /// let hints: Result<Vec<String>, _> = socket
    ///     .timeout(Duration::from_millis(500))
    ///     .volatile()
    ///     .emit_with_ack("suggest", "soc")
    ///     .await;
    /// # let _ = hints;
    /// # }
    /// ```
    pub fn volatile(mut self) -> Self {
        self.volatile = true;
        self
    }

    /// Emits an event with one argument.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// if let Err(e) = socket.volatile().emit("typing", &true) {
    ///     show(&e.to_string());
    /// }
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, value: &T) -> Result<(), EmitError> {
        let (args, attachments) = encode_one(value)?;
        self.send(event_payload(event, &args, attachments), None)
    }

    /// Emits an event with several arguments (a tuple or a sequence; `&()`
    /// for none).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.volatile().emit_args("draw", &(12.5, 40.0, "#ff0000")).unwrap();
    /// # }
    /// ```
    pub fn emit_args<T: Serialize + ?Sized>(&self, event: &str, args: &T) -> Result<(), EmitError> {
        let (json, attachments) = encode_args(args)?;
        self.send(event_payload(event, &json, attachments), None)
    }

    /// Emits an event with one argument and waits for the acknowledgement's
    /// first argument.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() -> Result<(), socketio_wasm::AckError> {
    /// use std::time::Duration;
    ///
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let draft = serde_json::json!({ "title": "Notes", "body": "..." });
    /// let saved: bool = socket.timeout(Duration::from_secs(5)).emit_with_ack("save", &draft).await?;
    /// # let _ = saved;
    /// # Ok(())
    /// # }
    /// ```
    pub fn emit_with_ack<T: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        event: &str,
        value: &T,
    ) -> impl Future<Output = Result<R, AckError>> + 'static {
        self.ack_future(event, encode_one(value))
    }

    /// Emits an event with several arguments (a tuple; `&()` for none) and
    /// waits for the acknowledgement's first argument.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() -> Result<(), socketio_wasm::AckError> {
    /// use std::time::Duration;
    ///
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let id: u64 = socket
    ///     .timeout(Duration::from_secs(5))
    ///     .emit_args_with_ack("create", &("todo", "buy milk"))
    ///     .await?;
    /// # let _ = id;
    /// # Ok(())
    /// # }
    /// ```
    pub fn emit_args_with_ack<T: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        event: &str,
        args: &T,
    ) -> impl Future<Output = Result<R, AckError>> + 'static {
        self.ack_future(event, encode_args(args))
    }

    fn ack_future<R: DeserializeOwned>(
        &self,
        event: &str,
        encoded: Result<Encoded, EmitError>,
    ) -> impl Future<Output = Result<R, AckError>> + 'static {
        let (sender, answer) = oneshot::channel();
        let sent = encoded.and_then(|(args, attachments)| {
            let token = self.socket.manager.registry().token();
            self.socket.handlers.acks.borrow_mut().push((token, sender));
            let sent = self.send(event_payload(event, &args, attachments), Some(token));
            if sent.is_err() {
                self.socket.handlers.acks.borrow_mut().retain(|(pending, _)| *pending != token);
            }
            sent
        });
        let event = event.to_owned();
        async move {
            sent.map_err(AckError::Emit)?;
            let payload = answer.await.map_err(|_| AckError::Disconnected)??;
            let message = Message { event, payload, ack: None };
            // The answer's arguments have no event name: decode the first item.
            let first = json::first_item(&message.payload.data).unwrap_or("null");
            message.decode(first).map_err(AckError::Decode)
        }
    }

    fn send(&self, payload: Payload, token: Option<u32>) -> Result<(), EmitError> {
        let emit = Emit {
            payload,
            ack: token.map(|token| AckRequest { token, with_error: true }),
            volatile: self.volatile,
            timeout: self.timeout,
        };
        match self.socket.manager.engine().emit(self.socket.id, emit) {
            Some(Ok(())) => Ok(()),
            Some(Err(proto::EmitError::Reserved(name))) => Err(EmitError::Reserved(name)),
            Some(Err(_)) => Err(EmitError::Encode("invalid payload".into())),
            None => Err(EmitError::Closed),
        }
    }
}

impl Socket {
    fn emitter(&self) -> Emitter<'_> {
        Emitter { socket: self, volatile: false, timeout: None }
    }

    /// Emits an event with one argument (`&()` for none).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.emit("hello", "world").unwrap();
    /// socket.emit("point", &serde_json::json!({ "x": 1, "y": 2 })).unwrap();
    /// # }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, value: &T) -> Result<(), EmitError> {
        self.emitter().emit(event, value)
    }

    /// Emits an event with several arguments, given as a tuple (`&()` for none).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.emit_args("move", &(10, 20, "north")).unwrap();
    /// # }
    /// ```
    pub fn emit_args<T: Serialize + ?Sized>(&self, event: &str, args: &T) -> Result<(), EmitError> {
        self.emitter().emit_args(event, args)
    }

    /// Emits an event and waits for the server's acknowledgement, decoded as
    /// `R` from its first argument. Fails on the socket's `ack_timeout`, on
    /// disconnection, or when the answer does not decode.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() -> Result<(), socketio_wasm::AckError> {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let total: u64 = socket.emit_with_ack("add", &[1, 2, 3]).await?;
    /// # let _ = total;
    /// # Ok(())
    /// # }
    /// ```
    pub fn emit_with_ack<T: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        event: &str,
        value: &T,
    ) -> impl Future<Output = Result<R, AckError>> + 'static {
        self.emitter().emit_with_ack(event, value)
    }

    /// Like [`Socket::emit_with_ack`] with several arguments (a tuple; `&()` for none).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() -> Result<(), socketio_wasm::AckError> {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let usd: f64 = socket.emit_args_with_ack("convert", &(100, "EUR", "USD")).await?;
    /// # let _ = usd;
    /// # Ok(())
    /// # }
    /// ```
    pub fn emit_args_with_ack<T: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        event: &str,
        args: &T,
    ) -> impl Future<Output = Result<R, AckError>> + 'static {
        self.emitter().emit_args_with_ack(event, args)
    }

    /// The next emit's acknowledgement times out after `timeout`.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() {
    /// use std::time::Duration;
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let r: Result<String, _> = socket.timeout(Duration::from_secs(2)).emit_with_ack("ping", &()).await;
    /// # let _ = r;
    /// # }
    /// ```
    pub fn timeout(&self, timeout: Duration) -> Emitter<'_> {
        self.emitter().timeout(timeout)
    }

    /// The next emit is dropped if the connection is not ready to send it.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.volatile().emit("cursor", &(10, 20)).unwrap();
    /// # }
    /// ```
    pub fn volatile(&self) -> Emitter<'_> {
        self.emitter().volatile()
    }
}
