import assert from "node:assert/strict";
import { FitPool, mulberry32 } from "../ml/mod.ts";
import {
  BRIEF_CLASSES,
  classDistribution,
  classOf,
  MIX_COLUMNS,
  MIX_PROFILES,
  mixFeatures,
  type MixSeries,
  quantileClasses,
  scoreClasses,
  trainMixHorizon,
} from "./classification.ts";

const STEP = 15 * 60_000;
const START = Date.UTC(2025, 2, 1);

/** A mix with a solar-like daily cycle of the renewable share and random wind. */
function mix(days: number, seed = 5): MixSeries {
  const rng = mulberry32(seed);
  const n = days * 96;
  const col = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  const wind = col(() => 5_000 + 10_000 * rng());
  const solar = col((i) => Math.max(0, 15_000 * Math.sin((((i % 96) - 28) / 48) * Math.PI)));
  return {
    startMs: START,
    stepMs: STEP,
    columns: {
      part_renouvelables: col((i) => 15 + (100 * (wind[i] + solar[i])) / 70_000),
      eolien: wind,
      solaire: solar,
      hydraulique: col(() => 7_000),
      nucleaire: col(() => 40_000),
      consommation: col(() => 50_000),
      ech_physiques: col(() => -5_000),
    },
  };
}

Deno.test("the brief's classes: lower bound included, NaN unclassified", () => {
  assert.deepEqual(
    classOf([0, 29.99, 30, 50, 69.9, 70, 100, NaN], BRIEF_CLASSES),
    ["<30 %", "<30 %", "30-50 %", "50-70 %", "50-70 %", ">70 %", ">70 %", null],
  );
  const d = classDistribution([10, 40, 45, 80], BRIEF_CLASSES);
  assert.deepEqual(d.map((c) => [c.label, c.rows, c.sharePct]), [
    ["<30 %", 1, 25],
    ["30-50 %", 2, 50],
    ["50-70 %", 0, 0],
    [">70 %", 1, 25],
  ]);
});

Deno.test("terciles cut the training shares into three classes of equal size", () => {
  const shares = Array.from({ length: 600 }, (_, i) => (i * 7) % 600 / 10); // 0 .. 59.9
  const scheme = quantileClasses(shares);
  assert.deepEqual(scheme.bounds, [20, 40]);
  const counts = classDistribution(shares, scheme).map((c) => c.rows);
  assert.deepEqual(counts, [200, 200, 200]);
});

Deno.test("mix features: shares and productions at the cut-off, yesterday at the target", () => {
  const m = mix(4);
  const k = 3 * 96 + 50; // a target slot on day 4
  const set = mixFeatures(m, 2, [START + k * STEP]);
  const f = Object.fromEntries(set.x.names.map((n, j) => [n, set.x.columns[j][0]]));
  const c = m.columns;
  const cut = k - 8;
  assert.equal(set.cutoffMs[0], START + cut * STEP);
  assert.equal(f.part_connue, c.part_renouvelables[cut]);
  assert.equal(set.persistence[0], c.part_renouvelables[cut]);
  assert.equal(f.part_1h_avant, c.part_renouvelables[cut - 4]);
  assert.equal(f.part_3h_avant, c.part_renouvelables[cut - 12]);
  assert.equal(f.part_veille, c.part_renouvelables[k - 96]);
  assert.equal(f.variation_eolien_3h, c.eolien[cut] - c.eolien[cut - 12]);
  assert.equal(f.solaire_veille, c.solaire[k - 96]);
  assert.equal(set.share[0], c.part_renouvelables[k]);
  assert.throws(() => mixFeatures(m, 0, [START]), /whole number of hours in 1\.\.24/);
  assert.throws(() => mixFeatures(m, 1, [START + 60_000]), /off the grid/);
});

Deno.test("no mix feature uses a measurement after its cut-off", () => {
  const m = mix(6);
  const targets = Array.from({ length: 3 * 96 }, (_, i) => START + (2 * 96 + i) * STEP);
  for (const hours of [1, 6]) {
    const base = mixFeatures(m, hours, targets);
    const cut = START + (3 * 96 + 37) * STEP;
    const rng = mulberry32(3);
    const scrambled: MixSeries = {
      ...m,
      columns: Object.fromEntries(MIX_COLUMNS.map((name) => [
        name,
        m.columns[name].map((v, i) => (START + i * STEP > cut ? 1e5 * rng() : v)),
      ])) as MixSeries["columns"],
    };
    const other = mixFeatures(scrambled, hours, targets);
    let before = 0;
    let changedAfter = 0;
    for (let i = 0; i < targets.length; i++) {
      const same = base.x.columns.every((col, j) => Object.is(col[i], other.x.columns[j][i]));
      if (base.cutoffMs[i] <= cut) {
        assert.ok(same, `${hours} h, row ${i}`);
        before++;
      } else if (!same) changedAfter++;
    }
    assert.ok(before > 100 && changedAfter > 100);
  }
});

Deno.test("class scores of several forecasts on common rows, by hand", () => {
  const actual = ["<30 %", "<30 %", "30-50 %", "30-50 %", null];
  const { scores, rows } = scoreClasses(actual, {
    modele: ["<30 %", "30-50 %", "30-50 %", "30-50 %", "<30 %"],
    persistance: ["<30 %", "<30 %", "<30 %", null, "<30 %"],
  }, BRIEF_CLASSES);
  assert.deepEqual(rows, [0, 1, 2]);
  const [model, persistence] = scores.map((s) => s.metrics);
  // Model on rows 0-2: <30 recall 1/2, 30-50 recall 1/1 → balanced accuracy 0.75.
  assert.equal(model.balancedAccuracy, 0.75);
  assert.equal(model.accuracy, 2 / 3);
  // Persistence: <30 recall 2/2, 30-50 recall 0/1 → 0.5; F1(<30) = 2·(2/3)·1 / (2/3 + 1) = 0.8.
  assert.equal(persistence.balancedAccuracy, 0.5);
  assert.ok(Math.abs(persistence.perClass[0].f1 - 0.8) < 1e-12);
  assert.deepEqual(model.confusion.labels, [...BRIEF_CLASSES.labels]);
});

Deno.test("a horizon's classifier: trained before the first test cut-off, deterministic", async () => {
  const m = mix(20);
  const targets = Array.from({ length: 19 * 96 }, (_, i) => START + (96 + i) * STEP);
  const testStart = START + 16 * 96 * STEP;
  const run = (pool?: FitPool) =>
    trainMixHorizon(m, 3, targets, testStart, () => BRIEF_CLASSES, MIX_PROFILES.rapide, {
      importanceRepeats: 1,
      pool,
    });
  const a = await run();
  const b = await run();
  // Fitted in a worker: the same classifier.
  const pool = new FitPool(1);
  try {
    assert.deepEqual((await run(pool)).forecasts, a.forecasts);
  } finally {
    pool.close();
  }
  assert.ok(a.trainRows.every((i) => targets[i] <= testStart - 3 * 3_600_000));
  assert.ok(a.testRows.every((i) => targets[i] >= testStart));
  assert.deepEqual(a.forecasts.gbdt, b.forecasts.gbdt);
  const gbdt = a.scores.find((s) => s.model === "gbdt")!.metrics;
  const persistence = a.scores.find((s) => s.model === "persistance")!.metrics;
  // The daily solar cycle is learnable: the classifier beats persistence three hours ahead.
  assert.ok(
    gbdt.balancedAccuracy > persistence.balancedAccuracy,
    JSON.stringify([gbdt.balancedAccuracy, persistence.balancedAccuracy]),
  );
});
