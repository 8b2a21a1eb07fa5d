/**
 * Benchmark of the learners on the real national consumption history (ODRÉ half-hourly,
 * 2012-2025, about 241k rows after the first week of lags): one-hour-ahead features (local
 * hour, minute, weekday, month, day of year; lags 1 h, 24 h, 168 h; mean of the 24 h ending 1 h
 * before), chronological 80/20 split.
 *
 * Run: `deno bench -A --v8-flags=--expose-gc lib/bench/ml_bench.ts`
 *
 * A last fit uses 15 features (`recentLags`: lags 1 h 30, 2 h, 23 h, 23 h 30, 25 h and the
 * persistence corrected by yesterday's change) to show what richer features give.
 *
 * Besides Deno's timings, the first run of each training prints the test MAPE, the size and
 * (de)serialisation times of the model's JSON, and the peak resident memory of the process
 * during the fit (Linux: VmHWM, reset through
 * /proc/self/clear_refs before the fit; Random Forest workers are threads of the process, so
 * they are included).
 *
 * @module
 */

import {
  chronologicalSplit,
  fitGbdtRegressor,
  fitRandomForestRegressorInWorkers,
  fitRidge,
  type GbdtRegressor,
  mape,
  modelFromJSON,
  modelToJSONText,
  type RandomForestRegressor,
  type Regressor,
  type RidgeRegressor,
  sliceRows,
} from "../ml/mod.ts";
import { loadNationalConsumption, oneHourAheadProblem } from "../ml/_consumption_testdata.ts";

const problem = oneHourAheadProblem(await loadNationalConsumption());
const { train, test } = chronologicalSplit(problem.x.nRows, { epochMs: problem.epochMs });
const xTrain = sliceRows(problem.x, train.start, train.end);
const yTrain = problem.y.subarray(train.start, train.end);
const xTest = sliceRows(problem.x, test.start, test.end);
const yTest = problem.y.subarray(test.start, test.end);
const oneDay = sliceRows(xTest, 0, 96);
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
console.log(
  `rows: ${problem.x.nRows} (train ${xTrain.nRows}: ${day(problem.epochMs[train.start])} .. ` +
    `${day(problem.epochMs[train.end - 1])}; test ${xTest.nRows}: ` +
    `${day(problem.epochMs[test.start])} .. ${day(problem.epochMs[test.end - 1])}), ` +
    `${problem.x.names.length} features; persistence (1 h) test MAPE ` +
    `${mape(yTest, problem.persistence.subarray(test.start, test.end)).toFixed(3)} %`,
);

const GBDT = { maxIter: 600, maxLeafNodes: 63, learningRate: 0.1 } as const;
const FOREST = { nEstimators: 100 } as const;

const peakRssMb = () =>
  Number(Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+)/)?.[1]) / 1024;

/** Runs `fit`, and on the first call reports test MAPE and peak RSS. */
async function measured<M extends Regressor>(
  name: string,
  fit: () => M | Promise<M>,
  keep: (model: M) => void,
  evaluation: { x: typeof xTest; y: Float64Array } = { x: xTest, y: yTest },
): Promise<void> {
  const first = !reported.has(name);
  if (first) {
    (globalThis as { gc?: () => void }).gc?.();
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  }
  const start = performance.now();
  const model = await fit();
  const seconds = (performance.now() - start) / 1000;
  if (first) {
    reported.add(name);
    const peak = peakRssMb();
    const error = mape(evaluation.y, model.predict(evaluation.x));
    const saving = performance.now();
    const json = modelToJSONText(model);
    const saveSeconds = (performance.now() - saving) / 1000;
    const loading = performance.now();
    modelFromJSON(JSON.parse(json));
    const loadSeconds = (performance.now() - loading) / 1000;
    console.log(
      `${name}: fit ${seconds.toFixed(2)} s, test MAPE ${error.toFixed(3)} %, ` +
        `peak RSS during fit ${peak.toFixed(0)} MB; JSON ${(json.length / 1e6).toFixed(1)} MB ` +
        `(to JSON ${saveSeconds.toFixed(2)} s, back ${loadSeconds.toFixed(2)} s)`,
    );
  }
  keep(model);
}
const reported = new Set<string>();

// The richer feature set (same rows, up to a few next to gaps).
const rich = oneHourAheadProblem(await loadNationalConsumption(), { recentLags: true });
const richSplit = chronologicalSplit(rich.x.nRows, { epochMs: rich.epochMs });
const richTrain = {
  x: sliceRows(rich.x, richSplit.train.start, richSplit.train.end),
  y: rich.y.subarray(richSplit.train.start, richSplit.train.end),
};
const richTest = {
  x: sliceRows(rich.x, richSplit.test.start, richSplit.test.end),
  y: rich.y.subarray(richSplit.test.start, richSplit.test.end),
};

let ridge: RidgeRegressor | undefined;
let gbdt: GbdtRegressor | undefined;
let forest: RandomForestRegressor | undefined;

Deno.bench({
  name: "ridge fit",
  group: "fit",
  async fn() {
    await measured("ridge", () => fitRidge(xTrain, yTrain), (m) => (ridge = m));
  },
});

Deno.bench({
  name: "gbdt fit (600 rounds, 63 leaves, lr 0.1)",
  group: "fit",
  n: 1,
  warmup: 0,
  async fn() {
    await measured("gbdt", () => fitGbdtRegressor(xTrain, yTrain, GBDT), (m) => (gbdt = m));
  },
});

Deno.bench({
  name: "gbdt fit, 2 histogram threads",
  group: "fit",
  n: 1,
  warmup: 0,
  async fn() {
    await measured(
      "gbdt (2 threads)",
      () => fitGbdtRegressor(xTrain, yTrain, { ...GBDT, nThreads: 2 }),
      () => {},
    );
  },
});

Deno.bench({
  name: "gbdt fit, 15 features, 2 threads",
  group: "fit",
  n: 1,
  warmup: 0,
  async fn() {
    await measured(
      "gbdt (15 features, 2 threads)",
      () => fitGbdtRegressor(richTrain.x, richTrain.y, { ...GBDT, nThreads: 2 }),
      () => {},
      richTest,
    );
  },
});

Deno.bench({
  name: "ridge fit, 15 features",
  group: "fit",
  n: 1,
  warmup: 0,
  async fn() {
    await measured(
      "ridge (15 features)",
      () => fitRidge(richTrain.x, richTrain.y),
      () => {},
      richTest,
    );
  },
});

Deno.bench({
  name: "random forest fit (100 trees, 2 workers)",
  group: "fit",
  n: 1,
  warmup: 0,
  async fn() {
    await measured(
      "random forest",
      () => fitRandomForestRegressorInWorkers(xTrain, yTrain, FOREST, 2),
      (m) => (forest = m),
    );
  },
});

Deno.bench({
  name: "ridge predict 96 rows",
  group: "predict",
  fn() {
    ridge ??= fitRidge(xTrain, yTrain);
    ridge.predict(oneDay);
  },
});

Deno.bench({
  name: "gbdt predict 96 rows",
  group: "predict",
  fn() {
    gbdt ??= fitGbdtRegressor(xTrain, yTrain, GBDT);
    gbdt.predict(oneDay);
  },
});

Deno.bench({
  name: "random forest predict 96 rows",
  group: "predict",
  async fn() {
    forest ??= await fitRandomForestRegressorInWorkers(xTrain, yTrain, FOREST, 2);
    forest.predict(oneDay);
  },
});
