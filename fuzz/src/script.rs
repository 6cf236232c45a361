//! The operations of a `client_frames` script: [`Sim::op`] runs one line.

use socketio_wasm::proto::{AckRequest, Auth, Emit, Frame, HttpError, Payload, SocketId, SocketOptions, TransportId};

use super::sim::Sim;
use super::{text, user_text};

fn digits(b: &[u8]) -> Option<u64> {
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return None;
    }
    Some(b[..n].iter().fold(0u64, |v, d| v.saturating_mul(10).saturating_add(u64::from(d - b'0'))))
}

impl Sim {
    /// A WebSocket chosen by an optional leading digit (0 = newest), else
    /// the newest open one.
    fn pick_ws(&self, rest: &[u8]) -> Option<TransportId> {
        match rest.first() {
            Some(d @ b'0'..=b'9') if !self.ws.is_empty() => {
                Some(self.ws[self.ws.len() - 1 - usize::from(d - b'0') % self.ws.len()])
            }
            _ => self.last_open_ws(),
        }
    }

    fn socket_at(&self, b: Option<&u8>) -> SocketId {
        self.sockets[b.map_or(0, |&b| usize::from(b)) % self.sockets.len()]
    }

    /// Runs one operation line (see [`client_frames`](super::client_frames)).
    pub fn op(&mut self, line: &[u8]) {
        let Some((&op, rest)) = line.split_first() else { return };
        let now = self.now;
        let rest_text = || text(rest);
        match op {
            b'S' => self.server(&rest_text()),
            // The server accepts a (re)connection: the handshake again.
            b'Y' => {
                // Let the reconnection timer fire first if the client waits on it.
                for _ in 0..3 {
                    if self.c.is_open()
                        || !self.gets.is_empty()
                        || self.ws.iter().any(|id| !self.ws_opened.contains(id))
                    {
                        break;
                    }
                    self.op(b"t");
                }
                self.handshake(self.cfg);
            }
            b'w' => {
                if let Some(id) = self.last_open_ws() {
                    self.c.handle_ws_frame(now, id, Frame::Text(rest_text()));
                }
            }
            b'W' => {
                if let Some(id) = self.pick_ws(rest) {
                    self.c.handle_ws_frame(now, id, Frame::Text(text(rest.get(1..).unwrap_or_default())));
                }
            }
            b'b' => {
                if let Some(id) = self.last_open_ws() {
                    self.c.handle_ws_frame(now, id, Frame::Binary(rest.to_vec()));
                }
            }
            b'o' => match rest.first() {
                Some(b'0'..=b'9') => {
                    if let Some(id) = self.pick_ws(rest) {
                        self.ws_opened.insert(id);
                        self.c.handle_ws_open(now, id);
                    }
                }
                _ => self.open_ws(),
            },
            b'x' => {
                if let Some(id) = self.pick_ws(rest) {
                    self.c.handle_ws_error(now, id);
                }
            }
            b'c' => {
                if let Some(id) = self.pick_ws(rest) {
                    let code = digits(rest.get(1..).unwrap_or_default()).map_or(1006, |c| c as u16);
                    self.ws_closed.insert(id);
                    self.c.handle_ws_close(now, id, code, rest_text());
                }
            }
            b'g' => {
                if let Some(id) = self.gets.pop_front() {
                    self.c.handle_poll(now, id, Ok(rest_text()));
                }
            }
            b'G' => {
                if let Some(id) = self.gets.pop_front() {
                    let e = match digits(rest) {
                        Some(n) => HttpError::Status(n as u16),
                        None => HttpError::Network(rest_text()),
                    };
                    self.c.handle_poll(now, id, Err(e));
                }
            }
            // Input for an explicit transport id (stale, retired, or never
            // issued): the client must drop what is not for its transports.
            b'j' => {
                let n = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                let id = digits(rest).unwrap_or(0) as TransportId;
                self.c.handle_poll(now, id, Ok(text(&rest[n..])));
            }
            b'q' => {
                let id = digits(rest).unwrap_or(0) as TransportId;
                self.c.handle_post(now, id, Ok(()));
            }
            b'p' => {
                if let Some(id) = self.posts.pop_front() {
                    self.c.handle_post(now, id, Ok(()));
                }
            }
            b'P' => {
                if let Some(id) = self.posts.pop_front() {
                    self.c.handle_post(now, id, Err(HttpError::Status(digits(rest).unwrap_or(400) as u16)));
                }
            }
            b'h' => self.hold_drains = !self.hold_drains,
            b'H' => self.hold_auth = !self.hold_auth,
            b'd' => {
                if let Some(id) = self.drains.pop_front() {
                    self.c.handle_drain(now, id);
                }
            }
            b't' => {
                self.now = match digits(rest) {
                    // At most ~11 days a step: a real clock never nears u64::MAX.
                    Some(n) => self.now + n.min(1_000_000_000),
                    // The server's pingInterval may push a deadline to u64::MAX;
                    // a shell's timer cannot wait that long either.
                    None => self.now.max(self.c.poll_timeout().unwrap_or(self.now).min(self.now + 1_000_000_000)),
                };
                self.c.handle_timeout(self.now);
                self.settle();
                // Timers due now must not stay due: a shell would spin.
                let mut rounds = 0;
                while self.c.poll_timeout().is_some_and(|t| t <= self.now) {
                    rounds += 1;
                    assert!(rounds < 64, "poll_timeout stays at {:?} <= now {}", self.c.poll_timeout(), self.now);
                    self.c.handle_timeout(self.now);
                    self.settle();
                }
            }
            b'a' => self.now += digits(rest).unwrap_or(1000).min(1_000_000_000),
            b'e' => {
                let f = rest.first().copied().unwrap_or(0);
                let s = self.socket_at(Some(&(f & 3)));
                let data = match rest.get(1..) {
                    Some(d) if !d.is_empty() => user_text(d),
                    _ => "[\"ev\",1]".into(),
                };
                let ack = (f & 4 != 0).then(|| {
                    let token = self.next_token;
                    self.next_token += 1;
                    AckRequest { token, with_error: f & 8 != 0 }
                });
                let attachments = (0..f >> 6).map(|i| vec![i; usize::from(i) * 3]).collect();
                let e = Emit {
                    payload: Payload { data, attachments },
                    ack,
                    volatile: f & 0x10 != 0,
                    timeout: (f & 0x20 != 0).then_some(500),
                };
                if self.c.emit(now, s, e).is_ok() {
                    if let Some(a) = ack {
                        self.live_tokens.insert(a.token);
                    }
                }
            }
            b'r' => {
                if let Some((s, id)) = self.server_acks.pop_front() {
                    let data = if rest.is_empty() { "[]".into() } else { user_text(rest) };
                    self.c.ack(now, s, id, Payload { data, attachments: Vec::new() });
                }
            }
            b'R' => {
                let s = self.socket_at(None);
                self.c.ack(
                    now,
                    s,
                    digits(rest).unwrap_or(0),
                    Payload { data: "[1]".into(), attachments: vec![vec![7]] },
                );
            }
            b'n' if self.sockets.len() < 8 => {
                let s = self.c.socket(now, &user_text(rest), SocketOptions::default());
                if !self.sockets.contains(&s) {
                    self.sockets.push(s);
                }
            }
            b'k' => {
                let s = self.socket_at(rest.first());
                self.c.connect(now, s);
            }
            b'K' => {
                let s = self.socket_at(rest.first());
                self.c.disconnect(now, s);
            }
            b'A' => {
                if let Some((s, seq)) = self.auth.take() {
                    self.c.handle_auth(now, s, seq, (!rest.is_empty()).then(|| user_text(rest)));
                }
            }
            b'm' => self.c.open(now, digits(rest).map(|t| t as u32)),
            b'M' => self.c.close(now),
            b'z' => self.c.close_engine(now),
            b'f' => self.c.handle_offline(now),
            b'u' => self.c.handle_beforeunload(now),
            b's' => {
                let v = digits(rest.get(1..).unwrap_or_default()).unwrap_or(0);
                match rest.first().copied().unwrap_or(0) % 10 {
                    0 => self.c.set_reconnection(v % 2 == 1),
                    1 => self.c.set_reconnection_attempts(v.min(u64::from(u32::MAX)) as u32),
                    2 => self.c.set_reconnection_delay(v.max(1)),
                    3 => self.c.set_reconnection_delay_max(v.max(1)),
                    4 => self.c.set_randomization_factor(v as f64 / 100.0),
                    5 => self.c.set_timeout((v > 0).then_some(v)),
                    6 => self.c.set_packet_events(v % 2 == 1),
                    7 => {
                        let s = self.socket_at(None);
                        self.c.set_outgoing_events(s, v % 2 == 1);
                    }
                    8 => {
                        let s = self.socket_at(None);
                        let auth = match v % 3 {
                            0 => Auth::None,
                            1 => Auth::Provider,
                            _ => Auth::Json(user_text(rest.get(1..).unwrap_or_default())),
                        };
                        self.c.set_auth(s, auth);
                    }
                    _ => {
                        let s = self.socket_at(None);
                        self.c.clear_send_buffer(s);
                    }
                }
            }
            _ => {}
        }
        self.settle();
    }
}
