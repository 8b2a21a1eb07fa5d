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
  const present = new Set(df.columns);
  const columns = names.map((name) => {
    if (!present.has(name)) {
      throw new MlInputError(`DataFrame has no column '${name}' (has: ${df.columns.join(", ")})`);
    }
    let column: pl.Series;
    try {
      column = df.select(pl.col(name).cast(pl.Float64, true).fillNull(pl.lit(NaN))).getColumn(
        name,
      );
    } catch (error) {
      throw new MlInputError(
        `column '${name}' (${df.getColumn(name).dtype}) is not numeric: ${
          (error as Error).message
        }`,
      );
    }
    return Float64Array.from(column.toTypedArray() as Float64Array);
  });
  return checkedMatrix(names, columns);
}
