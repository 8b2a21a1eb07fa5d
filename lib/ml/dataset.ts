/**
 * The feature matrix every learner takes: named, column-major `Float64Array` columns, NaN for a
 * missing value. Column-major storage is what both the tree binning and a polars DataFrame use,
 * so building one from a DataFrame (see `dataframe.ts`) copies each column once and never
 * creates per-row objects.
 *
 * @module
 */

import { MlInputError } from "./errors.ts";

/** Named numeric features, one `Float64Array` per feature, all of `nRows` values. */
export interface FeatureMatrix {
  /** Feature names, unique, in column order. */
  readonly names: readonly string[];
  /** One column per feature; NaN marks a missing value. */
  readonly columns: readonly Float64Array[];
  /** Number of rows (length of every column). */
  readonly nRows: number;
}

/**
 * Builds a feature matrix from named columns (kept in key order). `null` and `undefined` become
 * NaN (missing); `Float64Array` columns are used without copying.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * const x = featureMatrix({ heure: [0, 1, 2], lag_24h: [51_000, null, 49_500] });
 * assert.ok(x.nRows === 3 && Number.isNaN(x.columns[1][1]));
 * ```
 */
export function featureMatrix(
  columns: Record<string, ArrayLike<number | null | undefined>>,
): FeatureMatrix {
  const names = Object.keys(columns);
  if (names.length === 0) throw new MlInputError("featureMatrix: no feature given");
  const values = names.map((name) => toFloat64(columns[name], name));
  return checkedMatrix(names, values);
}

function toFloat64(values: ArrayLike<number | null | undefined>, name: string): Float64Array {
  if (values instanceof Float64Array) return values;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) out[i] = NaN;
    else if (typeof v === "number") out[i] = v;
    else {
      throw new MlInputError(`feature '${name}': row ${i} is ${JSON.stringify(v)}, not a number`);
    }
  }
  return out;
}

/** Checks unique names and equal lengths. */
export function checkedMatrix(names: readonly string[], columns: Float64Array[]): FeatureMatrix {
  if (new Set(names).size !== names.length) {
    throw new MlInputError(`feature names are not unique: ${names.join(", ")}`);
  }
  const nRows = columns[0].length;
  columns.forEach((column, j) => {
    if (column.length !== nRows) {
      throw new MlInputError(
        `feature '${names[j]}' has ${column.length} rows, '${names[0]}' has ${nRows}`,
      );
    }
  });
  return { names: [...names], columns, nRows };
}

/**
 * The rows `start..end` (end excluded) as views on the same memory: no copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix, sliceRows } from "./dataset.ts";
 * const x = sliceRows(featureMatrix({ a: [1, 2, 3, 4] }), 1, 3);
 * assert.ok(x.nRows === 2 && x.columns[0][0] === 2);
 * ```
 */
export function sliceRows(x: FeatureMatrix, start: number, end: number): FeatureMatrix {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end)) {
    throw new MlInputError(`sliceRows: invalid range [${start}, ${end})`);
  }
  if (end > x.nRows) throw new MlInputError(`sliceRows: end ${end} > ${x.nRows} rows`);
  return {
    names: x.names,
    columns: x.columns.map((c) => c.subarray(start, end)),
    nRows: end - start,
  };
}

/**
 * A copy of the rows at the given indices (in that order, repeats allowed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix, takeRows } from "./dataset.ts";
 * const x = takeRows(featureMatrix({ a: [10, 20, 30] }), [2, 0]);
 * assert.ok(x.columns[0].join() === "30,10");
 * ```
 */
export function takeRows(x: FeatureMatrix, rows: ArrayLike<number>): FeatureMatrix {
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (!(Number.isInteger(r) && r >= 0 && r < x.nRows)) {
      throw new MlInputError(`takeRows: index ${r} (position ${k}) is outside 0..${x.nRows - 1}`);
    }
  }
  const columns = x.columns.map((c) => {
    const out = new Float64Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = c[rows[k]];
    return out;
  });
  return { names: x.names, columns, nRows: rows.length };
}

/**
 * The columns of `x` in the order of `names` (a model's training features), without copying.
 * Extra columns of `x` are ignored; a missing one raises an {@link MlInputError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix, selectFeatures } from "./dataset.ts";
 * const x = selectFeatures(featureMatrix({ a: [1], b: [2], c: [3] }), ["c", "a"]);
 * assert.ok(x.names.join() === "c,a" && x.columns[0][0] === 3);
 * ```
 */
export function selectFeatures(x: FeatureMatrix, names: readonly string[]): FeatureMatrix {
  if (names.length === x.names.length && names.every((n, j) => n === x.names[j])) return x;
  const index = new Map(x.names.map((n, j) => [n, j]));
  const columns = names.map((name) => {
    const j = index.get(name);
    if (j === undefined) {
      throw new MlInputError(
        `feature '${name}' is required but missing (given: ${x.names.join(", ")})`,
      );
    }
    return x.columns[j];
  });
  return { names: [...names], columns, nRows: x.nRows };
}
