import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { assertSameRows } from "./same_rows.ts";

const frame = (days: string[], mwh: (number | null)[], n = days.map(() => 1)) =>
  pl.DataFrame({
    day: days,
    mwh: pl.Series("mwh", mwh, pl.Float64),
    n: pl.Series("n", n, pl.Int32),
  });

Deno.test("same rows in another order and last-bit float differences pass", () => {
  assertSameRows(
    frame(["a", "b", "c"], [318822.06375000003, null, NaN]),
    frame(["c", "a", "b"], [NaN, 318822.06375, null]),
  );
  assertSameRows(frame(["a"], [1]).withColumn(pl.lit(1).alias("x")), frame(["a"], [1]), {
    ignore: ["x"],
  });
});

Deno.test("a differing value, null, count, column or row fails, naming it", () => {
  const base = frame(["a", "b"], [1, 2]);
  assert.throws(() => assertSameRows(frame(["a", "b"], [1, 2.001]), base), /column mwh/);
  assert.throws(() => assertSameRows(frame(["a", "b"], [1, null]), base), /column mwh/);
  assert.throws(() => assertSameRows(frame(["a", "b"], [1, 2], [1, 2]), base), /non-float/);
  assert.throws(() => assertSameRows(frame(["a"], [1]), base, { label: "t" }), /t: rows/);
  assert.throws(() => assertSameRows(base.drop("n"), base), /columns/);
  assert.throws(
    () => assertSameRows(frame(["a", "a"], [1, 2]), frame(["a", "a"], [1, 2])),
    /identify/,
  );
});
