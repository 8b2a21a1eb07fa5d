import assert from "node:assert/strict";
import {
  conformalQuantile,
  forecastQuantiles,
  intervalCoverage,
  relativeErrorQuantiles,
} from "./intervals.ts";

Deno.test("calibration, intervals and coverage on a hand-checked example", () => {
  // Calibration: forecasts of 100 MW, actual values 96 to 104 → relative errors -4 % … +4 %.
  const q = relativeErrorQuantiles([96, 97, 98, 99, 100, 101, 102, 103, 104], Array(9).fill(100));
  // n = 9: P10 is the ⌊10 × 0.1⌋ = 1st smallest, P90 the ⌈10 × 0.9⌉ = 9th, P50 the 5th.
  assert.equal(q.n, 9);
  assert.ok(Math.abs(q.p10 + 0.04) < 1e-12 && Math.abs(q.p90 - 0.04) < 1e-12);
  assert.equal(q.p50, 0);
  // Four forecasts: P10 = 0.96 × forecast, P90 = 1.04 × forecast.
  const bands = forecastQuantiles([200, 300, 400, 500], q);
  assert.deepEqual([...bands.p10].map(Math.round), [192, 288, 384, 480]);
  assert.deepEqual([...bands.p90].map(Math.round), [208, 312, 416, 520]);
  // 190 is below [192, 208], 300 inside, 416 on the upper bound (inside), 530 above.
  const actual = [190, 300, 416, 530];
  const coverage = intervalCoverage(
    actual,
    [192, 288, 384, 480],
    [208, 312, 416, 520],
  );
  assert.deepEqual(coverage, { n: 4, inside: 2, below: 1, above: 1, pct: 50 });
  // The same from the scaled bands (floating point: 416 vs 400 × 1.04).
  const scaled = intervalCoverage(actual, bands.p10, bands.p90);
  assert.equal(scaled.below + scaled.above + scaled.inside, 4);
  assert.equal(scaled.below, 1);
});

Deno.test("conformal ranks on 19 values, clamped on tiny samples; bad input refused", () => {
  const values = Array.from({ length: 19 }, (_, i) => 19 - i); // 19, 18, …, 1
  // (n + 1) × 0.1 = 2 → 2nd smallest; (n + 1) × 0.9 = 18 → 18th smallest.
  assert.equal(conformalQuantile(values, 0.1), 2);
  assert.equal(conformalQuantile(values, 0.9), 18);
  assert.equal(conformalQuantile([5, 7], 0.9), 7); // rank 3 clamped to 2
  assert.equal(conformalQuantile([5, 7], 0.1), 5); // rank 0 clamped to 1
  assert.throws(() => conformalQuantile([], 0.5), /no value/);
  assert.throws(() => conformalQuantile([1, NaN], 0.5), /not finite/);
  assert.throws(() => relativeErrorQuantiles([NaN], [100]), /no row to calibrate on/);
  assert.throws(() => intervalCoverage([1, 2], [0], [3, 3]), /2 actual values, 1 low, 2 high/);
});
