//! The transports: the upgrade probe from polling to WebSocket, `rememberUpgrade`,
//! `tryAllTransports`, and closing or timing out while an upgrade is under way.

use socketio_wasm::proto::{
    CloseDetail, ErrorKind, Event, Frame, HttpError, Options, Reason, SocketOptions, Transmit, TransportDetail,
    TransportKind,
};

use crate::{polling_with_probe, support::*, ws_error_kind};

#[test]
fn upgrade_probe_pauses_polling_until_get_completes_then_switches_to_websocket() {
    let (mut h, id, ws, s) = polling_with_probe(Options::default());
    h.ws_open(ws);
    h.expect_ws_text(ws, "2probe");
    h.expect_no_transmit();
    assert_eq!(h.client.transport(), Some(TransportKind::Polling));

    h.server_sends_ws_text(ws, "3probe");
    // The GET is still in flight: polling is pausing, nothing is switched yet,
    // and writes wait.
    h.expect_no_transmit();
    h.expect_no_event();
    h.emit(s, emit("[\"during-upgrade\"]"));
    h.expect_no_transmit();

    // The server ends the pending GET (with a noop): the pause completes.
    h.server_answers_poll(id, "6");
    h.expect_abort(id);
    h.expect_ws_text(ws, "5");
    h.expect_ws_text(ws, "42[\"during-upgrade\"]");
    h.expect_no_transmit();
    h.expect_events(&[Event::Upgrade(TransportKind::WebSocket)]);
    assert_eq!(h.client.transport(), Some(TransportKind::WebSocket));

    // Everything now goes over the WebSocket; input from the old transport is dropped.
    h.emit(s, emit("[\"after\"]"));
    h.expect_ws_text(ws, "42[\"after\"]");
    h.server_answers_poll(id, "42[\"stale\"]");
    h.post_done(id);
    h.expect_no_event();
    h.expect_no_transmit();
    h.server_sends_ws_text(ws, "42[\"hi\"]");
    h.expect_events(&[Event::Message { socket: s, payload: payload("[\"hi\"]"), ack: None }]);
}

#[test]
fn upgrade_waits_for_the_post_in_flight() {
    let (mut h, id, ws, s) = polling_with_probe(Options::default());
    h.ws_open(ws);
    h.expect_ws_text(ws, "2probe");
    h.emit(s, emit("[\"in-flight\"]"));
    h.expect_post_body(id, "42[\"in-flight\"]");
    h.server_sends_ws_text(ws, "3probe");
    h.server_answers_poll(id, "6");
    // The GET completed but the POST did not: still pausing.
    h.expect_no_transmit();
    h.expect_no_event();
    h.post_done(id);
    h.expect_abort(id);
    h.expect_ws_text(ws, "5");
    h.expect_no_transmit();
    h.expect_events(&[Event::Upgrade(TransportKind::WebSocket)]);
}

#[test]
fn failed_probe_emits_upgrade_error_and_polling_keeps_working() {
    enum Failure {
        WrongAnswer,
        Error,
        Close,
    }
    for (failure, message) in [
        (Failure::WrongAnswer, "probe error"),
        (Failure::Error, "probe error: Error: websocket error"),
        (Failure::Close, "probe error: transport closed"),
    ] {
        let (mut h, id, ws, s) = polling_with_probe(Options::default());
        h.ws_open(ws);
        h.expect_ws_text(ws, "2probe");
        match failure {
            Failure::WrongAnswer => h.server_sends_ws_text(ws, "3nope"),
            Failure::Error => h.ws_error(ws),
            Failure::Close => h.ws_close(ws, 1006, ""),
        }
        h.expect_events(&[Event::UpgradeError(ErrorKind::Probe(message))]);
        if !matches!(failure, Failure::Close) {
            h.expect_ws_close(ws);
        }
        h.expect_no_transmit();
        assert_eq!(h.client.transport(), Some(TransportKind::Polling));
        assert!(h.client.is_connected(s));

        // Polling goes on: writes are POSTed, reads answered.
        h.emit(s, emit("[\"still\"]"));
        h.expect_post_body(id, "42[\"still\"]");
        h.post_done(id);
        h.server_answers_poll(id, "42[\"polled\"]");
        h.expect_get();
        h.expect_no_transmit();
        h.expect_events(&[Event::Message { socket: s, payload: payload("[\"polled\"]"), ack: None }]);
        // The dead probe is ignored.
        h.server_sends_ws_text(ws, "3probe");
        h.expect_no_event();
        h.expect_no_transmit();
    }
}

#[test]
fn probe_failing_while_polling_pauses_resumes_polling() {
    let (mut h, id, ws, s) = polling_with_probe(Options::default());
    h.ws_open(ws);
    h.expect_ws_text(ws, "2probe");
    h.server_sends_ws_text(ws, "3probe");
    h.emit(s, emit("[\"held\"]"));
    h.expect_no_transmit();
    // The WebSocket dies before the pause completes.
    h.ws_close(ws, 1006, "");
    h.expect_events(&[Event::UpgradeError(ErrorKind::Probe("probe error: transport closed"))]);
    // The held write goes out over polling, which keeps reading.
    h.expect_post_body(id, "42[\"held\"]");
    h.expect_no_transmit();
    h.server_answers_poll(id, "6");
    h.expect_get();
    h.expect_no_transmit();
    assert_eq!(h.client.transport(), Some(TransportKind::Polling));
}

#[test]
fn upgrade_false_never_probes() {
    let opts = Options { upgrade: false, ..Options::default() };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    let (id, _) = h.expect_get();
    h.server_answers_poll(id, &open_packet("E", &["websocket"], 25_000, 20_000, 1_000_000));
    h.expect_post_body(id, "40");
    h.expect_get();
    h.expect_no_transmit();
    h.post_done(id);
    h.server_answers_poll(id, "40{\"sid\":\"S\"}");
    h.expect_get();
    h.advance(10_000);
    h.expect_no_transmit();
    assert!(h.client.is_connected(s));
    assert!(h.log.iter().all(|(_, t)| !matches!(t, Transmit::WsOpen { .. })));
}

#[test]
fn remember_upgrade_opens_websocket_directly_after_a_successful_upgrade() {
    for remember in [true, false] {
        let opts = Options { remember_upgrade: remember, randomization_factor: 0.0, ..Options::default() };
        let (mut h, id, ws, s) = polling_with_probe(opts);
        h.ws_open(ws);
        h.expect_ws_text(ws, "2probe");
        h.server_sends_ws_text(ws, "3probe");
        h.server_answers_poll(id, "6");
        h.expect_abort(id);
        h.expect_ws_text(ws, "5");
        h.take_events();
        // The WebSocket closes: reconnection.
        h.ws_close(ws, 1001, "going away");
        h.take_events();
        h.advance(1000);
        h.expect_events(&[Event::ReconnectAttempt(1), Event::Opening]);
        if remember {
            let (_, url) = h.expect_ws_open();
            assert_eq!(url, "ws://localhost:3000/socket.io/?EIO=4&transport=websocket");
        } else {
            let (_, url) = h.expect_get();
            assert!(url.contains("transport=polling"), "{url}");
        }
        h.expect_no_transmit();
        assert!(h.client.is_active(s));
    }

    // A WebSocket that fails forgets the success: the next connection polls first.
    let opts = Options { remember_upgrade: true, randomization_factor: 0.0, ..Options::default() };
    let (mut h, id, ws, _) = polling_with_probe(opts);
    h.ws_open(ws);
    h.expect_ws_text(ws, "2probe");
    h.server_sends_ws_text(ws, "3probe");
    h.server_answers_poll(id, "6");
    h.take_transmits();
    h.ws_close(ws, 1006, "");
    h.advance(1000);
    let (ws2, _) = h.expect_ws_open();
    h.expect_no_transmit();
    h.ws_error(ws2);
    h.take_transmits();
    h.advance(2000);
    h.expect_get();
}

#[test]
fn websocket_first_with_try_all_transports_falls_back_to_polling() {
    let opts = Options {
        transports: vec![TransportKind::WebSocket, TransportKind::Polling],
        try_all_transports: true,
        ..Options::default()
    };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    let (ws, url) = h.expect_ws_open();
    assert!(url.starts_with("ws://"));
    h.take_events();
    h.ws_error(ws);
    // No error is reported: the next transport is tried at once.
    h.expect_no_event();
    h.expect_ws_close(ws);
    let (id, url) = h.expect_get();
    assert!(url.starts_with("http://localhost:3000/socket.io/?EIO=4&transport=polling&t="), "{url}");
    h.expect_no_transmit();
    h.server_answers_poll(id, &open_packet("E", &["websocket"], 25_000, 20_000, 1_000_000));
    h.expect_events(&[Event::Open]);
    // websocket left the list: no probe.
    h.expect_post_body(id, "40");
    h.expect_get();
    h.expect_no_transmit();
    h.post_done(id);
    h.server_answers_poll(id, "40{\"sid\":\"S\"}");
    h.expect_events(&[Event::Connect(s)]);

    // When the fallback fails too, the error is reported, and the next
    // attempt starts over with the first transport.
    let opts = Options {
        transports: vec![TransportKind::WebSocket, TransportKind::Polling],
        try_all_transports: true,
        randomization_factor: 0.0,
        ..Options::default()
    };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    let (ws, _) = h.expect_ws_open();
    h.ws_error(ws);
    let (id, _) = h.expect_get();
    h.take_transmits();
    h.take_events();
    h.poll_fails(id, HttpError::Network("Failed to fetch".into()));
    let err =
        ErrorKind::Transport { message: "xhr poll error", detail: TransportDetail::Network("Failed to fetch".into()) };
    let evs = h.take_events();
    assert_eq!(&evs[..2], &[Event::Error(err.clone()), Event::ConnectError(s, err)], "{evs:?}");
    h.expect_abort(id);
    h.expect_no_transmit();
    h.advance(1000);
    h.expect_ws_open();
    h.expect_no_transmit();
}

#[test]
fn websocket_first_without_try_all_transports_reports_connect_error_and_retries_websocket() {
    let opts = Options {
        transports: vec![TransportKind::WebSocket, TransportKind::Polling],
        randomization_factor: 0.0,
        ..Options::default()
    };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    let (ws, _) = h.expect_ws_open();
    h.take_events();
    h.ws_error(ws);
    let evs = h.take_events();
    let expected_start = [Event::Error(ws_error_kind()), Event::ConnectError(s, ws_error_kind())];
    assert_eq!(&evs[..2], &expected_start, "{evs:?}");
    assert!(!evs.iter().any(|e| matches!(e, Event::Close(..) | Event::Disconnect(..))), "{evs:?}");
    h.expect_ws_close(ws);
    h.expect_no_transmit();
    assert_eq!(h.next_timeout_in(), Some(1000));
    h.advance(1000);
    h.expect_events(&[Event::ReconnectAttempt(1), Event::Opening]);
    let (ws2, url) = h.expect_ws_open();
    assert_ne!(ws2, ws);
    assert!(url.starts_with("ws://"));
    h.expect_no_transmit();
}

#[test]
fn socket_disconnect_during_upgrade_sends_disconnect_over_websocket_then_closes() {
    let (mut h, id, ws, s) = polling_with_probe(Options::default());
    h.ws_open(ws);
    h.expect_ws_text(ws, "2probe");
    h.server_sends_ws_text(ws, "3probe");
    h.disconnect(s);
    // Polling is pausing: the DISCONNECT packet waits for the new transport.
    h.expect_no_transmit();
    h.server_answers_poll(id, "6");
    assert_eq!(
        h.take_transmits(),
        [
            Transmit::Abort { id },
            Transmit::WsSend { id: ws, frame: Frame::Text("5".into()) },
            Transmit::WsSend { id: ws, frame: Frame::Text("41".into()) },
            Transmit::WsClose { id: ws },
        ]
    );
}

#[test]
fn client_close_during_upgrade_waits_for_the_upgrade_to_settle() {
    let (mut h, id, ws, s) = polling_with_probe(Options::default());
    h.ws_open(ws);
    h.expect_ws_text(ws, "2probe");
    h.emit(s, emit("[\"in-flight\"]"));
    h.expect_post_body(id, "42[\"in-flight\"]");
    h.server_sends_ws_text(ws, "3probe");
    h.close();
    assert!(h.take_events().contains(&Event::Close(Reason::ForcedClose, CloseDetail::None)));
    // The POST drains, but the engine closes only once the upgrade is done.
    h.post_done(id);
    h.expect_no_transmit();
    h.server_answers_poll(id, "6");
    h.expect_events(&[
        Event::Upgrade(TransportKind::WebSocket),
        Event::EngineClose(Reason::ForcedClose, CloseDetail::None),
    ]);
    assert_eq!(
        h.take_transmits(),
        [
            Transmit::Abort { id },
            Transmit::WsSend { id: ws, frame: Frame::Text("5".into()) },
            Transmit::WsClose { id: ws }
        ]
    );
}

#[test]
fn ping_timeout_during_an_upgrade_fails_the_probe_after_the_disconnect() {
    let (mut h, id, ws, s) = polling_with_probe(Options::default());
    h.ws_open(ws);
    h.expect_ws_text(ws, "2probe");
    h.advance(45_000);
    h.expect_events(&[
        Event::EngineClose(Reason::PingTimeout, CloseDetail::None),
        Event::Close(Reason::PingTimeout, CloseDetail::None),
        Event::Disconnect(s, Reason::PingTimeout, CloseDetail::None),
        Event::UpgradeError(ErrorKind::Probe("probe error: socket closed")),
    ]);
    h.expect_ws_close(ws);
    // The open polling transport is closed the way the reference closes it:
    // a close packet, then the outstanding GET is abandoned.
    h.expect_post_body(id, "1");
    h.expect_abort(id);
    h.expect_no_transmit();
}
