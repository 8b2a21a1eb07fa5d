/**
 * Weekly seasonality of a power series: the profile by weekday and local hour, and the weekend
 * effect.
 *
 * @module
 */

import pl from "nodejs-polars";
import { requireColumns, seriesKeys, timeWeightedMean } from "./_input.ts";

const WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

/** Options of the seasonality functions. */
export interface SeasonalityOptions {
  /** Power column (MW) of the silver frame; default `consommation`. */
  readonly column?: string;
}

/** `nom_jour` from the ISO weekday column `jour_semaine` (1 = lundi). */
function weekdayName(): pl.Expr {
  let name: pl.Expr = pl.lit(null).cast(pl.Utf8);
  WEEKDAYS.forEach((day, i) => {
    name = pl.when(pl.col("jour_semaine").eq(i + 1)).then(pl.lit(day)).otherwise(name);
  });
  return name.alias("nom_jour");
}

/**
 * Mean profile by local weekday and local clock hour.
 *
 * Why: French consumption has a weekly shape (working days, Saturday, Sunday) multiplied by a
 * daily one (night trough, morning ramp, 19:00 peak in winter); the 7 × 24 profile shows both
 * in one frame, on local time so that 19:00 is 19:00 in winter and in summer. Means are
 * time-weighted (15- and 30-minute steps count by their length).
 *
 * Columns: series keys, `jour_semaine` (1 = lundi … 7 = dimanche), `nom_jour`, `heure` (0-23
 * local), `moyenne_mw`, `min_mw`, `max_mw`, `nb_pas`, sorted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { weeklyProfile } from "./seasonality.ts";
 * const silver = pl.DataFrame({
 *   perimetre: ["France", "France", "France"],
 *   date_locale: ["2025-01-06", "2025-01-06", "2025-01-13"],
 *   heure_locale: ["19:00", "19:30", "19:00"],
 *   pas_minutes: [30, 30, 30],
 *   consommation: [80_000, 78_000, 82_000],
 * }).withColumns(
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const monday19 = weeklyProfile(silver).toRecords()[0];
 * assert.equal(monday19.nom_jour, "lundi");
 * assert.equal(monday19.heure, 19);
 * assert.equal(monday19.moyenne_mw, 80_000);
 * assert.equal(monday19.nb_pas, 3);
 * ```
 */
export function weeklyProfile(
  silver: pl.DataFrame,
  options: SeasonalityOptions = {},
): pl.DataFrame {
  const column = options.column ?? "consommation";
  requireColumns(
    silver,
    ["perimetre", "date_locale", "heure_locale", "pas_minutes", column],
    "weeklyProfile",
  );
  const keys = seriesKeys(silver);
  const value = pl.col(column);
  return silver.withColumns(
    pl.col("date_locale").dt.weekday().cast(pl.Int32).alias("jour_semaine"),
    pl.col("heure_locale").str.slice(0, 2).cast(pl.Int32).alias("heure"),
  ).groupBy([...keys, "jour_semaine", "heure"]).agg(
    timeWeightedMean(value).alias("moyenne_mw"),
    value.min().alias("min_mw"),
    value.max().alias("max_mw"),
    value.count().cast(pl.Int32).alias("nb_pas"),
  ).withColumn(weekdayName()).select(
    ...keys,
    "jour_semaine",
    "nom_jour",
    "heure",
    "moyenne_mw",
    "min_mw",
    "max_mw",
    "nb_pas",
  ).sort([...keys, "jour_semaine", "heure"]);
}

/**
 * Weekend effect: mean power on Saturdays and Sundays against Monday-Friday, in %.
 *
 * Why: the weekend drop is the clearest behavioural signal in consumption (offices, industry);
 * its sign matters (negative: lower at weekends; a production series such as solar has none),
 * so it is given signed: `effet_weekend_pct` = 100 × (weekend mean - working-day mean) /
 * working-day mean. Public holidays count as the weekday they fall on. Means are time-weighted.
 *
 * Columns: series keys, `moyenne_semaine_mw` (Monday-Friday), `moyenne_weekend_mw`,
 * `effet_weekend_pct`, `moyenne_samedi_mw`, `moyenne_dimanche_mw`, `nb_jours_semaine`,
 * `nb_jours_weekend` (local days with data).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { weekendEffect } from "./seasonality.ts";
 * const silver = pl.DataFrame({
 *   perimetre: ["France", "France", "France"],
 *   date_locale: ["2025-01-10", "2025-01-11", "2025-01-12"], // Friday, Saturday, Sunday
 *   pas_minutes: [30, 30, 30],
 *   consommation: [60_000, 51_000, 48_000],
 * }).withColumns(
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const effect = weekendEffect(silver).toRecords()[0];
 * assert.equal(effect.effet_weekend_pct, -17.5); // (49,500 - 60,000) / 60,000
 * ```
 */
export function weekendEffect(
  silver: pl.DataFrame,
  options: SeasonalityOptions = {},
): pl.DataFrame {
  const column = options.column ?? "consommation";
  requireColumns(silver, ["perimetre", "date_locale", "pas_minutes", column], "weekendEffect");
  const keys = seriesKeys(silver);
  const weekday = pl.col("date_locale").dt.weekday();
  const value = pl.col(column);
  const on = (days: pl.Expr) => pl.when(days).then(value).otherwise(pl.lit(null));
  const workingDay = weekday.ltEq(5);
  const daysWith = (days: pl.Expr) =>
    pl.col("date_locale").filter(days.and(value.isNotNull())).nUnique().cast(pl.Int32);
  const week = pl.col("moyenne_semaine_mw");
  return silver.groupBy(keys).agg(
    timeWeightedMean(on(workingDay)).alias("moyenne_semaine_mw"),
    timeWeightedMean(on(workingDay.not())).alias("moyenne_weekend_mw"),
    timeWeightedMean(on(weekday.eq(6))).alias("moyenne_samedi_mw"),
    timeWeightedMean(on(weekday.eq(7))).alias("moyenne_dimanche_mw"),
    daysWith(workingDay).alias("nb_jours_semaine"),
    daysWith(workingDay.not()).alias("nb_jours_weekend"),
  ).select(
    ...keys,
    "moyenne_semaine_mw",
    "moyenne_weekend_mw",
    pl.when(week.neq(0))
      .then(pl.col("moyenne_weekend_mw").minus(week).mul(100).div(week))
      .otherwise(pl.lit(null)).alias("effet_weekend_pct"),
    "moyenne_samedi_mw",
    "moyenne_dimanche_mw",
    "nb_jours_semaine",
    "nb_jours_weekend",
  ).sort(keys);
}
