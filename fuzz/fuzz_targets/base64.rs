#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| socketio_wasm_fuzz::base64(data));
