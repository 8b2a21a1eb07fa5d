import assert from "node:assert/strict";
import { featureMatrix } from "../ml/mod.ts";
import type { ConsumptionFeatureSet } from "./features.ts";
import { baselineForecasts, residualAnalysis, scoreOnCommonRows } from "./forecast_scores.ts";

Deno.test("scores on common rows, checked by hand", () => {
  const actual = [100, 200, 400, 500];
  const { scores, rows } = scoreOnCommonRows(actual, {
    a: [110, 190, 400, 1],
    b: [100, 220, 380, NaN],
  });
  assert.deepEqual(rows, [0, 1, 2]);
  const [a, b] = scores;
  // a: errors +10, -10, 0 → MAE 20/3, RMSE √(200/3), MAPE (10 + 5 + 0) / 3 %, bias 0.
  assert.equal(a.n, 3);
  assert.ok(Math.abs(a.mae - 20 / 3) < 1e-12);
  assert.ok(Math.abs(a.rmse - Math.sqrt(200 / 3)) < 1e-12);
  assert.ok(Math.abs(a.mape - 5) < 1e-12);
  assert.equal(a.bias, 0);
  // b: errors 0, +20, -20 → MAE 40/3, MAPE (0 + 10 + 5) / 3 = 5 %, bias 0.
  assert.ok(Math.abs(b.mae - 40 / 3) < 1e-12);
  assert.ok(Math.abs(b.mape - 5) < 1e-12);
  assert.throws(() => scoreOnCommonRows([1], { a: [NaN] }), /no row where every forecast/);
});

Deno.test("baselines: persistence depends on the horizon", () => {
  const x = featureMatrix({ lag_1h: [1], lag_meme_heure: [2], lag_168h: [3] });
  const set = (horizon: "h1" | "j1") =>
    ({
      horizon,
      x,
      rteJ1: Float64Array.of(4),
      rteJ: Float64Array.of(5),
    }) as unknown as ConsumptionFeatureSet;
  assert.deepEqual(Object.values(baselineForecasts(set("h1"))).map((v) => v[0]), [1, 3, 4, 5]);
  assert.deepEqual(Object.values(baselineForecasts(set("j1"))).map((v) => v[0]), [2, 3, 4, 5]);
});

Deno.test("residuals: quantiles, lag-1 autocorrelation and worst rows, by hand", () => {
  const t = [0, 1, 2, 3].map((k) => Date.UTC(2025, 5, 2, 10, 30 * k)); // a Monday
  const r = residualAnalysis([100, 100, 100, 100], [101, 99, 101, 99], t, 2);
  // Errors +1 -1 +1 -1: mean 0, Σ e(i) e(i-1) = -3, Σ e² = 4.
  assert.equal(r.autocorrelation30min, -0.75);
  assert.equal(r.quantiles[3].errorMw, 0);
  assert.equal(r.quantiles[0].errorMw, -1);
  assert.deepEqual(r.byWeekday.map((g) => [g.group, g.n, g.mae]), [[0, 4, 1]]);
  assert.equal(r.worst.length, 2);
});
