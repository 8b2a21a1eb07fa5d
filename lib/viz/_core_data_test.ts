import assert from "node:assert/strict";
import {
  dailyShare,
  dailyStats,
  dayNumber,
  type HourlyData,
  hourProfile,
  isoWeekday,
  linearFit,
  pearson,
  presentCountries,
  presentSources,
  quantile,
  rollingMean,
  rowSum,
  sliceDays,
  timeSeries,
} from "./_core_data.ts";

/** Hourly data from rows [day index, hour, duration, t, ...values of `keys`]. */
function data(
  days: string[],
  keys: string[],
  rows: [number, number, number, number, ...(number | null)[]][],
): HourlyData {
  const series: Record<string, (number | null)[]> = {};
  keys.forEach((k, i) => (series[k] = rows.map((r) => r[4 + i] as number | null)));
  return {
    perimeter: "France",
    stepHours: 1,
    t0: 0,
    days,
    day: rows.map((r) => r[0]),
    hour: rows.map((r) => r[1]),
    duration: rows.map((r) => r[2]),
    t: rows.map((r) => r[3]),
    series,
  };
}

const H = data(["2025-01-01", "2025-01-02", "2025-01-05"], ["a", "b"], [
  [0, 0, 1, 0, 10, 1],
  [0, 1, 0.5, 1, 30, null],
  [0, 3, 1, 3, null, 2], // 02:00 missing
  [1, 0, 1, 24, 50, 5],
  [2, 0, 1, 96, 70, 7], // 3 and 4 January missing
]);

Deno.test("slicing by local date keeps the rows of the range and re-indexes the days", () => {
  const s = sliceDays(H, "2025-01-02", "");
  assert.deepEqual(s.days, ["2025-01-02", "2025-01-05"]);
  assert.deepEqual(s.day, [0, 1]);
  assert.deepEqual(s.series.a, [50, 70]);
  assert.deepEqual(s.t, [24, 96]);
  assert.deepEqual(sliceDays(H, "", "2025-01-01").series.b, [1, null, 2]);
  assert.deepEqual(sliceDays(H, "2025-01-03", "2025-01-04").days, []);
  assert.deepEqual(sliceDays(H, "", ""), { ...H, t: [...H.t] });
});

Deno.test("daily statistics are weighted by the hours of data, nulls skipped", () => {
  const d = dailyStats(H, H.series.a);
  assert.deepEqual(d.mean, [(10 * 1 + 30 * 0.5) / 1.5, 50, 70]);
  assert.deepEqual(d.min, [10, 50, 70]);
  assert.deepEqual(d.max, [30, 50, 70]);
  assert.deepEqual(rowSum(H, ["a", "b"]), [11, 30, 2, 55, 77]);
  // Share of a in a + b per day: (10 + 15 + 0) / (11 + 15 + 2) on day 1.
  assert.deepEqual(dailyShare(H, ["a"], ["a", "b"]), [
    (100 * 25) / 28,
    (100 * 50) / 55,
    (100 * 70) / 77,
  ]);
});

Deno.test("time series: a null point breaks the line over missing hours or days", () => {
  const hourly = timeSeries(H, { a: H.series.a }, 31);
  assert.equal(hourly.resolution, "heure");
  assert.deepEqual(hourly.x, [
    "2025-01-01 00:00",
    "2025-01-01 01:00",
    "2025-01-01 03:00",
    "2025-01-01 03:00",
    "2025-01-02 00:00",
    "2025-01-02 00:00",
    "2025-01-05 00:00",
    "2025-01-05 00:00",
  ]);
  assert.deepEqual(hourly.y.a, [10, 30, null, null, null, 50, null, 70]);
  const daily = timeSeries(H, { a: H.series.a }, 2);
  assert.equal(daily.resolution, "jour");
  assert.deepEqual(daily.x, ["2025-01-01", "2025-01-02", "2025-01-05", "2025-01-05"]);
  assert.deepEqual(daily.y.a, [25 / 1.5, 50, null, 70]);
  assert.deepEqual(daily.max.a, [30, 50, null, 70]);
});

Deno.test("hour profiles: weighted means and interpolated percentiles per local hour", () => {
  const p = hourProfile(H, H.series.a);
  assert.deepEqual(p.hours, [0, 1]);
  assert.deepEqual(p.mean, [(10 + 50 + 70) / 3, 30]);
  assert.deepEqual(p.q10, [10 + 0.2 * 40, 30]);
  assert.deepEqual(p.q90, [50 + 0.8 * 20, 30]);
  assert.deepEqual(hourProfile(H, H.series.a, (i) => H.day[i] === 1).mean, [50]);
  assert.equal(quantile([3], 0.9), 3);
});

Deno.test("statistics: least squares, Pearson r, trailing rolling mean", () => {
  const fit = linearFit([1, 2, 3, 4, null], [2, 4, 5, 8, 100]);
  // Independent: slope = cov / var = (sum (x-2.5)(y-4.75)) / 5 = 9.5 / 5.
  assert.ok(fit !== null);
  assert.equal(fit.slope, 1.9);
  assert.equal(fit.intercept, 4.75 - 1.9 * 2.5);
  assert.equal(fit.n, 4);
  assert.ok(Math.abs(fit.r - 9.5 / Math.sqrt(5 * 18.75)) < 1e-12);
  assert.equal(pearson([1, 2], [1, 2]), null); // fewer than 3 pairs
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), null); // constant
  assert.deepEqual(rollingMean([null, 4, 8, 6], 3), [null, null, 6, 6]);
});

Deno.test("calendar: day numbers and ISO weekdays without time zones", () => {
  assert.equal(dayNumber("2024-03-01") - dayNumber("2024-02-28"), 2); // leap year
  assert.equal(isoWeekday("2024-12-30"), 1);
  assert.equal(isoWeekday("1969-12-31"), 3);
  assert.equal(isoWeekday("2025-07-27"), 7);
});

Deno.test("present sources and borders: palette order, fossil total only without the fuels", () => {
  const national = data(["d"], ["gaz", "thermique", "nucleaire", "ech_comm_suisse_exp"], [[
    0,
    0,
    1,
    0,
    1,
    1,
    2,
    -3,
  ]]);
  assert.deepEqual(presentSources(national).map((s) => s.key), ["nucleaire", "gaz"]);
  assert.deepEqual(presentCountries(national).map((c) => c.label), ["Suisse"]);
  const region = data(["d"], ["thermique", "eolien", "gaz"], [[0, 0, 1, 0, 1, 1, null]]);
  assert.deepEqual(presentSources(region).map((s) => s.key), ["eolien", "thermique"]);
});
