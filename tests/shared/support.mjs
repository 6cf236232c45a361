// Helpers for the shared-connection tests: one Chromium per file, the e2e static server (the test page
// and pkg/ under /lib/), a real socket.io 4.8 server, and pages of one origin in one browser context
// (so that they share a SharedWorker, Web Locks and BroadcastChannels).

import { before, after, afterEach } from "node:test";
import { launchChromium } from "../support/chromium.mjs";
import { SioServer, TestPage, startStaticServer, waitFor, withTimeout } from "../e2e/support/harness.mjs";

export { waitFor, sleep, WAIT_MS } from "../e2e/support/harness.mjs";

/** Client options that make reconnection quick. */
export const FAST = { reconnectionDelay: 100, reconnectionDelayMax: 200 };

/** Removes SharedWorker from a page before its scripts run (the fallback path). */
export const NO_SHARED_WORKER = () => {
  delete window.SharedWorker;
};

export function useSharedEnv() {
  const env = {
    browser: null,
    static: null,
    resources: [],

    /** A browser context (one origin's tabs); `init` scripts run in each of its pages first. */
    async context(init = []) {
      const context = await env.browser.newContext();
      for (const f of init) await context.addInitScript(f);
      env.resources.push({ order: 0, close: () => context.close() });
      return context;
    },

    /** A page of `context` with the library loaded. */
    async page(context) {
      const page = await context.newPage();
      const tp = new TestPage(page, context);
      await page.goto(env.static.url);
      await waitFor(
        async () => {
          const s = await page.evaluate(() => ({ ready: !!window.__ready, error: window.__loadError || null }));
          if (s.error) throw Object.assign(new Error(`library failed to load: ${s.error}`), { fatal: true });
          return s.ready;
        },
        { timeout: 15000, message: () => `the library to load\n${tp.diagnostics()}` },
      );
      return tp;
    },

    async pages(context, n) {
      const list = [];
      for (let i = 0; i < n; i++) list.push(await env.page(context));
      return list;
    },

    async server(config) {
      const srv = new SioServer(config);
      env.resources.push({ order: 2, close: () => srv.close() });
      await srv.start();
      return srv;
    },

    async cleanup() {
      const list = env.resources.sort((a, b) => a.order - b.order);
      env.resources = [];
      for (const r of list) await withTimeout(Promise.resolve().then(r.close), 10000, "cleanup").catch(() => {});
    },
  };
  before(async () => {
    env.static = await startStaticServer();
    env.browser = await launchChromium();
  });
  afterEach(() => env.cleanup());
  after(async () => {
    await env.cleanup();
    if (env.browser) await env.browser.close().catch(() => {});
    if (env.static) await env.static.close();
  });
  return env;
}

/** The number of Engine.IO connections the server holds. */
export function engineCount(srv) {
  return srv.io ? srv.io.engine.clientsCount : 0;
}

/** An echo server: `echo` acks with its arguments, `shout` broadcasts to everyone. */
export function echoSetup(io) {
  io.on("connection", (socket) => {
    socket.on("echo", (...args) => {
      const ack = args.pop();
      ack(...args);
    });
    socket.on("shout", (msg) => io.emit("heard", msg));
  });
}
