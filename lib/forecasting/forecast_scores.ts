/**
 * Scores of consumption forecasts, whatever made them (the forecasters of `forecasting.ts`, the
 * backtest, RTE): the baselines any user of eCO2mix already has, metrics on the rows where every
 * forecast is defined, the residual analysis of one forecast, and the difference of MAPE between
 * two forecasts with its block-bootstrap interval.
 *
 * @module
 */

import {
  type GroupMetrics,
  metricsByGroup,
  metricsByHour,
  MlInputError,
  mulberry32,
  type RegressionMetrics,
  regressionMetrics,
} from "../ml/mod.ts";
import type { ConsumptionFeatureSet } from "./features.ts";
import { calendarFeatures } from "./calendar.ts";

/** The baselines, by name: forecasts any user of eCO2mix already has. */
export const BASELINES = ["persistance", "persistance_semaine", "rte_j1", "rte_j"] as const;

/**
 * Baseline forecasts of each row: persistence (the value one hour before for `h1`, the same time
 * on the last day known at the cut-off for `j1`), persistence one week back, and RTE's J-1 and J
 * forecasts published in the eCO2mix files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { baselineForecasts } from "./forecast_scores.ts";
 * const set = {
 *   horizon: "h1", rteJ1: Float64Array.of(61), rteJ: Float64Array.of(60),
 *   x: { names: ["lag_1h", "lag_168h"], columns: [Float64Array.of(59), Float64Array.of(58)], nRows: 1 },
 * } as unknown as Parameters<typeof baselineForecasts>[0];
 * assert.deepEqual(Object.values(baselineForecasts(set)).map((v) => v[0]), [59, 58, 61, 60]);
 * ```
 */
export function baselineForecasts(
  set: ConsumptionFeatureSet,
): Record<(typeof BASELINES)[number], Float64Array> {
  const column = (name: string) => {
    const j = set.x.names.indexOf(name);
    if (j < 0) throw new MlInputError(`feature set has no '${name}'`);
    return set.x.columns[j];
  };
  return {
    persistance: column(set.horizon === "h1" ? "lag_1h" : "lag_meme_heure"),
    persistance_semaine: column("lag_168h"),
    rte_j1: set.rteJ1,
    rte_j: set.rteJ,
  };
}

/** Metrics of one forecaster on a common set of rows. */
export interface ModelScore extends RegressionMetrics {
  model: string;
}

/**
 * Scores every forecast on exactly the same rows: those where the actual value and every
 * forecast are finite (a model or baseline missing a value would otherwise be scored on easier
 * or fewer instants). Returns the scores (in the order given) and the rows kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreOnCommonRows } from "./forecast_scores.ts";
 * const { scores, rows } = scoreOnCommonRows([100, 200, 300], { a: [110, 190, NaN], b: [100, 200, 300] });
 * assert.deepEqual(rows, [0, 1]);
 * assert.equal(scores[0].mae, 10);
 * assert.equal(scores[1].mae, 0);
 * ```
 */
export function scoreOnCommonRows(
  actual: ArrayLike<number>,
  forecasts: Record<string, ArrayLike<number>>,
): { scores: ModelScore[]; rows: number[] } {
  const entries = Object.entries(forecasts);
  const rows: number[] = [];
  for (let i = 0; i < actual.length; i++) {
    if (Number.isFinite(actual[i]) && entries.every(([, f]) => Number.isFinite(f[i]))) rows.push(i);
  }
  if (rows.length === 0) throw new MlInputError("no row where every forecast is defined");
  const y = Float64Array.from(rows, (i) => actual[i]);
  const scores = entries.map(([model, f]) => ({
    model,
    ...regressionMetrics(y, Float64Array.from(rows, (i) => f[i])),
  }));
  return { scores, rows };
}

/** Residual analysis of one forecast. */
export interface ResidualAnalysis {
  /** Quantiles of the error prediction - actual (MW): 1 %, 5 %, 25 %, 50 %, 75 %, 95 %, 99 %. */
  quantiles: { quantile: number; errorMw: number }[];
  /** Correlation of consecutive errors (half an hour apart): slow drifts show as values near 1. */
  autocorrelation30min: number;
  /** Metrics per local hour and per weekday (Monday 0). */
  byHour: GroupMetrics[];
  byWeekday: GroupMetrics[];
  /** The largest absolute errors. */
  worst: { timestamp: number; prediction: number; actual: number; error: number }[];
}

/**
 * Residual analysis of forecasts against actual values at the given instants.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { residualAnalysis } from "./forecast_scores.ts";
 * const t = [0, 1, 2, 3].map((k) => Date.UTC(2025, 5, 2, k));
 * const r = residualAnalysis([100, 100, 100, 100], [101, 103, 99, 100], t, 1);
 * assert.deepEqual(r.worst, [{ timestamp: t[1], prediction: 103, actual: 100, error: 3 }]);
 * assert.equal(r.quantiles[3].errorMw, 0.5); // median of -1, 0, 1, 3
 * ```
 */
export function residualAnalysis(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  epochMs: ArrayLike<number>,
  worst = 10,
): ResidualAnalysis {
  const n = actual.length;
  const errors = Float64Array.from({ length: n }, (_, i) => predicted[i] - actual[i]);
  const sorted = errors.slice().sort();
  const quantile = (q: number) => {
    const position = q * (n - 1);
    const low = Math.floor(position);
    const high = Math.min(n - 1, low + 1);
    return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
  };
  const mean = errors.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += (errors[i] - mean) ** 2;
    if (i > 0) num += (errors[i] - mean) * (errors[i - 1] - mean);
  }
  const weekday = calendarFeatures(epochMs).jour_semaine;
  const order = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => Math.abs(errors[b]) - Math.abs(errors[a]))
    .slice(0, worst);
  return {
    quantiles: [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99].map((q) => ({
      quantile: q,
      errorMw: quantile(q),
    })),
    autocorrelation30min: den > 0 ? num / den : NaN,
    byHour: metricsByHour(actual, predicted, epochMs),
    byWeekday: metricsByGroup(actual, predicted, weekday),
    worst: order.map((i) => ({
      timestamp: epochMs[i],
      prediction: predicted[i],
      actual: actual[i],
      error: errors[i],
    })),
  };
}

/** A difference of MAPE between two forecasts and its bootstrap confidence interval. */
export interface MapeDifference {
  /** MAPE of `a` minus MAPE of `b` (percentage points). */
  difference: number;
  /** 2.5 % and 97.5 % quantiles of the resampled differences. */
  low: number;
  high: number;
  /** Blocks (e.g. days) resampled. */
  blocks: number;
}

/**
 * MAPE of forecast `a` minus MAPE of forecast `b` on the same rows, with a 95 % interval from a
 * block bootstrap: whole blocks (days: errors within a day are strongly correlated) are drawn
 * with replacement `resamples` times. An interval containing 0 means the test period cannot
 * tell the two forecasts apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapeDifference } from "./forecast_scores.ts";
 * const actual = [100, 100, 100, 100];
 * const d = mapeDifference(actual, [101, 101, 102, 102], [100, 100, 100, 100], [0, 0, 1, 1]);
 * assert.equal(d.difference, 1.5);
 * assert.ok(d.low >= 1 && d.high <= 2);
 * ```
 */
export function mapeDifference(
  actual: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  blocks: ArrayLike<number>,
  resamples = 2000,
  seed = 0,
): MapeDifference {
  // Per block: sum of |a - y| / y - |b - y| / y, and rows.
  const sums = new Map<number, { diff: number; n: number }>();
  for (let i = 0; i < actual.length; i++) {
    const entry = sums.get(blocks[i]) ?? { diff: 0, n: 0 };
    entry.diff += (Math.abs(a[i] - actual[i]) - Math.abs(b[i] - actual[i])) / actual[i];
    entry.n++;
    sums.set(blocks[i], entry);
  }
  const list = [...sums.values()];
  const total = list.reduce((t, e) => t + e.diff, 0);
  const rows = list.reduce((t, e) => t + e.n, 0);
  const rng = mulberry32(seed);
  const draws = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let diff = 0;
    let n = 0;
    for (let k = 0; k < list.length; k++) {
      const e = list[Math.floor(rng() * list.length)];
      diff += e.diff;
      n += e.n;
    }
    draws[r] = (100 * diff) / n;
  }
  draws.sort();
  return {
    difference: (100 * total) / rows,
    low: draws[Math.floor(0.025 * (resamples - 1))],
    high: draws[Math.ceil(0.975 * (resamples - 1))],
    blocks: list.length,
  };
}
