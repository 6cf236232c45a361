//! The default options are socket.io-client's.

use socketio_wasm::proto::{Auth, Event, Options, SocketOptions, TransportKind};

use crate::support::*;

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
