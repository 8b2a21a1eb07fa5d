/**
 * Text decoding of eCO2mix files: RTE serves ISO-8859-1, ODRÉ serves UTF-8 (with or without
 * BOM), and users re-save files in UTF-8. The encoding is detected, never assumed.
 *
 * @module
 */

/** Encoding detected for a text file. */
export type TextEncoding = "ascii" | "utf-8" | "utf-8-bom" | "iso-8859-1";

/** Decoded text and the encoding it was found in. */
export interface DecodedText {
  /** The text, without BOM. */
  readonly text: string;
  /** Detected encoding. */
  readonly encoding: TextEncoding;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
// WHATWG maps the latin1 label to Windows-1252; RTE files never use bytes 0x80-0x9F, so both
// decode them identically, and 1252 also decodes Windows re-saves correctly.
const LATIN1 = new TextDecoder("windows-1252");

/**
 * Decode bytes: a UTF-8 BOM means UTF-8; otherwise bytes that are valid UTF-8 are UTF-8 (pure
 * ASCII reported as such), and anything else is ISO-8859-1 (Windows-1252 superset). ISO-8859-1
 * text with accents is practically never valid UTF-8 (an accented letter followed by a plain
 * letter is an invalid sequence), so the test is safe on real files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeText } from "./encoding.ts";
 * const latin1 = new Uint8Array([0x50, 0xe9, 0x72, 0x69]); // "Péri" in ISO-8859-1
 * assert.equal(decodeText(latin1).text, "Péri");
 * assert.equal(decodeText(latin1).encoding, "iso-8859-1");
 * assert.equal(decodeText(new TextEncoder().encode("Péri")).encoding, "utf-8");
 * ```
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: UTF8.decode(bytes.subarray(3)), encoding: "utf-8-bom" };
  }
  if (isAscii(bytes)) return { text: LATIN1.decode(bytes), encoding: "ascii" };
  try {
    return { text: UTF8.decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: LATIN1.decode(bytes), encoding: "iso-8859-1" };
  }
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
  return true;
}
