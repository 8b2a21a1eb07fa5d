/**
 * SHAP values of tree ensembles: how much each feature moved one prediction away
 * from the average prediction ("lag 24 h: +850 MW, hour: -300 MW"), exact for trees with
 * Lundberg et al.'s path-dependent TreeSHAP (Nature Machine Intelligence, 2020, algorithm 2).
 *
 * For every row, `expectedValue + sum of the row's values = prediction` (local accuracy). The
 * expectation is taken over a background sample (e.g. a few thousand training rows): its rows
 * are run down every tree to weigh each split's branches, which plays the role of the training
 * covers of the original algorithm (the models do not store them).
 *
 * @module
 */

import { type FeatureMatrix, selectFeatures } from "./dataset.ts";
import { MlInputError } from "./errors.ts";
import type { Forest } from "./_forest.ts";
import type { GbdtClassifier, GbdtRegressor } from "./gbdt.ts";
import type { Label } from "./metrics.ts";
import type { RandomForestRegressor } from "./random_forest.ts";

/** SHAP values of a set of rows. */
export interface ShapExplanation {
  /** Features, in the model's order. */
  features: string[];
  /** One Float64Array per feature: its contribution to each row's prediction. */
  values: Float64Array[];
  /** Average prediction over the background rows (the same for every row). */
  expectedValue: number;
}

/**
 * SHAP values of the rows of `x` for a gradient-boosting or random-forest regressor, or a
 * gradient-boosting classifier (in raw scores: the log-odds of the second class for two
 * classes, the softmax logit of `classLabel` for more); the `background` rows set the reference
 * (expected) prediction.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "./dataset.ts";
 * import { shapValues } from "./explain.ts";
 * import { fitGbdtRegressor } from "./gbdt.ts";
 * const a = Array.from({ length: 400 }, (_, i) => i % 20), b = a.map((v) => (v * 7) % 13);
 * const x = featureMatrix({ a, b });
 * const model = fitGbdtRegressor(x, a.map((v, i) => 10 * v + b[i]), { maxIter: 50 });
 * const row = featureMatrix({ a: [15], b: [3] });
 * const shap = shapValues(model, row, x);
 * const total = shap.expectedValue + shap.values[0][0] + shap.values[1][0];
 * assert.ok(Math.abs(total - model.predict(row)[0]) < 1e-6);
 * assert.ok(shap.values[0][0] > shap.values[1][0]); // a matters more than b
 * ```
 */
export function shapValues(
  model: GbdtRegressor | RandomForestRegressor | GbdtClassifier,
  x: FeatureMatrix,
  background: FeatureMatrix,
  options: { classLabel?: Label } = {},
): ShapExplanation {
  const forest = model.forest;
  if (background.nRows === 0) throw new MlInputError("shapValues: empty background");
  // Which trees, and what they add to: random forests average their trees; boosting adds them
  // to a baseline, one output (class) per tree of each round for the classifier.
  let output = 0;
  let offset = 0;
  let scale = 1;
  if (model.kind === "random_forest_regressor") scale = 1 / forest.nTrees;
  else if (model.kind === "gbdt_regressor") offset = model.baseline;
  else if (model.kind === "gbdt_classifier") {
    const classes = model.classes;
    if (classes.length === 2) output = 0;
    else {
      output = options.classLabel === undefined ? -1 : classes.indexOf(options.classLabel);
      if (output < 0) {
        throw new MlInputError(
          `shapValues: name the class to explain (classLabel, one of ${classes.join(", ")})`,
        );
      }
    }
    offset = model.baseline[output];
  } else {
    throw new MlInputError(`shapValues: not supported for '${(model as { kind: string }).kind}'`);
  }
  const names = model.featureNames;
  const columns = selectFeatures(x, names).columns;
  const cover = coverOf(forest, selectFeatures(background, names).columns, background.nRows);
  const trees = Array.from({ length: forest.nTrees }, (_, t) => t).filter((t) =>
    t % forest.treesPerRound === output
  );
  const values = names.map(() => new Float64Array(x.nRows));
  const phi = new Float64Array(names.length);
  const path = new PathStore(forestDepth(forest) + 2);
  let expected = 0;
  for (const t of trees) expected += treeExpectation(forest, cover, forest.roots[t]);
  for (let i = 0; i < x.nRows; i++) {
    phi.fill(0);
    for (const t of trees) {
      recurse(forest, cover, columns, i, phi, path, forest.roots[t], 0, 0, 1, 1, -1);
    }
    for (let f = 0; f < names.length; f++) values[f][i] = phi[f] * scale;
  }
  return { features: [...names], values, expectedValue: offset + expected * scale };
}

/** Background rows reaching each node (the weights of the branches). */
function coverOf(forest: Forest, columns: readonly Float64Array[], n: number): Float64Array {
  const cover = new Float64Array(forest.nNodes);
  const { feature, threshold, missingLeft, left } = forest;
  for (let t = 0; t < forest.nTrees; t++) {
    for (let r = 0; r < n; r++) {
      let node = forest.roots[t];
      cover[node]++;
      while (left[node] >= 0) {
        const v = columns[feature[node]][r];
        node = v <= threshold[node] || (v !== v && missingLeft[node] === 1)
          ? left[node]
          : left[node] + 1;
        cover[node]++;
      }
    }
  }
  return cover;
}

/** Share of a node's background weight going to `child` (one half when none reaches it). */
function share(cover: Float64Array, node: number, child: number): number {
  return cover[node] > 0 ? cover[child] / cover[node] : 0.5;
}

/** Expected output of the tree at `node` under the background weights. */
function treeExpectation(forest: Forest, cover: Float64Array, node: number): number {
  const left = forest.left[node];
  if (left < 0) return forest.value[~left];
  return share(cover, node, left) * treeExpectation(forest, cover, left) +
    share(cover, node, left + 1) * treeExpectation(forest, cover, left + 1);
}

function forestDepth(forest: Forest): number {
  let max = 0;
  const depthOf = (node: number, depth: number): void => {
    if (forest.left[node] < 0) {
      max = Math.max(max, depth);
      return;
    }
    depthOf(forest.left[node], depth + 1);
    depthOf(forest.left[node] + 1, depth + 1);
  };
  for (let t = 0; t < forest.nTrees; t++) depthOf(forest.roots[t], 0);
  return max;
}

/**
 * The "unique paths" of TreeSHAP: one segment per recursion level, each a copy of its parent
 * extended by one element (feature, zero fraction, one fraction, permutation weight).
 */
class PathStore {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;

  constructor(levels: number) {
    const size = (levels * (levels + 1)) / 2 + levels;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  /** Appends an element at `depth` of the path starting at `at`. */
  extend(at: number, depth: number, zero: number, one: number, feature: number): void {
    const { weight } = this;
    this.feature[at + depth] = feature;
    this.zero[at + depth] = zero;
    this.one[at + depth] = one;
    weight[at + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      weight[at + i + 1] += (one * weight[at + i] * (i + 1)) / (depth + 1);
      weight[at + i] = (zero * weight[at + i] * (depth - i)) / (depth + 1);
    }
  }

  /** Removes element `index` from the path of length `depth + 1` starting at `at`. */
  unwind(at: number, depth: number, index: number): void {
    const { weight } = this;
    const one = this.one[at + index];
    const zero = this.zero[at + index];
    let next = weight[at + depth];
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = weight[at + i];
        weight[at + i] = (next * (depth + 1)) / ((i + 1) * one);
        next = tmp - (weight[at + i] * zero * (depth - i)) / (depth + 1);
      } else {
        weight[at + i] = (weight[at + i] * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      this.feature[at + i] = this.feature[at + i + 1];
      this.zero[at + i] = this.zero[at + i + 1];
      this.one[at + i] = this.one[at + i + 1];
    }
  }

  /** Total permutation weight of the path with element `index` removed (without removing it). */
  unwoundSum(at: number, depth: number, index: number): number {
    const { weight } = this;
    const one = this.one[at + index];
    const zero = this.zero[at + index];
    let next = weight[at + depth];
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = (next * (depth + 1)) / ((i + 1) * one);
        total += tmp;
        next = weight[at + i] - (tmp * zero * (depth - i)) / (depth + 1);
      } else {
        total += weight[at + i] / zero / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }
}

/**
 * TreeSHAP recursion at `node` for row `row`: `parentAt` is where the parent's path starts,
 * `depth` the parent's path length; the element for the split that led here is appended.
 */
function recurse(
  forest: Forest,
  cover: Float64Array,
  columns: readonly Float64Array[],
  row: number,
  phi: Float64Array,
  path: PathStore,
  node: number,
  parentAt: number,
  depth: number,
  zero: number,
  one: number,
  feature: number,
): void {
  // This level's path: a copy of the parent's, extended by the split that led here.
  const at = parentAt + depth + 1;
  if (depth > 0 || parentAt > 0) {
    path.feature.copyWithin(at, parentAt, parentAt + depth);
    path.zero.copyWithin(at, parentAt, parentAt + depth);
    path.one.copyWithin(at, parentAt, parentAt + depth);
    path.weight.copyWithin(at, parentAt, parentAt + depth);
  }
  path.extend(at, depth, zero, one, feature);
  const left = forest.left[node];
  if (left < 0) {
    const value = forest.value[~left];
    for (let i = 1; i <= depth; i++) {
      const w = path.unwoundSum(at, depth, i);
      phi[path.feature[at + i]] += w * (path.one[at + i] - path.zero[at + i]) * value;
    }
    return;
  }
  const f = forest.feature[node];
  const v = columns[f][row];
  const goesLeft = v <= forest.threshold[node] || (v !== v && forest.missingLeft[node] === 1);
  const hot = goesLeft ? left : left + 1;
  const cold = goesLeft ? left + 1 : left;
  let incomingZero = 1;
  let incomingOne = 1;
  let d = depth;
  // A feature already split on higher up: undo its element so that this split replaces it.
  let index = 1;
  while (index <= d && path.feature[at + index] !== f) index++;
  if (index <= d) {
    incomingZero = path.zero[at + index];
    incomingOne = path.one[at + index];
    path.unwind(at, d, index);
    d--;
  }
  // A branch that neither the row nor any background row reaches weighs nothing: skipping it
  // also avoids the 0/0 of the path algebra.
  const hotZero = share(cover, node, hot) * incomingZero;
  if (hotZero > 0 || incomingOne > 0) {
    recurse(forest, cover, columns, row, phi, path, hot, at, d + 1, hotZero, incomingOne, f);
  }
  const coldZero = share(cover, node, cold) * incomingZero;
  if (coldZero > 0) {
    recurse(forest, cover, columns, row, phi, path, cold, at, d + 1, coldZero, 0, f);
  }
}
