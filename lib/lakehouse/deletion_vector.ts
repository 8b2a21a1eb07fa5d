/**
 * Deletion vectors (reader side): the row indexes a DELETE/UPDATE/MERGE marked as gone in a data
 * file, stored as a 64-bit Roaring bitmap array inline in the log (Z85) or in a
 * `deletion_vector_<uuid>.bin` file beside the data.
 *
 * Format (Delta protocol, "Deletion Vector Format"): a DV file starts with a version byte; at
 * `offset`, a big-endian 4-byte size, the bitmap, and a CRC-32. The bitmap is the magic
 * 1681511377 (little-endian), the number of 32-bit buckets (8 bytes), then per bucket its high
 * 32 bits and a portable-format Roaring bitmap.
 *
 * @module
 */

import type { DeletionVectorDescriptor } from "./actions.ts";
import { CorruptLogError, UnsupportedFeatureError } from "./errors.ts";
import { resolveLogPath } from "./partition.ts";
import { joinLocation, locate } from "./storage.ts";

const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
const Z85_INDEX = new Map([...Z85].map((c, i) => [c, i]));
const MAGIC = 1681511377;

/**
 * Decodes Z85 text (ZeroMQ base-85) into bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z85Decode } from "./deletion_vector.ts";
 * const bytes = [134, 79, 210, 111, 181, 89, 247, 91];
 * assert.deepEqual(z85Decode("HelloWorld"), new Uint8Array(bytes));
 * ```
 */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) throw new CorruptLogError(`Z85 text of length ${text.length}`);
  const out = new Uint8Array((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let v = 0;
    for (let j = 0; j < 5; j++) {
      const d = Z85_INDEX.get(text[i + j]);
      if (d === undefined) throw new CorruptLogError(`invalid Z85 character ${text[i + j]}`);
      v = v * 85 + d;
    }
    out[o] = (v >>> 24) & 255;
    out[o + 1] = (v >>> 16) & 255;
    out[o + 2] = (v >>> 8) & 255;
    out[o + 3] = v & 255;
  }
  return out;
}

/** File path of an on-disk deletion vector (`u` or `p` storage). */
export function deletionVectorPath(root: string, dv: DeletionVectorDescriptor): string {
  if (dv.storageType === "p") return resolveLogPath(root, dv.pathOrInlineDv);
  if (dv.storageType !== "u") {
    throw new UnsupportedFeatureError(`deletion vector storage type ${dv.storageType}`);
  }
  const prefix = dv.pathOrInlineDv.slice(0, -20);
  const hex = [...z85Decode(dv.pathOrInlineDv.slice(-20))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
  return joinLocation(root, prefix, `deletion_vector_${uuid}.bin`);
}

/**
 * The deleted row indexes of a deletion vector.
 *
 * @example
 * ```ts ignore
 * import { deletedRows } from "./deletion_vector.ts";
 * const rows = await deletedRows("/t", add.deletionVector!);
 * ```
 */
export async function deletedRows(
  root: string,
  dv: DeletionVectorDescriptor,
): Promise<Set<number>> {
  let bitmap: Uint8Array;
  if (dv.storageType === "i") bitmap = z85Decode(dv.pathOrInlineDv);
  else {
    const file = deletionVectorPath(root, dv);
    const { storage, key } = locate(file);
    const bytes = await storage.read(key).catch((e) => {
      throw new CorruptLogError(`${file}: deletion vector file unreadable (${e.message})`);
    });
    if (bytes === null) throw new CorruptLogError(`${file}: deletion vector file is missing`);
    const offset = dv.offset ?? 1;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = view.getUint32(offset, false);
    if (size !== dv.sizeInBytes || offset + 4 + size > bytes.length) {
      throw new CorruptLogError(
        `${file}: deletion vector at ${offset} has size ${size}, ` +
          `log says ${dv.sizeInBytes}`,
      );
    }
    bitmap = bytes.subarray(offset + 4, offset + 4 + size);
  }
  const rows = parseRoaringArray(bitmap);
  if (rows.size !== dv.cardinality) {
    throw new CorruptLogError(
      `deletion vector ${dv.pathOrInlineDv}: ${rows.size} rows, log says ${dv.cardinality}`,
    );
  }
  return rows;
}

/** Parses a serialised `RoaringBitmapArray` (magic, buckets of 32-bit Roaring bitmaps). */
export function parseRoaringArray(bytes: Uint8Array): Set<number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) {
    throw new CorruptLogError("deletion vector: bad magic number");
  }
  const buckets = Number(view.getBigUint64(4, true));
  const rows = new Set<number>();
  let pos = 12;
  for (let b = 0; b < buckets; b++) {
    const high = view.getUint32(pos, true);
    pos += 4;
    pos = parseRoaring32(view, pos, high * 2 ** 32, rows);
  }
  return rows;
}

const SERIAL_COOKIE_NO_RUN = 12346;
const SERIAL_COOKIE = 12347;

// Portable Roaring format: https://github.com/RoaringBitmap/RoaringFormatSpec
function parseRoaring32(view: DataView, start: number, base: number, rows: Set<number>): number {
  let pos = start;
  const cookie = view.getUint32(pos, true);
  pos += 4;
  let n: number;
  let runFlags: Uint8Array | null = null;
  if ((cookie & 0xffff) === SERIAL_COOKIE) {
    n = (cookie >>> 16) + 1;
    const len = Math.ceil(n / 8);
    runFlags = new Uint8Array(view.buffer, view.byteOffset + pos, len);
    pos += len;
  } else if (cookie === SERIAL_COOKIE_NO_RUN) {
    n = view.getUint32(pos, true);
    pos += 4;
  } else throw new CorruptLogError(`deletion vector: bad Roaring cookie ${cookie}`);
  const keys: number[] = [];
  const cards: number[] = [];
  for (let i = 0; i < n; i++) {
    keys.push(view.getUint16(pos, true));
    cards.push(view.getUint16(pos + 2, true) + 1);
    pos += 4;
  }
  if (!runFlags || n >= 4) pos += 4 * n; // offset header
  for (let i = 0; i < n; i++) {
    const hi = base + keys[i] * 65536;
    const isRun = runFlags !== null && (runFlags[i >> 3] & (1 << (i & 7))) !== 0;
    if (isRun) {
      const runs = view.getUint16(pos, true);
      pos += 2;
      for (let r = 0; r < runs; r++) {
        const s = view.getUint16(pos, true);
        const len = view.getUint16(pos + 2, true);
        pos += 4;
        for (let v = s; v <= s + len; v++) rows.add(hi + v);
      }
    } else if (cards[i] > 4096) {
      for (let w = 0; w < 1024; w++) {
        let word = view.getBigUint64(pos + w * 8, true);
        for (let bit = 0; word !== 0n; bit++, word >>= 1n) {
          if (word & 1n) rows.add(hi + w * 64 + bit);
        }
      }
      pos += 8192;
    } else {
      for (let k = 0; k < cards[i]; k++) rows.add(hi + view.getUint16(pos + 2 * k, true));
      pos += 2 * cards[i];
    }
  }
  return pos;
}
