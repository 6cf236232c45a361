// Namespaces multiplexed on one connection, namespace middleware rejecting auth, auth object/function.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, MODES, T, FAST_RECONNECT, authMiddleware } from "./support/harness.mjs";

const env = useEnv();

const REJECT_DATA = { reason: "bad token", code: 401, details: ["expired", null, { retry: false }] };

function setup(io, srv) {
  io.on("connection", (socket) => {
    socket.on("who", (cb) => cb("main:" + socket.id));
  });
  const admin = srv.track(io.of("/admin"));
  admin.on("connection", (socket) => {
    socket.on("who", (cb) => cb("admin:" + socket.id));
  });
  const priv = srv.track(io.of("/private"));
  priv.use(authMiddleware({ accept: (auth) => auth && auth.token === "secret", message: "not authorized", data: REJECT_DATA }));
  priv.on("connection", (socket) => {
    socket.on("who", (cb) => cb("private:" + socket.id));
  });
}

for (const mode of MODES) {
  describe(`namespaces [${mode.name}]`, () => {
    it('io("/") and io("/admin") share one Manager and one engine connection', T, async () => {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      const main = await page.connect("main", srv.url(), mode);
      await page.eval(({ url }) => window.__open("admin", url), { url: srv.url("/admin") });
      const [adminConn] = await page.waitEvent("admin:connect");
      const admin = adminConn.args[0];

      const shared = await page.eval(() => ({
        manager: window.sockets.main.io === window.sockets.admin.io,
        engine: window.sockets.main.io.engine === window.sockets.admin.io.engine,
        nsps: [window.sockets.main.nsp, window.sockets.admin.nsp],
      }));
      assert.deepEqual(shared, { manager: true, engine: true, nsps: ["/", "/admin"] });

      const conns = await srv.waitLog("connection", 2);
      const byNsp = Object.fromEntries(conns.map((c) => [c.args[0].nsp, c.args[0]]));
      assert.equal(byNsp["/"].id, main.id);
      assert.equal(byNsp["/admin"].id, admin.id);
      assert.notEqual(main.id, admin.id, "each namespace has its own socket id");
      assert.equal(byNsp["/"].connId, byNsp["/admin"].connId, "one Engine.IO connection on the server");
      assert.equal(srv.io.engine.clientsCount, 1);

      // events are routed per namespace, both ways
      const who = await page.eval(async () => [
        await window.sockets.main.emitWithAck("who"),
        await window.sockets.admin.emitWithAck("who"),
      ]);
      assert.deepEqual(who, ["main:" + main.id, "admin:" + admin.id]);
      await page.eval(() => {
        window.sockets.main.on("news", window.__rec("main-news"));
        window.sockets.admin.on("news", window.__rec("admin-news"));
      });
      srv.socket("/admin").emit("news", "for admin");
      srv.socket("/").emit("news", "for main");
      await page.waitEvent("main-news");
      await page.waitEvent("admin-news");
      const evs = await page.events();
      assert.deepEqual(
        evs.filter((e) => e.name.endsWith("-news")).map((e) => [e.name, e.args[0]]).sort(),
        [
          ["admin-news", "for admin"],
          ["main-news", "for main"],
        ],
      );

      // leaving one namespace keeps the other (and the shared connection) alive
      await page.eval(() => window.sockets.admin.disconnect());
      const gone = await srv.waitLog("disconnect");
      assert.deepEqual(gone.map((e) => [e.args[0].nsp, e.args[0].reason]), [["/admin", "client namespace disconnect"]]);
      const after = await page.eval(async () => ({
        connected: window.sockets.main.connected,
        who: await window.sockets.main.emitWithAck("who"),
      }));
      assert.deepEqual(after, { connected: true, who: "main:" + main.id });
      assert.deepEqual(await page.eventsNamed("main:disconnect"), []);
      assert.equal(srv.io.engine.clientsCount, 1);
    });

    it("namespace middleware rejection gives connect_error with err.message and err.data", T, async () => {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      await page.connect("main", srv.url(), mode);
      await page.eval(
        ({ url, opts }) => window.__open("priv", url, { ...opts, auth: { token: "wrong" } }),
        { url: srv.url("/private"), opts: mode.opts },
      );
      const [err] = await page.waitEvent("priv:connect_error");
      assert.deepEqual(err.args, [{ $type: "Error", message: "not authorized", data: REJECT_DATA }]);
      const state = await page.eval(() => ({
        connected: window.sockets.priv.connected,
        active: window.sockets.priv.active,
        mainConnected: window.sockets.main.connected,
      }));
      // a middleware error is final: the socket does not retry by itself
      assert.deepEqual(state, { connected: false, active: false, mainConnected: true });
      assert.equal(srv.entries("connection").filter((c) => c.args[0].nsp === "/private").length, 0);

      // fixing the credentials and calling connect() succeeds
      await page.eval(() => {
        window.sockets.priv.auth = { token: "secret" };
        window.sockets.priv.connect();
      });
      const [ok] = await page.waitEvent("priv:connect");
      const conn = (await srv.waitLog("connection", 2)).find((c) => c.args[0].nsp === "/private");
      assert.equal(conn.args[0].id, ok.args[0].id);
      assert.deepEqual(conn.args[0].auth, { token: "secret" });
      assert.equal(await page.eval(() => window.sockets.priv.emitWithAck("who")), "private:" + ok.args[0].id);
      assert.equal((await page.eventsNamed("priv:connect_error")).length, 1);
    });

    it("auth given as an object reaches the server's handshake", T, async () => {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      const auth = { token: "abc", n: 1, nested: { list: [1, "😀", null] } };
      const main = await page.connect("main", srv.url(), mode, { auth });
      const [conn] = await srv.waitLog("connection");
      assert.equal(conn.args[0].id, main.id);
      assert.deepEqual(conn.args[0].auth, auth);
    });

    it("auth given as a function is called for every connection attempt", T, async () => {
      const srv = await env.newServer({ setup });
      const page = await env.newPage();
      await page.eval(
        ({ url, opts }) =>
          window.__open("main", url, {
            ...opts,
            auth: (cb) => {
              window.__authCalls++;
              cb({ token: "fn-" + window.__authCalls });
            },
          }),
        { url: srv.url(), opts: { ...mode.opts, ...FAST_RECONNECT } },
      );
      await page.waitEvent("main:connect");
      const [first] = await srv.waitLog("connection");
      assert.deepEqual(first.args[0].auth, { token: "fn-1" });

      srv.closeTransports();
      await page.waitEvent("main:connect", { count: 2 });
      const conns = await srv.waitLog("connection", 2);
      assert.deepEqual(conns[1].args[0].auth, { token: "fn-2" });
      assert.equal(await page.eval(() => window.__authCalls), 2);
    });
  });
}
