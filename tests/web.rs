//! The browser shell in headless Chromium (wasm-bindgen-test), against the
//! real socket.io server of tests/support/sio-server.mjs, whose address the
//! test command passes at compile time in `SIO_TEST_URL`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg(target_arch = "wasm32")]

#[path = "support/browser.rs"]
mod browser;

use std::cell::RefCell;
use std::rc::Rc;

use socketio_wasm::proto::url;
use socketio_wasm::proto::{AckError, AckRequest, Emit, Event, Options, Payload, Reason, SocketOptions, TransportKind};
use socketio_wasm::web::{Driver, HttpOptions};
use wasm_bindgen_test::*;

use browser::{server, sleep};

wasm_bindgen_test_configure!(run_in_browser);

type Log = Rc<RefCell<Vec<Event>>>;

struct Harness {
    driver: Driver,
    log: Log,
}

impl Harness {
    fn new(transports: Vec<TransportKind>, tweak: impl FnOnce(&mut Options)) -> Harness {
        let log: Log = Rc::default();
        let sink = log.clone();
        let mut opts = Options { transports, ..Options::default() };
        tweak(&mut opts);
        let driver =
            Driver::new(&url::parse(server()), opts, HttpOptions::default(), move |ev| sink.borrow_mut().push(ev));
        Harness { driver, log }
    }

    fn socket(&self) -> u32 {
        self.driver.call(|c, now| c.socket(now, "/", SocketOptions::default())).unwrap()
    }

    fn emit(&self, s: u32, data: &str, token: Option<u32>, timeout: Option<u64>) {
        let e = Emit {
            payload: Payload { data: data.into(), attachments: Vec::new() },
            ack: token.map(|token| AckRequest { token, with_error: true }),
            volatile: false,
            timeout,
        };
        self.driver.call(|c, now| c.emit(now, s, e)).unwrap().unwrap();
    }

    /// Waits (up to 5 s) for an event matching `pred`, and returns it.
    async fn wait(&self, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
        for _ in 0..250 {
            if let Some(e) = self.log.borrow().iter().find(|e| pred(e)) {
                return e.clone();
            }
            sleep(20).await;
        }
        panic!("timed out waiting for {what}; got {:?}", self.log.borrow());
    }

    async fn connected(&self) {
        self.wait("connect", |e| matches!(e, Event::Connect(_))).await;
    }

    async fn ack(&self, token: u32) -> Result<Payload, AckError> {
        let ev = self.wait("ack", |e| matches!(e, Event::Ack { token: t, .. } if *t == token)).await;
        match ev {
            Event::Ack { result, .. } => result,
            _ => unreachable!(),
        }
    }
}

async fn round_trip(transports: Vec<TransportKind>) {
    let h = Harness::new(transports, |_| {});
    let s = h.socket();
    h.connected().await;
    assert!(h.driver.read(|c| c.is_connected(s)).unwrap());
    assert!(h.driver.read(|c| c.socket_sid(s).is_some()).unwrap());
    h.emit(s, r#"["echo",{"a":[1,"😀\u2028"]},null]"#, Some(7), None);
    let p = h.ack(7).await.unwrap();
    assert_eq!(p.data, "[{\"a\":[1,\"😀\u{2028}\"]},null]");
    h.driver.call(|c, now| c.disconnect(now, s));
    assert!(h.log.borrow().iter().any(|e| matches!(e, Event::Disconnect(_, Reason::IoClientDisconnect, _))));
}

#[wasm_bindgen_test]
async fn websocket_round_trip_with_ack() {
    round_trip(vec![TransportKind::WebSocket]).await;
}

#[wasm_bindgen_test]
async fn long_polling_through_fetch_round_trip_with_ack() {
    round_trip(vec![TransportKind::Polling]).await;
}

#[wasm_bindgen_test]
async fn upgrades_from_polling_to_websocket() {
    let h = Harness::new(vec![TransportKind::Polling, TransportKind::WebSocket], |_| {});
    let s = h.socket();
    h.wait("upgrade", |e| matches!(e, Event::Upgrade(TransportKind::WebSocket))).await;
    assert_eq!(h.driver.read(|c| c.transport()).unwrap(), Some(TransportKind::WebSocket));
    h.emit(s, r#"["echo","after upgrade"]"#, Some(1), None);
    assert_eq!(h.ack(1).await.unwrap().data, r#"["after upgrade"]"#);
}

#[wasm_bindgen_test]
async fn binary_attachments_cross_both_transports() {
    for t in [TransportKind::WebSocket, TransportKind::Polling] {
        let h = Harness::new(vec![t], |_| {});
        let s = h.socket();
        h.connected().await;
        let e = Emit {
            payload: Payload {
                data: r#"["echo",{"bin":{"_placeholder":true,"num":0}}]"#.into(),
                attachments: vec![vec![0, 1, 2, 255]],
            },
            ack: Some(AckRequest { token: 3, with_error: false }),
            ..Emit::default()
        };
        h.driver.call(|c, now| c.emit(now, s, e)).unwrap().unwrap();
        let p = h.ack(3).await.unwrap();
        assert_eq!(p.data, r#"[{"bin":{"_placeholder":true,"num":0}}]"#, "{t:?}");
        assert_eq!(p.attachments, vec![vec![0, 1, 2, 255]], "{t:?}");
    }
}

#[wasm_bindgen_test]
async fn the_timer_fires_ack_timeouts() {
    let h = Harness::new(vec![TransportKind::WebSocket], |_| {});
    let s = h.socket();
    h.connected().await;
    h.emit(s, r#"["never"]"#, Some(9), Some(150));
    assert_eq!(h.ack(9).await, Err(AckError::Timeout));
    // The heartbeat kept the connection: the server pings every 300 ms.
    h.wait("ping", |e| matches!(e, Event::Ping)).await;
    assert!(h.driver.read(|c| c.is_connected(s)).unwrap());
}

#[wasm_bindgen_test]
async fn handlers_may_call_back_into_the_driver() {
    let log: Log = Rc::default();
    let slot: Rc<RefCell<Option<Driver>>> = Rc::default();
    let (sink_log, sink_slot) = (log.clone(), slot.clone());
    let opts = Options { transports: vec![TransportKind::WebSocket], ..Options::default() };
    let driver = Driver::new(&url::parse(server()), opts, HttpOptions::default(), move |ev| {
        // Emit from inside the handler, as user code does.
        if let Event::Connect(s) = ev {
            let d = sink_slot.borrow().clone().unwrap();
            let e = Emit {
                payload: Payload { data: r#"["echo","from handler"]"#.into(), attachments: Vec::new() },
                ack: Some(AckRequest { token: 5, with_error: false }),
                ..Emit::default()
            };
            d.call(|c, now| c.emit(now, s, e)).unwrap().unwrap();
        }
        sink_log.borrow_mut().push(ev);
    });
    *slot.borrow_mut() = Some(driver.clone());
    driver.call(|c, now| c.socket(now, "/", SocketOptions::default()));
    let h = Harness { driver, log };
    assert_eq!(h.ack(5).await.unwrap().data, r#"["from handler"]"#);
    slot.borrow_mut().take();
}

#[wasm_bindgen_test]
async fn dropping_the_driver_closes_its_connection() {
    let probe = Harness::new(vec![TransportKind::WebSocket], |_| {});
    let ps = probe.socket();
    probe.connected().await;
    let count = |token| {
        probe.emit(ps, r#"["count"]"#, Some(token), None);
        probe.ack(token)
    };
    let before: usize = count(1).await.unwrap().data.trim_matches(['[', ']']).parse().unwrap();
    {
        let h = Harness::new(vec![TransportKind::WebSocket], |_| {});
        h.socket();
        h.connected().await;
        let during: usize = count(2).await.unwrap().data.trim_matches(['[', ']']).parse().unwrap();
        assert_eq!(during, before + 1);
    }
    // The dropped driver closed its WebSocket: the server forgets the socket.
    let mut after = usize::MAX;
    for token in 3..50 {
        after = count(token).await.unwrap().data.trim_matches(['[', ']']).parse().unwrap();
        if after == before {
            break;
        }
        sleep(50).await;
    }
    assert_eq!(after, before);
}

#[wasm_bindgen_test]
async fn an_unreachable_server_reports_connect_error_and_retries() {
    let h = {
        let log: Log = Rc::default();
        let sink = log.clone();
        let opts = Options {
            transports: vec![TransportKind::WebSocket],
            reconnection_delay: 50,
            reconnection_delay_max: 50,
            ..Options::default()
        };
        // Port 9 (discard) refuses connections on loopback.
        let driver = Driver::new(&url::parse("http://127.0.0.1:9"), opts, HttpOptions::default(), move |ev| {
            sink.borrow_mut().push(ev)
        });
        Harness { driver, log }
    };
    h.socket();
    h.wait("connect_error", |e| matches!(e, Event::ConnectError(..))).await;
    h.wait("second attempt", |e| matches!(e, Event::ReconnectAttempt(2))).await;
    h.driver.call(|c, now| c.close(now));
}

#[wasm_bindgen_test]
async fn many_server_events_arrive_in_order() {
    let h = Harness::new(vec![TransportKind::Polling], |_| {});
    let s = h.socket();
    h.connected().await;
    h.emit(s, r#"["push",500]"#, None, None);
    h.wait("last tick", |e| matches!(e, Event::Message { payload, .. } if payload.data == r#"["tick",499]"#)).await;
    let ticks: Vec<String> = h
        .log
        .borrow()
        .iter()
        .filter_map(|e| match e {
            Event::Message { payload, .. } => Some(payload.data.clone()),
            _ => None,
        })
        .collect();
    let expected: Vec<String> = (0..500).map(|i| format!(r#"["tick",{i}]"#)).collect();
    assert_eq!(ticks, expected);
}

/// Closes the engine `cycles` times and lets the manager reconnect each time;
/// returns the live JS values held by the module and the wasm memory size,
/// measured after `warmup` cycles and at the end.
async fn reconnect_cycles(transports: Vec<TransportKind>, warmup: u32, cycles: u32) -> [(u32, f64); 2] {
    let connects = Rc::new(std::cell::Cell::new(0u32));
    let seen = connects.clone();
    let opts = Options {
        transports,
        reconnection_delay: 1,
        reconnection_delay_max: 1,
        randomization_factor: 0.0,
        ..Options::default()
    };
    // Only counts: a sink that stored events would grow the heap itself.
    let driver = Driver::new(&url::parse(server()), opts, HttpOptions::default(), move |ev: Event| {
        if matches!(ev, Event::Connect(_)) {
            seen.set(seen.get() + 1);
        }
    });
    driver.call(|c, now| c.socket(now, "/", SocketOptions::default()));
    let memory = || {
        js_sys::Reflect::get(&wasm_bindgen::memory(), &"buffer".into())
            .ok()
            .and_then(|b| js_sys::Reflect::get(&b, &"byteLength".into()).ok())
            .and_then(|n| n.as_f64())
            .unwrap_or(0.0)
    };
    let mut at_warmup = (0, 0.0);
    for cycle in 1..=cycles {
        let mut waited = 0;
        while connects.get() < cycle {
            sleep(1).await;
            waited += 1;
            assert!(waited < 5000, "cycle {cycle}: no connection");
        }
        if cycle == warmup {
            at_warmup = (wasm_bindgen::externref_heap_live_count(), memory());
        }
        driver.call(|c, now| c.close_engine(now));
    }
    while connects.get() <= cycles {
        sleep(1).await;
    }
    let end = (wasm_bindgen::externref_heap_live_count(), memory());
    driver.call(|c, now| c.close(now));
    [at_warmup, end]
}

#[wasm_bindgen_test]
async fn a_thousand_reconnections_leak_no_listener_timer_or_request() {
    for transports in [vec![TransportKind::WebSocket], vec![TransportKind::Polling]] {
        let [(refs_warm, mem_warm), (refs_end, mem_end)] = reconnect_cycles(transports.clone(), 100, 1000).await;
        // Every WebSocket, listener closure, timer and AbortController the shell
        // holds is a live JS value: after 900 more reconnections there are no more
        // of them than before, and the heap did not grow by more than a page.
        assert!(
            refs_end <= refs_warm,
            "{transports:?}: {refs_warm} live JS values after 100 cycles, {refs_end} after 1000"
        );
        assert!(mem_end - mem_warm <= 65_536.0, "{transports:?}: wasm memory {mem_warm} -> {mem_end} bytes");
    }
}
