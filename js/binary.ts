/**
 * Binary values in event arguments: on the way out they are replaced by
 * `{"_placeholder":true,"num":N}` and sent as attachments; on the way in the
 * placeholders are replaced by the received `ArrayBuffer`s.
 */

const hasBlob = typeof Blob === "function";

/** True for the binary values socket.io-client sends as attachments. */
export function isBinary(x: unknown): x is ArrayBuffer | ArrayBufferView | Blob {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x) || (hasBlob && x instanceof Blob);
}

function bytes(x: ArrayBuffer | ArrayBufferView): Uint8Array {
  return x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

/** True when `x` holds a Blob anywhere (those need an asynchronous read). */
export function hasBlobs(x: unknown, depth = 0): boolean {
  if (!hasBlob || depth > 1000 || x === null || typeof x !== "object") return false;
  if (x instanceof Blob) return true;
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return false;
  if (Array.isArray(x)) return x.some((v) => hasBlobs(v, depth + 1));
  for (const k in x) {
    if (Object.prototype.hasOwnProperty.call(x, k) && hasBlobs((x as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

/** Replaces every Blob by its bytes (an ArrayBuffer), keeping the shape. */
export async function readBlobs(x: unknown): Promise<unknown> {
  if (hasBlob && x instanceof Blob) return x.arrayBuffer();
  if (x === null || typeof x !== "object" || x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return x;
  if (Array.isArray(x)) return Promise.all(x.map(readBlobs));
  const out: Record<string, unknown> = {};
  for (const k in x) {
    if (Object.prototype.hasOwnProperty.call(x, k)) out[k] = await readBlobs((x as Record<string, unknown>)[k]);
  }
  return out;
}

/**
 * Returns `x` with binary values replaced by placeholders, pushing their
 * bytes to `out`. Values without binary are returned as they are (no copy).
 */
export function deconstruct(x: unknown, out: Uint8Array[]): unknown {
  if (x === null || typeof x !== "object") return x;
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) {
    out.push(bytes(x));
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
