//! Failing to connect: refusals, the open timeout, an incompatible server, no
//! transports.

use socketio_wasm::proto::{CloseDetail, ErrorKind, Event, Options, Reason, SocketOptions};

use crate::{support::*, ws_error_kind};

#[test]
fn connect_error_refuses_the_socket_which_does_not_reconnect() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let mut h = Harness::new("http://localhost:3000", opts);
    let root = h.socket("/", SocketOptions::default());
    let admin = h.socket("/admin", SocketOptions::default());
    let id = h.open_websocket("E", 25_000, 20_000);
    h.take_ws_texts();
    h.take_events();
    h.ws_accept(id, "/", "R");
    h.server_sends_ws_text(id, "44/admin,{\"message\":\"not authorized\",\"data\":{\"code\":42}}");
    h.expect_events(&[
        Event::Connect(root),
        Event::ConnectError(
            admin,
            ErrorKind::ConnectRefused { message: "not authorized".into(), data: Some("{\"code\":42}".into()) },
        ),
    ]);
    assert!(!h.client.is_active(admin));
    assert!(h.client.is_active(root));
    h.expect_no_transmit();

    // After a reconnection only the other namespace connects again.
    h.ws_close(id, 1006, "");
    let evs = h.take_events();
    assert!(evs.contains(&Event::Disconnect(
        root,
        Reason::TransportClose,
        CloseDetail::WebSocket { code: 1006, reason: "".into() }
    )));
    assert!(!evs.iter().any(|e| matches!(e, Event::Disconnect(s, ..) if *s == admin)), "{evs:?}");
    h.advance(1000);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    assert_eq!(h.take_ws_texts(), ["40"]);
    h.ws_accept(id2, "/", "R2");
    assert!(h.client.is_connected(root));
    assert!(!h.client.is_connected(admin));

    // The last socket refused: the manager closes, no reconnection.
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    let id = h.open_websocket("E", 25_000, 20_000);
    h.take_ws_texts();
    h.take_events();
    h.server_sends_ws_text(id, "44{\"message\":\"nope\"}");
    let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
    assert_eq!(
        evs,
        [
            Event::Close(Reason::ForcedClose, CloseDetail::None),
            Event::ConnectError(s, ErrorKind::ConnectRefused { message: "nope".into(), data: None }),
        ]
    );
    h.expect_ws_close(id);
    h.advance(60_000);
    h.expect_no_transmit();
    h.expect_no_event();
}

#[test]
fn connect_error_with_a_string_payload_uses_it_as_the_message() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    let id = h.open_websocket("E", 25_000, 20_000);
    h.take_events();
    h.server_sends_ws_text(id, "44\"Invalid namespace\"");
    let evs = h.take_events();
    let refused = Event::ConnectError(s, ErrorKind::ConnectRefused { message: "Invalid namespace".into(), data: None });
    assert!(evs.contains(&refused), "{evs:?}");
}

#[test]
fn an_empty_sid_in_the_connect_answer_is_refused_as_an_incompatible_server() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    let id = h.open_websocket("E", 25_000, 20_000);
    h.take_events();
    h.server_sends_ws_text(id, "40{\"sid\":\"\"}");
    h.expect_events(&[Event::ConnectError(s, ErrorKind::IncompatibleServer)]);
    assert!(!h.client.is_connected(s));
}

#[test]
fn open_timeout_reports_connect_error_timeout_then_reconnects() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    let (id, _) = h.expect_ws_open();
    h.take_events();
    assert_eq!(h.next_timeout_in(), Some(20_000));
    h.advance(19_999);
    h.expect_no_event();
    h.expect_no_transmit();
    h.advance(1);
    let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
    assert_eq!(evs, [Event::Error(ErrorKind::Timeout), Event::ConnectError(s, ErrorKind::Timeout)]);
    assert_eq!(ErrorKind::Timeout.message(), "timeout");
    h.expect_ws_close(id);
    h.expect_no_transmit();
    // A late open of the abandoned socket changes nothing.
    h.ws_open(id);
    h.server_sends_ws_text(id, &open_packet("late", &[], 25_000, 20_000, 1_000_000));
    h.expect_no_event();
    h.expect_no_transmit();

    assert_eq!(h.next_timeout_in(), Some(1000));
    h.advance(1000);
    h.expect_events(&[Event::ReconnectAttempt(1), Event::Opening]);
    h.expect_ws_open();
    // The reconnection attempt times out too.
    h.advance(20_000);
    let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
    assert_eq!(
        evs,
        [
            Event::Error(ErrorKind::Timeout),
            Event::ConnectError(s, ErrorKind::Timeout),
            Event::ReconnectError(ErrorKind::Timeout)
        ]
    );
    assert_eq!(h.next_timeout_in(), Some(2000));
}

#[test]
fn websocket_closing_before_the_handshake_is_only_noticed_by_the_open_timeout() {
    // The manager listens only for "open" and "error" while opening: a close
    // (without error) of the first transport leaves it to the open timeout.
    let opts = Options { timeout: Some(5000), randomization_factor: 0.0, ..ws_only() };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    let (ws, _) = h.expect_ws_open();
    h.take_events();
    h.ws_close(ws, 1006, "");
    let evs = h.take_events();
    assert!(!evs.iter().any(|e| matches!(e, Event::Error(_) | Event::ConnectError(..) | Event::Close(..))), "{evs:?}");
    assert!(!h.client.is_reconnecting());
    h.advance(4999);
    h.expect_no_event();
    h.advance(1);
    let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
    assert_eq!(evs, [Event::Error(ErrorKind::Timeout), Event::ConnectError(s, ErrorKind::Timeout)]);
    assert_eq!(h.next_timeout_in(), Some(1000));
}

#[test]
fn engine_failure_before_the_namespace_connects_reports_connect_error_and_disconnect() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    let id = h.open_websocket("E", 25_000, 20_000);
    h.expect_ws_text(id, "40");
    h.take_events();
    h.ws_error(id);
    let d = CloseDetail::Error(ws_error_kind());
    h.expect_events(&[
        Event::Error(ws_error_kind()),
        Event::ConnectError(s, ws_error_kind()),
        Event::EngineClose(Reason::TransportError, d.clone()),
        Event::Close(Reason::TransportError, d.clone()),
        Event::Disconnect(s, Reason::TransportError, d),
    ]);
}

#[test]
fn no_transports_reports_the_error_on_the_next_turn() {
    let opts = Options { transports: Vec::new(), reconnection: false, ..Options::default() };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    // Nothing yet: listeners registered after `io()` still hear the error.
    h.expect_events(&[Event::Opening]);
    h.expect_no_transmit();
    assert_eq!(h.next_timeout_in(), Some(0));
    h.advance(0);
    h.expect_events(&[Event::Error(ErrorKind::NoTransports), Event::ConnectError(s, ErrorKind::NoTransports)]);
    assert_eq!(ErrorKind::NoTransports.message(), "No transports available");
    h.advance(60_000);
    h.expect_no_event();
    h.expect_no_transmit();
}
