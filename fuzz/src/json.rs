//! The `json` driver: the JSON scanner of the core, checked against an
//! independent validator.

use socketio_wasm::proto::{codec, json};

use super::text;

/// An independent recursive JSON validator (RFC 8259) to compare
/// `json::is_valid` with; `None` when the input nests too deep for it.
pub fn reference_is_valid(s: &str) -> Option<bool> {
    struct P<'a> {
        b: &'a [u8],
        i: usize,
        too_deep: bool,
    }
    impl P<'_> {
        fn ws(&mut self) {
            while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.i += 1;
            }
        }
        fn eat(&mut self, c: u8) -> bool {
            if self.b.get(self.i) == Some(&c) {
                self.i += 1;
                true
            } else {
                false
            }
        }
        fn digits(&mut self) -> usize {
            let s = self.i;
            while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            self.i - s
        }
        fn string(&mut self) -> bool {
            if !self.eat(b'"') {
                return false;
            }
            loop {
                let Some(&c) = self.b.get(self.i) else { return false };
                self.i += 1;
                match c {
                    b'"' => return true,
                    b'\\' => {
                        let Some(&e) = self.b.get(self.i) else { return false };
                        self.i += 1;
                        match e {
                            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                            b'u' => {
                                for _ in 0..4 {
                                    if !self.b.get(self.i).is_some_and(u8::is_ascii_hexdigit) {
                                        return false;
                                    }
                                    self.i += 1;
                                }
                            }
                            _ => return false,
                        }
                    }
                    0..=0x1f => return false,
                    _ => {}
                }
            }
        }
        fn value(&mut self, depth: usize) -> bool {
            if depth > 200 {
                self.too_deep = true;
                return false;
            }
            self.ws();
            match self.b.get(self.i) {
                Some(b'{') => {
                    self.i += 1;
                    self.ws();
                    if self.eat(b'}') {
                        return true;
                    }
                    loop {
                        self.ws();
                        if !self.string() {
                            return false;
                        }
                        self.ws();
                        if !self.eat(b':') || !self.value(depth + 1) {
                            return false;
                        }
                        self.ws();
                        if self.eat(b'}') {
                            return true;
                        }
                        if !self.eat(b',') {
                            return false;
                        }
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    self.ws();
                    if self.eat(b']') {
                        return true;
                    }
                    loop {
                        if !self.value(depth + 1) {
                            return false;
                        }
                        self.ws();
                        if self.eat(b']') {
                            return true;
                        }
                        if !self.eat(b',') {
                            return false;
                        }
                    }
                }
                Some(b'"') => self.string(),
                Some(b't') => self.word(b"true"),
                Some(b'f') => self.word(b"false"),
                Some(b'n') => self.word(b"null"),
                Some(_) => {
                    self.eat(b'-');
                    if !self.eat(b'0') && self.digits() == 0 {
                        return false;
                    }
                    if self.eat(b'.') && self.digits() == 0 {
                        return false;
                    }
                    if self.eat(b'e') || self.eat(b'E') {
                        let _ = self.eat(b'+') || self.eat(b'-');
                        if self.digits() == 0 {
                            return false;
                        }
                    }
                    true
                }
                None => false,
            }
        }
        fn word(&mut self, w: &[u8]) -> bool {
            if self.b[self.i..].starts_with(w) {
                self.i += w.len();
                true
            } else {
                false
            }
        }
    }
    let mut p = P { b: s.as_bytes(), i: 0, too_deep: false };
    let ok = p.value(0);
    if p.too_deep {
        return None;
    }
    p.ws();
    Some(ok && p.i == s.len())
}

/// The JSON scanner: `is_valid` agrees with the reference validator, the
/// item/field readers only accept valid documents and only hand out valid
/// values, strings survive `write_string` -> `string`, and no proper prefix of
/// a valid container or string is valid.
pub fn json(data: &[u8]) {
    let s = text(data);
    check_json(&s);
}

/// [`json`] on a string.
pub fn check_json(s: &str) {
    let valid = json::is_valid(s);
    if let Some(r) = reference_is_valid(s) {
        assert_eq!(valid, r, "is_valid disagrees with the reference on {s:?}");
    }
    if let Some(end) = json::skip_value(s.as_bytes(), 0) {
        assert!(end <= s.len());
    }

    let mut items = Vec::new();
    if json::for_each_item(s, |i| items.push(i)).is_some() {
        assert!(valid, "for_each_item accepted invalid {s:?}");
        for i in &items {
            assert!(json::is_valid(i), "item {i:?} of {s:?}");
            assert_eq!(i.trim(), *i);
        }
        match (json::first_item(s), items.first()) {
            (Some(f), Some(i)) => assert_eq!(f, *i),
            (None, None) => {}
            (f, i) => panic!("first_item {f:?} vs first of for_each_item {i:?} in {s:?}"),
        }
        let fl = codec::first_and_last(s).expect("first_and_last of a valid array");
        assert_eq!(fl, (items.first().copied(), items.last().copied()));
    } else {
        assert!(codec::first_and_last(s).is_none());
    }
    if let Some(f) = json::first_item(s) {
        assert!(json::is_valid(f));
    }

    let mut fields = Vec::new();
    if json::for_each_field(s, |k, v| fields.push((k, v))).is_some() {
        assert!(valid, "for_each_field accepted invalid {s:?}");
        for (k, v) in &fields {
            let name = json::string(k).expect("a field name is a string");
            assert!(json::is_valid(v));
            let last = fields.iter().rev().find(|(k2, _)| json::string(k2).as_deref() == Some(name.as_str()));
            assert_eq!(json::field(s, &name), last.map(|(_, v)| *v));
        }
    }
    for name in ["sid", "pid", "message", "data", "pingInterval", "upgrades"] {
        if let Some(v) = json::field(s, name) {
            assert!(json::is_valid(v));
            let _ = json::uint(v);
            let _ = json::string(v);
        }
    }

    if let Some(x) = json::string(s) {
        assert!(valid, "string accepted invalid {s:?}");
        let mut w = String::new();
        json::write_string(&mut w, &x);
        assert_eq!(json::string(&w).as_deref(), Some(x.as_str()));
    }
    if json::uint(s).is_some() {
        assert!(valid, "uint accepted invalid {s:?}");
        assert!(!s.starts_with('-'));
    }

    // Any text survives write_string -> string.
    let mut w = String::new();
    json::write_string(&mut w, s);
    assert!(json::is_valid(&w));
    assert_eq!(json::string(&w).as_deref(), Some(s));

    if valid {
        assert!(json::is_valid(&format!(" [{s}] ")));
        assert!(json::is_valid(&format!("{{\"k\":{s},\"z\":[{s}]}}")));
        assert!(!json::is_valid(&format!("{s},")));
        let t = s.trim_matches([' ', '\t', '\n', '\r']);
        if t.len() <= 512 && matches!(t.as_bytes().first(), Some(b'[' | b'{' | b'"')) {
            for (i, _) in t.char_indices().skip(1) {
                assert!(!json::is_valid(&t[..i]), "prefix {:?} of {t:?} accepted", &t[..i]);
            }
        }
    }
}
