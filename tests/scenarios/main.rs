//! Scenario tests: the sans-IO core driven on a virtual clock against a
//! scripted server, checked against socket.io-client 4.8 behaviour. One module
//! per topic; `support` is the harness (tests/support/mod.rs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../support/mod.rs"]
mod support;

mod acks;
mod binary;
mod buffering;
mod close;
mod connect;
mod defaults;
mod engine_events;
mod errors;
mod handshake;
mod heartbeat;
mod namespaces;
mod polling;
mod reconnection;
mod recovery;
mod retries;
mod upgrade;

use socketio_wasm::proto::{ErrorKind, Event, Options, SocketOptions, TransportDetail};
use support::*;

const SEP: char = '\u{1e}';

fn ws_error_kind() -> ErrorKind {
    ErrorKind::Transport { message: "websocket error", detail: TransportDetail::None }
}

fn is_token(v: &str) -> bool {
    v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

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
