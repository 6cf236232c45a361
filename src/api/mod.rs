//! The Rust face: an idiomatic async API over the same driver as the npm
//! package, for Yew, Leptos or plain `wasm-bindgen` frontends.
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Chat {
//!     user: String,
//!     text: String,
//! }
//!
//! let socket = socketio_wasm::io("http://localhost:3000")
//!     .auth(serde_json::json!({ "token": "abc" }))
//!     .reconnection_delay(std::time::Duration::from_millis(500))
//!     .connect();
//!
//! // A handler with a typed payload; dropping the guard unsubscribes.
//! let _chat = socket.on("chat", |msg: Chat| web_sys_log(&msg.text));
//!
//! socket.emit("chat", &Chat { user: "me".into(), text: "hello".into() })?;
//! let count: u32 = socket.emit_with_ack("count", &()).await?;
//! # let _ = count;
//! # Ok(())
//! # }
//! # fn web_sys_log(_: &str) {}
//! ```

// Where things are (one responsibility per file):
//
// - `builder.rs`: `io` and `SocketBuilder`, one method per option.
// - `manager.rs`: `Manager`, one connection shared by the sockets of its
//   namespaces; `engine.rs`: what it runs on (a `web::Driver`, or a
//   connection shared with other tabs: `shared/`).
// - `socket.rs`: `Socket` and `WeakSocket`: state queries, connect,
//   disconnect, auth.
// - `emit.rs`: `Emitter` and the `emit*` methods; arguments to JSON.
// - `handlers.rs`: the `on*` methods, `Subscription`, and the handler
//   lists of one socket.
// - `registry.rs`: the sockets of a manager by id, and `dispatch`, which
//   turns the driver's events into handler calls and state changes.
// - `shared/`: `.shared(true)`, one connection for the tabs of an origin.
// - `message.rs`: `Message`, an event from the server, and its ack.
// - `stream.rs`: `EventStream` and `StateStream`.
// - `state.rs`: `ConnectionState` and `SocketEvent`.
// - `binary.rs`: `Binary`, attachments through serde; `error.rs`: the errors.
// - `de.rs`, `ser.rs`: the serde `Deserializer` of received arguments and the
//   `Serializer` of emitted ones (JSON text), smaller than serde_json's.
// - `leptos.rs`, `yew.rs`: the framework hooks (features `leptos`, `yew`).

mod binary;
mod builder;
mod de;
mod engine;
mod error;
#[cfg(feature = "leptos")]
pub mod leptos;
mod manager;
mod message;
mod registry;
mod ser;
mod shared;
mod state;
#[cfg(feature = "yew")]
pub mod yew;

// The methods of `Socket`, in the order its documentation lists them: what it
// is and connecting; emitting; handlers; streams.
mod socket;

mod emit;

mod handlers;

mod stream;

use std::time::Duration;

pub use binary::Binary;
pub use builder::{io, SocketBuilder};
pub use emit::Emitter;
pub use error::{AckError, ConnectError, DecodeError, EmitError};
pub use handlers::Subscription;
pub use manager::Manager;
pub use message::Message;
pub use socket::{Socket, WeakSocket};
pub use state::{ConnectionState, SocketEvent};
pub use stream::{EventStream, StateStream};

pub use crate::proto::Reason as DisconnectReason;
pub use crate::proto::TransportKind as Transport;

/// A duration in whole milliseconds, as the core counts time.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The path a received event's argument takes through this API, for
/// `bench/serde-path` (which compares it with `serde-wasm-bindgen`); not part
/// of the API.
#[cfg(feature = "bench-serde")]
#[doc(hidden)]
pub mod bench_serde {
    use serde::de::DeserializeOwned;

    use crate::proto::{Codec, Payload, TextCodec};

    /// The first argument of an event as `T`, from the message's text after
    /// its header (`["name", ...args]`): copied into wasm memory as the shell
    /// does, checked as the codec does, then read as `Message::arg(0)` does.
    pub fn first_arg<T: DeserializeOwned>(text: &js_sys::JsString) -> Option<T> {
        let text = crate::web::string_from_js(text);
        let data = TextCodec::args(&text, "", true)?;
        super::Message::new(Payload { data, attachments: Vec::new() }, None).arg(0).ok()
    }
}
