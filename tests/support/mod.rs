//! A virtual-clock harness for scenario tests of the sans-IO core.
//!
//! [`Harness`] owns a [`Client`], a virtual `now` and everything the client
//! asked for. After every input call it drains `poll_transmit()` and
//! `poll_event()` into queues the test reads with the `expect_*` helpers, and
//! answers every `Transmit::Drain` with `handle_drain` (as the browser shell
//! does in a microtask) unless the test holds the drains.
#![allow(dead_code)]

use std::collections::VecDeque;

use socketio_wasm::proto::{
    url, AckRequest, Client, Emit, Event, Frame, HttpError, Options, Payload, SocketId, SocketOptions, Transmit,
    TransportId, TransportKind,
};

/// The instant the harness starts at (not 0, so "0" never hides a bug).
pub const T0: u64 = 1_000_000;

/// The Engine.IO open packet (`0{...}`).
pub fn open_packet(sid: &str, upgrades: &[&str], ping_interval: u64, ping_timeout: u64, max_payload: u64) -> String {
    let ups: Vec<String> = upgrades.iter().map(|u| format!("\"{u}\"")).collect();
    format!(
        "0{{\"sid\":\"{sid}\",\"upgrades\":[{}],\"pingInterval\":{ping_interval},\"pingTimeout\":{ping_timeout},\"maxPayload\":{max_payload}}}",
        ups.join(",")
    )
}

/// An emit of `data` (a JSON array text) without ack.
pub fn emit(data: &str) -> Emit {
    Emit { payload: payload(data), ..Default::default() }
}

/// An emit of `data` with an ack callback.
pub fn emit_ack(data: &str, token: u32, with_error: bool) -> Emit {
    Emit { payload: payload(data), ack: Some(AckRequest { token, with_error }), ..Default::default() }
}

/// A payload without attachments.
pub fn payload(data: &str) -> Payload {
    Payload { data: data.into(), attachments: Vec::new() }
}

/// Splits a URL into what comes before `?` and its query pairs (raw, in order).
pub fn split_url(u: &str) -> (String, Vec<(String, String)>) {
    let (base, q) = u.split_once('?').unwrap_or((u, ""));
    let pairs = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (base.to_owned(), pairs)
}

/// The value of query parameter `k` of URL `u`.
pub fn query_param(u: &str, k: &str) -> Option<String> {
    split_url(u).1.into_iter().find(|(key, _)| key == k).map(|(_, v)| v)
}

/// The query keys of URL `u`, in order.
pub fn query_keys(u: &str) -> Vec<String> {
    split_url(u).1.into_iter().map(|(k, _)| k).collect()
}

pub struct Harness {
    pub client: Client,
    /// The virtual clock (ms).
    pub now: u64,
    /// Transmits not yet consumed by the test (drains excluded unless held).
    pub tx: VecDeque<Transmit>,
    /// Events not yet consumed by the test.
    pub events: VecDeque<Event>,
    /// Every transmit ever produced, with the time it was produced.
    pub log: Vec<(u64, Transmit)>,
    /// Keep `Transmit::Drain` in `held` instead of answering it.
    pub hold_drains: bool,
    pub held: Vec<TransportId>,
}

impl Harness {
    /// A client for `uri` with `opts` and the backoff seed 1.
    pub fn new(uri: &str, opts: Options) -> Self {
        Self::with_seed(uri, opts, 1)
    }

    pub fn with_seed(uri: &str, opts: Options, seed: u64) -> Self {
        let parsed = url::parse(uri);
        let client = Client::new(&parsed, opts, seed, T0);
        let mut h = Harness {
            client,
            now: T0,
            tx: VecDeque::new(),
            events: VecDeque::new(),
            log: Vec::new(),
            hold_drains: false,
            held: Vec::new(),
        };
        h.collect();
        h
    }

    /// Drains the client's outputs; answers drains (a microtask after the
    /// synchronous work) unless they are held.
    pub fn collect(&mut self) {
        loop {
            let mut drains = Vec::new();
            while let Some(t) = self.client.poll_transmit() {
                self.log.push((self.now, t.clone()));
                match t {
                    Transmit::Drain { id } if !self.hold_drains => drains.push(id),
                    Transmit::Drain { id } => self.held.push(id),
                    t => self.tx.push_back(t),
                }
            }
            while let Some(e) = self.client.poll_event() {
                self.events.push_back(e);
            }
            if drains.is_empty() {
                return;
            }
            for id in drains {
                self.client.handle_drain(self.now, id);
            }
        }
    }

    /// Runs any input against the client at the current time, then collects.
    pub fn input<R>(&mut self, f: impl FnOnce(&mut Client, u64) -> R) -> R {
        let now = self.now;
        let r = f(&mut self.client, now);
        self.collect();
        r
    }

    // ----- time -----

    /// Moves the clock forward by `ms`, calling `handle_timeout` at every
    /// `poll_timeout` reached on the way.
    pub fn advance(&mut self, ms: u64) {
        let target = self.now + ms;
        let mut guard = 0;
        while let Some(at) = self.client.poll_timeout() {
            if at > target {
                break;
            }
            self.now = self.now.max(at);
            let now = self.now;
            self.client.handle_timeout(now);
            self.collect();
            guard += 1;
            assert!(guard < 10_000, "timer at {at} keeps firing without progress");
        }
        self.now = target;
    }

    /// Moves the clock without running any timer (a throttled background tab).
    pub fn jump(&mut self, ms: u64) {
        self.now += ms;
    }

    /// The next timer, relative to now.
    pub fn next_timeout_in(&self) -> Option<u64> {
        self.client.poll_timeout().map(|t| t.saturating_sub(self.now))
    }

    // ----- user calls -----

    pub fn socket(&mut self, nsp: &str, opts: SocketOptions) -> SocketId {
        self.input(|c, now| c.socket(now, nsp, opts))
    }

    pub fn emit(&mut self, s: SocketId, e: Emit) {
        self.input(|c, now| c.emit(now, s, e)).expect("emit refused");
    }

    pub fn ack(&mut self, s: SocketId, id: u64, data: &str) {
        self.input(|c, now| c.ack(now, s, id, payload(data)));
    }

    pub fn disconnect(&mut self, s: SocketId) {
        self.input(|c, now| c.disconnect(now, s));
    }

    pub fn connect(&mut self, s: SocketId) {
        self.input(|c, now| c.connect(now, s));
    }

    pub fn close(&mut self) {
        self.input(|c, now| c.close(now));
    }

    pub fn handle_auth(&mut self, s: SocketId, seq: u32, data: Option<&str>) {
        self.input(|c, now| c.handle_auth(now, s, seq, data.map(str::to_owned)));
    }

    // ----- the fake server -----

    pub fn ws_open(&mut self, id: TransportId) {
        self.input(|c, now| c.handle_ws_open(now, id));
    }

    pub fn server_sends_ws_text(&mut self, id: TransportId, text: &str) {
        self.input(|c, now| c.handle_ws_frame(now, id, Frame::Text(text.into())));
    }

    pub fn server_sends_ws_binary(&mut self, id: TransportId, data: &[u8]) {
        self.input(|c, now| c.handle_ws_frame(now, id, Frame::Binary(data.to_vec())));
    }

    pub fn ws_close(&mut self, id: TransportId, code: u16, reason: &str) {
        self.input(|c, now| c.handle_ws_close(now, id, code, reason.into()));
    }

    pub fn ws_error(&mut self, id: TransportId) {
        self.input(|c, now| c.handle_ws_error(now, id));
    }

    pub fn drain(&mut self, id: TransportId) {
        self.input(|c, now| c.handle_drain(now, id));
    }

    /// Answers the held drains.
    pub fn release_drains(&mut self) {
        for id in std::mem::take(&mut self.held) {
            self.drain(id);
        }
    }

    /// The outstanding GET of `id` completes with `body`.
    pub fn server_answers_poll(&mut self, id: TransportId, body: &str) {
        self.input(|c, now| c.handle_poll(now, id, Ok(body.into())));
    }

    pub fn poll_fails(&mut self, id: TransportId, e: HttpError) {
        self.input(|c, now| c.handle_poll(now, id, Err(e)));
    }

    /// The outstanding POST of `id` completes.
    pub fn post_done(&mut self, id: TransportId) {
        self.input(|c, now| c.handle_post(now, id, Ok(())));
    }

    pub fn post_fails(&mut self, id: TransportId, e: HttpError) {
        self.input(|c, now| c.handle_post(now, id, Err(e)));
    }

    // ----- transmits -----

    fn take_first(&mut self, what: &str, pred: impl Fn(&Transmit) -> bool) -> Transmit {
        match self.tx.iter().position(pred) {
            Some(i) => self.tx.remove(i).unwrap(),
            None => panic!("expected {what}, transmits are {:?}", self.tx),
        }
    }

    /// Removes and returns the first `WsOpen`.
    pub fn expect_ws_open(&mut self) -> (TransportId, String) {
        match self.take_first("WsOpen", |t| matches!(t, Transmit::WsOpen { .. })) {
            Transmit::WsOpen { id, url } => (id, url),
            _ => unreachable!(),
        }
    }

    /// Removes and returns the first `Get`.
    pub fn expect_get(&mut self) -> (TransportId, String) {
        match self.take_first("Get", |t| matches!(t, Transmit::Get { .. })) {
            Transmit::Get { id, url } => (id, url),
            _ => unreachable!(),
        }
    }

    /// Removes and returns the first `Post`.
    pub fn expect_post(&mut self) -> (TransportId, String, String) {
        match self.take_first("Post", |t| matches!(t, Transmit::Post { .. })) {
            Transmit::Post { id, url, body } => (id, url, body),
            _ => unreachable!(),
        }
    }

    /// Removes the first `Post`, checking its transport and body.
    pub fn expect_post_body(&mut self, id: TransportId, body: &str) {
        let (pid, _, b) = self.expect_post();
        assert_eq!((pid, b.as_str()), (id, body), "POST");
    }

    /// Removes the first `WsSend` and checks it is `text` on `id`.
    pub fn expect_ws_text(&mut self, id: TransportId, text: &str) {
        let t = self.take_first("WsSend", |t| matches!(t, Transmit::WsSend { .. }));
        assert_eq!(t, Transmit::WsSend { id, frame: Frame::Text(text.into()) });
    }

    /// Removes the first `WsSend` and checks it is the binary `data` on `id`.
    pub fn expect_ws_binary(&mut self, id: TransportId, data: &[u8]) {
        let t = self.take_first("WsSend", |t| matches!(t, Transmit::WsSend { .. }));
        assert_eq!(t, Transmit::WsSend { id, frame: Frame::Binary(data.to_vec()) });
    }

    /// All `WsSend` texts, in order, removed from the queue.
    pub fn take_ws_texts(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        self.tx.retain(|t| match t {
            Transmit::WsSend { frame: Frame::Text(s), .. } => {
                out.push(s.clone());
                false
            }
            _ => true,
        });
        out
    }

    /// Removes the first `WsClose` and checks its transport.
    pub fn expect_ws_close(&mut self, id: TransportId) {
        let t = self.take_first("WsClose", |t| matches!(t, Transmit::WsClose { .. }));
        assert_eq!(t, Transmit::WsClose { id });
    }

    /// Removes the first `Abort` and checks its transport.
    pub fn expect_abort(&mut self, id: TransportId) {
        let t = self.take_first("Abort", |t| matches!(t, Transmit::Abort { .. }));
        assert_eq!(t, Transmit::Abort { id });
    }

    /// Asserts nothing is left to transmit.
    pub fn expect_no_transmit(&mut self) {
        assert!(self.tx.is_empty(), "unexpected transmits: {:?}", self.tx);
    }

    /// Asserts no transmit of that kind is queued.
    pub fn count_tx(&self, pred: impl Fn(&Transmit) -> bool) -> usize {
        self.tx.iter().filter(|t| pred(t)).count()
    }

    pub fn take_transmits(&mut self) -> Vec<Transmit> {
        self.tx.drain(..).collect()
    }

    // ----- events -----

    pub fn take_events(&mut self) -> Vec<Event> {
        self.events.drain(..).collect()
    }

    /// Asserts the queued events are exactly `expected`, and consumes them.
    pub fn expect_events(&mut self, expected: &[Event]) {
        let got = self.take_events();
        assert_eq!(got, expected, "events");
    }

    /// Asserts no event is queued.
    pub fn expect_no_event(&mut self) {
        assert!(self.events.is_empty(), "unexpected events: {:?}", self.events);
    }

    // ----- canned sessions -----

    /// Completes a WebSocket-only Engine.IO handshake on the pending `WsOpen`;
    /// returns the transport. Consumes the `Opening`/`Open` events.
    pub fn open_websocket(&mut self, sid: &str, ping_interval: u64, ping_timeout: u64) -> TransportId {
        let (id, _) = self.expect_ws_open();
        self.ws_open(id);
        self.server_sends_ws_text(id, &open_packet(sid, &[], ping_interval, ping_timeout, 1_000_000));
        id
    }

    /// Completes a polling handshake on the pending `GET` (no upgrade offered);
    /// returns the transport.
    pub fn open_polling(&mut self, sid: &str, ping_interval: u64, ping_timeout: u64, max_payload: u64) -> TransportId {
        let (id, _) = self.expect_get();
        self.server_answers_poll(id, &open_packet(sid, &[], ping_interval, ping_timeout, max_payload));
        id
    }

    /// The server accepts the namespace CONNECT (`40<nsp>,{"sid":..}`).
    pub fn ws_accept(&mut self, id: TransportId, nsp: &str, sid: &str) {
        self.server_sends_ws_text(id, &format!("40{}{{\"sid\":\"{sid}\"}}", nsp_prefix(nsp)));
    }
}

/// `"/admin,"` for a namespace other than `/`.
pub fn nsp_prefix(nsp: &str) -> String {
    if nsp == "/" {
        String::new()
    } else {
        format!("{nsp},")
    }
}

/// Options for a client that only uses WebSocket.
pub fn ws_only() -> Options {
    Options { transports: vec![TransportKind::WebSocket], ..Options::default() }
}

/// A WebSocket-only client with socket `/` connected (sid `S1`), all
/// events consumed. Ping interval/timeout 25000/20000 (the server defaults).
pub fn ws_connected(opts: Options, sopts: SocketOptions) -> (Harness, TransportId, SocketId) {
    let mut h = Harness::new("http://localhost:3000", opts);
    let s = h.socket("/", sopts);
    let id = h.open_websocket("E1", 25_000, 20_000);
    h.expect_ws_text(id, "40");
    h.ws_accept(id, "/", "S1");
    let evs = h.take_events();
    assert_eq!(evs.last(), Some(&Event::Connect(s)), "{evs:?}");
    h.expect_no_transmit();
    (h, id, s)
}
