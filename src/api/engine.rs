//! [`Engine`]: what a [`super::Manager`] runs on. Either its own driver (a
//! connection of this page), or a connection shared with the other tabs of
//! the origin (`shared/`), reached through the [`Remote`] trait object: an app
//! that never asks for sharing links none of that code.

use std::rc::{Rc, Weak};

use super::Transport;
use crate::proto::{self, Auth, Emit, Payload, SocketId, SocketOptions};
use crate::web::{Driver, WeakDriver};

/// What the API reads of a socket besides its id: `connected`, `active`, `recovered`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Status {
    pub(super) connected: bool,
    pub(super) active: bool,
    pub(super) recovered: bool,
}

/// A connection that runs elsewhere (in the tab that owns a shared
/// connection): the calls of [`Engine`] as messages.
pub(super) trait Remote {
    fn add_socket(&self, nsp: &str, opts: SocketOptions) -> SocketId;
    fn connect(&self, socket: SocketId);
    fn disconnect(&self, socket: SocketId);
    fn set_auth(&self, socket: SocketId, auth: Auth);
    fn emit(&self, socket: SocketId, emit: Emit) -> Result<(), proto::EmitError>;
    fn ack(&self, socket: SocketId, id: u64, payload: Payload);
    fn answer_auth(&self, socket: SocketId, seq: u32, data: Option<String>);
    fn close(&self);
    fn transport(&self) -> Option<Transport>;
    fn status(&self, socket: SocketId) -> Status;
    fn sid(&self, socket: SocketId) -> Option<String>;
    fn reconnection(&self) -> bool;
}

/// The connection of a manager.
pub(super) enum Engine {
    Local(Driver),
    Shared(Rc<dyn Remote>),
}

/// An [`Engine`] handle that does not keep it alive (for the event sink and
/// the acknowledgements of received events).
#[derive(Clone)]
pub(super) enum WeakEngine {
    Local(WeakDriver),
    Shared(Weak<dyn Remote>),
}

impl WeakEngine {
    pub(super) fn upgrade(&self) -> Option<Engine> {
        match self {
            WeakEngine::Local(driver) => driver.upgrade().map(Engine::Local),
            WeakEngine::Shared(remote) => remote.upgrade().map(Engine::Shared),
        }
    }
}

impl Engine {
    pub(super) fn downgrade(&self) -> WeakEngine {
        match self {
            Engine::Local(driver) => WeakEngine::Local(driver.downgrade()),
            Engine::Shared(remote) => WeakEngine::Shared(Rc::downgrade(remote)),
        }
    }

    /// The socket of a namespace, created if needed, not connected.
    pub(super) fn add_socket(&self, nsp: &str, opts: SocketOptions) -> SocketId {
        match self {
            Engine::Local(driver) => driver.call(|client, _| client.add_socket(nsp, opts)).unwrap_or(u32::MAX),
            Engine::Shared(remote) => remote.add_socket(nsp, opts),
        }
    }

    pub(super) fn connect(&self, socket: SocketId) {
        match self {
            Engine::Local(driver) => {
                driver.call(|client, now| client.connect(now, socket));
            }
            Engine::Shared(remote) => remote.connect(socket),
        }
    }

    pub(super) fn disconnect(&self, socket: SocketId) {
        match self {
            Engine::Local(driver) => {
                driver.call(|client, now| client.disconnect(now, socket));
            }
            Engine::Shared(remote) => remote.disconnect(socket),
        }
    }

    pub(super) fn set_auth(&self, socket: SocketId, auth: Auth) {
        match self {
            Engine::Local(driver) => {
                driver.call(|client, _| client.set_auth(socket, auth));
            }
            Engine::Shared(remote) => remote.set_auth(socket, auth),
        }
    }

    /// `None`: the driver is busy (never, from user code).
    pub(super) fn emit(&self, socket: SocketId, emit: Emit) -> Option<Result<(), proto::EmitError>> {
        match self {
            Engine::Local(driver) => driver.call(|client, now| client.emit(now, socket, emit)),
            Engine::Shared(remote) => Some(remote.emit(socket, emit)),
        }
    }

    /// Answers the server's event `id`. `None`: the driver is busy.
    pub(super) fn ack(&self, socket: SocketId, id: u64, payload: Payload) -> Option<()> {
        match self {
            Engine::Local(driver) => driver.call(|client, now| client.ack(now, socket, id, payload)),
            Engine::Shared(remote) => {
                remote.ack(socket, id, payload);
                Some(())
            }
        }
    }

    /// The answer to an auth request: the provider's value, if the socket has one.
    pub(super) fn answer_auth(&self, socket: SocketId, seq: u32, data: Option<String>) {
        match self {
            Engine::Local(driver) => {
                driver.call(|client, now| client.handle_auth(now, socket, seq, data));
            }
            Engine::Shared(remote) => remote.answer_auth(socket, seq, data),
        }
    }

    /// `manager.disconnect()`.
    pub(super) fn close(&self) {
        match self {
            Engine::Local(driver) => {
                driver.call(|client, now| client.close(now));
            }
            Engine::Shared(remote) => remote.close(),
        }
    }

    pub(super) fn transport(&self) -> Option<Transport> {
        match self {
            Engine::Local(driver) => driver.read(|client| client.transport()).flatten(),
            Engine::Shared(remote) => remote.transport(),
        }
    }

    pub(super) fn status(&self, socket: SocketId) -> Status {
        match self {
            Engine::Local(driver) => driver
                .read(|client| Status {
                    connected: client.is_connected(socket),
                    active: client.is_active(socket),
                    recovered: client.is_recovered(socket),
                })
                .unwrap_or_default(),
            Engine::Shared(remote) => remote.status(socket),
        }
    }

    /// `socket.id`.
    pub(super) fn sid(&self, socket: SocketId) -> Option<String> {
        match self {
            Engine::Local(driver) => driver.read(|client| client.socket_sid(socket).map(str::to_owned)).flatten(),
            Engine::Shared(remote) => remote.sid(socket),
        }
    }

    /// The `reconnection` option.
    pub(super) fn reconnection(&self) -> bool {
        match self {
            Engine::Local(driver) => driver.read(|client| client.options().reconnection).unwrap_or(false),
            Engine::Shared(remote) => remote.reconnection(),
        }
    }
}
