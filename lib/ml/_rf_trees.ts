/**
 * Growing the trees of a random forest, shared by the in-thread fit and the worker fit: tree
 * `t` depends only on the task and `t` (its own seeded stream), so any split of the trees
 * between workers gives the same forest.
 *
 * @module
 */

import type { BinnedData } from "./_binning.ts";
import type { TreeArrays } from "./_forest.ts";
import { type GrowTarget, TreeGrower } from "./_grower.ts";
import { deriveSeed, mulberry32, randomInt, type Rng } from "./_rng.ts";

/** Everything needed to grow any tree of a forest (structured-cloneable). */
export interface RfTask {
  binned: BinnedData;
  /** Regression target, or null for classification. */
  y: Float64Array | null;
  /** Class codes for classification, or null. */
  codes: Int32Array | null;
  nClasses: number;
  maxDepth: number;
  maxLeafNodes: number;
  minSamplesLeaf: number;
  /** Features drawn per split (a count). */
  maxFeatures: number;
  bootstrap: boolean;
  /** Rows per bootstrap sample. */
  sampleSize: number;
  seed: number;
}

/** Trees grown for a task, with the split gain per feature of each tree. */
export interface GrownTrees {
  trees: TreeArrays[];
  featureGains: Float64Array[];
}

/** Bootstrap rows with repeats, sorted (sorted rows read the columns in memory order). */
function bootstrapRows(n: number, size: number, rng: Rng, counts: Int32Array): Int32Array {
  counts.fill(0);
  for (let k = 0; k < size; k++) counts[randomInt(rng, n)]++;
  const rows = new Int32Array(size);
  let q = 0;
  for (let i = 0; i < n; i++) for (let c = counts[i]; c > 0; c--) rows[q++] = i;
  return rows;
}

/** Grows the trees `treeIndices` of the task. */
export function growTrees(task: RfTask, treeIndices: readonly number[]): GrownTrees {
  const { binned, y, codes } = task;
  const n = binned.nRows;
  const width = codes ? task.nClasses : 1;
  const grower = new TreeGrower(
    binned,
    {
      maxLeafNodes: task.maxLeafNodes,
      maxDepth: task.maxDepth,
      minSamplesLeaf: task.minSamplesLeaf,
      minHessianToSplit: 0,
      l2: 0,
      minGainToSplit: 0,
      maxFeatures: task.maxFeatures,
    },
    width,
    false,
  );
  const counts = new Int32Array(n);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const gradients = new Float64Array(y ? n : 0);
  const out: GrownTrees = { trees: [], featureGains: [] };
  for (const t of treeIndices) {
    const rng = mulberry32(deriveSeed(task.seed, t + 1));
    const rows = task.bootstrap ? bootstrapRows(n, task.sampleSize, rng, counts) : all;
    let target: GrowTarget;
    if (y) {
      // Gradients centred on the sample mean: leaf = mean + mean(y - mean) = mean of its rows,
      // with small sums for exact gains.
      let mean = 0;
      for (let k = 0; k < rows.length; k++) mean += y[rows[k]];
      mean /= rows.length;
      for (let i = 0; i < n; i++) gradients[i] = mean - y[i];
      target = { kind: "scalar", gradients, hessians: null, leafOffset: mean, leafScale: -1 };
    } else {
      target = { kind: "classes", codes: codes!, nClasses: task.nClasses };
    }
    const tree = grower.grow(target, rows, rng);
    out.trees.push({
      nNodes: tree.nNodes,
      feature: tree.feature.slice(),
      bin: tree.bin.slice(),
      missingLeft: tree.missingLeft.slice(),
      left: tree.left.slice(),
      value: tree.value.slice(),
    });
    out.featureGains.push(grower.featureGain.slice());
  }
  return out;
}
