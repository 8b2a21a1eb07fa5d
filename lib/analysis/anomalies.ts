/**
 * Anomaly detection on silver power series: unusual consumption peaks and troughs, production
 * drops, by a robust seasonal method.
 *
 * **Method** (a Hampel filter on weekly slots):
 * 1. *Expected value*: the median of the same local weekly slot (weekday + local clock time) over
 *    the `2 × weeks + 1` nearest weeks, the step itself included (a median of 7 ignores up to 3
 *    outliers). Consumption and production follow the week's rhythm (weekdays, weekends,
 *    office hours), so a slot compared with itself in the neighbouring weeks removes the daily
 *    and weekly cycles without any model, and the slow seasonal drift stays small over ±3
 *    weeks. Slots with fewer than `weeks + 1` values (series edges) get no expected value.
 * 2. *Residual*: `ecart = valeur - attendu` (MW).
 * 3. *Robust scale*: `1.4826 × MAD` of the residuals of the series in the same local month (MAD
 *    = median absolute deviation from their median; 1.4826 makes it a standard deviation for
 *    Gaussian noise). Per month, because winter residuals are larger than summer ones.
 * 4. *Score*: `ecart / scale`; a step is an anomaly when `|score| > threshold` (default 5) in
 *    the series' direction. A null or zero scale (e.g. a constant series) flags nothing.
 *
 * Public holidays (1 May, Ascension, Christmas) come out as consumption troughs: they are
 * unusual for their weekday, which is the point; the `raison` says by how much.
 *
 * @module
 */

import pl from "nodejs-polars";
import { AnalysisInputError, over, requireColumns, seriesKeys } from "./_input.ts";

/** One series to watch. */
export interface AnomalySeries {
  /** Power column (MW) of the silver frame. */
  readonly column: string;
  /** Deviations that count: above (`hausse`), below (`baisse`) the expected value, or both. */
  readonly direction: "hausse" | "baisse" | "les_deux";
  /** Label of a deviation above, then below, the expected value (start of `raison`). */
  readonly labels: readonly [string, string];
}

/**
 * Series watched by default: consumption both ways, total and nuclear production drops.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_ANOMALY_SERIES } from "./anomalies.ts";
 * assert.equal(
 *   DEFAULT_ANOMALY_SERIES.map((s) => s.column).join(),
 *   "consommation,production_totale,nucleaire",
 * );
 * ```
 */
export const DEFAULT_ANOMALY_SERIES: readonly AnomalySeries[] = [
  {
    column: "consommation",
    direction: "les_deux",
    labels: ["pic de consommation inhabituel", "creux de consommation inhabituel"],
  },
  {
    column: "production_totale",
    direction: "baisse",
    labels: ["hausse de la production totale", "chute de la production totale"],
  },
  {
    column: "nucleaire",
    direction: "baisse",
    labels: ["hausse de la production nucléaire", "chute de la production nucléaire"],
  },
];

/** Options of {@linkcode detectAnomalies}. */
export interface AnomalyOptions {
  /** Series to watch; default {@linkcode DEFAULT_ANOMALY_SERIES}. */
  readonly series?: readonly AnomalySeries[];
  /** Score (in robust standard deviations) beyond which a step is flagged; default 5. */
  readonly threshold?: number;
  /** Neighbouring weeks on each side in the expected value; default 3. */
  readonly weeks?: number;
  /**
   * {@linkcode anomalyScores} of the same frame with the same series and weeks, when the caller
   * already has them (anomalies and their events from one computation); ignored by
   * `anomalyScores` itself.
   */
  readonly scores?: pl.DataFrame;
}

/** Consistency constant of the MAD for Gaussian noise. */
const MAD_TO_SIGMA = 1.4826;

/**
 * Every step of every series with its expected value, residual and score (see the module doc),
 * before thresholding: useful to plot a series against its expected band. Columns: series
 * keys, `timestamp_utc`, `serie`, `valeur`, `attendu`, `ecart`, `echelle` (1.4826 × MAD, MW),
 * `score`, sorted by series, `serie` and time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { anomalyScores } from "./anomalies.ts";
 * // One value per week at the same slot: the 4th week jumps.
 * const week = 7 * 86_400_000;
 * const silver = pl.DataFrame({
 *   perimetre: Array(7).fill("France"),
 *   timestamp_utc: Array.from({ length: 7 }, (_, i) => Date.UTC(2025, 0, 6, 11) + i * week),
 *   date_locale: Array.from({ length: 7 }, (_, i) => Date.UTC(2025, 0, 6) + i * week),
 *   heure_locale: Array(7).fill("12:00"),
 *   consommation: [60_000, 60_100, 59_900, 70_000, 60_050, 59_950, 60_000],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").cast(pl.Datetime("ms")).cast(pl.Date),
 * );
 * const scores = anomalyScores(silver, {
 *   series: [{ column: "consommation", direction: "hausse", labels: ["pic", "creux"] }],
 * });
 * assert.equal(scores.getColumn("attendu").toArray()[3], 60_000);
 * assert.equal(scores.getColumn("ecart").toArray()[3], 10_000);
 * ```
 */
export function anomalyScores(silver: pl.DataFrame, options: AnomalyOptions = {}): pl.DataFrame {
  const series = options.series ?? DEFAULT_ANOMALY_SERIES;
  const weeks = options.weeks ?? 3;
  if (!Number.isInteger(weeks) || weeks < 1) {
    throw new AnalysisInputError(`detectAnomalies: weeks must be a positive integer, got ${weeks}`);
  }
  requireColumns(
    silver,
    ["perimetre", "timestamp_utc", "date_locale", "heure_locale", ...series.map((s) => s.column)],
    "detectAnomalies",
  );
  const keys = seriesKeys(silver);
  const long = pl.concat(series.map((s) =>
    silver.select(
      ...keys,
      "timestamp_utc",
      pl.lit(s.column).alias("serie"),
      pl.col(s.column).cast(pl.Float64).alias("valeur"),
      pl.col("date_locale").dt.weekday().alias("_jour"),
      "heure_locale",
      pl.col("date_locale").dt.strftime("%Y-%m").alias("_mois"),
    ).filter(pl.col("valeur").isNotNull())
  )).sort([...keys, "serie", "timestamp_utc"]);
  const slot = over([...keys, "serie", "_jour", "heure_locale"]);
  const month = over([...keys, "serie", "_mois"]);
  const ecart = pl.col("ecart");
  return long.withColumn(
    pl.col("valeur").rollingMedian({
      windowSize: 2 * weeks + 1,
      center: true,
      minPeriods: weeks + 1,
    })
      .over(...slot).alias("attendu"),
  ).withColumn(pl.col("valeur").minus(pl.col("attendu")).alias("ecart"))
    .withColumn(
      ecart.minus(ecart.median().over(...month)).abs().median().over(...month)
        .mul(MAD_TO_SIGMA).alias("echelle"),
    ).select(
      ...keys,
      "timestamp_utc",
      "serie",
      "valeur",
      "attendu",
      "ecart",
      "echelle",
      pl.when(pl.col("echelle").gt(0)).then(ecart.div(pl.col("echelle")))
        .otherwise(pl.lit(null)).alias("score"),
    );
}

/**
 * Expressions over {@linkcode anomalyScores} rows: `flagged`, true when the score exceeds
 * `threshold` in the direction its series watches (false for a null score), and `label`, the
 * series' label of the deviation's side (`labels[0]` above the expected value, else
 * `labels[1]`). Shared by the anomalies and their grouping into events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { anomalyFlags, DEFAULT_ANOMALY_SERIES } from "./anomalies.ts";
 * const { flagged, label } = anomalyFlags(DEFAULT_ANOMALY_SERIES, 5);
 * const rows = pl.DataFrame({ serie: ["nucleaire", "nucleaire"], score: [6, -6] })
 *   .select(flagged.alias("f"), label.alias("l")).toRecords() as Record<string, unknown>[];
 * // Nuclear rises are not watched; drops are.
 * assert.deepEqual(rows.map((r) => r.f), [false, true]);
 * assert.equal(rows[1].l, "chute de la production nucléaire");
 * ```
 */
export function anomalyFlags(
  series: readonly AnomalySeries[],
  threshold: number,
): { flagged: pl.Expr; label: pl.Expr } {
  const score = pl.col("score");
  let flagged: pl.Expr = pl.lit(false);
  let label: pl.Expr = pl.lit(null).cast(pl.Utf8);
  for (const s of series) {
    const up = s.direction !== "baisse" ? score.gt(threshold) : pl.lit(false);
    const down = s.direction !== "hausse" ? score.lt(-threshold) : pl.lit(false);
    const mine = pl.col("serie").eq(pl.lit(s.column));
    flagged = pl.when(mine).then(up.or(down).fillNull(false)).otherwise(flagged);
    label = pl.when(mine).then(
      pl.when(score.gt(0)).then(pl.lit(s.labels[0])).otherwise(pl.lit(s.labels[1])),
    ).otherwise(label);
  }
  return { flagged, label };
}

/**
 * The `anomalies` frame: steps whose score exceeds the threshold in their series' direction
 * (method in the module doc).
 *
 * Columns: `timestamp` (UTC start of the step), `perimetre` (and `jeu_donnees` when present),
 * `serie` (the column), `valeur`, `attendu`, `ecart` (MW), `score` (robust standard deviations,
 * signed) and `raison`, e.g. "creux de consommation inhabituel : -9120 MW (-14.8 %) par rapport à
 * la médiane du même créneau sur ±3 semaines, score -7.4". Sorted by series and time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { DEFAULT_ANOMALY_SERIES, detectAnomalies } from "./anomalies.ts";
 * const week = 7 * 86_400_000;
 * const silver = pl.DataFrame({
 *   perimetre: Array(7).fill("France"),
 *   timestamp_utc: Array.from({ length: 7 }, (_, i) => Date.UTC(2025, 0, 6, 11) + i * week),
 *   date_locale: Array.from({ length: 7 }, (_, i) => Date.UTC(2025, 0, 6) + i * week),
 *   heure_locale: Array(7).fill("12:00"),
 *   consommation: [60_000, 60_100, 59_900, 70_000, 60_050, 59_950, 60_000],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").cast(pl.Datetime("ms")).cast(pl.Date),
 * );
 * const found = detectAnomalies(silver, { series: [DEFAULT_ANOMALY_SERIES[0]] });
 * assert.equal(found.height, 1);
 * assert.equal(found.getColumn("ecart").toArray()[0], 10_000);
 * assert.ok(String(found.getColumn("raison").toArray()[0]).startsWith("pic de consommation"));
 * ```
 */
export function detectAnomalies(silver: pl.DataFrame, options: AnomalyOptions = {}): pl.DataFrame {
  const series = options.series ?? DEFAULT_ANOMALY_SERIES;
  const threshold = options.threshold ?? 5;
  const weeks = options.weeks ?? 3;
  const scores = options.scores ?? anomalyScores(silver, { ...options, series, weeks });
  const keys = seriesKeys(silver);
  const score = pl.col("score");
  const { flagged, label } = anomalyFlags(series, threshold);
  const ecart = pl.col("ecart");
  const signed = (value: pl.Expr) =>
    pl.concatString([
      pl.when(value.gt(0)).then(pl.lit("+")).otherwise(pl.lit("")),
      value.cast(pl.Utf8),
    ], "");
  const raison = pl.concatString([
    label,
    pl.lit(" : "),
    signed(ecart.round(0).cast(pl.Int64)),
    pl.lit(" MW ("),
    signed(ecart.mul(100).div(pl.col("attendu")).round(1)),
    pl.lit(` %) par rapport à la médiane du même créneau sur ±${weeks} semaines, score `),
    score.round(1).cast(pl.Utf8),
  ], "");
  return scores.filter(score.isNotNull().and(flagged)).select(
    pl.col("timestamp_utc").alias("timestamp"),
    ...keys,
    "serie",
    "valeur",
    "attendu",
    "ecart",
    "score",
    raison.alias("raison"),
  ).sort([...keys, "serie", "timestamp"]);
}
