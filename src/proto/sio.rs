//! Socket.IO v5 packets and the reassembly of binary attachments.
//!
//! Format: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]`.
//! The core reads the header from a bounded prefix of the message; an event's
//! or ack's JSON payload is left to the [`Codec`], which parses it once. Binary
//! values are `{"_placeholder":true,"num":N}` placeholders in the payload plus a
//! list of attachments.
//!
//! One piece: the header reader, the control-packet checks and the encoder
//! are one format (with its tests, about half of the file).

use super::codec::{Codec, TextCodec};
use super::eio::CONTROL_LIMIT;

/// The most attachments one packet may announce (the reference decoder's default).
pub const MAX_ATTACHMENTS: usize = 10;

/// Event names the client may neither send nor receive.
pub const RESERVED_EVENTS: [&str; 6] =
    ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

/// True when the client may neither send nor receive an event of this name.
pub fn is_reserved(name: &str) -> bool {
    RESERVED_EVENTS.contains(&name)
}

/// The longest packet header read (type, attachments, namespace, ack id), in
/// characters; a longer one is refused.
pub const HEADER_LIMIT: usize = 4096;

/// How much of a message is read first: enough for the header of nearly every
/// packet (a longer namespace is read again up to [`HEADER_LIMIT`]).
const FIRST_READ: usize = 64;

/// A decoded (or to-be-encoded) Socket.IO packet; `A` holds event arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Packet<A = String> {
    /// `0`: connect to a namespace; the server's answer carries `{"sid":..}`.
    Connect {
        /// The namespace.
        nsp: String,
        /// The JSON object (auth from the client, sid/pid from the server).
        data: Option<String>,
    },
    /// `1`: leave a namespace.
    Disconnect {
        /// The namespace.
        nsp: String,
    },
    /// `2` (or `5` with attachments): an event, `["name", ...args]`.
    Event {
        /// The namespace.
        nsp: String,
        /// The acknowledgement id the sender waits on.
        id: Option<u64>,
        /// The arguments.
        data: A,
        /// How many binary attachments follow (0 for a plain EVENT).
        attachments: usize,
    },
    /// `3` (or `6` with attachments): the answer to an event with an ack id.
    Ack {
        /// The namespace.
        nsp: String,
        /// The acknowledgement id being answered.
        id: Option<u64>,
        /// The arguments.
        data: A,
        /// How many binary attachments follow.
        attachments: usize,
    },
    /// `4`: the namespace refused the connection.
    ConnectError {
        /// The namespace.
        nsp: String,
        /// A JSON object `{"message":..,"data":..}` or a JSON string.
        data: String,
    },
}

/// Why a Socket.IO packet could not be decoded; each maps to a message of the
/// reference decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The first character is not a packet type.
    UnknownType,
    /// The attachment count is not a positive number followed by `-`.
    IllegalAttachments,
    /// More than [`MAX_ATTACHMENTS`] attachments.
    TooManyAttachments,
    /// The ack id does not fit in 64 bits.
    BadAckId,
    /// The payload is not JSON, or not of the shape the type requires.
    InvalidPayload,
    /// A header longer than [`HEADER_LIMIT`], or a control packet longer than
    /// [`CONTROL_LIMIT`].
    TooLong,
    /// A text packet arrived while attachments were still expected.
    UnexpectedText,
    /// A binary frame arrived when no attachment was expected.
    UnexpectedBinary,
}

impl DecodeError {
    /// The reference decoder's message for this error.
    pub fn message(self) -> &'static str {
        match self {
            DecodeError::UnknownType => "unknown packet type",
            DecodeError::IllegalAttachments => "Illegal attachments",
            DecodeError::TooManyAttachments => "too many attachments",
            DecodeError::BadAckId => "invalid ack id",
            DecodeError::InvalidPayload => "invalid payload",
            DecodeError::TooLong => "packet too long",
            DecodeError::UnexpectedText => "got plaintext data when reconstructing a packet",
            DecodeError::UnexpectedBinary => "got binary data when not reconstructing a packet",
        }
    }
}

fn is_digit(b: Option<&u8>) -> bool {
    b.is_some_and(u8::is_ascii_digit)
}

/// A packet header, read from the start of an Engine.IO message (`4...`).
struct Header {
    kind: u8,
    attachments: usize,
    nsp: String,
    id: Option<u64>,
    /// Byte offset of the payload in the prefix read.
    end: usize,
}

/// Reads the header from `text`, the start of a message (`whole` when it is
/// all of it). `Ok(None)`: the prefix ended inside the header.
fn header(text: &str, whole: bool) -> Result<Option<Header>, DecodeError> {
    let b = text.as_bytes();
    let cut = |i: usize| !whole && i >= b.len();
    let kind = match b.get(1) {
        Some(c @ b'0'..=b'6') => c - b'0',
        None if cut(1) => return Ok(None),
        _ => return Err(DecodeError::UnknownType),
    };
    let mut i = 2;
    let mut attachments = 0usize;
    if kind == 5 || kind == 6 {
        let start = i;
        while is_digit(b.get(i)) {
            i += 1;
        }
        if cut(i) {
            return Ok(None);
        }
        if i == start || b.get(i) != Some(&b'-') {
            return Err(DecodeError::IllegalAttachments);
        }
        for &d in b.get(start..i).unwrap_or_default() {
            attachments = attachments.saturating_mul(10).saturating_add(usize::from(d - b'0'));
        }
        if attachments == 0 {
            // A binary packet announces at least one attachment.
            return Err(DecodeError::IllegalAttachments);
        }
        if attachments > MAX_ATTACHMENTS {
            return Err(DecodeError::TooManyAttachments);
        }
        i += 1;
    }
    let mut nsp = String::from("/");
    if b.get(i) == Some(&b'/') {
        let start = i;
        while b.get(i).is_some_and(|&c| c != b',') {
            i += 1;
        }
        if cut(i) {
            return Ok(None);
        }
        // Both ends are ASCII ('/' and ',' or the end): a slice of the text,
        // with no UTF-8 check.
        nsp = text.get(start..i).ok_or(DecodeError::InvalidPayload)?.to_owned();
        if i < b.len() {
            i += 1; // the comma
        }
    }
    let mut id = None;
    if is_digit(b.get(i)) {
        let mut v: u64 = 0;
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            v = v.checked_mul(10).and_then(|v| v.checked_add(u64::from(d - b'0'))).ok_or(DecodeError::BadAckId)?;
            i += 1;
        }
        if cut(i) {
            return Ok(None);
        }
        id = Some(v);
    }
    Ok(Some(Header { kind, attachments, nsp, id, end: i }))
}

/// Decodes one Socket.IO packet: the text of an Engine.IO message, its `4`
/// type included. Only the header and control packets are read here; an
/// event's or ack's arguments are parsed by the codec.
pub fn decode<C: Codec>(text: &C::Text) -> Result<Packet<C::Args>, DecodeError> {
    let (mut prefix, mut whole) = C::prefix(text, FIRST_READ);
    let h = match header(&prefix, whole)? {
        Some(h) => h,
        None => {
            (prefix, whole) = C::prefix(text, HEADER_LIMIT);
            header(&prefix, whole)?.ok_or(DecodeError::TooLong)?
        }
    };
    let Header { kind, attachments, nsp, id, end } = h;
    if matches!(kind, 2 | 3 | 5 | 6) {
        let has_payload = !(whole && end == prefix.len());
        let head = prefix.get(..end).ok_or(DecodeError::InvalidPayload)?;
        let event = matches!(kind, 2 | 5);
        let data = if has_payload { C::args(text, head, event) } else { None };
        let data = data.ok_or(DecodeError::InvalidPayload)?;
        return Ok(if event {
            Packet::Event { nsp, id, data, attachments }
        } else {
            Packet::Ack { nsp, id, data, attachments }
        });
    }
    // A control packet: read whole, and small.
    if !whole {
        (prefix, whole) = C::prefix(text, CONTROL_LIMIT);
        if !whole {
            return Err(DecodeError::TooLong);
        }
    }
    let data = prefix.get(end..).unwrap_or("");
    let has_payload = !data.is_empty();
    let valid = match kind {
        0 => !has_payload || C::object(data).is_some(),
        1 => !has_payload,
        _ => {
            has_payload
                && match data.as_bytes().first() {
                    Some(b'"') => C::json_string(data).is_some(),
                    _ => C::object(data).is_some(),
                }
        }
    };
    if !valid {
        return Err(DecodeError::InvalidPayload);
    }
    Ok(match kind {
        0 => Packet::Connect { nsp, data: has_payload.then(|| data.to_owned()) },
        1 => Packet::Disconnect { nsp },
        _ => Packet::ConnectError { nsp, data: data.to_owned() },
    })
}

// `n` counts down from 20 and a u64 has at most 20 decimal digits.
#[allow(clippy::indexing_slicing)]
fn push_u64(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut n = buf.len();
    loop {
        n -= 1;
        buf[n] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &d in &buf[n..] {
        super::push_ascii(out, d);
    }
}

/// The header of a packet as an Engine.IO message: `4`, the type, the
/// attachment count, the namespace and the ack id.
pub fn encode_header(kind: u8, nsp: &str, id: Option<u64>, attachments: usize) -> String {
    let mut out = String::with_capacity(8 + nsp.len());
    super::push_ascii(&mut out, b'4');
    super::push_ascii(&mut out, b'0' + kind);
    if attachments > 0 {
        push_u64(&mut out, attachments as u64);
        super::push_ascii(&mut out, b'-');
    }
    if !nsp.is_empty() && nsp != "/" {
        out.push_str(nsp);
        super::push_ascii(&mut out, b',');
    }
    if let Some(id) = id {
        push_u64(&mut out, id);
    }
    out
}

/// Encodes a packet as the text of an Engine.IO message, with the `4` prefix
/// of the Engine.IO message type included.
pub fn encode<C: Codec>(p: &Packet<C::Args>) -> C::Text {
    let (kind, nsp, id, attachments) = match p {
        Packet::Connect { nsp, .. } => (0, nsp, None, 0),
        Packet::Disconnect { nsp } => (1, nsp, None, 0),
        Packet::Event { nsp, id, attachments, .. } => (if *attachments > 0 { 5 } else { 2 }, nsp, *id, *attachments),
        Packet::Ack { nsp, id, attachments, .. } => (if *attachments > 0 { 6 } else { 3 }, nsp, *id, *attachments),
        Packet::ConnectError { nsp, .. } => (4, nsp, None, 0),
    };
    let mut head = encode_header(kind, nsp, id, attachments);
    match p {
        Packet::Event { data, .. } | Packet::Ack { data, .. } => C::message(&head, data),
        Packet::Connect { data, .. } => {
            head.push_str(data.as_deref().unwrap_or(""));
            C::text(head)
        }
        Packet::ConnectError { data, .. } => {
            head.push_str(data);
            C::text(head)
        }
        Packet::Disconnect { .. } => C::text(head),
    }
}

/// A packet whose announced attachments have not all arrived.
#[derive(Debug)]
pub struct Reassembly<C: Codec> {
    packet: Packet<C::Args>,
    expected: usize,
    buffers: Vec<C::Binary>,
}

/// The decoding state of one connection: text packets, then the binary frames
/// their attachments arrive in.
#[derive(Debug)]
pub struct Decoder<C: Codec = TextCodec> {
    pending: Option<Reassembly<C>>,
}

impl<C: Codec> Default for Decoder<C> {
    fn default() -> Self {
        Decoder { pending: None }
    }
}

/// A complete packet with its attachments.
pub type Decoded<C> = (Packet<<C as Codec>::Args>, Vec<<C as Codec>::Binary>);

impl<C: Codec> Decoder<C> {
    /// Feeds a text message (`4...`). Returns the packet when it is complete.
    pub fn add_text(&mut self, s: &C::Text) -> Result<Option<Decoded<C>>, DecodeError> {
        if self.pending.is_some() {
            return Err(DecodeError::UnexpectedText);
        }
        let packet = decode::<C>(s)?;
        let expected = match &packet {
            Packet::Event { attachments, .. } | Packet::Ack { attachments, .. } => *attachments,
            _ => 0,
        };
        if expected == 0 {
            return Ok(Some((packet, Vec::new())));
        }
        self.pending = Some(Reassembly { packet, expected, buffers: Vec::with_capacity(expected) });
        Ok(None)
    }

    /// Feeds a binary message (an attachment).
    pub fn add_binary(&mut self, data: C::Binary) -> Result<Option<Decoded<C>>, DecodeError> {
        let r = self.pending.as_mut().ok_or(DecodeError::UnexpectedBinary)?;
        r.buffers.push(data);
        if r.buffers.len() < r.expected {
            return Ok(None);
        }
        Ok(self.pending.take().map(|r| (r.packet, r.buffers)))
    }

    /// Drops a partly received packet (the connection closed).
    pub fn reset(&mut self) {
        self.pending = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Result<Packet, DecodeError> {
        decode::<TextCodec>(&format!("4{s}"))
    }

    fn enc(p: &Packet) -> String {
        encode::<TextCodec>(p)
    }

    fn ev(nsp: &str, id: Option<u64>, data: &str, attachments: usize) -> Packet {
        Packet::Event { nsp: nsp.into(), id, data: data.into(), attachments }
    }

    /// Every example of the Socket.IO v5 protocol document, both ways.
    #[test]
    fn protocol_examples() {
        let cases: Vec<(Packet, &str)> = vec![
            (Packet::Connect { nsp: "/".into(), data: None }, "0"),
            (
                Packet::Connect { nsp: "/admin".into(), data: Some(r#"{"sid":"oSO0OpakMV_3jnilAAAA"}"#.into()) },
                r#"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#,
            ),
            (
                Packet::ConnectError { nsp: "/".into(), data: r#"{"message":"Not authorized"}"#.into() },
                r#"4{"message":"Not authorized"}"#,
            ),
            (ev("/", None, r#"["foo"]"#, 0), r#"2["foo"]"#),
            (ev("/admin", None, r#"["bar"]"#, 0), r#"2/admin,["bar"]"#),
            (
                ev("/", None, r#"["baz",{"_placeholder":true,"num":0}]"#, 1),
                r#"51-["baz",{"_placeholder":true,"num":0}]"#,
            ),
            (
                ev("/admin", None, r#"["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#, 2),
                r#"52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
            ),
            (ev("/", Some(12), r#"["foo"]"#, 0), r#"212["foo"]"#),
            (
                Packet::Ack { nsp: "/admin".into(), id: Some(13), data: r#"["bar"]"#.into(), attachments: 0 },
                r#"3/admin,13["bar"]"#,
            ),
            (
                Packet::Ack {
                    nsp: "/".into(),
                    id: Some(15),
                    data: r#"["bar",{"_placeholder":true,"num":0}]"#.into(),
                    attachments: 1,
                },
                r#"61-15["bar",{"_placeholder":true,"num":0}]"#,
            ),
            (Packet::Disconnect { nsp: "/".into() }, "1"),
            (Packet::Disconnect { nsp: "/admin".into() }, "1/admin,"),
            (
                Packet::Ack {
                    nsp: "/admin".into(),
                    id: Some(1),
                    data: r#"[{"_placeholder":true,"num":0}]"#.into(),
                    attachments: 1,
                },
                r#"61-/admin,1[{"_placeholder":true,"num":0}]"#,
            ),
            (Packet::Connect { nsp: "/admin".into(), data: None }, "0/admin,"),
        ];
        for (packet, text) in cases {
            assert_eq!(enc(&packet), format!("4{text}"), "encode {packet:?}");
            assert_eq!(dec(text).as_ref(), Ok(&packet), "decode {text}");
        }
        // A namespace without the trailing comma still decodes.
        assert_eq!(dec("1/admin"), Ok(Packet::Disconnect { nsp: "/admin".into() }));
        assert_eq!(
            dec("4\"Not authorized\""),
            Ok(Packet::ConnectError { nsp: "/".into(), data: "\"Not authorized\"".into() })
        );
    }

    #[test]
    fn rejects_bad_packets() {
        use DecodeError::*;
        let cases: [(&str, DecodeError); 20] = [
            ("", UnknownType),
            ("7", UnknownType),
            ("a", UnknownType),
            ("5", IllegalAttachments),
            ("5x-[\"a\"]", IllegalAttachments),
            ("51[\"a\"]", IllegalAttachments),
            ("511-[\"a\"]", TooManyAttachments),
            ("2999999999999999999999[\"a\"]", BadAckId),
            ("2", InvalidPayload),
            ("2[", InvalidPayload),
            ("2{}", InvalidPayload),
            ("2[]", InvalidPayload),
            ("2[true]", InvalidPayload),
            ("2[\"connect\"]", InvalidPayload),
            ("2[\"disconnect\",1]", InvalidPayload),
            ("3", InvalidPayload),
            ("3{}", InvalidPayload),
            ("0[]", InvalidPayload),
            ("1{}", InvalidPayload),
            ("4[1]", InvalidPayload),
        ];
        for (text, err) in cases {
            assert_eq!(dec(text), Err(err), "{text:?}");
        }
        // Numbers are valid event names.
        assert_eq!(dec("2[1,2]"), Ok(ev("/", None, "[1,2]", 0)));
    }

    #[test]
    fn reassembles_attachments() {
        let mut d = Decoder::<TextCodec>::default();
        assert_eq!(d.add_binary(vec![1]), Err(DecodeError::UnexpectedBinary));
        let t = r#"52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#;
        assert_eq!(d.add_text(&format!("4{t}")), Ok(None));
        assert_eq!(d.add_text(&"42[\"x\"]".into()), Err(DecodeError::UnexpectedText));
        assert_eq!(d.add_binary(vec![1, 2]), Ok(None));
        let (p, bufs) = d.add_binary(vec![3, 4]).unwrap().unwrap();
        assert!(matches!(p, Packet::Event { attachments: 2, .. }));
        assert_eq!(bufs, vec![vec![1, 2], vec![3, 4]]);
        // A binary packet must announce at least one attachment.
        assert_eq!(d.add_text(&"450-[\"a\"]".into()), Err(DecodeError::IllegalAttachments));
        assert_eq!(d.add_text(&"460-1[\"a\"]".into()), Err(DecodeError::IllegalAttachments));
        // Reset drops a partial packet.
        assert_eq!(d.add_text(&"451-[\"a\",{\"_placeholder\":true,\"num\":0}]".into()), Ok(None));
        d.reset();
        assert_eq!(d.add_binary(vec![1]), Err(DecodeError::UnexpectedBinary));
    }

    #[test]
    fn long_headers_are_read_again_and_bounded() {
        let nsp = format!("/{}", "n".repeat(200));
        assert_eq!(dec(&format!("2{nsp},7[\"a\"]")), Ok(ev(&nsp, Some(7), "[\"a\"]", 0)));
        let nsp = format!("/{}", "n".repeat(HEADER_LIMIT));
        assert_eq!(dec(&format!("2{nsp},[\"a\"]")), Err(DecodeError::TooLong));
        let big = format!("0{{\"x\":\"{}\"}}", "y".repeat(CONTROL_LIMIT));
        assert_eq!(dec(&big), Err(DecodeError::TooLong));
        // The payload itself has no limit.
        let arg = "z".repeat(CONTROL_LIMIT * 2);
        assert_eq!(dec(&format!("2[\"a\",\"{arg}\"]")), Ok(ev("/", None, &format!("[\"a\",\"{arg}\"]"), 0)));
    }
}
