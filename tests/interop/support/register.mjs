// Preloaded with `node --import ./tests/interop/support/register.mjs` for the e2e runs against servers
// other than socket.io: the e2e test files then get a node:test whose describe/it mark the cases listed
// in skips.mjs as skipped, with the reason, for the server chosen by SIO_E2E_SERVER.
import { register } from "node:module";

globalThis.__sioInteropSkips = true;
register("./skip-hooks.mjs", import.meta.url);
