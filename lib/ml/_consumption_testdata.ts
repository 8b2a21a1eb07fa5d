/**
 * Real national consumption for the ML tests and benchmark: ODRÉ `consommation-quotidienne-brute`
 * (half-hourly, 2012-2025; format in shared/data/SOURCES.md §4) read straight from the shared
 * data folder, plus the simple one-hour-ahead feature set of the benchmark.
 *
 * The file lists newest rows first and repeats UTC stamps on spring-forward days (local 02:00
 * and 02:30 copy 03:00 / 03:30): rows are keyed by their UTC stamp, the first occurrence kept,
 * and laid on a regular UTC half-hour grid, NaN where a slot has no row. Local (Europe/Paris)
 * calendar features use the EU summer-time rule (last Sunday of March to last Sunday of October,
 * 01:00 UTC), valid since 1996.
 *
 * @module
 */

import { sharedDataPath } from "../testing/shared_data.ts";
import type { FeatureMatrix } from "./dataset.ts";

const HALF_HOUR = 30 * 60 * 1000;
const HOUR = 2 * HALF_HOUR;

/** A regular half-hourly series. */
export interface ConsumptionSeries {
  /** UTC instants (epoch ms), ascending, every 30 minutes. */
  epochMs: Float64Array;
  /** MW; NaN where the file has no row for the slot. */
  consumption: Float64Array;
}

/** Reads the whole national history (about 242k half-hours). */
export async function loadNationalConsumption(): Promise<ConsumptionSeries> {
  const path = sharedDataPath("eco2mix", "odre", "consommation-quotidienne-brute.csv.gz");
  const file = await Deno.open(path);
  const text = await new Response(
    file.readable.pipeThrough(new DecompressionStream("gzip")),
  ).text();
  const lines = text.split("\r\n");
  const header = lines[0].replace(/^\uFEFF/, "").split(";");
  const stampColumn = header.indexOf("Date - Heure");
  const valueColumn = header.indexOf("Consommation brute électricité (MW) - RTE");
  if (stampColumn < 0 || valueColumn < 0) throw new Error(`${path}: unexpected header`);
  const byStamp = new Map<number, number>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === "") continue;
    const fields = lines[i].split(";");
    const t = Date.parse(fields[stampColumn]);
    const v = Number(fields[valueColumn]);
    if (!Number.isFinite(t) || fields[valueColumn] === "" || !Number.isFinite(v)) {
      throw new Error(`${path}: line ${i + 1}: bad stamp or consumption`);
    }
    if (!byStamp.has(t)) byStamp.set(t, v);
  }
  let first = Infinity;
  let last = -Infinity;
  for (const t of byStamp.keys()) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  const n = (last - first) / HALF_HOUR + 1;
  const epochMs = new Float64Array(n);
  const consumption = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) epochMs[i] = first + i * HALF_HOUR;
  for (const [t, v] of byStamp) consumption[(t - first) / HALF_HOUR] = v;
  return { epochMs, consumption };
}

/** Offset of Paris local time from UTC at a UTC instant (EU rule). */
export function parisOffsetMs(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const lastSunday = (month: number) => {
    const endOfMonth = new Date(Date.UTC(year, month + 1, 0));
    return Date.UTC(year, month, endOfMonth.getUTCDate() - endOfMonth.getUTCDay(), 1);
  };
  return utcMs >= lastSunday(2) && utcMs < lastSunday(9) ? 2 * HOUR : HOUR;
}

/** Features and target of the one-hour-ahead problem, rows with a NaN dropped. */
export interface ConsumptionProblem {
  x: FeatureMatrix;
  y: Float64Array;
  epochMs: Float64Array;
  /** The 1-hour persistence forecast (consumption one hour earlier) of each row. */
  persistence: Float64Array;
}

/**
 * One-hour-ahead features: local hour, minute, weekday, month, day of year; lags 1 h, 24 h,
 * 168 h; mean of the 24 h ending 1 h before. With `recentLags`, also lags 1 h 30, 2 h, 23 h,
 * 23 h 30, 25 h and `persistance_corrigee` = lag 1 h + (lag 24 h - lag 25 h), yesterday's change
 * over the same hour. Rows whose target or a feature is NaN are dropped.
 */
export function oneHourAheadProblem(
  series: ConsumptionSeries,
  options: { recentLags?: boolean } = {},
): ConsumptionProblem {
  const { epochMs, consumption: c } = series;
  const n = c.length;
  const lag = (steps: number) => (i: number) => (i >= steps ? c[i - steps] : NaN);
  const lag1h = lag(2), lag24h = lag(48), lag168h = lag(336);
  // Rolling sum of the 48 half-hours ending 1 h before (NaN if any is missing).
  const rolling = new Float64Array(n).fill(NaN);
  let sum = 0;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const enter = i - 2;
    const leave = i - 50;
    if (enter >= 0) Number.isNaN(c[enter]) ? missing++ : (sum += c[enter]);
    if (leave >= 0) Number.isNaN(c[leave]) ? missing-- : (sum -= c[leave]);
    if (leave >= -1 && missing === 0) rolling[i] = sum / 48;
  }
  const columns: Record<string, number[]> = {
    heure: [] as number[],
    minute: [] as number[],
    jour_semaine: [] as number[],
    mois: [] as number[],
    jour_annee: [] as number[],
    lag_1h: [] as number[],
    lag_24h: [] as number[],
    lag_168h: [] as number[],
    moyenne_24h: [] as number[],
  };
  const recent = options.recentLags
    ? { lag_1h30: lag(3), lag_2h: lag(4), lag_23h: lag(46), lag_23h30: lag(47), lag_25h: lag(50) }
    : {};
  for (const name of Object.keys(recent)) columns[name] = [];
  if (options.recentLags) columns.persistance_corrigee = [];
  const y: number[] = [];
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [lag1h(i), lag24h(i), lag168h(i), rolling[i]];
    const extra = Object.values(recent).map((f) => f(i));
    if (Number.isNaN(c[i]) || row.some(Number.isNaN) || extra.some(Number.isNaN)) continue;
    const local = new Date(epochMs[i] + parisOffsetMs(epochMs[i]));
    const dayStart = Date.UTC(local.getUTCFullYear(), 0, 1);
    columns.heure.push(local.getUTCHours());
    columns.minute.push(local.getUTCMinutes());
    columns.jour_semaine.push((local.getUTCDay() + 6) % 7); // Monday = 0
    columns.mois.push(local.getUTCMonth() + 1);
    columns.jour_annee.push(Math.floor((local.getTime() - dayStart) / (24 * HOUR)) + 1);
    columns.lag_1h.push(row[0]);
    columns.lag_24h.push(row[1]);
    columns.lag_168h.push(row[2]);
    columns.moyenne_24h.push(row[3]);
    Object.keys(recent).forEach((name, k) => columns[name].push(extra[k]));
    // i >= 336 here (the 168 h lag exists).
    if (options.recentLags) columns.persistance_corrigee.push(row[0] + row[1] - c[i - 50]);
    y.push(c[i]);
    kept.push(i);
  }
  const names = Object.keys(columns);
  return {
    x: {
      names,
      columns: Object.values(columns).map((v) => Float64Array.from(v)),
      nRows: y.length,
    },
    y: Float64Array.from(y),
    epochMs: Float64Array.from(kept, (i) => epochMs[i]),
    persistence: Float64Array.from(columns.lag_1h),
  };
}
