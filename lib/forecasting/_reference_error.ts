/**
 * The typed error of the reference data readers (Tempo calendars, temperatures, consumption
 * history), kept apart so that every reader can throw it without importing the others.
 *
 * @module
 */

/**
 * A reference file that cannot be read exactly: unexpected header, a malformed line, a
 * contradiction between files. The message names the file and the line at fault.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReferenceDataError } from "./_reference_error.ts";
 * const error = new ReferenceDataError("tempo_2024-2025.xls: line 12: unknown colour 'VERT'");
 * assert.equal(error.name, "ReferenceDataError");
 * ```
 */
export class ReferenceDataError extends Error {
  override name = "ReferenceDataError";
}
