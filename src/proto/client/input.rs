//! What the shell reports: WebSocket and long-polling results, the
//! browser's `offline` and `beforeunload`, and the timers.

use crate::proto::codec::Codec;
use crate::proto::{CloseDetail, ErrorKind, Event, Frame, HttpError, Reason, TransportId};

use super::*;

/// What the shell reports about one transport.
pub(crate) enum EngineInput<C: Codec> {
    WsOpen,
    WsFrame(Frame<C>),
    WsError,
    WsClose(u16, String),
    Drain,
    Poll(Result<C::Text, HttpError>),
    Post(Result<(), HttpError>),
}

/// One input of the shell as a value: what the `handle_*` methods take. The
/// browser shell hands every callback's input over as one of these (and keeps
/// those that come while it is busy in a list of them), so that it has one
/// entry into the core, not one closure type per input.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) enum Input<C: Codec> {
    Transport(TransportId, EngineInput<C>),
    Offline,
    Unload,
    Timeout,
}

impl<C: Codec> Client<C> {
    /// Feeds one [`Input`] (as the matching `handle_*` method does).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn handle(&mut self, now: u64, input: Input<C>) {
        match input {
            Input::Transport(id, input) => self.route(now, id, input),
            Input::Offline => self.handle_offline(now),
            Input::Unload => self.handle_beforeunload(now),
            Input::Timeout => self.handle_timeout(now),
        }
    }

    /// Hands an input to the engine that owns transport `id` (the current
    /// one or a retired one still closing), then runs the client's reaction.
    /// One function for every kind of input, not one per closure: the lookup
    /// is compiled once.
    fn route(&mut self, now: u64, id: TransportId, input: EngineInput<C>) {
        // `None`: the current engine; `Some(i)`: the retired one at `i`.
        let owner = if self.engine.as_ref().is_some_and(|e| e.owns(id)) {
            Some(None)
        } else {
            self.retired.iter().position(|e| e.owns(id)).map(Some)
        };
        let retired = owner.flatten();
        let engine = match owner {
            Some(None) => self.engine.as_mut(),
            Some(Some(i)) => self.retired.get_mut(i),
            None => None,
        };
        if let Some(e) = engine {
            let io = &mut self.engine_io.io();
            match input {
                EngineInput::WsOpen => e.handle_ws_open(io, id),
                EngineInput::WsFrame(frame) => e.handle_ws_frame(io, now, id, frame),
                EngineInput::WsError => e.handle_ws_error(io, id),
                EngineInput::WsClose(code, reason) => e.handle_ws_close(io, id, code, reason),
                EngineInput::Drain => e.handle_drain(io, id),
                EngineInput::Poll(result) => e.handle_poll(io, now, id, result),
                EngineInput::Post(result) => e.handle_post(io, id, result),
            }
            if let Some(i) = retired {
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
        self.route(now, id, EngineInput::WsOpen);
    }

    /// A WebSocket message arrived.
    pub fn handle_ws_frame(&mut self, now: u64, id: TransportId, frame: Frame<C>) {
        self.route(now, id, EngineInput::WsFrame(frame));
    }

    /// A WebSocket reported an error (its close follows).
    pub fn handle_ws_error(&mut self, now: u64, id: TransportId) {
        self.route(now, id, EngineInput::WsError);
    }

    /// A WebSocket closed.
    pub fn handle_ws_close(&mut self, now: u64, id: TransportId, code: u16, reason: String) {
        self.route(now, id, EngineInput::WsClose(code, reason));
    }

    /// The microtask requested by [`Transmit::Drain`] ran.
    pub fn handle_drain(&mut self, now: u64, id: TransportId) {
        self.route(now, id, EngineInput::Drain);
    }

    /// A long-polling GET completed with its body, or failed.
    pub fn handle_poll(&mut self, now: u64, id: TransportId, result: Result<C::Text, HttpError>) {
        self.route(now, id, EngineInput::Poll(result));
    }

    /// A long-polling POST completed, or failed.
    pub fn handle_post(&mut self, now: u64, id: TransportId, result: Result<(), HttpError>) {
        self.route(now, id, EngineInput::Post(result));
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

#[cfg(test)]
mod tests {
    use super::{EngineInput, Input};
    use crate::proto::url::parse;
    use crate::proto::{Client, Event, Frame, Options, TextCodec, Transmit, TransportId};

    type C = Client<TextCodec>;

    /// What `c` asks for and reports, drained.
    fn outputs(c: &mut C) -> (Vec<Transmit>, Vec<Event>) {
        (std::iter::from_fn(|| c.poll_transmit()).collect(), std::iter::from_fn(|| c.poll_event()).collect())
    }

    /// The transport of the last transmit of a kind, as `pick` reads it.
    fn id(out: &[Transmit], pick: impl Fn(&Transmit) -> Option<TransportId>) -> TransportId {
        out.iter().rev().find_map(pick).expect("no such transmit")
    }

    #[test]
    fn one_input_value_does_what_its_method_does() {
        let uri = parse("http://example.com");
        let opts = Options { close_on_beforeunload: true, ..Options::default() };
        let (mut a, mut b) = (C::new(&uri, opts.clone(), 7, 0), C::new(&uri, opts, 7, 0));
        let mut seen = Vec::new();
        let mut step = |a: &mut C, b: &mut C, by_method: &dyn Fn(&mut C), input: Input<TextCodec>, now: u64| {
            by_method(a);
            b.handle(now, input);
            let out = outputs(a);
            assert_eq!(out, outputs(b));
            seen.push(out.clone());
            out
        };
        let start = outputs(&mut a);
        assert_eq!(start, outputs(&mut b));
        let get = id(&start.0, |t| if let Transmit::Get { id, .. } = t { Some(*id) } else { None });
        let open =
            "0{\"sid\":\"s\",\"upgrades\":[\"websocket\"],\"pingInterval\":100,\"pingTimeout\":50,\"maxPayload\":1000}";
        let out = step(
            &mut a,
            &mut b,
            &|c| c.handle_poll(1, get, Ok(open.into())),
            Input::Transport(get, EngineInput::Poll(Ok(open.into()))),
            1,
        );
        assert!(out.1.contains(&Event::Open), "{out:?}");
        let ws = id(&out.0, |t| if let Transmit::WsOpen { id, .. } = t { Some(*id) } else { None });
        step(&mut a, &mut b, &|c| c.handle_ws_open(2, ws), Input::Transport(ws, EngineInput::WsOpen), 2);
        let probe = Frame::Text("3probe".into());
        let f = probe.clone();
        step(
            &mut a,
            &mut b,
            &move |c| c.handle_ws_frame(3, ws, f.clone()),
            Input::Transport(ws, EngineInput::WsFrame(probe)),
            3,
        );
        step(&mut a, &mut b, &|c| c.handle_drain(4, ws), Input::Transport(ws, EngineInput::Drain), 4);
        step(&mut a, &mut b, &|c| c.handle_post(5, get, Ok(())), Input::Transport(get, EngineInput::Post(Ok(()))), 5);
        step(&mut a, &mut b, &|c| c.handle_beforeunload(6), Input::Unload, 6);
        step(&mut a, &mut b, &|c| c.handle_ws_error(7, ws), Input::Transport(ws, EngineInput::WsError), 7);
        step(
            &mut a,
            &mut b,
            &|c| c.handle_ws_close(8, ws, 1006, String::new()),
            Input::Transport(ws, EngineInput::WsClose(1006, String::new())),
            8,
        );
        step(&mut a, &mut b, &|c| c.handle_offline(9), Input::Offline, 9);
        step(&mut a, &mut b, &|c| c.handle_timeout(60_000), Input::Timeout, 60_000);
        assert!(seen.iter().any(|(_, ev)| ev.iter().any(|e| matches!(e, Event::Close(..)))), "{seen:?}");
        assert!(seen.iter().any(|(_, ev)| ev.iter().any(|e| matches!(e, Event::ReconnectAttempt(_)))), "{seen:?}");
    }
}
