//! socketioxide server driven by the e2e harness over stdin/stdout (tests/interop/support/remote.mjs).
//!
//! The Socket.IO protocol is entirely socketioxide's: this process reports what happens (connection
//! requests, events with or without an ack id, disconnections, transport upgrades) as one JSON object per
//! line on stdout, and carries out the orders it reads on stdin (accept or refuse a connection, emit,
//! emit with an ack, answer an ack, disconnect a socket, shut down).
//!
//! Binary values travel as {"\u0000bin": "<base64>"} in both directions.
//!
//! Usage: sio-interop-server --port N --options '{"pingInterval":100}' --namespaces '["/","/admin"]'

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{json, Number, Value as Json};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Data, Event, SocketRef, TryData};
use socketioxide::handler::{ConnectHandler, FromMessageParts, Value as SioValue};
use socketioxide::socket::{DisconnectReason, Socket};
use socketioxide::{SocketIo, TransportType};
use tokio::io::AsyncBufReadExt;
use tokio::sync::oneshot;

const BIN: &str = "\u{0}bin";

// ---------------------------------------------------------------------------------------------------
// values: JSON with binary, (de)serialized through socketioxide's parser

#[derive(Debug, Clone)]
enum V {
    Null,
    Bool(bool),
    Num(Number),
    Str(String),
    Bin(Vec<u8>),
    Arr(Vec<V>),
    Obj(Vec<(String, V)>),
}

impl Serialize for V {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            V::Null => s.serialize_unit(),
            V::Bool(b) => s.serialize_bool(*b),
            V::Num(n) => n.serialize(s),
            V::Str(x) => s.serialize_str(x),
            V::Bin(b) => s.serialize_bytes(b),
            V::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            V::Obj(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

struct VVisitor;

impl<'de> Visitor<'de> for VVisitor {
    type Value = V;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value or binary")
    }
    fn visit_unit<E: de::Error>(self) -> Result<V, E> {
        Ok(V::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<V, E> {
        Ok(V::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V, D::Error> {
        d.deserialize_any(VVisitor)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V, E> {
        Ok(V::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V, E> {
        Ok(V::Num(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V, E> {
        Ok(V::Num(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V, E> {
        Ok(Number::from_f64(v).map(V::Num).unwrap_or(V::Null))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<V, E> {
        Ok(V::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<V, E> {
        Ok(V::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V, E> {
        Ok(V::Bin(v.to_vec()))
    }
    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V, E> {
        Ok(V::Bin(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<V, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<V>()? {
            items.push(item);
        }
        Ok(V::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, V>()? {
            entries.push((k, v));
        }
        Ok(V::Obj(entries))
    }
}

impl<'de> Deserialize<'de> for V {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<V, D::Error> {
        d.deserialize_any(VVisitor)
    }
}

/// Every argument of an event or an ack (a tuple for socketioxide's parser: one value per argument).
#[derive(Debug, Clone)]
struct Args(Vec<V>);

impl Serialize for Args {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(self.0.len())?;
        for v in &self.0 {
            t.serialize_element(v)?;
        }
        t.end()
    }
}

struct ArgsVisitor;

impl<'de> Visitor<'de> for ArgsVisitor {
    type Value = Args;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of arguments")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Args, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<V>()? {
            items.push(item);
        }
        Ok(Args(items))
    }
}

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Args, D::Error> {
        d.deserialize_tuple(usize::MAX, ArgsVisitor)
    }
}

fn to_json(v: &V) -> Json {
    match v {
        V::Null => Json::Null,
        V::Bool(b) => Json::Bool(*b),
        V::Num(n) => Json::Number(n.clone()),
        V::Str(s) => Json::String(s.clone()),
        V::Bin(b) => json!({ BIN: base64::engine::general_purpose::STANDARD.encode(b) }),
        V::Arr(items) => Json::Array(items.iter().map(to_json).collect()),
        V::Obj(entries) => Json::Object(entries.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

fn from_json(j: &Json) -> V {
    match j {
        Json::Null => V::Null,
        Json::Bool(b) => V::Bool(*b),
        Json::Number(n) => V::Num(n.clone()),
        Json::String(s) => V::Str(s.clone()),
        Json::Array(items) => V::Arr(items.iter().map(from_json).collect()),
        Json::Object(map) => {
            if map.len() == 1 {
                if let Some(Json::String(b64)) = map.get(BIN) {
                    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
                        return V::Bin(bytes);
                    }
                }
            }
            V::Obj(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

fn args_json(args: &Args) -> Json {
    Json::Array(args.0.iter().map(to_json).collect())
}

fn args_from(j: Option<&Json>) -> Args {
    match j {
        Some(Json::Array(items)) => Args(items.iter().map(from_json).collect()),
        _ => Args(Vec::new()),
    }
}

// ---------------------------------------------------------------------------------------------------
// bridge state

struct Decision {
    ok: bool,
    message: String,
}

#[derive(Default)]
struct State {
    next: u64,
    decisions: HashMap<u64, oneshot::Sender<Decision>>,
    client_acks: HashMap<u64, AckSender>,
    sockets: HashMap<(String, String), SocketRef>,
    backlog: HashMap<(String, String), Vec<Json>>,
    /// engine connection id -> (namespace sockets on it, last transport reported)
    engines: HashMap<String, (usize, &'static str)>,
}

struct Bridge {
    out: std::sync::mpsc::Sender<Option<String>>,
    state: Mutex<State>,
    io: OnceLock<SocketIo>,
}

static BRIDGE: OnceLock<Bridge> = OnceLock::new();

fn bridge() -> &'static Bridge {
    BRIDGE.get().expect("bridge initialised")
}

fn send(msg: Json) {
    let _ = bridge().out.send(Some(msg.to_string()));
}

fn next_id(st: &mut State) -> u64 {
    st.next += 1;
    st.next
}

/// socketioxide does not expose the Engine.IO session id; the address of the connection's request
/// parts, shared by every namespace socket of one Engine.IO connection, stands in for it.
fn engine_id(s: &SocketRef) -> String {
    format!("e{:x}", s.req_parts() as *const _ as usize)
}

fn transport_name(t: TransportType) -> &'static str {
    match t {
        TransportType::Websocket => "websocket",
        TransportType::Polling => "polling",
    }
}

fn reason_name(r: DisconnectReason) -> &'static str {
    match r {
        DisconnectReason::TransportClose => "transport close",
        DisconnectReason::TransportError => "transport error",
        DisconnectReason::HeartbeatTimeout => "ping timeout",
        DisconnectReason::ClientNSDisconnect => "client namespace disconnect",
        DisconnectReason::ServerNSDisconnect => "server namespace disconnect",
        DisconnectReason::ClosingServer => "server shutting down",
        DisconnectReason::MultipleHttpPollingError => "multiple polling requests",
        DisconnectReason::PacketParsingError => "parse error",
    }
}

/// Extractor: whether the client asked for an ack.
struct AckRequested(bool);

impl<A: Adapter> FromMessageParts<A> for AckRequested {
    type Error = Infallible;
    fn from_message_parts(_: &Arc<Socket<A>>, _: &mut SioValue, ack_id: &Option<i64>) -> Result<Self, Infallible> {
        Ok(AckRequested(ack_id.is_some()))
    }
}

#[derive(Debug)]
struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// ---------------------------------------------------------------------------------------------------
// handlers

fn query_of(s: &SocketRef) -> Json {
    let mut out = serde_json::Map::new();
    if let Some(q) = s.req_parts().uri.query() {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            out.insert(percent_decode(k), Json::String(percent_decode(v)));
        }
    }
    Json::Object(out)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'+' {
            out.push(b' ');
        } else if b == b'%' && i + 2 < bytes.len() {
            match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b),
            }
        } else {
            out.push(b);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn headers_of(s: &SocketRef) -> Json {
    let mut out = serde_json::Map::new();
    for (k, v) in s.req_parts().headers.iter() {
        out.insert(k.as_str().to_owned(), Json::String(String::from_utf8_lossy(v.as_bytes()).into_owned()));
    }
    Json::Object(out)
}

async fn admit(s: SocketRef, Data(auth): Data<V>) -> Result<(), Refused> {
    let (tx, rx) = oneshot::channel();
    let req = {
        let mut st = bridge().state.lock().unwrap();
        let id = next_id(&mut st);
        st.decisions.insert(id, tx);
        id
    };
    send(json!({
        "ev": "connect-request",
        "req": req,
        "nsp": s.ns(),
        "sid": s.id.to_string(),
        "eioSid": engine_id(&s),
        "auth": to_json(&auth),
        "query": query_of(&s),
        "headers": headers_of(&s),
        "transport": transport_name(s.transport_type()),
    }));
    match rx.await {
        Ok(d) if d.ok => Ok(()),
        Ok(d) => Err(Refused(d.message)),
        Err(_) => Err(Refused("server shutting down".into())),
    }
}

async fn on_connect(s: SocketRef) {
    s.on_fallback(
        async |s: SocketRef, Event(event): Event, asked: AckRequested, ack: AckSender, TryData(data): TryData<Args>| {
            let args = match data {
                Ok(a) => a,
                Err(e) => {
                    eprintln!("event {event:?}: undecodable arguments: {e}");
                    return;
                }
            };
            let ack_id = if asked.0 {
                let mut st = bridge().state.lock().unwrap();
                let id = next_id(&mut st);
                st.client_acks.insert(id, ack);
                Json::from(id)
            } else {
                Json::Null
            };
            send(json!({
                "ev": "event", "nsp": s.ns(), "sid": s.id.to_string(),
                "event": event, "args": args_json(&args), "ack": ack_id,
            }));
        },
    );
    s.on_disconnect(async |s: SocketRef, reason: DisconnectReason| {
        let key = (s.ns().to_owned(), s.id.to_string());
        let eid = engine_id(&s);
        let engine_gone = {
            let mut st = bridge().state.lock().unwrap();
            st.sockets.remove(&key);
            st.backlog.remove(&key);
            match st.engines.get_mut(&eid) {
                Some(entry) if entry.0 > 1 => {
                    entry.0 -= 1;
                    false
                }
                Some(_) => {
                    st.engines.remove(&eid);
                    true
                }
                None => false,
            }
        };
        send(json!({ "ev": "disconnect", "nsp": key.0, "sid": key.1, "reason": reason_name(reason) }));
        if engine_gone {
            send(json!({ "ev": "eio-close", "eioSid": eid }));
        }
    });
    // the CONNECT packet is out: emits ordered meanwhile go now, in order
    let key = (s.ns().to_owned(), s.id.to_string());
    let eid = engine_id(&s);
    let transport = transport_name(s.transport_type());
    let mut st = bridge().state.lock().unwrap();
    let new_engine = !st.engines.contains_key(&eid);
    st.engines.entry(eid.clone()).or_insert((0, transport)).0 += 1;
    if new_engine {
        send(json!({ "ev": "eio-open", "eioSid": eid }));
        send(json!({ "ev": "transport", "eioSid": eid, "transport": transport }));
    }
    st.sockets.insert(key.clone(), s.clone());
    for command in st.backlog.remove(&key).unwrap_or_default() {
        emit_to(&s, &command);
    }
}

fn emit_to(s: &SocketRef, command: &Json) {
    let event = event_name(command);
    let args = args_from(command.get("args"));
    match command.get("ack").and_then(Json::as_u64) {
        Some(ack) => match s.emit_with_ack::<Args, Args>(event, &args) {
            Ok(stream) => {
                tokio::spawn(async move {
                    if let Ok(answer) = stream.await {
                        send(json!({ "ev": "ack", "ack": ack, "args": args_json(&answer) }));
                    }
                });
            }
            Err(e) => eprintln!("emit_with_ack failed: {e}"),
        },
        None => {
            if let Err(e) = s.emit(event, &args) {
                eprintln!("emit failed: {e}");
            }
        }
    }
}

fn event_name(command: &Json) -> String {
    match command.get("event") {
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

async fn handle(command: Json) -> bool {
    let op = command.get("op").and_then(Json::as_str).unwrap_or("");
    let nsp = command.get("nsp").and_then(Json::as_str).unwrap_or("/").to_owned();
    let sid = command.get("sid").and_then(Json::as_str).map(str::to_owned);
    match op {
        "decision" => {
            let req = command.get("req").and_then(Json::as_u64).unwrap_or(0);
            let tx = bridge().state.lock().unwrap().decisions.remove(&req);
            if let Some(tx) = tx {
                let ok = command.get("ok").and_then(Json::as_bool).unwrap_or(false);
                let message = command.get("message").and_then(Json::as_str).unwrap_or("").to_owned();
                let _ = tx.send(Decision { ok, message });
            }
        }
        "ack" => {
            let ack = command.get("ack").and_then(Json::as_u64).unwrap_or(0);
            let sender = bridge().state.lock().unwrap().client_acks.remove(&ack);
            if let Some(sender) = sender {
                let _ = sender.send(&args_from(command.get("args")));
            }
        }
        "emit" => match sid {
            Some(sid) => {
                let mut st = bridge().state.lock().unwrap();
                let key = (nsp, sid);
                match st.sockets.get(&key).cloned() {
                    Some(s) => emit_to(&s, &command),
                    None => st.backlog.entry(key).or_default().push(command),
                }
            }
            None => {
                let io = bridge().io.get().expect("io").clone();
                if let Some(ops) = io.of(&nsp) {
                    let args = args_from(command.get("args"));
                    if let Err(e) = ops.emit(event_name(&command), &args).await {
                        eprintln!("broadcast failed: {e}");
                    }
                }
            }
        },
        "disconnect" => {
            let s = sid.and_then(|sid| bridge().state.lock().unwrap().sockets.get(&(nsp, sid)).cloned());
            if let Some(s) = s {
                let _ = s.disconnect();
            }
        }
        "shutdown" => return false,
        other => eprintln!("unsupported order {other:?}"),
    }
    true
}

/// Reports transport upgrades (socketioxide has no upgrade hook: the transports are sampled).
async fn watch_transports() {
    loop {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let mut st = bridge().state.lock().unwrap();
        let sockets: Vec<SocketRef> = st.sockets.values().cloned().collect();
        for s in sockets {
            let eid = engine_id(&s);
            let now = transport_name(s.transport_type());
            if let Some(entry) = st.engines.get_mut(&eid) {
                if entry.1 != now {
                    entry.1 = now;
                    send(json!({ "ev": "transport", "eioSid": eid, "transport": now }));
                }
            }
        }
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let port: u16 = arg(&argv, "--port").and_then(|p| p.parse().ok()).unwrap_or(0);
    let options: Json = arg(&argv, "--options").and_then(|o| serde_json::from_str(&o).ok()).unwrap_or(json!({}));
    let namespaces: Vec<String> =
        arg(&argv, "--namespaces").and_then(|n| serde_json::from_str(&n).ok()).unwrap_or_else(|| vec!["/".to_owned()]);

    let (out, lines) = std::sync::mpsc::channel::<Option<String>>();
    let writer = std::thread::spawn(move || {
        let stdout = std::io::stdout();
        for line in lines {
            let Some(line) = line else { break };
            let mut lock = stdout.lock();
            if writeln!(lock, "{line}").and_then(|_| lock.flush()).is_err() {
                break;
            }
        }
    });
    let _ = BRIDGE.set(Bridge { out, state: Mutex::new(State::default()), io: OnceLock::new() });

    let ms = |key: &str| options.get(key).and_then(Json::as_f64).map(|v| Duration::from_millis(v as u64));
    // Node's socket.io buffers without limit; socketioxide refuses emits past `max_buffer_size` packets
    // queued for one client (128 by default), and the e2e tests emit bursts of 200.
    let mut builder = SocketIo::builder().ack_timeout(Duration::from_secs(120)).max_buffer_size(4096);
    if let Some(d) = ms("pingInterval") {
        builder = builder.ping_interval(d);
    }
    if let Some(d) = ms("pingTimeout") {
        builder = builder.ping_timeout(d);
    }
    let max = options.get("maxHttpBufferSize").and_then(Json::as_f64).unwrap_or(1e6) as u64;
    builder = builder.max_payload(max);
    let (layer, io) = builder.build_layer();
    for nsp in namespaces {
        io.ns(nsp, on_connect.with(admit));
    }
    let _ = bridge().io.set(io.clone());

    let app = axum::Router::new().layer(layer).layer(tower_http::cors::CorsLayer::permissive());
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    send(json!({ "ev": "listening", "port": port }));

    tokio::spawn(watch_transports());
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        loop {
            match lines.next_line().await {
                Ok(Some(line)) => {
                    let Ok(command) = serde_json::from_str::<Json>(&line) else {
                        eprintln!("ignoring a line that is not JSON");
                        continue;
                    };
                    if !handle(command).await {
                        break;
                    }
                }
                _ => break,
            }
        }
        // like io.close(): every client is disconnected, then the process ends
        let _ = tokio::time::timeout(Duration::from_secs(2), io.close()).await;
        send(json!({ "ev": "stopped" }));
        let _ = bridge().out.send(None);
    });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("server error: {e}");
        }
    });
    let _ = tokio::task::spawn_blocking(move || writer.join()).await;
    // Returning would drop the runtime, which waits for the blocking read of stdin to end.
    std::process::exit(0);
}
