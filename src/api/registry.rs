//! The sockets of one manager, and [`dispatch`]: what the driver's events do
//! to their handlers and connection states.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::handlers::SocketHandlers;
use super::message::AckHandle;
use super::{AckError, ConnectError, ConnectionState, DisconnectReason, Message, SocketEvent};
use crate::proto::{self, ErrorKind, Event, SocketId};
use crate::web::{Driver, WeakDriver};

/// The sockets of one manager by id, shared by the [`super::Manager`] and the
/// driver's event sink.
#[derive(Default)]
pub(super) struct Registry {
    pub(super) sockets: RefCell<Vec<(SocketId, Weak<SocketHandlers>)>>,
    /// Set once the driver exists (the sink is made before it).
    pub(super) driver: RefCell<Option<WeakDriver>>,
    next_token: Cell<u32>,
}

impl Registry {
    pub(super) fn get(&self, socket: SocketId) -> Option<Rc<SocketHandlers>> {
        self.sockets.borrow().iter().find(|(id, _)| *id == socket).and_then(|(_, handlers)| handlers.upgrade())
    }

    fn all(&self) -> Vec<(SocketId, Rc<SocketHandlers>)> {
        self.sockets.borrow().iter().filter_map(|(id, handlers)| Some((*id, handlers.upgrade()?))).collect()
    }

    fn driver(&self) -> Option<Driver> {
        self.driver.borrow().as_ref().and_then(WeakDriver::upgrade)
    }

    /// A new acknowledgement token, never 0.
    pub(super) fn token(&self) -> u32 {
        let token = self.next_token.get() % (u32::MAX - 1) + 1;
        self.next_token.set(token);
        token
    }
}

fn connect_error(error: &ErrorKind) -> ConnectError {
    match error {
        ErrorKind::ConnectRefused { message, data } => {
            ConnectError::Refused { message: message.clone(), data: data.clone() }
        }
        other => ConnectError::Failed(other.message().to_owned()),
    }
}

/// Delivers one event of the driver: calls the handlers, resolves the ack
/// futures, updates the connection states, answers the auth requests.
pub(super) fn dispatch(registry: &Registry, event: Event) {
    match event {
        Event::Message { socket, payload, ack } => {
            let Some(handlers) = registry.get(socket) else { return };
            let ack = ack.map(|id| AckHandle { driver: registry.driver.borrow().clone(), socket, id });
            handlers.message(&Message::new(payload, ack));
        }
        Event::Ack { socket, token, result, .. } => {
            let Some(handlers) = registry.get(socket) else { return };
            let slot = {
                let mut acks = handlers.acks.borrow_mut();
                acks.iter().position(|(pending, _)| *pending == token).map(|index| acks.swap_remove(index).1)
            };
            if let Some(sender) = slot {
                let _ = sender.send(result.map_err(|error| match error {
                    proto::AckError::Timeout => AckError::Timeout,
                    proto::AckError::Disconnected => AckError::Disconnected,
                }));
            }
        }
        Event::Connect(socket) => {
            if let Some(handlers) = registry.get(socket) {
                handlers.set_state(ConnectionState::Connected);
                handlers.lifecycle(&SocketEvent::Connect);
            }
        }
        Event::Disconnect(socket, reason, _) => {
            if let Some(handlers) = registry.get(socket) {
                let reconnects = reason.reconnects()
                    && registry
                        .driver()
                        .and_then(|driver| driver.read(|client| client.options().reconnection))
                        .unwrap_or(false);
                handlers.set_state(if reconnects {
                    ConnectionState::Reconnecting { attempt: 0 }
                } else if reason == DisconnectReason::IoClientDisconnect {
                    ConnectionState::Idle
                } else {
                    ConnectionState::Disconnected { reason }
                });
                handlers.lifecycle(&SocketEvent::Disconnect(reason));
            }
        }
        Event::ConnectError(socket, error) => {
            if let Some(handlers) = registry.get(socket) {
                if let ErrorKind::ConnectRefused { message, .. } = &error {
                    handlers.set_state(ConnectionState::Refused { message: message.clone() });
                }
                handlers.lifecycle(&SocketEvent::ConnectError(connect_error(&error)));
            }
        }
        Event::ReconnectAttempt(attempt) => {
            let driver = registry.driver();
            for (socket, handlers) in registry.all() {
                if driver.as_ref().and_then(|driver| driver.read(|client| client.is_active(socket))).unwrap_or(false) {
                    handlers.set_state(ConnectionState::Reconnecting { attempt });
                    handlers.lifecycle(&SocketEvent::ReconnectAttempt(attempt));
                }
            }
        }
        Event::Reconnect(attempts) => {
            for (_, handlers) in registry.all() {
                handlers.lifecycle(&SocketEvent::Reconnect(attempts));
            }
        }
        Event::ReconnectFailed => {
            for (_, handlers) in registry.all() {
                if matches!(*handlers.state.borrow(), Some(ConnectionState::Reconnecting { .. })) {
                    handlers.set_state(ConnectionState::Failed);
                }
                handlers.lifecycle(&SocketEvent::ReconnectFailed);
            }
        }
        Event::AuthRequest { socket, seq } => {
            let Some(handlers) = registry.get(socket) else { return };
            let provider = handlers.auth.borrow().clone();
            let data = provider.map(|provider| provider());
            if let Some(driver) = registry.driver() {
                driver.call(|client, now| client.handle_auth(now, socket, seq, data));
            }
        }
        _ => {}
    }
}
