//! A small serde `Serializer` to JSON text for emitted arguments, instead of
//! `serde_json::to_string`: the same output for strings, integers, sequences,
//! maps (string or integer keys), structs and enums (`"Variant"`,
//! `{"Variant": value}`); `f64` through JavaScript's number formatting (the
//! text `JSON.stringify` gives), non-finite numbers as `null`. An app that
//! does not use `serde_json::Value` links no serde_json code.
//!
//! One piece: serde's `Serializer` and its compound writers are one format;
//! map keys are in `key.rs`, and the tests compare the output with serde_json.

use std::fmt::Display;

use serde::ser::{self, Impossible, Serialize};

use super::de::Error;
use crate::proto::json::write_string;

/// The small integer methods of a serde `Serializer`, widened to `serialize_i64`
/// / `serialize_u64` (both serializers of this module write integers the same way).
macro_rules! widening_integers {
    () => {
        fn serialize_i8(self, v: i8) -> Result<(), Error> {
            self.serialize_i64(i64::from(v))
        }

        fn serialize_i16(self, v: i16) -> Result<(), Error> {
            self.serialize_i64(i64::from(v))
        }

        fn serialize_i32(self, v: i32) -> Result<(), Error> {
            self.serialize_i64(i64::from(v))
        }

        fn serialize_u8(self, v: u8) -> Result<(), Error> {
            self.serialize_u64(u64::from(v))
        }

        fn serialize_u16(self, v: u16) -> Result<(), Error> {
            self.serialize_u64(u64::from(v))
        }

        fn serialize_u32(self, v: u32) -> Result<(), Error> {
            self.serialize_u64(u64::from(v))
        }
    };
}

mod key;

use key::MapKey;

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error::from(msg.to_string())
    }
}

/// `value` as JSON text.
pub(super) fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut serializer = Serializer { out: String::new() };
    value.serialize(&mut serializer)?;
    Ok(serializer.out)
}

pub(super) struct Serializer {
    out: String,
}

/// Appends the decimal digits of `n` (negative if `minus`).
pub(super) fn push_integer(out: &mut String, n: u64, minus: bool) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    while at > 0 {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if minus {
        out.push('-');
    }
    for &digit in digits.get(at..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}

fn push_f64(out: &mut String, value: f64) {
    if value.is_finite() {
        let text = js_sys::Number::from(value).to_string_with_radix(10).ok().and_then(|s| s.as_string());
        out.push_str(text.as_deref().unwrap_or("null"));
    } else {
        out.push_str("null");
    }
}

impl Serializer {
    /// `{"variant":` (the rest follows).
    fn open_variant(&mut self, variant: &str) {
        self.out.push('{');
        write_string(&mut self.out, variant);
        self.out.push(':');
    }

    fn compound(&mut self, open: &str, close: &'static str) -> Compound<'_> {
        self.out.push_str(open);
        Compound { ser: self, first: true, close }
    }
}

impl<'a> ser::Serializer for &'a mut Serializer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    widening_integers!();

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        push_integer(&mut self.out, v.unsigned_abs(), v < 0);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        push_integer(&mut self.out, v, false);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.out.push_str(&v.to_string());
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        // The shortest text that reads back as this f32 (as serde_json),
        // not the longer one of the f64 it converts to.
        if v.is_finite() {
            self.out.push_str(&v.to_string());
        } else {
            self.out.push_str("null");
        }
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        push_f64(&mut self.out, v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_string(&mut self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_string(&mut self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = self.compound("[", "]");
        for &byte in v {
            ser::SerializeSeq::serialize_element(&mut seq, &byte)?;
        }
        ser::SerializeSeq::end(seq)
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open_variant(variant);
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.compound("[", "]"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a>, Error> {
        Ok(self.compound("[", "]"))
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        Ok(self.compound("[", "]"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.open_variant(variant);
        Ok(self.compound("[", "]}"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.compound("{", "}"))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        Ok(self.compound("{", "}"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.open_variant(variant);
        Ok(self.compound("{", "}}"))
    }
}

/// An array, object or variant being written.
pub(super) struct Compound<'a> {
    ser: &'a mut Serializer,
    first: bool,
    close: &'static str,
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.ser.out.push(',');
        }
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.ser)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.comma();
        write_string(&mut self.ser.out, key);
        self.ser.out.push(':');
        value.serialize(&mut *self.ser)
    }

    fn close(self) -> Result<(), Error> {
        self.ser.out.push_str(self.close);
        Ok(())
    }
}

/// The sequence-like compounds: every element is written after a comma.
macro_rules! sequence_like {
    ($($serialize:ident :: $element:ident),*) => {$(
        impl ser::$serialize for Compound<'_> {
            type Ok = ();
            type Error = Error;

            fn $element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }

            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

sequence_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        key.serialize(MapKey { out: &mut self.ser.out })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.out.push(':');
        value.serialize(&mut *self.ser)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::super::de::from_str;
    use super::to_string;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    enum Shape {
        Dot,
        Circle(f64),
        Pair(i32, i32),
        Rect { w: u32, h: u32 },
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Sample {
        name: String,
        count: u64,
        delta: i64,
        ratio: f64,
        tags: Vec<String>,
        maybe: Option<bool>,
        nothing: Option<u8>,
        shapes: Vec<Shape>,
        unit: (),
        pair: (u8, char),
        by_id: BTreeMap<u32, String>,
        by_name: BTreeMap<String, i8>,
    }

    fn sample() -> Sample {
        Sample {
            name: "a \"quoted\" \\ line\nbreak \u{1} é 😀".into(),
            count: u64::MAX,
            delta: i64::MIN,
            ratio: -0.125,
            tags: vec!["x".into(), String::new()],
            maybe: Some(false),
            nothing: None,
            shapes: vec![Shape::Dot, Shape::Circle(2.5), Shape::Pair(-1, 2), Shape::Rect { w: 3, h: 4 }],
            unit: (),
            pair: (255, 'ß'),
            by_id: [(7, "seven".to_string()), (42, "x".to_string())].into_iter().collect(),
            by_name: [("k".to_string(), -8)].into_iter().collect(),
        }
    }

    #[wasm_bindgen_test]
    fn serializes_as_serde_json() {
        let value = sample();
        assert_eq!(to_string(&value).unwrap(), serde_json::to_string(&value).unwrap());
        assert_eq!(to_string(&(1, "two", [3.5])).unwrap(), "[1,\"two\",[3.5]]");
        assert_eq!(to_string(&f64::NAN).unwrap(), "null");
        assert_eq!(to_string(&1e21).unwrap(), "1e+21");
        assert_eq!(to_string(&0.1f32).unwrap(), "0.1");
        assert_eq!(to_string(&u128::MAX).unwrap(), serde_json::to_string(&u128::MAX).unwrap());
        let bad: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into_iter().collect();
        assert!(to_string(&bad).is_err());
    }

    #[wasm_bindgen_test]
    fn deserializes_as_serde_json() {
        let text = serde_json::to_string(&sample()).unwrap();
        assert_eq!(from_str::<Sample>(&text).unwrap(), sample());
        let value: serde_json::Value = from_str(&text).unwrap();
        assert_eq!(value, serde_json::from_str::<serde_json::Value>(&text).unwrap());
        let escaped = r#" [ "\u00e9\ud83d\ude00\/\b\f\t" , 1.5e3 , -0 , 18446744073709551616 , {} ] "#;
        let parsed: (String, f64, f64, f64, BTreeMap<String, u8>) = from_str(escaped).unwrap();
        assert_eq!(parsed, ("é😀/\u{8}\u{c}\t".to_string(), 1500.0, -0.0, 18446744073709551616.0, BTreeMap::new()));
        assert_eq!(from_str::<Option<u8>>("null").unwrap(), None);
        assert_eq!(from_str::<Shape>(r#""Dot""#).unwrap(), Shape::Dot);
        assert_eq!(from_str::<u128>("340282366920938463463374607431768211455").unwrap(), u128::MAX);
        assert_eq!(from_str::<i128>(" -170141183460469231731687303715884105728").unwrap(), i128::MIN);
        assert_eq!(from_str::<Vec<i128>>("[1,-2]").unwrap(), vec![1, -2]);
        assert!(from_str::<u128>("-1").is_err());
        let zero: serde_json::Value = from_str("-0").unwrap();
        assert_eq!(zero, serde_json::from_str::<serde_json::Value>("-0").unwrap());
    }

    #[wasm_bindgen_test]
    fn errors_are_values() {
        let message = |text: &str| from_str::<Sample>(text).err().map(|e| e.into_message()).unwrap_or_default();
        assert_eq!(message("{}"), "missing field `name`");
        assert_eq!(message(r#"{"name": 1}"#), "invalid type: integer `1`, expected a string");
        assert_eq!(
            from_str::<u8>("300").err().map(|e| e.into_message()).unwrap(),
            "invalid value: integer `300`, expected u8"
        );
        assert!(from_str::<u8>("1 2").is_err());
        // serde_json's words for what was found and what was expected (its
        // position suffix aside), for every kind of error text built here.
        fn same<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) {
            let ours = from_str::<T>(text).err().map(|e| e.into_message());
            let theirs = serde_json::from_str::<T>(text).err().map(|e| {
                let m = e.to_string();
                m.find(" at line ").map_or(m.clone(), |at| m[..at].to_string())
            });
            assert!(ours.is_some(), "{text}");
            assert_eq!(ours, theirs, "{text}");
        }
        same::<u8>("-3");
        same::<u8>("1.5");
        same::<u8>("true");
        same::<u8>("false");
        same::<u8>("null");
        same::<u8>(r#""x""#);
        same::<String>("[]");
        same::<String>("{}");
        same::<(u8, u8)>("[1]");
        same::<Shape>(r#""Cube""#);
        same::<Sample>(r#"{"name": "a", "count": 1, "delta": 1, "ratio": 1, "tags": [], "maybe": null, "name": "b"}"#);
        same::<Sample>(r#"{"name": -7}"#);
        // A lone surrogate is replaced, as everywhere the crate reads JSON text
        // (a Rust string cannot hold it; JSON.parse keeps it); a string that
        // does not end, or has a bad escape, is an error.
        assert_eq!(from_str::<String>(r#""a\ud83db""#).unwrap(), "a\u{fffd}b");
        assert_eq!(from_str::<String>(r#""\ude00""#).unwrap(), "\u{fffd}");
        assert!(from_str::<String>(r#""abc"#).is_err());
        assert!(from_str::<String>(r#""\x""#).is_err());
        assert!(from_str::<String>("\"a\nb\"").is_err());
        assert!(from_str::<Vec<u8>>("[1,2").is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(from_str::<serde_json::Value>(&deep).is_err());
        assert!(from_str::<(u8,)>("[1,2]").is_err());
    }
}
