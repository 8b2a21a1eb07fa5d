import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { splitByPartition } from "./_write.ts";

/** What polars' partitionBy gives (the reference splitByPartition must reproduce). */
function partitionBy(df: pl.DataFrame, columns: string[]): unknown[][] {
  // deno-lint-ignore no-explicit-any
  return ((df.rechunk() as any).partitionBy(columns, true, true) as pl.DataFrame[])
    .map((f) => f.toRecords());
}

Deno.test("splitByPartition: the parts of partitionBy, sliced when each value is one run", () => {
  const a = ["x", "x", null, null, "y", "y", "y", "x", null];
  const b = [1, 1, 1, null, null, 2, 2, 1, null];
  const v = a.map((_, i) => i);
  // Runs of (a, b), then the same rows in an order where values come back.
  const runs = pl.DataFrame({ a: a.slice(0, 7), b: b.slice(0, 7), v: v.slice(0, 7) });
  const mixed = pl.DataFrame({ a, b, v });
  for (const df of [runs, mixed]) {
    for (const columns of [["a"], ["a", "b"], ["b"]]) {
      const parts = splitByPartition(df, columns);
      assert.deepEqual(parts.map((f) => f.toRecords()), partitionBy(df, columns), columns.join());
    }
  }
  // A frame of one chunk per partition (a concat, not rechunked).
  const chunked = pl.concat([
    pl.DataFrame({ h: ["h1", "h1"], v: [1, 2] }),
    pl.DataFrame({ h: ["j1"], v: [3] }),
  ], { how: "vertical", rechunk: false });
  const parts = splitByPartition(chunked, ["h"]);
  assert.deepEqual(parts.map((f) => f.getColumn("v").toArray()), [[1, 2], [3]]);
  assert.deepEqual(splitByPartition(chunked.head(0), ["h"]), []);
});
