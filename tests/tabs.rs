//! `io(url).shared(true)` in headless Chromium, against the /tabs-<name>
//! namespaces of tests/support/sio-server.mjs. Each manager is a tab of its
//! own (its own id, lock and BroadcastChannel), so several in one page use
//! the real Web Locks and BroadcastChannel as several tabs would. Each test
//! has its own query string, so its managers share only with each other.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use socketio_wasm::{io, AckError, Binary, DisconnectReason, Socket, SocketEvent};
use wasm_bindgen_test::*;

use browser::{server, sleep, until};

wasm_bindgen_test_configure!(run_in_browser);

/// A tab's socket on namespace `/tabs-<test>`, shared with the others of `test`.
fn tab(test: &str) -> Socket {
    io(&format!("{}/tabs-{test}", server()))
        .query("test", test)
        .reconnection_delay(Duration::from_millis(100))
        .reconnection_delay_max(Duration::from_millis(200))
        .shared(true)
        .connect()
}

async fn all_connected(tabs: &[&Socket]) {
    until("every tab connected", || tabs.iter().all(|t| t.connected())).await;
}

async fn count(socket: &Socket) -> u32 {
    socket.emit_args_with_ack("count", &()).await.unwrap()
}

/// Every event a socket sees, in order.
fn events(socket: &Socket) -> Rc<RefCell<Vec<SocketEvent>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    socket.on_event(move |event| sink.borrow_mut().push(event.clone())).detach();
    seen
}

#[wasm_bindgen_test]
async fn three_tabs_use_one_connection() {
    let a = tab("one");
    let b = tab("one");
    let c = tab("one");
    all_connected(&[&a, &b, &c]).await;
    for t in [&a, &b, &c] {
        assert_eq!(count(t).await, 1, "the server sees one socket");
    }
    assert!(a.id().is_some());
    assert_eq!(a.id(), b.id());
    assert_eq!(b.id(), c.id());
    assert!(c.manager().transport().is_some());

    // Acks come back to the tab that asked, each with its own answer.
    let (x, y, z) = futures::join!(
        a.emit_with_ack::<_, String>("echo", "from a"),
        b.emit_with_ack::<_, String>("echo", "from b"),
        c.emit_with_ack::<_, String>("echo", "from c"),
    );
    assert_eq!((x.unwrap(), y.unwrap(), z.unwrap()), ("from a".into(), "from b".into(), "from c".into()));

    // A broadcast reaches every tab once.
    let heard = Rc::new(RefCell::new(Vec::new()));
    let _subs: Vec<_> = [("a", &a), ("b", &b), ("c", &c)]
        .into_iter()
        .map(|(name, t)| {
            let heard = heard.clone();
            t.on("heard", move |text: String| heard.borrow_mut().push(format!("{name}:{text}")))
        })
        .collect();
    b.emit("shout", "hello").unwrap();
    until("all three heard", || heard.borrow().len() == 3).await;
    sleep(100).await;
    let mut got = heard.borrow().clone();
    got.sort();
    assert_eq!(got, ["a:hello", "b:hello", "c:hello"]);
}

#[wasm_bindgen_test]
async fn binary_crosses_between_tabs() {
    let a = tab("binary");
    let b = tab("binary");
    all_connected(&[&a, &b]).await;
    let bytes: Vec<u8> = (0..=255).collect();
    let back: Binary = b.emit_with_ack("echo", &Binary(bytes.clone())).await.unwrap();
    assert_eq!(back.0, bytes);
    let back: Binary = a.emit_with_ack("echo", &Binary(bytes.clone())).await.unwrap();
    assert_eq!(back.0, bytes);
}

#[wasm_bindgen_test]
async fn a_server_event_with_an_ack_is_answered_once() {
    let a = tab("poke");
    let b = tab("poke");
    all_connected(&[&a, &b]).await;
    for (name, t) in [("a", &a), ("b", &b)] {
        t.on_message("q", move |m| {
            let _ = m.ack(&name);
        })
        .detach();
    }
    let answers = Rc::new(RefCell::new(Vec::new()));
    let sink = answers.clone();
    let _sub = a.on("answered", move |who: String| sink.borrow_mut().push(who));
    a.emit("poke", &()).unwrap();
    until("the answer", || !answers.borrow().is_empty()).await;
    sleep(200).await;
    assert_eq!(answers.borrow().len(), 1, "{:?}", answers.borrow());
}

#[wasm_bindgen_test]
async fn a_tab_that_disconnects_leaves_the_others_connected() {
    let a = tab("leave");
    let b = tab("leave");
    all_connected(&[&a, &b]).await;
    let b_events = events(&b);
    let pending = b.emit_with_ack::<_, ()>("never", &());
    b.disconnect();
    assert!(!b.connected() && !b.active());
    assert_eq!(pending.await, Err(AckError::Disconnected));
    until("b's disconnect event", || {
        b_events.borrow().contains(&SocketEvent::Disconnect(DisconnectReason::IoClientDisconnect))
    })
    .await;
    assert!(a.connected());
    assert_eq!(b.id(), None);
    assert_eq!(count(&a).await, 1);
    b.connect();
    until("b connected again", || b.connected()).await;
    assert_eq!(a.id(), b.id(), "b joins the same connection");
    assert_eq!(count(&b).await, 1);
}

#[wasm_bindgen_test]
async fn the_next_tab_takes_over_when_the_owner_goes() {
    let a = tab("handover");
    let b = tab("handover");
    let c = tab("handover");
    all_connected(&[&a, &b, &c]).await;
    let first = b.id().unwrap();
    let b_events = events(&b);
    let pending = b.emit_with_ack::<_, ()>("never", &());
    // `a` asked first, so it runs the connection.
    drop(a);
    assert_eq!(pending.await, Err(AckError::Disconnected), "pending acks fail on the hand-over");
    until("b connected on a new connection", || b.connected() && b.id().is_some_and(|id| id != first)).await;
    until("c too", || c.connected() && c.id() == b.id()).await;
    assert_eq!(
        b_events.borrow().first(),
        Some(&SocketEvent::Disconnect(DisconnectReason::TransportClose)),
        "{:?}",
        b_events.borrow()
    );
    assert!(b_events.borrow().contains(&SocketEvent::Connect));
    assert_eq!(count(&b).await, 1);
    let back: String = c.emit_with_ack("echo", "still here").await.unwrap();
    assert_eq!(back, "still here");
}

#[wasm_bindgen_test]
async fn every_tab_sees_the_reconnection() {
    let a = tab("blip");
    let b = tab("blip");
    all_connected(&[&a, &b]).await;
    let first = a.id();
    let a_events = events(&a);
    let b_events = events(&b);
    b.emit("drop", &()).unwrap();
    for (name, seen) in [("a", &a_events), ("b", &b_events)] {
        until(&format!("{name} reconnected"), || {
            let seen = seen.borrow();
            seen.contains(&SocketEvent::Disconnect(DisconnectReason::TransportClose))
                && seen.iter().any(|e| matches!(e, SocketEvent::Reconnect(_)))
                && seen.last() == Some(&SocketEvent::Connect)
        })
        .await;
    }
    assert_ne!(a.id(), first);
    assert_eq!(a.id(), b.id());
    assert_eq!(count(&a).await, 1);
}

#[wasm_bindgen_test]
async fn auth_comes_from_the_longest_attached_tab() {
    let with = |who: &str| {
        io(&format!("{}/tabs-auth", server()))
            .query("test", "auth")
            .auth(serde_json::json!({ "who": who }))
            .shared(true)
            .connect()
    };
    let a = with("a");
    let b = with("b");
    all_connected(&[&a, &b]).await;
    let who: serde_json::Value = b.emit_args_with_ack("whoami", &()).await.unwrap();
    assert_eq!(who, serde_json::json!({ "who": "a" }));
    let b_events = events(&b);
    drop(a);
    until("b reconnected", || b_events.borrow().contains(&SocketEvent::Connect) && b.connected()).await;
    let who: serde_json::Value = b.emit_args_with_ack("whoami", &()).await.unwrap();
    assert_eq!(who, serde_json::json!({ "who": "b" }));
}

#[wasm_bindgen_test]
async fn the_namespaces_of_a_shared_connection_are_shared_too() {
    let a = tab("namespaces");
    let b = tab("namespaces");
    all_connected(&[&a, &b]).await;
    let a2 = a.manager().socket("/tabs-namespaces-2");
    let b2 = b.manager().socket("/tabs-namespaces-2");
    all_connected(&[&a2, &b2]).await;
    assert_eq!(count(&a2).await, 1);
    assert_eq!(count(&b).await, 1);
    assert_eq!(a2.id(), b2.id());
    assert_ne!(a2.id(), a.id());
    // Leaving the second namespace in one tab keeps it for the other.
    a2.disconnect();
    assert_eq!(count(&b2).await, 1);
    assert!(b2.connected() && a.connected());
}

#[wasm_bindgen_test]
async fn emits_before_the_connection_wait_for_it_and_timeouts_are_per_tab() {
    let a = tab("early");
    let b = tab("early");
    // Before either tab holds its lock or the hub exists: kept, then sent.
    let early = b.emit_with_ack::<_, String>("echo", "early bird");
    assert_eq!(early.await.unwrap(), "early bird");
    all_connected(&[&a, &b]).await;
    let timed = b.timeout(Duration::from_millis(100)).emit_with_ack::<_, ()>("never", &());
    assert_eq!(timed.await, Err(AckError::Timeout));
    assert!(a.connected() && b.connected());
}

#[wasm_bindgen_test]
async fn a_server_disconnect_leaves_every_tab_inactive() {
    let a = tab("kick");
    all_connected(&[&a]).await;
    // `b` joins a hub that runs already (it never hears a hub announce itself).
    let b = tab("kick");
    all_connected(&[&b]).await;
    let a_events = events(&a);
    let b_events = events(&b);
    b.emit("kick", &()).unwrap();
    let kicked = SocketEvent::Disconnect(DisconnectReason::IoServerDisconnect);
    until("both tabs told", || a_events.borrow().contains(&kicked) && b_events.borrow().contains(&kicked)).await;
    for t in [&a, &b] {
        assert!(!t.connected() && !t.active(), "no reconnection after the server's disconnect");
        assert_eq!(t.id(), None);
    }
    b.connect();
    until("both connected again", || a.connected() && b.connected()).await;
}

#[wasm_bindgen_test]
async fn where_the_browser_refuses_web_locks_each_tab_connects_on_its_own() {
    js_sys::eval(
        "globalThis.__request = LockManager.prototype.request; \
         LockManager.prototype.request = () => Promise.reject(new DOMException('refused', 'SecurityError'));",
    )
    .unwrap();
    let a = tab("refused");
    let b = tab("refused");
    let connected =
        futures::future::join(until("a connected", || a.connected()), until("b connected", || b.connected()));
    connected.await;
    js_sys::eval("LockManager.prototype.request = globalThis.__request;").unwrap();
    assert_eq!(count(&a).await, 2, "two connections, as without the option");
    let back: String = b.emit_with_ack("echo", "alone").await.unwrap();
    assert_eq!(back, "alone");
    assert_ne!(a.id(), b.id());
}
