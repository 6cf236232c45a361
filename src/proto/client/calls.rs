//! What the user asks of the manager and of its namespace sockets: open,
//! close, the reconnection setters, socket creation, connect, emit, ack.

use crate::proto::codec::Codec;
use crate::proto::engine::Engine;
use crate::proto::sio::Packet;
use crate::proto::{Auth, CloseDetail, Emit, EmitError, Options, Payload, Reason, SocketOptions, TransportKind};

use super::*;

impl<C: Codec> Client<C> {
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
            e.close(&mut self.engine_io.io());
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
        self.cfg = Rc::new(engine_config(&self.uri, &opts));
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
    /// A wasm build without the `js` feature ignores this.
    pub fn set_packet_events(&mut self, on: bool) {
        self.packet_events = on;
    }

    /// Emit [`Event::Engine`] traces (for the engine's debugging events and
    /// the debug log). A wasm build without the `js` feature (a Rust app)
    /// has no trace code and ignores this.
    pub fn set_engine_events(&mut self, on: bool) {
        self.engine_events = on;
        if let Some(e) = self.engine.as_mut() {
            e.trace = on;
        }
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

    /// `manager.socket(nsp, opts)`: the socket of a namespace, created on first
    /// use (with `auto_connect` it connects; an existing inactive socket
    /// reconnects).
    pub fn socket(&mut self, now: u64, nsp: &str, opts: SocketOptions) -> SocketId {
        let existed = self.sockets.iter().any(|socket| socket.nsp == nsp);
        let id = self.add_socket(nsp, opts);
        if self.opts.auto_connect && !(existed && self.is_active(id)) {
            self.connect(now, id);
        }
        id
    }

    /// The socket of a namespace, created if needed, without connecting it
    /// (the caller connects it; for shells that must register the socket first).
    pub fn add_socket(&mut self, nsp: &str, opts: SocketOptions) -> SocketId {
        if let Some(i) = self.sockets.iter().position(|socket| socket.nsp == nsp) {
            return i as SocketId;
        }
        self.sockets.push(NamespaceSocket {
            nsp: nsp.to_owned(),
            opts,
            active: false,
            connected: false,
            id: None,
            pid: None,
            last_offset: None,
            recovered: false,
            next_ack: 0,
            acks: AckList::default(),
            send_buffer: Vec::new(),
            receive_buffer: Vec::new(),
            queue: Fifo::default(),
            queue_seq: 0,
            auth_seq: 0,
            outgoing_events: false,
        });
        (self.sockets.len() - 1) as SocketId
    }

    pub(super) fn sock(&self, socket_id: SocketId) -> Option<&NamespaceSocket<C>> {
        self.sockets.get(socket_id as usize)
    }

    pub(super) fn sock_mut(&mut self, socket_id: SocketId) -> Option<&mut NamespaceSocket<C>> {
        self.sockets.get_mut(socket_id as usize)
    }

    /// The namespace of a socket.
    pub fn socket_nsp(&self, socket_id: SocketId) -> Option<&str> {
        self.sock(socket_id).map(|socket| socket.nsp.as_str())
    }

    /// `socket.connected`.
    pub fn is_connected(&self, socket_id: SocketId) -> bool {
        self.sock(socket_id).is_some_and(|socket| socket.connected)
    }

    /// `socket.active`: connected, or trying to (the socket will reconnect).
    pub fn is_active(&self, socket_id: SocketId) -> bool {
        self.sock(socket_id).is_some_and(|socket| socket.active)
    }

    /// `socket.id`.
    pub fn socket_sid(&self, socket_id: SocketId) -> Option<&str> {
        self.sock(socket_id).and_then(|socket| socket.id.as_deref())
    }

    /// `socket.recovered`: the last connection restored the session.
    pub fn is_recovered(&self, socket_id: SocketId) -> bool {
        self.sock(socket_id).is_some_and(|socket| socket.recovered)
    }

    /// `socket.auth = ..`: used from the next connect on.
    pub fn set_auth(&mut self, socket_id: SocketId, auth: Auth) {
        if let Some(socket) = self.sock_mut(socket_id) {
            socket.opts.auth = auth;
        }
    }

    /// Emit [`Event::Outgoing`] for this socket's sent events (for `onAnyOutgoing`).
    /// A wasm build without the `js` feature ignores this.
    pub fn set_outgoing_events(&mut self, socket_id: SocketId, on: bool) {
        if let Some(socket) = self.sock_mut(socket_id) {
            socket.outgoing_events = on;
        }
    }

    /// `socket.sendBuffer`: emits waiting for a connection, with their ack ids.
    pub fn send_buffer(&self, socket_id: SocketId) -> impl ExactSizeIterator<Item = (Option<u64>, &Payload<C>)> {
        self.sock(socket_id).map_or(&[][..], |socket| &socket.send_buffer[..]).iter().map(|b| (b.id, &b.payload))
    }

    /// `socket.sendBuffer = []`: drops the buffered emits (their acks time out
    /// or fail on disconnect as usual).
    pub fn clear_send_buffer(&mut self, socket_id: SocketId) {
        if let Some(socket) = self.sock_mut(socket_id) {
            socket.send_buffer.clear();
        }
    }

    /// `socket.receiveBuffer`: events received before the socket connected.
    pub fn receive_buffer(&self, socket_id: SocketId) -> impl ExactSizeIterator<Item = &Payload<C>> {
        self.sock(socket_id).map_or(&[][..], |socket| &socket.receive_buffer[..]).iter().map(|(p, _)| p)
    }

    /// `socket.connect()`.
    pub fn connect(&mut self, now: u64, socket_id: SocketId) {
        self.socket_connect(now, socket_id);
        self.after_user_action(now);
        self.pump(now);
    }

    /// `socket.disconnect()`.
    pub fn disconnect(&mut self, now: u64, socket_id: SocketId) {
        let Some(socket) = self.sock(socket_id) else { return };
        let was_connected = socket.connected;
        if was_connected {
            let nsp = socket.nsp.clone();
            self.packet(Packet::Disconnect { nsp }, Vec::new());
        }
        self.destroy(now, socket_id);
        if was_connected {
            self.socket_on_close(socket_id, Reason::IoClientDisconnect, CloseDetail::None);
        }
        self.pump(now);
    }

    /// `socket.emit(..)`. A reserved event name is refused, as by socket.io-client.
    pub fn emit(&mut self, now: u64, socket_id: SocketId, e: Emit<C>) -> Result<(), EmitError> {
        if self.sock(socket_id).is_none() {
            return Err(EmitError::UnknownSocket);
        }
        C::check_emit(&e.payload.data)?;
        self.emit_inner(now, socket_id, e, None);
        self.after_user_action(now);
        self.pump(now);
        Ok(())
    }

    /// Answers the server's event `ack_id` (the ack function of a received event).
    pub fn ack(&mut self, now: u64, socket_id: SocketId, ack_id: u64, payload: Payload<C>) {
        let Some(socket) = self.sock(socket_id) else { return };
        let nsp = socket.nsp.clone();
        let attachments = payload.attachments.len();
        self.packet(Packet::Ack { nsp, id: Some(ack_id), data: payload.data, attachments }, payload.attachments);
        self.after_user_action(now);
        self.pump(now);
    }

    /// The answer to [`Event::AuthRequest`]: `data` is a JSON object or nothing.
    pub fn handle_auth(&mut self, now: u64, socket_id: SocketId, seq: u32, data: Option<String>) {
        if self.sock(socket_id).is_some_and(|socket| socket.auth_seq == seq) {
            self.send_connect(socket_id, data);
            self.open_trace_after(1);
        }
        self.pump(now);
    }
}
