/**
 * Compact, exact JSON encoding of typed arrays: little-endian bytes in base64. Float64 values
 * round-trip bit for bit, so a reloaded model predicts exactly what the trained one did; flags
 * (`u1`) are packed eight to a byte.
 *
 * Decoding writes the base64 straight into the typed array it returns
 * (`Uint8Array.prototype.setFromBase64`): a large forest (tens of MB of payload) is then
 * allocated once, where a decode to a temporary buffer and a copy into an aligned one touched
 * twice as much fresh memory, the main cost of loading it (fresh pages are slow to fault in on
 * the project's virtual machines). The decoder is strict: a character outside the base64
 * alphabet, missing padding or a byte count other than `length` elements is a
 * {@link ModelFormatError}, never a silently shorter array.
 *
 * @module
 */

import { ModelFormatError } from "./errors.ts";

/** Element types that can be encoded; `u1` is one flag (0 or 1) per element, 8 per byte. */
export type DType = "f64" | "i32" | "u8" | "u1";

/** A typed array as stored in JSON. */
export interface EncodedArray {
  /** Element type. */
  dtype: DType;
  /** Number of elements. */
  length: number;
  /** Little-endian bytes (`u1`: bit `i % 8` of byte `i / 8`), base64. */
  data: string;
}

/** The array a dtype decodes to (`u1`: one byte, 0 or 1, per element). */
export type ArrayOf<D extends DType> = D extends "f64" ? Float64Array
  : D extends "i32" ? Int32Array
  : Uint8Array;

const CONSTRUCTORS = { f64: Float64Array, i32: Int32Array, u8: Uint8Array, u1: Uint8Array };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function dtypeOf(values: Float64Array | Int32Array | Uint8Array): DType {
  if (values instanceof Float64Array) return "f64";
  if (values instanceof Int32Array) return "i32";
  return "u8";
}

/**
 * Encodes a typed array exactly, as little-endian bytes in base64; `dtype` "u1" packs a
 * Uint8Array of flags (a value other than 0 or 1 is a RangeError: it would not come back).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeArray, encodeArray } from "./_codec.ts";
 * const flags = encodeArray(Uint8Array.from([1, 0, 1]), "u1");
 * assert.deepEqual(decodeArray(flags, "u1", "flags"), Uint8Array.from([1, 0, 1]));
 * assert.equal(encodeArray(Int32Array.from([1, -1])).data, "AQAAAP////8=");
 * ```
 */
export function encodeArray(
  values: Float64Array | Int32Array | Uint8Array,
  dtype: DType = dtypeOf(values),
): EncodedArray {
  if (dtype === "u1") {
    if (!(values instanceof Uint8Array)) throw new RangeError("u1: a Uint8Array of flags expected");
    return { dtype, length: values.length, data: packBits(values).toBase64() };
  }
  if (dtype !== dtypeOf(values)) throw new RangeError(`${dtype}: not the dtype of the values`);
  let bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (!LITTLE_ENDIAN && values.BYTES_PER_ELEMENT > 1) {
    bytes = swapBytes(bytes.slice(), values.BYTES_PER_ELEMENT);
  }
  return { dtype, length: values.length, data: bytes.toBase64() };
}

/**
 * Decodes an {@link EncodedArray} of one of the types `dtypes`, checking its type, its base64
 * and its length; `what` names it in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeArray, encodeArray } from "./_codec.ts";
 * const encoded = encodeArray(Float64Array.from([0.1, -0]));
 * assert.ok(Object.is(decodeArray(encoded, "f64", "x")[1], -0));
 * assert.throws(() => decodeArray({ ...encoded, length: 3 }, "f64", "m.json: x"), /m\.json: x/);
 * ```
 */
export function decodeArray<D extends DType>(
  encoded: unknown,
  dtypes: D | readonly D[],
  what: string,
): ArrayOf<D> {
  const e = encoded as Partial<EncodedArray> | null;
  const allowed: readonly DType[] = typeof dtypes === "string" ? [dtypes] : dtypes;
  if (
    !e || !allowed.includes(e.dtype!) || typeof e.data !== "string" ||
    !Number.isInteger(e.length) || e.length! < 0
  ) {
    throw new ModelFormatError(`${what}: expected an encoded ${allowed.join(" or ")} array`);
  }
  const dtype = e.dtype!;
  const length = e.length!;
  const nBytes = dtype === "u1"
    ? Math.ceil(length / 8)
    : length * CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
  // Checked before allocating, so that a corrupt length cannot ask for gigabytes.
  if (e.data.length !== 4 * Math.ceil(nBytes / 3)) {
    const found = Math.floor((e.data.replace(/=+$/, "").length * 3) / 4);
    throw new ModelFormatError(
      `${what}: ${found} bytes for ${length} ${dtype} values (truncated or corrupt)`,
    );
  }
  const out = new CONSTRUCTORS[dtype](dtype === "u1" ? nBytes : length);
  const bytes = new Uint8Array(out.buffer);
  try {
    const { read, written } = bytes.setFromBase64(e.data, { lastChunkHandling: "strict" });
    if (read !== e.data.length || written !== nBytes) throw new Error("wrong padding");
  } catch (error) {
    throw new ModelFormatError(`${what}: invalid base64 (${(error as Error).message})`);
  }
  if (dtype === "u1") return unpackBits(bytes, length, what) as ArrayOf<D>;
  if (!LITTLE_ENDIAN && out.BYTES_PER_ELEMENT > 1) swapBytes(bytes, out.BYTES_PER_ELEMENT);
  return out as ArrayOf<D>;
}

function packBits(flags: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(flags.length / 8));
  for (let i = 0; i < flags.length; i++) {
    const v = flags[i];
    if (v > 1) throw new RangeError(`u1: value ${v} at ${i} is not a flag`);
    out[i >> 3] |= v << (i & 7);
  }
  return out;
}

function unpackBits(bytes: Uint8Array, length: number, what: string): Uint8Array {
  // Bits past `length` are zero when written here; anything else is corruption.
  if (length % 8 !== 0 && bytes[bytes.length - 1] >> (length % 8) !== 0) {
    throw new ModelFormatError(`${what}: bits set past the ${length} u1 values (corrupt)`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (bytes[i >> 3] >> (i & 7)) & 1;
  return out;
}

function swapBytes<T extends Uint8Array>(bytes: T, size: number): T {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return bytes;
}
