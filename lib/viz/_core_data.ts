/**
 * Portable core, part 1: the hourly data model and the reductions every figure needs.
 *
 * Every function of the `_core_*.ts` modules runs twice: in Deno (notebook figures, tests) and
 * in the dashboard page, where `dashboard.ts` inlines it through `Function.prototype.toString`
 * so that the page redraws every chart from the filtered rows with exactly the same code.
 * Hence the rules of these modules: export only plain functions (no classes, no module-level
 * values); reference nothing but each other, the palette constants `SOURCES`, `COUNTRIES` and
 * `COLORS` (re-declared in the page under the same names), the self-contained formatters of
 * `lib/notebook/format.ts` that `_core_format.ts` re-exports, and standard globals.
 *
 * @module
 */

import { COUNTRIES, SOURCES } from "./palette.ts";

/** A plotly figure: plain JSON, as `Plotly.newPlot(div, data, layout)` takes it. */
export interface Figure {
  /** Traces. */
  data: Record<string, unknown>[];
  /** Layout (titles, axes, legend...). */
  layout: Record<string, unknown>;
}

/**
 * Hourly (or k-hourly) means of one perimeter, columnar and JSON-able: what the figures and the
 * dashboard read. Rows are in time order; local dates and hours are Europe/Paris wall-clock, so
 * the autumn DST day has 25 rows and the spring one 23.
 */
export interface HourlyData {
  /** Perimeter (`France`, a region). */
  readonly perimeter: string;
  /** Bucket length in hours: 1, or a divisor of 24 for long periods. */
  readonly stepHours: number;
  /** UTC instant (ms) of the first bucket's start. */
  readonly t0: number;
  /** Local dates present, ascending (`YYYY-MM-DD`). */
  readonly days: readonly string[];
  /** Per row: bucket start in hours since `t0` (gaps show as jumps). */
  readonly t: readonly number[];
  /** Per row: index into `days`. */
  readonly day: readonly number[];
  /** Per row: local hour (0-23) of the bucket start. */
  readonly hour: readonly number[];
  /** Per row: hours of data in the bucket (1 for a complete hourly bucket). */
  readonly duration: readonly number[];
  /**
   * Mean power (MW) per row and column: silver's value columns, plus the import (`_imp`, >= 0)
   * and export (`_exp`, <= 0) parts of the exchange columns, split before averaging so that an
   * hour that changes direction keeps both flows.
   */
  readonly series: Readonly<Record<string, readonly (number | null)[]>>;
}

/** A time series ready to plot: x labels and one array of values per key. */
export interface PlotSeries {
  /** x values: local `YYYY-MM-DD HH:00` labels, or `YYYY-MM-DD` for daily points. */
  readonly x: (string | null)[];
  /** Values per key, aligned with x (null: no data, breaks the line). */
  readonly y: Record<string, (number | null)[]>;
  /** Daily minimum and maximum of the row means per key (daily resolution only). */
  readonly min: Record<string, (number | null)[]>;
  readonly max: Record<string, (number | null)[]>;
  /** `heure` or `jour`. */
  readonly resolution: "heure" | "jour";
}

/**
 * The values of a column, or `undefined` when the column is absent or entirely null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valuesOf } from "./_core_data.ts";
 * const h = { series: { a: [1, null], b: [null, null] } };
 * assert.equal(valuesOf(h as never, "a")?.length, 2);
 * assert.equal(valuesOf(h as never, "b"), undefined);
 * ```
 */
export function valuesOf(h: HourlyData, key: string): readonly (number | null)[] | undefined {
  const values = h.series[key];
  if (!values) return undefined;
  for (const v of values) if (v !== null) return values;
  return undefined;
}

/**
 * The production sources (palette order) that have data in `h`. `thermique` (the fossil total)
 * counts only without the three fuels: silver computes it on national rows too, where adding it
 * would count gas, coal and oil twice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { presentSources } from "./_core_data.ts";
 * const h = { series: { solaire: [1], nucleaire: [2], gaz: [3], thermique: [3], fioul: [null] } };
 * assert.deepEqual(presentSources(h as never).map((s) => s.key), ["nucleaire", "solaire", "gaz"]);
 * const region = { series: { nucleaire: [2], thermique: [3] } };
 * assert.deepEqual(presentSources(region as never).map((s) => s.key), ["nucleaire", "thermique"]);
 * ```
 */
export function presentSources(h: HourlyData): typeof SOURCES[number][] {
  const present = SOURCES.filter((s) => valuesOf(h, s.key) !== undefined);
  const fuels = present.some((s) => s.family === "fossile" && s.key !== "thermique");
  return fuels ? present.filter((s) => s.key !== "thermique") : present;
}

/**
 * The commercial borders that have data in `h` (their `_imp` / `_exp` parts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { presentCountries } from "./_core_data.ts";
 * const h = { series: { ech_comm_suisse_imp: [1], ech_comm_suisse_exp: [0] } };
 * assert.deepEqual(presentCountries(h as never).map((c) => c.country), ["Suisse"]);
 * ```
 */
export function presentCountries(h: HourlyData): typeof COUNTRIES[number][] {
  return COUNTRIES.filter((c) =>
    valuesOf(h, c.key + "_imp") !== undefined || valuesOf(h, c.key + "_exp") !== undefined
  );
}

/**
 * The rows of `h` whose local date lies in [`from`, `to`] (inclusive, `YYYY-MM-DD`; an empty
 * bound is open).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sliceDays } from "./_core_data.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01", "2025-01-02"],
 *   t: [0, 24], day: [0, 1], hour: [0, 0], duration: [1, 1], series: { consommation: [5, 6] } };
 * const s = sliceDays(h, "2025-01-02", "");
 * assert.deepEqual(s.days, ["2025-01-02"]);
 * assert.deepEqual(s.series.consommation, [6]);
 * ```
 */
export function sliceDays(h: HourlyData, from: string, to: string): HourlyData {
  let first = 0;
  while (first < h.days.length && from !== "" && h.days[first] < from) first++;
  let last = h.days.length - 1;
  while (last >= first && to !== "" && h.days[last] > to) last--;
  const rows: number[] = [];
  for (let i = 0; i < h.day.length; i++) {
    if (h.day[i] >= first && h.day[i] <= last) rows.push(i);
  }
  const pick = <T>(values: readonly T[]) => rows.map((i) => values[i]);
  const series: Record<string, (number | null)[]> = {};
  for (const key of Object.keys(h.series)) series[key] = pick(h.series[key]);
  return {
    perimeter: h.perimeter,
    stepHours: h.stepHours,
    t0: h.t0,
    days: h.days.slice(first, last + 1),
    t: pick(h.t),
    day: rows.map((i) => h.day[i] - first),
    hour: pick(h.hour),
    duration: pick(h.duration),
    series,
  };
}

/**
 * Energy (MWh) of a column over all rows: mean power x hours of data, nulls skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { energyOf } from "./_core_data.ts";
 * const h = { duration: [1, 0.5, 1], series: { x: [100, 40, null] } };
 * assert.equal(energyOf(h as never, "x"), 120);
 * ```
 */
export function energyOf(h: HourlyData, key: string): number {
  const values = h.series[key];
  if (!values) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null) sum += v * h.duration[i];
  }
  return sum;
}

/**
 * Sum of several columns per row; null when every term is null (a source absent from the row
 * counts as 0 only when another one is present).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowSum } from "./_core_data.ts";
 * const h = { duration: [1, 1, 1], series: { a: [1, null, null], b: [2, 3, null] } };
 * assert.deepEqual(rowSum(h as never, ["a", "b"]), [3, 3, null]);
 * ```
 */
export function rowSum(h: HourlyData, keys: readonly string[]): (number | null)[] {
  const out: (number | null)[] = new Array(h.duration.length).fill(null);
  for (const key of keys) {
    const values = h.series[key];
    if (!values) continue;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== null) out[i] = (out[i] ?? 0) + v;
    }
  }
  return out;
}

/**
 * Per local day: duration-weighted mean, minimum and maximum of row values (nulls skipped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dailyStats } from "./_core_data.ts";
 * const h = { days: ["2025-01-01", "2025-01-02"], day: [0, 0, 1], duration: [1, 1, 1] };
 * const d = dailyStats(h as never, [10, 20, null]);
 * assert.deepEqual(d.mean, [15, null]);
 * assert.equal(d.min[0], 10);
 * assert.equal(d.max[0], 20);
 * ```
 */
export function dailyStats(
  h: HourlyData,
  values: readonly (number | null)[],
): { mean: (number | null)[]; min: (number | null)[]; max: (number | null)[] } {
  const n = h.days.length;
  const sum = new Array(n).fill(0);
  const weight = new Array(n).fill(0);
  const min: (number | null)[] = new Array(n).fill(null);
  const max: (number | null)[] = new Array(n).fill(null);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) continue;
    const d = h.day[i];
    sum[d] += v * h.duration[i];
    weight[d] += h.duration[i];
    const lo = min[d];
    const hi = max[d];
    if (lo === null || v < lo) min[d] = v;
    if (hi === null || v > hi) max[d] = v;
  }
  const mean = sum.map((s, d) => (weight[d] > 0 ? s / weight[d] : null));
  return { mean, min, max };
}

/**
 * Per local day: ratio (%) of the energies of two groups of columns, e.g. renewable /
 * production; null on a day without denominator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dailyShare } from "./_core_data.ts";
 * const h = { days: ["d"], day: [0, 0], duration: [1, 1], series: { a: [1, 3], b: [3, 5] } };
 * assert.equal(dailyShare(h as never, ["a"], ["a", "b"])[0], 100 * 4 / 12);
 * ```
 */
export function dailyShare(
  h: HourlyData,
  numerator: readonly string[],
  denominator: readonly string[],
): (number | null)[] {
  const num = rowSum(h, numerator);
  const den = rowSum(h, denominator);
  const n = h.days.length;
  const a = new Array(n).fill(0);
  const b = new Array(n).fill(0);
  for (let i = 0; i < den.length; i++) {
    const d = den[i];
    if (d === null) continue;
    a[h.day[i]] += (num[i] ?? 0) * h.duration[i];
    b[h.day[i]] += d * h.duration[i];
  }
  return b.map((x, d) => (x > 0 ? (100 * a[d]) / x : null));
}

/**
 * Local wall-clock label of each row (`YYYY-MM-DD HH:00`), the x values of hourly charts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowLabels } from "./_core_data.ts";
 * const h = { days: ["2025-03-30"], day: [0, 0], hour: [1, 3] };
 * assert.deepEqual(rowLabels(h as never), ["2025-03-30 01:00", "2025-03-30 03:00"]);
 * ```
 */
export function rowLabels(h: HourlyData): string[] {
  return h.day.map((d, i) => h.days[d] + " " + (h.hour[i] < 10 ? "0" : "") + h.hour[i] + ":00");
}

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` date (calendar arithmetic, no time zone).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumber } from "./_core_data.ts";
 * assert.equal(dayNumber("1970-01-02"), 1);
 * assert.equal(dayNumber("2025-03-01") - dayNumber("2025-02-28"), 1);
 * ```
 */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

/**
 * ISO weekday of a `YYYY-MM-DD` date: 1 = Monday ... 7 = Sunday.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isoWeekday } from "./_core_data.ts";
 * assert.equal(isoWeekday("2025-01-01"), 3);
 * assert.equal(isoWeekday("2025-01-05"), 7);
 * ```
 */
export function isoWeekday(date: string): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/**
 * A time series at hourly resolution when the period is short (`maxHourlyDays` days or fewer)
 * and daily otherwise (duration-weighted daily means, with the daily min/max of the row means).
 * A missing stretch gets a null point so that lines break instead of bridging it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeSeries } from "./_core_data.ts";
 * const h = { stepHours: 1, days: ["2025-01-01"], t: [0, 1, 3], day: [0, 0, 0],
 *   hour: [0, 1, 3], duration: [1, 1, 1], series: { c: [1, 2, 4] } };
 * const s = timeSeries(h as never, { c: h.series.c }, 31);
 * assert.equal(s.resolution, "heure");
 * assert.deepEqual(s.y.c, [1, 2, null, 4]); // null breaks the line at 02:00
 * ```
 */
export function timeSeries(
  h: HourlyData,
  columns: Record<string, readonly (number | null)[]>,
  maxHourlyDays: number,
): PlotSeries {
  const keys = Object.keys(columns);
  const y: Record<string, (number | null)[]> = {};
  const min: Record<string, (number | null)[]> = {};
  const max: Record<string, (number | null)[]> = {};
  for (const k of keys) {
    y[k] = [];
    min[k] = [];
    max[k] = [];
  }
  const x: (string | null)[] = [];
  if (h.days.length <= maxHourlyDays && h.stepHours < 24) {
    const labels = rowLabels(h);
    for (let i = 0; i < labels.length; i++) {
      if (i > 0 && h.t[i] - h.t[i - 1] > h.stepHours) {
        x.push(labels[i]);
        for (const k of keys) y[k].push(null);
      }
      x.push(labels[i]);
      for (const k of keys) y[k].push(columns[k][i]);
    }
    return { x, y, min, max, resolution: "heure" };
  }
  const stats: Record<string, ReturnType<typeof dailyStats>> = {};
  for (const k of keys) stats[k] = dailyStats(h, columns[k]);
  for (let d = 0; d < h.days.length; d++) {
    if (d > 0 && dayNumber(h.days[d]) - dayNumber(h.days[d - 1]) > 1) {
      x.push(h.days[d]);
      for (const k of keys) {
        y[k].push(null);
        min[k].push(null);
        max[k].push(null);
      }
    }
    x.push(h.days[d]);
    for (const k of keys) {
      y[k].push(stats[k].mean[d]);
      min[k].push(stats[k].min[d]);
      max[k].push(stats[k].max[d]);
    }
  }
  return { x, y, min, max, resolution: "jour" };
}

/**
 * Mean of row values per local hour of day (the bucket start hours present), with the 10th and
 * 90th percentiles across rows; `keep` selects rows (e.g. weekends only).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hourProfile } from "./_core_data.ts";
 * const h = { hour: [0, 1, 0, 1], duration: [1, 1, 1, 1], day: [0, 0, 1, 1] };
 * const p = hourProfile(h as never, [10, 20, 30, 40]);
 * assert.deepEqual(p.hours, [0, 1]);
 * assert.deepEqual(p.mean, [20, 30]);
 * ```
 */
export function hourProfile(
  h: HourlyData,
  values: readonly (number | null)[],
  keep?: (row: number) => boolean,
): { hours: number[]; mean: (number | null)[]; q10: (number | null)[]; q90: (number | null)[] } {
  const byHour: number[][] = [];
  const weights: number[][] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || (keep && !keep(i))) continue;
    (byHour[h.hour[i]] ??= []).push(v);
    (weights[h.hour[i]] ??= []).push(h.duration[i]);
  }
  const hours: number[] = [];
  const mean: (number | null)[] = [];
  const q10: (number | null)[] = [];
  const q90: (number | null)[] = [];
  for (let hour = 0; hour < 24; hour++) {
    const vs = byHour[hour];
    if (!vs) continue;
    let s = 0;
    let w = 0;
    for (let j = 0; j < vs.length; j++) {
      s += vs[j] * weights[hour][j];
      w += weights[hour][j];
    }
    const sorted = vs.slice().sort((a, b) => a - b);
    hours.push(hour);
    mean.push(w > 0 ? s / w : null);
    q10.push(quantile(sorted, 0.1));
    q90.push(quantile(sorted, 0.9));
  }
  return { hours, mean, q10, q90 };
}

/**
 * Quantile of sorted values with linear interpolation (numpy's default); null when empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantile } from "./_core_data.ts";
 * assert.equal(quantile([1, 2, 3, 4, 5], 0.1), 1.4);
 * assert.equal(quantile([], 0.5), null);
 * ```
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Pearson correlation of the pairs where both values are non-null; null with fewer than 3
 * pairs or a constant series.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pearson } from "./_core_data.ts";
 * assert.equal(pearson([1, 2, 3, null], [2, 4, 6, 1]), 1);
 * ```
 */
export function pearson(
  xs: readonly (number | null)[],
  ys: readonly (number | null)[],
): number | null {
  const fit = linearFit(xs, ys);
  return fit ? fit.r : null;
}

/**
 * Least-squares line y = slope x + intercept, with Pearson's r, over the non-null pairs; null
 * with fewer than 3 pairs or a constant series.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearFit } from "./_core_data.ts";
 * const fit = linearFit([0, 1, 2], [1, 3, 5]);
 * assert.equal(fit?.slope, 2);
 * assert.equal(fit.intercept, 1);
 * assert.equal(fit.r, 1);
 * ```
 */
export function linearFit(
  xs: readonly (number | null)[],
  ys: readonly (number | null)[],
): { slope: number; intercept: number; r: number; n: number } | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (x === null || y === null) continue;
    n++;
    sx += x;
    sy += y;
  }
  if (n < 3) return null;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (x === null || y === null) continue;
    sxx += (x - mx) * (x - mx);
    syy += (y - my) * (y - my);
    sxy += (x - mx) * (y - my);
  }
  if (sxx === 0 || syy === 0) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r: sxy / Math.sqrt(sxx * syy), n };
}

/**
 * Trailing rolling mean over `window` points, skipping nulls; null until `window` points.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rollingMean } from "./_core_data.ts";
 * assert.deepEqual(rollingMean([1, 2, 3, null, 5], 2), [null, 1.5, 2.5, 3, 5]);
 * ```
 */
export function rollingMean(values: readonly (number | null)[], window: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < values.length; i++) {
    if (i < window - 1) {
      out.push(null);
      continue;
    }
    let s = 0;
    let n = 0;
    for (let j = i - window + 1; j <= i; j++) {
      const v = values[j];
      if (v !== null) {
        s += v;
        n++;
      }
    }
    out.push(n > 0 ? s / n : null);
  }
  return out;
}
