/**
 * Boosting losses: the baseline prediction, per-row gradients and hessians of the loss with
 * respect to the raw prediction, and the mean loss (for early stopping). Raw predictions are
 * row-major with `outputs` values per row.
 *
 * With sample weights `w`, every row's loss is multiplied by its weight: gradients and
 * hessians are scaled by it, the baseline and the mean loss are weighted averages.
 *
 * @module
 */

/** A differentiable loss over a fixed target. */
export interface Loss {
  /** Raw outputs per row (and trees per boosting round). */
  readonly outputs: number;
  /** True when the hessian is the constant 1 (unweighted squared error). */
  readonly constantHessian: boolean;
  /** Best constant raw prediction over `rows`. */
  baseline(rows: Int32Array): Float64Array;
  /** Fills gradients (and hessians) of output k into `g[k]`/`h[k]` for the rows `rows`. */
  gradients(raw: Float64Array, rows: Int32Array, g: Float64Array[], h: Float64Array[] | null): void;
  /** Weighted mean loss over all rows of the target. */
  value(raw: Float64Array): number;
  /**
   * For losses whose gradients only give the direction (absolute error, quantile): the best
   * constant to add to `raw` over the rows `rows[start..end)`, which replaces the Newton leaf
   * value (as scikit-learn does). Absent for the others.
   */
  leafValue?(raw: Float64Array, rows: Int32Array, start: number, end: number): number;
}

/** Sum of the weights of `rows` (their count without weights). */
function weightOf(rows: Int32Array, w: Float64Array | null): number {
  if (!w) return rows.length;
  let sum = 0;
  for (let k = 0; k < rows.length; k++) sum += w[rows[k]];
  return sum;
}

/** Weighted mean of per-row losses `loss(i)` over all rows. */
function meanLoss(n: number, w: Float64Array | null, loss: (i: number) => number): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    sum += wi * loss(i);
    total += wi;
  }
  return sum / total;
}

/** Half squared error `(raw - y)² / 2`: gradient `raw - y`, hessian 1 (times the weight). */
export function squaredError(y: Float64Array, w: Float64Array | null = null): Loss {
  return {
    outputs: 1,
    constantHessian: w === null,
    baseline(rows) {
      let sum = 0;
      for (let k = 0; k < rows.length; k++) sum += (w ? w[rows[k]] : 1) * y[rows[k]];
      return Float64Array.of(sum / weightOf(rows, w));
    },
    gradients(raw, rows, g, h) {
      const g0 = g[0];
      if (w) {
        const h0 = h![0];
        for (let k = 0; k < rows.length; k++) {
          const i = rows[k];
          g0[i] = w[i] * (raw[i] - y[i]);
          h0[i] = w[i];
        }
      } else {
        for (let k = 0; k < rows.length; k++) {
          const i = rows[k];
          g0[i] = raw[i] - y[i];
        }
      }
    },
    value(raw) {
      return meanLoss(y.length, w, (i) => (raw[i] - y[i]) ** 2 / 2);
    },
  };
}

/**
 * The `q`-quantile of `values[0..n)` (sorted in place): linear interpolation without weights
 * (numpy's default), the first value whose cumulative weight reaches `q` of the total with
 * weights (`order` is a scratch buffer).
 */
function quantileOf(
  values: Float64Array,
  n: number,
  q: number,
  weights: Float64Array | null,
  order: Int32Array,
): number {
  if (!weights) {
    const position = q * (n - 1);
    const low = Math.floor(position);
    const a = selectInPlace(values, n, low);
    if (low + 1 >= n || position === low) return a;
    // After selection, the next order statistic is the smallest value above position `low`.
    let b = Infinity;
    for (let i = low + 1; i < n; i++) if (values[i] < b) b = values[i];
    return a + (b - a) * (position - low);
  }
  const idx = order.subarray(0, n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  let cumulative = 0;
  for (let i = 0; i < n; i++) {
    cumulative += weights[idx[i]];
    if (cumulative >= q * total) return values[idx[i]];
  }
  return values[idx[n - 1]];
}

/**
 * Hoare's quickselect: reorders `values[0..n)` so that position `k` holds the k-th smallest
 * value, smaller ones before it and larger ones after; returns it. Linear on average, where a
 * sort per leaf and per tree would dominate the boosting time.
 */
function selectInPlace(values: Float64Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (right > left) {
    // Median of three as pivot: sorted or constant runs stay linear.
    const middle = (left + right) >>> 1;
    const a = values[left], b = values[middle], c = values[right];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k];
}

/**
 * Pinball loss of the `q`-quantile (`q` = 0.5: half the absolute error): gradient `1 - q` above
 * the target and `-q` below, unit hessian; leaf values are re-estimated as the `q`-quantile of
 * the residuals of their rows, and the baseline is the `q`-quantile of the target.
 */
export function pinballLoss(y: Float64Array, q: number, w: Float64Array | null = null): Loss {
  const values = new Float64Array(y.length);
  const weights = w ? new Float64Array(y.length) : null;
  const order = new Int32Array(w ? y.length : 0);
  /** Quantile of `y - offset` over the rows `rows[start..end)` (offset null: 0). */
  const quantileOver = (
    rows: Int32Array,
    start: number,
    end: number,
    offset: Float64Array | null,
  ) => {
    const n = end - start;
    for (let k = 0; k < n; k++) {
      const i = rows[start + k];
      values[k] = offset ? y[i] - offset[i] : y[i];
    }
    if (weights) { for (let k = 0; k < n; k++) weights[k] = w![rows[start + k]]; }
    return quantileOf(values, n, q, weights, order);
  };
  return {
    outputs: 1,
    constantHessian: true,
    baseline(rows) {
      return Float64Array.of(quantileOver(rows, 0, rows.length, null));
    },
    gradients(raw, rows, g) {
      const g0 = g[0];
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k];
        g0[i] = (w ? w[i] : 1) * (y[i] > raw[i] ? -q : 1 - q);
      }
    },
    value(raw) {
      return meanLoss(y.length, w, (i) => {
        const e = y[i] - raw[i];
        return e >= 0 ? q * e : (q - 1) * e;
      });
    },
    leafValue(raw, rows, start, end) {
      return quantileOver(rows, start, end, raw);
    },
  };
}

const PROBABILITY_FLOOR = 1e-15;

/** Logistic loss of class codes 0/1 against the log-odds `raw`. */
export function binaryLogLoss(codes: Int32Array, w: Float64Array | null = null): Loss {
  return {
    outputs: 1,
    constantHessian: false,
    baseline(rows) {
      let positives = 0;
      for (let k = 0; k < rows.length; k++) positives += (w ? w[rows[k]] : 1) * codes[rows[k]];
      const p = clamp(positives / weightOf(rows, w));
      return Float64Array.of(Math.log(p / (1 - p)));
    },
    gradients(raw, rows, g, h) {
      const g0 = g[0];
      const h0 = h![0];
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k];
        const p = sigmoid(raw[i]);
        const wi = w ? w[i] : 1;
        g0[i] = wi * (p - codes[i]);
        h0[i] = wi * p * (1 - p);
      }
    },
    value(raw) {
      return meanLoss(codes.length, w, (i) => softplus(raw[i]) - codes[i] * raw[i]);
    },
  };
}

/** Multinomial (softmax) log loss of class codes `0..k-1`. */
export function multinomialLogLoss(
  codes: Int32Array,
  k: number,
  w: Float64Array | null = null,
): Loss {
  const p = new Float64Array(k);
  return {
    outputs: k,
    constantHessian: false,
    baseline(rows) {
      const weights = new Float64Array(k);
      for (let r = 0; r < rows.length; r++) weights[codes[rows[r]]] += w ? w[rows[r]] : 1;
      const total = weightOf(rows, w);
      const logs = weights.map((c) => Math.log(clamp(c / total)));
      const mean = logs.reduce((a, b) => a + b, 0) / k;
      return logs.map((v) => v - mean);
    },
    gradients(raw, rows, g, h) {
      for (let r = 0; r < rows.length; r++) {
        const i = rows[r];
        const wi = w ? w[i] : 1;
        softmaxInto(raw, i * k, k, p);
        for (let c = 0; c < k; c++) {
          g[c][i] = wi * (p[c] - (codes[i] === c ? 1 : 0));
          h![c][i] = wi * p[c] * (1 - p[c]);
        }
      }
    },
    value(raw) {
      return meanLoss(codes.length, w, (i) => {
        let max = -Infinity;
        for (let c = 0; c < k; c++) max = Math.max(max, raw[i * k + c]);
        let z = 0;
        for (let c = 0; c < k; c++) z += Math.exp(raw[i * k + c] - max);
        return max + Math.log(z) - raw[i * k + codes[i]];
      });
    },
  };
}

/** Softmax of `raw[at..at+k)` into `out`, stable for large values. */
export function softmaxInto(raw: Float64Array, at: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, raw[at + c]);
  let z = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(raw[at + c] - max);
    z += out[c];
  }
  for (let c = 0; c < k; c++) out[c] /= z;
}

/** Logistic function. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function clamp(p: number): number {
  return Math.min(Math.max(p, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR);
}
