//! The chat example with Yew (client-side rendering).
//!
//! Connects to the page's own origin with `auth: { name }`, sends `chat`
//! with the text and an acknowledgement, shows every broadcast `chat` as
//! `<li>user: text</li>` and the `online` count. The name comes from
//! `?name=` or the #name input; changing it reconnects with the new name.
//!
//! Build: `node scripts/build-rust-example.mjs yew-chat`.

use std::rc::Rc;

use serde::Deserialize;
use socketio_wasm::api::yew::{use_event, use_on, use_socket_with, UseSocketHandle};
use socketio_wasm::ConnectionState;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

/// A broadcast chat message.
#[derive(Clone, PartialEq, Deserialize)]
struct Chat {
    user: String,
    text: String,
}

/// The server's acknowledgement of our `chat`: `{ id }`, or `{ error }`
/// when it refused the message.
#[derive(Deserialize)]
struct Ack {
    #[serde(default)]
    error: Option<String>,
}

/// The messages received so far (append-only).
#[derive(Default, PartialEq)]
struct Log(Vec<Rc<Chat>>);

impl Reducible for Log {
    type Action = Chat;

    fn reduce(self: Rc<Self>, m: Chat) -> Rc<Self> {
        let mut v = self.0.clone();
        v.push(Rc::new(m));
        Rc::new(Log(v))
    }
}

fn main() {
    console_error_panic_hook::set_once();
    yew::Renderer::<App>::new().render();
}

/// The name the server will see: trimmed, "anonymous" when empty.
fn effective_name(raw: &str) -> String {
    let t = raw.trim();
    if t.is_empty() { "anonymous" } else { t }.to_owned()
}

/// `?name=` of the page's address.
fn query_name() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get("name")
}

/// The #status text the tests rely on.
fn status_text(s: &ConnectionState) -> String {
    match s {
        ConnectionState::Connecting => "connecting".into(),
        ConnectionState::Connected => "connected".into(),
        ConnectionState::Reconnecting { attempt: 0 } => "reconnecting".into(),
        ConnectionState::Reconnecting { attempt } => format!("reconnecting (attempt {attempt})"),
        ConnectionState::Idle
        | ConnectionState::Disconnected { .. }
        | ConnectionState::Refused { .. }
        | ConnectionState::Failed => "disconnected".into(),
    }
}

/// A short explanation shown next to the status.
fn status_detail(s: &ConnectionState) -> String {
    match s {
        ConnectionState::Disconnected { reason } => reason.as_str().into(),
        ConnectionState::Refused { message } => format!("refused: {message}"),
        ConnectionState::Failed => "gave up reconnecting".into(),
        _ => String::new(),
    }
}

fn state_class(s: &ConnectionState) -> &'static str {
    match s {
        ConnectionState::Connected => "connected",
        ConnectionState::Connecting => "connecting",
        ConnectionState::Reconnecting { .. } => "reconnecting",
        _ => "disconnected",
    }
}

/// Reconnects with the name in #name when it differs from the connection's.
fn apply_name(socket: &UseSocketHandle, auth_name: &std::cell::RefCell<String>, name_ref: &NodeRef) {
    let Some(input) = name_ref.cast::<HtmlInputElement>() else { return };
    let wanted = effective_name(&input.value());
    if *auth_name.borrow() != wanted {
        *auth_name.borrow_mut() = wanted;
        // A new connection, so that the server sees the new `auth`.
        socket.disconnect();
        socket.connect();
    }
}

#[function_component]
fn App() -> Html {
    let name = use_state(|| query_name().unwrap_or_default());
    // The name sent with the next connection; read anew on every (re)connection.
    let auth_name = use_mut_ref(|| effective_name(&name));
    let socket = use_socket_with({
        let auth_name = auth_name.clone();
        move || socketio_wasm::io("/").auth_with(move || serde_json::json!({ "name": *auth_name.borrow() }))
    });

    let log = use_reducer(Log::default);
    {
        let log = log.dispatcher();
        use_on(&socket, "chat", move |m: Chat| log.dispatch(m));
    }
    let online = use_event::<u32>(&socket, "online");
    let notice = use_state(|| None::<String>);

    let list_ref = use_node_ref();
    let name_ref = use_node_ref();
    let text_ref = use_node_ref();

    // Keep the newest message in view.
    {
        let list_ref = list_ref.clone();
        use_effect_with(log.0.len(), move |_| {
            if let Some(ul) = list_ref.cast::<web_sys::Element>() {
                ul.set_scroll_top(ul.scroll_height());
            }
        });
    }

    let send = {
        let (socket, auth_name, name_ref, text_ref, notice) =
            (socket.clone(), auth_name.clone(), name_ref.clone(), text_ref.clone(), notice.setter());
        Callback::from(move |()| {
            let Some(input) = text_ref.cast::<HtmlInputElement>() else { return };
            let text = input.value();
            if text.trim().is_empty() {
                return;
            }
            apply_name(&socket, &auth_name, &name_ref);
            input.set_value("");
            notice.set(None);
            // Sent now, or buffered while offline and sent on reconnection.
            let ack = socket.emit_with_ack::<_, Ack>("chat", &text);
            let notice = notice.clone();
            spawn_local(async move {
                match ack.await {
                    Ok(Ack { error: Some(e) }) => notice.set(Some(format!("not sent: {e}"))),
                    Ok(_) => {}
                    Err(e) => notice.set(Some(format!("not sent: {e}"))),
                }
            });
        })
    };
    let onclick = send.reform(|_: MouseEvent| ());
    let onkeydown = {
        let send = send.clone();
        Callback::from(move |ev: KeyboardEvent| {
            if ev.key() == "Enter" {
                ev.prevent_default();
                send.emit(());
            }
        })
    };
    let onchange = {
        let (socket, auth_name, name_ref) = (socket.clone(), auth_name.clone(), name_ref.clone());
        Callback::from(move |_: Event| apply_name(&socket, &auth_name, &name_ref))
    };
    let onsubmit = send.reform(|ev: SubmitEvent| ev.prevent_default());
    // #name is controlled (Yew resets an input to its `value` on every render).
    let oninput = {
        let name = name.clone();
        Callback::from(move |ev: InputEvent| {
            if let Some(input) = ev.target_dyn_into::<HtmlInputElement>() {
                name.set(input.value());
            }
        })
    };

    let state = socket.state();
    html! {
        <main>
            <header>
                <h1>{ "Yew chat" }</h1>
                <span class="indicator" data-state={state_class(state)}>
                    <span id="status">{ status_text(state) }</span>
                    <small id="status-detail">{ status_detail(state) }</small>
                </span>
                <span class="online">{ "online: " }<span id="online">{ online.unwrap_or(0) }</span></span>
            </header>
            <p id="banner" hidden={!matches!(state, ConnectionState::Reconnecting { .. })}>
                { "Connection lost, reconnecting\u{2026} messages you send now are delivered once connected." }
            </p>
            <ul id="messages" ref={list_ref} aria-live="polite">
                { for log.0.iter().enumerate().map(|(n, m)| html! {
                    <li key={n}>{ format!("{}: {}", m.user, m.text) }</li>
                }) }
            </ul>
            <p id="notice" role="alert">{ (*notice).clone().unwrap_or_default() }</p>
            <form id="composer" {onsubmit}>
                <input id="name" ref={name_ref} placeholder="your name (anonymous)" maxlength="50" value={(*name).clone()}
                    autocomplete="off" {oninput} {onchange}/>
                <input id="text" ref={text_ref} placeholder="say something" maxlength="500" autocomplete="off" {onkeydown}/>
                <button id="send" type="button" {onclick}>{ "Send" }</button>
            </form>
        </main>
    }
}
