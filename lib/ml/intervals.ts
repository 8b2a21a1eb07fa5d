/**
 * Prediction intervals of the consumption forecasts by conformal calibration: the P10, P50 and
 * P90 of a forecast are the forecast scaled by the 10th, 50th and 90th percentiles of the
 * relative errors `actual / forecast - 1` the same learner made out of sample just before (the
 * rolling-origin folds of the model selection in notebook 08, the live model's own forecasts of
 * the 28 days before each cut-off in the backtest: `online_correction.ts`). Relative rather than absolute errors, because the spread of
 * consumption errors grows with the level (winter evenings) and the models predict ratios
 * (`forecasting.ts`).
 *
 * Coverage (the share of actual values inside [P10, P90]; 80 % nominal) is measured on the
 * backtest (`backtest.ts`), the only place where many weeks of every season are forecast out of
 * sample.
 *
 * @module
 */

import { MlInputError } from "./errors.ts";

/** The quantiles of the intervals, as columns of the predictions tables. */
export const INTERVAL_QUANTILES = { p10: 0.1, p50: 0.5, p90: 0.9 } as const;

/** Quantiles of the relative errors of a forecast (`actual / forecast - 1`). */
export interface RelativeErrorQuantiles {
  p10: number;
  p50: number;
  p90: number;
  /** Errors they were computed from. */
  n: number;
}

/**
 * The conformal quantile `q` of `values` (finite, any order): the ⌈(n + 1) q⌉-th smallest for
 * q ≥ 0.5, the ⌊(n + 1) q⌋-th for q < 0.5 (clamped to the sample), the finite-sample rule that
 * makes an interval between the two cover at least its nominal share of exchangeable values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { conformalQuantile } from "./intervals.ts";
 * const v = [5, 1, 4, 2, 3, 9, 8, 7, 6]; // n = 9: ranks 1 and 9 for 0.1 and 0.9
 * assert.equal(conformalQuantile(v, 0.1), 1);
 * assert.equal(conformalQuantile(v, 0.9), 9);
 * assert.equal(conformalQuantile(v, 0.5), 5);
 * ```
 */
export function conformalQuantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) throw new MlInputError("conformalQuantile: no value");
  if (!sorted.every(Number.isFinite)) {
    throw new MlInputError("conformalQuantile: a value is not finite");
  }
  const rank = q >= 0.5 ? Math.ceil((n + 1) * q) : Math.floor((n + 1) * q);
  return sorted[Math.min(n, Math.max(1, rank)) - 1];
}

/**
 * Quantiles of the relative errors `actual / predicted - 1` on the rows where both are finite
 * (and the forecast positive).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relativeErrorQuantiles } from "./intervals.ts";
 * const q = relativeErrorQuantiles([102, 99, 100, NaN], [100, 100, 100, 100]);
 * assert.equal(q.n, 3);
 * assert.ok(Math.abs(q.p90 - 0.02) < 1e-12 && Math.abs(q.p10 + 0.01) < 1e-12);
 * ```
 */
export function relativeErrorQuantiles(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): RelativeErrorQuantiles {
  const errors: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    if (Number.isFinite(actual[i]) && Number.isFinite(predicted[i]) && predicted[i] > 0) {
      errors.push(actual[i] / predicted[i] - 1);
    }
  }
  if (errors.length === 0) throw new MlInputError("relativeErrorQuantiles: no row to calibrate on");
  return {
    p10: conformalQuantile(errors, INTERVAL_QUANTILES.p10),
    p50: conformalQuantile(errors, INTERVAL_QUANTILES.p50),
    p90: conformalQuantile(errors, INTERVAL_QUANTILES.p90),
    n: errors.length,
  };
}

/** P10, P50 and P90 of each forecast. */
export interface ForecastQuantiles {
  p10: Float64Array;
  p50: Float64Array;
  p90: Float64Array;
}

/**
 * The P10, P50 and P90 of each forecast: the forecast times 1 + the relative error quantile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecastQuantiles } from "./intervals.ts";
 * const q = forecastQuantiles([50_000], { p10: -0.02, p50: 0, p90: 0.01, n: 100 });
 * assert.deepEqual([q.p10[0], q.p50[0], q.p90[0]], [49_000, 50_000, 50_500]);
 * ```
 */
export function forecastQuantiles(
  predicted: ArrayLike<number>,
  q: RelativeErrorQuantiles,
): ForecastQuantiles {
  const scaled = (r: number) => Float64Array.from(predicted, (p) => p * (1 + r));
  return { p10: scaled(q.p10), p50: scaled(q.p50), p90: scaled(q.p90) };
}

/** How often actual values fell inside their interval. */
export interface Coverage {
  /** Rows with a finite actual value and interval. */
  n: number;
  /** Rows with `low <= actual <= high`, and below / above the interval. */
  inside: number;
  below: number;
  above: number;
  /** `inside / n` in % (NaN without rows). */
  pct: number;
}

/**
 * Coverage of the intervals [low, high] (bounds included) on the rows where the actual value
 * and both bounds are finite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intervalCoverage } from "./intervals.ts";
 * const c = intervalCoverage([10, 20, 30, 40], [9, 21, 30, NaN], [11, 25, 31, 50]);
 * assert.deepEqual(c, { n: 3, inside: 2, below: 1, above: 0, pct: 200 / 3 });
 * ```
 */
export function intervalCoverage(
  actual: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
): Coverage {
  if (low.length !== actual.length || high.length !== actual.length) {
    throw new MlInputError(
      `intervalCoverage: ${actual.length} actual values, ${low.length} low, ${high.length} high`,
    );
  }
  let n = 0;
  let below = 0;
  let above = 0;
  for (let i = 0; i < actual.length; i++) {
    if (![actual[i], low[i], high[i]].every(Number.isFinite)) continue;
    n++;
    if (actual[i] < low[i]) below++;
    else if (actual[i] > high[i]) above++;
  }
  const inside = n - below - above;
  return { n, inside, below, above, pct: n ? (100 * inside) / n : NaN };
}
