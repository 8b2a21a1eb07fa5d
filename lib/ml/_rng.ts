/**
 * Seeded pseudo-random numbers: every random choice of the learners (binning subsample,
 * validation rows, bootstrap, feature sampling, permutations) draws from these, so a seed fixes
 * the result on every machine.
 *
 * @module
 */

/** A generator of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Mulberry32: a fast 32-bit generator, good enough for sampling (not for cryptography). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An independent seed for stream `index` of a base seed (splitmix32 mix), so that e.g. tree 17
 * of a forest gets the same random stream whatever order or worker builds it.
 */
export function deriveSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(
  values: T,
  rng: Rng,
): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
  return values;
}

/** `k` distinct integers of [0, n), in ascending order (partial Fisher-Yates). */
export function sampleWithoutReplacement(rng: Rng, n: number, k: number): Int32Array {
  return sampleInto(rng, new Int32Array(n), new Int32Array(k));
}

/**
 * {@link sampleWithoutReplacement} into `out` (its length is the sample size), with `pool` (of
 * length n) as scratch: the same draws, without allocating (a tree draws features at every
 * node).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32, sampleInto, sampleWithoutReplacement } from "./_rng.ts";
 * const out = sampleInto(mulberry32(3), new Int32Array(20), new Int32Array(5));
 * assert.deepEqual(out, sampleWithoutReplacement(mulberry32(3), 20, 5));
 * ```
 */
export function sampleInto(rng: Rng, pool: Int32Array, out: Int32Array): Int32Array {
  const n = pool.length;
  const k = out.length;
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(rng, n - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  // Insertion sort: samples are small or already drawn in bulk (binning) where it is cheap.
  if (k <= 64) {
    for (let i = 0; i < k; i++) {
      const v = pool[i];
      let j = i - 1;
      while (j >= 0 && out[j] > v) {
        out[j + 1] = out[j];
        j--;
      }
      out[j + 1] = v;
    }
    return out;
  }
  out.set(pool.subarray(0, k));
  return out.sort();
}
