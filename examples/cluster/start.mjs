#!/usr/bin/env node
// Runs the cluster example until Ctrl-C: redis-server, two socket.io nodes joined by the redis
// adapter, nginx in front with sticky sessions.
//
//   node examples/cluster/start.mjs [--port 8080] [--round-robin] [--lib <dir> | --client reference] [--quiet]
//
//   --port N         nginx's port (default 8080; 0 picks a free one); the other ports are free ones
//   --round-robin    no sticky sessions (to see what a misconfigured balancer does to polling)
//   --lib <dir>      the package served to the page (default: <repo>/pkg; build it with npm run build)
//   --client reference   serve socket.io-client 4.8 instead of socketio-wasm
//   --quiet          do not echo the processes' logs

import { parseArgs } from "node:util";
import { freePorts, startCluster } from "./cluster.mjs";

const { values: opts } = parseArgs({
  options: {
    port: { type: "string", default: "8080" },
    "round-robin": { type: "boolean", default: false },
    lib: { type: "string" },
    client: { type: "string" },
    quiet: { type: "boolean", default: false },
  },
});

const nginxPort = Number(opts.port) || (await freePorts(1))[0];
const [redis, a, b] = await freePorts(3);
const cluster = await startCluster({
  balance: opts["round-robin"] ? "round-robin" : "sticky",
  lib: opts.lib,
  client: opts.client,
  ports: { nginx: nginxPort, redis, nodes: [a, b] },
  echo: opts.quiet ? undefined : (line) => console.error(line),
});

console.log(`chat through nginx (${cluster.balance}): ${cluster.url}/?room=lobby&user=alice`);
for (const node of cluster.nodes) console.log(`  ${node.name} directly: ${node.url}/?room=lobby&user=bob`);
console.log("Every browser of this machine has the same address, so ip_hash sends them all to one node:");
console.log("open a node's own address to chat from the other one. Ctrl-C stops everything.");

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await cluster.stop();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
