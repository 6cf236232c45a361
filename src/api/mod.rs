//! The Rust face: an idiomatic async API over the same driver as the npm
//! package, for Yew, Leptos or plain `wasm-bindgen` frontends.
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Chat {
//!     user: String,
//!     text: String,
//! }
//!
//! let socket = socketio_wasm::io("http://localhost:3000")
//!     .auth(serde_json::json!({ "token": "abc" }))
//!     .reconnection_delay(std::time::Duration::from_millis(500))
//!     .connect();
//!
//! // A handler with a typed payload; dropping the guard unsubscribes.
//! let _chat = socket.on("chat", |msg: Chat| web_sys_log(&msg.text));
//!
//! socket.emit("chat", &Chat { user: "me".into(), text: "hello".into() })?;
//! let count: u32 = socket.emit_with_ack("count", &()).await?;
//! # let _ = count;
//! # Ok(())
//! # }
//! # fn web_sys_log(_: &str) {}
//! ```

mod binary;
mod error;
#[cfg(feature = "leptos")]
pub mod leptos;
#[cfg(feature = "yew")]
pub mod yew;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_channel::{mpsc, oneshot};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use binary::Binary;
pub use error::{AckError, ConnectError, DecodeError, EmitError};

pub use crate::proto::Reason as DisconnectReason;
pub use crate::proto::TransportKind as Transport;
use crate::proto::{
    self, json, url, AckRequest, Auth, Emit, ErrorKind, Event, Options, Payload, SocketId, SocketOptions,
};
use crate::web::{Driver, HttpOptions, WeakDriver};

/// Starts building a connection to `url` (absolute, protocol-relative, or a
/// path on the page's origin; a path names the namespace, as with `io()` in
/// JavaScript). Options default as in socket.io-client.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// let socket = socketio_wasm::io("https://example.com/admin").connect();
/// # }
/// ```
pub fn io(url: &str) -> SocketBuilder {
    SocketBuilder {
        url: url.to_owned(),
        opts: Options::default(),
        http: HttpOptions::default(),
        auth: Auth::None,
        auth_fn: None,
        retries: 0,
        ack_timeout: None,
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

type AuthFn = Rc<dyn Fn() -> serde_json::Value>;

/// Options of a connection, with socket.io-client's names and defaults.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use std::time::Duration;
/// use socketio_wasm::Transport;
///
/// let socket = socketio_wasm::io("http://localhost:3000")
///     .transports([Transport::WebSocket])
///     .reconnection_attempts(10)
///     .ack_timeout(Duration::from_secs(5))
///     .retries(3)
///     .connect();
/// # }
/// ```
#[must_use]
pub struct SocketBuilder {
    url: String,
    opts: Options,
    http: HttpOptions,
    auth: Auth,
    auth_fn: Option<AuthFn>,
    retries: u32,
    ack_timeout: Option<u64>,
}

impl SocketBuilder {
    /// The server's path (default `/socket.io`).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // The server listens on `/api/socket.io`, behind a reverse proxy.
    /// let socket = socketio_wasm::io("https://example.com")
    ///     .path("/api/socket.io")
    ///     .connect();
    /// # }
    /// ```
    pub fn path(mut self, path: &str) -> Self {
        self.opts.path = path.to_owned();
        self
    }

    /// Adds a query parameter sent with every request.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .query("room", "lobby")
    ///     .query("client", "web")
    ///     .connect();
    /// # }
    /// ```
    pub fn query(mut self, key: &str, value: &str) -> Self {
        self.opts.query.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Transports in order of preference (default polling, then WebSocket).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use socketio_wasm::Transport;
    ///
    /// // Long-polling only, for networks that block WebSocket.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .transports([Transport::Polling])
    ///     .connect();
    /// # }
    /// ```
    pub fn transports(mut self, transports: impl IntoIterator<Item = Transport>) -> Self {
        self.opts.transports = transports.into_iter().collect();
        self
    }

    /// Upgrade from long-polling to WebSocket (default true).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // Keep the long-polling connection: no WebSocket probe.
    /// let socket = socketio_wasm::io("http://localhost:3000").upgrade(false).connect();
    /// # }
    /// ```
    pub fn upgrade(mut self, on: bool) -> Self {
        self.opts.upgrade = on;
        self
    }

    /// Start with WebSocket when the last WebSocket connection succeeded (default false).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // Once WebSocket has worked, reconnect with it directly, skipping long-polling.
    /// let socket = socketio_wasm::io("http://localhost:3000").remember_upgrade(true).connect();
    /// # }
    /// ```
    pub fn remember_upgrade(mut self, on: bool) -> Self {
        self.opts.remember_upgrade = on;
        self
    }

    /// When the first transport fails to open, try the next (default false).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use socketio_wasm::Transport;
    ///
    /// // WebSocket first; long-polling where WebSocket is blocked.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .transports([Transport::WebSocket, Transport::Polling])
    ///     .try_all_transports(true)
    ///     .connect();
    /// # }
    /// ```
    pub fn try_all_transports(mut self, on: bool) -> Self {
        self.opts.try_all_transports = on;
        self
    }

    /// Connection timeout (default 20 s); `None` waits forever.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use std::time::Duration;
    ///
    /// // An attempt fails (`connect_error`) after 5 s instead of 20 s.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .timeout(Some(Duration::from_secs(5)))
    ///     .connect();
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.opts.timeout = timeout.map(ms);
        self
    }

    /// Reconnect automatically (default true).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // No automatic reconnection: the app reconnects from a "Retry" button.
    /// let socket = socketio_wasm::io("http://localhost:3000").reconnection(false).connect();
    /// // ... in the button's click handler:
    /// socket.connect();
    /// # }
    /// ```
    pub fn reconnection(mut self, on: bool) -> Self {
        self.opts.reconnection = on;
        self
    }

    /// Attempts before giving up (default unlimited).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use socketio_wasm::SocketEvent;
    ///
    /// let socket = socketio_wasm::io("http://localhost:3000").reconnection_attempts(5).connect();
    /// socket.on_event(|e| {
    ///     if *e == SocketEvent::ReconnectFailed {
    ///         show("The server is unreachable.");
    ///     }
    /// }).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn reconnection_attempts(mut self, n: u32) -> Self {
        self.opts.reconnection_attempts = n;
        self
    }

    /// First delay before reconnecting (default 1 s).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use std::time::Duration;
    ///
    /// // Retry quickly at first: 200 ms, then doubling up to the maximum.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .reconnection_delay(Duration::from_millis(200))
    ///     .connect();
    /// # }
    /// ```
    pub fn reconnection_delay(mut self, d: Duration) -> Self {
        self.opts.reconnection_delay = ms(d);
        self
    }

    /// Longest delay before reconnecting (default 5 s).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use std::time::Duration;
    ///
    /// // Back off up to a minute while the server stays down.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .reconnection_delay_max(Duration::from_secs(60))
    ///     .connect();
    /// # }
    /// ```
    pub fn reconnection_delay_max(mut self, d: Duration) -> Self {
        self.opts.reconnection_delay_max = ms(d);
        self
    }

    /// Jitter of the reconnection delay, 0 to 1 (default 0.5).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // More jitter: spreads the reconnections of many clients after a server restart.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .randomization_factor(0.9)
    ///     .connect();
    /// # }
    /// ```
    pub fn randomization_factor(mut self, f: f64) -> Self {
        self.opts.randomization_factor = f;
        self
    }

    /// Connect at once (default true); otherwise call [`Socket::connect`].
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").auto_connect(false).connect();
    /// // ... once the user has logged in:
    /// socket.set_auth(serde_json::json!({ "token": "abc" }));
    /// socket.connect();
    /// # }
    /// ```
    pub fn auto_connect(mut self, on: bool) -> Self {
        self.opts.auto_connect = on;
        self
    }

    /// Add the cache-busting timestamp parameter (default: polling only).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // The server already forbids caching: keep the request URLs stable.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .timestamp_requests(false)
    ///     .connect();
    /// # }
    /// ```
    pub fn timestamp_requests(mut self, on: bool) -> Self {
        self.opts.timestamp_requests = Some(on);
        self
    }

    /// Name of the timestamp parameter (default `t`).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // The app's own `t` parameter would clash with the default name.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .query("t", "dark")
    ///     .timestamp_param("cache")
    ///     .connect();
    /// # }
    /// ```
    pub fn timestamp_param(mut self, name: &str) -> Self {
        self.opts.timestamp_param = name.to_owned();
        self
    }

    /// End the path with a slash (default true).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // The server matches `/socket.io` exactly, without a trailing slash.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .add_trailing_slash(false)
    ///     .connect();
    /// # }
    /// ```
    pub fn add_trailing_slash(mut self, on: bool) -> Self {
        self.opts.add_trailing_slash = on;
        self
    }

    /// Close the connection silently when the page unloads (default false).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // The server learns at once that the tab was closed or navigated away.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .close_on_beforeunload(true)
    ///     .connect();
    /// # }
    /// ```
    pub fn close_on_beforeunload(mut self, on: bool) -> Self {
        self.opts.close_on_beforeunload = on;
        self
    }

    /// Send cookies cross-origin with long-polling requests (default false).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // The API is on another origin and authenticates with a session cookie.
    /// let socket = socketio_wasm::io("https://api.example.com")
    ///     .with_credentials(true)
    ///     .connect();
    /// # }
    /// ```
    pub fn with_credentials(mut self, on: bool) -> Self {
        self.http.with_credentials = on;
        self
    }

    /// Adds a header to long-polling requests (browsers allow none on WebSocket).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use socketio_wasm::Transport;
    ///
    /// // Headers need long-polling: browsers send none with WebSocket.
    /// let socket = socketio_wasm::io("https://api.example.com")
    ///     .transports([Transport::Polling])
    ///     .extra_header("Authorization", "Bearer abc")
    ///     .connect();
    /// # }
    /// ```
    pub fn extra_header(mut self, name: &str, value: &str) -> Self {
        self.http.extra_headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Time limit of each long-polling request (default none).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use std::time::Duration;
    ///
    /// // Give up on a request stuck on a flaky network.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .request_timeout(Duration::from_secs(45))
    ///     .connect();
    /// # }
    /// ```
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.http.request_timeout = Some(ms(d).min(u64::from(u32::MAX)) as u32);
        self
    }

    /// Requests these WebSocket sub-protocols.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // The proxy in front of the server routes on the sub-protocol.
    /// let socket = socketio_wasm::io("https://example.com")
    ///     .protocols(["chat.v2"])
    ///     .connect();
    /// # }
    /// ```
    pub fn protocols<S: Into<String>>(mut self, protocols: impl IntoIterator<Item = S>) -> Self {
        self.http.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// The authentication payload sent with every connection.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .auth(serde_json::json!({ "token": "abc", "room": "lobby" }))
    ///     .connect();
    /// # }
    /// ```
    pub fn auth(mut self, value: serde_json::Value) -> Self {
        self.auth = Auth::Json(value.to_string());
        self.auth_fn = None;
        self
    }

    /// Computes the authentication payload anew for every connection (a
    /// refreshed token, say).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // Called on every (re)connection, so a refreshed token is sent.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .auth_with(|| serde_json::json!({ "token": current_token() }))
    ///     .connect();
    /// # fn current_token() -> String { String::new() }
    /// # }
    /// ```
    pub fn auth_with(mut self, f: impl Fn() -> serde_json::Value + 'static) -> Self {
        self.auth = Auth::Provider;
        self.auth_fn = Some(Rc::new(f));
        self
    }

    /// Default timeout of every emit that waits for an acknowledgement.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() {
    /// use std::time::Duration;
    /// use socketio_wasm::AckError;
    ///
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .ack_timeout(Duration::from_secs(3))
    ///     .connect();
    /// if let Err(AckError::Timeout) = socket.emit_with_ack::<_, bool>("save", "draft").await {
    ///     show("The server did not answer within 3 s.");
    /// }
    /// # }
    /// # fn show(_: &str) {}
    /// ```
    pub fn ack_timeout(mut self, d: Duration) -> Self {
        self.ack_timeout = Some(ms(d));
        self
    }

    /// Re-send an emit until it is acknowledged, at most this many more
    /// times (use with [`SocketBuilder::ack_timeout`]).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use std::time::Duration;
    ///
    /// // Emits are queued and re-sent until acknowledged: at most
    /// // 3 more times, after 2 s without an answer each time.
    /// let socket = socketio_wasm::io("http://localhost:3000")
    ///     .ack_timeout(Duration::from_secs(2))
    ///     .retries(3)
    ///     .connect();
    /// socket.emit("order", &42).unwrap();
    /// # }
    /// ```
    pub fn retries(mut self, n: u32) -> Self {
        self.retries = n;
        self
    }

    /// Opens the connection (unless `auto_connect(false)`) and returns the
    /// socket of the address's namespace.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // A path: the `/chat` namespace of the server that served the page.
    /// let chat = socketio_wasm::io("/chat").connect();
    /// chat.on("message", |text: String| show(&text)).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn connect(self) -> Socket {
        let uri = url::resolve(Some(&self.url), crate::web::location().as_ref());
        let nsp = uri.path.clone();
        let manager = Manager::open(&uri, self.opts, self.http);
        let opts = SocketOptions { auth: self.auth, retries: self.retries, ack_timeout: self.ack_timeout };
        manager.socket_with(&nsp, opts, self.auth_fn)
    }
}

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

type MessageFn = Rc<RefCell<dyn FnMut(&Message)>>;
type AckSender = oneshot::Sender<Result<Payload, AckError>>;
type LifecycleFn = Rc<RefCell<dyn FnMut(&SocketEvent)>>;

#[derive(Default)]
struct Handlers {
    next_id: Cell<u64>,
    messages: RefCell<Vec<(u64, Option<String>, MessageFn)>>,
    lifecycle: RefCell<Vec<(u64, LifecycleFn)>>,
    acks: RefCell<Vec<(u32, AckSender)>>,
    auth: RefCell<Option<AuthFn>>,
    state: RefCell<Option<ConnectionState>>,
}

impl Handlers {
    fn id(&self) -> u64 {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        id
    }

    fn set_state(&self, s: ConnectionState) {
        *self.state.borrow_mut() = Some(s);
    }

    fn lifecycle(&self, ev: &SocketEvent) {
        let list: Vec<LifecycleFn> = self.lifecycle.borrow().iter().map(|(_, f)| f.clone()).collect();
        if list.is_empty() {
            if let SocketEvent::DecodeError(e) = ev {
                web_sys::console::warn_1(&e.to_string().into());
            }
        }
        for f in list {
            if let Ok(mut f) = f.try_borrow_mut() {
                f(ev);
            }
        }
    }
}

#[derive(Default)]
struct Registry {
    sockets: RefCell<Vec<(SocketId, Weak<Handlers>)>>,
    driver: RefCell<Option<WeakDriver>>,
    next_token: Cell<u32>,
}

impl Registry {
    fn get(&self, s: SocketId) -> Option<Rc<Handlers>> {
        self.sockets.borrow().iter().find(|(id, _)| *id == s).and_then(|(_, h)| h.upgrade())
    }

    fn all(&self) -> Vec<(SocketId, Rc<Handlers>)> {
        self.sockets.borrow().iter().filter_map(|(id, h)| Some((*id, h.upgrade()?))).collect()
    }

    fn driver(&self) -> Option<Driver> {
        self.driver.borrow().as_ref().and_then(WeakDriver::upgrade)
    }

    fn token(&self) -> u32 {
        let t = self.next_token.get() % (u32::MAX - 1) + 1;
        self.next_token.set(t);
        t
    }
}

fn connect_error(e: &ErrorKind) -> ConnectError {
    match e {
        ErrorKind::ConnectRefused { message, data } => {
            ConnectError::Refused { message: message.clone(), data: data.clone() }
        }
        other => ConnectError::Failed(other.message().to_owned()),
    }
}

fn dispatch(reg: &Registry, ev: Event) {
    match ev {
        Event::Message { socket, payload, ack } => {
            let Some(h) = reg.get(socket) else { return };
            let msg =
                Message::new(payload, ack.map(|id| AckHandle { driver: reg.driver.borrow().clone(), socket, id }));
            let list: Vec<MessageFn> = h
                .messages
                .borrow()
                .iter()
                .filter(|(_, ev, _)| ev.as_deref().is_none_or(|e| e == msg.event))
                .map(|(_, _, f)| f.clone())
                .collect();
            for f in list {
                if let Ok(mut f) = f.try_borrow_mut() {
                    f(&msg);
                }
            }
        }
        Event::Ack { socket, token, result, .. } => {
            let Some(h) = reg.get(socket) else { return };
            let slot = {
                let mut acks = h.acks.borrow_mut();
                acks.iter().position(|(t, _)| *t == token).map(|i| acks.swap_remove(i).1)
            };
            if let Some(tx) = slot {
                let _ = tx.send(result.map_err(|e| match e {
                    proto::AckError::Timeout => AckError::Timeout,
                    proto::AckError::Disconnected => AckError::Disconnected,
                }));
            }
        }
        Event::Connect(s) => {
            if let Some(h) = reg.get(s) {
                h.set_state(ConnectionState::Connected);
                h.lifecycle(&SocketEvent::Connect);
            }
        }
        Event::Disconnect(s, reason, _) => {
            if let Some(h) = reg.get(s) {
                let reconnects = reason.reconnects()
                    && reg.driver().and_then(|d| d.read(|c| c.options().reconnection)).unwrap_or(false);
                h.set_state(if reconnects {
                    ConnectionState::Reconnecting { attempt: 0 }
                } else if reason == DisconnectReason::IoClientDisconnect {
                    ConnectionState::Idle
                } else {
                    ConnectionState::Disconnected { reason }
                });
                h.lifecycle(&SocketEvent::Disconnect(reason));
            }
        }
        Event::ConnectError(s, e) => {
            if let Some(h) = reg.get(s) {
                if let ErrorKind::ConnectRefused { message, .. } = &e {
                    h.set_state(ConnectionState::Refused { message: message.clone() });
                }
                h.lifecycle(&SocketEvent::ConnectError(connect_error(&e)));
            }
        }
        Event::ReconnectAttempt(n) => {
            let driver = reg.driver();
            for (s, h) in reg.all() {
                if driver.as_ref().and_then(|d| d.read(|c| c.is_active(s))).unwrap_or(false) {
                    h.set_state(ConnectionState::Reconnecting { attempt: n });
                    h.lifecycle(&SocketEvent::ReconnectAttempt(n));
                }
            }
        }
        Event::Reconnect(n) => {
            for (_, h) in reg.all() {
                h.lifecycle(&SocketEvent::Reconnect(n));
            }
        }
        Event::ReconnectFailed => {
            for (_, h) in reg.all() {
                if matches!(*h.state.borrow(), Some(ConnectionState::Reconnecting { .. })) {
                    h.set_state(ConnectionState::Failed);
                }
                h.lifecycle(&SocketEvent::ReconnectFailed);
            }
        }
        Event::AuthRequest { socket, seq } => {
            let Some(h) = reg.get(socket) else { return };
            let auth = h.auth.borrow().clone();
            let data = auth.map(|f| f().to_string());
            if let Some(d) = reg.driver() {
                d.call(|c, now| c.handle_auth(now, socket, seq, data));
            }
        }
        _ => {}
    }
}

/// One connection to a server, shared by the sockets of its namespaces.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use socketio_wasm::{Manager, Socket};
///
/// fn open_room(manager: &Manager, room: &str) -> Socket {
///     manager.socket(&format!("/rooms/{room}"))
/// }
/// let lobby = socketio_wasm::io("http://localhost:3000").connect();
/// let red = open_room(lobby.manager(), "red");
/// # }
/// ```
#[derive(Clone)]
pub struct Manager(Rc<ManagerInner>);

struct ManagerInner {
    driver: Driver,
    registry: Rc<Registry>,
    auto_connect: bool,
}

impl Manager {
    fn open(uri: &url::ParsedUri, opts: Options, http: HttpOptions) -> Manager {
        let registry = Rc::new(Registry::default());
        let sink = registry.clone();
        let auto_connect = opts.auto_connect;
        let driver = Driver::new(uri, opts, http, move |ev| dispatch(&sink, ev));
        *registry.driver.borrow_mut() = Some(driver.downgrade());
        Manager(Rc::new(ManagerInner { driver, registry, auto_connect }))
    }

    /// The socket of another namespace on this same connection.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let main = socketio_wasm::io("http://localhost:3000").connect();
    /// let admin = main.manager().socket("/admin");
    /// # }
    /// ```
    pub fn socket(&self, nsp: &str) -> Socket {
        self.socket_with(nsp, SocketOptions::default(), None)
    }

    fn socket_with(&self, nsp: &str, opts: SocketOptions, auth_fn: Option<AuthFn>) -> Socket {
        let id = self.0.driver.call(|c, _| c.add_socket(nsp, opts)).unwrap_or(u32::MAX);
        let existing = self.0.registry.get(id);
        let h = existing.unwrap_or_else(|| {
            let h = Rc::new(Handlers::default());
            self.0.registry.sockets.borrow_mut().push((id, Rc::downgrade(&h)));
            h
        });
        if auth_fn.is_some() {
            *h.auth.borrow_mut() = auth_fn;
        }
        let socket = Socket { manager: self.clone(), id, h, nsp: Rc::from(nsp) };
        if self.0.auto_connect && !socket.active() {
            socket.h.set_state(ConnectionState::Connecting);
            socket.connect();
        }
        socket
    }

    /// Closes the connection of every socket; no reconnection.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let chat = socketio_wasm::io("http://localhost:3000/chat").connect();
    /// let admin = chat.manager().socket("/admin");
    /// // On logout: both namespaces and the connection close.
    /// chat.manager().disconnect();
    /// # let _ = admin;
    /// # }
    /// ```
    pub fn disconnect(&self) {
        self.0.driver.call(|c, now| c.close(now));
    }

    /// The transport in use.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// // "websocket" or "polling", for a debug panel.
    /// let badge = socket.manager().transport().map_or("offline", |t| t.name());
    /// # let _ = badge;
    /// # }
    /// ```
    pub fn transport(&self) -> Option<Transport> {
        self.0.driver.read(|c| c.transport()).flatten()
    }
}

/// A namespace socket: cheap to clone; the connection closes when the last
/// clone (and its manager) is dropped.
///
/// Handlers that capture a `Socket` keep it alive: capture a [`WeakSocket`]
/// (from [`Socket::downgrade`]) instead, or call [`Socket::disconnect`].
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// let s = socket.clone(); // shares the connection
/// wasm_bindgen_futures::spawn_local(async move {
///     if let Ok(text) = s.emit_with_ack::<_, String>("motd", &()).await {
///         show(&text);
///     }
/// });
/// # fn show(_: &str) {}
/// # }
/// ```
#[derive(Clone)]
pub struct Socket {
    manager: Manager,
    id: SocketId,
    h: Rc<Handlers>,
    nsp: Rc<str>,
}

impl PartialEq for Socket {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.h, &other.h)
    }
}

/// A [`Socket`] handle that does not keep the connection alive.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// let weak = socket.downgrade();
/// socket.on_message("logout", move |_| {
///     if let Some(s) = weak.upgrade() {
///         s.disconnect();
///     }
/// }).detach();
/// # }
/// ```
#[derive(Clone)]
pub struct WeakSocket {
    manager: Weak<ManagerInner>,
    id: SocketId,
    h: Weak<Handlers>,
    nsp: Rc<str>,
}

impl WeakSocket {
    /// The socket, if it still exists.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let weak = socket.downgrade();
    /// socket.on("ping", move |n: u32| {
    ///     if let Some(s) = weak.upgrade() {
    ///         s.emit("pong", &n).unwrap();
    ///     }
    /// }).detach();
    /// # }
    /// ```
    pub fn upgrade(&self) -> Option<Socket> {
        Some(Socket {
            manager: Manager(self.manager.upgrade()?),
            id: self.id,
            h: self.h.upgrade()?,
            nsp: self.nsp.clone(),
        })
    }
}

/// Keeps a handler registered; dropping it unsubscribes.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// let typing = socket.on("typing", |user: String| show(&format!("{user} is typing")));
/// // ... when the chat panel closes:
/// drop(typing);
/// # fn show(_: &str) {}
/// # }
/// ```
#[must_use = "the handler is removed when the subscription is dropped"]
pub struct Subscription {
    h: Weak<Handlers>,
    id: u64,
}

impl Subscription {
    /// Keeps the handler for as long as the socket lives.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// // A handler for the whole life of the socket: no guard to keep around.
    /// socket.on("notice", |text: String| show(&text)).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn detach(mut self) {
        self.id = 0;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if self.id == 0 {
            return;
        }
        if let Some(h) = self.h.upgrade() {
            let id = self.id;
            // Removing while a dispatch runs is fine: dispatch works on a copy.
            if let Ok(mut m) = h.messages.try_borrow_mut() {
                m.retain(|(i, _, _)| *i != id);
            }
            if let Ok(mut l) = h.lifecycle.try_borrow_mut() {
                l.retain(|(i, _)| *i != id);
            }
        }
    }
}

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
    event: String,
    payload: Payload,
    ack: Option<AckHandle>,
}

struct AckHandle {
    driver: Option<WeakDriver>,
    socket: SocketId,
    id: u64,
}

impl Message {
    fn new(payload: Payload, ack: Option<AckHandle>) -> Message {
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
        json::for_each_item(&self.payload.data, |i| items.push(i));
        let mut out = String::from("[");
        for (n, item) in items.iter().skip(1).enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str(item);
        }
        out.push(']');
        out
    }

    fn raw_arg(&self, index: usize) -> Option<&str> {
        let mut found = None;
        let mut n = 0usize;
        json::for_each_item(&self.payload.data, |i| {
            if n == index + 1 {
                found = Some(i);
            }
            n += 1;
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
        let mut n = 0usize;
        json::for_each_item(&self.payload.data, |_| n += 1);
        n.saturating_sub(1)
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

    fn decode<T: DeserializeOwned>(&self, text: &str) -> Result<T, DecodeError> {
        binary::with_attachments(&self.payload.attachments, || serde_json::from_str(text))
            .map_err(|e| DecodeError { event: self.event.clone(), message: e.to_string() })
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
        let (json, attachments) = encode(value)?;
        let mut data = String::with_capacity(json.len() + 2);
        data.push('[');
        data.push_str(&json);
        data.push(']');
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

    fn ack_payload(&self, p: Payload) -> Result<(), EmitError> {
        let Some(a) = &self.ack else { return Ok(()) };
        let d = a.driver.as_ref().and_then(WeakDriver::upgrade).ok_or(EmitError::Closed)?;
        d.call(|c, now| c.ack(now, a.socket, a.id, p)).ok_or(EmitError::Closed)
    }
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<(String, Vec<Vec<u8>>), EmitError> {
    let (json, attachments) = binary::collect(|| serde_json::to_string(value));
    Ok((json.map_err(|e| EmitError::Encode(e.to_string()))?, attachments))
}

/// Encodes an argument list: an array (tuple, sequence), or `()` for none.
fn encode_args<T: Serialize + ?Sized>(args: &T) -> Result<(String, Vec<Vec<u8>>), EmitError> {
    let (json, attachments) = encode(args)?;
    match json.as_str() {
        "null" => Ok(("[]".into(), attachments)),
        j if j.starts_with('[') => Ok((json, attachments)),
        _ => Err(EmitError::Encode("the arguments must serialize to an array (a tuple)".into())),
    }
}

/// `["event", ...args]` from an event name and the JSON of its arguments array.
fn event_payload(event: &str, args_json: &str, attachments: Vec<Vec<u8>>) -> Payload {
    let mut data = String::with_capacity(args_json.len() + event.len() + 4);
    data.push('[');
    json::write_string(&mut data, event);
    let inner = args_json.trim().strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or("").trim();
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
    timeout: Option<u64>,
}

impl Emitter<'_> {
    /// The acknowledgement fails with [`AckError::Timeout`] after `d`.
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
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(ms(d));
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
        let (json, attachments) = encode(value)?;
        let mut args = String::with_capacity(json.len() + 2);
        args.push('[');
        args.push_str(&json);
        args.push(']');
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
        let encoded = encode(value).map(|(json, attachments)| {
            let mut args = String::with_capacity(json.len() + 2);
            args.push('[');
            args.push_str(&json);
            args.push(']');
            (args, attachments)
        });
        self.ack_future(event, encoded)
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
        encoded: Result<(String, Vec<Vec<u8>>), EmitError>,
    ) -> impl Future<Output = Result<R, AckError>> + 'static {
        let (tx, rx) = oneshot::channel();
        let result = encoded.and_then(|(args, attachments)| {
            let token = self.socket.manager.0.registry.token();
            self.socket.h.acks.borrow_mut().push((token, tx));
            let r = self.send(event_payload(event, &args, attachments), Some(token));
            if r.is_err() {
                self.socket.h.acks.borrow_mut().retain(|(t, _)| *t != token);
            }
            r
        });
        let event = event.to_owned();
        async move {
            result.map_err(AckError::Emit)?;
            let payload = rx.await.map_err(|_| AckError::Disconnected)??;
            let msg = Message { event, payload, ack: None };
            // The answer's arguments have no event name: decode the first item.
            let first = json::first_item(&msg.payload.data).unwrap_or("null");
            msg.decode(first).map_err(AckError::Decode)
        }
    }

    fn send(&self, payload: Payload, token: Option<u32>) -> Result<(), EmitError> {
        let e = Emit {
            payload,
            ack: token.map(|token| AckRequest { token, with_error: true }),
            volatile: self.volatile,
            timeout: self.timeout,
        };
        match self.socket.manager.0.driver.call(|c, now| c.emit(now, self.socket.id, e)) {
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

    /// The namespace.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000/admin").connect();
    /// show(&format!("[{}] connecting", socket.namespace())); // "[/admin] connecting"
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn namespace(&self) -> &str {
        &self.nsp
    }

    /// The manager (the connection), to open other namespaces on it.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let manager: socketio_wasm::Manager = socket.manager().clone();
    /// // Later, when the admin page opens, over the same connection:
    /// let admin = manager.socket("/admin");
    /// # }
    /// ```
    pub fn manager(&self) -> &Manager {
        &self.manager
    }

    /// A handle that does not keep the connection alive (for handlers).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// // Rejoin the room after every (re)connection, without keeping the socket alive.
    /// let weak = socket.downgrade();
    /// socket.on_connect(move || {
    ///     if let Some(s) = weak.upgrade() {
    ///         s.emit("join", "lobby").unwrap();
    ///     }
    /// }).detach();
    /// # }
    /// ```
    pub fn downgrade(&self) -> WeakSocket {
        WeakSocket {
            manager: Rc::downgrade(&self.manager.0),
            id: self.id,
            h: Rc::downgrade(&self.h),
            nsp: self.nsp.clone(),
        }
    }

    /// The socket's session id, while connected.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let label = socket.id().unwrap_or_else(|| "not connected".into());
    /// show(&format!("session: {label}"));
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn id(&self) -> Option<String> {
        self.manager.0.driver.read(|c| c.socket_sid(self.id).map(str::to_owned)).flatten()
    }

    /// True while connected.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// set_send_button_enabled(socket.connected());
    /// # fn set_send_button_enabled(_: bool) {}
    /// # }
    /// ```
    pub fn connected(&self) -> bool {
        self.manager.0.driver.read(|c| c.is_connected(self.id)).unwrap_or(false)
    }

    /// True while connected or trying to.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let status = if socket.connected() {
    ///     "online"
    /// } else if socket.active() {
    ///     "connecting..."
    /// } else {
    ///     "offline"
    /// };
    /// # let _ = status;
    /// # }
    /// ```
    pub fn active(&self) -> bool {
        self.manager.0.driver.read(|c| c.is_active(self.id)).unwrap_or(false)
    }

    /// True when the last connection restored the session (connection state recovery).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let weak = socket.downgrade();
    /// socket.on_connect(move || {
    ///     // Missed events were not replayed: fetch the current state.
    ///     if weak.upgrade().is_some_and(|s| !s.recovered()) {
    ///         reload_messages();
    ///     }
    /// }).detach();
    /// # fn reload_messages() {}
    /// # }
    /// ```
    pub fn recovered(&self) -> bool {
        self.manager.0.driver.read(|c| c.is_recovered(self.id)).unwrap_or(false)
    }

    /// The connection state.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use socketio_wasm::ConnectionState;
    ///
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// if let ConnectionState::Disconnected { reason } = socket.state() {
    ///     show(&format!("disconnected: {}", reason.as_str()));
    /// }
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn state(&self) -> ConnectionState {
        self.h.state.borrow().clone().unwrap_or(ConnectionState::Idle)
    }

    /// Connects (or reconnects after `disconnect`).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// // The tab is hidden: stop the traffic.
    /// socket.disconnect();
    /// // ... visible again:
    /// socket.connect();
    /// # }
    /// ```
    pub fn connect(&self) {
        if !self.connected() {
            self.h.set_state(ConnectionState::Connecting);
        }
        self.manager.0.driver.call(|c, now| c.connect(now, self.id));
    }

    /// Disconnects; no reconnection until `connect`.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let lobby = socketio_wasm::io("http://localhost:3000").connect();
    /// let game = lobby.manager().socket("/game");
    /// // Leaving the game page: only `/game` disconnects, `lobby` stays.
    /// game.disconnect();
    /// # }
    /// ```
    pub fn disconnect(&self) {
        self.manager.0.driver.call(|c, now| c.disconnect(now, self.id));
        self.h.set_state(ConnectionState::Idle);
    }

    /// Replaces the authentication payload, used from the next connection on.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// // After refreshing the access token; used from the next connection on.
    /// socket.set_auth(serde_json::json!({ "token": new_token() }));
    /// # fn new_token() -> String { String::new() }
    /// # }
    /// ```
    pub fn set_auth(&self, value: serde_json::Value) {
        *self.h.auth.borrow_mut() = None;
        self.manager.0.driver.call(|c, _| c.set_auth(self.id, Auth::Json(value.to_string())));
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

    /// The next emit's acknowledgement times out after `d`.
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
    pub fn timeout(&self, d: Duration) -> Emitter<'_> {
        self.emitter().timeout(d)
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

    fn subscribe_message(&self, event: Option<&str>, f: impl FnMut(&Message) + 'static) -> Subscription {
        let id = self.h.id();
        self.h.messages.borrow_mut().push((id, event.map(str::to_owned), Rc::new(RefCell::new(f))));
        Subscription { h: Rc::downgrade(&self.h), id }
    }

    /// Calls `f` with the first argument of every `event`, decoded as `T`
    /// (payloads that do not decode are reported as
    /// [`SocketEvent::DecodeError`], or logged when nobody listens).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let sub = socket.on("news", |headline: String| {
    ///     let _ = headline;
    /// });
    /// drop(sub); // unsubscribes
    /// # }
    /// ```
    pub fn on<T: DeserializeOwned + 'static>(&self, event: &str, mut f: impl FnMut(T) + 'static) -> Subscription {
        let h = Rc::downgrade(&self.h);
        self.subscribe_message(Some(event), move |m| match m.arg::<T>(0) {
            Ok(v) => f(v),
            Err(e) => {
                if let Some(h) = h.upgrade() {
                    h.lifecycle(&SocketEvent::DecodeError(e));
                }
            }
        })
    }

    /// Calls `f` with every `event` as a [`Message`]: all arguments, binary
    /// attachments, and the acknowledgement the server may wait for.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_message("question", |m| {
    ///     let _ = m.ack(&"42");
    /// }).detach();
    /// # }
    /// ```
    pub fn on_message(&self, event: &str, f: impl FnMut(&Message) + 'static) -> Subscription {
        self.subscribe_message(Some(event), f)
    }

    /// Calls `f` with every event.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// // Log all incoming traffic while debugging.
    /// socket.on_any(|m| show(&format!("<- {} {}", m.event(), m.json()))).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn on_any(&self, f: impl FnMut(&Message) + 'static) -> Subscription {
        self.subscribe_message(None, f)
    }

    /// Calls `f` on every connection event (connect, disconnect, errors, reconnection).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_event(|e| show(&format!("{e:?}"))).detach();
    /// # fn show(_: &str) {}
    /// # }
    /// ```
    pub fn on_event(&self, f: impl FnMut(&SocketEvent) + 'static) -> Subscription {
        let id = self.h.id();
        self.h.lifecycle.borrow_mut().push((id, Rc::new(RefCell::new(f))));
        Subscription { h: Rc::downgrade(&self.h), id }
    }

    /// Calls `f` on every connect.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// socket.on_connect(|| show_offline_banner(false)).detach();
    /// socket.on_disconnect(|_| show_offline_banner(true)).detach();
    /// # fn show_offline_banner(_: bool) {}
    /// # }
    /// ```
    pub fn on_connect(&self, mut f: impl FnMut() + 'static) -> Subscription {
        self.on_event(move |e| {
            if *e == SocketEvent::Connect {
                f()
            }
        })
    }

    /// Calls `f` with the reason of every disconnect.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use socketio_wasm::DisconnectReason;
    ///
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let weak = socket.downgrade();
    /// socket.on_disconnect(move |reason| match (reason, weak.upgrade()) {
    ///     // Kicked by the server: no automatic reconnection, so reconnect by hand.
    ///     (DisconnectReason::IoServerDisconnect, Some(s)) => s.connect(),
    ///     _ => {}
    /// }).detach();
    /// # }
    /// ```
    pub fn on_disconnect(&self, mut f: impl FnMut(DisconnectReason) + 'static) -> Subscription {
        self.on_event(move |e| {
            if let SocketEvent::Disconnect(r) = e {
                f(*r)
            }
        })
    }

    /// Calls `f` with every connection error.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let weak = socket.downgrade();
    /// socket.on_connect_error(move |e| {
    ///     if let (socketio_wasm::ConnectError::Refused { .. }, Some(s)) = (e, weak.upgrade()) {
    ///         s.set_auth(serde_json::json!({ "token": refreshed_token() }));
    ///         s.connect();
    ///     }
    /// }).detach();
    /// # fn refreshed_token() -> String { String::new() }
    /// # }
    /// ```
    pub fn on_connect_error(&self, mut f: impl FnMut(&ConnectError) + 'static) -> Subscription {
        self.on_event(move |e| {
            if let SocketEvent::ConnectError(err) = e {
                f(err)
            }
        })
    }

    /// Every `event` as a stream of [`Message`]s (unsubscribes when dropped).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() {
    /// use futures::StreamExt;
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let mut ticks = socket.events("tick");
    /// while let Some(m) = ticks.next().await {
    ///     let n: u64 = m.arg(0).unwrap_or_default();
    ///     let _ = n;
    /// }
    /// # }
    /// ```
    pub fn events(&self, event: &str) -> EventStream {
        let (tx, rx) = mpsc::unbounded();
        let sub = self.subscribe_message(Some(event), move |m| {
            let _ = tx.unbounded_send(Message { event: m.event.clone(), payload: m.payload.clone(), ack: None });
        });
        EventStream { rx, _sub: sub }
    }

    /// The connection state, now and on every change, as a stream.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")]
    /// # async fn demo() {
    /// use futures::StreamExt;
    /// use socketio_wasm::ConnectionState;
    /// let socket = socketio_wasm::io("http://localhost:3000").connect();
    /// let mut states = socket.states();
    /// while let Some(s) = states.next().await {
    ///     if let ConnectionState::Reconnecting { attempt } = s {
    ///         let _ = attempt;
    ///     }
    /// }
    /// # }
    /// ```
    pub fn states(&self) -> StateStream {
        let (tx, rx) = mpsc::unbounded();
        let _ = tx.unbounded_send(self.state());
        let h = Rc::downgrade(&self.h);
        let mut last = self.state();
        let sub = self.on_event(move |_| {
            if let Some(h) = h.upgrade() {
                let now = h.state.borrow().clone().unwrap_or(ConnectionState::Idle);
                if now != last {
                    last = now.clone();
                    let _ = tx.unbounded_send(now);
                }
            }
        });
        StateStream { rx, _sub: sub }
    }
}

/// A stream of one event's messages; see [`Socket::events`].
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn demo() {
/// use futures::{future, StreamExt};
///
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// let mut prices = socket.events("price").filter_map(|m| future::ready(m.arg::<f64>(0).ok()));
/// while let Some(price) = prices.next().await {
///     show(&format!("{price:.2}"));
/// }
/// # }
/// # fn show(_: &str) {}
/// ```
pub struct EventStream {
    rx: mpsc::UnboundedReceiver<Message>,
    _sub: Subscription,
}

impl futures_core::Stream for EventStream {
    type Item = Message;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        Pin::new(&mut self.rx).poll_next(cx)
    }
}

/// A stream of connection states; see [`Socket::states`].
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn demo() {
/// use futures::{future, StreamExt};
/// use socketio_wasm::ConnectionState;
///
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// // Wait for the first connection.
/// if socket.states().any(|s| future::ready(s == ConnectionState::Connected)).await {
///     show("connected");
/// }
/// # }
/// # fn show(_: &str) {}
/// ```
pub struct StateStream {
    rx: mpsc::UnboundedReceiver<ConnectionState>,
    _sub: Subscription,
}

impl futures_core::Stream for StateStream {
    type Item = ConnectionState;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ConnectionState>> {
        Pin::new(&mut self.rx).poll_next(cx)
    }
}
