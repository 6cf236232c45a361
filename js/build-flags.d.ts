// Constants the build replaces in the compiled modules (scripts/build.mjs, `debugBuild`).

/**
 * `false` in the package's modules, `true` in those of `socketio-wasm/debug`: without debug
 * logging, no log call and no message is left in a bundle.
 */
declare const DEBUG_BUILD: boolean;
