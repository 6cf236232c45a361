// io(url, { shared: true }) where SharedWorker is missing: one page, elected with Web Locks, owns the
// connection and the others reach it over a BroadcastChannel; when it closes, another takes over.
//
//   node --test --test-concurrency=1 tests/shared/        (after node scripts/build.mjs)

import { test } from "node:test";
import assert from "node:assert/strict";
import { useSharedEnv, engineCount, echoSetup, waitFor, FAST, NO_SHARED_WORKER } from "./support.mjs";

const env = useSharedEnv();
const T = { timeout: 60_000 };
const WS = { shared: true, transports: ["websocket"], ...FAST };

test("without SharedWorker: one owner page, acks, broadcasts, binary, and the hand-over when it closes", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context([NO_SHARED_WORKER]);
  const pages = await env.pages(ctx, 3);
  assert.equal(await pages[0].eval(() => typeof SharedWorker), "undefined");
  const ids = [];
  for (const p of pages) ids.push((await p.connect("s", srv.url(), null, WS)).id);
  assert.equal(engineCount(srv), 1);
  assert.equal(new Set(ids).size, 1);

  const acks = await Promise.all(pages.map((p, i) => p.eval((i) => window.sockets.s.emitWithAck("echo", { i }), i)));
  assert.deepEqual(acks, [{ i: 0 }, { i: 1 }, { i: 2 }]);
  for (const p of pages) await p.eval(() => window.sockets.s.on("heard", window.__rec("heard")));
  await pages[2].eval(() => window.sockets.s.emit("shout", "all"));
  for (const p of pages) await p.waitEvent("heard");

  const bin = await pages[1].eval(async () => {
    const back = await window.sockets.s.emitWithAck("echo", { b: new Uint8Array([5, 6, 7]) });
    return Array.from(new Uint8Array(back.b));
  });
  assert.deepEqual(bin, [5, 6, 7]);

  // The owner (the first page) goes: another page takes over and reconnects; every page follows.
  await pages[0].page.close();
  for (const p of pages.slice(1)) {
    await p.waitEvent("s:connect", { count: 2, timeout: 10_000 });
    const [d] = await p.eventsNamed("s:disconnect");
    assert.equal(d.args[0], "transport close");
  }
  await waitFor(() => engineCount(srv) === 1 && srv.sockets().length === 1, { message: "one connection after the hand-over" });
  const after = await Promise.all(pages.slice(1).map((p) => p.eval(() => window.sockets.s.id)));
  assert.equal(new Set(after).size, 1);
  assert.equal(after[0], srv.socket().id);
  assert.notEqual(after[0], ids[0]);
  assert.deepEqual(
    await Promise.all(pages.slice(1).map((p, i) => p.eval((i) => window.sockets.s.emitWithAck("echo", i), i))),
    [0, 1],
  );
  await pages[2].eval(() => window.sockets.s.emit("shout", "after"));
  await pages[1].waitEvent("heard", { count: 2 });

  await pages[1].page.close();
  await pages[2].page.close();
  await waitFor(() => engineCount(srv) === 0, { message: "the connection to close with the last page" });
});

test("without SharedWorker nor Web Locks: each page connects on its own", T, async () => {
  const srv = await env.server({ setup: echoSetup });
  const ctx = await env.context([
    NO_SHARED_WORKER,
    () => {
      Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined });
    },
  ]);
  const pages = await env.pages(ctx, 2);
  for (const p of pages) await p.connect("s", srv.url(), null, WS);
  assert.equal(engineCount(srv), 2);
  assert.equal(await pages[1].eval(() => window.sockets.s.emitWithAck("echo", "own")), "own");
});
