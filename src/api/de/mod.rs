//! A small serde `Deserializer` for the JSON of received arguments, instead of
//! `serde_json::from_str`: the text was already checked by the core's scanner
//! (`proto::json`), so this one only walks it. It keeps serde_json's data model
//! (integers as `u64`/`i64`, other numbers as `f64`, maps with string keys,
//! enums as `"Variant"` or `{"Variant": value}`) at a fraction of its code:
//! no position tracking, no float parser of its own (`parseFloat`), and error
//! messages built without `Debug` formatting.
//!
//! One piece: the token reader and serde's `Deserializer` over it; the
//! visitors' access types are in `access.rs`.

use std::fmt::{self, Display};

mod access;

use access::{Items, Variant};

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Expected, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;

use super::ser::push_integer;
use crate::proto::json;

/// Nesting limit, as serde_json's.
const MAX_DEPTH: u32 = 128;

/// Why a payload does not decode or encode (the text of
/// [`super::DecodeError::message`] and [`super::EmitError::Encode`]).
pub(super) struct Error(String);

impl Error {
    fn new(message: &str) -> Error {
        Error(message.to_owned())
    }

    pub(super) fn into_message(self) -> String {
        self.0
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error(message)
    }
}

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Appends the text of an `Expected` (what the visitor wanted).
fn push_expected(out: &mut String, exp: &dyn Expected) {
    let _ = fmt::write(out, format_args!("{exp}"));
}

/// Appends what was found instead, in serde_json's words.
fn push_unexpected(out: &mut String, unexp: Unexpected<'_>) {
    let (text, value): (&str, Option<&str>) = match unexp {
        Unexpected::Bool(true) => ("boolean `true`", None),
        Unexpected::Bool(false) => ("boolean `false`", None),
        Unexpected::Unsigned(n) => {
            out.push_str("integer `");
            push_integer(out, n, false);
            ("`", None)
        }
        Unexpected::Signed(n) => {
            out.push_str("integer `");
            push_integer(out, n.unsigned_abs(), n < 0);
            ("`", None)
        }
        Unexpected::Float(x) => {
            out.push_str("floating point `");
            if let Some(text) = js_sys::Number::from(x).to_string_with_radix(10).ok().and_then(|s| s.as_string()) {
                out.push_str(&text);
            }
            ("`", None)
        }
        Unexpected::Char(c) => {
            out.push_str("character `");
            out.push(c);
            ("`", None)
        }
        Unexpected::Str(s) => ("string \"", Some(s)),
        Unexpected::Bytes(_) => ("byte array", None),
        Unexpected::Unit => ("null", None),
        Unexpected::Option => ("Option value", None),
        Unexpected::NewtypeStruct => ("newtype struct", None),
        Unexpected::Seq => ("sequence", None),
        Unexpected::Map => ("map", None),
        Unexpected::Enum => ("enum", None),
        Unexpected::UnitVariant => ("unit variant", None),
        Unexpected::NewtypeVariant => ("newtype variant", None),
        Unexpected::TupleVariant => ("tuple variant", None),
        Unexpected::StructVariant => ("struct variant", None),
        Unexpected::Other(other) => (other, None),
    };
    out.push_str(text);
    if let Some(s) = value {
        out.push_str(s);
        out.push('"');
    }
}

/// `prefix`, what was found, then what was expected.
fn mismatch(prefix: &str, unexp: Unexpected<'_>, exp: &dyn Expected) -> Error {
    let mut out = String::from(prefix);
    push_unexpected(&mut out, unexp);
    out.push_str(", expected ");
    push_expected(&mut out, exp);
    Error(out)
}

/// `parts` joined, then the `Expected` when there is one.
fn message(parts: &[&str], exp: Option<&dyn Expected>) -> Error {
    let mut out = String::new();
    for p in parts {
        out.push_str(p);
    }
    if let Some(exp) = exp {
        push_expected(&mut out, exp);
    }
    Error(out)
}

impl de::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        mismatch("invalid type: ", unexp, exp)
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        mismatch("invalid value: ", unexp, exp)
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        let mut count = String::new();
        push_integer(&mut count, len as u64, false);
        message(&["invalid length ", &count, ", expected "], Some(exp))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        message(&["unknown variant `", variant, "`, expected one of ", &one_of(expected)], None)
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        message(&["unknown field `", field, "`, expected one of ", &one_of(expected)], None)
    }

    fn missing_field(field: &'static str) -> Self {
        message(&["missing field `", field, "`"], None)
    }

    fn duplicate_field(field: &'static str) -> Self {
        message(&["duplicate field `", field, "`"], None)
    }
}

/// "`a`, `b`" (or "none" when there are no names).
fn one_of(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    let mut out = String::new();
    for (index, name) in names.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(name);
        out.push('`');
    }
    out
}

/// Decodes `text` (one JSON value) as `T`.
pub(super) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let mut de = Deserializer { src: text, pos: 0, depth: 0 };
    let value = T::deserialize(&mut de)?;
    de.skip_ws();
    if de.pos < text.len() {
        return Err(Error::new("trailing characters"));
    }
    Ok(value)
}

struct Deserializer<'de> {
    src: &'de str,
    pos: usize,
    depth: u32,
}

/// A number of the input.
enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl Number {
    fn visit<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Number::Unsigned(n) => visitor.visit_u64(n),
            Number::Signed(n) => visitor.visit_i64(n),
            Number::Float(x) => visitor.visit_f64(x),
        }
    }
}

/// The start of a value: see [`Deserializer::token`].
enum Token<'de> {
    Null,
    Bool(bool),
    Str(Text<'de>),
    Number(Number),
    Seq,
    Map,
}

/// A string of the input: borrowed when it has no escapes.
enum Text<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl<'de> Deserializer<'de> {
    fn byte(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        self.pos = json::ws(self.src.as_bytes(), self.pos);
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Result<u8, Error> {
        self.skip_ws();
        self.byte().ok_or_else(|| Error::new("EOF while parsing a value"))
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek().ok() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), Error> {
        let end = json::literal(self.src.as_bytes(), self.pos, word.as_bytes());
        self.pos = end.ok_or_else(|| Error::new("expected value"))?;
        Ok(())
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::new("recursion limit exceeded"));
        }
        self.pos += 1;
        Ok(())
    }

    /// A string; the cursor is on its opening quote. The core's scanner
    /// finds its end and, when it has escapes, decodes it (one string
    /// decoder in the crate; lone surrogates become U+FFFD).
    fn string(&mut self) -> Result<Text<'de>, Error> {
        let invalid = || Error::new("invalid string");
        let (end, escaped) = json::scan_string(self.src.as_bytes(), self.pos).ok_or_else(invalid)?;
        let raw = self.src.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        if escaped {
            json::string(raw).map(Text::Owned).ok_or_else(invalid)
        } else {
            // Between the quotes, which are ASCII: a character boundary.
            raw.get(1..raw.len().saturating_sub(1)).map(Text::Borrowed).ok_or_else(invalid)
        }
    }

    /// A number: `u64` or `i64` when it is an integer that fits, else `f64`
    /// (not generic: one copy whatever the visitors).
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.pos;
        while matches!(self.byte(), Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
            self.pos += 1;
        }
        let text = self.src.get(start..self.pos).unwrap_or_default();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, text),
        };
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            let magnitude = digits.bytes().try_fold(0u64, |n, b| n.checked_mul(10)?.checked_add(u64::from(b - b'0')));
            match (magnitude, negative) {
                (Some(n), false) => return Ok(Number::Unsigned(n)),
                // As serde_json: `-0` is a float.
                (Some(0), true) => return Ok(Number::Float(-0.0)),
                (Some(n), true) if n <= 1 << 63 => return Ok(Number::Signed(0i64.wrapping_sub_unsigned(n))),
                _ => {}
            }
        }
        let value = js_sys::parse_float(text);
        if text.is_empty() || value.is_nan() {
            return Err(Error::new("invalid number"));
        }
        Ok(Number::Float(value))
    }

    /// The next value's first token, scalars read whole, the bracket of an
    /// array or object consumed (not generic: one copy whatever the visitors).
    fn token(&mut self) -> Result<Token<'de>, Error> {
        Ok(match self.peek()? {
            b'n' => {
                self.literal("null")?;
                Token::Null
            }
            b't' => {
                self.literal("true")?;
                Token::Bool(true)
            }
            b'f' => {
                self.literal("false")?;
                Token::Bool(false)
            }
            b'"' => Token::Str(self.string()?),
            b'[' => {
                self.enter()?;
                Token::Seq
            }
            b'{' => {
                self.enter()?;
                Token::Map
            }
            _ => Token::Number(self.number()?),
        })
    }

    fn parse_any<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        match self.token()? {
            Token::Null => visitor.visit_unit(),
            Token::Bool(value) => visitor.visit_bool(value),
            Token::Str(Text::Borrowed(text)) => visitor.visit_borrowed_str(text),
            Token::Str(Text::Owned(text)) => visitor.visit_string(text),
            Token::Number(number) => number.visit(visitor),
            Token::Seq => {
                let value = visitor.visit_seq(Items { de: self, first: true })?;
                self.close(b']')?;
                Ok(value)
            }
            Token::Map => {
                let value = visitor.visit_map(Items { de: self, first: true })?;
                self.close(b'}')?;
                Ok(value)
            }
        }
    }

    fn close(&mut self, byte: u8) -> Result<(), Error> {
        self.depth -= 1;
        if self.eat(byte) {
            Ok(())
        } else if byte == b']' {
            Err(Error::new("trailing characters"))
        } else {
            Err(Error::new("expected `,` or `}`"))
        }
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.parse_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek()? == b'n' {
            self.literal("null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // As serde_json: a string gives its UTF-8 bytes.
        if self.peek()? == b'"' {
            match self.string()? {
                Text::Borrowed(text) => visitor.visit_borrowed_bytes(text.as_bytes()),
                Text::Owned(text) => visitor.visit_byte_buf(text.into_bytes()),
            }
        } else {
            self.parse_any(visitor)
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.peek()? {
            b'"' => match self.string()? {
                Text::Borrowed(text) => visitor.visit_enum(text.into_deserializer()),
                Text::Owned(text) => visitor.visit_enum(text.into_deserializer()),
            },
            b'{' => {
                self.enter()?;
                let value = visitor.visit_enum(Variant { de: self })?;
                self.close(b'}')?;
                Ok(value)
            }
            _ => Err(Error::new("expected value")),
        }
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.wide_integer()? {
            Some((magnitude, true)) => visitor.visit_i128(0i128.wrapping_sub_unsigned(magnitude)),
            Some((magnitude, false)) => visitor.visit_u128(magnitude),
            None => self.parse_any(visitor),
        }
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i128(visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 char str string
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

impl Deserializer<'_> {
    /// An integer beyond 64 bits, for `i128` and `u128` (as serde_json):
    /// its magnitude and sign, or `None` (cursor unmoved) when the value is
    /// not an integer that fits.
    fn wide_integer(&mut self) -> Result<Option<(u128, bool)>, Error> {
        self.skip_ws();
        let rest = self.src.get(self.pos..).unwrap_or_default();
        let (negative, digits) = match rest.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, rest),
        };
        let len = digits.bytes().take_while(u8::is_ascii_digit).count();
        let digits = digits.get(..len).unwrap_or_default();
        let after = rest.as_bytes().get(len + usize::from(negative)).copied();
        if digits.is_empty() || matches!(after, Some(b'.' | b'e' | b'E')) {
            return Ok(None);
        }
        let magnitude = digits.bytes().try_fold(0u128, |n, b| n.checked_mul(10)?.checked_add(u128::from(b - b'0')));
        match magnitude {
            Some(n) if !negative || n <= 1 << 127 => {
                self.pos += len + usize::from(negative);
                Ok(Some((n, negative)))
            }
            _ => Ok(None),
        }
    }
}
