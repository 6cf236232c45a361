#!/usr/bin/env node
// Does the cost of an acknowledgement grow with the number of acks in flight? Emits N events with ack
// callbacks at once (as the c2s case of run.mjs), for growing N, and prints main-thread script and task
// CPU per event for both libraries. A flat line is linear behaviour; a rising one is super-linear.
// A diagnostic tool, not part of `npm run bench`.
//
//   node bench/ack-scaling.mjs [websocket|polling] [N,N,...]   (default: websocket 1000,4000,16000)

import { LIBS, launchBrowser, openLibPage, startSioServer, startStaticServer } from "./lib.mjs";

const transport = process.argv[2] || "websocket";
const sizes = (process.argv[3] || "1000,4000,16000").split(",").map(Number);
const REPS = 3;

const sio = await startSioServer();
const stat = await startStaticServer();
const browser = await launchBrowser();
try {
  console.log(`c2s with acks over ${transport}: median of ${REPS} runs per size`);
  for (const lib of Object.keys(LIBS)) {
    const p = await openLibPage(browser, stat.url, lib);
    await p.call("connect", sio.url, transport);
    await p.call("c2s", 2000); // warm-up
    for (const n of sizes) {
      const runs = [];
      for (let k = 0; k < REPS; k++) {
        await p.gc();
        const m0 = await p.metrics();
        const r = await p.call("c2s", n);
        const m1 = await p.metrics();
        runs.push({ script: ((m1.script - m0.script) * 1000) / n, task: ((m1.task - m0.task) * 1000) / n, rate: (n * 1000) / r.ms });
      }
      const med = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[REPS >> 1];
      console.log(
        `  ${LIBS[lib].name.padEnd(24)} N=${String(n).padStart(6)}  script ${med("script").toFixed(2).padStart(6)} µs/event` +
          `  task ${med("task").toFixed(2).padStart(6)} µs/event  ${Math.round(med("rate")).toLocaleString("en-US").padStart(7)} acks/s`,
      );
    }
    await p.call("disconnect");
    await p.close();
  }
} finally {
  await browser.close().catch(() => {});
  await stat.close();
  await sio.close();
}
