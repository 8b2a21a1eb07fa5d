import assert from "node:assert/strict";
import { backtestPeriods, backtestWeeks } from "./backtest_plan.ts";
import { backtestTestData as data } from "./_backtest_testdata.ts";

Deno.test("periods and weeks of the real 2025 file: one period, monthly or weekly retraining", async () => {
  const { realTime } = await data();
  const periods = backtestPeriods(realTime);
  // The 9,869 measured half-hours of the file (series_test.ts) all have RTE's J-1 and J.
  assert.deepEqual(periods, [{
    start: Date.UTC(2024, 11, 31, 23),
    end: Date.UTC(2025, 6, 25, 13),
    halfHours: 9869,
  }]);
  const monthly = backtestWeeks(periods, "mois");
  const weekly = backtestWeeks(periods, "semaine");
  assert.equal(monthly.length, 30); // Wednesday 1 January to Friday 25 July
  assert.deepEqual(monthly.map((w) => w.week), weekly.map((w) => w.week));
  assert.ok(weekly.every((w, k) => w.modelWeek === k));
  // Monthly: retrained on 1 January, then in the first week starting in each new month.
  const retrained = monthly.filter((w, k) => w.modelWeek === k).map((w) => w.week);
  assert.deepEqual(retrained, [
    "2024-12-30",
    "2025-02-03",
    "2025-03-03",
    "2025-04-07",
    "2025-05-05",
    "2025-06-02",
    "2025-07-07",
  ]);
  // Every week forecast by the models of a week at or before it, in the same month.
  for (const w of monthly) {
    const source = monthly[w.modelWeek];
    assert.ok(source.start <= w.start);
    assert.ok(w.end - source.start < 35 * 86_400_000);
  }
});
