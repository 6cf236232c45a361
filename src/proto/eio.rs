//! Engine.IO v4 packets: text and binary frames, long-polling payloads.
//!
//! A text message is read through its [`Codec`]: the packet type from its
//! first character, the handshake from a bounded prefix; a message packet
//! (`4`) is handed on whole, unread, to the Socket.IO layer.

use super::codec::{Codec, TextCodec};

/// The record separator between packets of a long-polling payload.
pub const SEPARATOR: char = '\u{1e}';

/// The longest control packet (handshake, CONNECT, CONNECT_ERROR) the core
/// reads, in characters; a longer one is a decoding error. Event payloads have
/// no such limit: the core never reads them.
pub const CONTROL_LIMIT: usize = 64 * 1024;

/// A packet received from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Packet<C: Codec = TextCodec> {
    /// `0` + the handshake JSON.
    Open(String),
    /// `1`: the server closes the transport.
    Close,
    /// `2` + optional data.
    Ping,
    /// `3` + optional data; `probe` answers an upgrade probe.
    Pong {
        /// The data is `probe`.
        probe: bool,
    },
    /// `4` + text: the whole message, type character included.
    Message(C::Text),
    /// A binary message: a binary frame, or `b` + base64 in a text record.
    Binary(C::Binary),
    /// `5`.
    Upgrade,
    /// `6`.
    Noop,
}

/// Why a frame or payload could not be decoded.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum DecodeError {
    /// An empty text record.
    Empty,
    /// The first character is not a packet type.
    UnknownType,
    /// A `b` record whose base64 is invalid.
    BadBase64,
    /// A handshake longer than [`CONTROL_LIMIT`].
    TooLong,
}

/// Decodes one text frame (WebSocket) or one record of a polling payload.
pub fn decode<C: Codec>(text: C::Text) -> Result<Packet<C>, DecodeError> {
    let kind = C::first_byte(&text).ok_or(DecodeError::Empty)?;
    Ok(match kind {
        b'0' => {
            let (all, whole) = C::prefix(&text, CONTROL_LIMIT);
            if !whole {
                return Err(DecodeError::TooLong);
            }
            Packet::Open(all.get(1..).unwrap_or("").to_owned())
        }
        b'1' => Packet::Close,
        b'2' => Packet::Ping,
        b'3' => {
            let (head, whole) = C::prefix(&text, 8);
            Packet::Pong { probe: whole && head == "3probe" }
        }
        b'4' => Packet::Message(text),
        b'5' => Packet::Upgrade,
        b'6' => Packet::Noop,
        b'b' => Packet::Binary(C::decode_base64(&text).ok_or(DecodeError::BadBase64)?),
        _ => return Err(DecodeError::UnknownType),
    })
}

/// Decodes a long-polling payload: records separated by `\x1e`. Decoding stops
/// at the first bad record; the packets before it are kept, as the reference
/// parser does, and the error is returned beside them.
pub fn decode_payload<C: Codec>(body: C::Text) -> (Vec<Packet<C>>, Option<DecodeError>) {
    let mut packets = Vec::new();
    for record in C::records(body) {
        match decode::<C>(record) {
            Ok(p) => packets.push(p),
            Err(e) => return (packets, Some(e)),
        }
    }
    (packets, None)
}

/// A packet the client writes through the engine's write buffer.
#[derive(Debug, Clone, PartialEq)]
pub enum OutPacket<C: Codec = TextCodec> {
    /// `3`: the answer to the server's ping.
    Pong,
    /// A text message, with its `4` prefix so a WebSocket sends it as is.
    Message(C::Text),
    /// A binary message.
    Binary(C::Binary),
}

impl<C: Codec> OutPacket<C> {
    /// The size the reference client counts against `maxPayload`: UTF-8 bytes of
    /// text data, base64-inflated bytes of binary data.
    pub fn payload_size(&self) -> usize {
        match self {
            OutPacket::Pong => 0,
            OutPacket::Message(s) => C::text_len(s).saturating_sub(1),
            OutPacket::Binary(b) => (C::binary_len(b) as u64 * 133).div_ceil(100) as usize,
        }
    }

    /// This packet as a record of a polling payload.
    pub fn into_record(self) -> C::Text {
        match self {
            OutPacket::Pong => C::text("3".into()),
            OutPacket::Message(s) => s,
            OutPacket::Binary(b) => C::encode_base64(&b),
        }
    }
}

/// Encodes packets as one long-polling payload.
pub fn encode_payload<C: Codec>(packets: Vec<OutPacket<C>>) -> C::Text {
    C::join(packets.into_iter().map(OutPacket::into_record).collect())
}

/// How many packets from the front of `buffer` fit in one polling payload
/// bounded by `max_payload` bytes (always at least one), counted the way the
/// reference client counts: one byte for the first type, then each packet's
/// data plus two bytes (separator and type) between packets.
pub fn batch_len<C: Codec>(buffer: &[OutPacket<C>], max_payload: usize) -> usize {
    if max_payload == 0 || buffer.len() <= 1 {
        return buffer.len();
    }
    let mut size: usize = 1;
    for (i, p) in buffer.iter().enumerate() {
        size = size.saturating_add(p.payload_size());
        if i > 0 && size > max_payload {
            return i;
        }
        size = size.saturating_add(2);
    }
    buffer.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    type P = Packet<TextCodec>;
    type O = OutPacket<TextCodec>;

    fn text(s: &str) -> Result<P, DecodeError> {
        decode::<TextCodec>(s.into())
    }

    fn payload(s: &str) -> (Vec<P>, Option<DecodeError>) {
        decode_payload::<TextCodec>(s.into())
    }

    #[test]
    fn protocol_examples() {
        // From the Engine.IO v4 document.
        let (p, e) = payload("4hello\u{1e}2\u{1e}4world");
        assert_eq!(e, None);
        assert_eq!(p, vec![P::Message("4hello".into()), P::Ping, P::Message("4world".into())]);
        let (p, e) = payload("4hello\u{1e}bAQIDBA==");
        assert_eq!(e, None);
        assert_eq!(p, vec![P::Message("4hello".into()), P::Binary(vec![1, 2, 3, 4])]);
        assert_eq!(text("2probe"), Ok(P::Ping));
        assert_eq!(text("3probe"), Ok(P::Pong { probe: true }));
        assert_eq!(text("3"), Ok(P::Pong { probe: false }));
        assert_eq!(text("3probes"), Ok(P::Pong { probe: false }));
        assert_eq!(text("5"), Ok(P::Upgrade));
        assert_eq!(text("6"), Ok(P::Noop));
        assert_eq!(text("1"), Ok(P::Close));
        let open = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#;
        assert!(matches!(text(open), Ok(P::Open(j)) if j.starts_with("{\"sid\"")));
        let out = encode_payload(vec![O::Message("42[\"hello\"]".into()), O::Message("42[\"world\"]".into())]);
        assert_eq!(out, "42[\"hello\"]\u{1e}42[\"world\"]");
        assert_eq!(
            encode_payload(vec![O::Message("4hello".into()), O::Binary(vec![1, 2, 3, 4])]),
            "4hello\u{1e}bAQIDBA=="
        );
        assert_eq!(encode_payload(vec![O::Pong]), "3");
    }

    #[test]
    fn errors_stop_the_payload() {
        assert_eq!(text(""), Err(DecodeError::Empty));
        assert_eq!(text("9"), Err(DecodeError::UnknownType));
        assert_eq!(text("b!!"), Err(DecodeError::BadBase64));
        let long = format!("0{}", " ".repeat(CONTROL_LIMIT));
        assert_eq!(text(&long), Err(DecodeError::TooLong));
        let (p, e) = payload("4a\u{1e}x\u{1e}4b");
        assert_eq!(p, vec![P::Message("4a".into())]);
        assert_eq!(e, Some(DecodeError::UnknownType));
        let (p, e) = payload("");
        assert!(p.is_empty());
        assert_eq!(e, Some(DecodeError::Empty));
    }

    #[test]
    fn batching_follows_max_payload() {
        let msg = |n: usize| O::Message(format!("4{}", "x".repeat(n)));
        // 1 + 10 + 2 + 10 = 23 bytes fit in 23, not in 22.
        let buf = vec![msg(10), msg(10), msg(10)];
        assert_eq!(batch_len(&buf, 23), 2);
        assert_eq!(batch_len(&buf, 22), 1);
        assert_eq!(batch_len(&buf, 1000), 3);
        // The first packet always goes, even when it alone is too big.
        assert_eq!(batch_len(&[msg(100), msg(1)], 10), 1);
        assert_eq!(batch_len(&[msg(100)], 10), 1);
        // Binary counts with base64 overhead: ceil(300 * 1.33) = 399.
        assert_eq!(O::Binary(vec![0; 300]).payload_size(), 399);
        // Multi-byte text counts UTF-8 bytes.
        assert_eq!(O::Message("4é😀".into()).payload_size(), 6);
        // 0 means "no limit known".
        assert_eq!(batch_len(&buf, 0), 3);
    }
}
