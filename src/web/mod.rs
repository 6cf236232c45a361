//! The browser shell: performs the core's I/O with the browser's WebSocket,
//! `fetch` (with an `AbortController` per poll) and timers, and feeds what
//! happens back into the core.
//!
//! Every JS closure is owned by a Rust value whose `Drop` removes the listener,
//! clears the timer or aborts the request; closures hold only a weak reference
//! to the driver, so dropping the driver releases everything. Callbacks turn
//! the JS event into an owned Rust value and hand it to the core; the driver
//! then performs the core's transmits and dispatches its events to the sink
//! with no `RefCell` borrow held, so user code may call back in.
//!
//! One piece because the resources (sockets, polls, the timer, listeners)
//! and the run loop that owns them share one `RefCell`; the JavaScript side is
//! in `http.js`, `ws.js` and `timers.js`, the bindings in `sys.rs`.

mod sys;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Function, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, WebSocket};

use crate::proto::url::ParsedUri;
use crate::proto::{
    Client, Codec, EngineInput, Event, Frame, HttpError, Input, Options, TextCodec, Transmit, TransportId,
};

#[cfg(feature = "js")]
pub(crate) use sys::send;
pub use sys::{now, seed, string_from_js};

/// The page's location (`protocol`, `host`, `port`), when there is one.
pub fn location() -> Option<crate::proto::url::Location> {
    let loc = js_sys::Reflect::get(&js_sys::global(), &"location".into()).ok()?;
    if loc.is_undefined() || loc.is_null() {
        return None;
    }
    let get = |k: &str| js_sys::Reflect::get(&loc, &k.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    Some(crate::proto::url::Location { protocol: get("protocol"), host: get("host"), port: get("port") })
}

/// Browser-only options of the long-polling requests.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// `withCredentials`: send cookies cross-origin (`credentials: "include"`).
    pub with_credentials: bool,
    /// `extraHeaders`: headers added to every long-polling request.
    pub extra_headers: Vec<(String, String)>,
    /// `requestTimeout` (ms): a long-polling request taking longer fails.
    pub request_timeout: Option<u32>,
    /// `protocols`: WebSocket sub-protocols to request.
    pub protocols: Vec<String>,
    /// `useNativeTimers`: use the timers and clock the page had when the
    /// module loaded, not fake ones installed later.
    pub native_timers: bool,
}

/// How the shell turns the browser's values into a [`Codec`]'s and back.
pub trait WebCodec: Codec {
    /// A WebSocket text message or a long-polling response body.
    fn text_from_js(s: &js_sys::JsString) -> Self::Text;
    /// A binary WebSocket message (an `ArrayBuffer`).
    fn binary_from_js(b: JsValue) -> Self::Binary;
    /// Sends a message on a WebSocket. A socket that is closing refuses it;
    /// the core hears of the close from its event.
    fn send(ws: &WebSocket, frame: &Frame<Self>);
    /// The body of a long-polling POST.
    fn body(text: &Self::Text) -> JsValue;
}

/// Payloads copied into Rust: the Rust API, whose serde needs the text.
impl WebCodec for TextCodec {
    fn text_from_js(s: &js_sys::JsString) -> String {
        sys::string_from_js(s)
    }

    fn binary_from_js(b: JsValue) -> Vec<u8> {
        Uint8Array::new(&b).to_vec()
    }

    fn send(ws: &WebSocket, frame: &Frame<Self>) {
        let _ = match frame {
            Frame::Text(text) => ws.send_with_str(text),
            Frame::Binary(b) => ws.send_with_u8_array(b),
        };
    }

    fn body(text: &String) -> JsValue {
        JsValue::from_str(text)
    }
}

/// A `setTimeout` that is cleared when dropped.
struct Timeout {
    handle: JsValue,
    native: bool,
    _closure: Closure<dyn FnMut()>,
}

impl Drop for Timeout {
    fn drop(&mut self) {
        sys::clear_timeout(&self.handle, self.native);
    }
}

/// A WebSocket with its listeners; dropping it detaches them and closes it.
struct Ws {
    id: TransportId,
    ws: WebSocket,
    _open: Closure<dyn FnMut()>,
    _message: Closure<dyn FnMut(JsValue)>,
    _error: Closure<dyn FnMut()>,
    _close: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Ws {
    fn drop(&mut self) {
        sys::detach(&self.ws);
    }
}

/// A listener on the global scope, removed when dropped.
struct GlobalListener {
    kind: &'static str,
    closure: Closure<dyn FnMut()>,
}

impl Drop for GlobalListener {
    fn drop(&mut self) {
        sys::remove_event_listener(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

/// An in-flight long-polling GET, aborted when dropped.
struct Poll {
    id: TransportId,
    controller: Option<JsValue>,
}

impl Drop for Poll {
    fn drop(&mut self) {
        if let Some(c) = &self.controller {
            sys::abort(c);
        }
    }
}

struct Resources<C: WebCodec> {
    client: Client<C>,
    http: HttpOptions,
    /// `http.extra_headers` as the `[name, value]` pairs `fetch` takes, made once.
    headers: Option<JsValue>,
    sockets: Vec<Ws>,
    polls: Vec<Poll>,
    timer: Option<(u64, Timeout)>,
    listeners: Vec<GlobalListener>,
}

impl<C: WebCodec> Resources<C> {
    fn headers(&mut self) -> JsValue {
        let http = &self.http;
        self.headers
            .get_or_insert_with(|| {
                // `[name, value]` pairs: a `HeadersInit` as it is.
                let pairs = js_sys::Array::new();
                for (k, v) in &http.extra_headers {
                    pairs.push(&js_sys::Array::of2(&JsValue::from_str(k), &JsValue::from_str(v)));
                }
                pairs.into()
            })
            .clone()
    }
}

struct DriverState<C: WebCodec> {
    inner: RefCell<Resources<C>>,
    sink: Box<dyn Fn(Event<C>)>,
    /// Work for the next microtask: `Transmit::Drain`'s drain, the error of
    /// a WebSocket that could not even be created, an input that came while
    /// the driver was busy.
    deferred: RefCell<Vec<Input<C>>>,
    /// One `queueMicrotask` callback for all deferred work.
    microtask: Closure<dyn FnMut()>,
    scheduled: std::cell::Cell<bool>,
    /// `useNativeTimers`.
    native_timers: std::cell::Cell<bool>,
}

impl<C: WebCodec> DriverState<C> {
    fn now(&self) -> u64 {
        sys::now(self.native_timers.get())
    }
}

/// Owns a [`Client`] and its browser resources, and runs it.
pub struct Driver<C: WebCodec = TextCodec>(Rc<DriverState<C>>);

impl<C: WebCodec> Clone for Driver<C> {
    fn clone(&self) -> Self {
        Driver(self.0.clone())
    }
}

impl<C: WebCodec> Driver<C> {
    /// Creates the client for `uri` and starts it (it connects at once with
    /// `auto_connect`). Events go to `sink`, which may call back into the driver.
    pub fn new(uri: &ParsedUri, opts: Options, http: HttpOptions, sink: impl Fn(Event<C>) + 'static) -> Self {
        let close_on_unload = opts.close_on_beforeunload;
        let native = http.native_timers;
        let client = Client::new(uri, opts, sys::seed(), sys::now(native));
        let shared = Rc::new_cyclic(|weak: &Weak<DriverState<C>>| {
            let weak = weak.clone();
            DriverState {
                inner: RefCell::new(Resources {
                    client,
                    http,
                    headers: None,
                    sockets: Vec::new(),
                    polls: Vec::new(),
                    timer: None,
                    listeners: Vec::new(),
                }),
                sink: Box::new(sink),
                deferred: RefCell::new(Vec::new()),
                microtask: Closure::new(move || run_deferred(&weak)),
                scheduled: std::cell::Cell::new(false),
                native_timers: std::cell::Cell::new(native),
            }
        });
        if sys::has_event_listeners() {
            let weak = Rc::downgrade(&shared);
            let offline = listen("offline", move || input(&weak, Input::Offline));
            shared.inner.borrow_mut().listeners.push(offline);
        }
        let driver = Driver(shared);
        driver.listen_for_unload(close_on_unload);
        run(&driver.0);
        driver
    }

    /// Replaces the options (see [`Client::reconfigure`]: the transport
    /// options apply from the next connection attempt) and the request
    /// options (from the next request on).
    pub fn reconfigure(&self, opts: Options, http: HttpOptions) {
        let close_on_unload = opts.close_on_beforeunload;
        if let Ok(mut inner) = self.0.inner.try_borrow_mut() {
            self.0.native_timers.set(http.native_timers);
            inner.client.reconfigure(opts);
            inner.http = http;
            inner.headers = None;
        }
        self.listen_for_unload(close_on_unload);
        run(&self.0);
    }

    /// Listens for `beforeunload` once `closeOnBeforeunload` is on (the
    /// listener stays: the core ignores it while the option is off).
    fn listen_for_unload(&self, on: bool) {
        if !on || !sys::has_event_listeners() {
            return;
        }
        let Ok(mut inner) = self.0.inner.try_borrow_mut() else { return };
        if inner.listeners.iter().any(|l| l.kind == "beforeunload") {
            return;
        }
        let weak = Rc::downgrade(&self.0);
        inner.listeners.push(listen("beforeunload", move || input(&weak, Input::Unload)));
    }

    /// Calls into the core (a user action), then performs the resulting I/O
    /// and dispatches the resulting events. `None` only if called from inside
    /// the driver's own borrow, which the driver never allows user code to do.
    pub fn call<R>(&self, f: impl FnOnce(&mut Client<C>, u64) -> R) -> Option<R> {
        let r = {
            let mut inner = self.0.inner.try_borrow_mut().ok()?;
            f(&mut inner.client, self.0.now())
        };
        run(&self.0);
        Some(r)
    }

    /// Reads the core's state.
    pub fn read<R>(&self, f: impl FnOnce(&Client<C>) -> R) -> Option<R> {
        let inner = self.0.inner.try_borrow().ok()?;
        Some(f(&inner.client))
    }

    /// A handle that does not keep the driver alive (for use inside its own sink).
    pub fn downgrade(&self) -> WeakDriver<C> {
        WeakDriver(Rc::downgrade(&self.0))
    }
}

/// A [`Driver`] handle that does not keep it alive.
pub struct WeakDriver<C: WebCodec = TextCodec>(Weak<DriverState<C>>);

impl<C: WebCodec> Clone for WeakDriver<C> {
    fn clone(&self) -> Self {
        WeakDriver(self.0.clone())
    }
}

impl<C: WebCodec> WeakDriver<C> {
    /// The driver, if it still exists.
    pub fn upgrade(&self) -> Option<Driver<C>> {
        self.0.upgrade().map(Driver)
    }
}

fn listen(kind: &'static str, f: impl FnMut() + 'static) -> GlobalListener {
    let closure = Closure::<dyn FnMut()>::new(f);
    sys::add_event_listener(kind, closure.as_ref().unchecked_ref());
    GlobalListener { kind, closure }
}

/// Feeds an input from a browser callback. Should the driver be busy (it never
/// is when the browser calls back, but nothing may be lost), the input is
/// retried in a microtask.
fn input<C: WebCodec>(weak: &Weak<DriverState<C>>, i: Input<C>) {
    let Some(shared) = weak.upgrade() else { return };
    let busy = match shared.inner.try_borrow_mut() {
        Ok(mut inner) => {
            inner.client.handle(shared.now(), i);
            None
        }
        Err(_) => Some(i),
    };
    match busy {
        None => run(&shared),
        Some(i) => defer(&shared, i),
    }
}

fn defer<C: WebCodec>(shared: &DriverState<C>, i: Input<C>) {
    if let Ok(mut list) = shared.deferred.try_borrow_mut() {
        list.push(i);
    }
    if !shared.scheduled.replace(true) {
        sys::queue_microtask(shared.microtask.as_ref().unchecked_ref());
    }
}

fn run_deferred<C: WebCodec>(weak: &Weak<DriverState<C>>) {
    let Some(shared) = weak.upgrade() else { return };
    shared.scheduled.set(false);
    let list = shared.deferred.try_borrow_mut().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default();
    for i in list {
        input(weak, i);
    }
}

/// Performs the core's transmits, dispatches its events, re-arms the timer.
fn run<C: WebCodec>(shared: &Rc<DriverState<C>>) {
    loop {
        let t = match shared.inner.try_borrow_mut() {
            Ok(mut inner) => inner.client.poll_transmit(),
            Err(_) => return,
        };
        match t {
            Some(t) => perform(shared, t),
            None => break,
        }
    }
    loop {
        let ev = match shared.inner.try_borrow_mut() {
            Ok(mut inner) => inner.client.poll_event(),
            Err(_) => return,
        };
        match ev {
            Some(ev) => (shared.sink)(ev),
            None => break,
        }
    }
    rearm(shared);
}

fn rearm<C: WebCodec>(shared: &Rc<DriverState<C>>) {
    let Ok(mut inner) = shared.inner.try_borrow_mut() else { return };
    let at = inner.client.poll_timeout();
    if inner.timer.as_ref().map(|(t, _)| *t) == at {
        return;
    }
    inner.timer = at.map(|at| {
        let weak = Rc::downgrade(shared);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(s) = weak.upgrade() {
                // The fired timer stays alive until this call returns.
                let fired = s.inner.try_borrow_mut().ok().and_then(|mut i| i.timer.take());
                input(&weak, Input::Timeout);
                drop(fired);
            }
        });
        // Browsers run delays above 2^31 - 1 ms at once; a longer wait is
        // re-armed when this one fires.
        let native = shared.native_timers.get();
        let delay = at.saturating_sub(sys::now(native)).min(0x7fff_ffff) as f64;
        let handle = sys::set_timeout(closure.as_ref().unchecked_ref::<Function>(), delay, native);
        (at, Timeout { handle, native, _closure: closure })
    });
}

fn perform<C: WebCodec>(shared: &Rc<DriverState<C>>, t: Transmit<C>) {
    match t {
        Transmit::WsOpen { id, url } => open_ws(shared, id, &url),
        Transmit::WsSend { id, frame } => {
            if let Ok(inner) = shared.inner.try_borrow() {
                if let Some(s) = inner.sockets.iter().find(|s| s.id == id) {
                    C::send(&s.ws, &frame);
                }
            }
        }
        Transmit::Drain { id } => defer(shared, Input::Transport(id, EngineInput::Drain)),
        Transmit::WsClose { id } => {
            let removed = shared.inner.try_borrow_mut().ok().and_then(|mut i| {
                let pos = i.sockets.iter().position(|s| s.id == id)?;
                Some(i.sockets.swap_remove(pos))
            });
            drop(removed);
        }
        Transmit::Get { id, url } => http(shared, id, url, None),
        Transmit::Post { id, url, body } => http(shared, id, url, Some(body)),
        Transmit::Abort { id } => {
            // A transport has at most one GET in flight (the core polls again
            // only once the last one is over), so there is one to abort.
            let removed = shared.inner.try_borrow_mut().ok().and_then(|mut i| {
                let pos = i.polls.iter().position(|p| p.id == id)?;
                Some(i.polls.swap_remove(pos))
            });
            drop(removed);
        }
    }
}

fn open_ws<C: WebCodec>(shared: &Rc<DriverState<C>>, id: TransportId, url: &str) {
    // No sub-protocols is an empty list (as `new WebSocket(url, [])` is the
    // same as `new WebSocket(url)`).
    let list = js_sys::Array::new();
    if let Ok(inner) = shared.inner.try_borrow() {
        for p in &inner.http.protocols {
            list.push(&JsValue::from_str(p));
        }
    }
    let w = Rc::downgrade(shared);
    let open = Closure::<dyn FnMut()>::new(move || input(&w, Input::Transport(id, EngineInput::WsOpen)));
    let w = Rc::downgrade(shared);
    // Both listeners take a plain value (the message's data, the close
    // event): one closure type (one invoke shim and one glue cast) for the two.
    let message = Closure::<dyn FnMut(JsValue)>::new(move |data: JsValue| {
        let frame = match data.dyn_ref::<js_sys::JsString>() {
            Some(text) => Frame::Text(C::text_from_js(text)),
            None => Frame::Binary(C::binary_from_js(data)),
        };
        input(&w, Input::Transport(id, EngineInput::WsFrame(frame)));
    });
    let w = Rc::downgrade(shared);
    let error = Closure::<dyn FnMut()>::new(move || input(&w, Input::Transport(id, EngineInput::WsError)));
    let w = Rc::downgrade(shared);
    let close = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let (code, reason) = (
            e.unchecked_ref::<CloseEvent>().code(),
            e.unchecked_ref::<sys::Closed>().reason().as_string().unwrap_or_default(),
        );
        // Forget the socket first; it stays alive until this call returns.
        let gone = w.upgrade().and_then(|s| {
            let mut i = s.inner.try_borrow_mut().ok()?;
            let pos = i.sockets.iter().position(|s| s.id == id)?;
            Some(i.sockets.swap_remove(pos))
        });
        input(&w, Input::Transport(id, EngineInput::WsClose(code, reason)));
        // Detached (its `close()` does nothing now) once the core has heard.
        drop(gone);
    });
    let ws = match sys::open_socket(url, &list, open.as_ref(), message.as_ref(), error.as_ref(), close.as_ref()) {
        Some(ws) => ws,
        None => {
            // An invalid address: the transport fails like a WebSocket error.
            defer(shared, Input::Transport(id, EngineInput::WsError));
            return;
        }
    };
    if let Ok(mut inner) = shared.inner.try_borrow_mut() {
        inner.sockets.push(Ws { id, ws, _open: open, _message: message, _error: error, _close: close });
    }
}

/// A long-polling request: GET (`body` is `None`) or POST.
fn http<C: WebCodec>(shared: &Rc<DriverState<C>>, id: TransportId, url: String, body: Option<C::Text>) {
    let Ok(mut inner) = shared.inner.try_borrow_mut() else { return };
    let is_post = body.is_some();
    let body = body.as_ref().map_or(JsValue::UNDEFINED, C::body);
    let timeout = inner.http.request_timeout.map_or(-1.0, f64::from);
    let weak = Rc::downgrade(shared);
    // Every request settles (an abort rejects it), so the callback always runs and frees itself.
    let done = Closure::once_into_js(move |text: JsValue, status: f64, error: JsValue| {
        let result: Result<C::Text, HttpError> = match text.dyn_ref::<js_sys::JsString>() {
            Some(text) => Ok(C::text_from_js(text)),
            None if status > 0.0 => Err(HttpError::Status(status as u16)),
            None => Err(HttpError::Network(error.as_string().unwrap_or_default())),
        };
        if is_post {
            input(&weak, Input::Transport(id, EngineInput::Post(result.map(|_| ()))));
        } else {
            // The poll is over: forget its abort guard without aborting.
            if let Some(s) = weak.upgrade() {
                let done = s.inner.try_borrow_mut().ok().map(|mut i| {
                    let pos = i.polls.iter().position(|p| p.id == id);
                    pos.map(|p| {
                        let mut p = i.polls.swap_remove(p);
                        p.controller = None;
                        p
                    })
                });
                drop(done);
            }
            input(&weak, Input::Transport(id, EngineInput::Poll(result)));
        }
    });
    let headers = inner.headers();
    let controller = sys::request(&url, &body, &headers, inner.http.with_credentials, timeout, &done);
    if !is_post {
        inner.polls.push(Poll { id, controller: Some(controller) });
    }
}
