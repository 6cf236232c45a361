//! A tiny JSON scanner: validation, raw slices of array items and object
//! fields, strings and unsigned integers. Payload values are turned into real
//! values at the edge (the browser's `JSON.parse`, or serde in the Rust API);
//! `TextCodec` uses it to read the few small fixed-shape documents the core
//! needs (the open packet, the connect packet) and to check the shape of event
//! payloads.
//!
//! Every function is iterative (no recursion, so deep nesting cannot overflow
//! the stack) and returns `None` on malformed input.
//!
//! One piece: the scanner's functions call one another; its tests are a third
//! of the file. The npm package does not link it (its codec reads JSON with
//! `JSON.parse`).

/// The index of the first byte at or after `i` that is not JSON white space.
pub fn ws(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// The end of the string literal that starts at `i` (just after its closing
/// quote); `None` when there is none there.
pub fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    scan_string(b, i).map(|(end, _)| end)
}

/// [`skip_string`], and whether the string has an escape (when it has
/// none, its text is the bytes between the quotes).
pub fn scan_string(b: &[u8], i: usize) -> Option<(usize, bool)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut i = i + 1;
    let mut escaped = false;
    loop {
        match *b.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = b.get(i + 2..i + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                }
            }
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

fn digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

fn skip_number(b: &[u8], mut i: usize) -> Option<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let j = digits(b, i + 1);
        if j == i + 1 {
            return None;
        }
        i = j;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let j = digits(b, i);
        if j == i {
            return None;
        }
        i = j;
    }
    Some(i)
}

/// The index just after `word` when `b` has it at `i`.
pub fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    (b.get(i..i + word.len())? == word).then_some(i + word.len())
}

/// Reads an object key and the colon after it; returns the index of the value.
fn key(b: &[u8], i: usize) -> Option<usize> {
    let i = skip_string(b, ws(b, i))?;
    let i = ws(b, i);
    (b.get(i) == Some(&b':')).then_some(i + 1)
}

/// Skips one JSON value starting at or after `i` (leading white space allowed);
/// returns the index just past it.
pub fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    let mut stack: Vec<u8> = Vec::new();
    let mut i = i;
    loop {
        i = ws(b, i);
        match *b.get(i)? {
            b'{' => {
                let j = ws(b, i + 1);
                if b.get(j) == Some(&b'}') {
                    i = j + 1;
                } else {
                    stack.push(b'}');
                    i = key(b, j)?;
                    continue;
                }
            }
            b'[' => {
                let j = ws(b, i + 1);
                if b.get(j) == Some(&b']') {
                    i = j + 1;
                } else {
                    stack.push(b']');
                    i = j;
                    continue;
                }
            }
            b'"' => i = skip_string(b, i)?,
            b't' => i = literal(b, i, b"true")?,
            b'f' => i = literal(b, i, b"false")?,
            b'n' => i = literal(b, i, b"null")?,
            _ => i = skip_number(b, i)?,
        }
        // A value ended: close finished containers, or move to the next item.
        loop {
            let Some(&close) = stack.last() else {
                return Some(i);
            };
            i = ws(b, i);
            let c = *b.get(i)?;
            if c == b',' {
                i += 1;
                if close == b'}' {
                    i = key(b, i)?;
                }
                break;
            } else if c == close {
                stack.pop();
                i += 1;
            } else {
                return None;
            }
        }
    }
}

/// True when `s` is exactly one JSON value (white space around it allowed).
pub fn is_valid(s: &str) -> bool {
    let b = s.as_bytes();
    skip_value(b, 0).is_some_and(|end| ws(b, end) == b.len())
}

/// Calls `f` with the raw text of each item of a top-level JSON array, and
/// checks that nothing but white space follows. `None` when `s` is not one
/// valid array.
pub fn for_each_item<'a>(s: &'a str, mut f: impl FnMut(&'a str)) -> Option<()> {
    let b = s.as_bytes();
    let mut i = ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            let start = ws(b, i);
            let end = skip_value(b, start)?;
            f(s.get(start..end)?);
            i = ws(b, end);
            match *b.get(i)? {
                b',' => i += 1,
                b']' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (ws(b, i) == b.len()).then_some(())
}

/// The raw text of the first item of an array, reading no further than that
/// item (the rest is not checked).
pub fn first_item(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let i = ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let start = ws(b, i + 1);
    let end = skip_value(b, start)?;
    s.get(start..end)
}

/// Calls `f` with each (raw key, raw value) of a top-level JSON object, and
/// checks that nothing but white space follows. Raw keys keep their quotes.
pub fn for_each_field<'a>(s: &'a str, mut f: impl FnMut(&'a str, &'a str)) -> Option<()> {
    let b = s.as_bytes();
    let mut i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            let kstart = ws(b, i);
            let kend = skip_string(b, kstart)?;
            let vstart = key(b, kstart)?;
            let vstart = ws(b, vstart);
            let vend = skip_value(b, vstart)?;
            f(s.get(kstart..kend)?, s.get(vstart..vend)?);
            i = ws(b, vend);
            match *b.get(i)? {
                b',' => i += 1,
                b'}' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (ws(b, i) == b.len()).then_some(())
}

/// The raw value of field `name` of the top-level object `s` (the last one
/// when the key repeats, as `JSON.parse` does).
pub fn field<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let mut found = None;
    for_each_field(s, |k, v| {
        if string(k).as_deref() == Some(name) {
            found = Some(v);
        }
    })?;
    found
}

/// Decodes a raw JSON string literal. Lone surrogates become U+FFFD.
pub fn string(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let (end, escaped) = scan_string(b, 0)?;
    if end != b.len() {
        return None;
    }
    let inner = raw.get(1..raw.len() - 1)?;
    if !escaped {
        return Some(inner.to_owned());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    let mut pending_high: Option<u32> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            if pending_high.take().is_some() {
                out.push('\u{fffd}');
            }
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let unit = match e {
            'u' => {
                let mut v = 0u32;
                for _ in 0..4 {
                    v = v * 16 + chars.next()?.to_digit(16)?;
                }
                v
            }
            _ => {
                if pending_high.take().is_some() {
                    out.push('\u{fffd}');
                }
                out.push(match e {
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    other => other,
                });
                continue;
            }
        };
        if (0xDC00..0xE000).contains(&unit) {
            match pending_high.take() {
                Some(high) => {
                    let cp = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                }
                None => out.push('\u{fffd}'),
            }
        } else {
            if pending_high.take().is_some() {
                out.push('\u{fffd}');
            }
            if (0xD800..0xDC00).contains(&unit) {
                pending_high = Some(unit);
            } else {
                out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
            }
        }
    }
    if pending_high.is_some() {
        out.push('\u{fffd}');
    }
    Some(out)
}

/// Reads a non-negative JSON number as an integer: the fraction is dropped,
/// values beyond `u64` saturate. `None` for anything else.
pub fn uint(raw: &str) -> Option<u64> {
    let b = raw.as_bytes();
    let end = skip_number(b, 0)?;
    if end != b.len() || b.first() == Some(&b'-') {
        return None;
    }
    let int_end = digits(b, 0);
    let mut v: u64 = 0;
    for &d in b.get(..int_end)? {
        v = v.saturating_mul(10).saturating_add(u64::from(d - b'0'));
    }
    // An exponent makes the value larger or smaller than the digits say.
    if let Some(e) = raw.find(['e', 'E']) {
        let exp = raw.get(e + 1..)?;
        let (neg, digits_str) = match exp.as_bytes().first() {
            Some(b'-') => (true, exp.get(1..)?),
            Some(b'+') => (false, exp.get(1..)?),
            _ => (false, exp),
        };
        let mut n: u32 = 0;
        for d in digits_str.bytes() {
            n = n.saturating_mul(10).saturating_add(u32::from(d - b'0'));
        }
        for _ in 0..n.min(40) {
            v = if neg { v / 10 } else { v.saturating_mul(10) };
        }
    }
    Some(v)
}

/// Appends `s` as a JSON string literal.
// The hex indices are nibbles of a byte below 0x20, always in the table.
#[allow(clippy::indexing_slicing)]
pub fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates() {
        for ok in [
            "0",
            "-1.5e+3",
            "\"a\\u00e9\\n\"",
            "[]",
            "{}",
            " [1, {\"a\": [true, false, null]}] ",
            "{\"a\":{\"b\":{\"c\":[[[]]]}}}",
            "[\"\u{2028}\", \"😀\"]",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "[",
            "]",
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "[1 2]",
            "{1:2}",
            "nul",
            "\"a",
            "\"\u{1}\"",
            "[1]]",
            "{\"a\":1}}",
            "1 2",
            "\"\\u12G4\"",
        ] {
            assert!(!is_valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = "[".repeat(200_000) + &"]".repeat(200_000);
        assert!(is_valid(&deep));
        let unbalanced = "[".repeat(200_000);
        assert!(!is_valid(&unbalanced));
    }

    #[test]
    fn items_and_fields() {
        let mut items = Vec::new();
        for_each_item(r#"["ev", {"a":[1,2]}, "x"]"#, |i| items.push(i)).unwrap();
        assert_eq!(items, vec!["\"ev\"", "{\"a\":[1,2]}", "\"x\""]);
        assert!(for_each_item("[1,2] x", |_| {}).is_none());
        assert!(for_each_item("{}", |_| {}).is_none());

        let open = r#"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
        assert_eq!(string(field(open, "sid").unwrap()).unwrap(), "lv_VI97HAXpY6yYWAAAC");
        assert_eq!(uint(field(open, "pingInterval").unwrap()), Some(25000));
        assert_eq!(uint(field(open, "maxPayload").unwrap()), Some(1_000_000));
        assert_eq!(field(open, "missing"), None);
        assert_eq!(field(r#"{"a":1,"a":2}"#, "a"), Some("2"));
        assert_eq!(field(r#"{"\u0061":1}"#, "a"), Some("1"));
    }

    #[test]
    fn strings() {
        assert_eq!(string(r#""plain""#).unwrap(), "plain");
        assert_eq!(string(r#""a\"b\\c\/\n\u00e9""#).unwrap(), "a\"b\\c/\né");
        assert_eq!(string(r#""\ud83d\ude00""#).unwrap(), "😀");
        assert_eq!(string(r#""\ud83dx""#).unwrap(), "\u{fffd}x");
        assert_eq!(string(r#""\ude00""#).unwrap(), "\u{fffd}");
        assert_eq!(string("1"), None);
        assert_eq!(string(r#""a" "#), None);
    }

    #[test]
    fn integers() {
        assert_eq!(uint("0"), Some(0));
        assert_eq!(uint("25000"), Some(25000));
        assert_eq!(uint("2.9"), Some(2));
        assert_eq!(uint("1e3"), Some(1000));
        assert_eq!(uint("1e-1"), Some(0));
        assert_eq!(uint("99999999999999999999999"), Some(u64::MAX));
        assert_eq!(uint("-1"), None);
        assert_eq!(uint("\"1\""), None);
    }

    #[test]
    fn writes_strings() {
        let mut s = String::new();
        write_string(&mut s, "a\"\\\n\u{1}\u{2028}é");
        assert_eq!(s, "\"a\\\"\\\\\\n\\u0001\u{2028}é\"");
        assert_eq!(string(&s).unwrap(), "a\"\\\n\u{1}\u{2028}é");
    }
}
