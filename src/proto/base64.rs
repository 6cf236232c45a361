//! Standard base64 (RFC 4648, with padding), as used for binary records in
//! long-polling payloads (`b` + base64).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Appends the base64 encoding of `data` to `out`.
// Indexing cannot fail: `chunks_exact(3)` yields three bytes, the remainder has
// at least one, and every alphabet index is masked to 0..=63.
#[allow(clippy::indexing_slicing)]
pub fn encode_into(data: &[u8], out: &mut String) {
    out.reserve(data.len().div_ceil(3) * 4);
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        for shift in [18u32, 12, 6, 0] {
            out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
        }
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let b0 = u32::from(rest[0]);
        let b1 = rest.get(1).map_or(0, |b| u32::from(*b));
        let n = (b0 << 16) | (b1 << 8);
        out.push(char::from(ALPHABET[((n >> 18) & 63) as usize]));
        out.push(char::from(ALPHABET[((n >> 12) & 63) as usize]));
        if rest.len() == 2 {
            out.push(char::from(ALPHABET[((n >> 6) & 63) as usize]));
        } else {
            out.push('=');
        }
        out.push('=');
    }
}

fn value(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    } as u32)
}

/// Decodes base64; padding is optional. Returns `None` on any invalid character
/// or an impossible length.
pub fn decode(input: &str) -> Option<Vec<u8>> {
    let bytes = input.as_bytes();
    let mut end = bytes.len();
    while end > 0 && bytes.get(end - 1) == Some(&b'=') {
        end -= 1;
    }
    if bytes.len() - end > 2 {
        return None;
    }
    let body = bytes.get(..end)?;
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &c in body {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(d: &[u8]) -> String {
        let mut s = String::new();
        encode_into(d, &mut s);
        s
    }

    #[test]
    fn rfc4648_vectors() {
        let cases: [(&str, &str); 7] = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in cases {
            assert_eq!(enc(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn protocol_example() {
        // The Engine.IO v4 document: buffer <01 02 03 04> is "AQIDBA==".
        assert_eq!(enc(&[1, 2, 3, 4]), "AQIDBA==");
        assert_eq!(decode("AQIDBA==").unwrap(), vec![1, 2, 3, 4]);
        assert_eq!(decode("AQIDBA").unwrap(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn all_bytes_round_trip() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        assert_eq!(decode(&enc(&data)).unwrap(), data);
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(decode("A"), None);
        assert_eq!(decode("AB*D"), None);
        assert_eq!(decode("AQ==="), None);
        assert_eq!(decode("é"), None);
    }
}
