import assert from "node:assert/strict";
import { featureMatrix, sliceRows } from "./dataset.ts";
import {
  fitRandomForestClassifier,
  fitRandomForestClassifierInWorkers,
  fitRandomForestRegressor,
  fitRandomForestRegressorInWorkers,
  RandomForestClassifier,
  randomForestFromJSON,
} from "./random_forest.ts";
import { fitRidge } from "./linear.ts";
import { accuracy, mape } from "./metrics.ts";
import { MlInputError, ModelFormatError } from "./errors.ts";
import { mulberry32 } from "./_rng.ts";
import { loadNationalConsumption, oneHourAheadProblem } from "./_consumption_testdata.ts";

Deno.test("a tree without bootstrap splits on the largest variance reduction", () => {
  // x = 1..4, y = [1, 2, 10, 11]: the best split is x <= 2, leaves are the means 1.5 and 10.5.
  const x = featureMatrix({ x: [1, 2, 3, 4] });
  const model = fitRandomForestRegressor(x, [1, 2, 10, 11], {
    nEstimators: 3,
    bootstrap: false,
    minSamplesLeaf: 2,
  });
  assert.deepEqual([...model.predict(featureMatrix({ x: [0, 2.4, 2.6, 100] }))], [
    1.5,
    1.5,
    10.5,
    10.5,
  ]);
  // Grown to purity, every distinct training row is predicted exactly.
  const full = fitRandomForestRegressor(x, [1, 2, 10, 11], { nEstimators: 1, bootstrap: false });
  assert.deepEqual([...full.predict(x)], [1, 2, 10, 11]);
});

Deno.test("classification leaves hold class frequencies of the best Gini split", () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8];
  const labels = ["a", "a", "a", "b", "b", "a", "b", "b"];
  // Brute force: Gini decrease of every threshold.
  const gini = (ls: string[]) => {
    const pa = ls.filter((l) => l === "a").length / ls.length;
    return 1 - pa * pa - (1 - pa) * (1 - pa);
  };
  let best = { t: -1, score: Infinity };
  for (let t = 1; t < xs.length; t++) {
    const score = t * gini(labels.slice(0, t)) + (xs.length - t) * gini(labels.slice(t));
    if (score < best.score) best = { t, score };
  }
  const model = fitRandomForestClassifier(featureMatrix({ x: xs }), labels, {
    nEstimators: 1,
    bootstrap: false,
    maxDepth: 1,
    maxFeatures: 1,
  });
  const left = labels.slice(0, best.t), right = labels.slice(best.t);
  const share = (ls: string[]) => ls.filter((l) => l === "a").length / ls.length;
  const [pa] = model.predictProba(featureMatrix({ x: [xs[0], xs[xs.length - 1]] }));
  assert.deepEqual([...pa], [share(left), share(right)]);
});

function synthetic(n: number, seed: number) {
  const rng = mulberry32(seed);
  const a = Float64Array.from({ length: n }, () => rng() * 10);
  const b = Float64Array.from({ length: n }, () => (rng() < 0.1 ? NaN : rng() * 10));
  const y = a.map((v, i) => Math.sin(v) * 3 + (Number.isNaN(b[i]) ? 4 : b[i] > 5 ? 2 : 0));
  return { x: featureMatrix({ a, b }), y };
}

Deno.test("regression forest learns a known function with missing values", () => {
  const train = synthetic(4000, 1);
  const test = synthetic(1000, 2);
  const model = fitRandomForestRegressor(train.x, train.y, { nEstimators: 30, minSamplesLeaf: 3 });
  const predicted = model.predict(test.x);
  let sq = 0;
  for (let i = 0; i < predicted.length; i++) sq += (predicted[i] - test.y[i]) ** 2;
  assert.ok(Math.sqrt(sq / predicted.length) < 0.2, `rmse ${Math.sqrt(sq / predicted.length)}`);
  const imp = model.featureImportances();
  assert.ok(Math.abs(imp.reduce((s, v) => s + v.importance, 0) - 1) < 1e-12);
});

Deno.test("workers build exactly the same forest as the main thread", async () => {
  const { x, y } = synthetic(2000, 3);
  const params = { nEstimators: 7, maxFeatures: 0.5, minSamplesLeaf: 2, seed: 4 };
  const inThread = fitRandomForestRegressor(x, y, params);
  const inWorkers = await fitRandomForestRegressorInWorkers(x, y, params, 3);
  assert.equal(JSON.stringify(inWorkers), JSON.stringify(inThread));
  const labels = Array.from(y, (v) => (v > 2 ? "high" : "low"));
  const c1 = fitRandomForestClassifier(x, labels, { nEstimators: 5 });
  const c2 = await fitRandomForestClassifierInWorkers(x, labels, { nEstimators: 5 }, 2);
  assert.equal(JSON.stringify(c2), JSON.stringify(c1));
  // A different seed gives a different forest.
  const other = fitRandomForestRegressor(x, y, { ...params, seed: 5 });
  assert.notEqual(JSON.stringify(other), JSON.stringify(inThread));
});

Deno.test("classification forest: three classes, probabilities sum to one", () => {
  const rng = mulberry32(6);
  const n = 3000;
  const share = Float64Array.from({ length: n }, () => rng() * 80);
  const other = Float64Array.from({ length: n }, () => rng());
  const label = Array.from(share, (s) => (s < 30 ? "lt30" : s < 50 ? "30_50" : "gt50"));
  const x = featureMatrix({ share, other });
  const model = fitRandomForestClassifier(x, label, { nEstimators: 25 });
  assert.deepEqual(model.classes, ["30_50", "gt50", "lt30"]);
  const proba = model.predictProba(x);
  for (let i = 0; i < n; i += 101) {
    assert.ok(Math.abs(proba[0][i] + proba[1][i] + proba[2][i] - 1) < 1e-12);
  }
  assert.ok(accuracy(label, model.predict(x)) > 0.99);
  assert.throws(() => fitRandomForestClassifier(x, label.slice(1)), MlInputError);
});

Deno.test("JSON round trip gives identical predictions", () => {
  const { x, y } = synthetic(1500, 7);
  const model = fitRandomForestRegressor(x, y, { nEstimators: 5 });
  const copy = randomForestFromJSON(JSON.parse(JSON.stringify(model)));
  assert.deepEqual(copy.predict(x), model.predict(x));
  const labels = Array.from(y, (v) => (v > 2 ? 1 : 0));
  const classifier = fitRandomForestClassifier(x, labels, { nEstimators: 5 });
  const back = randomForestFromJSON(JSON.parse(JSON.stringify(classifier)));
  assert.ok(back instanceof RandomForestClassifier);
  assert.deepEqual(back.predictProba(x), classifier.predictProba(x));
  const json = classifier.toJSON();
  assert.throws(() => randomForestFromJSON({ ...json, classes: ["only"] }, "rf.json"), /rf.json/);
  assert.throws(() => randomForestFromJSON({ ...json, kind: "svm" }, "rf.json"), ModelFormatError);
});

Deno.test("real consumption: a small forest beats ridge one hour ahead", async () => {
  const problem = oneHourAheadProblem(await loadNationalConsumption());
  const start = problem.epochMs.findIndex((t) => t >= Date.UTC(2023, 0, 1));
  const split = problem.epochMs.findIndex((t) => t >= Date.UTC(2024, 0, 1));
  const end = problem.epochMs.findIndex((t) => t >= Date.UTC(2024, 2, 1));
  const xTrain = sliceRows(problem.x, start, split);
  const yTrain = problem.y.subarray(start, split);
  const xTest = sliceRows(problem.x, split, end);
  const yTest = problem.y.subarray(split, end);
  const forest = fitRandomForestRegressor(xTrain, yTrain, { nEstimators: 20, minSamplesLeaf: 5 });
  const rf = mape(yTest, forest.predict(xTest));
  const ridge = mape(yTest, fitRidge(xTrain, yTrain).predict(xTest));
  assert.ok(rf < 2.5, `forest MAPE ${rf}`);
  assert.ok(rf < ridge, `forest ${rf} vs ridge ${ridge}`);
});
