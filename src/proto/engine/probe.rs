//! The upgrade: probing a WebSocket while long-polling carries the session,
//! pausing the old transport, switching.

use crate::proto::codec::Codec;
use crate::proto::eio::Packet;
use crate::proto::{EngineTrace, ErrorKind, TransportKind};

use super::*;

impl<C: Codec> Engine<C> {
    pub(super) fn start_probe(&mut self, io: &mut Io<'_, C>, kind: TransportKind) {
        if self.probe.is_some() {
            return;
        }
        *io.prior_ws = false;
        let mut t = Transport::new(io, kind);
        t.open(&self.cfg, io, self.sid.as_deref());
        self.probe = Some(Probe { transport: t, awaiting_pong: false, pausing: false });
    }

    pub(super) fn fail_probe(&mut self, io: &mut Io<'_, C>, message: &'static str) {
        if let Some(mut p) = self.probe.take() {
            p.transport.close(&self.cfg, io, self.sid.as_deref());
            if p.pausing {
                // The current transport was pausing for this probe: resume it.
                self.upgrading = false;
                self.resume_after_failed_pause(io);
            }
            self.events.push(EngineEvent::UpgradeError(ErrorKind::Probe(message)));
            if self.close_wait == CloseWait::Upgrade {
                self.force_close(io);
            }
        }
    }

    pub(super) fn resume_after_failed_pause(&mut self, io: &mut Io<'_, C>) {
        let t = &mut self.transport;
        if self.state != State::Closed && matches!(t.state, TransportState::Pausing | TransportState::Paused) {
            t.state = TransportState::Open;
            t.wait_poll = false;
            t.wait_drain = false;
            if !t.polling {
                t.poll(&self.cfg, io, self.sid.as_deref());
            }
            self.flush(io);
        }
    }

    pub(super) fn on_probe_packet(&mut self, io: &mut Io<'_, C>, p: Packet<C>) {
        let Some(probe) = self.probe.as_mut() else { return };
        if !probe.awaiting_pong {
            return;
        }
        probe.awaiting_pong = false;
        if !matches!(p, Packet::Pong { probe: true }) {
            self.fail_probe(io, "probe error");
            return;
        }
        probe.pausing = true;
        self.upgrading = true;
        let kind = probe.transport.kind;
        *io.prior_ws = kind == TransportKind::WebSocket;
        self.trace(|| EngineTrace::Upgrading(kind));
        // Pause the current transport: wait for the GET in flight and the POST.
        let t = &mut self.transport;
        t.state = TransportState::Pausing;
        t.wait_poll = t.kind == TransportKind::Polling && t.polling;
        t.wait_drain = !t.writable;
        if t.pause_done() {
            t.state = TransportState::Paused;
            self.complete_upgrade(io);
        }
    }

    /// The old transport is paused: switch, send the upgrade packet, flush.
    pub(super) fn complete_upgrade(&mut self, io: &mut Io<'_, C>) {
        if self.state == State::Closed {
            return;
        }
        let Some(probe) = self.probe.take() else { return };
        let mut old = std::mem::replace(&mut self.transport, probe.transport);
        old.release(io);
        self.transport.send_text(io, "5");
        self.events.push(EngineEvent::Upgrade(self.transport.kind));
        self.upgrading = false;
        self.flush(io);
        if self.close_wait == CloseWait::Upgrade {
            self.force_close(io);
        }
    }

    pub(super) fn check_paused(&mut self, io: &mut Io<'_, C>) {
        let t = &mut self.transport;
        if t.state == TransportState::Pausing && t.pause_done() {
            t.state = TransportState::Paused;
            self.complete_upgrade(io);
        }
    }
}
