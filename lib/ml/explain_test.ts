import assert from "node:assert/strict";
import { type FeatureMatrix, featureMatrix } from "./dataset.ts";
import { shapValues } from "./explain.ts";
import { fitGbdtClassifier, fitGbdtRegressor } from "./gbdt.ts";
import { fitRandomForestClassifier, fitRandomForestRegressor } from "./random_forest.ts";
import type { Forest } from "./_forest.ts";
import { mulberry32 } from "./_rng.ts";
import { MlInputError } from "./errors.ts";

function data(n: number, seed: number) {
  const rng = mulberry32(seed);
  const a = Float64Array.from({ length: n }, () => rng() * 10);
  const b = Float64Array.from({ length: n }, () => (rng() < 0.15 ? NaN : rng() * 10));
  const c = Float64Array.from({ length: n }, () => Math.floor(rng() * 4));
  const d = Float64Array.from({ length: n }, () => rng());
  const y = a.map((v, i) =>
    Math.sin(v) * 3 + (Number.isNaN(b[i]) ? 2 : b[i] > 5 ? 1 : -1) * c[i] + 0.2 * d[i]
  );
  return { x: featureMatrix({ a, b, c, d }), y };
}

/** Row `i` of the matrix as a one-row matrix. */
function rowOf(x: FeatureMatrix, i: number): number[] {
  return x.columns.map((column) => column[i]);
}

/**
 * Exact Shapley values by enumerating feature subsets: the value of a subset S is the expected
 * tree output when the features of S follow the row and the others split the way the
 * background rows do (the path-dependent definition TreeSHAP computes).
 */
function bruteForce(forest: Forest, row: number[], background: FeatureMatrix): number[] {
  const goesLeft = (node: number, v: number) =>
    v <= forest.threshold[node] || (Number.isNaN(v) && forest.missingLeft[node] === 1);
  const cover = new Float64Array(forest.nNodes);
  for (let t = 0; t < forest.nTrees; t++) {
    for (let r = 0; r < background.nRows; r++) {
      let node = forest.roots[t];
      cover[node]++;
      while (forest.left[node] >= 0) {
        const v = background.columns[forest.feature[node]][r];
        node = goesLeft(node, v) ? forest.left[node] : forest.left[node] + 1;
        cover[node]++;
      }
    }
  }
  const expectation = (node: number, inS: boolean[]): number => {
    const left = forest.left[node];
    if (left < 0) return forest.value[~left];
    const f = forest.feature[node];
    if (inS[f]) return expectation(goesLeft(node, row[f]) ? left : left + 1, inS);
    const shareLeft = cover[node] > 0 ? cover[left] / cover[node] : 0.5;
    return shareLeft * expectation(left, inS) + (1 - shareLeft) * expectation(left + 1, inS);
  };
  const m = row.length;
  const value = (mask: number) => {
    const inS = Array.from({ length: m }, (_, f) => (mask & (1 << f)) !== 0);
    let total = 0;
    for (let t = 0; t < forest.nTrees; t++) total += expectation(forest.roots[t], inS);
    return total;
  };
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const phi = new Array(m).fill(0);
  for (let j = 0; j < m; j++) {
    for (let mask = 0; mask < 1 << m; mask++) {
      if (mask & (1 << j)) continue;
      let size = 0;
      for (let f = 0; f < m; f++) if (mask & (1 << f)) size++;
      const weight = (factorial(size) * factorial(m - size - 1)) / factorial(m);
      phi[j] += weight * (value(mask | (1 << j)) - value(mask));
    }
  }
  return phi;
}

Deno.test("TreeSHAP equals exact Shapley values enumerated over feature subsets", () => {
  const { x, y } = data(1500, 1);
  const background = data(300, 2).x;
  const explained = data(12, 3).x;
  const model = fitGbdtRegressor(x, y, { maxIter: 15, maxLeafNodes: 12, minSamplesLeaf: 5 });
  const shap = shapValues(model, explained, background);
  assert.deepEqual(shap.features, ["a", "b", "c", "d"]);
  for (let i = 0; i < explained.nRows; i++) {
    const exact = bruteForce(model.forest, rowOf(explained, i), background);
    exact.forEach((v, f) => {
      assert.ok(Math.abs(shap.values[f][i] - v) < 1e-9 * Math.max(1, Math.abs(v)), `${i} ${f}`);
    });
  }
});

Deno.test("local accuracy: expected value plus contributions is the prediction", () => {
  const { x, y } = data(3000, 4);
  const explained = data(50, 5).x;
  const background = data(500, 6).x;
  const gbdt = fitGbdtRegressor(x, y, { maxIter: 100, maxLeafNodes: 31 });
  const forest = fitRandomForestRegressor(x, y, { nEstimators: 10, minSamplesLeaf: 3 });
  const quantile = fitGbdtRegressor(x, y, { maxIter: 30, loss: "quantile", quantile: 0.9 });
  for (const model of [gbdt, forest, quantile]) {
    const shap = shapValues(model, explained, background);
    const predicted = model.predict(explained);
    for (let i = 0; i < explained.nRows; i++) {
      const total = shap.expectedValue + shap.values.reduce((s, v) => s + v[i], 0);
      assert.ok(Math.abs(total - predicted[i]) < 1e-8, `${model.kind} row ${i}`);
    }
    // The expected value is the mean prediction over the background rows.
    const mean = model.predict(background).reduce((s, v) => s + v, 0) / background.nRows;
    assert.ok(Math.abs(shap.expectedValue - mean) < 1e-8, `${shap.expectedValue} vs ${mean}`);
  }
});

Deno.test("an unused feature gets exactly zero; forest classifiers are refused", () => {
  const rng = mulberry32(8);
  const n = 800;
  const a = Float64Array.from({ length: n }, () => rng());
  const unused = Float64Array.from({ length: n }, () => rng());
  const x = featureMatrix({ a, unused });
  const model = fitGbdtRegressor(featureMatrix({ a, unused }), a.map((v) => v * v), {
    maxIter: 20,
    maxFeatures: 0.5,
    seed: 1,
  });
  const usedFeatures = new Set(Array.from(model.forest.feature).filter((f) => f >= 0));
  const shap = shapValues(model, x, x);
  for (let f = 0; f < 2; f++) {
    if (!usedFeatures.has(f)) assert.ok(shap.values[f].every((v) => v === 0));
  }
  const forestClassifier = fitRandomForestClassifier(x, Array.from(a, (v) => (v > 0.5 ? 1 : 0)), {
    nEstimators: 2,
  });
  assert.throws(
    () => shapValues(forestClassifier as unknown as Parameters<typeof shapValues>[0], x, x),
    /not supported/,
  );
  assert.throws(() => shapValues(model, x, featureMatrix({ a: [], unused: [] })), MlInputError);
});

Deno.test("classifiers are explained in log-odds (binary) or per class logit", () => {
  const { x, y } = data(2000, 9);
  const explained = data(30, 10).x;
  const background = data(400, 11).x;
  const binary = fitGbdtClassifier(x, Array.from(y, (v) => (v > 1 ? "high" : "low")), {
    maxIter: 40,
  });
  const shap = shapValues(binary, explained, background);
  const [pFirst, pSecond] = binary.predictProba(explained); // classes sorted: high, low
  for (let i = 0; i < explained.nRows; i++) {
    const logit = shap.expectedValue + shap.values.reduce((s, v) => s + v[i], 0);
    // The binary model's raw score is the log-odds of the second class.
    assert.ok(Math.abs(logit - Math.log(pSecond[i] / pFirst[i])) < 1e-8);
  }
  const labels = Array.from(y, (v) => (v > 2 ? "c" : v > 0 ? "b" : "a"));
  const multi = fitGbdtClassifier(x, labels, { maxIter: 20 });
  assert.throws(() => shapValues(multi, explained, background), /name the class/);
  const proba = multi.predictProba(explained);
  const [sa, sc] = ["a", "c"].map((c) =>
    shapValues(multi, explained, background, { classLabel: c })
  );
  for (let i = 0; i < explained.nRows; i++) {
    const raw = (s: typeof sa) => s.expectedValue + s.values.reduce((t, v) => t + v[i], 0);
    // Softmax: differences of class logits are log-ratios of probabilities.
    assert.ok(Math.abs(raw(sc) - raw(sa) - Math.log(proba[2][i] / proba[0][i])) < 1e-8);
  }
});
