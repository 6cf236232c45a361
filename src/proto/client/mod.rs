//! The Socket.IO client: socket.io-client's `Manager` (one engine session,
//! reconnection with backoff, namespace multiplexing) and its namespace
//! `Socket`s (connect with auth, acknowledgements, buffers, retries,
//! connection state recovery), as one sans-IO state machine.

use std::rc::Rc;

use super::backoff::{Backoff, Rng};
use super::codec::{Codec, TextCodec};
use super::engine::{Config, Engine, Io, Transports};
use super::sio::Decoder;
use super::url::{Endpoint, ParsedUri};
use super::{Event, Options, Payload, SocketOptions, Transmit, TransportId};
use deadlines::Deadlines;

mod acks;
mod calls;
mod deadlines;
mod fifo;
mod input;
mod manager;
mod socket;

use acks::AckList;
pub(crate) use fifo::Fifo;
#[cfg(target_arch = "wasm32")]
pub(crate) use input::{EngineInput, Input};

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

#[derive(Debug, Clone, Copy)]
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
struct NamespaceSocket<C: Codec> {
    nsp: String,
    opts: SocketOptions,
    active: bool,
    connected: bool,
    id: Option<String>,
    pid: Option<String>,
    last_offset: Option<String>,
    recovered: bool,
    next_ack: u64,
    acks: AckList,
    send_buffer: Vec<Buffered<C>>,
    receive_buffer: Vec<(Payload<C>, Option<u64>)>,
    queue: Fifo<Queued<C>>,
    queue_seq: u64,
    auth_seq: u32,
    outgoing_events: bool,
}

/// The I/O resources the engine borrows.
#[derive(Debug)]
struct EngineIo<C: Codec> {
    tx: Fifo<Transmit<C>>,
    rng: Rng,
    next_id: TransportId,
    prior_ws: bool,
}

impl<C: Codec> EngineIo<C> {
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
    cfg: Rc<Config>,
    uri: ParsedUri,
    engine_io: EngineIo<C>,
    events: Fifo<Event<C>>,
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
    sockets: Vec<NamespaceSocket<C>>,
    /// The ack deadlines, earliest first.
    ack_timers: Deadlines,
    packet_events: bool,
    /// Queue [`Event::Engine`] traces.
    engine_events: bool,
    /// The engine's `open` trace waits for this many auth payloads: the
    /// reference announces it after the manager's listeners wrote their CONNECT.
    open_trace: Option<u32>,
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
        let cfg = Rc::new(engine_config(uri, &opts));
        let backoff = Backoff::new(opts.reconnection_delay, opts.reconnection_delay_max, opts.randomization_factor);
        let mut c = Client {
            uri: uri.clone(),
            cfg,
            engine_io: EngineIo { tx: Fifo::default(), rng: Rng::new(seed), next_id: 0, prior_ws: false },
            events: Fifo::default(),
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
            ack_timers: Deadlines::default(),
            packet_events: false,
            engine_events: false,
            open_trace: None,
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
        self.engine_io.tx.pop_front()
    }

    /// The next event for the user. Drain after every call into the client.
    pub fn poll_event(&mut self) -> Option<Event<C>> {
        self.events.pop_front()
    }

    /// When [`Client::handle_timeout`] must be called next, if ever. Read
    /// after draining the other outputs.
    pub fn poll_timeout(&self) -> Option<u64> {
        let engine = self.engine.as_ref().and_then(Engine::next_timeout);
        let ack = self.ack_timers.first().map(|(at, _, _)| at);
        [self.open_deadline, self.reconnect_at, engine, ack].into_iter().flatten().min()
    }
}

/// The engine's options, from the manager's.
fn engine_config(uri: &ParsedUri, opts: &Options) -> Config {
    Config {
        endpoint: Endpoint::new(uri, &opts.path, opts.add_trailing_slash, &opts.query),
        transports: Transports::new(&opts.transports),
        upgrade: opts.upgrade,
        remember_upgrade: opts.remember_upgrade,
        try_all_transports: opts.try_all_transports,
        timestamp_requests: opts.timestamp_requests,
        timestamp_param: opts.timestamp_param.clone(),
        close_on_beforeunload: opts.close_on_beforeunload,
    }
}
