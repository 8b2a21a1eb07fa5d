import assert from "node:assert/strict";
import { binaryLogLoss, multinomialLogLoss, pinballLoss, squaredError } from "./_losses.ts";
import { mulberry32 } from "./_rng.ts";

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** numpy.percentile(values, 100 q) with linear interpolation, by sorting. */
function reference(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const position = q * (s.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, s.length - 1);
  return s[low] + (s[high] - s[low]) * (position - low);
}

Deno.test("quantile baselines and leaf values match a sort-based percentile", () => {
  const rng = mulberry32(5);
  for (const n of [1, 2, 3, 10, 101, 1000]) {
    // Many ties (rounded values) and a few extremes.
    const y = Float64Array.from(
      { length: n },
      () => Math.round(rng() * 20) - (rng() < 0.05 ? 1e6 : 0),
    );
    for (const q of [0.05, 0.1, 0.5, 0.9, 0.99]) {
      const loss = pinballLoss(y, q);
      assert.equal(loss.baseline(all(n))[0], reference([...y], q), `n ${n} q ${q}`);
      // Leaf value over a range of rows: quantile of y - raw there.
      const raw = Float64Array.from({ length: n }, () => rng());
      const start = Math.floor(n / 3), end = n;
      const residuals = Array.from(
        { length: end - start },
        (_, k) => y[start + k] - raw[start + k],
      );
      const rows = all(n);
      assert.ok(
        Math.abs(loss.leafValue!(raw, rows, start, end) - reference(residuals, q)) < 1e-9,
        `leaf n ${n} q ${q}`,
      );
    }
  }
});

Deno.test("weighted quantile is the first value reaching the weight share", () => {
  const y = Float64Array.of(10, 20, 30, 40);
  const w = Float64Array.of(1, 1, 1, 7);
  // Cumulative weights 1, 2, 3, 10 of 10: the median (5) is reached at 40.
  assert.equal(pinballLoss(y, 0.5, w).baseline(all(4))[0], 40);
  assert.equal(pinballLoss(y, 0.2, w).baseline(all(4))[0], 20);
});

/** Central finite difference of the mean loss with respect to raw[i]. */
function numericGradient(value: (raw: Float64Array) => number, raw: Float64Array, i: number) {
  const h = 1e-6;
  const plus = raw.slice(), minus = raw.slice();
  plus[i] += h;
  minus[i] -= h;
  return (value(plus) - value(minus)) / (2 * h);
}

Deno.test("gradients are the derivatives of the losses", () => {
  const rng = mulberry32(9);
  const n = 6;
  const y = Float64Array.from({ length: n }, () => rng() * 4);
  const codes = Int32Array.from({ length: n }, (_, i) => i % 2);
  const w = Float64Array.from({ length: n }, () => 0.5 + rng());
  const totalW = w.reduce((a, b) => a + b, 0);
  const raw = Float64Array.from({ length: n }, () => rng() * 2 - 1);
  const cases = [
    { loss: squaredError(y), scale: n },
    { loss: squaredError(y, w), scale: totalW },
    { loss: binaryLogLoss(codes), scale: n },
    { loss: binaryLogLoss(codes, w), scale: totalW },
    { loss: pinballLoss(y, 0.3), scale: n },
  ];
  for (const { loss, scale } of cases) {
    const g = [new Float64Array(n)];
    const h = [new Float64Array(n)];
    loss.gradients(raw, all(n), g, h);
    for (let i = 0; i < n; i++) {
      const numeric = numericGradient((r) => loss.value(r), raw, i) * scale;
      assert.ok(Math.abs(g[0][i] - numeric) < 1e-5, `${g[0][i]} vs ${numeric}`);
    }
  }
  // Softmax: 3 classes, raw row-major.
  const k = 3;
  const classCodes = Int32Array.from({ length: n }, (_, i) => i % k);
  const rawK = Float64Array.from({ length: n * k }, () => rng() * 2 - 1);
  const soft = multinomialLogLoss(classCodes, k);
  const g = Array.from({ length: k }, () => new Float64Array(n));
  const h = Array.from({ length: k }, () => new Float64Array(n));
  soft.gradients(rawK, all(n), g, h);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const numeric = numericGradient((r) => soft.value(r), rawK, i * k + c) * n;
      assert.ok(Math.abs(g[c][i] - numeric) < 1e-5);
      assert.ok(h[c][i] > 0 && h[c][i] <= 0.25);
    }
  }
  // Baselines: mean, log-odds, centred log-priors.
  assert.ok(Math.abs(squaredError(y).baseline(all(n))[0] - y.reduce((a, b) => a + b) / n) < 1e-12);
  assert.ok(Math.abs(binaryLogLoss(codes).baseline(all(n))[0]) < 1e-12); // half positives
  const priors = soft.baseline(all(n));
  assert.ok(Math.abs(priors[0] + priors[1] + priors[2]) < 1e-12);
});
