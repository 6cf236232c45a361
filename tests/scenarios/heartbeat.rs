//! Engine.IO heartbeat: ping, pong and the ping timeout.

use socketio_wasm::proto::{CloseDetail, Event, Options, Reason, SocketOptions, Transmit};

use crate::support::*;

#[test]
fn heartbeat_answers_ping_with_pong_and_resets_the_deadline_on_every_ping() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    let id = h.open_websocket("E", 1000, 500);
    h.expect_ws_text(id, "40");
    h.ws_accept(id, "/", "S");
    h.take_events();
    assert_eq!(h.next_timeout_in(), Some(1500));

    for _ in 0..3 {
        h.advance(1200);
        h.expect_no_event();
        h.server_sends_ws_text(id, "2");
        h.expect_ws_text(id, "3");
        h.expect_events(&[Event::Ping]);
        assert_eq!(h.next_timeout_in(), Some(1500));
    }

    // Just before the deadline nothing happens; at the deadline the engine closes.
    h.advance(1499);
    h.expect_no_event();
    assert!(h.client.is_connected(s));
    h.advance(1);
    h.expect_ws_close(id);
    h.expect_events(&[
        Event::EngineClose(Reason::PingTimeout, CloseDetail::None),
        Event::Close(Reason::PingTimeout, CloseDetail::None),
        Event::Disconnect(s, Reason::PingTimeout, CloseDetail::None),
    ]);
    assert!(!h.client.is_connected(s));
}

#[test]
fn ping_timeout_reconnects() {
    let opts = Options { randomization_factor: 0.0, reconnection_delay: 700, ..ws_only() };
    let (mut h, id, s) = ws_connected(opts, SocketOptions::default());
    h.advance(45_000);
    h.expect_ws_close(id);
    h.expect_events(&[
        Event::EngineClose(Reason::PingTimeout, CloseDetail::None),
        Event::Close(Reason::PingTimeout, CloseDetail::None),
        Event::Disconnect(s, Reason::PingTimeout, CloseDetail::None),
    ]);
    assert!(h.client.is_reconnecting());
    assert!(h.client.is_active(s));
    assert_eq!(h.next_timeout_in(), Some(700));
    h.advance(699);
    h.expect_no_transmit();
    h.advance(1);
    h.expect_events(&[Event::ReconnectAttempt(1), Event::Opening]);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    assert_ne!(id2, id);
    h.expect_events(&[Event::Open, Event::Reconnect(1)]);
    h.expect_ws_text(id2, "40");
    h.ws_accept(id2, "/", "S2");
    h.expect_events(&[Event::Connect(s)]);
    assert!(!h.client.is_reconnecting());
}

#[test]
fn expired_heartbeat_noticed_on_emit_buffers_it_and_delivers_after_reconnect() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let (mut h, id, s) = ws_connected(opts, SocketOptions::default());
    // The tab was throttled: the heartbeat timer never ran.
    h.jump(50_000);
    h.emit(s, emit_ack("[\"msg\",1]", 9, true));
    // Nothing goes out on the dead transport; the engine closes with "ping timeout".
    assert_eq!(h.count_tx(|t| matches!(t, Transmit::WsSend { .. })), 0, "{:?}", h.tx);
    h.expect_ws_close(id);
    h.expect_no_transmit();
    h.expect_events(&[
        Event::EngineClose(Reason::PingTimeout, CloseDetail::None),
        Event::Close(Reason::PingTimeout, CloseDetail::None),
        Event::Disconnect(s, Reason::PingTimeout, CloseDetail::None),
    ]);
    // The emit is buffered with its ack (not failed by the disconnection).
    let buffered: Vec<_> = h.client.send_buffer(s).collect();
    assert_eq!(buffered.len(), 1);
    assert_eq!(buffered[0].0, Some(0));
    assert_eq!(buffered[0].1.data, "[\"msg\",1]");

    h.advance(1000);
    h.expect_events(&[Event::ReconnectAttempt(1), Event::Opening]);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    h.expect_events(&[Event::Open, Event::Reconnect(1)]);
    h.expect_ws_text(id2, "40");
    h.expect_no_transmit();
    h.ws_accept(id2, "/", "S2");
    h.expect_ws_text(id2, "420[\"msg\",1]");
    h.expect_events(&[Event::Connect(s)]);
    h.server_sends_ws_text(id2, "430[\"ok\"]");
    h.expect_events(&[Event::Ack { socket: s, token: 9, with_error: true, result: Ok(payload("[\"ok\"]")) }]);
}
