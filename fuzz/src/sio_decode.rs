//! The `sio_decode` driver: Socket.IO packets and the attachment reassembly.

use socketio_wasm::proto::{sio, TextCodec};

use super::text;

/// `sio::decode` of one packet text; a decoded packet must encode to a text
/// that decodes to the same packet.
fn check_sio_decode(s: &str) -> Option<sio::Packet> {
    match sio::decode::<TextCodec>(&format!("4{s}")) {
        Ok(p) => {
            if let sio::Packet::Event { attachments, .. } | sio::Packet::Ack { attachments, .. } = &p {
                assert!(*attachments <= sio::MAX_ATTACHMENTS);
            }
            let e = sio::encode::<TextCodec>(&p);
            assert!(e.starts_with('4'));
            assert_eq!(sio::decode::<TextCodec>(&e).as_ref(), Ok(&p), "{s:?} -> {e:?}");
            Some(p)
        }
        Err(e) => {
            assert!(!e.message().is_empty());
            None
        }
    }
}

/// `sio::decode` on the whole input, then a `Decoder` fed the input's
/// `\x1e`-separated chunks: a chunk starting with `b` is a binary frame (the
/// bytes after the `b`), any other a text frame.
pub fn sio_decode(data: &[u8]) {
    check_sio_decode(&text(data));
    let mut d = sio::Decoder::<TextCodec>::default();
    let mut waiting = 0usize;
    for (n, chunk) in data.split(|&b| b == 0x1e).enumerate() {
        let r = match chunk.split_first() {
            Some((b'b', rest)) => d.add_binary(rest.to_vec()),
            _ => {
                let t = text(chunk);
                check_sio_decode(&t);
                d.add_text(&format!("4{t}"))
            }
        };
        match r {
            Ok(Some((p, atts))) => {
                let expected = match &p {
                    sio::Packet::Event { attachments, .. } | sio::Packet::Ack { attachments, .. } => *attachments,
                    _ => 0,
                };
                assert_eq!(atts.len(), expected);
                waiting = 0;
            }
            Ok(None) => waiting += 1,
            Err(e) => {
                assert!(!e.message().is_empty());
                // The client resets its decoder when it closes on an error;
                // sometimes keep the state to explore what follows.
                if n % 2 == 0 {
                    d.reset();
                    waiting = 0;
                }
            }
        }
        assert!(waiting <= sio::MAX_ATTACHMENTS + 1);
    }
}
