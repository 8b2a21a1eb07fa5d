/**
 * Small hand-made silver-like frames for the tests of this folder.
 *
 * @module
 */

import pl from "nodejs-polars";
import { readEco2mix } from "../eco2mix/mod.ts";
import { toBronze } from "../layers/bronze.ts";
import { toSilver } from "../layers/silver.ts";
import { sharedDataPath } from "../testing/shared_data.ts";

/** One row of a test frame: its UTC instant and value columns. */
export type TestRow = { at: string } & Record<string, number | string | null>;

/**
 * A silver-like frame from rows given as `{ at: ISO instant, column: value }`: `timestamp_utc`
 * (Datetime ms UTC) and Float64 value columns (strings stay strings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameOf } from "./_testdata.ts";
 * const df = frameOf([{ at: "2025-01-01T00:00:00Z", consommation: 1 }]);
 * assert.equal(df.height, 1);
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
 * import assert from "node:assert/strict";
 * import { hourlyRows } from "./_testdata.ts";
 * const rows = hourlyRows("2025-01-01T00:00:00Z", 2, (i) => ({ consommation: i }));
 * assert.equal(rows[1].at, "2025-01-01T01:00:00.000Z");
 * assert.equal(rows[1].consommation, 1);
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

let real: pl.DataFrame | undefined;

/**
 * Silver of the real 2025 real-time file (January 1 to July 25, 15-minute rows), built with the
 * project's readers and layers; computed once per process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { realSilver2025 } from "./_testdata.ts";
 * assert.ok(realSilver2025().height > 19_000);
 * ```
 */
export function realSilver2025(): pl.DataFrame {
  if (real === undefined) {
    const path = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
    const table = readEco2mix(Deno.readFileSync(path), "eCO2mix_RTE_En-cours-TR_2025.xls");
    real = toSilver(toBronze([table], { ingestedAt: new Date("2025-07-26T00:00:00Z") })).silver;
  }
  return real;
}

/**
 * Forecasts of two naive models on the last 20 % of a silver frame (persistence one day and one
 * hour back), in the predictions-table shape, to exercise the ML charts on real numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { persistencePredictions, realSilver2025 } from "./_testdata.ts";
 * const p = persistencePredictions(realSilver2025());
 * assert.deepEqual(p.columns, ["timestamp", "model", "horizon", "prediction", "actual"]);
 * ```
 */
export function persistencePredictions(silver: pl.DataFrame): pl.DataFrame {
  const rows = silver.filter(pl.col("jeu_donnees").eq(pl.lit("eco2mix"))).sort("timestamp_utc");
  const start = Math.floor(rows.height * 0.8);
  const model = (name: string, horizon: string, steps: number) =>
    rows.select(
      pl.col("timestamp_utc").alias("timestamp"),
      pl.lit(name).alias("model"),
      pl.lit(horizon).alias("horizon"),
      pl.col("consommation").shift(steps).alias("prediction"),
      pl.col("consommation").alias("actual"),
    ).slice(start, rows.height - start).filter(pl.col("prediction").isNotNull());
  return pl.concat([model("persistance_24h", "J-1", 96), model("persistance_1h", "1h", 4)]);
}
