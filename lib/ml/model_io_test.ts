import assert from "node:assert/strict";
import { join } from "node:path";
import { averageRegressor } from "./average.ts";
import { featureMatrix } from "./dataset.ts";
import { fitGbdtClassifier, fitGbdtRegressor } from "./gbdt.ts";
import { fitRidge } from "./linear.ts";
import { fitRandomForestClassifier, fitRandomForestRegressor } from "./random_forest.ts";
import { loadModel, modelFromJSON, saveModel } from "./model_io.ts";
import { ModelFormatError } from "./errors.ts";
import type { Classifier, Model, Regressor } from "./model.ts";
import { mulberry32 } from "./_rng.ts";

const rng = mulberry32(17);
const n = 800;
const a = Float64Array.from({ length: n }, () => rng() * 10);
const b = Float64Array.from({ length: n }, () => (rng() < 0.1 ? NaN : rng()));
const x = featureMatrix({ a, b });
const y = a.map((v, i) => Math.sin(v) + (Number.isNaN(b[i]) ? 1 : b[i]));
const labels = Array.from(y, (v) => (v > 1 ? "high" : v > 0 ? "mid" : "low"));
const noNaN = featureMatrix({ a, b: b.map((v) => (Number.isNaN(v) ? 0 : v)) });

const models: [string, Model, typeof x][] = [
  ["ridge", fitRidge(noNaN, y), noNaN],
  ["gbdt regressor", fitGbdtRegressor(x, y, { maxIter: 30 }), x],
  ["gbdt classifier", fitGbdtClassifier(x, labels, { maxIter: 10 }), x],
  ["forest regressor", fitRandomForestRegressor(x, y, { nEstimators: 4 }), x],
  ["forest classifier", fitRandomForestClassifier(x, labels, { nEstimators: 4 }), x],
  [
    "average of a forest and a boosting",
    averageRegressor([
      fitRandomForestRegressor(x, y, { nEstimators: 3 }),
      fitGbdtRegressor(x, y, { maxIter: 20 }),
    ]),
    x,
  ],
];

Deno.test("every model kind reloads from a file with bit-identical predictions", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ml_io_" });
  try {
    for (const [name, model, input] of models) {
      const path = join(dir, `${name}.json`);
      await saveModel(path, model);
      const back = await loadModel(path);
      assert.equal(back.kind, model.kind, name);
      assert.deepEqual(back.featureNames, model.featureNames);
      if ("classes" in model) {
        assert.deepEqual((back as Classifier).predictProba(input), model.predictProba(input));
        assert.deepEqual((back as Classifier).predict(input), model.predict(input));
      } else {
        assert.deepEqual((back as Regressor).predict(input), (model as Regressor).predict(input));
      }
      // Saving the reloaded model writes the same document.
      assert.equal(JSON.stringify(back), JSON.stringify(model), name);
    }
    assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".tmp")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unreadable files name the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ml_io_" });
  try {
    const path = join(dir, "broken.json");
    await Deno.writeTextFile(path, "{ not json");
    await assert.rejects(loadModel(path), (e: Error) => {
      assert.ok(e instanceof ModelFormatError);
      assert.ok(e.message.startsWith(path));
      return true;
    });
    const json = models[1][1].toJSON();
    assert.throws(() => modelFromJSON({ ...json, kind: "svm" }, "x.json"), /unknown model kind/);
    assert.throws(() => modelFromJSON([], "x.json"), /x.json: not a serialised model/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parameter combinations keep their invariants (round trip, tracked loss)", () => {
  const rng = mulberry32(99);
  const pick = <T>(values: T[]): T => values[Math.floor(rng() * values.length)];
  for (let trial = 0; trial < 40; trial++) {
    const params = {
      maxIter: pick([3, 10]),
      maxLeafNodes: pick([null, 4, 15]),
      maxDepth: pick([null, 3]),
      minSamplesLeaf: pick([1, 5, 20]),
      l2Regularization: pick([0, 1]),
      maxBins: pick([2, 16, 255]),
      maxFeatures: pick([0.5, 1]),
      subsample: pick([0.6, 1]),
      earlyStopping: pick([false, true]),
      validationSplit: pick(["tail", "random"] as const),
      seed: trial,
    };
    const weights = pick([undefined, Float64Array.from({ length: n }, () => rng() * 2)]);
    const model = fitGbdtRegressor(x, y, params, { sampleWeight: weights });
    const back = modelFromJSON(JSON.parse(JSON.stringify(model))) as Regressor;
    const predicted = model.predict(x);
    assert.deepEqual(back.predict(x), predicted, JSON.stringify(params));
    assert.ok(predicted.every(Number.isFinite));
    if (!weights && !params.earlyStopping) {
      let loss = 0;
      for (let i = 0; i < n; i++) loss += (predicted[i] - y[i]) ** 2 / 2;
      assert.ok(Math.abs(model.info.trainLoss - loss / n) < 1e-9 * Math.max(1, loss / n));
    }
    const forest = fitRandomForestRegressor(x, y, {
      nEstimators: 3,
      maxDepth: params.maxDepth,
      maxLeafNodes: params.maxLeafNodes,
      minSamplesLeaf: params.minSamplesLeaf,
      maxFeatures: params.maxFeatures,
      maxSamples: pick([0.5, 1]),
      bootstrap: pick([true, false]),
      maxBins: params.maxBins,
      seed: trial,
    });
    const forestBack = modelFromJSON(JSON.parse(JSON.stringify(forest))) as Regressor;
    assert.deepEqual(forestBack.predict(x), forest.predict(x));
  }
});
