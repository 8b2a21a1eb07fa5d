/**
 * Trailing rolling means of silver power series, on real time rather than row counts.
 *
 * @module
 */

import pl from "nodejs-polars";
import { over, requireColumns, seriesKeys } from "./_input.ts";

/** Options of {@linkcode rollingMean}. */
export interface RollingMeanOptions {
  /** Power column (MW) of the silver frame. */
  readonly column: string;
  /** Window length in hours (24 for a day, 168 for a week). */
  readonly hours: number;
  /** Name of the mean column; default `<column>_moyenne_<hours>h_mw`. */
  readonly name?: string;
  /** Name of the coverage column; default `couverture_<hours>h_pct`. */
  readonly coverageName?: string;
}

/**
 * Trailing time-weighted mean of a power column over the last `hours` hours, per series.
 *
 * Why: the window is real time, not a number of rows, because silver mixes 15-minute and
 * 30-minute rows and may have holes; each value weighs its step (Σ MW × step / Σ step), and the
 * coverage column (minutes with a value / window minutes) says when a mean rests on a partial
 * window, at the start of a series or around a gap.
 *
 * The window of the step starting at t holds the steps starting in (t - hours, t]. Output: the
 * series keys (`jeu_donnees` when present, `perimetre`), `timestamp_utc`, `pas_minutes`, the
 * column, the mean and the coverage (%), sorted by series and time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { rollingMean } from "./rolling.ts";
 * const silver = pl.DataFrame({
 *   perimetre: ["France", "France", "France"],
 *   timestamp_utc: [0, 1_800_000, 3_600_000],
 *   pas_minutes: [30, 30, 30],
 *   consommation: [100, 200, 600],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const out = rollingMean(silver, { column: "consommation", hours: 1, name: "m" });
 * assert.deepEqual(out.getColumn("m").toArray(), [100, 150, 400]);
 * assert.deepEqual(out.getColumn("couverture_1h_pct").toArray(), [50, 100, 100]);
 * ```
 */
export function rollingMean(silver: pl.DataFrame, options: RollingMeanOptions): pl.DataFrame {
  const { column, hours } = options;
  requireColumns(silver, ["perimetre", "timestamp_utc", "pas_minutes", column], "rollingMean");
  const name = options.name ?? `${column}_moyenne_${hours}h_mw`;
  const coverage = options.coverageName ?? `couverture_${hours}h_pct`;
  const keys = seriesKeys(silver);
  const value = pl.col(column);
  const base = silver.select(
    ...keys,
    "timestamp_utc",
    "pas_minutes",
    value.cast(pl.Float64).alias(column),
  ).sort([...keys, "timestamp_utc"]);
  const windows = base.select(
    ...keys,
    "timestamp_utc",
    value.mul(pl.col("pas_minutes")).alias("_mw_minutes"),
    pl.when(value.isNotNull()).then(pl.col("pas_minutes")).otherwise(pl.lit(0)).alias("_minutes"),
  ).groupByRolling({ indexColumn: "timestamp_utc", period: `${hours}h`, by: over(keys) }).agg(
    pl.col("_mw_minutes").sum().alias("_mw_minutes"),
    pl.col("_minutes").sum().alias("_minutes"),
  );
  const on: string[] = [...keys, "timestamp_utc"];
  return base.join(windows, { on, how: "left" }).select(
    ...keys,
    "timestamp_utc",
    "pas_minutes",
    column,
    pl.when(pl.col("_minutes").gt(0)).then(pl.col("_mw_minutes").div(pl.col("_minutes")))
      .otherwise(pl.lit(null)).alias(name),
    pl.col("_minutes").mul(100).div(hours * 60).alias(coverage),
  ).sort([...keys, "timestamp_utc"]);
}

/**
 * Consumption's trailing 24-hour mean (`consommation_moyenne_24h_mw`, coverage
 * `couverture_24h_pct`): the daily level with the daily cycle removed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { consumptionMean24h } from "./rolling.ts";
 * const silver = pl.DataFrame({
 *   perimetre: Array(96).fill("France"),
 *   timestamp_utc: Array.from({ length: 96 }, (_, i) => i * 900_000),
 *   pas_minutes: Array(96).fill(15),
 *   consommation: Array.from({ length: 96 }, (_, i) => (i % 2 === 0 ? 50_000 : 60_000)),
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const last = consumptionMean24h(silver).tail(1).toRecords()[0];
 * assert.equal(last.consommation_moyenne_24h_mw, 55_000);
 * assert.equal(last.couverture_24h_pct, 100);
 * ```
 */
export function consumptionMean24h(silver: pl.DataFrame): pl.DataFrame {
  return rollingMean(silver, {
    column: "consommation",
    hours: 24,
    name: "consommation_moyenne_24h_mw",
    coverageName: "couverture_24h_pct",
  });
}

/**
 * Renewable production's trailing 7-day mean (`renouvelables_moyenne_7j_mw`, coverage
 * `couverture_7j_pct`): wind and solar swing from day to day, a week shows the trend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { renewableMean7d } from "./rolling.ts";
 * const silver = pl.DataFrame({
 *   perimetre: ["France", "France"],
 *   timestamp_utc: [0, 86_400_000],
 *   pas_minutes: [30, 30],
 *   renouvelables_total: [10_000, 20_000],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const out = renewableMean7d(silver);
 * assert.equal(out.getColumn("renouvelables_moyenne_7j_mw").toArray()[1], 15_000);
 * ```
 */
export function renewableMean7d(silver: pl.DataFrame): pl.DataFrame {
  return rollingMean(silver, {
    column: "renouvelables_total",
    hours: 168,
    name: "renouvelables_moyenne_7j_mw",
    coverageName: "couverture_7j_pct",
  });
}

/**
 * Lowest and highest value of a rolling mean per perimetre, with their instants, among the
 * rows whose window is at least `minCoveragePct` % covered: a half-empty window at the start
 * of the data is not an extreme.
 *
 * Columns: `perimetre`, `minimum_mw`, `instant_minimum`, `maximum_mw`, `instant_maximum`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { rollingExtremes } from "./rolling.ts";
 * const r = pl.DataFrame({ perimetre: ["F", "F", "F"], timestamp_utc: [1, 2, 3],
 *   m: [5, 9, 7], c: [50, 100, 100] });
 * const [x] = rollingExtremes(r, "m", "c").toRecords();
 * assert.equal(x.minimum_mw, 7);
 * assert.equal(x.maximum_mw, 9);
 * assert.equal(x.instant_minimum, 3);
 * ```
 */
export function rollingExtremes(
  rolling: pl.DataFrame,
  column: string,
  coverageColumn: string,
  minCoveragePct = 99,
): pl.DataFrame {
  return rolling.filter(pl.col(coverageColumn).gtEq(minCoveragePct)).groupBy("perimetre").agg(
    pl.col(column).min().round(0).alias("minimum_mw"),
    pl.col("timestamp_utc").sortBy(pl.col(column)).first().alias("instant_minimum"),
    pl.col(column).max().round(0).alias("maximum_mw"),
    pl.col("timestamp_utc").sortBy(pl.col(column), true).first().alias("instant_maximum"),
  ).sort("perimetre");
}
