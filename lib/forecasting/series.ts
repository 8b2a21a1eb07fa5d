/**
 * The half-hourly national series the consumption models learn from and forecast, on a regular
 * UTC grid (one slot every 30 minutes, NaN where nothing was measured).
 *
 * **Half-hourly resolution.** Models are trained on ODRÉ's 2012-2025 history, which is
 * half-hourly, and scored at the same resolution: of the real-time file's 15-minute rows, those
 * at :00 and :30 are kept (the value at the instant, not a mean of two quarter-hours), as RTE's
 * J-1 forecast is compared at half-hourly resolution too.
 *
 * **Two sources, one level.** ODRÉ's consolidated history (`jeu_donnees` `consommation_brute`)
 * runs about 1 GW (2 %) above the real-time eCO2mix `consommation` on the same half-hours (a
 * different measurement perimeter and revision stage). {@linkcode spliceSeries} takes the history
 * up to the first real-time instant and the real-time data from there, and records the source of
 * every slot (`source`: 0 history, 1 real-time), so that features can tell the model which level
 * it is looking at and the scores are computed on the real-time values users compare with RTE.
 * The gap is neither constant nor flat over the day (measured on the shared files, same
 * half-hours): 0.7 % in June 2016, 1.7 % in December 2021, 2.0 % in January-July 2025, where it
 * runs from 0.3 % at midnight to 3.5-4 % at 06:00, 18:00 and 22:00. The relative target and the
 * lags read at the same hour carry the real-time shape: the day-ahead model's mean error by hour
 * stays within ±0.3 % in 2025 on the backtest.
 *
 * @module
 */

import pl from "nodejs-polars";
import { floorDiv, HALF_HOUR_MS } from "../layers/time_keys.ts";
import { localDayNumber, parisInstant } from "./calendar.ts";
import { MlInputError } from "../ml/mod.ts";

/** Length of one slot. */
export { HALF_HOUR_MS };

/** Source codes of the `source` column. */
export const SOURCE_HISTORY = 0;
export const SOURCE_REAL_TIME = 1;

/**
 * Measured and forecast values on a regular half-hourly UTC grid. The value arrays are silver's
 * columns under their own (French) names: they are filled column by column from silver; the
 * other fields are code.
 */
export interface HalfHourlySeries {
  /** First slot (UTC epoch ms, on :00 or :30). */
  readonly startMs: number;
  /** Consumption (MW); NaN where not measured. */
  readonly consommation: Float64Array;
  /** Wind and solar production (MW); NaN where not published (the history has none). */
  readonly eolien: Float64Array;
  readonly solaire: Float64Array;
  /** RTE's day-ahead and intraday forecasts of the slot (MW), NaN where absent. */
  readonly prevision_j1: Float64Array;
  readonly prevision_j: Float64Array;
  /** {@linkcode SOURCE_HISTORY} or {@linkcode SOURCE_REAL_TIME} per slot (history by default). */
  readonly source: Uint8Array;
}

const VALUE_COLUMNS = ["consommation", "eolien", "solaire", "prevision_j1", "prevision_j"] as const;

/**
 * Instant of slot `i`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slotInstant } from "./series.ts";
 * const series = { startMs: Date.UTC(2025, 0, 1) } as Parameters<typeof slotInstant>[0];
 * assert.equal(slotInstant(series, 3), Date.UTC(2025, 0, 1, 1, 30));
 * ```
 */
export function slotInstant(series: Pick<HalfHourlySeries, "startMs">, i: number): number {
  return series.startMs + i * HALF_HOUR_MS;
}

/**
 * Slot index of an instant (floor: an instant between two slots belongs to the earlier one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slotIndex } from "./series.ts";
 * const series = { startMs: Date.UTC(2025, 0, 1) } as Parameters<typeof slotIndex>[0];
 * assert.equal(slotIndex(series, Date.UTC(2025, 0, 1, 1, 45)), 3);
 * ```
 */
export function slotIndex(series: Pick<HalfHourlySeries, "startMs">, epochMs: number): number {
  return floorDiv(epochMs - series.startMs, HALF_HOUR_MS);
}

/**
 * Number of slots of a series.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesFromColumns, seriesLength } from "./series.ts";
 * const s = seriesFromColumns([Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 1)], { consommation: [1, 2] });
 * assert.equal(seriesLength(s), 3); // 00:00, 00:30 (missing), 01:00
 * ```
 */
export function seriesLength(series: HalfHourlySeries): number {
  return series.consommation.length;
}

/**
 * Lays rows (UTC instants and values) on the half-hourly grid from the first to the last
 * instant. Rows off the :00/:30 grid are dropped (15-minute quarter-hours); two rows on the same
 * slot are an error naming the instant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesFromColumns } from "./series.ts";
 * const t0 = Date.UTC(2025, 0, 1);
 * const s = seriesFromColumns([t0, t0 + 900_000, t0 + 1_800_000], { consommation: [60, 61, 62] });
 * assert.deepEqual([...s.consommation], [60, 62]); // the 00:15 row is not on the grid
 * ```
 */
export function seriesFromColumns(
  epochMs: ArrayLike<number>,
  values: Partial<Record<(typeof VALUE_COLUMNS)[number], ArrayLike<number | null>>>,
  source = SOURCE_HISTORY,
): HalfHourlySeries {
  const onGrid: number[] = [];
  for (let i = 0; i < epochMs.length; i++) {
    if (!Number.isFinite(epochMs[i])) throw new MlInputError(`series: instant of row ${i} is NaN`);
    if (epochMs[i] % HALF_HOUR_MS === 0) onGrid.push(i);
  }
  if (onGrid.length === 0) throw new MlInputError("series: no row at :00 or :30");
  let first = Infinity;
  let last = -Infinity;
  for (const i of onGrid) {
    first = Math.min(first, epochMs[i]);
    last = Math.max(last, epochMs[i]);
  }
  const n = (last - first) / HALF_HOUR_MS + 1;
  const columns = Object.fromEntries(
    VALUE_COLUMNS.map((name) => [name, new Float64Array(n).fill(NaN)]),
  ) as Record<(typeof VALUE_COLUMNS)[number], Float64Array>;
  const seen = new Uint8Array(n);
  for (const i of onGrid) {
    const k = (epochMs[i] - first) / HALF_HOUR_MS;
    if (seen[k]) {
      throw new MlInputError(`series: two rows at ${new Date(epochMs[i]).toISOString()}`);
    }
    seen[k] = 1;
    for (const name of VALUE_COLUMNS) {
      const v = values[name]?.[i];
      if (v !== null && v !== undefined) columns[name][k] = v;
    }
  }
  return { startMs: first, ...columns, source: new Uint8Array(n).fill(source) };
}

/**
 * The national series of one silver data set (`eco2mix` real-time or consolidated rows, or
 * `consommation_brute` history): rows of `perimetre` France, on the half-hourly grid. Returns
 * null when silver has no such row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { seriesFromSilver } from "./series.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix", "eco2mix"], perimetre: ["France", "France"],
 *   timestamp_utc: [Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 0, 30)],
 *   consommation: [70_000, 69_000],
 * }).withColumns(pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"));
 * const s = seriesFromSilver(silver, "eco2mix", 1)!;
 * assert.deepEqual([...s.consommation], [70_000, 69_000]);
 * assert.ok(Number.isNaN(s.eolien[0]) && s.source[0] === 1);
 * ```
 */
export function seriesFromSilver(
  silver: pl.DataFrame,
  jeuDonnees: string,
  source: number,
  perimetre = "France",
): HalfHourlySeries | null {
  const rows = silver.filter(
    pl.col("jeu_donnees").eq(pl.lit(jeuDonnees)).and(pl.col("perimetre").eq(pl.lit(perimetre))),
  ).sort("timestamp_utc");
  if (rows.height === 0) return null;
  // Milliseconds whatever the stored unit: tables read back from Delta are in µs.
  const epochMs = rows.select(pl.col("timestamp_utc").cast(pl.Datetime("ms", "UTC")).cast(pl.Int64))
    .getColumn(
      "timestamp_utc",
    ).toArray().map(Number);
  const values: Partial<Record<(typeof VALUE_COLUMNS)[number], (number | null)[]>> = {};
  for (const name of VALUE_COLUMNS) {
    if (rows.columns.includes(name)) {
      values[name] = rows.getColumn(name).cast(pl.Float64).toArray() as (number | null)[];
    }
  }
  return seriesFromColumns(epochMs, values, source);
}

/**
 * History up to the first instant of `realTime`, then `realTime`: one series whose `source`
 * says where each slot comes from. Either may be null (the other is returned).
 *
 * The real-time data define the present: history after the first real-time instant is not
 * used, even when ODRÉ published it later, since it would be the future of the data forecast
 * (and its level differs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesFromColumns, spliceSeries } from "./series.ts";
 * const t = (h: number) => Date.UTC(2025, 0, 1, h);
 * const history = seriesFromColumns([t(0), t(1), t(2), t(5)], { consommation: [71, 72, 73, 75] }, 0);
 * const realTime = seriesFromColumns([t(1), t(2), t(3)], { consommation: [70, 71, 72] }, 1);
 * const s = spliceSeries(history, realTime)!;
 * assert.deepEqual([...s.consommation], [71, NaN, 70, NaN, 71, NaN, 72]);
 * assert.deepEqual([...s.source], [0, 0, 1, 1, 1, 1, 1]);
 * ```
 */
export function spliceSeries(
  history: HalfHourlySeries | null,
  realTime: HalfHourlySeries | null,
): HalfHourlySeries | null {
  if (!history || !realTime) return history ?? realTime;
  const startMs = Math.min(history.startMs, realTime.startMs);
  const n = slotIndex({ startMs }, slotInstant(realTime, seriesLength(realTime)));
  const switchAt = slotIndex({ startMs }, realTime.startMs);
  const hOffset = slotIndex({ startMs }, history.startMs);
  const pick = (name: (typeof VALUE_COLUMNS)[number]) => {
    const out = new Float64Array(n).fill(NaN);
    for (let k = 0; k < Math.min(switchAt - hOffset, seriesLength(history)); k++) {
      out[hOffset + k] = history[name][k];
    }
    out.set(realTime[name], switchAt);
    return out;
  };
  const source = new Uint8Array(n).fill(realTime.source[0]);
  source.fill(history.source[0], 0, switchAt);
  return {
    startMs,
    consommation: pick("consommation"),
    eolien: pick("eolien"),
    solaire: pick("solaire"),
    prevision_j1: pick("prevision_j1"),
    prevision_j: pick("prevision_j"),
    source,
  };
}

/** Level difference of two series on the slots where both are measured. */
export interface LevelShift {
  /** Slots compared. */
  n: number;
  /** Mean of `a - b` (MW). */
  meanMw: number;
  /** Mean of `(a - b) / b` (%). */
  meanPct: number;
  /** First and last instants compared (UTC epoch ms), NaN when none. */
  start: number;
  end: number;
}

/**
 * How much series `a` runs above series `b` where both are measured (e.g. ODRÉ's history above
 * the real-time file on the same half-hours of 2025).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { levelShift, seriesFromColumns } from "./series.ts";
 * const t = [0, 1, 2].map((h) => Date.UTC(2025, 0, 1, h));
 * const a = seriesFromColumns(t, { consommation: [102, 204, 306] });
 * const b = seriesFromColumns(t.slice(1), { consommation: [200, 300] });
 * const shift = levelShift(a, b);
 * assert.deepEqual([shift.n, shift.meanMw, shift.meanPct], [2, 5, 2]);
 * ```
 */
export function levelShift(a: HalfHourlySeries, b: HalfHourlySeries): LevelShift {
  let n = 0;
  let mw = 0;
  let pct = 0;
  let start = NaN;
  let end = NaN;
  for (let i = 0; i < seriesLength(a); i++) {
    const t = slotInstant(a, i);
    const j = slotIndex(b, t);
    if (j < 0 || j >= seriesLength(b)) continue;
    const va = a.consommation[i];
    const vb = b.consommation[j];
    if (Number.isNaN(va) || Number.isNaN(vb)) continue;
    n++;
    mw += va - vb;
    pct += (va - vb) / vb;
    if (Number.isNaN(start)) start = t;
    end = t;
  }
  return { n, meanMw: mw / n, meanPct: (100 * pct) / n, start, end };
}

/**
 * Mean consumption of every complete local day (all its half-hours measured: 46, 48 or 50 on
 * DST days), by day number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dailyMeans, seriesFromColumns } from "./series.ts";
 * const t0 = Date.UTC(2024, 11, 31, 23); // midnight in Paris
 * const t = Array.from({ length: 49 }, (_, i) => t0 + i * 1_800_000);
 * const means = dailyMeans(seriesFromColumns(t, { consommation: t.map((_, i) => (i < 48 ? 10 : 99)) }));
 * assert.deepEqual([...means.values()], [10]); // 2 January has one half-hour only
 * ```
 */
export function dailyMeans(series: HalfHourlySeries): Map<number, number> {
  const sums = new Map<number, { sum: number; count: number; slots: number }>();
  for (let i = 0; i < seriesLength(series); i++) {
    const day = localDayNumber(slotInstant(series, i));
    const entry = sums.get(day) ?? { sum: 0, count: 0, slots: 0 };
    entry.slots++;
    if (!Number.isNaN(series.consommation[i])) {
      entry.sum += series.consommation[i];
      entry.count++;
    }
    sums.set(day, entry);
  }
  const out = new Map<number, number>();
  for (const [day, { sum, count }] of sums) {
    const expected = (parisInstant(day + 1, 0) - parisInstant(day, 0)) / HALF_HOUR_MS;
    if (count === expected) out.set(day, sum / count);
  }
  return out;
}

/**
 * The slots of `series` from `fromMs` to `toMs` (both included, on the grid), as a series of
 * its own: e.g. one period of real-time data to splice after the history.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesFromColumns, sliceSeries } from "./series.ts";
 * const t = [0, 1, 2, 3].map((h) => Date.UTC(2025, 0, 1, h));
 * const s = sliceSeries(seriesFromColumns(t, { consommation: [1, 2, 3, 4] }, 1), t[1], t[2]);
 * assert.deepEqual([s.startMs, ...s.consommation], [t[1], 2, NaN, 3]);
 * assert.equal(s.source[0], 1);
 * ```
 */
export function sliceSeries(
  series: HalfHourlySeries,
  fromMs: number,
  toMs: number,
): HalfHourlySeries {
  const start = Math.max(0, slotIndex(series, fromMs));
  const end = Math.min(seriesLength(series), slotIndex(series, toMs) + 1);
  if (!(end > start)) {
    throw new MlInputError(
      `sliceSeries: no slot between ${new Date(fromMs).toISOString()} and ${
        new Date(toMs).toISOString()
      }`,
    );
  }
  const cut = (values: Float64Array) => values.slice(start, end);
  return {
    startMs: slotInstant(series, start),
    consommation: cut(series.consommation),
    eolien: cut(series.eolien),
    solaire: cut(series.solaire),
    prevision_j1: cut(series.prevision_j1),
    prevision_j: cut(series.prevision_j),
    source: series.source.slice(start, end),
  };
}
