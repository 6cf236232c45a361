/**
 * Binary values in event arguments: on the way out they are replaced by
 * `{"_placeholder":true,"num":N}` while the arguments are serialised and sent
 * as attachments; on the way in the placeholders are replaced by the received
 * `ArrayBuffer`s. Neither walk recurses, so nesting depth is bounded only by
 * `JSON.stringify` / `JSON.parse` themselves.
 */

const hasBlob = typeof Blob === "function";

/** An attachment: bytes (any view or buffer), or a Blob still to be read. */
export type Attachment = ArrayBuffer | ArrayBufferView | Blob;

function isBinary(x: object): x is Attachment {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x) || (hasBlob && x instanceof Blob);
}

/** Reads the Blobs of a list of attachments (in order, in parallel). */
export function readBlobs(list: Attachment[]): Promise<Array<ArrayBuffer | ArrayBufferView>> {
  return Promise.all(list.map((a) => (hasBlob && a instanceof Blob ? a.arrayBuffer() : (a as ArrayBuffer))));
}

/** True when a list of attachments holds a Blob (which must be read first). */
export function hasBlobs(list: Attachment[]): boolean {
  return hasBlob && list.some((a) => a instanceof Blob);
}

/**
 * True when a binary value is anywhere in `root` (objects with `toJSON`, Dates
 * and values seen before are not looked into). The values seen are remembered
 * once the walk is longer than an event's usual arguments (so a cycle ends it):
 * every emit runs this, and most never need the Set.
 */
function hasBinary(root: unknown): boolean {
  const stack: unknown[] = [root];
  let seen: Set<unknown> | undefined;
  let n = 0;
  while (stack.length) {
    const x = stack.pop();
    if (typeof x !== "object" || x === null) continue;
    if (++n > 64) {
      seen ??= new Set();
      if (seen.has(x)) continue;
      seen.add(x);
    }
    if (isBinary(x)) return true;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) stack.push(x[i]);
    } else if (typeof (x as { toJSON?: unknown }).toJSON !== "function") {
      for (const k in x) stack.push((x as Record<string, unknown>)[k]);
    }
  }
  return false;
}

/**
 * `JSON.stringify(args)` with every binary value replaced by a placeholder and
 * pushed to `out`. `toJSON` and Dates apply as usual; the user's values are not
 * modified. Without binary values it is `JSON.stringify` itself (its fast path).
 */
export function serialize(args: unknown[], out: Attachment[]): string {
  if (!hasBinary(args)) return JSON.stringify(args);
  return JSON.stringify(args, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (typeof raw === "object" && raw !== null && isBinary(raw)) {
      out.push(raw);
      return { _placeholder: true, num: out.length - 1 };
    }
    return value;
  });
}

/** Replaces, in place, the placeholders of parsed arguments by the received attachments. */
export function reconstruct<T>(root: T, buffers: ArrayBuffer[]): T {
  const stack: unknown[] = [root];
  while (stack.length) {
    const o = stack.pop() as Record<string, unknown>;
    for (const k in o) {
      const v = o[k] as { _placeholder?: unknown; num?: unknown } | null;
      if (typeof v !== "object" || v === null) continue;
      const n = v.num;
      if (v._placeholder === true && typeof n === "number" && n >= 0 && n < buffers.length) o[k] = buffers[n];
      else stack.push(v);
    }
  }
  return root;
}

/** Parsed arguments with their attachments put back. */
export function withAttachments(args: unknown[], attachments: ArrayBuffer[] | undefined): unknown[] {
  return attachments ? reconstruct(args, attachments) : args;
}
