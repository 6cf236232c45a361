//! The `eio_payload` driver: an Engine.IO polling payload, and the batches the
//! client writes.

use socketio_wasm::proto::{eio, TextCodec};

use super::text;

/// `eio::decode_payload`, checked against record-by-record decoding, and the
/// decoded packets encoded and decoded again.
pub fn eio_payload(data: &[u8]) {
    let s = text(data);
    let (packets, err) = eio::decode_payload::<TextCodec>(s.clone());
    let records: Vec<&str> = s.split(eio::SEPARATOR).collect();
    assert!(packets.len() <= records.len());
    for (p, r) in packets.iter().zip(&records) {
        assert_eq!(eio::decode::<TextCodec>((*r).to_owned()).as_ref(), Ok(p));
    }
    match err {
        None => assert_eq!(packets.len(), records.len()),
        Some(e) => assert_eq!(eio::decode::<TextCodec>(records[packets.len()].to_owned()).err(), Some(e)),
    }
    // What the client could write back: messages, binaries, pongs.
    let out: Vec<eio::OutPacket> = packets
        .iter()
        .filter_map(|p| match p {
            eio::Packet::Message(d) => Some(eio::OutPacket::Message(d.clone())),
            eio::Packet::Binary(b) => Some(eio::OutPacket::Binary(b.clone())),
            eio::Packet::Pong { probe: false } => Some(eio::OutPacket::Pong),
            _ => None,
        })
        .collect();
    check_out_packets(&out, data.first().map_or(0, |&b| usize::from(b) * 7));
}

/// `encode_payload` then `decode_payload` gives the packets back, and
/// `batch_len` takes at least one and at most all of them.
pub fn check_out_packets(out: &[eio::OutPacket], max_payload: usize) {
    let body = eio::encode_payload(out.to_vec());
    let (back, err) = eio::decode_payload::<TextCodec>(body.clone());
    if out.is_empty() {
        assert_eq!(err, Some(eio::DecodeError::Empty));
        return;
    }
    assert_eq!(err, None, "{body:?}");
    assert_eq!(back.len(), out.len(), "{body:?}");
    for (o, b) in out.iter().zip(&back) {
        match (o, b) {
            (eio::OutPacket::Pong, eio::Packet::Pong { probe: false }) => {}
            (eio::OutPacket::Message(m), eio::Packet::Message(d)) => assert_eq!(m, d),
            (eio::OutPacket::Binary(x), eio::Packet::Binary(y)) => assert_eq!(x, y),
            _ => panic!("round trip changed {o:?} into {b:?}"),
        }
    }
    let n = eio::batch_len(out, max_payload);
    assert!(n >= 1 && n <= out.len());
}
