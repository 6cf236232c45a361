//! The `eio_text` driver: one Engine.IO record.

use socketio_wasm::proto::{eio, TextCodec};

use super::{b64, text};

/// `eio::decode` on one record, with the re-encoding of what it decoded.
pub fn eio_text(data: &[u8]) {
    let s = text(data);
    match eio::decode::<TextCodec>(s.clone()) {
        Ok(p) => {
            match &p {
                eio::Packet::Open(d) => {
                    assert_eq!(1 + d.len(), s.len(), "the data is the rest of the record");
                    assert!(s.ends_with(d.as_str()));
                }
                eio::Packet::Message(d) => assert_eq!(d, &s, "a message is handed on whole"),
                eio::Packet::Pong { probe } => assert_eq!(*probe, s == "3probe"),
                eio::Packet::Binary(b) => {
                    assert_eq!(eio::decode::<TextCodec>(format!("b{}", b64(b))), Ok(eio::Packet::Binary(b.clone())));
                }
                eio::Packet::Ping | eio::Packet::Close | eio::Packet::Upgrade | eio::Packet::Noop => {}
            }
            if let eio::Packet::Message(d) = &p {
                let rec = eio::OutPacket::<TextCodec>::Message(d.clone()).into_record();
                assert_eq!(eio::decode::<TextCodec>(rec), Ok(eio::Packet::Message(d.clone())));
            }
        }
        Err(eio::DecodeError::Empty) => assert!(s.is_empty()),
        Err(_) => assert!(!s.is_empty()),
    }
}
