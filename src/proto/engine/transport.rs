//! One transport of the engine: a WebSocket or a long-polling session, its
//! requests and writes, and its pause during an upgrade.

use crate::proto::codec::Codec;
use crate::proto::eio::{self, OutPacket};
use crate::proto::{Frame, HttpError, Transmit, TransportDetail, TransportId, TransportKind};

use super::{Config, Io};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TransportState {
    Opening,
    Open,
    Pausing,
    Paused,
    Closed,
}

#[derive(Debug)]
pub(super) struct Transport {
    pub(super) id: TransportId,
    pub(super) kind: TransportKind,
    pub(super) state: TransportState,
    pub(super) writable: bool,
    /// A long-polling GET is in flight.
    pub(super) polling: bool,
    /// While pausing: still waiting for the GET / for the POST.
    pub(super) wait_poll: bool,
    pub(super) wait_drain: bool,
}

impl Transport {
    pub(super) fn new<C: Codec>(io: &mut Io<'_, C>, kind: TransportKind) -> Self {
        *io.next_id = io.next_id.wrapping_add(1);
        Transport { id: *io.next_id, ..Transport::placeholder(kind) }
    }

    /// A transport that never opened (id 0 matches no input).
    pub(super) fn placeholder(kind: TransportKind) -> Self {
        Transport {
            id: 0,
            kind,
            state: TransportState::Closed,
            writable: false,
            polling: false,
            wait_poll: false,
            wait_drain: false,
        }
    }

    pub(super) fn url<C: Codec>(&self, cfg: &Config, io: &mut Io<'_, C>, sid: Option<&str>) -> String {
        let ws = self.kind == TransportKind::WebSocket;
        let stamp = if ws { cfg.timestamp_requests == Some(true) } else { cfg.timestamp_requests != Some(false) };
        let token = if stamp { Some(io.rng.token(8)) } else { None };
        cfg.endpoint.url(ws, sid, token.as_deref().map(|t| (cfg.timestamp_param.as_str(), t)))
    }

    pub(super) fn open<C: Codec>(&mut self, cfg: &Config, io: &mut Io<'_, C>, sid: Option<&str>) {
        self.state = TransportState::Opening;
        let url = self.url(cfg, io, sid);
        match self.kind {
            TransportKind::WebSocket => io.tx.push_back(Transmit::WsOpen { id: self.id, url }),
            TransportKind::Polling => {
                self.polling = true;
                io.tx.push_back(Transmit::Get { id: self.id, url });
            }
        }
    }

    pub(super) fn poll<C: Codec>(&mut self, cfg: &Config, io: &mut Io<'_, C>, sid: Option<&str>) {
        self.polling = true;
        let url = self.url(cfg, io, sid);
        io.tx.push_back(Transmit::Get { id: self.id, url });
    }

    /// Writes packets; the transport is not writable until they drain.
    pub(super) fn write<C: Codec>(
        &mut self,
        cfg: &Config,
        io: &mut Io<'_, C>,
        sid: Option<&str>,
        packets: Vec<OutPacket<C>>,
    ) {
        self.writable = false;
        match self.kind {
            TransportKind::WebSocket => {
                for p in packets {
                    let frame = match p {
                        OutPacket::Pong => Frame::Text(C::text("3".into())),
                        OutPacket::Message(s) => Frame::Text(s),
                        OutPacket::Binary(b) => Frame::Binary(b),
                    };
                    io.tx.push_back(Transmit::WsSend { id: self.id, frame });
                }
                io.tx.push_back(Transmit::Drain { id: self.id });
            }
            TransportKind::Polling => {
                let body = eio::encode_payload(packets);
                let url = self.url(cfg, io, sid);
                io.tx.push_back(Transmit::Post { id: self.id, url, body });
            }
        }
    }

    /// Sends a control frame straight on a WebSocket (probe, upgrade).
    pub(super) fn send_text<C: Codec>(&mut self, io: &mut Io<'_, C>, text: &str) {
        if self.state == TransportState::Open {
            self.writable = false;
            io.tx.push_back(Transmit::WsSend { id: self.id, frame: Frame::Text(C::text(text.into())) });
            io.tx.push_back(Transmit::Drain { id: self.id });
        }
    }

    /// Closes the transport; a long-polling transport that is open tells the
    /// server with a close packet first.
    pub(super) fn close<C: Codec>(&mut self, cfg: &Config, io: &mut Io<'_, C>, sid: Option<&str>) {
        match self.kind {
            TransportKind::WebSocket => {
                if self.state != TransportState::Closed {
                    io.tx.push_back(Transmit::WsClose { id: self.id });
                }
            }
            TransportKind::Polling => {
                if self.state == TransportState::Open {
                    let url = self.url(cfg, io, sid);
                    io.tx.push_back(Transmit::Post { id: self.id, url, body: C::text("1".into()) });
                }
                if self.state != TransportState::Closed || self.polling {
                    io.tx.push_back(Transmit::Abort { id: self.id });
                }
            }
        }
        self.state = TransportState::Closed;
        self.polling = false;
    }

    /// Drops a transport that was replaced without a close (the shell may free it).
    pub(super) fn release<C: Codec>(&mut self, io: &mut Io<'_, C>) {
        match self.kind {
            TransportKind::WebSocket => io.tx.push_back(Transmit::WsClose { id: self.id }),
            TransportKind::Polling => io.tx.push_back(Transmit::Abort { id: self.id }),
        }
        self.state = TransportState::Closed;
    }

    pub(super) fn pause_done(&self) -> bool {
        !self.wait_poll && !self.wait_drain
    }
}

pub(super) fn detail(e: HttpError) -> TransportDetail {
    match e {
        HttpError::Status(s) => TransportDetail::Status(s),
        HttpError::Network(m) => TransportDetail::Network(m),
    }
}
