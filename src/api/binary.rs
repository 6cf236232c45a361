//! Binary values inside typed payloads.

use std::cell::RefCell;
use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

thread_local! {
    /// Attachments collected while an emit serializes its payload.
    static OUTGOING: RefCell<Option<Vec<Vec<u8>>>> = const { RefCell::new(None) };
    /// Attachments of the payload being deserialized.
    static INCOMING: RefCell<Option<Vec<Vec<u8>>>> = const { RefCell::new(None) };
}

/// Bytes sent and received as a binary attachment (an `ArrayBuffer` on the
/// JavaScript side, a `Buffer` on a Node.js server), anywhere in a payload.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")] {
/// use serde::{Deserialize, Serialize};
/// use socketio_wasm::Binary;
///
/// #[derive(Serialize, Deserialize)]
/// struct Upload {
///     name: String,
///     data: Binary,
/// }
///
/// let socket = socketio_wasm::io("http://localhost:3000").connect();
/// let upload = Upload { name: "a.bin".into(), data: Binary::from(vec![1, 2, 3]) };
/// socket.emit("upload", &upload).unwrap();
/// # }
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Binary(pub Vec<u8>);

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Binary({} bytes)", self.0.len())
    }
}

impl Deref for Binary {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Binary(bytes)
    }
}

impl From<&[u8]> for Binary {
    fn from(bytes: &[u8]) -> Self {
        Binary(bytes.to_vec())
    }
}

impl From<Binary> for Vec<u8> {
    fn from(binary: Binary) -> Self {
        binary.0
    }
}

/// Serializes `f`'s payload collecting the [`Binary`] values as attachments.
pub(crate) fn collect<R>(f: impl FnOnce() -> R) -> (R, Vec<Vec<u8>>) {
    let previous = OUTGOING.with(|outgoing| outgoing.borrow_mut().replace(Vec::new()));
    let result = f();
    let attachments =
        OUTGOING.with(|outgoing| std::mem::replace(&mut *outgoing.borrow_mut(), previous)).unwrap_or_default();
    (result, attachments)
}

/// Deserializes with `attachments` available to [`Binary`] placeholders.
pub(crate) fn with_attachments<R>(attachments: &[Vec<u8>], f: impl FnOnce() -> R) -> R {
    let previous = INCOMING.with(|incoming| incoming.borrow_mut().replace(attachments.to_vec()));
    let result = f();
    INCOMING.with(|incoming| *incoming.borrow_mut() = previous);
    result
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let num = OUTGOING.with(|outgoing| {
            outgoing.borrow_mut().as_mut().map(|list| {
                list.push(self.0.clone());
                list.len() - 1
            })
        });
        match num {
            Some(num) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("_placeholder", &true)?;
                map.serialize_entry("num", &num)?;
                map.end()
            }
            None => serializer.serialize_bytes(&self.0),
        }
    }
}

struct BinaryVisitor;

impl<'de> Visitor<'de> for BinaryVisitor {
    type Value = Binary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a binary attachment placeholder or an array of bytes")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Binary, E> {
        Ok(Binary(bytes.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Binary, E> {
        Ok(Binary(bytes))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Binary, A::Error> {
        let mut out = Vec::new();
        while let Some(byte) = seq.next_element::<u8>()? {
            out.push(byte);
        }
        Ok(Binary(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Binary, A::Error> {
        let mut placeholder = false;
        let mut num: Option<usize> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "_placeholder" => placeholder = map.next_value()?,
                "num" => num = Some(map.next_value()?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let num = match (placeholder, num) {
            (true, Some(num)) => num,
            _ => return Err(de::Error::custom("not a binary placeholder")),
        };
        INCOMING
            .with(|incoming| incoming.borrow().as_ref().and_then(|list| list.get(num).cloned()))
            .map(Binary)
            .ok_or_else(|| de::Error::custom("binary placeholder without its attachment"))
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Binary, D::Error> {
        deserializer.deserialize_any(BinaryVisitor)
    }
}
