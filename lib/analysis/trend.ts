/**
 * Monthly trends: the renewable share of production and offshore wind, with a linear slope per
 * month and its unit.
 *
 * @module
 */

import pl from "nodejs-polars";
import { addDays, localMinutes } from "../layers/gold.ts";
import { over, requireColumns, seriesKeys, timeWeightedMean } from "./_input.ts";

/**
 * One value per series and local month.
 *
 * Why: a trend over months must not be driven by the daily and weekly cycles, nor by a month's
 * missing days: shares are ratios of energies (Σ MWh renewable / Σ MWh produced, each step
 * weighted by its length), powers are time-weighted means, and `couverture_pct` says how much
 * of the local month (DST switch included) the data cover.
 *
 * Columns: series keys, `annee_mois` ("YYYY-MM", local), `debut_mois` (Date),
 * `part_renouvelables_pct`, `eolien_offshore_moyen_mw` (null where not published),
 * `production_totale_mwh`, `couverture_pct` (minutes with production / minutes of the month).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { monthlyMix } from "./trend.ts";
 * const silver = pl.DataFrame({
 *   perimetre: ["France", "France"],
 *   date_locale: ["2025-02-01", "2025-02-01"],
 *   pas_minutes: [30, 15],
 *   renouvelables_total: [20_000, 40_000], production_totale: [80_000, 80_000],
 *   eolien_offshore: [1_000, 1_600],
 * }).withColumns(
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const month = monthlyMix(silver).toRecords()[0];
 * // (20,000 × 0.5 h + 40,000 × 0.25 h) / (80,000 × 0.75 h)
 * assert.ok(Math.abs((month.part_renouvelables_pct as number) - 100 / 3) < 1e-12);
 * assert.equal(month.eolien_offshore_moyen_mw, 1_200);
 * ```
 */
export function monthlyMix(silver: pl.DataFrame): pl.DataFrame {
  const keys = seriesKeys(silver);
  requireColumns(
    silver,
    ["perimetre", "date_locale", "pas_minutes", "renouvelables_total", "production_totale"],
    "monthlyMix",
  );
  const offshore = silver.columns.includes("eolien_offshore")
    ? pl.col("eolien_offshore")
    : pl.lit(null).cast(pl.Float64);
  const present = pl.col("production_totale").isNotNull();
  const mwh = (c: string) =>
    pl.when(present).then(pl.col(c).mul(pl.col("pas_minutes")).div(60)).otherwise(pl.lit(null))
      .sum();
  const month = pl.col("date_locale").dt.strftime("%Y-%m");
  const monthly = silver.withColumn(month.alias("annee_mois")).groupBy([...keys, "annee_mois"])
    .agg(
      mwh("renouvelables_total").alias("_renouvelables_mwh"),
      mwh("production_totale").alias("production_totale_mwh"),
      timeWeightedMean(offshore).alias("eolien_offshore_moyen_mw"),
      pl.when(present).then(pl.col("pas_minutes")).otherwise(pl.lit(0)).sum().alias("_minutes"),
    ).withColumn(
      pl.concatString([pl.col("annee_mois"), pl.lit("-01")], "").str.strptime(
        pl.Date,
        "%Y-%m-%d",
      ).alias("debut_mois"),
    );
  // 32 days after the 1st is always in the next month.
  const nextMonth = addDays(pl.col("debut_mois"), 32).dt.strftime("%Y-%m-01")
    .str.strptime(pl.Date, "%Y-%m-%d");
  return monthly.select(
    ...keys,
    "annee_mois",
    "debut_mois",
    pl.when(pl.col("production_totale_mwh").gt(0))
      .then(pl.col("_renouvelables_mwh").mul(100).div(pl.col("production_totale_mwh")))
      .otherwise(pl.lit(null)).alias("part_renouvelables_pct"),
    "eolien_offshore_moyen_mw",
    "production_totale_mwh",
    pl.col("_minutes").mul(100).div(localMinutes(pl.col("debut_mois"), nextMonth))
      .alias("couverture_pct"),
  ).sort([...keys, "annee_mois"]);
}

/**
 * The series {@linkcode mixTrends} fits: the {@linkcode monthlyMix} column and the unit of the
 * slope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TREND_SERIES } from "./trend.ts";
 * assert.equal(TREND_SERIES.eolien_offshore.unit, "MW/mois");
 * ```
 */
export const TREND_SERIES: Readonly<Record<string, { column: string; unit: string }>> = {
  part_renouvelables: { column: "part_renouvelables_pct", unit: "points de %/mois" },
  eolien_offshore: { column: "eolien_offshore_moyen_mw", unit: "MW/mois" },
};

/** Options of {@linkcode mixTrends}. */
export interface TrendOptions {
  /** Months covered below this percentage are left out of the fit; default 50. */
  readonly minCoveragePct?: number;
  /** Series with fewer usable months get no trend row; default 3. */
  readonly minMonths?: number;
}

/**
 * Linear trend (ordinary least squares on the monthly values of {@linkcode monthlyMix}) of the
 * renewable share and of offshore wind, per series.
 *
 * Why: "is it rising, and how fast" needs a number with a unit: the slope per month, in
 * percentage points per month for a share and MW per month for a power, with r² to say how
 * much of the month-to-month change the line explains (seasonality makes it low over less than
 * a year). Months mostly missing are left out rather than weighing like full ones.
 *
 * Columns: series keys, `serie` (`part_renouvelables`, `eolien_offshore`), `unite`,
 * `pente_par_mois`, `valeur_initiale` (the fitted value at the first month), `r2`, `nb_mois`,
 * `premier_mois`, `dernier_mois`. Series without published values (offshore wind before 2021,
 * regional files) have no row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { mixTrends } from "./trend.ts";
 * const months = ["2025-01-01", "2025-02-01", "2025-03-01"];
 * const silver = pl.DataFrame({
 *   perimetre: Array(3).fill("France"), date_locale: months, pas_minutes: Array(3).fill(30),
 *   renouvelables_total: [20, 22, 24], production_totale: [100, 100, 100],
 * }).withColumns(
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const trend = mixTrends(silver, { minCoveragePct: 0 }).toRecords()[0];
 * assert.equal(trend.serie, "part_renouvelables");
 * assert.equal(trend.unite, "points de %/mois");
 * assert.ok(Math.abs((trend.pente_par_mois as number) - 2) < 1e-9);
 * ```
 */
export function mixTrends(silver: pl.DataFrame, options: TrendOptions = {}): pl.DataFrame {
  const minCoverage = options.minCoveragePct ?? 50;
  const minMonths = options.minMonths ?? 3;
  const monthly = monthlyMix(silver);
  const keys = seriesKeys(monthly);
  const group = [...keys, "serie"];
  const monthIndex = pl.col("debut_mois").dt.year().cast(pl.Int32).mul(12)
    .plus(pl.col("debut_mois").dt.month().cast(pl.Int32));
  const long = pl.concat(
    Object.entries(TREND_SERIES).map(([serie, { column, unit }]) =>
      monthly.filter(pl.col(column).isNotNull().and(pl.col("couverture_pct").gtEq(minCoverage)))
        .select(
          ...keys,
          pl.lit(serie).alias("serie"),
          pl.lit(unit).alias("unite"),
          "annee_mois",
          monthIndex.alias("_x"),
          pl.col(column).alias("_y"),
        )
    ),
  ).withColumn(pl.col("_x").minus(pl.col("_x").min().over(...over(group))).cast(pl.Float64));
  const x = pl.col("_x");
  const y = pl.col("_y");
  const slope = pl.cov(x, y).div(x.var());
  return long.groupBy(group).agg(
    pl.col("unite").first(),
    slope.alias("pente_par_mois"),
    y.mean().minus(slope.mul(x.mean())).alias("valeur_initiale"),
    pl.pearsonCorr(x, y).pow(2).alias("r2"),
    y.count().cast(pl.Int32).alias("nb_mois"),
    pl.col("annee_mois").min().alias("premier_mois"),
    pl.col("annee_mois").max().alias("dernier_mois"),
  ).filter(pl.col("nb_mois").gtEq(minMonths))
    .withColumn(pl.col("r2").fillNan(null))
    .select(
      ...group,
      "unite",
      "pente_par_mois",
      "valeur_initiale",
      "r2",
      "nb_mois",
      "premier_mois",
      "dernier_mois",
    ).sort(group);
}

/**
 * Year-over-year trend of the series of {@linkcode TREND_SERIES}: the mean change of a month's
 * value from the same month one year before, per month (divided by 12, so in the unit of
 * {@linkcode mixTrends}).
 *
 * Why: within less than two years a slope over months mostly measures the season (offshore wind
 * falls from January to July every year); comparing each month with the same month a year before
 * removes the season. Series with fewer than `minPairs` such pairs of months (default 12: one
 * whole year compared) get no row: the report then does not speak of a trend.
 *
 * Columns: series keys, `serie`, `unite`, `pente_par_mois`, `nb_paires`, `premier_mois`,
 * `dernier_mois` (the first and last months compared with the year before).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { yearOverYearTrends } from "./trend.ts";
 * // 24 months: a season (+10 points in July) on top of +1.2 points a year.
 * const months = Array.from({ length: 24 }, (_, i) => i);
 * const silver = pl.DataFrame({
 *   perimetre: months.map(() => "France"),
 *   date_locale: months.map((i) => new Date(Date.UTC(2023, i, 1))),
 *   pas_minutes: months.map(() => 30),
 *   renouvelables_total: months.map((i) => 20 + (i % 12 === 6 ? 10 : 0) + 0.1 * i),
 *   production_totale: months.map(() => 100),
 * }).withColumns(pl.col("date_locale").cast(pl.Date), pl.col("pas_minutes").cast(pl.Int32));
 * const [t] = yearOverYearTrends(silver, { minCoveragePct: 0 }).toRecords();
 * assert.equal(t.serie, "part_renouvelables");
 * assert.ok(Math.abs((t.pente_par_mois as number) - 0.1) < 1e-9);
 * assert.equal(t.nb_paires, 12);
 * assert.equal(yearOverYearTrends(silver.head(23), { minCoveragePct: 0 }).height, 0);
 * ```
 */
export function yearOverYearTrends(
  silver: pl.DataFrame,
  options: TrendOptions & { minPairs?: number } = {},
): pl.DataFrame {
  const minCoverage = options.minCoveragePct ?? 50;
  const minPairs = options.minPairs ?? 12;
  const monthly = monthlyMix(silver).filter(pl.col("couverture_pct").gtEq(minCoverage));
  const keys = seriesKeys(monthly);
  const index = pl.col("debut_mois").dt.year().cast(pl.Int32).mul(12)
    .plus(pl.col("debut_mois").dt.month().cast(pl.Int32));
  const long = pl.concat(
    Object.entries(TREND_SERIES).map(([serie, { column, unit }]) =>
      monthly.filter(pl.col(column).isNotNull()).select(
        ...keys,
        pl.lit(serie).alias("serie"),
        pl.lit(unit).alias("unite"),
        "annee_mois",
        index.alias("_i"),
        pl.col(column).cast(pl.Float64).alias("_y"),
      )
    ),
  );
  const yearBefore = long.select(
    ...keys,
    "serie",
    pl.col("_i").plus(12).alias("_i"),
    pl.col("_y").alias("_y_avant"),
  );
  const group = [...keys, "serie"];
  const on: string[] = [...group, "_i"];
  return long.join(yearBefore, { on, how: "inner" })
    .groupBy(group).agg(
      pl.col("unite").first(),
      pl.col("_y").minus(pl.col("_y_avant")).mean().div(12).alias("pente_par_mois"),
      pl.col("_y").count().cast(pl.Int32).alias("nb_paires"),
      pl.col("annee_mois").min().alias("premier_mois"),
      pl.col("annee_mois").max().alias("dernier_mois"),
    ).filter(pl.col("nb_paires").gtEq(minPairs))
    .select(...group, "unite", "pente_par_mois", "nb_paires", "premier_mois", "dernier_mois")
    .sort(group);
}
