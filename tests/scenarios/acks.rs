//! Acknowledgements: ids, timeouts, and what a disconnection does to pending acks.

use socketio_wasm::proto::{AckError, CloseDetail, Emit, Event, Options, Reason, SocketOptions};

use crate::support::*;

#[test]
fn ack_ids_increase_and_the_callback_gets_the_server_payload() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.emit(s, emit_ack("[\"a\"]", 7, false));
    h.emit(s, emit("[\"no-ack\"]"));
    h.emit(s, emit_ack("[\"b\",{\"k\":[1]}]", 8, true));
    assert_eq!(h.take_ws_texts(), ["420[\"a\"]", "42[\"no-ack\"]", "421[\"b\",{\"k\":[1]}]"]);
    h.server_sends_ws_text(id, "431[\"B\"]");
    h.server_sends_ws_text(id, "430[\"A\",1]");
    // Unknown and repeated ack ids are ignored.
    h.server_sends_ws_text(id, "439[]");
    h.server_sends_ws_text(id, "430[\"again\"]");
    h.expect_events(&[
        Event::Ack { socket: s, token: 8, with_error: true, result: Ok(payload("[\"B\"]")) },
        Event::Ack { socket: s, token: 7, with_error: false, result: Ok(payload("[\"A\",1]")) },
    ]);
    h.emit(s, emit_ack("[\"c\"]", 9, false));
    assert_eq!(h.take_ws_texts(), ["422[\"c\"]"]);

    // The server's own ack requests are answered with its id.
    h.server_sends_ws_text(id, "4215[\"ask\",1]");
    h.expect_events(&[Event::Message { socket: s, payload: payload("[\"ask\",1]"), ack: Some(15) }]);
    h.ack(s, 15, "[\"answer\"]");
    assert_eq!(h.take_ws_texts(), ["4315[\"answer\"]"]);
}

#[test]
fn per_emit_timeout_and_ack_timeout_fail_the_ack_with_timeout() {
    let sopts = SocketOptions { ack_timeout: Some(1000), ..Default::default() };
    let (mut h, id, s) = ws_connected(ws_only(), sopts);
    // Per-emit timeout (overrides ackTimeout), plain callback: still told of the timeout.
    h.emit(s, Emit { timeout: Some(300), ..emit_ack("[\"a\"]", 1, false) });
    // ackTimeout applies to the others.
    h.emit(s, emit_ack("[\"b\"]", 2, false));
    h.emit(s, emit_ack("[\"c\"]", 3, true));
    assert_eq!(h.take_ws_texts(), ["420[\"a\"]", "421[\"b\"]", "422[\"c\"]"]);
    h.advance(299);
    h.expect_no_event();
    h.advance(1);
    h.expect_events(&[Event::Ack { socket: s, token: 1, with_error: true, result: Err(AckError::Timeout) }]);
    // Answered in time: the timer is cancelled.
    h.server_sends_ws_text(id, "432[\"C\"]");
    h.expect_events(&[Event::Ack { socket: s, token: 3, with_error: true, result: Ok(payload("[\"C\"]")) }]);
    h.advance(699);
    h.expect_no_event();
    h.advance(1);
    h.expect_events(&[Event::Ack { socket: s, token: 2, with_error: true, result: Err(AckError::Timeout) }]);
    // A plain callback under ackTimeout is error-first on success too (4.8.3 prepends null).
    h.emit(s, emit_ack("[\"d\"]", 4, false));
    assert_eq!(h.take_ws_texts(), ["423[\"d\"]"]);
    h.server_sends_ws_text(id, "433[\"D\"]");
    h.expect_events(&[Event::Ack { socket: s, token: 4, with_error: true, result: Ok(payload("[\"D\"]")) }]);
    // Late answers are dropped.
    h.server_sends_ws_text(id, "430[\"late\"]");
    h.server_sends_ws_text(id, "431[\"late\"]");
    h.advance(10_000);
    h.expect_no_event();
    assert_eq!(h.client.poll_timeout().map(|t| t - h.now), Some(45_000 - 10_000 - 1000));
}

#[test]
fn ack_timeout_drops_the_emit_from_the_send_buffer() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let (mut h, id, s) = ws_connected(opts, SocketOptions::default());
    h.ws_close(id, 1006, "");
    h.take_events();
    h.emit(s, Emit { timeout: Some(500), ..emit_ack("[\"expires\"]", 1, true) });
    h.emit(s, emit("[\"stays\"]"));
    assert_eq!(h.client.send_buffer(s).len(), 2);
    h.advance(500);
    h.expect_events(&[Event::Ack { socket: s, token: 1, with_error: true, result: Err(AckError::Timeout) }]);
    assert_eq!(h.client.send_buffer(s).len(), 1);
    h.advance(500);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    h.expect_ws_text(id2, "40");
    h.ws_accept(id2, "/", "S2");
    assert_eq!(h.take_ws_texts(), ["42[\"stays\"]"]);
}

#[test]
fn pending_acks_fail_on_disconnect_error_first_with_error_plain_ones_released() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.emit(s, emit_ack("[\"a\"]", 1, true));
    h.emit(s, emit_ack("[\"b\"]", 2, false));
    h.emit(s, emit_ack("[\"c\"]", 3, true));
    h.take_ws_texts();
    h.server_sends_ws_text(id, "431[]");
    h.expect_events(&[Event::Ack { socket: s, token: 2, with_error: false, result: Ok(payload("[]")) }]);
    h.ws_close(id, 1000, "");
    let d = CloseDetail::WebSocket { code: 1000, reason: "".into() };
    h.expect_events(&[
        Event::EngineClose(Reason::TransportClose, d.clone()),
        Event::Close(Reason::TransportClose, d.clone()),
        Event::Disconnect(s, Reason::TransportClose, d),
        Event::Ack { socket: s, token: 1, with_error: true, result: Err(AckError::Disconnected) },
        Event::Ack { socket: s, token: 3, with_error: true, result: Err(AckError::Disconnected) },
    ]);

    // A plain callback is released (with_error: false) on disconnect.
    let (mut h, _, s) = ws_connected(ws_only(), SocketOptions::default());
    h.emit(s, emit_ack("[\"p\"]", 4, false));
    h.disconnect(s);
    let acks: Vec<Event> = h.take_events().into_iter().filter(|e| matches!(e, Event::Ack { .. })).collect();
    assert_eq!(acks, [Event::Ack { socket: s, token: 4, with_error: false, result: Err(AckError::Disconnected) }]);
}

#[test]
fn ack_of_an_emit_buffered_while_offline_survives_reconnections() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let (mut h, id, s) = ws_connected(opts, SocketOptions::default());
    h.ws_close(id, 1006, "");
    h.take_events();
    h.emit(s, emit_ack("[\"offline\"]", 5, true));
    h.expect_no_transmit();

    // A reconnection that opens the engine but closes before the namespace
    // connects: the socket hears "disconnect" but the buffered emit keeps its ack.
    h.advance(1000);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    h.expect_ws_text(id2, "40");
    h.ws_close(id2, 1006, "");
    let evs = h.take_events();
    assert!(evs.iter().any(|e| matches!(e, Event::Disconnect(..))), "{evs:?}");
    assert!(!evs.iter().any(|e| matches!(e, Event::Ack { .. })), "{evs:?}");
    assert_eq!(h.client.send_buffer(s).len(), 1);

    // No namespace connected in between, so the backoff went on: 2000 ms.
    h.advance(2000);
    let id3 = h.open_websocket("E3", 25_000, 20_000);
    h.expect_ws_text(id3, "40");
    h.ws_accept(id3, "/", "S3");
    assert_eq!(h.take_ws_texts(), ["420[\"offline\"]"]);
    h.take_events();
    h.server_sends_ws_text(id3, "430[\"done\"]");
    h.expect_events(&[Event::Ack { socket: s, token: 5, with_error: true, result: Ok(payload("[\"done\"]")) }]);
}

#[test]
fn timed_acks_fail_once_on_disconnect_and_never_time_out_later() {
    let sopts = SocketOptions { ack_timeout: Some(5000), ..Default::default() };
    let (mut h, id, s) = ws_connected(Options { reconnection: false, ..ws_only() }, sopts);
    h.emit(s, emit_ack("[\"a\"]", 1, false));
    h.emit(s, Emit { timeout: Some(3000), ..emit_ack("[\"b\"]", 2, false) });
    h.take_ws_texts();
    h.ws_close(id, 1006, "");
    let acks: Vec<Event> = h.take_events().into_iter().filter(|e| matches!(e, Event::Ack { .. })).collect();
    assert_eq!(
        acks,
        [
            Event::Ack { socket: s, token: 1, with_error: true, result: Err(AckError::Disconnected) },
            Event::Ack { socket: s, token: 2, with_error: true, result: Err(AckError::Disconnected) },
        ]
    );
    h.advance(10_000);
    h.expect_no_event();
    assert_eq!(h.client.poll_timeout(), None, "no timer is left for the failed acks");
}

#[test]
fn answered_acks_leave_no_timer_behind() {
    let sopts = SocketOptions { ack_timeout: Some(1000), ..Default::default() };
    let (mut h, id, s) = ws_connected(ws_only(), sopts);
    let heartbeat = h.client.poll_timeout().map(|t| t - h.now);
    assert!(heartbeat > Some(1000), "{heartbeat:?}");
    h.emit(s, emit_ack("[\"a\"]", 1, true));
    assert_eq!(h.take_ws_texts(), ["420[\"a\"]"]);
    // The ack's deadline comes first.
    assert_eq!(h.client.poll_timeout().map(|t| t - h.now), Some(1000));
    h.server_sends_ws_text(id, "430[\"A\"]");
    h.take_events();
    // Answered: poll_timeout names the heartbeat again, not the stale ack deadline.
    assert_eq!(h.client.poll_timeout().map(|t| t - h.now), heartbeat);
}
