//! [`Manager`]: one connection to a server (a `web::Driver` and its
//! `Registry`), shared by the sockets of its namespaces.

use std::rc::Rc;

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
    driver: Driver,
    registry: Rc<Registry>,
    auto_connect: bool,
}

impl Manager {
    pub(super) fn open(uri: &url::ParsedUri, opts: Options, http: HttpOptions) -> Manager {
        let registry = Rc::new(Registry::default());
        let sink = registry.clone();
        let auto_connect = opts.auto_connect;
        let driver = Driver::new(uri, opts, http, move |event| dispatch(&sink, event));
        *registry.driver.borrow_mut() = Some(driver.downgrade());
        Manager(Rc::new(Connection { driver, registry, auto_connect }))
    }

    pub(super) fn driver(&self) -> &Driver {
        &self.0.driver
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
        let id = self.driver().call(|client, _| client.add_socket(namespace, opts)).unwrap_or(u32::MAX);
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
        self.driver().call(|client, now| client.close(now));
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
        self.driver().read(|client| client.transport()).flatten()
    }
}
