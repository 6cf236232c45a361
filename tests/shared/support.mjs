// Helpers for the shared-connection tests: one Chromium per file, the e2e static server (the test page
// and pkg/ under /lib/), a real socket.io 4.8 server, and pages of one origin in one browser context
// (so that they share a SharedWorker, Web Locks and BroadcastChannels).

import { SioServer, useEnv } from "../e2e/support/harness.mjs";

export { waitFor, sleep, WAIT_MS } from "../e2e/support/harness.mjs";

/** Client options that make reconnection quick. */
export const FAST = { reconnectionDelay: 100, reconnectionDelayMax: 200 };

/** Removes SharedWorker from a page before its scripts run (the fallback path). */
export const NO_SHARED_WORKER = () => {
  delete window.SharedWorker;
};

/** The e2e environment (one Chromium, the static server, cleanup after each test), with contexts. */
export function useSharedEnv() {
  const env = useEnv();
  return Object.assign(env, {
    /** A browser context (one origin's tabs); `init` scripts run in each of its pages first. */
    async context(init = []) {
      const context = await env.browser.newContext();
      for (const f of init) await context.addInitScript(f);
      env.resources.push({ order: 0, close: () => context.close() });
      return context;
    },

    /** A page of `context` with the library loaded. */
    page: (context) => env.openPage(context),

    async pages(context, n) {
      const list = [];
      for (let i = 0; i < n; i++) list.push(await env.page(context));
      return list;
    },

    /** A socket.io 4.8 server, closed after the test. */
    async server(config) {
      const srv = new SioServer(config);
      env.resources.push({ order: 2, close: () => srv.close() });
      await srv.start();
      return srv;
    },
  });
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
