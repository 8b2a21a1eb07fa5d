/**
 * Permutation feature importance (Breiman 2001; scikit-learn's `permutation_importance`): how
 * much a score degrades when one feature's values are shuffled across rows, breaking its link
 * with the target while keeping its distribution. Unlike split-gain importances it is measured
 * on held-out data and is comparable across model kinds.
 *
 * Correlated features share their importance (shuffling one leaves the other): pass them as a
 * group (e.g. all lags together) to measure them jointly.
 *
 * @module
 */

import { type FeatureMatrix, selectFeatures } from "./dataset.ts";
import { MlInputError } from "./errors.ts";
import { accuracy, type Label, mae } from "./metrics.ts";
import { deriveSeed, mulberry32, shuffleInPlace } from "./_rng.ts";
import { checkInteger } from "./_validate.ts";

/** Anything that predicts from a feature matrix (every model of this library). */
export interface Predictor<P> {
  /** Features the model needs, in order. */
  readonly featureNames: readonly string[];
  /** One prediction per row. */
  predict(x: FeatureMatrix): ArrayLike<P>;
  /**
   * Optional faster way to the same predictions: prepares `x` (columns in `featureNames` order)
   * once and returns `predict` of it with some columns replaced (index → values). Gradient
   * boosting walks again only the tree paths that test a replaced feature.
   */
  withReplacedColumns?(
    x: FeatureMatrix,
  ): (replaced: ReadonlyMap<number, Float64Array>) => ArrayLike<P>;
}

/** Options of {@link permutationImportance}. */
export interface PermutationImportanceOptions<Y, P> {
  /**
   * Score of predictions. Default: MAE for numeric predictions, accuracy for class labels.
   */
  score?: (yTrue: ArrayLike<Y>, yPred: ArrayLike<P>) => number;
  /** True when a higher score is better (default: false for MAE, true for accuracy). */
  greaterIsBetter?: boolean;
  /** Shuffles per feature (default 5). */
  nRepeats?: number;
  /** Seed of the shuffles (default 0). */
  seed?: number;
  /**
   * Features to measure, each a name or a group of names shuffled together (default: every
   * feature of the model, one by one).
   */
  features?: readonly (string | readonly string[])[];
}

/** Importance of one feature (or group): score loss when it is shuffled. */
export interface PermutationImportance {
  /** Feature name, or the names of a group joined by "+". */
  feature: string;
  /** Mean score degradation over the repeats (positive = the model relies on it). */
  mean: number;
  /** Standard deviation of the degradation over the repeats. */
  std: number;
  /** Degradation of each repeat. */
  degradations: number[];
}

/** Result of {@link permutationImportance}. */
export interface PermutationImportanceResult {
  /** Score of the unshuffled data. */
  baseline: number;
  /** One entry per feature or group, most important first. */
  importances: PermutationImportance[];
}

/**
 * Permutation importance of each feature (or group) of `model` on `x` / `y`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge } from "./linear.ts";
 * import { permutationImportance } from "./importance.ts";
 * const a = Array.from({ length: 200 }, (_, i) => i % 17), b = a.map((v) => (v * 7) % 5);
 * const model = fitRidge(featureMatrix({ a, b }), a.map((v) => 3 * v));
 * const { importances } = permutationImportance(model, featureMatrix({ a, b }), a.map((v) => 3 * v));
 * assert.ok(importances[0].feature === "a" && importances[0].mean > 10);
 * ```
 */
export function permutationImportance<Y extends number | Label, P extends number | Label>(
  model: Predictor<P>,
  x: FeatureMatrix,
  y: ArrayLike<Y>,
  options: PermutationImportanceOptions<Y, P> = {},
): PermutationImportanceResult {
  const { nRepeats = 5, seed = 0 } = options;
  checkInteger(nRepeats, "nRepeats", 1);
  checkInteger(seed, "seed", 0, 2 ** 32 - 1);
  if (y.length !== x.nRows) {
    throw new MlInputError(`permutationImportance: ${y.length} targets for ${x.nRows} rows`);
  }
  const base = selectFeatures(x, model.featureNames);
  const predicted = model.predict(base);
  const numeric = predicted.length === 0 || typeof predicted[0] === "number";
  const score = options.score ??
    ((numeric ? mae : accuracy) as unknown as (t: ArrayLike<Y>, p: ArrayLike<P>) => number);
  const greaterIsBetter = options.greaterIsBetter ?? (options.score ? false : !numeric);
  const baseline = score(y, predicted);
  const groups = (options.features ?? model.featureNames).map((g) =>
    typeof g === "string" ? [g] : [...g]
  );
  const index = new Map(base.names.map((name, j) => [name, j]));
  const replaced = model.withReplacedColumns?.(base) ?? null;
  const importances = groups.map((group, g) => {
    const columns = group.map((name) => {
      const j = index.get(name);
      if (j === undefined) {
        throw new MlInputError(`permutationImportance: '${name}' is not a feature of the model`);
      }
      return j;
    });
    const degradations: number[] = [];
    for (let r = 0; r < nRepeats; r++) {
      // One permutation per (group, repeat), applied to every column of the group.
      const order = shuffleInPlace(
        Int32Array.from({ length: x.nRows }, (_, i) => i),
        mulberry32(deriveSeed(seed, g * nRepeats + r)),
      );
      const shuffled = new Map(
        columns.map((j) => [j, base.columns[j].map((_, i) => base.columns[j][order[i]])]),
      );
      const permutedScore = score(
        y,
        replaced
          ? replaced(shuffled)
          : model.predict({ ...base, columns: base.columns.map((c, j) => shuffled.get(j) ?? c) }),
      );
      degradations.push(greaterIsBetter ? baseline - permutedScore : permutedScore - baseline);
    }
    const mean = degradations.reduce((s, v) => s + v, 0) / nRepeats;
    const std = Math.sqrt(degradations.reduce((s, v) => s + (v - mean) ** 2, 0) / nRepeats);
    return { feature: group.join("+"), mean, std, degradations };
  });
  importances.sort((a, b) => b.mean - a.mean);
  return { baseline, importances };
}
