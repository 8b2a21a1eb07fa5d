import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { percent, ratio } from "./_gold_frame.ts";

Deno.test("ratio and percent divide in floating point, integer columns included", () => {
  const df = pl.DataFrame({
    part: pl.Series("part", [7, 1, 3], pl.Int64),
    total: pl.Series("total", [2, 0, 4], pl.Int64),
  });
  const out = df.select(
    ratio(pl.col("part"), pl.col("total"), 1).alias("r"),
    percent(pl.col("part"), pl.col("total")).alias("p"),
  ).toRecords();
  // 7 / 2 is 3.5, not polars' floor division 3; a zero total gives null.
  assert.deepEqual(out, [{ r: 3.5, p: 350 }, { r: null, p: null }, { r: 0.75, p: 75 }]);
});
