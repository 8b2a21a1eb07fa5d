/**
 * Input checks shared by metrics, learners and splits. Each names the row at fault.
 *
 * @module
 */

import { MlInputError } from "./errors.ts";

/** Throws unless both arrays have the same, non-zero length. */
export function checkSameLength(
  a: ArrayLike<unknown>,
  b: ArrayLike<unknown>,
  what: string,
): void {
  if (a.length !== b.length) {
    throw new MlInputError(`${what}: lengths differ (${a.length} vs ${b.length})`);
  }
  if (a.length === 0) throw new MlInputError(`${what}: empty input`);
}

/** Throws on the first NaN or infinite value, naming the array and row. */
export function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new MlInputError(`${what}: row ${i} is ${values[i]} (a finite number is required)`);
    }
  }
}

/** Throws unless `value` is an integer within [min, max]. */
export function checkInteger(value: number, what: string, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MlInputError(`${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Throws unless `value` is a number within [min, max] (NaN rejected). */
export function checkRange(value: number, what: string, min: number, max: number): void {
  if (!(value >= min && value <= max)) {
    throw new MlInputError(`${what} must be in [${min}, ${max}], got ${value}`);
  }
}

/** Target values as a Float64Array, rejecting NaN and infinities with the row named. */
export function checkedTarget(y: ArrayLike<number>, nRows: number, what: string): Float64Array {
  if (y.length !== nRows) {
    throw new MlInputError(`${what}: target has ${y.length} rows, features have ${nRows}`);
  }
  const out = Float64Array.from(y);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      throw new MlInputError(`${what}: target row ${i} is ${y[i]} (a finite number is required)`);
    }
  }
  return out;
}
