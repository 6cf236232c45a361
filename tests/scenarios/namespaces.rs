//! Namespaces on one engine: routing, the CONNECT packet and its auth, packet events.

use socketio_wasm::proto::{Auth, CloseDetail, Event, Options, Reason, SocketOptions, Transmit};

use crate::support::*;

#[test]
fn namespaces_are_multiplexed_on_one_engine_and_events_routed_by_namespace() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let root = h.socket("/", SocketOptions::default());
    let admin = h.socket("/admin", SocketOptions::default());
    assert_ne!(root, admin);
    assert_eq!(h.client.socket_nsp(admin), Some("/admin"));
    let id = h.open_websocket("E", 25_000, 20_000);
    assert_eq!(h.take_ws_texts(), ["40", "40/admin,"]);
    h.expect_no_transmit();
    h.take_events();
    h.ws_accept(id, "/admin", "A");
    h.expect_events(&[Event::Connect(admin)]);
    h.ws_accept(id, "/", "R");
    h.expect_events(&[Event::Connect(root)]);
    assert_eq!(h.client.socket_sid(root), Some("R"));
    assert_eq!(h.client.socket_sid(admin), Some("A"));

    h.server_sends_ws_text(id, "42[\"hi\",1]");
    h.server_sends_ws_text(id, "42/admin,[\"hi\",2]");
    h.server_sends_ws_text(id, "42/other,[\"hi\",3]");
    h.expect_events(&[
        Event::Message { socket: root, payload: payload("[\"hi\",1]"), ack: None },
        Event::Message { socket: admin, payload: payload("[\"hi\",2]"), ack: None },
    ]);
    h.emit(admin, emit("[\"x\"]"));
    h.emit(root, emit("[\"y\"]"));
    assert_eq!(h.take_ws_texts(), ["42/admin,[\"x\"]", "42[\"y\"]"]);

    // A socket created on an open manager connects at once, on the same engine.
    let chat = h.socket("/chat", SocketOptions::default());
    assert_eq!(h.take_ws_texts(), ["40/chat,"]);
    h.ws_accept(id, "/chat", "C");
    h.expect_events(&[Event::Connect(chat)]);
    h.disconnect(chat);
    assert_eq!(h.take_ws_texts(), ["41/chat,"]);
    h.take_events();

    // Leaving one namespace keeps the engine; leaving the last closes it.
    h.disconnect(admin);
    assert_eq!(h.take_ws_texts(), ["41/admin,"]);
    h.expect_no_transmit();
    h.expect_events(&[Event::Disconnect(admin, Reason::IoClientDisconnect, CloseDetail::None)]);
    assert!(h.client.is_open());
    h.disconnect(root);
    assert_eq!(h.take_ws_texts(), ["41"]);
    h.expect_ws_close(id);
    h.expect_no_transmit();
    // Only one engine was ever opened.
    assert_eq!(h.log.iter().filter(|(_, t)| matches!(t, Transmit::WsOpen { .. })).count(), 1);
}

#[test]
fn connect_carries_the_auth_object() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions { auth: Auth::Json("{\"token\":\"abc\"}".into()), ..Default::default() });
    let a = h.socket("/admin", SocketOptions { auth: Auth::Json("{\"role\":\"x\"}".into()), ..Default::default() });
    let id = h.open_websocket("E", 25_000, 20_000);
    assert_eq!(h.take_ws_texts(), ["40{\"token\":\"abc\"}", "40/admin,{\"role\":\"x\"}"]);
    h.ws_accept(id, "/", "S");
    h.ws_accept(id, "/admin", "A");
    assert!(h.client.is_connected(s) && h.client.is_connected(a));
}

#[test]
fn auth_provider_is_asked_on_every_connect() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions { auth: Auth::Provider, ..Default::default() });
    let id = h.open_websocket("E", 25_000, 20_000);
    h.expect_events(&[Event::Opening, Event::Open, Event::AuthRequest { socket: s, seq: 1 }]);
    // Nothing is sent until the provider answers.
    h.expect_no_transmit();
    h.handle_auth(s, 1, Some("{\"token\":\"t1\"}"));
    h.expect_ws_text(id, "40{\"token\":\"t1\"}");
    h.ws_accept(id, "/", "S1");
    h.expect_events(&[Event::Connect(s)]);

    h.ws_close(id, 1006, "");
    h.take_events();
    h.advance(1000);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    h.expect_events(&[
        Event::ReconnectAttempt(1),
        Event::Opening,
        Event::Open,
        Event::AuthRequest { socket: s, seq: 2 },
        Event::Reconnect(1),
    ]);
    h.expect_no_transmit();
    // A stale answer is ignored; the current one is used.
    h.handle_auth(s, 1, Some("{\"token\":\"stale\"}"));
    h.expect_no_transmit();
    h.handle_auth(s, 2, Some("{\"token\":\"t2\"}"));
    h.expect_ws_text(id2, "40{\"token\":\"t2\"}");
    h.expect_no_transmit();
}

#[test]
fn packet_events_follow_the_sockets_handling_of_the_packet() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.input(|c, _| c.set_packet_events(true));
    h.server_sends_ws_text(id, "42[\"news\",1]");
    let evs = h.take_events();
    assert_eq!(evs.len(), 2, "{evs:?}");
    assert_eq!(evs[0], Event::Message { socket: s, payload: payload("[\"news\",1]"), ack: None });
    assert!(
        matches!(&evs[1], Event::Packet { packet: socketio_wasm::proto::sio::Packet::Event { .. }, .. }),
        "{evs:?}"
    );
}
