//! Connection state recovery: the session id and offset sent back, `recovered`.

use socketio_wasm::proto::{Auth, Options, SocketOptions};

use crate::support::*;

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
