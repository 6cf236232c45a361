//! Socket.IO v5 packets and the reassembly of binary attachments.
//!
//! Format: `<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]`.
//! Payloads stay JSON text; binary values are `{"_placeholder":true,"num":N}`
//! placeholders in the text plus a list of attachments.

use super::json;

/// The most attachments one packet may announce (the reference decoder's default).
pub const MAX_ATTACHMENTS: usize = 10;

/// Event names the client may neither send nor receive.
pub const RESERVED_EVENTS: [&str; 6] =
    ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

/// A decoded (or to-be-encoded) Socket.IO packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
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
        /// The JSON array text.
        data: String,
        /// How many binary attachments follow (0 for a plain EVENT).
        attachments: usize,
    },
    /// `3` (or `6` with attachments): the answer to an event with an ack id.
    Ack {
        /// The namespace.
        nsp: String,
        /// The acknowledgement id being answered.
        id: Option<u64>,
        /// The JSON array text.
        data: String,
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
            DecodeError::UnexpectedText => "got plaintext data when reconstructing a packet",
            DecodeError::UnexpectedBinary => "got binary data when not reconstructing a packet",
        }
    }
}

fn is_digit(b: Option<&u8>) -> bool {
    b.is_some_and(u8::is_ascii_digit)
}

/// True when `item` (raw JSON) names an event the protocol allows: a number, or
/// a string that is not reserved.
fn valid_event_name(item: &str) -> bool {
    match item.as_bytes().first() {
        Some(b'"') => json::string(item).is_some_and(|n| !RESERVED_EVENTS.contains(&n.as_str())),
        Some(b'-' | b'0'..=b'9') => true,
        _ => false,
    }
}

/// The first item of a JSON array text and its last item (raw), or `None` when
/// the text is not one valid array.
pub fn first_and_last(data: &str) -> Option<(Option<&str>, Option<&str>)> {
    let mut first = None;
    let mut last = None;
    json::for_each_item(data, |item| {
        if first.is_none() {
            first = Some(item);
        }
        last = Some(item);
    })?;
    Some((first, last))
}

/// Decodes the text of one Socket.IO packet (the Engine.IO message body).
pub fn decode(mut s: String) -> Result<Packet, DecodeError> {
    let b = s.as_bytes();
    let kind = match b.first() {
        Some(c @ b'0'..=b'6') => c - b'0',
        _ => return Err(DecodeError::UnknownType),
    };
    let mut i = 1;
    let mut attachments = 0usize;
    if kind == 5 || kind == 6 {
        let start = i;
        while is_digit(b.get(i)) {
            i += 1;
        }
        if i == start || b.get(i) != Some(&b'-') {
            return Err(DecodeError::IllegalAttachments);
        }
        for &d in &b[start..i] {
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
        while i < b.len() && b[i] != b',' {
            i += 1;
        }
        nsp = s.get(start..i).ok_or(DecodeError::InvalidPayload)?.to_owned();
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
        id = Some(v);
    }
    let has_payload = i < b.len();
    // Keep the payload in the same allocation.
    s.replace_range(..i, "");
    let data = s;
    let valid = match kind {
        0 => !has_payload || json::for_each_field(&data, |_, _| {}).is_some(),
        1 => !has_payload,
        4 => {
            has_payload
                && match data.as_bytes().first() {
                    Some(b'"') => json::string(&data).is_some(),
                    _ => json::for_each_field(&data, |_, _| {}).is_some(),
                }
        }
        2 | 5 => has_payload && matches!(first_and_last(&data), Some((Some(first), _)) if valid_event_name(first)),
        _ => has_payload && json::for_each_item(&data, |_| {}).is_some(),
    };
    if !valid {
        return Err(DecodeError::InvalidPayload);
    }
    Ok(match kind {
        0 => Packet::Connect { nsp, data: has_payload.then_some(data) },
        1 => Packet::Disconnect { nsp },
        2 | 5 => Packet::Event { nsp, id, data, attachments },
        3 | 6 => Packet::Ack { nsp, id, data, attachments },
        _ => Packet::ConnectError { nsp, data },
    })
}

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
        out.push(char::from(d));
    }
}

/// Encodes a packet as the text of an Engine.IO message, with the `4` prefix
/// of the Engine.IO message type included.
pub fn encode(p: &Packet) -> String {
    let (kind, nsp, id, data, attachments): (u8, &str, Option<u64>, Option<&str>, usize) = match p {
        Packet::Connect { nsp, data } => (0, nsp, None, data.as_deref(), 0),
        Packet::Disconnect { nsp } => (1, nsp, None, None, 0),
        Packet::Event { nsp, id, data, attachments } => {
            (if *attachments > 0 { 5 } else { 2 }, nsp, *id, Some(data), *attachments)
        }
        Packet::Ack { nsp, id, data, attachments } => {
            (if *attachments > 0 { 6 } else { 3 }, nsp, *id, Some(data), *attachments)
        }
        Packet::ConnectError { nsp, data } => (4, nsp, None, Some(data), 0),
    };
    let mut out = String::with_capacity(8 + nsp.len() + data.map_or(0, str::len));
    out.push('4');
    out.push(char::from(b'0' + kind));
    if attachments > 0 {
        push_u64(&mut out, attachments as u64);
        out.push('-');
    }
    if !nsp.is_empty() && nsp != "/" {
        out.push_str(nsp);
        out.push(',');
    }
    if let Some(id) = id {
        push_u64(&mut out, id);
    }
    if let Some(d) = data {
        out.push_str(d);
    }
    out
}

/// A packet whose announced attachments have not all arrived.
#[derive(Debug)]
pub struct Reassembly {
    packet: Packet,
    expected: usize,
    buffers: Vec<Vec<u8>>,
}

/// The decoding state of one connection: text packets, then the binary frames
/// their attachments arrive in.
#[derive(Debug, Default)]
pub struct Decoder {
    pending: Option<Reassembly>,
}

/// A complete packet with its attachments.
pub type Decoded = (Packet, Vec<Vec<u8>>);

impl Decoder {
    /// Feeds a text message. Returns the packet when it is complete.
    pub fn add_text(&mut self, s: String) -> Result<Option<Decoded>, DecodeError> {
        if self.pending.is_some() {
            return Err(DecodeError::UnexpectedText);
        }
        let packet = decode(s)?;
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
    pub fn add_binary(&mut self, data: Vec<u8>) -> Result<Option<Decoded>, DecodeError> {
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
        decode(s.to_owned())
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
            assert_eq!(encode(&packet), format!("4{text}"), "encode {packet:?}");
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
        let mut d = Decoder::default();
        assert_eq!(d.add_binary(vec![1]), Err(DecodeError::UnexpectedBinary));
        let t = r#"52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#;
        assert_eq!(d.add_text(t.into()), Ok(None));
        assert_eq!(d.add_text("2[\"x\"]".into()), Err(DecodeError::UnexpectedText));
        assert_eq!(d.add_binary(vec![1, 2]), Ok(None));
        let (p, bufs) = d.add_binary(vec![3, 4]).unwrap().unwrap();
        assert!(matches!(p, Packet::Event { attachments: 2, .. }));
        assert_eq!(bufs, vec![vec![1, 2], vec![3, 4]]);
        // A binary packet must announce at least one attachment.
        assert_eq!(d.add_text("50-[\"a\"]".into()), Err(DecodeError::IllegalAttachments));
        assert_eq!(d.add_text("60-1[\"a\"]".into()), Err(DecodeError::IllegalAttachments));
        // Reset drops a partial packet.
        assert_eq!(d.add_text("51-[\"a\",{\"_placeholder\":true,\"num\":0}]".into()), Ok(None));
        d.reset();
        assert_eq!(d.add_binary(vec![1]), Err(DecodeError::UnexpectedBinary));
    }

    #[test]
    fn event_shape() {
        assert_eq!(first_and_last(r#"["a",1,"off"]"#), Some((Some("\"a\""), Some("\"off\""))));
        assert_eq!(first_and_last("[]"), Some((None, None)));
        assert_eq!(first_and_last("[1,"), None);
    }
}
