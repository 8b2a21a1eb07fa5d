/**
 * Ridge and ordinary least-squares regression, solved in closed form.
 *
 * Features are standardised (centred, divided by their population standard deviation) before
 * the penalty is applied, so `alpha` weighs every feature alike whatever its unit (MW, hours);
 * coefficients are reported back in the original units. The `p x p` normal equations are
 * accumulated in one pass over the columns and solved with a Cholesky decomposition
 * (ml-matrix), or with an SVD (minimum-norm solution) when they are singular, e.g. collinear
 * features with `alpha = 0`.
 *
 * Linear models cannot use missing values: NaN in training features is an error naming the
 * feature and row; at prediction time a row with a NaN feature gets a NaN prediction.
 *
 * @module
 */

import { CholeskyDecomposition, Matrix, SingularValueDecomposition } from "ml-matrix";
import { type FeatureMatrix, selectFeatures } from "./dataset.ts";
import { decodeArray, encodeArray } from "./_codec.ts";
import { MlInputError, ModelFormatError } from "./errors.ts";
import { checkModelJson, modelEnvelope, type ModelJson, type Regressor } from "./model.ts";
import { checkedTarget, checkRange } from "./_validate.ts";

/** Rows per block of the normal equations' sums (the block's columns fit in the L2 cache). */
const GRAM_BLOCK = 512;

/** Parameters of {@link fitRidge}. */
export interface RidgeParams {
  /** L2 penalty on the standardised coefficients; 0 gives ordinary least squares. Default 1. */
  alpha?: number;
  /** Standardise features before penalising (default true); false penalises raw units. */
  standardize?: boolean;
}

/** A trained ridge / OLS regression `y = intercept + sum(coefficients[j] * x[j])`. */
export class RidgeRegressor implements Regressor {
  /** Model kind in JSON. */
  readonly kind = "ridge" as const;

  /** Use {@link fitRidge} or {@link ridgeFromJSON}. */
  constructor(
    readonly featureNames: readonly string[],
    readonly params: Required<RidgeParams>,
    /** Coefficients in the original feature units. */
    readonly coefficients: Float64Array,
    readonly intercept: number,
  ) {}

  /**
   * Predictions for every row of `x` (features selected by name).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitRidge } from "./linear.ts";
   * const x = featureMatrix({ t: [0, 1, 2, 3] });
   * const model = fitRidge(x, [1, 3, 5, 7], { alpha: 0 });
   * const [p] = model.predict(featureMatrix({ t: [10] }));
   * assert.ok(Math.abs(p - 21) < 1e-9);
   * ```
   */
  predict(x: FeatureMatrix): Float64Array {
    const cols = selectFeatures(x, this.featureNames).columns;
    const out = new Float64Array(x.nRows).fill(this.intercept);
    cols.forEach((col, j) => {
      const w = this.coefficients[j];
      for (let i = 0; i < out.length; i++) out[i] += w * col[i];
    });
    return out;
  }

  /** Exact JSON form (coefficients stored bit for bit). */
  toJSON(): ModelJson {
    return {
      ...modelEnvelope(this.kind, this.featureNames),
      params: this.params,
      coefficients: encodeArray(this.coefficients),
      intercept: this.intercept,
    };
  }
}

/**
 * Fits a ridge regression (OLS when `alpha` is 0) in closed form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge } from "./linear.ts";
 * // y = 3 + 2 a - b, recovered exactly by OLS.
 * const a = [0, 1, 2, 3, 4], b = [1, 0, 2, 1, 3];
 * const y = a.map((v, i) => 3 + 2 * v - b[i]);
 * const model = fitRidge(featureMatrix({ a, b }), y, { alpha: 0 });
 * assert.ok(Math.abs(model.coefficients[0] - 2) < 1e-9 && Math.abs(model.intercept - 3) < 1e-9);
 * ```
 */
export function fitRidge(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  params: RidgeParams = {},
): RidgeRegressor {
  const p: Required<RidgeParams> = { alpha: 1, standardize: true, ...params };
  checkRange(p.alpha, "ridge: alpha", 0, Infinity);
  const target = checkedTarget(y, x.nRows, "ridge");
  const n = x.nRows;
  if (n === 0) throw new MlInputError("ridge: no training row");
  x.columns.forEach((col, j) => {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(col[i])) {
        throw new MlInputError(
          `ridge: feature '${x.names[j]}' row ${i} is ${col[i]} (linear models need values)`,
        );
      }
    }
  });
  const nf = x.columns.length;
  const means = new Float64Array(nf);
  const scales = new Float64Array(nf).fill(1);
  x.columns.forEach((col, j) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += col[i];
    means[j] = sum / n;
    if (p.standardize) {
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (col[i] - means[j]) ** 2;
      const std = Math.sqrt(ss / n);
      // A constant feature keeps scale 1 (its centred values are all 0 anyway).
      scales[j] = std > 0 ? std : 1;
    }
  });
  let yMean = 0;
  for (let i = 0; i < n; i++) yMean += target[i];
  yMean /= n;

  // Z'Z + alpha I and Z'(y - mean(y)) for the centred (and scaled) columns Z, a block of rows at
  // a time: the block's Z stays in cache while every pair of columns is summed over it (the
  // whole Z, 100 columns of 165k rows, does not: one pass per pair over whole columns took
  // about twice as long on 165k rows x 100 columns).
  const gram = new Float64Array(nf * nf);
  const rhs = new Float64Array(nf);
  const z = new Float64Array(nf * GRAM_BLOCK);
  const yc = new Float64Array(GRAM_BLOCK);
  for (let start = 0; start < n; start += GRAM_BLOCK) {
    const m = Math.min(GRAM_BLOCK, n - start);
    for (let j = 0; j < nf; j++) {
      const col = x.columns[j];
      const at = j * GRAM_BLOCK - start;
      for (let i = start; i < start + m; i++) z[at + i] = (col[i] - means[j]) / scales[j];
    }
    for (let r = 0; r < m; r++) yc[r] = target[start + r] - yMean;
    for (let a = 0; a < nf; a++) {
      const za = a * GRAM_BLOCK;
      let b = a;
      // Four columns per pass share the loads of column a.
      for (; b + 3 < nf; b += 4) {
        const z0 = b * GRAM_BLOCK, z1 = z0 + GRAM_BLOCK, z2 = z1 + GRAM_BLOCK, z3 = z2 + GRAM_BLOCK;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let r = 0; r < m; r++) {
          const v = z[za + r];
          s0 += v * z[z0 + r];
          s1 += v * z[z1 + r];
          s2 += v * z[z2 + r];
          s3 += v * z[z3 + r];
        }
        gram[a * nf + b] += s0;
        gram[a * nf + b + 1] += s1;
        gram[a * nf + b + 2] += s2;
        gram[a * nf + b + 3] += s3;
      }
      for (; b < nf; b++) {
        const zb = b * GRAM_BLOCK;
        let s = 0;
        for (let r = 0; r < m; r++) s += z[za + r] * z[zb + r];
        gram[a * nf + b] += s;
      }
      let s = 0;
      for (let r = 0; r < m; r++) s += z[za + r] * yc[r];
      rhs[a] += s;
    }
  }
  const system = Matrix.zeros(nf, nf);
  for (let a = 0; a < nf; a++) {
    for (let b = a; b < nf; b++) {
      system.set(a, b, gram[a * nf + b]);
      system.set(b, a, gram[a * nf + b]);
    }
    system.set(a, a, gram[a * nf + a] + p.alpha);
  }
  const beta = solveSymmetric(system, Matrix.columnVector(Array.from(rhs)));
  const coefficients = new Float64Array(nf);
  let intercept = yMean;
  for (let j = 0; j < nf; j++) {
    coefficients[j] = beta[j] / scales[j];
    intercept -= coefficients[j] * means[j];
  }
  return new RidgeRegressor(x.names, p, coefficients, intercept);
}

/** Solves a symmetric positive semi-definite system; minimum-norm solution when singular. */
function solveSymmetric(a: Matrix, b: Matrix): number[] {
  const cholesky = new CholeskyDecomposition(a);
  if (cholesky.isPositiveDefinite()) {
    const solution = cholesky.solve(b).getColumn(0);
    if (solution.every(Number.isFinite)) return solution;
  }
  const svd = new SingularValueDecomposition(a, { autoTranspose: true });
  return svd.solve(b).getColumn(0);
}

/**
 * Rebuilds a ridge model from its JSON form; `source` names the file in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRidge, ridgeFromJSON } from "./linear.ts";
 * const model = fitRidge(featureMatrix({ t: [0, 1, 2] }), [1, 2, 4]);
 * const copy = ridgeFromJSON(JSON.parse(JSON.stringify(model)));
 * assert.ok(copy.intercept === model.intercept);
 * ```
 */
export function ridgeFromJSON(json: unknown, source = "ridge model"): RidgeRegressor {
  const j = checkModelJson(json, "ridge", source);
  const coefficients = decodeArray(j.coefficients, "f64", `${source}: coefficients`);
  if (coefficients.length !== j.featureNames.length || typeof j.intercept !== "number") {
    throw new ModelFormatError(`${source}: coefficients do not match the feature names`);
  }
  const params = j.params as Required<RidgeParams>;
  return new RidgeRegressor(j.featureNames, params, coefficients, j.intercept);
}
