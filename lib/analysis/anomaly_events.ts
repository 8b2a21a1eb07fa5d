/**
 * Anomalies grouped into events: one holiday gives dozens of anomalous quarter-hours, which a
 * reader wants to see as one row ("1 May, consumption 250 GWh below normal").
 *
 * **Rule.** Within one series (perimeter, data set, watched column) the anomalous steps of
 * {@linkcode detectAnomalies} are taken in time order; a step starts a new event when its
 * deviation is on the other side of the expected value (a trough does not merge with a peak)
 * or when more than `maxGapMinutes` (default 180) separate it from the end of the previous
 * anomalous step. So a holiday whose afternoon dips below the threshold for an hour stays one
 * event, while the peaks of a heat wave, separated by quieter nights, are one event per day.
 *
 * **Energy deviation.** `ecart_energie_mwh` sums `ecart` × step over *every* step of the
 * event's span, flagged or not (between two flagged steps the consumption of a holiday is still
 * below normal, only less markedly): Σ (value − expected) MW × `pas_minutes` / 60.
 *
 * **Likely cause.** The French public holidays and bridge days of the calendar the forecasting
 * models use (`lib/forecasting/calendar.ts`) among the local days the event touches; other causes
 * (weather, strikes, outages) are not in the data, so the column is null for them.
 *
 * @module
 */

import pl from "nodejs-polars";
import { DAY_MS, epochMs } from "../layers/time_keys.ts";
import { isBridgeDay, isHoliday, localDayNumber } from "../forecasting/mod.ts";
import { AnalysisInputError, over, requireColumns, seriesKeys } from "./_input.ts";
import {
  anomalyFlags,
  type AnomalyOptions,
  anomalyScores,
  DEFAULT_ANOMALY_SERIES,
} from "./anomalies.ts";

/** Options of {@linkcode anomalyEvents}. */
export interface AnomalyEventOptions extends AnomalyOptions {
  /**
   * Longest time (minutes) between the end of an anomalous step and the next one of the same
   * event; default 180.
   */
  readonly maxGapMinutes?: number;
}

const DAY_NAME = new Intl.DateTimeFormat("fr-FR", {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** "jeudi 1er mai 2025" for a local day number (French writes the first of a month "1er"). */
function frenchDay(day: number): string {
  return DAY_NAME.format(day * DAY_MS).replace(/^(\S+) 1 /, "$1 1er ");
}

/**
 * The public holidays and bridge days among the local days of [`startMs`, `endMs`), in French
 * ("jour férié (jeudi 1er mai 2025), pont (vendredi 2 mai 2025)"), or null when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { calendarCause } from "./anomaly_events.ts";
 * // 1 May 2025 06:00 → 2 May 2025 12:00, Paris time.
 * assert.equal(
 *   calendarCause(Date.UTC(2025, 4, 1, 4), Date.UTC(2025, 4, 2, 10)),
 *   "jour férié (jeudi 1er mai 2025), pont (vendredi 2 mai 2025)",
 * );
 * assert.equal(calendarCause(Date.UTC(2025, 5, 30, 8), Date.UTC(2025, 5, 30, 20)), null);
 * ```
 */
export function calendarCause(startMs: number, endMs: number): string | null {
  const causes: string[] = [];
  const last = localDayNumber(Math.max(startMs, endMs - 1));
  for (let day = localDayNumber(startMs); day <= last; day++) {
    if (isHoliday(day)) causes.push(`jour férié (${frenchDay(day)})`);
    else if (isBridgeDay(day)) causes.push(`pont (${frenchDay(day)})`);
  }
  return causes.length > 0 ? causes.join(", ") : null;
}

/**
 * The `evenements_anomalies` frame: the anomalies of {@linkcode detectAnomalies} grouped into
 * events (rule, energy and cause in the module doc).
 *
 * Columns: series keys (`jeu_donnees` when present, `perimetre`), `serie`, `sens` (`hausse`,
 * `baisse`), `libelle` (the series' label of that side, e.g. "creux de consommation
 * inhabituel"), `debut_utc` (start of the first anomalous step), `fin_utc` (end of the last
 * one), `duree_heures`, `nb_pas_anormaux`, `pic_utc` (the step of largest |score|),
 * `pic_valeur_mw`, `pic_attendu_mw`, `pic_ecart_mw`, `pic_score`, `ecart_energie_mwh` (signed)
 * and `cause_probable` (null when no holiday or bridge day is touched). Sorted by series keys,
 * `serie` and start. The silver frame needs `pas_minutes` besides what the anomalies read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { DEFAULT_ANOMALY_SERIES } from "./anomalies.ts";
 * import { anomalyEvents } from "./anomaly_events.ts";
 * // Hourly steps at 12:00 and 13:00 UTC, one day a week for 7 weeks; week 4 jumps twice.
 * const week = 7 * 86_400_000;
 * const t = Array.from({ length: 14 }, (_, i) =>
 *   Date.UTC(2025, 0, 6, 12 + (i % 2)) + Math.floor(i / 2) * week);
 * const silver = pl.DataFrame({
 *   perimetre: Array(14).fill("France"),
 *   timestamp_utc: t,
 *   date_locale: t.map((x) => x - (x % 86_400_000)),
 *   heure_locale: t.map((_, i) => (i % 2 ? "14:00" : "13:00")),
 *   pas_minutes: Array(14).fill(60),
 *   consommation: [60_000, 60_100, 59_900, 90_000, 60_050, 59_950, 60_000]
 *     .flatMap((v) => [v, v + 1000]),
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").cast(pl.Datetime("ms")).cast(pl.Date),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * const [event] = anomalyEvents(silver, { series: [DEFAULT_ANOMALY_SERIES[0]] }).toRecords();
 * assert.equal(event.nb_pas_anormaux, 2); // two steps, one event
 * assert.equal(event.duree_heures, 2);
 * assert.equal(event.ecart_energie_mwh, 60_000); // 30,000 MW above normal for 2 h
 * assert.equal(event.sens, "hausse");
 * ```
 */
export function anomalyEvents(
  silver: pl.DataFrame,
  options: AnomalyEventOptions = {},
): pl.DataFrame {
  const series = options.series ?? DEFAULT_ANOMALY_SERIES;
  const gapMinutes = options.maxGapMinutes ?? 180;
  if (!(gapMinutes >= 0)) {
    throw new AnalysisInputError(
      `anomalyEvents: maxGapMinutes must be zero or more, got ${gapMinutes}`,
    );
  }
  requireColumns(silver, ["pas_minutes"], "anomalyEvents");
  const keys = seriesKeys(silver);
  const scores = options.scores ?? anomalyScores(silver, { ...options, series });
  const { flagged, label } = anomalyFlags(series, options.threshold ?? 5);
  const group = over([...keys, "serie"]);
  const start = epochMs(pl.col("timestamp_utc"));
  const end = start.add(pl.col("pas_minutes").cast(pl.Int64).mul(60_000));
  const stepKeys: string[] = [...keys, "timestamp_utc"];
  const eventKeys: string[] = [...keys, "serie", "timestamp_utc"];
  const steps = scores.join(silver.select(...stepKeys, "pas_minutes"), {
    on: stepKeys,
    how: "left",
  }).sort([...keys, "serie", "timestamp_utc"]).withColumns(
    flagged.alias("_anormal"),
    label.alias("libelle"),
    pl.when(pl.col("ecart").gt(0)).then(pl.lit("hausse")).otherwise(pl.lit("baisse"))
      .alias("sens"),
    start.alias("_debut"),
    end.alias("_fin"),
  );
  const previousEnd = pl.col("_fin").shift(1).over(...group);
  const starts = steps.filter(pl.col("_anormal")).withColumn(
    previousEnd.isNull()
      .or(pl.col("sens").neq(pl.col("sens").shift(1).over(...group)))
      .or(pl.col("_debut").minus(previousEnd).gt(gapMinutes * 60_000))
      .cast(pl.Int64).cumSum().alias("_evenement"),
  ).select(...eventKeys, "_evenement");
  // A step belongs to an event when the anomalous steps before and after it (itself included)
  // carry the same event number: the span between its first and last anomalous step.
  const members = steps.join(starts, { on: eventKeys, how: "left" })
    .withColumns(
      pl.col("_evenement").forwardFill().over(...group).alias("_avant"),
      pl.col("_evenement").backwardFill().over(...group).alias("_apres"),
    ).filter(pl.col("_avant").eq(pl.col("_apres")));
  const atPeak = (column: string) =>
    pl.col(column).filter(pl.col("_anormal")).sortBy(
      pl.col("score").filter(pl.col("_anormal")).abs(),
      true,
    ).first();
  const events = members.groupBy([...keys, "serie", "_avant"]).agg(
    pl.col("sens").filter(pl.col("_anormal")).first(),
    pl.col("libelle").filter(pl.col("_anormal")).first(),
    pl.col("_debut").min(),
    pl.col("_fin").max(),
    pl.col("_anormal").sum().cast(pl.Int32).alias("nb_pas_anormaux"),
    atPeak("_debut").alias("_pic"),
    atPeak("valeur").alias("pic_valeur_mw"),
    atPeak("attendu").alias("pic_attendu_mw"),
    atPeak("ecart").alias("pic_ecart_mw"),
    atPeak("score").alias("pic_score"),
    pl.col("ecart").mul(pl.col("pas_minutes")).div(60).sum().alias("ecart_energie_mwh"),
  ).sort([...keys, "serie", "_debut"]);
  const bounds = events.select("_debut", "_fin").toRecords() as { _debut: number; _fin: number }[];
  const utc = (ms: string) => pl.col(ms).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC");
  return events.withColumns(
    // Exact quarter-hours: polars' division would give 0.24999999999999997 h.
    pl.Series(
      "duree_heures",
      bounds.map((b) => (Number(b._fin) - Number(b._debut)) / 3_600_000),
      pl.Float64,
    ),
    pl.Series(
      "cause_probable",
      bounds.map((b) => calendarCause(Number(b._debut), Number(b._fin))),
      pl.Utf8,
    ),
  ).select(
    ...keys,
    "serie",
    "sens",
    "libelle",
    utc("_debut").alias("debut_utc"),
    utc("_fin").alias("fin_utc"),
    "duree_heures",
    "nb_pas_anormaux",
    utc("_pic").alias("pic_utc"),
    "pic_valeur_mw",
    "pic_attendu_mw",
    "pic_ecart_mw",
    "pic_score",
    "ecart_energie_mwh",
    "cause_probable",
  );
}
