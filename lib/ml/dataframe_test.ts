import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { featureMatrixFromDataFrame } from "./dataframe.ts";

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
