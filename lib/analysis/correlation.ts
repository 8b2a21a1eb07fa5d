/**
 * Correlation between the shares of the production mix and CO2 intensity.
 *
 * @module
 */

import pl from "nodejs-polars";
import { requireColumns, seriesKeys } from "./_input.ts";

/**
 * Silver columns whose share of production is correlated: `part_<x>_pct` = 100 × `<x>` /
 * `production_totale`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MIX_SHARES } from "./correlation.ts";
 * assert.ok(MIX_SHARES.includes("fossiles_total"));
 * ```
 */
export const MIX_SHARES: readonly string[] = [
  "nucleaire",
  "eolien",
  "solaire",
  "hydraulique",
  "bioenergies",
  "gaz",
  "charbon",
  "fioul",
  "renouvelables_total",
  "fossiles_total",
];

/** Options of {@linkcode mixCo2Correlation}. */
export interface CorrelationOptions {
  /** Intensity column (g/kWh); default `taux_co2` (RTE's published rate). */
  readonly target?: string;
}

/**
 * Pearson correlation, step by step, between each source's share of production and the CO2
 * intensity, computed with polars (`pl.pearsonCorr`).
 *
 * Why: which part of the mix moves the carbon rate? In France the rate follows the fossil
 * share almost one for one (r = 0.99 over Jan-Jul 2025) and falls when wind and solar rise
 * (renewable share: r = -0.46), while the nuclear share barely matters (r = 0.07: nuclear and
 * gas both cover the winter peaks); correlating shares rather than MW removes the common effect
 * of the demand level. Steps without a rate or
 * with no production are left out; a share that never varies (coal at 0) has no correlation
 * (null).
 *
 * Columns: series keys, `variable` (`part_<x>_pct`), `correlation_pearson`, `nb_pas`, sorted by
 * series then by decreasing correlation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { mixCo2Correlation } from "./correlation.ts";
 * const silver = pl.DataFrame({
 *   perimetre: ["France", "France", "France"],
 *   production_totale: [100, 100, 100],
 *   gaz: [5, 10, 20], fossiles_total: [5, 10, 20], nucleaire: [80, 75, 65],
 *   taux_co2: [25, 45, 85],
 * });
 * const r = mixCo2Correlation(silver).toRecords();
 * assert.ok(r[0].variable === "part_fossiles_total_pct" || r[0].variable === "part_gaz_pct");
 * assert.ok(Math.abs((r[0].correlation_pearson as number) - 1) < 1e-12);
 * ```
 */
export function mixCo2Correlation(
  silver: pl.DataFrame,
  options: CorrelationOptions = {},
): pl.DataFrame {
  const target = options.target ?? "taux_co2";
  requireColumns(silver, ["perimetre", "production_totale", target], "mixCo2Correlation");
  const keys = seriesKeys(silver);
  const shares = MIX_SHARES.filter((c) => silver.columns.includes(c));
  const rows = silver.filter(
    pl.col(target).isNotNull().and(pl.col("production_totale").gt(0)),
  ).select(
    ...keys,
    pl.col(target).alias("_y"),
    ...shares.map((c) =>
      pl.col(c).mul(100).div(pl.col("production_totale")).alias(`part_${c}_pct`)
    ),
  );
  const long = pl.concat(
    shares.map((c) =>
      rows.select(
        ...keys,
        pl.lit(`part_${c}_pct`).alias("variable"),
        pl.col(`part_${c}_pct`).alias("_x"),
        "_y",
      )
        .filter(pl.col("_x").isNotNull())
    ),
  );
  return long.groupBy([...keys, "variable"]).agg(
    pl.pearsonCorr("_x", "_y").alias("correlation_pearson"),
    pl.col("_x").count().cast(pl.Int32).alias("nb_pas"),
  ).withColumn(pl.col("correlation_pearson").fillNan(null))
    .sort([...keys, "correlation_pearson"], [...keys.map(() => false), true], true);
}
