//! Binary events: attachments out over WebSocket and polling, and reassembled in.

use socketio_wasm::proto::{Emit, Event, Frame, Payload, SocketOptions, Transmit};

use crate::{polling_connected, support::*, SEP};

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
