/**
 * Feature binning for the histogram tree learners: each feature is cut into at most `maxBins`
 * (<= 255) quantile bins and stored as a Uint8Array column; NaN goes to a reserved bin
 * `maxBins`. As in scikit-learn, a feature with at most `maxBins` distinct values gets one bin
 * per value (edges at midpoints), otherwise edges at evenly spaced quantiles of a sample.
 *
 * Bin `b` holds the values `x` with `edges[b - 1] < x <= edges[b]`, so a split "bin <= b goes
 * left" is the raw-value test `x <= edges[b]`: trees trained on bins predict on raw values.
 *
 * @module
 */

import type { FeatureMatrix } from "./dataset.ts";
import { type Rng, sampleWithoutReplacement } from "./_rng.ts";

/** Largest number of value bins (the missing bin is one more). */
export const MAX_BINS = 255;

/** Rows sampled to find quantile edges (scikit-learn uses 200,000 too). */
const BINNING_SAMPLE = 200_000;

/** Bin edges of every feature. */
export interface BinEdges {
  /** Number of value bins (the missing bin index); the same for every feature. */
  readonly maxBins: number;
  /** Per feature, ascending edges; the feature has `edges.length + 1` value bins. */
  readonly edges: readonly Float64Array[];
}

/** A binned feature matrix. */
export interface BinnedData {
  readonly nRows: number;
  /** One Uint8Array per feature; value `maxBins` marks a missing value. */
  readonly columns: readonly Uint8Array[];
  /** Number of value (non-missing) bins per feature. */
  readonly nBins: Int32Array;
  /** Index of the missing-value bin. */
  readonly missingBin: number;
  /** Per feature, 1 when some row of the data is missing. */
  readonly hasMissing: Uint8Array;
}

/**
 * Finds bin edges from the rows `rows` of `x` (all rows when null), sampling at most
 * {@link BINNING_SAMPLE} of them.
 */
export function fitBinEdges(
  x: FeatureMatrix,
  rows: Int32Array | null,
  maxBins: number,
  rng: Rng,
): BinEdges {
  const nRows = rows ? rows.length : x.nRows;
  let sample: Int32Array | null = rows;
  if (nRows > BINNING_SAMPLE) {
    const picked = sampleWithoutReplacement(rng, nRows, BINNING_SAMPLE);
    sample = rows ? picked.map((k) => rows[k]) : picked;
  }
  const edges = x.columns.map((column) => columnEdges(column, sample, maxBins));
  return { maxBins, edges };
}

function columnEdges(column: Float64Array, rows: Int32Array | null, maxBins: number): Float64Array {
  const n = rows ? rows.length : column.length;
  const values = new Float64Array(n);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const v = column[rows ? rows[k] : k];
    // Clamp infinities so that midpoints stay finite; they still bin to the first/last bin.
    if (v === v) values[m++] = Math.min(Math.max(v, -Number.MAX_VALUE), Number.MAX_VALUE);
  }
  const sorted = values.subarray(0, m).sort();
  let distinct = 0;
  for (let k = 0; k < m; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) distinct++;
  if (distinct <= maxBins) {
    const out = new Float64Array(Math.max(distinct - 1, 0));
    let e = 0;
    for (let k = 1; k < m; k++) {
      if (sorted[k] !== sorted[k - 1]) out[e++] = midpoint(sorted[k - 1], sorted[k]);
    }
    return out;
  }
  // Quantiles of the sorted sample (with repeats), "midpoint" method like numpy.
  const out: number[] = [];
  for (let q = 1; q < maxBins; q++) {
    const position = (q / maxBins) * (m - 1);
    const edge = midpoint(sorted[Math.floor(position)], sorted[Math.ceil(position)]);
    if (out.length === 0 || edge > out[out.length - 1]) out.push(edge);
  }
  return Float64Array.from(out);
}

/** Midpoint that cannot overflow, even between -MAX_VALUE and MAX_VALUE. */
function midpoint(a: number, b: number): number {
  return a / 2 + b / 2;
}

/** Bins every column of `x` with the edges (binary search per value). */
export function binFeatures(edges: BinEdges, x: FeatureMatrix): BinnedData {
  const missingBin = edges.maxBins;
  const nBins = Int32Array.from(edges.edges, (e) => e.length + 1);
  const hasMissing = new Uint8Array(x.columns.length);
  const columns = x.columns.map((column, j) => {
    const e = edges.edges[j];
    const out = new Uint8Array(column.length);
    for (let i = 0; i < column.length; i++) {
      const v = column[i];
      if (v !== v) {
        out[i] = missingBin;
        hasMissing[j] = 1;
        continue;
      }
      // First edge >= v (number of edges strictly below v).
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (v <= e[mid]) hi = mid;
        else lo = mid + 1;
      }
      out[i] = lo;
    }
    return out;
  });
  return { nRows: x.nRows, columns, nBins, missingBin, hasMissing };
}
