//! The chat example with Leptos (client-side rendering).
//!
//! Connects to the page's own origin with `auth: { name }`, sends `chat`
//! with the text and an acknowledgement, shows every broadcast `chat` as
//! `<li>user: text</li>` and the `online` count. The name comes from
//! `?name=` or the #name input; changing it reconnects with the new name.
//! With `?shared` in the address, the tabs that have it share one connection
//! (`io(..).shared(true)`): the server counts one user, named by the first tab.
//!
//! Build: `node scripts/build-rust-example.mjs leptos-chat`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use socketio_wasm::api::leptos::{use_socket_with, UseSocket};
use socketio_wasm::ConnectionState;

/// A broadcast chat message.
#[derive(Clone, Deserialize)]
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

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The name the server will see: trimmed, "anonymous" when empty.
fn effective_name(raw: &str) -> String {
    let t = raw.trim();
    if t.is_empty() { "anonymous" } else { t }.to_owned()
}

/// The page's query parameters.
fn query() -> Option<web_sys::UrlSearchParams> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()
}

/// `?name=` of the page's address.
fn query_name() -> Option<String> {
    query()?.get("name")
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

#[component]
fn App() -> impl IntoView {
    let initial = query_name().unwrap_or_default();
    // The name sent with the next connection; read anew on every (re)connection.
    let auth_name = Rc::new(RefCell::new(effective_name(&initial)));
    let socket = use_socket_with({
        let auth_name = auth_name.clone();
        let shared = query().is_some_and(|q| q.has("shared"));
        socketio_wasm::io("/").shared(shared).auth_with(move || serde_json::json!({ "name": *auth_name.borrow() }))
    });
    let auth_name = StoredValue::new_local(auth_name);

    let (messages, set_messages) = signal(Vec::<(usize, Chat)>::new());
    socket.on("chat", move |m: Chat| {
        set_messages.update(|v| {
            let n = v.len();
            v.push((n, m));
        })
    });
    let online = socket.event_signal::<u32>("online");
    let (notice, set_notice) = signal(None::<String>);

    let list_ref = NodeRef::<html::Ul>::new();
    let name_ref = NodeRef::<html::Input>::new();
    let text_ref = NodeRef::<html::Input>::new();

    // Keep the newest message in view.
    Effect::new(move |_| {
        messages.track();
        request_animation_frame(move || {
            if let Some(ul) = list_ref.get_untracked() {
                ul.set_scroll_top(ul.scroll_height());
            }
        });
    });

    // Reconnects with the name in #name when it differs from the connection's.
    let apply_name = move || {
        let Some(input) = name_ref.get_untracked() else { return };
        let wanted = effective_name(&input.value());
        let changed = auth_name.with_value(|n| {
            let mut n = n.borrow_mut();
            let changed = *n != wanted;
            *n = wanted;
            changed
        });
        if changed {
            reconnect(socket);
        }
    };

    let send = move || {
        let Some(input) = text_ref.get_untracked() else { return };
        let text = input.value();
        if text.trim().is_empty() {
            return;
        }
        apply_name();
        input.set_value("");
        set_notice.set(None);
        // Sent now, or buffered while offline and sent on reconnection.
        let ack = socket.emit_with_ack::<_, Ack>("chat", &text);
        spawn_local(async move {
            match ack.await {
                Ok(Ack { error: Some(e) }) => set_notice.set(Some(format!("not sent: {e}"))),
                Ok(_) => {}
                Err(e) => set_notice.set(Some(format!("not sent: {e}"))),
            }
        });
    };

    let state = socket.state();
    view! {
        <main>
            <header>
                <h1>"Leptos chat"</h1>
                <span class="indicator" data-state=move || state.with(state_class)>
                    <span id="status">{move || state.with(status_text)}</span>
                    <small id="status-detail">{move || state.with(status_detail)}</small>
                </span>
                <span class="online">"online: "<span id="online">{move || online.get().unwrap_or(0)}</span></span>
            </header>
            <p id="banner" hidden=move || !matches!(state.get(), ConnectionState::Reconnecting { .. })>
                "Connection lost, reconnecting\u{2026} messages you send now are delivered once connected."
            </p>
            <ul id="messages" node_ref=list_ref aria-live="polite">
                <For each=move || messages.get() key=|(n, _)| *n let((_, m))>
                    <li>{format!("{}: {}", m.user, m.text)}</li>
                </For>
            </ul>
            <p id="notice" role="alert">{move || notice.get()}</p>
            <form id="composer" on:submit=move |ev| {
                ev.prevent_default();
                send();
            }>
                <input id="name" node_ref=name_ref placeholder="your name (anonymous)" maxlength="50" value=initial autocomplete="off"
                    on:change=move |_| apply_name()/>
                <input id="text" node_ref=text_ref placeholder="say something" maxlength="500" autocomplete="off"
                    on:keydown=move |ev: KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            send();
                        }
                    }/>
                <button id="send" type="button" on:click=move |_| send()>"Send"</button>
            </form>
        </main>
    }
}

/// A new connection, so that the server sees the new `auth`.
fn reconnect(socket: UseSocket) {
    socket.disconnect();
    socket.connect();
}
