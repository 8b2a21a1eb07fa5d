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
