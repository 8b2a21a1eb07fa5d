/**
 * Bridge from polars DataFrames to {@link FeatureMatrix} (kept apart so that the learners do
 * not load the polars native module).
 *
 * @module
 */

import pl from "nodejs-polars";
import { checkedMatrix, type FeatureMatrix } from "./dataset.ts";
import { MlInputError } from "./errors.ts";

/**
 * Extracts numeric columns of a polars DataFrame (cast to Float64; null becomes NaN). A column
 * that cannot be cast (text) raises an {@link MlInputError} naming it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { featureMatrixFromDataFrame } from "./dataframe.ts";
 * const df = pl.DataFrame({ heure: [0, 1], lag_24h: [51_000, null], zone: ["FR", "FR"] });
 * const x = featureMatrixFromDataFrame(df, ["heure", "lag_24h"]);
 * assert.ok(x.names.length === 2 && Number.isNaN(x.columns[1][1]));
 * ```
 */
export function featureMatrixFromDataFrame(
  df: pl.DataFrame,
  names: readonly string[],
): FeatureMatrix {
  if (names.length === 0) throw new MlInputError("featureMatrixFromDataFrame: no feature given");
  return checkedMatrix(names, names.map((name) => numericColumn(df, name)));
}

/**
 * One column of a polars DataFrame as a Float64Array (cast; null becomes NaN), e.g. a target:
 * the learners then report any NaN target with its row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { numericColumn } from "./dataframe.ts";
 * const df = pl.DataFrame({ consommation: [51_000, 52_500] });
 * assert.deepEqual([...numericColumn(df, "consommation")], [51_000, 52_500]);
 * ```
 */
export function numericColumn(df: pl.DataFrame, name: string): Float64Array {
  if (!df.columns.includes(name)) {
    throw new MlInputError(`DataFrame has no column '${name}' (has: ${df.columns.join(", ")})`);
  }
  let column: pl.Series;
  try {
    column = df.select(pl.col(name).cast(pl.Float64, true).fillNull(pl.lit(NaN))).getColumn(name);
  } catch (error) {
    throw new MlInputError(
      `column '${name}' (${df.getColumn(name).dtype}) is not numeric: ${(error as Error).message}`,
    );
  }
  return Float64Array.from(column.toTypedArray() as Float64Array);
}
