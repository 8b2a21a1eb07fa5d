/**
 * RTE's Tempo calendars (`eCO2mix_RTE_tempo_YYYY-YYYY.xls`, format in shared/data/SOURCES.md
 * §5) as a model feature.
 *
 * Tempo is EDF's demand-response tariff: on the 22 red days of a season (and to a lesser extent
 * the 43 white ones) electricity is dear from 06:00 to 22:00, and subscribers shift or cut
 * consumption. RTE chooses the colour of day D from the forecast load and announces it on D-1;
 * this module takes 11:00 (Paris) on D-1 as the instant it is known (RTE publishes it at about
 * 10:30), so that a forecast whose cut-off is earlier never sees it. A Tempo day runs from
 * 06:00 to 06:00 the next morning: at 03:00 the colour in force is still yesterday's.
 *
 * Colours are coded 0 (BLEU), 1 (BLANC), 2 (ROUGE); NaN when unknown (no calendar for that day,
 * or not yet published at the cut-off).
 *
 * @module
 */

import { ReferenceDataError } from "./_reference_error.ts";
import { dateOfDayNumber, dayNumberOfDate, parisInstant, parisOffsetMinutes } from "./calendar.ts";

/** Colour names as RTE writes them, in code order. */
export const TEMPO_COLOURS = ["BLEU", "BLANC", "ROUGE"] as const;

/** Minutes after local midnight of D-1 at which the colour of day D is taken as known. */
export const TEMPO_PUBLICATION_MINUTES = 11 * 60;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** A Tempo day starts at 06:00 local time. */
const TEMPO_DAY_START_MS = 6 * 60 * MINUTE_MS;

/** Tempo colour codes by day number (days since 1970-01-01 of the Tempo day's date). */
export type TempoCalendar = ReadonlyMap<number, number>;

/** One day of a Tempo calendar file. */
export interface TempoLine {
  /** 1-based line of the file. */
  line: number;
  /** Day number (days since 1970-01-01) of the Tempo day's date. */
  day: number;
  /** Colour code (index in {@linkcode TEMPO_COLOURS}). */
  code: number;
}

/**
 * Reads one Tempo calendar file (UTF-8, tab-separated, header `Date\tType de jour TEMPO`, one
 * `YYYY-MM-DD\tCOLOUR` line per day, then RTE's disclaimer) into its days, in file order.
 * Errors name the file and line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readTempoLines } from "./tempo.ts";
 * const text = "Date\tType de jour TEMPO\n2025-01-08\tROUGE\n2025-01-09\tBLANC\n" +
 *   "L'ensemble des informations disponibles sur éCO2mix sont fournies à titre informatif\n";
 * const days = readTempoLines(text, "tempo.xls");
 * assert.deepEqual(days.map((d) => [d.line, d.code]), [[2, 2], [3, 1]]);
 * ```
 */
export function readTempoLines(text: string, file: string): TempoLine[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines[0].trim() !== "Date\tType de jour TEMPO") {
    throw new ReferenceDataError(
      `${file}: line 1: not a Tempo calendar (header ${JSON.stringify(lines[0].slice(0, 60))})`,
    );
  }
  const days: TempoLine[] = [];
  const seen = new Set<number>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const fields = line.split("\t");
    // The closing disclaimer is the one line without a tab.
    if (fields.length === 1 && !/^\d{4}-\d{2}-\d{2}/.test(line)) continue;
    const code = TEMPO_COLOURS.indexOf(fields[1]?.trim() as (typeof TEMPO_COLOURS)[number]);
    let day: number;
    try {
      day = dayNumberOfDate(fields[0].trim());
    } catch {
      throw new ReferenceDataError(`${file}: line ${i + 1}: bad date ${JSON.stringify(fields[0])}`);
    }
    if (code < 0) {
      throw new ReferenceDataError(
        `${file}: line ${i + 1}: unknown Tempo colour ${JSON.stringify(fields[1] ?? "")}`,
      );
    }
    if (seen.has(day)) {
      throw new ReferenceDataError(`${file}: line ${i + 1}: day ${fields[0]} listed twice`);
    }
    seen.add(day);
    days.push({ line: i + 1, day, code });
  }
  return days;
}

/**
 * Parses one Tempo calendar file ({@linkcode readTempoLines}) into its colours by day.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTempoCalendar } from "./tempo.ts";
 * const text = "Date\tType de jour TEMPO\n2025-01-08\tROUGE\n2025-01-09\tBLANC\n" +
 *   "L'ensemble des informations disponibles sur éCO2mix sont fournies à titre informatif\n";
 * const days = parseTempoCalendar(text, "tempo.xls");
 * assert.deepEqual([...days.values()], [2, 1]);
 * ```
 */
export function parseTempoCalendar(text: string, file: string): Map<number, number> {
  return new Map(readTempoLines(text, file).map((d) => [d.day, d.code]));
}

/**
 * Merges calendars of several files (seasons overlap by nothing, but a day given twice must have
 * the same colour: a contradiction names both files).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeTempoCalendars } from "./tempo.ts";
 * const merged = mergeTempoCalendars([
 *   { file: "a.xls", days: new Map([[20_000, 0]]) },
 *   { file: "b.xls", days: new Map([[20_001, 2]]) },
 * ]);
 * assert.equal(merged.size, 2);
 * ```
 */
export function mergeTempoCalendars(
  parts: readonly { file: string; days: ReadonlyMap<number, number> }[],
): TempoCalendar {
  const merged = new Map<number, number>();
  const from = new Map<number, string>();
  for (const { file, days } of parts) {
    for (const [day, code] of days) {
      const previous = merged.get(day);
      if (previous !== undefined && previous !== code) {
        throw new ReferenceDataError(
          `${file}: ${dateOfDayNumber(day)} is ${TEMPO_COLOURS[code]} but ${from.get(day)} says ${
            TEMPO_COLOURS[previous]
          }`,
        );
      }
      merged.set(day, code);
      from.set(day, file);
    }
  }
  return new Map([...merged].sort((a, b) => a[0] - b[0]));
}

/**
 * The Tempo day (day number) in force at a UTC instant: the local date of the instant six hours
 * earlier on the clock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { tempoDay } from "./tempo.ts";
 * // 03:00 in Paris on 9 January still belongs to the Tempo day of 8 January.
 * assert.equal(tempoDay(Date.UTC(2025, 0, 9, 2)), dayNumberOfDate("2025-01-08"));
 * ```
 */
export function tempoDay(epochMs: number): number {
  const wall = epochMs + parisOffsetMinutes(epochMs) * MINUTE_MS;
  return Math.floor((wall - TEMPO_DAY_START_MS) / DAY_MS);
}

/**
 * UTC instant from which the colour of Tempo day `day` is known (11:00 in Paris the day before).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { tempoPublication } from "./tempo.ts";
 * assert.equal(tempoPublication(dayNumberOfDate("2025-01-09")), Date.UTC(2025, 0, 8, 10));
 * ```
 */
export function tempoPublication(day: number): number {
  return parisInstant(day - 1, TEMPO_PUBLICATION_MINUTES);
}

/**
 * Tempo colour code in force at each target instant, as known at its cut-off: NaN when the
 * calendar lacks the day or when the colour was not yet published at `cutoffMs[i]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { tempoColumn } from "./tempo.ts";
 * const calendar = new Map([[dayNumberOfDate("2025-01-09"), 2]]);
 * const target = Date.UTC(2025, 0, 9, 17); // 18:00 on a red day
 * // Known with a cut-off at noon the day before, not with one at 09:00 the day before.
 * const codes = tempoColumn([target, target], [Date.UTC(2025, 0, 8, 11), Date.UTC(2025, 0, 8, 8)], calendar);
 * assert.equal(codes[0], 2);
 * assert.ok(Number.isNaN(codes[1]));
 * ```
 */
export function tempoColumn(
  epochMs: ArrayLike<number>,
  cutoffMs: ArrayLike<number>,
  calendar: TempoCalendar,
): Float64Array {
  const out = new Float64Array(epochMs.length).fill(NaN);
  for (let i = 0; i < epochMs.length; i++) {
    const day = tempoDay(epochMs[i]);
    const code = calendar.get(day);
    if (code !== undefined && tempoPublication(day) <= cutoffMs[i]) out[i] = code;
  }
  return out;
}

/** Number of days of each colour in one Tempo season (1 September - 31 August). */
export interface TempoSeason {
  season: string;
  blue: number;
  white: number;
  red: number;
}

/**
 * Days of each colour per season, in season order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { tempoSeasons } from "./tempo.ts";
 * const seasons = tempoSeasons(new Map([
 *   [dayNumberOfDate("2024-08-31"), 0],
 *   [dayNumberOfDate("2024-09-01"), 2],
 *   [dayNumberOfDate("2025-01-08"), 2],
 * ]));
 * assert.deepEqual(seasons, [
 *   { season: "2023-2024", blue: 1, white: 0, red: 0 },
 *   { season: "2024-2025", blue: 0, white: 0, red: 2 },
 * ]);
 * ```
 */
export function tempoSeasons(calendar: TempoCalendar): TempoSeason[] {
  const seasons = new Map<string, TempoSeason>();
  for (const [day, code] of calendar) {
    const date = new Date(day * DAY_MS);
    const start = date.getUTCMonth() >= 8 ? date.getUTCFullYear() : date.getUTCFullYear() - 1;
    const season = `${start}-${start + 1}`;
    const entry = seasons.get(season) ?? { season, blue: 0, white: 0, red: 0 };
    entry[(["blue", "white", "red"] as const)[code]]++;
    seasons.set(season, entry);
  }
  return [...seasons.values()].sort((a, b) => a.season.localeCompare(b.season));
}
