import assert from "node:assert/strict";
import { intervalCoverage, mulberry32 } from "../ml/mod.ts";
import { onlineCorrection, RTE_PRIOR_WEIGHT } from "./online_correction.ts";

const HALF_HOUR = 1_800_000;
const DAYS = 60;
const N = DAYS * 48;

/** Sixty days one hour ahead: a level, RTE's J-1 that foresees the hour's change, a noisy model. */
function stream(seed: number) {
  const rng = mulberry32(seed);
  const epochMs = Array.from({ length: N }, (_, i) => Date.UTC(2025, 0, 1) + i * HALF_HOUR);
  const actual = epochMs.map((_, i) => 55_000 + 8_000 * Math.sin((2 * Math.PI * i) / 48));
  const level = actual.map((_, i) => (i >= 2 ? actual[i - 2] : NaN));
  // J-1 is off by a slowly drifting factor, but its change over the hour is right.
  const drift = epochMs.map((_, i) => 1 + 0.03 * Math.sin(i / 500));
  const j1 = actual.map((a, i) => a * drift[i]);
  const atCutoff = j1.map((_, i) => (i >= 2 ? j1[i - 2] : NaN));
  const predicted = actual.map((a) => a * (1 + 0.02 * (rng() - 0.5)));
  return {
    epochMs,
    cutoffMs: epochMs.map((t) => t - 2 * HALF_HOUR),
    actual,
    predicted,
    rteJ1: { level, atTarget: j1, atCutoff },
  };
}

Deno.test("stacking on RTE's J-1: prior weight first, then the fitted relation", () => {
  const s = stream(1);
  const out = onlineCorrection(s);
  // Day 1 to 7: too few rows with J-1 for a fit, the prior blend.
  const i = 3 * 48 + 10;
  const rescaled = s.rteJ1.level[i] * s.rteJ1.atTarget[i] / s.rteJ1.atCutoff[i];
  const prior = (1 - RTE_PRIOR_WEIGHT) * s.predicted[i] + RTE_PRIOR_WEIGHT * rescaled;
  assert.ok(Math.abs(out.prediction[i] - prior) < 1e-6);
  // Later, the stacking finds that J-1's change is exact and beats the noisy model.
  let model = 0;
  let stacked = 0;
  for (let k = 10 * 48; k < N; k++) {
    model += Math.abs(s.predicted[k] / s.actual[k] - 1);
    stacked += Math.abs(out.prediction[k] / s.actual[k] - 1);
  }
  assert.ok(stacked < model / 5, `${stacked} ${model}`);
  assert.ok(out.stacked > 0 && out.stacked < N);
});

Deno.test("intervals from the recent errors cover about 80 % of the instants", () => {
  const s = stream(2);
  const out = onlineCorrection({ ...s, rteJ1: null });
  assert.deepEqual(out.prediction, Float64Array.from(s.predicted)); // no correction without J-1
  const from = 28 * 48;
  const c = intervalCoverage(
    s.actual.slice(from),
    out.p10.slice(from),
    out.p90.slice(from),
  );
  // Exchangeable errors (uniform noise): coverage near its nominal 80 %.
  assert.ok(c.pct > 75 && c.pct < 85, `${c.pct}`);
  assert.ok(Math.abs(c.below - c.above) < 0.05 * c.n);
});

Deno.test("no output uses an actual value after its row's cut-off", () => {
  const s = stream(3);
  const base = onlineCorrection(s);
  for (const cut of [20 * 48 + 7, 41 * 48 + 30]) {
    const cutMs = s.epochMs[cut];
    // Everything after the cut changed: actual values, forecasts, J-1.
    const change = (v: number[], k: number) => v.map((x, i) => (s.epochMs[i] > cutMs ? x * k : x));
    const other = onlineCorrection({
      ...s,
      actual: change(s.actual, 1.1),
      predicted: change(s.predicted, 0.9),
      rteJ1: {
        level: s.rteJ1.level,
        atTarget: change(s.rteJ1.atTarget, 1.05),
        atCutoff: s.rteJ1.atCutoff,
      },
    });
    let before = 0;
    let changedAfter = 0;
    for (let i = 0; i < N; i++) {
      const same = (["prediction", "p10", "p50", "p90"] as const).every((k) =>
        Object.is(base[k][i], other[k][i])
      );
      // A row's own forecast and J-1 (known at its cut-off) may change; its outputs from the
      // rows before may not: compare rows whose target is at or before the cut.
      if (s.epochMs[i] <= cutMs) {
        assert.ok(same, `row ${i}, cut ${cut}`);
        before++;
      } else if (!same) changedAfter++;
    }
    assert.ok(before > 0 && changedAfter > 0);
  }
});

Deno.test("target instants must increase", () => {
  assert.throws(
    () =>
      onlineCorrection({ epochMs: [2, 1], cutoffMs: [0, 0], actual: [1, 1], predicted: [1, 1] }),
    /not increasing at row 1/,
  );
});
