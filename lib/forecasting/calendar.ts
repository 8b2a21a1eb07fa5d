/**
 * The French calendar as model features, for UTC instants (epoch milliseconds): Paris local
 * time, public holidays and bridge days, summer time.
 *
 * Local time follows the EU summer-time rule (from the last Sunday of March to the last Sunday of
 * October, switching at 01:00 UTC), in force in France since 1996; it is computed, not looked up,
 * so that hundreds of thousands of instants convert in milliseconds whatever the machine's time
 * zone. Days are identified by their **local day number**: days since 1970-01-01 of the Paris
 * calendar date (the key of daily inputs such as temperatures and Tempo colours).
 *
 * Public holidays are the eleven of mainland France (Alsace-Moselle's Good Friday and 26 December
 * excluded: they concern 4 % of consumption): 1 January, Easter Monday, 1 May, 8 May, Ascension
 * Thursday, Whit Monday, 14 July, 15 August, 1 November, 11 November, 25 December. A **bridge
 * day** (`pont`) is a Monday before a Tuesday holiday or a Friday after a Thursday holiday, when
 * many take the day off and consumption drops like on a holiday.
 *
 * @module
 */

import { DAY_MS, floorDiv, floorMod, MINUTE_MS } from "../layers/time_keys.ts";

/** Last Sunday of `month` (0-based) of `year`, at 01:00 UTC (the EU switching instant). */
function lastSundayAt1Utc(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
}

/** Summer time of the year {@linkcode parisOffsetMinutes} saw last (UTC epoch ms). */
const summer = { yearStart: NaN, nextYearStart: NaN, start: NaN, end: NaN };

/**
 * Offset of Paris local time from UTC at a UTC instant, in minutes: 120 in summer time, else 60.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parisOffsetMinutes } from "./calendar.ts";
 * assert.equal(parisOffsetMinutes(Date.UTC(2025, 2, 30, 0, 59)), 60);
 * assert.equal(parisOffsetMinutes(Date.UTC(2025, 2, 30, 1, 0)), 120); // 03:00 CEST
 * ```
 */
export function parisOffsetMinutes(epochMs: number): number {
  // Called for every instant of a series (hundreds of thousands, mostly in order): the summer
  // time bounds of the last year seen are kept, three Date objects a call cost seconds.
  if (!(epochMs >= summer.yearStart && epochMs < summer.nextYearStart)) {
    const year = new Date(epochMs).getUTCFullYear();
    summer.yearStart = Date.UTC(year, 0, 1);
    summer.nextYearStart = Date.UTC(year + 1, 0, 1);
    summer.start = lastSundayAt1Utc(year, 2);
    summer.end = lastSundayAt1Utc(year, 9);
  }
  return epochMs >= summer.start && epochMs < summer.end ? 120 : 60;
}

/**
 * Local (Paris) day number of a UTC instant: days since 1970-01-01 of its local calendar date.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate, localDayNumber } from "./calendar.ts";
 * // 2024-12-31 23:30 UTC is already 1 January in Paris.
 * assert.equal(localDayNumber(Date.UTC(2024, 11, 31, 23, 30)), dayNumberOfDate("2025-01-01"));
 * ```
 */
export function localDayNumber(epochMs: number): number {
  return floorDiv(epochMs + parisOffsetMinutes(epochMs) * MINUTE_MS, DAY_MS);
}

/**
 * Day number of an ISO date `YYYY-MM-DD` (days since 1970-01-01).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * assert.equal(dayNumberOfDate("1970-01-02"), 1);
 * ```
 */
export function dayNumberOfDate(isoDate: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new RangeError(`not an ISO date (YYYY-MM-DD): ${JSON.stringify(isoDate)}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(t).toISOString().slice(0, 10) !== isoDate) {
    throw new RangeError(`not a calendar date: ${isoDate}`);
  }
  return t / DAY_MS;
}

/**
 * ISO date `YYYY-MM-DD` of a day number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dateOfDayNumber } from "./calendar.ts";
 * assert.equal(dateOfDayNumber(20_089), "2025-01-01");
 * ```
 */
export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * UTC instant of a local (Paris) wall-clock time on a local day. For a time that does not exist
 * (02:30 on the spring-forward day) the result is the instant one hour later on the clock; for a
 * time that exists twice (02:30 on the fall-back day) it is the first (summer-time) one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate, parisInstant } from "./calendar.ts";
 * // Noon in Paris on 2025-06-13 is 10:00 UTC (summer time).
 * assert.equal(parisInstant(dayNumberOfDate("2025-06-13"), 12 * 60), Date.UTC(2025, 5, 13, 10));
 * ```
 */
export function parisInstant(day: number, minutesOfDay: number): number {
  const wall = day * DAY_MS + minutesOfDay * MINUTE_MS;
  // Try the summer offset first: it gives the first of two repeated times.
  for (const offset of [120, 60]) {
    const t = wall - offset * MINUTE_MS;
    if (parisOffsetMinutes(t) === offset) return t;
  }
  return wall - 60 * MINUTE_MS; // the skipped spring hour, read in winter time
}

/**
 * Easter Sunday of a Gregorian year (anonymous Gregorian algorithm), as a day number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dateOfDayNumber, easterSunday } from "./calendar.ts";
 * assert.equal(dateOfDayNumber(easterSunday(2025)), "2025-04-20");
 * ```
 */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/**
 * The eleven public holidays of mainland France in `year`, as day numbers, in date order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dateOfDayNumber, frenchHolidays } from "./calendar.ts";
 * const days = frenchHolidays(2025).map(dateOfDayNumber);
 * assert.deepEqual(days.slice(1, 6), ["2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09"]);
 * ```
 */
export function frenchHolidays(year: number): number[] {
  const easter = easterSunday(year);
  const fixed = (month: number, day: number) => Date.UTC(year, month - 1, day) / DAY_MS;
  return [
    fixed(1, 1),
    easter + 1, // lundi de Pâques
    fixed(5, 1),
    fixed(5, 8),
    easter + 39, // Ascension
    easter + 50, // lundi de Pentecôte
    fixed(7, 14),
    fixed(8, 15),
    fixed(11, 1),
    fixed(11, 11),
    fixed(12, 25),
  ].sort((x, y) => x - y);
}

/** Weekday of a day number, Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday). */
function weekday(day: number): number {
  return floorMod(day + 3, 7);
}

const holidayCache = new Map<number, Set<number>>();

function holidaySet(year: number): Set<number> {
  let set = holidayCache.get(year);
  if (!set) {
    set = new Set(frenchHolidays(year));
    holidayCache.set(year, set);
  }
  return set;
}

/**
 * True when the day number is a public holiday of mainland France.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate, isHoliday } from "./calendar.ts";
 * assert.ok(isHoliday(dayNumberOfDate("2025-07-14")));
 * assert.ok(!isHoliday(dayNumberOfDate("2025-07-15")));
 * ```
 */
export function isHoliday(day: number): boolean {
  return holidaySet(new Date(day * DAY_MS).getUTCFullYear()).has(day);
}

/**
 * True for a bridge day: a Monday before a Tuesday holiday, or a Friday after a Thursday
 * holiday (Ascension Friday every year).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate, isBridgeDay } from "./calendar.ts";
 * assert.ok(isBridgeDay(dayNumberOfDate("2025-05-30"))); // Friday after Ascension
 * assert.ok(!isBridgeDay(dayNumberOfDate("2025-07-11"))); // Friday before Monday 14 July
 * ```
 */
export function isBridgeDay(day: number): boolean {
  const w = weekday(day);
  if (w === 0) return isHoliday(day + 1) && weekday(day + 1) === 1;
  if (w === 4) return isHoliday(day - 1) && weekday(day - 1) === 3;
  return false;
}

/**
 * How much of local day `day` is off work: 1 for a public holiday, 0.5 for a bridge day (many
 * take it off, not all), 0 otherwise. The day-ahead features give it for the days around the
 * target (`features.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate, dayOff } from "./calendar.ts";
 * assert.equal(dayOff(dayNumberOfDate("2025-05-29")), 1); // Ascension
 * assert.equal(dayOff(dayNumberOfDate("2025-05-30")), 0.5); // the Friday after
 * assert.equal(dayOff(dayNumberOfDate("2025-06-02")), 0);
 * ```
 */
export function dayOff(day: number): number {
  return isHoliday(day) ? 1 : isBridgeDay(day) ? 0.5 : 0;
}

/** Names of the columns {@linkcode calendarFeatures} returns, in order. */
export const CALENDAR_FEATURES = [
  "heure",
  "jour_semaine",
  "mois",
  "jour_annee",
  "jour_ferie",
  "pont",
  "heure_ete",
] as const;

/** One Float64Array per calendar feature. */
export type CalendarColumns = Record<(typeof CALENDAR_FEATURES)[number], Float64Array>;

/**
 * Calendar features of UTC instants, all in Paris local time:
 * - `heure`: hour of the day with minutes as a fraction (13.5 for 13:30);
 * - `jour_semaine`: Monday 0 … Sunday 6; `mois`: 1-12; `jour_annee`: 1-366;
 * - `jour_ferie`, `pont`: 1 on a public holiday / bridge day, else 0;
 * - `heure_ete`: 1 in summer time (UTC+2), 0 in winter time.
 *
 * These are known in advance for any instant, so they never depend on a cut-off.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { calendarFeatures } from "./calendar.ts";
 * const c = calendarFeatures([Date.UTC(2025, 6, 14, 10, 30)]); // 14 July 2025, 12:30 in Paris
 * assert.deepEqual(
 *   [c.heure[0], c.jour_semaine[0], c.mois[0], c.jour_ferie[0], c.heure_ete[0]],
 *   [12.5, 0, 7, 1, 1],
 * );
 * ```
 */
export function calendarFeatures(epochMs: ArrayLike<number>): CalendarColumns {
  const n = epochMs.length;
  const out = Object.fromEntries(
    CALENDAR_FEATURES.map((name) => [name, new Float64Array(n)]),
  ) as CalendarColumns;
  // The features of the local day, kept while the instants stay in it (48 a day in a series:
  // computing them for each instant was most of the 0.1 s per horizon of notebook 07).
  let lastDay = NaN;
  let [weekdayOf, month, dayOfYear, holiday, bridge] = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const t = epochMs[i];
    const offset = parisOffsetMinutes(t);
    const local = new Date(t + offset * MINUTE_MS);
    const day = floorDiv(local.getTime(), DAY_MS);
    if (day !== lastDay) {
      lastDay = day;
      const year = local.getUTCFullYear();
      weekdayOf = weekday(day);
      month = local.getUTCMonth() + 1;
      dayOfYear = day - Date.UTC(year, 0, 1) / DAY_MS + 1;
      holiday = isHoliday(day) ? 1 : 0;
      bridge = isBridgeDay(day) ? 1 : 0;
    }
    out.heure[i] = local.getUTCHours() + local.getUTCMinutes() / 60;
    out.jour_semaine[i] = weekdayOf;
    out.mois[i] = month;
    out.jour_annee[i] = dayOfYear;
    out.jour_ferie[i] = holiday;
    out.pont[i] = bridge;
    out.heure_ete[i] = offset === 120 ? 1 : 0;
  }
  return out;
}
