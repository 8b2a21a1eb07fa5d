/**
 * Compact, exact JSON encoding of typed arrays: little-endian bytes in base64. Float64 values
 * round-trip bit for bit, so a reloaded model predicts exactly what the trained one did.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { ModelFormatError } from "./errors.ts";

/** Element types that can be encoded. */
export type DType = "f64" | "i32" | "u8";

/** A typed array as stored in JSON. */
export interface EncodedArray {
  /** Element type. */
  dtype: DType;
  /** Number of elements. */
  length: number;
  /** Little-endian bytes, base64. */
  data: string;
}

type ArrayOf<D extends DType> = D extends "f64" ? Float64Array
  : D extends "i32" ? Int32Array
  : Uint8Array;

const CONSTRUCTORS = { f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function dtypeOf(values: Float64Array | Int32Array | Uint8Array): DType {
  if (values instanceof Float64Array) return "f64";
  if (values instanceof Int32Array) return "i32";
  return "u8";
}

/** Encodes a typed array (exactly, as little-endian bytes in base64). */
export function encodeArray(values: Float64Array | Int32Array | Uint8Array): EncodedArray {
  const dtype = dtypeOf(values);
  let bytes: Uint8Array = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (!LITTLE_ENDIAN && values.BYTES_PER_ELEMENT > 1) {
    bytes = swapBytes(bytes.slice(), values.BYTES_PER_ELEMENT);
  }
  return { dtype, length: values.length, data: Buffer.from(bytes).toString("base64") };
}

/** Decodes an {@link EncodedArray}, checking its type and length; `what` names it in errors. */
export function decodeArray<D extends DType>(encoded: unknown, dtype: D, what: string): ArrayOf<D> {
  const e = encoded as Partial<EncodedArray> | null;
  if (!e || e.dtype !== dtype || typeof e.data !== "string" || !Number.isInteger(e.length)) {
    throw new ModelFormatError(`${what}: expected an encoded ${dtype} array`);
  }
  const size = CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
  const raw = Buffer.from(e.data, "base64");
  if (raw.length !== e.length! * size) {
    throw new ModelFormatError(
      `${what}: ${raw.length} bytes for ${e.length} ${dtype} values (truncated or corrupt)`,
    );
  }
  // Copy into a fresh, aligned buffer (Buffer slices may be unaligned views on a pool).
  let bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  if (!LITTLE_ENDIAN && size > 1) bytes = swapBytes(bytes, size);
  return new CONSTRUCTORS[dtype](bytes.buffer) as ArrayOf<D>;
}

function swapBytes<T extends Uint8Array>(bytes: T, size: number): T {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return bytes;
}
