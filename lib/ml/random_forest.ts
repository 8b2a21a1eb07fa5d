/**
 * Random forests on the same binned data and histogram tree grower as gradient boosting.
 *
 * Each tree sees a bootstrap sample of the rows (drawn with replacement; repeats are kept as
 * repeated row indices, so no weights are needed) and draws `maxFeatures` of the features at
 * every split. Regression trees minimise the squared error (leaf = mean of its rows);
 * classification trees the Gini impurity (leaf = class frequencies). Predictions average the
 * trees. Tree `t` draws from its own seeded stream, so a forest does not depend on the order in
 * which its trees are built.
 *
 * `fit*InWorkers` share the trees among Web Workers (one per core by default) and return the
 * same forest as the in-thread `fit*`.
 *
 * Trees are grown to purity by default (`minSamplesLeaf` 1, no depth limit) as in
 * scikit-learn; on 200k rows that means ~100k leaves per tree: raise `minSamplesLeaf` for a
 * smaller, faster model that is often as accurate on noisy targets.
 *
 * @module
 */

import { type FeatureMatrix, selectFeatures } from "./dataset.ts";
import {
  argmaxLabels,
  binTrainingData,
  classCodes,
  type FeatureImportance,
  featuresPerSplit,
  importanceList,
  probabilityColumns,
  readEnsembleJson,
} from "./_ensemble.ts";
import { type Forest, ForestBuilder } from "./_forest.ts";
import type { BinEdges } from "./_binning.ts";
import { type GrownTrees, growTrees, type RfTask } from "./_rf_trees.ts";
import type { Label } from "./metrics.ts";
import { type Classifier, modelEnvelope, type ModelJson, type Regressor } from "./model.ts";
import { deriveSeed } from "./_rng.ts";
import { checkedTarget, checkInteger, checkRange } from "./_validate.ts";
import { encodeArray } from "./_codec.ts";
import { ModelFormatError } from "./errors.ts";

/** Parameters of a random forest (defaults follow scikit-learn). */
export interface RandomForestParams {
  /** Number of trees (default 100). */
  nEstimators?: number;
  /** Depth limit; null for none (default null). */
  maxDepth?: number | null;
  /** Leaves per tree; null for no limit (default null). */
  maxLeafNodes?: number | null;
  /** Minimum rows per leaf (default 1). */
  minSamplesLeaf?: number;
  /**
   * Fraction of the features drawn at each split (default 1 for regression, 1/sqrt(p) for
   * classification, scikit-learn's "sqrt").
   */
  maxFeatures?: number;
  /** Draw a bootstrap sample per tree (default true); false gives every tree all rows. */
  bootstrap?: boolean;
  /** Bootstrap sample size as a fraction of the rows (default 1). */
  maxSamples?: number;
  /** Value bins per feature, 2-255 (default 255). */
  maxBins?: number;
  /** Seed of every random choice (default 0). */
  seed?: number;
}

const DEFAULTS = {
  nEstimators: 100,
  maxDepth: null,
  maxLeafNodes: null,
  minSamplesLeaf: 1,
  bootstrap: true,
  maxSamples: 1,
  maxBins: 255,
  seed: 0,
};

function checkParams(params: RandomForestParams, defaultMaxFeatures: number) {
  const p: Required<RandomForestParams> = {
    ...DEFAULTS,
    maxFeatures: defaultMaxFeatures,
    ...params,
  };
  checkInteger(p.nEstimators, "nEstimators", 1);
  if (p.maxDepth !== null) checkInteger(p.maxDepth, "maxDepth", 1);
  if (p.maxLeafNodes !== null) checkInteger(p.maxLeafNodes, "maxLeafNodes", 2);
  checkInteger(p.minSamplesLeaf, "minSamplesLeaf", 1);
  checkRange(p.maxSamples, "maxSamples", Number.MIN_VALUE, 1);
  checkInteger(p.seed, "seed", 0, 2 ** 32 - 1);
  return p;
}

/** The task of growing a forest on `x` (binned with edges fitted on all rows). */
function forestTask(
  x: FeatureMatrix,
  p: Required<RandomForestParams>,
  target: { y: Float64Array } | { codes: Int32Array; nClasses: number },
): { task: RfTask; edges: BinEdges } {
  const { edges, binned } = binTrainingData(x, null, p.maxBins, deriveSeed(p.seed, 0));
  const task: RfTask = {
    binned,
    y: "y" in target ? target.y : null,
    codes: "codes" in target ? target.codes : null,
    nClasses: "codes" in target ? target.nClasses : 1,
    maxDepth: p.maxDepth ?? Infinity,
    maxLeafNodes: p.maxLeafNodes ?? Infinity,
    minSamplesLeaf: p.minSamplesLeaf,
    maxFeatures: featuresPerSplit(p.maxFeatures, x.columns.length),
    bootstrap: p.bootstrap,
    sampleSize: Math.max(1, Math.round(p.maxSamples * x.nRows)),
    seed: p.seed,
  };
  return { task, edges };
}

/** Grows all trees of a task in this thread or, with `workers` > 1, in Web Workers. */
async function growAll(task: RfTask, nTrees: number, workers: number): Promise<GrownTrees> {
  const indices = Array.from({ length: nTrees }, (_, t) => t);
  const k = Math.min(workers, nTrees);
  if (k <= 1) return growTrees(task, indices);
  // Round-robin shares balance the load; trees are put back in index order.
  const shares = Array.from({ length: k }, (_, w) => indices.filter((t) => t % k === w));
  const results = await Promise.all(shares.map((trees) => growInWorker(task, trees)));
  const out: GrownTrees = { trees: [], featureGains: [] };
  for (let t = 0; t < nTrees; t++) {
    const share = results[t % k];
    out.trees.push(share.trees[Math.floor(t / k)]);
    out.featureGains.push(share.featureGains[Math.floor(t / k)]);
  }
  return out;
}

function growInWorker(task: RfTask, trees: number[]): Promise<GrownTrees> {
  const worker = new Worker(new URL("./_rf_worker.ts", import.meta.url), { type: "module" });
  return new Promise<GrownTrees>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<GrownTrees | { error: string }>) => {
      if ("error" in event.data) reject(new Error(`random forest worker: ${event.data.error}`));
      else resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`random forest worker: ${event.message}`));
    };
    worker.postMessage({ task, trees });
  }).finally(() => worker.terminate());
}

/** The forest and the summed split gain per feature (in tree order, for reproducibility). */
function assemble(
  grown: GrownTrees,
  edges: BinEdges,
  width: number,
  nFeatures: number,
): { forest: Forest; importance: Float64Array } {
  const builder = new ForestBuilder(width, 1, edges);
  const importance = new Float64Array(nFeatures);
  grown.trees.forEach((tree, t) => {
    builder.append(tree);
    for (let f = 0; f < nFeatures; f++) importance[f] += grown.featureGains[t][f];
  });
  return { forest: builder.build(), importance };
}

/** Average of the trees' outputs, `width` per row. */
function averagePredictions(x: FeatureMatrix, names: readonly string[], forest: Forest) {
  const columns = selectFeatures(x, names).columns;
  const out = new Float64Array(x.nRows * forest.width);
  forest.addPredictions(columns, x.nRows, out);
  const scale = 1 / forest.nTrees;
  for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}

/** A trained random-forest regressor. */
export class RandomForestRegressor implements Regressor {
  /** Model kind in JSON. */
  readonly kind = "random_forest_regressor" as const;

  /** Use {@link fitRandomForestRegressor} or {@link randomForestFromJSON}. */
  constructor(
    readonly featureNames: readonly string[],
    readonly params: Required<RandomForestParams>,
    readonly forest: Forest,
    readonly gainImportance: Float64Array,
  ) {}

  /**
   * Mean of the trees' predictions for every row of `x` (NaN allowed).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitRandomForestRegressor } from "./random_forest.ts";
   * const t = Array.from({ length: 200 }, (_, i) => i % 24);
   * const model = fitRandomForestRegressor(featureMatrix({ t }), t.map((h) => (h < 12 ? 10 : 20)), {
   *   nEstimators: 10,
   * });
   * assert.ok(model.predict(featureMatrix({ t: [3] }))[0] === 10);
   * ```
   */
  predict(x: FeatureMatrix): Float64Array {
    return averagePredictions(x, this.featureNames, this.forest);
  }

  /** Share of the total impurity decrease per feature, largest first. */
  featureImportances(): FeatureImportance[] {
    return importanceList(this.featureNames, this.gainImportance);
  }

  /** Exact JSON form. */
  toJSON(): ModelJson {
    return {
      ...modelEnvelope(this.kind, this.featureNames),
      params: this.params,
      importance: encodeArray(this.gainImportance),
      forest: this.forest.toJSON(),
    };
  }
}

/** A trained random-forest classifier. */
export class RandomForestClassifier implements Classifier {
  /** Model kind in JSON. */
  readonly kind = "random_forest_classifier" as const;

  /** Use {@link fitRandomForestClassifier} or {@link randomForestFromJSON}. */
  constructor(
    readonly featureNames: readonly string[],
    readonly params: Required<RandomForestParams>,
    readonly classes: readonly Label[],
    readonly forest: Forest,
    readonly gainImportance: Float64Array,
  ) {}

  /**
   * Mean of the trees' class frequencies, one column per class of {@link classes}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitRandomForestClassifier } from "./random_forest.ts";
   * const share = Array.from({ length: 300 }, (_, i) => i / 3);
   * const label = share.map((s) => (s < 30 ? "lt30" : "ge30"));
   * const model = fitRandomForestClassifier(featureMatrix({ share }), label, { nEstimators: 20 });
   * const [ge30, lt30] = model.predictProba(featureMatrix({ share: [10] }));
   * assert.ok(lt30[0] === 1 && ge30[0] === 0);
   * ```
   */
  predictProba(x: FeatureMatrix): Float64Array[] {
    const k = this.classes.length;
    return probabilityColumns(averagePredictions(x, this.featureNames, this.forest), x.nRows, k);
  }

  /** Most probable class of each row. */
  predict(x: FeatureMatrix): Label[] {
    return argmaxLabels(this.predictProba(x), this.classes);
  }

  /** Share of the total Gini decrease per feature, largest first. */
  featureImportances(): FeatureImportance[] {
    return importanceList(this.featureNames, this.gainImportance);
  }

  /** Exact JSON form. */
  toJSON(): ModelJson {
    return {
      ...modelEnvelope(this.kind, this.featureNames),
      params: this.params,
      classes: [...this.classes],
      importance: encodeArray(this.gainImportance),
      forest: this.forest.toJSON(),
    };
  }
}

/**
 * Trains a random-forest regressor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRandomForestRegressor } from "./random_forest.ts";
 * const x = Array.from({ length: 300 }, (_, i) => i / 30);
 * const model = fitRandomForestRegressor(featureMatrix({ x }), x.map(Math.sin), {
 *   nEstimators: 20,
 *   minSamplesLeaf: 3,
 * });
 * assert.ok(Math.abs(model.predict(featureMatrix({ x: [1.5] }))[0] - Math.sin(1.5)) < 0.1);
 * ```
 */
export function fitRandomForestRegressor(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  params: RandomForestParams = {},
): RandomForestRegressor {
  const p = checkParams(params, 1);
  const { task, edges } = forestTask(x, p, { y: checkedTarget(y, x.nRows, "random forest") });
  const { forest, importance } = assemble(
    growTrees(task, Array.from({ length: p.nEstimators }, (_, t) => t)),
    edges,
    1,
    x.columns.length,
  );
  return new RandomForestRegressor(x.names, p, forest, importance);
}

/**
 * Trains a random-forest regressor with the trees shared among `workers` Web Workers
 * (default: one per core). The result is identical to {@link fitRandomForestRegressor}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRandomForestRegressorInWorkers } from "./random_forest.ts";
 * const x = Array.from({ length: 300 }, (_, i) => i / 30);
 * const model = await fitRandomForestRegressorInWorkers(featureMatrix({ x }), x.map(Math.sin), {
 *   nEstimators: 8,
 * }, 2);
 * assert.ok(model.forest.nTrees === 8);
 * ```
 */
export async function fitRandomForestRegressorInWorkers(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  params: RandomForestParams = {},
  workers: number = navigator.hardwareConcurrency,
): Promise<RandomForestRegressor> {
  const p = checkParams(params, 1);
  checkInteger(workers, "workers", 1);
  const { task, edges } = forestTask(x, p, { y: checkedTarget(y, x.nRows, "random forest") });
  const grown = await growAll(task, p.nEstimators, workers);
  const { forest, importance } = assemble(grown, edges, 1, x.columns.length);
  return new RandomForestRegressor(x.names, p, forest, importance);
}

/**
 * Trains a random-forest classifier on class labels (strings or numbers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRandomForestClassifier } from "./random_forest.ts";
 * const t = Array.from({ length: 200 }, (_, i) => i % 24);
 * const label = t.map((h) => (h >= 8 && h < 20 ? "day" : "night"));
 * const model = fitRandomForestClassifier(featureMatrix({ t }), label, { nEstimators: 10 });
 * assert.ok(model.predict(featureMatrix({ t: [12, 2] })).join() === "day,night");
 * ```
 */
export function fitRandomForestClassifier(
  x: FeatureMatrix,
  labels: ArrayLike<Label>,
  params: RandomForestParams = {},
): RandomForestClassifier {
  const p = checkParams(params, 1 / Math.sqrt(x.columns.length));
  const { classes, codes } = classCodes(labels, x.nRows, "random forest");
  const k = classes.length;
  const { task, edges } = forestTask(x, p, { codes, nClasses: k });
  const { forest, importance } = assemble(
    growTrees(task, Array.from({ length: p.nEstimators }, (_, t) => t)),
    edges,
    k,
    x.columns.length,
  );
  return new RandomForestClassifier(x.names, p, classes, forest, importance);
}

/**
 * Trains a random-forest classifier with the trees shared among `workers` Web Workers
 * (default: one per core). The result is identical to {@link fitRandomForestClassifier}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRandomForestClassifierInWorkers } from "./random_forest.ts";
 * const t = Array.from({ length: 200 }, (_, i) => i % 24);
 * const label = t.map((h) => (h < 12 ? "am" : "pm"));
 * const model = await fitRandomForestClassifierInWorkers(featureMatrix({ t }), label, {
 *   nEstimators: 6,
 * }, 2);
 * assert.ok(model.predict(featureMatrix({ t: [20] }))[0] === "pm");
 * ```
 */
export async function fitRandomForestClassifierInWorkers(
  x: FeatureMatrix,
  labels: ArrayLike<Label>,
  params: RandomForestParams = {},
  workers: number = navigator.hardwareConcurrency,
): Promise<RandomForestClassifier> {
  const p = checkParams(params, 1 / Math.sqrt(x.columns.length));
  checkInteger(workers, "workers", 1);
  const { classes, codes } = classCodes(labels, x.nRows, "random forest");
  const k = classes.length;
  const { task, edges } = forestTask(x, p, { codes, nClasses: k });
  const grown = await growAll(task, p.nEstimators, workers);
  const { forest, importance } = assemble(grown, edges, k, x.columns.length);
  return new RandomForestClassifier(x.names, p, classes, forest, importance);
}

/**
 * Rebuilds a random forest (regressor or classifier) from its JSON form; `source` names the
 * file in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitRandomForestRegressor, randomForestFromJSON } from "./random_forest.ts";
 * const x = featureMatrix({ t: Array.from({ length: 100 }, (_, i) => i) });
 * const model = fitRandomForestRegressor(x, Array.from({ length: 100 }, (_, i) => i % 7), {
 *   nEstimators: 5,
 * });
 * const copy = randomForestFromJSON(JSON.parse(JSON.stringify(model)));
 * assert.ok(copy.predict(x)[50] === model.predict(x)[50]);
 * ```
 */
export function randomForestFromJSON(
  json: unknown,
  source = "random forest model",
): RandomForestRegressor | RandomForestClassifier {
  const kind = (json as { kind?: string } | null)?.kind;
  if (kind === "random_forest_classifier") {
    const { j, forest, importance, classes } = readEnsembleJson(json, kind, source);
    if (!classes || classes.length < 2 || forest.width !== classes.length) {
      throw new ModelFormatError(`${source}: classes and trees do not match`);
    }
    const params = j.params as Required<RandomForestParams>;
    return new RandomForestClassifier(j.featureNames, params, classes, forest, importance);
  }
  const { j, forest, importance } = readEnsembleJson(json, "random_forest_regressor", source);
  if (forest.width !== 1 || forest.treesPerRound !== 1) {
    throw new ModelFormatError(`${source}: trees do not match a regressor`);
  }
  const params = j.params as Required<RandomForestParams>;
  return new RandomForestRegressor(j.featureNames, params, forest, importance);
}
