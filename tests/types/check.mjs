// Type tests of the package's published declarations (pkg/*.d.ts, built by `node scripts/build.mjs`).
//
//   node tests/types/check.mjs            (npm run test:types)
//   node tests/types/check.mjs --ours     skip the run against socket.io-client's declarations
//   node tests/types/check.mjs --pkg=DIR  check the package in DIR instead of pkg/
//
// Files (never run, only compiled):
//   pass.ts         socket.io-client 4.8's typed API; must compile with no error
//   pass-extras.ts  what socketio-wasm adds (named error classes, Engine...); must compile
//   fail.ts         code that must NOT compile: every line marked `// error` must get at least one
//                   error and no other line may get one
//   fail-extras.ts  the same for errors only socketio-wasm reports (socket.io-client says `any`)
//
// The files are copied into a temporary project whose node_modules/socketio-wasm is a link to pkg/,
// so "socketio-wasm" resolves through pkg/package.json's `exports` map ("types" condition) as in an
// app that installed the package. They are compiled with strict settings and `skipLibCheck: false`
// (our .d.ts files are checked too), once with moduleResolution "bundler" and once with "nodenext".
// pass.ts and fail.ts (not the -extras) are then compiled against socket.io-client 4.8.4's own declarations
// (node_modules/socket.io-client linked as "socketio-wasm"): that proves the tests describe
// socket.io-client's types, so a difference between the two runs is a drop-in bug of ours.
//
// Exits non-zero on any failure.

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const pkgArg = process.argv.find((a) => a.startsWith("--pkg="));
const PKG = pkgArg ? path.resolve(pkgArg.slice("--pkg=".length)) : path.join(ROOT, "pkg");
const REFERENCE = path.join(ROOT, "node_modules/socket.io-client");

/** A line of code (not a comment line) ending in a comment that starts with the word "error". */
const ERROR_MARK = /^(?!\s*\/\/).*\S.*\/\/\s*error\b/;

if (!existsSync(path.join(PKG, "index.d.ts")) || !existsSync(path.join(PKG, "package.json"))) {
  console.error(`${PKG} is not built: run \`node scripts/build.mjs\` first`);
  process.exit(2);
}

const RUNS = [
  {
    name: "socketio-wasm (pkg/), moduleResolution bundler",
    lib: PKG,
    files: ["pass.ts", "pass-extras.ts", "fail.ts", "fail-extras.ts"],
    compilerOptions: { module: "esnext", moduleResolution: "bundler", skipLibCheck: false },
  },
  {
    name: "socketio-wasm (pkg/), moduleResolution nodenext",
    lib: PKG,
    files: ["pass.ts", "pass-extras.ts", "fail.ts", "fail-extras.ts"],
    compilerOptions: { module: "nodenext", moduleResolution: "nodenext", skipLibCheck: false },
  },
  {
    name: "socket.io-client 4.8.4 (reference), moduleResolution bundler",
    lib: REFERENCE,
    files: ["pass.ts", "fail.ts"],
    // engine.io-client's declarations mention Node types; they are not ours to check
    compilerOptions: { module: "esnext", moduleResolution: "bundler", skipLibCheck: true },
    reference: true,
  },
];

/** Parses `tsc --pretty false` output into diagnostics {file, line, code, text}. */
function parseDiagnostics(output) {
  const diags = [];
  for (const raw of output.split("\n")) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(raw);
    if (m) {
      diags.push({ file: path.basename(m[1]), line: Number(m[2]), code: m[4], text: m[5] });
    } else if (/^error TS\d+/.test(raw)) {
      diags.push({ file: "(global)", line: 0, code: raw.slice(6, raw.indexOf(":")), text: raw });
    } else if (raw.startsWith("  ") && diags.length) {
      diags[diags.length - 1].text += "\n" + raw;
    }
  }
  return diags;
}

/** Lines (1-based) of a fail*.ts file marked `// error`. */
function markedLines(file) {
  const lines = readFileSync(file, "utf8").split("\n");
  const marked = new Set();
  lines.forEach((l, i) => {
    if (ERROR_MARK.test(l)) marked.add(i + 1);
  });
  return { marked, lines };
}

function runOne(run, work) {
  const dir = path.join(work, run.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase());
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  symlinkSync(run.lib, path.join(dir, "node_modules/socketio-wasm"), "dir");
  for (const f of ["helpers.ts", ...run.files]) cpSync(path.join(HERE, f), path.join(dir, f));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }));
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "es2022",
          lib: ["es2022", "dom", "dom.iterable"],
          strict: true,
          noEmit: true,
          exactOptionalPropertyTypes: false,
          types: [],
          ...run.compilerOptions,
        },
        files: ["helpers.ts", ...run.files],
      },
      null,
      2,
    ),
  );

  const started = Date.now();
  let output = "";
  try {
    output = execFileSync(process.execPath, [TSC, "-p", dir, "--pretty", "false"], { encoding: "utf8" });
  } catch (e) {
    output = (e.stdout || "") + (e.stderr || "");
  }
  const ms = Date.now() - started;
  const diags = parseDiagnostics(output);

  const problems = [];
  const failFiles = run.files.filter((f) => f.startsWith("fail"));
  // every other file must be clean
  for (const d of diags.filter((d) => !failFiles.includes(d.file))) {
    problems.push(`unexpected error in ${d.file}:${d.line} ${d.code}: ${d.text}`);
  }
  // fail*.ts: errors exactly on the marked lines
  let markedCount = 0;
  let failErrors = 0;
  for (const file of failFiles) {
    const { marked, lines } = markedLines(path.join(HERE, file));
    const failDiags = diags.filter((d) => d.file === file);
    const errorLines = new Set(failDiags.map((d) => d.line));
    markedCount += marked.size;
    failErrors += failDiags.length;
    for (const line of marked) {
      if (!errorLines.has(line)) problems.push(`${file}:${line} compiled but must not: ${lines[line - 1].trim()}`);
    }
    for (const d of failDiags) {
      if (!marked.has(d.line)) problems.push(`unexpected error in ${file}:${d.line} (line not marked // error) ${d.code}: ${d.text}`);
    }
  }
  if (output.trim() && diags.length === 0) problems.push(`tsc output not understood:\n${output}`);

  return { ms, problems, marked: markedCount, failErrors };
}

const onlyOurs = process.argv.includes("--ours");
const work = mkdtempSync(path.join(tmpdir(), "sio-types-"));
let failed = 0;
try {
  for (const run of RUNS) {
    if (onlyOurs && run.reference) continue;
    const r = runOne(run, work);
    const status = r.problems.length ? "FAIL" : "ok";
    console.log(
      `${status.padEnd(4)} ${run.name}: ${run.files.join(", ")}; ${r.marked} lines marked error ` +
        `(${r.failErrors} diagnostics) (${(r.ms / 1000).toFixed(1)} s)`,
    );
    for (const p of r.problems) console.log("     " + p.replace(/\n/g, "\n     "));
    if (r.problems.length) failed++;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed) {
  console.error(`\n${failed} type-test run(s) failed`);
  process.exit(1);
}
console.log("\ntype tests passed");
