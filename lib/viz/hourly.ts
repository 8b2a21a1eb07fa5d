/**
 * Silver-like frames -> {@linkcode HourlyData}: the hourly means every figure and the dashboard
 * draw from.
 *
 * Why hourly: a 15-minute series over seven months is 20,000 points per column, more than a
 * chart can show and too heavy for an offline page; an hour keeps the daily cycle that the
 * profiles, the heatmap and the solar chart need. Means are weighted by each row's real step
 * (`pas_minutes`: 15 for real-time rows, 30 for consolidated ones), so that an hour mixing both
 * is not skewed, and each bucket records the hours of data it holds (`duration`): energy is then
 * mean x duree, exact to the MWh whatever the step, and a hole stays a hole. Exchange columns
 * are split into their import (> 0) and export (< 0) parts before averaging: an hour that
 * turns from import to export keeps both flows. Local dates and hours are Europe/Paris wall
 * clock, computed from the UTC bucket start, so DST days have 23 and 25 rows.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { HourlyData } from "./_core_data.ts";
import { VizInputError } from "./errors.ts";
import { COUNTRIES, SOURCES } from "./palette.ts";
import { chooseSeries, type SeriesChoice, timeColumn, utcInstant } from "./_frame.ts";
import { asSilverLike } from "./_gold_input.ts";

/**
 * Value columns (MW, gCO2/kWh) carried as hourly means when the frame has them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HOURLY_COLUMNS } from "./hourly.ts";
 * assert.ok(HOURLY_COLUMNS.includes("eolien_offshore"));
 * ```
 */
export const HOURLY_COLUMNS: readonly string[] = [
  "consommation",
  "prevision_j1",
  "prevision_j",
  ...SOURCES.map((s) => s.key),
  "eolien_terrestre",
  "eolien_offshore",
  "pompage",
  "stockage_batterie",
  "destockage_batterie",
  "taux_co2",
  "taux_co2_recalcule",
];

/**
 * Exchange columns (> 0 import), carried as `<name>_imp` (>= 0) and `<name>_exp` (<= 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SPLIT_COLUMNS } from "./hourly.ts";
 * assert.equal(SPLIT_COLUMNS[0], "ech_physiques");
 * assert.equal(SPLIT_COLUMNS.length, 6);
 * ```
 */
export const SPLIT_COLUMNS: readonly string[] = ["ech_physiques", ...COUNTRIES.map((c) => c.key)];

/** Bucket lengths allowed: divisors of 24, so that buckets tile the local day. */
const STEPS = [1, 2, 3, 4, 6, 8, 12, 24];
const PARIS = "Europe/Paris";
const HOUR_MS = 3_600_000;

/** Options of {@linkcode toHourly}. */
export interface HourlyOptions extends SeriesChoice {
  /**
   * Bucket length in hours (a divisor of 24), or `"auto"`: the smallest that keeps at most
   * `maxValues` values (rows x columns with data). Default 1.
   */
  readonly stepHours?: number | "auto";
  /**
   * Value budget of `"auto"` (default 400,000: hourly up to 18 months of the 30 columns of a
   * national file, or 45 years of consumption alone).
   */
  readonly maxValues?: number;
  /** Only these value columns (default: every known column the frame has). */
  readonly columns?: readonly string[];
  /** Table name used in error messages (default `silver`). */
  readonly table?: string;
}

/**
 * Hourly (or k-hourly) means of one perimeter of a silver-like frame: a time column
 * (`timestamp_utc`, or `timestamp`; naive values are UTC), optional `pas_minutes` (else the
 * median spacing of the instants, at most 60), optional `perimetre` / `jeu_donnees`, and any of
 * {@linkcode HOURLY_COLUMNS} and {@linkcode SPLIT_COLUMNS}. Gold's hourly tables
 * (`production_par_source_horaire`, `empreinte_carbone`, `consommation_previsions`) are read
 * too: keyed by local `date` and `heure`, long by `source_energie`, with gold's column names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toHourly } from "./hourly.ts";
 * const silver = pl.DataFrame({
 *   timestamp_utc: [0, 15, 30, 45].map((m) => new Date(Date.UTC(2025, 0, 1, 0, m))),
 *   pas_minutes: [15, 15, 15, 15],
 *   consommation: [100, 200, 300, null],
 *   ech_comm_suisse: [-50, 50, 50, 50],
 * });
 * const h = toHourly(silver);
 * assert.equal(h.days[0], "2025-01-01");
 * assert.equal(h.hour[0], 1); // 00:00 UTC = 01:00 CET
 * assert.equal(h.series.consommation[0], 200);
 * assert.equal(h.duration[0], 1);
 * assert.equal(h.series.ech_comm_suisse_imp[0], 37.5);
 * assert.equal(h.series.ech_comm_suisse_exp[0], -12.5);
 * ```
 */
export function toHourly(frame: pl.DataFrame, options: HourlyOptions = {}): HourlyData {
  const table = options.table ?? "silver";
  const { frame: chosen, perimeter } = chooseSeries(asSilverLike(frame, table), table, options);
  const time = timeColumn(chosen, table);
  const wanted = options.columns;
  const keep = (c: string) => chosen.columns.includes(c) && (!wanted || wanted.includes(c));
  const plain = HOURLY_COLUMNS.filter(keep);
  const split = SPLIT_COLUMNS.filter(keep);
  for (const c of [...plain, ...split]) {
    if (!chosen.getColumn(c).isNumeric()) {
      throw new VizInputError(
        `${table}: column ${c} must be numeric, not ${chosen.getColumn(c).dtype.variant}`,
      );
    }
  }
  const step = chosen.columns.includes("pas_minutes")
    ? pl.col("pas_minutes").cast(pl.Float64)
    : pl.lit(medianStepMinutes(chosen, time));
  const values = [
    ...plain,
    ...split.flatMap((c) => [`${c}_imp`, `${c}_exp`]),
  ];
  const rows = chosen.select(
    utcInstant(chosen, time).alias("_ts"),
    step.alias("_pas"),
    ...plain.map((c) => pl.col(c).cast(pl.Float64)),
    ...split.flatMap((c) => [
      pl.col(c).cast(pl.Float64).clip(0, Number.MAX_VALUE).alias(`${c}_imp`),
      pl.col(c).cast(pl.Float64).clip(-Number.MAX_VALUE, 0).alias(`${c}_exp`),
    ]),
  );
  const hourly = weightedMeans(
    rows.withColumns(pl.col("_ts").dt.truncate("1h").alias("_bucket")),
    ["_bucket"],
    values,
    "_pas",
    60,
  ).sort("_bucket").withColumns(
    pl.col("_bucket").dt.convertTimeZone(PARIS).dt.strftime("%Y-%m-%d").alias("_jour"),
    pl.col("_bucket").dt.convertTimeZone(PARIS).dt.hour().cast(pl.Int32).alias("_heure"),
    pl.col("_bucket").cast(pl.Int64).alias("_ms"),
  );
  const overfull = hourly.filter(pl.col("_duree").gt(1 + 1e-9));
  if (overfull.height > 0) {
    const at = new Date(Number(overfull.getColumn("_ms").toArray()[0])).toISOString();
    throw new VizInputError(
      `${table}: more than one hour of data in the hour starting ${at} (${
        overfull.getColumn("_duree").toArray()[0]
      } h): duplicated instants, perimeters or datasets mixed?`,
    );
  }
  // Columns entirely empty (offshore wind before 2023, regional fuels...) are left out.
  const filled = values.filter((c) =>
    hourly.height === 0 || hourly.getColumn(c).nullCount() < hourly.height
  );
  const k = bucketHours(options, hourly.height * Math.max(1, filled.length));
  const buckets = k === 1 ? hourly : weightedMeans(
    hourly.withColumns(
      pl.col("_heure").sub(pl.col("_heure").modulo(k)).cast(pl.Int32).alias("_bloc"),
    ),
    ["_jour", "_bloc"],
    filled,
    "_duree",
    1,
    pl.col("_ms").min().alias("_ms"),
  ).rename({ _bloc: "_heure" }).sort("_ms");
  return toColumns(buckets, perimeter, k, filled);
}

/**
 * Per group: each value column's mean weighted by `weight` over its non-null rows, and the
 * group's duration `_duree` = sum(weight) / `perHour`.
 */
function weightedMeans(
  df: pl.DataFrame,
  by: string[],
  values: readonly string[],
  weight: string,
  perHour: number,
  ...extra: pl.Expr[]
): pl.DataFrame {
  const w = pl.col(weight);
  return df.groupBy(by).agg(
    ...values.map((c) =>
      pl.col(c).mul(w).sum()
        .div(pl.when(pl.col(c).isNotNull()).then(w).otherwise(pl.lit(0)).sum())
        .fillNan(null)
        .alias(c)
    ),
    w.sum().div(perHour).alias("_duree"),
    ...extra,
  );
}

/**
 * The step of a table without pas_minutes: the median spacing (minutes) of its distinct
 * instants, at most 60 (sparser rows each stand for their own hour).
 */
function medianStepMinutes(frame: pl.DataFrame, time: string): number {
  const diffs = frame.select(utcInstant(frame, time).cast(pl.Int64).alias("t")).unique().sort("t")
    .select(pl.col("t").diff(1, "ignore").alias("d")).dropNulls().getColumn("d");
  return diffs.length === 0 ? 60 : Math.min(60, Number(diffs.median()) / 60_000);
}

function bucketHours(options: HourlyOptions, hourlyValues: number): number {
  const asked = options.stepHours ?? 1;
  if (asked === "auto") {
    const budget = options.maxValues ?? 400_000;
    return STEPS.find((k) => hourlyValues / k <= budget) ?? 24;
  }
  if (!STEPS.includes(asked)) {
    throw new VizInputError(`stepHours must divide 24 (${STEPS.join(", ")}), not ${asked}`);
  }
  return asked;
}

function toColumns(
  df: pl.DataFrame,
  perimeter: string,
  stepHours: number,
  values: readonly string[],
): HourlyData {
  const ms = df.getColumn("_ms").toArray().map(Number);
  const dates = df.getColumn("_jour").toArray() as string[];
  const days = Array.from(new Set(dates));
  const index = new Map(days.map((d, i) => [d, i]));
  const t0 = ms.length > 0 ? ms[0] : 0;
  const series: Record<string, (number | null)[]> = {};
  for (const c of values) series[c] = df.getColumn(c).toArray() as (number | null)[];
  return {
    perimeter,
    stepHours,
    t0,
    days,
    t: ms.map((m) => Math.round((m - t0) / HOUR_MS)),
    day: dates.map((d) => index.get(d) as number),
    hour: (df.getColumn("_heure").toArray() as number[]).map(Number),
    duration: df.getColumn("_duree").toArray() as number[],
    series,
  };
}
