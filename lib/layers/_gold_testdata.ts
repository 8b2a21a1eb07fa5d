/**
 * Test fixtures of gold and of lib/analysis: real silver frames built once per test process
 * from the shared RTE files, and small hand-made silver frames.
 *
 * @module
 */

import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { readEco2mix } from "../eco2mix/mod.ts";
import { REGIONAL_2014, sharedDataPath } from "../testing/shared_data.ts";
import { toBronze } from "./bronze.ts";
import { toSilver } from "./silver.ts";

const AT = new Date("2025-07-26T08:00:00Z");
const cache = new Map<string, pl.DataFrame>();

function silverOf(key: string, paths: readonly string[]): pl.DataFrame {
  const cached = cache.get(key);
  if (cached) return cached;
  const tables = paths.map((p) => readEco2mix(Deno.readFileSync(sharedDataPath(p)), p));
  const { silver } = toSilver(toBronze(tables, { ingestedAt: AT }));
  cache.set(key, silver);
  return silver;
}

/** Silver of the national real-time file 2025-01-01 … 2025-07-25 (15-minute rows). */
export function silverTr2025(): pl.DataFrame {
  return silverOf("tr2025", ["eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls"]);
}

/** Silver of the national real-time file of June 2016 (half-hourly commercial exchanges). */
export function silverTr2016(): pl.DataFrame {
  return silverOf("tr2016", ["eco2mix/eCO2mix_RTE_En-cours-TR_2016-06.xls"]);
}

/** Silver of the 12 regional definitive files of 2014 (30-minute rows). */
export function silverRegional2014(): pl.DataFrame {
  return silverOf("regional2014", [...REGIONAL_2014]);
}

/** Rows of a hand-made silver frame: `timestamp_utc` as an ISO string or epoch ms. */
export type SilverRow = Record<string, string | number | boolean | null> & {
  readonly perimetre: string;
  readonly timestamp_utc: string | number;
};

/**
 * A silver-like frame from rows: `jeu_donnees` defaults to `eco2mix`, `pas_minutes` to 15;
 * `date_locale` and `heure_locale` are derived from `timestamp_utc` in Europe/Paris with
 * `Intl` (independently of the polars code under test). Other keys become Float64 columns
 * (or Utf8/Bool for string/boolean values).
 */
export function silverFrame(rows: readonly SilverRow[]): pl.DataFrame {
  const local = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const ms = rows.map((r) =>
    typeof r.timestamp_utc === "number" ? r.timestamp_utc : Date.parse(r.timestamp_utc)
  );
  const parts = ms.map((t) =>
    Object.fromEntries(local.formatToParts(t).map((p) => [p.type, p.value]))
  );
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))]
    .filter((n) => !["perimetre", "timestamp_utc", "jeu_donnees", "pas_minutes"].includes(n));
  const series: pl.Series[] = [
    pl.Series("jeu_donnees", rows.map((r) => String(r.jeu_donnees ?? "eco2mix")), pl.Utf8),
    pl.Series("perimetre", rows.map((r) => r.perimetre), pl.Utf8),
    pl.Series("timestamp_utc", ms, pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
    pl.Series("date_locale", parts.map((p) => `${p.year}-${p.month}-${p.day}`), pl.Utf8)
      .str.strptime(pl.Date, "%Y-%m-%d"),
    pl.Series("heure_locale", parts.map((p) => `${p.hour}:${p.minute}`), pl.Utf8),
    pl.Series("pas_minutes", rows.map((r) => Number(r.pas_minutes ?? 15)), pl.Int32),
  ];
  for (const name of names) {
    const values = rows.map((r) => r[name] ?? null);
    const sample = values.find((v) => v !== null);
    const dtype = typeof sample === "string"
      ? pl.Utf8
      : typeof sample === "boolean"
      ? pl.Bool
      : pl.Float64;
    series.push(pl.Series(name, values, dtype));
  }
  return pl.DataFrame(series);
}

/** Records of a frame with only the given columns (typed loosely for assertions). */
export function records(frame: pl.DataFrame, ...columns: string[]): Record<string, unknown>[] {
  return (columns.length > 0 ? frame.select(...columns) : frame).toRecords() as Record<
    string,
    unknown
  >[];
}

/** A silver row read back for assertions: its key and the numeric columns asked for. */
export type Row = Record<string, number | null> & { timestamp_utc: Date; perimetre: string };

/** Records of a silver frame with its key, its step and the given columns. */
export function rowsOf(frame: pl.DataFrame, ...columns: string[]): Row[] {
  return records(
    frame,
    "perimetre",
    "timestamp_utc",
    "pas_minutes",
    ...columns,
  ) as unknown as Row[];
}

/** Records of a frame by a key of each row. */
export function byKey(
  frame: pl.DataFrame,
  key: (r: Record<string, unknown>) => string,
): Map<string, Record<string, unknown>> {
  return new Map(records(frame).map((r) => [key(r), r]));
}

/** "YYYY-MM-DD" of a polars Date value read back as a JS Date (UTC midnight). */
export function isoDate(value: unknown): string {
  return (value as Date).toISOString().slice(0, 10);
}

const PARIS = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  weekday: "short",
  hourCycle: "h23",
});
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/**
 * Local Europe/Paris calendar of a UTC instant, by `Intl` (independent of polars): date
 * "YYYY-MM-DD", hour, minute, ISO weekday (1 = Monday).
 */
export function paris(t: Date | number): {
  date: string;
  hour: number;
  minute: number;
  weekday: number;
} {
  const p = Object.fromEntries(PARIS.formatToParts(t).map((x) => [x.type, x.value]));
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    hour: Number(p.hour),
    minute: Number(p.minute),
    weekday: WEEKDAYS.indexOf(p.weekday) + 1,
  };
}

/** Asserts a number within a relative tolerance (absolute below 1). */
export function assertClose(actual: unknown, expected: number, tolerance = 1e-9, label = "") {
  assert.equal(typeof actual, "number", `${label}: ${actual} is not a number`);
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs((actual as number) - expected) <= tolerance * scale,
    `${label}: ${actual} != ${expected}`,
  );
}

/** Pearson correlation of two equally long arrays. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Group rows by a key and sum a numeric function of each row (null values skipped). */
export function sumBy<T>(
  rows: readonly T[],
  key: (r: T) => string,
  value: (r: T) => number | null,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const v = value(r);
    if (v === null) continue;
    out.set(key(r), (out.get(key(r)) ?? 0) + v);
  }
  return out;
}
