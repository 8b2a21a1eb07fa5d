import assert from "node:assert/strict";
import { featureMatrix, selectFeatures } from "./dataset.ts";
import { MlInputError } from "./errors.ts";
import { fitModel, FitPool, type LearnerSpec, mapConcurrent } from "./fit_pool.ts";
import type { Classifier, Regressor } from "./model.ts";
import { fitRandomForestRegressorInWorkers } from "./random_forest.ts";
import { mulberry32 } from "./_rng.ts";

function problem(n: number) {
  const rng = mulberry32(5);
  const hour = Float64Array.from({ length: n }, (_, i) => (i % 48) / 2);
  const lag = Float64Array.from({ length: n }, () => 50_000 + 5_000 * rng());
  const noisy = Float64Array.from(lag, (v, i) => (i % 7 === 0 ? NaN : v));
  const x = featureMatrix({ hour, lag, noisy });
  const y = Float64Array.from({ length: n }, (_, i) => lag[i] * (1 + 0.05 * Math.sin(hour[i])));
  return { x, y };
}

Deno.test("a fit in the pool predicts bit for bit what the same fit in this thread does", async () => {
  const { x, y } = problem(12_000);
  const forestParams = { nEstimators: 4, minSamplesLeaf: 5, maxFeatures: 0.5 };
  const specs: LearnerSpec[] = [
    { learner: "ridge", params: { alpha: 1 } },
    // Two histogram threads asked for: the pool fits on one, with the same trees.
    { learner: "gbdt", params: { maxIter: 30, maxLeafNodes: 15, subsample: 0.5, nThreads: 2 } },
    { learner: "random_forest", params: forestParams },
  ];
  const pool = new FitPool(2);
  try {
    // Ridge needs values: it gets the columns without NaN.
    const inputs = specs.map((
      s,
    ) => (s.learner === "ridge" ? selectFeatures(x, ["hour", "lag"]) : x));
    const pooled = await Promise.all(specs.map((spec, k) => pool.fit(spec, inputs[k], y)));
    for (const [k, spec] of specs.entries()) {
      const local = fitModel(spec, inputs[k], y) as Regressor;
      assert.deepEqual((pooled[k] as Regressor).predict(x), local.predict(x), spec.learner);
    }
    // The forest of the pool is also the forest grown by the forest's own workers.
    const forest = await fitRandomForestRegressorInWorkers(x, y, forestParams, 2);
    assert.deepEqual((pooled[2] as Regressor).predict(x), forest.predict(x));
  } finally {
    pool.close();
  }
});

Deno.test("the pool fits classifiers, and reports a fit's error as a rejection", async () => {
  const { x } = problem(3_000);
  const labels = Array.from({ length: 3_000 }, (_, i) => ["bas", "moyen", "haut"][i % 3]);
  const spec: LearnerSpec = { learner: "gbdt_classifier", params: { maxIter: 10 } };
  const pool = new FitPool(1);
  try {
    const model = await pool.fit(spec, x, labels) as Classifier;
    assert.deepEqual(model.predict(x), (fitModel(spec, x, labels) as Classifier).predict(x));
    const bad = Float64Array.from({ length: 3_000 }, (_, i) => (i === 17 ? NaN : i));
    // A learner's input error stays an MlInputError.
    await assert.rejects(
      () => pool.fit({ learner: "gbdt", params: {} }, x, bad),
      (e: Error) => e instanceof MlInputError && /row 17/.test(e.message),
    );
    // The worker that reported the error serves the next fit.
    const again = await pool.fit(spec, x, labels) as Classifier;
    assert.deepEqual(again.predict(x), model.predict(x));
  } finally {
    pool.close();
  }
});

Deno.test("close rejects the fits running or queued; a closed pool takes no fit", async () => {
  const { x, y } = problem(20_000);
  const pool = new FitPool(1);
  const spec: LearnerSpec = { learner: "gbdt", params: { maxIter: 50 } };
  const running = pool.fit(spec, x, y);
  const queued = pool.fit(spec, x, y);
  pool.close();
  await assert.rejects(running, /closed during the fit/);
  await assert.rejects(queued, /closed before the fit started/);
  await assert.rejects(pool.fit(spec, x, y), /closed/);
  assert.throws(() => new FitPool(0), RangeError);
});

Deno.test("lanes share the workers: a lower lane's fits first, the same models, one close", async () => {
  const { x, y } = problem(2_000);
  // One worker: the fits run one after another, in the queue's order.
  const pool = new FitPool(1);
  const spec: LearnerSpec = { learner: "gbdt", params: { maxIter: 20 } };
  const finished: string[] = [];
  const fit = (lane: FitPool, name: string) =>
    lane.fit(spec, x, y).then((m) => (finished.push(name), m as Regressor));
  try {
    const late = pool.lane(1);
    const early = pool.lane(0);
    const fits = await Promise.all([
      fit(late, "l1"),
      fit(late, "l2"),
      fit(late, "l3"),
      fit(early, "e1"),
      fit(early, "e2"),
    ]);
    // l1 had started; e1 and e2, queued after l2 and l3, run before them.
    assert.deepEqual(finished, ["l1", "e1", "e2", "l2", "l3"]);
    const local = fitModel(spec, x, y) as Regressor;
    for (const model of fits) assert.deepEqual(model.predict(x), local.predict(x));
    late.close();
    await assert.rejects(early.fit(spec, x, y), /closed/);
    await assert.rejects(pool.fit(spec, x, y), /closed/);
  } finally {
    pool.close();
  }
});

Deno.test("mapConcurrent keeps the order of results and stops on the first error", async () => {
  const started: number[] = [];
  await assert.rejects(
    mapConcurrent([1, 2, 3, 4, 5], 2, async (v) => {
      started.push(v);
      await new Promise((r) => setTimeout(r, 5));
      if (v === 2) throw new Error("deux");
      return v;
    }),
    /deux/,
  );
  // Items after the failure are not started.
  assert.ok(!started.includes(5), `started ${started}`);
  assert.deepEqual(await mapConcurrent([], 2, (v: number) => Promise.resolve(v)), []);
});
