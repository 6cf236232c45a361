//! Emitting while not connected: the send buffer, volatile emits, reserved names.

use socketio_wasm::proto::sio::RESERVED_EVENTS;
use socketio_wasm::proto::{Emit, EmitError, Event, SocketOptions};

use crate::{polling_connected, support::*};

#[test]
fn emits_while_disconnected_are_buffered_and_flushed_in_order_on_connect() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    h.emit(s, emit("[\"one\"]"));
    h.emit(s, emit_ack("[\"two\"]", 1, false));
    h.emit(s, emit("[\"three\",3]"));
    let (id, _) = h.expect_ws_open();
    h.expect_no_transmit();
    let buf: Vec<(Option<u64>, String)> = h.client.send_buffer(s).map(|(id, p)| (id, p.data.clone())).collect();
    assert_eq!(
        buf,
        [(None, "[\"one\"]".to_owned()), (Some(0), "[\"two\"]".to_owned()), (None, "[\"three\",3]".to_owned())]
    );
    h.ws_open(id);
    h.server_sends_ws_text(id, &open_packet("E", &[], 25_000, 20_000, 1_000_000));
    // Nothing but CONNECT before the namespace is connected.
    assert_eq!(h.take_ws_texts(), ["40"]);
    h.ws_accept(id, "/", "S");
    assert_eq!(h.take_ws_texts(), ["42[\"one\"]", "420[\"two\"]", "42[\"three\",3]"]);
    assert!(h.client.send_buffer(s).next().is_none());
    h.server_sends_ws_text(id, "430[2]");
    let evs = h.take_events();
    assert_eq!(evs.last(), Some(&Event::Ack { socket: s, token: 1, with_error: false, result: Ok(payload("[2]")) }));
}

#[test]
fn volatile_emits_are_dropped_when_the_transport_is_not_writable() {
    let volatile = |data: &str| Emit { volatile: true, ..emit(data) };

    // Before the engine is open: dropped (a normal emit is buffered).
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    h.emit(s, volatile("[\"v0\"]"));
    h.emit(s, emit("[\"n0\"]"));
    assert_eq!(h.client.send_buffer(s).len(), 1);
    let id = h.open_websocket("E", 25_000, 20_000);
    // Engine open and writable but the namespace not connected yet: buffered.
    h.expect_ws_text(id, "40");
    h.emit(s, volatile("[\"v1\"]"));
    assert_eq!(h.client.send_buffer(s).len(), 2);
    h.ws_accept(id, "/", "S");
    assert_eq!(h.take_ws_texts(), ["42[\"n0\"]", "42[\"v1\"]"]);

    // WebSocket with a write not yet drained: dropped; once drained: sent.
    h.hold_drains = true;
    h.emit(s, emit("[\"n1\"]"));
    h.emit(s, volatile("[\"v2\"]"));
    assert_eq!(h.take_ws_texts(), ["42[\"n1\"]"]);
    h.hold_drains = false;
    h.release_drains();
    h.emit(s, volatile("[\"v3\"]"));
    assert_eq!(h.take_ws_texts(), ["42[\"v3\"]"]);

    // Polling with a POST in flight: dropped; after it completes: sent.
    let (mut h, id, s) = polling_connected(1_000_000);
    h.emit(s, emit("[\"n\"]"));
    h.expect_post_body(id, "42[\"n\"]");
    h.emit(s, volatile("[\"dropped\"]"));
    h.post_done(id);
    h.expect_no_transmit();
    h.emit(s, volatile("[\"sent\"]"));
    h.expect_post_body(id, "42[\"sent\"]");
}

#[test]
fn reserved_event_names_are_refused() {
    let (mut h, _, s) = ws_connected(ws_only(), SocketOptions::default());
    for name in RESERVED_EVENTS {
        let r = h.input(|c, now| c.emit(now, s, emit(&format!("[\"{name}\",1]"))));
        assert_eq!(r, Err(EmitError::Reserved(name.to_owned())));
    }
    assert_eq!(
        RESERVED_EVENTS,
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]
    );
    let r = h.input(|c, now| c.emit(now, s, emit("{\"not\":\"an array\"}")));
    assert_eq!(r, Err(EmitError::InvalidPayload));
    let r = h.input(|c, now| c.emit(now, 99, emit("[\"x\"]")));
    assert_eq!(r, Err(EmitError::UnknownSocket));
    h.expect_no_transmit();
    h.expect_no_event();
    assert!(h.client.send_buffer(s).next().is_none());
    // A name that merely contains a reserved one is fine.
    h.emit(s, emit("[\"connected\"]"));
    assert_eq!(h.take_ws_texts(), ["42[\"connected\"]"]);
}
