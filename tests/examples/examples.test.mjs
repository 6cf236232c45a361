// Browser tests of the chat examples: each example is built if needed, served by
// examples/server/server.mjs on a free port, and opened in two Chromium pages that chat with each
// other, survive a server restart (both show "reconnecting..." then "connected" again) and chat again.
//
//   node --test --test-concurrency=1 tests/examples/        (npm run test:examples)
//
// Needs the npm package in pkg/ (`node scripts/build.mjs`). The Rust examples are built with
// `node scripts/build-rust-example.mjs <name>` (slow the first time: cargo).
// env EXAMPLES=vanilla,vite-ts   run only these examples
// env EXAMPLES_REBUILD=1         build every example even when its dist/ looks up to date
//
// Every example follows one DOM contract: #status is "connecting", "connected", "reconnecting..."
// or "disconnected"; #messages has one <li> "<user>: <text>" per chat message; #online shows the
// number of connected clients; #name, #text and #send (click or Enter) send a message.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../support/chromium.mjs";
import { start } from "../../scripts/lib/process.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SERVER = path.join(ROOT, "examples/server/server.mjs");
const BIN = path.join(ROOT, "node_modules/.bin");

/** Limit of a DOM wait, in ms. */
const WAIT_MS = 10_000;
/** Limit of waiting for a reconnection after the restart: the client's backoff reaches 5 s. */
const RECONNECT_MS = 25_000;
/** How long the server stays down during the restart. */
const RESTART_GAP_MS = 1000;


// ---- the examples ------------------------------------------------------------------------------

const rel = (p) => path.join(ROOT, p);

const EXAMPLES = [
  {
    name: "vanilla",
    staticDir: rel("examples/vanilla"),
    mounts: [`/pkg=${rel("pkg")}`],
    requires: [rel("examples/vanilla/index.html"), rel("pkg/index.js")],
    timeout: 120_000,
  },
  {
    name: "vite-ts",
    staticDir: rel("examples/vite-ts/dist"),
    requires: [rel("examples/vite-ts/vite.config.ts"), rel("pkg/index.js")],
    output: rel("examples/vite-ts/dist/index.html"),
    inputs: [rel("examples/vite-ts"), rel("pkg")],
    // type-checked against pkg/*.d.ts first, every time
    check: () => run(path.join(BIN, "tsc"), ["-p", rel("examples/vite-ts")]),
    build: () => run(path.join(BIN, "vite"), ["build", "--logLevel", "warn", rel("examples/vite-ts")]),
    timeout: 240_000,
  },
  ...["leptos-chat", "yew-chat"].map((name) => ({
    name,
    staticDir: rel(`examples/${name}/dist`),
    requires: [rel(`examples/${name}/Cargo.toml`), rel("scripts/build-rust-example.mjs")],
    output: rel(`examples/${name}/dist/index.html`),
    inputs: [rel(`examples/${name}`), rel("src"), rel("Cargo.toml"), rel("scripts/build-rust-example.mjs")],
    build: () => run(process.execPath, [rel("scripts/build-rust-example.mjs"), name]),
    // a cold cargo build of a Yew/Leptos app takes minutes
    timeout: 1_800_000,
  })),
];

const only = process.env.EXAMPLES?.split(",").map((s) => s.trim()).filter(Boolean);

// ---- utilities ---------------------------------------------------------------------------------

function run(cmd, args) {
  try {
    execFileSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`${path.basename(cmd)} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
}

/** The newest modification time under `p` (dist/, target/ and node_modules/ are not inputs). */
function newestMtime(p) {
  const s = statSync(p, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(p)) {
    if (entry === "dist" || entry === "target" || entry === "node_modules" || entry.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

function needsBuild(ex) {
  if (process.env.EXAMPLES_REBUILD === "1") return true;
  const out = statSync(ex.output, { throwIfNoEntry: false });
  return !out || ex.inputs.some((i) => newestMtime(i) > out.mtimeMs);
}

/** Starts server.mjs; resolves once it printed its "listening" line. */
async function startServer(ex, port = 0) {
  const args = [SERVER, "--static", ex.staticDir, "--port", String(port)];
  for (const m of ex.mounts ?? []) args.push("--mount", m);
  const proc = start(process.execPath, args, { label: "server", cwd: ROOT, env: { ...process.env, HOST: "127.0.0.1", PORT: "" } });
  const m = await proc.waitLine(/^chat server listening on (http:\/\/127\.0\.0\.1:(\d+))$/);
  assert.equal(proc.stdout.trim().split("\n").length, 1, "the server prints exactly one line on stdout");
  return {
    proc,
    url: m[1],
    port: Number(m[2]),
    get log() {
      return proc.output;
    },
  };
}

/** Stops a server (SIGTERM, then SIGKILL after 5 s); resolves once the process is gone. */
async function stopServer(server) {
  await server?.proc.stop();
}

/** What a page shows, for failure messages. */
async function snapshot(page) {
  return page
    .evaluate(() => ({
      status: document.querySelector("#status")?.textContent ?? null,
      online: document.querySelector("#online")?.textContent ?? null,
      messages: [...document.querySelectorAll("#messages li")].map((li) => li.textContent),
    }))
    .catch((e) => ({ error: String(e) }));
}

// ---- the test ----------------------------------------------------------------------------------

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

for (const ex of EXAMPLES) {
  test(`example ${ex.name}: two pages chat, survive a server restart, chat again`, { timeout: ex.timeout }, async (t) => {
    if (only && !only.includes(ex.name)) {
      t.skip(`not in EXAMPLES=${process.env.EXAMPLES}`);
      return;
    }
    const missing = ex.requires.filter((p) => !existsSync(p));
    if (missing.length > 0) {
      const what = missing.map((p) => path.relative(ROOT, p)).join(", ");
      if (missing.some((p) => p.startsWith(rel("pkg")))) {
        assert.fail(`${what} missing: build the package first (node scripts/build.mjs)`);
      }
      t.skip(`example ${ex.name} is not there yet (missing ${what})`);
      return;
    }

    const t0 = Date.now();
    const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    if (ex.check) {
      ex.check();
      t.diagnostic(`type-checked (${elapsed()})`);
    }
    if (ex.build && needsBuild(ex)) {
      ex.build();
      t.diagnostic(`built (${elapsed()})`);
    }
    assert.ok(!ex.output || existsSync(ex.output), `the build made no ${ex.output}`);

    // Everything opened below is closed here, even when a step fails.
    let server;
    const contexts = [];
    t.after(async () => {
      await Promise.all(contexts.map((c) => c.close().catch(() => {})));
      await stopServer(server);
    });

    server = await startServer(ex);
    const serverLogs = [server.log];
    const pageErrors = [];
    const pages = [];
    for (const label of ["A", "B"]) {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(`page ${label}: ${e.stack ?? e.message}`));
      pages.push(page);
    }
    const [a, b] = pages;

    // Waits until `predicate(arg)` holds in `page`; on timeout says what both pages show.
    const waitIn = async (page, what, predicate, arg, timeout = WAIT_MS) => {
      try {
        await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
      } catch (e) {
        const shown = { A: await snapshot(a), B: await snapshot(b) };
        throw new Error(
          `page ${page === a ? "A" : "B"}: timed out after ${timeout} ms waiting for ${what}\n` +
            `pages: ${JSON.stringify(shown)}\npage errors: ${JSON.stringify(pageErrors)}\n` +
            `server log:\n${serverLogs.join("") + server.log}`,
          { cause: e },
        );
      }
    };
    const statusIs = (page, want, timeout) =>
      waitIn(page, `#status "${want}"`, (w) => document.querySelector("#status")?.textContent.trim() === w, want, timeout);
    const statusStartsWith = (page, want, timeout) =>
      waitIn(
        page,
        `#status starting with "${want}"`,
        (w) => document.querySelector("#status")?.textContent.trim().startsWith(w) === true,
        want,
        timeout,
      );
    const onlineIs = (page, n) =>
      waitIn(
        page,
        `#online showing ${n}`,
        (n) => Number(/\d+/.exec(document.querySelector("#online")?.textContent ?? "")?.[0]) === n,
        n,
      );
    const hasMessage = (page, line) =>
      waitIn(
        page,
        `a message "${line}" in #messages`,
        (l) => [...document.querySelectorAll("#messages li")].some((li) => li.textContent.trim() === l),
        line,
      );
    const both = (f) => Promise.all([f(a), f(b)]);

    // 1. both pages connect, and each sees two clients online
    await a.goto(server.url + "/");
    await statusIs(a, "connected");
    await onlineIs(a, 1);
    await b.goto(server.url + "/");
    await statusIs(b, "connected");
    await both((p) => onlineIs(p, 2));
    t.diagnostic(`both pages connected, 2 online (${elapsed()})`);

    // 2. A sends (button), both receive
    const nonce = Math.random().toString(36).slice(2, 8);
    const first = `hello from A ${nonce}`;
    await a.fill("#text", first);
    await a.click("#send");
    await both((p) => hasMessage(p, `anonymous: ${first}`));
    assert.equal(await a.inputValue("#text"), "", "#text is cleared after sending");
    t.diagnostic(`message A -> B delivered (${elapsed()})`);

    // 3. restart the server on the same port: both pages show "reconnecting..." while it is down,
    //    then "connected" again once it is back
    const port = server.port;
    const stoppedAt = Date.now();
    await stopServer(server);
    serverLogs.push(server.log);
    await both((p) => statusStartsWith(p, "reconnecting"));
    t.diagnostic(`server stopped, both pages reconnecting (${elapsed()})`);
    const gap = RESTART_GAP_MS - (Date.now() - stoppedAt);
    if (gap > 0) await new Promise((r) => setTimeout(r, gap)); // the only fixed wait: the restart gap
    server = await startServer(ex, port);
    await both((p) => statusIs(p, "connected", RECONNECT_MS));
    await both((p) => onlineIs(p, 2));
    t.diagnostic(`server restarted, both pages connected again (${elapsed()})`);

    // 4. B sends (Enter) after the reconnection, both receive
    const second = `hello again from B ${nonce}`;
    await b.fill("#text", second);
    await b.press("#text", "Enter");
    await both((p) => hasMessage(p, `anonymous: ${second}`));
    assert.equal(await b.inputValue("#text"), "", "#text is cleared after sending");
    t.diagnostic(`message B -> A delivered after the restart (${elapsed()})`);

    assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
  });
}

// The Leptos example with "?shared" (io(..).shared(true) in the Rust API): four tabs of one browser
// context, one connection; a tab closes and the others go on; then the tab that runs the connection
// closes and the others elect a new owner, which connects again, and keep chatting. Runs after the test above has built the example.
test("example leptos-chat with ?shared: four tabs, one connection, a tab and then the owner close", { timeout: 120_000 }, async (t) => {
  const ex = EXAMPLES.find((e) => e.name === "leptos-chat");
  if ((only && !only.includes(ex.name)) || !existsSync(ex.output)) {
    t.skip(`example ${ex.name} is not built`);
    return;
  }
  const server = await startServer(ex);
  const context = await browser.newContext();
  t.after(async () => {
    await context.close().catch(() => {});
    await stopServer(server);
  });
  const pageErrors = [];
  const connections = () => server.log.match(/ connected \(/g)?.length ?? 0;
  const waitIn = async (page, what, predicate, arg) => {
    try {
      await page.waitForFunction(predicate, arg, { timeout: WAIT_MS, polling: 50 });
    } catch (e) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await snapshot(page))}\n${pageErrors.join("\n")}\n${server.log}`, {
        cause: e,
      });
    }
  };
  const connected = (page) => waitIn(page, "connected", () => document.querySelector("#status")?.textContent.trim() === "connected");
  const hasMessage = (page, line) =>
    waitIn(page, `"${line}"`, (l) => [...document.querySelectorAll("#messages li")].some((li) => li.textContent.trim() === l), line);
  const say = async (page, text) => {
    await page.fill("#text", text);
    await page.click("#send");
  };

  const tabs = [];
  for (let i = 0; i < 4; i++) {
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(`tab ${i}: ${e.stack ?? e.message}`));
    await page.goto(server.url + "/?shared");
    await connected(page);
    tabs.push(page);
  }
  assert.equal(connections(), 1, `one connection for four tabs:\n${server.log}`);
  await say(tabs[1], "hello from tab 1");
  for (const page of tabs) await hasMessage(page, "anonymous: hello from tab 1");
  const counts = await Promise.all(tabs.map((p) => p.evaluate(() => document.querySelectorAll("#messages li").length)));
  assert.deepEqual(counts, [1, 1, 1, 1], "each tab shows the message once");

  // A tab that does not run the connection closes: the others go on, on the same connection.
  await tabs[3].close();
  await say(tabs[2], "hello from tab 2");
  for (const page of tabs.slice(0, 3)) await hasMessage(page, "anonymous: hello from tab 2");
  assert.equal(connections(), 1, `still one connection:\n${server.log}`);

  // The first tab runs the connection; closing it hands the connection over.
  await tabs[0].close();
  const rest = tabs.slice(1, 3);
  for (let i = 0; i < 200 && connections() < 2; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(connections(), 2, `the next tab connected again, once:\n${server.log}`);
  for (const page of rest) await connected(page);
  await say(rest[1], "hello after the hand-over");
  for (const page of rest) await hasMessage(page, "anonymous: hello after the hand-over");
  assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
});
