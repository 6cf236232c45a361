//! `retries`: emits re-sent until acknowledged, one at a time, across reconnections.

use socketio_wasm::proto::{AckError, Event, Options, SocketOptions};

use crate::support::*;

#[test]
fn retries_resend_under_a_fresh_ack_id_and_call_the_user_ack_exactly_once() {
    let sopts = SocketOptions { retries: 2, ack_timeout: Some(1000), ..Default::default() };
    let (mut h, id, s) = ws_connected(ws_only(), sopts);
    h.emit(s, emit_ack("[\"A\"]", 1, false));
    h.emit(s, emit_ack("[\"B\"]", 2, false));
    h.emit(s, emit("[\"C\"]"));
    // One at a time: B and C wait for A.
    assert_eq!(h.take_ws_texts(), ["420[\"A\"]"]);
    h.advance(1000);
    h.expect_no_event();
    assert_eq!(h.take_ws_texts(), ["421[\"A\"]"]);
    // The answer to the first try is too late; the answer to the retry counts.
    h.server_sends_ws_text(id, "430[\"late\"]");
    h.expect_no_event();
    h.server_sends_ws_text(id, "431[\"ok\"]");
    h.expect_events(&[Event::Ack { socket: s, token: 1, with_error: true, result: Ok(payload("[\"ok\"]")) }]);
    assert_eq!(h.take_ws_texts(), ["422[\"B\"]"]);
    h.server_sends_ws_text(id, "431[\"dup\"]");
    h.expect_no_event();

    // B is never answered: 1 try + 2 retries, then the user hears the timeout once.
    h.advance(1000);
    assert_eq!(h.take_ws_texts(), ["423[\"B\"]"]);
    h.advance(1000);
    assert_eq!(h.take_ws_texts(), ["424[\"B\"]"]);
    h.expect_no_event();
    h.advance(1000);
    h.expect_events(&[Event::Ack { socket: s, token: 2, with_error: true, result: Err(AckError::Timeout) }]);
    // Then C (no user ack) goes, and is answered.
    assert_eq!(h.take_ws_texts(), ["425[\"C\"]"]);
    h.server_sends_ws_text(id, "435[]");
    h.expect_no_event();
    h.advance(10_000);
    h.expect_no_event();
    assert!(h.take_ws_texts().is_empty());
    h.expect_no_transmit();
}

#[test]
fn queued_retries_wait_for_the_connection_and_resume_after_reconnect() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let sopts = SocketOptions { retries: 1, ack_timeout: Some(5000), ..Default::default() };
    let (mut h, id, s) = ws_connected(opts, sopts);
    h.emit(s, emit_ack("[\"A\"]", 1, true));
    assert_eq!(h.take_ws_texts(), ["420[\"A\"]"]);
    // Disconnected while waiting: the try is failed internally, not reported.
    h.ws_close(id, 1006, "");
    let evs = h.take_events();
    assert!(!evs.iter().any(|e| matches!(e, Event::Ack { .. })), "{evs:?}");
    h.advance(1000);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    h.expect_ws_text(id2, "40");
    h.ws_accept(id2, "/", "S2");
    // Re-sent on connect under a new id, answered, reported once.
    assert_eq!(h.take_ws_texts(), ["421[\"A\"]"]);
    h.take_events();
    h.server_sends_ws_text(id2, "431[\"ok\"]");
    h.expect_events(&[Event::Ack { socket: s, token: 1, with_error: true, result: Ok(payload("[\"ok\"]")) }]);
    h.advance(20_000);
    h.expect_no_event();
}

#[test]
fn queued_retry_without_ack_timeout_is_forced_out_again_on_reconnect() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let sopts = SocketOptions { retries: 3, ..Default::default() };
    let (mut h, id, s) = ws_connected(opts, sopts);
    h.emit(s, emit_ack("[\"A\"]", 1, false));
    h.emit(s, emit("[\"B\"]"));
    assert_eq!(h.take_ws_texts(), ["420[\"A\"]"]);
    // No ack timeout: the packet stays pending across the disconnection ...
    h.ws_close(id, 1006, "");
    let evs = h.take_events();
    assert!(!evs.iter().any(|e| matches!(e, Event::Ack { .. })), "{evs:?}");
    h.advance(1000);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    h.expect_ws_text(id2, "40");
    // ... and is sent again when the namespace connects.
    h.ws_accept(id2, "/", "S2");
    assert_eq!(h.take_ws_texts(), ["421[\"A\"]"]);
    h.take_events();
    // The answer is a success (the internal ack gets a null error first, as in
    // upstream socket.io-client after 4.8.3, commit 3e400d2b; 4.8.3 itself took
    // the first answer argument for an error when no ack timeout was set).
    h.server_sends_ws_text(id2, "431[\"ok\"]");
    h.expect_events(&[Event::Ack { socket: s, token: 1, with_error: true, result: Ok(payload("[\"ok\"]")) }]);
    assert_eq!(h.take_ws_texts(), ["422[\"B\"]"]);
}

#[test]
fn retries_with_a_zero_ack_timeout_resend_once_per_turn() {
    let sopts = SocketOptions { retries: 3, ack_timeout: Some(0), ..Default::default() };
    let (mut h, _, s) = ws_connected(ws_only(), sopts);
    h.emit(s, emit_ack("[\"A\"]", 1, true));
    assert_eq!(h.take_ws_texts(), ["420[\"A\"]"]);
    for retry in 1..=3 {
        assert_eq!(h.next_timeout_in(), Some(0));
        h.input(|c, now| c.handle_timeout(now));
        assert_eq!(h.take_ws_texts(), [format!("42{retry}[\"A\"]")], "one re-send per call");
        h.expect_no_event();
    }
    h.input(|c, now| c.handle_timeout(now));
    h.expect_events(&[Event::Ack { socket: s, token: 1, with_error: true, result: Err(AckError::Timeout) }]);

    // Unlimited retries with no delay: each call still does one re-send and returns.
    let sopts = SocketOptions { retries: u32::MAX, ack_timeout: Some(0), ..Default::default() };
    let (mut h, _, s) = ws_connected(ws_only(), sopts);
    h.emit(s, emit("[\"B\"]"));
    h.take_ws_texts();
    for _ in 0..100 {
        h.input(|c, now| c.handle_timeout(now));
        assert_eq!(h.take_ws_texts().len(), 1);
    }
}
