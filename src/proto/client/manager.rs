//! The manager's own state machine: opening an engine, reacting to its
//! events, closing, reconnecting with backoff, routing decoded packets.

use crate::proto::codec::Codec;
use crate::proto::eio::OutPacket;
use crate::proto::engine::{Data, Engine, EngineEvent};
use crate::proto::sio::{self, Packet};
use crate::proto::{CloseDetail, EngineTrace, ErrorKind, Event, Payload, Reason};

use super::*;

impl<C: Codec> Client<C> {
    pub(super) fn open_manager(&mut self, now: u64, cb: OpenCallback) {
        if self.ready != Ready::Closed {
            return;
        }
        if let Some(old) = self.engine.take() {
            if !old.is_closed() {
                self.retired.push(old);
            }
        }
        let mut engine = Engine::open(self.cfg.clone(), &mut self.engine_io.io(), now);
        engine.trace = self.engine_events;
        self.engine = Some(engine);
        self.ready = Ready::Opening;
        self.skip_reconnect = false;
        self.listen = Listen::Opening;
        self.open_callback = cb;
        self.open_deadline = self.opts.timeout.map(|t| now.saturating_add(t));
        self.events.push_back(Event::Opening);
    }

    /// `cleanup()`: stop listening to the engine, clear the manager's timers.
    pub(super) fn cleanup(&mut self) {
        self.listen = Listen::None;
        self.open_deadline = None;
        self.reconnect_at = None;
        self.attempt_announced = false;
        self.decoder.reset();
    }

    /// Processes the engine's queued events; events queued meanwhile come
    /// after the ones already waiting, first in first out.
    pub(super) fn pump(&mut self, now: u64) {
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
    pub(super) fn prune_ack_timers(&mut self) {
        while let Some((at, socket_id, id)) = self.ack_timers.first() {
            let live =
                self.sock(socket_id).is_some_and(|socket| socket.acks.find(id).is_some_and(|a| a.deadline == Some(at)));
            if live {
                break;
            }
            self.ack_timers.pop_first();
        }
    }

    pub(super) fn on_engine_event(&mut self, now: u64, ev: EngineEvent<C>) {
        match ev {
            EngineEvent::Open => {
                self.open_trace = Some(0);
                if self.listen == Listen::Opening {
                    self.on_open();
                }
                self.open_trace_after(0);
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
            EngineEvent::Trace(t) => self.events.push_back(Event::Engine(t)),
        }
    }

    /// `answered` auth payloads came: queues the engine's `open` trace once
    /// none is awaited.
    pub(super) fn open_trace_after(&mut self, answered: u32) {
        let Some(waits) = self.open_trace else { return };
        let waits = waits.saturating_sub(answered);
        if waits > 0 {
            self.open_trace = Some(waits);
            return;
        }
        self.open_trace = None;
        if let Some(e) = self.engine.as_mut() {
            e.trace(|| EngineTrace::Open);
        }
    }

    pub(super) fn on_open(&mut self) {
        self.cleanup();
        self.session_connected = false;
        self.ready = Ready::Open;
        self.events.push_back(Event::Open);
        self.listen = Listen::Open;
        for socket_id in 0..self.sockets.len() as SocketId {
            if self.sockets.get(socket_id as usize).is_some_and(|socket| socket.active) {
                self.socket_on_open(socket_id);
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
    pub(super) fn on_open_error(&mut self, now: u64, err: ErrorKind) {
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
    pub(super) fn on_error(&mut self, err: ErrorKind) {
        self.events.push_back(Event::Error(err.clone()));
        for (i, socket) in self.sockets.iter().enumerate() {
            if socket.active && !socket.connected {
                self.events.push_back(Event::ConnectError(i as SocketId, err.clone()));
            }
        }
    }

    pub(super) fn on_close(&mut self, now: u64, reason: Reason, detail: CloseDetail) {
        self.cleanup();
        if let Some(e) = self.engine.as_mut() {
            e.close(&mut self.engine_io.io());
        }
        if std::mem::take(&mut self.session_connected) {
            self.backoff.reset();
        }
        self.ready = Ready::Closed;
        self.events.push_back(Event::Close(reason, detail.clone()));
        for socket_id in 0..self.sockets.len() as SocketId {
            if self.sockets.get(socket_id as usize).is_some_and(|socket| socket.active) {
                self.socket_on_close(socket_id, reason, detail.clone());
            }
        }
        if self.opts.reconnection && !self.skip_reconnect {
            self.reconnect(now);
        }
    }

    pub(super) fn manager_close(&mut self, now: u64) {
        self.skip_reconnect = true;
        self.reconnecting = false;
        self.on_close(now, Reason::ForcedClose, CloseDetail::None);
    }

    pub(super) fn reconnect(&mut self, now: u64) {
        if self.reconnecting || self.skip_reconnect {
            return;
        }
        if self.backoff.attempts >= self.opts.reconnection_attempts {
            self.backoff.reset();
            self.events.push_back(Event::ReconnectFailed);
            self.reconnecting = false;
        } else {
            let delay = self.backoff.duration(&mut self.engine_io.rng);
            self.reconnecting = true;
            self.reconnect_at = Some(now.saturating_add(delay));
            if crate::proto::JS_EVENTS && self.engine_events {
                self.events.push_back(Event::Engine(EngineTrace::ReconnectDelay(delay)));
            }
        }
    }

    pub(super) fn on_data(&mut self, now: u64, d: Data<C>) {
        let r = match d {
            Data::Text(socket_id) => self.decoder.add_text(&socket_id),
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

    pub(super) fn on_decoded(&mut self, now: u64, packet: Packet<C::Args>, attachments: Vec<C::Binary>) {
        // The sockets see the packet before `packet` listeners do, as in
        // socket.io-client (the sockets subscribe first).
        let copy = (crate::proto::JS_EVENTS && self.packet_events)
            .then(|| Event::Packet { packet: packet.clone(), attachments: attachments.clone() });
        self.route_packet(now, packet, attachments);
        if let Some(ev) = copy {
            self.events.push_back(ev);
        }
    }

    pub(super) fn route_packet(&mut self, now: u64, packet: Packet<C::Args>, attachments: Vec<C::Binary>) {
        let nsp = match &packet {
            Packet::Connect { nsp, .. }
            | Packet::Disconnect { nsp }
            | Packet::Event { nsp, .. }
            | Packet::Ack { nsp, .. }
            | Packet::ConnectError { nsp, .. } => nsp,
        };
        let Some(socket_id) = self.sockets.iter().position(|socket| socket.active && &socket.nsp == nsp) else {
            return;
        };
        let socket_id = socket_id as SocketId;
        match packet {
            Packet::Connect { data, .. } => {
                let data = data.unwrap_or_default();
                let o = C::object(&data);
                let sid = o.as_ref().and_then(|o| C::string_field(o, "sid")).filter(|text| !text.is_empty());
                match sid {
                    Some(sid) => {
                        let pid = o.as_ref().and_then(|o| C::string_field(o, "pid"));
                        self.on_connect(now, socket_id, sid, pid);
                    }
                    None => self.events.push_back(Event::ConnectError(socket_id, ErrorKind::IncompatibleServer)),
                }
            }
            Packet::Event { id, data, .. } => {
                let payload = Payload { data, attachments };
                match self.sockets.get_mut(socket_id as usize) {
                    Some(socket) if !socket.connected => socket.receive_buffer.push((payload, id)),
                    Some(_) => self.emit_event(socket_id, payload, id),
                    None => {}
                }
            }
            Packet::Ack { id: Some(id), data, .. } => self.on_ack(now, socket_id, id, Payload { data, attachments }),
            Packet::Ack { id: None, .. } => {}
            Packet::Disconnect { .. } => {
                self.destroy(now, socket_id);
                self.socket_on_close(socket_id, Reason::IoServerDisconnect, CloseDetail::None);
            }
            Packet::ConnectError { data, .. } => {
                self.destroy(now, socket_id);
                let (message, extra) = if data.starts_with("\"") {
                    (C::json_string(&data).unwrap_or_default(), None)
                } else {
                    let o = C::object(&data);
                    let field = |key| o.as_ref().and_then(|o| C::string_field(o, key));
                    (field("message").unwrap_or_default(), o.as_ref().and_then(|o| C::json_field(o, "data")))
                };
                self.events
                    .push_back(Event::ConnectError(socket_id, ErrorKind::ConnectRefused { message, data: extra }));
            }
        }
    }

    /// Encodes a packet and writes it (dropped when no engine can take it).
    pub(super) fn packet(&mut self, p: Packet<C::Args>, attachments: Vec<C::Binary>) {
        let Some(e) = self.engine.as_mut() else { return };
        let mut io = self.engine_io.io();
        e.write(&mut io, OutPacket::Message(sio::encode::<C>(&p)));
        for a in attachments {
            e.write(&mut io, OutPacket::Binary(a));
        }
    }

    /// Closes the engine with `ping timeout` when a user action notices that
    /// the heartbeat deadline passed while timers were throttled.
    pub(super) fn after_user_action(&mut self, now: u64) {
        if let Some(e) = self.engine.as_mut() {
            if !e.is_closed() && e.has_ping_expired(now) {
                e.on_close(&mut self.engine_io.io(), Reason::PingTimeout, CloseDetail::None);
            }
        }
    }
}
