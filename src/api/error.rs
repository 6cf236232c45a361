//! Errors of the Rust API.

use std::fmt;

/// Why an emit was refused.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use socketio_wasm::EmitError;
///
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// match socket.emit("chat", "hello") {
///     Ok(()) => {}
///     Err(EmitError::Reserved(name)) => show(&format!("{name} is reserved")),
///     Err(EmitError::Encode(why)) => show(&format!("bad payload: {why}")),
///     Err(EmitError::Closed) => show("the connection is gone"),
/// }
/// # fn show(_: &str) {}
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    /// The event name is reserved (`connect`, `connect_error`, `disconnect`, ...).
    Reserved(String),
    /// The payload could not be serialized to JSON.
    Encode(String),
    /// The connection no longer exists (its last handle was dropped).
    Closed,
}

impl fmt::Display for EmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::Reserved(name) => write!(f, "\"{name}\" is a reserved event name"),
            EmitError::Encode(e) => write!(f, "cannot encode the payload: {e}"),
            EmitError::Closed => f.write_str("the connection was dropped"),
        }
    }
}

impl std::error::Error for EmitError {}

/// A payload that does not have the expected shape.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// socket.on_message("score", |m| match m.arg::<u32>(0) {
///     Ok(score) => show(&score.to_string()),
///     Err(e) => show(&format!("bad {} payload: {}", e.event, e.message)),
/// }).detach();
/// # fn show(_: &str) {}
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The event it belongs to.
    pub event: String,
    /// What serde said.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot decode a \"{}\" payload: {}", self.event, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Why `emit_with_ack` produced no answer.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn demo() {
/// use socketio_wasm::AckError;
///
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// match socket.emit_with_ack::<_, String>("join", "lobby").await {
///     Ok(room) => show(&format!("joined {room}")),
///     Err(AckError::Timeout | AckError::Disconnected) => show("no answer, try again"),
///     Err(e) => show(&e.to_string()),
/// }
/// # }
/// # fn show(_: &str) {}
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckError {
    /// No answer within the timeout (`operation has timed out`).
    Timeout,
    /// The socket disconnected before the answer (`socket has been disconnected`).
    Disconnected,
    /// The answer does not have the expected type.
    Decode(DecodeError),
    /// The emit itself was refused.
    Emit(EmitError),
}

impl fmt::Display for AckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AckError::Timeout => f.write_str("operation has timed out"),
            AckError::Disconnected => f.write_str("socket has been disconnected"),
            AckError::Decode(e) => e.fmt(f),
            AckError::Emit(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for AckError {}

/// Why a connection attempt failed (the `connect_error` event).
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use socketio_wasm::ConnectError;
///
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// socket.on_connect_error(|e| match e {
///     ConnectError::Refused { message, .. } => show(&format!("refused: {message}")),
///     ConnectError::Failed(why) => show(&format!("cannot reach the server: {why}")),
/// }).detach();
/// # fn show(_: &str) {}
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// The namespace refused the connection (server middleware): its message
    /// and `data` (JSON text).
    Refused {
        /// The server's message.
        message: String,
        /// The server's `data`, as JSON text.
        data: Option<String>,
    },
    /// The connection could not be made (transport error, timeout...); the
    /// socket keeps trying if reconnection is on.
    Failed(String),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Refused { message, .. } => write!(f, "connection refused: {message}"),
            ConnectError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ConnectError {}
