// The vanilla chat example with "?shared": three tabs, one connection to the chat server; a message
// typed in one tab appears in every tab.
//
//   node --test --test-concurrency=1 tests/shared/        (after node scripts/build.mjs)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let server;
let url;
let browser;
let log = "";

before(async () => {
  server = spawn(process.execPath, ["examples/server/server.mjs", "--static", "examples/vanilla", "--mount", "/pkg=pkg", "--port", "0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stderr.on("data", (d) => (log += d));
  url = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = /chat server listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.once("exit", (code) => reject(new Error(`the chat server exited (${code})`)));
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test("the chat example with ?shared: three tabs, one connection, every tab sees every message", { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  try {
    const tabs = [];
    for (let i = 0; i < 3; i++) {
      const tab = await context.newPage();
      await tab.goto(url + "/?shared");
      await tab.waitForSelector('#status[data-state="connected"]', { timeout: 15_000 });
      tabs.push(tab);
    }
    // the server's count: one connection for the three tabs (it logs each connection on stderr); a
    // tab that attaches later gets no "online" event (the server sent it when the socket connected)
    await tabs[0].waitForFunction(() => document.getElementById("online").textContent === "1");
    assert.equal(log.match(/ connected \(/g)?.length, 1, log);
    await tabs[1].fill("#text", "hello from tab 2");
    await tabs[1].click("#send");
    for (const tab of tabs) {
      await tab.waitForFunction(() => [...document.querySelectorAll("#messages li")].some((li) => li.textContent.endsWith(": hello from tab 2")));
    }
    const counts = await Promise.all(tabs.map((t) => t.evaluate(() => document.querySelectorAll("#messages li").length)));
    assert.deepEqual(counts, [1, 1, 1], "each tab shows the message once");
  } finally {
    await context.close();
  }
});
