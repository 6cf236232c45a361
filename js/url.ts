/**
 * The address given to `io()`, completed and identified as socket.io-client does (`url()` there):
 * relative to the page's location, with the default port of its scheme: the cache key of the
 * connection, the namespace, and the parts the engine builds its request addresses from.
 */
export interface Resolved {
  /** The absolute address. */
  source: string;
  /** What identifies the connection: scheme, host, port and the engine path. */
  id: string;
  /** The namespace (the address's path). */
  nsp: string;
  /** The parts the engine builds its request addresses from. */
  protocol: string;
  host: string;
  port: string;
  /** The address's query, raw (the manager decodes it into the engine's `query` option). */
  query: string;
}

export function resolve(uri: string | undefined, path: string): Resolved {
  const loc = (globalThis as { location?: { protocol: string; host: string } }).location;
  const protocol = loc?.protocol || "https:";
  const host = loc?.host || "localhost";
  let s = uri ?? protocol + "//" + host;
  if (s.startsWith("//")) s = protocol + s;
  else if (s.startsWith("/")) s = host + s;
  if (!/^(https?|wss?):\/\//.test(s)) s = protocol + "//" + s;
  let scheme = s.slice(0, s.indexOf(":"));
  let hostname = "";
  let port = "";
  let nsp = "/";
  let query = "";
  try {
    const u = new URL(s);
    scheme = u.protocol.slice(0, -1);
    hostname = u.hostname;
    port = u.port;
    nsp = u.pathname || "/";
    query = u.search.slice(1);
  } catch {
    // Left to the engine, which reports the failure as a connection error.
  }
  if (!port) port = /s$/.test(scheme) ? "443" : "80";
  const id = scheme + "://" + hostname + ":" + port + path;
  return { source: s, id, nsp, protocol: scheme, host: hostname.replace(/^\[(.*)\]$/, "$1"), port, query };
}
