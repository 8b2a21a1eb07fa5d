/**
 * Z-order (Morton order) of rows over several columns: each column is replaced by its dense rank
 * (so skewed values spread evenly), ranks are scaled to the same number of bits, and the bits are
 * interleaved. Sorting by the result keeps rows that are close in every column close in the file
 * order, so per-file min/max stats prune well on any of the columns, not only the first one as a
 * lexical sort would.
 *
 * @module
 */

import pl from "nodejs-polars";

/** Bits of an interleaved key that stay exact in a float64 sort column. */
const KEY_BITS = 52;

/**
 * Interleaves the bits of per-column ranks (most significant bits first). Column 0 takes the
 * highest bit of each group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { interleaveBits } from "./zorder.ts";
 * // x = 0b10, y = 0b01 with 2 bits each: x1 y1 x0 y0 = 1 0 0 1
 * assert.equal(interleaveBits([2, 1], 2), 0b1001);
 * ```
 */
export function interleaveBits(values: number[], bits: number): number {
  let key = 0;
  for (let b = bits - 1; b >= 0; b--) {
    for (const v of values) key = key * 2 + (Math.floor(v / 2 ** b) % 2);
  }
  return key;
}

/**
 * The Z-order key of every row of a frame over `columns` (nulls rank first). Ranks larger than
 * the bits available per column are scaled down.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { zOrderKeys } from "./zorder.ts";
 * const df = pl.DataFrame({ x: [0, 1, 0, 1], y: [0, 0, 1, 1] });
 * assert.deepEqual(zOrderKeys(df, ["x", "y"]), [0, 2, 1, 3]);
 * ```
 */
export function zOrderKeys(df: pl.DataFrame, columns: string[]): number[] {
  if (columns.length === 0) throw new Error("zOrderKeys needs at least one column");
  const bits = Math.max(1, Math.floor(KEY_BITS / columns.length));
  const scale = 2 ** bits - 1;
  const ranks = df.select(
    ...columns.map((c, i) =>
      // Dense rank from 1, nulls 0 (first).
      pl.col(c).rank("dense").fillNull(0).cast(pl.Float64).alias(`r${i}`)
    ),
  );
  const cols = columns.map((_, i) => {
    const r = ranks.getColumn(`r${i}`).toArray() as number[];
    // Without nulls, start ranks at 0 so that bit boundaries fall between value blocks.
    return r.includes(0) ? r : r.map((v) => v - 1);
  });
  const maxRank = cols.map((r) => r.reduce((m, v) => Math.max(m, v), 1));
  const keys = new Array<number>(df.height);
  const row = new Array<number>(columns.length);
  for (let i = 0; i < df.height; i++) {
    for (let c = 0; c < columns.length; c++) {
      // Spread ranks over the whole bit range so every column weighs the same.
      row[c] = maxRank[c] <= scale ? cols[c][i] : Math.floor((cols[c][i] / maxRank[c]) * scale);
    }
    keys[i] = interleaveBits(row, bits);
  }
  return keys;
}

/**
 * Rows of a frame in Z-order over `columns`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { zOrderSort } from "./zorder.ts";
 * const df = pl.DataFrame({ x: [1, 0, 1, 0], y: [1, 1, 0, 0] });
 * assert.deepEqual(zOrderSort(df, ["x", "y"]).getColumn("x").toArray(), [0, 0, 1, 1]);
 * ```
 */
export function zOrderSort(df: pl.DataFrame, columns: string[]): pl.DataFrame {
  if (df.height < 2) return df;
  const key = pl.Series("__zorder", zOrderKeys(df, columns), pl.Float64);
  return df.withColumn(key).sort("__zorder").drop("__zorder");
}
