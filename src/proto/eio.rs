//! Engine.IO v4 packets: text and binary frames, long-polling payloads.

use super::base64;

/// The record separator between packets of a long-polling payload.
pub const SEPARATOR: char = '\u{1e}';

/// A packet received from the server.
#[derive(Debug, PartialEq, Eq)]
pub enum Packet<'a> {
    /// `0` + the handshake JSON.
    Open(&'a str),
    /// `1`: the server closes the transport.
    Close,
    /// `2` + optional data (`probe` during an upgrade).
    Ping(&'a str),
    /// `3` + optional data.
    Pong(&'a str),
    /// `4` + text.
    Message(&'a str),
    /// A binary message: a binary frame, or `b` + base64 in a text record.
    Binary(Vec<u8>),
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
}

/// Decodes one text frame (WebSocket) or one record of a polling payload.
pub fn decode_text(s: &str) -> Result<Packet<'_>, DecodeError> {
    let mut chars = s.chars();
    let kind = chars.next().ok_or(DecodeError::Empty)?;
    let data = chars.as_str();
    Ok(match kind {
        '0' => Packet::Open(data),
        '1' => Packet::Close,
        '2' => Packet::Ping(data),
        '3' => Packet::Pong(data),
        '4' => Packet::Message(data),
        '5' => Packet::Upgrade,
        '6' => Packet::Noop,
        'b' => Packet::Binary(base64::decode(data).ok_or(DecodeError::BadBase64)?),
        _ => return Err(DecodeError::UnknownType),
    })
}

/// Decodes a long-polling payload: records separated by `\x1e`. Decoding stops
/// at the first bad record; the packets before it are kept, as the reference
/// parser does, and the error is returned beside them.
pub fn decode_payload(body: &str) -> (Vec<Packet<'_>>, Option<DecodeError>) {
    let mut packets = Vec::new();
    for record in body.split(SEPARATOR) {
        match decode_text(record) {
            Ok(p) => packets.push(p),
            Err(e) => return (packets, Some(e)),
        }
    }
    (packets, None)
}

/// A packet the client writes through the engine's write buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutPacket {
    /// `3`: the answer to the server's ping.
    Pong,
    /// A text message, stored with its `4` prefix so a WebSocket sends it as is.
    Message(String),
    /// A binary message.
    Binary(Vec<u8>),
}

impl OutPacket {
    /// The size the reference client counts against `maxPayload`: UTF-8 bytes of
    /// text data, base64-inflated bytes of binary data.
    pub fn payload_size(&self) -> usize {
        match self {
            OutPacket::Pong => 0,
            OutPacket::Message(s) => s.len().saturating_sub(1),
            OutPacket::Binary(b) => (b.len() as u64 * 133).div_ceil(100) as usize,
        }
    }

    /// Appends this packet as a record of a polling payload.
    pub fn encode_record(&self, out: &mut String) {
        match self {
            OutPacket::Pong => out.push('3'),
            OutPacket::Message(s) => out.push_str(s),
            OutPacket::Binary(b) => {
                out.push('b');
                base64::encode_into(b, out);
            }
        }
    }
}

/// Encodes packets as one long-polling payload.
pub fn encode_payload(packets: &[OutPacket]) -> String {
    let mut out = String::new();
    for (i, p) in packets.iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        p.encode_record(&mut out);
    }
    out
}

/// How many packets from the front of `buffer` fit in one polling payload
/// bounded by `max_payload` bytes (always at least one), counted the way the
/// reference client counts: one byte for the first type, then each packet's
/// data plus two bytes (separator and type) between packets.
pub fn batch_len(buffer: &[OutPacket], max_payload: usize) -> usize {
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

    #[test]
    fn protocol_examples() {
        // From the Engine.IO v4 document.
        let (p, e) = decode_payload("4hello\u{1e}2\u{1e}4world");
        assert_eq!(e, None);
        assert_eq!(p, vec![Packet::Message("hello"), Packet::Ping(""), Packet::Message("world")]);
        let (p, e) = decode_payload("4hello\u{1e}bAQIDBA==");
        assert_eq!(e, None);
        assert_eq!(p, vec![Packet::Message("hello"), Packet::Binary(vec![1, 2, 3, 4])]);
        assert_eq!(decode_text("2probe"), Ok(Packet::Ping("probe")));
        assert_eq!(decode_text("3probe"), Ok(Packet::Pong("probe")));
        assert_eq!(decode_text("5"), Ok(Packet::Upgrade));
        assert_eq!(decode_text("6"), Ok(Packet::Noop));
        assert_eq!(decode_text("1"), Ok(Packet::Close));
        let open = r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#;
        assert!(matches!(decode_text(open), Ok(Packet::Open(j)) if j.starts_with("{\"sid\"")));
        let out =
            encode_payload(&[OutPacket::Message("42[\"hello\"]".into()), OutPacket::Message("42[\"world\"]".into())]);
        assert_eq!(out, "42[\"hello\"]\u{1e}42[\"world\"]");
        assert_eq!(
            encode_payload(&[OutPacket::Message("4hello".into()), OutPacket::Binary(vec![1, 2, 3, 4])]),
            "4hello\u{1e}bAQIDBA=="
        );
        assert_eq!(encode_payload(&[OutPacket::Pong]), "3");
    }

    #[test]
    fn errors_stop_the_payload() {
        assert_eq!(decode_text(""), Err(DecodeError::Empty));
        assert_eq!(decode_text("9"), Err(DecodeError::UnknownType));
        assert_eq!(decode_text("b!!"), Err(DecodeError::BadBase64));
        let (p, e) = decode_payload("4a\u{1e}x\u{1e}4b");
        assert_eq!(p, vec![Packet::Message("a")]);
        assert_eq!(e, Some(DecodeError::UnknownType));
        let (p, e) = decode_payload("");
        assert!(p.is_empty());
        assert_eq!(e, Some(DecodeError::Empty));
    }

    #[test]
    fn batching_follows_max_payload() {
        let msg = |n: usize| OutPacket::Message(format!("4{}", "x".repeat(n)));
        // 1 + 10 + 2 + 10 = 23 bytes fit in 23, not in 22.
        let buf = vec![msg(10), msg(10), msg(10)];
        assert_eq!(batch_len(&buf, 23), 2);
        assert_eq!(batch_len(&buf, 22), 1);
        assert_eq!(batch_len(&buf, 1000), 3);
        // The first packet always goes, even when it alone is too big.
        assert_eq!(batch_len(&[msg(100), msg(1)], 10), 1);
        assert_eq!(batch_len(&[msg(100)], 10), 1);
        // Binary counts with base64 overhead: ceil(300 * 1.33) = 399.
        assert_eq!(OutPacket::Binary(vec![0; 300]).payload_size(), 399);
        // Multi-byte text counts UTF-8 bytes.
        assert_eq!(OutPacket::Message("4é😀".into()).payload_size(), 6);
        // 0 means "no limit known".
        assert_eq!(batch_len(&buf, 0), 3);
    }
}
