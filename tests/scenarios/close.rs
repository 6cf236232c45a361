//! Closing on purpose: the client's close and disconnect, the server's close packet.

use socketio_wasm::proto::{CloseDetail, Event, Reason, Transmit};

use crate::{polling_connected, support::*};

#[test]
fn client_close_sends_close_packet_over_polling_and_reports_forced_close() {
    let (mut h, id, s) = polling_connected(1_000_000);
    h.close();
    let (pid, url, body) = h.expect_post();
    assert_eq!((pid, body.as_str()), (id, "1"));
    assert_eq!(query_param(&url, "sid").as_deref(), Some("E"));
    h.expect_abort(id);
    h.expect_no_transmit();
    let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
    assert_eq!(
        evs,
        [
            Event::Close(Reason::ForcedClose, CloseDetail::None),
            Event::Disconnect(s, Reason::ForcedClose, CloseDetail::None)
        ]
    );
    assert!(!h.client.is_open());
    // No reconnection.
    h.advance(120_000);
    h.expect_no_transmit();
    h.expect_no_event();
}

#[test]
fn server_close_packet_over_polling_is_transport_close() {
    let (mut h, id, s) = polling_connected(1_000_000);
    h.server_answers_poll(id, "1");
    let d = CloseDetail::Described("transport closed by the server");
    h.expect_events(&[
        Event::EngineClose(Reason::TransportClose, d.clone()),
        Event::Close(Reason::TransportClose, d.clone()),
        Event::Disconnect(s, Reason::TransportClose, d),
    ]);
    // The transport is gone: no close packet back, no new GET.
    assert_eq!(h.count_tx(|t| matches!(t, Transmit::Post { .. } | Transmit::Get { .. })), 0, "{:?}", h.tx);
    h.take_transmits();
    // And it reconnects.
    h.advance(5000);
    assert!(h.take_events().contains(&Event::ReconnectAttempt(1)));
    h.expect_get();
}

#[test]
fn client_close_waits_for_the_post_in_flight_before_the_close_packet() {
    let (mut h, id, s) = polling_connected(1_000_000);
    h.emit(s, emit("[\"last\"]"));
    h.expect_post_body(id, "42[\"last\"]");
    h.close();
    // Never two POSTs in flight: the close packet waits.
    h.expect_no_transmit();
    assert!(h.take_events().contains(&Event::Close(Reason::ForcedClose, CloseDetail::None)));
    h.post_done(id);
    h.expect_post_body(id, "1");
    h.expect_abort(id);
    h.expect_no_transmit();
}

#[test]
fn socket_disconnect_over_polling_posts_disconnect_then_close_packet() {
    let (mut h, id, s) = polling_connected(1_000_000);
    h.disconnect(s);
    h.expect_post_body(id, "41");
    h.expect_no_transmit();
    h.post_done(id);
    h.expect_post_body(id, "1");
    h.expect_abort(id);
    h.expect_no_transmit();
}
