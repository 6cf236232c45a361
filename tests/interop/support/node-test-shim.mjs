// node:test for the e2e files when the server is not socket.io: describe/it as usual, except that a case
// listed in skips.mjs for SIO_E2E_SERVER is registered with `skip: "<reason>"` (the reporter prints it),
// and a case that runs into a missing server capability (an Unsupported error) is skipped with it.
import * as nodeTest from "node:test";
import { skipReason } from "./skips.mjs";

export * from "node:test";
export default nodeTest.default;

const KIND = process.env.SIO_E2E_SERVER || "node";
const suites = [];

function split(args) {
  const fn = typeof args.at(-1) === "function" ? args.at(-1) : undefined;
  const rest = fn ? args.slice(0, -1) : args;
  const options = rest.find((a) => a && typeof a === "object") || {};
  return { options, fn };
}

export function describe(name, ...args) {
  // a suite is never skipped as a whole: each of its cases is, so that the counts show them
  const { options, fn } = split(args);
  return nodeTest.describe(name, options, function (...a) {
    suites.push(name);
    try {
      return fn && fn.apply(this, a);
    } finally {
      suites.pop();
    }
  });
}

export function it(name, ...args) {
  const { options, fn } = split(args);
  const reason = skipReason(KIND, [...suites, name].join(" > "));
  if (reason) return nodeTest.it(name, { ...options, skip: reason }, fn);
  if (!fn || fn.length >= 2) return nodeTest.it(name, options, fn);
  // A case that needs what the server's API does not offer (remote.mjs throws Unsupported) is skipped,
  // with that reason, at the point where it asks for it.
  return nodeTest.it(name, options, async function (t) {
    try {
      return await fn.call(this, t);
    } catch (e) {
      if (e && e.unsupported) return t.skip(e.message);
      throw e;
    }
  });
}

export const test = it;
export const suite = describe;
for (const k of ["skip", "todo", "only"]) {
  describe[k] = nodeTest.describe[k];
  it[k] = nodeTest.it[k];
}
