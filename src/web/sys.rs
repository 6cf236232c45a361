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

    /// `AbortSignal.timeout(ms)`.
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout)]
    pub fn abort_after(ms: f64) -> web_sys::AbortSignal;

    /// `AbortSignal.any(signals)`.
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any)]
    pub fn any_signal(signals: &js_sys::Array) -> web_sys::AbortSignal;

    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(handler: &js_sys::Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = queueMicrotask)]
    pub fn queue_microtask(f: &js_sys::Function);

    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue);

    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch(url: &str, init: &web_sys::RequestInit) -> js_sys::Promise;

    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    #[wasm_bindgen(js_name = addEventListener)]
    pub fn add_event_listener(kind: &str, handler: &js_sys::Function);

    #[wasm_bindgen(js_name = removeEventListener)]
    pub fn remove_event_listener(kind: &str, handler: &js_sys::Function);
}

/// Milliseconds on the page's monotonic clock.
pub fn now() -> u64 {
    performance_now() as u64
}

/// A seed for the core's random source.
pub fn seed() -> u64 {
    let hi = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let lo = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (hi << 32) | lo
}

/// True when the global scope has `addEventListener` (a window or a worker).
pub fn has_event_listeners() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("addEventListener"))
        .map(|f| f.is_function())
        .unwrap_or(false)
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
            // encodeInto writes well-formed UTF-8 (lone surrogates become U+FFFD).
            return String::from_utf8(buf).unwrap_or_default();
        }
    }
    String::new()
}
