// Binary payloads: nested binary both directions, binary in acks, 4 MB each way.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useEnv, MODES, T, patternByte } from "./support/harness.mjs";

const env = useEnv();

const BIG = 4 * 1024 * 1024;

const bytesOf = (typed) => [...new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength)];

function assertBuffer(actual, expectedBytes, what) {
  assert.ok(Buffer.isBuffer(actual), `${what}: expected a Buffer, got ${Object.prototype.toString.call(actual)}`);
  assert.deepEqual([...actual], expectedBytes, what);
}

function verifyPattern(buf) {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== patternByte(i)) return false;
  return true;
}

function bigString() {
  // multi-byte characters on purpose: 4 MB of UTF-16 code units, more in UTF-8
  const unit = "abcdefghij😀é\u2028xyz0123456789";
  return unit.repeat(Math.ceil(BIG / unit.length)).slice(0, BIG);
}

function setup(io, srv) {
  io.on("connection", (socket) => {
    socket.on("bin", srv.record("bin"));
    socket.on("bin-echo", (data, cb) => cb({ back: data, extra: Buffer.from([250, 251]) }));
    socket.on("big-bin", (data, cb) => {
      srv.push("big-bin", { isBuffer: Buffer.isBuffer(data), length: data.length, ok: verifyPattern(data) });
      cb({ length: data.length });
    });
    socket.on("big-str", (str, cb) => {
      const expected = bigString();
      srv.push("big-str", { length: str.length, ok: str === expected });
      cb(str.length);
    });
  });
}

for (const mode of MODES) {
  describe(`binary [${mode.name}]`, () => {
    async function start() {
      const srv = await env.newServer({ setup, options: { maxHttpBufferSize: 1e7 } });
      const page = await env.newPage();
      await page.connect("main", srv.url(), mode);
      return { srv, page };
    }

    it("client binary nested in objects reaches the server as Buffers", T, async () => {
      const { srv, page } = await start();
      // 10 binary attachments: the most socket.io 4.8's parser accepts in one packet (maxAttachments)
      await page.eval(() => {
        const ab = new Uint8Array([1, 2, 3]).buffer;
        const whole = new Uint8Array([0, 0, 11, 12, 13, 0, 0]);
        const dvBacking = new Uint8Array([9, 20, 21, 22, 9]).buffer;
        window.sockets.main.emit(
          "bin",
          {
            ab,
            u8: new Uint8Array([4, 5, 6]),
            sub: whole.subarray(2, 5), // a view with a byteOffset: only its own bytes go
            i16: new Int16Array([1, -2, 300]),
            f64: new Float64Array([1.5, -0.25]),
            dv: new DataView(dvBacking, 1, 3),
            blob: new Blob([new Uint8Array([7, 8, 9])]),
            empty: new Uint8Array(0),
            nested: { list: [{ deep: new Uint8Array([10]) }, "text", 1, null], flag: true },
          },
          new Uint8Array([255, 0, 128]),
          "after",
        );
      });
      const [ev] = await srv.waitLog("bin");
      const [obj, top, after] = ev.args;
      assertBuffer(obj.ab, [1, 2, 3], "ArrayBuffer");
      assertBuffer(obj.u8, [4, 5, 6], "Uint8Array");
      assertBuffer(obj.sub, [11, 12, 13], "Uint8Array subarray");
      assertBuffer(obj.i16, bytesOf(new Int16Array([1, -2, 300])), "Int16Array");
      assertBuffer(obj.f64, bytesOf(new Float64Array([1.5, -0.25])), "Float64Array");
      assertBuffer(obj.dv, [20, 21, 22], "DataView");
      assertBuffer(obj.blob, [7, 8, 9], "Blob");
      assertBuffer(obj.empty, [], "empty Uint8Array");
      assertBuffer(obj.nested.list[0].deep, [10], "deeply nested Uint8Array");
      assert.deepEqual(obj.nested.list.slice(1), ["text", 1, null]);
      assert.equal(obj.nested.flag, true);
      assertBuffer(top, [255, 0, 128], "top-level argument");
      assert.equal(after, "after");
    });

    it("server binary nested in objects arrives as ArrayBuffer", T, async () => {
      const { srv, page } = await start();
      await page.eval(() => window.sockets.main.on("bin", window.__rec("bin")));
      const pool = Buffer.from([100, 101, 102, 103, 104, 105]);
      srv.socket().emit(
        "bin",
        {
          buf: Buffer.from([1, 2, 3]),
          sliced: pool.subarray(2, 4),
          u8: new Uint8Array([4, 5]),
          ab: new Uint8Array([6, 7]).buffer,
          empty: Buffer.alloc(0),
          nested: [{ deep: Buffer.from("hi") }, "s", 2],
        },
        Buffer.from([9]),
      );
      const [ev] = await page.waitEvent("bin");
      const AB = (bytes) => ({ $type: "ArrayBuffer", bytes });
      assert.deepEqual(ev.args, [
        {
          buf: AB([1, 2, 3]),
          sliced: AB([102, 103]),
          u8: AB([4, 5]),
          ab: AB([6, 7]),
          empty: AB([]),
          nested: [{ deep: AB([104, 105]) }, "s", 2],
        },
        AB([9]),
      ]);
    });

    it("binary in acks travels both ways", T, async () => {
      const { srv, page } = await start();
      const back = await page.eval(async () => {
        const s = window.sockets.main;
        s.on("bin-ask", (data, cb) => cb({ got: data, reply: new Uint8Array([42, 43]), u32: new Uint32Array([0xdeadbeef]) }));
        return window.__describe(await s.emitWithAck("bin-echo", new Uint8Array([1, 2])));
      });
      assert.deepEqual(back, {
        back: { $type: "ArrayBuffer", bytes: [1, 2] },
        extra: { $type: "ArrayBuffer", bytes: [250, 251] },
      });
      const answer = await srv.socket().timeout(5000).emitWithAck("bin-ask", Buffer.from([5, 6, 7]));
      assertBuffer(answer.reply, [42, 43], "client ack binary");
      assertBuffer(answer.u32, bytesOf(new Uint32Array([0xdeadbeef])), "client ack Uint32Array");
      assertBuffer(answer.got, [5, 6, 7], "server binary echoed through the client");
    });

    it("sends 4 MB binary and a 4 MB string to the server", T, async () => {
      const { srv, page } = await start();
      const res = await page.eval(
        async ({ BIG, unit }) => {
          const s = window.sockets.main;
          const data = new Uint8Array(BIG);
          for (let i = 0; i < BIG; i++) data[i] = window.__pattern(i);
          const bin = await s.timeout(20000).emitWithAck("big-bin", data);
          const str = unit.repeat(Math.ceil(BIG / unit.length)).slice(0, BIG);
          const strLen = await s.timeout(20000).emitWithAck("big-str", str);
          return { bin, strLen };
        },
        { BIG, unit: "abcdefghij😀é\u2028xyz0123456789" },
        30000,
      );
      assert.deepEqual(res, { bin: { length: BIG }, strLen: BIG });
      assert.deepEqual(srv.entries("big-bin")[0].args, [{ isBuffer: true, length: BIG, ok: true }]);
      assert.deepEqual(srv.entries("big-str")[0].args, [{ length: BIG, ok: true }]);
    });

    it("receives 4 MB binary and a 4 MB string from the server", T, async () => {
      const { srv, page } = await start();
      await page.eval(() => {
        const s = window.sockets.main;
        s.on("big-bin", (obj) => {
          const d = obj.data;
          let ok = d instanceof ArrayBuffer;
          if (ok) {
            const v = new Uint8Array(d);
            for (let i = 0; i < v.length; i++) {
              if (v[i] !== window.__pattern(i)) {
                ok = false;
                break;
              }
            }
          }
          window.__push("big-bin", { isArrayBuffer: d instanceof ArrayBuffer, byteLength: d.byteLength, ok, tag: obj.tag });
        });
        s.on("big-str", (str) => window.__push("big-str", { length: str.length, head: str.slice(0, 20), tail: str.slice(-20) }));
      });
      const data = Buffer.alloc(BIG);
      for (let i = 0; i < BIG; i++) data[i] = patternByte(i);
      const s = srv.socket();
      s.emit("big-bin", { data, tag: "four megabytes" });
      const str = bigString();
      s.emit("big-str", str);
      const [bin] = await page.waitEvent("big-bin", { timeout: 20000 });
      assert.deepEqual(bin.args[0], { isArrayBuffer: true, byteLength: BIG, ok: true, tag: "four megabytes" });
      const [st] = await page.waitEvent("big-str", { timeout: 20000 });
      assert.deepEqual(st.args[0], { length: BIG, head: str.slice(0, 20), tail: str.slice(-20) });
    });
  });
}
