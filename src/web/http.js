// Long-polling requests of the browser shell (src/web/mod.rs): one fetch, its abort controller, and
// one callback when it settles: `done(text, 0)` for a GET's body, `done("", 0)` for a POST,
// `done(undefined, status)` for a status that is not 2xx, `done(undefined, -1, message)` for a
// network error, an abort or the time limit.

const message = (e) => String((e && e.message) || e || "");

/**
 * Starts a request: a GET when `body` is undefined, else a POST of `body` as text. `headers` are the
 * extra headers as `[name, value]` pairs, `timeout` a time limit in ms (negative: none). Returns the abort
 * controller of a GET (POSTs are never aborted).
 */
export function request(url, body, headers, credentials, timeout, done) {
  const post = body !== undefined;
  const controller = post ? undefined : new AbortController();
  const signals = [];
  if (controller) signals.push(controller.signal);
  if (timeout >= 0) signals.push(AbortSignal.timeout(timeout));
  const init = {
    method: post ? "POST" : "GET",
    credentials: credentials ? "include" : "same-origin",
    headers: post ? [...headers, ["content-type", "text/plain;charset=UTF-8"]] : headers,
  };
  if (signals.length) init.signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  if (post) init.body = body;
  const fail = (e) => done(undefined, -1, message(e));
  fetch(url, init).then((r) => {
    if (!r.ok) return done(undefined, r.status);
    if (post) return done("", 0);
    return r.text().then((t) => done(t, 0), fail);
  }, fail);
  return controller;
}

/** Aborts a GET. */
export function abort(controller) {
  controller.abort();
}
