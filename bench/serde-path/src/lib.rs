//! One received argument decoded into a typed value, by each path a Rust API
//! could take (see `bench/serde-path.mjs`). Each export returns a number
//! computed from every field, so nothing is optimised away.

// The build with neither path (the size baseline) uses none of the types.
#![cfg_attr(not(any(feature = "text", feature = "value")), allow(dead_code))]

use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// A typical chat event's argument.
#[derive(Deserialize)]
pub struct Chat {
    user: String,
    text: String,
    room: u32,
    tags: Vec<String>,
    meta: Meta,
}

#[derive(Deserialize)]
pub struct Meta {
    ts: f64,
    edited: bool,
}

fn score(c: &Chat) -> u32 {
    let n = c.user.len() + c.text.len() + c.tags.iter().map(String::len).sum::<usize>();
    n as u32 + c.room + u32::from(c.meta.edited) + (c.meta.ts as u32 & 1)
}

fn score_all(list: &[Chat]) -> u32 {
    list.iter().map(score).fold(0, u32::wrapping_add)
}

/// Present in every build, so that the build without either path is a module too.
#[wasm_bindgen]
pub fn base(x: u32) -> u32 {
    x.wrapping_mul(3)
}

/// `["chat", {..}]` as text: the API's text path to a `Chat`.
#[cfg(feature = "text")]
#[wasm_bindgen]
pub fn text_one(text: &js_sys::JsString) -> u32 {
    socketio_wasm::api::bench_serde::first_arg::<Chat>(text).map_or(u32::MAX, |c| score(&c))
}

/// `["list", [{..}, ...]]` as text: the API's text path to a `Vec<Chat>`.
#[cfg(feature = "text")]
#[wasm_bindgen]
pub fn text_many(text: &js_sys::JsString) -> u32 {
    socketio_wasm::api::bench_serde::first_arg::<Vec<Chat>>(text).map_or(u32::MAX, |l| score_all(&l))
}

/// The argument `JSON.parse` made: serde-wasm-bindgen to a `Chat`.
#[cfg(feature = "value")]
#[wasm_bindgen]
pub fn value_one(v: JsValue) -> u32 {
    serde_wasm_bindgen::from_value::<Chat>(v).map_or(u32::MAX, |c| score(&c))
}

/// The argument `JSON.parse` made: serde-wasm-bindgen to a `Vec<Chat>`.
#[cfg(feature = "value")]
#[wasm_bindgen]
pub fn value_many(v: JsValue) -> u32 {
    serde_wasm_bindgen::from_value::<Vec<Chat>>(v).map_or(u32::MAX, |l| score_all(&l))
}
