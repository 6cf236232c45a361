//! Engine.IO long-polling: one GET and one POST in flight, batches bounded by `maxPayload`.

use socketio_wasm::proto::Event;

use crate::{polling_connected, support::*, SEP};

#[test]
fn polling_keeps_one_get_in_flight_and_one_post_with_batched_writes() {
    let (mut h, id, s) = polling_connected(1_000_000);
    h.emit(s, emit("[\"a\"]"));
    h.expect_post_body(id, "42[\"a\"]");
    // While that POST is in flight, writes (and the pong) wait and are batched.
    h.emit(s, emit("[\"b\"]"));
    h.server_answers_poll(id, "2");
    h.expect_events(&[Event::Ping]);
    h.emit(s, emit("[\"c\",{\"x\":1}]"));
    // Only the next GET: never a second POST, never two GETs.
    let (gid, _) = h.expect_get();
    assert_eq!(gid, id);
    h.expect_no_transmit();
    h.post_done(id);
    h.expect_post_body(id, &format!("42[\"b\"]{SEP}3{SEP}42[\"c\",{{\"x\":1}}]"));
    h.expect_no_transmit();
    h.post_done(id);
    h.expect_no_transmit();
    // An answered GET is followed by exactly one new GET.
    h.server_answers_poll(id, "6");
    h.expect_get();
    h.expect_no_transmit();
    h.server_answers_poll(id, &format!("42[\"x\"]{SEP}42[\"y\"]"));
    h.expect_get();
    h.expect_no_transmit();
    h.expect_events(&[
        Event::Message { socket: s, payload: payload("[\"x\"]"), ack: None },
        Event::Message { socket: s, payload: payload("[\"y\"]"), ack: None },
    ]);
}

#[test]
fn polling_batches_are_bounded_by_max_payload() {
    // Each "2[\"abcde\"]" is 10 bytes: 1 + 10 + 2 + 10 = 23 fits in 23, a third does not.
    let (mut h, id, s) = polling_connected(23);
    h.emit(s, emit("[\"first\"]"));
    h.expect_post_body(id, "42[\"first\"]");
    for _ in 0..5 {
        h.emit(s, emit("[\"abcde\"]"));
    }
    h.expect_no_transmit();
    h.post_done(id);
    h.expect_post_body(id, &format!("42[\"abcde\"]{SEP}42[\"abcde\"]"));
    h.expect_no_transmit();
    h.post_done(id);
    h.expect_post_body(id, &format!("42[\"abcde\"]{SEP}42[\"abcde\"]"));
    h.post_done(id);
    h.expect_post_body(id, "42[\"abcde\"]");
    h.post_done(id);
    h.expect_no_transmit();
    // One packet bigger than maxPayload still goes, alone.
    h.emit(s, emit("[\"a-much-longer-event-name\"]"));
    h.expect_post_body(id, "42[\"a-much-longer-event-name\"]");
}
