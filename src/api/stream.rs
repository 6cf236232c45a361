//! The streams: [`Socket::events`] ([`EventStream`]) and [`Socket::states`]
//! ([`StateStream`]).

use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_channel::mpsc;

use super::{ConnectionState, Message, Socket, Subscription};

impl Socket {
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
        let (sender, messages) = mpsc::unbounded();
        let subscription = self.subscribe_message(Some(event), move |message| {
            let copy = Message { event: message.event.clone(), payload: message.payload.clone(), ack: None };
            let _ = sender.unbounded_send(copy);
        });
        EventStream { messages, _subscription: subscription }
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
        let (sender, states) = mpsc::unbounded();
        let _ = sender.unbounded_send(self.state());
        let handlers = Rc::downgrade(&self.handlers);
        let mut last = self.state();
        let subscription = self.on_event(move |_| {
            if let Some(handlers) = handlers.upgrade() {
                let now = handlers.state.borrow().clone().unwrap_or(ConnectionState::Idle);
                if now != last {
                    last = now.clone();
                    let _ = sender.unbounded_send(now);
                }
            }
        });
        StateStream { states, _subscription: subscription }
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
    messages: mpsc::UnboundedReceiver<Message>,
    _subscription: Subscription,
}

impl futures_core::Stream for EventStream {
    type Item = Message;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        Pin::new(&mut self.messages).poll_next(cx)
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
    states: mpsc::UnboundedReceiver<ConnectionState>,
    _subscription: Subscription,
}

impl futures_core::Stream for StateStream {
    type Item = ConnectionState;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<ConnectionState>> {
        Pin::new(&mut self.states).poll_next(cx)
    }
}
