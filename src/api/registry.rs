//! The sockets of one manager, and [`dispatch`]: what the driver's events do
//! to their handlers and connection states (one method of [`Registry`] each).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::engine::{Engine, WeakEngine};
use super::handlers::SocketHandlers;
use super::message::AckHandle;
use super::{AckError, ConnectError, ConnectionState, DisconnectReason, Message, SocketEvent};
use crate::proto::{self, ErrorKind, Event, Payload, SocketId};

/// The sockets of one manager by id, shared by the [`super::Manager`] and the
/// driver's event sink.
#[derive(Default)]
pub(super) struct Registry {
    pub(super) sockets: RefCell<Vec<(SocketId, Weak<SocketHandlers>)>>,
    /// Set once the engine exists (the sink is made before it).
    pub(super) engine: RefCell<Option<WeakEngine>>,
    next_token: Cell<u32>,
}

impl Registry {
    pub(super) fn get(&self, socket: SocketId) -> Option<Rc<SocketHandlers>> {
        self.sockets.borrow().iter().find(|(id, _)| *id == socket).and_then(|(_, handlers)| handlers.upgrade())
    }

    fn all(&self) -> Vec<(SocketId, Rc<SocketHandlers>)> {
        self.sockets.borrow().iter().filter_map(|(id, handlers)| Some((*id, handlers.upgrade()?))).collect()
    }

    fn engine(&self) -> Option<Engine> {
        self.engine.borrow().as_ref().and_then(WeakEngine::upgrade)
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
        Event::Message { socket, payload, ack } => registry.message(socket, payload, ack),
        Event::Ack { socket, token, result, .. } => registry.ack(
            socket,
            token,
            result.map_err(|error| match error {
                proto::AckError::Timeout => AckError::Timeout,
                proto::AckError::Disconnected => AckError::Disconnected,
            }),
        ),
        Event::Connect(socket) => registry.connect(socket),
        Event::Disconnect(socket, reason, _) => registry.disconnect(socket, reason),
        Event::ConnectError(socket, error) => registry.connect_error(socket, connect_error(&error)),
        Event::ReconnectAttempt(attempt) => registry.reconnect_attempt(attempt),
        Event::Reconnect(attempts) => registry.reconnect(attempts),
        Event::ReconnectFailed => registry.reconnect_failed(),
        Event::AuthRequest { socket, seq } => registry.auth_request(socket, seq),
        _ => {}
    }
}

/// What the events do, one method each: called by [`dispatch`] for a
/// connection of this page, and by `shared/` for the events a shared
/// connection relays to this tab.
impl Registry {
    pub(super) fn message(&self, socket: SocketId, payload: Payload, ack: Option<u64>) {
        let Some(handlers) = self.get(socket) else { return };
        let ack = ack.map(|id| AckHandle { engine: self.engine.borrow().clone(), socket, id });
        handlers.message(&Message::new(payload, ack));
    }

    pub(super) fn ack(&self, socket: SocketId, token: u32, result: Result<Payload, AckError>) {
        let Some(handlers) = self.get(socket) else { return };
        let slot = {
            let mut acks = handlers.acks.borrow_mut();
            acks.iter().position(|(pending, _)| *pending == token).map(|index| acks.swap_remove(index).1)
        };
        if let Some(sender) = slot {
            let _ = sender.send(result);
        }
    }

    /// Fails every pending acknowledgement (a shared connection changed hands).
    pub(super) fn fail_acks(&self) {
        for (_, handlers) in self.all() {
            let pending = std::mem::take(&mut *handlers.acks.borrow_mut());
            for (_, sender) in pending {
                let _ = sender.send(Err(AckError::Disconnected));
            }
        }
    }

    pub(super) fn connect(&self, socket: SocketId) {
        if let Some(handlers) = self.get(socket) {
            handlers.set_state(ConnectionState::Connected);
            handlers.lifecycle(&SocketEvent::Connect);
        }
    }

    pub(super) fn disconnect(&self, socket: SocketId, reason: DisconnectReason) {
        if let Some(handlers) = self.get(socket) {
            let reconnects = reason.reconnects() && self.engine().is_some_and(|engine| engine.reconnection());
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

    pub(super) fn connect_error(&self, socket: SocketId, error: ConnectError) {
        if let Some(handlers) = self.get(socket) {
            if let ConnectError::Refused { message, .. } = &error {
                handlers.set_state(ConnectionState::Refused { message: message.clone() });
            }
            handlers.lifecycle(&SocketEvent::ConnectError(error));
        }
    }

    pub(super) fn reconnect_attempt(&self, attempt: u32) {
        let engine = self.engine();
        for (socket, handlers) in self.all() {
            if engine.as_ref().is_some_and(|engine| engine.status(socket).active) {
                handlers.set_state(ConnectionState::Reconnecting { attempt });
                handlers.lifecycle(&SocketEvent::ReconnectAttempt(attempt));
            }
        }
    }

    pub(super) fn reconnect(&self, attempts: u32) {
        for (_, handlers) in self.all() {
            handlers.lifecycle(&SocketEvent::Reconnect(attempts));
        }
    }

    pub(super) fn reconnect_failed(&self) {
        for (_, handlers) in self.all() {
            if matches!(*handlers.state.borrow(), Some(ConnectionState::Reconnecting { .. })) {
                handlers.set_state(ConnectionState::Failed);
            }
            handlers.lifecycle(&SocketEvent::ReconnectFailed);
        }
    }

    /// The socket's auth provider is asked, and its value goes to the engine.
    pub(super) fn auth_request(&self, socket: SocketId, seq: u32) {
        let provider = self.get(socket).and_then(|handlers| handlers.auth.borrow().clone());
        let data = provider.map(|provider| provider());
        if let Some(engine) = self.engine() {
            engine.answer_auth(socket, seq, data);
        }
    }
}
