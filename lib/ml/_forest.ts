/**
 * Trees of an ensemble stored as flat typed arrays (structure of arrays, all trees
 * concatenated), predicted on raw feature values and serialised exactly.
 *
 * Node `i` is a leaf when `left[i] < 0`, its values then at `~left[i] * width` in `value`
 * (leaves only, in node order: a loaded forest takes its leaf values as decoded); otherwise its
 * children are `left[i]` and `left[i] + 1` (the grower allocates siblings in pairs), and a row
 * goes left when its value of `feature[i]` is `<= threshold[i]`, or when it is missing (NaN) and
 * `missingLeft[i]` is 1. A threshold is the upper edge of bin `bin[i]` (+Infinity for the last
 * bin), so only bin indices are serialised along with the edges: thresholds are rebuilt bit for
 * bit.
 *
 * Tree `t` adds its leaf values (`width` of them per leaf) to outputs
 * `(t % treesPerRound) * width ...`: gradient boosting with K classes grows K single-output
 * trees per round, a random-forest classifier one tree with K class frequencies per leaf.
 *
 * Serialised form ({@link ForestJson}, model format version 2): each tree's nodes in a fixed
 * depth-first order ({@link storedOrder}, the grower's own for unlimited trees) that makes the
 * child links implicit, so a leaf flag of one bit replaces a 32-bit child index per node; split
 * features are bytes up to 256 features, missing-value directions bits, and only leaves have
 * values. A regression forest (as many leaves as internal nodes, plus one per tree) takes ~5.2
 * bytes per node before base64, against 11 in version 1 (an i32 `left` per node, i32 split
 * features, byte flags; still read by {@link forestFromJSON}). Why: a daily run loads the
 * registered forests only to predict a few thousand rows, and their loading time follows the
 * file's size (read, checksum, UTF-8 decoding, JSON parsing and base64 each go through every
 * byte, in fresh memory that is slow to fault in on the project's virtual machines). The 100-tree
 * consumption forest (2.6 M nodes) went from 38.8 MB to 18.3 MB, and its registry load from
 * ~1.2 s to ~0.55 s of CPU; that forest's nodes also come back in the order they were grown, so
 * it predicts as fast as before. The predictions are bit-identical whatever the node order: every
 * row reaches the same leaves and the sums run in the same tree order.
 *
 * @module
 */

import { type BinEdges, binOf } from "./_binning.ts";
import { decodeArray, encodeArray, type EncodedArray } from "./_codec.ts";
import { ModelFormatError } from "./errors.ts";
import { MODEL_FORMAT_VERSION } from "./model.ts";

/** One grown tree; `left` holds local node indices (-1 for a leaf). */
export interface TreeArrays {
  readonly nNodes: number;
  readonly feature: Int32Array;
  readonly bin: Uint8Array;
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  /** `nNodes * width` values; meaningful on leaves. */
  readonly value: Float64Array;
}

/**
 * JSON form of a {@link Forest} (model format version 2): the nodes of each tree in
 * {@link storedOrder}, a leaf flag for every node, split fields for internal nodes only and
 * values for leaves only, in that order (see the module doc).
 */
export interface ForestJson {
  /** Values per leaf. */
  width: number;
  /** Trees per boosting round (outputs of tree t: `t % treesPerRound`). */
  treesPerRound: number;
  /** Value bins per feature (the missing-value bin index). */
  maxBins: number;
  /** Bin edges of each feature (f64). */
  edges: EncodedArray[];
  /** First node of each tree, increasing from 0; a tree ends where the next begins (i32). */
  roots: EncodedArray;
  /** 1 for a leaf, per node (u1): with the order, all the tree structure. */
  leaf: EncodedArray;
  /** Feature of each internal node (u8 up to 256 features, else i32). */
  splitFeature: EncodedArray;
  /** Threshold bin of each internal node (u8). */
  splitBin: EncodedArray;
  /** 1 when missing values go left, per internal node (u1). */
  splitMissingLeft: EncodedArray;
  /** `width` values per leaf (f64). */
  leafValue: EncodedArray;
}

/** Version 1 of {@link ForestJson}: nodes in growth order, children given by `left`. */
interface ForestJsonV1 extends Omit<ForestJson, "leaf"> {
  /** Left child of each node, -1 for a leaf (i32); the right child is the next node. */
  left: EncodedArray;
}

/** Trees of an ensemble, ready to predict. */
export class Forest {
  #threshold: Float64Array | null = null;

  /**
   * Built by {@link ForestBuilder} or {@link forestFromJSON}. `width` values per leaf, tree `t`
   * adds to outputs `(t % treesPerRound) * width ...`; the other arrays have one entry per
   * node of all trees (`roots[t]` is the first node of tree `t`), `value` `width` per leaf, leaf
   * `i` at `~left[i] * width` (internal nodes' values are not kept: predictions read leaves).
   */
  constructor(
    readonly width: number,
    readonly treesPerRound: number,
    readonly edges: BinEdges,
    readonly roots: Int32Array,
    readonly feature: Int32Array,
    readonly bin: Uint8Array,
    readonly missingLeft: Uint8Array,
    readonly left: Int32Array,
    readonly value: Float64Array,
  ) {}

  /**
   * Raw-value threshold of every node (from its bin and the edges), built on first use: forests
   * of 8 trees or more predict on bins, and a loaded forest is often only asked that.
   */
  get threshold(): Float64Array {
    if (this.#threshold === null) {
      const { feature, bin, left } = this;
      const threshold = new Float64Array(feature.length);
      for (let i = 0; i < feature.length; i++) {
        if (left[i] < 0) continue;
        const e = this.edges.edges[feature[i]];
        threshold[i] = bin[i] < e.length ? e[bin[i]] : Infinity;
      }
      this.#threshold = threshold;
    }
    return this.#threshold;
  }

  /** Number of trees. */
  get nTrees(): number {
    return this.roots.length;
  }

  /** Number of nodes over all trees. */
  get nNodes(): number {
    return this.feature.length;
  }

  /**
   * Adds the leaf values of trees `treeStart..treeEnd` to `out` (`nRows` rows of
   * `treesPerRound * width` outputs, row-major), for the feature columns `columns` (in the
   * training feature order).
   */
  addPredictions(
    columns: readonly Float64Array[],
    nRows: number,
    out: Float64Array,
    treeStart = 0,
    treeEnd: number = this.nTrees,
  ): void {
    if (treeEnd - treeStart >= BINNED_MIN_TREES) {
      this.#addBinned(columns, nRows, out, treeStart, treeEnd);
      return;
    }
    const { feature, threshold, missingLeft, left, value, width } = this;
    const stride = this.treesPerRound * width;
    for (let t = treeStart; t < treeEnd; t++) {
      const root = this.roots[t];
      const offset = (t % this.treesPerRound) * width;
      if (width === 1) {
        for (let i = 0; i < nRows; i++) {
          out[i * stride + offset] +=
            value[leafOf(columns, i, root, feature, threshold, missingLeft, left)];
        }
      } else {
        for (let i = 0; i < nRows; i++) {
          const leaf = leafOf(columns, i, root, feature, threshold, missingLeft, left);
          for (let w = 0; w < width; w++) out[i * stride + offset + w] += value[leaf * width + w];
        }
      }
    }
  }

  /**
   * {@link addPredictions} on bins: the rows are binned once with the forest's edges (row-major,
   * one byte per feature), then every tree walks on bytes. The same leaves as on raw values: a
   * value `x` of bin `b(x)` (the number of edges below it) satisfies `x <= edges[k]` exactly
   * when `b(x) <= k`, and NaN has the missing bin, above every split bin. Leaf values are added
   * in the same order, so the sums are bit-identical; about twice as fast on many trees.
   */
  #addBinned(
    columns: readonly Float64Array[],
    nRows: number,
    out: Float64Array,
    treeStart: number,
    treeEnd: number,
  ): void {
    const { feature, bin, missingLeft, left, value, width } = this;
    const nf = this.edges.edges.length;
    const missing = this.edges.maxBins;
    const rows = binRows(columns, nRows, this.edges);
    const stride = this.treesPerRound * width;
    for (let t = treeStart; t < treeEnd; t++) {
      const root = this.roots[t];
      const offset = (t % this.treesPerRound) * width;
      for (let i = 0, base = 0; i < nRows; i++, base += nf) {
        const leaf = binnedLeaf(rows, base, root, feature, bin, missingLeft, left, missing);
        if (width === 1) out[i * stride + offset] += value[leaf];
        else {
          for (let w = 0; w < width; w++) out[i * stride + offset + w] += value[leaf * width + w];
        }
      }
    }
  }

  /**
   * The leaves rows reach, tree by tree: the rows (raw `columns` in the training feature order,
   * NaN missing) are binned once with the forest's edges, and the function returned fills `out`
   * (`nRows` entries) with the leaf (index in `value`, over `width`) each row reaches in tree `t`
   * — the leaves prediction uses (missing values follow `missingLeft`). Re-estimating leaf
   * values tree after tree (`refitGbdtLeaves` in `gbdt.ts`) needs them one tree at a time.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ForestBuilder } from "./_forest.ts";
   * // One stump on feature 0: x <= 0.5 (and NaN) go to leaf 0, the others to leaf 1.
   * const builder = new ForestBuilder(1, 1, { maxBins: 255, edges: [Float64Array.from([0.5])] });
   * builder.append({
   *   nNodes: 3, feature: Int32Array.from([0, -1, -1]), bin: Uint8Array.from([0, 0, 0]),
   *   missingLeft: Uint8Array.from([1, 0, 0]), left: Int32Array.from([1, -1, -1]),
   *   value: Float64Array.from([0, 1, 2]),
   * });
   * const leaves = builder.build().leafFinder([Float64Array.from([0.2, 0.9, NaN])], 3);
   * const out = new Int32Array(3);
   * leaves(0, out);
   * assert.deepEqual([...out], [0, 1, 0]);
   * ```
   */
  leafFinder(
    columns: readonly Float64Array[],
    nRows: number,
  ): (t: number, out: Int32Array) => void {
    const { feature, bin, missingLeft, left } = this;
    const nf = this.edges.edges.length;
    const missing = this.edges.maxBins;
    const rows = binRows(columns, nRows, this.edges);
    return (t, out) => {
      const root = this.roots[t];
      for (let i = 0, base = 0; i < nRows; i++, base += nf) {
        out[i] = binnedLeaf(rows, base, root, feature, bin, missingLeft, left, missing);
      }
    };
  }

  /**
   * The same trees with other leaf values (`value`: `width` per leaf, in this forest's leaf
   * order); the structure arrays are shared, not copied (a forest is never modified).
   */
  withLeafValues(value: Float64Array): Forest {
    if (value.length !== this.value.length) {
      throw new RangeError(`${value.length} leaf values for ${this.value.length}`);
    }
    return new Forest(
      this.width,
      this.treesPerRound,
      this.edges,
      this.roots,
      this.feature,
      this.bin,
      this.missingLeft,
      this.left,
      value,
    );
  }

  /** Exact JSON form (what predictions need), each tree's nodes in {@link storedOrder}. */
  toJSON(): ForestJson {
    const { left, width: w } = this;
    const n = this.nNodes;
    // order[p]: the node stored at position p. Every node has one parent (or is a root), so
    // each is stored once.
    const order = new Int32Array(n);
    const roots = new Int32Array(this.nTrees);
    let end = 0;
    for (let t = 0; t < this.nTrees; t++) {
      roots[t] = end;
      order[end] = this.roots[t];
      end = storedOrder(end, (p, next) => {
        const child = left[order[p]];
        if (child < 0) return false;
        order[next] = child;
        order[next + 1] = child + 1;
        return true;
      });
    }
    let internal = 0;
    for (let i = 0; i < n; i++) if (left[i] >= 0) internal++;
    const leaf = new Uint8Array(n);
    const splitFeature = this.edges.edges.length <= 256
      ? new Uint8Array(internal)
      : new Int32Array(internal);
    const splitBin = new Uint8Array(internal);
    const splitMissingLeft = new Uint8Array(internal);
    const leafValue = new Float64Array((n - internal) * w);
    let s = 0;
    let l = 0;
    for (let p = 0; p < n; p++) {
      const i = order[p];
      if (left[i] >= 0) {
        splitFeature[s] = this.feature[i];
        splitBin[s] = this.bin[i];
        splitMissingLeft[s++] = this.missingLeft[i];
      } else {
        leaf[p] = 1;
        for (let k = 0; k < w; k++) leafValue[l++] = this.value[~left[i] * w + k];
      }
    }
    return {
      width: w,
      treesPerRound: this.treesPerRound,
      maxBins: this.edges.maxBins,
      edges: this.edges.edges.map((e) => encodeArray(e)),
      roots: encodeArray(roots),
      leaf: encodeArray(leaf, "u1"),
      splitFeature: encodeArray(splitFeature),
      splitBin: encodeArray(splitBin),
      splitMissingLeft: encodeArray(splitMissingLeft, "u1"),
      leafValue: encodeArray(leafValue),
    };
  }
}

/**
 * The leaf of every (tree, row) of some rows and the features each path tests, so that the rows
 * can be predicted again with some feature columns replaced (permutation importance) walking
 * only the paths that test a replaced feature: the other rows keep their leaf. The predictions
 * are bit for bit those of {@link Forest.addPredictions} on the replaced columns (same leaves,
 * values added in tree order).
 */
export class ForestPaths {
  readonly #forest: Forest;
  readonly #nRows: number;
  readonly #treeStart: number;
  readonly #treeEnd: number;
  /** Row-major bins of the rows. */
  readonly #rows: Uint8Array;
  /** Leaf (index in `value`) of row i in tree t at `(t - treeStart) * nRows + i`. */
  readonly #leaves: Int32Array;
  /** Features tested on that path, `words` 32-bit words per (tree, row). */
  readonly #masks: Uint32Array;
  readonly #words: number;

  /** Walks the rows `columns` (training feature order) down trees `treeStart..treeEnd`. */
  constructor(
    forest: Forest,
    columns: readonly Float64Array[],
    nRows: number,
    treeStart = 0,
    treeEnd: number = forest.nTrees,
  ) {
    this.#forest = forest;
    this.#nRows = nRows;
    this.#treeStart = treeStart;
    this.#treeEnd = treeEnd;
    const nf = forest.edges.edges.length;
    const words = Math.max(1, Math.ceil(nf / 32));
    this.#words = words;
    this.#rows = binRows(columns, nRows, forest.edges);
    const cells = (treeEnd - treeStart) * nRows;
    this.#leaves = new Int32Array(cells);
    this.#masks = new Uint32Array(cells * words);
    const { feature, bin, missingLeft, left } = forest;
    const missing = forest.edges.maxBins;
    const rows = this.#rows;
    for (let t = treeStart, cell = 0; t < treeEnd; t++) {
      for (let i = 0, base = 0; i < nRows; i++, base += nf, cell++) {
        let node = forest.roots[t];
        let child = left[node];
        while (child >= 0) {
          const f = feature[node];
          this.#masks[cell * words + (f >>> 5)] |= 1 << (f & 31);
          const b = rows[base + f];
          node = b <= bin[node] || (b === missing && missingLeft[node] === 1) ? child : child + 1;
          child = left[node];
        }
        this.#leaves[cell] = ~child;
      }
    }
  }

  /**
   * Adds to `out` (as `addPredictions`) the predictions of the rows with the feature columns
   * `changed` (feature index → column of `nRows` values) in place of the original ones.
   */
  addPredictions(changed: ReadonlyMap<number, Float64Array>, out: Float64Array): void {
    const forest = this.#forest;
    const { feature, bin, missingLeft, left, value, width, treesPerRound } = forest;
    const n = this.#nRows;
    const nf = forest.edges.edges.length;
    const missing = forest.edges.maxBins;
    const words = this.#words;
    const rows = this.#rows.slice();
    const changedMask = new Uint32Array(words);
    for (const [f, column] of changed) {
      if (!(f >= 0 && f < nf) || column.length !== n) {
        throw new RangeError(`ForestPaths: feature ${f} or its ${column.length} values`);
      }
      changedMask[f >>> 5] |= 1 << (f & 31);
      const e = forest.edges.edges[f];
      for (let i = 0, at = f; i < n; i++, at += nf) {
        const v = column[i];
        rows[at] = v !== v ? missing : binOf(e, v);
      }
    }
    const masks = this.#masks;
    const stride = treesPerRound * width;
    for (let t = this.#treeStart, cell = 0; t < this.#treeEnd; t++) {
      const offset = (t % treesPerRound) * width;
      for (let i = 0, base = 0; i < n; i++, base += nf, cell++) {
        let affected = 0;
        for (let w = 0; w < words; w++) affected |= masks[cell * words + w] & changedMask[w];
        let leaf = this.#leaves[cell];
        if (affected !== 0) {
          let node = forest.roots[t];
          let child = left[node];
          while (child >= 0) {
            const b = rows[base + feature[node]];
            node = b <= bin[node] || (b === missing && missingLeft[node] === 1) ? child : child + 1;
            child = left[node];
          }
          leaf = ~child;
        }
        if (width === 1) out[i * stride + offset] += value[leaf];
        else {
          for (let w = 0; w < width; w++) out[i * stride + offset + w] += value[leaf * width + w];
        }
      }
    }
  }
}

/**
 * From this many trees on, predictions bin the rows first (a binary search per value, paid
 * back by cheaper steps in every tree); fewer trees (a boosting round's validation) walk on raw
 * values.
 */
const BINNED_MIN_TREES = 8;

/** Row-major bins (`edges.edges.length` bytes per row) of raw columns; NaN in the missing bin. */
function binRows(columns: readonly Float64Array[], nRows: number, edges: BinEdges): Uint8Array {
  const nf = edges.edges.length;
  const out = new Uint8Array(nRows * nf);
  for (let f = 0; f < nf; f++) {
    const column = columns[f];
    const e = edges.edges[f];
    for (let i = 0, at = f; i < nRows; i++, at += nf) {
      const v = column[i];
      out[at] = v !== v ? edges.maxBins : binOf(e, v);
    }
  }
  return out;
}

/** The leaf (index in `value`) of the row whose bins start at `rows[base]`, from `root`. */
function binnedLeaf(
  rows: Uint8Array,
  base: number,
  root: number,
  feature: Int32Array,
  bin: Uint8Array,
  missingLeft: Uint8Array,
  left: Int32Array,
  missing: number,
): number {
  let node = root;
  let child = left[node];
  while (child >= 0) {
    const b = rows[base + feature[node]];
    node = b <= bin[node] || (b === missing && missingLeft[node] === 1) ? child : child + 1;
    child = left[node];
  }
  return ~child;
}

/** The leaf (index in `value`) a row reaches from `root`, on raw values. */
function leafOf(
  columns: readonly Float64Array[],
  row: number,
  root: number,
  feature: Int32Array,
  threshold: Float64Array,
  missingLeft: Uint8Array,
  left: Int32Array,
): number {
  let node = root;
  let child = left[node];
  while (child >= 0) {
    const x = columns[feature[node]][row];
    node = x <= threshold[node] || (x !== x && missingLeft[node] === 1) ? child : child + 1;
    child = left[node];
  }
  return ~child;
}

/**
 * Rebuilds a forest from JSON, checking that every array is consistent and every tree a proper
 * binary tree (children after their parent, inside its tree, each node reached once), so that a
 * corrupt file cannot make prediction read out of bounds or loop. `nFeatures` is the model's
 * feature count, `formatVersion` the model envelope's (1: nodes in growth order with `left`;
 * 2: {@link ForestJson}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ForestBuilder, forestFromJSON } from "./_forest.ts";
 * // One stump on feature 0: x <= 0.5 gives 1, else 2.
 * const builder = new ForestBuilder(1, 1, { maxBins: 255, edges: [Float64Array.from([0.5])] });
 * builder.append({
 *   nNodes: 3, feature: Int32Array.from([0, -1, -1]), bin: Uint8Array.from([0, 0, 0]),
 *   missingLeft: Uint8Array.from([0, 0, 0]), left: Int32Array.from([1, -1, -1]),
 *   value: Float64Array.from([0, 1, 2]),
 * });
 * const copy = forestFromJSON(JSON.parse(JSON.stringify(builder.build())), 1, "m.json");
 * const out = new Float64Array(2);
 * copy.addPredictions([Float64Array.from([0.2, 0.9])], 2, out);
 * assert.deepEqual(out, Float64Array.from([1, 2]));
 * ```
 */
export function forestFromJSON(
  json: unknown,
  nFeatures: number,
  source: string,
  formatVersion: number = MODEL_FORMAT_VERSION,
): Forest {
  const j = json as Partial<ForestJson & ForestJsonV1> | null;
  const fail = (why: string): never => {
    throw new ModelFormatError(`${source}: trees: ${why}`);
  };
  if (!j || typeof j !== "object") return fail("missing");
  const { width, treesPerRound, maxBins } = j;
  if (!Number.isInteger(width) || width! < 1) fail("invalid width");
  if (!Number.isInteger(treesPerRound) || treesPerRound! < 1) fail("invalid treesPerRound");
  if (!Number.isInteger(maxBins) || maxBins! < 2 || maxBins! > 255) fail("invalid maxBins");
  if (!Array.isArray(j.edges) || j.edges.length !== nFeatures) {
    fail("one edge array per feature expected");
  }
  const edges = j.edges!.map((e, f) => decodeArray(e, "f64", `${source}: edges of feature ${f}`));
  const roots = decodeArray(j.roots, "i32", `${source}: roots`);
  const left = formatVersion === 1
    ? decodeArray(j.left, "i32", `${source}: left`)
    : childrenOfLeaves(decodeArray(j.leaf, "u1", `${source}: leaf`));
  const splitFeature = decodeArray(j.splitFeature, ["u8", "i32"], `${source}: splitFeature`);
  const splitBin = decodeArray(j.splitBin, "u8", `${source}: splitBin`);
  const splitMissingLeft = decodeArray(
    j.splitMissingLeft,
    formatVersion === 1 ? "u8" : "u1",
    `${source}: splitMissingLeft`,
  );
  const leafValue = decodeArray(j.leafValue, "f64", `${source}: leafValue`);
  const n = left.length;
  let internal = 0;
  for (let i = 0; i < n; i++) if (left[i] >= 0) internal++;
  if (
    splitFeature.length !== internal || splitBin.length !== internal ||
    splitMissingLeft.length !== internal || leafValue.length !== (n - internal) * width!
  ) {
    fail("split and leaf arrays do not match the nodes");
  }
  checkTrees(roots, left, fail);
  const feature = new Int32Array(n).fill(-1);
  const bin = new Uint8Array(n);
  const missingLeft = new Uint8Array(n);
  let s = 0;
  let l = 0;
  for (let i = 0; i < n; i++) {
    if (left[i] < 0) {
      // Leaves are stored in node order, as the forest keeps them.
      left[i] = ~l++;
      continue;
    }
    feature[i] = splitFeature[s];
    bin[i] = splitBin[s];
    missingLeft[i] = splitMissingLeft[s++];
    if (feature[i] < 0 || feature[i] >= nFeatures) fail(`node ${i}: feature ${feature[i]}`);
    if (bin[i] > edges[feature[i]].length) fail(`node ${i}: bin ${bin[i]} beyond the edges`);
    if (missingLeft[i] > 1) fail(`node ${i}: missing-value direction ${missingLeft[i]}`);
  }
  return new Forest(
    width!,
    treesPerRound!,
    { maxBins: maxBins!, edges },
    roots,
    feature,
    bin,
    missingLeft,
    left,
    leafValue,
  );
}

/**
 * The order in which nodes are stored: depth first, the children of a node stored as a pair
 * (at the next free positions) when the node is taken from a stack, the right one taken first.
 * That is the order in which the grower allocates the nodes of a depth-first tree, so that a
 * reloaded forest keeps its memory layout (a path's nodes close together: stored breadth-first,
 * the consumption forest predicted 5-10 % slower), and it needs no child index: a reader replays
 * it from the leaf flags.
 *
 * Walks the tree whose root is at position `root`: `split(p, next)` says whether the node at
 * position `p` has children, which then go to positions `next` and `next + 1` (the caller
 * stores them). Returns the next free position after the tree.
 */
function storedOrder(root: number, split: (position: number, next: number) => boolean): number {
  let next = root + 1;
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (!split(p, next)) continue;
    stack.push(next, next + 1);
    next += 2;
  }
  return next;
}

/**
 * The `left` array (-1 for a leaf) of trees stored one after another in {@link storedOrder}, from
 * their leaf flags; a tree ends when its last node has been placed, and the next position is the
 * next tree's root. A split without room for its children gets child `n` (out of range).
 * {@link checkTrees} then holds these cuts to the stored roots.
 */
function childrenOfLeaves(leaf: Uint8Array): Int32Array {
  const n = leaf.length;
  const left = new Int32Array(n);
  let root = 0;
  while (root < n) {
    root = storedOrder(root, (p, next) => {
      if (leaf[p] === 1) {
        left[p] = -1;
        return false;
      }
      left[p] = next + 1 < n ? next : n;
      return left[p] < n;
    });
  }
  return left;
}

/**
 * Checks that `roots` and `left` are proper binary trees stored one after another: roots
 * increasing from node 0, children after their parent and inside its tree, every node but the
 * roots the child of exactly one node.
 */
function checkTrees(roots: Int32Array, left: Int32Array, fail: (why: string) => never): void {
  const n = left.length;
  if (roots.length === 0 && n > 0) fail(`${n} nodes but no tree`);
  if (roots.length > 0 && roots[0] !== 0) fail(`the first tree starts at node ${roots[0]}`);
  const reached = new Uint8Array(n);
  for (let t = 0; t < roots.length; t++) {
    const start = roots[t];
    const end = t + 1 < roots.length ? roots[t + 1] : n;
    if (!(start < end && end <= n)) fail(`tree ${t}: nodes ${start} to ${end} out of order`);
    reached[start] = 1;
    for (let i = start; i < end; i++) {
      const child = left[i];
      if (child < 0) continue;
      if (child <= i || child + 1 >= end) fail(`node ${i}: child ${child} outside tree ${t}`);
      if (reached[child] === 1 || reached[child + 1] === 1) fail(`node ${child}: two parents`);
      reached[child] = 1;
      reached[child + 1] = 1;
    }
  }
  const lost = reached.indexOf(0);
  if (lost >= 0) fail(`node ${lost}: reached from no root`);
}

/** Accumulates grown trees into one {@link Forest}. */
export class ForestBuilder {
  #trees: TreeArrays[] = [];

  constructor(
    readonly width: number,
    readonly treesPerRound: number,
    readonly edges: BinEdges,
  ) {}

  /** Number of trees appended so far. */
  get nTrees(): number {
    return this.#trees.length;
  }

  /** Appends a tree (its arrays are copied when the forest is built). */
  append(tree: TreeArrays): void {
    this.#trees.push(tree);
  }

  /** The tree appended at position `index`. */
  tree(index: number): TreeArrays {
    return this.#trees[index];
  }

  /** The forest of the first `nTrees` trees (default: all). */
  build(nTrees: number = this.#trees.length): Forest {
    const trees = this.#trees.slice(0, nTrees);
    const w = this.width;
    let total = 0;
    let leaves = 0;
    for (const tree of trees) {
      total += tree.nNodes;
      for (let i = 0; i < tree.nNodes; i++) if (tree.left[i] < 0) leaves++;
    }
    const roots = new Int32Array(trees.length);
    const feature = new Int32Array(total);
    const bin = new Uint8Array(total);
    const missingLeft = new Uint8Array(total);
    const left = new Int32Array(total);
    const value = new Float64Array(leaves * w);
    let offset = 0;
    let l = 0;
    trees.forEach((tree, t) => {
      roots[t] = offset;
      const n = tree.nNodes;
      feature.set(tree.feature.subarray(0, n), offset);
      bin.set(tree.bin.subarray(0, n), offset);
      missingLeft.set(tree.missingLeft.subarray(0, n), offset);
      for (let i = 0; i < n; i++) {
        if (tree.left[i] >= 0) {
          left[offset + i] = tree.left[i] + offset;
          continue;
        }
        left[offset + i] = ~l;
        for (let k = 0; k < w; k++) value[l * w + k] = tree.value[i * w + k];
        l++;
      }
      offset += n;
    });
    return new Forest(
      this.width,
      this.treesPerRound,
      this.edges,
      roots,
      feature,
      bin,
      missingLeft,
      left,
      value,
    );
  }
}
