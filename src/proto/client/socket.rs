//! The namespace sockets: CONNECT with auth and recovery, events in and
//! out, acknowledgements and their timeouts, the retry queue.

use crate::proto::codec::Codec;
use crate::proto::engine::Engine;
use crate::proto::sio::Packet;
use crate::proto::{AckError, Auth, CloseDetail, Emit, Event, Payload, Reason};

use super::*;

impl<C: Codec> Client<C> {
    pub(super) fn socket_connect(&mut self, now: u64, socket_id: SocketId) {
        let Some(socket) = self.sock_mut(socket_id) else { return };
        if socket.connected {
            return;
        }
        socket.active = true;
        if !self.reconnecting {
            self.open_manager(now, OpenCallback::None);
            self.pump(now);
        }
        if self.ready == Ready::Open {
            self.socket_on_open(socket_id);
        }
    }

    pub(super) fn socket_on_open(&mut self, socket_id: SocketId) {
        let Some(socket) = self.sock_mut(socket_id) else { return };
        match &socket.opts.auth {
            Auth::Provider => {
                socket.auth_seq = socket.auth_seq.wrapping_add(1);
                let seq = socket.auth_seq;
                self.events.push_back(Event::AuthRequest { socket: socket_id, seq });
                if let Some(waits) = self.open_trace.as_mut() {
                    *waits += 1;
                }
            }
            Auth::Json(j) => {
                let j = j.clone();
                self.send_connect(socket_id, Some(j));
            }
            Auth::None => self.send_connect(socket_id, None),
        }
    }

    /// Sends CONNECT with the auth object, merged after `pid` and `offset`
    /// when the session may be recovered.
    pub(super) fn send_connect(&mut self, socket_id: SocketId, data: Option<String>) {
        let Some(socket) = self.sock(socket_id) else { return };
        let data = data.filter(|d| C::object(d).is_some());
        let data = match &socket.pid {
            Some(pid) => {
                let mut o = String::from("{\"pid\":");
                o.push_str(&C::quote(pid));
                if let Some(off) = &socket.last_offset {
                    o.push_str(",\"offset\":");
                    o.push_str(&C::quote(off));
                }
                if let Some(d) = &data {
                    let inner = d.trim_ascii();
                    let inner = inner.get(1..inner.len().saturating_sub(1)).unwrap_or("").trim_ascii();
                    if !inner.is_empty() {
                        crate::proto::push_ascii(&mut o, b',');
                        o.push_str(inner);
                    }
                }
                crate::proto::push_ascii(&mut o, b'}');
                Some(o)
            }
            None => data,
        };
        let nsp = socket.nsp.clone();
        self.packet(Packet::Connect { nsp, data }, Vec::new());
    }

    pub(super) fn on_connect(&mut self, now: u64, socket_id: SocketId, sid: String, pid: Option<String>) {
        if !self.session_connected {
            self.session_connected = true;
            self.backoff.reset();
        }
        let Some(socket) = self.sockets.get_mut(socket_id as usize) else { return };
        socket.id = Some(sid);
        socket.recovered = pid.is_some() && socket.pid == pid;
        socket.pid = pid;
        socket.connected = true;
        // Events received before the connection, then emits made while offline.
        for (payload, id) in std::mem::take(&mut socket.receive_buffer) {
            self.emit_event(socket_id, payload, id);
        }
        let buffered = self
            .sockets
            .get_mut(socket_id as usize)
            .map(|socket| std::mem::take(&mut socket.send_buffer))
            .unwrap_or_default();
        for b in buffered {
            self.send_event(socket_id, b.id, b.payload);
        }
        self.drain_queue(now, socket_id, true);
        self.events.push_back(Event::Connect(socket_id));
    }

    /// Delivers a server event, and tracks the recovery offset (the last
    /// string argument) when the session may be recovered.
    pub(super) fn emit_event(&mut self, socket_id: SocketId, payload: Payload<C>, ack: Option<u64>) {
        let Some(socket) = self.sockets.get_mut(socket_id as usize) else { return };
        if socket.pid.is_some() && ack.is_none() {
            if let Some(offset) = C::last_string(&payload.data) {
                socket.last_offset = Some(offset);
            }
        }
        self.events.push_back(Event::Message { socket: socket_id, payload, ack });
    }

    pub(super) fn send_event(&mut self, socket_id: SocketId, id: Option<u64>, payload: Payload<C>) {
        let Some(socket) = self.sockets.get(socket_id as usize) else { return };
        if crate::proto::JS_EVENTS && socket.outgoing_events {
            self.events.push_back(Event::Outgoing { socket: socket_id, payload: payload.clone() });
        }
        let nsp = socket.nsp.clone();
        let attachments = payload.attachments.len();
        self.packet(Packet::Event { nsp, id, data: payload.data, attachments }, payload.attachments);
    }

    pub(super) fn socket_on_close(&mut self, socket_id: SocketId, reason: Reason, detail: CloseDetail) {
        let Some(socket) = self.sock_mut(socket_id) else { return };
        socket.connected = false;
        socket.id = None;
        self.events.push_back(Event::Disconnect(socket_id, reason, detail));
        self.clear_acks(socket_id);
    }

    /// Pending acks of emits that were sent (not buffered) fail: error-first
    /// callbacks hear "socket has been disconnected", plain ones are released.
    pub(super) fn clear_acks(&mut self, socket_id: SocketId) {
        let Some(socket) = self.sockets.get_mut(socket_id as usize) else { return };
        let mut failed = Vec::new();
        // Buffered emits got their ids in order, so this list is sorted.
        let mut buffered_ids = Vec::new();
        for b in &socket.send_buffer {
            if let Some(id) = b.id {
                buffered_ids.push(id);
            }
        }
        socket.acks.retain(|a| {
            let buffered = buffered_ids.binary_search(&a.id).is_ok();
            if !buffered {
                failed.push((a.target, a.with_error));
            }
            buffered
        });
        for (target, with_error) in failed {
            match target {
                AckTarget::User(token) => self.events.push_back(Event::Ack {
                    socket: socket_id,
                    token,
                    with_error,
                    result: Err(AckError::Disconnected),
                }),
                AckTarget::Queue(seq) => {
                    if with_error {
                        // The socket is disconnected, so nothing is re-sent
                        // now and the time is not used.
                        self.queue_ack(0, socket_id, seq, Err(AckError::Disconnected));
                    }
                }
            }
        }
    }

    /// Leaves the namespace's events; the manager closes when no socket is left.
    pub(super) fn destroy(&mut self, now: u64, socket_id: SocketId) {
        if let Some(socket) = self.sock_mut(socket_id) {
            socket.active = false;
        }
        if !self.sockets.iter().any(|socket| socket.active) {
            self.manager_close(now);
        }
    }

    pub(super) fn emit_inner(&mut self, now: u64, socket_id: SocketId, e: Emit<C>, from_queue: Option<u64>) {
        let Some(socket) = self.sockets.get_mut(socket_id as usize) else { return };
        if socket.opts.retries > 0 && from_queue.is_none() && !e.volatile {
            let seq = socket.queue_seq;
            socket.queue_seq += 1;
            socket.queue.push_back(Queued {
                seq,
                payload: e.payload,
                timeout: e.timeout,
                user_ack: e.ack.map(|a| a.token),
                pending: false,
                tries: 0,
            });
            self.drain_queue(now, socket_id, false);
            return;
        }
        let timeout = e.timeout.or(socket.opts.ack_timeout);
        let target = match (from_queue, e.ack) {
            (Some(seq), _) => Some((AckTarget::Queue(seq), timeout.is_some())),
            (None, Some(req)) => Some((AckTarget::User(req.token), req.with_error || timeout.is_some())),
            (None, None) => None,
        };
        let id = target.map(|(target, with_error)| {
            let id = socket.next_ack;
            socket.next_ack += 1;
            let deadline = timeout.map(|t| now.saturating_add(t));
            socket.acks.push(PendingAck { id, target, with_error, deadline });
            if let Some(at) = deadline {
                self.ack_timers.insert((at, socket_id, id));
            }
            id
        });
        let Some(socket) = self.sockets.get(socket_id as usize) else { return };
        let writable = self.engine.as_ref().is_some_and(Engine::writable);
        let expired = self.engine.as_mut().is_some_and(|en| en.has_ping_expired(now));
        let connected = socket.connected && !expired;
        if e.volatile && !writable {
            // Dropped, as socket.io-client drops volatile packets.
        } else if connected {
            self.send_event(socket_id, id, e.payload);
        } else {
            if let Some(socket) = self.sockets.get_mut(socket_id as usize) {
                socket.send_buffer.push(Buffered { id, payload: e.payload });
            }
        }
    }

    pub(super) fn on_ack(&mut self, now: u64, socket_id: SocketId, id: u64, payload: Payload<C>) {
        let Some(socket) = self.sockets.get_mut(socket_id as usize) else { return };
        let Some(a) = socket.acks.take(id) else { return };
        match a.target {
            AckTarget::User(token) => self.events.push_back(Event::Ack {
                socket: socket_id,
                token,
                with_error: a.with_error,
                result: Ok(payload),
            }),
            AckTarget::Queue(seq) => self.queue_ack(now, socket_id, seq, Ok(payload)),
        }
    }

    pub(super) fn ack_timeout(&mut self, socket_id: SocketId, id: u64, at: u64) {
        let Some(socket) = self.sock_mut(socket_id) else { return };
        if socket.acks.find(id).is_none_or(|a| a.deadline != Some(at)) {
            return;
        }
        let Some(a) = socket.acks.take(id) else { return };
        socket.send_buffer.retain(|b| b.id != Some(id));
        match a.target {
            AckTarget::User(token) => self.events.push_back(Event::Ack {
                socket: socket_id,
                token,
                with_error: true,
                result: Err(AckError::Timeout),
            }),
            AckTarget::Queue(seq) => self.queue_ack(at, socket_id, seq, Err(AckError::Timeout)),
        }
    }

    /// The internal acknowledgement of a queued (`retries`) emit.
    pub(super) fn queue_ack(&mut self, now: u64, socket_id: SocketId, seq: u64, result: Result<Payload<C>, AckError>) {
        let Some(socket) = self.sockets.get_mut(socket_id as usize) else { return };
        let Some(head) = socket.queue.front_mut() else { return };
        if head.seq != seq {
            return; // already acknowledged
        }
        head.pending = false;
        let done = match &result {
            Ok(_) => true,
            Err(_) => head.tries > socket.opts.retries,
        };
        if done {
            if let Some(token) = socket.queue.pop_front().and_then(|q| q.user_ack) {
                self.events.push_back(Event::Ack { socket: socket_id, token, with_error: true, result });
            }
        }
        self.drain_queue(now, socket_id, false);
    }

    pub(super) fn drain_queue(&mut self, now: u64, socket_id: SocketId, force: bool) {
        let Some(socket) = self.sockets.get_mut(socket_id as usize) else { return };
        if !socket.connected {
            return;
        }
        let Some(head) = socket.queue.front_mut() else { return };
        if head.pending && !force {
            return;
        }
        head.pending = true;
        head.tries = head.tries.saturating_add(1);
        let e = Emit { payload: head.payload.clone(), ack: None, volatile: false, timeout: head.timeout };
        let seq = head.seq;
        self.emit_inner(now, socket_id, e, Some(seq));
    }
}
