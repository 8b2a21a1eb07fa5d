import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { matchRows } from "./_rows.ts";

const pairs = (df: pl.DataFrame) =>
  (df.sort(["left", "right"]).toRecords() as { left: number; right: number }[])
    .map((p) => `${p.left}-${p.right}`);

Deno.test("matchRows: exact and null-safe on every type; repeated rows pair with each other", () => {
  const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms);
  const left = pl.DataFrame({
    t: pl.Series("t", [at(0), at(1), null, at(2)], pl.Datetime("ms", "UTC")),
    s: pl.Series("s", ["a", null, "c", "a"], pl.Utf8),
    v: pl.Series("v", [1.5, NaN, null, 1.5], pl.Float64),
    b: pl.Series("b", [true, false, null, true], pl.Bool),
  });
  const right = pl.DataFrame({
    t: pl.Series("t", [null, at(1), at(0), at(2)], pl.Datetime("ms", "UTC")),
    s: pl.Series("s", ["c", null, "a", "a"], pl.Utf8),
    v: pl.Series("v", [null, NaN, 1.5, 1.5000000000000002], pl.Float64),
    b: pl.Series("b", [null, false, true, true], pl.Bool),
  });
  assert.deepEqual(pairs(matchRows(left, right, left.columns)), ["0-2", "1-1", "2-0"]);
  // On some columns only: row 3 matches row 2's `s` and `b` too.
  assert.deepEqual(pairs(matchRows(left, right, ["s", "b"])), [
    "0-2",
    "0-3",
    "1-1",
    "2-0",
    "3-2",
    "3-3",
  ]);
  assert.equal(matchRows(left, right.head(0), left.columns).height, 0);
});

Deno.test("matchRows: nested columns are matched by a polars join", () => {
  const a = pl.DataFrame({ k: [1, 2], l: [[1, 2], [3]] });
  const b = pl.DataFrame({ k: [2, 1], l: [[3], [1]] });
  assert.deepEqual(pairs(matchRows(a, b, ["k", "l"])), ["1-0"]);
});
