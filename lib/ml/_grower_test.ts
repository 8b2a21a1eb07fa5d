import assert from "node:assert/strict";
import { binFeatures, type BinnedData, fitBinEdges } from "./_binning.ts";
import { type FeatureMatrix, featureMatrix } from "./dataset.ts";
import { ForestBuilder } from "./_forest.ts";
import { type GrowerParams, type GrowTarget, TreeGrower } from "./_grower.ts";
import { mulberry32, type Rng } from "./_rng.ts";

const BASE: GrowerParams = {
  maxLeafNodes: Infinity,
  maxDepth: Infinity,
  minSamplesLeaf: 1,
  minHessianToSplit: 1e-3,
  l2: 0,
  minGainToSplit: 0,
  maxFeatures: 3,
};

/** Three features: continuous, continuous with 20 % NaN, 5 distinct values. */
function randomData(n: number, rng: Rng): FeatureMatrix {
  return featureMatrix({
    a: Float64Array.from({ length: n }, () => rng() * 100),
    b: Float64Array.from({ length: n }, () => (rng() < 0.2 ? NaN : rng())),
    c: Float64Array.from({ length: n }, () => Math.floor(rng() * 5)),
  });
}

function binned(x: FeatureMatrix, maxBins: number): { data: BinnedData; builder: ForestBuilder } {
  const edges = fitBinEdges(x, null, maxBins, mulberry32(0));
  return { data: binFeatures(edges, x), builder: new ForestBuilder(1, 1, edges) };
}

const allRows = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Best root split by brute force over every feature, bin and missing-value direction. */
function bruteForceRoot(
  data: BinnedData,
  g: Float64Array,
  h: Float64Array | null,
  lambda: number,
  minLeaf: number,
) {
  const n = data.nRows;
  const hess = (i: number) => (h ? h[i] : 1);
  let G = 0, H = 0;
  for (let i = 0; i < n; i++) {
    G += g[i];
    H += hess(i);
  }
  let best = { gain: 0, feature: -1, bin: -1 };
  data.columns.forEach((column, f) => {
    const hasMissing = column.some((b) => b === data.missingBin);
    for (const missingLeft of hasMissing ? [false, true] : [false]) {
      for (let b = 0; b < data.nBins[f]; b++) {
        let gl = 0, hl = 0, nl = 0;
        for (let i = 0; i < n; i++) {
          const v = column[i];
          if (v === data.missingBin ? missingLeft : v <= b) {
            gl += g[i];
            hl += hess(i);
            nl++;
          }
        }
        if (nl < minLeaf || n - nl < minLeaf) continue;
        const gain = gl ** 2 / (hl + lambda) + (G - gl) ** 2 / (H - hl + lambda) -
          G ** 2 / (H + lambda);
        if (gain > best.gain + 1e-9 * Math.abs(gain)) best = { gain, feature: f, bin: b };
      }
    }
  });
  return best;
}

Deno.test("root split equals the brute-force best split (constant and varying hessians)", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rng = mulberry32(seed);
    const x = randomData(400, rng);
    const { data } = binned(x, 16);
    const g = Float64Array.from(
      { length: 400 },
      (_, i) =>
        (x.columns[0][i] > 60 ? 2 : 0) + (Number.isNaN(x.columns[1][i]) ? -1.5 : 0) + rng() - 0.5,
    );
    const withHessians = seed % 2 === 0;
    const h = withHessians ? Float64Array.from({ length: 400 }, () => 0.1 + rng()) : null;
    const lambda = withHessians ? 0.5 : 0;
    const grower = new TreeGrower(
      data,
      { ...BASE, maxLeafNodes: 2, minSamplesLeaf: 7, l2: lambda },
      1,
      withHessians,
    );
    const tree = grower.grow(
      { kind: "scalar", gradients: g, hessians: h, leafOffset: 0, leafScale: -1 },
      allRows(400),
      null,
    );
    const expected = bruteForceRoot(data, g, h, lambda, 7);
    assert.equal(tree.nNodes, 3);
    assert.equal(tree.feature[0], expected.feature, `seed ${seed}`);
    assert.equal(tree.bin[0], expected.bin, `seed ${seed}`);
    const gain = grower.featureGain[expected.feature];
    assert.ok(
      Math.abs(gain - expected.gain) <= 1e-9 * expected.gain,
      `${gain} vs ${expected.gain}`,
    );
    // Leaf values are -G/(H+λ) of their rows.
    const part = grower.partition;
    for (const leaf of [1, 2]) {
      let gs = 0, hs = 0;
      for (let q = tree.nodeStart[leaf]; q < tree.nodeEnd[leaf]; q++) {
        gs += g[part[q]];
        hs += h ? h[part[q]] : 1;
      }
      assert.ok(Math.abs(tree.value[leaf] + gs / (hs + lambda)) < 1e-9);
    }
  }
});

Deno.test("missing values go to the side that gains most", () => {
  const n = 200;
  const v = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? NaN : i));
  // Missing rows look like the high values: they must join the right (high) side.
  const g = Float64Array.from(v, (x, i) => (Number.isNaN(x) || i >= 100 ? 1 : -1));
  const x = featureMatrix({ v });
  const { data, builder } = binned(x, 255);
  const grower = new TreeGrower(data, { ...BASE, maxLeafNodes: 2, maxFeatures: 1 }, 1, false);
  const tree = grower.grow(
    { kind: "scalar", gradients: g, hessians: null, leafOffset: 0, leafScale: -1 },
    allRows(n),
    null,
  );
  assert.equal(tree.missingLeft[0], 0);
  builder.append(structuredClone(tree));
  const out = new Float64Array(3);
  builder.build().addPredictions([Float64Array.of(NaN, 10, 150)], 3, out);
  assert.deepEqual([...out], [-1, 1, -1]);
});

Deno.test("unseen missing values follow the larger child", () => {
  const v = Float64Array.from({ length: 100 }, (_, i) => i);
  const g = Float64Array.from(v, (x) => (x < 30 ? 1 : -1));
  const { data, builder } = binned(featureMatrix({ v }), 255);
  const grower = new TreeGrower(data, { ...BASE, maxLeafNodes: 2, maxFeatures: 1 }, 1, false);
  const tree = grower.grow(
    { kind: "scalar", gradients: g, hessians: null, leafOffset: 0, leafScale: -1 },
    allRows(100),
    null,
  );
  assert.equal(tree.missingLeft[0], 0); // the right child (70 rows) is larger
  builder.append(structuredClone(tree));
  const out = new Float64Array(1);
  builder.build().addPredictions([Float64Array.of(NaN)], 1, out);
  assert.equal(out[0], 1); // value of the right leaf: -(-70)/70
});

/** Grows one tree and returns its arrays (copied) plus the grower. */
function growOnce(data: BinnedData, params: GrowerParams, target: GrowTarget, width: number) {
  const grower = new TreeGrower(data, params, width, false);
  const tree = grower.grow(target, allRows(data.nRows), mulberry32(9));
  return { tree: structuredClone(tree), grower };
}

Deno.test("sort-based search of small nodes builds the same tree as histograms", () => {
  const rng = mulberry32(11);
  const x = randomData(600, rng);
  const { data } = binned(x, 32);
  // Integer gradients: sums are exact, so both searches see identical gains.
  const g = Float64Array.from({ length: 600 }, () => Math.floor(rng() * 7) - 3);
  const target: GrowTarget = {
    kind: "scalar",
    gradients: g,
    hessians: null,
    leafOffset: 0,
    leafScale: -1,
  };
  const histogramsOnly = growOnce(data, { ...BASE, smallNodeSize: 0 }, target, 1).tree;
  const sortOnly = growOnce(data, { ...BASE, smallNodeSize: 1000 }, target, 1).tree;
  const mixed = growOnce(data, BASE, target, 1).tree;
  assert.ok(histogramsOnly.nNodes > 200);
  for (const other of [sortOnly, mixed]) {
    assert.deepEqual(other.feature, histogramsOnly.feature);
    assert.deepEqual(other.bin, histogramsOnly.bin);
    assert.deepEqual(other.missingLeft, histogramsOnly.missingLeft);
    assert.deepEqual(other.left, histogramsOnly.left);
    assert.deepEqual(other.value, histogramsOnly.value);
  }
  const codes = Int32Array.from(
    { length: 600 },
    (_, i) => x.columns[2][i] > 2 ? 2 : Number.isNaN(x.columns[1][i]) ? 1 : 0,
  );
  const classes: GrowTarget = { kind: "classes", codes, nClasses: 3 };
  const a = growOnce(data, { ...BASE, smallNodeSize: 0 }, classes, 3).tree;
  const b = growOnce(data, { ...BASE, smallNodeSize: 1000 }, classes, 3).tree;
  assert.deepEqual(b.feature, a.feature);
  assert.deepEqual(b.bin, a.bin);
  assert.deepEqual(b.value, a.value);
});

Deno.test("raw-value prediction reproduces the training partition", () => {
  const rng = mulberry32(5);
  const x = randomData(1000, rng);
  const { data, builder } = binned(x, 64);
  const g = Float64Array.from(
    { length: 1000 },
    (_, i) =>
      Math.sin(x.columns[0][i] / 10) + (Number.isNaN(x.columns[1][i]) ? 1 : x.columns[1][i]),
  );
  const { tree, grower } = growOnce(data, { ...BASE, minSamplesLeaf: 3 }, {
    kind: "scalar",
    gradients: g,
    hessians: null,
    leafOffset: 0,
    leafScale: -1,
  }, 1);
  builder.append(tree);
  const predicted = new Float64Array(1000);
  builder.build().addPredictions(x.columns, 1000, predicted);
  let leaves = 0;
  for (let node = 0; node < tree.nNodes; node++) {
    if (tree.left[node] >= 0) continue;
    leaves++;
    assert.ok(tree.nodeEnd[node] - tree.nodeStart[node] >= 3);
    for (let q = tree.nodeStart[node]; q < tree.nodeEnd[node]; q++) {
      assert.equal(predicted[grower.partition[q]], tree.value[node]);
    }
  }
  assert.ok(leaves > 50);
});

Deno.test("best-first without a leaf limit grows the same function as depth-first", () => {
  const rng = mulberry32(8);
  const x = randomData(500, rng);
  const { data, builder } = binned(x, 255);
  const g = Float64Array.from({ length: 500 }, () => rng());
  const target: GrowTarget = {
    kind: "scalar",
    gradients: g,
    hessians: null,
    leafOffset: 0,
    leafScale: -1,
  };
  builder.append(growOnce(data, { ...BASE, minSamplesLeaf: 5 }, target, 1).tree);
  builder.append(growOnce(data, { ...BASE, minSamplesLeaf: 5, maxLeafNodes: 1e9 }, target, 1).tree);
  const forest = builder.build();
  const a = new Float64Array(500), b = new Float64Array(500);
  forest.addPredictions(x.columns, 500, a, 0, 1);
  forest.addPredictions(x.columns, 500, b, 1, 2);
  assert.deepEqual(a, b);
});

Deno.test("leaf, depth and feature limits are respected", () => {
  const rng = mulberry32(3);
  const x = randomData(2000, rng);
  const { data } = binned(x, 255);
  const g = Float64Array.from({ length: 2000 }, () => rng());
  const target: GrowTarget = {
    kind: "scalar",
    gradients: g,
    hessians: null,
    leafOffset: 0,
    leafScale: -1,
  };
  const leavesOf = (t: { left: Int32Array }) => t.left.filter((c) => c < 0).length;
  const limited = growOnce(data, { ...BASE, maxLeafNodes: 13 }, target, 1).tree;
  assert.equal(leavesOf(limited), 13);
  const shallow = growOnce(data, { ...BASE, maxDepth: 3 }, target, 1).tree;
  assert.equal(leavesOf(shallow), 8);
  const depth = new Int32Array(shallow.nNodes);
  shallow.left.forEach((c, i) => {
    if (c >= 0) depth[c] = depth[c + 1] = depth[i] + 1;
  });
  assert.equal(Math.max(...depth), 3);
  // One feature drawn per node: every split uses a drawn feature, and the draw is seeded.
  const one = growOnce(data, { ...BASE, maxFeatures: 1, maxDepth: 4 }, target, 1).tree;
  const again = growOnce(data, { ...BASE, maxFeatures: 1, maxDepth: 4 }, target, 1).tree;
  assert.deepEqual(one.feature, again.feature);
  assert.ok(new Set(one.feature.filter((f) => f >= 0)).size >= 2);
});

Deno.test("bootstrap rows with repeats count each repeat", () => {
  const v = Float64Array.of(0, 1, 2, 3);
  const { data } = binned(featureMatrix({ v }), 255);
  const y = Float64Array.of(10, 10, 30, 30);
  // Rows 0 and 3 twice: mean 20; centred gradients mean - y.
  const rows = Int32Array.of(0, 0, 3, 3, 1);
  const mean = (10 + 10 + 30 + 30 + 10) / 5;
  const g = Float64Array.from(y, (v) => mean - v);
  const grower = new TreeGrower(data, { ...BASE, maxFeatures: 1 }, 1, false);
  const tree = grower.grow(
    { kind: "scalar", gradients: g, hessians: null, leafOffset: mean, leafScale: -1 },
    rows,
    null,
  );
  assert.equal(tree.nNodes, 3);
  assert.equal(tree.value[0], mean);
  assert.deepEqual([tree.value[1], tree.value[2]], [10, 30]);
  assert.deepEqual([tree.nodeEnd[1] - tree.nodeStart[1], tree.nodeEnd[2] - tree.nodeStart[2]], [
    3,
    2,
  ]);
});

Deno.test("predictions of many trees (binned rows) are those of the raw-value traversal", () => {
  const rng = mulberry32(21);
  const x = randomData(3000, rng);
  const edges = fitBinEdges(x, null, 32, mulberry32(0));
  const data = binFeatures(edges, x);
  const builder = new ForestBuilder(1, 2, edges);
  for (let t = 0; t < 20; t++) {
    const g = Float64Array.from({ length: 3000 }, () => rng() - 0.5);
    const target: GrowTarget = {
      kind: "scalar",
      gradients: g,
      hessians: null,
      leafOffset: 0,
      leafScale: -1,
    };
    builder.append(
      growOnce(data, { ...BASE, minSamplesLeaf: 20, maxLeafNodes: 15 }, target, 1).tree,
    );
  }
  const forest = builder.build();
  // New rows: edges themselves, values beyond the range, ±Infinity, -0, NaN.
  const e = edges.edges;
  const pick = (f: number) => {
    const r = rng();
    if (r < 0.2) return e[f][Math.floor(rng() * e[f].length)];
    if (r < 0.25) return NaN;
    if (r < 0.3) return [Infinity, -Infinity, -0, 1e9, -1e9][Math.floor(rng() * 5)];
    return x.columns[f][Math.floor(rng() * 3000)];
  };
  const n = 2000;
  const columns = [0, 1, 2].map((f) => Float64Array.from({ length: n }, () => pick(f)));
  const out = new Float64Array(2 * n);
  forest.addPredictions(columns, n, out);
  // The documented semantics, walked on raw values tree by tree.
  const expected = new Float64Array(2 * n);
  for (let t = 0; t < forest.nTrees; t++) {
    for (let i = 0; i < n; i++) {
      let node = forest.roots[t];
      while (forest.left[node] >= 0) {
        const v = columns[forest.feature[node]][i];
        const goLeft = Number.isNaN(v)
          ? forest.missingLeft[node] === 1
          : v <= forest.threshold[node];
        node = forest.left[node] + (goLeft ? 0 : 1);
      }
      expected[i * 2 + (t % 2)] += forest.value[~forest.left[node]];
    }
  }
  assert.deepEqual(out, expected);
});
