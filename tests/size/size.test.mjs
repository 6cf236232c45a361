// The package's size budget: what a page downloads (the wasm plus the bundled, minified JavaScript,
// each gzip -9) must not exceed the committed budget in bench/size-budget.json, and the budget itself
// may only go down (every earlier version of the file in git history is at least as large).
//
//   node --test tests/size/        (after node scripts/build.mjs, which writes target/size.json)
//
// Bytes are not noisy: a change that grows the package fails here until the budget is raised, which
// this test refuses, so growth has to be paid for elsewhere.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BUDGET_FILE = "bench/size-budget.json";
const KEYS = ["wasmGzip", "jsMinifiedGzip", "totalGzip"];

const budget = JSON.parse(readFileSync(path.join(ROOT, BUDGET_FILE), "utf8"));

test("the package fits its size budget", () => {
  const file = path.join(ROOT, "target/size.json");
  assert.ok(existsSync(file), "target/size.json is missing: run node scripts/build.mjs first");
  const size = JSON.parse(readFileSync(file, "utf8"));
  const measured = {
    wasmGzip: size.wasm.gzip,
    jsMinifiedGzip: size.js.minifiedGzip,
    totalGzip: size.total.minifiedGzip,
  };
  console.log(`# measured ${JSON.stringify(measured)}, budget ${JSON.stringify(budget)}`);
  for (const k of KEYS) {
    assert.ok(
      measured[k] <= budget[k],
      `${k}: ${measured[k]} B is over the budget of ${budget[k]} B in ${BUDGET_FILE}; make the package smaller`,
    );
  }
});

test("the budget only ever goes down", (t) => {
  let log;
  try {
    log = execFileSync("git", ["log", "--format=%H", "--", BUDGET_FILE], { cwd: ROOT, encoding: "utf8" });
  } catch {
    t.skip("not a git checkout: the history of the budget cannot be read");
    return;
  }
  const commits = log.split("\n").filter(Boolean);
  for (const c of commits) {
    const old = JSON.parse(execFileSync("git", ["show", `${c}:${BUDGET_FILE}`], { cwd: ROOT, encoding: "utf8" }));
    for (const k of KEYS) {
      assert.ok(budget[k] <= old[k], `${k}: the budget ${budget[k]} B is above ${old[k]} B of commit ${c.slice(0, 10)}`);
    }
  }
});
