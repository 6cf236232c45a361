//! [`Socket`], one namespace on a connection, and [`WeakSocket`]: what the
//! socket is (id, state, manager) and connecting, disconnecting, auth. Emitting
//! is in `emit.rs`, handlers in `handlers.rs`, streams in `stream.rs`.

use std::rc::{Rc, Weak};

use super::handlers::SocketHandlers;
use super::manager::Connection;
use super::{ConnectionState, Manager};
use crate::proto::{Auth, SocketId};

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
    pub(super) manager: Manager,
    /// The core's id of this namespace socket.
    pub(super) id: SocketId,
    pub(super) handlers: Rc<SocketHandlers>,
    pub(super) namespace: Rc<str>,
}

impl PartialEq for Socket {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.handlers, &other.handlers)
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
    manager: Weak<Connection>,
    id: SocketId,
    handlers: Weak<SocketHandlers>,
    namespace: Rc<str>,
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
            handlers: self.handlers.upgrade()?,
            namespace: self.namespace.clone(),
        })
    }
}

impl Socket {
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
        &self.namespace
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
            handlers: Rc::downgrade(&self.handlers),
            namespace: self.namespace.clone(),
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
        self.manager.engine().sid(self.id)
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
        self.manager.engine().status(self.id).connected
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
        self.manager.engine().status(self.id).active
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
        self.manager.engine().status(self.id).recovered
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
        self.handlers.state.borrow().clone().unwrap_or(ConnectionState::Idle)
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
            self.handlers.set_state(ConnectionState::Connecting);
        }
        self.manager.engine().connect(self.id);
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
        self.manager.engine().disconnect(self.id);
        self.handlers.set_state(ConnectionState::Idle);
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
        *self.handlers.auth.borrow_mut() = None;
        self.manager.engine().set_auth(self.id, Auth::Json(value.to_string()));
    }
}
