import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeArray, type EncodedArray } from "./_codec.ts";
import type { Forest, ForestJson } from "./_forest.ts";
import { featureMatrix } from "./dataset.ts";
import { ModelFormatError } from "./errors.ts";
import { fitGbdtClassifier, fitGbdtRegressor } from "./gbdt.ts";
import type { Classifier, Model, ModelJson, Regressor } from "./model.ts";
import { loadModel, modelFromJSON, saveModel } from "./model_io.ts";
import { fitRandomForestClassifier, fitRandomForestRegressor } from "./random_forest.ts";
import { mulberry32 } from "./_rng.ts";

const rng = mulberry32(23);
const n = 600;
const a = Float64Array.from({ length: n }, () => rng() * 10);
const b = Float64Array.from({ length: n }, () => (rng() < 0.1 ? NaN : rng()));
const x = featureMatrix({ a, b });
const y = a.map((v, i) => Math.sin(v) + (Number.isNaN(b[i]) ? 1 : b[i]));
const labels = Array.from(y, (v) => (v > 1 ? "high" : v > 0 ? "mid" : "low"));
// 300 features: split features no longer fit a byte.
const wide = featureMatrix(
  Object.fromEntries(
    Array.from({ length: 300 }, (_, f) => [`f${f}`, Array.from({ length: 200 }, () => rng())]),
  ),
);
const wideY = Array.from({ length: 200 }, (_, i) => wide.columns[299][i] * 10 + wide.columns[7][i]);

type TreeModel = Model & { forest: Forest };
const models: [string, TreeModel, typeof x][] = [
  ["forest regressor", fitRandomForestRegressor(x, y, { nEstimators: 9 }), x],
  ["forest classifier", fitRandomForestClassifier(x, labels, { nEstimators: 8 }), x],
  ["gbdt regressor", fitGbdtRegressor(x, y, { maxIter: 12, maxLeafNodes: 15 }), x],
  ["gbdt classifier", fitGbdtClassifier(x, labels, { maxIter: 4 }), x],
  [
    "wide forest",
    fitRandomForestRegressor(wide, wideY, { nEstimators: 8, maxFeatures: 0.3 }),
    wide,
  ],
];

/** The bytes of a typed array, so that equal means bit for bit (NaN and -0 included). */
function bits(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Every prediction of `model` on `input`, as bytes. */
function outputs(model: Model, input: typeof x): Uint8Array[] {
  if ("predictProba" in model) {
    return (model as Classifier).predictProba(input).map((column) => bits(column));
  }
  return [bits((model as Regressor).predict(input))];
}

/**
 * The forest as model format version 1 wrote it (nodes in their order, an i32 `left`): the
 * writer this module had before version 2, to check that such documents still load.
 */
function forestJsonV1(forest: Forest) {
  const internal = forest.left.filter((child) => child >= 0).length;
  const splitFeature = new Int32Array(internal);
  const splitBin = new Uint8Array(internal);
  const splitMissingLeft = new Uint8Array(internal);
  const leafValue = new Float64Array((forest.nNodes - internal) * forest.width);
  let s = 0;
  let l = 0;
  for (let i = 0; i < forest.nNodes; i++) {
    if (forest.left[i] >= 0) {
      splitFeature[s] = forest.feature[i];
      splitBin[s] = forest.bin[i];
      splitMissingLeft[s++] = forest.missingLeft[i];
    } else {
      const leaf = ~forest.left[i];
      for (let k = 0; k < forest.width; k++) leafValue[l++] = forest.value[leaf * forest.width + k];
    }
  }
  return {
    width: forest.width,
    treesPerRound: forest.treesPerRound,
    maxBins: forest.edges.maxBins,
    edges: forest.edges.edges.map((e) => encodeArray(e)),
    roots: encodeArray(forest.roots),
    left: encodeArray(forest.left.map((child) => Math.max(child, -1))),
    splitFeature: encodeArray(splitFeature),
    splitBin: encodeArray(splitBin),
    splitMissingLeft: encodeArray(splitMissingLeft),
    leafValue: encodeArray(leafValue),
  };
}

function jsonV1(model: TreeModel): ModelJson & { forest: ReturnType<typeof forestJsonV1> } {
  return { ...model.toJSON(), formatVersion: 1, forest: forestJsonV1(model.forest) };
}

Deno.test("a reloaded forest predicts bit for bit what the trained one did", () => {
  for (const [name, model, input] of models) {
    const json = JSON.parse(JSON.stringify(model));
    assert.equal(json.formatVersion, 2, name);
    const forest = json.forest as ForestJson;
    assert.equal("left" in forest, false, name);
    assert.equal(forest.leaf.dtype, "u1", name);
    assert.equal(forest.leaf.length, model.forest.nNodes, name);
    assert.equal(forest.splitFeature.dtype, input === wide ? "i32" : "u8", name);
    const back = modelFromJSON(json, name) as TreeModel;
    assert.deepEqual(outputs(back, input), outputs(model, input), name);
    // Missing values and values on the edges take the same paths.
    const edgy = featureMatrix(
      Object.fromEntries(input.names.map((feature, f) => {
        const e = model.forest.edges.edges[f];
        return [
          feature,
          Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? NaN : e[i % e.length])),
        ];
      })),
    );
    assert.deepEqual(outputs(back, edgy), outputs(model, edgy), name);
    // Saving the reloaded model writes the same document.
    assert.equal(JSON.stringify(back), JSON.stringify(json), name);
  }
});

Deno.test("version-1 documents still load, predict the same and are rewritten as version 2", async () => {
  // Written by the version-1 code (a regressor and a classifier of 2 features).
  const fixture = JSON.parse(
    await Deno.readTextFile(new URL("./testdata/forest_v1.json", import.meta.url)),
  ) as Record<string, ModelJson>;
  for (const [name, json] of Object.entries(fixture)) {
    assert.equal(json.formatVersion, 1);
    const old = modelFromJSON(json, name) as TreeModel;
    // forestJsonV1 is that writer: the fixture comes back byte for byte.
    assert.deepEqual(forestJsonV1(old.forest), json.forest, name);
    const renewed = modelFromJSON(JSON.parse(JSON.stringify(old)), name) as TreeModel;
    assert.deepEqual(outputs(renewed, x), outputs(old, x), name);
  }
  for (const [name, model, input] of models) {
    const old = modelFromJSON(JSON.parse(JSON.stringify(jsonV1(model))), name) as TreeModel;
    assert.deepEqual(outputs(old, input), outputs(model, input), name);
    assert.equal(JSON.stringify(old), JSON.stringify(model), name);
  }
});

Deno.test("a corrupt forest is a ModelFormatError naming its source", async () => {
  const [, model] = models[0];
  const json = model.toJSON();
  const forest = json.forest as ForestJson;
  const withForest = (change: Partial<Record<keyof ForestJson, unknown>>) => ({
    ...json,
    forest: { ...forest, ...change },
  });
  const payload = (field: keyof ForestJson, change: Partial<EncodedArray>) =>
    withForest({ [field]: { ...(forest[field] as EncodedArray), ...change } });
  const leafData = forest.leafValue.data;
  const flipped = Uint8Array.fromBase64(forest.leaf.data);
  flipped[3] ^= 0b100;
  const bad: [string, unknown, RegExp][] = [
    ["wrong length", payload("leafValue", { length: forest.leafValue.length + 1 }), /leafValue: /],
    ["truncated", payload("leafValue", { data: leafData.slice(0, -8) }), /truncated or corrupt/],
    ["bad base64", payload("leafValue", { data: "!" + leafData.slice(1) }), /invalid base64/],
    ["bad padding", payload("roots", { length: 1, data: "AAAAAB==" }), /roots: invalid base64/],
    ["wrong dtype", payload("splitBin", { dtype: "i32" }), /splitBin: expected an encoded u8/],
    ["unknown dtype", payload("leaf", { dtype: "f32" as "u8" }), /leaf: expected an encoded u1/],
    ["flipped leaf flag", payload("leaf", { data: flipped.toBase64() }), /trees: /],
    ["bits past the end", payload("splitMissingLeft", { length: 1, data: "Dw==" }), /past the 1/],
    ["missing payload", withForest({ splitFeature: undefined }), /splitFeature/],
    [
      "roots",
      payload("roots", { data: encodeArray(Int32Array.from([1])).data, length: 1 }),
      /node/,
    ],
  ];
  for (const [what, broken, message] of bad) {
    assert.throws(() => modelFromJSON(broken, "m.json"), (e: Error) => {
      assert.ok(e instanceof ModelFormatError, `${what}: ${e}`);
      assert.match(e.message, /^m\.json: /, what);
      assert.match(e.message, message, what);
      return true;
    });
  }
  // Version 1: a child before its parent, or shared by two parents, could loop or alias.
  const v1 = jsonV1(model);
  const left = model.forest.left.map((child) => Math.max(child, -1));
  const splits = [...left.keys()].filter((i) => i < model.forest.roots[1] && left[i] >= 0);
  const cycle = Int32Array.from(left);
  cycle[splits[1]] = 0;
  // Two internal nodes of tree 0 made to share children: the second one must come before them.
  const parent = splits.find((p) => splits.some((o) => o !== p && o < left[p]))!;
  const shared = Int32Array.from(left);
  shared[splits.find((o) => o !== parent && o < left[parent])!] = left[parent];
  for (
    const [what, changed, message] of [
      ["cycle", cycle, /child 0 outside tree 0/],
      ["shared", shared, /two parents/],
    ] as const
  ) {
    const broken = { ...v1, forest: { ...v1.forest, left: encodeArray(changed) } };
    assert.throws(() => modelFromJSON(broken, "old.json"), (e: Error) => {
      assert.ok(e instanceof ModelFormatError, what);
      assert.match(e.message, /^old\.json: trees: /, what);
      assert.match(e.message, message, what);
      return true;
    });
  }
  // From a file, the error names the file.
  const dir = await Deno.makeTempDir({ prefix: "ml_forest_" });
  try {
    const path = join(dir, "model.json");
    await saveModel(path, model);
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.replace(leafData, leafData.slice(0, -4)));
    await assert.rejects(loadModel(path), (e: Error) => {
      assert.ok(e instanceof ModelFormatError);
      assert.ok(e.message.startsWith(`${path}: leafValue: `), e.message);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
