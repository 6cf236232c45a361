//! Reconnection: the backoff, when it starts and stops, the disconnect reasons, and
//! listeners that act between two turns of a reconnection.

use socketio_wasm::proto::backoff::Rng;
use socketio_wasm::proto::{
    AckError, CloseDetail, Event, Frame, HttpError, Options, Reason, SocketOptions, Transmit, TransportKind,
};

use crate::{support::*, ws_error_kind};

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
