//! Engine.IO handshake: the open packet and the request URLs.

use socketio_wasm::proto::{Event, Options, SocketOptions, Transmit, TransportKind};

use crate::{is_token, support::*};

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
