//! Server addresses: resolving what the user passed to `io()` against the
//! page's location, the manager cache key, and the URL of each transport
//! request (`path`, `EIO=4`, `transport`, `sid`, cache-busting timestamp, user
//! query).

/// The parts of the page's location that relative addresses resolve against.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// `"http:"` or `"https:"` (with the colon, as `location.protocol`).
    pub protocol: String,
    /// `host[:port]` (as `location.host`).
    pub host: String,
    /// The port, empty when default (as `location.port`).
    pub port: String,
}

/// An absolute server address split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedUri {
    /// The full address after resolution.
    pub source: String,
    /// `http`, `https`, `ws` or `wss` (empty when absent).
    pub protocol: String,
    /// The host name, without brackets for IPv6.
    pub host: String,
    /// The port; the scheme's default when absent and the scheme is known.
    pub port: String,
    /// The path (the namespace for `io()`), `/` when empty.
    pub path: String,
    /// The query string without `?` (empty when absent).
    pub query: String,
    /// The query's parameters, decoded; `None` when the address has no query
    /// (or an empty one). [`parse`] decodes them, so that a shell that
    /// decodes the query itself (the npm package) does not link the decoder.
    pub query_params: Option<Vec<(String, String)>>,
}

impl ParsedUri {
    /// True for `https` and `wss`.
    pub fn secure(&self) -> bool {
        self.protocol == "https" || self.protocol == "wss"
    }

    fn bracketed_host(&self) -> String {
        if self.host.bytes().any(|c| c == b':') {
            let mut h = String::with_capacity(self.host.len() + 2);
            super::push_ascii(&mut h, b'[');
            h.push_str(&self.host);
            super::push_ascii(&mut h, b']');
            h
        } else {
            self.host.clone()
        }
    }

    /// The manager cache key: `protocol://host:port` + the engine path, so two
    /// namespaces of one server share a connection.
    pub fn cache_id(&self, engine_path: &str) -> String {
        let mut id = self.protocol.clone();
        id.push_str("://");
        id.push_str(&self.bracketed_host());
        super::push_ascii(&mut id, b':');
        id.push_str(&self.port);
        id.push_str(engine_path);
        id
    }
}

/// Splits an address of the form `[scheme://][user@]host[:port][/path][?query][#hash]`.
/// Only the http(s) and ws(s) schemes are recognised, as by the reference client.
///
/// Slices are taken with `get` (the positions are those of ASCII bytes, so
/// they always exist): an index that could fail would link the panic path of
/// `str` slicing, with its formatting, into every Rust app.
pub fn parse(input: &str) -> ParsedUri {
    let b = input.as_bytes();
    let pos = |from: usize, pred: &dyn Fn(u8) -> bool| b.get(from..)?.iter().position(|&c| pred(c)).map(|p| p + from);
    let mut i = 0;
    let mut protocol = "";
    if let Some(colon) = pos(0, &|c| c == b':') {
        let scheme = input.get(..colon).unwrap_or_default();
        if b.get(colon + 1..colon + 3) == Some(b"//") && matches!(scheme, "http" | "https" | "ws" | "wss") {
            protocol = scheme;
            i = colon + 3;
        }
    }
    let end = pos(i, &|c| c == b'#').unwrap_or(b.len());
    let q = pos(i, &|c| c == b'?').filter(|&q| q < end);
    let query = q.map_or("", |q| input.get(q + 1..end).unwrap_or_default());
    let before_query = q.unwrap_or(end);
    let slash = pos(i, &|c| c == b'/').filter(|&p| p < before_query).unwrap_or(before_query);
    let path = input.get(slash..before_query).unwrap_or_default();
    let mut authority = input.get(i..slash).unwrap_or_default();
    if let Some(at) = authority.bytes().rposition(|c| c == b'@') {
        authority = authority.get(at + 1..).unwrap_or_default();
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        match inner.bytes().position(|c| c == b']') {
            Some(close) => (
                inner.get(..close).unwrap_or_default(),
                inner.get(close + 1..).unwrap_or_default().strip_prefix(':').unwrap_or(""),
            ),
            None => (inner, ""),
        }
    } else {
        match authority.bytes().rposition(|c| c == b':') {
            Some(c) if authority.as_bytes().get(c + 1..).is_some_and(|p| p.iter().all(u8::is_ascii_digit)) => {
                (authority.get(..c).unwrap_or_default(), authority.get(c + 1..).unwrap_or_default())
            }
            _ => (authority, ""),
        }
    };
    let mut port = port.to_owned();
    if port.is_empty() {
        match protocol {
            "http" | "ws" => port = "80".into(),
            "https" | "wss" => port = "443".into(),
            _ => {}
        }
    }
    ParsedUri {
        source: input.to_owned(),
        protocol: protocol.to_owned(),
        host: host.to_owned(),
        port,
        path: if path.is_empty() { "/".into() } else { path.to_owned() },
        query: query.to_owned(),
        query_params: (!query.is_empty()).then(|| decode_query(query)),
    }
}

/// Resolves what was passed to `io()` the way the reference client does:
/// nothing means the page's origin, `//host` takes the page's scheme, `/path`
/// the page's host, and an address without a scheme the page's scheme (or
/// `https` when there is no page).
pub fn resolve(uri: Option<&str>, loc: Option<&Location>) -> ParsedUri {
    let mut s = String::new();
    let page_protocol = loc.map_or("https:", |l| l.protocol.as_str());
    match uri {
        None => {
            s.push_str(page_protocol);
            s.push_str("//");
            s.push_str(loc.map_or("localhost", |l| l.host.as_str()));
        }
        Some(u) if u.starts_with("//") => {
            s.push_str(page_protocol);
            s.push_str(u);
        }
        Some(u) if u.starts_with('/') => {
            s.push_str(loc.map_or("localhost", |l| l.host.as_str()));
            s.push_str(u);
        }
        Some(u) => s.push_str(u),
    }
    let has_scheme = ["http://", "https://", "ws://", "wss://"].iter().any(|p| s.starts_with(p));
    if !has_scheme {
        let mut with = String::with_capacity(s.len() + 8);
        with.push_str(page_protocol);
        with.push_str("//");
        with.push_str(&s);
        s = with;
    }
    parse(&s)
}

/// Percent-encodes like JavaScript's `encodeURIComponent`.
// Both hex indices are a nibble, always in the table.
#[allow(clippy::indexing_slicing)]
pub fn encode_component(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')') {
            super::push_ascii(out, b);
        } else {
            super::push_ascii(out, b'%');
            super::push_ascii(out, HEX[usize::from(b >> 4)]);
            super::push_ascii(out, HEX[usize::from(b & 15)]);
        }
    }
}

/// Decodes `%XX` escapes (invalid ones are kept as text; `+` stays `+`, as
/// `decodeURIComponent` does).
pub fn decode_component(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |c: u8| (c as char).to_digit(16);
        if c == b'%' {
            if let (Some(h), Some(l)) = (b.get(i + 1).and_then(|&c| hex(c)), b.get(i + 2).and_then(|&c| hex(c))) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    // Like decodeURIComponent, malformed UTF-8 is not decoded: keep the text.
    utf8(&out).unwrap_or_else(|| s.to_owned())
}

/// The text of UTF-8 bytes, `None` when they are not well-formed (overlong
/// forms, surrogates and code points past U+10FFFF included). Nothing else in
/// the crate checks UTF-8 (its other texts come from Rust or JavaScript
/// strings), so this small decoder keeps the standard library's validator out
/// of an app.
fn utf8(b: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let (n, min) = match c {
            0x00..=0x7f => (0, 0),
            0xc2..=0xdf => (1, 0x80),
            0xe0..=0xef => (2, 0x800),
            0xf0..=0xf4 => (3, 0x1_0000),
            _ => return None,
        };
        let mut cp = u32::from(c) & if n == 0 { 0x7f } else { 0x3f >> n };
        for k in 1..=n {
            let d = *b.get(i + k)?;
            if d & 0xc0 != 0x80 {
                return None;
            }
            cp = cp << 6 | u32::from(d & 0x3f);
        }
        if cp < min {
            return None;
        }
        out.push(char::from_u32(cp)?);
        i += n + 1;
    }
    Some(out)
}

/// Splits a query string into decoded pairs.
pub fn decode_query(q: &str) -> Vec<(String, String)> {
    super::split_ascii(q, b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.bytes().position(|c| c == b'=') {
            Some(eq) => (
                decode_component(pair.get(..eq).unwrap_or_default()),
                decode_component(pair.get(eq + 1..).unwrap_or_default()),
            ),
            None => (decode_component(pair), String::new()),
        })
        .collect()
}

/// Where the engine connects and what every request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// TLS (https/wss).
    pub secure: bool,
    /// Host name (IPv6 without brackets).
    pub hostname: String,
    /// Port.
    pub port: String,
    /// Request path, already normalised for the trailing slash.
    pub path: String,
    /// The user's query parameters, in order.
    pub query: Vec<(String, String)>,
}

impl Endpoint {
    /// Builds the endpoint from a resolved address and the `path`,
    /// `addTrailingSlash` and `query` options; a query in the address replaces
    /// the `query` option, as in the reference client.
    pub fn new(uri: &ParsedUri, path: &str, add_trailing_slash: bool, query: &[(String, String)]) -> Self {
        // Patterns as `&str` and bytes here and below: a `char` pattern links
        // `char`'s UTF-8 encoder.
        let mut p = path.strip_suffix("/").unwrap_or(path).to_owned();
        if add_trailing_slash {
            super::push_ascii(&mut p, b'/');
        }
        let query = uri.query_params.as_deref().unwrap_or(query).to_vec();
        let secure = uri.secure();
        let port = if uri.port.is_empty() { if secure { "443" } else { "80" }.to_owned() } else { uri.port.clone() };
        Endpoint { secure, hostname: uri.host.clone(), port, path: p, query }
    }

    /// The URL of one transport request. `websocket` picks ws(s)/http(s);
    /// `timestamp` is the cache-busting `(param, value)`.
    pub fn url(&self, websocket: bool, sid: Option<&str>, timestamp: Option<(&str, &str)>) -> String {
        let mut u = String::with_capacity(64 + self.hostname.len() + self.path.len());
        u.push_str(match (websocket, self.secure) {
            (true, true) => "wss://",
            (true, false) => "ws://",
            (false, true) => "https://",
            (false, false) => "http://",
        });
        if self.hostname.bytes().any(|c| c == b':') {
            super::push_ascii(&mut u, b'[');
            u.push_str(&self.hostname);
            super::push_ascii(&mut u, b']');
        } else {
            u.push_str(&self.hostname);
        }
        let default_port = if self.secure { "443" } else { "80" };
        if !self.port.is_empty() && self.port != default_port {
            super::push_ascii(&mut u, b':');
            u.push_str(&self.port);
        }
        u.push_str(&self.path);
        let transport = if websocket { "websocket" } else { "polling" };
        let mut sep = b'?';
        let mut pair = |u: &mut String, k: &str, v: &str| {
            super::push_ascii(u, sep);
            sep = b'&';
            encode_component(u, k);
            super::push_ascii(u, b'=');
            encode_component(u, v);
        };
        let ts_key = timestamp.map(|(k, _)| k);
        for (k, v) in &self.query {
            let k = k.as_str();
            if k == "EIO" || k == "transport" || k == "sid" || Some(k) == ts_key {
                continue;
            }
            pair(&mut u, k, v);
        }
        pair(&mut u, "EIO", "4");
        pair(&mut u, "transport", transport);
        if let Some(sid) = sid {
            pair(&mut u, "sid", sid);
        }
        if let Some((k, v)) = timestamp {
            pair(&mut u, k, v);
        }
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(protocol: &str, host: &str, port: &str) -> Location {
        Location { protocol: protocol.into(), host: host.into(), port: port.into() }
    }

    #[test]
    fn utf8_agrees_with_the_standard_library() {
        let check = |b: &[u8]| assert_eq!(utf8(b), std::str::from_utf8(b).ok().map(str::to_owned), "{b:02x?}");
        for a in 0..=255u8 {
            check(&[a]);
            for b in 0..=255u8 {
                check(&[a, b]);
                check(&[b'x', a, b]);
            }
        }
        // Every lead byte with every second byte, then the bounds of each form.
        for a in 0xe0..=0xf4u8 {
            for b in 0..=255u8 {
                for c in [0x7f, 0x80, 0xbf, 0xc0] {
                    check(&[a, b, c]);
                    check(&[a, b, c, 0x80]);
                    check(&[a, b, c, 0xbf]);
                    check(&[a, b, c, 0xc0]);
                }
            }
        }
        for s in ["", "a", "é", "€", "😀", "a😀b€é", "\u{10ffff}", "\u{d7ff}", "\u{e000}"] {
            check(s.as_bytes());
        }
        assert_eq!(decode_component("%F0%9F%98%80%20x"), "😀 x");
        assert_eq!(decode_component("%ED%A0%80"), "%ED%A0%80");
        assert_eq!(decode_component("%C0%AF"), "%C0%AF");
        assert_eq!(decode_component("%F4%90%80%80"), "%F4%90%80%80");
    }

    #[test]
    fn parses_addresses() {
        let p = parse("https://user:pw@example.com:8443/chat?token=a%20b#frag");
        assert_eq!(p.protocol, "https");
        assert_eq!(p.host, "example.com");
        assert_eq!(p.port, "8443");
        assert_eq!(p.path, "/chat");
        assert_eq!(p.query, "token=a%20b");
        assert_eq!(p.query_params, Some(vec![("token".into(), "a b".into())]));
        assert_eq!(parse("http://h/?").query_params, None);
        assert_eq!(parse("http://h/?&").query_params, Some(vec![]));
        assert!(p.secure());
        let p = parse("http://[::1]:3000/");
        assert_eq!((p.host.as_str(), p.port.as_str(), p.path.as_str()), ("::1", "3000", "/"));
        let p = parse("ws://localhost");
        assert_eq!((p.port.as_str(), p.path.as_str()), ("80", "/"));
        assert_eq!(parse("wss://h").port, "443");
    }

    #[test]
    fn resolves_like_the_reference_client() {
        let page = loc("https:", "woot.com:3000", "3000");
        let r = resolve(None, Some(&page));
        assert_eq!((r.protocol.as_str(), r.host.as_str(), r.port.as_str()), ("https", "woot.com", "3000"));
        let r = resolve(Some("/woot"), Some(&page));
        assert_eq!((r.host.as_str(), r.path.as_str()), ("woot.com", "/woot"));
        let r = resolve(Some("//google.com/x"), Some(&loc("http:", "a.com", "")));
        assert_eq!(
            (r.protocol.as_str(), r.host.as_str(), r.port.as_str(), r.path.as_str()),
            ("http", "google.com", "80", "/x")
        );
        let r = resolve(Some("localhost:3000/admin"), Some(&loc("http:", "a.com", "")));
        assert_eq!(
            (r.protocol.as_str(), r.host.as_str(), r.port.as_str(), r.path.as_str()),
            ("http", "localhost", "3000", "/admin")
        );
        let r = resolve(Some("example.com"), None);
        assert_eq!((r.protocol.as_str(), r.port.as_str()), ("https", "443"));
        assert_eq!(resolve(Some("http://google.com"), None).cache_id("/socket.io"), "http://google.com:80/socket.io");
        assert_eq!(resolve(Some("https://[::1]:8080"), None).cache_id("/p"), "https://[::1]:8080/p");
    }

    #[test]
    fn builds_transport_urls() {
        let uri = parse("http://localhost:3000/chat");
        let q = vec![("token".to_owned(), "a b&c=é".to_owned()), ("EIO".to_owned(), "3".to_owned())];
        let e = Endpoint::new(&uri, "/socket.io", true, &q);
        assert_eq!(
            e.url(false, None, Some(("t", "abc"))),
            "http://localhost:3000/socket.io/?token=a%20b%26c%3D%C3%A9&EIO=4&transport=polling&t=abc"
        );
        assert_eq!(
            e.url(true, Some("s1d-_"), None),
            "ws://localhost:3000/socket.io/?token=a%20b%26c%3D%C3%A9&EIO=4&transport=websocket&sid=s1d-_"
        );
        let e = Endpoint::new(&parse("https://h:443"), "/custom/", false, &[]);
        assert_eq!(e.url(true, None, None), "wss://h/custom?EIO=4&transport=websocket");
        let e = Endpoint::new(&parse("https://[::1]:8443/?x=1&y"), "/socket.io", true, &q);
        assert_eq!(e.query, vec![("x".into(), "1".into()), ("y".into(), String::new())]);
        assert_eq!(e.url(false, None, None), "https://[::1]:8443/socket.io/?x=1&y=&EIO=4&transport=polling");
    }

    #[test]
    fn encodes_components_like_javascript() {
        let mut s = String::new();
        encode_component(&mut s, "AZaz09-_.!~*'() /?#&=+%😀");
        assert_eq!(s, "AZaz09-_.!~*'()%20%2F%3F%23%26%3D%2B%25%F0%9F%98%80");
        assert_eq!(decode_component("a%20b%F0%9F%98%80%zz+"), "a b😀%zz+");
        assert_eq!(decode_component("%FF"), "%FF");
    }
}
