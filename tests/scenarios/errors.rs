//! Failures after the handshake: transport errors and closes, bad Engine.IO and
//! Socket.IO packets.

use socketio_wasm::proto::{
    CloseDetail, ErrorKind, Event, HttpError, Options, Reason, SocketOptions, Transmit, TransportDetail,
};

use crate::{polling_connected, support::*, ws_error_kind, SEP};

#[test]
fn websocket_close_is_transport_close_and_websocket_error_is_transport_error() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.ws_close(id, 1006, "abnormal");
    let d = CloseDetail::WebSocket { code: 1006, reason: "abnormal".into() };
    h.expect_events(&[
        Event::EngineClose(Reason::TransportClose, d.clone()),
        Event::Close(Reason::TransportClose, d.clone()),
        Event::Disconnect(s, Reason::TransportClose, d),
    ]);
    h.expect_no_transmit();
    h.advance(5000);
    assert!(h.take_events().contains(&Event::ReconnectAttempt(1)));
    h.expect_ws_open();

    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.ws_error(id);
    let d = CloseDetail::Error(ws_error_kind());
    h.expect_events(&[
        Event::Error(ws_error_kind()),
        Event::EngineClose(Reason::TransportError, d.clone()),
        Event::Close(Reason::TransportError, d.clone()),
        Event::Disconnect(s, Reason::TransportError, d),
    ]);
    h.expect_ws_close(id);
    h.expect_no_transmit();
    // The close that follows the error is ignored.
    h.ws_close(id, 1006, "");
    h.expect_no_event();
    h.advance(5000);
    assert!(h.take_events().contains(&Event::ReconnectAttempt(1)));
    h.expect_ws_open();
}

#[test]
fn invalid_engine_packet_is_a_transport_error() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.server_sends_ws_text(id, "9oops");
    let d = CloseDetail::Error(ErrorKind::ServerError);
    h.expect_events(&[
        Event::Error(ErrorKind::ServerError),
        Event::EngineClose(Reason::TransportError, d.clone()),
        Event::Close(Reason::TransportError, d.clone()),
        Event::Disconnect(s, Reason::TransportError, d.clone()),
    ]);
    h.expect_ws_close(id);

    // Over polling: a bad record in a payload.
    let (mut h, id, s) = polling_connected(1_000_000);
    h.server_answers_poll(id, &format!("6{SEP}x{SEP}42[\"never\"]"));
    h.expect_events(&[
        Event::Error(ErrorKind::ServerError),
        Event::EngineClose(Reason::TransportError, d.clone()),
        Event::Close(Reason::TransportError, d.clone()),
        Event::Disconnect(s, Reason::TransportError, d),
    ]);
    assert_eq!(h.count_tx(|t| matches!(t, Transmit::Get { .. })), 0, "{:?}", h.tx);
}

#[test]
fn polling_request_failures_are_transport_errors() {
    let (mut h, id, s) = polling_connected(1_000_000);
    h.poll_fails(id, HttpError::Status(400));
    let err = ErrorKind::Transport { message: "xhr poll error", detail: TransportDetail::Status(400) };
    let d = CloseDetail::Error(err.clone());
    h.expect_events(&[
        Event::Error(err.clone()),
        Event::EngineClose(Reason::TransportError, d.clone()),
        Event::Close(Reason::TransportError, d.clone()),
        Event::Disconnect(s, Reason::TransportError, d),
    ]);
    assert_eq!(h.count_tx(|t| matches!(t, Transmit::Get { .. })), 0, "{:?}", h.tx);

    let (mut h, id, s) = polling_connected(1_000_000);
    h.emit(s, emit("[\"x\"]"));
    h.expect_post_body(id, "42[\"x\"]");
    h.post_fails(id, HttpError::Network("reset".into()));
    let err = ErrorKind::Transport { message: "xhr post error", detail: TransportDetail::Network("reset".into()) };
    let evs = h.take_events();
    assert_eq!(evs[0], Event::Error(err.clone()));
    assert!(evs.contains(&Event::Disconnect(s, Reason::TransportError, CloseDetail::Error(err))), "{evs:?}");
    assert!(h.client.is_reconnecting());
}

#[test]
fn bad_socket_io_packet_is_a_parse_error_and_reconnects() {
    use socketio_wasm::proto::sio::DecodeError;
    let cases: [(&[&str], bool, DecodeError); 4] = [
        (&["42{\"not\":\"an array\"}"], false, DecodeError::InvalidPayload),
        (&["4x"], false, DecodeError::UnknownType),
        (&[], true, DecodeError::UnexpectedBinary),
        (&["451-[\"a\",{\"_placeholder\":true,\"num\":0}]", "42[\"b\"]"], false, DecodeError::UnexpectedText),
    ];
    for (texts, binary, err) in cases {
        let opts = Options { randomization_factor: 0.0, ..ws_only() };
        let (mut h, id, s) = ws_connected(opts, SocketOptions::default());
        for t in texts {
            h.server_sends_ws_text(id, t);
        }
        if binary {
            h.server_sends_ws_binary(id, &[1]);
        }
        let d = CloseDetail::Error(ErrorKind::Parse(err));
        let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
        assert_eq!(
            evs,
            [Event::Close(Reason::ParseError, d.clone()), Event::Disconnect(s, Reason::ParseError, d)],
            "{err:?}"
        );
        h.expect_ws_close(id);
        h.advance(1000);
        h.expect_events(&[Event::ReconnectAttempt(1), Event::Opening]);
        let id2 = h.open_websocket("E2", 25_000, 20_000);
        h.expect_ws_text(id2, "40");
        h.ws_accept(id2, "/", "S2");
        assert!(h.client.is_connected(s));
    }
}
