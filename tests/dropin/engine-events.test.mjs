// The events of the Engine.IO socket behind a manager (`socket.io.engine`), as engine.io-client 6.6
// emits them (open, handshake, packet, packetCreate, heartbeat, ping, pong, data, message, drain,
// flush, upgrading, upgrade, error, close) with their arguments and order. Runs in `npm test`; with
// SIO_E2E_LIB=reference it runs against socket.io-client, which passes it too.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, T, MODES, FAST_RECONNECT, sleep } from "../e2e/support/harness.mjs";
import { setup } from "../e2e/support/engine-server.mjs";

const env = useEnv();

const ENGINE_EVENTS = [
  "open",
  "handshake",
  "packet",
  "packetCreate",
  "heartbeat",
  "ping",
  "pong",
  "data",
  "message",
  "drain",
  "flush",
  "upgrading",
  "upgrade",
  "upgradeError",
  "error",
  "close",
];

/**
 * Page helpers: __engineRec(engine, prefix) records every engine event as "<prefix>:<event>" with its
 * arguments (a transport becomes {$transport: name}, an error {$error: message, type, description}) and
 * the engine's readyState / transport name at that moment.
 */
async function installRecorder(page) {
  await page.eval((names) => {
    const describeArg = (a) => {
      if (a && typeof a === "object" && !(a instanceof Error) && typeof a.name === "string") {
        return { $transport: a.name };
      }
      if (a instanceof Error) {
        return { $error: a.message, type: a.type, description: window.__describe(a.description) };
      }
      if (a && typeof a === "object" && a.context !== undefined) {
        // close details: {description, context: CloseEvent | XMLHttpRequest}
        const { context, ...rest } = a;
        return { ...window.__describe(rest), context: context && context.constructor ? context.constructor.name : typeof context };
      }
      return window.__describe(a);
    };
    window.__engineRec = (engine, prefix) => {
      for (const n of names) {
        engine.on(n, (...args) => {
          window.__events.push({
            name: prefix + ":" + n,
            args: args.map(describeArg),
            nargs: args.length,
            state: engine.readyState,
            transport: engine.transport && engine.transport.name,
          });
        });
      }
      return true;
    };
    // Creates sockets[key] with autoConnect: false, records its connect/disconnect, connects it and
    // records the engine from its very first event.
    window.__openRecorded = (key, url, opts) => {
      const s = window.io(url, { ...opts, autoConnect: false });
      window.sockets[key] = s;
      s.on("connect", () => window.__push(key + ":connect", s.id));
      s.on("disconnect", (r) => window.__push(key + ":disconnect", r));
      s.on("connect_error", (e) => window.__push(key + ":connect_error", e.message));
      s.connect();
      window.__engineRec(s.io.engine, "e");
      return true;
    };
    return true;
  }, ENGINE_EVENTS);
}

/** Engine events ("e:*") of the page, as [{ev, args, state, transport}], optionally from index `from`. */
async function engineEvents(page, prefix = "e") {
  return (await page.events())
    .filter((e) => e.name.startsWith(prefix + ":"))
    .map((e) => ({ ev: e.name.slice(prefix.length + 1), args: e.args, nargs: e.nargs, state: e.state, transport: e.transport }));
}

const names = (evs) => evs.map((e) => e.ev);
const isUndef = (v) => v === undefined || (v && v.$type === "undefined");
const pkt = (e) => e.args[0] || {};

/** Server + page with sockets.main connected in `mode`, every engine event recorded. */
async function start(mode, { options = {}, extra = {} } = {}) {
  const srv = await env.newServer({ options, setup });
  const page = await env.newPage();
  await installRecorder(page);
  await page.eval(({ url, opts }) => window.__openRecorded("main", url, opts), { url: srv.url(), opts: { ...mode.opts, ...extra } });
  await page.waitEvent("main:connect");
  if (mode.upgrade) await page.waitEvent("e:upgrade");
  return { srv, page };
}

/** Index of the first event at or after `from` satisfying `pred`, or -1. */
function findFrom(evs, from, pred) {
  for (let i = from; i < evs.length; i++) if (pred(evs[i])) return i;
  return -1;
}

function fmt(evs) {
  return evs.map((e) => `${e.ev} ${JSON.stringify(e.args)}`).join("\n");
}

describe("engine events", () => {
  for (const mode of MODES) {
    describe(mode.name, () => {
      it("handshake: packet(open), heartbeat, handshake, the CONNECT packet, open, drain, then the CONNECT reply", T, async () => {
        const { page } = await start(mode);
        await page.waitFor(async () => (await engineEvents(page)).filter((e) => e.ev === "message").length >= 1);
        const all = await engineEvents(page);
        // The probe of an upgrade runs in parallel: its events are checked by the upgrade test.
        let evs = all.filter((e) => e.ev !== "upgrading" && e.ev !== "upgrade");
        if (mode.transport === "polling" || mode.upgrade) {
          // Over HTTP the response to the POST of the CONNECT packet (drain) and the long-poll bringing
          // the server's reply travel on two connections: drain is after flush, the reply anywhere after.
          const drain = evs.findIndex((e) => e.ev === "drain");
          assert.ok(drain > names(evs).indexOf("flush"), fmt(all));
          evs = [...evs.slice(0, drain), ...evs.slice(drain + 1)];
          evs.splice(6, 0, { ev: "drain", args: [], nargs: 0 });
        }
        const head = evs.slice(0, 11);
        assert.deepEqual(
          names(head),
          ["packet", "heartbeat", "handshake", "packetCreate", "flush", "open", "drain", "packet", "heartbeat", "data", "message"],
          fmt(all),
        );
        const [openPkt, , hs, create, , open, , reply, , data, message] = head;
        // packet: the decoded Engine.IO packet {type, data}; the open packet's data is the raw JSON.
        assert.equal(pkt(openPkt).type, "open");
        assert.equal(typeof pkt(openPkt).data, "string");
        // handshake: the parsed open data.
        const h = hs.args[0];
        assert.deepEqual(JSON.parse(pkt(openPkt).data), h);
        assert.deepEqual(Object.keys(h).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]);
        assert.equal(typeof h.sid, "string");
        assert.deepEqual(h.upgrades, mode.name === "websocket" ? [] : ["websocket"]);
        assert.equal(h.pingInterval, 25000);
        assert.equal(h.pingTimeout, 20000);
        assert.equal(h.maxPayload, 1e6);
        assert.equal(hs.state, "opening", "handshake is emitted before the engine is open");
        // packetCreate: {type, data, options}; the Socket.IO CONNECT packet is written by the manager's
        // open listener, which runs before the ones added after io().
        assert.deepEqual(pkt(create), { type: "message", data: "0", options: { compress: true } });
        assert.equal(open.nargs, 0);
        assert.equal(open.state, "open");
        assert.equal(open.transport, mode.upgrade ? "polling" : mode.transport);
        assert.equal(pkt(reply).type, "message");
        assert.match(pkt(reply).data, /^0\{"sid":"[^"]+"\}$/);
        assert.deepEqual(data.args, [pkt(reply).data]);
        assert.deepEqual(message.args, [pkt(reply).data]);
        for (const e of head) {
          if (e.ev === "heartbeat" || e.ev === "flush" || e.ev === "drain" || e.ev === "open") assert.equal(e.nargs, 0, e.ev);
        }
        assert.equal(await page.eval(() => window.sockets.main.io.engine.id), h.sid);
      });

      it("emit with ack: packetCreate, flush, drain; the ack and a server event: packet, heartbeat, data, message", T, async () => {
        const { page } = await start(mode);
        const from = (await engineEvents(page)).length;
        await page.eval(() => {
          window.sockets.main.emit("echo", 5, (x) => window.__push("ack", x));
        });
        await page.waitEvent("ack");
        await page.waitFor(async () => (await engineEvents(page)).slice(from).some((e) => e.ev === "drain"));
        let evs = (await engineEvents(page)).slice(from);
        assert.deepEqual(names(evs.slice(0, 2)), ["packetCreate", "flush"], fmt(evs));
        assert.deepEqual(pkt(evs[0]), { type: "message", data: '20["echo",5]', options: { compress: true } });
        const drain = findFrom(evs, 2, (e) => e.ev === "drain");
        assert.ok(drain > 1, fmt(evs));
        const ackAt = findFrom(evs, 2, (e) => e.ev === "packet");
        assert.deepEqual(names(evs.slice(ackAt, ackAt + 4)), ["packet", "heartbeat", "data", "message"], fmt(evs));
        assert.deepEqual(pkt(evs[ackAt]), { type: "message", data: "30[5]" });
        assert.deepEqual(evs[ackAt + 2].args, ["30[5]"]);
        assert.deepEqual(evs[ackAt + 3].args, ["30[5]"]);
        assert.equal(evs.length, 7, fmt(evs));

        const from2 = from + evs.length;
        await page.eval(() => {
          window.sockets.main.on("hi", (x) => window.__push("hi", x));
          window.sockets.main.emit("poke");
        });
        await page.waitEvent("hi");
        await page.waitFor(async () => (await engineEvents(page)).slice(from2).some((e) => e.ev === "drain"));
        evs = (await engineEvents(page)).slice(from2);
        assert.deepEqual(pkt(evs[0]), { type: "message", data: '2["poke"]', options: { compress: true } });
        const at = findFrom(evs, 0, (e) => e.ev === "packet");
        assert.deepEqual(names(evs.slice(at, at + 4)), ["packet", "heartbeat", "data", "message"], fmt(evs));
        assert.deepEqual(pkt(evs[at]), { type: "message", data: '2["hi",1]' });
        assert.deepEqual(evs[at + 3].args, ['2["hi",1]']);
      });

      it("a server ping: packet(ping), heartbeat, packetCreate(pong), flush, ping, pong, drain", T, async () => {
        const { page } = await start(mode, { options: { pingInterval: 250, pingTimeout: 2000 } });
        // In upgrade mode the first ping may arrive while the transport is paused: take a later one.
        const from = (await engineEvents(page)).length;
        await page.waitFor(async () => {
          const evs = (await engineEvents(page)).slice(from);
          const last = evs.findLastIndex((e) => e.ev === "ping");
          return last >= 0 && evs.slice(last).some((e) => e.ev === "drain");
        }, { timeout: 4000 });
        const evs = (await engineEvents(page)).slice(from);
        const at = findFrom(evs, 0, (e) => e.ev === "packet" && pkt(e).type === "ping");
        assert.ok(at >= 0, fmt(evs));
        const seq = evs.slice(at, at + 7);
        assert.deepEqual(names(seq), ["packet", "heartbeat", "packetCreate", "flush", "ping", "pong", "drain"], fmt(evs));
        assert.equal(pkt(seq[0]).type, "ping");
        assert.ok(isUndef(pkt(seq[0]).data), "a ping packet has no data");
        assert.equal(pkt(seq[2]).type, "pong");
        assert.ok(isUndef(pkt(seq[2]).data));
        assert.deepEqual(pkt(seq[2]).options, { compress: true });
        assert.equal(seq[4].nargs, 0);
        assert.equal(seq[5].nargs, 0);
      });

      it("server closes the transport: close('transport close', details) and nothing after", T, async () => {
        const { srv, page } = await start(mode);
        srv.closeTransports();
        await page.waitFor(async () => (await engineEvents(page)).some((e) => e.ev === "close"));
        await sleep(100);
        const evs = await engineEvents(page);
        const closes = evs.filter((e) => e.ev === "close");
        assert.equal(closes.length, 1);
        assert.equal(evs.at(-1).ev, "close", fmt(evs));
        const [reason, details] = closes[0].args;
        assert.equal(reason, "transport close");
        assert.equal(closes[0].state, "closed");
        if (mode.transport === "websocket") {
          assert.deepEqual(details, { description: "websocket connection closed", context: "CloseEvent" });
        } else {
          assert.deepEqual(details, { description: "transport closed by the server" });
        }
      });

      it("socket.disconnect(): packetCreate of the DISCONNECT packet, flush, drain, close('forced close')", T, async () => {
        const { page } = await start(mode);
        const from = (await engineEvents(page)).length;
        await page.eval(() => window.sockets.main.disconnect());
        await page.waitFor(async () => (await engineEvents(page)).slice(from).some((e) => e.ev === "close"));
        await sleep(100);
        const evs = (await engineEvents(page)).slice(from);
        assert.deepEqual(names(evs), ["packetCreate", "flush", "drain", "close"], fmt(evs));
        assert.deepEqual(pkt(evs[0]), { type: "message", data: "1", options: { compress: true } });
        assert.equal(evs[3].args[0], "forced close");
        assert.ok(isUndef(evs[3].args[1]));
        assert.equal(evs[3].state, "closed");
      });
    });
  }

  it("upgrade: upgrading(probe transport) while still on polling, then upgrade(websocket transport)", T, async () => {
    const mode = MODES.find((m) => m.upgrade);
    const { page } = await start(mode);
    const evs = await engineEvents(page);
    const ups = evs.filter((e) => e.ev === "upgrading" || e.ev === "upgrade");
    assert.deepEqual(
      ups.map((e) => [e.ev, e.args, e.transport]),
      [
        ["upgrading", [{ $transport: "websocket" }], "polling"],
        ["upgrade", [{ $transport: "websocket" }], "websocket"],
      ],
      fmt(evs),
    );
    assert.ok(names(evs).indexOf("upgrading") > names(evs).indexOf("open"));
    // The probe's own ping/pong and the "upgrade" packet do not go through packetCreate.
    const between = evs.slice(names(evs).indexOf("upgrading"), names(evs).indexOf("upgrade"));
    assert.ok(!between.some((e) => e.ev === "packetCreate" && ["ping", "upgrade"].includes(pkt(e).type)), fmt(evs));
    assert.ok(!evs.some((e) => e.ev === "packetCreate" && pkt(e).type === "upgrade"));
  });

  for (const mode of MODES.filter((m) => !m.upgrade)) {
    it(`${mode.name}: a connection error emits error(TransportError), then close('transport error', the error)`, T, async () => {
      const srv = await env.newServer({ setup });
      const url = srv.url();
      await srv.stop();
      const page = await env.newPage();
      await installRecorder(page);
      await page.eval(({ url, opts }) => window.__openRecorded("main", url, opts), { url, opts: { ...mode.opts, reconnection: false } });
      await page.waitEvent("main:connect_error");
      await sleep(100);
      const evs = await engineEvents(page);
      assert.deepEqual(names(evs), ["error", "close"], fmt(evs));
      const message = mode.transport === "websocket" ? "websocket error" : "xhr poll error";
      assert.equal(evs[0].args[0].$error, message);
      assert.equal(evs[0].args[0].type, "TransportError");
      assert.equal(evs[0].nargs, 1);
      assert.equal(evs[1].args[0], "transport error");
      assert.equal(evs[1].args[1].$error, message);
      assert.equal(evs[1].state, "closed");
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// useNativeTimers

/**
 * Replaces the page's setTimeout/clearTimeout/setInterval/clearInterval (after the library is imported)
 * with a manual clock: nothing fires until __clock.tick(ms).
 */
