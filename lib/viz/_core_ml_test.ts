import assert from "node:assert/strict";
import {
  errorByHourSpec,
  errorsOf,
  errorStats,
  importanceSpec,
  type PredictionData,
  predictionsSpec,
  slicePredictions,
} from "./_core_ml.ts";

const P: PredictionData = {
  days: ["2025-01-01", "2025-01-02", "2025-02-15"],
  series: [{
    model: "gbdt",
    name: "gradient boosting",
    horizon: "J-1",
    day: [0, 0, 1, 2],
    minute: [0, 90, 0, 1_425],
    prediction: [110, 95, 0, 210],
    actual: [100, 100, 0, null],
  }, {
    model: "RTE",
    name: "RTE",
    horizon: "J",
    day: [1],
    minute: [60],
    prediction: [50],
    actual: [40],
  }],
};

Deno.test("error statistics skip missing actuals, MAPE skips zero actuals", () => {
  const stats = errorStats(P.series[0]);
  assert.equal(stats.mae, 15 / 3);
  assert.equal(stats.bias, 5 / 3);
  assert.ok(Math.abs((stats.mape as number) - 7.5) < 1e-12); // (10 % + 5 %) / 2
  assert.deepEqual(errorsOf(P.series[0]), [10, -5, 0]);
  const none = slicePredictions(P, "2025-03-01", "");
  assert.deepEqual(errorStats(none.series[0]), { mae: null, bias: null, mape: null });
});

Deno.test("slicing predictions re-indexes days for every series", () => {
  const s = slicePredictions(P, "2025-01-02", "2025-02-15");
  assert.deepEqual(s.days, ["2025-01-02", "2025-02-15"]);
  assert.deepEqual(s.series[0].day, [0, 1]);
  assert.deepEqual(s.series[0].prediction, [0, 210]);
  assert.deepEqual(s.series[1].day, [0]);
});

Deno.test("predictions chart: native step when short, daily means when long", () => {
  const detail = predictionsSpec(P);
  assert.deepEqual(detail.data[0].x, [
    "2025-01-01 00:00",
    "2025-01-01 01:30",
    "2025-01-02 00:00",
    "2025-02-15 23:45",
  ]);
  assert.equal(detail.data[2].name, "RTE (J)");
  assert.deepEqual((detail.data[2].line as { dash: string }).dash, "dot");
  const daily = predictionsSpec(P, { maxDetailDays: 2 });
  assert.deepEqual(daily.data[0].x, ["2025-01-01", "2025-01-02"]); // no actual on 15 Feb
  assert.deepEqual(daily.data[0].y, [100, 0]);
  assert.deepEqual(daily.data[1].y, [102.5, 0, 210]);
});

Deno.test("MAE by hour uses the local hour of the target instant", () => {
  const fig = errorByHourSpec(P);
  assert.deepEqual(fig.data[0].x, [0, 1]);
  assert.deepEqual(fig.data[0].y, [5, 5]); // 0 h: |10| and |0|; 1 h (01:30): |-5|
  assert.deepEqual(fig.data[1].y, [10]);
});

Deno.test("importance: top features by mean across models, empty table says so", () => {
  const fig = importanceSpec({
    feature: ["a", "b", "c"],
    importance: [3, 1, 2],
    model: ["m", "m", "m"],
    unit: "gain",
  }, { top: 2 });
  assert.deepEqual(fig.data[0].y, ["c", "a"]);
  assert.match(
    String((fig.layout.title as { subtitle: { text: string } }).subtitle.text),
    /^2 variables les plus importantes sur 3/,
  );
  const empty = importanceSpec({ feature: [], importance: [], model: [], unit: "" });
  assert.equal(
    (empty.layout.annotations as { text: string }[])[0].text,
    "Aucune importance fournie",
  );
});
