//! Deterministic robustness tests of the sans-IO core, run by plain `cargo test`.
//!
//! The decoders must never panic and never trust lengths (a panic in wasm
//! kills every socket on the page). These tests run the fuzz drivers of
//! `fuzz/src/` (one file per driver, the same code the cargo-fuzz targets
//! run, with the same checks) on inputs from a fixed-seed generator: random
//! bytes and texts, and mutations of the seed corpus in `fuzz/seeds/` (bit
//! flips, truncations, insertions of `\x1e`, digits, quotes, brackets, `-`,
//! `/`, `,`...). They also check round trips on randomly generated valid
//! values: base64, Engine.IO payloads, Socket.IO packets and JSON documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../fuzz/src/lib.rs"]
mod drivers;

use std::path::PathBuf;

use socketio_wasm::proto::{eio, json, sio, TextCodec};

/// xorshift64*: small, fast and the same on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn pick_bytes(&mut self, items: &[&'static [u8]]) -> &'static [u8] {
        items[self.below(items.len())]
    }

    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// Characters that matter to the decoders.
const INTERESTING: &[u8] = b"\x1e0123456789\"[]{}-/,:\\bue.+E _tfnlrsa4";

/// Texts inserted by mutations.
const SNIPPETS: &[&str] = &[
    "\u{1e}",
    "0",
    "1",
    "5",
    "9",
    "\"",
    "[",
    "]",
    "{",
    "}",
    "-",
    "/",
    ",",
    ":",
    "\\",
    "\\u",
    "\\ud83d",
    "é",
    "😀",
    "null",
    "true",
    "1e999",
    "-0.5",
    "99999999999999999999999",
    "{\"_placeholder\":true,\"num\":0}",
    "\u{0}",
    "\n",
    "b",
    "4",
    "42",
    "451-",
    "2probe",
    "3probe",
    "==",
];

fn random_bytes(rng: &mut Rng, max_len: usize) -> Vec<u8> {
    let len = rng.below(max_len + 1);
    let mode = rng.below(3);
    (0..len)
        .map(|_| match mode {
            0 => rng.next() as u8,
            1 => *rng.pick(INTERESTING),
            _ => {
                if rng.chance(4) {
                    rng.next() as u8
                } else {
                    *rng.pick(INTERESTING)
                }
            }
        })
        .collect()
}

fn random_text(rng: &mut Rng, max_len: usize) -> String {
    let mut s = String::new();
    let n = rng.below(max_len + 1);
    while s.len() < n {
        match rng.below(10) {
            0 => s.push(char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}')),
            1 => s.push_str(rng.pick_str(SNIPPETS)),
            2 => s.push(char::from(rng.below(0x20) as u8)),
            _ => s.push(char::from(*rng.pick(INTERESTING))),
        }
    }
    s
}

fn mutate(rng: &mut Rng, seed: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(8) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let at = rng.below(v.len());
                v.truncate(at);
            }
            2 if !v.is_empty() => {
                let i = rng.below(v.len());
                let n = 1 + rng.below(8.min(v.len() - i));
                v.drain(i..i + n);
            }
            3 if !v.is_empty() => {
                // Duplicate a slice.
                let i = rng.below(v.len());
                let n = 1 + rng.below(16.min(v.len() - i));
                let part: Vec<u8> = v[i..i + n].to_vec();
                let at = rng.below(v.len() + 1);
                v.splice(at..at, part);
            }
            4 => {
                // Splice in part of another seed.
                let other = rng.pick(corpus);
                if !other.is_empty() {
                    let i = rng.below(other.len());
                    let part = other[i..].iter().take(1 + rng.below(32)).copied().collect::<Vec<_>>();
                    let at = rng.below(v.len() + 1);
                    v.splice(at..at, part);
                }
            }
            5 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = *rng.pick(INTERESTING);
            }
            _ => {
                let at = rng.below(v.len() + 1);
                let snippet = rng.pick_str(SNIPPETS).as_bytes();
                v.splice(at..at, snippet.iter().copied());
            }
        }
    }
    v
}

/// The seed corpus of a fuzz target, in file name order.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let v: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!v.is_empty(), "no seeds in {}", dir.display());
    v
}

/// Runs `driver` on every seed, `mutations` mutants of the seeds and
/// `randoms` random inputs; a panic names the input that caused it.
fn exercise(target: &str, seed: u64, mutations: usize, randoms: usize, max_len: usize, driver: fn(&[u8])) {
    let corpus = seeds(target);
    let mut rng = Rng::new(seed);
    let mut inputs: Vec<Vec<u8>> = corpus.clone();
    inputs.extend((0..mutations).map(|i| mutate(&mut rng, &corpus[i % corpus.len()], &corpus)));
    inputs.extend((0..randoms).map(|_| random_bytes(&mut rng, max_len)));
    inputs.extend((0..randoms / 2).map(|_| random_text(&mut rng, max_len).into_bytes()));
    for input in &inputs {
        if std::panic::catch_unwind(|| driver(input)).is_err() {
            panic!("{target} failed on input {:?} (as text {:?})", input, String::from_utf8_lossy(input));
        }
    }
}

// ===========================================================================
// No panic on any input
// ===========================================================================

#[test]
fn eio_text_never_panics() {
    exercise("eio_text", 1, 6000, 6000, 64, drivers::eio_text);
}

#[test]
fn eio_payload_never_panics() {
    exercise("eio_payload", 2, 6000, 6000, 128, drivers::eio_payload);
}

#[test]
fn sio_decode_never_panics() {
    exercise("sio_decode", 3, 8000, 6000, 128, drivers::sio_decode);
}

#[test]
fn json_never_panics_and_agrees_with_the_reference() {
    exercise("json", 4, 8000, 6000, 96, drivers::json);
}

#[test]
fn base64_never_panics() {
    exercise("base64", 5, 4000, 4000, 96, drivers::base64);
}

#[test]
fn url_never_panics() {
    exercise("url", 6, 1500, 1500, 96, drivers::url);
}

#[test]
fn client_never_panics() {
    exercise("client_frames", 7, 2000, 600, 256, drivers::client_frames);
}

/// Random scripts made of well-formed operations reach deeper states than
/// random bytes: the client sees valid server packets mixed with bad ones.
#[test]
fn client_survives_random_scripts() {
    let mut rng = Rng::new(8);
    let server = [
        "42[\"ev\",1]",
        "4212[\"ask\"]",
        "430[\"ok\"]",
        "431[]",
        "43[]",
        "40{\"sid\":\"s\",\"pid\":\"p\"}",
        "40{}",
        "41",
        "44{\"message\":\"no\"}",
        "44\"no\"",
        "451-[\"b\",{\"_placeholder\":true,\"num\":0}]",
        "452-/admin,[\"b\"]",
        "42/admin,[\"x\",\"off-1\"]",
        "2",
        "3",
        "6",
        "1",
        "5",
        "3probe",
        "4",
        "40/admin,{\"sid\":\"a\"}",
        "0{\"sid\":\"again\",\"upgrades\":[],\"pingInterval\":100,\"pingTimeout\":50}",
        "2probe",
        "b",
        "bAQID",
    ];
    let ops: &[&[u8]] = &[
        b"S",
        b"w",
        b"W0",
        b"W1",
        b"b",
        b"o",
        b"o1",
        b"x",
        b"c",
        b"c01000",
        b"g",
        b"G",
        b"G503",
        b"p",
        b"P",
        b"h",
        b"d",
        b"j1",
        b"j26",
        b"q1",
        b"q3",
        b"H",
        b"A",
        b"A{\"x\":1}",
        b"t",
        b"t100",
        b"t30000",
        b"a",
        b"e",
        b"r",
        b"R5",
        b"n/chat",
        b"k",
        b"K",
        b"m",
        b"m3",
        b"M",
        b"z",
        b"f",
        b"u",
        b"s01",
        b"s13",
        b"s210",
        b"s350",
        b"s50",
        b"s61",
        b"s71",
        b"s82",
        b"s9",
    ];
    let mut total = drivers::Stats::default();
    let corpus: Vec<Vec<u8>> = server.iter().map(|s| s.as_bytes().to_vec()).collect();
    for round in 0..1000 {
        let mut script = vec![rng.next() as u8];
        for _ in 0..rng.below(60) {
            script.push(b'\n');
            // Mostly server packets and emits; the rest of the operations
            // (many of them close something) less often.
            let op: &[u8] = match rng.below(10) {
                0..=3 => b"S",
                _ if rng.chance(6) => rng.pick_bytes(&[b"Y", b"k\nY"]),
                4 | 5 => b"e",
                6 => rng.pick_bytes(&[b"r", b"t", b"a", b"p", b"d", b"g", b"w"]),
                _ => rng.pick_bytes(ops),
            };
            script.extend_from_slice(op);
            match op {
                b"S" | b"w" | b"g" => {
                    let mut p = if rng.chance(2) { rng.pick_str(&server[..4]) } else { rng.pick_str(&server) }
                        .as_bytes()
                        .to_vec();
                    if rng.chance(6) {
                        p = mutate(&mut rng, &p, &corpus);
                    }
                    if op == b"g" && rng.chance(3) {
                        p.push(0x1e);
                        p.extend_from_slice(rng.pick_str(&server).as_bytes());
                    }
                    script.extend(p.into_iter().filter(|&b| b != b'\n'));
                }
                b"b" => script.extend(random_bytes(&mut rng, 8).into_iter().filter(|&b| b != b'\n')),
                b"e" => {
                    let flags = rng.next() as u8;
                    script.push(if flags == b'\n' { 0x04 } else { flags });
                    let data = rng.pick_str(&[
                        "[\"ev\",1]",
                        "[\"connect\"]",
                        "[1,2]",
                        "{}",
                        "[\"x\",{\"_placeholder\":true,\"num\":0}]",
                    ]);
                    script.extend_from_slice(data.as_bytes());
                }
                _ => {}
            }
        }
        match std::panic::catch_unwind(|| drivers::run_client(&script)) {
            Ok(st) => {
                total.events += st.events;
                total.transmits += st.transmits;
                total.messages += st.messages;
                total.acks += st.acks;
                total.connects += st.connects;
                total.upgrades += st.upgrades;
            }
            Err(_) => panic!("round {round}: client failed on script {:?}", String::from_utf8_lossy(&script)),
        }
    }
    // The scripts reach the interesting states, not only the error paths.
    println!("{total:?}");
    assert!(total.messages > 600 && total.acks > 600 && total.connects > 2500 && total.upgrades > 250, "{total:?}");
}

/// The driver's handshake connects the main namespace in every
/// configuration, so the scripts above start from a connected client.
#[test]
fn handshake_connects_in_every_configuration() {
    for cfg in 0..=255u8 {
        let mut sim = drivers::Sim::new(cfg);
        sim.handshake(cfg);
        assert!(sim.c.is_open(), "cfg {cfg:#04x}");
        assert!(sim.c.is_connected(0), "cfg {cfg:#04x}");
        assert_eq!(sim.stats.connects, if cfg & 0x10 != 0 { 2 } else { 1 }, "cfg {cfg:#04x}");
        let upgraded = cfg & 3 == 2;
        assert_eq!(sim.stats.upgrades, usize::from(upgraded), "cfg {cfg:#04x}");
        // An event from the server reaches the user.
        let before = sim.stats.messages;
        sim.server("42[\"hello\",1]");
        assert_eq!(sim.stats.messages, before + 1, "cfg {cfg:#04x}");
    }
}

// ===========================================================================
// Round trips of generated valid values
// ===========================================================================

#[test]
fn base64_round_trips() {
    let mut rng = Rng::new(10);
    for len in 0..300 {
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        drivers::base64(&data);
        let mut s = String::new();
        socketio_wasm::proto::base64::encode_into(&data, &mut s);
        assert_eq!(socketio_wasm::proto::base64::decode(&s), Some(data));
    }
}

fn random_out_packet(rng: &mut Rng) -> eio::OutPacket {
    match rng.below(3) {
        0 => eio::OutPacket::Pong,
        1 => {
            let mut m = String::from("4");
            m.push_str(&random_text(rng, 40).replace('\u{1e}', ""));
            eio::OutPacket::Message(m)
        }
        _ => eio::OutPacket::Binary(random_bytes(rng, 40)),
    }
}

#[test]
fn eio_payload_round_trips() {
    let mut rng = Rng::new(11);
    for _ in 0..2000 {
        let n = 1 + rng.below(6);
        let packets: Vec<eio::OutPacket> = (0..n).map(|_| random_out_packet(&mut rng)).collect();
        drivers::check_out_packets(&packets, rng.below(200));
        // A WebSocket text frame of a message decodes to the message too.
        for p in &packets {
            if let eio::OutPacket::Message(m) = p {
                assert_eq!(eio::decode::<TextCodec>(m.clone()), Ok(eio::Packet::Message(m.clone())));
            }
        }
    }
}

/// A random JSON value; `depth` bounds the nesting.
fn gen_json(rng: &mut Rng, depth: usize, out: &mut String) {
    let ws = |rng: &mut Rng, out: &mut String| {
        if rng.chance(4) {
            out.push_str(rng.pick_str(&[" ", "\n", "\t ", "\r\n  "]));
        }
    };
    ws(rng, out);
    let kind = if depth == 0 { rng.below(4) } else { rng.below(6) };
    match kind {
        0 => gen_string(rng, out),
        1 => {
            if rng.chance(2) {
                out.push('-');
            }
            if rng.chance(3) {
                out.push('0');
            } else {
                out.push(char::from(b'1' + rng.below(9) as u8));
                for _ in 0..rng.below(6) {
                    out.push(char::from(b'0' + rng.below(10) as u8));
                }
            }
            if rng.chance(3) {
                out.push('.');
                for _ in 0..1 + rng.below(4) {
                    out.push(char::from(b'0' + rng.below(10) as u8));
                }
            }
            if rng.chance(4) {
                out.push_str(rng.pick_str(&["e", "E", "e+", "E-"]));
                for _ in 0..1 + rng.below(3) {
                    out.push(char::from(b'0' + rng.below(10) as u8));
                }
            }
        }
        2 => out.push_str(rng.pick_str(&["true", "false", "null"])),
        3 => gen_string(rng, out),
        4 => {
            out.push('[');
            let n = rng.below(4);
            if n == 0 {
                ws(rng, out);
            }
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                gen_json(rng, depth - 1, out);
            }
            ws(rng, out);
            out.push(']');
        }
        _ => {
            out.push('{');
            let n = rng.below(4);
            if n == 0 {
                ws(rng, out);
            }
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                ws(rng, out);
                gen_string(rng, out);
                ws(rng, out);
                out.push(':');
                gen_json(rng, depth - 1, out);
            }
            ws(rng, out);
            out.push('}');
        }
    }
    ws(rng, out);
}

fn gen_string(rng: &mut Rng, out: &mut String) {
    out.push('"');
    for _ in 0..rng.below(8) {
        match rng.below(8) {
            0 => out.push_str(rng.pick_str(&["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"])),
            1 => out.push_str(&format!("\\u{:04x}", rng.below(0x1_0000))),
            2 => out.push(char::from_u32(0x80 + rng.below(0x10_ff00) as u32).unwrap_or('é')),
            _ => match char::from(b' ' + rng.below(95) as u8) {
                '"' | '\\' => out.push('q'),
                c => out.push(c),
            },
        }
    }
    out.push('"');
}

#[test]
fn generated_json_is_accepted_and_its_truncations_rejected() {
    let mut rng = Rng::new(12);
    let mut containers = 0;
    for _ in 0..3000 {
        let mut s = String::new();
        gen_json(&mut rng, 4, &mut s);
        assert!(json::is_valid(&s), "generated {s:?}");
        assert_eq!(drivers::reference_is_valid(&s), Some(true), "{s:?}");
        drivers::check_json(&s);
        let t = s.trim_matches([' ', '\t', '\n', '\r']);
        if matches!(t.as_bytes()[0], b'[' | b'{' | b'"') {
            containers += 1;
            for (i, _) in t.char_indices() {
                assert!(!json::is_valid(&t[..i]), "truncation {:?} of {t:?} accepted", &t[..i]);
            }
        }
        // The same document wrapped as event arguments is a valid event.
        let event = format!("2[\"ev\",{s}]");
        assert!(matches!(sio::decode::<TextCodec>(&format!("4{event}")), Ok(sio::Packet::Event { .. })), "{event:?}");
    }
    assert!(containers > 1000);
    // Deep nesting neither overflows the stack nor is mistaken for valid when cut.
    let deep = "[{\"a\":".repeat(20_000) + "1" + &"}]".repeat(20_000);
    assert!(json::is_valid(&deep));
    assert!(!json::is_valid(&deep[..deep.len() - 1]));
    drivers::check_json(&deep);
}

fn random_nsp(rng: &mut Rng) -> String {
    if rng.chance(2) {
        return "/".into();
    }
    let mut s = String::from("/");
    s.extend(random_text(rng, 12).chars().filter(|&c| c != ',' && c != '\u{1e}'));
    s
}

fn random_array(rng: &mut Rng, first_is_name: bool) -> String {
    let mut s = String::from("[");
    if first_is_name {
        loop {
            let mut name = String::new();
            if rng.chance(5) {
                gen_json(rng, 0, &mut name);
                if !matches!(name.trim().as_bytes()[0], b'"' | b'-' | b'0'..=b'9') {
                    continue;
                }
            } else {
                json::write_string(&mut name, &random_text(rng, 10));
            }
            if json::string(name.trim()).is_some_and(|n| sio::RESERVED_EVENTS.contains(&n.as_str())) {
                continue;
            }
            s.push_str(&name);
            break;
        }
    }
    for i in 0..rng.below(4) {
        if first_is_name || i > 0 {
            s.push(',');
        }
        gen_json(rng, 3, &mut s);
    }
    s.push(']');
    s
}

fn random_object(rng: &mut Rng) -> String {
    loop {
        let mut s = String::new();
        gen_json(rng, 3, &mut s);
        if s.trim_start().starts_with('{') && s.trim_end().ends_with('}') {
            return s.trim().to_owned();
        }
    }
}

fn random_sio_packet(rng: &mut Rng) -> sio::Packet {
    let nsp = random_nsp(rng);
    let id = match rng.below(4) {
        0 => None,
        1 => Some(u64::MAX - rng.below(3) as u64),
        _ => Some(rng.below(100_000) as u64),
    };
    let attachments = if rng.chance(2) { 0 } else { rng.below(sio::MAX_ATTACHMENTS + 1) };
    match rng.below(5) {
        0 => sio::Packet::Connect { nsp, data: rng.chance(2).then(|| random_object(rng)) },
        1 => sio::Packet::Disconnect { nsp },
        2 => sio::Packet::Event { nsp, id, data: random_array(rng, true), attachments },
        3 => sio::Packet::Ack { nsp, id, data: random_array(rng, false), attachments },
        _ => {
            let data = if rng.chance(2) {
                let mut s = String::new();
                json::write_string(&mut s, &random_text(rng, 20));
                s
            } else {
                random_object(rng)
            };
            sio::Packet::ConnectError { nsp, data }
        }
    }
}

#[test]
fn sio_packets_round_trip() {
    let mut rng = Rng::new(13);
    for _ in 0..3000 {
        let p = random_sio_packet(&mut rng);
        let text = sio::encode::<TextCodec>(&p);
        assert!(text.starts_with('4'), "{text:?}");
        assert_eq!(sio::decode::<TextCodec>(&text), Ok(p.clone()), "{text:?}");
        // Through the Decoder, with the announced attachments.
        let mut d = sio::Decoder::<TextCodec>::default();
        let expected = match &p {
            sio::Packet::Event { attachments, .. } | sio::Packet::Ack { attachments, .. } => *attachments,
            _ => 0,
        };
        let mut done = d.add_text(&text).unwrap();
        let buffers: Vec<Vec<u8>> = (0..expected).map(|i| vec![i as u8; i]).collect();
        for (i, b) in buffers.iter().enumerate() {
            assert!(done.is_none());
            done = d.add_binary(b.clone()).unwrap();
            assert_eq!(done.is_some(), i + 1 == expected);
        }
        assert_eq!(done, Some((p, buffers)));
        // And inside an Engine.IO polling payload.
        let body = eio::encode_payload::<TextCodec>(vec![eio::OutPacket::Message(text.clone()), eio::OutPacket::Pong]);
        let (packets, err) = eio::decode_payload::<TextCodec>(body);
        assert_eq!(err, None);
        assert_eq!(packets[0], eio::Packet::Message(text.clone()));
    }
}
