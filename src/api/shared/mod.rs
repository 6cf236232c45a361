//! `io(url).shared(true)`: one connection for the managers of every tab of
//! the origin that asks for the same server with the same options.
//!
//! The tabs elect one owner with a Web Lock (`<PROTOCOL>:owner:<key>`): the
//! first to be granted it runs the connection in a [`hub::Hub`], and the
//! others talk to that hub over a `BroadcastChannel`. Every tab's manager
//! (the owner's included) is a [`Tab`]: the [`Remote`] engine of its
//! `Manager`, which turns the API's calls into messages to the hub (`wire.rs`)
//! and the hub's messages into the registry's events. When the owner goes,
//! the next tab granted the lock starts a new hub and every tab attaches to
//! it again: a new connection, which each tab sees as a `disconnect`
//! ("transport close") and a `connect`.
//!
//! Each tab also holds a lock of its own (`<PROTOCOL>:tab:<id>`) for its
//! lifetime; the hub asks for it and is granted it when the tab is gone, even
//! if the tab was closed without running any code.
//!
//! Where `BroadcastChannel` or Web Locks are missing, the manager has its own
//! connection, as without the option. The npm package runs its hub in a
//! `SharedWorker` (js/hub.ts); a Rust app's wasm is the app itself, which
//! cannot be started in a worker by this crate, so the Rust face always
//! elects a tab.

mod hub;
mod wire;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;

use super::engine::{Engine, Remote, Status};
use super::registry::Registry;
use super::{AckError, ConnectError, DisconnectReason, Manager, Transport};
use crate::proto::codec::{Codec, TextCodec};
use crate::proto::{self, url::ParsedUri, Auth, Emit, Options, Payload, SocketId, SocketOptions};
use crate::web::HttpOptions;
use wire::*;

/// [`super::manager::Open`] for a shared connection.
pub(super) fn open(uri: &ParsedUri, opts: Options, http: HttpOptions) -> Manager {
    let key = format!(
        "{}://{}:{}?{}|{:?}|{:?}",
        uri.protocol,
        uri.host,
        uri.port,
        uri.query,
        opts,
        (http.with_credentials, &http.extra_headers, http.request_timeout, &http.protocols)
    );
    let registry = Rc::new(Registry::default());
    let auto_connect = opts.auto_connect;
    let reconnection = opts.reconnection;
    let config = Box::new((uri.clone(), opts, http));
    match Tab::new(&key, config, reconnection, registry.clone()) {
        Ok(tab) => Manager::with_engine(Engine::Shared(tab), registry, auto_connect),
        Err(config) => {
            let (uri, opts, http) = *config;
            Manager::open(&uri, opts, http)
        }
    }
}

/// What a hub is started with: the address and the options (boxed: kept by
/// every tab, used by the one that owns the connection).
type Config = Box<(ParsedUri, Options, HttpOptions)>;

/// A socket of this tab: what it was created with, whether the tab wants it
/// connected, and its state as the hub last reported it.
struct TabSocket {
    nsp: String,
    opts: SocketOptions,
    attached: bool,
    sid: Option<String>,
    bits: u32,
}

/// A held (or requested) Web Lock: the function that lets it go, and the
/// callback the browser calls when it is granted.
struct Lock {
    release: js_sys::Function,
    _granted: Closure<dyn FnMut(bool)>,
}

impl Lock {
    /// `granted(true)` once held; `granted(false)` if the browser refuses.
    fn new(name: &str, granted: impl FnMut(bool) + 'static) -> Lock {
        let granted = Closure::<dyn FnMut(bool)>::new(granted);
        Lock { release: hold(name, &granted), _granted: granted }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

/// One manager's side of a shared connection.
pub(super) struct Tab {
    id: u32,
    key: String,
    me: Weak<Tab>,
    channel: Channel,
    _onmessage: Closure<dyn FnMut(JsValue)>,
    registry: Rc<Registry>,
    sockets: RefCell<Vec<TabSocket>>,
    transport: Cell<Option<Transport>>,
    reconnection: bool,
    /// The tab whose hub this tab talks to; 0 before the first word from one.
    hub_id: Cell<u32>,
    /// Messages sent to the hub since it was first addressed, and the count
    /// the hub's last snapshot said it had read: while they differ, the
    /// state this tab changed is reported as the tab asked, not as the hub
    /// last saw it.
    sent: Cell<u32>,
    seen: Cell<u32>,
    /// Set once this tab holds its own lock (then the hub may watch it).
    started: Cell<bool>,
    /// Set when the browser refuses this tab's locks: the tab runs its own
    /// connection and neither listens nor speaks on the channel.
    alone: Cell<bool>,
    /// What was sent before that, sent once it is held.
    early: RefCell<Vec<JsValue>>,
    own_lock: RefCell<Option<Lock>>,
    owner_lock: RefCell<Option<Lock>>,
    /// Set while this tab owns the connection.
    hub: RefCell<Option<Rc<hub::Hub>>>,
    config: Config,
}

impl Tab {
    fn new(key: &str, config: Config, reconnection: bool, registry: Rc<Registry>) -> Result<Rc<Tab>, Config> {
        let slot: Rc<RefCell<Weak<Tab>>> = Rc::default();
        let weak = slot.clone();
        let onmessage = Closure::<dyn FnMut(JsValue)>::new(move |message| {
            let tab = weak.borrow().upgrade();
            if let Some(tab) = tab {
                tab.receive(message);
            }
        });
        let Some(channel) = channel(&format!("{PROTOCOL}:{key}"), &onmessage) else { return Err(config) };
        let id = loop {
            let id = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
            if id != 0 {
                break id;
            }
        };
        let tab = Rc::new_cyclic(|me: &Weak<Tab>| Tab {
            id,
            key: key.to_owned(),
            me: me.clone(),
            channel,
            _onmessage: onmessage,
            registry,
            sockets: RefCell::new(Vec::new()),
            transport: Cell::new(None),
            reconnection,
            hub_id: Cell::new(0),
            sent: Cell::new(0),
            seen: Cell::new(0),
            started: Cell::new(false),
            alone: Cell::new(false),
            early: RefCell::new(Vec::new()),
            own_lock: RefCell::new(None),
            owner_lock: RefCell::new(None),
            hub: RefCell::new(None),
            config,
        });
        *slot.borrow_mut() = Rc::downgrade(&tab);
        *tab.own_lock.borrow_mut() = Some(tab.lock(&tab_lock(id), Tab::start));
        Ok(tab)
    }

    /// Asks for a lock of this tab: `then` runs once it is held; refused,
    /// the tab runs its own connection.
    fn lock(&self, name: &str, then: fn(&Tab)) -> Lock {
        let me = self.me.clone();
        Lock::new(name, move |held| {
            if let Some(tab) = me.upgrade() {
                if held {
                    then(&tab);
                } else {
                    tab.go_alone();
                }
            }
        })
    }

    /// This tab holds its own lock: it says hello, sends what waited, and
    /// asks to own the connection.
    fn start(&self) {
        self.hello();
        *self.owner_lock.borrow_mut() = Some(self.lock(&format!("{PROTOCOL}:owner:{}", self.key), Tab::own));
    }

    /// The browser refuses Web Locks here (an opaque origin, say): no tab
    /// can be elected, so this one runs its own connection, as without the
    /// option.
    fn go_alone(&self) {
        if self.alone.replace(true) || self.hub.borrow().is_some() {
            return;
        }
        self.channel.close();
        self.own();
        self.hello();
    }

    /// Says hello (to the hub, if there is one yet); what the tab asked
    /// meanwhile goes once it has heard from a hub.
    fn hello(&self) {
        self.started.set(true);
        self.sent.set(0);
        self.post_counted(self.out(HELLO).done());
        self.flush_early();
    }

    /// Sends what waited for a hub, once there is one to read it.
    fn flush_early(&self) {
        if !self.started.get() || self.hub_id.get() == 0 {
            return;
        }
        for message in std::mem::take(&mut *self.early.borrow_mut()) {
            self.post_counted(message);
        }
    }

    /// This tab was granted the owner lock: it runs the connection.
    fn own(&self) {
        let me = self.me.clone();
        let post = move |to: u32, message: JsValue| {
            if let Some(tab) = me.upgrade() {
                tab.post_tabs(to, message);
            }
        };
        let (uri, opts, http) = &*self.config;
        let hub = hub::Hub::new(self.id, uri, opts.clone(), http.clone(), post);
        *self.hub.borrow_mut() = Some(hub);
        self.post_tabs(0, Out::new(TO_TAB, self.id, 0, HUB).done());
    }

    fn out(&self, kind: u32) -> Out {
        Out::new(TO_HUB, self.id, self.hub_id.get(), kind)
    }

    /// A message for the hub: to this tab's own hub in a microtask, else on
    /// the channel. Until this tab holds its lock and has heard from a hub,
    /// it is kept (the first tab's hub does not exist yet when its page
    /// starts asking).
    fn send(&self, message: Out) {
        let message = message.done();
        if self.started.get() && self.hub_id.get() != 0 {
            self.post_counted(message);
        } else {
            self.early.borrow_mut().push(message);
        }
    }

    /// Sends a message to the hub, counted: the hub's snapshots say how many
    /// it has read since the tab's `HELLO`.
    fn post_counted(&self, message: JsValue) {
        self.sent.set(self.sent.get().wrapping_add(1));
        self.post_hub(message);
    }

    fn post_hub(&self, message: JsValue) {
        if self.hub.borrow().is_some() {
            self.later(message);
        } else if !self.alone.get() {
            let _ = self.channel.post(&message);
        }
    }

    /// A message from this tab's hub to tab `to` (0: every tab).
    fn post_tabs(&self, to: u32, message: JsValue) {
        if to != self.id && !self.alone.get() {
            let _ = self.channel.post(&message);
        }
        if to == self.id || to == 0 {
            self.later(message);
        }
    }

    /// Delivers a message to this tab in a microtask, as the channel would.
    fn later(&self, message: JsValue) {
        let me = self.me.clone();
        soon(&Closure::once_into_js(move || {
            if let Some(tab) = me.upgrade() {
                tab.receive(message);
            }
        }));
    }

    fn receive(&self, message: JsValue) {
        let Some(message) = In::new(message) else { return };
        match message.u32(0) {
            TO_HUB => {
                let hub = self.hub.borrow().clone();
                if let Some(hub) = hub {
                    hub.receive(&message);
                }
            }
            TO_TAB => {
                let to = message.u32(2);
                if to == 0 || to == self.id {
                    self.hub_message(&message);
                }
            }
            _ => {}
        }
    }

    /// A message from a hub.
    fn hub_message(&self, m: &In) {
        let from = m.u32(1);
        let kind = m.u32(3);
        if kind == HUB {
            self.attach(from);
            return;
        }
        match self.hub_id.get() {
            0 => {
                // The first word of a hub that was there before this tab.
                self.hub_id.set(from);
                self.flush_early();
            }
            hub if hub != from => return,
            _ => {}
        }
        let socket = m.u32(4);
        let registry = &self.registry;
        match kind {
            STATE => self.snapshot(&m.get(4)),
            CONNECTED => {
                self.snapshot(&m.get(5));
                registry.connect(socket);
            }
            DISCONNECTED => {
                self.snapshot(&m.get(6));
                let reason = m.text(5).and_then(|name| reason(&name)).unwrap_or(DisconnectReason::TransportClose);
                registry.disconnect(socket, reason);
            }
            CONNECT_ERROR => {
                self.snapshot(&m.get(8));
                let message = m.text(6).unwrap_or_default();
                let error = if m.u32(5) == 1 {
                    ConnectError::Refused { message, data: m.text(7) }
                } else {
                    ConnectError::Failed(message)
                };
                registry.connect_error(socket, error);
            }
            MESSAGE => {
                if let Some(payload) = m.payload(5) {
                    registry.message(socket, payload, m.opt_u64(7));
                }
            }
            ACKED => {
                let result = match m.u32(6) {
                    ACK_OK => m.payload(7).ok_or(AckError::Disconnected),
                    ACK_TIMEOUT => Err(AckError::Timeout),
                    _ => Err(AckError::Disconnected),
                };
                registry.ack(socket, m.u32(5), result);
            }
            ASK_AUTH => registry.auth_request(socket, m.u32(5)),
            RECONNECT_ATTEMPT => {
                self.snapshot(&m.get(5));
                registry.reconnect_attempt(socket);
            }
            RECONNECT => {
                self.snapshot(&m.get(5));
                registry.reconnect(socket);
            }
            RECONNECT_FAILED => {
                self.snapshot(&m.get(4));
                registry.reconnect_failed();
            }
            _ => {}
        }
    }

    /// A hub announced itself: this tab attaches to it. If it replaces the
    /// hub this tab was attached to, the connection changed hands: the
    /// sockets that were connected see a disconnection, and the pending
    /// acknowledgements fail.
    fn attach(&self, hub: u32) {
        let previous = self.hub_id.replace(hub);
        if previous == hub {
            return;
        }
        self.sent.set(0);
        self.seen.set(0);
        if previous != 0 {
            let dropped: Vec<SocketId> = {
                let mut sockets = self.sockets.borrow_mut();
                let mut dropped = Vec::new();
                for (i, socket) in sockets.iter_mut().enumerate() {
                    if socket.bits & CONNECTED_BIT != 0 {
                        dropped.push(i as SocketId);
                    }
                    socket.bits = if socket.attached { ACTIVE_BIT } else { 0 };
                    socket.sid = None;
                }
                dropped
            };
            self.transport.set(None);
            self.registry.fail_acks();
            for socket in dropped {
                self.registry.disconnect(socket, DisconnectReason::TransportClose);
            }
        }
        if !self.started.get() {
            return;
        }
        self.send(self.out(HELLO));
        let messages: Vec<Out> = self
            .sockets
            .borrow()
            .iter()
            .enumerate()
            .flat_map(|(i, socket)| {
                let define = self.define(i as SocketId, socket);
                let connect = socket.attached.then(|| self.out(CONNECT).num(i as f64));
                std::iter::once(define).chain(connect)
            })
            .collect();
        for message in messages {
            self.send(message);
        }
        self.flush_early();
    }

    fn define(&self, socket: SocketId, s: &TabSocket) -> Out {
        self.out(SOCKET)
            .num(f64::from(socket))
            .text(&s.nsp)
            .num(f64::from(s.opts.retries))
            .num(or_minus_one(s.opts.ack_timeout))
    }

    /// Reads a snapshot: `[read, transport, [[sid, bits]...]]`.
    fn snapshot(&self, snapshot: &JsValue) {
        let Some(snapshot) = In::new(snapshot.clone()) else { return };
        self.seen.set(snapshot.u32(0));
        self.transport.set(match snapshot.text(1).as_deref() {
            Some("websocket") => Some(Transport::WebSocket),
            Some("polling") => Some(Transport::Polling),
            _ => None,
        });
        let Some(states) = In::new(snapshot.get(2)) else { return };
        for (i, socket) in self.sockets.borrow_mut().iter_mut().enumerate() {
            if let Some(state) = In::new(states.get(i as u32)) {
                socket.sid = state.text(0);
                socket.bits = state.u32(1);
            }
        }
    }
}

fn tab_lock(id: u32) -> String {
    format!("{PROTOCOL}:tab:{id}")
}

fn reason(name: &str) -> Option<DisconnectReason> {
    use DisconnectReason::*;
    [IoServerDisconnect, IoClientDisconnect, PingTimeout, TransportClose, TransportError, ParseError, ForcedClose]
        .into_iter()
        .find(|reason| reason.as_str() == name)
}

impl Remote for Tab {
    fn add_socket(&self, nsp: &str, opts: SocketOptions) -> SocketId {
        if let Some(i) = self.sockets.borrow().iter().position(|socket| socket.nsp == nsp) {
            return i as SocketId;
        }
        let socket = TabSocket { nsp: nsp.to_owned(), opts, attached: false, sid: None, bits: 0 };
        let id = self.sockets.borrow().len() as SocketId;
        let define = self.define(id, &socket);
        self.sockets.borrow_mut().push(socket);
        self.send(define);
        id
    }

    fn connect(&self, socket: SocketId) {
        if let Some(s) = self.sockets.borrow_mut().get_mut(socket as usize) {
            s.attached = true;
        }
        self.send(self.out(CONNECT).num(f64::from(socket)));
    }

    fn disconnect(&self, socket: SocketId) {
        if let Some(s) = self.sockets.borrow_mut().get_mut(socket as usize) {
            s.attached = false;
        }
        self.send(self.out(DISCONNECT).num(f64::from(socket)));
    }

    fn set_auth(&self, socket: SocketId, auth: Auth) {
        if let Some(s) = self.sockets.borrow_mut().get_mut(socket as usize) {
            s.opts.auth = auth;
        }
    }

    fn emit(&self, socket: SocketId, emit: Emit) -> Result<(), proto::EmitError> {
        TextCodec::check_emit(&emit.payload.data)?;
        let ack_timeout = self.sockets.borrow().get(socket as usize).and_then(|s| s.opts.ack_timeout);
        let token = emit.ack.map_or(0, |ack| ack.token);
        let timeout = if token == 0 { None } else { emit.timeout.or(ack_timeout) };
        self.send(
            self.out(EMIT)
                .num(f64::from(socket))
                .payload(&emit.payload)
                .num(f64::from(token))
                .num(f64::from(u8::from(emit.volatile)))
                .num(or_minus_one(timeout)),
        );
        Ok(())
    }

    fn ack(&self, socket: SocketId, id: u64, payload: Payload) {
        self.send(self.out(ACK).num(f64::from(socket)).num(id as f64).payload(&payload));
    }

    fn answer_auth(&self, socket: SocketId, seq: u32, data: Option<String>) {
        let data = data.or_else(|| match self.sockets.borrow().get(socket as usize).map(|s| &s.opts.auth) {
            Some(Auth::Json(text)) => Some(text.clone()),
            _ => None,
        });
        self.send(self.out(AUTH).num(f64::from(socket)).num(f64::from(seq)).opt_text(data.as_deref()));
    }

    fn close(&self) {
        for socket in self.sockets.borrow_mut().iter_mut() {
            socket.attached = false;
        }
        self.send(self.out(CLOSE));
    }

    fn transport(&self) -> Option<Transport> {
        self.transport.get()
    }

    fn status(&self, socket: SocketId) -> Status {
        let sockets = self.sockets.borrow();
        let Some(s) = sockets.get(socket as usize) else { return Status::default() };
        let bits = if self.seen.get() == self.sent.get() {
            s.bits
        } else if s.attached {
            // The hub has not read this tab's last request yet.
            s.bits | ACTIVE_BIT
        } else {
            0
        };
        Status {
            connected: bits & CONNECTED_BIT != 0,
            active: bits & ACTIVE_BIT != 0,
            recovered: bits & RECOVERED_BIT != 0,
        }
    }

    fn sid(&self, socket: SocketId) -> Option<String> {
        if !self.status(socket).connected {
            return None;
        }
        self.sockets.borrow().get(socket as usize).and_then(|s| s.sid.clone())
    }

    fn reconnection(&self) -> bool {
        self.reconnection
    }
}

impl Drop for Tab {
    fn drop(&mut self) {
        if self.started.get() && self.hub.borrow().is_none() {
            let _ = self.channel.post(&self.out(BYE).done());
        }
        // The hub (and its connection) go with the tab that runs it; the
        // locks are let go, so the next tab takes over.
        self.hub.borrow_mut().take();
        self.owner_lock.borrow_mut().take();
        self.own_lock.borrow_mut().take();
        self.channel.close();
    }
}
