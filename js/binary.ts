/**
 * Binary values in event arguments: on the way out they are replaced by
 * `{"_placeholder":true,"num":N}` and sent as attachments; on the way in the
 * placeholders are replaced by the received `ArrayBuffer`s.
 */

const hasBlob = typeof Blob === "function";

function bytes(x: ArrayBuffer | ArrayBufferView): Uint8Array {
  return x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

/** An attachment: bytes, or a Blob still to be read. */
export type Attachment = Uint8Array | Blob;

/** Reads the Blobs of a list of attachments (in order, in parallel). */
export function readBlobs(list: Attachment[]): Promise<Uint8Array[]> {
  return Promise.all(list.map((a) => (a instanceof Uint8Array ? a : a.arrayBuffer().then((b) => new Uint8Array(b)))));
}

/**
 * Returns `x` with binary values replaced by placeholders, pushing their
 * bytes (or the Blob) to `out`. Values without binary are returned as they
 * are (no copy).
 */
export function deconstruct(x: unknown, out: Attachment[]): unknown {
  if (x === null || typeof x !== "object") return x;
  const blob = hasBlob && x instanceof Blob;
  if (blob || x instanceof ArrayBuffer || ArrayBuffer.isView(x)) {
    out.push(blob ? (x as Blob) : bytes(x as ArrayBuffer | ArrayBufferView));
    return { _placeholder: true, num: out.length - 1 };
  }
  if (Array.isArray(x)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < x.length; i++) {
      const v = deconstruct(x[i], out);
      if (v !== x[i]) {
        copy ??= x.slice();
        copy[i] = v;
      }
    }
    return copy ?? x;
  }
  if (x instanceof Date) return x;
  if (typeof (x as { toJSON?: unknown }).toJSON === "function") return x;
  let copy: Record<string, unknown> | undefined;
  for (const k in x) {
    if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
    const old = (x as Record<string, unknown>)[k];
    const v = deconstruct(old, out);
    if (v !== old) {
      copy ??= { ...(x as Record<string, unknown>) };
      copy[k] = v;
    }
  }
  return copy ?? x;
}

/** Replaces placeholders in parsed JSON by the received attachments. */
export function reconstruct(x: unknown, buffers: ArrayBuffer[]): unknown {
  if (x === null || typeof x !== "object") return x;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) x[i] = reconstruct(x[i], buffers);
    return x;
  }
  const o = x as Record<string, unknown>;
  if (o._placeholder === true && typeof o.num === "number" && o.num >= 0 && o.num < buffers.length) {
    return buffers[o.num];
  }
  for (const k in o) o[k] = reconstruct(o[k], buffers);
  return o;
}

/** Parses an event's JSON text and puts its attachments back. */
export function decode(data: string, attachments: ArrayBuffer[] | undefined): unknown[] {
  const args = JSON.parse(data) as unknown[];
  return attachments ? (reconstruct(args, attachments) as unknown[]) : args;
}
