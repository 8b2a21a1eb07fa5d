import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { interleaveBits, zOrderKeys, zOrderSort } from "./zorder.ts";

Deno.test("interleaving puts the first column's bit first", () => {
  assert.equal(interleaveBits([0b11, 0b00], 2), 0b1010);
  assert.equal(interleaveBits([0b00, 0b11], 2), 0b0101);
  assert.equal(interleaveBits([1, 1, 1], 1), 0b111);
});

Deno.test("Z-order on a 4x4 grid visits 2x2 blocks (not a lexical sort)", () => {
  const xs: number[] = [], ys: number[] = [];
  for (let x = 0; x < 4; x++) for (let y = 0; y < 4; y++) xs.push(x), ys.push(y);
  const sorted = zOrderSort(pl.DataFrame({ x: xs, y: ys }), ["x", "y"]).toRecords()
    .map((r) => `${r.x}${r.y}`);
  // The first quadrant (x<2, y<2) comes first whole; a lexical sort would give 00,01,02,03.
  assert.deepEqual(sorted.slice(0, 4), ["00", "01", "10", "11"]);
  assert.deepEqual(sorted.slice(4, 8), ["02", "03", "12", "13"]);
});

Deno.test("ranks make Z-order insensitive to value skew; nulls first", () => {
  const keys = zOrderKeys(pl.DataFrame({ x: [1e9, null, 5], y: [1, 2, 3] }), ["x", "y"]);
  assert.ok(keys[1] < keys[2] && keys[2] < keys[0]);
});
