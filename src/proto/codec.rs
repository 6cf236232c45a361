//! How the core carries the payloads it does not read.
//!
//! The core reads and writes the Engine.IO framing and the Socket.IO headers
//! (packet type, attachment count, namespace, ack id). An event's arguments
//! and its binary attachments are not its business: it holds them as the
//! [`Codec`]'s values, asks the codec to parse the arguments once when a packet
//! arrives (so that a malformed payload is still a `parse error`, wherever the
//! parsing runs) and to glue a header to them when a packet leaves.
//!
//! Two codecs exist:
//!
//! - [`TextCodec`] (here): text and bytes held in Rust (`String`, `Vec<u8>`),
//!   arguments validated by the [`super::json`] scanner. The native tests,
//!   the fuzz targets and the Rust API use it.
//! - The npm package's codec (in `bindings`): every payload stays a JavaScript
//!   value. A text frame is a JavaScript string of which the core only ever sees
//!   a short prefix; arguments are parsed once by `JSON.parse` and produced once
//!   by `JSON.stringify`; attachments stay `ArrayBuffer`s. A message then costs
//!   the core O(header) in time and memory, whatever its size.

use std::borrow::Cow;
use std::fmt::Debug;

use super::{base64, json, sio, EmitError};

/// The payload types of the core and the few operations it needs on them.
/// Every function is pure: the core stays deterministic and sans-IO.
pub trait Codec: Sized + Clone + Debug + PartialEq + 'static {
    /// A text message: a WebSocket text frame, a long-polling record or
    /// response body, incoming or outgoing.
    type Text: Clone + Debug + PartialEq;
    /// Event or acknowledgement arguments (a JSON array, binary values as
    /// placeholders).
    type Args: Clone + Debug + PartialEq;
    /// A binary attachment.
    type Binary: Clone + Debug + PartialEq;

    /// The start of `text`, at most `max` characters long (a UTF-8 length in
    /// [`TextCodec`], UTF-16 units in JavaScript), and whether it is all of it.
    /// The last character of a prefix that is not whole may be a replacement
    /// (a surrogate pair cut in JavaScript): callers never read it, and read
    /// a longer prefix instead.
    fn prefix(text: &Self::Text, max: usize) -> (Cow<'_, str>, bool);
    /// The first character of `text` when it is ASCII (the Engine.IO packet
    /// type), `None` for an empty text.
    fn first_byte(text: &Self::Text) -> Option<u8> {
        Self::prefix(text, 1).0.as_bytes().first().copied()
    }
    /// A text message written by the core itself (control packets, headers).
    fn text(s: String) -> Self::Text;
    /// `head` (an encoded packet header) followed by the JSON of `args`.
    fn message(head: &str, args: &Self::Args) -> Self::Text;
    /// The records of a long-polling payload, split at `\x1e`.
    fn records(body: Self::Text) -> Vec<Self::Text>;
    /// Records joined by `\x1e` into one long-polling payload.
    fn join(records: Vec<Self::Text>) -> Self::Text;
    /// The arguments that follow `head` (a prefix of `text`) in `text`, parsed
    /// once; `None` when they are not a JSON array, or, for an event, when the
    /// array does not start with an event name the protocol allows (a number,
    /// or a string that is not reserved).
    fn args(text: &Self::Text, head: &str, event: bool) -> Option<Self::Args>;
    /// The last argument when it is a string (the offset of connection state
    /// recovery).
    fn last_string(args: &Self::Args) -> Option<String>;
    /// The bytes of a base64 record (`text` starts with `b`), or `None` when
    /// its base64 is invalid.
    fn decode_base64(text: &Self::Text) -> Option<Self::Binary>;
    /// `b` followed by the base64 of `bin`: a binary record of a polling payload.
    fn encode_base64(bin: &Self::Binary) -> Self::Text;
    /// The UTF-8 length of `text` (counted against `maxPayload`).
    fn text_len(text: &Self::Text) -> usize;
    /// The length of an attachment in bytes.
    fn binary_len(bin: &Self::Binary) -> usize;
    /// Checks a user emit's arguments: an array whose first item is an event
    /// name that is not reserved.
    fn check_emit(args: &Self::Args) -> Result<(), EmitError>;

    /// A small JSON object the core reads by key: the handshake, a CONNECT or
    /// CONNECT_ERROR payload, an auth object.
    type Object;
    /// `text` as an object; `None` when it is not one valid JSON object.
    fn object(text: &str) -> Option<Self::Object>;
    /// A string field.
    fn string_field(o: &Self::Object, key: &str) -> Option<String>;
    /// A field that is a non-negative integer.
    fn uint_field(o: &Self::Object, key: &str) -> Option<u64>;
    /// The strings in an array field (other items skipped).
    fn strings_field(o: &Self::Object, key: &str) -> Vec<String>;
    /// A field as JSON text.
    fn json_field(o: &Self::Object, key: &str) -> Option<String>;
    /// The value of `text` when it is one JSON string.
    fn json_string(text: &str) -> Option<String>;
    /// `s` as a JSON string.
    fn quote(s: &str) -> String;
}

/// The codec of payloads held in Rust: JSON text and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextCodec;

fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// True when `item` (raw JSON) names an event the protocol allows: a number, or
/// a string that is not reserved.
fn valid_event_name(item: &str) -> bool {
    match item.as_bytes().first() {
        Some(b'"') => json::string(item).is_some_and(|n| !sio::is_reserved(&n)),
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

impl Codec for TextCodec {
    type Text = String;
    type Args = String;
    type Binary = Vec<u8>;

    fn prefix(text: &String, max: usize) -> (Cow<'_, str>, bool) {
        let end = floor_boundary(text, max);
        (Cow::Borrowed(text.get(..end).unwrap_or_default()), end == text.len())
    }

    fn first_byte(text: &String) -> Option<u8> {
        text.as_bytes().first().copied()
    }

    fn text(s: String) -> String {
        s
    }

    fn message(head: &str, args: &String) -> String {
        let mut out = String::with_capacity(head.len() + args.len());
        out.push_str(head);
        out.push_str(args);
        out
    }

    fn records(body: String) -> Vec<String> {
        super::split_ascii(&body, super::eio::SEPARATOR as u8).map(str::to_owned).collect()
    }

    fn join(records: Vec<String>) -> String {
        let mut sep = [0u8; 4];
        records.join(&*super::eio::SEPARATOR.encode_utf8(&mut sep))
    }

    fn args(text: &String, head: &str, event: bool) -> Option<String> {
        let data = text.get(head.len()..)?;
        let valid = if event {
            matches!(first_and_last(data), Some((Some(first), _)) if valid_event_name(first))
        } else {
            json::for_each_item(data, |_| {}).is_some()
        };
        valid.then(|| data.to_owned())
    }

    fn last_string(args: &String) -> Option<String> {
        first_and_last(args).and_then(|(_, last)| last).and_then(json::string)
    }

    fn decode_base64(text: &String) -> Option<Vec<u8>> {
        base64::decode(text.get(1..)?)
    }

    fn encode_base64(bin: &Vec<u8>) -> String {
        let mut out = String::from("b");
        base64::encode_into(bin, &mut out);
        out
    }

    fn text_len(text: &String) -> usize {
        text.len()
    }

    fn binary_len(bin: &Vec<u8>) -> usize {
        bin.len()
    }

    fn check_emit(args: &String) -> Result<(), EmitError> {
        let first = json::first_item(args).ok_or(EmitError::InvalidPayload)?;
        if let Some(name) = json::string(first) {
            if sio::is_reserved(&name) {
                return Err(EmitError::Reserved(name));
            }
        }
        Ok(())
    }

    type Object = String;

    fn object(text: &str) -> Option<String> {
        json::for_each_field(text, |_, _| {}).map(|_| text.to_owned())
    }

    fn string_field(o: &String, key: &str) -> Option<String> {
        json::field(o, key).and_then(json::string)
    }

    fn uint_field(o: &String, key: &str) -> Option<u64> {
        json::field(o, key).and_then(json::uint)
    }

    fn strings_field(o: &String, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(list) = json::field(o, key) {
            json::for_each_item(list, |item| out.extend(json::string(item)));
        }
        out
    }

    fn json_field(o: &String, key: &str) -> Option<String> {
        json::field(o, key).map(str::to_owned)
    }

    fn json_string(text: &str) -> Option<String> {
        json::string(text)
    }

    fn quote(s: &str) -> String {
        let mut out = String::new();
        json::write_string(&mut out, s);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_codec_prefix_records_and_args() {
        let s = String::from("42é[\"a\"]");
        assert_eq!(TextCodec::prefix(&s, 3), (Cow::Borrowed("42"), false));
        assert_eq!(TextCodec::prefix(&s, 4), (Cow::Borrowed("42é"), false));
        assert_eq!(TextCodec::prefix(&s, 100), (Cow::Borrowed(s.as_str()), true));
        assert_eq!(TextCodec::records("4a\u{1e}2\u{1e}".into()), ["4a", "2", ""]);
        assert_eq!(TextCodec::join(vec!["4a".into(), "3".into()]), "4a\u{1e}3");
        let t = String::from("42[\"ev\",1,\"off\"]");
        assert_eq!(TextCodec::args(&t, "42", true).as_deref(), Some("[\"ev\",1,\"off\"]"));
        assert_eq!(TextCodec::last_string(&"[\"ev\",1,\"off\"]".into()).as_deref(), Some("off"));
        assert_eq!(TextCodec::args(&"42[\"connect\"]".into(), "42", true), None);
        assert_eq!(TextCodec::args(&"42[]".into(), "42", true), None);
        assert_eq!(TextCodec::args(&"43[]".into(), "43", false).as_deref(), Some("[]"));
        assert_eq!(TextCodec::args(&"43{}".into(), "43", false), None);
        assert_eq!(TextCodec::encode_base64(&vec![1, 2, 3, 4]), "bAQIDBA==");
        assert_eq!(TextCodec::decode_base64(&"bAQIDBA==".into()), Some(vec![1, 2, 3, 4]));
        assert_eq!(TextCodec::check_emit(&"[\"disconnect\"]".into()), Err(EmitError::Reserved("disconnect".into())));
        assert_eq!(TextCodec::check_emit(&"{}".into()), Err(EmitError::InvalidPayload));
    }
}
