/**
 * The cleanest and most carbon-intensive hours, from the gold `empreinte_carbone` table
 * (`carbonFootprint` of lib/layers/gold.ts).
 *
 * @module
 */

import pl from "nodejs-polars";
import { AnalysisInputError, requireColumns } from "./_input.ts";

const FOOTPRINT = [
  "perimetre",
  "date",
  "heure",
  "taux_co2_gkwh",
  "co2_total_tonnes",
  "production_totale_mwh",
  "part_sources_bas_carbone_pct",
];

/**
 * Carbon intensity by local hour of the day, ranked.
 *
 * Why: "when should I run the washing machine / charge the car" is answered by the hour of day,
 * not by one record hour; the mean rate of an hour of day is tonnes / MWh over all its days
 * (production-weighted, so a low-production night does not weigh like a high one).
 *
 * Columns: `perimetre`, `heure` (0-23 local), `taux_co2_moyen_gkwh`, `co2_total_tonnes`,
 * `production_totale_mwh` (of the hours with a rate), `nb_heures`, `rang_plus_propre` (1 = the
 * cleanest hour of day), sorted by perimetre and rank.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { carbonHourProfile } from "./carbon.ts";
 * const footprint = pl.DataFrame({
 *   perimetre: ["France", "France", "France"], date: ["2025-06-01", "2025-06-02", "2025-06-01"],
 *   heure: [13, 13, 19], taux_co2_gkwh: [10, 30, 40], co2_total_tonnes: [600, 1200, 2400],
 *   production_totale_mwh: [60_000, 40_000, 60_000], part_sources_bas_carbone_pct: [98, 96, 95],
 * }).withColumn(pl.col("date").str.strptime(pl.Date, "%Y-%m-%d"));
 * const best = carbonHourProfile(footprint).toRecords()[0];
 * assert.equal(best.heure, 13);
 * assert.equal(best.taux_co2_moyen_gkwh, 18); // 1,800 t / 100,000 MWh
 * ```
 */
export function carbonHourProfile(footprint: pl.DataFrame): pl.DataFrame {
  requireColumns(footprint, FOOTPRINT, "carbonHourProfile");
  const rated = footprint.filter(pl.col("co2_total_tonnes").isNotNull());
  return rated.groupBy(["perimetre", "heure"]).agg(
    pl.col("co2_total_tonnes").sum(),
    pl.col("production_totale_mwh").sum(),
    pl.col("heure").count().cast(pl.Int32).alias("nb_heures"),
  ).withColumn(
    pl.when(pl.col("production_totale_mwh").gt(0))
      .then(pl.col("co2_total_tonnes").mul(1000).div(pl.col("production_totale_mwh")))
      .otherwise(pl.lit(null)).alias("taux_co2_moyen_gkwh"),
  ).withColumn(
    pl.col("taux_co2_moyen_gkwh").rank("ordinal").over("perimetre").cast(pl.Int32)
      .alias("rang_plus_propre"),
  ).select(
    "perimetre",
    "heure",
    "taux_co2_moyen_gkwh",
    "co2_total_tonnes",
    "production_totale_mwh",
    "nb_heures",
    "rang_plus_propre",
  ).sort(["perimetre", "rang_plus_propre"]);
}

/** Options of {@linkcode carbonExtremeHours}. */
export interface ExtremeHoursOptions {
  /** Hours kept at each end per perimetre; default 10. */
  readonly n?: number;
}

/**
 * The `n` cleanest and `n` most carbon-intensive single hours of each perimetre.
 *
 * Why: the extremes tell the story of the period (a windy sunny Sunday noon at a few g/kWh, a
 * windless winter evening with gas and coal at the peak); ties are broken by date and hour so
 * the list is reproducible.
 *
 * Columns: `perimetre`, `classement` (`plus_propres`, `plus_carbonees`), `rang` (1 = the
 * extreme), `date`, `heure`, `taux_co2_gkwh`, `co2_total_tonnes`,
 * `part_sources_bas_carbone_pct`. Hours without a rate are ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { carbonExtremeHours } from "./carbon.ts";
 * const footprint = pl.DataFrame({
 *   perimetre: ["France", "France", "France"], date: ["2025-06-01", "2025-06-01", "2025-06-01"],
 *   heure: [12, 13, 19], taux_co2_gkwh: [12, 9, 41], co2_total_tonnes: [700, 540, 2500],
 *   production_totale_mwh: [58_000, 60_000, 61_000], part_sources_bas_carbone_pct: [98, 99, 95],
 * }).withColumn(pl.col("date").str.strptime(pl.Date, "%Y-%m-%d"));
 * const ends = carbonExtremeHours(footprint, { n: 1 }).toRecords();
 * assert.equal(ends[0].classement, "plus_carbonees");
 * assert.equal(ends[0].heure, 19);
 * assert.equal(ends[1].classement, "plus_propres");
 * assert.equal(ends[1].heure, 13);
 * ```
 */
export function carbonExtremeHours(
  footprint: pl.DataFrame,
  options: ExtremeHoursOptions = {},
): pl.DataFrame {
  requireColumns(footprint, FOOTPRINT, "carbonExtremeHours");
  const n = options.n ?? 10;
  if (!Number.isInteger(n) || n < 1) {
    throw new AnalysisInputError(`carbonExtremeHours: n must be a positive integer, got ${n}`);
  }
  const rated = footprint.filter(pl.col("taux_co2_gkwh").isNotNull());
  const ends = ([["plus_propres", false], ["plus_carbonees", true]] as const).map(
    ([classement, descending]) =>
      rated.sort(["perimetre", "taux_co2_gkwh", "date", "heure"], [false, descending, false, false])
        .withColumn(
          pl.col("taux_co2_gkwh").rank("ordinal", descending).over("perimetre").cast(pl.Int32)
            .alias("rang"),
        )
        .filter(pl.col("rang").ltEq(n))
        .withColumn(pl.lit(classement).alias("classement")),
  );
  return pl.concat(ends).select(
    "perimetre",
    "classement",
    "rang",
    "date",
    "heure",
    "taux_co2_gkwh",
    "co2_total_tonnes",
    "part_sources_bas_carbone_pct",
  ).sort(["perimetre", "classement", "rang"]);
}
