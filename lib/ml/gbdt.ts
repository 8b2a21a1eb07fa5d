/**
 * Histogram gradient-boosted trees, in the manner of scikit-learn's
 * HistGradientBoostingRegressor / Classifier and LightGBM.
 *
 * Features are binned once into at most 255 quantile bins (NaN in a bin of its own); each
 * boosting round fits one tree per output (1 for regression and binary classification, K for
 * K-class softmax) to the gradients and hessians of the loss, grown best-first up to
 * `maxLeafNodes` leaves, with histogram subtraction. Leaf values are `-learningRate * G / (H +
 * l2Regularization)`, except for the absolute-error and quantile losses, whose leaves take the
 * median / quantile of their rows' residuals (times the learning rate), as in scikit-learn.
 * Missing values need no imputation: each split learns where they go.
 *
 * Early stopping holds out `validationFraction` of the rows — by default the last ones
 * (`validationSplit: "tail"`), which is the honest choice for time-ordered rows — stops when
 * the validation loss has not improved by `tol` for `nIterNoChange` rounds, and keeps the
 * rounds up to the best validation loss. The held-out rows are the most recent ones: to use
 * them too, refit on all rows with `maxIter: model.info.nIter, earlyStopping: false`.
 *
 * Everything is deterministic for a given `seed` (used by the binning sample, a random
 * validation split and feature sampling).
 *
 * Why one module of this size: the regressor, the classifier and the leaf refit share the private
 * boosting loop's pieces (baseline, leaf-value formulas per loss, early stopping, raw
 * predictions) and one serialised form read back by {@linkcode gbdtFromJSON}; split, each file
 * would re-export the others' internals.
 *
 * @module
 */

import { type FeatureMatrix, selectFeatures, takeRows } from "./dataset.ts";
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
import { type Forest, ForestBuilder, ForestPaths, type TreeArrays } from "./_forest.ts";
import { TreeGrower } from "./_grower.ts";
import {
  binaryLogLoss,
  type Loss,
  multinomialLogLoss,
  pinballLoss,
  sigmoid,
  softmaxInto,
  squaredError,
} from "./_losses.ts";
import { encodeLabels, type Label } from "./metrics.ts";
import { type Classifier, modelEnvelope, type ModelJson, type Regressor } from "./model.ts";
import { deriveSeed, mulberry32, type Rng, shuffleInPlace } from "./_rng.ts";
import type { BinnedData } from "./_binning.ts";
import { checkedTarget, checkInteger, checkRange } from "./_validate.ts";
import { decodeArray, encodeArray } from "./_codec.ts";
import { MlInputError, ModelFormatError } from "./errors.ts";

/** Parameters of gradient boosting (defaults follow scikit-learn's HistGradientBoosting). */
export interface GbdtParams {
  /** Boosting rounds (default 100). */
  maxIter?: number;
  /** Shrinkage of each tree (default 0.1). */
  learningRate?: number;
  /** Leaves per tree; null for no limit (default 31). */
  maxLeafNodes?: number | null;
  /** Depth limit; null for none (default null). */
  maxDepth?: number | null;
  /** Minimum rows per leaf (default 20). */
  minSamplesLeaf?: number;
  /** L2 regularisation of leaf values (default 0). */
  l2Regularization?: number;
  /** Value bins per feature, 2-255 (default 255). */
  maxBins?: number;
  /** Fraction of features drawn for each split (default 1: all). */
  maxFeatures?: number;
  /**
   * Fraction of the training rows drawn (without replacement) for each round: stochastic
   * gradient boosting (Friedman 2002), a regulariser (default 1: all rows). Not a speed-up on
   * few features: the rows left out still walk down every tree to keep their predictions.
   */
  subsample?: number;
  /** Hold out validation rows and stop when their loss stops improving (default false). */
  earlyStopping?: boolean;
  /** Share of rows held out for early stopping (default 0.1). */
  validationFraction?: number;
  /** "tail": the last rows (time-ordered data); "random": a seeded random sample. */
  validationSplit?: "tail" | "random";
  /** Rounds without improvement before stopping (default 10). */
  nIterNoChange?: number;
  /** Minimal improvement of the validation loss (default 1e-7). */
  tol?: number;
  /** Seed of every random choice (default 0). */
  seed?: number;
  /**
   * Monotonic constraints by feature name: 1 makes predictions non-decreasing in the feature
   * (all else equal), -1 non-increasing; unnamed features are free (default null). Squared
   * error and binary classification only.
   */
  monotonicConstraints?: Record<string, -1 | 0 | 1> | null;
  /**
   * Threads building histograms (default 1). With 2 on a 2-core machine, large nodes split
   * their features with a worker; the model is identical whatever the count.
   */
  nThreads?: number;
}

/** Parameters of the regressor: those of {@link GbdtParams} plus the loss. */
export interface GbdtRegressorParams extends GbdtParams {
  /**
   * "squared_error" (default, the conditional mean), "absolute_error" (the median) or
   * "quantile" (the `quantile`-quantile, e.g. 0.1 and 0.9 for an 80 % forecast band).
   */
  loss?: "squared_error" | "absolute_error" | "quantile";
  /** Quantile fitted by the "quantile" loss, in (0, 1) (default 0.5). */
  quantile?: number;
}

/** Parameters of the classifier: those of {@link GbdtParams} plus class weighting. */
export interface GbdtClassifierParams extends GbdtParams {
  /**
   * "balanced" weighs each row by `n / (k * count(its class))`, so that rare classes (a
   * renewable share above 50 %, say) count as much as frequent ones; null (default) for none.
   */
  classWeight?: "balanced" | null;
}

/** Per-row data that is not a parameter. */
export interface GbdtFitOptions<Y = number> {
  /** Weight of each row's loss (e.g. recent years more); finite and >= 0. */
  sampleWeight?: ArrayLike<number>;
  /**
   * Rows to validate on instead of holding out `validationFraction` of the training rows (e.g.
   * the next period in a rolling-origin fold): their unweighted loss is recorded after every
   * round (`info.validationLoss`) and, with `earlyStopping`, decides when to stop.
   */
  validation?: { x: FeatureMatrix; y: ArrayLike<Y> };
}

/** What happened during training. */
export interface GbdtTrainingInfo {
  /** Rounds kept in the model. */
  nIter: number;
  /** Rounds run (more than `nIter` when early stopping dropped the last ones). */
  nIterRun: number;
  /** Rows used to grow the trees. */
  trainRows: number;
  /** Rows held out for early stopping (0 without). */
  validationRows: number;
  /** Validation loss after each round (half squared error, or log loss); empty without. */
  validationLoss: number[];
  /**
   * Loss on the training rows after the last round run (same unit as `validationLoss`),
   * from the predictions tracked during training.
   */
  trainLoss: number;
  /**
   * Set by {@link refitGbdtLeaves}: the trees are those of an earlier fit, every leaf value
   * re-estimated over `rows` rows along the `rounds` rounds. Absent from a grown model.
   */
  leafRefit?: { rounds: number; rows: number };
}

const DEFAULTS: Required<GbdtParams> = {
  maxIter: 100,
  learningRate: 0.1,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  maxFeatures: 1,
  subsample: 1,
  earlyStopping: false,
  validationFraction: 0.1,
  validationSplit: "tail",
  nIterNoChange: 10,
  tol: 1e-7,
  seed: 0,
  monotonicConstraints: null,
  nThreads: 1,
};

function checkParams(params: GbdtParams): Required<GbdtParams> {
  const p = { ...DEFAULTS, ...params };
  checkInteger(p.maxIter, "maxIter", 1);
  checkRange(p.learningRate, "learningRate", Number.MIN_VALUE, Infinity);
  if (p.maxLeafNodes !== null) checkInteger(p.maxLeafNodes, "maxLeafNodes", 2);
  if (p.maxDepth !== null) checkInteger(p.maxDepth, "maxDepth", 1);
  checkInteger(p.minSamplesLeaf, "minSamplesLeaf", 1);
  checkRange(p.l2Regularization, "l2Regularization", 0, Infinity);
  checkRange(p.subsample, "subsample", Number.MIN_VALUE, 1);
  checkRange(p.validationFraction, "validationFraction", Number.MIN_VALUE, 0.5);
  if (p.validationSplit !== "tail" && p.validationSplit !== "random") {
    throw new MlInputError(`validationSplit must be "tail" or "random", got ${p.validationSplit}`);
  }
  checkInteger(p.nIterNoChange, "nIterNoChange", 1);
  checkRange(p.tol, "tol", 0, Infinity);
  checkInteger(p.seed, "seed", 0, 2 ** 32 - 1);
  checkInteger(p.nThreads, "nThreads", 1, 64);
  if (p.nThreads > 1 && p.maxLeafNodes === null) {
    throw new MlInputError("nThreads > 1 needs a finite maxLeafNodes");
  }
  return p;
}

/** Result of the boosting loop, shared by the regressor and the classifier. */
interface Boosted {
  forest: Forest;
  baseline: Float64Array;
  importance: Float64Array;
  info: GbdtTrainingInfo;
}

/** Training / validation row indices. */
function splitRows(n: number, p: Required<GbdtParams>): { train: Int32Array; valid: Int32Array } {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (!p.earlyStopping) return { train: all, valid: new Int32Array(0) };
  const nValid = Math.max(1, Math.round(n * p.validationFraction));
  if (n - nValid < 2 * p.minSamplesLeaf) {
    throw new MlInputError(`early stopping: ${n} rows are too few to hold out ${nValid}`);
  }
  if (p.validationSplit === "random") {
    shuffleInPlace(all, mulberry32(deriveSeed(p.seed, 2)));
    return { train: all.slice(nValid).sort(), valid: all.slice(0, nValid).sort() };
  }
  return { train: all.slice(0, n - nValid), valid: all.slice(n - nValid) };
}

/** The boosting loop; `makeLoss(rows)` builds the loss over the target rows given. */
function boost(
  x: FeatureMatrix,
  makeLoss: (rows: Int32Array | null) => Loss,
  p: Required<GbdtParams>,
  external: { x: FeatureMatrix; loss: Loss } | null = null,
): Boosted {
  const n = x.nRows;
  if (n === 0) throw new MlInputError("gbdt: no training row");
  const { train, valid } = external
    ? { train: Int32Array.from({ length: n }, (_, i) => i), valid: new Int32Array(0) }
    : splitRows(n, p);
  const { edges, binned } = binTrainingData(x, train, p.maxBins, deriveSeed(p.seed, 0));
  const loss = makeLoss(null);
  const k = loss.outputs;
  const baseline = loss.baseline(train);
  const raw = new Float64Array(n * k);
  for (let i = 0; i < n; i++) raw.set(baseline, i * k);
  const g = Array.from({ length: k }, () => new Float64Array(n));
  const h = loss.constantHessian ? null : Array.from({ length: k }, () => new Float64Array(n));

  const validLoss = external ? external.loss : valid.length > 0 ? makeLoss(valid) : null;
  const nValid = external ? external.x.nRows : valid.length;
  const validColumns = external
    ? selectFeatures(external.x, x.names).columns
    : valid.length > 0
    ? takeRows(x, valid).columns
    : [];
  const validRaw = new Float64Array(nValid * k);
  for (let i = 0; i < nValid; i++) validRaw.set(baseline, i * k);

  const nFeatures = x.columns.length;
  const grower = new TreeGrower(
    binned,
    {
      maxLeafNodes: p.maxLeafNodes ?? Infinity,
      maxDepth: p.maxDepth ?? Infinity,
      minSamplesLeaf: p.minSamplesLeaf,
      minHessianToSplit: 1e-3,
      l2: p.l2Regularization,
      minGainToSplit: 0,
      maxFeatures: featuresPerSplit(p.maxFeatures, nFeatures),
      threads: p.nThreads,
      monotonic: monotonicArray(p.monotonicConstraints, x.names, k),
    },
    1,
    h !== null,
  );
  const rng = mulberry32(deriveSeed(p.seed, 1));
  const sampler = p.subsample < 1
    ? new RowSampler(train, p.subsample, deriveSeed(p.seed, 3))
    : null;
  const builder = new ForestBuilder(1, k, edges);
  const walker = new BinnedWalker(binned);
  const treeGains: Float64Array[] = [];
  const validationLoss: number[] = [];
  let best = Infinity;
  let bestRounds = 0;
  try {
    for (let round = 0; round < p.maxIter; round++) {
      const rows = sampler ? sampler.draw() : train;
      loss.gradients(raw, rows, g, h);
      for (let c = 0; c < k; c++) {
        const tree = grower.grow(
          {
            kind: "scalar",
            gradients: g[c],
            hessians: h ? h[c] : null,
            leafOffset: 0,
            leafScale: -p.learningRate,
          },
          rows,
          rng,
        );
        // Leaves know their rows: update the training predictions without traversing the tree.
        const part = grower.partition;
        for (let node = 0; node < tree.nNodes; node++) {
          if (tree.left[node] >= 0) continue;
          if (loss.leafValue) {
            const fitted = loss.leafValue(raw, part, tree.nodeStart[node], tree.nodeEnd[node]);
            tree.value[node] = p.learningRate * fitted;
          }
          const v = tree.value[node];
          for (let q = tree.nodeStart[node]; q < tree.nodeEnd[node]; q++) raw[part[q] * k + c] += v;
        }
        // Training rows left out of this round's sample go down the tree on their bins.
        if (sampler) walker.add(tree, sampler.left, raw, k, c);
        builder.append(copyTree(tree));
        treeGains.push(grower.featureGain.slice());
      }
      if (validLoss) {
        const last = new ForestBuilder(1, k, edges);
        for (let c = 0; c < k; c++) last.append(builder.tree(builder.nTrees - k + c));
        last.build().addPredictions(validColumns, nValid, validRaw);
        const value = validLoss.value(validRaw);
        validationLoss.push(value);
        if (!p.earlyStopping) bestRounds = round + 1;
        else {
          if (value < best) {
            best = value;
            bestRounds = round + 1;
          }
          if (shouldStop(validationLoss, p.nIterNoChange, p.tol)) break;
        }
      } else bestRounds = round + 1;
    }
  } finally {
    grower.close();
  }
  const nIterRun = builder.nTrees / k;
  const trainRaw = new Float64Array(train.length * k);
  train.forEach((row, q) => trainRaw.set(raw.subarray(row * k, row * k + k), q * k));
  const trainLoss = makeLoss(train).value(trainRaw);
  // Importance of the trees kept.
  const importance = new Float64Array(nFeatures);
  for (const gains of treeGains.slice(0, bestRounds * k)) {
    for (let f = 0; f < nFeatures; f++) importance[f] += gains[f];
  }
  return {
    forest: builder.build(bestRounds * k),
    baseline,
    importance,
    info: {
      nIter: bestRounds,
      nIterRun,
      trainRows: train.length,
      validationRows: nValid,
      validationLoss,
      trainLoss,
    },
  };
}

/**
 * Draws each round's rows and keeps the training rows left out, both in row order. A partial
 * Fisher-Yates shuffle of a kept permutation marks the smaller of the two sets (so at most half
 * the rows cost a random draw), then one sweep lists both in order.
 */
class RowSampler {
  readonly #train: Int32Array;
  readonly #rng: Rng;
  readonly #permutation: Int32Array;
  readonly #marked: Uint8Array;
  /** This round's rows. */
  readonly drawn: Int32Array;
  /** Training rows not drawn this round. */
  readonly left: Int32Array;

  constructor(train: Int32Array, fraction: number, seed: number) {
    this.#train = train;
    this.#rng = mulberry32(seed);
    this.#permutation = Int32Array.from({ length: train.length }, (_, k) => k);
    this.#marked = new Uint8Array(train.length);
    const size = Math.max(1, Math.round(fraction * train.length));
    this.drawn = new Int32Array(size);
    this.left = new Int32Array(train.length - size);
  }

  /** Draws a new sample into {@link drawn} and {@link left}, and returns `drawn`. */
  draw(): Int32Array {
    const n = this.#train.length;
    const markLeft = this.left.length < this.drawn.length;
    const m = markLeft ? this.left.length : this.drawn.length;
    const perm = this.#permutation;
    const marked = this.#marked;
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(this.#rng() * (n - i));
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
      marked[perm[i]] = 1;
    }
    let d = 0;
    let l = 0;
    for (let k = 0; k < n; k++) {
      if ((marked[k] === 1) !== markLeft) this.drawn[d++] = this.#train[k];
      else this.left[l++] = this.#train[k];
      marked[k] = 0;
    }
    return this.drawn;
  }
}

/**
 * Adds a freshly grown tree's leaf values to rows it was not grown on, by splitting the rows
 * node by node on their bins (a stable partition per node, parents before children) rather
 * than walking each row down: sequential passes instead of a chain of dependent loads.
 */
class BinnedWalker {
  #rows = new Int32Array(0);
  #tmp = new Int32Array(0);
  #start = new Int32Array(0);
  #end = new Int32Array(0);

  constructor(readonly binned: BinnedData) {}

  add(tree: TreeArrays, rows: Int32Array, raw: Float64Array, stride: number, offset: number): void {
    const m = rows.length;
    if (this.#rows.length < m) {
      this.#rows = new Int32Array(m);
      this.#tmp = new Int32Array(m);
    }
    if (this.#start.length < tree.nNodes) {
      this.#start = new Int32Array(tree.nNodes);
      this.#end = new Int32Array(tree.nNodes);
    }
    const part = this.#rows;
    const tmp = this.#tmp;
    part.set(rows);
    const start = this.#start;
    const end = this.#end;
    start[0] = 0;
    end[0] = m;
    const missing = this.binned.missingBin;
    for (let node = 0; node < tree.nNodes; node++) {
      const child = tree.left[node];
      if (child < 0) {
        const v = tree.value[node];
        for (let q = start[node]; q < end[node]; q++) raw[part[q] * stride + offset] += v;
        continue;
      }
      const column = this.binned.columns[tree.feature[node]];
      const threshold = tree.bin[node];
      const missingLeft = tree.missingLeft[node] === 1;
      let l = start[node];
      let r = 0;
      for (let q = start[node]; q < end[node]; q++) {
        const row = part[q];
        const b = column[row];
        if (b === missing ? missingLeft : b <= threshold) part[l++] = row;
        else tmp[r++] = row;
      }
      for (let q = 0; q < r; q++) part[l + q] = tmp[q];
      start[child] = start[node];
      end[child] = l;
      start[child + 1] = l;
      end[child + 1] = end[node];
    }
  }
}

/** Constraints by feature position, checked; null without any. */
function monotonicArray(
  constraints: Record<string, number> | null,
  names: readonly string[],
  outputs: number,
): Int8Array | null {
  if (constraints === null) return null;
  const out = new Int8Array(names.length);
  for (const [name, direction] of Object.entries(constraints)) {
    const f = names.indexOf(name);
    if (f < 0) throw new MlInputError(`monotonicConstraints: no feature '${name}'`);
    if (direction !== -1 && direction !== 0 && direction !== 1) {
      throw new MlInputError(`monotonicConstraints: '${name}' must be -1, 0 or 1`);
    }
    out[f] = direction;
  }
  if (outputs > 1) {
    throw new MlInputError("monotonicConstraints: not available for more than two classes");
  }
  return out;
}

/** Stop when none of the last `patience` losses beat the one before them by `tol`. */
function shouldStop(losses: number[], patience: number, tol: number): boolean {
  if (losses.length <= patience) return false;
  const reference = losses[losses.length - patience - 1];
  for (let i = losses.length - patience; i < losses.length; i++) {
    if (losses[i] < reference - tol) return false;
  }
  return true;
}

function copyTree(t: TreeArrays): TreeArrays {
  return {
    nNodes: t.nNodes,
    feature: t.feature.slice(0, t.nNodes),
    bin: t.bin.slice(0, t.nNodes),
    missingLeft: t.missingLeft.slice(0, t.nNodes),
    left: t.left.slice(0, t.nNodes),
    value: t.value.slice(0, t.nNodes),
  };
}

/** Per-row values of the rows given (all when null). */
function subset<T extends Float64Array | Int32Array>(values: T, rows: Int32Array | null): T {
  if (!rows) return values;
  const out = new (values.constructor as new (n: number) => T)(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = values[rows[k]];
  return out;
}

/** Sample weights as a Float64Array (null when not given); each must be finite and >= 0. */
function checkedWeights(weights: ArrayLike<number> | undefined, n: number): Float64Array | null {
  if (weights === undefined) return null;
  if (weights.length !== n) {
    throw new MlInputError(`sampleWeight has ${weights.length} rows, features have ${n}`);
  }
  const out = Float64Array.from(weights);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!(out[i] >= 0 && out[i] < Infinity)) {
      throw new MlInputError(`sampleWeight row ${i} is ${weights[i]} (finite and >= 0 required)`);
    }
    total += out[i];
  }
  if (!(total > 0)) throw new MlInputError("sampleWeight: the weights sum to 0");
  return out;
}

/** `baseline` (one value per output) repeated for `n` rows. */
function baselineRows(baseline: Float64Array, n: number): Float64Array {
  const raw = new Float64Array(n * baseline.length);
  for (let i = 0; i < n; i++) raw.set(baseline, i * baseline.length);
  return raw;
}

/** Raw predictions (baseline + trees), `outputs` per row. */
function rawPredictions(
  x: FeatureMatrix,
  names: readonly string[],
  forest: Forest,
  baseline: Float64Array,
  rounds: number | undefined,
): Float64Array {
  const columns = selectFeatures(x, names).columns;
  const total = forest.nTrees / forest.treesPerRound;
  const r = rounds ?? total;
  if (!Number.isInteger(r) || r < 0 || r > total) {
    throw new MlInputError(`rounds must be an integer in [0, ${total}], got ${rounds}`);
  }
  const raw = baselineRows(baseline, x.nRows);
  forest.addPredictions(columns, x.nRows, raw, 0, r * forest.treesPerRound);
  return raw;
}

/** A trained gradient-boosting regressor (squared error). */
export class GbdtRegressor implements Regressor {
  /** Model kind in JSON. */
  readonly kind = "gbdt_regressor" as const;

  /** Use {@link fitGbdtRegressor} or {@link gbdtFromJSON}. */
  constructor(
    readonly featureNames: readonly string[],
    readonly params: Required<GbdtRegressorParams>,
    readonly baseline: number,
    readonly forest: Forest,
    readonly gainImportance: Float64Array,
    readonly info: GbdtTrainingInfo,
  ) {}

  /**
   * Predictions for every row of `x` (features selected by name; NaN allowed), from the
   * first `rounds` boosting rounds only when given (learning curves without refitting).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitGbdtRegressor } from "./gbdt.ts";
   * const t = Array.from({ length: 200 }, (_, i) => i % 24);
   * const model = fitGbdtRegressor(featureMatrix({ t }), t.map((h) => (h < 12 ? 10 : 20)));
   * const [morning, evening] = model.predict(featureMatrix({ t: [3, 18] }));
   * assert.ok(Math.abs(morning - 10) < 0.1 && Math.abs(evening - 20) < 0.1);
   * ```
   */
  predict(x: FeatureMatrix, options: { rounds?: number } = {}): Float64Array {
    const baseline = Float64Array.of(this.baseline);
    return rawPredictions(x, this.featureNames, this.forest, baseline, options.rounds);
  }

  /**
   * {@link predict} of `x` with some feature columns replaced (index in
   * {@link featureNames} → values), prepared once for `x`: only the paths that test a replaced
   * feature are walked again (permutation importance; see `importance.ts`). Bit for bit the
   * predictions of `predict` on the replaced matrix.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitGbdtRegressor } from "./gbdt.ts";
   * const a = Array.from({ length: 300 }, (_, i) => i % 10), b = a.map((v) => (v * 3) % 7);
   * const model = fitGbdtRegressor(featureMatrix({ a, b }), a.map((v, i) => v + b[i]));
   * const replaced = model.withReplacedColumns(featureMatrix({ a, b }));
   * const reversed = Float64Array.from(b).reverse();
   * assert.deepEqual(
   *   replaced(new Map([[1, reversed]])),
   *   model.predict(featureMatrix({ a, b: reversed })),
   * );
   * ```
   */
  withReplacedColumns(
    x: FeatureMatrix,
  ): (replaced: ReadonlyMap<number, Float64Array>) => Float64Array {
    const paths = new ForestPaths(
      this.forest,
      selectFeatures(x, this.featureNames).columns,
      x.nRows,
    );
    const baseline = Float64Array.of(this.baseline);
    return (replaced) => {
      const raw = baselineRows(baseline, x.nRows);
      paths.addPredictions(replaced, raw);
      return raw;
    };
  }

  /** Share of the total split gain per feature, largest first. */
  featureImportances(): FeatureImportance[] {
    return importanceList(this.featureNames, this.gainImportance);
  }

  /** Exact JSON form. */
  toJSON(): ModelJson {
    return {
      ...modelEnvelope(this.kind, this.featureNames),
      params: this.params,
      baseline: this.baseline,
      info: this.info,
      importance: encodeArray(this.gainImportance),
      forest: this.forest.toJSON(),
    };
  }
}

/** A trained gradient-boosting classifier (log loss, softmax for more than two classes). */
export class GbdtClassifier implements Classifier {
  /** Model kind in JSON. */
  readonly kind = "gbdt_classifier" as const;

  /** Use {@link fitGbdtClassifier} or {@link gbdtFromJSON}. */
  constructor(
    readonly featureNames: readonly string[],
    readonly params: Required<GbdtClassifierParams>,
    readonly classes: readonly Label[],
    readonly baseline: Float64Array,
    readonly forest: Forest,
    readonly gainImportance: Float64Array,
    readonly info: GbdtTrainingInfo,
  ) {}

  /**
   * Class probabilities, one column per class of {@link classes}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitGbdtClassifier } from "./gbdt.ts";
   * const share = Array.from({ length: 300 }, (_, i) => i / 3);
   * const label = share.map((s) => (s < 30 ? "lt30" : s < 50 ? "30_50" : "gt50"));
   * const model = fitGbdtClassifier(featureMatrix({ share }), label);
   * const proba = model.predictProba(featureMatrix({ share: [10] }));
   * assert.ok(proba[model.classes.indexOf("lt30")][0] > 0.9);
   * ```
   */
  predictProba(x: FeatureMatrix, options: { rounds?: number } = {}): Float64Array[] {
    const raw = rawPredictions(x, this.featureNames, this.forest, this.baseline, options.rounds);
    return this.#probabilities(raw, x.nRows);
  }

  /** Probabilities from raw scores (`baseline.length` per row). */
  #probabilities(raw: Float64Array, n: number): Float64Array[] {
    const k = this.classes.length;
    if (k === 2) {
      const p1 = raw.map(sigmoid);
      return [p1.map((p) => 1 - p), p1];
    }
    const proba = new Float64Array(n * k);
    const row = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      softmaxInto(raw, i * k, k, row);
      proba.set(row, i * k);
    }
    return probabilityColumns(proba, n, k);
  }

  /** Most probable class of each row. */
  predict(x: FeatureMatrix, options: { rounds?: number } = {}): Label[] {
    return argmaxLabels(this.predictProba(x, options), this.classes);
  }

  /**
   * {@link predict} of `x` with some feature columns replaced (index in
   * {@link featureNames} → values), prepared once for `x`: only the paths that test a replaced
   * feature are walked again (permutation importance; see `importance.ts`). Same labels as
   * `predict` on the replaced matrix.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { featureMatrix } from "./dataset.ts";
   * import { fitGbdtClassifier } from "./gbdt.ts";
   * const a = Array.from({ length: 300 }, (_, i) => i % 10), b = a.map((v) => (v * 3) % 7);
   * const model = fitGbdtClassifier(featureMatrix({ a, b }), a.map((v) => (v < 5 ? "lo" : "hi")));
   * const replaced = model.withReplacedColumns(featureMatrix({ a, b }));
   * const reversed = Float64Array.from(a).reverse();
   * assert.deepEqual(
   *   replaced(new Map([[0, reversed]])),
   *   model.predict(featureMatrix({ a: reversed, b })),
   * );
   * ```
   */
  withReplacedColumns(x: FeatureMatrix): (replaced: ReadonlyMap<number, Float64Array>) => Label[] {
    const paths = new ForestPaths(
      this.forest,
      selectFeatures(x, this.featureNames).columns,
      x.nRows,
    );
    return (replaced) => {
      const raw = baselineRows(this.baseline, x.nRows);
      paths.addPredictions(replaced, raw);
      return argmaxLabels(this.#probabilities(raw, x.nRows), this.classes);
    };
  }

  /** Share of the total split gain per feature, largest first. */
  featureImportances(): FeatureImportance[] {
    return importanceList(this.featureNames, this.gainImportance);
  }

  /** Exact JSON form. */
  toJSON(): ModelJson {
    return {
      ...modelEnvelope(this.kind, this.featureNames),
      params: this.params,
      classes: [...this.classes],
      baseline: encodeArray(this.baseline),
      info: this.info,
      importance: encodeArray(this.gainImportance),
      forest: this.forest.toJSON(),
    };
  }
}

/**
 * Trains a gradient-boosting regressor (squared error) on `x` and the target `y`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitGbdtRegressor } from "./gbdt.ts";
 * const x = Array.from({ length: 500 }, (_, i) => i / 50);
 * const model = fitGbdtRegressor(featureMatrix({ x }), x.map(Math.sin), {
 *   maxIter: 200,
 *   earlyStopping: true,
 *   validationSplit: "random",
 * });
 * assert.ok(model.info.nIter <= 200);
 * ```
 */
export function fitGbdtRegressor(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  params: GbdtRegressorParams = {},
  options: GbdtFitOptions = {},
): GbdtRegressor {
  const p: Required<GbdtRegressorParams> = {
    ...checkParams(params),
    loss: params.loss ?? "squared_error",
    quantile: params.quantile ?? 0.5,
  };
  if (!["squared_error", "absolute_error", "quantile"].includes(p.loss)) {
    throw new MlInputError(`loss must be squared_error, absolute_error or quantile: ${p.loss}`);
  }
  if (!(p.quantile > 0 && p.quantile < 1)) {
    throw new MlInputError(`quantile must be in (0, 1), got ${p.quantile}`);
  }
  if (p.monotonicConstraints !== null && p.loss !== "squared_error") {
    // Those losses replace leaf values by residual quantiles, outside the bounds.
    throw new MlInputError(`monotonicConstraints need the squared_error loss, not ${p.loss}`);
  }
  const target = checkedTarget(y, x.nRows, "gbdt");
  const weights = checkedWeights(options.sampleWeight, x.nRows);
  const v = options.validation;
  const external = v
    ? { x: v.x, loss: regressionLoss(p, checkedTarget(v.y, v.x.nRows, "gbdt validation"), null) }
    : null;
  const fit = boost(
    x,
    (rows) => regressionLoss(p, subset(target, rows), weights && subset(weights, rows)),
    p,
    external,
  );
  return new GbdtRegressor(x.names, p, fit.baseline[0], fit.forest, fit.importance, fit.info);
}

/** The loss of a regressor's parameters over the target `y` (weights `w`, or none). */
function regressionLoss(
  p: Required<GbdtRegressorParams>,
  y: Float64Array,
  w: Float64Array | null,
): Loss {
  return p.loss === "squared_error"
    ? squaredError(y, w)
    : pinballLoss(y, p.loss === "quantile" ? p.quantile : 0.5, w);
}

/**
 * Re-estimates every leaf value of a fitted regressor on new rows, keeping its trees' splits:
 * the cheap refit of LightGBM's `Booster.refit`, for a model whose training data has grown a
 * little (a day of new rows on years of history) when regrowing the trees would cost the whole
 * fit again. As a fit does: the baseline is recomputed on the rows, then tree after tree in
 * boosting order, the gradients (and hessians) of the model's loss at the current raw
 * predictions give each leaf the grower's value — `-learningRate * G / (H + l2Regularization)`
 * for squared error, the learning rate times the median / quantile of its rows' residuals for
 * the absolute-error and quantile losses — and the tree's new values are added to the raw
 * predictions. Rows reach leaves by the splits on their raw values, as in prediction (missing
 * values follow each split's learned direction).
 *
 * - **No blending with the old values** (LightGBM's `decay_rate` is 0.9 by default, keeping 90 %
 *   of each old value): the rows given are meant to be all the current training rows, old ones
 *   included, so the re-estimate already carries what the old values knew, and a blend would
 *   only delay new information — worse, repeated daily refits would compound it.
 * - **A leaf that no row reaches keeps its old value** (it has nothing to be re-estimated on,
 *   and rows reaching it later are predicted as before); so does one whose rows all weigh 0.
 * - **All rows serve every tree**: with `subsample` < 1 the original leaves were estimated on
 *   each round's sample, so a refit on the very same rows does not give the same model; without
 *   subsampling and early stopping it does, up to the order of floating-point sums.
 * - Monotonic constraints are refused: unconstrained re-estimates could break them.
 *
 * Returns a new model (`info.leafRefit` says so; the split-gain importance is the original's);
 * the input is untouched. `x` needs the model's features (selected by name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitGbdtRegressor, refitGbdtLeaves } from "./gbdt.ts";
 * const t = Array.from({ length: 480 }, (_, i) => i % 24);
 * const x = featureMatrix({ t });
 * const model = fitGbdtRegressor(x, t.map((h) => (h < 12 ? 10 : 20)), { maxIter: 50 });
 * // The level rose by 5: same trees, leaves re-estimated on the new targets.
 * const refitted = refitGbdtLeaves(model, x, t.map((h) => (h < 12 ? 15 : 25)));
 * const [morning, evening] = refitted.predict(featureMatrix({ t: [3, 18] }));
 * assert.ok(Math.abs(morning - 15) < 0.1 && Math.abs(evening - 25) < 0.1);
 * assert.deepEqual(refitted.info.leafRefit, { rounds: 50, rows: 480 });
 * assert.ok(Math.abs(model.predict(featureMatrix({ t: [3] }))[0] - 10) < 0.1); // untouched
 * ```
 */
export function refitGbdtLeaves(
  model: GbdtRegressor,
  x: FeatureMatrix,
  y: ArrayLike<number>,
  options: Pick<GbdtFitOptions, "sampleWeight"> = {},
): GbdtRegressor {
  if (!(model instanceof GbdtRegressor)) {
    const kind = (model as { kind?: string } | null)?.kind;
    throw new MlInputError(`refitGbdtLeaves: gradient-boosting regressors only, got ${kind}`);
  }
  const p = model.params;
  if (p.monotonicConstraints !== null) {
    throw new MlInputError("refitGbdtLeaves: re-estimated leaves could break the monotonicity");
  }
  const n = x.nRows;
  if (n === 0) throw new MlInputError("refitGbdtLeaves: no training row");
  const loss = regressionLoss(
    p,
    checkedTarget(y, n, "gbdt refit"),
    checkedWeights(options.sampleWeight, n),
  );
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const baseline = loss.baseline(all);
  const raw = baselineRows(baseline, n);
  const g = [new Float64Array(n)];
  const h = loss.constantHessian ? null : [new Float64Array(n)];
  const forest = model.forest;
  const findLeaves = forest.leafFinder(selectFeatures(x, model.featureNames).columns, n);
  const value = forest.value.slice();
  const leafOfRow = new Int32Array(n);
  const lr = p.learningRate;
  // Per leaf of the current tree: rows, and the sums of the Newton value.
  let count = new Int32Array(0);
  let sumG = new Float64Array(0);
  let sumH = new Float64Array(0);
  // Rows grouped by leaf (a counting sort), as the grower's partition holds them: the residual
  // quantiles of the absolute-error and quantile losses need each leaf's rows.
  const part = loss.leafValue ? new Int32Array(n) : null;
  for (let t = 0; t < forest.nTrees; t++) {
    const nodeEnd = t + 1 < forest.nTrees ? forest.roots[t + 1] : forest.nNodes;
    let first = Infinity;
    let last = -1;
    for (let node = forest.roots[t]; node < nodeEnd; node++) {
      const leaf = ~forest.left[node];
      if (leaf < 0) continue;
      first = Math.min(first, leaf);
      last = Math.max(last, leaf);
    }
    const nLeaves = last - first + 1;
    if (count.length < nLeaves) {
      count = new Int32Array(nLeaves);
      sumG = new Float64Array(nLeaves);
      sumH = new Float64Array(nLeaves);
    }
    count.fill(0);
    findLeaves(t, leafOfRow);
    for (let i = 0; i < n; i++) count[leafOfRow[i] - first]++;
    if (part) {
      const start = new Int32Array(nLeaves + 1);
      for (let l = 0; l < nLeaves; l++) start[l + 1] = start[l] + count[l];
      const fill = start.slice(0, -1);
      for (let i = 0; i < n; i++) part[fill[leafOfRow[i] - first]++] = i;
      for (let l = 0; l < nLeaves; l++) {
        // No row: the old value stays.
        if (count[l] > 0) {
          value[first + l] = lr * loss.leafValue!(raw, part, start[l], start[l + 1]);
        }
      }
    } else {
      // Rows in increasing order within each leaf, as in the grower's partition.
      loss.gradients(raw, all, g, h);
      sumG.fill(0);
      sumH.fill(0);
      const g0 = g[0];
      for (let i = 0; i < n; i++) sumG[leafOfRow[i] - first] += g0[i];
      if (h) { for (let i = 0; i < n; i++) sumH[leafOfRow[i] - first] += h[0][i]; }
      for (let l = 0; l < nLeaves; l++) {
        const denominator = (h ? sumH[l] : count[l]) + p.l2Regularization;
        // No row (or only rows of weight 0): the old value stays.
        if (count[l] > 0 && denominator > 0) value[first + l] = (-lr * sumG[l]) / denominator;
      }
    }
    for (let i = 0; i < n; i++) raw[i] += value[leafOfRow[i]];
  }
  const rounds = forest.nTrees;
  return new GbdtRegressor(
    model.featureNames,
    p,
    baseline[0],
    forest.withLeafValues(value),
    model.gainImportance,
    {
      nIter: rounds,
      nIterRun: rounds,
      trainRows: n,
      validationRows: 0,
      validationLoss: [],
      trainLoss: loss.value(raw),
      leafRefit: { rounds, rows: n },
    },
  );
}

/**
 * Trains a gradient-boosting classifier on `x` and the class labels (strings or numbers).
 * Two classes use the logistic loss (one tree per round), more use the softmax (one tree per
 * class per round).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitGbdtClassifier } from "./gbdt.ts";
 * const t = Array.from({ length: 200 }, (_, i) => i % 24);
 * const model = fitGbdtClassifier(featureMatrix({ t }), t.map((h) => (h >= 8 && h < 20 ? "day" : "night")));
 * assert.ok(model.predict(featureMatrix({ t: [12, 2] })).join() === "day,night");
 * ```
 */
export function fitGbdtClassifier(
  x: FeatureMatrix,
  labels: ArrayLike<Label>,
  params: GbdtClassifierParams = {},
  options: GbdtFitOptions<Label> = {},
): GbdtClassifier {
  const p = { ...checkParams(params), classWeight: params.classWeight ?? null };
  if (p.classWeight !== null && p.classWeight !== "balanced") {
    throw new MlInputError(`classWeight must be "balanced" or null, got ${p.classWeight}`);
  }
  const { classes, codes } = classCodes(labels, x.nRows, "gbdt");
  const k = classes.length;
  let weights = checkedWeights(options.sampleWeight, x.nRows);
  if (p.classWeight === "balanced") {
    // scikit-learn's n / (k * count(class)): every class weighs the same in total.
    const counts = new Float64Array(k);
    for (const c of codes) counts[c]++;
    const balanced = Float64Array.from(codes, (c) => x.nRows / (k * counts[c]));
    weights = weights ? weights.map((w, i) => w * balanced[i]) : balanced;
  }
  const lossOf = (c: Int32Array, w: Float64Array | null) =>
    k === 2 ? binaryLogLoss(c, w) : multinomialLogLoss(c, k, w);
  const v = options.validation;
  if (v && v.y.length !== v.x.nRows) {
    throw new MlInputError(`gbdt validation: ${v.y.length} labels for ${v.x.nRows} rows`);
  }
  const external = v
    ? { x: v.x, loss: lossOf(encodeLabels(v.y, "gbdt validation labels", classes).codes, null) }
    : null;
  const fit = boost(
    x,
    (rows) => lossOf(subset(codes, rows), weights && subset(weights, rows)),
    p,
    external,
  );
  return new GbdtClassifier(
    x.names,
    p,
    classes,
    fit.baseline,
    fit.forest,
    fit.importance,
    fit.info,
  );
}

/**
 * Rebuilds a gradient-boosting model (regressor or classifier) from its JSON form; `source`
 * names the file in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { fitGbdtRegressor, gbdtFromJSON } from "./gbdt.ts";
 * const x = featureMatrix({ t: Array.from({ length: 100 }, (_, i) => i) });
 * const model = fitGbdtRegressor(x, Array.from({ length: 100 }, (_, i) => i * i), { maxIter: 5 });
 * const copy = gbdtFromJSON(JSON.parse(JSON.stringify(model)));
 * assert.ok(copy.predict(x)[50] === model.predict(x)[50]);
 * ```
 */
export function gbdtFromJSON(json: unknown, source = "gbdt model"): GbdtRegressor | GbdtClassifier {
  const kind = (json as { kind?: string } | null)?.kind;
  if (kind === "gbdt_classifier") {
    const { j, forest, importance, classes } = readEnsembleJson(json, kind, source);
    const baseline = decodeArray(j.baseline, "f64", `${source}: baseline`);
    const k = classes?.length ?? 0;
    if (
      k < 2 || baseline.length !== (k === 2 ? 1 : k) || forest.treesPerRound !== baseline.length
    ) {
      throw new ModelFormatError(`${source}: classes, baseline and trees do not match`);
    }
    return new GbdtClassifier(
      j.featureNames,
      j.params as Required<GbdtClassifierParams>,
      classes ?? [],
      baseline,
      forest,
      importance,
      j.info as GbdtTrainingInfo,
    );
  }
  const { j, forest, importance } = readEnsembleJson(json, "gbdt_regressor", source);
  if (typeof j.baseline !== "number" || forest.treesPerRound !== 1 || forest.width !== 1) {
    throw new ModelFormatError(`${source}: baseline and trees do not match`);
  }
  return new GbdtRegressor(
    j.featureNames,
    j.params as Required<GbdtRegressorParams>,
    j.baseline as number,
    forest,
    importance,
    j.info as GbdtTrainingInfo,
  );
}
