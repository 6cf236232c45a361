//! socketio-wasm: a Socket.IO client for the browser whose engine is Rust
//! compiled to WebAssembly.
//!
//! - [`proto`]: the sans-IO core (Engine.IO v4 + Socket.IO v5), plain Rust.
//! - `web` (wasm32 only): the browser shell: WebSocket, fetch, timers.
//! - `api` (wasm32, feature `api`): the async Rust API for Yew and Leptos.
//! - `bindings` (wasm32, feature `js`): the surface of the npm package.
#![deny(missing_docs)]
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
