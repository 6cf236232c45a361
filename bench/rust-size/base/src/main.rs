//! Size bench baseline: a Leptos 0.8 CSR app with one counter component.
//! `with-socket` is the same app plus socketio-wasm's hook; bench/rust-size.mjs
//! builds both and prints the difference.

use leptos::prelude::*;

#[component]
fn Counter() -> impl IntoView {
    let (count, set_count) = signal(0u32);
    view! {
        <button on:click=move |_| set_count.update(|n| *n += 1)>"count: "{count}</button>
    }
}

fn main() {
    leptos::mount::mount_to_body(Counter);
}
