// io(url, { shared: true }) in real Chromium: pages of one origin share one connection through the
// package's SharedWorker (README, "One connection for all tabs").
//
//   node --test --test-concurrency=1 tests/shared/        (after node scripts/build.mjs)

import { test } from "node:test";
import assert from "node:assert/strict";
import { useSharedEnv, engineCount, echoSetup, waitFor, FAST } from "./support.mjs";

const env = useSharedEnv();
const T = { timeout: 60_000 };
const WS = { shared: true, transports: ["websocket"], ...FAST };

async function connectAll(pages, url, opts = WS) {
  const ids = [];
  for (const p of pages) ids.push((await p.connect("s", url, null, opts)).id);
  return ids;
}

test("two, then five pages of one origin use one connection", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context();
  const pages = await env.pages(ctx, 2);
  const ids = await connectAll(pages, srv.url());
  assert.equal(engineCount(srv), 1);
  assert.equal(srv.entries("connection").length, 1);
  assert.equal(new Set(ids).size, 1, "one socket id everywhere");
  pages.push(...(await env.pages(ctx, 3)));
  const more = await connectAll(pages.slice(2), srv.url());
  assert.equal(engineCount(srv), 1);
  assert.equal(srv.entries("connection").length, 1);
  for (const p of pages) {
    const st = await p.eval(() => {
      const s = window.sockets.s;
      return { id: s.id, connected: s.connected, active: s.active, disconnected: s.disconnected, transport: s.io.engine.transport.name };
    });
    assert.deepEqual(st, { id: ids[0], connected: true, active: true, disconnected: false, transport: "websocket" });
  }
  assert.deepEqual(new Set(more), new Set(ids));
  // The server sees one socket.
  assert.equal(srv.sockets().length, 1);
});

test("acks go back to the page that asked, with timeouts per page; broadcasts reach every page", T, async () => {
  const srv = await env.server({
    setup: (io) => {
      echoSetup(io);
      io.on("connection", (socket) => socket.on("never", () => {}));
    },
  });
  const ctx = await env.context();
  const pages = await env.pages(ctx, 5);
  await connectAll(pages, srv.url());
  const results = await Promise.all(
    pages.map((p, i) =>
      p.eval(async (i) => {
        const s = window.sockets.s;
        const viaCallback = await new Promise((r) => s.emit("echo", { page: i }, (res) => r(res)));
        const viaPromise = await s.emitWithAck("echo", i * 10);
        let timedOut = null;
        if (i === 1) timedOut = await s.timeout(150).emitWithAck("never").then(() => "acked", (e) => e.message);
        return { viaCallback, viaPromise, timedOut };
      }, i),
    ),
  );
  results.forEach((r, i) => {
    assert.deepEqual(r.viaCallback, { page: i });
    assert.equal(r.viaPromise, i * 10);
    assert.equal(r.timedOut, i === 1 ? "operation has timed out" : null);
  });

  for (const p of pages) await p.eval(() => window.sockets.s.on("heard", window.__rec("heard")));
  await pages[3].eval(() => window.sockets.s.emit("shout", "hello all"));
  for (const p of pages) {
    const [ev] = await p.waitEvent("heard");
    assert.deepEqual(ev.args, ["hello all"]);
  }
  // Only once per page, although five pages listen on one socket.
  await new Promise((r) => setTimeout(r, 100));
  for (const p of pages) assert.equal((await p.eventsNamed("heard")).length, 1);
  assert.equal(engineCount(srv), 1);
});

test("a server ack request is answered once, by the first page that answers", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context();
  const pages = await env.pages(ctx, 3);
  await connectAll(pages, srv.url());
  for (const [i, p] of pages.entries()) await p.eval((i) => window.sockets.s.on("ask", (q, ack) => ack("page " + i + ": " + q)), i);
  const answer = await srv.socket().timeout(3000).emitWithAck("ask", "who?");
  assert.match(answer, /^page \d: who\?$/);
});

test("the server restarts: every page sees disconnect, the reconnection events and connect", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context();
  const pages = await env.pages(ctx, 3);
  await connectAll(pages, srv.url());
  await srv.restart();
  for (const p of pages) {
    await p.waitEvent("s:connect", { count: 2, timeout: 10_000 });
    const names = (await p.events()).map((e) => e.name);
    assert.ok(names.includes("s:disconnect"), names.join());
    assert.ok(names.includes("s:reconnect_attempt"), names.join());
    assert.ok(names.includes("s:reconnect"), names.join());
    const [d] = await p.eventsNamed("s:disconnect");
    assert.equal(d.args[0], "transport close");
  }
  assert.equal(engineCount(srv), 1);
  const ids = await Promise.all(pages.map((p) => p.eval(() => window.sockets.s.id)));
  assert.equal(new Set(ids).size, 1);
  assert.equal(ids[0], srv.socket().id);
  assert.equal(await pages[2].eval(() => window.sockets.s.emitWithAck("echo", "back")), "back");
});

test("the page that started the worker closes: the others keep the connection; the last one closes it", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context();
  const pages = await env.pages(ctx, 3);
  const [first] = await connectAll(pages, srv.url());
  // A pending ack of the first page, released when it goes.
  await pages[0].eval(() => void window.sockets.s.emit("never-acked", () => {}));
  await pages[0].page.close();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(engineCount(srv), 1);
  assert.equal(srv.socket().id, first);
  assert.equal(await pages[1].eval(() => window.sockets.s.emitWithAck("echo", 1)), 1);
  assert.equal(await pages[2].eval(() => window.sockets.s.id), first);
  await pages[1].page.close();
  assert.equal(await pages[2].eval(() => window.sockets.s.emitWithAck("echo", 2)), 2);
  await pages[2].page.close();
  await waitFor(() => engineCount(srv) === 0, { message: "the connection to close with the last page" });
  await srv.waitLog("disconnect");
});

test("disconnect() detaches one page; connect() attaches it again; io.disconnect() detaches its manager", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context();
  const [a, b] = await env.pages(ctx, 2);
  const [id] = await connectAll([a, b], srv.url());
  await a.eval(() => window.sockets.s.on("heard", window.__rec("heard")));
  const pending = a.eval(() => window.sockets.s.emitWithAck("never-acked").then(() => "acked", (e) => e.message));
  const st = await a.eval(() => {
    const s = window.sockets.s;
    s.disconnect();
    return { connected: s.connected, active: s.active, id: s.id ?? null };
  });
  assert.deepEqual(st, { connected: false, active: false, id: null });
  assert.equal(await pending, "socket has been disconnected");
  const [d] = await a.eventsNamed("s:disconnect");
  assert.equal(d.args[0], "io client disconnect");
  assert.equal(await b.eval(() => window.sockets.s.connected), true);
  assert.equal(srv.sockets().length, 1);
  await b.eval(() => window.sockets.s.emit("shout", "only b hears"));
  await b.waitFor(() => true);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await a.eventsNamed("heard")).length, 0, "a detached page gets no events");

  await a.eval(() => window.sockets.s.connect());
  await a.waitEvent("s:connect", { count: 2 });
  assert.equal(await a.eval(() => window.sockets.s.id), id);

  await b.eval(() => window.sockets.s.io.disconnect());
  const [bd] = await b.eventsNamed("s:disconnect");
  assert.equal(bd.args[0], "io client disconnect");
  assert.equal(await a.eval(() => window.sockets.s.emitWithAck("echo", "still")), "still");
  await a.eval(() => window.sockets.s.disconnect());
  await waitFor(() => engineCount(srv) === 0, { message: "the connection to close when no page is attached" });
});

test("binary payloads cross the worker both ways, nested in objects", T, async () => {
  const srv = await env.server({
    setup: (io) => {
      echoSetup(io);
      io.on("connection", (socket) => socket.on("bytes", (o, ack) => ack({ len: o.nested.buf.length, sum: [...o.nested.buf].reduce((a, b) => a + b, 0), raw: o.raw.length })));
    },
  });
  // Records the buffers each message to the worker moves (its transfer list).
  const ctx = await env.context([
    () => {
      const post = MessagePort.prototype.postMessage;
      window.__moved = [];
      MessagePort.prototype.postMessage = function (m, transfer) {
        if (m && m.t === "emit") window.__moved.push((transfer || []).map((b) => b.byteLength));
        return post.apply(this, arguments);
      };
    },
  ]);
  const pages = await env.pages(ctx, 3);
  await connectAll(pages, srv.url());
  for (const p of pages) await p.eval(() => window.sockets.s.on("blob", window.__rec("blob")));
  const r = await pages[1].eval(async () => {
    const s = window.sockets.s;
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    const view = new Uint8Array(big.buffer, 10, 5);
    const raw = new ArrayBuffer(7);
    const seen = await s.emitWithAck("bytes", { nested: { buf: view }, raw });
    const echoed = await s.emitWithAck("echo", { deep: [{ b: big }] });
    const back = echoed.deep[0].b;
    return {
      seen,
      kept: big.byteLength === 100_000 && raw.byteLength === 7,
      backIsBuffer: back instanceof ArrayBuffer,
      backLen: back.byteLength,
      backOk: new Uint8Array(back).every((v, i) => v === i % 251),
    };
  });
  assert.deepEqual(r.seen, { len: 5, sum: 10 + 11 + 12 + 13 + 14, raw: 7 });
  assert.equal(r.kept, true, "the caller's buffers are not detached");
  // one copy of each attachment's bytes (the view's 5, not its buffer's 100,000), moved to the worker
  assert.deepEqual(await pages[1].eval(() => window.__moved), [[5, 7], [100_000]]);
  assert.deepEqual([r.backIsBuffer, r.backLen, r.backOk], [true, 100_000, true]);
  srv.io.emit("blob", { a: Buffer.from([9, 8, 7]) }, Buffer.from([1, 2]));
  for (const p of pages) {
    const [ev] = await p.waitEvent("blob");
    assert.deepEqual(ev.args, [{ a: { $type: "ArrayBuffer", bytes: [9, 8, 7] } }, { $type: "ArrayBuffer", bytes: [1, 2] }]);
  }
});

test("auth: the first page's payload; an auth function is asked in a live page on reconnect", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context();
  const [a, b] = await env.pages(ctx, 2);
  await a.eval(({ url, opts }) => {
    let n = 0;
    return window.__open("s", url, { ...opts, auth: (cb) => cb({ who: "a", n: ++n }) });
  }, { url: srv.url(), opts: WS });
  await a.waitEvent("s:connect");
  await b.connect("s", srv.url(), null, { ...WS, auth: { who: "b" } });
  assert.deepEqual(srv.entries("connection").at(-1).args[0].auth, { who: "a", n: 1 });
  srv.closeTransports();
  await b.waitEvent("s:connect", { count: 2, timeout: 10_000 });
  assert.deepEqual(srv.entries("connection").at(-1).args[0].auth, { who: "a", n: 2 }, "asked again on reconnect");
  await a.page.close();
  await new Promise((r) => setTimeout(r, 300));
  srv.closeTransports();
  await b.waitEvent("s:connect", { count: 3, timeout: 10_000 });
  assert.deepEqual(srv.entries("connection").at(-1).args[0].auth, { who: "b" }, "the live page's auth once the first left");
});

test("connection state recovery: every page is recovered and gets the missed events", T, async () => {
  let emitWhileGone = false;
  const srv = await env.server({
    options: { connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: true } },
    setup: (io) => {
      echoSetup(io);
      io.on("connection", (socket) => {
        // an event first: the client recovers from the offset of the last event it got
        if (!socket.recovered) socket.emit("hello");
        socket.on("disconnect", () => emitWhileGone && io.emit("missed", "while gone"));
      });
    },
  });
  const ctx = await env.context();
  const pages = await env.pages(ctx, 3);
  const [id] = await connectAll(pages, srv.url());
  for (const p of pages) await p.eval(() => window.sockets.s.on("missed", window.__rec("missed")));
  await new Promise((r) => setTimeout(r, 200));
  emitWhileGone = true;
  srv.closeTransports();
  for (const p of pages) {
    const [, again] = await p.waitEvent("s:connect", { count: 2, timeout: 10_000 });
    assert.deepEqual([again.args[0].id, again.args[0].recovered], [id, true]);
    const [m] = await p.waitEvent("missed");
    assert.equal(m.args[0], "while gone");
  }
  assert.equal(engineCount(srv), 1);
});

test("default transports: the upgrade to WebSocket is seen by every page", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context();
  const pages = await env.pages(ctx, 2);
  await pages[0].connect("s", srv.url(), null, { shared: true, ...FAST });
  await pages[0].waitUpgrade("s");
  await pages[1].connect("s", srv.url(), null, { shared: true, ...FAST });
  for (const p of pages) assert.equal(await p.transportName("s"), "websocket");
  assert.equal(engineCount(srv), 1);
  assert.equal(await pages[1].eval(() => window.sockets.s.emitWithAck("echo", "up")), "up");
});

test("onAny and onAnyOutgoing are per page; retries and volatile act on the one connection", T, async () => {
  let tries = 0;
  const srv = await env.server({
    setup: (io, s) => {
      echoSetup(io);
      io.on("connection", (socket) => {
        // answers the second try only
        socket.on("flaky", (n, ack) => ++tries >= 2 && ack(n));
        // with retries, every emit waits for an ack (as in socket.io-client)
        socket.on("note", (...args) => {
          s.push("note", ...args.filter((x) => typeof x !== "function"));
          if (typeof args.at(-1) === "function") args.at(-1)();
        });
      });
    },
  });
  const ctx = await env.context();
  const [a, b] = await env.pages(ctx, 2);
  // The first page opens the namespace: its retries and ackTimeout are the socket's.
  await a.connect("s", srv.url(), null, { ...WS, retries: 3, ackTimeout: 300 });
  await b.connect("s", srv.url(), null, WS);
  await a.eval(() => {
    const s = window.sockets.s;
    s.onAny((ev, ...args) => window.__push("any", ev, ...args));
    s.onAnyOutgoing((ev, ...args) => window.__push("out", ev, ...args));
  });
  await b.eval(() => window.sockets.s.onAnyOutgoing((ev) => window.__push("out", ev)));
  await a.eval(() => window.sockets.s.emit("note", "from a", new Uint8Array([1])));
  await b.eval(() => window.sockets.s.emit("shout", "from b"));
  const [outA] = await a.waitEvent("out");
  assert.deepEqual(outA.args, ["note", "from a", { $type: "Uint8Array", bytes: [1] }]);
  const [outB] = await b.waitEvent("out");
  assert.deepEqual(outB.args, ["shout"]);
  const [any] = await a.waitEvent("any");
  assert.deepEqual(any.args, ["heard", "from b"]);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual((await a.eventsNamed("out")).map((e) => e.args), [outA.args], "a page's onAnyOutgoing sees its own emits only");

  // retries: page b's emit is resent by the connection (with page a's retries) until the server answers
  assert.equal(await b.eval(() => window.sockets.s.emitWithAck("flaky", 7)), 7);
  assert.ok(tries >= 2);

  // volatile: dropped while the shared connection is down
  await srv.stop();
  await a.waitEvent("s:disconnect");
  // a reconnection attempt has failed: the connection is really down now
  await a.waitEvent("s:reconnect_error");
  await a.eval(() => window.sockets.s.volatile.emit("note", "volatile"));
  await a.eval(() => window.sockets.s.emit("note", "buffered"));
  // (the worker gets the emits while the server is still down)
  await new Promise((r) => setTimeout(r, 300));
  await srv.start();
  await srv.waitLog("note", 2, 10_000);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(srv.entries("note").map((e) => e.args[0]), ["from a", "buffered"]);
});

test("the minified bundle loads the shared code on demand and shares the connection", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context();
  const pages = await env.pages(ctx, 2);
  for (const p of pages) await p.eval(async () => (window.io = (await import("/lib/socketio-wasm.min.js")).io));
  await connectAll(pages, srv.url());
  assert.equal(engineCount(srv), 1);
  assert.equal(await pages[1].eval(() => window.sockets.s.emitWithAck("echo", "min")), "min");
});
