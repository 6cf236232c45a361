//! What the shell reports: WebSocket and long-polling results, the
//! browser's `offline` and `beforeunload`, and the timers.

use crate::proto::codec::Codec;
use crate::proto::engine::{Engine, Io};
use crate::proto::{CloseDetail, ErrorKind, Event, Frame, HttpError, Reason, TransportId};

use super::*;

impl<C: Codec> Client<C> {
    pub(super) fn route(&mut self, now: u64, id: TransportId, f: impl FnOnce(&mut Engine<C>, &mut Io<'_, C>)) {
        if let Some(e) = self.engine.as_mut().filter(|e| e.owns(id)) {
            f(e, &mut self.engine_io.io());
        } else if let Some(i) = self.retired.iter().position(|e| e.owns(id)) {
            if let Some(e) = self.retired.get_mut(i) {
                f(e, &mut self.engine_io.io());
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
                    &mut self.engine_io.io(),
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
            e.unload(&mut self.engine_io.io());
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
                    e.close(&mut self.engine_io.io());
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
            e.handle_timeout(&mut self.engine_io.io(), now);
            self.pump(now);
        }
        // Only the timers due on entry: a retry re-armed with a zero timeout
        // fires on the next call (the next turn of the event loop), so retries
        // never run back to back inside one call.
        let mut due = Vec::new();
        while let Some((at, socket_id, id)) = self.ack_timers.first() {
            if at > now {
                break;
            }
            self.ack_timers.pop_first();
            due.push((at, socket_id, id));
        }
        for (at, socket_id, id) in due {
            self.ack_timeout(socket_id, id, at);
        }
        self.pump(now);
    }
}
