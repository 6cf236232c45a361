//! [`Manager`]: one connection to a server (an [`Engine`] and its
//! `Registry`), shared by the sockets of its namespaces.

use std::rc::Rc;

use super::engine::Engine;
use super::handlers::{AuthFn, SocketHandlers};
use super::registry::{dispatch, Registry};
use super::{ConnectionState, Socket, Transport};
use crate::proto::{url, Options, SocketOptions};
use crate::web::{Driver, HttpOptions};

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
pub struct Manager(pub(super) Rc<Connection>);

/// What the clones of a [`Manager`] share; a [`super::WeakSocket`] holds it weakly.
pub(super) struct Connection {
    engine: Engine,
    registry: Rc<Registry>,
    auto_connect: bool,
}

/// How a manager's connection is made: [`Manager::open`], or
/// `shared::open` with [`super::SocketBuilder::shared`].
pub(super) type Open = fn(&url::ParsedUri, Options, HttpOptions) -> Manager;

impl Manager {
    /// A connection of this page.
    pub(super) fn open(uri: &url::ParsedUri, opts: Options, http: HttpOptions) -> Manager {
        let registry = Rc::new(Registry::default());
        let sink = registry.clone();
        let auto_connect = opts.auto_connect;
        let driver = Driver::new(uri, opts, http, move |event| dispatch(&sink, event));
        Manager::with_engine(Engine::Local(driver), registry, auto_connect)
    }

    pub(super) fn with_engine(engine: Engine, registry: Rc<Registry>, auto_connect: bool) -> Manager {
        *registry.engine.borrow_mut() = Some(engine.downgrade());
        Manager(Rc::new(Connection { engine, registry, auto_connect }))
    }

    pub(super) fn engine(&self) -> &Engine {
        &self.0.engine
    }

    pub(super) fn registry(&self) -> &Registry {
        &self.0.registry
    }

    /// The socket of another namespace on this same connection.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let main = socketio_wasm::io("http://localhost:3000").connect();
    /// let admin = main.manager().socket("/admin");
    /// # }
    /// ```
    pub fn socket(&self, namespace: &str) -> Socket {
        self.socket_with(namespace, SocketOptions::default(), None)
    }

    /// The socket of `namespace`: a new one, or the one this connection
    /// already has for it (then `opts` are ignored and `auth_fn` replaces its
    /// provider). Connects it when `auto_connect` is on.
    pub(super) fn socket_with(&self, namespace: &str, opts: SocketOptions, auth_fn: Option<AuthFn>) -> Socket {
        let id = self.engine().add_socket(namespace, opts);
        let existing = self.registry().get(id);
        let handlers = existing.unwrap_or_else(|| {
            let handlers = Rc::new(SocketHandlers::default());
            self.registry().sockets.borrow_mut().push((id, Rc::downgrade(&handlers)));
            handlers
        });
        if auth_fn.is_some() {
            *handlers.auth.borrow_mut() = auth_fn;
        }
        let socket = Socket { manager: self.clone(), id, handlers, namespace: Rc::from(namespace) };
        if self.0.auto_connect && !socket.active() {
            socket.handlers.set_state(ConnectionState::Connecting);
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
        self.engine().close();
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
        self.engine().transport()
    }
}
