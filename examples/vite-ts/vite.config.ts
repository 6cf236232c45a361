// Vite config of the TypeScript example. From the repository root:
//   node_modules/.bin/vite build examples/vite-ts     -> examples/vite-ts/dist
//   node examples/server/server.mjs --static examples/vite-ts/dist
// or, for development, the chat server on port 3000 and `node_modules/.bin/vite examples/vite-ts`
// (the dev server proxies /socket.io to it).
//
// "socketio-wasm" is the package built in pkg/ (`node scripts/build.mjs`); an app that installs it
// from npm needs no alias. No plugin: Vite emits the .wasm from the package's
// `new URL("./socketio_wasm_bg.wasm", import.meta.url)`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("."),
  resolve: {
    alias: [{ find: /^socketio-wasm$/, replacement: here("../../pkg/index.js") }],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // the package loads its engine with top-level await
    target: "es2022",
  },
  server: {
    proxy: { "/socket.io": { target: `http://127.0.0.1:${process.env.PORT ?? 3000}`, ws: true } },
    // the aliased package lives outside this directory
    fs: { allow: [here("../..")] },
  },
});
