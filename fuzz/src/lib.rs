//! Drivers for the fuzz targets of `socketio-wasm`'s sans-IO core.
//!
//! Each public function takes raw fuzz input, runs one decoder (or the whole
//! [`Client`](socketio_wasm::proto::Client)) on it, and checks a few properties that must hold for every
//! input besides "does not panic". The cargo-fuzz targets in `fuzz_targets/`
//! call them, and so does the main crate's `tests/no_panic.rs` (it includes
//! this file, and so its modules, as `mod drivers`), so the same checks run on
//! every `cargo test`. Submodules therefore name this one `super`, never `crate`.
//!
//! Only `socketio_wasm` and `std` may be used here.
//!
//! One driver per file, named as its target in `fuzz_targets/`; the
//! `client_frames` driver runs its client in `sim.rs` (the shell and server)
//! with the script operations of `script.rs`.

mod base64;
mod client_frames;
mod eio_payload;
mod eio_text;
mod json;
mod script;
mod sim;
mod sio_decode;
mod url;

pub use base64::base64;
pub use client_frames::{client_frames, run_client};
pub use eio_payload::{check_out_packets, eio_payload};
pub use eio_text::eio_text;
pub use json::{check_json, json, reference_is_valid};
pub use sim::{Sim, Stats};
pub use sio_decode::sio_decode;
pub use url::url;

/// The fuzz input as text (invalid UTF-8 becomes U+FFFD).
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// User payload text as a shell hands it over: `JSON.stringify` and serde
/// never leave a raw control character (such as the polling separator
/// `\x1e`) in their output, so none is passed here; the text may still be
/// invalid JSON.
pub fn user_text(data: &[u8]) -> String {
    text(data).replace(|c: char| c < ' ', " ")
}

/// `data` in base64, as the core encodes it.
fn b64(data: &[u8]) -> String {
    let mut s = String::new();
    socketio_wasm::proto::base64::encode_into(data, &mut s);
    s
}
