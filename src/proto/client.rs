//! The Socket.IO client: socket.io-client's `Manager` (one engine session,
//! reconnection with backoff, namespace multiplexing) and its namespace
//! `Socket`s (connect with auth, acknowledgements, buffers, retries,
//! connection state recovery), as one sans-IO state machine.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::backoff::{Backoff, Rng};
use super::codec::{Codec, TextCodec};
use super::eio::OutPacket;
use super::engine::{Config, Data, Engine, EngineEvent, Io};
use super::sio::{self, Decoder, Packet};
use super::url::{Endpoint, ParsedUri};
use super::{
    json, AckError, Auth, CloseDetail, Emit, EmitError, ErrorKind, Event, Frame, HttpError, Options, Payload, Reason,
    SocketOptions, Transmit, TransportId, TransportKind,
};

/// Identifies a namespace socket of a [`Client`].
pub type SocketId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ready {
    Opening,
    Open,
    Closed,
}

/// Which engine events the manager listens to (socket.io-client's `subs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listen {
    None,
    Opening,
    Open,
}

/// The callback of the pending `open()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenCallback {
    None,
    Reconnect,
    User(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AckTarget {
    User(u32),
    Queue(u64),
}

#[derive(Debug)]
struct PendingAck {
    id: u64,
    target: AckTarget,
    with_error: bool,
    deadline: Option<u64>,
}

#[derive(Debug)]
struct Buffered<C: Codec> {
    id: Option<u64>,
    payload: Payload<C>,
}

#[derive(Debug)]
struct Queued<C: Codec> {
    seq: u64,
    payload: Payload<C>,
    timeout: Option<u64>,
    user_ack: Option<u32>,
    pending: bool,
    tries: u32,
}

#[derive(Debug)]
struct Sock<C: Codec> {
    nsp: String,
    opts: SocketOptions,
    active: bool,
    connected: bool,
    id: Option<String>,
    pid: Option<String>,
    last_offset: Option<String>,
    recovered: bool,
    next_ack: u64,
    /// Sorted by id (ids only grow); answers usually come oldest first, so a
    /// deque removes them from the front cheaply.
    acks: VecDeque<PendingAck>,
    send_buffer: Vec<Buffered<C>>,
    receive_buffer: Vec<(Payload<C>, Option<u64>)>,
    queue: VecDeque<Queued<C>>,
    queue_seq: u64,
    auth_seq: u32,
    outgoing_events: bool,
}

/// The I/O resources the engine borrows.
#[derive(Debug)]
struct Shared<C: Codec> {
    tx: VecDeque<Transmit<C>>,
    rng: Rng,
    next_id: TransportId,
    prior_ws: bool,
}

impl<C: Codec> Shared<C> {
    fn io(&mut self) -> Io<'_, C> {
        Io { tx: &mut self.tx, rng: &mut self.rng, next_id: &mut self.next_id, prior_ws: &mut self.prior_ws }
    }
}

/// A Socket.IO client connection: the manager, its engine and its namespace
/// sockets. See the [module documentation](super) for the push/pull contract.
///
/// `C` is how payloads are held (see [`Codec`]): [`TextCodec`], text and bytes
/// in Rust, unless a shell brings its own.
#[derive(Debug)]
pub struct Client<C: Codec = TextCodec> {
    opts: Options,
    cfg: Config,
    uri: ParsedUri,
    shared: Shared<C>,
    events: VecDeque<Event<C>>,
    ready: Ready,
    reconnecting: bool,
    skip_reconnect: bool,
    backoff: Backoff,
    engine: Option<Engine<C>>,
    /// Engines closed by the manager that still drain their writes.
    retired: Vec<Engine<C>>,
    listen: Listen,
    open_deadline: Option<u64>,
    reconnect_at: Option<u64>,
    /// `reconnect_attempt` was announced; the attempt opens at `reconnect_at`
    /// (the next turn), unless a listener turned reconnection off meanwhile.
    attempt_announced: bool,
    open_callback: OpenCallback,
    decoder: Decoder<C>,
    sockets: Vec<Sock<C>>,
    ack_timers: BinaryHeap<Reverse<(u64, SocketId, u64)>>,
    packet_events: bool,
    /// A namespace connected during the current session. Only such a session
    /// counts as a success that starts the backoff over: behind a load
    /// balancer without sticky sessions the handshake succeeds and the next
    /// request fails, and a backoff reset there would retry at the first
    /// delay forever.
    session_connected: bool,
}

impl<C: Codec> Client<C> {
    /// Creates the manager for a resolved server address (see
    /// [`url::resolve`](super::url::resolve)); with `auto_connect` it starts
    /// connecting at once. `seed` feeds the backoff jitter and request tokens.
    pub fn new(uri: &ParsedUri, opts: Options, seed: u64, now: u64) -> Self {
        let cfg = engine_config(uri, &opts);
        let backoff = Backoff::new(opts.reconnection_delay, opts.reconnection_delay_max, opts.randomization_factor);
        let mut c = Client {
            uri: uri.clone(),
            cfg,
            shared: Shared { tx: VecDeque::new(), rng: Rng::new(seed), next_id: 0, prior_ws: false },
            events: VecDeque::new(),
            ready: Ready::Closed,
            reconnecting: false,
            skip_reconnect: !opts.reconnection,
            backoff,
            engine: None,
            retired: Vec::new(),
            listen: Listen::None,
            open_deadline: None,
            reconnect_at: None,
            attempt_announced: false,
            open_callback: OpenCallback::None,
            decoder: Decoder::default(),
            sockets: Vec::new(),
            ack_timers: BinaryHeap::new(),
            packet_events: false,
            session_connected: false,
            opts,
        };
        if c.opts.auto_connect {
            c.open_manager(now, OpenCallback::None);
            c.pump(now);
        }
        c
    }

    // =====================================================================
    // Outputs
    // =====================================================================

    /// The next I/O to perform. Drain after every call into the client.
    pub fn poll_transmit(&mut self) -> Option<Transmit<C>> {
        self.shared.tx.pop_front()
    }

    /// The next event for the user. Drain after every call into the client.
    pub fn poll_event(&mut self) -> Option<Event<C>> {
        self.events.pop_front()
    }

    /// When [`Client::handle_timeout`] must be called next, if ever. Read
    /// after draining the other outputs.
    pub fn poll_timeout(&self) -> Option<u64> {
        let engine = self.engine.as_ref().and_then(Engine::next_timeout);
        let ack = self.ack_timers.peek().map(|Reverse((at, _, _))| *at);
        [self.open_deadline, self.reconnect_at, engine, ack].into_iter().flatten().min()
    }

    // =====================================================================
    // Manager: user calls
    // =====================================================================

    /// `manager.open(callback?)`: starts connecting unless already opening or
    /// open. With `callback`, its outcome comes as [`Event::OpenResult`] and a
    /// failure does not start the reconnection loop.
    pub fn open(&mut self, now: u64, callback: Option<u32>) {
        let cb = callback.map_or(OpenCallback::None, OpenCallback::User);
        self.open_manager(now, cb);
        self.pump(now);
    }

    /// `manager.disconnect()`: closes the connection, no reconnection.
    pub fn close(&mut self, now: u64) {
        self.manager_close(now);
        self.pump(now);
    }

    /// `manager.engine.close()`: closes the engine; the manager sees the
    /// close (`forced close`) and reconnects as after a lost connection.
    pub fn close_engine(&mut self, now: u64) {
        if let Some(e) = self.engine.as_mut() {
            e.close(&mut self.shared.io());
        }
        self.pump(now);
    }

    /// `manager.reconnection(v)`.
    pub fn set_reconnection(&mut self, on: bool) {
        self.opts.reconnection = on;
        if !on {
            self.skip_reconnect = true;
        }
    }

    /// `manager.reconnectionAttempts(v)` (`u32::MAX`: unlimited).
    pub fn set_reconnection_attempts(&mut self, n: u32) {
        self.opts.reconnection_attempts = n;
    }

    /// `manager.reconnectionDelay(v)`.
    pub fn set_reconnection_delay(&mut self, ms: u64) {
        self.opts.reconnection_delay = ms;
        self.backoff.min = ms;
    }

    /// `manager.reconnectionDelayMax(v)`.
    pub fn set_reconnection_delay_max(&mut self, ms: u64) {
        self.opts.reconnection_delay_max = ms;
        self.backoff.max = ms;
    }

    /// `manager.randomizationFactor(v)`.
    pub fn set_randomization_factor(&mut self, f: f64) {
        self.opts.randomization_factor = f;
        self.backoff.jitter = f;
    }

    /// `manager.timeout(v)` (`None`: no connection timeout).
    pub fn set_timeout(&mut self, ms: Option<u64>) {
        self.opts.timeout = ms;
    }

    /// Replaces the options, as assigning `manager.opts` does in
    /// socket.io-client: the transport options (`path`, `query`,
    /// `transports`, `upgrade`, timestamps...) apply from the next connection
    /// attempt, since every attempt builds its engine afresh; the reconnection
    /// options apply at once, as through their setters. `auto_connect` only
    /// matters at creation.
    pub fn reconfigure(&mut self, opts: Options) {
        self.cfg = engine_config(&self.uri, &opts);
        self.set_reconnection(opts.reconnection);
        self.set_reconnection_attempts(opts.reconnection_attempts);
        self.set_reconnection_delay(opts.reconnection_delay);
        self.set_reconnection_delay_max(opts.reconnection_delay_max);
        self.set_randomization_factor(opts.randomization_factor);
        self.set_timeout(opts.timeout);
        self.opts = opts;
    }

    /// The current options (with the setters applied).
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Emit [`Event::Packet`] for every decoded packet (for `packet` listeners).
    pub fn set_packet_events(&mut self, on: bool) {
        self.packet_events = on;
    }

    /// The engine session id, while a session is open.
    pub fn engine_id(&self) -> Option<&str> {
        self.engine.as_ref().and_then(Engine::sid)
    }

    /// The current transport, if an engine exists.
    pub fn transport(&self) -> Option<TransportKind> {
        self.engine.as_ref().map(Engine::transport_kind)
    }

    /// True while waiting for or making a reconnection attempt.
    pub fn is_reconnecting(&self) -> bool {
        self.reconnecting
    }

    /// True once the engine handshake completed and until the connection closes.
    pub fn is_open(&self) -> bool {
        self.ready == Ready::Open
    }

    /// True while a connection attempt waits for the engine handshake.
    pub fn is_opening(&self) -> bool {
        self.ready == Ready::Opening
    }

    // =====================================================================
    // Sockets: user calls
    // =====================================================================

    /// `manager.socket(nsp, opts)`: the socket of a namespace, created on first
    /// use (with `auto_connect` it connects; an existing inactive socket
    /// reconnects).
    pub fn socket(&mut self, now: u64, nsp: &str, opts: SocketOptions) -> SocketId {
        let existed = self.sockets.iter().any(|s| s.nsp == nsp);
        let id = self.add_socket(nsp, opts);
        if self.opts.auto_connect && !(existed && self.is_active(id)) {
            self.connect(now, id);
        }
        id
    }

    /// The socket of a namespace, created if needed, without connecting it
    /// (the caller connects it; for shells that must register the socket first).
    pub fn add_socket(&mut self, nsp: &str, opts: SocketOptions) -> SocketId {
        if let Some(i) = self.sockets.iter().position(|s| s.nsp == nsp) {
            return i as SocketId;
        }
        self.sockets.push(Sock {
            nsp: nsp.to_owned(),
            opts,
            active: false,
            connected: false,
            id: None,
            pid: None,
            last_offset: None,
            recovered: false,
            next_ack: 0,
            acks: VecDeque::new(),
            send_buffer: Vec::new(),
            receive_buffer: Vec::new(),
            queue: VecDeque::new(),
            queue_seq: 0,
            auth_seq: 0,
            outgoing_events: false,
        });
        (self.sockets.len() - 1) as SocketId
    }

    fn sock(&self, s: SocketId) -> Option<&Sock<C>> {
        self.sockets.get(s as usize)
    }

    fn sock_mut(&mut self, s: SocketId) -> Option<&mut Sock<C>> {
        self.sockets.get_mut(s as usize)
    }

    /// The namespace of a socket.
    pub fn socket_nsp(&self, s: SocketId) -> Option<&str> {
        self.sock(s).map(|k| k.nsp.as_str())
    }

    /// `socket.connected`.
    pub fn is_connected(&self, s: SocketId) -> bool {
        self.sock(s).is_some_and(|k| k.connected)
    }

    /// `socket.active`: connected, or trying to (the socket will reconnect).
    pub fn is_active(&self, s: SocketId) -> bool {
        self.sock(s).is_some_and(|k| k.active)
    }

    /// `socket.id`.
    pub fn socket_sid(&self, s: SocketId) -> Option<&str> {
        self.sock(s).and_then(|k| k.id.as_deref())
    }

    /// `socket.recovered`: the last connection restored the session.
    pub fn is_recovered(&self, s: SocketId) -> bool {
        self.sock(s).is_some_and(|k| k.recovered)
    }

    /// `socket.auth = ..`: used from the next connect on.
    pub fn set_auth(&mut self, s: SocketId, auth: Auth) {
        if let Some(k) = self.sock_mut(s) {
            k.opts.auth = auth;
        }
    }

    /// Emit [`Event::Outgoing`] for this socket's sent events (for `onAnyOutgoing`).
    pub fn set_outgoing_events(&mut self, s: SocketId, on: bool) {
        if let Some(k) = self.sock_mut(s) {
            k.outgoing_events = on;
        }
    }

    /// `socket.sendBuffer`: emits waiting for a connection, with their ack ids.
    pub fn send_buffer(&self, s: SocketId) -> Vec<(Option<u64>, &Payload<C>)> {
        self.sock(s).map_or_else(Vec::new, |k| k.send_buffer.iter().map(|b| (b.id, &b.payload)).collect())
    }

    /// `socket.sendBuffer = []`: drops the buffered emits (their acks time out
    /// or fail on disconnect as usual).
    pub fn clear_send_buffer(&mut self, s: SocketId) {
        if let Some(k) = self.sock_mut(s) {
            k.send_buffer.clear();
        }
    }

    /// `socket.receiveBuffer`: events received before the socket connected.
    pub fn receive_buffer(&self, s: SocketId) -> Vec<&Payload<C>> {
        self.sock(s).map_or_else(Vec::new, |k| k.receive_buffer.iter().map(|(p, _)| p).collect())
    }

    /// `socket.connect()`.
    pub fn connect(&mut self, now: u64, s: SocketId) {
        self.socket_connect(now, s);
        self.after_user_action(now);
        self.pump(now);
    }

    /// `socket.disconnect()`.
    pub fn disconnect(&mut self, now: u64, s: SocketId) {
        let Some(k) = self.sock(s) else { return };
        let was_connected = k.connected;
        if was_connected {
            let nsp = k.nsp.clone();
            self.packet(Packet::Disconnect { nsp }, Vec::new());
        }
        self.destroy(now, s);
        if was_connected {
            self.socket_on_close(s, Reason::IoClientDisconnect, CloseDetail::None);
        }
        self.pump(now);
    }

    /// `socket.emit(..)`. A reserved event name is refused, as by socket.io-client.
    pub fn emit(&mut self, now: u64, s: SocketId, e: Emit<C>) -> Result<(), EmitError> {
        if self.sock(s).is_none() {
            return Err(EmitError::UnknownSocket);
        }
        C::check_emit(&e.payload.data)?;
        self.emit_inner(now, s, e, None);
        self.after_user_action(now);
        self.pump(now);
        Ok(())
    }

    /// Answers the server's event `ack_id` (the ack function of a received event).
    pub fn ack(&mut self, now: u64, s: SocketId, ack_id: u64, payload: Payload<C>) {
        let Some(k) = self.sock(s) else { return };
        let nsp = k.nsp.clone();
        let attachments = payload.attachments.len();
        self.packet(Packet::Ack { nsp, id: Some(ack_id), data: payload.data, attachments }, payload.attachments);
        self.after_user_action(now);
        self.pump(now);
    }

    /// The answer to [`Event::AuthRequest`]: `data` is a JSON object or nothing.
    pub fn handle_auth(&mut self, now: u64, s: SocketId, seq: u32, data: Option<String>) {
        if self.sock(s).is_some_and(|k| k.auth_seq == seq) {
            self.send_connect(s, data);
        }
        self.pump(now);
    }

    // =====================================================================
    // Transport input
    // =====================================================================

    fn route(&mut self, now: u64, id: TransportId, f: impl FnOnce(&mut Engine<C>, &mut Io<'_, C>)) {
        if let Some(e) = self.engine.as_mut().filter(|e| e.owns(id)) {
            f(e, &mut self.shared.io());
        } else if let Some(i) = self.retired.iter().position(|e| e.owns(id)) {
            if let Some(e) = self.retired.get_mut(i) {
                f(e, &mut self.shared.io());
                e.events.clear();
                if e.is_closed() {
                    self.retired.swap_remove(i);
                }
            }
        }
        self.pump(now);
    }

    /// A WebSocket opened.
    pub fn handle_ws_open(&mut self, now: u64, id: TransportId) {
        self.route(now, id, |e, io| e.handle_ws_open(io, id));
    }

    /// A WebSocket message arrived.
    pub fn handle_ws_frame(&mut self, now: u64, id: TransportId, frame: Frame<C>) {
        self.route(now, id, |e, io| e.handle_ws_frame(io, now, id, frame));
    }

    /// A WebSocket reported an error (its close follows).
    pub fn handle_ws_error(&mut self, now: u64, id: TransportId) {
        self.route(now, id, |e, io| e.handle_ws_error(io, id));
    }

    /// A WebSocket closed.
    pub fn handle_ws_close(&mut self, now: u64, id: TransportId, code: u16, reason: String) {
        self.route(now, id, |e, io| e.handle_ws_close(io, id, code, reason));
    }

    /// The microtask requested by [`Transmit::Drain`] ran.
    pub fn handle_drain(&mut self, now: u64, id: TransportId) {
        self.route(now, id, |e, io| e.handle_drain(io, id));
    }

    /// A long-polling GET completed with its body, or failed.
    pub fn handle_poll(&mut self, now: u64, id: TransportId, result: Result<C::Text, HttpError>) {
        self.route(now, id, |e, io| e.handle_poll(io, now, id, result));
    }

    /// A long-polling POST completed, or failed.
    pub fn handle_post(&mut self, now: u64, id: TransportId, result: Result<(), HttpError>) {
        self.route(now, id, |e, io| e.handle_post(io, id, result));
    }

    /// The browser went offline: closes the connection (`transport close`),
    /// except for `localhost`, as socket.io-client does.
    pub fn handle_offline(&mut self, now: u64) {
        if self.uri.host != "localhost" {
            if let Some(e) = self.engine.as_mut() {
                e.on_close(
                    &mut self.shared.io(),
                    Reason::TransportClose,
                    CloseDetail::Described("network connection lost"),
                );
            }
        }
        self.pump(now);
    }

    /// The page is unloading (`closeOnBeforeunload`).
    pub fn handle_beforeunload(&mut self, now: u64) {
        if let Some(e) = self.engine.as_mut() {
            e.unload(&mut self.shared.io());
        }
        self.pump(now);
    }

    /// Timers: call at or after [`Client::poll_timeout`].
    pub fn handle_timeout(&mut self, now: u64) {
        if self.open_deadline.is_some_and(|d| now >= d) {
            self.open_deadline = None;
            if self.listen == Listen::Opening {
                self.on_open_error(now, ErrorKind::Timeout);
                if let Some(e) = self.engine.as_mut() {
                    e.close(&mut self.shared.io());
                }
                self.pump(now);
            }
        }
        if self.reconnect_at.is_some_and(|d| now >= d) {
            if self.skip_reconnect {
                self.reconnect_at = None;
                self.attempt_announced = false;
                self.reconnecting = false;
            } else if !self.attempt_announced {
                // Announce the attempt and open on the next turn, once the
                // `reconnect_attempt` listeners have run: they may turn
                // reconnection off or change the options, as in socket.io-client.
                self.attempt_announced = true;
                self.reconnect_at = Some(now);
                self.events.push_back(Event::ReconnectAttempt(self.backoff.attempts));
            } else {
                self.reconnect_at = None;
                self.attempt_announced = false;
                self.open_manager(now, OpenCallback::Reconnect);
                self.pump(now);
            }
        }
        if let Some(e) = self.engine.as_mut() {
            e.handle_timeout(&mut self.shared.io(), now);
            self.pump(now);
        }
        // Only the timers due on entry: a retry re-armed with a zero timeout
        // fires on the next call (the next turn of the event loop), so retries
        // never run back to back inside one call.
        let mut due = Vec::new();
        while let Some(&Reverse((at, s, id))) = self.ack_timers.peek() {
            if at > now {
                break;
            }
            self.ack_timers.pop();
            due.push((at, s, id));
        }
        for (at, s, id) in due {
            self.ack_timeout(s, id, at);
        }
        self.pump(now);
    }

    // =====================================================================
    // Manager internals
    // =====================================================================

    fn open_manager(&mut self, now: u64, cb: OpenCallback) {
        if self.ready != Ready::Closed {
            return;
        }
        if let Some(old) = self.engine.take() {
            if !old.is_closed() {
                self.retired.push(old);
            }
        }
        self.engine = Some(Engine::open(self.cfg.clone(), &mut self.shared.io(), now));
        self.ready = Ready::Opening;
        self.skip_reconnect = false;
        self.listen = Listen::Opening;
        self.open_callback = cb;
        self.open_deadline = self.opts.timeout.map(|t| now.saturating_add(t));
        self.events.push_back(Event::Opening);
    }

    /// `cleanup()`: stop listening to the engine, clear the manager's timers.
    fn cleanup(&mut self) {
        self.listen = Listen::None;
        self.open_deadline = None;
        self.reconnect_at = None;
        self.attempt_announced = false;
        self.decoder.reset();
    }

    /// Processes the engine's queued events until none are left.
    /// Processes the engine's queued events; events queued meanwhile come
    /// after the ones already waiting, first in first out.
    fn pump(&mut self, now: u64) {
        loop {
            let batch = match self.engine.as_mut() {
                Some(e) if !e.events.is_empty() => std::mem::take(&mut e.events),
                _ => break,
            };
            for ev in batch {
                self.on_engine_event(now, ev);
            }
        }
        self.prune_ack_timers();
    }

    /// Drops timers of acks already answered, so `poll_timeout` only names
    /// deadlines that still matter.
    fn prune_ack_timers(&mut self) {
        while let Some(&Reverse((at, s, id))) = self.ack_timers.peek() {
            let live = self.sock(s).is_some_and(|k| {
                k.acks
                    .binary_search_by_key(&id, |a| a.id)
                    .is_ok_and(|i| k.acks.get(i).is_some_and(|a| a.deadline == Some(at)))
            });
            if live {
                break;
            }
            self.ack_timers.pop();
        }
    }

    fn on_engine_event(&mut self, now: u64, ev: EngineEvent<C>) {
        match ev {
            EngineEvent::Open => {
                if self.listen == Listen::Opening {
                    self.on_open();
                }
            }
            EngineEvent::Data(d) => {
                if self.listen == Listen::Open {
                    self.on_data(now, d);
                }
            }
            EngineEvent::Ping => {
                if self.listen == Listen::Open {
                    self.events.push_back(Event::Ping);
                }
            }
            EngineEvent::Error(err) => match self.listen {
                Listen::Opening => self.on_open_error(now, err),
                Listen::Open => self.on_error(err),
                Listen::None => {}
            },
            EngineEvent::Close(reason, detail) => {
                self.events.push_back(Event::EngineClose(reason, detail.clone()));
                if self.listen == Listen::Open {
                    self.on_close(now, reason, detail);
                }
            }
            EngineEvent::Upgrade(kind) => self.events.push_back(Event::Upgrade(kind)),
            EngineEvent::UpgradeError(err) => self.events.push_back(Event::UpgradeError(err)),
        }
    }

    fn on_open(&mut self) {
        self.cleanup();
        self.session_connected = false;
        self.ready = Ready::Open;
        self.events.push_back(Event::Open);
        self.listen = Listen::Open;
        for s in 0..self.sockets.len() as SocketId {
            if self.sockets.get(s as usize).is_some_and(|k| k.active) {
                self.socket_on_open(s);
            }
        }
        match std::mem::replace(&mut self.open_callback, OpenCallback::None) {
            OpenCallback::Reconnect => {
                // The backoff starts over once a namespace connects (see
                // `session_connected`), not at the handshake.
                let attempt = self.backoff.attempts;
                self.reconnecting = false;
                self.events.push_back(Event::Reconnect(attempt));
            }
            OpenCallback::User(token) => self.events.push_back(Event::OpenResult { token, error: None }),
            OpenCallback::None => {}
        }
    }

    /// The connection attempt failed (`onError` inside `open()`).
    fn on_open_error(&mut self, now: u64, err: ErrorKind) {
        self.cleanup();
        self.ready = Ready::Closed;
        self.on_error(err.clone());
        match std::mem::replace(&mut self.open_callback, OpenCallback::None) {
            OpenCallback::Reconnect => {
                self.reconnecting = false;
                self.reconnect(now);
                self.events.push_back(Event::ReconnectError(err));
            }
            OpenCallback::User(token) => self.events.push_back(Event::OpenResult { token, error: Some(err) }),
            OpenCallback::None => {
                if !self.reconnecting && self.opts.reconnection && self.backoff.attempts == 0 {
                    self.reconnect(now);
                }
            }
        }
    }

    /// Manager `error`: sockets that are not connected report `connect_error`.
    fn on_error(&mut self, err: ErrorKind) {
        self.events.push_back(Event::Error(err.clone()));
        for (i, k) in self.sockets.iter().enumerate() {
            if k.active && !k.connected {
                self.events.push_back(Event::ConnectError(i as SocketId, err.clone()));
            }
        }
    }

    fn on_close(&mut self, now: u64, reason: Reason, detail: CloseDetail) {
        self.cleanup();
        if let Some(e) = self.engine.as_mut() {
            e.close(&mut self.shared.io());
        }
        if std::mem::take(&mut self.session_connected) {
            self.backoff.reset();
        }
        self.ready = Ready::Closed;
        self.events.push_back(Event::Close(reason, detail.clone()));
        for s in 0..self.sockets.len() as SocketId {
            if self.sockets.get(s as usize).is_some_and(|k| k.active) {
                self.socket_on_close(s, reason, detail.clone());
            }
        }
        if self.opts.reconnection && !self.skip_reconnect {
            self.reconnect(now);
        }
    }

    fn manager_close(&mut self, now: u64) {
        self.skip_reconnect = true;
        self.reconnecting = false;
        self.on_close(now, Reason::ForcedClose, CloseDetail::None);
    }

    fn reconnect(&mut self, now: u64) {
        if self.reconnecting || self.skip_reconnect {
            return;
        }
        if self.backoff.attempts >= self.opts.reconnection_attempts {
            self.backoff.reset();
            self.events.push_back(Event::ReconnectFailed);
            self.reconnecting = false;
        } else {
            let delay = self.backoff.duration(&mut self.shared.rng);
            self.reconnecting = true;
            self.reconnect_at = Some(now.saturating_add(delay));
        }
    }

    fn on_data(&mut self, now: u64, d: Data<C>) {
        let r = match d {
            Data::Text(s) => self.decoder.add_text(&s),
            Data::Binary(b) => self.decoder.add_binary(b),
        };
        match r {
            Ok(Some((packet, attachments))) => self.on_decoded(now, packet, attachments),
            Ok(None) => {}
            Err(e) => {
                let err = ErrorKind::Parse(e);
                self.on_close(now, Reason::ParseError, CloseDetail::Error(err));
            }
        }
    }

    fn on_decoded(&mut self, now: u64, packet: Packet<C::Args>, attachments: Vec<C::Binary>) {
        // The sockets see the packet before `packet` listeners do, as in
        // socket.io-client (the sockets subscribe first).
        let copy =
            self.packet_events.then(|| Event::Packet { packet: packet.clone(), attachments: attachments.clone() });
        self.route_packet(now, packet, attachments);
        if let Some(ev) = copy {
            self.events.push_back(ev);
        }
    }

    fn route_packet(&mut self, now: u64, packet: Packet<C::Args>, attachments: Vec<C::Binary>) {
        let nsp = match &packet {
            Packet::Connect { nsp, .. }
            | Packet::Disconnect { nsp }
            | Packet::Event { nsp, .. }
            | Packet::Ack { nsp, .. }
            | Packet::ConnectError { nsp, .. } => nsp,
        };
        let Some(s) = self.sockets.iter().position(|k| k.active && &k.nsp == nsp) else { return };
        let s = s as SocketId;
        match packet {
            Packet::Connect { data, .. } => {
                let data = data.unwrap_or_default();
                let sid = json::field(&data, "sid").and_then(json::string).filter(|s| !s.is_empty());
                match sid {
                    Some(sid) => {
                        let pid = json::field(&data, "pid").and_then(json::string);
                        self.on_connect(now, s, sid, pid);
                    }
                    None => self.events.push_back(Event::ConnectError(s, ErrorKind::IncompatibleServer)),
                }
            }
            Packet::Event { id, data, .. } => {
                let payload = Payload { data, attachments };
                match self.sockets.get_mut(s as usize) {
                    Some(k) if !k.connected => k.receive_buffer.push((payload, id)),
                    Some(_) => self.emit_event(s, payload, id),
                    None => {}
                }
            }
            Packet::Ack { id: Some(id), data, .. } => self.on_ack(now, s, id, Payload { data, attachments }),
            Packet::Ack { id: None, .. } => {}
            Packet::Disconnect { .. } => {
                self.destroy(now, s);
                self.socket_on_close(s, Reason::IoServerDisconnect, CloseDetail::None);
            }
            Packet::ConnectError { data, .. } => {
                self.destroy(now, s);
                let (message, extra) = if data.starts_with('"') {
                    (json::string(&data).unwrap_or_default(), None)
                } else {
                    let message = json::field(&data, "message").and_then(json::string).unwrap_or_default();
                    (message, json::field(&data, "data").map(str::to_owned))
                };
                self.events.push_back(Event::ConnectError(s, ErrorKind::ConnectRefused { message, data: extra }));
            }
        }
    }

    /// Encodes a packet and writes it (dropped when no engine can take it).
    fn packet(&mut self, p: Packet<C::Args>, attachments: Vec<C::Binary>) {
        let Some(e) = self.engine.as_mut() else { return };
        let mut io = self.shared.io();
        e.write(&mut io, OutPacket::Message(sio::encode::<C>(&p)));
        for a in attachments {
            e.write(&mut io, OutPacket::Binary(a));
        }
    }

    /// Closes the engine with `ping timeout` when a user action notices that
    /// the heartbeat deadline passed while timers were throttled.
    fn after_user_action(&mut self, now: u64) {
        if let Some(e) = self.engine.as_mut() {
            if !e.is_closed() && e.has_ping_expired(now) {
                e.on_close(&mut self.shared.io(), Reason::PingTimeout, CloseDetail::None);
            }
        }
    }

    // =====================================================================
    // Socket internals
    // =====================================================================

    fn socket_connect(&mut self, now: u64, s: SocketId) {
        let Some(k) = self.sock_mut(s) else { return };
        if k.connected {
            return;
        }
        k.active = true;
        if !self.reconnecting {
            self.open_manager(now, OpenCallback::None);
            self.pump(now);
        }
        if self.ready == Ready::Open {
            self.socket_on_open(s);
        }
    }

    fn socket_on_open(&mut self, s: SocketId) {
        let Some(k) = self.sock_mut(s) else { return };
        match &k.opts.auth {
            Auth::Provider => {
                k.auth_seq = k.auth_seq.wrapping_add(1);
                let seq = k.auth_seq;
                self.events.push_back(Event::AuthRequest { socket: s, seq });
            }
            Auth::Json(j) => {
                let j = j.clone();
                self.send_connect(s, Some(j));
            }
            Auth::None => self.send_connect(s, None),
        }
    }

    /// Sends CONNECT with the auth object, merged after `pid` and `offset`
    /// when the session may be recovered.
    fn send_connect(&mut self, s: SocketId, data: Option<String>) {
        let Some(k) = self.sock(s) else { return };
        let data = data.filter(|d| json::for_each_field(d, |_, _| {}).is_some());
        let data = match &k.pid {
            Some(pid) => {
                let mut o = String::from("{\"pid\":");
                json::write_string(&mut o, pid);
                if let Some(off) = &k.last_offset {
                    o.push_str(",\"offset\":");
                    json::write_string(&mut o, off);
                }
                if let Some(d) = &data {
                    let inner = d.trim_ascii();
                    let inner = inner.get(1..inner.len().saturating_sub(1)).unwrap_or("").trim_ascii();
                    if !inner.is_empty() {
                        o.push(',');
                        o.push_str(inner);
                    }
                }
                o.push('}');
                Some(o)
            }
            None => data,
        };
        let nsp = k.nsp.clone();
        self.packet(Packet::Connect { nsp, data }, Vec::new());
    }

    fn on_connect(&mut self, now: u64, s: SocketId, sid: String, pid: Option<String>) {
        if !self.session_connected {
            self.session_connected = true;
            self.backoff.reset();
        }
        let Some(k) = self.sockets.get_mut(s as usize) else { return };
        k.id = Some(sid);
        k.recovered = pid.is_some() && k.pid == pid;
        k.pid = pid;
        k.connected = true;
        // Events received before the connection, then emits made while offline.
        for (payload, id) in std::mem::take(&mut k.receive_buffer) {
            self.emit_event(s, payload, id);
        }
        let buffered = self.sockets.get_mut(s as usize).map(|k| std::mem::take(&mut k.send_buffer)).unwrap_or_default();
        for b in buffered {
            self.send_event(s, b.id, b.payload);
        }
        self.drain_queue(now, s, true);
        self.events.push_back(Event::Connect(s));
    }

    /// Delivers a server event, and tracks the recovery offset (the last
    /// string argument) when the session may be recovered.
    fn emit_event(&mut self, s: SocketId, payload: Payload<C>, ack: Option<u64>) {
        let Some(k) = self.sockets.get_mut(s as usize) else { return };
        if k.pid.is_some() && ack.is_none() {
            if let Some(offset) = C::last_string(&payload.data) {
                k.last_offset = Some(offset);
            }
        }
        self.events.push_back(Event::Message { socket: s, payload, ack });
    }

    fn send_event(&mut self, s: SocketId, id: Option<u64>, payload: Payload<C>) {
        let Some(k) = self.sockets.get(s as usize) else { return };
        if k.outgoing_events {
            self.events.push_back(Event::Outgoing { socket: s, payload: payload.clone() });
        }
        let nsp = k.nsp.clone();
        let attachments = payload.attachments.len();
        self.packet(Packet::Event { nsp, id, data: payload.data, attachments }, payload.attachments);
    }

    fn socket_on_close(&mut self, s: SocketId, reason: Reason, detail: CloseDetail) {
        let Some(k) = self.sock_mut(s) else { return };
        k.connected = false;
        k.id = None;
        self.events.push_back(Event::Disconnect(s, reason, detail));
        self.clear_acks(s);
    }

    /// Pending acks of emits that were sent (not buffered) fail: error-first
    /// callbacks hear "socket has been disconnected", plain ones are released.
    fn clear_acks(&mut self, s: SocketId) {
        let Some(k) = self.sockets.get_mut(s as usize) else { return };
        let mut failed = Vec::new();
        // Buffered emits got their ids in order, so this list is sorted.
        let buffered_ids: Vec<u64> = k.send_buffer.iter().filter_map(|b| b.id).collect();
        k.acks.retain(|a| {
            let buffered = buffered_ids.binary_search(&a.id).is_ok();
            if !buffered {
                failed.push((a.target, a.with_error));
            }
            buffered
        });
        for (target, with_error) in failed {
            match target {
                AckTarget::User(token) => self.events.push_back(Event::Ack {
                    socket: s,
                    token,
                    with_error,
                    result: Err(AckError::Disconnected),
                }),
                AckTarget::Queue(seq) => {
                    if with_error {
                        // The socket is disconnected, so nothing is re-sent
                        // now and the time is not used.
                        self.queue_ack(0, s, seq, Err(AckError::Disconnected));
                    }
                }
            }
        }
    }

    /// Leaves the namespace's events; the manager closes when no socket is left.
    fn destroy(&mut self, now: u64, s: SocketId) {
        if let Some(k) = self.sock_mut(s) {
            k.active = false;
        }
        if !self.sockets.iter().any(|k| k.active) {
            self.manager_close(now);
        }
    }

    fn emit_inner(&mut self, now: u64, s: SocketId, e: Emit<C>, from_queue: Option<u64>) {
        let Some(k) = self.sockets.get_mut(s as usize) else { return };
        if k.opts.retries > 0 && from_queue.is_none() && !e.volatile {
            let seq = k.queue_seq;
            k.queue_seq += 1;
            k.queue.push_back(Queued {
                seq,
                payload: e.payload,
                timeout: e.timeout,
                user_ack: e.ack.map(|a| a.token),
                pending: false,
                tries: 0,
            });
            self.drain_queue(now, s, false);
            return;
        }
        let timeout = e.timeout.or(k.opts.ack_timeout);
        let target = match (from_queue, e.ack) {
            (Some(seq), _) => Some((AckTarget::Queue(seq), timeout.is_some())),
            (None, Some(req)) => Some((AckTarget::User(req.token), req.with_error || timeout.is_some())),
            (None, None) => None,
        };
        let id = target.map(|(target, with_error)| {
            let id = k.next_ack;
            k.next_ack += 1;
            let deadline = timeout.map(|t| now.saturating_add(t));
            k.acks.push_back(PendingAck { id, target, with_error, deadline });
            if let Some(at) = deadline {
                self.ack_timers.push(Reverse((at, s, id)));
            }
            id
        });
        let Some(k) = self.sockets.get(s as usize) else { return };
        let writable = self.engine.as_ref().is_some_and(Engine::writable);
        let expired = self.engine.as_mut().is_some_and(|en| en.has_ping_expired(now));
        let connected = k.connected && !expired;
        if e.volatile && !writable {
            // Dropped, as socket.io-client drops volatile packets.
        } else if connected {
            self.send_event(s, id, e.payload);
        } else {
            if let Some(k) = self.sockets.get_mut(s as usize) {
                k.send_buffer.push(Buffered { id, payload: e.payload });
            }
        }
    }

    fn on_ack(&mut self, now: u64, s: SocketId, id: u64, payload: Payload<C>) {
        let Some(k) = self.sockets.get_mut(s as usize) else { return };
        let Ok(i) = k.acks.binary_search_by_key(&id, |a| a.id) else { return };
        let Some(a) = k.acks.remove(i) else { return };
        match a.target {
            AckTarget::User(token) => {
                self.events.push_back(Event::Ack { socket: s, token, with_error: a.with_error, result: Ok(payload) })
            }
            AckTarget::Queue(seq) => self.queue_ack(now, s, seq, Ok(payload)),
        }
    }

    fn ack_timeout(&mut self, s: SocketId, id: u64, at: u64) {
        let Some(k) = self.sock_mut(s) else { return };
        let Ok(i) = k.acks.binary_search_by_key(&id, |a| a.id) else { return };
        if k.acks.get(i).is_none_or(|a| a.deadline != Some(at)) {
            return;
        }
        let Some(a) = k.acks.remove(i) else { return };
        k.send_buffer.retain(|b| b.id != Some(id));
        match a.target {
            AckTarget::User(token) => {
                self.events.push_back(Event::Ack { socket: s, token, with_error: true, result: Err(AckError::Timeout) })
            }
            AckTarget::Queue(seq) => self.queue_ack(at, s, seq, Err(AckError::Timeout)),
        }
    }

    /// The internal acknowledgement of a queued (`retries`) emit.
    fn queue_ack(&mut self, now: u64, s: SocketId, seq: u64, result: Result<Payload<C>, AckError>) {
        let Some(k) = self.sockets.get_mut(s as usize) else { return };
        let Some(head) = k.queue.front_mut() else { return };
        if head.seq != seq {
            return; // already acknowledged
        }
        head.pending = false;
        let done = match &result {
            Ok(_) => true,
            Err(_) => head.tries > k.opts.retries,
        };
        if done {
            if let Some(token) = k.queue.pop_front().and_then(|q| q.user_ack) {
                self.events.push_back(Event::Ack { socket: s, token, with_error: true, result });
            }
        }
        self.drain_queue(now, s, false);
    }

    fn drain_queue(&mut self, now: u64, s: SocketId, force: bool) {
        let Some(k) = self.sockets.get_mut(s as usize) else { return };
        if !k.connected {
            return;
        }
        let Some(head) = k.queue.front_mut() else { return };
        if head.pending && !force {
            return;
        }
        head.pending = true;
        head.tries = head.tries.saturating_add(1);
        let e = Emit { payload: head.payload.clone(), ack: None, volatile: false, timeout: head.timeout };
        let seq = head.seq;
        self.emit_inner(now, s, e, Some(seq));
    }
}

/// The engine's options, from the manager's.
fn engine_config(uri: &ParsedUri, opts: &Options) -> Config {
    Config {
        endpoint: Endpoint::new(uri, &opts.path, opts.add_trailing_slash, &opts.query),
        transports: opts.transports.clone(),
        upgrade: opts.upgrade,
        remember_upgrade: opts.remember_upgrade,
        try_all_transports: opts.try_all_transports,
        timestamp_requests: opts.timestamp_requests,
        timestamp_param: opts.timestamp_param.clone(),
        close_on_beforeunload: opts.close_on_beforeunload,
    }
}
