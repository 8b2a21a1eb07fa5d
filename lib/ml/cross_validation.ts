/**
 * Time-series cross-validation of a regression learner: train on each fold's past, score on
 * its test period, and summarise. Folds come from `rollingOriginSplits` (or any list of
 * train / test row ranges).
 *
 * @module
 */

import { type FeatureMatrix, sliceRows } from "./dataset.ts";
import { MlInputError } from "./errors.ts";
import { type RegressionMetrics, regressionMetrics } from "./metrics.ts";
import type { Regressor } from "./model.ts";
import type { Fold, TrainTestSplit } from "./splits.ts";

/** Metrics of one fold. */
export interface FoldResult {
  /** Fold number (0 = earliest test period). */
  fold: number;
  /** Rows the model was trained on. */
  trainRows: number;
  /** Rows it was scored on. */
  testRows: number;
  /** Scores on the test rows. */
  metrics: RegressionMetrics;
  /** Seconds spent fitting. */
  fitSeconds: number;
}

/** Result of {@link crossValidate}. */
export interface CrossValidationResult {
  /** One result per fold, in fold order. */
  folds: FoldResult[];
  /** Mean of each metric over the folds (each fold weighs the same). */
  mean: Omit<RegressionMetrics, "n">;
  /** Population standard deviation of each metric over the folds. */
  std: Omit<RegressionMetrics, "n">;
}

const KEYS = ["mae", "rmse", "mape", "bias", "r2"] as const;

/**
 * Fits `fit` on every fold's training rows and scores it on the fold's test rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossValidate } from "./cross_validation.ts";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge } from "./linear.ts";
 * import { rollingOriginSplits } from "./splits.ts";
 * const t = Array.from({ length: 120 }, (_, i) => i);
 * const x = featureMatrix({ t });
 * const y = t.map((v) => 100 + 2 * v);
 * const result = crossValidate(x, y, rollingOriginSplits(120, { nFolds: 5 }), (xt, yt) =>
 *   fitRidge(xt, yt, { alpha: 0 }));
 * assert.equal(result.folds.length, 5);
 * assert.ok(result.mean.mae < 1e-9);
 * ```
 */
export function crossValidate(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  folds: readonly (Fold | TrainTestSplit)[],
  fit: (x: FeatureMatrix, y: Float64Array) => Regressor,
): CrossValidationResult {
  if (y.length !== x.nRows) {
    throw new MlInputError(`crossValidate: ${y.length} targets for ${x.nRows} rows`);
  }
  if (folds.length === 0) throw new MlInputError("crossValidate: no fold");
  const target = Float64Array.from(y);
  const results = folds.map((split, k): FoldResult => {
    const { train, test } = split;
    const started = performance.now();
    const model = fit(
      sliceRows(x, train.start, train.end),
      target.subarray(train.start, train.end),
    );
    const fitSeconds = (performance.now() - started) / 1000;
    const predicted = model.predict(sliceRows(x, test.start, test.end));
    return {
      fold: "fold" in split ? split.fold : k,
      trainRows: train.end - train.start,
      testRows: test.end - test.start,
      metrics: regressionMetrics(target.subarray(test.start, test.end), predicted),
      fitSeconds,
    };
  });
  const summary = (of: (values: number[]) => number) =>
    Object.fromEntries(KEYS.map((key) => [key, of(results.map((r) => r.metrics[key]))])) as Omit<
      RegressionMetrics,
      "n"
    >;
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    folds: results,
    mean: summary(mean),
    std: summary((v) => {
      const m = mean(v);
      return Math.sqrt(mean(v.map((e) => (e - m) ** 2)));
    }),
  };
}

/** One candidate of {@link gridSearch} and its cross-validation. */
export interface GridSearchEntry<P> {
  params: P;
  cv: CrossValidationResult;
}

/**
 * Cross-validates every parameter set of `grid` on the same folds and ranks them by the mean
 * of `metric` (lowest first, highest first for "r2").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gridSearch } from "./cross_validation.ts";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge } from "./linear.ts";
 * import { rollingOriginSplits } from "./splits.ts";
 * const t = Array.from({ length: 200 }, (_, i) => i);
 * const x = featureMatrix({ t });
 * const y = t.map((v) => 5 + 0.5 * v);
 * const { best } = gridSearch(x, y, rollingOriginSplits(200), [{ alpha: 100 }, { alpha: 0 }],
 *   (xt, yt, p) => fitRidge(xt, yt, p), "mae");
 * assert.deepEqual(best, { alpha: 0 });
 * ```
 */
export function gridSearch<P>(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  folds: readonly (Fold | TrainTestSplit)[],
  grid: readonly P[],
  fit: (x: FeatureMatrix, y: Float64Array, params: P) => Regressor,
  metric: (typeof KEYS)[number] = "mape",
): { best: P; ranking: GridSearchEntry<P>[] } {
  if (grid.length === 0) throw new MlInputError("gridSearch: empty grid");
  const sign = metric === "r2" ? -1 : 1;
  const ranking = grid
    .map((params) => ({ params, cv: crossValidate(x, y, folds, (xt, yt) => fit(xt, yt, params)) }))
    // Stable sort: on a tie the earlier candidate stays first.
    .sort((a, b) => sign * (a.cv.mean[metric] - b.cv.mean[metric]));
  return { best: ranking[0].params, ranking };
}
