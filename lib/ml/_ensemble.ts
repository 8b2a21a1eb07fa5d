/**
 * Pieces shared by the tree ensembles (gradient boosting, random forests): parameter checks,
 * binning of the training rows, class labels, importances and the JSON of forests.
 *
 * @module
 */

import { type BinEdges, binFeatures, type BinnedData, fitBinEdges, MAX_BINS } from "./_binning.ts";
import type { FeatureMatrix } from "./dataset.ts";
import { MlInputError, ModelFormatError } from "./errors.ts";
import { type Forest, forestFromJSON } from "./_forest.ts";
import { encodeLabels, type Label } from "./metrics.ts";
import { checkModelJson, type ModelJson, type ModelKind } from "./model.ts";
import { mulberry32 } from "./_rng.ts";
import { checkInteger } from "./_validate.ts";
import { decodeArray } from "./_codec.ts";

/** Importance of one feature: its share of the total split gain of the ensemble. */
export interface FeatureImportance {
  /** Feature name. */
  feature: string;
  /** Share of the total gain, in [0, 1]. */
  importance: number;
}

/** Checks `maxBins` and bins all rows of `x` with edges fitted on `trainRows` (null: all). */
export function binTrainingData(
  x: FeatureMatrix,
  trainRows: Int32Array | null,
  maxBins: number,
  seed: number,
): { edges: BinEdges; binned: BinnedData } {
  checkInteger(maxBins, "maxBins", 2, MAX_BINS);
  const edges = fitBinEdges(x, trainRows, maxBins, mulberry32(seed));
  return { edges, binned: binFeatures(edges, x) };
}

/** Number of features drawn per split from a fraction in (0, 1]. */
export function featuresPerSplit(fraction: number, nFeatures: number): number {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new MlInputError(`maxFeatures must be a fraction in (0, 1], got ${fraction}`);
  }
  return Math.max(1, Math.round(fraction * nFeatures));
}

/** Sorted classes and per-row codes; at least two classes are required. */
export function classCodes(labels: ArrayLike<Label>, nRows: number, what: string): {
  classes: Label[];
  codes: Int32Array;
} {
  if (labels.length !== nRows) {
    throw new MlInputError(`${what}: ${labels.length} labels for ${nRows} feature rows`);
  }
  const { labels: classes, codes } = encodeLabels(labels, `${what}: labels`);
  if (classes.length < 2) {
    throw new MlInputError(`${what}: at least two classes are needed, found ${classes.length}`);
  }
  return { classes, codes };
}

/** Gains normalised to sum 1 (all zero when no split was made), sorted decreasingly. */
export function importanceList(
  names: readonly string[],
  gains: Float64Array,
): FeatureImportance[] {
  const total = gains.reduce((a, b) => a + b, 0);
  return names
    .map((feature, j) => ({ feature, importance: total > 0 ? gains[j] / total : 0 }))
    .sort((a, b) => b.importance - a.importance);
}

/** Column per class of a row-major `n x k` probability matrix. */
export function probabilityColumns(rowMajor: Float64Array, n: number, k: number): Float64Array[] {
  return Array.from({ length: k }, (_, c) => {
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) column[i] = rowMajor[i * k + c];
    return column;
  });
}

/** Most probable class per row (first class on ties). */
export function argmaxLabels(columns: Float64Array[], classes: readonly Label[]): Label[] {
  const n = columns[0].length;
  const out = new Array<Label>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < columns.length; c++) if (columns[c][i] > columns[best][i]) best = c;
    out[i] = classes[best];
  }
  return out;
}

/** Parsed common fields of a serialised tree ensemble. */
export function readEnsembleJson(
  json: unknown,
  kind: ModelKind,
  source: string,
): { j: ModelJson; forest: Forest; importance: Float64Array; classes: Label[] | null } {
  const j = checkModelJson(json, kind, source);
  const nFeatures = j.featureNames.length;
  const forest = forestFromJSON(j.forest, nFeatures, source, j.formatVersion);
  const importance = decodeArray(j.importance, "f64", `${source}: importance`);
  if (importance.length !== nFeatures) {
    throw new ModelFormatError(`${source}: importance does not match the feature names`);
  }
  let classes: Label[] | null = null;
  if (j.classes !== undefined) {
    const c = j.classes;
    if (!Array.isArray(c) || c.some((v) => typeof v !== "string" && typeof v !== "number")) {
      throw new ModelFormatError(`${source}: classes must be strings or numbers`);
    }
    classes = c as Label[];
  }
  return { j, forest, importance, classes };
}
