/**
 * Private helpers of lib/analysis: input checks and the keys of a series.
 *
 * @module
 */

import pl from "nodejs-polars";

/**
 * A frame given to an analysis lacks what the analysis reads (a column, a usable option).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AnalysisInputError } from "./_input.ts";
 * const err = new AnalysisInputError("detectAnomalies: missing column(s) consommation");
 * assert.equal(err.name, "AnalysisInputError");
 * ```
 */
export class AnalysisInputError extends Error {
  override name = "AnalysisInputError";
}

/** Throws {@linkcode AnalysisInputError} naming the caller when `columns` are not all there. */
export function requireColumns(
  frame: pl.DataFrame,
  columns: readonly string[],
  caller: string,
): void {
  const missing = [...new Set(columns)].filter((c) => !frame.columns.includes(c));
  if (missing.length > 0) {
    throw new AnalysisInputError(`${caller}: the frame lacks column(s) ${missing.join(", ")}`);
  }
}

/** Keys of one time series: `perimetre`, preceded by `jeu_donnees` when the frame has it. */
export function seriesKeys(frame: pl.DataFrame): string[] {
  return frame.columns.includes("jeu_donnees") ? ["jeu_donnees", "perimetre"] : ["perimetre"];
}

/** Window keys in the variadic form `Expr.over` expects. */
export function over(keys: readonly string[]): [string, ...string[]] {
  return [keys[0], ...keys.slice(1)];
}

/** Time-weighted mean of a power column over the rows of a group: Σ MW × step / Σ step. */
export function timeWeightedMean(value: pl.Expr): pl.Expr {
  const minutes = pl.when(value.isNotNull()).then(pl.col("pas_minutes")).otherwise(pl.lit(null));
  return pl.when(minutes.sum().gt(0))
    .then(value.mul(pl.col("pas_minutes")).sum().div(minutes.sum()))
    .otherwise(pl.lit(null));
}
