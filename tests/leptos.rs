//! The Leptos hooks (src/api/leptos.rs) in headless Chromium against the
//! socket.io server of tests/support/sio-server.mjs (`SIO_TEST_URL`):
//!
//! ```text
//! cargo test --target wasm32-unknown-unknown --features leptos --test leptos
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg(all(target_arch = "wasm32", feature = "leptos"))]

#[path = "support/browser.rs"]
mod browser;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::{provide_context, GetUntracked, Owner};
use socketio_wasm::api::leptos::{expect_socket, provide_socket, use_socket, use_socket_context, use_socket_with};
use socketio_wasm::{io, AckError, ConnectionState, EmitError, Transport};
use wasm_bindgen_test::*;

use browser::{server, until};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn state_signal_emits_handlers_and_disposal_with_the_owner() {
    let owner = Owner::new();
    let (s, weak) = owner.with(|| {
        let s = use_socket_with(io(server()).transports([Transport::WebSocket]));
        let weak = s.with_socket(|s| s.downgrade()).unwrap();
        (s, weak)
    });
    assert_eq!(s.state().get_untracked(), ConnectionState::Connecting);
    until("connected", || s.state().get_untracked() == ConnectionState::Connected).await;
    assert!(owner.with(|| s.is_connected()));

    let n: u32 = s.emit_with_ack("count", &()).await.unwrap();
    assert!(n >= 1);

    // event_signal: the latest value.
    let tick = owner.with(|| s.event_signal::<u32>("tick"));
    assert_eq!(tick.get_untracked(), None);
    s.emit("push", &3).unwrap();
    until("tick 2", || tick.get_untracked() == Some(2)).await;

    // on(): lives as long as the owner that registered it.
    let child = owner.child();
    let got = Rc::new(RefCell::new(Vec::<u32>::new()));
    child.with(|| {
        let got = got.clone();
        s.on("tick", move |n: u32| got.borrow_mut().push(n));
    });
    s.emit("push", &2).unwrap();
    until("two ticks", || got.borrow().len() == 2).await;
    child.cleanup();
    s.emit("push", &4).unwrap();
    until("tick 3 in the signal", || tick.get_untracked() == Some(3)).await;
    assert_eq!(*got.borrow(), vec![0, 1], "the handler outlived its owner");

    // disconnect/connect update the signal at once.
    s.disconnect();
    assert_eq!(s.state().get_untracked(), ConnectionState::Idle);
    s.connect();
    assert_eq!(s.state().get_untracked(), ConnectionState::Connecting);
    until("connected again", || s.state().get_untracked() == ConnectionState::Connected).await;

    // Disposing the owner drops the socket (the connection closes) and the handle goes inert.
    owner.cleanup();
    assert!(weak.upgrade().is_none(), "the socket outlived its owner");
    assert_eq!(s.emit("push", &1), Err(EmitError::Closed));
    let r: Result<u32, AckError> = s.emit_with_ack("count", &()).await;
    assert_eq!(r, Err(AckError::Emit(EmitError::Closed)));
    assert!(s.socket().is_none());
    assert_eq!(s.state().try_get_untracked(), None);
}

#[wasm_bindgen_test]
async fn context_recipe() {
    let root = Owner::new();
    let provided = root.with(|| provide_socket(server()));
    let child = root.child();
    child.with(|| {
        assert!(use_socket_context() == Some(provided));
        assert!(expect_socket() == provided);
    });
    until("connected", || provided.state().get_untracked() == ConnectionState::Connected).await;
    let n: u32 = child.with(expect_socket).emit_with_ack("count", &()).await.unwrap();
    assert!(n >= 1);

    // No context outside the provider's subtree.
    let other = Owner::new();
    other.with(|| assert!(use_socket_context().is_none()));

    // A handle provided by hand works the same.
    let other_socket = other.with(|| {
        let s = use_socket(server());
        provide_context(s);
        s
    });
    other.with(|| assert!(use_socket_context() == Some(other_socket)));
}
