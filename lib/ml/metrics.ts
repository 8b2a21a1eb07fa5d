/**
 * Forecast and classification metrics.
 *
 * Regression metrics follow the usual energy-forecasting conventions: `bias` is the mean of
 * `prediction - actual` (positive = over-forecast) and `mape` is in percent (1.78 means 1.78 %).
 * Classification metrics follow scikit-learn: a class never predicted has precision 0, balanced
 * accuracy is the mean recall over the classes present in the actual labels.
 *
 * Every function rejects arrays of different lengths, empty arrays and non-finite values with an
 * {@link MlInputError} naming the row: a NaN silently skipped would bias the score.
 *
 * @module
 */

import { MlInputError } from "./errors.ts";
import { checkFinite, checkSameLength } from "./_validate.ts";

/** A class label: a string such as `"30-50 %"` or a number. */
export type Label = string | number;

function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, what: string): void {
  checkSameLength(yTrue, yPred, what);
  checkFinite(yTrue, `${what}: actual values`);
  checkFinite(yPred, `${what}: predictions`);
}

/**
 * Mean absolute error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mae } from "./metrics.ts";
 * assert.ok(mae([1, 2, 3], [2, 2, 1]) === 1);
 * ```
 */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, "mae");
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += Math.abs(yPred[i] - yTrue[i]);
  return sum / yTrue.length;
}

/**
 * Root mean squared error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rmse } from "./metrics.ts";
 * assert.ok(rmse([0, 0], [3, -3]) === 3);
 * ```
 */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, "rmse");
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += (yPred[i] - yTrue[i]) ** 2;
  return Math.sqrt(sum / yTrue.length);
}

/**
 * Mean absolute percentage error, in percent. An actual value of 0 makes it undefined: that
 * row is reported in an {@link MlInputError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mape } from "./metrics.ts";
 * assert.ok(Math.abs(mape([100, 200], [110, 190]) - 7.5) < 1e-12); // (10 % + 5 %) / 2
 * ```
 */
export function mape(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, "mape");
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === 0) throw new MlInputError(`mape: actual value of row ${i} is 0`);
    sum += Math.abs((yPred[i] - yTrue[i]) / yTrue[i]);
  }
  return (100 * sum) / yTrue.length;
}

/**
 * Mean error `prediction - actual`: positive when the forecast is too high on average.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bias } from "./metrics.ts";
 * assert.ok(bias([10, 20], [12, 22]) === 2);
 * ```
 */
export function bias(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, "bias");
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += yPred[i] - yTrue[i];
  return sum / yTrue.length;
}

/**
 * Coefficient of determination `1 - SS_res / SS_tot`. When the actual values are constant
 * (SS_tot = 0) it is 1 for a perfect prediction and 0 otherwise, as in scikit-learn.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { r2 } from "./metrics.ts";
 * assert.ok(r2([1, 2, 3], [1, 2, 3]) === 1);
 * assert.ok(r2([1, 2, 3], [2, 2, 2]) === 0);
 * ```
 */
export function r2(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair(yTrue, yPred, "r2");
  return r2Unchecked(yTrue, yPred, 0, yTrue.length, null);
}

/** R2 over the rows `index[start..end)` (or `start..end` when `index` is null). */
function r2Unchecked(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  start: number,
  end: number,
  index: Int32Array | null,
): number {
  let mean = 0;
  for (let k = start; k < end; k++) mean += yTrue[index ? index[k] : k];
  mean /= end - start;
  let ssRes = 0;
  let ssTot = 0;
  for (let k = start; k < end; k++) {
    const i = index ? index[k] : k;
    ssRes += (yTrue[i] - yPred[i]) ** 2;
    ssTot += (yTrue[i] - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/** All regression metrics of one set of rows. */
export interface RegressionMetrics {
  /** Number of rows scored. */
  n: number;
  /** Mean absolute error, in the unit of the target. */
  mae: number;
  /** Root mean squared error, in the unit of the target. */
  rmse: number;
  /** In percent; NaN when an actual value is 0. */
  mape: number;
  /** Mean of `prediction - actual`. */
  bias: number;
  /** Coefficient of determination. */
  r2: number;
}

/** Metrics over `index[start..end)`, or over `start..end` when `index` is null. */
function metricsOfRows(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  start: number,
  end: number,
  index: Int32Array | null,
): RegressionMetrics {
  let abs = 0;
  let sq = 0;
  let pct = 0;
  let err = 0;
  for (let k = start; k < end; k++) {
    const i = index ? index[k] : k;
    const e = yPred[i] - yTrue[i];
    abs += Math.abs(e);
    sq += e * e;
    pct += Math.abs(e / yTrue[i]);
    err += e;
  }
  const n = end - start;
  return {
    n,
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    mape: Number.isFinite(pct) ? (100 * pct) / n : NaN,
    bias: err / n,
    r2: r2Unchecked(yTrue, yPred, start, end, index),
  };
}

/**
 * MAE, RMSE, MAPE, bias and R2 in one pass. MAPE is NaN (instead of an error) when an actual
 * value is 0, so that the other metrics stay available.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regressionMetrics } from "./metrics.ts";
 * const m = regressionMetrics([100, 200], [110, 190]);
 * assert.ok(m.mae === 10 && Math.abs(m.mape - 7.5) < 1e-12 && m.bias === 0);
 * ```
 */
export function regressionMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
): RegressionMetrics {
  checkPair(yTrue, yPred, "regressionMetrics");
  return metricsOfRows(yTrue, yPred, 0, yTrue.length, null);
}

/** Regression metrics of the rows sharing one group key. */
export interface GroupMetrics extends RegressionMetrics {
  /** The group key shared by these rows. */
  group: Label;
}

/**
 * Regression metrics per group (e.g. per hour of the day), sorted by group key (numbers in
 * ascending order, then strings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricsByGroup } from "./metrics.ts";
 * const byHour = metricsByGroup([10, 20, 30, 40], [11, 20, 33, 40], [0, 1, 0, 1]);
 * assert.ok(byHour[0].group === 0 && byHour[0].mae === 2);
 * assert.ok(byHour[1].group === 1 && byHour[1].mae === 0);
 * ```
 */
export function metricsByGroup(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  groups: ArrayLike<Label>,
): GroupMetrics[] {
  checkPair(yTrue, yPred, "metricsByGroup");
  checkSameLength(yTrue, groups, "metricsByGroup: groups");
  const { labels, codes } = encodeLabels(groups, "metricsByGroup: groups");
  // Counting sort of the rows by group code, then one contiguous slice per group.
  const starts = new Int32Array(labels.length + 1);
  for (let i = 0; i < codes.length; i++) starts[codes[i] + 1]++;
  for (let g = 0; g < labels.length; g++) starts[g + 1] += starts[g];
  const fill = starts.slice(0, labels.length);
  const order = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) order[fill[codes[i]]++] = i;
  return labels.map((group, g) => ({
    group,
    ...metricsOfRows(yTrue, yPred, starts[g], starts[g + 1], order),
  }));
}

const CALENDAR_SLOT_MS = 15 * 60 * 1000;

/**
 * Local calendar field of each instant (epoch milliseconds or Date) in `timeZone`: the hour of the
 * day (0-23) or the month (1-12). Time-zone offsets only change on quarter hours, so the
 * conversion is cached per quarter-hour slot.
 */
function localField(
  instants: ArrayLike<number | Date>,
  field: "hour" | "month",
  timeZone: string,
): Int32Array {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    [field]: "numeric",
    hourCycle: "h23",
  });
  const cache = new Map<number, number>();
  const out = new Int32Array(instants.length);
  for (let i = 0; i < instants.length; i++) {
    const v = instants[i];
    const t = typeof v === "number" ? v : v instanceof Date ? v.getTime() : NaN;
    if (!Number.isFinite(t)) throw new MlInputError(`timestamps: row ${i} is ${v}`);
    const slot = Math.floor(t / CALENDAR_SLOT_MS);
    let value = cache.get(slot);
    if (value === undefined) {
      value = Number(format.format(slot * CALENDAR_SLOT_MS));
      cache.set(slot, value);
    }
    out[i] = value;
  }
  return out;
}

/**
 * Regression metrics per local hour of the day (0-23) of the instants (epoch milliseconds or
 * Date objects, e.g. a polars datetime column's `toArray()`), in `timeZone` (default
 * Europe/Paris).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricsByHour } from "./metrics.ts";
 * // 2025-01-15 at 07:00 and 08:00 UTC are 08:00 and 09:00 in Paris.
 * const t0 = Date.UTC(2025, 0, 15, 7);
 * const rows = metricsByHour([50, 60], [51, 60], [t0, t0 + 3_600_000]);
 * assert.ok(rows[0].group === 8 && rows[0].mae === 1);
 * ```
 */
export function metricsByHour(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  instants: ArrayLike<number | Date>,
  timeZone = "Europe/Paris",
): GroupMetrics[] {
  checkSameLength(yTrue, instants, "metricsByHour: timestamps");
  return metricsByGroup(yTrue, yPred, localField(instants, "hour", timeZone));
}

/**
 * Regression metrics per local month (1-12) of the instants (epoch milliseconds or Date
 * objects), in `timeZone` (default Europe/Paris).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricsByMonth } from "./metrics.ts";
 * // 2024-12-31 23:30 UTC is already January in Paris.
 * const rows = metricsByMonth([50], [55], [Date.UTC(2024, 11, 31, 23, 30)]);
 * assert.ok(rows[0].group === 1 && rows[0].mae === 5);
 * ```
 */
export function metricsByMonth(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  instants: ArrayLike<number | Date>,
  timeZone = "Europe/Paris",
): GroupMetrics[] {
  checkSameLength(yTrue, instants, "metricsByMonth: timestamps");
  return metricsByGroup(yTrue, yPred, localField(instants, "month", timeZone));
}

/** Orders labels: numbers ascending, then strings in code-point order. */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorted distinct labels and the code (index into `labels`) of every row. With `known`, the
 * labels are those given, in that order, and any other value is an error.
 */
export function encodeLabels(
  values: ArrayLike<Label>,
  what: string,
  known?: readonly Label[],
): { labels: Label[]; codes: Int32Array } {
  const index = new Map<Label, number>();
  let labels: Label[];
  if (known) {
    labels = [...known];
    labels.forEach((label, k) => index.set(label, k));
  } else {
    const seen = new Set<Label>();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v === "number" ? Number.isNaN(v) : typeof v !== "string") {
        throw new MlInputError(`${what}: row ${i} is ${v} (a string or number label is required)`);
      }
      seen.add(v);
    }
    labels = [...seen].sort(compareLabels);
    labels.forEach((label, k) => index.set(label, k));
  }
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const code = index.get(values[i]);
    if (code === undefined) {
      throw new MlInputError(`${what}: row ${i} has unknown label ${JSON.stringify(values[i])}`);
    }
    codes[i] = code;
  }
  return { labels, codes };
}

/** Confusion matrix: `matrix[i][j]` counts rows of actual class `labels[i]` predicted `labels[j]`. */
export interface ConfusionMatrix {
  /** Classes, in the order of the rows and columns of `matrix`. */
  labels: Label[];
  /** Counts: row = actual class, column = predicted class. */
  matrix: number[][];
}

/**
 * Confusion matrix over `labels` (default: every label seen in either array, sorted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confusionMatrix } from "./metrics.ts";
 * const { labels, matrix } = confusionMatrix(["a", "a", "b"], ["a", "b", "b"]);
 * assert.ok(labels.join() === "a,b");
 * assert.ok(JSON.stringify(matrix) === "[[1,1],[0,1]]");
 * ```
 */
export function confusionMatrix(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  labels?: readonly Label[],
): ConfusionMatrix {
  checkSameLength(yTrue, yPred, "confusionMatrix");
  const all = labels ?? encodeLabels([...Array.from(yTrue), ...Array.from(yPred)], "labels").labels;
  const t = encodeLabels(yTrue, "confusionMatrix: actual labels", all).codes;
  const p = encodeLabels(yPred, "confusionMatrix: predicted labels", all).codes;
  const matrix = all.map(() => new Array<number>(all.length).fill(0));
  for (let i = 0; i < t.length; i++) matrix[t[i]][p[i]]++;
  return { labels: [...all], matrix };
}

/** Precision, recall and F1 of one class; `support` is its number of actual rows. */
export interface ClassMetrics {
  /** The class. */
  label: Label;
  /** Share of the rows predicted in this class that belong to it. */
  precision: number;
  /** Share of the rows of this class predicted as such. */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** Number of rows of this class. */
  support: number;
}

/** Everything about a classification in one object. */
export interface ClassificationMetrics {
  /** Number of rows scored. */
  n: number;
  /** Share of rows predicted correctly. */
  accuracy: number;
  /** Mean recall over the classes present in the actual labels. */
  balancedAccuracy: number;
  /** Unweighted mean F1 over the classes present in the actual labels. */
  macroF1: number;
  /** Precision, recall, F1 and support of each class. */
  perClass: ClassMetrics[];
  /** The confusion matrix. */
  confusion: ConfusionMatrix;
}

/**
 * Accuracy, balanced accuracy, macro F1, per-class precision / recall / F1 and the confusion
 * matrix. Precision of a class never predicted is 0, as is F1 when precision + recall is 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classificationMetrics } from "./metrics.ts";
 * const m = classificationMetrics(["a", "a", "a", "b"], ["a", "a", "b", "b"]);
 * assert.ok(m.accuracy === 0.75);
 * assert.ok(m.balancedAccuracy === (2 / 3 + 1) / 2);
 * assert.ok(m.perClass[1].precision === 0.5);
 * ```
 */
export function classificationMetrics(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  labels?: readonly Label[],
): ClassificationMetrics {
  const confusion = confusionMatrix(yTrue, yPred, labels);
  const { matrix } = confusion;
  const k = matrix.length;
  let correct = 0;
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    correct += matrix[c][c];
    let predicted = 0;
    let support = 0;
    for (let o = 0; o < k; o++) {
      predicted += matrix[o][c];
      support += matrix[c][o];
    }
    const precision = predicted === 0 ? 0 : matrix[c][c] / predicted;
    const recall = support === 0 ? 0 : matrix[c][c] / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.push({ label: confusion.labels[c], precision, recall, f1, support });
  }
  const present = perClass.filter((c) => c.support > 0);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    n: yTrue.length,
    accuracy: correct / yTrue.length,
    balancedAccuracy: mean(present.map((c) => c.recall)),
    macroF1: mean(present.map((c) => c.f1)),
    perClass,
    confusion,
  };
}

/**
 * Share of rows whose predicted label equals the actual one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accuracy } from "./metrics.ts";
 * assert.ok(accuracy([1, 2, 3, 4], [1, 2, 0, 0]) === 0.5);
 * ```
 */
export function accuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  checkSameLength(yTrue, yPred, "accuracy");
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/**
 * Mean per-class recall over the classes present in `yTrue`: robust to imbalanced classes (a
 * model always predicting the majority class of 2 scores 0.5).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { balancedAccuracy } from "./metrics.ts";
 * assert.ok(balancedAccuracy(["a", "a", "a", "b"], ["a", "a", "a", "a"]) === 0.5);
 * ```
 */
export function balancedAccuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  return classificationMetrics(yTrue, yPred).balancedAccuracy;
}
