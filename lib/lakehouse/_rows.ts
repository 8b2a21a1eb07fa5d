/**
 * Exact, null-safe matching of the rows of two frames on some columns, for MERGE and
 * `tableChanges`.
 *
 * Why not a polars join on those columns: a join on the 74 columns of 20,000 silver rows takes
 * about 430 ms here, hashing them about 30 ms. Rows are paired by two 64-bit row hashes (one
 * join on two integer columns), then every pair is checked cell by cell, so a hash collision
 * never makes two different rows match. Nested columns (lists, structs) have no cell-wise
 * equality: frames holding them are joined by polars.
 *
 * @module
 */

import pl from "nodejs-polars";

const SEEDS = [[0x6d65, 1, 2, 3], [0x6d65, 4, 5, 6]] as const;

const nested = (t: pl.DataType) => ["List", "Struct", "Array"].includes(t.variant);

/** Null-safe equality of two cells, NaN equal to NaN (a table's NaN is the same value). */
function sameCell(a: pl.Expr, b: pl.Expr, t: pl.DataType): pl.Expr {
  let same = a.eq(b).fillNull(false).or(a.isNull().and(b.isNull()));
  if (t.equals(pl.Float64) || t.equals(pl.Float32)) same = same.or(a.isNan().and(b.isNan()));
  return same;
}

/**
 * Pairs of row numbers (`left`, `right`, UInt32) of the rows of `left` and `right` equal on
 * `columns` (null equal to null). A row equal to several rows of the other frame appears in
 * as many pairs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { matchRows } from "./_rows.ts";
 * const a = pl.DataFrame({ k: ["x", null, "z"], v: [1, 2, NaN] });
 * const b = pl.DataFrame({ k: ["z", null, "x"], v: [NaN, 2, 9] });
 * const pairs = matchRows(a, b, ["k", "v"]).sort("left").toRecords();
 * assert.deepEqual(pairs, [{ left: 1, right: 1 }, { left: 2, right: 0 }]);
 * ```
 */
export function matchRows(
  left: pl.DataFrame,
  right: pl.DataFrame,
  columns: readonly string[],
): pl.DataFrame {
  const l = left.select(...columns);
  const r = right.select(...columns);
  if (columns.some((c) => nested(l.getColumn(c).dtype))) {
    return l.withRowIndex("left").join(r.withRowIndex("right"), {
      on: [...columns],
      how: "inner",
      nullsEqual: true,
    }).select("left", "right");
  }
  const hashed = (df: pl.DataFrame, name: string) =>
    pl.DataFrame(SEEDS.map((k, i) => df.hashRows(...k).alias(`_h${i}`))).withRowIndex(name);
  const pairs = hashed(l, "left").join(hashed(r, "right"), { on: ["_h0", "_h1"], how: "inner" })
    .select("left", "right");
  if (pairs.height === 0) return pairs;
  const gather = (df: pl.DataFrame, side: string) =>
    df.select(
      ...columns.map((c, i) => pl.col(c).gather(pairs.getColumn(side)).alias(`${side}${i}`)),
    );
  const both = pl.concat([pairs, gather(l, "left"), gather(r, "right")], { how: "horizontal" });
  const same = columns.map((c, i) =>
    sameCell(pl.col(`left${i}`), pl.col(`right${i}`), l.getColumn(c).dtype)
  ).reduce((a, b) => a.and(b));
  return both.filter(same).select("left", "right");
}
