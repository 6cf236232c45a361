//! The Yew hooks (src/api/yew.rs) in headless Chromium against the
//! socket.io server of tests/support/sio-server.mjs (`SIO_TEST_URL`):
//!
//! ```text
//! cargo test --target wasm32-unknown-unknown --features yew --test yew
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg(all(target_arch = "wasm32", feature = "yew"))]

#[path = "support/browser.rs"]
mod browser;

use std::cell::RefCell;

use socketio_wasm::api::yew::{use_event, use_on, use_socket, use_socket_context, use_socket_state, UseSocketHandle};
use socketio_wasm::{ConnectionState, WeakSocket};
use wasm_bindgen_test::*;
use yew::prelude::*;

use browser::{server, sleep, until};

wasm_bindgen_test_configure!(run_in_browser);

/// What the components under test saw.
#[derive(Default)]
struct Seen {
    handle: Option<UseSocketHandle>,
    weak: Option<WeakSocket>,
    renders: u32,
    ticks: Vec<u32>,
    context_state: Option<ConnectionState>,
    other_state: Option<ConnectionState>,
}

thread_local! {
    static SEEN: RefCell<Seen> = RefCell::default();
}

fn seen<R>(f: impl FnOnce(&mut Seen) -> R) -> R {
    SEEN.with(|s| f(&mut s.borrow_mut()))
}

#[function_component]
fn Child() -> Html {
    let from_context = use_socket_context().expect("a socket in context");
    let other = use_socket_state(from_context.socket());
    seen(|s| {
        s.context_state = Some(from_context.state().clone());
        s.other_state = Some(other);
    });
    html! {}
}

#[function_component]
fn Probe() -> Html {
    let socket = use_socket(server());
    let tick = use_event::<u32>(&socket, "tick");
    use_on(&socket, "tick", |n: u32| seen(|s| s.ticks.push(n)));
    seen(|s| {
        s.renders += 1;
        s.weak.get_or_insert_with(|| socket.downgrade());
        s.handle = Some(socket.clone());
    });
    html! {
        <ContextProvider<UseSocketHandle> context={socket.clone()}>
            <span id="yew-tick">{ tick.map(|t| t.to_string()).unwrap_or_default() }</span>
            <Child />
        </ContextProvider<UseSocketHandle>>
    }
}

fn tick_text() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("yew-tick"))
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn use_socket_rerenders_on_state_and_releases_on_unmount() {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = yew::Renderer::<Probe>::with_root(root).render();

    let state = || seen(|s| s.handle.as_ref().map(|h| h.state().clone()));
    until("connected", || state() == Some(ConnectionState::Connected)).await;
    until("the context consumer connected", || {
        seen(|s| {
            s.context_state == Some(ConnectionState::Connected) && s.other_state == Some(ConnectionState::Connected)
        })
    })
    .await;
    let handle = seen(|s| s.handle.clone()).unwrap();
    assert!(handle.connected());

    // Deref to Socket: emit, emit_with_ack.
    let n: u32 = handle.emit_with_ack("count", &()).await.unwrap();
    assert!(n >= 1);
    handle.emit("push", &3).unwrap();
    until("tick 2 rendered", || tick_text() == "2").await;
    until("three ticks handled", || seen(|s| s.ticks.len()) == 3).await;
    assert_eq!(seen(|s| s.ticks.clone()), vec![0, 1, 2]);

    // disconnect/connect re-render with the new state.
    handle.disconnect();
    until("idle rendered", || state() == Some(ConnectionState::Idle)).await;
    handle.connect();
    until("connected again", || state() == Some(ConnectionState::Connected)).await;
    drop(handle);

    // No render without a change of state.
    let renders = seen(|s| s.renders);
    sleep(300).await;
    assert_eq!(seen(|s| s.renders), renders, "re-rendered without a change");

    // Unmounting drops the socket: the connection closes, handlers go.
    seen(|s| s.handle = None);
    app.destroy();
    until("socket dropped", || seen(|s| s.weak.as_ref().unwrap().upgrade().is_none())).await;
}
