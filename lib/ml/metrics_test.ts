import assert from "node:assert/strict";
import {
  accuracy,
  balancedAccuracy,
  bias,
  classificationMetrics,
  confusionMatrix,
  mae,
  mape,
  metricsByGroup,
  metricsByHour,
  metricsByMonth,
  r2,
  regressionMetrics,
  rmse,
} from "./metrics.ts";
import { MlInputError } from "./errors.ts";

const close = (a: number, b: number, eps = 1e-12) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} != ${b}`);

// Hand-computed example: actual [50, 60, 40, 80], forecast [55, 57, 40, 72].
// errors e = pred - actual = [5, -3, 0, -8]
// MAE = 16/4 = 4; RMSE = sqrt((25+9+0+64)/4) = sqrt(24.5); bias = -6/4 = -1.5
// MAPE = (5/50 + 3/60 + 0 + 8/80)/4 * 100 = (0.1 + 0.05 + 0.1)/4*100 = 6.25
// mean actual = 57.5; SS_tot = 56.25+6.25+306.25+506.25 = 875; SS_res = 98; R2 = 1 - 98/875
const actual = [50, 60, 40, 80];
const forecast = [55, 57, 40, 72];

Deno.test("regression metrics match hand-computed values", () => {
  assert.equal(mae(actual, forecast), 4);
  close(rmse(actual, forecast), Math.sqrt(24.5));
  assert.equal(bias(actual, forecast), -1.5);
  close(mape(actual, forecast), 6.25);
  close(r2(actual, forecast), 1 - 98 / 875);
  const all = regressionMetrics(Float64Array.from(actual), Float64Array.from(forecast));
  assert.equal(all.n, 4);
  assert.equal(all.mae, 4);
  close(all.rmse, Math.sqrt(24.5));
  close(all.mape, 6.25);
  assert.equal(all.bias, -1.5);
  close(all.r2, 1 - 98 / 875);
});

Deno.test("r2 of constant actuals follows scikit-learn", () => {
  assert.equal(r2([3, 3], [3, 3]), 1);
  assert.equal(r2([3, 3], [3, 4]), 0);
  assert.equal(r2([1, 2, 3], [2, 2, 2]), 0);
});

Deno.test("bad input is rejected with the row named", () => {
  assert.throws(() => mae([1, 2], [1]), MlInputError);
  assert.throws(() => mae([], []), /empty/);
  assert.throws(() => rmse([1, NaN], [1, 2]), /row 1 is NaN/);
  assert.throws(() => mape([1, 0, 2], [1, 1, 1]), /row 1 is 0/);
  assert.ok(Number.isNaN(regressionMetrics([1, 0], [1, 1]).mape));
  assert.equal(regressionMetrics([1, 0], [1, 1]).mae, 0.5);
});

Deno.test("metricsByGroup splits rows by key and sorts keys", () => {
  const groups = ["b", 2, "b", 1];
  const rows = metricsByGroup(actual, forecast, groups);
  assert.deepEqual(rows.map((r) => r.group), [1, 2, "b"]);
  // group 1: row 3 (e=-8); group 2: row 1 (e=-3); group "b": rows 0 and 2 (e=5, 0)
  assert.deepEqual(rows.map((r) => r.n), [1, 1, 2]);
  assert.equal(rows[0].mae, 8);
  assert.equal(rows[1].bias, -3);
  assert.equal(rows[2].mae, 2.5);
  close(rows[2].mape, (5 / 50 / 2) * 100);
  close(rows[2].r2, 1 - 25 / 50); // actual 50, 40: mean 45, SS_tot 50; SS_res 25
});

Deno.test("metricsByHour and metricsByMonth use Paris local time across DST", () => {
  // 2025-03-30: Paris goes from UTC+1 to UTC+2 at 01:00 UTC.
  const t = [
    Date.UTC(2025, 2, 30, 0, 30), // 01:30 CET
    Date.UTC(2025, 2, 30, 1, 30), // 03:30 CEST
    Date.UTC(2025, 2, 30, 2, 30), // 04:30 CEST
    Date.UTC(2025, 2, 31, 22, 0), // 2025-04-01 00:00 CEST
  ];
  const hours = metricsByHour(actual, forecast, t);
  assert.deepEqual(hours.map((r) => r.group), [0, 1, 3, 4]);
  assert.deepEqual(hours.map((r) => r.mae), [8, 5, 3, 0]);
  const months = metricsByMonth(actual, forecast, t);
  assert.deepEqual(months.map((r) => [r.group, r.n]), [[3, 3], [4, 1]]);
  const utcHours = metricsByHour(actual, forecast, t, "UTC");
  assert.deepEqual(utcHours.map((r) => r.group), [0, 1, 2, 22]);
});

Deno.test("confusion matrix and per-class metrics match hand-computed values", () => {
  const yTrue = ["lt30", "lt30", "lt30", "30_50", "30_50", "50_70"];
  const yPred = ["lt30", "lt30", "30_50", "30_50", "lt30", "30_50"];
  const m = classificationMetrics(yTrue, yPred);
  assert.deepEqual(m.confusion.labels, ["30_50", "50_70", "lt30"]);
  assert.deepEqual(m.confusion.matrix, [
    [1, 0, 1],
    [1, 0, 0],
    [1, 0, 2],
  ]);
  assert.equal(m.accuracy, 3 / 6);
  // 30_50: precision 1/3, recall 1/2; 50_70: 0, 0; lt30: precision 2/3, recall 2/3
  close(m.perClass[0].precision, 1 / 3);
  close(m.perClass[0].recall, 1 / 2);
  close(m.perClass[0].f1, (2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2));
  assert.deepEqual([m.perClass[1].precision, m.perClass[1].recall, m.perClass[1].f1], [0, 0, 0]);
  close(m.perClass[2].f1, 2 / 3);
  assert.deepEqual(m.perClass.map((c) => c.support), [2, 1, 3]);
  close(m.balancedAccuracy, (1 / 2 + 0 + 2 / 3) / 3);
  close(m.macroF1, (0.4 + 0 + 2 / 3) / 3);
  close(balancedAccuracy(yTrue, yPred), (1 / 2 + 2 / 3) / 3);
  assert.equal(accuracy(yTrue, yPred), 0.5);
});

Deno.test("classes absent from the actual labels do not count in balanced accuracy", () => {
  const m = classificationMetrics([0, 0, 1], [0, 2, 1]);
  assert.deepEqual(m.confusion.labels, [0, 1, 2]);
  assert.equal(m.perClass[2].support, 0);
  assert.equal(m.balancedAccuracy, (1 / 2 + 1) / 2);
});

Deno.test("explicit labels fix the order and reject unknown labels", () => {
  const cm = confusionMatrix(["b", "a"], ["b", "b"], ["b", "a", "c"]);
  assert.deepEqual(cm.matrix, [
    [1, 0, 0],
    [1, 0, 0],
    [0, 0, 0],
  ]);
  assert.throws(() => confusionMatrix(["x"], ["a"], ["a"]), /row 0 has unknown label "x"/);
});

Deno.test("per-hour metrics accept Date objects and reject invalid instants", () => {
  const t = [new Date(Date.UTC(2025, 0, 15, 7)), new Date(Date.UTC(2025, 6, 15, 7))];
  // 08:00 in winter (UTC+1), 09:00 in summer (UTC+2).
  assert.deepEqual(metricsByHour([1, 2], [1, 3], t).map((r) => [r.group, r.mae]), [[8, 0], [9, 1]]);
  assert.throws(() => metricsByHour([1], [1], [new Date(NaN)]), /row 0/);
});
