// The scaled-out example (examples/cluster) in Chromium through nginx: two socket.io 4.8 nodes joined
// by @socket.io/redis-adapter over a real redis-server.
//
//   node --test --test-concurrency=1 tests/cluster/            (our package, <repo>/pkg or SIO_E2E_PKG)
//   SIO_E2E_LIB=reference node --test tests/cluster/           (the page uses socket.io-client 4.8.4)
//
// With sticky sessions (ip_hash): a client on one node receives a room broadcast sent from the other,
// in every transport mode; after its node restarts it comes back by itself and receives again.
// Without them (round robin): WebSocket-only clients work; polling clients fail with the error the
// socket.io documentation describes for a missing sticky session (HTTP 400 "Session ID unknown") and
// keep retrying at the reconnection backoff's pace, never faster than socket.io-client.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { io as nodeClient } from "socket.io-client";
import { startCluster } from "../../examples/cluster/cluster.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const LIB = process.env.SIO_E2E_LIB || "pkg";
const PKG = process.env.SIO_E2E_PKG ? path.resolve(process.env.SIO_E2E_PKG) : path.join(ROOT, "pkg");
const CLUSTER_LIB = LIB === "reference" ? { client: "reference" } : { lib: PKG };
const T = { timeout: 90_000 };
/** How long the round-robin retry pace is observed, per client. */
const PACE_WINDOW_MS = 11_000;


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(probe, { timeout = 10_000, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${typeof message === "function" ? await message() : message}`);
    }
    await sleep(50);
  }
}

let browser;
let roomCounter = 0;
const newRoom = () => `room-${process.pid}-${++roomCounter}`;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  if (browser) await browser.close().catch(() => {});
});

/** The chat page of the cluster, loaded through nginx, with `params` in its query string. */
async function openChat(cluster, params) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const console_ = [];
  page.on("console", (m) => console_.push(`[${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => console_.push(`[pageerror] ${e.stack || e}`));
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined));
  await page.goto(`${cluster.url}/?${query}`);
  await waitFor(() => page.evaluate(() => !!window.chat), { message: () => `the chat page to start\n${console_.join("\n")}` });
  const chat = {
    page,
    events: () => page.evaluate(() => window.chat.events),
    async waitEvent(name, { count = 1, where = () => true, timeout = 15_000 } = {}) {
      return waitFor(
        async () => {
          const found = (await chat.events()).filter((e) => e.name === name && where(e));
          return found.length >= count ? found : null;
        },
        {
          timeout,
          message: async () =>
            `${count} "${name}" event(s) on the chat page; got ${JSON.stringify((await chat.events()).map((e) => e.name))}\n${console_.slice(-20).join("\n")}`,
        },
      );
    },
    /** The node that answered the count-th "join". */
    async joinedNode(count = 1) {
      const joined = await chat.waitEvent("joined", { count });
      return joined[count - 1].detail.node;
    },
    transport: () => page.evaluate(() => window.chat.socket.io.engine.transport.name),
    close: () => context.close(),
  };
  return chat;
}

/** A socket.io-client connected straight to `node` (not through nginx), joined to `room`. */
async function directMember(node, room) {
  const socket = nodeClient(node.url, { transports: ["websocket"], auth: { name: `via-${node.name}` }, reconnection: false });
  const received = [];
  socket.on("chat", (msg) => received.push(msg));
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  const joined = await socket.timeout(5000).emitWithAck("join", room);
  assert.equal(joined.node, node.name);
  return {
    received,
    say: (text) => socket.timeout(5000).emitWithAck("chat", room, text),
    close: () => socket.close(),
  };
}

/** Sends from the chat page's form. */
async function typeInChat(chat, text) {
  await chat.page.fill("#text", text);
  await chat.page.press("#text", "Enter");
}

async function crossNodeRoundTrip(cluster, chat, room, node) {
  const other = cluster.nodes.find((n) => n.name !== node);
  const member = await directMember(other, room);
  try {
    const text = `hello from ${other.name} ${Math.random()}`;
    const ack = await member.say(text);
    assert.equal(ack.node, other.name);
    const [got] = await chat.waitEvent("chat", { where: (e) => e.detail.text === text });
    assert.equal(got.detail.node, other.name, "the broadcast was sent by the other node");
    assert.equal(got.detail.room, room);
    // and the page shows it
    await waitFor(() => chat.page.locator("#messages li", { hasText: text }).count());
    // the other way round: typed on the page, received on the other node
    const reply = `reply from the page ${Math.random()}`;
    await typeInChat(chat, reply);
    await waitFor(() => member.received.find((m) => m.text === reply && m.node === node), {
      message: `the page's message at ${other.name}`,
    });
  } finally {
    member.close();
  }
}

const MODES = [
  { name: "default transports (polling, then WebSocket)", transports: undefined, expect: "websocket" },
  { name: "polling only", transports: "polling", expect: "polling" },
  { name: "WebSocket only", transports: "websocket", expect: "websocket" },
];

describe("cluster: nginx with sticky sessions (ip_hash), 2 socket.io nodes, redis adapter", () => {
  let cluster;
  before(async () => {
    cluster = await startCluster({ balance: "sticky", ...CLUSTER_LIB });
  });
  after(async () => {
    if (cluster) await cluster.stop();
  });

  for (const mode of MODES) {
    it(`${mode.name}: a client on one node receives a room broadcast sent from the other node`, T, async () => {
      const room = newRoom();
      const chat = await openChat(cluster, { room, user: "alice", transports: mode.transports });
      try {
        const node = await chat.joinedNode();
        assert.ok(cluster.nodes.some((n) => n.name === node), `joined on ${node}`);
        await waitFor(async () => (await chat.transport()) === mode.expect, { message: `transport ${mode.expect}` });
        await crossNodeRoundTrip(cluster, chat, room, node);
        const errors = (await chat.events()).filter((e) => /error|disconnect/.test(e.name));
        assert.deepEqual(errors, [], "no error and no disconnection with sticky sessions");
      } finally {
        await chat.close();
      }
    });
  }

  it("its node restarts: the client comes back by itself and receives room broadcasts again", T, async () => {
    const room = newRoom();
    const chat = await openChat(cluster, { room, user: "bob" });
    try {
      const first = await chat.joinedNode();
      await waitFor(async () => (await chat.transport()) === "websocket", { message: "the upgrade" });
      const node = cluster.nodes.find((n) => n.name === first);
      await node.stop();
      await chat.waitEvent("disconnect");
      await node.start();
      // no call from the test: the client reconnects through nginx and the page joins its room again
      const second = await chat.joinedNode(2);
      await crossNodeRoundTrip(cluster, chat, room, second);
      const connects = await chat.waitEvent("connect", { count: 2 });
      assert.equal(connects.length, 2);
    } finally {
      await chat.close();
    }
  });
});

/**
 * Watches a polling-only chat page behind the round-robin balancer for `ms`: its lifecycle events,
 * and the requests nginx logged for it.
 */
async function observeRetries(cluster, client) {
  const chat = await openChat(cluster, { room: newRoom(), user: "carol", transports: "polling", client });
  const start = Date.now();
  await sleep(PACE_WINDOW_MS);
  const events = await chat.events();
  await chat.close();
  const end = Date.now();
  await sleep(300);
  const requests = (await cluster.accessLog()).filter((r) => r.t >= start && r.t <= end + 200 && r.uri.startsWith("/socket.io/"));
  const count = (name) => events.filter((e) => e.name === name).length;
  const attempts = events.filter((e) => e.name === "reconnect_attempt").map((e) => e.t);
  const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
  return {
    client: client || LIB,
    reconnect: count("reconnect"),
    reconnect_attempt: count("reconnect_attempt"),
    reconnect_error: count("reconnect_error"),
    connect: count("connect"),
    disconnect: count("disconnect"),
    errors: [...new Set(events.filter((e) => /error/.test(e.name)).map((e) => e.detail))],
    disconnectReasons: [...new Set(events.filter((e) => e.name === "disconnect").map((e) => e.detail))],
    requests: requests.length,
    handshakes: requests.filter((r) => !/[?&]sid=/.test(r.uri)).length,
    status400: requests.filter((r) => r.status === 400).length,
    status499: requests.filter((r) => r.status === 499).length,
    minGapMs: gaps.length ? Math.round(Math.min(...gaps)) : null,
  };
}

describe("cluster: nginx without sticky sessions (round robin)", () => {
  let cluster;
  const pace = {};
  before(async () => {
    cluster = await startCluster({ balance: "round-robin", ...CLUSTER_LIB });
  });
  after(async () => {
    if (cluster) await cluster.stop();
  });

  it("WebSocket-only clients work (one connection, no session to stick to)", T, async () => {
    const room = newRoom();
    const chat = await openChat(cluster, { room, user: "dave", transports: "websocket" });
    try {
      const node = await chat.joinedNode();
      await crossNodeRoundTrip(cluster, chat, room, node);
      const errors = (await chat.events()).filter((e) => /error|disconnect/.test(e.name));
      assert.deepEqual(errors, []);
    } finally {
      await chat.close();
    }
  });

  it("polling clients fail with the documented error (HTTP 400, Session ID unknown) and retry at the backoff's pace", T, async () => {
    const ours = await observeRetries(cluster);
    pace.ours = ours;
    console.log(`round robin, polling only, ${PACE_WINDOW_MS} ms, ${LIB}: ${JSON.stringify(ours)}`);
    // a request carrying a session id reached the node that does not know it
    assert.ok(ours.status400 >= 1, `nginx logged no 400: ${JSON.stringify(ours)}`);
    // the client reports it as socket.io-client does, a transport error of the polling request
    assert.ok(
      ours.errors.some((m) => m === "xhr poll error" || m === "xhr post error"),
      `errors seen: ${JSON.stringify(ours.errors)}`,
    );
    assert.ok(ours.reconnect_attempt >= 2, "it keeps retrying");
    // the default backoff (reconnectionDelay 1000, randomizationFactor 0.5) never waits less than 500 ms
    // between two attempts
    assert.ok(ours.minGapMs === null || ours.minGapMs >= 450, `attempts ${ours.minGapMs} ms apart`);
  });

  it(
    "behind round robin, ours never hits the cluster harder than socket.io-client",
    T,
    async () => {
      const ours = pace.ours || (await observeRetries(cluster));
      const reference = await observeRetries(cluster, "reference");
      console.log(`round robin, polling only, ${PACE_WINDOW_MS} ms, reference: ${JSON.stringify(reference)}`);
      // The backoff grows until a namespace connects (src/proto/client.rs, `session_connected`).
      assert.ok(
        ours.reconnect_attempt <= reference.reconnect_attempt,
        `reconnect_attempt: ours ${ours.reconnect_attempt}, socket.io-client ${reference.reconnect_attempt}`,
      );
      assert.ok(
        ours.requests <= reference.requests,
        `requests at nginx: ours ${ours.requests}, socket.io-client ${reference.requests}`,
      );
    },
  );
});
