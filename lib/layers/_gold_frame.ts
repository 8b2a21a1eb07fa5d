/**
 * Private helpers of gold.ts: input checks, energy and aggregation expressions, local calendar
 * (day lengths across DST) and completeness columns. Time keys are in `time_keys.ts`.
 *
 * @module
 */

import pl from "nodejs-polars";
import { intDiv, MINUTE_MS, PARIS } from "./time_keys.ts";

/**
 * Bad input given to a gold function: a missing column, an impossible step, a duplicated
 * instant. The message names the silver row (0-based) and, when the frame carries lineage,
 * the source file and line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GoldInputError } from "./_gold_frame.ts";
 * const err = new GoldInputError("mixEnergetiqueQuotidien: missing column(s) gaz");
 * assert.equal(err.name, "GoldInputError");
 * ```
 */
export class GoldInputError extends Error {
  override name = "GoldInputError";
}

/**
 * RTE's direct emission factors (t CO2 per MWh produced) of the emitting sources; the other
 * sources count as zero. Imports are not counted, as in RTE's `Taux de Co2`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMISSION_FACTORS } from "./_gold_frame.ts";
 * assert.equal(EMISSION_FACTORS.charbon, 0.986);
 * ```
 */
export const EMISSION_FACTORS: Readonly<Record<string, number>> = {
  charbon: 0.986,
  fioul: 0.777,
  gaz: 0.429,
  bioenergies: 0.494,
};

/**
 * Border columns of silver and the `pays` label gold gives them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXCHANGE_COUNTRIES } from "./_gold_frame.ts";
 * assert.equal(EXCHANGE_COUNTRIES.ech_comm_allemagne_belgique, "DE-BE");
 * ```
 */
export const EXCHANGE_COUNTRIES: Readonly<Record<string, string>> = {
  ech_comm_angleterre: "UK",
  ech_comm_espagne: "Espagne",
  ech_comm_italie: "Italie",
  ech_comm_suisse: "Suisse",
  ech_comm_allemagne_belgique: "DE-BE",
};

/**
 * `pays` of the daily row that totals the borders and carries the physical balance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXCHANGE_TOTAL } from "./_gold_frame.ts";
 * assert.equal(EXCHANGE_TOTAL, "Total");
 * ```
 */
export const EXCHANGE_TOTAL = "Total";

/** Window keys in the variadic form `Expr.over` expects. */
export function keysOf(keys: readonly string[]): [string, ...string[]] {
  return [keys[0], ...keys.slice(1)];
}

/** Where a silver row comes from, for error messages. */
function describeRow(frame: pl.DataFrame, row: number): string {
  const record = frame.slice(row, 1).toRecords()[0] as Record<string, unknown>;
  const when = record.timestamp_utc instanceof Date ? record.timestamp_utc.toISOString() : "?";
  const lineage = frame.columns.includes("source_file") && record.source_file != null
    ? ` (${record.source_file}, line ${record.source_line})`
    : "";
  return `row ${row}${lineage}, perimetre "${record.perimetre}", ${when}`;
}

/**
 * Checks a silver-like frame before a gold function reads it: the columns it needs, steps of 15
 * or 30 minutes only, and one row per (jeu_donnees, perimetre, timestamp_utc). Throws
 * {@linkcode GoldInputError} naming the caller and the first faulty row.
 */
export function checkSilver(frame: pl.DataFrame, columns: readonly string[], caller: string) {
  const needed = ["perimetre", "timestamp_utc", "pas_minutes", ...columns];
  const missing = [...new Set(needed)].filter((c) => !frame.columns.includes(c));
  if (missing.length > 0) {
    throw new GoldInputError(`${caller}: the silver frame lacks column(s) ${missing.join(", ")}`);
  }
  const indexed = frame.select("perimetre", "timestamp_utc", "pas_minutes").withRowIndex("_row");
  const badStep = indexed.filter(
    pl.col("pas_minutes").isNull().or(pl.col("pas_minutes").isIn([15, 30]).not()),
  );
  if (badStep.height > 0) {
    const row = Number(badStep.getColumn("_row").toArray()[0]);
    throw new GoldInputError(
      `${caller}: pas_minutes must be 15 or 30, got ${
        badStep.getColumn("pas_minutes").toArray()[0]
      } at ${describeRow(frame, row)}`,
    );
  }
  const keys = frame.columns.includes("jeu_donnees")
    ? ["jeu_donnees", "perimetre", "timestamp_utc"]
    : ["perimetre", "timestamp_utc"];
  const dup = frame.select(...keys).withRowIndex("_row")
    .filter(pl.col("_row").count().over(...keysOf(keys)).gt(1));
  if (dup.height > 0) {
    const rows = dup.getColumn("_row").toArray().slice(0, 2).map(Number);
    throw new GoldInputError(
      `${caller}: the instant is duplicated at ${describeRow(frame, rows[0])} and ${
        describeRow(frame, rows[1])
      }`,
    );
  }
}

/** `frame`, or a `pl.lit(null)` Float64 for a column it does not have. */
export function colOrNull(frame: pl.DataFrame, column: string): pl.Expr {
  return frame.columns.includes(column) ? pl.col(column) : pl.lit(null).cast(pl.Float64);
}

/** Energy (MWh) of a power column over the row's real step. */
export function energy(column: string | pl.Expr): pl.Expr {
  const power = typeof column === "string" ? pl.col(column) : column;
  return power.mul(pl.col("pas_minutes")).div(60);
}

/** The value where `keep` holds, null elsewhere: restricts an aggregate to chosen rows. */
export function where(keep: pl.Expr, value: pl.Expr): pl.Expr {
  return pl.when(keep).then(value).otherwise(pl.lit(null));
}

/** Sum that stays null when every term is null (polars would give 0 and hide the gap). */
export function sumOrNull(value: pl.Expr): pl.Expr {
  return pl.when(value.count().gt(0)).then(value.sum()).otherwise(pl.lit(null));
}

/**
 * factor × numerator / denominator, null when the denominator is not positive. In floating point
 * whatever the columns' types: polars divides two integer columns by floor division (7 / 2 = 3).
 */
export function ratio(numerator: pl.Expr, denominator: pl.Expr, factor: number): pl.Expr {
  return pl.when(denominator.gt(0))
    .then(numerator.cast(pl.Float64).mul(factor).div(denominator.cast(pl.Float64)))
    .otherwise(pl.lit(null));
}

/** 100 × part / total, null when the total is not positive. */
export function percent(part: pl.Expr, total: pl.Expr): pl.Expr {
  return ratio(part, total, 100);
}

/** Local clock hour 0-23 from silver's `heure_locale` ("HH:MM"). */
export function localHour(): pl.Expr {
  return pl.col("heure_locale").str.slice(0, 2).cast(pl.Int32);
}

/** Whether any of `columns` was interpolated on the row, or the row itself rebuilt. */
export function interpolated(frame: pl.DataFrame, columns: readonly string[]): pl.Expr {
  let flag: pl.Expr = frame.columns.includes("ligne_reconstituee")
    ? pl.col("ligne_reconstituee").fillNull(false)
    : pl.lit(false);
  if (frame.columns.includes("colonnes_interpolees")) {
    const pattern = `(^|,)(${columns.join("|")})(,|$)`;
    flag = flag.or(pl.col("colonnes_interpolees").str.contains(pattern).fillNull(false));
  }
  return flag;
}

/** UTC epoch (ms) of local midnight starting a Date expression's day in Europe/Paris. */
function localMidnightMs(date: pl.Expr): pl.Expr {
  // Midnight always exists in Paris (the switches happen at 02:00/03:00), so no ambiguity.
  return date.cast(pl.Datetime("ms")).dt.replaceTimeZone(PARIS).cast(pl.Int64);
}

/**
 * The Date `days` days after a Date expression.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { addDays } from "./_gold_frame.ts";
 * const df = pl.DataFrame({ d: ["2024-02-28"] }).select(
 *   addDays(pl.col("d").str.strptime(pl.Date, "%Y-%m-%d"), 2).dt.strftime("%Y-%m-%d").alias("d"),
 * );
 * assert.equal(df.getColumn("d").toArray()[0], "2024-03-01");
 * ```
 */
export function addDays(date: pl.Expr, days: number): pl.Expr {
  return date.cast(pl.Int32).plus(days).cast(pl.Date);
}

/**
 * Length in minutes of the local (Europe/Paris) period [start, end) between two Date
 * expressions: 1,440 per ordinary day, 1,380 on the spring-forward day, 1,500 on the fall-back
 * day; a month or week holding a switch is 60 minutes shorter or longer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { localMinutes } from "./_gold_frame.ts";
 * const df = pl.DataFrame({ a: ["2025-03-01"], b: ["2025-04-01"] }).select(
 *   localMinutes(
 *     pl.col("a").str.strptime(pl.Date, "%Y-%m-%d"),
 *     pl.col("b").str.strptime(pl.Date, "%Y-%m-%d"),
 *   ).alias("minutes"),
 * );
 * assert.equal(df.getColumn("minutes").toArray()[0], 31 * 1440 - 60);
 * ```
 */
export function localMinutes(start: pl.Expr, endExclusive: pl.Expr): pl.Expr {
  return intDiv(localMidnightMs(endExclusive).minus(localMidnightMs(start)), MINUTE_MS)
    .cast(pl.Int32);
}

/**
 * Aggregates counting the steps behind a period's figures: `nb_pas` (rows where `present`),
 * `nb_pas_interpoles` (of which interpolated by silver), and two helpers `_minutes` (minutes
 * those rows cover) and `_pas` (the period's shortest step), consumed by
 * {@linkcode completenessColumns}.
 */
export function completenessAggs(present: pl.Expr, interp: pl.Expr): pl.Expr[] {
  return [
    present.cast(pl.Int32).sum().alias("nb_pas"),
    present.and(interp).cast(pl.Int32).sum().alias("nb_pas_interpoles"),
    where(present, pl.col("pas_minutes")).sum().cast(pl.Int32).alias("_minutes"),
    pl.col("pas_minutes").min().alias("_pas"),
  ];
}

/**
 * `nb_pas_attendus` (period length / step) and the completeness flag `flag` (true when the
 * present steps cover the whole local period, DST days included), from the helpers of
 * {@linkcode completenessAggs} and the period length `minutesColumn`; drops the helpers.
 */
export function completenessColumns(
  frame: pl.DataFrame,
  minutesColumn: string,
  flag: string,
): pl.DataFrame {
  return frame.withColumns(
    pl.col(minutesColumn).div(pl.col("_pas")).floor().cast(pl.Int32).alias("nb_pas_attendus"),
    pl.col("_minutes").eq(pl.col(minutesColumn)).alias(flag),
  ).drop("_minutes", "_pas");
}
