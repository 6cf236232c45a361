//! The `client_frames` driver: the whole [`Client`](socketio_wasm::proto::Client)
//! run on a script of server inputs and user calls (see [`Sim`]).

use super::sim::{Sim, Stats};

/// The client fed the input as a script. Byte 0 configures it:
///
/// - bits 0-1: transports: 0 WebSocket only, 1 polling only, 2 polling then
///   an upgrade to WebSocket done in the handshake, 3 the same with the probe
///   left waiting;
/// - bit 2 packet events; bit 3 `retries` + `ackTimeout` on `/`; bit 4 a
///   second namespace `/admin`; bit 5 three reconnection attempts, no
///   jitter, `tryAllTransports`; bit 6 auth through `AuthRequest`; bit 7 no
///   open timeout and `maxPayload` 64.
///
/// The rest is lines (`\n`), each an operation named by its first byte:
/// `S` server text on the current transport, `Y` the handshake again (after
/// a reconnection attempt started), `w`/`W` WebSocket text frame
/// (newest open / chosen by a digit), `b` binary frame, `o` WebSocket open,
/// `x` error, `c` close, `g`/`G` GET answered / failed, `p`/`P` POST done /
/// failed, `j`/`q` GET answered / POST done on the transport id in
/// the line's digits, `h` hold drains, `d` release one drain, `H` hold auth, `A` answer
/// auth, `t` timeout (after an optional delay), `a` advance the clock, `e`
/// emit (flags byte: socket, ack, with_error, volatile, timeout,
/// attachments), `r`/`R` ack an event, `n` new namespace, `k`/`K` socket
/// connect/disconnect, `m`/`M` manager open/close, `z` engine close, `f`
/// offline, `u` beforeunload, `s` setters.
///
/// After every call the outputs are drained; the checks are: no panic, no
/// send on a WebSocket before its open or after its close, every frame and
/// POST body the client writes decodes, every ack callback is answered at
/// most once, and timers that are due do not stay due.
pub fn client_frames(data: &[u8]) {
    run_client(data);
}

/// [`client_frames`], returning what the simulation saw.
pub fn run_client(data: &[u8]) -> Stats {
    let Some((&cfg, script)) = data.split_first() else { return Stats::default() };
    let mut sim = Sim::new(cfg);
    sim.handshake(cfg);
    for line in script.split(|&b| b == b'\n').take(512) {
        sim.op(line);
    }
    // Whatever happened, closing and running every timer must settle.
    sim.c.close(sim.now);
    sim.settle();
    sim.op(b"t");
    sim.op(b"t100000");
    sim.stats
}
