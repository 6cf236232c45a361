//! Drivers for the fuzz targets of `socketio-wasm`'s sans-IO core.
//!
//! Each public function takes raw fuzz input, runs one decoder (or the whole
//! [`Client`]) on it, and checks a few properties that must hold for every
//! input besides "does not panic". The cargo-fuzz targets in `fuzz_targets/`
//! call them, and so does the main crate's `tests/no_panic.rs` (it includes
//! this file as a module), so the same checks run on every `cargo test`.
//!
//! Only `socketio_wasm` and `std` may be used here.

use std::collections::{HashSet, VecDeque};

use socketio_wasm::proto::{
    base64, codec, eio, json, sio, url, AckRequest, Auth, Client, Emit, Event, Frame, HttpError, Options, Payload,
    SocketId, SocketOptions, TextCodec, Transmit, TransportId, TransportKind,
};

/// The fuzz input as text (invalid UTF-8 becomes U+FFFD).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// User payload text as a shell hands it over: `JSON.stringify` and serde
/// never leave a raw control character (such as the polling separator
/// `\x1e`) in their output, so none is passed here; the text may still be
/// invalid JSON.
pub fn user_text(data: &[u8]) -> String {
    text(data).replace(|c: char| c < ' ', " ")
}

fn b64(data: &[u8]) -> String {
    let mut s = String::new();
    base64::encode_into(data, &mut s);
    s
}

// ===========================================================================
// Engine.IO
// ===========================================================================

/// `eio::decode` on one record, with the re-encoding of what it decoded.
pub fn eio_text(data: &[u8]) {
    let s = text(data);
    match eio::decode::<TextCodec>(s.clone()) {
        Ok(p) => {
            match &p {
                eio::Packet::Open(d) => {
                    assert_eq!(1 + d.len(), s.len(), "the data is the rest of the record");
                    assert!(s.ends_with(d.as_str()));
                }
                eio::Packet::Message(d) => assert_eq!(d, &s, "a message is handed on whole"),
                eio::Packet::Pong { probe } => assert_eq!(*probe, s == "3probe"),
                eio::Packet::Binary(b) => {
                    assert_eq!(eio::decode::<TextCodec>(format!("b{}", b64(b))), Ok(eio::Packet::Binary(b.clone())));
                }
                eio::Packet::Ping | eio::Packet::Close | eio::Packet::Upgrade | eio::Packet::Noop => {}
            }
            if let eio::Packet::Message(d) = &p {
                let rec = eio::OutPacket::<TextCodec>::Message(d.clone()).into_record();
                assert_eq!(eio::decode::<TextCodec>(rec), Ok(eio::Packet::Message(d.clone())));
            }
        }
        Err(eio::DecodeError::Empty) => assert!(s.is_empty()),
        Err(_) => assert!(!s.is_empty()),
    }
}

/// `eio::decode_payload`, checked against record-by-record decoding, and the
/// decoded packets encoded and decoded again.
pub fn eio_payload(data: &[u8]) {
    let s = text(data);
    let (packets, err) = eio::decode_payload::<TextCodec>(s.clone());
    let records: Vec<&str> = s.split(eio::SEPARATOR).collect();
    assert!(packets.len() <= records.len());
    for (p, r) in packets.iter().zip(&records) {
        assert_eq!(eio::decode::<TextCodec>((*r).to_owned()).as_ref(), Ok(p));
    }
    match err {
        None => assert_eq!(packets.len(), records.len()),
        Some(e) => assert_eq!(eio::decode::<TextCodec>(records[packets.len()].to_owned()).err(), Some(e)),
    }
    // What the client could write back: messages, binaries, pongs.
    let out: Vec<eio::OutPacket> = packets
        .iter()
        .filter_map(|p| match p {
            eio::Packet::Message(d) => Some(eio::OutPacket::Message(d.clone())),
            eio::Packet::Binary(b) => Some(eio::OutPacket::Binary(b.clone())),
            eio::Packet::Pong { probe: false } => Some(eio::OutPacket::Pong),
            _ => None,
        })
        .collect();
    check_out_packets(&out, data.first().map_or(0, |&b| usize::from(b) * 7));
}

/// `encode_payload` then `decode_payload` gives the packets back, and
/// `batch_len` takes at least one and at most all of them.
pub fn check_out_packets(out: &[eio::OutPacket], max_payload: usize) {
    let body = eio::encode_payload(out.to_vec());
    let (back, err) = eio::decode_payload::<TextCodec>(body.clone());
    if out.is_empty() {
        assert_eq!(err, Some(eio::DecodeError::Empty));
        return;
    }
    assert_eq!(err, None, "{body:?}");
    assert_eq!(back.len(), out.len(), "{body:?}");
    for (o, b) in out.iter().zip(&back) {
        match (o, b) {
            (eio::OutPacket::Pong, eio::Packet::Pong { probe: false }) => {}
            (eio::OutPacket::Message(m), eio::Packet::Message(d)) => assert_eq!(m, d),
            (eio::OutPacket::Binary(x), eio::Packet::Binary(y)) => assert_eq!(x, y),
            _ => panic!("round trip changed {o:?} into {b:?}"),
        }
    }
    let n = eio::batch_len(out, max_payload);
    assert!(n >= 1 && n <= out.len());
}

// ===========================================================================
// Socket.IO
// ===========================================================================

/// `sio::decode` of one packet text; a decoded packet must encode to a text
/// that decodes to the same packet.
pub fn check_sio_decode(s: &str) -> Option<sio::Packet> {
    match sio::decode::<TextCodec>(&format!("4{s}")) {
        Ok(p) => {
            if let sio::Packet::Event { attachments, .. } | sio::Packet::Ack { attachments, .. } = &p {
                assert!(*attachments <= sio::MAX_ATTACHMENTS);
            }
            let e = sio::encode::<TextCodec>(&p);
            assert!(e.starts_with('4'));
            assert_eq!(sio::decode::<TextCodec>(&e).as_ref(), Ok(&p), "{s:?} -> {e:?}");
            Some(p)
        }
        Err(e) => {
            assert!(!e.message().is_empty());
            None
        }
    }
}

/// `sio::decode` on the whole input, then a `Decoder` fed the input's
/// `\x1e`-separated chunks: a chunk starting with `b` is a binary frame (the
/// bytes after the `b`), any other a text frame.
pub fn sio_decode(data: &[u8]) {
    check_sio_decode(&text(data));
    let mut d = sio::Decoder::<TextCodec>::default();
    let mut waiting = 0usize;
    for (n, chunk) in data.split(|&b| b == 0x1e).enumerate() {
        let r = match chunk.split_first() {
            Some((b'b', rest)) => d.add_binary(rest.to_vec()),
            _ => {
                let t = text(chunk);
                check_sio_decode(&t);
                d.add_text(&format!("4{t}"))
            }
        };
        match r {
            Ok(Some((p, atts))) => {
                let expected = match &p {
                    sio::Packet::Event { attachments, .. } | sio::Packet::Ack { attachments, .. } => *attachments,
                    _ => 0,
                };
                assert_eq!(atts.len(), expected);
                waiting = 0;
            }
            Ok(None) => waiting += 1,
            Err(e) => {
                assert!(!e.message().is_empty());
                // The client resets its decoder when it closes on an error;
                // sometimes keep the state to explore what follows.
                if n % 2 == 0 {
                    d.reset();
                    waiting = 0;
                }
            }
        }
        assert!(waiting <= sio::MAX_ATTACHMENTS + 1);
    }
}

// ===========================================================================
// JSON
// ===========================================================================

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

// ===========================================================================
// base64
// ===========================================================================

/// Bytes survive encode -> decode; text that decodes re-encodes to the same
/// bytes, with or without padding.
pub fn base64(data: &[u8]) {
    let enc = b64(data);
    assert_eq!(enc.len(), data.len().div_ceil(3) * 4);
    assert_eq!(base64::decode(&enc).as_deref(), Some(data));
    assert_eq!(base64::decode(enc.trim_end_matches('=')).as_deref(), Some(data));

    let s = text(data);
    if let Some(v) = base64::decode(&s) {
        let body = s.trim_end_matches('=');
        assert!(body.bytes().all(|c| c.is_ascii_alphanumeric() || b"+/-_".contains(&c)), "{s:?}");
        assert_eq!(v.len(), body.len() * 3 / 4);
        assert_eq!(base64::decode(&b64(&v)), Some(v));
    }
}

// ===========================================================================
// URLs
// ===========================================================================

/// `url::parse`, `resolve`, `decode_query`, `decode_component`, and the
/// request URLs built from what they return. The input is split on `\n`:
/// address, page protocol, page host, page port, path, sid.
pub fn url(data: &[u8]) {
    let s = text(data);
    let mut parts = s.split('\n');
    let mut next = || parts.next().unwrap_or("");
    let (uri, protocol, host, port, path, sid) = (next(), next(), next(), next(), next(), next());
    let loc = url::Location { protocol: protocol.into(), host: host.into(), port: port.into() };

    for input in [s.as_str(), uri] {
        let p = url::parse(input);
        assert_eq!(p.source, input);
        assert!(p.path.starts_with('/'), "{input:?} -> {p:?}");
        let _ = (p.secure(), p.cache_id("/socket.io"));
        for r in [
            url::resolve(Some(input), Some(&loc)),
            url::resolve(Some(input), None),
            url::resolve(None, Some(&loc)),
            url::resolve(None, None),
        ] {
            let _ = r.cache_id(path);
            let q = url::decode_query(&r.query);
            let path = path.replace(['?', '#'], "");
            for slash in [false, true] {
                let e = url::Endpoint::new(&r, &path, slash, &q);
                for (ws, sid, ts) in [(false, None, Some(("t", sid))), (true, Some(sid), None)] {
                    let u = e.url(ws, sid, ts);
                    // The query the URL carries decodes to what went in.
                    let mut expected: Vec<(String, String)> = e
                        .query
                        .iter()
                        .filter(|(k, _)| {
                            !matches!(k.as_str(), "EIO" | "transport" | "sid") && Some(k.as_str()) != ts.map(|t| t.0)
                        })
                        .cloned()
                        .collect();
                    expected.push(("EIO".into(), "4".into()));
                    expected.push(("transport".into(), if ws { "websocket" } else { "polling" }.into()));
                    if let Some(sid) = sid {
                        expected.push(("sid".into(), sid.into()));
                    }
                    if let Some((k, v)) = ts {
                        expected.push((k.into(), v.into()));
                    }
                    let back = url::parse(&u);
                    assert_eq!(url::decode_query(&back.query), expected, "{u}");
                    assert_eq!(back.secure(), e.secure);
                }
            }
        }
    }

    let _ = url::decode_query(&s);
    let _ = url::decode_component(&s);
    let mut enc = String::new();
    url::encode_component(&mut enc, &s);
    assert!(enc.bytes().all(|b| b.is_ascii_graphic()));
    assert_eq!(url::decode_component(&enc), s);
}

// ===========================================================================
// The client
// ===========================================================================

/// The instant the simulation starts at.
pub const T0: u64 = 1_000_000;

/// Drives a [`Client`] like the browser shell does and keeps what the server
/// side needs to answer: open WebSockets, outstanding GETs and POSTs, drains.
pub struct Sim {
    /// The client under test.
    pub c: Client,
    /// The virtual clock.
    pub now: u64,
    ws: Vec<TransportId>,
    ws_opened: HashSet<TransportId>,
    ws_closed: HashSet<TransportId>,
    gets: VecDeque<TransportId>,
    posts: VecDeque<TransportId>,
    drains: VecDeque<TransportId>,
    hold_drains: bool,
    hold_auth: bool,
    sockets: Vec<SocketId>,
    server_acks: VecDeque<(SocketId, u64)>,
    auth: Option<(SocketId, u32)>,
    next_token: u32,
    live_tokens: HashSet<u32>,
    cfg: u8,
    /// Counts of what came out, for tests that want to see progress.
    pub stats: Stats,
}

/// What a simulation saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Transmits.
    pub transmits: usize,
    /// Events.
    pub events: usize,
    /// `Event::Connect`.
    pub connects: usize,
    /// `Event::Message`.
    pub messages: usize,
    /// `Event::Ack`.
    pub acks: usize,
    /// `Event::Upgrade`.
    pub upgrades: usize,
}

/// Engine.IO open packet used by the handshake.
pub fn open_packet(sid: &str, upgrades: bool, max_payload: u64) -> String {
    format!(
        "0{{\"sid\":\"{sid}\",\"upgrades\":[{}],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":{max_payload}}}",
        if upgrades { "\"websocket\"" } else { "" }
    )
}

fn digits(b: &[u8]) -> Option<u64> {
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    Some(b[..n].iter().fold(0u64, |v, d| v.saturating_mul(10).saturating_add(u64::from(d - b'0'))))
}

impl Sim {
    /// A client for `http://localhost:3000` configured by `cfg` (see
    /// [`client_frames`]), not yet through its handshake.
    pub fn new(cfg: u8) -> Self {
        let transports = match cfg & 3 {
            0 => vec![TransportKind::WebSocket],
            1 => vec![TransportKind::Polling],
            _ => vec![TransportKind::Polling, TransportKind::WebSocket],
        };
        let mut opts = Options { transports, ..Options::default() };
        if cfg & 0x20 != 0 {
            opts.reconnection_attempts = 3;
            opts.randomization_factor = 0.0;
            opts.try_all_transports = true;
        }
        if cfg & 0x80 != 0 {
            opts.timeout = None;
        }
        let uri = url::parse("http://localhost:3000");
        let c = Client::new(&uri, opts, u64::from(cfg) * 0x9E37_79B9, T0);
        let mut sim = Sim {
            c,
            now: T0,
            ws: Vec::new(),
            ws_opened: HashSet::new(),
            ws_closed: HashSet::new(),
            gets: VecDeque::new(),
            posts: VecDeque::new(),
            drains: VecDeque::new(),
            hold_drains: false,
            hold_auth: false,
            sockets: Vec::new(),
            server_acks: VecDeque::new(),
            auth: None,
            next_token: 1,
            live_tokens: HashSet::new(),
            cfg,
            stats: Stats::default(),
        };
        sim.c.set_packet_events(cfg & 4 != 0);
        let auth = if cfg & 0x40 != 0 { Auth::Provider } else { Auth::Json("{\"token\":\"abc\"}".into()) };
        // Retries with a 3 s ack timeout, or (with bit 0x20 too) retries that
        // time out at once: one re-send per timer turn.
        let (retries, ack_timeout) = match (cfg & 8 != 0, cfg & 0x20 != 0) {
            (true, false) => (2, Some(3000)),
            (true, true) => (5, Some(0)),
            _ => (0, None),
        };
        let s = sim.c.socket(T0, "/", SocketOptions { auth: auth.clone(), retries, ack_timeout });
        sim.sockets.push(s);
        if cfg & 0x10 != 0 {
            let s = sim.c.socket(T0, "/admin", SocketOptions { auth, retries: 0, ack_timeout: None });
            sim.sockets.push(s);
        }
        sim.settle();
        sim
    }

    /// Drains `poll_transmit` and `poll_event`, answering drains (unless
    /// held) and auth requests (unless held) as a shell would.
    pub fn settle(&mut self) {
        let mut rounds = 0u32;
        loop {
            rounds += 1;
            assert!(rounds < 10_000, "the client keeps producing output");
            while let Some(t) = self.c.poll_transmit() {
                self.on_transmit(t);
            }
            while let Some(e) = self.c.poll_event() {
                self.on_event(e);
            }
            if !self.hold_auth {
                if let Some((s, seq)) = self.auth.take() {
                    self.c.handle_auth(self.now, s, seq, Some("{\"token\":\"p\"}".into()));
                    continue;
                }
            }
            if self.hold_drains {
                break;
            }
            let Some(id) = self.drains.pop_front() else { break };
            self.c.handle_drain(self.now, id);
        }
        // Read every accessor once: none may panic.
        let _ = (self.c.engine_id(), self.c.transport(), self.c.is_reconnecting(), self.c.is_open());
        let _ = self.c.options();
        for &s in &self.sockets {
            let _ = (self.c.socket_nsp(s), self.c.is_connected(s), self.c.is_active(s), self.c.socket_sid(s));
            let _ = (self.c.is_recovered(s), self.c.send_buffer(s).len(), self.c.receive_buffer(s).len());
        }
    }

    fn on_transmit(&mut self, t: Transmit) {
        self.stats.transmits += 1;
        match t {
            Transmit::WsOpen { id, url } => {
                assert!(url.starts_with("ws://localhost:3000/socket.io/?"), "{url}");
                assert!(!self.ws.contains(&id), "transport id {id} reused");
                self.ws.push(id);
            }
            Transmit::WsSend { id, frame } => {
                assert!(self.ws_opened.contains(&id), "send on WebSocket {id} before it opened");
                assert!(!self.ws_closed.contains(&id), "send on WebSocket {id} after its close");
                if let Frame::Text(s) = &frame {
                    assert!(eio::decode::<TextCodec>(s.clone()).is_ok(), "the client sent a bad frame {s:?}");
                }
            }
            Transmit::Drain { id } => self.drains.push_back(id),
            Transmit::WsClose { id } => {
                self.ws_closed.insert(id);
            }
            Transmit::Get { id, url } => {
                assert!(url.starts_with("http://localhost:3000/socket.io/?"), "{url}");
                self.gets.push_back(id);
            }
            Transmit::Post { id, url, body } => {
                assert!(url.starts_with("http://localhost:3000/socket.io/?"), "{url}");
                let (_, err) = eio::decode_payload::<TextCodec>(body.clone());
                assert_eq!(err, None, "the client posted a bad payload {body:?}");
                self.posts.push_back(id);
            }
            Transmit::Abort { id } => self.gets.retain(|g| *g != id),
        }
    }

    fn on_event(&mut self, e: Event) {
        self.stats.events += 1;
        match e {
            Event::Message { socket, ack, payload } => {
                self.stats.messages += 1;
                assert!(self.c.socket_nsp(socket).is_some());
                assert!(!payload.data.is_empty());
                if let Some(id) = ack {
                    self.server_acks.push_back((socket, id));
                }
            }
            Event::Ack { token, result, .. } => {
                self.stats.acks += 1;
                assert!(self.live_tokens.remove(&token), "ack token {token} answered twice or never issued");
                if let Err(e) = result {
                    assert!(!e.message().is_empty());
                }
            }
            Event::AuthRequest { socket, seq } => self.auth = Some((socket, seq)),
            Event::Connect(_) => self.stats.connects += 1,
            Event::Upgrade(_) => self.stats.upgrades += 1,
            Event::Error(k) | Event::ReconnectError(k) | Event::UpgradeError(k) | Event::ConnectError(_, k) => {
                // A refused connect carries the server's message, maybe empty.
                let _ = k.message();
            }
            _ => {}
        }
    }

    fn last_open_ws(&self) -> Option<TransportId> {
        self.ws.iter().rev().copied().find(|id| self.ws_opened.contains(id) && !self.ws_closed.contains(id))
    }

    /// A WebSocket chosen by an optional leading digit (0 = newest), else
    /// the newest open one.
    fn pick_ws(&self, rest: &[u8]) -> Option<TransportId> {
        match rest.first() {
            Some(d @ b'0'..=b'9') if !self.ws.is_empty() => {
                Some(self.ws[self.ws.len() - 1 - usize::from(d - b'0') % self.ws.len()])
            }
            _ => self.last_open_ws(),
        }
    }

    fn socket_at(&self, b: Option<&u8>) -> SocketId {
        self.sockets[b.map_or(0, |&b| usize::from(b)) % self.sockets.len()]
    }

    /// Text from the server on the current transport: a WebSocket frame, or
    /// the body of the oldest outstanding GET.
    pub fn server(&mut self, s: &str) {
        if self.c.transport() == Some(TransportKind::WebSocket) {
            if let Some(id) = self.last_open_ws() {
                self.c.handle_ws_frame(self.now, id, Frame::Text(s.into()));
            }
        } else if let Some(id) = self.gets.pop_front() {
            self.c.handle_poll(self.now, id, Ok(s.into()));
        }
        self.settle();
    }

    /// Opens the oldest WebSocket the client asked for that is not open yet.
    pub fn open_ws(&mut self) {
        if let Some(id) =
            self.ws.iter().copied().find(|id| !self.ws_opened.contains(id) && !self.ws_closed.contains(id))
        {
            self.ws_opened.insert(id);
            self.c.handle_ws_open(self.now, id);
            self.settle();
        }
    }

    /// Completes every outstanding POST.
    pub fn posts_ok(&mut self) {
        while let Some(id) = self.posts.pop_front() {
            self.c.handle_post(self.now, id, Ok(()));
            self.settle();
        }
    }

    /// The handshake: engine open, namespace connects, and (mode 2) the
    /// upgrade to WebSocket, or (mode 3) the probe left open.
    pub fn handshake(&mut self, cfg: u8) {
        let max_payload = if cfg & 0x80 != 0 { 64 } else { 1_000_000 };
        if cfg & 3 == 0 {
            self.open_ws();
        }
        self.server(&open_packet("eio-sid", cfg & 3 >= 2, max_payload));
        self.posts_ok();
        self.server("40{\"sid\":\"sock-1\",\"pid\":\"p1\"}");
        if cfg & 0x10 != 0 {
            self.posts_ok();
            self.server("40/admin,{\"sid\":\"sock-2\"}");
        }
        self.posts_ok();
        if cfg & 3 >= 2 {
            self.open_ws(); // the probe
            if cfg & 3 == 2 {
                if let Some(id) = self.last_open_ws() {
                    self.c.handle_ws_frame(self.now, id, Frame::Text("3probe".into()));
                    self.settle();
                }
                // The GET in flight ends; the transport pauses, then upgrades.
                self.server("6");
                self.posts_ok();
            }
        }
    }

    /// Runs one operation line (see [`client_frames`]).
    pub fn op(&mut self, line: &[u8]) {
        let Some((&op, rest)) = line.split_first() else { return };
        let now = self.now;
        let rest_text = || text(rest);
        match op {
            b'S' => self.server(&rest_text()),
            // The server accepts a (re)connection: the handshake again.
            b'Y' => {
                // Let the reconnection timer fire first if the client waits on it.
                for _ in 0..3 {
                    if self.c.is_open()
                        || !self.gets.is_empty()
                        || self.ws.iter().any(|id| !self.ws_opened.contains(id))
                    {
                        break;
                    }
                    self.op(b"t");
                }
                self.handshake(self.cfg);
            }
            b'w' => {
                if let Some(id) = self.last_open_ws() {
                    self.c.handle_ws_frame(now, id, Frame::Text(rest_text()));
                }
            }
            b'W' => {
                if let Some(id) = self.pick_ws(rest) {
                    self.c.handle_ws_frame(now, id, Frame::Text(text(rest.get(1..).unwrap_or_default())));
                }
            }
            b'b' => {
                if let Some(id) = self.last_open_ws() {
                    self.c.handle_ws_frame(now, id, Frame::Binary(rest.to_vec()));
                }
            }
            b'o' => match rest.first() {
                Some(b'0'..=b'9') => {
                    if let Some(id) = self.pick_ws(rest) {
                        self.ws_opened.insert(id);
                        self.c.handle_ws_open(now, id);
                    }
                }
                _ => self.open_ws(),
            },
            b'x' => {
                if let Some(id) = self.pick_ws(rest) {
                    self.c.handle_ws_error(now, id);
                }
            }
            b'c' => {
                if let Some(id) = self.pick_ws(rest) {
                    let code = digits(rest.get(1..).unwrap_or_default()).map_or(1006, |c| c as u16);
                    self.ws_closed.insert(id);
                    self.c.handle_ws_close(now, id, code, rest_text());
                }
            }
            b'g' => {
                if let Some(id) = self.gets.pop_front() {
                    self.c.handle_poll(now, id, Ok(rest_text()));
                }
            }
            b'G' => {
                if let Some(id) = self.gets.pop_front() {
                    let e = match digits(rest) {
                        Some(n) => HttpError::Status(n as u16),
                        None => HttpError::Network(rest_text()),
                    };
                    self.c.handle_poll(now, id, Err(e));
                }
            }
            // Input for an explicit transport id (stale, retired, or never
            // issued): the client must drop what is not for its transports.
            b'j' => {
                let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                let id = digits(rest).unwrap_or(0) as TransportId;
                self.c.handle_poll(now, id, Ok(text(&rest[n..])));
            }
            b'q' => {
                let id = digits(rest).unwrap_or(0) as TransportId;
                self.c.handle_post(now, id, Ok(()));
            }
            b'p' => {
                if let Some(id) = self.posts.pop_front() {
                    self.c.handle_post(now, id, Ok(()));
                }
            }
            b'P' => {
                if let Some(id) = self.posts.pop_front() {
                    self.c.handle_post(now, id, Err(HttpError::Status(digits(rest).unwrap_or(400) as u16)));
                }
            }
            b'h' => self.hold_drains = !self.hold_drains,
            b'H' => self.hold_auth = !self.hold_auth,
            b'd' => {
                if let Some(id) = self.drains.pop_front() {
                    self.c.handle_drain(now, id);
                }
            }
            b't' => {
                self.now = match digits(rest) {
                    // At most ~11 days a step: a real clock never nears u64::MAX.
                    Some(n) => self.now + n.min(1_000_000_000),
                    // The server's pingInterval may push a deadline to u64::MAX;
                    // a shell's timer cannot wait that long either.
                    None => self.now.max(self.c.poll_timeout().unwrap_or(self.now).min(self.now + 1_000_000_000)),
                };
                self.c.handle_timeout(self.now);
                self.settle();
                // Timers due now must not stay due: a shell would spin.
                let mut rounds = 0;
                while self.c.poll_timeout().is_some_and(|t| t <= self.now) {
                    rounds += 1;
                    assert!(rounds < 64, "poll_timeout stays at {:?} <= now {}", self.c.poll_timeout(), self.now);
                    self.c.handle_timeout(self.now);
                    self.settle();
                }
            }
            b'a' => self.now += digits(rest).unwrap_or(1000).min(1_000_000_000),
            b'e' => {
                let f = rest.first().copied().unwrap_or(0);
                let s = self.socket_at(Some(&(f & 3)));
                let data = match rest.get(1..) {
                    Some(d) if !d.is_empty() => user_text(d),
                    _ => "[\"ev\",1]".into(),
                };
                let ack = (f & 4 != 0).then(|| {
                    let token = self.next_token;
                    self.next_token += 1;
                    AckRequest { token, with_error: f & 8 != 0 }
                });
                let attachments = (0..f >> 6).map(|i| vec![i; usize::from(i) * 3]).collect();
                let e = Emit {
                    payload: Payload { data, attachments },
                    ack,
                    volatile: f & 0x10 != 0,
                    timeout: (f & 0x20 != 0).then_some(500),
                };
                if self.c.emit(now, s, e).is_ok() {
                    if let Some(a) = ack {
                        self.live_tokens.insert(a.token);
                    }
                }
            }
            b'r' => {
                if let Some((s, id)) = self.server_acks.pop_front() {
                    let data = if rest.is_empty() { "[]".into() } else { user_text(rest) };
                    self.c.ack(now, s, id, Payload { data, attachments: Vec::new() });
                }
            }
            b'R' => {
                let s = self.socket_at(None);
                self.c.ack(
                    now,
                    s,
                    digits(rest).unwrap_or(0),
                    Payload { data: "[1]".into(), attachments: vec![vec![7]] },
                );
            }
            b'n' if self.sockets.len() < 8 => {
                let s = self.c.socket(now, &user_text(rest), SocketOptions::default());
                if !self.sockets.contains(&s) {
                    self.sockets.push(s);
                }
            }
            b'k' => {
                let s = self.socket_at(rest.first());
                self.c.connect(now, s);
            }
            b'K' => {
                let s = self.socket_at(rest.first());
                self.c.disconnect(now, s);
            }
            b'A' => {
                if let Some((s, seq)) = self.auth.take() {
                    self.c.handle_auth(now, s, seq, (!rest.is_empty()).then(|| user_text(rest)));
                }
            }
            b'm' => self.c.open(now, digits(rest).map(|t| t as u32)),
            b'M' => self.c.close(now),
            b'z' => self.c.close_engine(now),
            b'f' => self.c.handle_offline(now),
            b'u' => self.c.handle_beforeunload(now),
            b's' => {
                let v = digits(rest.get(1..).unwrap_or_default()).unwrap_or(0);
                match rest.first().copied().unwrap_or(0) % 10 {
                    0 => self.c.set_reconnection(v % 2 == 1),
                    1 => self.c.set_reconnection_attempts(v.min(u64::from(u32::MAX)) as u32),
                    2 => self.c.set_reconnection_delay(v.max(1)),
                    3 => self.c.set_reconnection_delay_max(v.max(1)),
                    4 => self.c.set_randomization_factor(v as f64 / 100.0),
                    5 => self.c.set_timeout((v > 0).then_some(v)),
                    6 => self.c.set_packet_events(v % 2 == 1),
                    7 => {
                        let s = self.socket_at(None);
                        self.c.set_outgoing_events(s, v % 2 == 1);
                    }
                    8 => {
                        let s = self.socket_at(None);
                        let auth = match v % 3 {
                            0 => Auth::None,
                            1 => Auth::Provider,
                            _ => Auth::Json(user_text(rest.get(1..).unwrap_or_default())),
                        };
                        self.c.set_auth(s, auth);
                    }
                    _ => {
                        let s = self.socket_at(None);
                        self.c.clear_send_buffer(s);
                    }
                }
            }
            _ => {}
        }
        self.settle();
    }
}

/// The client fed the input as a script. Byte 0 configures it:
///
/// - bits 0-1: transports: 0 WebSocket only, 1 polling only, 2 polling then
///   an upgrade to WebSocket done in the handshake, 3 the same with the probe
///   left waiting;
/// - bit 2 packet events; bit 3 `retries` + `ackTimeout` on `/`; bit 4 a
///   second namespace `/admin`; bit 5 three reconnection attempts, no
///   jitter, `tryAllTransports`; bit 6 auth through `AuthRequest`; bit 7 no
///   open timeout and `maxPayload` 64.
///
/// The rest is lines (`\n`), each an operation named by its first byte:
/// `S` server text on the current transport, `Y` the handshake again (after
/// a reconnection attempt started), `w`/`W` WebSocket text frame
/// (newest open / chosen by a digit), `b` binary frame, `o` WebSocket open,
/// `x` error, `c` close, `g`/`G` GET answered / failed, `p`/`P` POST done /
/// failed, `j`/`q` GET answered / POST done on the transport id in
/// the line's digits, `h` hold drains, `d` release one drain, `H` hold auth, `A` answer
/// auth, `t` timeout (after an optional delay), `a` advance the clock, `e`
/// emit (flags byte: socket, ack, with_error, volatile, timeout,
/// attachments), `r`/`R` ack an event, `n` new namespace, `k`/`K` socket
/// connect/disconnect, `m`/`M` manager open/close, `z` engine close, `f`
/// offline, `u` beforeunload, `s` setters.
///
/// After every call the outputs are drained; the checks are: no panic, no
/// send on a WebSocket before its open or after its close, every frame and
/// POST body the client writes decodes, every ack callback is answered at
/// most once, and timers that are due do not stay due.
pub fn client_frames(data: &[u8]) {
    run_client(data);
}

/// [`client_frames`], returning what the simulation saw.
pub fn run_client(data: &[u8]) -> Stats {
    let Some((&cfg, script)) = data.split_first() else { return Stats::default() };
    let mut sim = Sim::new(cfg);
    sim.handshake(cfg);
    for line in script.split(|&b| b == b'\n').take(512) {
        sim.op(line);
    }
    // Whatever happened, closing and running every timer must settle.
    sim.c.close(sim.now);
    sim.settle();
    sim.op(b"t");
    sim.op(b"t100000");
    sim.stats
}
