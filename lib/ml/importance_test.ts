import assert from "node:assert/strict";
import { type FeatureMatrix, featureMatrix } from "./dataset.ts";
import { permutationImportance, type Predictor } from "./importance.ts";
import { fitGbdtClassifier, fitGbdtRegressor } from "./gbdt.ts";
import { MlInputError } from "./errors.ts";
import { mulberry32 } from "./_rng.ts";

/** Predicts a - b (ignores c). */
const difference: Predictor<number> = {
  featureNames: ["a", "b", "c"],
  predict: (x: FeatureMatrix) => x.columns[0].map((v, i) => v - x.columns[1][i]),
};

Deno.test("ignored features have exactly zero importance; used ones the expected loss", () => {
  const n = 2000;
  const a = Float64Array.from({ length: n }, (_, i) => i);
  const x = featureMatrix({ a, b: new Float64Array(n), c: a.map((v) => v * 2) });
  const y = a; // predictions equal y: baseline MAE 0
  const { baseline, importances } = permutationImportance(difference, x, y, { nRepeats: 8 });
  assert.equal(baseline, 0);
  const byName = Object.fromEntries(importances.map((r) => [r.feature, r]));
  assert.deepEqual([byName.b.mean, byName.c.mean], [0, 0]);
  assert.deepEqual(byName.c.degradations, new Array(8).fill(0));
  // Shuffling a: E|a_perm - a| over a random permutation of 0..n-1 is (n² - 1) / (3n).
  const expected = (n * n - 1) / (3 * n);
  assert.ok(Math.abs(byName.a.mean - expected) < 0.03 * expected, `${byName.a.mean}`);
  assert.ok(byName.a.std > 0);
  assert.equal(importances[0].feature, "a");
});

Deno.test("groups are shuffled together", () => {
  const n = 500;
  const a = Float64Array.from({ length: n }, (_, i) => i % 37);
  const x = featureMatrix({ a, b: a, c: a });
  const y = new Float64Array(n);
  // a - b = 0 whatever the rows, as long as a and b move together.
  const grouped = permutationImportance(difference, x, y, { features: [["a", "b"], "c"] });
  assert.deepEqual(grouped.importances.map((r) => [r.feature, r.mean]), [["a+b", 0], ["c", 0]]);
  const alone = permutationImportance(difference, x, y, { features: ["a"] });
  assert.ok(alone.importances[0].mean > 5);
  assert.throws(
    () => permutationImportance(difference, x, y, { features: ["zz"] }),
    /'zz' is not a feature/,
  );
  assert.throws(() => permutationImportance(difference, x, y.subarray(1)), MlInputError);
});

Deno.test("seeded, custom scores, and classifiers use accuracy", () => {
  const rng = mulberry32(2);
  const n = 1500;
  const a = Float64Array.from({ length: n }, () => rng() * 6);
  const b = Float64Array.from({ length: n }, () => rng());
  const noise = Float64Array.from({ length: n }, () => rng());
  const y = a.map((v, i) => 3 * Math.sin(v) + 0.5 * b[i]);
  const x = featureMatrix({ a, b, noise });
  const model = fitGbdtRegressor(x, y, { maxIter: 60 });
  const first = permutationImportance(model, x, y, { seed: 3 });
  assert.deepEqual(permutationImportance(model, x, y, { seed: 3 }), first);
  assert.deepEqual(first.importances.map((r) => r.feature), ["a", "b", "noise"]);
  const rmse = (t: ArrayLike<number>, p: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < t.length; i++) s += (t[i] - p[i]) ** 2;
    return Math.sqrt(s / t.length);
  };
  const custom = permutationImportance(model, x, y, { score: rmse, nRepeats: 2 });
  assert.ok(custom.baseline < 0.1);
  assert.equal(custom.importances[0].degradations.length, 2);
  const labels = Array.from(a, (v) => (v > 3 ? "high" : "low"));
  const classifier = fitGbdtClassifier(x, labels, { maxIter: 20 });
  const c = permutationImportance(classifier, x, labels);
  assert.ok(c.baseline > 0.99); // accuracy
  assert.equal(c.importances[0].feature, "a");
  assert.ok(c.importances[0].mean > 0.3); // accuracy drops to about 0.5
});

Deno.test("gradient boosting's replaced-column predictions give the importances of plain predictions", () => {
  const rng = mulberry32(17);
  const n = 1500;
  // 40 features: the path masks take two 32-bit words.
  const columns: Record<string, Float64Array> = {};
  for (let f = 0; f < 40; f++) {
    columns[`f${f}`] = Float64Array.from({ length: n }, () => (rng() < 0.05 ? NaN : rng()));
  }
  const x = featureMatrix(columns);
  const value = (i: number) => 3 * (x.columns[1][i] || 0) + 2 * (x.columns[35][i] || 0);
  const y = Float64Array.from({ length: n }, (_, i) => value(i) + 0.1 * rng());
  const labels = Array.from(
    { length: n },
    (_, i) => (value(i) < 2 ? "bas" : value(i) < 3 ? "moyen" : "haut"),
  );
  const options = { nRepeats: 2, features: ["f1", "f35", ["f0", "f39"], "f20"] };
  const regressor = fitGbdtRegressor(x, y, { maxIter: 30, maxLeafNodes: 15 });
  const classifier = fitGbdtClassifier(x, labels, { maxIter: 10, maxLeafNodes: 15 });
  for (const model of [regressor, classifier]) {
    // The same model without the shortcut: every permutation predicted from scratch.
    const plain = {
      featureNames: model.featureNames,
      predict: (m: FeatureMatrix) => model.predict(m),
    };
    const target: ArrayLike<number | string> = model === regressor ? y : labels;
    const fast = permutationImportance(model as Predictor<number | string>, x, target, options);
    const slow = permutationImportance(plain as Predictor<number | string>, x, target, options);
    assert.deepEqual(fast, slow);
    assert.ok(["f1", "f35"].includes(fast.importances[0].feature), fast.importances[0].feature);
  }
});
