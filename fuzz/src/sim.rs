//! [`Sim`]: the simulated browser shell and server the `client_frames` driver
//! runs the [`Client`] in: it drains the outputs after every input and checks
//! them. The operations of a script are in `script.rs`.

use std::collections::{HashSet, VecDeque};

use socketio_wasm::proto::{
    eio, url, Auth, Client, Event, Frame, Options, SocketId, SocketOptions, TextCodec, Transmit, TransportId,
    TransportKind,
};

/// The instant the simulation starts at.
const T0: u64 = 1_000_000;

/// Drives a [`Client`] like the browser shell does and keeps what the server
/// side needs to answer: open WebSockets, outstanding GETs and POSTs, drains.
pub struct Sim {
    /// The client under test.
    pub c: Client,
    /// The virtual clock.
    pub now: u64,
    pub(super) ws: Vec<TransportId>,
    pub(super) ws_opened: HashSet<TransportId>,
    pub(super) ws_closed: HashSet<TransportId>,
    pub(super) gets: VecDeque<TransportId>,
    pub(super) posts: VecDeque<TransportId>,
    pub(super) drains: VecDeque<TransportId>,
    pub(super) hold_drains: bool,
    pub(super) hold_auth: bool,
    pub(super) sockets: Vec<SocketId>,
    pub(super) server_acks: VecDeque<(SocketId, u64)>,
    pub(super) auth: Option<(SocketId, u32)>,
    pub(super) next_token: u32,
    pub(super) live_tokens: HashSet<u32>,
    pub(super) cfg: u8,
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
fn open_packet(sid: &str, upgrades: bool, max_payload: u64) -> String {
    format!(
        "0{{\"sid\":\"{sid}\",\"upgrades\":[{}],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":{max_payload}}}",
        if upgrades { "\"websocket\"" } else { "" }
    )
}

impl Sim {
    /// A client for `http://localhost:3000` configured by `cfg` (see
    /// [`client_frames`](super::client_frames)), not yet through its handshake.
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

    /// The newest WebSocket that is open and not closed.
    pub(super) fn last_open_ws(&self) -> Option<TransportId> {
        self.ws.iter().rev().copied().find(|id| self.ws_opened.contains(id) && !self.ws_closed.contains(id))
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
}
