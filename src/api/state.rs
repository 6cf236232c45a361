//! What a socket tells its handlers: [`ConnectionState`] and [`SocketEvent`].

use super::{ConnectError, DecodeError, DisconnectReason};

/// The connection state of a socket, for status indicators.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use socketio_wasm::ConnectionState;
///
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// let label: String = match socket.state() {
///     ConnectionState::Connected => "online".into(),
///     ConnectionState::Reconnecting { attempt } => format!("reconnecting ({attempt})"),
///     ConnectionState::Refused { message } => format!("refused: {message}"),
///     _ => "offline".into(),
/// };
/// # let _ = label;
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Not connected and not trying (before `connect()`, or after `disconnect()`).
    Idle,
    /// Connecting for the first time.
    Connecting,
    /// Connected.
    Connected,
    /// The connection was lost; reconnecting (attempt 0 while waiting for the first).
    Reconnecting {
        /// The attempt under way.
        attempt: u32,
    },
    /// Disconnected and not reconnecting by itself.
    Disconnected {
        /// Why.
        reason: DisconnectReason,
    },
    /// The namespace refused the connection.
    Refused {
        /// The server's message.
        message: String,
    },
    /// All reconnection attempts failed.
    Failed,
}

/// What happens to a socket's connection.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use socketio_wasm::SocketEvent;
///
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// socket.on_event(|e| match e {
///     SocketEvent::ReconnectAttempt(n) => show(&format!("reconnecting, attempt {n}")),
///     SocketEvent::Reconnect(_) => show("back online"),
///     SocketEvent::ReconnectFailed => show("the server is unreachable"),
///     _ => {}
/// }).detach();
/// # fn show(_: &str) {}
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// Connected (`connect`).
    Connect,
    /// Disconnected (`disconnect`).
    Disconnect(DisconnectReason),
    /// A connection attempt failed (`connect_error`).
    ConnectError(ConnectError),
    /// A reconnection attempt starts (`reconnect_attempt`).
    ReconnectAttempt(u32),
    /// Reconnected after this many attempts (`reconnect`).
    Reconnect(u32),
    /// Reconnection gave up (`reconnect_failed`).
    ReconnectFailed,
    /// A typed handler received a payload it could not decode.
    DecodeError(DecodeError),
}
