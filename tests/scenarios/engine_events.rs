//! The engine's debugging events (`Event::Engine`): what engine.io-client's
//! socket announces with `packet`, `packetCreate`, `flush`, `drain`, `ping`,
//! `open`, `upgrading` and `error`, in its order relative to the other events.

use socketio_wasm::proto::eio::{OutPacket, Packet};
use socketio_wasm::proto::{Auth, EngineTrace, ErrorKind, Event, Options, SocketOptions, TransportDetail};

use crate::support::*;

fn traced(opts: Options, sopts: SocketOptions) -> (Harness, u32) {
    let mut h = Harness::new("http://localhost:3000", opts);
    h.input(|c, _| c.set_engine_events(true));
    let s = h.socket("/", sopts);
    (h, s)
}

fn message(text: &str) -> Packet {
    Packet::Message(text.to_owned())
}

#[test]
fn the_handshake_announces_packet_then_the_connect_packet_then_open_then_drain() {
    let (mut h, _) = traced(ws_only(), SocketOptions::default());
    let (id, _) = h.expect_ws_open();
    h.ws_open(id);
    h.hold_drains = true;
    let open = open_packet("E1", &[], 25000, 20000, 1_000_000);
    h.server_sends_ws_text(id, &open);
    h.expect_events(&[
        Event::Opening,
        Event::Engine(EngineTrace::Packet(Packet::Open(open[1..].to_owned()))),
        Event::Open,
        Event::Engine(EngineTrace::PacketCreate(OutPacket::Message("40".into()))),
        Event::Engine(EngineTrace::Flush(1)),
        Event::Engine(EngineTrace::Open),
    ]);
    h.release_drains();
    h.expect_events(&[Event::Engine(EngineTrace::Drain)]);

    h.ws_accept(id, "/", "S1");
    h.expect_events(&[Event::Engine(EngineTrace::Packet(message("40{\"sid\":\"S1\"}"))), Event::Connect(0)]);
}

#[test]
fn open_waits_for_the_auth_payload_so_the_connect_packet_comes_first() {
    let (mut h, s) = traced(ws_only(), SocketOptions { auth: Auth::Provider, ..SocketOptions::default() });
    h.open_websocket("E1", 25000, 20000);
    let evs = h.take_events();
    let seq = evs
        .iter()
        .find_map(|e| match e {
            Event::AuthRequest { seq, .. } => Some(*seq),
            _ => None,
        })
        .expect("auth request");
    assert!(!evs.contains(&Event::Engine(EngineTrace::Open)), "{evs:?}");
    h.handle_auth(s, seq, Some("{\"token\":\"t\"}"));
    let evs = h.take_events();
    let create = Event::Engine(EngineTrace::PacketCreate(OutPacket::Message("40{\"token\":\"t\"}".into())));
    let at = |e: &Event| evs.iter().position(|x| x == e);
    assert!(at(&create) < at(&Event::Engine(EngineTrace::Open)), "{evs:?}");
    assert!(at(&Event::Engine(EngineTrace::Open)).is_some(), "{evs:?}");
}

#[test]
fn a_ping_is_answered_then_announced() {
    let (mut h, _) = traced(ws_only(), SocketOptions::default());
    let id = h.open_websocket("E1", 25000, 20000);
    h.ws_accept(id, "/", "S1");
    h.take_events();
    h.take_transmits();
    h.server_sends_ws_text(id, "2");
    h.expect_events(&[
        Event::Engine(EngineTrace::Packet(Packet::Ping)),
        Event::Engine(EngineTrace::PacketCreate(OutPacket::Pong)),
        Event::Engine(EngineTrace::Flush(1)),
        Event::Engine(EngineTrace::Ping),
        Event::Ping,
        Event::Engine(EngineTrace::Drain),
    ]);
    h.expect_ws_text(id, "3");
}

#[test]
fn an_error_is_announced_before_the_close() {
    let (mut h, _) = traced(Options { reconnection: false, ..ws_only() }, SocketOptions::default());
    let (id, _) = h.expect_ws_open();
    h.take_events();
    h.ws_error(id);
    let err = ErrorKind::Transport { message: "websocket error", detail: TransportDetail::None };
    let evs = h.take_events();
    assert_eq!(evs.first(), Some(&Event::Engine(EngineTrace::Error(err))), "{evs:?}");
    // The manager reacts to the error (its `error`, the socket's `connect_error`); the close is last.
    assert!(matches!(evs.last(), Some(Event::EngineClose(..))), "{evs:?}");
}

#[test]
fn the_probe_answer_announces_upgrading() {
    let (mut h, _) = traced(Options::default(), SocketOptions::default());
    let (gid, _) = h.expect_get();
    h.server_answers_poll(gid, &open_packet("E1", &["websocket"], 25000, 20000, 1_000_000));
    let (wid, _) = h.expect_ws_open();
    h.ws_open(wid);
    h.take_events();
    h.server_sends_ws_text(wid, "3probe");
    let evs = h.take_events();
    assert!(
        evs.contains(&Event::Engine(EngineTrace::Upgrading(socketio_wasm::proto::TransportKind::WebSocket))),
        "{evs:?}"
    );
}

#[test]
fn nothing_is_traced_unless_asked() {
    let mut h = Harness::new("http://localhost:3000", ws_only());
    h.socket("/", SocketOptions::default());
    let id = h.open_websocket("E1", 25000, 20000);
    h.ws_accept(id, "/", "S1");
    h.server_sends_ws_text(id, "2");
    assert!(!h.take_events().iter().any(|e| matches!(e, Event::Engine(_))));
}

#[test]
fn the_reconnection_delay_is_announced_after_the_disconnects() {
    let (mut h, _) = traced(ws_only(), SocketOptions::default());
    let id = h.open_websocket("E1", 25000, 20000);
    h.ws_accept(id, "/", "S1");
    h.take_events();
    h.ws_close(id, 1006, "");
    let evs = h.take_events();
    let delay = evs.iter().position(|e| matches!(e, Event::Engine(EngineTrace::ReconnectDelay(d)) if *d > 0));
    let disconnect = evs.iter().position(|e| matches!(e, Event::Disconnect(..)));
    assert!(delay.is_some() && disconnect < delay, "{evs:?}");
    let Some(Event::Engine(EngineTrace::ReconnectDelay(d))) = delay.map(|i| &evs[i]) else { unreachable!() };
    assert_eq!(h.next_timeout_in(), Some(*d));
}
