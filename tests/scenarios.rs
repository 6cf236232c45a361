//! Scenario tests: the sans-IO core driven on a virtual clock against a
//! scripted server, checked against socket.io-client 4.8 behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use socketio_wasm::proto::backoff::Rng;
use socketio_wasm::proto::sio::RESERVED_EVENTS;
use socketio_wasm::proto::{
    AckError, Auth, CloseDetail, Emit, EmitError, ErrorKind, Event, Frame, HttpError, Options, Payload, Reason,
    SocketOptions, Transmit, TransportDetail, TransportKind,
};
use support::*;

const SEP: char = '\u{1e}';

fn ws_error_kind() -> ErrorKind {
    ErrorKind::Transport { message: "websocket error", detail: TransportDetail::None }
}

fn is_token(v: &str) -> bool {
    v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

// =========================================================================
// Engine.IO: handshake and request URLs
// =========================================================================

#[test]
fn polling_handshake_takes_open_packet_values_and_builds_request_urls() {
    let opts = Options { query: vec![("token".into(), "a b".into())], ..Options::default() };
    let mut h = Harness::new("http://example.com:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    h.expect_events(&[Event::Opening]);

    // First request: GET with EIO=4, transport=polling, the user query first,
    // a cache-busting `t`, no sid, the path with its trailing slash.
    let (id, url) = h.expect_get();
    h.expect_no_transmit();
    let (base, _) = split_url(&url);
    assert_eq!(base, "http://example.com:3000/socket.io/");
    assert_eq!(query_keys(&url), ["token", "EIO", "transport", "t"]);
    assert_eq!(query_param(&url, "token").as_deref(), Some("a%20b"));
    assert_eq!(query_param(&url, "EIO").as_deref(), Some("4"));
    assert_eq!(query_param(&url, "transport").as_deref(), Some("polling"));
    let t1 = query_param(&url, "t").unwrap();
    assert!(is_token(&t1), "{t1}");
    assert!(h.client.engine_id().is_none());

    h.server_answers_poll(id, &open_packet("SID1", &["websocket"], 300, 200, 1000));
    assert_eq!(h.client.engine_id(), Some("SID1"));
    assert!(h.client.is_open());
    h.expect_events(&[Event::Open]);

    // The socket's CONNECT goes out in a POST; polling goes on with a new GET;
    // the upgrade offered in the open packet is probed.
    let (pid, post_url, body) = h.expect_post();
    assert_eq!((pid, body.as_str()), (id, "40"));
    assert_eq!(query_keys(&post_url), ["token", "EIO", "transport", "sid", "t"]);
    assert_eq!(query_param(&post_url, "sid").as_deref(), Some("SID1"));
    let (gid, get_url) = h.expect_get();
    assert_eq!(gid, id);
    assert_eq!(split_url(&get_url).0, "http://example.com:3000/socket.io/");
    assert_eq!(query_keys(&get_url), ["token", "EIO", "transport", "sid", "t"]);
    assert_eq!(query_param(&get_url, "sid").as_deref(), Some("SID1"));
    let t2 = query_param(&get_url, "t").unwrap();
    assert!(is_token(&t2) && t2 != t1, "{t1} {t2}");
    let (ws, ws_url) = h.expect_ws_open();
    assert_ne!(ws, id);
    assert_eq!(ws_url, "ws://example.com:3000/socket.io/?token=a%20b&EIO=4&transport=websocket&sid=SID1");
    h.expect_no_transmit();

    // pingInterval + pingTimeout is the heartbeat deadline.
    assert_eq!(h.next_timeout_in(), Some(500));

    h.post_done(id);
    h.server_answers_poll(id, "40{\"sid\":\"sock1\"}");
    h.expect_events(&[Event::Connect(s)]);
    assert_eq!(h.client.socket_sid(s), Some("sock1"));
    assert!(h.client.is_connected(s));
}

#[test]
fn request_urls_follow_path_trailing_slash_timestamp_and_https_to_wss() {
    // addTrailingSlash: false strips the slash; https maps to wss; the
    // default port is left out.
    let opts = Options { path: "/custom/".into(), add_trailing_slash: false, ..Options::default() };
    let mut h = Harness::new("https://example.com", opts);
    let (id, url) = h.expect_get();
    assert_eq!(split_url(&url).0, "https://example.com/custom");
    h.server_answers_poll(id, &open_packet("S", &["websocket"], 25_000, 20_000, 1_000_000));
    let (_, ws_url) = h.expect_ws_open();
    assert_eq!(ws_url, "wss://example.com/custom?EIO=4&transport=websocket&sid=S");

    // A query in the address replaces the `query` option.
    let opts = Options { query: vec![("opt".into(), "1".into())], ..Options::default() };
    let mut h = Harness::new("http://example.com/?from=uri&x=%C3%A9", opts);
    let (_, url) = h.expect_get();
    assert_eq!(query_keys(&url), ["from", "x", "EIO", "transport", "t"]);
    assert_eq!(query_param(&url, "x").as_deref(), Some("%C3%A9"));

    // The trailing slash is added to a path without one; a non-default port is kept.
    let opts = Options { path: "/custom".into(), ..Options::default() };
    let mut h = Harness::new("https://example.com:8443", opts);
    let (_, url) = h.expect_get();
    assert_eq!(split_url(&url).0, "https://example.com:8443/custom/");

    // timestampRequests: false drops `t` from polling; true adds it to
    // websocket; timestampParam renames it.
    let opts = Options { timestamp_requests: Some(false), ..Options::default() };
    let mut h = Harness::new("http://example.com", opts);
    let (_, url) = h.expect_get();
    assert_eq!(url, "http://example.com/socket.io/?EIO=4&transport=polling");
    let opts = Options {
        timestamp_requests: Some(true),
        timestamp_param: "ts".into(),
        transports: vec![TransportKind::WebSocket],
        ..Options::default()
    };
    let mut h = Harness::new("http://example.com", opts);
    let (_, url) = h.expect_ws_open();
    assert_eq!(query_keys(&url), ["EIO", "transport", "ts"]);
    assert!(is_token(&query_param(&url, "ts").unwrap()));
}

#[test]
fn websocket_only_handshake() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    let (id, url) = h.expect_ws_open();
    assert_eq!(url, "ws://localhost:3000/socket.io/?EIO=4&transport=websocket");
    h.expect_no_transmit();

    // Opening the socket is not the handshake: nothing is sent before the open packet.
    h.ws_open(id);
    h.expect_no_transmit();
    assert!(!h.client.is_open());
    h.expect_events(&[Event::Opening]);

    h.server_sends_ws_text(id, &open_packet("E", &[], 25_000, 20_000, 1_000_000));
    h.expect_events(&[Event::Open]);
    assert_eq!(h.client.engine_id(), Some("E"));
    assert_eq!(h.client.transport(), Some(TransportKind::WebSocket));
    h.expect_ws_text(id, "40");
    h.expect_no_transmit();
    h.ws_accept(id, "/", "X");
    h.expect_events(&[Event::Connect(s)]);
    assert!(h.log.iter().all(|(_, t)| !matches!(t, Transmit::Get { .. } | Transmit::Post { .. })));
}

// =========================================================================
// Engine.IO: heartbeat
// =========================================================================

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
    let buffered = h.client.send_buffer(s);
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

// =========================================================================
// Engine.IO: long-polling
// =========================================================================

/// A polling session (no upgrade offered) with socket `/` connected; the
/// CONNECT POST is done and one GET is in flight.
fn polling_connected(max_payload: u64) -> (Harness, u32, u32) {
    let mut h = Harness::new("http://localhost:3000", Options::default());
    let s = h.socket("/", SocketOptions::default());
    let id = h.open_polling("E", 25_000, 20_000, max_payload);
    h.expect_post_body(id, "40");
    h.expect_get();
    h.post_done(id);
    h.server_answers_poll(id, "40{\"sid\":\"S\"}");
    h.expect_get();
    h.expect_no_transmit();
    let evs = h.take_events();
    assert_eq!(evs.last(), Some(&Event::Connect(s)));
    (h, id, s)
}

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

// =========================================================================
// Engine.IO: upgrade
// =========================================================================

/// A polling handshake offering websocket; socket `/` connected over polling,
/// POST done, one GET in flight, the probe WebSocket not opened yet.
fn polling_with_probe(opts: Options) -> (Harness, u32, u32, u32) {
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    let (id, _) = h.expect_get();
    h.server_answers_poll(id, &open_packet("E", &["websocket"], 25_000, 20_000, 1_000_000));
    let (ws, _) = h.expect_ws_open();
    h.expect_post_body(id, "40");
    h.expect_get();
    h.post_done(id);
    h.server_answers_poll(id, "40{\"sid\":\"S\"}");
    h.expect_get();
    h.expect_no_transmit();
    let evs = h.take_events();
    assert_eq!(evs.last(), Some(&Event::Connect(s)));
    (h, id, ws, s)
}

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

// =========================================================================
// Engine.IO: close
// =========================================================================

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

// =========================================================================
// Socket.IO: namespaces and connect
// =========================================================================

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

// =========================================================================
// Socket.IO: reconnection
// =========================================================================

/// backo2 as documented: `min * 2^attempt`, one draw deciding size and sign of
/// the deviation, capped at `max`.
fn expected_delays(seed: u64, min: u64, max: u64, jitter: f64, n: usize) -> Vec<u64> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|attempt| {
            let ms = min as f64 * 2f64.powi(attempt as i32);
            let r = rng.next_f64();
            let deviation = (r * jitter * ms).floor();
            let ms = if ((r * 10.0).floor() as u64) % 2 == 0 { ms - deviation } else { ms + deviation };
            ms.min(max as f64) as u64
        })
        .collect()
}

#[test]
fn reconnection_follows_attempts_delays_and_jitter_for_a_fixed_seed() {
    const SEED: u64 = 0x5EED_1234;
    let (min, max, jitter) = (100, 700, 0.5);
    // WebSocket only and no timestamps: the backoff is the only user of the seed.
    let opts = Options {
        reconnection_attempts: 4,
        reconnection_delay: min,
        reconnection_delay_max: max,
        randomization_factor: jitter,
        timeout: None,
        ..ws_only()
    };
    let expected = expected_delays(SEED, min, max, jitter, 4);
    let mut h = Harness::with_seed("http://localhost:3000", opts, SEED);
    let s = h.socket("/", SocketOptions::default());
    let (mut ws, _) = h.expect_ws_open();
    h.take_events();

    // The first connection fails: the reconnection loop starts.
    h.ws_error(ws);
    let evs = h.take_events();
    assert_eq!(&evs[..2], &[Event::Error(ws_error_kind()), Event::ConnectError(s, ws_error_kind())]);
    let mut delays = Vec::new();
    for attempt in 1..=4u32 {
        let delay = h.next_timeout_in().expect("a reconnection is scheduled");
        delays.push(delay);
        h.advance(delay - 1);
        h.take_transmits();
        h.expect_no_event();
        h.advance(1);
        h.expect_events(&[Event::ReconnectAttempt(attempt), Event::Opening]);
        ws = h.expect_ws_open().0;
        h.ws_error(ws);
        let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
        let mut want = vec![Event::Error(ws_error_kind()), Event::ConnectError(s, ws_error_kind())];
        if attempt == 4 {
            want.push(Event::ReconnectFailed);
        }
        want.push(Event::ReconnectError(ws_error_kind()));
        assert_eq!(evs, want, "attempt {attempt}");
    }
    assert_eq!(delays, expected);
    // The jitter did something (this seed moves at least one delay).
    assert_ne!(delays, [100, 200, 400, 700]);
    for (i, d) in delays.iter().enumerate() {
        let base = (min << i) as f64;
        assert!((*d as f64) >= base * (1.0 - jitter) && *d <= max.min((base * (1.0 + jitter)) as u64), "{i}: {d}");
    }
    // Given up: no timer, nothing more.
    assert!(!h.client.is_reconnecting());
    assert_eq!(h.client.poll_timeout(), None);
    h.advance(60_000);
    h.take_transmits();
    h.expect_no_event();
    h.expect_no_transmit();
}

#[test]
fn reconnection_without_jitter_doubles_up_to_the_max_and_resets_after_success() {
    let opts = Options {
        reconnection_delay: 300,
        reconnection_delay_max: 1000,
        randomization_factor: 0.0,
        timeout: None,
        ..ws_only()
    };
    let (mut h, id, s) = ws_connected(opts, SocketOptions::default());
    h.ws_close(id, 1006, "");
    h.take_events();
    let mut delays = Vec::new();
    for attempt in 1..=4u32 {
        delays.push(h.next_timeout_in().unwrap());
        h.advance(delays[delays.len() - 1]);
        h.expect_events(&[Event::ReconnectAttempt(attempt), Event::Opening]);
        let (ws, _) = h.expect_ws_open();
        if attempt < 4 {
            h.ws_error(ws);
            let evs = h.take_events();
            assert!(evs.contains(&Event::ReconnectError(ws_error_kind())), "{evs:?}");
            h.take_transmits();
        } else {
            h.ws_open(ws);
            h.server_sends_ws_text(ws, &open_packet("E", &[], 25_000, 20_000, 1_000_000));
            h.expect_events(&[Event::Open, Event::Reconnect(4)]);
            h.expect_ws_text(ws, "40");
            h.ws_accept(ws, "/", "S2");
            h.expect_events(&[Event::Connect(s)]);
            // The backoff starts over after a success.
            h.ws_close(ws, 1006, "");
            h.take_events();
            assert_eq!(h.next_timeout_in(), Some(300));
        }
    }
    assert_eq!(delays, [300, 600, 1000, 1000]);
}

#[test]
fn a_handshake_without_a_namespace_connect_does_not_start_the_backoff_over() {
    // Behind a load balancer without sticky sessions: every handshake succeeds
    // on one node, and the next request fails on the other. socket.io-client
    // resets its backoff at each handshake and retries at the first delay
    // forever; the backoff grows here until a namespace connects.
    let opts = Options {
        reconnection_delay: 300,
        reconnection_delay_max: 1000,
        randomization_factor: 0.0,
        timeout: None,
        transports: vec![TransportKind::Polling],
        ..Options::default()
    };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions::default());
    let mut delays = Vec::new();
    for attempt in 1..=5u32 {
        let id = h.open_polling("E", 25_000, 20_000, 1_000_000);
        h.poll_fails(id, HttpError::Status(400));
        h.take_events();
        h.take_transmits();
        let d = h.next_timeout_in().expect("a reconnection is scheduled");
        delays.push(d);
        h.advance(d);
        let evs = h.take_events();
        assert!(evs.contains(&Event::ReconnectAttempt(attempt)), "{evs:?}");
    }
    assert_eq!(delays, [300, 600, 1000, 1000, 1000]);
    // A session whose namespace connects starts it over.
    let id = h.open_polling("E", 25_000, 20_000, 1_000_000);
    h.server_answers_poll(id, "40{\"sid\":\"S\"}");
    assert!(h.take_events().contains(&Event::Connect(s)));
    h.poll_fails(id, HttpError::Status(400));
    h.take_events();
    assert_eq!(h.next_timeout_in(), Some(300));
}

#[test]
fn reconnection_off_does_not_reconnect() {
    let opts = Options { reconnection: false, ..ws_only() };
    let (mut h, id, s) = ws_connected(opts, SocketOptions::default());
    h.ws_close(id, 1006, "");
    let evs = h.take_events();
    assert!(evs.contains(&Event::Disconnect(
        s,
        Reason::TransportClose,
        CloseDetail::WebSocket { code: 1006, reason: "".into() }
    )));
    assert!(!h.client.is_reconnecting());
    assert_eq!(h.client.poll_timeout(), None);
    h.advance(60_000);
    h.expect_no_transmit();
    h.expect_no_event();
}

#[test]
fn server_disconnect_is_io_server_disconnect_and_never_reconnects() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.server_sends_ws_text(id, "41");
    let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
    assert_eq!(
        evs,
        [
            Event::Close(Reason::ForcedClose, CloseDetail::None),
            Event::Disconnect(s, Reason::IoServerDisconnect, CloseDetail::None),
        ]
    );
    h.expect_ws_close(id);
    assert!(!h.client.is_active(s));
    h.advance(120_000);
    h.expect_no_transmit();
    h.expect_no_event();

    // With another namespace still active the engine stays open, and a later
    // transport close reconnects only that one.
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let mut h = Harness::new("http://localhost:3000", opts);
    let root = h.socket("/", SocketOptions::default());
    let admin = h.socket("/admin", SocketOptions::default());
    let id = h.open_websocket("E", 25_000, 20_000);
    h.take_ws_texts();
    h.ws_accept(id, "/", "R");
    h.ws_accept(id, "/admin", "A");
    h.take_events();
    h.server_sends_ws_text(id, "41/admin,");
    h.expect_events(&[Event::Disconnect(admin, Reason::IoServerDisconnect, CloseDetail::None)]);
    h.expect_no_transmit();
    assert!(h.client.is_connected(root));
    h.ws_close(id, 1006, "");
    h.take_events();
    h.advance(1000);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    assert_eq!(h.take_ws_texts(), ["40"]);
    h.ws_accept(id2, "/", "R2");
    assert!(!h.client.is_connected(admin));
}

#[test]
fn client_disconnect_is_io_client_disconnect_and_never_reconnects() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.disconnect(s);
    // The DISCONNECT packet is flushed before the WebSocket closes.
    assert_eq!(
        h.take_transmits(),
        [Transmit::WsSend { id, frame: Frame::Text("41".into()) }, Transmit::WsClose { id }]
    );
    let evs: Vec<Event> = h.take_events().into_iter().filter(|e| !matches!(e, Event::EngineClose(..))).collect();
    assert_eq!(
        evs,
        [
            Event::Close(Reason::ForcedClose, CloseDetail::None),
            Event::Disconnect(s, Reason::IoClientDisconnect, CloseDetail::None),
        ]
    );
    assert!(!h.client.is_active(s));
    h.advance(120_000);
    h.expect_no_transmit();
    h.expect_no_event();
    // connect() opens a new connection.
    h.connect(s);
    h.expect_events(&[Event::Opening]);
    h.expect_ws_open();
}

#[test]
fn disconnect_reasons_have_the_reference_strings() {
    let table = [
        (Reason::IoServerDisconnect, "io server disconnect", false),
        (Reason::IoClientDisconnect, "io client disconnect", false),
        (Reason::PingTimeout, "ping timeout", true),
        (Reason::TransportClose, "transport close", true),
        (Reason::TransportError, "transport error", true),
        (Reason::ParseError, "parse error", true),
        (Reason::ForcedClose, "forced close", false),
    ];
    for (r, s, reconnects) in table {
        assert_eq!(r.as_str(), s);
        assert_eq!(r.reconnects(), reconnects, "{s}");
    }
    assert_eq!(AckError::Timeout.message(), "operation has timed out");
    assert_eq!(AckError::Disconnected.message(), "socket has been disconnected");
}

// =========================================================================
// Socket.IO: acknowledgements
// =========================================================================

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

// =========================================================================
// Socket.IO: buffering, volatile, retries, reserved names
// =========================================================================

#[test]
fn emits_while_disconnected_are_buffered_and_flushed_in_order_on_connect() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    h.emit(s, emit("[\"one\"]"));
    h.emit(s, emit_ack("[\"two\"]", 1, false));
    h.emit(s, emit("[\"three\",3]"));
    let (id, _) = h.expect_ws_open();
    h.expect_no_transmit();
    let buf: Vec<(Option<u64>, String)> =
        h.client.send_buffer(s).into_iter().map(|(id, p)| (id, p.data.clone())).collect();
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
    assert!(h.client.send_buffer(s).is_empty());
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
    assert!(h.client.send_buffer(s).is_empty());
    // A name that merely contains a reserved one is fine.
    h.emit(s, emit("[\"connected\"]"));
    assert_eq!(h.take_ws_texts(), ["42[\"connected\"]"]);
}

// =========================================================================
// Socket.IO: binary
// =========================================================================

const TWO_PLACEHOLDERS: &str =
    "[\"file\",{\"_placeholder\":true,\"num\":0},{\"name\":\"x\",\"b\":{\"_placeholder\":true,\"num\":1}}]";

fn binary_emit(token: Option<u32>) -> Emit {
    let mut e = emit(TWO_PLACEHOLDERS);
    e.payload.attachments = vec![vec![1, 2, 3], vec![4, 5]];
    if let Some(token) = token {
        e.ack = Some(socketio_wasm::proto::AckRequest { token, with_error: false });
    }
    e
}

#[test]
fn binary_event_over_websocket_is_one_text_frame_then_binary_frames() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    let s = h.socket("/", SocketOptions::default());
    let a = h.socket("/admin", SocketOptions::default());
    let id = h.open_websocket("E", 25_000, 20_000);
    h.take_ws_texts();
    h.ws_accept(id, "/", "S");
    h.ws_accept(id, "/admin", "A");
    h.emit(s, binary_emit(None));
    h.emit(a, binary_emit(Some(1)));
    let frames: Vec<Frame> = h
        .take_transmits()
        .into_iter()
        .map(|t| match t {
            Transmit::WsSend { id: i, frame } if i == id => frame,
            t => panic!("{t:?}"),
        })
        .collect();
    assert_eq!(
        frames,
        [
            Frame::Text(format!("452-{TWO_PLACEHOLDERS}")),
            Frame::Binary(vec![1, 2, 3]),
            Frame::Binary(vec![4, 5]),
            Frame::Text(format!("452-/admin,0{TWO_PLACEHOLDERS}")),
            Frame::Binary(vec![1, 2, 3]),
            Frame::Binary(vec![4, 5]),
        ]
    );

    // One attachment, and a binary ack answering the server.
    let mut one = emit("[\"blob\",{\"_placeholder\":true,\"num\":0}]");
    one.payload.attachments = vec![vec![0xff]];
    h.emit(s, one);
    h.expect_ws_text(id, "451-[\"blob\",{\"_placeholder\":true,\"num\":0}]");
    h.expect_ws_binary(id, &[0xff]);
    h.input(|c, now| {
        c.ack(now, s, 3, Payload { data: "[{\"_placeholder\":true,\"num\":0}]".into(), attachments: vec![vec![7]] })
    });
    h.expect_ws_text(id, "461-3[{\"_placeholder\":true,\"num\":0}]");
    h.expect_ws_binary(id, &[7]);
    h.expect_no_transmit();
}

#[test]
fn binary_event_over_polling_is_base64_records() {
    let (mut h, id, s) = polling_connected(1_000_000);
    h.emit(s, binary_emit(Some(3)));
    // Each engine write flushes at once, as in the reference client: the
    // packet text leaves in one POST, its attachments follow in the next.
    h.expect_post_body(id, &format!("452-0{TWO_PLACEHOLDERS}"));
    h.expect_no_transmit();
    h.post_done(id);
    h.expect_post_body(id, &format!("bAQID{SEP}bBAU="));
    h.post_done(id);
    // Queued behind a POST in flight, text and attachments share one payload.
    h.emit(s, emit("[\"first\"]"));
    h.emit(s, binary_emit(None));
    h.expect_post_body(id, "42[\"first\"]");
    h.post_done(id);
    h.expect_post_body(id, &format!("452-{TWO_PLACEHOLDERS}{SEP}bAQID{SEP}bBAU="));
}

#[test]
fn incoming_binary_attachments_are_reassembled_across_frames() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    let data = "[\"img\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
    h.server_sends_ws_text(id, &format!("452-{data}"));
    h.expect_no_event();
    h.server_sends_ws_binary(id, &[9, 8, 7]);
    h.expect_no_event();
    h.server_sends_ws_binary(id, &[]);
    h.expect_events(&[Event::Message {
        socket: s,
        payload: Payload { data: data.into(), attachments: vec![vec![9, 8, 7], vec![]] },
        ack: None,
    }]);
    // A binary ack.
    h.emit(s, emit_ack("[\"get\"]", 4, false));
    h.take_ws_texts();
    h.server_sends_ws_text(id, "461-0[{\"_placeholder\":true,\"num\":0}]");
    h.server_sends_ws_binary(id, &[42]);
    h.expect_events(&[Event::Ack {
        socket: s,
        token: 4,
        with_error: false,
        result: Ok(Payload { data: "[{\"_placeholder\":true,\"num\":0}]".into(), attachments: vec![vec![42]] }),
    }]);

    // Over polling the attachments are base64 records of the same payload.
    let (mut h, id, s) = polling_connected(1_000_000);
    h.server_answers_poll(id, &format!("451-[\"img\",{{\"_placeholder\":true,\"num\":0}}]{SEP}bCQgH"));
    h.expect_events(&[Event::Message {
        socket: s,
        payload: Payload {
            data: "[\"img\",{\"_placeholder\":true,\"num\":0}]".into(),
            attachments: vec![vec![9, 8, 7]],
        },
        ack: None,
    }]);
}

// =========================================================================
// Socket.IO: parse errors
// =========================================================================

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

// =========================================================================
// Socket.IO: connection state recovery
// =========================================================================

#[test]
fn connection_state_recovery_sends_pid_and_offset_and_reports_recovered() {
    let opts = Options { randomization_factor: 0.0, ..ws_only() };
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", SocketOptions { auth: Auth::Json("{\"token\":\"t\"}".into()), ..Default::default() });
    let id = h.open_websocket("E", 25_000, 20_000);
    h.expect_ws_text(id, "40{\"token\":\"t\"}");
    h.server_sends_ws_text(id, "40{\"sid\":\"s1\",\"pid\":\"p1\"}");
    assert!(h.client.is_connected(s));
    assert!(!h.client.is_recovered(s));

    // The last string argument of each event is the offset.
    h.server_sends_ws_text(id, "42[\"m\",1,\"off1\"]");
    h.server_sends_ws_text(id, "42[\"m\",\"off2\"]");
    // Not an offset: an event with an ack id, a non-string last argument.
    h.server_sends_ws_text(id, "427[\"m\",\"with-ack\"]");
    h.server_sends_ws_text(id, "42[\"m\",5]");
    h.ws_close(id, 1006, "");
    h.take_events();
    h.advance(1000);
    let id2 = h.open_websocket("E2", 25_000, 20_000);
    h.expect_ws_text(id2, "40{\"pid\":\"p1\",\"offset\":\"off2\",\"token\":\"t\"}");
    h.server_sends_ws_text(id2, "40{\"sid\":\"s2\",\"pid\":\"p1\"}");
    assert!(h.client.is_recovered(s));
    assert_eq!(h.client.socket_sid(s), Some("s2"));

    // The server could not recover: a new pid.
    h.server_sends_ws_text(id2, "42[\"m\",\"off3\"]");
    h.ws_close(id2, 1006, "");
    h.take_events();
    h.advance(1000);
    let id3 = h.open_websocket("E3", 25_000, 20_000);
    h.expect_ws_text(id3, "40{\"pid\":\"p1\",\"offset\":\"off3\",\"token\":\"t\"}");
    h.server_sends_ws_text(id3, "40{\"sid\":\"s3\",\"pid\":\"p2\"}");
    assert!(!h.client.is_recovered(s));

    // The offset is kept across the pid change; without auth only pid and offset go.
    h.client.set_auth(s, Auth::None);
    h.ws_close(id3, 1006, "");
    h.take_events();
    h.advance(1000);
    let id4 = h.open_websocket("E4", 25_000, 20_000);
    h.expect_ws_text(id4, "40{\"pid\":\"p2\",\"offset\":\"off3\"}");
}

// =========================================================================
// More close paths
// =========================================================================

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

#[test]
fn client_disconnect_during_reconnection_cancels_it() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.ws_close(id, 1006, "");
    h.take_events();
    assert!(h.client.is_reconnecting());
    assert!(h.client.poll_timeout().is_some());
    h.disconnect(s);
    // Not connected: no "disconnect" event again, but the loop stops.
    let evs = h.take_events();
    assert!(!evs.iter().any(|e| matches!(e, Event::Disconnect(..))), "{evs:?}");
    assert!(!h.client.is_reconnecting());
    assert!(!h.client.is_active(s));
    h.advance(120_000);
    h.expect_no_transmit();
    h.expect_no_event();
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

// =========================================================================
// Defaults, listeners that act between turns, edge options
// =========================================================================

#[test]
fn defaults_are_socket_io_clients() {
    let o = Options::default();
    assert_eq!(o.path, "/socket.io");
    assert_eq!(o.transports, [TransportKind::Polling, TransportKind::WebSocket]);
    assert!(o.upgrade && !o.remember_upgrade && !o.try_all_transports);
    assert_eq!((o.timestamp_requests, o.timestamp_param.as_str()), (None, "t"));
    assert!(o.add_trailing_slash && !o.close_on_beforeunload && o.auto_connect);
    assert!(o.reconnection);
    assert_eq!(o.reconnection_attempts, u32::MAX);
    assert_eq!((o.reconnection_delay, o.reconnection_delay_max), (1000, 5000));
    assert_eq!(o.randomization_factor, 0.5);
    assert_eq!(o.timeout, Some(20_000));
    let so = SocketOptions::default();
    assert_eq!((so.auth, so.retries, so.ack_timeout), (Auth::None, 0, None));

    // With the default reconnection options, every failed attempt schedules
    // another (no limit), each delay within 1000 * 2^(n-1) * (1 +- 0.5) and
    // never above 5000.
    let mut h = Harness::new("http://localhost:3000", Options { timeout: None, ..ws_only() });
    h.socket("/", SocketOptions::default());
    let (mut ws, _) = h.expect_ws_open();
    h.ws_error(ws);
    let mut delays = Vec::new();
    for attempt in 1..=60u32 {
        let d = h.next_timeout_in().expect("reconnection keeps going");
        delays.push(d);
        let base = 1000f64 * 2f64.powi(attempt as i32 - 1);
        assert!(d as f64 >= (base * 0.5).min(5000.0) && d as f64 <= (base * 1.5).min(5000.0), "attempt {attempt}: {d}");
        h.advance(d);
        ws = h.expect_ws_open().0;
        h.ws_error(ws);
        let evs = h.take_events();
        assert!(evs.contains(&Event::ReconnectAttempt(attempt)), "{evs:?}");
        assert!(!evs.contains(&Event::ReconnectFailed), "{evs:?}");
    }
    // As in backo2 the jitter applies before the cap: the first delays vary,
    // and once 1000 * 2^(n-1) * 0.5 passes 5000 every delay is 5000.
    assert!(delays[..3].iter().any(|d| ![1000, 2000, 4000].contains(d)), "{delays:?}");
    assert!(delays[5..].iter().all(|d| *d == 5000), "{delays:?}");
}

/// Runs the reconnection timer up to the `reconnect_attempt` announcement
/// (the engine is opened on the next turn).
fn announce_attempt(h: &mut Harness) {
    let d = h.next_timeout_in().expect("a reconnection is scheduled");
    h.jump(d);
    h.input(|c, now| c.handle_timeout(now));
    h.expect_events(&[Event::ReconnectAttempt(1)]);
    h.expect_no_transmit();
    assert_eq!(h.next_timeout_in(), Some(0), "the attempt opens on the next turn");
}

#[test]
fn a_reconnect_attempt_listener_may_turn_reconnection_off() {
    let (mut h, id, s) = ws_connected(ws_only(), SocketOptions::default());
    h.ws_close(id, 1006, "");
    h.take_events();
    announce_attempt(&mut h);
    // The listener turns reconnection off before the engine opens.
    h.input(|c, _| c.set_reconnection(false));
    h.advance(60_000);
    h.expect_no_transmit();
    h.expect_no_event();
    assert!(!h.client.is_reconnecting());
    assert!(h.client.is_active(s), "the socket still wants to connect");
    // A later connect() opens again at once.
    h.input(|c, _| c.set_reconnection(true));
    h.connect(s);
    h.expect_ws_open();
}

#[test]
fn options_changed_before_a_reconnect_attempt_apply_to_it() {
    let opts = Options { query: vec![("v".into(), "1".into())], ..ws_only() };
    let (mut h, id, _) = ws_connected(opts.clone(), SocketOptions::default());
    h.ws_close(id, 1006, "");
    h.take_events();
    announce_attempt(&mut h);
    // As `socket.io.opts.query.v = 2; socket.io.opts.transports = ["polling"]`
    // in a reconnect_attempt listener.
    let changed = Options {
        query: vec![("v".into(), "2".into())],
        transports: vec![TransportKind::Polling],
        path: "/rt".into(),
        ..opts
    };
    h.input(|c, _| c.reconfigure(changed));
    h.advance(0);
    h.expect_events(&[Event::Opening]);
    let (_, url) = h.expect_get();
    assert!(url.starts_with("http://localhost:3000/rt/?"), "{url}");
    assert_eq!(query_param(&url, "v").as_deref(), Some("2"));
    assert_eq!(query_param(&url, "transport").as_deref(), Some("polling"));
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
