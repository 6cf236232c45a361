// The npm package's payload codec, on the JavaScript side (see src/bindings/codec.rs). Every payload
// stays a JavaScript value: the core reads only the short prefix `head` returns, arguments are parsed
// once here with JSON.parse and written once by the caller with JSON.stringify.

/** The event names an application cannot emit or receive (js/socket.ts refuses them in `emit`). */
export const RESERVED = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);

/** The first `n` UTF-16 units of `text` (all of it when shorter). */
export function head(text, n) {
  return text.length > n ? text.slice(0, n) : text;
}

/** The length of `text` in UTF-16 units. */
export function units(text) {
  return text.length;
}

/** The first UTF-16 unit of `text` (NaN when empty). */
export function firstUnit(text) {
  return text.charCodeAt(0);
}

/**
 * The arguments after the first `from` units of `text`, parsed; undefined when they are not a JSON
 * array or, for an event, when the array does not start with an allowed event name.
 */
export function parse(text, from, event) {
  let v;
  try {
    v = JSON.parse(from ? text.slice(from) : text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  if (event) {
    const name = v[0];
    if (!(typeof name === "number" || (typeof name === "string" && !RESERVED.has(name)))) return undefined;
  }
  return v;
}

/** The last argument when it is a string. */
export function lastString(args) {
  const last = args[args.length - 1];
  return typeof last === "string" ? last : undefined;
}

/** An outgoing message: the core's header, then the JSON the caller serialised (`args` is `[json, values]`). */
export function message(head, args) {
  return head + args[0];
}

/** The records of a long-polling payload. */
export function records(body) {
  return body.split("\x1e");
}

/** Records joined into one long-polling payload. */
export function join(list) {
  return list.join("\x1e");
}

/** The UTF-8 length of a string, counted against the server's maxPayload. */
export function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c < 0xd800 || c >= 0xe000) n += 3;
    else {
      i++;
      n += 4;
    }
  }
  return n;
}

/** The bytes of a base64 record (`b...`) as an ArrayBuffer; undefined when the base64 is invalid. */
export function fromBase64(record) {
  let s;
  try {
    s = atob(record.slice(1));
  } catch {
    return undefined;
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out.buffer;
}

/** `b` and the base64 of an ArrayBuffer or a view. */
export function toBase64(data) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return "b" + btoa(s);
}

/** The size of an attachment in bytes. */
export function byteLength(data) {
  return data.byteLength;
}

/** `text` parsed when it is one JSON object, else undefined. */
export function parseObject(text) {
  let v;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
}

/** A field of an object `parseObject` made. */
export function field(o, key) {
  return o[key];
}

/** A field as a number (NaN when it is not one): no optional number crosses. */
export function numberField(o, key) {
  const v = o[key];
  return typeof v === "number" ? v : NaN;
}

/** A field as JSON text (undefined when absent). */
export function jsonField(o, key) {
  return o[key] === undefined ? undefined : JSON.stringify(o[key]);
}

/** The value of `text` when it is one JSON string. */
export function parseString(text) {
  try {
    const v = JSON.parse(text);
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `s` as a JSON string. */
export function quote(s) {
  return JSON.stringify(s);
}
