/**
 * Small hand-made silver-like frames for the tests of this folder.
 *
 * @module
 */

import pl from "nodejs-polars";

/** One row of a test frame: its UTC instant and value columns. */
export type TestRow = { at: string } & Record<string, number | string | null>;

/**
 * A silver-like frame from rows given as `{ at: ISO instant, column: value }`: `timestamp_utc`
 * (Datetime ms UTC) and Float64 value columns (strings stay strings).
 *
 * @example
 * ```ts
 * import { frameOf } from "./_testdata.ts";
 * const df = frameOf([{ at: "2025-01-01T00:00:00Z", consommation: 1 }]);
 * console.assert(df.height === 1);
 * ```
 */
export function frameOf(rows: readonly TestRow[]): pl.DataFrame {
  const columns = Array.from(new Set(rows.flatMap((r) => Object.keys(r)))).filter((c) =>
    c !== "at"
  );
  return pl.DataFrame([
    pl.Series("timestamp_utc", rows.map((r) => new Date(r.at)), pl.Datetime("ms"))
      .cast(pl.Datetime("ms", "UTC")),
    ...columns.map((c) => {
      const values = rows.map((r) => r[c] ?? null);
      return typeof values.find((v) => v !== null) === "string"
        ? pl.Series(c, values, pl.Utf8)
        : pl.Series(c, values, pl.Float64);
    }),
  ]);
}

/**
 * Hourly rows from `start` (UTC ISO) for `hours` hours, values from `fill(i, date)` where i is
 * the row number.
 *
 * @example
 * ```ts
 * import { hourlyRows } from "./_testdata.ts";
 * const rows = hourlyRows("2025-01-01T00:00:00Z", 2, (i) => ({ consommation: i }));
 * console.assert(rows[1].at === "2025-01-01T01:00:00.000Z" && rows[1].consommation === 1);
 * ```
 */
export function hourlyRows(
  start: string,
  hours: number,
  fill: (i: number, at: Date) => Record<string, number | string | null>,
): TestRow[] {
  const t0 = new Date(start).getTime();
  return Array.from({ length: hours }, (_, i) => {
    const at = new Date(t0 + i * 3_600_000);
    return { at: at.toISOString(), ...fill(i, at) };
  });
}
