//! socketio-wasm: a Socket.IO client for the browser whose engine is Rust
//! compiled to WebAssembly.
//!
//! - [`proto`]: the sans-IO core (Engine.IO v4 + Socket.IO v5), plain Rust.
//! - `web` (wasm32 only): the browser shell: WebSocket, fetch, timers.
//! - `api` (wasm32, feature `api`): the async Rust API for Yew and Leptos.
//! - `bindings` (wasm32, feature `js`): the surface of the npm package.
//!
//! # Quick start
//!
//! ```toml
//! [dependencies]
//! socketio-wasm = "0.1"   # features "leptos" or "yew" for the hooks
//! serde = { version = "1", features = ["derive"] }
//! ```
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # mod example {
//! use serde::Deserialize;
//! use socketio_wasm::{io, AckError};
//!
//! #[derive(Deserialize)]
//! struct Chat {
//!     user: String,
//!     text: String,
//! }
//!
//! async fn chat() -> Result<(), AckError> {
//!     let socket = io("https://example.com").connect();
//!     // Typed handler; dropping the guard removes it.
//!     let _chat = socket.on("chat", |msg: Chat| {
//!         let _ = (msg.user, msg.text);
//!     });
//!     // An emit with acknowledgement, answered as a typed value.
//!     let stored: u64 = socket.emit_with_ack("chat", "hello").await?;
//!     let _ = stored;
//!     Ok(())
//! }
//! # }
//! # fn main() {}
//! ```
//!
//! The Rust API, the shell and the hooks are compiled for `wasm32` only; the
//! core ([`proto`]) everywhere. Features: `api` (default: the Rust API),
//! `leptos` and `yew` (the hooks, with `api`), `js` (the npm package's
//! bindings).
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod proto;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod bindings;

#[cfg(all(target_arch = "wasm32", feature = "api"))]
pub mod api;

#[cfg(all(target_arch = "wasm32", feature = "api"))]
pub use api::{
    io, AckError, Binary, ConnectError, ConnectionState, DecodeError, DisconnectReason, EmitError, Emitter,
    EventStream, Manager, Message, Socket, SocketBuilder, SocketEvent, StateStream, Subscription, Transport,
    WeakSocket,
};
