//! The npm package's [`Codec`]: every payload stays a JavaScript value.
//!
//! - `Text` is a JavaScript string (a WebSocket message, a polling record or
//!   body). The core reads the first characters it needs through [`head`]
//!   (a copy of at most a few dozen characters for an event), never the rest.
//! - `Args` is, for incoming events and acks, the array `JSON.parse` made of
//!   the payload, parsed once when the packet arrives so that a bad payload is
//!   still a `parse error`; for outgoing ones, `[json, values]`: the text
//!   `JSON.stringify` made once in `js/` and the values given to `emit` (for
//!   `onAnyOutgoing` listeners and `sendBuffer`).
//! - `Binary` is an `ArrayBuffer` (or a typed array or `DataView` the user
//!   emitted), never copied into wasm memory.
//!
//! The functions behind it are in `codec.js`.

use std::borrow::Cow;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::WebSocket;

use crate::proto::{Codec, EmitError, Frame};
use crate::web::WebCodec;

#[wasm_bindgen(module = "/src/bindings/codec.js")]
extern "C" {
    fn head(text: &JsValue, n: u32) -> String;
    fn units(text: &JsValue) -> u32;
    #[wasm_bindgen(js_name = firstUnit)]
    fn first_unit(text: &JsValue) -> f64;
    fn parse(text: &JsValue, from: u32, event: bool) -> Option<js_sys::Array>;
    #[wasm_bindgen(js_name = lastString)]
    fn last_string(args: &JsValue) -> JsValue;
    fn message(head: &str, args: &JsValue) -> JsValue;
    fn records(body: &JsValue) -> js_sys::Array;
    fn join(list: &js_sys::Array) -> JsValue;
    #[wasm_bindgen(js_name = utf8Length)]
    fn utf8_length(s: &JsValue) -> u32;
    #[wasm_bindgen(js_name = fromBase64)]
    fn from_base64(record: &JsValue) -> Option<js_sys::ArrayBuffer>;
    #[wasm_bindgen(js_name = toBase64)]
    fn to_base64(data: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = byteLength)]
    fn byte_length(data: &JsValue) -> u32;
    #[wasm_bindgen(js_name = parseObject)]
    fn parse_object(text: &str) -> Option<js_sys::Object>;
    pub(super) fn field(o: &JsValue, key: &str) -> JsValue;
    #[wasm_bindgen(js_name = numberField)]
    pub(super) fn number_field(o: &JsValue, key: &str) -> f64;
    #[wasm_bindgen(js_name = jsonField)]
    fn json_field(o: &JsValue, key: &str) -> JsValue;
    #[wasm_bindgen(js_name = parseString)]
    fn parse_string(text: &str) -> JsValue;
    fn quote(s: &str) -> JsValue;
}

/// The items of a JavaScript array, read by index (one small loop for every
/// array the wasm takes apart, where `collect` made one instance per caller).
pub(super) fn to_vec(a: &js_sys::Array) -> Vec<JsValue> {
    let n = a.length();
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        out.push(a.get(i));
    }
    out
}

/// A JavaScript array of `list` (the other direction of [`to_vec`]).
pub(super) fn to_array(list: Vec<JsValue>) -> js_sys::Array {
    let a = js_sys::Array::new();
    for v in list {
        a.push(&v);
    }
    a
}

/// Payloads held as JavaScript values (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsCodec;

/// The number of UTF-16 units of `s`: one per character, two for those of
/// four UTF-8 bytes (counted on the bytes, without decoding characters).
fn utf16_len(s: &str) -> usize {
    s.bytes().map(|b| usize::from(b & 0xc0 != 0x80) + usize::from(b >= 0xf0)).sum()
}

impl Codec for JsCodec {
    type Text = JsValue;
    type Args = JsValue;
    type Binary = JsValue;

    fn prefix(text: &JsValue, max: usize) -> (Cow<'_, str>, bool) {
        // A cut through a surrogate pair ends the prefix with U+FFFD. The
        // core never reads the last character of a prefix that is not whole
        // (a header cut there is read again, longer), so that is harmless.
        let n = u32::try_from(max).unwrap_or(u32::MAX);
        let h = head(text, n);
        // Fewer bytes than `max` means fewer units (a unit is at least one
        // byte), so the text is all there: no second call for its length.
        let whole = h.len() < max || units(text) <= n;
        (Cow::Owned(h), whole)
    }

    fn first_byte(text: &JsValue) -> Option<u8> {
        // NaN (an empty string) and units above 0xff are no packet type.
        let c = first_unit(text);
        (c < 256.0).then_some(c as u8)
    }

    fn text(s: String) -> JsValue {
        JsValue::from_str(&s)
    }

    fn message(head: &str, args: &JsValue) -> JsValue {
        message(head, args)
    }

    fn records(body: JsValue) -> Vec<JsValue> {
        to_vec(&records(&body))
    }

    fn join(list: Vec<JsValue>) -> JsValue {
        join(&to_array(list))
    }

    fn args(text: &JsValue, head: &str, event: bool) -> Option<JsValue> {
        let from = u32::try_from(utf16_len(head)).unwrap_or(u32::MAX);
        // `undefined` is `None` in the glue: no second call to test it.
        parse(text, from, event).map(Into::into)
    }

    fn last_string(args: &JsValue) -> Option<String> {
        last_string(args).as_string()
    }

    fn decode_base64(text: &JsValue) -> Option<JsValue> {
        from_base64(text).map(Into::into)
    }

    fn encode_base64(bin: &JsValue) -> JsValue {
        to_base64(bin)
    }

    fn text_len(text: &JsValue) -> usize {
        utf8_length(text) as usize
    }

    fn binary_len(bin: &JsValue) -> usize {
        byte_length(bin) as usize
    }

    /// `js/` refuses reserved names and builds `[name, ...args]` itself.
    fn check_emit(_: &JsValue) -> Result<(), EmitError> {
        Ok(())
    }

    type Object = JsValue;

    fn object(text: &str) -> Option<JsValue> {
        parse_object(text).map(Into::into)
    }

    fn string_field(o: &JsValue, key: &str) -> Option<String> {
        field(o, key).as_string()
    }

    fn uint_field(o: &JsValue, key: &str) -> Option<u64> {
        // NaN (not a number) fails both tests.
        let v = number_field(o, key);
        (v >= 0.0 && v.fract() == 0.0).then_some(v as u64)
    }

    fn strings_field(o: &JsValue, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(a) = field(o, key).dyn_into::<js_sys::Array>() {
            for i in 0..a.length() {
                out.extend(a.get(i).as_string());
            }
        }
        out
    }

    fn json_field(o: &JsValue, key: &str) -> Option<String> {
        json_field(o, key).as_string()
    }

    fn json_string(text: &str) -> Option<String> {
        parse_string(text).as_string()
    }

    fn quote(s: &str) -> String {
        quote(s).as_string().unwrap_or_default()
    }
}

impl WebCodec for JsCodec {
    fn text_from_js(s: &js_sys::JsString) -> JsValue {
        s.into()
    }

    fn binary_from_js(b: JsValue) -> JsValue {
        b
    }

    fn send(ws: &WebSocket, frame: &Frame<Self>) {
        match frame {
            Frame::Text(v) | Frame::Binary(v) => crate::web::send(ws, v),
        }
    }

    fn body(text: &JsValue) -> JsValue {
        text.clone()
    }
}
