//! The Rust API in headless Chromium (wasm-bindgen-test) against the real
//! socket.io server of tests/support/sio-server.mjs (`SIO_TEST_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use socketio_wasm::{io, AckError, Binary, ConnectionState, EmitError, Socket, SocketEvent, Transport};
use wasm_bindgen_test::*;

use browser::{server, until};

wasm_bindgen_test_configure!(run_in_browser);

async fn connected(s: &Socket) {
    let mut states = s.states();
    while let Some(st) = states.next().await {
        if st == ConnectionState::Connected {
            return;
        }
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Chat {
    user: String,
    text: String,
    data: Binary,
}

#[wasm_bindgen_test]
async fn typed_emit_with_ack_round_trips_binary_and_unicode() {
    for t in [Transport::WebSocket, Transport::Polling] {
        let s = io(server()).transports([t]).connect();
        connected(&s).await;
        assert!(s.connected());
        assert!(s.id().is_some());
        let msg = Chat { user: "zoë".into(), text: "😀\u{2028}".into(), data: Binary::from(vec![0, 255, 7]) };
        let back: Chat = s.emit_with_ack("echo", &msg).await.unwrap();
        assert_eq!(back, msg, "{t:?}");
        s.disconnect();
        assert_eq!(s.state(), ConnectionState::Idle);
    }
}

#[wasm_bindgen_test]
async fn handlers_streams_and_subscription_guards() {
    let s = io(server()).transports([Transport::WebSocket]).connect();
    connected(&s).await;
    let seen = Rc::new(RefCell::new(Vec::<u32>::new()));
    let sink = seen.clone();
    let sub = s.on("tick", move |n: u32| sink.borrow_mut().push(n));
    let mut stream = s.events("tick");
    s.emit("push", &3).unwrap();
    for expected in 0..3u32 {
        let m = stream.next().await.unwrap();
        assert_eq!(m.event(), "tick");
        assert_eq!(m.arg::<u32>(0).unwrap(), expected);
    }
    until("handler saw 3 ticks", || seen.borrow().len() == 3).await;
    assert_eq!(*seen.borrow(), vec![0, 1, 2]);
    // Dropping the guard unsubscribes the handler; the stream still gets events.
    drop(sub);
    s.emit("push", &2).unwrap();
    stream.next().await.unwrap();
    stream.next().await.unwrap();
    assert_eq!(seen.borrow().len(), 3);
}

#[wasm_bindgen_test]
async fn ack_errors_are_typed() {
    let s = io(server()).transports([Transport::WebSocket]).connect();
    connected(&s).await;
    let r: Result<(), AckError> = s.timeout(Duration::from_millis(100)).emit_args_with_ack("never", &()).await;
    assert_eq!(r, Err(AckError::Timeout));
    let r: Result<u32, AckError> = s.emit_with_ack("echo", &"not a number").await;
    assert!(matches!(r, Err(AckError::Decode(_))), "{r:?}");
    assert_eq!(s.emit("connect", &()), Err(EmitError::Reserved("connect".into())));
    // A pending ack fails when the socket disconnects.
    let pending = s.emit_args_with_ack::<_, ()>("never", &());
    s.disconnect();
    assert_eq!(pending.await, Err(AckError::Disconnected));
}

#[wasm_bindgen_test]
async fn connection_events_and_states() {
    let s = io("http://127.0.0.1:9")
        .transports([Transport::WebSocket])
        .reconnection_delay(Duration::from_millis(20))
        .reconnection_delay_max(Duration::from_millis(20))
        .reconnection_attempts(2)
        .connect();
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    let _sub = s.on_event(move |e| sink.borrow_mut().push(e.clone()));
    until("reconnect_failed", || events.borrow().contains(&SocketEvent::ReconnectFailed)).await;
    let ev = events.borrow().clone();
    assert!(matches!(ev[0], SocketEvent::ConnectError(_)), "{ev:?}");
    assert!(ev.contains(&SocketEvent::ReconnectAttempt(1)));
    assert!(ev.contains(&SocketEvent::ReconnectAttempt(2)));
    assert_eq!(s.state(), ConnectionState::Failed);
}

#[wasm_bindgen_test]
async fn namespaces_share_one_connection() {
    let main = io(server()).transports([Transport::WebSocket]).connect();
    connected(&main).await;
    let other = main.manager().socket("/");
    assert!(other == main, "the same namespace gives the same socket");
    let count: u32 = main.emit_args_with_ack("count", &()).await.unwrap();
    assert!(count >= 1);
    let m2 = main.clone();
    let weak = m2.downgrade();
    drop(m2);
    assert!(weak.upgrade().is_some(), "a clone is still alive");
}
