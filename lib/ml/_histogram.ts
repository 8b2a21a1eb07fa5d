/**
 * Gradient histogram of one feature over a node's rows: the inner loop of tree growing, shared
 * by the grower and its histogram workers (so both compute bit-identical sums).
 *
 * @module
 */

/** Nodes of at least this many rows accumulate in four lanes (see below). */
const LANES_MIN_ROWS = 4096;

/** Buffers of one histogram: per (feature, bin) gradient sums, hessian sums, row counts. */
export interface HistogramArrays {
  g: Float64Array;
  /** Null when hessians are the constant 1 (the count is the hessian). */
  h: Float64Array | null;
  c: Uint32Array;
}

/** Scratch space of {@link featureHistogram} (four lanes of `bins` cells). */
export interface Lanes {
  g: Float64Array;
  h: Float64Array;
  c: Uint32Array;
}

/** Scratch lanes for histograms of `bins` cells. */
export function makeLanes(bins: number, withHessians: boolean): Lanes {
  return {
    g: new Float64Array(4 * bins),
    h: new Float64Array(withHessians ? 4 * bins : 0),
    c: new Uint32Array(4 * bins),
  };
}

/**
 * Writes the histogram of `column` over the node rows `part[start .. start + m)` at cells
 * `base .. base + bins` of `out`; `og` / `oh` hold the node's gradients / hessians in row order
 * (`oh` unused when `out.h` is null). For nodes that search a sample of the features; over all
 * features, {@link nodeHistograms} is faster.
 *
 * Large nodes accumulate in four interleaved copies: rows sorted by time have long runs of the
 * same bin (month, day), and adding into one cell repeatedly stalls on the previous addition;
 * four independent cells do not. The loops are written out per case (with or without
 * hessians) because a test inside this loop costs more than the loop's own work.
 */
export function featureHistogram(
  column: Uint8Array,
  part: Int32Array,
  start: number,
  m: number,
  og: Float64Array,
  oh: Float64Array,
  out: HistogramArrays,
  base: number,
  bins: number,
  lanes: Lanes,
): void {
  const { g: hg, h: hh, c: hc } = out;
  if (m < LANES_MIN_ROWS) {
    hg.fill(0, base, base + bins);
    hc.fill(0, base, base + bins);
    if (hh) {
      hh.fill(0, base, base + bins);
      for (let k = 0; k < m; k++) {
        const b = base + column[part[start + k]];
        hg[b] += og[k];
        hh[b] += oh[k];
        hc[b]++;
      }
    } else {
      for (let k = 0; k < m; k++) {
        const b = base + column[part[start + k]];
        hg[b] += og[k];
        hc[b]++;
      }
    }
    return;
  }
  const { g: lg, h: lh, c: lc } = lanes;
  lg.fill(0);
  lc.fill(0);
  const b1 = bins, b2 = 2 * bins, b3 = 3 * bins;
  let k = 0;
  if (hh) {
    lh.fill(0);
    for (; k + 3 < m; k += 4) {
      const k0 = column[part[start + k]];
      const k1 = b1 + column[part[start + k + 1]];
      const k2 = b2 + column[part[start + k + 2]];
      const k3 = b3 + column[part[start + k + 3]];
      lg[k0] += og[k];
      lg[k1] += og[k + 1];
      lg[k2] += og[k + 2];
      lg[k3] += og[k + 3];
      lh[k0] += oh[k];
      lh[k1] += oh[k + 1];
      lh[k2] += oh[k + 2];
      lh[k3] += oh[k + 3];
      lc[k0]++;
      lc[k1]++;
      lc[k2]++;
      lc[k3]++;
    }
    for (; k < m; k++) {
      const b = column[part[start + k]];
      lg[b] += og[k];
      lh[b] += oh[k];
      lc[b]++;
    }
  } else {
    for (; k + 3 < m; k += 4) {
      const k0 = column[part[start + k]];
      const k1 = b1 + column[part[start + k + 1]];
      const k2 = b2 + column[part[start + k + 2]];
      const k3 = b3 + column[part[start + k + 3]];
      lg[k0] += og[k];
      lg[k1] += og[k + 1];
      lg[k2] += og[k + 2];
      lg[k3] += og[k + 3];
      lc[k0]++;
      lc[k1]++;
      lc[k2]++;
      lc[k3]++;
    }
    for (; k < m; k++) {
      const b = column[part[start + k]];
      lg[b] += og[k];
      lc[b]++;
    }
  }
  for (let b = 0; b < bins; b++) {
    hg[base + b] = lg[b] + lg[b1 + b] + lg[b2 + b] + lg[b3 + b];
    hc[base + b] = lc[b] + lc[b1 + b] + lc[b2 + b] + lc[b3 + b];
  }
  if (hh) {
    for (let b = 0; b < bins; b++) hh[base + b] = lh[b] + lh[b1 + b] + lh[b2 + b] + lh[b3 + b];
  }
}

/**
 * Row-major copy of binned columns (`nFeatures` bins per row), for {@link nodeHistograms}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rowMajorBins } from "./_histogram.ts";
 * const rows = rowMajorBins([Uint8Array.of(1, 2), Uint8Array.of(3, 4)]);
 * assert.deepEqual([...rows], [1, 3, 2, 4]);
 * ```
 */
export function rowMajorBins(columns: readonly Uint8Array[], into?: Uint8Array): Uint8Array {
  const nf = columns.length;
  const n = nf > 0 ? columns[0].length : 0;
  const out = into ?? new Uint8Array(n * nf);
  for (let f = 0; f < nf; f++) {
    const column = columns[f];
    for (let i = 0, at = f; i < n; i++, at += nf) out[at] = column[i];
  }
  return out;
}

/**
 * Writes the histograms of the features `first, first + stride, ...` over the node rows
 * `part[start .. start + m)` into `out` (cells `f * bins ...` of feature f), from the row-major
 * bins `rows` (`nFeatures` per row); `og` / `oh` hold the node's gradients / hessians in row
 * order (`oh` unused when `out.h` is null).
 *
 * Row by row, every feature at once: a row's gradient is read once for all its features, its
 * bins are contiguous, and two additions into the same cell are `nFeatures / stride` additions
 * apart, so that runs of equal bins (time-sorted rows) do not wait on each other. About 1.8
 * times as fast as feature by feature (`featureHistogram`) on 82k rows x 27 features. Each cell
 * sums its rows in row order, whatever `first` and `stride`: histogram threads sharing the
 * features give bit-identical sums.
 */
export function nodeHistograms(
  rows: Uint8Array,
  nFeatures: number,
  first: number,
  stride: number,
  part: Int32Array,
  start: number,
  m: number,
  og: Float64Array,
  oh: Float64Array,
  out: HistogramArrays,
  bins: number,
): void {
  const { g: hg, h: hh, c: hc } = out;
  for (let f = first; f < nFeatures; f += stride) {
    hg.fill(0, f * bins, (f + 1) * bins);
    hc.fill(0, f * bins, (f + 1) * bins);
    if (hh) hh.fill(0, f * bins, (f + 1) * bins);
  }
  const step = stride * bins;
  const firstOffset = first * bins;
  if (hh) {
    for (let k = 0; k < m; k++) {
      const base = part[start + k] * nFeatures;
      const g = og[k];
      const h = oh[k];
      for (let f = first, offset = firstOffset; f < nFeatures; f += stride, offset += step) {
        const b = offset + rows[base + f];
        hg[b] += g;
        hh[b] += h;
        hc[b]++;
      }
    }
    return;
  }
  for (let k = 0; k < m; k++) {
    const base = part[start + k] * nFeatures;
    const g = og[k];
    for (let f = first, offset = firstOffset; f < nFeatures; f += stride, offset += step) {
      const b = offset + rows[base + f];
      hg[b] += g;
      hc[b]++;
    }
  }
}

/** Slots of the shared control array. */
export const CTRL = {
  ready: 0,
  /** Command sequence number; -1 asks the worker to stop. */
  command: 1,
  done: 2,
  slot: 3,
  start: 4,
  rows: 5,
  /** The worker builds features `first, first + stride, ...` (interleaved shares). */
  featureFirst: 6,
  featureStride: 7,
  size: 8,
} as const;

/** What the worker receives once. */
export interface HistogramWorkerInit {
  ctrl: Int32Array;
  /** Row-major bins (see {@link rowMajorBins}), `nFeatures` per row. */
  rows: Uint8Array;
  nFeatures: number;
  bins: number;
  partition: Int32Array;
  og: Float64Array;
  oh: Float64Array;
  pool: HistogramArrays[];
}
