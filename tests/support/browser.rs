//! What the browser tests (tests/web.rs, api.rs, leptos.rs, yew.rs) share:
//! the address of the test server and waiting on the browser's clock. Each
//! includes this file with `#[path = "support/browser.rs"] mod browser;`.
#![allow(dead_code)]

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &js_sys::Function, ms: i32);
}

/// The socket.io server of tests/support/sio-server.mjs: `SIO_TEST_URL` at
/// compile time, else port 3000.
pub fn server() -> &'static str {
    option_env!("SIO_TEST_URL").unwrap_or("http://127.0.0.1:3000")
}

/// Resolves after `ms` milliseconds (a `setTimeout`).
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| set_timeout(&resolve, ms));
    let _ = JsFuture::from(p).await;
}

/// Waits (up to 15 s, checking every 20 ms) until `f` holds; panics naming
/// `what` when it never does. The margin is for a loaded machine, where
/// Chromium, the test server and the build share two cores.
pub async fn until(what: &str, f: impl Fn() -> bool) {
    for _ in 0..750 {
        if f() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}
