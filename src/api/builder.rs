//! [`io`] and [`SocketBuilder`]: the options of a connection.
//!
//! One piece (over 400 lines, two thirds of them doc examples) because it is
//! the list of socket.io-client's options, one short method each; split, a
//! reader would look for an option in several files.

use std::rc::Rc;
use std::time::Duration;

use super::handlers::AuthFn;
use super::manager::Open;
use super::{millis, Manager, Socket, Transport};
use crate::proto::{url, Auth, Options, SocketOptions};
use crate::web::HttpOptions;

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
        open: None,
    }
}

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
    /// Set by [`SocketBuilder::shared`]; `None` is [`Manager::open`] (called
    /// directly, so that an app without the option links none of it).
    open: Option<Open>,
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
        self.opts.timeout = timeout.map(millis);
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
    pub fn reconnection_attempts(mut self, attempts: u32) -> Self {
        self.opts.reconnection_attempts = attempts;
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
    pub fn reconnection_delay(mut self, delay: Duration) -> Self {
        self.opts.reconnection_delay = millis(delay);
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
    pub fn reconnection_delay_max(mut self, delay: Duration) -> Self {
        self.opts.reconnection_delay_max = millis(delay);
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
    pub fn randomization_factor(mut self, factor: f64) -> Self {
        self.opts.randomization_factor = factor;
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
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.http.request_timeout = Some(millis(timeout).min(u64::from(u32::MAX)) as u32);
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
    pub fn auth_with(mut self, provider: impl Fn() -> serde_json::Value + 'static) -> Self {
        self.auth = Auth::Provider;
        self.auth_fn = Some(Rc::new(move || provider().to_string()));
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
    pub fn ack_timeout(mut self, timeout: Duration) -> Self {
        self.ack_timeout = Some(millis(timeout));
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
    pub fn retries(mut self, times: u32) -> Self {
        self.retries = times;
        self
    }

    /// One connection for every tab of the origin that asks for the same
    /// server with the same options (the namespace, `auth`, `retries` and
    /// `ack_timeout` are not part of that): one tab, elected with a Web
    /// Lock, runs it, and the others reach it through a `BroadcastChannel`.
    /// Each tab's [`Socket`] works as usual; the README's "One connection
    /// for all tabs" says what each call means then. Where the browser has
    /// no Web Locks or `BroadcastChannel`, the tab connects on its own.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// // Every open tab of the dashboard shares one connection.
    /// let socket = socketio_wasm::io("https://example.com").shared(true).connect();
    /// socket.on("price", |p: f64| show(p)).detach();
    /// # fn show(_: f64) {}
    /// # }
    /// ```
    pub fn shared(mut self, on: bool) -> Self {
        self.open = if on { Some(super::shared::open) } else { None };
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
        let namespace = uri.path.clone();
        let manager = match self.open {
            Some(open) => open(&uri, self.opts, self.http),
            None => Manager::open(&uri, self.opts, self.http),
        };
        let opts = SocketOptions { auth: self.auth, retries: self.retries, ack_timeout: self.ack_timeout };
        manager.socket_with(&namespace, opts, self.auth_fn)
    }
}
