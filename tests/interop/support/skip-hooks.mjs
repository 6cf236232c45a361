// Module resolution hook: "node:test" imported by an e2e test file resolves to node-test-shim.mjs.
const SHIM = new URL("./node-test-shim.mjs", import.meta.url).href;
const E2E_TEST_FILE = /\/tests\/(e2e|dropin)\/[^/]+\.test\.mjs$/;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "node:test" && context.parentURL && E2E_TEST_FILE.test(context.parentURL)) {
    return { url: SHIM, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
