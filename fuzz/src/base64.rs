//! The `base64` driver.

use socketio_wasm::proto::base64;

use super::{b64, text};

/// Bytes survive encode -> decode; text that decodes re-encodes to the same
/// bytes, with or without padding.
pub fn base64(data: &[u8]) {
    let enc = b64(data);
    assert_eq!(enc.len(), data.len().div_ceil(3) * 4);
    assert_eq!(base64::decode(&enc).as_deref(), Some(data));
    assert_eq!(base64::decode(enc.trim_end_matches('=')).as_deref(), Some(data));

    let s = text(data);
    if let Some(v) = base64::decode(&s) {
        let body = s.trim_end_matches('=');
        assert!(body.bytes().all(|c| c.is_ascii_alphanumeric() || b"+/-_".contains(&c)), "{s:?}");
        assert_eq!(v.len(), body.len() * 3 / 4);
        assert_eq!(base64::decode(&b64(&v)), Some(v));
    }
}
