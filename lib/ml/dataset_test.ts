import assert from "node:assert/strict";
import { featureMatrix, selectFeatures, sliceRows, takeRows } from "./dataset.ts";
import { MlInputError } from "./errors.ts";

Deno.test("featureMatrix converts nulls to NaN and keeps Float64Array columns", () => {
  const lag = Float64Array.from([1, 2, 3]);
  const x = featureMatrix({ heure: [0, null, 2], lag });
  assert.deepEqual(x.names, ["heure", "lag"]);
  assert.equal(x.nRows, 3);
  assert.ok(Number.isNaN(x.columns[0][1]));
  assert.equal(x.columns[1], lag);
});

Deno.test("featureMatrix rejects ragged columns and non-numbers with names", () => {
  assert.throws(() => featureMatrix({ a: [1, 2], b: [1] }), /feature 'b' has 1 rows/);
  assert.throws(
    () => featureMatrix({ a: [1, "x" as unknown as number] }),
    /feature 'a': row 1 is "x"/,
  );
  assert.throws(() => featureMatrix({}), MlInputError);
});

Deno.test("row slicing, taking and feature selection", () => {
  const x = featureMatrix({ a: [10, 20, 30, 40], b: [1, 2, 3, 4] });
  const s = sliceRows(x, 1, 3);
  assert.deepEqual([...s.columns[1]], [2, 3]);
  assert.equal(s.columns[0].buffer, x.columns[0].buffer); // a view, no copy
  assert.deepEqual([...takeRows(x, [3, 3, 0]).columns[0]], [40, 40, 10]);
  assert.throws(() => takeRows(x, [4]), /index 4/);
  assert.throws(() => sliceRows(x, 2, 5), /end 5/);
  const sel = selectFeatures(x, ["b", "a"]);
  assert.deepEqual(sel.names, ["b", "a"]);
  assert.equal(sel.columns[0], x.columns[1]);
  assert.equal(selectFeatures(x, ["a", "b"]), x);
});
