//! [`Hub`]: the connection of a shared manager, run by the tab that owns it,
//! and the tabs attached to it.
//!
//! - Server events and the lifecycle events go to every tab attached to the
//!   namespace; the manager's reconnection events to every attached tab.
//! - Acknowledgements go to the tab that asked (the hub renumbers the
//!   tokens); a server event that wants an answer is answered by the first
//!   tab that answers.
//! - The auth payload of each connection attempt is asked of the
//!   longest-attached tab of the namespace.
//! - The first tab to define a namespace gives the socket its `retries` and
//!   `ack_timeout`; each tab's emits carry their own timeout.
//! - A tab is gone when its `BYE` arrives or the hub is granted its lock:
//!   its acknowledgements are forgotten and its namespaces released. A
//!   namespace no tab wants disconnects; the connection closes with the
//!   last one.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::wire::*;
use super::{tab_lock, Lock};
use crate::proto::{
    url::ParsedUri, AckError, AckRequest, Auth, Emit, ErrorKind, Event, Options, Payload, SocketId, SocketOptions,
};
use crate::web::{Driver, HttpOptions};
use wasm_bindgen::JsValue;

/// A tab attached to the hub.
struct Attached {
    id: u32,
    /// Tab socket → the connection's socket.
    sockets: Vec<Option<SocketId>>,
    /// The connection's sockets this tab wants connected, in order.
    want: Vec<SocketId>,
    /// Messages read from the tab since its `HELLO`.
    read: u32,
    /// The tab's lock, asked for: granted when the tab is gone.
    _watch: Option<Lock>,
}

impl Attached {
    /// The tab's socket for the connection's `socket`.
    fn local(&self, socket: SocketId) -> Option<SocketId> {
        self.sockets.iter().position(|s| *s == Some(socket)).map(|i| i as SocketId)
    }
}

/// The connection and the tabs it serves.
pub(super) struct Hub {
    /// The id of the tab that runs the hub.
    me: u32,
    weak: Weak<Hub>,
    driver: RefCell<Option<Driver>>,
    post: Box<dyn Fn(u32, JsValue)>,
    tabs: RefCell<Vec<Attached>>,
    /// Pending acknowledgements: hub token → (tab, tab socket, tab token).
    acks: RefCell<Vec<(u32, u32, SocketId, u32)>>,
    next_token: Cell<u32>,
    /// Server events waiting for an answer: (socket, ack id).
    awaiting: RefCell<Vec<(SocketId, u64)>>,
    /// Auth requests: (socket, seq, tab asked).
    auth: RefCell<Vec<(SocketId, u32, u32)>>,
}

impl Hub {
    pub(super) fn new(
        me: u32,
        uri: &ParsedUri,
        mut opts: Options,
        http: HttpOptions,
        post: impl Fn(u32, JsValue) + 'static,
    ) -> Rc<Hub> {
        // The connection opens when a tab connects a socket.
        opts.auto_connect = false;
        let hub = Rc::new_cyclic(|weak: &Weak<Hub>| Hub {
            me,
            weak: weak.clone(),
            driver: RefCell::new(None),
            post: Box::new(post),
            tabs: RefCell::new(Vec::new()),
            acks: RefCell::new(Vec::new()),
            next_token: Cell::new(0),
            awaiting: RefCell::new(Vec::new()),
            auth: RefCell::new(Vec::new()),
        });
        let weak = hub.weak.clone();
        let driver = Driver::new(uri, opts, http, move |event| {
            if let Some(hub) = weak.upgrade() {
                hub.event(event);
            }
        });
        *hub.driver.borrow_mut() = Some(driver);
        hub
    }

    fn driver(&self) -> Option<Driver> {
        self.driver.borrow().clone()
    }

    fn out(&self, to: u32, kind: u32) -> Out {
        Out::new(TO_TAB, self.me, to, kind)
    }

    fn send(&self, out: Out, to: u32) {
        (self.post)(to, out.done());
    }

    /// What tab `tab` reads of the connection: see `wire.rs`.
    fn snapshot(&self, tab: u32) -> JsValue {
        let tabs = self.tabs.borrow();
        let Some(t) = tabs.iter().find(|t| t.id == tab) else { return JsValue::UNDEFINED };
        let states = js_sys::Array::new();
        let transport = self.driver().and_then(|driver| {
            driver.read(|client| {
                for socket in &t.sockets {
                    let state = js_sys::Array::new();
                    let wanted = socket.filter(|s| t.want.contains(s));
                    let sid = wanted.and_then(|s| client.socket_sid(s)).map_or(JsValue::UNDEFINED, JsValue::from_str);
                    let bits = wanted.map_or(0, |s| {
                        u32::from(client.is_connected(s)) * CONNECTED_BIT
                            + u32::from(client.is_active(s)) * ACTIVE_BIT
                            + u32::from(client.is_recovered(s)) * RECOVERED_BIT
                    });
                    state.push(&sid);
                    state.push(&bits.into());
                    states.push(&state);
                }
                client.transport().map_or("", |t| t.name())
            })
        });
        let snapshot = js_sys::Array::new();
        snapshot.push(&t.read.into());
        snapshot.push(&transport.unwrap_or("").into());
        snapshot.push(&states);
        snapshot.into()
    }

    /// The tabs that want `socket`, with their socket for it, in attach order.
    fn wanting(&self, socket: SocketId) -> Vec<(u32, SocketId)> {
        self.tabs
            .borrow()
            .iter()
            .filter(|t| t.want.contains(&socket))
            .filter_map(|t| Some((t.id, t.local(socket)?)))
            .collect()
    }

    /// An event of the connection.
    fn event(&self, event: Event) {
        match event {
            Event::Message { socket, payload, ack } => {
                if let Some(id) = ack {
                    self.awaiting.borrow_mut().push((socket, id));
                }
                for (tab, local) in self.wanting(socket) {
                    let out = self.out(tab, MESSAGE).num(f64::from(local)).payload(&payload);
                    self.send(out.num(or_minus_one(ack)), tab);
                }
            }
            Event::Ack { token, result, .. } => {
                let entry = {
                    let mut acks = self.acks.borrow_mut();
                    acks.iter().position(|a| a.0 == token).map(|i| acks.swap_remove(i))
                };
                if let Some((_, tab, local, tab_token)) = entry {
                    self.ack(tab, local, tab_token, &result);
                }
            }
            Event::Connect(socket) => {
                for (tab, local) in self.wanting(socket) {
                    self.send(self.out(tab, CONNECTED).num(f64::from(local)).value(&self.snapshot(tab)), tab);
                }
            }
            Event::Disconnect(socket, reason, _) => {
                self.awaiting.borrow_mut().retain(|(s, _)| *s != socket);
                for (tab, local) in self.wanting(socket) {
                    let out = self.out(tab, DISCONNECTED).num(f64::from(local)).text(reason.as_str());
                    self.send(out.value(&self.snapshot(tab)), tab);
                }
            }
            Event::ConnectError(socket, error) => {
                let (refused, data) = match &error {
                    ErrorKind::ConnectRefused { data, .. } => (1.0, data.as_deref()),
                    _ => (0.0, None),
                };
                for (tab, local) in self.wanting(socket) {
                    let out = self.out(tab, CONNECT_ERROR).num(f64::from(local)).num(refused);
                    let out = out.text(error.message()).opt_text(data).value(&self.snapshot(tab));
                    self.send(out, tab);
                }
            }
            Event::ReconnectAttempt(n) => self.to_attached(RECONNECT_ATTEMPT, Some(n)),
            Event::Reconnect(n) => self.to_attached(RECONNECT, Some(n)),
            Event::ReconnectFailed => self.to_attached(RECONNECT_FAILED, None),
            Event::AuthRequest { socket, seq } => {
                self.auth.borrow_mut().retain(|(s, _, _)| *s != socket);
                self.auth.borrow_mut().push((socket, seq, 0));
                self.ask(socket);
            }
            _ => {}
        }
    }

    fn ack(&self, tab: u32, local: SocketId, token: u32, result: &Result<Payload, AckError>) {
        let out = self.out(tab, ACKED).num(f64::from(local)).num(f64::from(token));
        let out = match result {
            Ok(payload) => out.num(f64::from(ACK_OK)).payload(payload),
            Err(AckError::Timeout) => out.num(f64::from(ACK_TIMEOUT)),
            Err(AckError::Disconnected) => out.num(f64::from(ACK_DISCONNECTED)),
        };
        self.send(out, tab);
    }

    /// A manager event, to every tab that wants a socket.
    fn to_attached(&self, kind: u32, n: Option<u32>) {
        let tabs: Vec<u32> = self.tabs.borrow().iter().filter(|t| !t.want.is_empty()).map(|t| t.id).collect();
        for tab in tabs {
            let mut out = self.out(tab, kind);
            if let Some(n) = n {
                out = out.num(f64::from(n));
            }
            self.send(out.value(&self.snapshot(tab)), tab);
        }
    }

    /// Asks the longest-attached tab of `socket` for its auth payload; with
    /// none, the socket connects without one.
    fn ask(&self, socket: SocketId) {
        let Some(seq) = self.auth.borrow().iter().find(|a| a.0 == socket).map(|a| a.1) else { return };
        match self.wanting(socket).first() {
            Some(&(tab, local)) => {
                for entry in self.auth.borrow_mut().iter_mut().filter(|a| a.0 == socket) {
                    entry.2 = tab;
                }
                self.send(self.out(tab, ASK_AUTH).num(f64::from(local)).num(f64::from(seq)), tab);
            }
            None => {
                self.auth.borrow_mut().retain(|a| a.0 != socket);
                if let Some(driver) = self.driver() {
                    driver.call(|client, now| client.handle_auth(now, socket, seq, None));
                }
            }
        }
    }

    /// A message from a tab.
    pub(super) fn receive(&self, m: &In) {
        let from = m.u32(1);
        let kind = m.u32(3);
        if kind == HELLO {
            self.hello(from);
        } else if let Some(t) = self.tabs.borrow_mut().iter_mut().find(|t| t.id == from) {
            t.read = t.read.wrapping_add(1);
        } else {
            // Not attached (it spoke to a hub before this one): it attaches
            // when it hears of this hub.
            return;
        }
        let Some(driver) = self.driver() else { return };
        let local = m.u32(4);
        let socket = self
            .tabs
            .borrow()
            .iter()
            .find(|t| t.id == from)
            .and_then(|t| t.sockets.get(local as usize).copied().flatten());
        match (kind, socket) {
            (HELLO, _) => self.send(self.out(from, STATE).value(&self.snapshot(from)), from),
            (SOCKET, _) => {
                let Some(nsp) = m.text(5) else { return };
                // A tab numbers its sockets 0, 1, 2...: a definition is of a
                // known one or of the next; any other number is ignored (no
                // table grown to what a message says).
                let known = self.tabs.borrow().iter().find(|t| t.id == from).map_or(0, |t| t.sockets.len());
                if local as usize > known {
                    return;
                }
                let opts = SocketOptions { auth: Auth::Provider, retries: m.u32(6), ack_timeout: m.opt_u64(7) };
                let Some(socket) = driver.call(|client, _| client.add_socket(&nsp, opts)) else { return };
                if let Some(t) = self.tabs.borrow_mut().iter_mut().find(|t| t.id == from) {
                    match t.sockets.get_mut(local as usize) {
                        Some(slot) => *slot = Some(socket),
                        None => t.sockets.push(Some(socket)),
                    }
                }
            }
            (CONNECT, Some(socket)) => {
                let added = self.tabs.borrow_mut().iter_mut().find(|t| t.id == from).is_some_and(|t| {
                    let added = !t.want.contains(&socket);
                    if added {
                        t.want.push(socket);
                    }
                    added
                });
                let (connected, active) =
                    driver.read(|client| (client.is_connected(socket), client.is_active(socket))).unwrap_or_default();
                if connected && added {
                    // Already connected for other tabs: this one sees it at once.
                    let out = self.out(from, CONNECTED).num(f64::from(local)).value(&self.snapshot(from));
                    self.send(out, from);
                } else if !active {
                    // (Connecting already: this tab sees the outcome with the others;
                    // a second connect would send a second CONNECT.)
                    driver.call(|client, now| client.connect(now, socket));
                }
                self.state(from);
            }
            (DISCONNECT, Some(socket)) => {
                self.release(from, socket, true);
                self.state(from);
            }
            (EMIT, Some(socket)) => {
                let Some(payload) = m.payload(5) else { return };
                let tab_token = m.u32(7);
                let ack = (tab_token != 0).then(|| {
                    let token = self.next_token.get() % (u32::MAX - 1) + 1;
                    self.next_token.set(token);
                    self.acks.borrow_mut().push((token, from, local, tab_token));
                    AckRequest { token, with_error: true }
                });
                let token = ack.as_ref().map(|a| a.token);
                let emit = Emit { payload, ack, volatile: m.u32(8) == 1, timeout: m.opt_u64(9) };
                let sent = driver.call(|client, now| client.emit(now, socket, emit));
                if !matches!(sent, Some(Ok(()))) {
                    if let Some(token) = token {
                        self.acks.borrow_mut().retain(|a| a.0 != token);
                        self.ack(from, local, tab_token, &Err(AckError::Disconnected));
                    }
                }
            }
            (ACK, Some(socket)) => {
                let id = m.opt_u64(5).unwrap_or(u64::MAX);
                let waiting = {
                    let mut awaiting = self.awaiting.borrow_mut();
                    let at = awaiting.iter().position(|a| *a == (socket, id));
                    at.map(|i| awaiting.swap_remove(i)).is_some()
                };
                if let (true, Some(payload)) = (waiting, m.payload(6)) {
                    driver.call(|client, now| client.ack(now, socket, id, payload));
                }
            }
            (AUTH, Some(socket)) => {
                let seq = m.u32(5);
                let asked = {
                    let mut auth = self.auth.borrow_mut();
                    let at = auth.iter().position(|a| *a == (socket, seq, from));
                    at.map(|i| auth.swap_remove(i)).is_some()
                };
                if asked {
                    let data = m.text(6);
                    driver.call(|client, now| client.handle_auth(now, socket, seq, data));
                }
            }
            (CLOSE, _) => {
                let want = self.tabs.borrow().iter().find(|t| t.id == from).map(|t| t.want.clone()).unwrap_or_default();
                for socket in want {
                    self.release(from, socket, true);
                }
                self.state(from);
            }
            (BYE, _) => self.gone(from),
            _ => {}
        }
    }

    fn state(&self, tab: u32) {
        self.send(self.out(tab, STATE).value(&self.snapshot(tab)), tab);
    }

    /// A tab says hello: it is attached (again), and watched unless it is
    /// the hub's own tab.
    fn hello(&self, from: u32) {
        let mut tabs = self.tabs.borrow_mut();
        if let Some(t) = tabs.iter_mut().find(|t| t.id == from) {
            t.read = 1;
            return;
        }
        let watch = (from != self.me).then(|| {
            let hub = self.weak.clone();
            Lock::new(&tab_lock(from), move |held| {
                // Refused (never, once the tab could take its own): the tab
                // stays attached until its `BYE`.
                if let Some(hub) = hub.upgrade().filter(|_| held) {
                    hub.gone(from);
                }
            })
        });
        tabs.push(Attached { id: from, sockets: Vec::new(), want: Vec::new(), read: 1, _watch: watch });
    }

    /// Tab `tab` no longer wants `socket`: it sees the disconnection (if
    /// `notify` and the socket was connected) and its pending acks there
    /// fail; a socket no tab wants disconnects.
    fn release(&self, tab: u32, socket: SocketId, notify: bool) {
        let local = {
            let mut tabs = self.tabs.borrow_mut();
            let Some(t) = tabs.iter_mut().find(|t| t.id == tab) else { return };
            let Some(at) = t.want.iter().position(|s| *s == socket) else { return };
            t.want.remove(at);
            t.local(socket)
        };
        let Some(driver) = self.driver() else { return };
        if let Some(local) = local.filter(|_| notify) {
            let failed: Vec<(u32, u32, SocketId, u32)> = {
                let mut acks = self.acks.borrow_mut();
                let (failed, kept) = acks.drain(..).partition(|a| a.1 == tab && a.2 == local);
                *acks = kept;
                failed
            };
            for (_, _, _, token) in failed {
                self.ack(tab, local, token, &Err(AckError::Disconnected));
            }
            if driver.read(|client| client.is_connected(socket)).unwrap_or(false) {
                let out = self
                    .out(tab, DISCONNECTED)
                    .num(f64::from(local))
                    .text(crate::proto::Reason::IoClientDisconnect.as_str());
                self.send(out.value(&self.snapshot(tab)), tab);
            }
        }
        if self.auth.borrow().iter().any(|a| a.0 == socket && a.2 == tab) {
            self.ask(socket);
        }
        if self.wanting(socket).is_empty() {
            self.awaiting.borrow_mut().retain(|(s, _)| *s != socket);
            driver.call(|client, now| client.disconnect(now, socket));
        }
    }

    /// Tab `tab` is gone: its namespaces are released and its acks forgotten.
    fn gone(&self, tab: u32) {
        let want = self.tabs.borrow().iter().find(|t| t.id == tab).map(|t| t.want.clone()).unwrap_or_default();
        for socket in want {
            self.release(tab, socket, false);
        }
        self.acks.borrow_mut().retain(|a| a.1 != tab);
        self.tabs.borrow_mut().retain(|t| t.id != tab);
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(driver) = self.driver.borrow_mut().take() {
            driver.call(|client, now| client.close(now));
        }
    }
}
