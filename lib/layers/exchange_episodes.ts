/**
 * Episodes of massive import or export: stretches of consecutive hours when the net exchange
 * balance of a border, or of all borders, is among the largest of the period.
 *
 * **Rule** (per perimeter and per series: each border's commercial balance `ech_comm_*`, and
 * `Total`, the sum of the borders `solde_echanges`, or the physical balance `ech_physiques`
 * when a perimeter publishes no border, as RTE's regional files):
 * 1. hourly means of the balance (MW, RTE's sign: > 0 import), time-weighted over the steps
 *    present (Paris offsets are whole hours, so UTC hours are local hours);
 * 2. threshold = the `percentile`-th percentile (default 95, linear interpolation) of the
 *    absolute hourly balance of that series over the whole period;
 * 3. a *massive* hour is one whose |balance| reaches the threshold (a zero balance never
 *    does); its direction is import (> 0) or export (< 0);
 * 4. an *episode* is a run of at least `minHours` (default 3) consecutive massive hours in the
 *    same direction; a missing hour or a change of direction ends it.
 * The threshold is relative to the period: a border that mostly exports gets export episodes
 * only, and its imports are called massive only when they reach its largest flows.
 *
 * @module
 */

import pl from "nodejs-polars";
import { COMMERCIAL_EXCHANGES } from "../eco2mix/mod.ts";
import {
  checkSilver,
  EXCHANGE_COUNTRIES,
  EXCHANGE_TOTAL,
  GoldInputError,
  keysOf,
} from "./_gold_frame.ts";
import { epochMs, HOUR_MS, intDiv } from "./time_keys.ts";

/** Options of {@linkcode exchangeEpisodes}. */
export interface EpisodeOptions {
  /** Percentile (0-100) of |hourly balance| a massive hour reaches; default 95. */
  readonly percentile?: number;
  /** Fewest consecutive massive hours that make an episode; default 3. */
  readonly minHours?: number;
}

/**
 * `episodes_echanges`: episodes of massive import or export (rule in the module doc), one row
 * per episode.
 *
 * Columns: `perimetre`, `frontiere` (`UK`, `Espagne`, `Italie`, `Suisse`, `DE-BE`, `Total`),
 * `mesure` (`commercial` or `physique`), `sens` (`import`, `export`), `debut_utc`, `fin_utc`
 * (end of the last hour), `duree_heures`, `energie_mwh` (signed, Σ MW × step over the
 * episode), `puissance_moyenne_mw` (signed, energy / duration), `puissance_max_mw` (the hourly
 * mean of largest magnitude, signed), `pic_utc` (its hour), `seuil_mw` (the threshold on
 * |balance|), and the rule: `centile`, `duree_min_heures`. Sorted by perimetre, frontiere and start. The frame needs
 * `perimetre`, `timestamp_utc`, `pas_minutes` and whichever balance columns it has; pass the
 * national view (`withNationalView`) to get episodes of the sum of regions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { exchangeEpisodes } from "./exchange_episodes.ts";
 * // 20 hours of half-hourly steps exporting 1,000 MW to Italy, 3,000 MW for 4 hours in a row.
 * const mw = Array.from({ length: 40 }, (_, i) => (i >= 20 && i < 28 ? -3000 : -1000));
 * const silver = pl.DataFrame({
 *   perimetre: Array(40).fill("France"),
 *   timestamp_utc: mw.map((_, i) => Date.UTC(2025, 0, 1) + i * 1_800_000),
 *   pas_minutes: Array(40).fill(30),
 *   ech_comm_italie: mw,
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const [episode] = exchangeEpisodes(silver, { percentile: 80 }).toRecords();
 * assert.equal(episode.frontiere, "Italie");
 * assert.equal(episode.sens, "export");
 * assert.equal(episode.duree_heures, 4);
 * assert.equal(episode.energie_mwh, -12_000);
 * ```
 */
export function exchangeEpisodes(
  silver: pl.DataFrame,
  options: EpisodeOptions = {},
): pl.DataFrame {
  const percentile = options.percentile ?? 95;
  const minHours = options.minHours ?? 3;
  if (!(percentile > 0 && percentile < 100)) {
    throw new GoldInputError(
      `exchangeEpisodes: percentile must be within (0, 100), got ${percentile}`,
    );
  }
  if (!Number.isInteger(minHours) || minHours < 1) {
    throw new GoldInputError(
      `exchangeEpisodes: minHours must be a positive integer, got ${minHours}`,
    );
  }
  checkSilver(silver, ["perimetre", "timestamp_utc", "pas_minutes"], "exchangeEpisodes");
  // [silver column, frontiere, mesure]
  const candidates: [string, string, string][] = [
    ...COMMERCIAL_EXCHANGES.map((c): [string, string, string] => [
      c,
      EXCHANGE_COUNTRIES[c],
      "commercial",
    ]),
    ["solde_echanges", EXCHANGE_TOTAL, "commercial"],
    ["ech_physiques", EXCHANGE_TOTAL, "physique"],
  ];
  const series = candidates.filter(([column]) => silver.columns.includes(column));
  const keys = keysOf(["perimetre", "frontiere"]);
  const steps = pl.concat([
    emptySteps(),
    ...series.map(([column, frontiere, mesure]) =>
      silver.select(
        pl.col("perimetre").cast(pl.Utf8),
        pl.lit(frontiere).alias("frontiere"),
        pl.lit(mesure).alias("mesure"),
        intDiv(epochMs(pl.col("timestamp_utc")), HOUR_MS).cast(pl.Int64).alias("heure"),
        pl.col(column).cast(pl.Float64).alias("mw"),
        pl.col("pas_minutes").cast(pl.Float64).alias("minutes"),
      ).filter(pl.col("mw").isNotNull())
    ),
  ]);
  // Total: the sum of the borders where a perimeter publishes them, else its physical balance.
  const commercialTotal = pl.col("frontiere").eq(pl.lit(EXCHANGE_TOTAL))
    .and(pl.col("mesure").eq(pl.lit("commercial")));
  const chosen = steps.filter(
    pl.col("mesure").eq(pl.lit("commercial")).or(commercialTotal.any().over("perimetre").not()),
  );
  const energy = pl.col("mw").mul(pl.col("minutes")).div(60);
  const hours = chosen.groupBy(["perimetre", "frontiere", "mesure", "heure"]).agg(
    energy.sum().alias("mwh"),
    pl.col("minutes").sum().alias("minutes"),
  ).withColumn(pl.col("mwh").mul(60).div(pl.col("minutes")).alias("mw"))
    .sort(["perimetre", "frontiere", "heure"]);
  const magnitude = pl.col("mw").abs();
  const sens = pl.when(pl.col("mw").gt(0)).then(pl.lit("import")).otherwise(pl.lit("export"));
  const massive = hours.withColumns(
    magnitude.quantile(percentile / 100, "linear").over(...keys).alias("seuil_mw"),
    sens.alias("sens"),
  ).filter(
    pl.col("seuil_mw").gt(0).and(magnitude.gtEq(pl.col("seuil_mw"))),
  );
  const previous = (column: string) => pl.col(column).shift(1).over(...keys);
  const runs = massive.withColumn(
    previous("heure").isNull()
      .or(pl.col("heure").minus(previous("heure")).neq(1))
      .or(pl.col("sens").neq(previous("sens")))
      .cast(pl.Int64).cumSum().alias("_episode"),
  );
  const hourUtc = (hour: pl.Expr) =>
    hour.mul(pl.lit(HOUR_MS).cast(pl.Int64)).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC");
  return runs.groupBy(["perimetre", "frontiere", "mesure", "_episode"]).agg(
    pl.col("sens").first(),
    pl.col("heure").min().alias("_debut"),
    pl.col("heure").max().add(1).alias("_fin"),
    pl.len().alias("_heures"),
    pl.col("mwh").sum().alias("energie_mwh"),
    pl.col("mw").sortBy(magnitude, true).first().alias("puissance_max_mw"),
    pl.col("heure").sortBy(magnitude, true).first().alias("_pic"),
    pl.col("seuil_mw").first(),
  ).filter(pl.col("_heures").gtEq(minHours)).sort(["perimetre", "frontiere", "_debut"]).select(
    "perimetre",
    "frontiere",
    "mesure",
    "sens",
    hourUtc(pl.col("_debut")).alias("debut_utc"),
    hourUtc(pl.col("_fin")).alias("fin_utc"),
    pl.col("_heures").cast(pl.Float64).alias("duree_heures"),
    "energie_mwh",
    pl.col("energie_mwh").div(pl.col("_heures")).alias("puissance_moyenne_mw"),
    "puissance_max_mw",
    hourUtc(pl.col("_pic")).alias("pic_utc"),
    "seuil_mw",
    pl.lit(percentile).cast(pl.Float64).alias("centile"),
    pl.lit(minHours).cast(pl.Int32).alias("duree_min_heures"),
  );
}

/** The long frame of hourly steps with its types, so that no series still gives a schema. */
function emptySteps(): pl.DataFrame {
  return pl.DataFrame({}).select(
    pl.lit(null).cast(pl.Utf8).alias("perimetre"),
    pl.lit(null).cast(pl.Utf8).alias("frontiere"),
    pl.lit(null).cast(pl.Utf8).alias("mesure"),
    pl.lit(null).cast(pl.Int64).alias("heure"),
    pl.lit(null).cast(pl.Float64).alias("mw"),
    pl.lit(null).cast(pl.Float64).alias("minutes"),
  ).head(0);
}
