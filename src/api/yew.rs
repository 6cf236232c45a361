//! Yew (0.23, client-side rendering) hooks: a socket per component whose
//! connection state re-renders the component, and handlers released on
//! unmount.
//!
//! [`use_socket`] opens the connection on the first render and closes it
//! when the component unmounts (unless clones of the [`Socket`] live on).
//! To share one socket with a subtree, provide the handle as context:
//! [`UseSocketHandle`] is `Clone + PartialEq`, so consumers re-render when
//! the connection state changes.
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")] {
//! use yew::prelude::*;
//! use socketio_wasm::api::yew::{use_socket, use_socket_context, UseSocketHandle};
//!
//! #[function_component]
//! fn Status() -> Html {
//!     let socket = use_socket_context().expect("a socket in context");
//!     html! { <span>{ if socket.connected() { "connected" } else { "offline" } }</span> }
//! }
//!
//! #[function_component]
//! fn App() -> Html {
//!     let socket = use_socket("/");
//!     html! {
//!         <ContextProvider<UseSocketHandle> context={socket}>
//!             <Status />
//!         </ContextProvider<UseSocketHandle>>
//!     }
//! }
//! # }
//! ```

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use ::yew::functional::{UseStateHandle, UseStateSetter};
use ::yew::{hook, use_context, use_effect_with, use_memo, use_mut_ref, use_state, use_state_eq};
use serde::de::DeserializeOwned;

use super::{io, ConnectionState, Socket, SocketBuilder};

/// What [`use_socket`] returns: the socket and its connection state at this
/// render. It dereferences to [`Socket`], so `handle.emit(..)`,
/// `handle.on(..)` and `handle.emit_with_ack(..)` work directly.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use yew::prelude::*;
/// use socketio_wasm::api::yew::use_socket;
///
/// #[function_component]
/// fn Hello() -> Html {
///     let socket = use_socket("/");
///     let onclick = {
///         let socket = socket.clone();
///         Callback::from(move |_| { let _ = socket.emit("hello", "world"); })
///     };
///     html! { <button {onclick} disabled={!socket.connected()}>{"hello"}</button> }
/// }
/// # }
/// ```
#[derive(Clone, PartialEq)]
pub struct UseSocketHandle {
    socket: Socket,
    state: ConnectionState,
    setter: UseStateSetter<ConnectionState>,
}

impl UseSocketHandle {
    /// The socket.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// # use yew::prelude::*;
    /// # #[function_component]
    /// # fn C() -> Html {
    /// let handle = socketio_wasm::api::yew::use_socket("/");
    /// let socket: socketio_wasm::Socket = handle.socket().clone();
    /// # let _ = socket;
    /// # html! {}
    /// # }
    /// # }
    /// ```
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// The connection state at this render.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// use yew::prelude::*;
    /// use socketio_wasm::{api::yew::use_socket, ConnectionState};
    ///
    /// #[function_component]
    /// fn Status() -> Html {
    ///     let socket = use_socket("/");
    ///     let text = match socket.state() {
    ///         ConnectionState::Connecting => "connecting".to_string(),
    ///         ConnectionState::Connected => "connected".to_string(),
    ///         ConnectionState::Reconnecting { attempt } => format!("reconnecting (attempt {attempt})"),
    ///         _ => "disconnected".to_string(),
    ///     };
    ///     html! { <span id="status">{text}</span> }
    /// }
    /// # }
    /// ```
    pub fn state(&self) -> &ConnectionState {
        &self.state
    }

    /// True when the state at this render is [`ConnectionState::Connected`].
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// # use yew::prelude::*;
    /// # #[function_component]
    /// # fn C() -> Html {
    /// let socket = socketio_wasm::api::yew::use_socket("/");
    /// html! { <button disabled={!socket.connected()}>{"send"}</button> }
    /// # }
    /// # }
    /// ```
    pub fn connected(&self) -> bool {
        self.state == ConnectionState::Connected
    }

    /// Connects again (after [`UseSocketHandle::disconnect`] or with
    /// `auto_connect(false)`) and re-renders with the new state.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// # use yew::prelude::*;
    /// # #[function_component]
    /// # fn C() -> Html {
    /// let socket = socketio_wasm::api::yew::use_socket("/");
    /// let onclick = Callback::from(move |_| socket.connect());
    /// html! { <button {onclick}>{"join"}</button> }
    /// # }
    /// # }
    /// ```
    pub fn connect(&self) {
        self.socket.connect();
        self.setter.set(self.socket.state());
    }

    /// Disconnects (no automatic reconnection) and re-renders with the new
    /// state.
    ///
    /// ```no_run
    /// # #[cfg(target_arch = "wasm32")] {
    /// # use yew::prelude::*;
    /// # #[function_component]
    /// # fn C() -> Html {
    /// let socket = socketio_wasm::api::yew::use_socket("/");
    /// let onclick = Callback::from(move |_| socket.disconnect());
    /// html! { <button {onclick}>{"leave"}</button> }
    /// # }
    /// # }
    /// ```
    pub fn disconnect(&self) {
        self.socket.disconnect();
        self.setter.set(self.socket.state());
    }
}

impl Deref for UseSocketHandle {
    type Target = Socket;

    fn deref(&self) -> &Socket {
        &self.socket
    }
}

/// Connects to `url` (see [`io`]) on the first render, re-renders the
/// component when the connection state changes, and closes the connection
/// on unmount. A new `url` opens a new connection.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use yew::prelude::*;
/// use socketio_wasm::api::yew::use_socket;
///
/// #[function_component]
/// fn Status() -> Html {
///     let socket = use_socket("http://localhost:3000");
///     html! { <span>{ format!("{:?}", socket.state()) }</span> }
/// }
/// # }
/// ```
#[hook]
pub fn use_socket(url: &str) -> UseSocketHandle {
    let socket = use_memo(url.to_owned(), |url| io(url).connect());
    use_handle((*socket).clone())
}

/// Connects with the builder `init` returns (called on the first render
/// only), re-renders the component when the connection state changes, and
/// closes the connection on unmount.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use yew::prelude::*;
/// use socketio_wasm::api::yew::use_socket_with;
///
/// #[function_component]
/// fn Chat() -> Html {
///     let socket = use_socket_with(|| {
///         socketio_wasm::io("/").auth(serde_json::json!({ "name": "ada" }))
///     });
///     html! { <span>{ socket.connected() }</span> }
/// }
/// # }
/// ```
#[hook]
pub fn use_socket_with<F>(init: F) -> UseSocketHandle
where
    F: FnOnce() -> SocketBuilder,
{
    let socket = use_memo((), |_| init().connect());
    use_handle((*socket).clone())
}

#[hook]
fn use_handle(socket: Socket) -> UseSocketHandle {
    let state = use_tracked_state(&socket);
    UseSocketHandle { state: (*state).clone(), setter: state.setter(), socket }
}

/// The state, refreshed by a handler that lives as long as the component
/// (or until the socket changes).
#[hook]
fn use_tracked_state(socket: &Socket) -> UseStateHandle<ConnectionState> {
    let state = use_state_eq(|| socket.state());
    let setter = state.setter();
    use_effect_with(socket.clone(), move |socket| {
        setter.set(socket.state());
        let weak = socket.downgrade();
        let subscription = socket.on_event(move |_| {
            if let Some(socket) = weak.upgrade() {
                setter.set(socket.state());
            }
        });
        move || drop(subscription)
    });
    state
}

/// The connection state of any socket (one from context, another
/// namespace...), re-rendering the component when it changes.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use yew::prelude::*;
/// use socketio_wasm::{api::yew::use_socket_state, ConnectionState, Socket};
///
/// #[derive(Properties, PartialEq)]
/// struct Props {
///     socket: Socket,
/// }
///
/// #[function_component]
/// fn Status(props: &Props) -> Html {
///     let state = use_socket_state(&props.socket);
///     html! { <span>{ state == ConnectionState::Connected }</span> }
/// }
/// # }
/// ```
#[hook]
pub fn use_socket_state(socket: &Socket) -> ConnectionState {
    (*use_tracked_state(socket)).clone()
}

/// The socket handle an ancestor provided with
/// `<ContextProvider<UseSocketHandle> context={handle}>`, if any.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use yew::prelude::*;
/// use socketio_wasm::api::yew::use_socket_context;
///
/// #[function_component]
/// fn Status() -> Html {
///     match use_socket_context() {
///         Some(s) => html! { <span>{ s.connected() }</span> },
///         None => html! {},
///     }
/// }
/// # }
/// ```
#[hook]
pub fn use_socket_context() -> Option<UseSocketHandle> {
    use_context::<UseSocketHandle>()
}

/// The latest `event`'s first argument, decoded as `T` (`None` until one
/// arrives); each one re-renders the component. The handler is released on
/// unmount.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use yew::prelude::*;
/// use socketio_wasm::api::yew::{use_event, use_socket};
///
/// #[function_component]
/// fn Online() -> Html {
///     let socket = use_socket("/");
///     let online = use_event::<u32>(&socket, "online");
///     html! { <span id="online">{ online.unwrap_or(0) }</span> }
/// }
/// # }
/// ```
#[hook]
pub fn use_event<T>(socket: &Socket, event: &str) -> Option<T>
where
    T: DeserializeOwned + Clone + 'static,
{
    let value = use_state(|| None::<T>);
    let setter = value.setter();
    use_on(socket, event, move |value: T| setter.set(Some(value)));
    (*value).clone()
}

/// The latest handler of [`use_on`].
type Handler<T> = Rc<dyn Fn(T)>;

/// Calls `f` with the first argument of every `event`, decoded as `T`. The
/// latest `f` (from the latest render) is called; the handler is released
/// on unmount, and moves to the new socket when `socket` changes.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use std::rc::Rc;
/// use serde::Deserialize;
/// use yew::prelude::*;
/// use socketio_wasm::api::yew::{use_on, use_socket};
///
/// #[derive(Clone, PartialEq, Deserialize)]
/// struct Chat {
///     user: String,
///     text: String,
/// }
///
/// #[function_component]
/// fn Messages() -> Html {
///     let socket = use_socket("/");
///     let log = use_reducer(Log::default);
///     {
///         let log = log.dispatcher();
///         use_on(&socket, "chat", move |m: Chat| log.dispatch(m));
///     }
///     html! { <ul>{ for log.0.iter().map(|m| html! { <li>{ format!("{}: {}", m.user, m.text) }</li> }) }</ul> }
/// }
///
/// #[derive(Default, PartialEq)]
/// struct Log(Vec<Chat>);
///
/// impl Reducible for Log {
///     type Action = Chat;
///     fn reduce(self: Rc<Self>, m: Chat) -> Rc<Self> {
///         let mut v = self.0.clone();
///         v.push(m);
///         Rc::new(Log(v))
///     }
/// }
/// # }
/// ```
#[hook]
pub fn use_on<T, F>(socket: &Socket, event: &str, f: F)
where
    T: DeserializeOwned + 'static,
    F: Fn(T) + 'static,
{
    let latest: Rc<RefCell<Handler<T>>> = use_mut_ref(|| Rc::new(|_: T| {}) as Handler<T>);
    *latest.borrow_mut() = Rc::new(f);
    use_effect_with((socket.clone(), event.to_owned()), move |(socket, event)| {
        let subscription = socket.on(event, move |value: T| {
            let handler = latest.borrow().clone();
            handler(value);
        });
        move || drop(subscription)
    });
}
