//! The few browser globals the shell uses, bound so they work in a window
//! and in a worker alike.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
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
