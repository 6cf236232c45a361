//! The Engine.IO client: one session over a transport, the handshake, the
//! heartbeat, long-polling reads and batched writes, and the upgrade probe.
//! Mirrors engine.io-client's `Socket`; the manager above it reacts to the
//! [`EngineEvent`]s it queues.
//!
//! One piece because the session's state (write buffer, heartbeat, close
//! wait) is one state machine; its transports are in `transport.rs` and the
//! upgrade probe in `probe.rs`.

use std::rc::Rc;

use super::backoff::Rng;
use super::codec::Codec;
use super::eio::{self, OutPacket, Packet};
use super::url::Endpoint;
use super::{
    CloseDetail, EngineTrace, ErrorKind, Frame, HttpError, Reason, Transmit, TransportDetail, TransportId,
    TransportKind,
};

mod probe;
mod transport;

use transport::{detail, Transport, TransportState};
/// What the engine needs from its owner for every call that may do I/O.
pub(crate) struct Io<'a, C: Codec> {
    pub tx: &'a mut super::client::Fifo<Transmit<C>>,
    pub rng: &'a mut Rng,
    pub next_id: &'a mut TransportId,
    /// The last WebSocket connection succeeded (for `rememberUpgrade`).
    pub prior_ws: &'a mut bool,
}

/// Engine options taken from the manager's (shared by the manager and its
/// engines: an attempt does not copy them).
#[derive(Debug)]
pub(crate) struct Config {
    pub endpoint: Endpoint,
    pub transports: Transports,
    pub upgrade: bool,
    pub remember_upgrade: bool,
    pub try_all_transports: bool,
    pub timestamp_requests: Option<bool>,
    pub timestamp_param: String,
    pub close_on_beforeunload: bool,
}

/// The `transports` option as the engine keeps it: an ordered list in one
/// integer, two bits per entry (1 polling, 2 WebSocket), the first entry in
/// the lowest bits. A `Copy` value, so that an attempt copies it and drops
/// the ones it failed with (`tryAllTransports`) without a vector. It holds
/// the first 32 entries of the option; only a list repeating the two kinds
/// more often than that, with `tryAllTransports`, would tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Transports(u64);

impl Transports {
    /// The first 32 entries of `list`, in order.
    pub fn new(list: &[TransportKind]) -> Self {
        let mut bits = 0;
        for (i, kind) in list.iter().take(32).enumerate() {
            bits |= Self::code(*kind) << (2 * i);
        }
        Transports(bits)
    }

    fn code(kind: TransportKind) -> u64 {
        match kind {
            TransportKind::Polling => 1,
            TransportKind::WebSocket => 2,
        }
    }

    /// The first entry.
    pub fn first(self) -> Option<TransportKind> {
        match self.0 & 3 {
            1 => Some(TransportKind::Polling),
            2 => Some(TransportKind::WebSocket),
            _ => None,
        }
    }

    /// More than one entry is left.
    pub fn several(self) -> bool {
        self.0 > 3
    }

    /// The list without its first entry.
    pub fn rest(self) -> Self {
        Transports(self.0 >> 2)
    }

    /// `kind` is in the list.
    pub fn contains(self, kind: TransportKind) -> bool {
        let code = Self::code(kind);
        let mut bits = self.0;
        while bits != 0 {
            if bits & 3 == code {
                return true;
            }
            bits >>= 2;
        }
        false
    }
}

/// Data for the manager.
#[derive(Debug)]
pub(crate) enum Data<C: Codec> {
    /// A message packet, its `4` included.
    Text(C::Text),
    Binary(C::Binary),
}

/// Engine events, in the order engine.io-client emits them.
#[derive(Debug)]
pub(crate) enum EngineEvent<C: Codec> {
    Open,
    Data(Data<C>),
    Ping,
    Error(ErrorKind),
    Close(Reason, CloseDetail),
    Upgrade(TransportKind),
    UpgradeError(ErrorKind),
    /// For the engine's debugging events, in order with the others.
    Trace(EngineTrace<C>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Opening,
    Open,
    Closing,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CloseWait {
    None,
    Drain,
    Upgrade,
}

#[derive(Debug)]
struct Probe {
    transport: Transport,
    /// The probe ping was sent; the next packet decides.
    awaiting_pong: bool,
    /// The pong came; the current transport is pausing.
    pausing: bool,
}

/// One Engine.IO session.
#[derive(Debug)]
pub(crate) struct Engine<C: Codec> {
    cfg: Rc<Config>,
    state: State,
    sid: Option<String>,
    /// What is left of the `transports` option in this session.
    transports: Transports,
    transport: Transport,
    probe: Option<Probe>,
    upgrading: bool,
    write_buffer: Vec<OutPacket<C>>,
    /// Packets handed to the transport and not yet drained.
    in_flight: usize,
    ping_interval: u64,
    ping_timeout: u64,
    max_payload: usize,
    /// When the heartbeat deadline passes (`None`: no timer).
    ping_deadline: Option<u64>,
    /// The deadline of the last reset, kept after the timer stops.
    ping_expires_at: Option<u64>,
    ping_expired: bool,
    /// No transport to open: the error is reported at this time (the next
    /// turn), once the caller has set up its listeners.
    fail_at: Option<u64>,
    close_wait: CloseWait,
    pub events: Vec<EngineEvent<C>>,
    /// Queue [`EngineEvent::Trace`]s (someone listens to the engine).
    pub trace: bool,
}

impl<C: Codec> Engine<C> {
    /// Creates the engine and opens its first transport.
    pub fn open(cfg: Rc<Config>, io: &mut Io<'_, C>, now: u64) -> Self {
        let transports = cfg.transports;
        let mut e = Engine {
            cfg,
            state: State::Closed,
            sid: None,
            transports,
            transport: Transport::placeholder(TransportKind::Polling),
            probe: None,
            upgrading: false,
            write_buffer: Vec::new(),
            in_flight: 0,
            ping_interval: 0,
            ping_timeout: 0,
            max_payload: 0,
            ping_deadline: None,
            ping_expires_at: None,
            ping_expired: false,
            fail_at: None,
            close_wait: CloseWait::None,
            events: Vec::new(),
            trace: false,
        };
        if e.transports.first().is_none() {
            e.fail_at = Some(now);
        } else {
            e.open_first(io);
        }
        e
    }

    fn open_first(&mut self, io: &mut Io<'_, C>) {
        let Some(first) = self.transports.first() else {
            self.events.push(EngineEvent::Error(ErrorKind::NoTransports));
            return;
        };
        let kind = if self.cfg.remember_upgrade && *io.prior_ws && self.transports.contains(TransportKind::WebSocket) {
            TransportKind::WebSocket
        } else {
            first
        };
        self.state = State::Opening;
        let mut t = Transport::new(io, kind);
        t.open(&self.cfg, io, self.sid.as_deref());
        let mut old = std::mem::replace(&mut self.transport, t);
        if old.state != TransportState::Closed {
            old.release(io);
        }
    }

    /// Queues a trace when someone listens.
    pub fn trace(&mut self, t: impl FnOnce() -> EngineTrace<C>) {
        if super::JS_EVENTS && self.trace {
            self.events.push(EngineEvent::Trace(t()));
        }
    }

    // ----- accessors -----

    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    pub fn transport_kind(&self) -> TransportKind {
        self.transport.kind
    }

    pub fn writable(&self) -> bool {
        self.transport.writable
    }

    pub fn owns(&self, id: TransportId) -> bool {
        self.transport.id == id || self.probe.as_ref().is_some_and(|p| p.transport.id == id)
    }

    pub fn next_timeout(&self) -> Option<u64> {
        match (self.ping_deadline, self.fail_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// `_hasPingExpired`: true when the heartbeat deadline passed even though
    /// the timer did not fire (a throttled background tab). The caller closes
    /// the engine with `ping timeout` right after its current work.
    pub fn has_ping_expired(&mut self, now: u64) -> bool {
        if self.ping_expired {
            return true;
        }
        let expired = self.ping_expires_at.is_some_and(|at| now > at);
        if expired {
            self.ping_expired = true;
        }
        expired
    }

    // ----- writes -----

    /// Queues a packet and flushes (dropped once the engine is closing).
    pub fn write(&mut self, io: &mut Io<'_, C>, p: OutPacket<C>) {
        if matches!(self.state, State::Closing | State::Closed) {
            return;
        }
        self.trace(|| EngineTrace::PacketCreate(p.clone()));
        self.write_buffer.push(p);
        self.flush(io);
    }

    fn flush(&mut self, io: &mut Io<'_, C>) {
        if self.state == State::Closed || !self.transport.writable || self.upgrading || self.write_buffer.is_empty() {
            return;
        }
        if self.transport.state != TransportState::Open {
            return;
        }
        let n = match self.transport.kind {
            TransportKind::Polling => eio::batch_len(&self.write_buffer, self.max_payload),
            TransportKind::WebSocket => self.write_buffer.len(),
        };
        // The first `n` handed over as the buffer itself, the rest kept (no
        // iterator over a drain: over WebSocket `n` is all of it).
        let rest = self.write_buffer.split_off(n);
        let packets = std::mem::replace(&mut self.write_buffer, rest);
        self.in_flight = packets.len();
        self.transport.write(&self.cfg, io, self.sid.as_deref(), packets);
        self.trace(|| EngineTrace::Flush(n));
    }

    fn on_drain(&mut self, io: &mut Io<'_, C>) {
        self.in_flight = 0;
        if self.write_buffer.is_empty() {
            self.trace(|| EngineTrace::Drain);
            if self.close_wait == CloseWait::Drain {
                if self.upgrading {
                    self.close_wait = CloseWait::Upgrade;
                } else {
                    self.force_close(io);
                }
            }
        } else {
            self.flush(io);
        }
    }

    // ----- close -----

    /// `close()`: closes once pending writes drained and any upgrade settled.
    pub fn close(&mut self, io: &mut Io<'_, C>) {
        if !matches!(self.state, State::Opening | State::Open) {
            return;
        }
        self.state = State::Closing;
        if !self.write_buffer.is_empty() || self.in_flight > 0 {
            self.close_wait = CloseWait::Drain;
        } else if self.upgrading {
            self.close_wait = CloseWait::Upgrade;
        } else {
            self.force_close(io);
        }
    }

    fn force_close(&mut self, io: &mut Io<'_, C>) {
        self.close_wait = CloseWait::None;
        self.on_close(io, Reason::ForcedClose, CloseDetail::None);
    }

    /// `closeOnBeforeunload`: the page is going away; close the transport
    /// without telling anyone, as the reference client does.
    pub fn unload(&mut self, io: &mut Io<'_, C>) {
        if self.cfg.close_on_beforeunload && self.state != State::Closed {
            self.transport.close(&self.cfg, io, self.sid.as_deref());
        }
    }

    fn on_error(&mut self, io: &mut Io<'_, C>, err: ErrorKind) {
        *io.prior_ws = false;
        if self.cfg.try_all_transports && self.transports.several() && self.state == State::Opening {
            self.transports = self.transports.rest();
            self.open_first(io);
            return;
        }
        self.trace(|| EngineTrace::Error(err.clone()));
        self.events.push(EngineEvent::Error(err.clone()));
        self.on_close(io, Reason::TransportError, CloseDetail::Error(err));
    }

    /// `_onClose`: the session is over.
    pub fn on_close(&mut self, io: &mut Io<'_, C>, reason: Reason, detail: CloseDetail) {
        if self.state == State::Closed {
            return;
        }
        self.ping_deadline = None;
        self.transport.close(&self.cfg, io, self.sid.as_deref());
        self.state = State::Closed;
        self.sid = None;
        self.events.push(EngineEvent::Close(reason, detail));
        self.write_buffer.clear();
        self.in_flight = 0;
        self.close_wait = CloseWait::None;
        if self.probe.is_some() {
            self.fail_probe(io, "probe error: socket closed");
        }
    }

    // ----- received packets -----

    fn on_packet(&mut self, io: &mut Io<'_, C>, now: u64, p: Packet<C>) {
        if self.state == State::Closed {
            return;
        }
        self.trace(|| EngineTrace::Packet(p.clone()));
        match p {
            Packet::Open(data) => self.on_handshake(io, now, &data),
            Packet::Ping => {
                self.write(io, OutPacket::Pong);
                self.trace(|| EngineTrace::Ping);
                self.events.push(EngineEvent::Ping);
                self.reset_ping(now);
            }
            Packet::Message(text) => self.events.push(EngineEvent::Data(Data::Text(text))),
            Packet::Binary(b) => self.events.push(EngineEvent::Data(Data::Binary(b))),
            Packet::Pong { .. } | Packet::Close | Packet::Upgrade | Packet::Noop => {}
        }
    }

    fn on_handshake(&mut self, io: &mut Io<'_, C>, now: u64, data: &str) {
        let handshake = C::object(data);
        let Some((o, sid)) =
            handshake.and_then(|o| C::string_field(&o, "sid").filter(|s| !s.is_empty()).map(|s| (o, s)))
        else {
            self.on_error(io, ErrorKind::ServerError);
            return;
        };
        let num = |k: &str| C::uint_field(&o, k);
        self.ping_interval = num("pingInterval").unwrap_or(0);
        self.ping_timeout = num("pingTimeout").unwrap_or(0);
        self.max_payload = num("maxPayload").map_or(0, |v| usize::try_from(v).unwrap_or(usize::MAX));
        // The one upgrade there can be: the other kind, when the server offers
        // it and the option lists it.
        let other = match self.transport.kind {
            TransportKind::Polling => TransportKind::WebSocket,
            TransportKind::WebSocket => TransportKind::Polling,
        };
        let probe = self.transports.contains(other)
            && C::strings_field(&o, "upgrades").iter().any(|name| name.as_str() == other.name());
        self.sid = Some(sid);
        // onOpen
        self.state = State::Open;
        *io.prior_ws = self.transport.kind == TransportKind::WebSocket;
        self.events.push(EngineEvent::Open);
        self.flush(io);
        if self.state == State::Open && self.cfg.upgrade && probe {
            self.start_probe(io, other);
        }
        if self.state == State::Closed {
            return;
        }
        self.reset_ping(now);
    }

    fn reset_ping(&mut self, now: u64) {
        let at = now.saturating_add(self.ping_interval).saturating_add(self.ping_timeout);
        self.ping_deadline = Some(at);
        self.ping_expires_at = Some(at);
    }

    /// The heartbeat timer, and the report of an engine with no transport.
    pub fn handle_timeout(&mut self, io: &mut Io<'_, C>, now: u64) {
        if self.fail_at.is_some_and(|t| now >= t) {
            self.fail_at = None;
            self.events.push(EngineEvent::Error(ErrorKind::NoTransports));
        }
        if self.ping_deadline.is_some_and(|d| now >= d) {
            self.ping_deadline = None;
            self.on_close(io, Reason::PingTimeout, CloseDetail::None);
        }
    }

    // ----- transport input -----

    /// A WebSocket opened.
    pub fn handle_ws_open(&mut self, io: &mut Io<'_, C>, id: TransportId) {
        if self.transport.id == id && self.transport.state == TransportState::Opening {
            self.transport.state = TransportState::Open;
            self.transport.writable = true;
            return;
        }
        if let Some(probe) = self.probe.as_mut().filter(|p| p.transport.id == id) {
            if probe.transport.state == TransportState::Opening {
                probe.transport.state = TransportState::Open;
                probe.transport.writable = true;
                probe.transport.send_text(io, "2probe");
                probe.awaiting_pong = true;
            }
        }
    }

    /// A WebSocket message.
    pub fn handle_ws_frame(&mut self, io: &mut Io<'_, C>, now: u64, id: TransportId, frame: Frame<C>) {
        if self.transport.id == id {
            if self.transport.kind != TransportKind::WebSocket || self.transport.state == TransportState::Closed {
                return;
            }
            match frame {
                Frame::Binary(b) => self.on_packet(io, now, Packet::Binary(b)),
                Frame::Text(s) => match eio::decode::<C>(s) {
                    Ok(p) => self.on_packet(io, now, p),
                    Err(_) => self.on_error(io, ErrorKind::ServerError),
                },
            }
        } else if self.probe.as_ref().is_some_and(|p| p.transport.id == id) {
            let p = match frame {
                Frame::Text(s) => eio::decode::<C>(s).unwrap_or(Packet::Noop),
                Frame::Binary(_) => Packet::Noop,
            };
            self.on_probe_packet(io, p);
        }
    }

    /// A WebSocket failed.
    pub fn handle_ws_error(&mut self, io: &mut Io<'_, C>, id: TransportId) {
        if self.transport.id == id && self.transport.state != TransportState::Closed {
            self.on_error(io, ErrorKind::Transport { message: "websocket error", detail: TransportDetail::None });
        } else if self.probe.as_ref().is_some_and(|p| p.transport.id == id) {
            self.fail_probe(io, "probe error: Error: websocket error");
        }
    }

    /// A WebSocket closed.
    pub fn handle_ws_close(&mut self, io: &mut Io<'_, C>, id: TransportId, code: u16, reason: String) {
        if self.transport.id == id && self.transport.state != TransportState::Closed {
            self.transport.state = TransportState::Closed;
            self.on_close(io, Reason::TransportClose, CloseDetail::WebSocket { code, reason });
        } else if self.probe.as_ref().is_some_and(|p| p.transport.id == id) {
            if let Some(p) = self.probe.as_mut() {
                p.transport.state = TransportState::Closed;
            }
            self.fail_probe(io, "probe error: transport closed");
        }
    }

    /// Writes handed to a WebSocket have drained.
    pub fn handle_drain(&mut self, io: &mut Io<'_, C>, id: TransportId) {
        if self.transport.id == id && self.transport.state != TransportState::Closed {
            self.transport.writable = true;
            self.on_drain(io);
        } else if let Some(p) = self.probe.as_mut().filter(|p| p.transport.id == id) {
            if p.transport.state == TransportState::Open {
                p.transport.writable = true;
            }
        }
    }

    /// A long-polling GET completed.
    pub fn handle_poll(&mut self, io: &mut Io<'_, C>, now: u64, id: TransportId, result: Result<C::Text, HttpError>) {
        if self.transport.id != id || self.transport.kind != TransportKind::Polling || !self.transport.polling {
            return;
        }
        let body = match result {
            Ok(body) => body,
            Err(e) => {
                self.transport.polling = false;
                self.on_error(io, ErrorKind::Transport { message: "xhr poll error", detail: detail(e) });
                return;
            }
        };
        let (packets, error) = eio::decode_payload::<C>(body);
        for p in packets {
            if self.transport.id != id || self.state == State::Closed {
                break;
            }
            if self.transport.state == TransportState::Opening && matches!(p, Packet::Open(_)) {
                self.transport.state = TransportState::Open;
                self.transport.writable = true;
            }
            if matches!(p, Packet::Close) {
                self.transport.state = TransportState::Closed;
                self.transport.polling = false;
                self.on_close(io, Reason::TransportClose, CloseDetail::Described("transport closed by the server"));
                return;
            }
            self.on_packet(io, now, p);
        }
        if error.is_some() && self.transport.id == id && self.state != State::Closed {
            self.on_error(io, ErrorKind::ServerError);
        }
        if self.transport.id != id || self.transport.state == TransportState::Closed {
            return;
        }
        self.transport.polling = false;
        if self.transport.state == TransportState::Pausing {
            self.transport.wait_poll = false;
            self.check_paused(io);
        } else if self.transport.state == TransportState::Open {
            self.transport.poll(&self.cfg, io, self.sid.as_deref());
        }
    }

    /// A long-polling POST completed.
    pub fn handle_post(&mut self, io: &mut Io<'_, C>, id: TransportId, result: Result<(), HttpError>) {
        if self.transport.id != id || self.transport.kind != TransportKind::Polling {
            return;
        }
        if self.transport.state == TransportState::Closed {
            return;
        }
        if let Err(e) = result {
            self.on_error(io, ErrorKind::Transport { message: "xhr post error", detail: detail(e) });
            return;
        }
        self.transport.writable = true;
        if self.transport.state == TransportState::Pausing {
            self.transport.wait_drain = false;
            // The drain reaches the engine before the pause completes.
            self.on_drain(io);
            self.check_paused(io);
        } else {
            self.on_drain(io);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{TransportKind, Transports};
    use TransportKind::{Polling, WebSocket};

    /// The entries of `t`, first to last.
    fn entries(mut t: Transports) -> Vec<TransportKind> {
        let mut out = Vec::new();
        while let Some(kind) = t.first() {
            out.push(kind);
            t = t.rest();
        }
        out
    }

    #[test]
    fn keeps_the_order_and_the_repeats() {
        for list in [vec![], vec![Polling], vec![WebSocket, Polling], vec![Polling, WebSocket, WebSocket, Polling]] {
            let t = Transports::new(&list);
            assert_eq!(entries(t), list);
            assert_eq!(t.several(), list.len() > 1);
            assert_eq!(t.contains(Polling), list.contains(&Polling), "{list:?}");
            assert_eq!(t.contains(WebSocket), list.contains(&WebSocket), "{list:?}");
        }
        assert!(!Transports::new(&[WebSocket]).rest().contains(WebSocket));
        assert!(Transports::new(&[Polling, WebSocket]).rest().contains(WebSocket));
    }

    #[test]
    fn holds_the_first_32_entries() {
        let mut list = vec![WebSocket; 31];
        list.push(Polling);
        list.push(Polling);
        assert_eq!(entries(Transports::new(&list)), list[..32]);
        list.truncate(32);
        assert!(!Transports::new(&list[..31]).contains(Polling));
    }
}
