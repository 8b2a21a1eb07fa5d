import assert from "node:assert/strict";
import { decodeArray, encodeArray } from "./_codec.ts";
import { ModelFormatError } from "./errors.ts";

Deno.test("typed arrays round-trip bit for bit through JSON", () => {
  const f = Float64Array.from([0.1, -0, NaN, Infinity, -1e308, 5e-324, Math.PI]);
  const back = decodeArray(JSON.parse(JSON.stringify(encodeArray(f))), "f64", "f");
  assert.deepEqual(new Uint8Array(back.buffer), new Uint8Array(f.buffer));
  const i = Int32Array.from([-2147483648, 0, 2147483647]);
  assert.deepEqual(decodeArray(encodeArray(i), "i32", "i"), i);
  const u = Uint8Array.from([0, 255, 7]);
  assert.deepEqual(decodeArray(encodeArray(u), "u8", "u"), u);
  // A subarray view encodes only its own elements.
  const view = f.subarray(1, 3);
  assert.equal(decodeArray(encodeArray(view), "f64", "v").length, 2);
});

Deno.test("wrong type or truncated data is a ModelFormatError", () => {
  const e = encodeArray(Float64Array.from([1, 2]));
  assert.throws(() => decodeArray(e, "i32", "x"), ModelFormatError);
  assert.throws(() => decodeArray({ ...e, length: 3 }, "f64", "thr"), /thr: 16 bytes for 3/);
  assert.throws(() => decodeArray(null, "f64", "x"), ModelFormatError);
});

Deno.test("flags pack eight to a byte and come back", () => {
  for (const length of [0, 1, 7, 8, 9, 1000]) {
    const flags = Uint8Array.from({ length }, (_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
    const encoded = encodeArray(flags, "u1");
    assert.equal(encoded.data.length, 4 * Math.ceil(Math.ceil(length / 8) / 3));
    assert.deepEqual(decodeArray(JSON.parse(JSON.stringify(encoded)), "u1", "f"), flags);
  }
  assert.throws(() => encodeArray(Uint8Array.from([0, 2]), "u1"), /value 2 at 1/);
  assert.throws(() => encodeArray(Int32Array.from([1]), "u1"), RangeError);
  assert.throws(() => encodeArray(Int32Array.from([1]), "u8"), RangeError);
});

Deno.test("one of several dtypes may be accepted", () => {
  const bytes = encodeArray(Uint8Array.from([3, 200]));
  assert.deepEqual(decodeArray(bytes, ["u8", "i32"], "f"), Uint8Array.from([3, 200]));
  const ints = encodeArray(Int32Array.from([3, 70000]));
  assert.deepEqual(decodeArray(ints, ["u8", "i32"], "f"), Int32Array.from([3, 70000]));
  assert.throws(() => decodeArray(ints, ["u8", "u1"], "f"), /f: expected an encoded u8 or u1/);
});

Deno.test("corrupt base64 is refused, never decoded to other values", () => {
  const e = encodeArray(Int32Array.from([1, 2, 3, 4]));
  const fail = (change: object, message: RegExp) =>
    assert.throws(() => decodeArray({ ...e, ...change }, "i32", "m.json: x"), (error: Error) => {
      assert.ok(error instanceof ModelFormatError);
      assert.match(error.message, /^m\.json: x: /);
      assert.match(error.message, message);
      return true;
    });
  fail({ data: "*" + e.data.slice(1) }, /invalid base64/);
  fail({ data: e.data.slice(0, -4) }, /truncated or corrupt/);
  fail({ data: e.data + "AAAA" }, /truncated or corrupt/);
  fail({ length: -1 }, /expected an encoded i32/);
  fail({ length: 1e12 }, /bytes for 1000000000000 i32/);
  // Padding must be there and the unused bits zero.
  fail({ length: 1, data: "AQAAAA" }, /truncated or corrupt/);
  fail({ length: 1, data: "AQAAAB==" }, /invalid base64/);
  assert.throws(() => decodeArray({ dtype: "u1", length: 3, data: "Dw==" }, "u1", "b"), /past/);
});
