/**
 * The average of regressors: one model made of several fitted ones, predicting the mean of their
 * predictions. Averaging models whose errors are not perfectly correlated (different learners, or
 * the same learner on differently normalised targets) lowers the error of the best of them: the
 * forecasting library measured it on its day-ahead backtest (`lib/forecasting`).
 *
 * The members keep their own feature names (each selects its features by name from the rows it is
 * given) and their own JSON form, nested in the average's: the registry stores and reloads the
 * whole as one model. A caller that transforms the input differently for each member (as the
 * consumption forecasters do) reads {@linkcode AverageRegressor.members} and predicts with each.
 *
 * @module
 */

import type { FeatureMatrix } from "./dataset.ts";
import { MlInputError, ModelFormatError } from "./errors.ts";
import { checkModelJson, modelEnvelope, type ModelJson, type Regressor } from "./model.ts";

/** Regressors averaged with equal weights. */
export class AverageRegressor implements Regressor {
  /** Model kind in JSON. */
  readonly kind = "average_regressor" as const;
  /** Every member's features, first appearance order. */
  readonly featureNames: readonly string[];

  /** Use {@linkcode averageRegressor} or `modelFromJSON`. */
  constructor(readonly members: readonly Regressor[]) {
    this.featureNames = [...new Set(members.flatMap((m) => m.featureNames))];
  }

  /**
   * The mean of the members' predictions for every row of `x` (NaN where one of them is NaN).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { averageRegressor } from "./average.ts";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitRidge } from "./linear.ts";
   * const a = fitRidge(featureMatrix({ t: [0, 1, 2] }), [0, 2, 4], { alpha: 0 });
   * const b = fitRidge(featureMatrix({ u: [0, 1, 2] }), [1, 1, 1], { alpha: 0 });
   * const [p] = averageRegressor([a, b]).predict(featureMatrix({ t: [3], u: [7] }));
   * assert.ok(Math.abs(p - (6 + 1) / 2) < 1e-9);
   * ```
   */
  predict(x: FeatureMatrix): Float64Array {
    return meanOfPredictions(this.members.map((m) => m.predict(x)));
  }

  /** Exact JSON form: the members' own, in order. */
  toJSON(): ModelJson {
    return {
      ...modelEnvelope(this.kind, this.featureNames),
      members: this.members.map((m) => m.toJSON()),
    };
  }
}

/**
 * The row-by-row mean of predictions of the same rows (NaN where one of them is NaN), summed in
 * the order given: whoever averages the same forecasts gets the same bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanOfPredictions } from "./average.ts";
 * assert.deepEqual(meanOfPredictions([[1, 2, NaN], [3, 6, 1]]), Float64Array.of(2, 4, NaN));
 * ```
 */
export function meanOfPredictions(predictions: readonly ArrayLike<number>[]): Float64Array {
  if (predictions.length === 0) throw new MlInputError("no prediction to average");
  const out = new Float64Array(predictions[0].length);
  for (const p of predictions) {
    if (p.length !== out.length) {
      throw new MlInputError(`predictions of ${p.length} and ${out.length} rows`);
    }
    for (let i = 0; i < out.length; i++) out[i] += p[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= predictions.length;
  return out;
}

/**
 * The average of `members` (at least two regressors).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { averageRegressor } from "./average.ts";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge } from "./linear.ts";
 * const x = featureMatrix({ t: [0, 1, 2] });
 * const model = averageRegressor([fitRidge(x, [0, 1, 2]), fitRidge(x, [2, 3, 4])]);
 * assert.deepEqual(model.featureNames, ["t"]);
 * assert.equal(model.members.length, 2);
 * ```
 */
export function averageRegressor(members: readonly Regressor[]): AverageRegressor {
  if (members.length < 2) {
    throw new MlInputError(`an average needs at least two regressors, got ${members.length}`);
  }
  for (const member of members) {
    if ("classes" in member) throw new MlInputError(`a ${member.kind} model is not a regressor`);
  }
  return new AverageRegressor(members);
}

/**
 * Rebuilds an average from its JSON form, each member by `memberFromJSON` (the decoder of any
 * model kind, `modelFromJSON`); `source` names the file in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { averageFromJSON, averageRegressor } from "./average.ts";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge, ridgeFromJSON } from "./linear.ts";
 * const x = featureMatrix({ t: [0, 1, 2] });
 * const model = averageRegressor([fitRidge(x, [0, 1, 2]), fitRidge(x, [2, 3, 4])]);
 * const copy = averageFromJSON(JSON.parse(JSON.stringify(model)), (j) => ridgeFromJSON(j));
 * assert.deepEqual(copy.predict(x), model.predict(x));
 * ```
 */
export function averageFromJSON(
  json: unknown,
  memberFromJSON: (json: unknown, source: string) => unknown,
  source = "average model",
): AverageRegressor {
  const j = checkModelJson(json, "average_regressor", source);
  if (!Array.isArray(j.members) || j.members.length < 2) {
    throw new ModelFormatError(`${source}: an average needs at least two members`);
  }
  const members = j.members.map((m, k) => {
    const member = memberFromJSON(m, `${source}, member ${k}`) as Regressor;
    if ("classes" in member) {
      throw new ModelFormatError(`${source}, member ${k}: a ${member.kind} is not a regressor`);
    }
    return member;
  });
  return new AverageRegressor(members);
}
