#!/usr/bin/env node
// Where the bytes of a wasm module are: code size per function and per crate, read from the module's
// name section (build with names: `wasm-bindgen` output before wasm-opt, or wasm-opt with -g).
//
//   node bench/wasm-size.mjs <file.wasm> [top]     per crate, then the `top` largest functions (default 40)
//   SIZE_FILTER=proto node bench/wasm-size.mjs f.wasm 100   only functions whose name contains "proto"
//
// Sizes are bytes of function bodies in the code section (before gzip); the data section and the
// other sections are listed as such. Names are demangled roughly: Rust's legacy mangling is turned back
// into a path, hashes dropped.

import { readFileSync } from "node:fs";

const file = process.argv[2];
const top = Number(process.argv[3] || 40);
if (!file) {
  console.error("usage: node bench/wasm-size.mjs <file.wasm> [top]");
  process.exit(2);
}
const buf = readFileSync(file);

let pos = 8;
const u32 = () => {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result >>> 0;
    shift += 7;
  }
};
const str = () => {
  const len = u32();
  const s = buf.toString("utf8", pos, pos + len);
  pos += len;
  return s;
};

const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];
const sections = [];
let importedFuncs = 0;
const bodies = [];
const names = new Map();

while (pos < buf.length) {
  const id = buf[pos++];
  const size = u32();
  const start = pos;
  const end = pos + size;
  let label = SECTION_NAMES[id] ?? `section ${id}`;
  if (id === 0) {
    const name = str();
    label = `custom "${name}"`;
    if (name === "name") {
      while (pos < end) {
        const sub = buf[pos++];
        const subSize = u32();
        const subEnd = pos + subSize;
        if (sub === 1) {
          const count = u32();
          for (let i = 0; i < count; i++) {
            const index = u32();
            names.set(index, str());
          }
        }
        pos = subEnd;
      }
    }
  } else if (id === 2) {
    const count = u32();
    for (let i = 0; i < count; i++) {
      str();
      str();
      const kind = buf[pos++];
      if (kind === 0) {
        u32();
        importedFuncs++;
      } else if (kind === 1) {
        pos++;
        const flags = u32();
        u32();
        if (flags & 1) u32();
      } else if (kind === 2) {
        const flags = u32();
        u32();
        if (flags & 1) u32();
      } else if (kind === 3) {
        pos += 2;
      } else {
        throw new Error(`unknown import kind ${kind}`);
      }
    }
  } else if (id === 10) {
    const count = u32();
    for (let i = 0; i < count; i++) {
      const len = u32();
      bodies.push(len);
      pos += len;
    }
  }
  sections.push({ label, size: end - start });
  pos = end;
}

function demangle(name) {
  let n = name;
  if (n.startsWith("_ZN")) {
    const parts = [];
    let i = 3;
    while (i < n.length && n[i] !== "E") {
      let len = 0;
      while (n[i] >= "0" && n[i] <= "9") len = len * 10 + Number(n[i++]);
      parts.push(n.slice(i, i + len));
      i += len;
    }
    if (parts.length && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
    n = parts.join("::");
  }
  return n
    .replace(/\$LT\$/g, "<")
    .replace(/\$GT\$/g, ">")
    .replace(/\$u20\$/g, " ")
    .replace(/\$u27\$/g, "'")
    .replace(/\$u5b\$/g, "[")
    .replace(/\$u5d\$/g, "]")
    .replace(/\$u7b\$/g, "{")
    .replace(/\$u7d\$/g, "}")
    .replace(/\$RF\$/g, "&")
    .replace(/\$BP\$/g, "*")
    .replace(/\$C\$/g, ",")
    .replace(/\.\./g, "::")
    .replace(/::h[0-9a-f]{16}$/, "");
}

/** The crate a function belongs to: the first path segment, looking through `<impl X for Y>`. */
function crateOf(name) {
  let n = name;
  while (n.startsWith("<")) n = n.slice(1);
  const m = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(n);
  if (!m) return "(other)";
  if (name.startsWith("__wbg") || name.startsWith("__wbindgen")) return "wasm-bindgen shims";
  return m[1];
}

const fns = bodies.map((size, i) => {
  const raw = names.get(importedFuncs + i) ?? `func[${importedFuncs + i}]`;
  const name = demangle(raw);
  return { name, size, crate: crateOf(name) };
});
const filter = process.env.SIZE_FILTER;
const shown = filter ? fns.filter((f) => f.name.includes(filter)) : fns;
const total = buf.length;
const codeTotal = bodies.reduce((a, b) => a + b, 0);

const pct = (n, of) => `${((100 * n) / of).toFixed(1)}%`;
const pad = (s, n) => String(s).padStart(n);

console.log(`${file}: ${total.toLocaleString("en-US")} B, ${fns.length} functions (${importedFuncs} imported)`);
console.log("\nsections");
for (const s of sections) console.log(`  ${pad(s.size.toLocaleString("en-US"), 9)}  ${pad(pct(s.size, total), 6)}  ${s.label}`);

const byCrate = new Map();
for (const f of fns) byCrate.set(f.crate, (byCrate.get(f.crate) ?? 0) + f.size);
console.log("\ncode by crate");
for (const [c, size] of [...byCrate].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${pad(size.toLocaleString("en-US"), 9)}  ${pad(pct(size, codeTotal), 6)}  ${c}`);
}

console.log(`\nlargest functions${filter ? ` matching "${filter}"` : ""}`);
for (const f of [...shown].sort((a, b) => b.size - a.size).slice(0, top)) {
  console.log(`  ${pad(f.size.toLocaleString("en-US"), 9)}  ${f.name.slice(0, 150)}`);
}
if (filter) {
  const sum = shown.reduce((a, f) => a + f.size, 0);
  console.log(`  ${pad(sum.toLocaleString("en-US"), 9)}  total of ${shown.length} functions`);
}
