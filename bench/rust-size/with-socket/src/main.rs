//! Size bench: the counter of `base` plus socketio-wasm's Leptos hook: a
//! connection, one typed event received through serde, one
//! `emit_with_ack(..).await`. The view is the baseline's (one button), so the
//! difference bench/rust-size.mjs prints is what the crate costs, not markup.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use socketio_wasm::api::leptos::use_socket;

/// A typed event payload.
#[derive(Deserialize)]
struct Chat {
    user: String,
    text: String,
}

#[component]
fn Counter() -> impl IntoView {
    let (count, set_count) = signal(0u32);
    let socket = use_socket("/");
    socket.on("chat", move |chat: Chat| set_count.set((chat.user.len() + chat.text.len()) as u32));
    let click = move |_| {
        set_count.update(|n| *n += 1);
        spawn_local(async move {
            if let Ok(n) = socket.emit_with_ack::<_, u32>("count", &count.get_untracked()).await {
                set_count.set(n);
            }
        })
    };
    view! {
        <button on:click=click>"count: "{count}</button>
    }
}

fn main() {
    leptos::mount::mount_to_body(Counter);
}
