//! Leptos (0.8, client-side rendering) integration: a socket whose
//! connection state is a signal, and handlers that live as long as the
//! reactive owner that registered them.
//!
//! A [`Socket`] holds `Rc`s, so it is not `Send`: [`UseSocket`] keeps it in
//! the reactive arena's local storage ([`StoredValue::new_local`]) and is
//! itself a `Copy + Send + Sync` handle that can go into views, closures and
//! contexts. When the owner that called [`use_socket`] is disposed (the
//! component unmounts), the socket and its handlers are dropped and the
//! connection closes (unless other clones of the [`Socket`] remain).
//!
//! One piece (over 400 lines, two thirds of them doc examples): the hooks and
//! the handle they return are one API, documented together.
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")] {
//! use leptos::prelude::*;
//! use socketio_wasm::api::leptos::use_socket;
//! use socketio_wasm::ConnectionState;
//!
//! #[component]
//! fn Ticker() -> impl IntoView {
//!     let socket = use_socket("/");
//!     let tick = socket.event_signal::<u64>("tick");
//!     let status = move || match socket.state().get() {
//!         ConnectionState::Connected => "connected",
//!         _ => "offline",
//!     };
//!     view! {
//!         <p>{status}" "{move || tick.get().unwrap_or_default()}</p>
//!         <button on:click=move |_| { let _ = socket.emit("ping", &()); }>"ping"</button>
//!     }
//! }
//! # }
//! ```

use std::future::Future;

use ::leptos::prelude::{
    expect_context, provide_context, signal, use_context, LocalStorage, ReadSignal, StoredValue, Update, With,
    WithValue, WriteSignal,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{io, AckError, ConnectionState, EmitError, Socket, SocketBuilder, Subscription};

/// The socket and the handler that feeds the state signal; dropped together
/// with the owner of the hook.
struct OwnedSocket {
    // Declared first so it unsubscribes while the socket is still alive.
    _state: Subscription,
    socket: Socket,
}

/// A socket for Leptos components: a `Copy` handle (it can be moved into any
/// number of closures and views) with the connection state as a signal.
///
/// Created by [`use_socket`], [`use_socket_with`] or [`provide_socket`]. Its
/// methods do nothing (or fail with [`EmitError::Closed`]) once the owner it
/// was created in has been disposed.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use leptos::prelude::*;
/// use socketio_wasm::api::leptos::{use_socket, UseSocket};
///
/// #[component]
/// fn Send(socket: UseSocket) -> impl IntoView {
///     view! { <button on:click=move |_| { let _ = socket.emit("hello", "world"); }>"hello"</button> }
/// }
///
/// #[component]
/// fn App() -> impl IntoView {
///     let socket = use_socket("/");
///     view! { <Send socket=socket/> }
/// }
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct UseSocket {
    owned: StoredValue<OwnedSocket, LocalStorage>,
    state: ReadSignal<ConnectionState>,
    set_state: WriteSignal<ConnectionState>,
}

/// Connects to `url` (see [`io`]) with the default options and returns the
/// socket's handle. The connection lives as long as the current reactive
/// owner (typically the component calling the hook).
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use leptos::prelude::*;
/// use socketio_wasm::api::leptos::use_socket;
///
/// #[component]
/// fn Status() -> impl IntoView {
///     let socket = use_socket("http://localhost:3000");
///     view! { <span>{move || format!("{:?}", socket.state().get())}</span> }
/// }
/// # }
/// ```
pub fn use_socket(url: &str) -> UseSocket {
    use_socket_with(io(url))
}

/// Connects with a configured builder (authentication, transports,
/// timeouts...) and returns the socket's handle; see [`use_socket`].
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use leptos::prelude::*;
/// use socketio_wasm::api::leptos::use_socket_with;
///
/// #[component]
/// fn Chat() -> impl IntoView {
///     let socket = use_socket_with(
///         socketio_wasm::io("/").auth(serde_json::json!({ "name": "ada" })),
///     );
///     let _ = socket;
/// }
/// # }
/// ```
pub fn use_socket_with(builder: SocketBuilder) -> UseSocket {
    from_socket(builder.connect())
}

/// Wraps an existing socket (for instance another namespace of the same
/// connection, from [`super::Manager::socket`]). The handle keeps this clone
/// of the socket until the current owner is disposed.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use leptos::prelude::*;
/// use socketio_wasm::api::leptos::{from_socket, use_socket};
///
/// #[component]
/// fn Admin() -> impl IntoView {
///     let main = use_socket("/");
///     let admin = main.with_socket(|s| from_socket(s.manager().socket("/admin")));
///     let _ = admin;
/// }
/// # }
/// ```
pub fn from_socket(socket: Socket) -> UseSocket {
    let (state, set_state) = signal(socket.state());
    let weak = socket.downgrade();
    let subscription = socket.on_event(move |_| {
        if let Some(socket) = weak.upgrade() {
            refresh(set_state, &socket);
        }
    });
    let owned = StoredValue::new_local(OwnedSocket { _state: subscription, socket });
    UseSocket { owned, state, set_state }
}

/// Copies the socket's state into the signal, notifying only on change.
fn refresh(set_state: WriteSignal<ConnectionState>, socket: &Socket) {
    let now = socket.state();
    set_state.try_maybe_update(|state| {
        if *state == now {
            (false, ())
        } else {
            *state = now;
            (true, ())
        }
    });
}

/// Keeps `subscription` (any handler registered on a [`Socket`]) until the
/// current reactive owner is disposed, then drops it, which unsubscribes.
/// Without a current owner the handler stays registered for as long as the
/// socket lives.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use leptos::prelude::*;
/// use socketio_wasm::api::leptos::{scoped, use_socket};
///
/// #[component]
/// fn Questions() -> impl IntoView {
///     let socket = use_socket("/");
///     socket.with_socket(|s| {
///         scoped(s.on_message("question", |m| {
///             let _ = m.ack(&42);
///         }))
///     });
/// }
/// # }
/// ```
pub fn scoped(subscription: Subscription) {
    let _ = StoredValue::new_local(subscription);
}

impl UseSocket {
    /// The connection state, as a signal (reading it in a view or an effect
    /// tracks it).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use leptos::prelude::*;
    /// use socketio_wasm::{api::leptos::use_socket, ConnectionState};
    ///
    /// #[component]
    /// fn Status() -> impl IntoView {
    ///     let socket = use_socket("/");
    ///     let text = move || match socket.state().get() {
    ///         ConnectionState::Connecting => "connecting".to_string(),
    ///         ConnectionState::Connected => "connected".to_string(),
    ///         ConnectionState::Reconnecting { attempt } => format!("reconnecting (attempt {attempt})"),
    ///         _ => "disconnected".to_string(),
    ///     };
    ///     view! { <span id="status">{text}</span> }
    /// }
    /// # }
    /// ```
    pub fn state(&self) -> ReadSignal<ConnectionState> {
        self.state
    }

    /// True while connected (tracks the state signal).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use leptos::prelude::*;
    /// use socketio_wasm::api::leptos::use_socket;
    ///
    /// #[component]
    /// fn SendButton() -> impl IntoView {
    ///     let socket = use_socket("/");
    ///     view! { <button disabled=move || !socket.is_connected()>"send"</button> }
    /// }
    /// # }
    /// ```
    pub fn is_connected(&self) -> bool {
        self.state.with(|state| *state == ConnectionState::Connected)
    }

    /// Runs `f` with the socket, for everything this handle does not wrap
    /// (`id()`, `volatile()`, `timeout()`, `manager()`...). `None` once the
    /// owner is disposed.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::api::leptos::use_socket("/");
    /// let sid: Option<String> = socket.with_socket(|s| s.id()).flatten();
    /// socket.with_socket(|s| s.volatile().emit("cursor", &(1, 2)));
    /// # let _ = sid;
    /// # }
    /// ```
    pub fn with_socket<R>(&self, f: impl FnOnce(&Socket) -> R) -> Option<R> {
        self.owned.try_with_value(|owned| f(&owned.socket))
    }

    /// A clone of the socket. The clone keeps the connection open even after
    /// the owner is disposed, for as long as it lives.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::api::leptos::use_socket("/");
    /// if let Some(s) = socket.socket() {
    ///     let _ = s.namespace();
    /// }
    /// # }
    /// ```
    pub fn socket(&self) -> Option<Socket> {
        self.with_socket(Socket::clone)
    }

    /// Emits `event` with one argument (`&()` for none); see [`Socket::emit`].
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::api::leptos::use_socket("/");
    /// socket.emit("chat", "hello").unwrap();
    /// # }
    /// ```
    pub fn emit<T: Serialize + ?Sized>(&self, event: &str, value: &T) -> Result<(), EmitError> {
        self.with_socket(|socket| socket.emit(event, value)).unwrap_or(Err(EmitError::Closed))
    }

    /// Emits `event` with one argument and waits for the acknowledgement's
    /// first argument, decoded as `R`; see [`Socket::emit_with_ack`]. Run it
    /// with `leptos::task::spawn_local` (the future is not `Send`).
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use leptos::task::spawn_local;
    /// use serde::Deserialize;
    ///
    /// #[derive(Deserialize)]
    /// struct Ack {
    ///     id: u64,
    /// }
    ///
    /// let socket = socketio_wasm::api::leptos::use_socket("/");
    /// spawn_local(async move {
    ///     match socket.emit_with_ack::<_, Ack>("chat", "hello").await {
    ///         Ok(ack) => { let _ = ack.id; }
    ///         Err(e) => leptos::logging::warn!("not delivered: {e}"),
    ///     }
    /// });
    /// # }
    /// ```
    pub fn emit_with_ack<T: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        event: &str,
        value: &T,
    ) -> impl Future<Output = Result<R, AckError>> + 'static {
        let answer = self.with_socket(|socket| socket.emit_with_ack::<T, R>(event, value));
        async move {
            match answer {
                Some(answer) => answer.await,
                None => Err(AckError::Emit(EmitError::Closed)),
            }
        }
    }

    /// Calls `f` with the first argument of every `event`, decoded as `T`,
    /// until the current reactive owner (usually the calling component) is
    /// disposed; see [`Socket::on`] and [`scoped`].
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use leptos::prelude::*;
    /// use serde::Deserialize;
    ///
    /// #[derive(Clone, Deserialize)]
    /// struct Chat {
    ///     user: String,
    ///     text: String,
    /// }
    ///
    /// #[component]
    /// fn Messages() -> impl IntoView {
    ///     let socket = socketio_wasm::api::leptos::use_socket("/");
    ///     let (messages, set_messages) = signal(Vec::<Chat>::new());
    ///     socket.on("chat", move |m: Chat| set_messages.update(|v| v.push(m)));
    ///     view! {
    ///         <ul>{move || messages.get().into_iter()
    ///             .map(|m| view! { <li>{m.user}": "{m.text}</li> })
    ///             .collect_view()}</ul>
    ///     }
    /// }
    /// # }
    /// ```
    pub fn on<T: DeserializeOwned + 'static>(&self, event: &str, f: impl FnMut(T) + 'static) {
        if let Some(subscription) = self.with_socket(|socket| socket.on(event, f)) {
            scoped(subscription);
        }
    }

    /// The latest `event`'s first argument as a signal (`None` until the
    /// first one arrives). The handler lives as long as the current owner.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use leptos::prelude::*;
    ///
    /// #[component]
    /// fn Online() -> impl IntoView {
    ///     let socket = socketio_wasm::api::leptos::use_socket("/");
    ///     let online = socket.event_signal::<u32>("online");
    ///     view! { <span id="online">{move || online.get().unwrap_or(0)}</span> }
    /// }
    /// # }
    /// ```
    pub fn event_signal<T: DeserializeOwned + Send + Sync + 'static>(&self, event: &str) -> ReadSignal<Option<T>> {
        let (get, set) = signal(None);
        self.on(event, move |value: T| {
            set.try_update(|slot| *slot = Some(value));
        });
        get
    }

    /// Connects again (after [`UseSocket::disconnect`], or when built with
    /// `auto_connect(false)`); see [`Socket::connect`].
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// let socket = socketio_wasm::api::leptos::use_socket("/");
    /// socket.disconnect();
    /// socket.connect();
    /// # }
    /// ```
    pub fn connect(&self) {
        let set_state = self.set_state;
        self.with_socket(|socket| {
            socket.connect();
            refresh(set_state, socket);
        });
    }

    /// Disconnects, with no automatic reconnection; see [`Socket::disconnect`].
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use leptos::prelude::*;
    ///
    /// #[component]
    /// fn Leave() -> impl IntoView {
    ///     let socket = socketio_wasm::api::leptos::use_socket("/");
    ///     view! { <button on:click=move |_| socket.disconnect()>"leave"</button> }
    /// }
    /// # }
    /// ```
    pub fn disconnect(&self) {
        let set_state = self.set_state;
        self.with_socket(|socket| {
            socket.disconnect();
            refresh(set_state, socket);
        });
    }
}

/// [`use_socket`], and provides the handle as context to the current owner's
/// descendants (read it with [`expect_socket`] or [`use_socket_context`]).
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use leptos::prelude::*;
/// use socketio_wasm::api::leptos::{expect_socket, provide_socket};
///
/// #[component]
/// fn Status() -> impl IntoView {
///     let socket = expect_socket();
///     view! { <span>{move || socket.is_connected()}</span> }
/// }
///
/// #[component]
/// fn App() -> impl IntoView {
///     provide_socket("/");
///     view! { <Status/> }
/// }
/// # }
/// ```
pub fn provide_socket(url: &str) -> UseSocket {
    provide_socket_with(io(url))
}

/// [`use_socket_with`], and provides the handle as context; see [`provide_socket`].
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use socketio_wasm::api::leptos::provide_socket_with;
/// let socket = provide_socket_with(socketio_wasm::io("/").auth(serde_json::json!({ "token": "t" })));
/// # let _ = socket;
/// # }
/// ```
pub fn provide_socket_with(builder: SocketBuilder) -> UseSocket {
    let socket = use_socket_with(builder);
    provide_context(socket);
    socket
}

/// The socket an ancestor provided with [`provide_socket`], if any.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use socketio_wasm::api::leptos::use_socket_context;
/// if let Some(socket) = use_socket_context() {
///     let _ = socket.emit("hello", &());
/// }
/// # }
/// ```
pub fn use_socket_context() -> Option<UseSocket> {
    use_context::<UseSocket>()
}

/// The socket an ancestor provided with [`provide_socket`].
///
/// # Panics
///
/// When no ancestor provided one.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use leptos::prelude::*;
/// use socketio_wasm::api::leptos::expect_socket;
///
/// #[component]
/// fn Online() -> impl IntoView {
///     let online = expect_socket().event_signal::<u32>("online");
///     view! { <span>{move || online.get()}</span> }
/// }
/// # }
/// ```
#[track_caller]
pub fn expect_socket() -> UseSocket {
    expect_context::<UseSocket>()
}
