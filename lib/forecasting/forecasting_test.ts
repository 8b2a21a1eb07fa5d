import assert from "node:assert/strict";
import {
  type FeatureMatrix,
  featureMatrix,
  mape,
  MlInputError,
  modelFromJSON,
  mulberry32,
  takeRows,
} from "../ml/mod.ts";
import type { ConsumptionFeatureSet } from "./features.ts";
import {
  crossValidateLearners,
  fitForecaster,
  forecasterFromModel,
  forecasterImportance,
  refitForecasterLeaves,
} from "./forecasting.ts";
import {
  type LearnerName,
  LEARNERS,
  PROFILES,
  singleModelKey,
  singleModelsOf,
} from "./forecaster_config.ts";
import { scoreOnCommonRows } from "./forecast_scores.ts";

const HALF_HOUR = 1_800_000;

/** A consumption world where the target is the reference times an hourly shape, plus noise. */
function world(n: number, seed = 1, noise = 0.002) {
  const rng = mulberry32(seed);
  const heure = Float64Array.from({ length: n }, (_, i) => (i % 48) / 2);
  const jour_semaine = Float64Array.from({ length: n }, (_, i) => Math.floor(i / 48) % 7);
  const level = Float64Array.from({ length: n }, (_, i) => 50_000 + 5_000 * Math.sin(i / 2_000));
  const shape = (h: number, d: number) =>
    1 + 0.1 * Math.sin((h / 24) * 2 * Math.PI) - (d >= 5 ? 0.05 : 0);
  const y = Float64Array.from(
    { length: n },
    (_, i) => level[i] * shape(heure[i], jour_semaine[i]) * (1 + noise * (rng() - 0.5)),
  );
  const x = featureMatrix({
    heure,
    jour_semaine,
    moyenne_24h: level,
    lag_168h: y.map((_, i) => (i >= 336 ? y[i - 336] : NaN)),
    moyenne_7j: level.map((v, i) => v * (1 + 0.01 * Math.sin(i / 300))),
  });
  return { x, y };
}

const FEATURES = ["heure", "jour_semaine", "moyenne_24h", "lag_168h", "moyenne_7j"];

/** The quick profile without racing: every learner on every fold. */
const NO_RACE = { ...PROFILES.rapide, cvRace: null };

Deno.test("training is deterministic: the same data and seed give bit-identical forecasts", async () => {
  const { x, y } = world(3_000);
  for (const learner of LEARNERS) {
    const spec = { horizon: "j1" as const, learner, features: FEATURES, profile: PROFILES.rapide };
    const a = (await fitForecaster(x, y, spec)).forecaster.predict(x);
    const b = (await fitForecaster(x, y, spec)).forecaster.predict(x);
    assert.ok(a.every((v, i) => Object.is(v, b[i])), learner);
  }
});

Deno.test("relative target: forecasts scale exactly with the level of the inputs", async () => {
  const { x, y } = world(3_000);
  const { forecaster } = await fitForecaster(x, y, {
    horizon: "j1",
    learner: "gbdt",
    features: FEATURES,
    profile: PROFILES.rapide,
  });
  // The level features divided by the reference, the reference itself left out.
  const { input } = forecaster.modelInput(x);
  assert.deepEqual(input.names, ["heure", "jour_semaine", "lag_168h", "moyenne_7j"]);
  assert.equal(input.columns[2][400], x.columns[3][400] / x.columns[2][400]);
  // A series 2 % lower everywhere (ODRÉ vs real-time) gets forecasts 2 % lower.
  const lower: FeatureMatrix = {
    ...x,
    columns: x.columns.map((c, j) => (j >= 2 ? c.map((v) => 0.98 * v) : c)),
  };
  const p = forecaster.predict(x);
  const q = forecaster.predict(lower);
  for (let i = 336; i < x.nRows; i += 97) assert.ok(Math.abs(q[i] / p[i] - 0.98) < 1e-12);
  // And they are good forecasts of this world (noise is ±0.1 %).
  const { scores } = scoreOnCommonRows(y.subarray(336), { gbdt: p.subarray(336) });
  assert.ok(scores[0].mape < 1, String(scores[0].mape));
});

Deno.test("a forecaster rebuilt from its JSON model and parameters predicts the same", async () => {
  const { x, y } = world(2_000);
  for (const learner of LEARNERS) {
    const { forecaster } = await fitForecaster(x, y, {
      horizon: "j1",
      learner,
      features: FEATURES,
      profile: PROFILES.rapide,
    });
    const copy = forecasterFromModel(
      modelFromJSON(JSON.parse(JSON.stringify(forecaster.model))),
      JSON.parse(JSON.stringify(forecaster.params)),
    );
    const a = forecaster.predict(x);
    const b = copy.predict(x);
    assert.ok(a.every((v, i) => Object.is(v, b[i])), learner);
  }
});

Deno.test("rolling-origin cross-validation: 5 consecutive folds, a gap, the best mean MAPE", async () => {
  const n = 4_000;
  const { x, y } = world(n);
  const epochMs = Float64Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 1) + i * HALF_HOUR);
  const set = { horizon: "j1", epochMs, target: y, x } as unknown as ConsumptionFeatureSet;
  const trainRows = Array.from({ length: n - 100 }, (_, i) => i + 100);
  const cv = await crossValidateLearners(set, trainRows, FEATURES, NO_RACE);
  assert.equal(cv.folds.length, 5 * LEARNERS.length);
  assert.deepEqual(cv.eliminated, []);
  const foldRows = PROFILES.rapide.cvFoldDays * 48;
  for (const f of cv.folds.filter((f) => f.learner === "gbdt")) {
    // Test folds are the last 5 × 7 days, each trained on everything 72 rows (36 h) before it.
    const start = trainRows.length - (5 - f.fold) * foldRows;
    assert.equal(f.start, epochMs[trainRows[start]]);
    assert.equal(f.testRows, foldRows);
    assert.equal(f.trainingRows, start - 72);
  }
  for (const m of cv.means) {
    const mine = cv.folds.filter((f) => f.learner === m.learner).map((f) => f.mape);
    assert.ok(Math.abs(m.mape - mine.reduce((a, b) => a + b, 0) / 5) < 1e-12);
  }
  const best = cv.means.reduce((a, b) => (b.mape < a.mape ? b : a));
  assert.equal(cv.best, best.learner);
  // The fits ran side by side in workers; each scores as the same fit made here.
  const last = cv.folds.filter((f) => f.fold === 4);
  const start = trainRows.length - foldRows;
  const train = trainRows.slice(0, start - 72);
  const test = trainRows.slice(start);
  for (const f of last) {
    const { forecaster } = await fitForecaster(
      takeRows(x, train),
      train.map((i) => y[i]),
      { horizon: "j1", learner: f.learner, features: FEATURES, profile: PROFILES.rapide },
    );
    const actual = test.map((i) => y[i]);
    assert.equal(f.mape, mape(actual, forecaster.predict(takeRows(x, test))), f.learner);
  }
});

Deno.test("racing: a learner far behind the leader on the last folds fits no other fold", async () => {
  const n = 4_000;
  const { x, y } = world(n);
  const epochMs = Float64Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 1) + i * HALF_HOUR);
  const set = { horizon: "j1", epochMs, target: y, x } as unknown as ConsumptionFeatureSet;
  const trainRows = Array.from({ length: n - 100 }, (_, i) => i + 100);
  const all = await crossValidateLearners(set, trainRows, FEATURES, NO_RACE);
  // A margin of -100 % puts every learner but the leader out after the last two folds.
  const race = { ...NO_RACE, cvRace: { folds: 2, margin: -1 } };
  let fits = 0;
  const raced = await crossValidateLearners(set, trainRows, FEATURES, race, LEARNERS, {
    onFit: (done, total) => {
      fits = done;
      assert.ok(done <= total);
    },
  });
  const leaderOfLast2 = LEARNERS.reduce((a, b) => {
    const m = (l: string) =>
      all.folds.filter((f) => f.learner === l && f.fold >= 3).reduce((t, f) => t + f.mape, 0);
    return m(b) < m(a) ? b : a;
  });
  // Every other learner is behind; those made only of the leader's models cost no fit and stay.
  const leaderModels = singleModelsOf(leaderOfLast2, "j1").map(singleModelKey);
  const kept = (l: LearnerName) =>
    singleModelsOf(l, "j1").every((u) => leaderModels.includes(singleModelKey(u)));
  assert.deepEqual(raced.eliminated, LEARNERS.filter((l) => !kept(l)));
  assert.equal(raced.best, leaderOfLast2);
  // Four models fitted alone on the raced folds (the ensemble's forest and 24-hour boosting are
  // the learners compared alone), then the leader's own on the other three.
  assert.equal(fits, 2 * 4 + 3 * leaderModels.length);
  for (const m of raced.means) assert.equal(m.foldCount, kept(m.learner) ? 5 : 2, m.learner);
  // The folds that were fitted score as in the full cross-validation (the same fits; scores on
  // the rows common to the learners of each fold).
  for (const f of raced.folds.filter((f) => f.learner === leaderOfLast2 && f.fold < 3)) {
    const full = all.folds.find((g) => g.learner === f.learner && g.fold === f.fold)!;
    assert.equal(f.mape, full.mape);
  }
  assert.deepEqual(
    raced.folds.filter((f) => f.fold >= 3).map((f) => [f.learner, f.fold, f.mape]),
    all.folds.filter((f) => f.fold >= 3).map((f) => [f.learner, f.fold, f.mape]),
  );
  // A margin nobody exceeds: the race changes nothing.
  const lenient = await crossValidateLearners(set, trainRows, FEATURES, {
    ...NO_RACE,
    cvRace: { folds: 2, margin: 100 },
  });
  assert.deepEqual(lenient.folds.map((f) => f.mape), all.folds.map((f) => f.mape));
  assert.equal(lenient.best, all.best);
});

Deno.test("racing: a boosting behind the ensemble leading is still scored, its fits being shared", async () => {
  const n = 4_000;
  // A noisier world (±2.5 %), where averaging pays.
  const { x, y } = world(n, 3, 0.05);
  const epochMs = Float64Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 1) + i * HALF_HOUR);
  const set = { horizon: "j1", epochMs, target: y, x } as unknown as ConsumptionFeatureSet;
  const trainRows = Array.from({ length: n - 100 }, (_, i) => i + 100);
  const race = { ...NO_RACE, cvRace: { folds: 2, margin: -1 } };
  let fits = 0;
  const cv = await crossValidateLearners(set, trainRows, FEATURES, race, [
    "gbdt",
    "moyenne_modeles",
  ], {
    onFit: (done) => fits = done,
  });
  // On this world the ensemble leads the last two folds; gradient boosting, behind it on both,
  // is one of its members: fitted on every fold anyway, so scored on every fold.
  assert.equal(cv.best, "moyenne_modeles");
  assert.deepEqual(cv.eliminated, []);
  assert.deepEqual(cv.means.map((m) => m.foldCount), [5, 5]);
  assert.equal(fits, 3 * 5);
});

Deno.test("permutation importance names the features that matter, alone and by family", async () => {
  const { x, y } = world(3_000);
  const { forecaster } = await fitForecaster(x, y, {
    horizon: "j1",
    learner: "gbdt",
    features: FEATURES.slice(0, 4),
    profile: PROFILES.rapide,
  });
  const { byFeature, byGroup } = forecasterImportance(forecaster, x, y, 2);
  assert.equal(byFeature.importances[0].feature, "heure");
  assert.deepEqual(byGroup.importances.map((g) => g.feature).sort(), [
    "heure+jour_semaine",
    "moyenne_24h+lag_168h",
  ]);
});

Deno.test("leaf refit of a forecaster: same rows, same forecasts; the new rows' level moves it", async () => {
  const { x, y } = world(3_000);
  const spec = { horizon: "j1" as const, features: FEATURES, profile: PROFILES.rapide };
  // The quick profile grows its trees on every row (no subsampling): a refit on the same rows
  // gives the same leaves.
  const { forecaster, rows } = await fitForecaster(x, y, { ...spec, learner: "gbdt" });
  const same = refitForecasterLeaves(forecaster, x, y);
  assert.equal(same.rows, rows);
  assert.deepEqual(same.forecaster.params, forecaster.params);
  const p = forecaster.predict(x);
  const q = same.forecaster.predict(x);
  for (let i = 0; i < x.nRows; i += 7) {
    assert.ok(Math.abs(q[i] / p[i] - 1) < 1e-9 || (Number.isNaN(p[i]) && Number.isNaN(q[i])));
  }
  // Consumption 3 % above its reference level: the refitted forecasts follow, rows without a
  // target are left out as in a fit.
  const higher = y.map((v, i) => (i === 5 ? NaN : 1.03 * v));
  const moved = refitForecasterLeaves(forecaster, x, higher);
  assert.equal(moved.rows, rows - 1);
  const r = moved.forecaster.predict(x);
  for (let i = 336; i < x.nRows; i += 97) assert.ok(Math.abs(r[i] / p[i] - 1.03) < 0.002);
  const ridge = await fitForecaster(x, y, { ...spec, learner: "ridge" });
  assert.throws(() => refitForecasterLeaves(ridge.forecaster, x, y), MlInputError);
});

Deno.test("ensemble: the mean in MW of its members, each relative to its reference", async () => {
  const { x, y } = world(3_000);
  const spec = { horizon: "j1" as const, features: FEATURES, profile: PROFILES.rapide };
  const { forecaster, rows } = await fitForecaster(x, y, { ...spec, learner: "moyenne_modeles" });
  const members = forecaster.members!;
  assert.deepEqual(
    members.map((m) => [m.params.learner, m.params.reference]),
    [["gbdt", "moyenne_24h"], ["gbdt", "moyenne_7j"], ["random_forest", "moyenne_24h"]],
  );
  // The 7-day member sees the 24-hour mean as a ratio to its own reference.
  assert.deepEqual(members[1].modelInput(x).input.names, [
    "heure",
    "jour_semaine",
    "moyenne_24h",
    "lag_168h",
  ]);
  assert.throws(() => forecaster.modelInput(x), MlInputError);
  const alone = await fitForecaster(x, y, { ...spec, learner: "gbdt" });
  assert.equal(rows, alone.rows);
  assert.deepEqual(members[0].predict(x), alone.forecaster.predict(x));
  const p = forecaster.predict(x);
  const parts = members.map((m) => m.predict(x));
  for (let i = 0; i < x.nRows; i += 101) {
    assert.ok(Math.abs(p[i] - (parts[0][i] + parts[1][i] + parts[2][i]) / 3) < 1e-6);
  }
  // One hour ahead there is no ensemble.
  await assert.rejects(
    () => fitForecaster(x, y, { ...spec, horizon: "h1", learner: "moyenne_modeles" }),
    /no ensemble for horizon h1/,
  );
  // A leaf refit re-estimates the boostings' leaves and keeps the forest.
  const higher = y.map((v) => 1.03 * v);
  const refit = refitForecasterLeaves(forecaster, x, higher).forecaster;
  assert.equal(refit.members![2].model, members[2].model);
  assert.notEqual(refit.members![1].model, members[1].model);
  const r = refit.members![0].predict(x);
  const q = parts[0];
  for (let i = 336; i < x.nRows; i += 97) assert.ok(Math.abs(r[i] / q[i] - 1.03) < 0.002);
});

Deno.test("each member of an ensemble has the thermal term of its own reference's days", async () => {
  const n = 3_000;
  const rng = mulberry32(9);
  const level = new Float64Array(n).fill(60_000);
  const day = Float64Array.from({ length: n }, () => 8 * (rng() - 0.5));
  const week = Float64Array.from({ length: n }, () => 8 * (rng() - 0.5));
  const x = featureMatrix({
    heure: Float64Array.from({ length: n }, (_, i) => (i % 48) / 2),
    moyenne_24h: level,
    moyenne_7j: level,
    ecart_degres_chauffe: day,
    ecart_degres_chauffe_7j: week,
  });
  const y = level.map((v, i) => v * (1 + 0.04 * day[i] + 0.02 * week[i]));
  const { forecaster } = await fitForecaster(x, y, {
    horizon: "j1",
    learner: "moyenne_modeles",
    features: x.names,
    profile: PROFILES.rapide,
  });
  const [daily, weekly, forest] = forecaster.members!;
  assert.deepEqual(daily.params.thermal!.features, ["ecart_degres_chauffe"]);
  assert.ok(!daily.params.features.includes("ecart_degres_chauffe_7j"));
  assert.deepEqual(weekly.params.thermal!.features, ["ecart_degres_chauffe_7j"]);
  assert.ok(Math.abs(weekly.params.thermal!.coefficients[0] - 0.02) < 0.002);
  assert.ok(!weekly.params.features.includes("ecart_degres_chauffe"));
  assert.deepEqual(forest.params.thermal, daily.params.thermal);
  assert.deepEqual(forecaster.featureNames, [
    "heure",
    "moyenne_24h",
    "moyenne_7j",
    "ecart_degres_chauffe",
    "ecart_degres_chauffe_7j",
  ]);
});

Deno.test("day-ahead thermal term: fitted under the learner, extended beyond the training range", async () => {
  // Consumption relative to its reference rises 4 % per degree of heating change; training days
  // change by at most ±4 degrees, the last 480 rows (held out) by 8.
  const n = 4_000;
  const rng = mulberry32(5);
  const heure = Float64Array.from({ length: n }, (_, i) => (i % 48) / 2);
  const ecart = Float64Array.from({ length: n }, (_, i) => (i < n - 480 ? 8 * (rng() - 0.5) : 8));
  const level = new Float64Array(n).fill(60_000);
  const y = Float64Array.from({ length: n }, (_, i) => level[i] * (1 + 0.04 * ecart[i]));
  const x = featureMatrix({
    heure,
    moyenne_24h: level,
    lag_1h: level,
    ecart_degres_chauffe: ecart,
  });
  const features = ["heure", "moyenne_24h", "ecart_degres_chauffe"];
  const train = Array.from({ length: n - 480 }, (_, i) => i);
  const spec = {
    horizon: "j1" as const,
    learner: "gbdt" as const,
    features,
    profile: PROFILES.rapide,
  };
  const { forecaster } = await fitForecaster(takeRows(x, train), train.map((i) => y[i]), spec);
  assert.deepEqual(forecaster.params.thermal!.features, ["ecart_degres_chauffe"]);
  assert.ok(Math.abs(forecaster.params.thermal!.coefficients[0] - 0.04) < 1e-9);
  // Eight degrees colder than the reference days: trees alone would stop at the training edge
  // (1.16), the line goes on (1.32).
  const cold = forecaster.predict(takeRows(x, [n - 1]))[0];
  assert.ok(Math.abs(cold / 60_000 - 1.32) < 0.005, String(cold));
  // The term survives JSON and a leaf refit, which fits the leaves on what it leaves.
  const copy = forecasterFromModel(
    modelFromJSON(JSON.parse(JSON.stringify(forecaster.model))),
    JSON.parse(JSON.stringify(forecaster.params)),
  );
  assert.equal(copy.predict(takeRows(x, [n - 1]))[0], cold);
  const refit = refitForecasterLeaves(forecaster, takeRows(x, train), train.map((i) => y[i]));
  assert.deepEqual(refit.forecaster.params.thermal, forecaster.params.thermal);
  assert.ok(Math.abs(refit.forecaster.predict(takeRows(x, [n - 1]))[0] / cold - 1) < 0.005);
  // One hour ahead has no term, even given the feature.
  const h1 = await fitForecaster(x, y, {
    ...spec,
    horizon: "h1",
    features: ["heure", "lag_1h", "ecart_degres_chauffe"],
  });
  assert.equal(h1.forecaster.params.thermal, undefined);
});
