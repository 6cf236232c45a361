//! The sans-IO core: codecs and state machines for Engine.IO v4 and
//! Socket.IO v5, with no JavaScript, no clock and no randomness of its own.
//!
//! Inputs go in through the `handle_*` methods and the user calls of
//! [`Client`], each taking `now` (milliseconds on any monotonic clock);
//! outputs come out through [`Client::poll_transmit`] (I/O to perform),
//! [`Client::poll_event`] (what to tell the user) and [`Client::poll_timeout`]
//! (when to call [`Client::handle_timeout`]). After every input, drain
//! `poll_transmit` and `poll_event` until they return `None`, then re-arm the
//! timer from `poll_timeout`.
//!
//! Behaviour and defaults follow socket.io-client 4.8.
//!
//! This file holds the vocabulary the shells and the core share (options,
//! transmits, events, errors, close reasons), documented in one place; the
//! state machines are in `client/` and `engine/`.
#![forbid(unsafe_code)]

pub mod backoff;
pub mod base64;
mod client;
pub mod codec;
pub mod eio;
mod engine;
pub mod json;
pub mod sio;
pub mod url;

pub use client::{Client, SocketId};
#[cfg(target_arch = "wasm32")]
pub(crate) use client::{EngineInput, Input};
pub use codec::{Codec, TextCodec};

/// The 128 ASCII bytes, in order.
// Evaluated at compile time, where an index out of bounds is a build error.
#[allow(clippy::indexing_slicing)]
const ASCII_BYTES: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = i as u8;
        i += 1;
    }
    table
};

/// The 128 ASCII characters, in order (checked at compile time).
const ASCII: &str = match std::str::from_utf8(&ASCII_BYTES) {
    Ok(s) => s,
    Err(_) => "",
};

/// The parts of `s` between the ASCII byte `sep`, as `str::split` gives them
/// (without its character searcher: the positions are those of one byte).
pub(crate) fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == sep) {
            Some(p) => {
                rest = r.get(p + 1..);
                r.get(..p)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Appends an ASCII byte (digits, letters, punctuation) to `out` as a
/// one-byte slice: `String::push` (not inlined at this size) would link
/// the UTF-8 encoder of `char` for the bytes the core writes. Bytes above
/// 0x7f are taken modulo 128 (the core never writes them).
pub(crate) fn push_ascii(out: &mut String, b: u8) {
    let i = usize::from(b & 0x7f);
    out.push_str(ASCII.get(i..=i).unwrap_or_default());
}

/// A transport kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// HTTP long-polling.
    Polling,
    /// WebSocket.
    WebSocket,
}

impl TransportKind {
    /// The protocol name: `polling` or `websocket`.
    pub fn name(self) -> &'static str {
        match self {
            TransportKind::Polling => "polling",
            TransportKind::WebSocket => "websocket",
        }
    }

    /// Parses a protocol name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "polling" => Some(TransportKind::Polling),
            "websocket" => Some(TransportKind::WebSocket),
            _ => None,
        }
    }
}

/// Identifies one transport instance; input from a replaced transport is dropped.
pub type TransportId = u32;

/// A WebSocket message.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame<C: Codec = TextCodec> {
    /// A text message.
    Text(C::Text),
    /// A binary message.
    Binary(C::Binary),
}

/// I/O the shell must perform, from [`Client::poll_transmit`].
#[derive(Debug, Clone, PartialEq)]
pub enum Transmit<C: Codec = TextCodec> {
    /// Open a WebSocket (`binaryType = "arraybuffer"`); report with
    /// `handle_ws_open`, `handle_ws_frame`, `handle_ws_error`, `handle_ws_close`.
    WsOpen {
        /// The transport.
        id: TransportId,
        /// `ws://` or `wss://` address.
        url: String,
    },
    /// Send one message on the WebSocket.
    WsSend {
        /// The transport.
        id: TransportId,
        /// The message.
        frame: Frame<C>,
    },
    /// After the current task's synchronous work (a microtask), call
    /// [`Client::handle_drain`]: the writes just made have been handed over.
    Drain {
        /// The transport.
        id: TransportId,
    },
    /// Close the WebSocket and forget it.
    WsClose {
        /// The transport.
        id: TransportId,
    },
    /// Long-polling read: HTTP GET; report with [`Client::handle_poll`].
    Get {
        /// The transport.
        id: TransportId,
        /// Request address.
        url: String,
    },
    /// Long-polling write: HTTP POST of a text body
    /// (`content-type: text/plain;charset=UTF-8`); report with [`Client::handle_post`].
    Post {
        /// The transport.
        id: TransportId,
        /// Request address.
        url: String,
        /// The encoded payload.
        body: C::Text,
    },
    /// Abort the transport's outstanding GET, if any, and forget the transport
    /// once its last POST settles.
    Abort {
        /// The transport.
        id: TransportId,
    },
}

/// How an HTTP request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// The server answered with a non-2xx status.
    Status(u16),
    /// The request did not complete (network error, CORS, abort).
    Network(String),
}

/// Why a socket or the manager disconnected: socket.io-client's reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The server disconnected the socket (`socket.disconnect()` on the server).
    IoServerDisconnect,
    /// The client called `disconnect()`.
    IoClientDisconnect,
    /// No ping from the server within `pingInterval + pingTimeout`.
    PingTimeout,
    /// The connection was closed (server restart, network loss).
    TransportClose,
    /// The connection failed.
    TransportError,
    /// The server sent a packet that could not be decoded.
    ParseError,
    /// The manager was closed by the client.
    ForcedClose,
}

impl Reason {
    /// The reason string socket.io-client reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::IoServerDisconnect => "io server disconnect",
            Reason::IoClientDisconnect => "io client disconnect",
            Reason::PingTimeout => "ping timeout",
            Reason::TransportClose => "transport close",
            Reason::TransportError => "transport error",
            Reason::ParseError => "parse error",
            Reason::ForcedClose => "forced close",
        }
    }

    /// True when the client will reconnect by itself after a socket
    /// disconnects for this reason (given `reconnection` is on).
    /// `ForcedClose` is reported for both a manager closed by the user (no
    /// reconnection) and an engine closed by the user (the manager then
    /// reconnects); it counts as the former here.
    pub fn reconnects(self) -> bool {
        !matches!(self, Reason::IoServerDisconnect | Reason::IoClientDisconnect | Reason::ForcedClose)
    }
}

/// The detail of a failed transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportDetail {
    /// Nothing more is known (a WebSocket `error` event).
    None,
    /// The HTTP status of a failed request.
    Status(u16),
    /// The message of a failed request.
    Network(String),
}

/// An error reported to the user, shaped after the `Error`s of socket.io-client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A `TransportError`: `message` is `websocket error`, `xhr poll error` or
    /// `xhr post error`.
    Transport {
        /// The error message.
        message: &'static str,
        /// What the transport knew.
        detail: TransportDetail,
    },
    /// The manager's open `timeout` expired: `timeout`.
    Timeout,
    /// The server sent an Engine.IO packet that could not be decoded: `server error`.
    ServerError,
    /// The `transports` option is empty: `No transports available`.
    NoTransports,
    /// The upgrade probe failed; the message says how.
    Probe(&'static str),
    /// A Socket.IO packet could not be decoded.
    Parse(sio::DecodeError),
    /// The namespace refused the connection (CONNECT_ERROR).
    ConnectRefused {
        /// The server's message.
        message: String,
        /// The server's `data`, as JSON text.
        data: Option<String>,
    },
    /// The server answered CONNECT without a `sid`: a Socket.IO v2 server.
    IncompatibleServer,
}

/// The message of the `Error` for an [`ErrorKind`].
impl ErrorKind {
    /// The message socket.io-client uses for this error.
    pub fn message(&self) -> &str {
        match self {
            ErrorKind::Transport { message, .. } => message,
            ErrorKind::Timeout => "timeout",
            ErrorKind::ServerError => "server error",
            ErrorKind::NoTransports => "No transports available",
            ErrorKind::Probe(m) => m,
            ErrorKind::Parse(e) => e.message(),
            ErrorKind::ConnectRefused { message, .. } => message,
            ErrorKind::IncompatibleServer => "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)",
        }
    }
}

/// The second argument of a `disconnect` / `close` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseDetail {
    /// No detail.
    None,
    /// `{ description }`.
    Described(&'static str),
    /// `{ description: "websocket connection closed", context: CloseEvent }`.
    WebSocket {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
    /// The error that closed the connection.
    Error(ErrorKind),
}

/// Why an acknowledgement will never come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckError {
    /// No answer within the timeout: `operation has timed out`.
    Timeout,
    /// The socket disconnected first: `socket has been disconnected`.
    Disconnected,
}

impl AckError {
    /// The message socket.io-client uses.
    pub fn message(self) -> &'static str {
        match self {
            AckError::Timeout => "operation has timed out",
            AckError::Disconnected => "socket has been disconnected",
        }
    }
}

/// Event arguments: a JSON array whose binary values are
/// `{"_placeholder":true,"num":N}` placeholders, plus the attachments, as the
/// [`Codec`] holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload<C: Codec = TextCodec> {
    /// The JSON array.
    pub data: C::Args,
    /// Binary attachments, in placeholder order.
    pub attachments: Vec<C::Binary>,
}

impl<C: Codec> Default for Payload<C>
where
    C::Args: Default,
{
    fn default() -> Self {
        Payload { data: C::Args::default(), attachments: Vec::new() }
    }
}

impl<C: Codec> Payload<C> {
    /// Arguments without attachments.
    pub fn new(data: C::Args) -> Self {
        Payload { data, attachments: Vec::new() }
    }
}

/// Who waits for an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckRequest {
    /// The shell's handle for the callback, returned in [`Event::Ack`].
    pub token: u32,
    /// Error-first callback (`emitWithAck`, `timeout()`): it is told of
    /// timeouts and disconnections. A plain callback is only ever called with
    /// the server's answer.
    pub with_error: bool,
}

/// One `emit` from the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Emit<C: Codec = TextCodec> {
    /// `["event", ...args]`, with placeholders.
    pub payload: Payload<C>,
    /// The acknowledgement callback, if any.
    pub ack: Option<AckRequest>,
    /// Drop the packet when the transport is not writable.
    pub volatile: bool,
    /// The per-emit ack timeout (`socket.timeout(ms)`), overriding `ackTimeout`.
    pub timeout: Option<u64>,
}

impl<C: Codec> Default for Emit<C>
where
    C::Args: Default,
{
    fn default() -> Self {
        Emit::new(Payload::default())
    }
}

impl<C: Codec> Emit<C> {
    /// An emit of `payload` without ack, flags or timeout.
    pub fn new(payload: Payload<C>) -> Self {
        Emit { payload, ack: None, volatile: false, timeout: None }
    }
}

/// Why an emit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    /// The event name is reserved (`connect`, `disconnect`...): the message is
    /// `"<name>" is a reserved event name`.
    Reserved(String),
    /// The payload is not a JSON array starting with an event name.
    InvalidPayload,
    /// No such socket.
    UnknownSocket,
}

/// How a socket authenticates on every connect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// No auth payload.
    #[default]
    None,
    /// A JSON object sent with every CONNECT.
    Json(String),
    /// Asked for on every connect through [`Event::AuthRequest`], answered with
    /// [`Client::handle_auth`].
    Provider,
}

/// The manager's options, with socket.io-client's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Request path; default `/socket.io`.
    pub path: String,
    /// Query parameters added to every request.
    pub query: Vec<(String, String)>,
    /// Transports in order of preference; default polling then websocket.
    pub transports: Vec<TransportKind>,
    /// Probe for an upgrade to WebSocket after a polling handshake; default true.
    pub upgrade: bool,
    /// Start with WebSocket if the last WebSocket connection succeeded; default false.
    pub remember_upgrade: bool,
    /// When the first transport fails to open, try the next; default false.
    pub try_all_transports: bool,
    /// Add the timestamp parameter: `None` means "on for polling, off for WebSocket".
    pub timestamp_requests: Option<bool>,
    /// The timestamp parameter name; default `t`.
    pub timestamp_param: String,
    /// End the path with `/`; default true.
    pub add_trailing_slash: bool,
    /// Close the transport silently on `beforeunload`; default false.
    pub close_on_beforeunload: bool,
    /// Reconnect automatically; default true.
    pub reconnection: bool,
    /// Attempts before giving up; default unlimited (`u32::MAX`).
    pub reconnection_attempts: u32,
    /// First reconnection delay (ms); default 1000.
    pub reconnection_delay: u64,
    /// Longest reconnection delay (ms); default 5000.
    pub reconnection_delay_max: u64,
    /// Jitter in `[0, 1]`; default 0.5.
    pub randomization_factor: f64,
    /// Connection timeout (ms), `None` for none; default 20000.
    pub timeout: Option<u64>,
    /// Connect on creation; default true.
    pub auto_connect: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            path: "/socket.io".into(),
            query: Vec::new(),
            transports: vec![TransportKind::Polling, TransportKind::WebSocket],
            upgrade: true,
            remember_upgrade: false,
            try_all_transports: false,
            timestamp_requests: None,
            timestamp_param: "t".into(),
            add_trailing_slash: true,
            close_on_beforeunload: false,
            reconnection: true,
            reconnection_attempts: u32::MAX,
            reconnection_delay: 1000,
            reconnection_delay_max: 5000,
            randomization_factor: 0.5,
            timeout: Some(20_000),
            auto_connect: true,
        }
    }
}

/// A namespace socket's options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SocketOptions {
    /// Authentication payload.
    pub auth: Auth,
    /// Re-send un-acknowledged emits this many times (needs `ack_timeout`).
    pub retries: u32,
    /// Default ack timeout (ms) for every emit with an ack.
    pub ack_timeout: Option<u64>,
}

/// Whether this build produces the events only the npm package asks for
/// ([`EngineTrace`]s, [`Event::Packet`], [`Event::Outgoing`]): natively (the
/// core's tests) and with the `js` feature, not in a Rust app's wasm, whose
/// API never asks for them: there, their code is not compiled in.
pub(crate) const JS_EVENTS: bool = cfg!(any(not(target_arch = "wasm32"), feature = "js"));

/// The steps engine.io-client's socket announces with its debugging events
/// (`packet`, `packetCreate`, `flush`, `drain`, `ping`/`pong`, `open`,
/// `upgrading`, `error`), in the order they happen relative to the other
/// events.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineTrace<C: Codec = TextCodec> {
    /// A packet arrived; it is handled next.
    Packet(eio::Packet<C>),
    /// A packet is queued for the server (a pong, or a message with its `4`).
    PacketCreate(eio::OutPacket<C>),
    /// This many queued packets were handed to the transport.
    Flush(usize),
    /// Every write reached the transport and nothing is queued.
    Drain,
    /// The server's ping was answered.
    Ping,
    /// The engine is open; the manager has reacted to it.
    Open,
    /// The probe answered: the connection moves to this transport.
    Upgrading(TransportKind),
    /// The engine failed; its close follows.
    Error(ErrorKind),
    /// The manager waits this many milliseconds before its next attempt.
    ReconnectDelay(u64),
}

/// What the core tells the user, from [`Client::poll_event`].
#[derive(Debug, Clone, PartialEq)]
pub enum Event<C: Codec = TextCodec> {
    /// The manager starts a connection attempt with a new engine.
    Opening,
    /// Manager `open`: the engine completed its handshake.
    Open,
    /// Manager `error`: the connection attempt or the open connection failed.
    Error(ErrorKind),
    /// Manager `close`.
    Close(Reason, CloseDetail),
    /// Manager `ping`: the server pinged.
    Ping,
    /// Manager `reconnect_attempt` (attempt number, from 1).
    ReconnectAttempt(u32),
    /// Manager `reconnect` (the attempt that succeeded).
    Reconnect(u32),
    /// Manager `reconnect_error`.
    ReconnectError(ErrorKind),
    /// Manager `reconnect_failed`: `reconnectionAttempts` exhausted.
    ReconnectFailed,
    /// The callback given to [`Client::open`] with its outcome.
    OpenResult {
        /// The shell's handle for the callback.
        token: u32,
        /// `None` on success.
        error: Option<ErrorKind>,
    },
    /// Manager `packet` (only when enabled with [`Client::set_packet_events`]).
    /// A wasm build without the `js` feature produces none.
    Packet {
        /// The packet (placeholders kept).
        packet: sio::Packet<C::Args>,
        /// Its attachments.
        attachments: Vec<C::Binary>,
    },
    /// Engine `upgrade`: the transport is now `kind`.
    Upgrade(TransportKind),
    /// Engine `upgradeError`.
    UpgradeError(ErrorKind),
    /// Engine `close`.
    EngineClose(Reason, CloseDetail),
    /// Socket `connect`.
    Connect(SocketId),
    /// Socket `connect_error`.
    ConnectError(SocketId, ErrorKind),
    /// Socket `disconnect`.
    Disconnect(SocketId, Reason, CloseDetail),
    /// An event from the server.
    Message {
        /// The socket.
        socket: SocketId,
        /// `["event", ...args]`.
        payload: Payload<C>,
        /// Set when the server waits for an answer: reply with [`Client::ack`].
        ack: Option<u64>,
    },
    /// The outcome of an emit's acknowledgement.
    Ack {
        /// The socket.
        socket: SocketId,
        /// The handle from [`AckRequest::token`].
        token: u32,
        /// From [`AckRequest::with_error`] (or forced by a timeout).
        with_error: bool,
        /// The server's answer (a JSON array of arguments) or why none will come.
        /// A callback that is not `with_error` is only to be released on `Err`.
        result: Result<Payload<C>, AckError>,
    },
    /// The socket needs its auth payload: answer with [`Client::handle_auth`].
    AuthRequest {
        /// The socket.
        socket: SocketId,
        /// Pass back to `handle_auth`.
        seq: u32,
    },
    /// What the engine did (only when enabled with
    /// [`Client::set_engine_events`]): for the engine's debugging events.
    /// A wasm build without the `js` feature produces none.
    Engine(EngineTrace<C>),
    /// A packet left for the server (only when enabled with
    /// [`Client::set_outgoing_events`]): for `onAnyOutgoing` listeners.
    /// A wasm build without the `js` feature produces none.
    Outgoing {
        /// The socket.
        socket: SocketId,
        /// The event arguments.
        payload: Payload<C>,
    },
}

#[cfg(test)]
mod tests {
    use super::split_ascii;

    #[test]
    fn split_ascii_cuts_as_str_split() {
        for s in ["", "&", "a", "a&b", "&a&&b&", "é&ü=1&", "\u{1e}4x\u{1e}"] {
            for sep in [b'&', 0x1e] {
                let ours: Vec<&str> = split_ascii(s, sep).collect();
                let std: Vec<&str> = s.split(char::from(sep)).collect();
                assert_eq!(ours, std, "{s:?} at {sep}");
            }
        }
    }
}
