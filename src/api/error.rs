//! Errors of the Rust API.

use std::fmt;

/// Why an emit was refused.
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
