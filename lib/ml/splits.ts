/**
 * Time-series splits: rows are assumed sorted by time (pass their timestamps to have that
 * checked), training rows always precede test rows, and an optional `gap` of rows between them
 * keeps a forecast horizon honest (e.g. a 24 h gap, 48 half-hours, for a day-ahead model whose
 * features end the day before).
 *
 * Splits are half-open row ranges `[start, end)`: slice features with `sliceRows(x, start,
 * end)` and targets with `y.subarray(start, end)`, without copying.
 *
 * @module
 */

import { MlInputError } from "./errors.ts";
import { checkInteger, checkRange } from "./_validate.ts";

/** Half-open range of rows `[start, end)`. */
export interface RowRange {
  /** First row. */
  start: number;
  /** Row after the last one. */
  end: number;
}

/** One training / test split. */
export interface TrainTestSplit {
  /** Rows to train on. */
  train: RowRange;
  /** Rows to score on, after the training rows (and the gap). */
  test: RowRange;
}

/** One fold of a rolling-origin cross-validation. */
export interface Fold extends TrainTestSplit {
  /** 0 for the earliest test period. */
  fold: number;
}

/**
 * Throws unless the timestamps strictly increase, naming the first row out of order (a
 * duplicate or unsorted row would leak the future into training).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkChronological } from "./splits.ts";
 * checkChronological([1, 2, 3]);
 * let error = "";
 * try { checkChronological([1, 3, 2]); } catch (e) { error = (e as Error).message; }
 * assert.ok(error.includes("row 2"));
 * ```
 */
export function checkChronological(epochMs: ArrayLike<number>): void {
  for (let i = 1; i < epochMs.length; i++) {
    if (!(epochMs[i] > epochMs[i - 1])) {
      throw new MlInputError(
        `rows are not in strictly increasing time order: row ${i} (${
          isoOrValue(epochMs[i])
        }) follows row ${i - 1} (${isoOrValue(epochMs[i - 1])})`,
      );
    }
  }
}

function isoOrValue(t: number): string {
  return Number.isFinite(t) ? new Date(t).toISOString() : String(t);
}

/** Options of {@link chronologicalSplit}. */
export interface ChronologicalSplitOptions {
  /** Share of rows in the test set, the last ones (default 0.2). */
  testFraction?: number;
  /** Rows left out between training and test (default 0). */
  gap?: number;
  /** Timestamps of the rows, checked to be strictly increasing. */
  epochMs?: ArrayLike<number>;
}

/**
 * Chronological split: the last `testFraction` of the rows for test, the rows before them
 * (minus `gap`) for training.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chronologicalSplit } from "./splits.ts";
 * const { train, test } = chronologicalSplit(100, { gap: 5 });
 * assert.ok(train.start === 0 && train.end === 75 && test.start === 80 && test.end === 100);
 * ```
 */
export function chronologicalSplit(
  nRows: number,
  options: ChronologicalSplitOptions = {},
): TrainTestSplit {
  const { testFraction = 0.2, gap = 0, epochMs } = options;
  checkInteger(nRows, "nRows", 2);
  checkRange(testFraction, "testFraction", Number.MIN_VALUE, 1 - Number.EPSILON);
  checkInteger(gap, "gap", 0);
  if (epochMs) checkRows(epochMs, nRows);
  const testSize = Math.max(1, Math.round(nRows * testFraction));
  const testStart = nRows - testSize;
  const trainEnd = testStart - gap;
  if (trainEnd < 1) {
    throw new MlInputError(
      `chronologicalSplit: no training row left (${nRows} rows, ${testSize} test, gap ${gap})`,
    );
  }
  return { train: { start: 0, end: trainEnd }, test: { start: testStart, end: nRows } };
}

/** Options of {@link rollingOriginSplits}. */
export interface RollingOriginOptions {
  /** Number of folds (default 5). */
  nFolds?: number;
  /** Rows per test fold (default: nRows / (nFolds + 1), rounded down). */
  testSize?: number;
  /** Rows left out between training and each test fold (default 0). */
  gap?: number;
  /** Limit training to the most recent rows (sliding window); default: expanding window. */
  maxTrainSize?: number;
  /** Fewest training rows accepted in the first fold (default 1). */
  minTrainSize?: number;
  /** Timestamps of the rows, checked to be strictly increasing. */
  epochMs?: ArrayLike<number>;
}

/**
 * Rolling-origin (expanding-window) cross-validation, as scikit-learn's TimeSeriesSplit: the
 * last `nFolds * testSize` rows are cut into consecutive test folds; each fold trains on every
 * row before its test rows (minus `gap`), or only the last `maxTrainSize` of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rollingOriginSplits } from "./splits.ts";
 * const folds = rollingOriginSplits(60, { nFolds: 5 });
 * assert.ok(folds.length === 5);
 * assert.ok(folds[0].train.end === 10 && folds[0].test.start === 10 && folds[0].test.end === 20);
 * assert.ok(folds[4].train.end === 50 && folds[4].test.end === 60);
 * ```
 */
export function rollingOriginSplits(nRows: number, options: RollingOriginOptions = {}): Fold[] {
  const { nFolds = 5, gap = 0, minTrainSize = 1, epochMs } = options;
  checkInteger(nRows, "nRows", 2);
  checkInteger(nFolds, "nFolds", 1);
  checkInteger(gap, "gap", 0);
  checkInteger(minTrainSize, "minTrainSize", 1);
  const testSize = options.testSize ?? Math.floor(nRows / (nFolds + 1));
  checkInteger(testSize, "testSize", 1);
  if (options.maxTrainSize !== undefined) checkInteger(options.maxTrainSize, "maxTrainSize", 1);
  if (epochMs) checkRows(epochMs, nRows);
  const firstTest = nRows - nFolds * testSize;
  if (firstTest - gap < minTrainSize) {
    throw new MlInputError(
      `rollingOriginSplits: ${nRows} rows cannot hold ${nFolds} folds of ${testSize} rows ` +
        `after a gap of ${gap} and at least ${minTrainSize} training rows`,
    );
  }
  return Array.from({ length: nFolds }, (_, fold) => {
    const testStart = firstTest + fold * testSize;
    const trainEnd = testStart - gap;
    const trainStart = options.maxTrainSize === undefined
      ? 0
      : Math.max(0, trainEnd - options.maxTrainSize);
    return {
      fold,
      train: { start: trainStart, end: trainEnd },
      test: { start: testStart, end: testStart + testSize },
    };
  });
}

function checkRows(epochMs: ArrayLike<number>, nRows: number): void {
  if (epochMs.length !== nRows) {
    throw new MlInputError(`${epochMs.length} timestamps for ${nRows} rows`);
  }
  checkChronological(epochMs);
}
