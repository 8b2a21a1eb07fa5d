/**
 * Histogram tree grower shared by gradient boosting and random forests.
 *
 * A tree is grown on binned features (Uint8Array columns) for one of two targets:
 * - `scalar`: per-row gradients (and hessians, or a constant hessian of 1), the second-order
 *   boosting objective: split gain `GL²/(HL+λ) + GR²/(HR+λ) - G²/(H+λ)`, leaf value
 *   `offset + scale * G/(H+λ)`. With gradients `mean - y` and λ = 0 this is exactly the
 *   variance-reduction regression tree of a random forest.
 * - `classes`: per-row class codes; the histograms count classes and the gain is the Gini
 *   impurity decrease (times the node size); leaves hold class frequencies.
 *
 * Speed comes from: histograms of gradient sums per (feature, bin) built from a
 * contiguous gather of the node's gradients, row by row over every feature from a row-major
 * copy of the bins (`_histogram.ts`), optionally shared with worker threads (a sample of the
 * features: feature by feature, in four lanes for large nodes); the histogram subtraction trick (build the smaller
 * child, derive the larger as parent minus smaller, in the parent's buffer); an exact
 * sort-based split search for small nodes (deep random-forest trees have many), which never
 * touches 256-bin histograms; for regression forests, whose nodes draw their features and so
 * cannot subtract histograms, a sparse search on every node below 4096 rows (per-bin sums in
 * scratch arrays, only the bins present scanned: 30 % less time per forest on the 165k-row
 * consumption history); a branch-free, in-place partition of one row-index array, so
 * that each node is a contiguous range of it. Buffers are reused from tree to tree: nothing is
 * allocated per row.
 *
 * Growth is best-first (largest gain first) when `maxLeafNodes` is finite, as in LightGBM and
 * scikit-learn's HistGradientBoosting; depth-first otherwise (same tree, less memory).
 * Missing values (the reserved bin) are sent to the side that gains most, or, when the node has
 * none, to the child with more rows.
 *
 * Why one module of this size: {@linkcode TreeGrower} is one hot loop whose methods share its
 * reusable buffers (histograms, scratch sums, the one row-index array each node is a range of)
 * and their invariants; split across files, those buffers would become public fields that any
 * caller could leave inconsistent.
 *
 * @module
 */

import type { BinnedData } from "./_binning.ts";
import type { TreeArrays } from "./_forest.ts";
import {
  CTRL,
  featureHistogram,
  type HistogramArrays,
  type HistogramWorkerInit,
  type Lanes,
  makeLanes,
  nodeHistograms,
  rowMajorBins,
} from "./_histogram.ts";
import { type Rng, sampleInto } from "./_rng.ts";

/** Growth limits and regularisation. */
export interface GrowerParams {
  /** Maximum number of leaves; Infinity for none (depth-first growth). */
  maxLeafNodes: number;
  /** Maximum depth (root = 0); Infinity for none. */
  maxDepth: number;
  /** Minimum number of rows in a leaf. */
  minSamplesLeaf: number;
  /** Minimum hessian sum in a leaf (scalar targets with hessians). */
  minHessianToSplit: number;
  /** L2 regularisation λ of leaf values. */
  l2: number;
  /** A split must reduce the objective by more than this. */
  minGainToSplit: number;
  /** Features drawn (without replacement) for each node; the feature count for all. */
  maxFeatures: number;
  /** Nodes of at most this many rows use the exact sort-based search (default 40). */
  smallNodeSize?: number;
  /**
   * Per feature, 1 (prediction non-decreasing in the feature), -1 (non-increasing) or 0;
   * null for none. Scalar targets only. Leaf values are kept within bounds that each
   * constrained split passes to its children (the method of LightGBM and scikit-learn).
   */
  monotonic?: Int8Array | null;
  /**
   * Threads building histograms (default 1): with more, large nodes share their features
   * with histogram workers. Needs a finite `maxLeafNodes` (it bounds the shared histograms);
   * call {@link TreeGrower.close} when done.
   */
  threads?: number;
}

/** What a tree is fitted to. */
export type GrowTarget =
  | {
    kind: "scalar";
    gradients: Float64Array;
    /** Per-row hessians, or null for a constant 1 (then a node's hessian is its row count). */
    hessians: Float64Array | null;
    /** Leaf value = offset + scale * G / (H + λ). */
    leafOffset: number;
    leafScale: number;
  }
  | { kind: "classes"; codes: Int32Array; nClasses: number };

/**
 * Nodes at or below this size use the exact sort-based split search: sorting a few rows per
 * feature is cheaper than clearing and scanning 256-bin histograms (measured on deep forests).
 */
const SMALL_NODE = 40;

/**
 * Without histogram subtraction (features drawn per node: forests), nodes below this size skip
 * the stored 256-bin histograms: per-bin sums in a scratch array, only the bins present
 * compacted and scanned (a node of 100 rows touches at most 100 of 256 bins). Large nodes keep
 * the four-lane histograms.
 */
const SPARSE_MAX_ROWS = 4096;

/** Below this many rows, the sparse search finds the bins present with a bitmap. */
const BITMAP_ROWS = 128;

/** Nodes of at least this many rows are worth sharing with histogram workers. */
const PARALLEL_MIN_ROWS = 8192;

/** A grown tree plus where each leaf's rows sit in {@link TreeGrower.partition}. */
export interface GrownTree extends TreeArrays {
  /** Range `[nodeStart[i], nodeEnd[i])` of `partition` holding node i's rows. */
  readonly nodeStart: Int32Array;
  readonly nodeEnd: Int32Array;
}

/**
 * Grows trees on one binned data set; reuse one grower for all trees of an ensemble (its
 * buffers are kept between trees).
 */
export class TreeGrower {
  /** Row indices of the last tree, permuted so that every node is a contiguous range. */
  partition: Int32Array = new Int32Array(0);
  /** Sum of split gains per feature in the last tree grown. */
  readonly featureGain: Float64Array;

  #data: BinnedData;
  readonly #p: GrowerParams;
  readonly #width: number;
  readonly #hasHessians: boolean;
  readonly #nFeatures: number;
  readonly #bins: number;
  readonly #smallNode: number;
  // Per-tree state.
  #target!: GrowTarget;
  #rng: Rng | null = null;
  #lambda = 0;
  // Node arrays (grown on demand).
  #capacity = 0;
  #nNodes = 0;
  #start = new Int32Array(0);
  #end = new Int32Array(0);
  #depth = new Int32Array(0);
  #count = new Int32Array(0);
  #sumH = new Float64Array(0);
  #sumG = new Float64Array(0);
  #slot = new Int32Array(0);
  #gain = new Float64Array(0);
  #leftH = new Float64Array(0);
  #leftG = new Float64Array(0);
  #feature = new Int32Array(0);
  #bin = new Uint8Array(0);
  #missingLeft = new Uint8Array(0);
  #left = new Int32Array(0);
  #value = new Float64Array(0);
  /** Bounds of the Newton values `-G/(H+λ)` of a node's leaves (monotonic constraints). */
  #lower = new Float64Array(0);
  #upper = new Float64Array(0);
  readonly #monotonic: Int8Array | null;
  // Scratch buffers.
  #pool: HistogramArrays[] = [];
  #free: number[] = [];
  #og: Float64Array = new Float64Array(0);
  #oh: Float64Array = new Float64Array(0);
  #oc = new Int32Array(0);
  #tmp = new Int32Array(0);
  #allFeatures: Int32Array;
  #nodeFeatures: Int32Array = new Int32Array(0);
  #featurePool: Int32Array;
  #small: {
    keys: Int32Array;
    g: Float64Array;
    h: Float64Array;
    c: Uint32Array;
    binOf: Int32Array;
    gm: Float64Array;
  };
  #acc: Float64Array;
  #lanes: Lanes;
  /** Row-major bins, made on the first histogram over all features (see `nodeHistograms`). */
  #rowMajor: Uint8Array | null = null;
  /** Largest node of the sparse search in this tree (0: not used). */
  #sparseRows = 0;
  #sparse: {
    sums: Float64Array;
    counts: Uint32Array;
    g: Float64Array;
    c: Uint32Array;
    binOf: Int32Array;
    present: Int32Array;
  };
  /** Histogram workers and their control arrays (multi-threaded mode). */
  #workers: { worker: Worker; ctrl: Int32Array }[] = [];
  #command = 0;

  constructor(data: BinnedData, params: GrowerParams, width: number, hasHessians: boolean) {
    this.#data = data;
    this.#p = params;
    this.#width = width;
    this.#hasHessians = hasHessians;
    this.#nFeatures = data.columns.length;
    this.#bins = data.missingBin + 1;
    this.featureGain = new Float64Array(this.#nFeatures);
    this.#allFeatures = Int32Array.from({ length: this.#nFeatures }, (_, f) => f);
    this.#featurePool = new Int32Array(this.#nFeatures);
    const monotonic = params.monotonic ?? null;
    this.#monotonic = monotonic && monotonic.some((c) => c !== 0) ? monotonic : null;
    const small = params.smallNodeSize ?? SMALL_NODE;
    this.#smallNode = small;
    this.#small = {
      keys: new Int32Array(small),
      g: new Float64Array(small * width),
      h: new Float64Array(small),
      c: new Uint32Array(small),
      binOf: new Int32Array(small),
      gm: new Float64Array(width),
    };
    this.#sparse = {
      sums: new Float64Array(this.#bins),
      counts: new Uint32Array(this.#bins),
      g: new Float64Array(this.#bins),
      c: new Uint32Array(this.#bins),
      binOf: new Int32Array(this.#bins),
      present: new Int32Array(8),
    };
    // Running left sums of a split scan.
    this.#acc = new Float64Array(width);
    this.#lanes = makeLanes(this.#bins, hasHessians);
    const threads = params.threads ?? 1;
    if (threads > 1) this.#startWorkers(Math.min(threads, this.#nFeatures));
  }

  /**
   * Grows one tree on the rows `rows` (indices into the binned data, repeats allowed for a
   * bootstrap sample). `rng` draws the features of each node when `maxFeatures` is below the
   * feature count. The returned arrays are valid until the next call.
   */
  grow(target: GrowTarget, rows: Int32Array, rng: Rng | null): GrownTree {
    this.#target = target;
    this.#rng = rng;
    this.#lambda = target.kind === "scalar" ? this.#p.l2 : 0;
    const m = rows.length;
    if (this.#workers.length > 0 && m > this.partition.length) {
      throw new RangeError(`grow: ${m} rows exceed the ${this.partition.length} shared ones`);
    }
    if (this.partition.length < m) {
      this.partition = new Int32Array(m);
      this.#tmp = new Int32Array(m);
      this.#og = new Float64Array(m);
      this.#oh = new Float64Array(this.#hasHessians ? m : 0);
      this.#oc = new Int32Array(target.kind === "classes" ? m : 0);
    }
    this.partition.set(rows);
    this.featureGain.fill(0);
    this.#sparseRows = target.kind === "scalar" && target.hessians === null && !this.#monotonic &&
        this.#p.maxFeatures < this.#nFeatures
      ? SPARSE_MAX_ROWS
      : 0;
    this.#nNodes = 0;
    this.#free = this.#pool.map((_, k) => k);

    const root = this.#newNode(0, m, 0);
    this.#rootSums(root);
    const frontier: number[] = [];
    if (this.#splittable(root)) {
      const features = this.#drawFeatures();
      if (this.#count[root] < this.#sparseRows) this.#findSplitSparse(root, features);
      else if (this.#isSmall(root)) this.#findSplitSmall(root, features);
      else {
        this.#slot[root] = this.#acquire();
        this.#buildHistogram(root, features);
        this.#findSplitHistogram(root, features);
      }
      this.#keepOrRelease(root, frontier);
    }

    let leaves = 1;
    const bestFirst = Number.isFinite(this.#p.maxLeafNodes);
    while (frontier.length > 0 && leaves < this.#p.maxLeafNodes) {
      let k = frontier.length - 1;
      if (bestFirst) {
        for (let q = 0; q < frontier.length; q++) {
          if (this.#gain[frontier[q]] > this.#gain[frontier[k]]) k = q;
        }
      }
      const node = frontier[k];
      frontier[k] = frontier[frontier.length - 1];
      frontier.pop();
      this.#split(node, frontier);
      leaves++;
    }
    for (const node of frontier) this.#release(node);
    return this.#finish();
  }

  #finish(): GrownTree {
    const n = this.#nNodes;
    const w = this.#width;
    const t = this.#target;
    for (let i = 0; i < n; i++) {
      if (this.#left[i] < 0) {
        this.#feature[i] = -1;
        this.#bin[i] = 0;
        this.#missingLeft[i] = 0;
      }
      // Internal nodes get a value too (what the node would predict as a leaf).
      const denominator = this.#sumH[i] + this.#lambda;
      if (t.kind === "scalar" && this.#monotonic) {
        this.#value[i] = t.leafOffset -
          t.leafScale * this.#boundedValue(i, this.#sumG[i], this.#sumH[i]);
        continue;
      }
      for (let k = 0; k < w; k++) {
        const g = this.#sumG[i * w + k];
        this.#value[i * w + k] = t.kind === "scalar"
          ? t.leafOffset + (t.leafScale * g) / denominator
          : g / denominator;
      }
    }
    return {
      nNodes: n,
      feature: this.#feature.subarray(0, n),
      bin: this.#bin.subarray(0, n),
      missingLeft: this.#missingLeft.subarray(0, n),
      left: this.#left.subarray(0, n),
      value: this.#value.subarray(0, n * w),
      nodeStart: this.#start.subarray(0, n),
      nodeEnd: this.#end.subarray(0, n),
    };
  }

  // ---- nodes -------------------------------------------------------------------------------

  #newNode(start: number, end: number, depth: number): number {
    if (this.#nNodes === this.#capacity) this.#growCapacity();
    const i = this.#nNodes++;
    this.#start[i] = start;
    this.#end[i] = end;
    this.#depth[i] = depth;
    this.#count[i] = end - start;
    this.#slot[i] = -1;
    this.#gain[i] = 0;
    this.#left[i] = -1;
    this.#feature[i] = -1;
    this.#bin[i] = 0;
    this.#missingLeft[i] = 0;
    this.#lower[i] = -Infinity;
    this.#upper[i] = Infinity;
    return i;
  }

  #growCapacity(): void {
    const cap = Math.max(64, this.#capacity * 2);
    const w = this.#width;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.#start = grow(this.#start, cap);
    this.#end = grow(this.#end, cap);
    this.#depth = grow(this.#depth, cap);
    this.#count = grow(this.#count, cap);
    this.#sumH = grow(this.#sumH, cap);
    this.#sumG = grow(this.#sumG, cap * w);
    this.#slot = grow(this.#slot, cap);
    this.#gain = grow(this.#gain, cap);
    this.#leftH = grow(this.#leftH, cap);
    this.#leftG = grow(this.#leftG, cap * w);
    this.#feature = grow(this.#feature, cap);
    this.#bin = grow(this.#bin, cap);
    this.#missingLeft = grow(this.#missingLeft, cap);
    this.#left = grow(this.#left, cap);
    this.#value = grow(this.#value, cap * w);
    this.#lower = grow(this.#lower, cap);
    this.#upper = grow(this.#upper, cap);
    this.#capacity = cap;
  }

  /** Sums of gradients / hessians (or class counts) of the root. */
  #rootSums(root: number): void {
    const part = this.partition;
    const m = this.#count[root];
    const t = this.#target;
    const w = this.#width;
    if (t.kind === "scalar") {
      let g = 0;
      let h = 0;
      const { gradients, hessians } = t;
      for (let k = 0; k < m; k++) g += gradients[part[k]];
      if (hessians) { for (let k = 0; k < m; k++) h += hessians[part[k]]; }
      else h = m;
      this.#sumG[root] = g;
      this.#sumH[root] = h;
    } else {
      for (let k = 0; k < w; k++) this.#sumG[root * w + k] = 0;
      for (let k = 0; k < m; k++) this.#sumG[root * w + t.codes[part[k]]] += 1;
      this.#sumH[root] = m;
    }
  }

  /** Whether a node may be split at all (size, depth, hessian). */
  #splittable(node: number): boolean {
    const p = this.#p;
    return this.#count[node] >= 2 * p.minSamplesLeaf && this.#depth[node] < p.maxDepth &&
      this.#sumH[node] >= 2 * p.minHessianToSplit;
  }

  #isSmall(node: number): boolean {
    return this.#count[node] <= this.#smallNode;
  }

  #drawFeatures(): Int32Array {
    const nf = this.#nFeatures;
    const k = this.#p.maxFeatures;
    if (k >= nf || this.#rng === null) return this.#allFeatures;
    if (this.#nodeFeatures.length !== k) this.#nodeFeatures = new Int32Array(k);
    // Callers are done with the previous node's features when they draw the next ones.
    return sampleInto(this.#rng, this.#featurePool, this.#nodeFeatures);
  }

  /** Puts a node with a worthwhile split in the frontier, else frees its histogram. */
  #keepOrRelease(node: number, frontier: number[]): void {
    if (this.#gain[node] > this.#p.minGainToSplit) frontier.push(node);
    else this.#release(node);
  }

  // ---- splitting a node --------------------------------------------------------------------

  #split(node: number, frontier: number[]): void {
    const f = this.#feature[node];
    const threshold = this.#bin[node];
    const missingLeft = this.#missingLeft[node] === 1;
    const start = this.#start[node];
    const end = this.#end[node];
    const column = this.#data.columns[f];
    const missingBin = this.#data.missingBin;
    // Stable in-place partition: left rows compacted forward, right rows via the buffer.
    // Branch-free (the side of a row is unpredictable): every row is written to both places
    // and only the counter of its side advances. Bins are 0..255, so `(t - b) >>> 31` is 1
    // exactly when b > t; the missing bin is above every threshold, so it goes right unless
    // sent left explicitly.
    const part = this.partition;
    const tmp = this.#tmp;
    let l = start;
    let r = 0;
    if (missingLeft) {
      for (let k = start; k < end; k++) {
        const row = part[k];
        const b = column[row];
        const left = (((threshold - b) >>> 31) ^ 1) | (((b ^ missingBin) - 1) >>> 31);
        part[l] = row;
        tmp[r] = row;
        l += left;
        r += 1 - left;
      }
    } else {
      for (let k = start; k < end; k++) {
        const row = part[k];
        const left = ((threshold - column[row]) >>> 31) ^ 1;
        part[l] = row;
        tmp[r] = row;
        l += left;
        r += 1 - left;
      }
    }
    for (let k = 0; k < r; k++) part[l + k] = tmp[k];

    const depth = this.#depth[node] + 1;
    const left = this.#newNode(start, l, depth);
    const right = this.#newNode(l, end, depth);
    this.#left[node] = left;
    this.featureGain[f] += this.#gain[node];
    // Children sums from the split found on the parent.
    const w = this.#width;
    this.#sumH[left] = this.#leftH[node];
    this.#sumH[right] = this.#sumH[node] - this.#leftH[node];
    for (let k = 0; k < w; k++) {
      const gl = this.#leftG[node * w + k];
      this.#sumG[left * w + k] = gl;
      this.#sumG[right * w + k] = this.#sumG[node * w + k] - gl;
    }

    if (this.#monotonic) this.#childBounds(node, f, left, right);
    const canLeft = this.#splittable(left);
    const canRight = this.#splittable(right);
    const parentSlot = this.#slot[node];
    this.#slot[node] = -1;
    if (!canLeft && !canRight) {
      if (parentSlot >= 0) this.#free.push(parentSlot);
      return;
    }
    const subtraction = parentSlot >= 0 && this.#p.maxFeatures >= this.#nFeatures;
    if (subtraction) {
      this.#childHistograms(left, right, canLeft, canRight, parentSlot);
    } else if (parentSlot >= 0) this.#free.push(parentSlot);

    this.#evaluateChild(left, canLeft, frontier);
    this.#evaluateChild(right, canRight, frontier);
  }

  /** Finds the best split of a new child (if it may split) and queues it. */
  #evaluateChild(child: number, can: boolean, frontier: number[]): void {
    if (!can) {
      this.#release(child);
      return;
    }
    if (this.#slot[child] >= 0) {
      this.#findSplitHistogram(child, this.#allFeatures);
    } else {
      const features = this.#drawFeatures();
      if (this.#count[child] < this.#sparseRows) this.#findSplitSparse(child, features);
      else if (this.#isSmall(child)) this.#findSplitSmall(child, features);
      else {
        this.#slot[child] = this.#acquire();
        this.#buildHistogram(child, features);
        this.#findSplitHistogram(child, features);
      }
    }
    this.#keepOrRelease(child, frontier);
  }

  /**
   * Histograms of the children that need one (splittable and not small), using the parent's:
   * the larger child is the parent minus the smaller, computed in the parent's buffer, unless
   * building it directly is cheaper.
   */
  #childHistograms(
    left: number,
    right: number,
    canLeft: boolean,
    canRight: boolean,
    parentSlot: number,
  ): void {
    const needLeft = canLeft && !this.#isSmall(left);
    const needRight = canRight && !this.#isSmall(right);
    if (!needLeft && !needRight) {
      this.#free.push(parentSlot);
      return;
    }
    const leftIsSmaller = this.#count[left] <= this.#count[right];
    const smaller = leftIsSmaller ? left : right;
    const larger = leftIsSmaller ? right : left;
    const needSmaller = leftIsSmaller ? needLeft : needRight;
    const needLarger = leftIsSmaller ? needRight : needLeft;
    const features = this.#allFeatures;
    if (!needLarger) {
      // Only the smaller child needs one: build it in the parent's buffer.
      this.#slot[smaller] = parentSlot;
      this.#buildHistogram(smaller, features);
      return;
    }
    // Subtraction costs one pass over the histogram; building costs one pass over the rows.
    const histogramSize = this.#bins * (this.#width + 1);
    if (!needSmaller && this.#count[larger] < histogramSize) {
      this.#slot[larger] = parentSlot;
      this.#buildHistogram(larger, features);
      return;
    }
    const smallSlot = this.#acquire();
    this.#slot[smaller] = smallSlot;
    this.#buildHistogram(smaller, features);
    this.#slot[larger] = parentSlot;
    const a = this.#pool[parentSlot];
    const b = this.#pool[smallSlot];
    for (let i = 0; i < a.g.length; i++) a.g[i] -= b.g[i];
    for (let i = 0; i < a.c.length; i++) a.c[i] -= b.c[i];
    if (a.h && b.h) { for (let i = 0; i < a.h.length; i++) a.h[i] -= b.h[i]; }
    if (!needSmaller) {
      this.#free.push(smallSlot);
      this.#slot[smaller] = -1;
    }
  }

  #acquire(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#workers.length > 0) throw new RangeError("grow: shared histograms exhausted");
    const size = this.#nFeatures * this.#bins;
    this.#pool.push({
      g: new Float64Array(size * this.#width),
      h: this.#hasHessians ? new Float64Array(size) : null,
      c: new Uint32Array(size),
    });
    return this.#pool.length - 1;
  }

  #release(node: number): void {
    if (this.#slot[node] >= 0) {
      this.#free.push(this.#slot[node]);
      this.#slot[node] = -1;
    }
  }

  // ---- histograms --------------------------------------------------------------------------

  #buildHistogram(node: number, features: Int32Array): void {
    const slot = this.#pool[this.#slot[node]];
    const { g: hg, c: hc } = slot;
    const start = this.#start[node];
    const m = this.#end[node] - start;
    const part = this.partition;
    const bins = this.#bins;
    const w = this.#width;
    const t = this.#target;
    // Gather the node's gradients once, contiguously (read once per feature below).
    const og = this.#og;
    const oh = this.#oh;
    const oc = this.#oc;
    if (t.kind === "scalar") {
      const gr = t.gradients;
      for (let k = 0; k < m; k++) og[k] = gr[part[start + k]];
      if (t.hessians) {
        const he = t.hessians;
        for (let k = 0; k < m; k++) oh[k] = he[part[start + k]];
      }
    } else {
      for (let k = 0; k < m; k++) oc[k] = t.codes[part[start + k]];
    }
    // Large nodes over all features: workers build the other chunks meanwhile.
    const shared = this.#workers.length > 0 && m >= PARALLEL_MIN_ROWS &&
      features === this.#allFeatures && t.kind === "scalar";
    if (shared) this.#dispatchWorkers(this.#slot[node], start, m);
    if (features === this.#allFeatures && t.kind === "scalar") {
      // Row by row over every feature (this thread's share when the workers take the others).
      this.#rowMajor ??= rowMajorBins(this.#data.columns);
      const stride = shared ? this.#workers.length + 1 : 1;
      nodeHistograms(
        this.#rowMajor,
        this.#nFeatures,
        0,
        stride,
        part,
        start,
        m,
        og,
        oh,
        slot,
        bins,
      );
      if (shared) this.#joinWorkers();
      return;
    }
    // Drawn features: one feature at a time.
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const base = f * bins;
      const column = this.#data.columns[f];
      if (t.kind === "classes") {
        hg.fill(0, base * w, (base + bins) * w);
        hc.fill(0, base, base + bins);
        for (let k = 0; k < m; k++) {
          const b = base + column[part[start + k]];
          hg[b * w + oc[k]] += 1;
          hc[b]++;
        }
      } else {
        featureHistogram(column, part, start, m, og, oh, slot, base, bins, this.#lanes);
      }
    }
  }

  // ---- histogram workers -------------------------------------------------------------------

  /**
   * Starts `threads - 1` histogram workers over a shared row-major copy of the bins, the
   * partition, the ordered gradients and a fixed pool of histograms (one per possible leaf,
   * plus one), and waits until they are ready.
   */
  #startWorkers(threads: number): void {
    if (!Number.isFinite(this.#p.maxLeafNodes)) {
      throw new RangeError("threads > 1 needs a finite maxLeafNodes");
    }
    const n = this.#data.nRows;
    const shared = <T>(make: (buffer: SharedArrayBuffer) => T, bytes: number) =>
      make(new SharedArrayBuffer(bytes));
    const rows = rowMajorBins(
      this.#data.columns,
      shared((b) => new Uint8Array(b), n * this.#nFeatures),
    );
    this.#rowMajor = rows;
    this.partition = shared((b) => new Int32Array(b), 4 * n);
    this.#tmp = new Int32Array(n);
    this.#og = shared((b) => new Float64Array(b), 8 * n);
    this.#oh = shared((b) => new Float64Array(b), this.#hasHessians ? 8 * n : 0);
    const size = this.#nFeatures * this.#bins;
    for (let k = 0; k < this.#p.maxLeafNodes + 2; k++) {
      this.#pool.push({
        g: shared((b) => new Float64Array(b), 8 * size),
        h: this.#hasHessians ? shared((b) => new Float64Array(b), 8 * size) : null,
        c: shared((b) => new Uint32Array(b), 4 * size),
      });
    }
    // Interleaved shares (thread t builds features t, t + threads, ...): neighbouring features
    // tend to cost alike (calendar features first, lags last).
    try {
      for (let t = 1; t < threads; t++) {
        const ctrl = shared((b) => new Int32Array(b), 4 * CTRL.size);
        const worker = new Worker(new URL("./_histogram_worker.ts", import.meta.url), {
          type: "module",
        });
        ctrl[CTRL.featureFirst] = t;
        ctrl[CTRL.featureStride] = threads;
        this.#workers.push({ worker, ctrl });
        const init: HistogramWorkerInit = {
          ctrl,
          rows,
          nFeatures: this.#nFeatures,
          bins: this.#bins,
          partition: this.partition,
          og: this.#og,
          oh: this.#oh,
          pool: this.#pool,
        };
        worker.postMessage(init);
      }
      for (const { ctrl } of this.#workers) {
        if (Atomics.wait(ctrl, CTRL.ready, 0, 120_000) === "timed-out") {
          throw new Error("histogram worker did not start within 120 s");
        }
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Hands the other feature chunks of a node to the workers. */
  #dispatchWorkers(slot: number, start: number, m: number): void {
    this.#command++;
    for (const { ctrl } of this.#workers) {
      ctrl[CTRL.slot] = slot;
      ctrl[CTRL.start] = start;
      ctrl[CTRL.rows] = m;
      Atomics.store(ctrl, CTRL.command, this.#command);
      Atomics.notify(ctrl, CTRL.command);
    }
  }

  #joinWorkers(): void {
    for (const { ctrl } of this.#workers) {
      for (;;) {
        const done = Atomics.load(ctrl, CTRL.done);
        if (done === this.#command) break;
        Atomics.wait(ctrl, CTRL.done, done, 1000);
      }
    }
  }

  /** Stops the histogram workers (a no-op in single-threaded mode). */
  close(): void {
    for (const { worker, ctrl } of this.#workers) {
      Atomics.store(ctrl, CTRL.command, -1);
      Atomics.notify(ctrl, CTRL.command);
      worker.terminate();
    }
    this.#workers = [];
  }

  #findSplitHistogram(node: number, features: Int32Array): void {
    const { g, h, c } = this.#pool[this.#slot[node]];
    const bins = this.#bins;
    const w = this.#width;
    const missing = this.#data.missingBin;
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const base = f * bins;
      const mb = base + missing;
      const gm = this.#small.gm;
      for (let k = 0; k < w; k++) gm[k] = g[mb * w + k];
      this.#scan(
        node,
        f,
        g,
        h,
        c,
        base,
        this.#data.nBins[f],
        null,
        gm,
        h ? h[mb] : c[mb],
        c[mb],
      );
    }
  }

  /** Exact split search of a small node: sort its rows by bin per feature, then scan. */
  #findSplitSmall(node: number, features: Int32Array): void {
    const t = this.#target;
    if (t.kind === "scalar" && t.hessians === null && !this.#monotonic) {
      this.#findSplitSmallScalar(node, features, t.gradients);
      return;
    }
    const start = this.#start[node];
    const m = this.#end[node] - start;
    const part = this.partition;
    const w = this.#width;
    const { keys, g, h, c, binOf, gm } = this.#small;
    const missing = this.#data.missingBin;
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const column = this.#data.columns[f];
      // Keys "bin * 2^16 + position" sort rows by bin (insertion sort: m is small).
      for (let k = 0; k < m; k++) {
        const key = (column[part[start + k]] << 16) | k;
        let j = k - 1;
        while (j >= 0 && keys[j] > key) {
          keys[j + 1] = keys[j];
          j--;
        }
        keys[j + 1] = key;
      }
      // Group equal bins into a compact histogram; the missing bin (largest) apart.
      let positions = 0;
      let hm = 0;
      let cm = 0;
      gm.fill(0);
      let previous = -1;
      for (let k = 0; k < m; k++) {
        const b = keys[k] >>> 16;
        const row = part[start + (keys[k] & 0xffff)];
        let gi = 0;
        let hi = 1;
        if (t.kind === "scalar") {
          gi = t.gradients[row];
          if (t.hessians) hi = t.hessians[row];
        }
        if (b === missing) {
          if (t.kind === "scalar") gm[0] += gi;
          else gm[t.codes[row]] += 1;
          hm += hi;
          cm++;
          continue;
        }
        if (b !== previous) {
          binOf[positions] = b;
          for (let k = 0; k < w; k++) g[positions * w + k] = 0;
          h[positions] = 0;
          c[positions] = 0;
          positions++;
          previous = b;
        }
        const p = positions - 1;
        if (t.kind === "scalar") g[p] += gi;
        else g[p * w + t.codes[row]] += 1;
        h[p] += hi;
        c[p]++;
      }
      this.#scan(node, f, g, h, c, 0, positions, binOf, gm, hm, cm);
    }
  }

  /**
   * Split search of a node without a stored histogram (scalar target, unit hessians): per drawn
   * feature, per-bin sums in scratch arrays, then the bins present compacted in ascending order
   * (and the scratch cleared) and scanned. The sums are those a histogram would hold, added in
   * the same order, so the split is the one the histogram search finds.
   */
  #findSplitSparse(node: number, features: Int32Array): void {
    const gradients = (this.#target as { gradients: Float64Array }).gradients;
    const start = this.#start[node];
    const m = this.#end[node] - start;
    const part = this.partition;
    const og = this.#og;
    for (let k = 0; k < m; k++) og[k] = gradients[part[start + k]];
    const { sums, counts, g, c, binOf, present } = this.#sparse;
    const missing = this.#data.missingBin;
    const gm = this.#small.gm;
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const column = this.#data.columns[f];
      let n = 0;
      if (m < BITMAP_ROWS) {
        // Few rows: mark the bins present in a 256-bit map, then visit the marks in order.
        present.fill(0);
        for (let k = 0; k < m; k++) {
          const b = column[part[start + k]];
          sums[b] += og[k];
          counts[b]++;
          present[b >>> 5] |= 1 << (b & 31);
        }
        present[missing >>> 5] &= ~(1 << (missing & 31));
        for (let w = 0; w < 8; w++) {
          let bits = present[w];
          while (bits !== 0) {
            const low = bits & -bits;
            const b = (w << 5) | (31 - Math.clz32(low));
            bits ^= low;
            binOf[n] = b;
            g[n] = sums[b];
            c[n++] = counts[b];
            sums[b] = 0;
            counts[b] = 0;
          }
        }
      } else {
        for (let k = 0; k < m; k++) {
          const b = column[part[start + k]];
          sums[b] += og[k];
          counts[b]++;
        }
        const nb = this.#data.nBins[f];
        for (let b = 0; b < nb; b++) {
          const count = counts[b];
          if (count === 0) continue;
          binOf[n] = b;
          g[n] = sums[b];
          c[n++] = count;
          sums[b] = 0;
          counts[b] = 0;
        }
      }
      gm[0] = sums[missing];
      const cm = counts[missing];
      sums[missing] = 0;
      counts[missing] = 0;
      this.#scan(node, f, g, null, c, 0, n, binOf, gm, cm, cm);
    }
  }

  /**
   * The small-node search for the most common target (gradients, unit hessians), inlined:
   * deep random-forest trees spend most of their nodes here.
   */
  #findSplitSmallScalar(node: number, features: Int32Array, gradients: Float64Array): void {
    const start = this.#start[node];
    const m = this.#end[node] - start;
    const part = this.partition;
    const keys = this.#small.keys;
    const og = this.#og;
    for (let k = 0; k < m; k++) og[k] = gradients[part[start + k]];
    const missing = this.#data.missingBin;
    const minLeaf = this.#p.minSamplesLeaf;
    const lambda = this.#lambda;
    const total = this.#sumG[node];
    const parentScore = (total * total) / (m + lambda);
    let best = this.#gain[node];
    let bestFeature = -1;
    let bestBin = 0;
    let bestMissingLeft = false;
    let bestHasMissing = false;
    let bestNl = 0;
    let bestGl = 0;
    for (let q = 0; q < features.length; q++) {
      const f = features[q];
      const column = this.#data.columns[f];
      // Keys "bin * 2^16 + position" sort rows by bin (insertion sort: m is small).
      for (let k = 0; k < m; k++) {
        const key = (column[part[start + k]] << 16) | k;
        let j = k - 1;
        while (j >= 0 && keys[j] > key) {
          keys[j + 1] = keys[j];
          j--;
        }
        keys[j + 1] = key;
      }
      // Missing rows sort last (largest bin).
      let present = m;
      let gm = 0;
      while (present > 0 && keys[present - 1] >>> 16 === missing) {
        present--;
        gm += og[keys[present] & 0xffff];
      }
      const cm = m - present;
      for (let pass = 0; pass < (cm > 0 ? 2 : 1); pass++) {
        let nl = pass === 1 ? cm : 0;
        let gl = pass === 1 ? gm : 0;
        for (let j = 0; j < present; j++) {
          nl++;
          gl += og[keys[j] & 0xffff];
          const b = keys[j] >>> 16;
          // Only between two different bins (or after the last one).
          if (j + 1 < present && keys[j + 1] >>> 16 === b) continue;
          if (nl < minLeaf) continue;
          const nr = m - nl;
          if (nr < minLeaf) break;
          const gr = total - gl;
          const gain = (gl * gl) / (nl + lambda) + (gr * gr) / (nr + lambda) - parentScore;
          if (gain > best) {
            best = gain;
            bestFeature = f;
            bestBin = b;
            bestMissingLeft = pass === 1;
            bestHasMissing = cm > 0;
            bestNl = nl;
            bestGl = gl;
          }
        }
      }
    }
    if (bestFeature < 0) return;
    this.#gain[node] = best;
    this.#feature[node] = bestFeature;
    this.#bin[node] = bestBin;
    this.#missingLeft[node] = bestHasMissing
      ? (bestMissingLeft ? 1 : 0)
      : (2 * bestNl >= m ? 1 : 0);
    this.#leftH[node] = bestNl;
    this.#leftG[node] = bestGl;
  }

  /**
   * Scans split positions of feature `f` in a histogram: positions `0..n-1` at `base` of
   * `g`/`h`/`c` (`h` null: hessian = count), their bins `binOf[p]` (identity when null), and
   * the missing-value sums. Tries missing values on the right, then (if any) on the left, and
   * records a better split on the node.
   */
  #scan(
    node: number,
    f: number,
    g: Float64Array,
    h: Float64Array | null,
    c: Uint32Array,
    base: number,
    n: number,
    binOf: Int32Array | null,
    gm: Float64Array,
    hm: number,
    cm: number,
  ): void {
    if (this.#monotonic) {
      this.#scanBounded(node, f, g, h, c, base, n, binOf, gm[0], hm, cm);
      return;
    }
    const w = this.#width;
    const lambda = this.#lambda;
    const minLeaf = this.#p.minSamplesLeaf;
    const minHessian = this.#p.minHessianToSplit;
    const total = this.#count[node];
    const totalH = this.#sumH[node];
    const sumG = this.#sumG;
    const g0 = sumG[node * w];
    const parentScore = this.#score(sumG, node * w, totalH);
    const acc = this.#acc;
    let best = this.#gain[node];
    let bestP = -1;
    let bestMissingLeft = false;
    for (let pass = 0; pass < (cm > 0 ? 2 : 1); pass++) {
      const missingLeft = pass === 1;
      let nl = missingLeft ? cm : 0;
      let hl = missingLeft ? hm : 0;
      let gl = missingLeft ? gm[0] : 0;
      for (let k = 0; k < w; k++) acc[k] = missingLeft ? gm[k] : 0;
      for (let p = 0; p < n; p++) {
        const at = base + p;
        nl += c[at];
        hl += h ? h[at] : c[at];
        if (w === 1) gl += g[at];
        else for (let k = 0; k < w; k++) acc[k] += g[at * w + k];
        if (nl < minLeaf) continue;
        const nr = total - nl;
        if (nr < minLeaf) break;
        const hr = totalH - hl;
        if (hl < minHessian || hr < minHessian) continue;
        let gain: number;
        if (w === 1) {
          const gr = g0 - gl;
          gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
        } else {
          let sl = 0;
          let sr = 0;
          for (let k = 0; k < w; k++) {
            const gr = sumG[node * w + k] - acc[k];
            sl += acc[k] * acc[k];
            sr += gr * gr;
          }
          gain = sl / (hl + lambda) + sr / (hr + lambda) - parentScore;
        }
        if (gain > best) {
          best = gain;
          bestP = p;
          bestMissingLeft = missingLeft;
        }
      }
    }
    if (bestP < 0) return;
    this.#record(node, f, g, h, c, base, binOf, gm, hm, cm, best, bestP, bestMissingLeft);
  }

  /** Records the split after position `bestP` of feature `f` as the node's best. */
  #record(
    node: number,
    f: number,
    g: Float64Array,
    h: Float64Array | null,
    c: Uint32Array,
    base: number,
    binOf: Int32Array | null,
    gm: Float64Array,
    hm: number,
    cm: number,
    gain: number,
    bestP: number,
    bestMissingLeft: boolean,
  ): void {
    const w = this.#width;
    const acc = this.#acc;
    // Recompute the left sums of the best position (cheaper than saving them at every step).
    let nl = bestMissingLeft ? cm : 0;
    let hl = bestMissingLeft ? hm : 0;
    for (let k = 0; k < w; k++) acc[k] = bestMissingLeft ? gm[k] : 0;
    for (let p = 0; p <= bestP; p++) {
      const at = base + p;
      nl += c[at];
      hl += h ? h[at] : c[at];
      for (let k = 0; k < w; k++) acc[k] += g[at * w + k];
    }
    this.#gain[node] = gain;
    this.#feature[node] = f;
    this.#bin[node] = binOf ? binOf[bestP] : bestP;
    // Without missing rows here, unseen missing values follow the larger child.
    const total = this.#count[node];
    this.#missingLeft[node] = cm > 0 ? (bestMissingLeft ? 1 : 0) : (2 * nl >= total ? 1 : 0);
    this.#leftH[node] = hl;
    for (let k = 0; k < w; k++) this.#leftG[node * w + k] = acc[k];
  }

  // ---- monotonic constraints ---------------------------------------------------------------

  /** Newton value `-G/(H+λ)` of a node, clipped to the node's bounds. */
  #boundedValue(node: number, g: number, h: number): number {
    const v = -g / (h + this.#lambda);
    return Math.min(Math.max(v, this.#lower[node]), this.#upper[node]);
  }

  /**
   * The split scan under monotonic constraints (scalar targets): child values are clipped to
   * the node's bounds, a split on a constrained feature must order them the constrained way,
   * and the gain is the loss reduction at those clipped values.
   */
  #scanBounded(
    node: number,
    f: number,
    g: Float64Array,
    h: Float64Array | null,
    c: Uint32Array,
    base: number,
    n: number,
    binOf: Int32Array | null,
    gm: number,
    hm: number,
    cm: number,
  ): void {
    const lambda = this.#lambda;
    const minLeaf = this.#p.minSamplesLeaf;
    const minHessian = this.#p.minHessianToSplit;
    const total = this.#count[node];
    const totalH = this.#sumH[node];
    const g0 = this.#sumG[node];
    const direction = this.#monotonic![f];
    // Loss of a leaf of value v: G v + (H + λ) v² / 2, negated and doubled (a "score").
    const score = (gs: number, hs: number, v: number) => -(2 * gs * v + (hs + lambda) * v * v);
    const parentScore = score(g0, totalH, this.#boundedValue(node, g0, totalH));
    let best = this.#gain[node];
    let bestP = -1;
    let bestMissingLeft = false;
    for (let pass = 0; pass < (cm > 0 ? 2 : 1); pass++) {
      const missingLeft = pass === 1;
      let nl = missingLeft ? cm : 0;
      let hl = missingLeft ? hm : 0;
      let gl = missingLeft ? gm : 0;
      for (let p = 0; p < n; p++) {
        const at = base + p;
        nl += c[at];
        hl += h ? h[at] : c[at];
        gl += g[at];
        if (nl < minLeaf) continue;
        const nr = total - nl;
        if (nr < minLeaf) break;
        const hr = totalH - hl;
        if (hl < minHessian || hr < minHessian) continue;
        const gr = g0 - gl;
        const vl = this.#boundedValue(node, gl, hl);
        const vr = this.#boundedValue(node, gr, hr);
        if ((direction > 0 && vl > vr) || (direction < 0 && vl < vr)) continue;
        const gain = score(gl, hl, vl) + score(gr, hr, vr) - parentScore;
        if (gain > best) {
          best = gain;
          bestP = p;
          bestMissingLeft = missingLeft;
        }
      }
    }
    if (bestP < 0) return;
    const gmArray = this.#small.gm;
    gmArray[0] = gm;
    this.#record(node, f, g, h, c, base, binOf, gmArray, hm, cm, best, bestP, bestMissingLeft);
  }

  /** Children inherit the node's bounds; a constrained split also separates them at the mean. */
  #childBounds(node: number, f: number, left: number, right: number): void {
    const lo = this.#lower[node];
    const hi = this.#upper[node];
    this.#lower[left] = this.#lower[right] = lo;
    this.#upper[left] = this.#upper[right] = hi;
    const direction = this.#monotonic![f];
    if (direction === 0) return;
    const vl = this.#boundedValue(node, this.#sumG[left], this.#sumH[left]);
    const vr = this.#boundedValue(node, this.#sumG[right], this.#sumH[right]);
    const middle = (vl + vr) / 2;
    if (direction > 0) {
      this.#upper[left] = middle;
      this.#lower[right] = middle;
    } else {
      this.#lower[left] = middle;
      this.#upper[right] = middle;
    }
  }

  #score(sums: Float64Array, at: number, hessian: number): number {
    let s = 0;
    for (let k = 0; k < this.#width; k++) s += sums[at + k] * sums[at + k];
    return s / (hessian + this.#lambda);
  }
}
