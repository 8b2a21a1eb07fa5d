import assert from "node:assert/strict";
import { crossValidate, gridSearch } from "./cross_validation.ts";
import { type FeatureMatrix, featureMatrix } from "./dataset.ts";
import type { Regressor } from "./model.ts";
import { chronologicalSplit, rollingOriginSplits } from "./splits.ts";
import { MlInputError } from "./errors.ts";

/** A "model" predicting the mean of its training target: easy to score by hand. */
function meanModel(_x: FeatureMatrix, y: Float64Array): Regressor {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  return {
    kind: "ridge",
    featureNames: ["t"],
    predict: (x) => new Float64Array(x.nRows).fill(mean),
    toJSON: () => {
      throw new Error("not serialisable");
    },
  };
}

Deno.test("each fold trains on its past and is scored on its test rows", () => {
  // y = 0..59; 5 folds of 10 rows after 10 initial rows.
  const y = Float64Array.from({ length: 60 }, (_, i) => i);
  const x = featureMatrix({ t: y });
  const folds = rollingOriginSplits(60, { nFolds: 5 });
  const result = crossValidate(x, y, folds, meanModel);
  // Fold k trains on 0..10(k+1)-1 (mean 5(k+1) - 0.5) and tests on 10(k+1)..10(k+2)-1
  // (mean 10(k+1) + 4.5): every error is the test value minus the training mean.
  result.folds.forEach((fold, k) => {
    const trainMean = 5 * (k + 1) - 0.5;
    const errors = Array.from({ length: 10 }, (_, i) => trainMean - (10 * (k + 1) + i));
    const mae = errors.reduce((s, e) => s + Math.abs(e), 0) / 10;
    assert.equal(fold.fold, k);
    assert.equal(fold.trainRows, 10 * (k + 1));
    assert.equal(fold.testRows, 10);
    assert.ok(Math.abs(fold.metrics.mae - mae) < 1e-12);
    assert.ok(Math.abs(fold.metrics.bias - errors.reduce((a, b) => a + b, 0) / 10) < 1e-12);
  });
  // MAE per fold: 5(k+1) + 5 -> 10, 15, 20, 25, 30: mean 20, std sqrt(50).
  assert.ok(Math.abs(result.mean.mae - 20) < 1e-12);
  assert.ok(Math.abs(result.std.mae - Math.sqrt(50)) < 1e-12);
});

Deno.test("a single chronological split works too; bad input is rejected", () => {
  const y = Float64Array.from({ length: 10 }, (_, i) => i);
  const x = featureMatrix({ t: y });
  const result = crossValidate(x, y, [chronologicalSplit(10)], meanModel);
  assert.equal(result.folds.length, 1);
  assert.equal(result.std.mae, 0);
  assert.throws(
    () => crossValidate(x, y.subarray(1), [chronologicalSplit(10)], meanModel),
    MlInputError,
  );
  assert.throws(() => crossValidate(x, y, [], meanModel), /no fold/);
});

Deno.test("grid search ranks candidates by their mean fold metric", () => {
  const y = Float64Array.from({ length: 60 }, (_, i) => i);
  const x = featureMatrix({ t: y });
  const folds = rollingOriginSplits(60, { nFolds: 5 });
  // A shrunk mean predicts mean * factor: factor 1 is the mean model (fold MAE 10..30, mean 20).
  const shrunk = (_x: FeatureMatrix, yt: Float64Array, factor: number) => {
    const model = meanModel(_x, yt);
    return { ...model, predict: (xx: FeatureMatrix) => model.predict(xx).map((v) => v * factor) };
  };
  const { best, ranking } = gridSearch(x, y, folds, [0, 1, 2], shrunk, "mae");
  // Factor 2 predicts 2 (5(k+1) - 0.5) = 10(k+1) - 1 for test rows 10(k+1) .. 10(k+1) + 9:
  // errors 1..10, MAE 5.5 in every fold.
  assert.equal(best, 2);
  assert.ok(Math.abs(ranking[0].cv.mean.mae - 5.5) < 1e-12);
  assert.deepEqual(ranking.map((r) => r.params), [2, 1, 0]);
  assert.ok(Math.abs(ranking[1].cv.mean.mae - 20) < 1e-12);
  assert.throws(() => gridSearch(x, y, folds, [], shrunk), /empty grid/);
});
