import assert from "node:assert/strict";
import { averageFromJSON, averageRegressor, meanOfPredictions } from "./average.ts";
import { featureMatrix } from "./dataset.ts";
import { MlInputError, ModelFormatError } from "./errors.ts";
import { fitGbdtClassifier, fitGbdtRegressor } from "./gbdt.ts";
import { fitRidge } from "./linear.ts";
import { modelFromJSON } from "./model_io.ts";

const x = featureMatrix({ t: [0, 1, 2, 3], u: [1, NaN, 1, 1] });

Deno.test("an average predicts the mean of its members, each reading its own features", () => {
  const onT = fitRidge(featureMatrix({ t: [0, 1, 2, 3] }), [0, 1, 2, 3], { alpha: 0 });
  const onU = fitRidge(featureMatrix({ u: [0, 1, 2, 3] }), [10, 10, 10, 10], { alpha: 0 });
  const model = averageRegressor([onT, onU]);
  assert.deepEqual(model.featureNames, ["t", "u"]);
  const p = model.predict(x);
  assert.ok(Math.abs(p[0] - 5) < 1e-9 && Math.abs(p[3] - 6.5) < 1e-9);
  // A member's unknown prediction makes the average unknown, not the other member's value.
  assert.ok(Number.isNaN(p[1]));
});

Deno.test("an average needs two regressors and rejects classifiers, in code and in JSON", () => {
  const ridge = fitRidge(featureMatrix({ t: [0, 1, 2, 3] }), [0, 1, 2, 3]);
  assert.throws(() => averageRegressor([ridge]), MlInputError);
  const classifier = fitGbdtClassifier(featureMatrix({ t: [0, 1, 2, 3] }), ["a", "a", "b", "b"], {
    maxIter: 2,
    minSamplesLeaf: 1,
  });
  // deno-lint-ignore no-explicit-any
  assert.throws(() => averageRegressor([ridge, classifier as any]), /not a regressor/);
  const json = JSON.parse(JSON.stringify(averageRegressor([ridge, ridge])));
  assert.throws(
    () => averageFromJSON({ ...json, members: [json.members[0]] }, modelFromJSON, "m.json"),
    (e: Error) => e instanceof ModelFormatError && /m\.json: an average needs/.test(e.message),
  );
  assert.throws(
    () => modelFromJSON({ ...json, members: [json.members[0], classifier.toJSON()] }, "m.json"),
    /m\.json, member 1: a gbdt_classifier is not a regressor/,
  );
});

Deno.test("an average of boosted trees reloads bit for bit through modelFromJSON", () => {
  const t = Array.from({ length: 300 }, (_, i) => i);
  const big = featureMatrix({ t, u: t.map((i) => i % 7) });
  const y = t.map((i) => Math.sin(i / 20) + (i % 7) / 10);
  const model = averageRegressor([
    fitGbdtRegressor(big, y, { maxIter: 20 }),
    fitGbdtRegressor(big, y, { maxIter: 20, seed: 3, subsample: 0.5 }),
  ]);
  const copy = modelFromJSON(JSON.parse(JSON.stringify(model)));
  assert.equal(copy.kind, "average_regressor");
  assert.deepEqual((copy as typeof model).predict(big), model.predict(big));
});

Deno.test("a mean of predictions needs some, all of the same rows", () => {
  assert.throws(() => meanOfPredictions([]), MlInputError);
  assert.throws(() => meanOfPredictions([[1, 2], [1]]), /predictions of 1 and 2 rows/);
});
