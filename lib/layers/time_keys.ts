/**
 * Time keys shared by every layer: step starts (half-hour slots), local (Europe/Paris) days and
 * ISO weeks, all computed exactly.
 *
 * **Why a module.** nodejs-polars 0.25.2 turns a JS number into a Float64 literal and divides
 * (or takes a modulo) by a float scalar through its reciprocal: `ms.div(1_800_000).floor()` gives
 * 964469.999… for 03:00 UTC, so half of the quarter-hours of 2025 landed in the previous
 * half-hour slot, and `ms.modulo(1_800_000)` of an instant on the slot returns 1,800,000 instead
 * of 0. With an Int64 divisor, polars divides and takes modulos in integers, flooring
 * (`-1 mod 1_800_000` = 1,799,999). The polars helpers here only ever use Int64 divisors; the JS
 * helpers work on safe integers with `%`, which is exact. Local dates come from polars' time-zone
 * conversion, never from an offset added by hand.
 *
 * @module
 */

import pl from "nodejs-polars";

/** One minute in milliseconds. */
export const MINUTE_MS = 60_000;
/** One half-hour (the slot of consolidated data) in milliseconds. */
export const HALF_HOUR_MS: number = 30 * MINUTE_MS;
/** One hour in milliseconds. */
export const HOUR_MS: number = 60 * MINUTE_MS;
/** One day of 24 hours in milliseconds (a local day may last 23 or 25 hours). */
export const DAY_MS: number = 24 * HOUR_MS;

/** The time zone of every local key (`date_locale`, `heure_locale`, local days and weeks). */
export const PARIS = "Europe/Paris";

function requireSafeIntegers(what: string, ...values: number[]): void {
  for (const v of values) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${what}: ${v} is not a safe integer`);
  }
}

/**
 * `a` modulo `b` for integers, with the sign of `b` (floored, like polars' Int64 modulo):
 * in [0, b) for b > 0, also for negative `a`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { floorMod } from "./time_keys.ts";
 * assert.equal(floorMod(7, 3), 1);
 * assert.equal(floorMod(-1, 1_800_000), 1_799_999);
 * ```
 */
export function floorMod(a: number, b: number): number {
  requireSafeIntegers("floorMod", a, b);
  if (b === 0) throw new RangeError("floorMod: modulo by zero");
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r + 0; // + 0 turns -0 into 0
}

/**
 * Floor of `a / b` for integers, exact (`a - floorMod(a, b)` is a multiple of `b`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { floorDiv, HALF_HOUR_MS } from "./time_keys.ts";
 * assert.equal(floorDiv(Date.UTC(2025, 0, 11, 3), HALF_HOUR_MS), 964_758);
 * assert.equal(floorDiv(-1, 10), -1);
 * ```
 */
export function floorDiv(a: number, b: number): number {
  return (a - floorMod(a, b)) / b;
}

/**
 * Start of the step of length `stepMs` (counted from the epoch) holding a UTC instant: its
 * half-hour slot for {@linkcode HALF_HOUR_MS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { floorToStep, HALF_HOUR_MS } from "./time_keys.ts";
 * assert.equal(floorToStep(Date.UTC(2025, 0, 11, 3, 15), HALF_HOUR_MS), Date.UTC(2025, 0, 11, 3));
 * assert.equal(floorToStep(Date.UTC(2025, 0, 11, 3), HALF_HOUR_MS), Date.UTC(2025, 0, 11, 3));
 * ```
 */
export function floorToStep(epochMs: number, stepMs: number): number {
  return epochMs - floorMod(epochMs, stepMs);
}

/** An Int64 literal: with it, polars divides and takes modulos in integers. */
function int64(value: number): pl.Expr {
  requireSafeIntegers("int64", value);
  return pl.lit(value).cast(pl.Int64);
}

/**
 * UTC epoch milliseconds (Int64) of a Datetime expression, whatever its unit and time zone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { epochMs } from "./time_keys.ts";
 * const t = Date.UTC(2025, 0, 11, 3);
 * const df = pl.DataFrame({ t: [t] }).select(
 *   epochMs(pl.col("t").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC").cast(pl.Datetime("us", "UTC")))
 *     .alias("ms"),
 * );
 * assert.deepEqual(df.getColumn("ms").toArray(), [t]);
 * ```
 */
export function epochMs(timestamp: pl.Expr): pl.Expr {
  return timestamp.cast(pl.Datetime("ms")).cast(pl.Int64);
}

/**
 * Floor division of an integer expression by a constant, in Int64 (exact).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { intDiv, MINUTE_MS } from "./time_keys.ts";
 * const df = pl.DataFrame({ ms: [900_000, 86_400_000, -1] }).select(intDiv(pl.col("ms"), MINUTE_MS));
 * assert.deepEqual(df.getColumn("ms").toArray(), [15, 1440, -1]);
 * ```
 */
export function intDiv(value: pl.Expr, divisor: number): pl.Expr {
  if (divisor === 0) throw new RangeError("intDiv: division by zero");
  const v = value.cast(pl.Int64);
  const d = int64(divisor);
  // Written as (v - v mod d) / d so that the result is exact whatever rounding `div` does.
  return v.minus(v.modulo(d)).div(d);
}

/**
 * Start (Int64 epoch ms) of the step of length `stepMs` holding each instant of an Int64 epoch-ms
 * expression; {@linkcode floorToStep} in polars.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { floorToStepExpr, HALF_HOUR_MS } from "./time_keys.ts";
 * const t = Date.UTC(2025, 0, 11, 3); // 964469.999… in floating point
 * const df = pl.DataFrame({ ms: [t, t + 900_000] })
 *   .select(floorToStepExpr(pl.col("ms"), HALF_HOUR_MS));
 * assert.deepEqual(df.getColumn("ms").toArray(), [t, t]);
 * ```
 */
export function floorToStepExpr(ms: pl.Expr, stepMs: number): pl.Expr {
  const v = ms.cast(pl.Int64);
  return v.minus(v.modulo(int64(stepMs)));
}

/**
 * The half-hour slot of a Datetime expression: the UTC epoch ms (Int64) of the :00 or :30 that
 * starts it. A 30-minute row and the two 15-minute rows of the same half-hour share it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { halfHourSlot } from "./time_keys.ts";
 * const t = Date.UTC(2025, 0, 11, 3);
 * const df = pl.DataFrame({ t: [t - 900_000, t, t + 900_000] }).select(
 *   halfHourSlot(pl.col("t").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")).alias("slot"),
 * );
 * assert.deepEqual(df.getColumn("slot").toArray(), [t - 1_800_000, t, t]);
 * ```
 */
export function halfHourSlot(timestamp: pl.Expr): pl.Expr {
  return floorToStepExpr(epochMs(timestamp), HALF_HOUR_MS);
}

/**
 * Paris wall-clock time of a Datetime expression, as "YYYY-MM-DD HH:MM" (a String): the local
 * date and clock time in one conversion. The repeated autumn hour reads the same twice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { parisClock } from "./time_keys.ts";
 * const df = pl.DataFrame({ t: [Date.UTC(2024, 11, 31, 23, 30)] }).select(
 *   parisClock(pl.col("t").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")).alias("local"),
 * );
 * assert.deepEqual(df.getColumn("local").toArray(), ["2025-01-01 00:30"]);
 * ```
 */
export function parisClock(timestamp: pl.Expr): pl.Expr {
  return timestamp.dt.convertTimeZone(PARIS).dt.strftime("%Y-%m-%d %H:%M");
}

/**
 * Local (Paris) date of a Datetime expression, as a Date: the day key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { parisDate } from "./time_keys.ts";
 * const df = pl.DataFrame({ t: [Date.UTC(2024, 11, 31, 23, 30)] }).select(
 *   parisDate(pl.col("t").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")).dt.strftime("%Y-%m-%d")
 *     .alias("d"),
 * );
 * assert.deepEqual(df.getColumn("d").toArray(), ["2025-01-01"]); // already 1 January in Paris
 * ```
 */
export function parisDate(timestamp: pl.Expr): pl.Expr {
  return dateOfClock(parisClock(timestamp));
}

/**
 * Date of a "YYYY-MM-DD…" string expression (a {@linkcode parisClock} value), for callers that
 * slice the clock time from the same string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { dateOfClock } from "./time_keys.ts";
 * const df = pl.DataFrame({ local: ["2025-10-26 02:30"] })
 *   .select(dateOfClock(pl.col("local")).dt.strftime("%d/%m/%Y").alias("d"));
 * assert.deepEqual(df.getColumn("d").toArray(), ["26/10/2025"]);
 * ```
 */
export function dateOfClock(clock: pl.Expr): pl.Expr {
  return clock.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d");
}

/**
 * Monday of the ISO week of a Date expression: the week key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { isoWeekStart } from "./time_keys.ts";
 * const df = pl.DataFrame({ d: ["2025-01-01", "2025-01-05", "2025-01-06"] }).select(
 *   isoWeekStart(pl.col("d").str.strptime(pl.Date, "%Y-%m-%d")).dt.strftime("%Y-%m-%d").alias("w"),
 * );
 * assert.deepEqual(df.getColumn("w").toArray(), ["2024-12-30", "2024-12-30", "2025-01-06"]);
 * ```
 */
export function isoWeekStart(date: pl.Expr): pl.Expr {
  // Days since the epoch are Int32; ISO weekday 1 (Monday) … 7 (Sunday).
  return date.cast(pl.Int32).minus(date.dt.weekday().cast(pl.Int32)).plus(1).cast(pl.Date);
}

/**
 * ISO week number (1-53, Int32) of a Date expression; with {@linkcode isoYear}, the week's name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { isoWeek } from "./time_keys.ts";
 * const df = pl.DataFrame({ d: ["2024-12-30", "2026-12-31"] })
 *   .select(isoWeek(pl.col("d").str.strptime(pl.Date, "%Y-%m-%d")).alias("w"));
 * assert.deepEqual(df.getColumn("w").toArray(), [1, 53]);
 * ```
 */
export function isoWeek(date: pl.Expr): pl.Expr {
  return date.dt.week().cast(pl.Int32);
}

/**
 * ISO year of a Date expression: the calendar year of its week's Thursday.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { isoYear } from "./time_keys.ts";
 * const df = pl.DataFrame({ d: ["2024-12-30", "2027-01-01"] })
 *   .select(isoYear(pl.col("d").str.strptime(pl.Date, "%Y-%m-%d")).alias("y"));
 * assert.deepEqual(df.getColumn("y").toArray(), [2025, 2026]);
 * ```
 */
export function isoYear(date: pl.Expr): pl.Expr {
  return isoWeekStart(date).cast(pl.Int32).plus(3).cast(pl.Date).dt.year().cast(pl.Int32);
}
