/**
 * Typed errors about eCO2mix input files. Every error names the file and, when one line is at
 * fault, its 1-based line number (for .xlsx files: the sheet row), so that a data engineer can
 * open the file at the right place.
 *
 * @module
 */

/** Base class: a problem with one input file (and optionally one of its lines). */
export class Eco2mixError extends Error {
  override name = "Eco2mixError";
  /** File name as given to the reader (`archive.zip!/entry.xls` for archive entries). */
  readonly file: string;
  /** 1-based line number at fault, when one is. */
  readonly line: number | undefined;

  /**
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Eco2mixError } from "./errors.ts";
   * const e = new Eco2mixError("bad cell", "a.xls", 12);
   * assert.equal(e.message, "a.xls:12: bad cell");
   * ```
   */
  constructor(detail: string, file: string, line?: number, options?: ErrorOptions) {
    super(`${file}${line === undefined ? "" : `:${line}`}: ${detail}`, options);
    this.file = file;
    this.line = line;
  }
}

/**
 * The bytes are not an eCO2mix file of any known variant (random bytes, unknown header...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Eco2mixFormatError, Eco2mixError } from "./errors.ts";
 * const e = new Eco2mixFormatError("detail", "a.xls", 3);
 * assert.ok(e instanceof Eco2mixError);
 * assert.equal(e.name, "Eco2mixFormatError");
 * ```
 */
export class Eco2mixFormatError extends Eco2mixError {
  override name = "Eco2mixFormatError";
}

/**
 * A recognised RTE file that is not a power-data file (a Tempo calendar): folder readers skip
 * it instead of failing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Eco2mixNotDataError, Eco2mixError } from "./errors.ts";
 * const e = new Eco2mixNotDataError("detail", "a.xls", 3);
 * assert.ok(e instanceof Eco2mixError);
 * assert.equal(e.name, "Eco2mixNotDataError");
 * ```
 */
export class Eco2mixNotDataError extends Eco2mixFormatError {
  override name = "Eco2mixNotDataError";
}

/**
 * The file holds no data row (empty file, header only, archive without a data entry).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Eco2mixEmptyError, Eco2mixError } from "./errors.ts";
 * const e = new Eco2mixEmptyError("detail", "a.xls", 3);
 * assert.ok(e instanceof Eco2mixError);
 * assert.equal(e.name, "Eco2mixEmptyError");
 * ```
 */
export class Eco2mixEmptyError extends Eco2mixError {
  override name = "Eco2mixEmptyError";
}

/**
 * The file stops early: no closing disclaimer or a partial last line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Eco2mixTruncatedError, Eco2mixError } from "./errors.ts";
 * const e = new Eco2mixTruncatedError("detail", "a.xls", 3);
 * assert.ok(e instanceof Eco2mixError);
 * assert.equal(e.name, "Eco2mixTruncatedError");
 * ```
 */
export class Eco2mixTruncatedError extends Eco2mixError {
  override name = "Eco2mixTruncatedError";
}

/**
 * A required column is missing, or a column appears twice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Eco2mixColumnError, Eco2mixError } from "./errors.ts";
 * const e = new Eco2mixColumnError("detail", "a.xls", 3);
 * assert.ok(e instanceof Eco2mixError);
 * assert.equal(e.name, "Eco2mixColumnError");
 * ```
 */
export class Eco2mixColumnError extends Eco2mixError {
  override name = "Eco2mixColumnError";
}

/**
 * A line has the wrong number of fields (extra or missing columns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Eco2mixRowError, Eco2mixError } from "./errors.ts";
 * const e = new Eco2mixRowError("detail", "a.xls", 3);
 * assert.ok(e instanceof Eco2mixError);
 * assert.equal(e.name, "Eco2mixRowError");
 * ```
 */
export class Eco2mixRowError extends Eco2mixError {
  override name = "Eco2mixRowError";
}

/**
 * A cell that should be a number, a date or a time is not ("12a4", "2025-13-01").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Eco2mixValueError, Eco2mixError } from "./errors.ts";
 * const e = new Eco2mixValueError("detail", "a.xls", 3);
 * assert.ok(e instanceof Eco2mixError);
 * assert.equal(e.name, "Eco2mixValueError");
 * ```
 */
export class Eco2mixValueError extends Eco2mixError {
  override name = "Eco2mixValueError";
}

/**
 * Longest cell accepted, in characters. RTE's longest cells (a region's name, a data nature such
 * as "Données temps réel") hold a few dozen; a longer one is not eCO2mix data, and keeping it
 * would put megabytes into every copy of the row downstream.
 */
export const MAX_CELL_CHARS = 256;

/**
 * Throws {@linkcode Eco2mixRowError} naming the line and column of the first cell longer than
 * {@linkcode MAX_CELL_CHARS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkCellLengths, Eco2mixRowError } from "./errors.ts";
 * checkCellLengths(["France", "63949"], ["Périmètre", "Consommation"], "a.xls", 2);
 * assert.throws(
 *   () => checkCellLengths(["x".repeat(300)], ["Périmètre"], "a.xls", 7),
 *   (e: Error) => e instanceof Eco2mixRowError && /^a\.xls:7:/.test(e.message) && /Périmètre/.test(e.message),
 * );
 * ```
 */
export function checkCellLengths(
  cells: readonly (string | null)[],
  header: readonly string[],
  file: string,
  line: number,
): void {
  const at = cells.findIndex((c) => c !== null && c.length > MAX_CELL_CHARS);
  if (at < 0) return;
  throw new Eco2mixRowError(
    `cell of ${cells[at]!.length} characters in column "${
      (header[at] ?? `#${at + 1}`).slice(0, 60)
    }" (at most ${MAX_CELL_CHARS}): not eCO2mix data`,
    file,
    line,
  );
}
