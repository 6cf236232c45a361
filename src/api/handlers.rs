//! Registering handlers: the `on*` methods of [`Socket`], the
//! [`Subscription`] guard that removes one, and [`SocketHandlers`], what one
//! socket keeps for its handlers (read by `registry::dispatch`).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures_channel::oneshot;
use serde::de::DeserializeOwned;

use super::{AckError, ConnectError, ConnectionState, DisconnectReason, Message, Socket, SocketEvent};
use crate::proto::Payload;

/// Computes the authentication payload of a connection as JSON text
/// ([`super::SocketBuilder::auth_with`]): the provider's value is turned into
/// text where it is given, so that an app without a provider does not link
/// the serialization of `serde_json::Value`.
pub(super) type AuthFn = Rc<dyn Fn() -> String>;
type MessageFn = Rc<RefCell<dyn FnMut(&Message)>>;
type LifecycleFn = Rc<RefCell<dyn FnMut(&SocketEvent)>>;
type AckSender = oneshot::Sender<Result<Payload, AckError>>;

/// What one namespace socket keeps for its handlers, shared by the clones of
/// the [`Socket`] and reached from the manager's registry by socket id.
#[derive(Default)]
pub(super) struct SocketHandlers {
    /// The last subscription id given out; ids start at 1, 0 marks a detached `Subscription`.
    next_id: Cell<u64>,
    /// Message handlers: subscription id, event name (`None`: every event), handler.
    pub(super) messages: RefCell<Vec<(u64, Option<String>, MessageFn)>>,
    /// Connection event handlers, by subscription id.
    pub(super) lifecycle: RefCell<Vec<(u64, LifecycleFn)>>,
    /// Emits waiting for their acknowledgement, by token.
    pub(super) acks: RefCell<Vec<(u32, AckSender)>>,
    /// The authentication provider, asked on every connection.
    pub(super) auth: RefCell<Option<AuthFn>>,
    /// The connection state shown to the user (`None` before the first change).
    pub(super) state: RefCell<Option<ConnectionState>>,
}

impl SocketHandlers {
    fn subscription_id(&self) -> u64 {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        id
    }

    pub(super) fn set_state(&self, state: ConnectionState) {
        *self.state.borrow_mut() = Some(state);
    }

    /// Calls the handlers of `message`'s event and those of every event.
    pub(super) fn message(&self, message: &Message) {
        let handlers: Vec<MessageFn> = self
            .messages
            .borrow()
            .iter()
            .filter(|(_, event, _)| event.as_deref().is_none_or(|name| name == message.event))
            .map(|(_, _, f)| f.clone())
            .collect();
        for handler in handlers {
            if let Ok(mut handler) = handler.try_borrow_mut() {
                handler(message);
            }
        }
    }

    /// Calls every connection event handler with `event`; a decode error
    /// nobody listens to goes to the console.
    pub(super) fn lifecycle(&self, event: &SocketEvent) {
        let handlers: Vec<LifecycleFn> = self.lifecycle.borrow().iter().map(|(_, f)| f.clone()).collect();
        if handlers.is_empty() {
            if let SocketEvent::DecodeError(error) = event {
                web_sys::console::warn_1(&error.to_string().into());
            }
        }
        for handler in handlers {
            // A handler that re-enters itself (an event it causes) is skipped.
            if let Ok(mut handler) = handler.try_borrow_mut() {
                handler(event);
            }
        }
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
    handlers: Weak<SocketHandlers>,
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
        if let Some(handlers) = self.handlers.upgrade() {
            let id = self.id;
            // Removing while a dispatch runs is fine: dispatch works on a copy.
            if let Ok(mut messages) = handlers.messages.try_borrow_mut() {
                messages.retain(|(sub, _, _)| *sub != id);
            }
            if let Ok(mut lifecycle) = handlers.lifecycle.try_borrow_mut() {
                lifecycle.retain(|(sub, _)| *sub != id);
            }
        }
    }
}

impl Socket {
    pub(super) fn subscribe_message(&self, event: Option<&str>, f: impl FnMut(&Message) + 'static) -> Subscription {
        let id = self.handlers.subscription_id();
        self.handlers.messages.borrow_mut().push((id, event.map(str::to_owned), Rc::new(RefCell::new(f))));
        Subscription { handlers: Rc::downgrade(&self.handlers), id }
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
        let handlers = Rc::downgrade(&self.handlers);
        self.subscribe_message(Some(event), move |message| match message.arg::<T>(0) {
            Ok(value) => f(value),
            Err(error) => {
                if let Some(handlers) = handlers.upgrade() {
                    handlers.lifecycle(&SocketEvent::DecodeError(error));
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
        let id = self.handlers.subscription_id();
        self.handlers.lifecycle.borrow_mut().push((id, Rc::new(RefCell::new(f))));
        Subscription { handlers: Rc::downgrade(&self.handlers), id }
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
        self.on_event(move |event| {
            if *event == SocketEvent::Connect {
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
        self.on_event(move |event| {
            if let SocketEvent::Disconnect(reason) = event {
                f(*reason)
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
        self.on_event(move |event| {
            if let SocketEvent::ConnectError(error) = event {
                f(error)
            }
        })
    }
}
