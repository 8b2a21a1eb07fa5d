import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { featureMatrixFromDataFrame, numericColumn } from "./dataframe.ts";

Deno.test("featureMatrixFromDataFrame casts, maps nulls and names bad columns", () => {
  const df = pl.DataFrame({ a: [1, null, 3], b: [true, false, true], s: ["x", "y", "z"] });
  const x = featureMatrixFromDataFrame(df, ["b", "a"]);
  assert.deepEqual(x.names, ["b", "a"]);
  assert.deepEqual([...x.columns[0]], [1, 0, 1]);
  assert.deepEqual([...x.columns[1]], [1, NaN, 3]);
  assert.throws(
    () => featureMatrixFromDataFrame(df, ["s"]),
    /column 's' \(.*String.*\) is not numeric/,
  );
  assert.throws(() => featureMatrixFromDataFrame(df, ["zz"]), /no column 'zz'/);
});

Deno.test("numericColumn gives a Float64Array with NaN for nulls", () => {
  const df = pl.DataFrame({ y: [1.5, null, 3] });
  const y = numericColumn(df, "y");
  assert.ok(y instanceof Float64Array);
  assert.deepEqual([...y], [1.5, NaN, 3]);
  assert.throws(() => numericColumn(df, "z"), /no column 'z'/);
});
