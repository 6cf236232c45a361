//! The few browser globals the shell uses, bound so they work in a window
//! and in a worker alike.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    type TextEncoder;

    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;

    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &js_sys::JsString, dest: &js_sys::Uint8Array) -> EncodeResult;

    type EncodeResult;

    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeResult) -> u32;

    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> u32;

    #[wasm_bindgen(js_name = addEventListener)]
    pub fn add_event_listener(kind: &str, handler: &js_sys::Function);

    #[wasm_bindgen(js_name = removeEventListener)]
    pub fn remove_event_listener(kind: &str, handler: &js_sys::Function);

    /// A WebSocket's close event, for its `reason` as a JavaScript value:
    /// turned into a `String` by the glue's one conversion (`as_string`), not
    /// by a shim of its own.
    pub type Closed;

    #[wasm_bindgen(method, getter)]
    pub fn reason(this: &Closed) -> JsValue;
}

#[wasm_bindgen(module = "/src/web/http.js")]
extern "C" {
    /// Starts a long-polling request (see http.js); returns the abort controller of a GET.
    pub fn request(
        url: &str,
        body: &JsValue,
        headers: &JsValue,
        credentials: bool,
        timeout: f64,
        done: &JsValue,
    ) -> JsValue;

    /// Aborts a GET.
    pub fn abort(controller: &JsValue);
}

#[wasm_bindgen(module = "/src/web/ws.js")]
extern "C" {
    /// A WebSocket with `binaryType` "arraybuffer" and its four listeners
    /// set, in one call (see ws.js); `None` for an invalid address.
    #[wasm_bindgen(js_name = openSocket)]
    pub fn open_socket(
        url: &str,
        protocols: &js_sys::Array,
        open: &JsValue,
        message: &JsValue,
        error: &JsValue,
        close: &JsValue,
    ) -> Option<web_sys::WebSocket>;

    /// Sends a message (ignored on a closing socket, whose close event follows).
    pub fn send(ws: &web_sys::WebSocket, data: &JsValue);

    /// Removes the listeners and closes the socket.
    pub fn detach(ws: &web_sys::WebSocket);
}

#[wasm_bindgen(module = "/src/web/timers.js")]
extern "C" {
    /// `setTimeout`: the page's at the time of the call, or (`native`) the one it had at load.
    #[wasm_bindgen(js_name = setTimer)]
    pub fn set_timeout(handler: &js_sys::Function, ms: f64, native: bool) -> JsValue;

    /// `clearTimeout`, the same way.
    #[wasm_bindgen(js_name = clearTimer)]
    pub fn clear_timeout(id: &JsValue, native: bool);

    #[wasm_bindgen(js_name = now)]
    fn clock(native: bool) -> f64;

    /// Runs `f` in a microtask, as a promise reaction (see timers.js).
    #[wasm_bindgen(js_name = microtask)]
    pub fn queue_microtask(f: &js_sys::Function);

    /// True when the global scope has `addEventListener` (a window or a
    /// worker). Asked in JavaScript: `js_sys::global()` would link its search
    /// of four globals.
    #[wasm_bindgen(js_name = hasListeners)]
    pub fn has_event_listeners() -> bool;
}

/// Milliseconds of the page's `Date.now` (`native`: the one it had at load),
/// never going backwards.
pub fn now(native: bool) -> u64 {
    clock(native) as u64
}

/// A seed for the core's random source.
pub fn seed() -> u64 {
    let hi = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let lo = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (hi << 32) | lo
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// Copies a JavaScript string into Rust with the browser's native
/// `TextEncoder.encodeInto`, straight into wasm memory (much faster for large
/// payloads than a character loop).
pub fn string_from_js(s: &js_sys::JsString) -> String {
    let units = s.length() as usize;
    // ASCII needs one byte per UTF-16 unit; retry with the worst case (3) if needed.
    for cap in [units + 16, units.saturating_mul(3) + 16] {
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        // SAFETY: the view covers the vector's spare capacity and is used
        // before anything else can allocate (and so move) wasm memory.
        let view = unsafe { js_sys::Uint8Array::view_mut_raw(buf.as_mut_ptr(), cap) };
        let r = ENCODER.with(|e| e.encode_into(s, &view));
        if r.read() as usize == units {
            let written = (r.written() as usize).min(cap);
            // SAFETY: encodeInto wrote `written` bytes into the capacity.
            unsafe { buf.set_len(written) };
            // SAFETY: encodeInto writes well-formed UTF-8 (it encodes scalar
            // values; a lone surrogate becomes U+FFFD), so no second check
            // of the bytes (nor the standard library's validator) is needed.
            return unsafe { String::from_utf8_unchecked(buf) };
        }
    }
    String::new()
}
