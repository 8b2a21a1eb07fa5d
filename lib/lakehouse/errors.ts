/**
 * Typed errors of the Delta Lake table layer.
 *
 * Every error extends {@linkcode DeltaError}, so callers can catch the whole family at once and
 * still tell a lost commit race from a schema mismatch or an unsupported table feature.
 *
 * @module
 */

/**
 * Base class of every error raised by `lib/lakehouse`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeltaError } from "./errors.ts";
 * assert.throws(() => {
 *   throw new DeltaError("boom");
 * }, DeltaError);
 * ```
 */
export class DeltaError extends Error {
  override name = "DeltaError";
}

/**
 * The folder is not a Delta table (no `_delta_log/` commit or checkpoint in it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotADeltaTableError } from "./errors.ts";
 * const e = new NotADeltaTableError("/tmp/nowhere: no _delta_log folder");
 * assert.equal(e.name, "NotADeltaTableError");
 * ```
 */
export class NotADeltaTableError extends DeltaError {
  override name = "NotADeltaTableError";
}

/**
 * The transaction log is inconsistent: a missing commit, no `protocol` or `metaData` action,
 * a malformed line. The message names the log file and, for JSON commits, the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CorruptLogError } from "./errors.ts";
 * const e = new CorruptLogError("_delta_log/00000000000000000001.json is missing");
 * assert.ok(e instanceof Error);
 * ```
 */
export class CorruptLogError extends DeltaError {
  override name = "CorruptLogError";
}

/**
 * The table needs a protocol version or a table feature this implementation does not support
 * (for reading or for writing). Raised before any data is returned, never after a partial read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsupportedFeatureError } from "./errors.ts";
 * const e = new UnsupportedFeatureError("reader feature 'variantType' is not supported");
 * assert.equal(e.name, "UnsupportedFeatureError");
 * ```
 */
export class UnsupportedFeatureError extends DeltaError {
  override name = "UnsupportedFeatureError";
}

/**
 * A requested version or timestamp does not exist in the table's history (or its log files
 * were cleaned up).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VersionNotFoundError } from "./errors.ts";
 * const e = new VersionNotFoundError("version 7 does not exist (latest is 3)");
 * assert.equal(e.name, "VersionNotFoundError");
 * ```
 */
export class VersionNotFoundError extends DeltaError {
  override name = "VersionNotFoundError";
}

/**
 * A frame does not match the table schema (missing, extra or retyped columns), or a column
 * name is not valid for Spark without column mapping. The message lists the offending columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SchemaMismatchError } from "./errors.ts";
 * const e = new SchemaMismatchError("extra column: foo", ["foo"]);
 * assert.equal(e.columns[0], "foo");
 * ```
 */
export class SchemaMismatchError extends DeltaError {
  override name = "SchemaMismatchError";
  /** The columns at fault. */
  readonly columns: string[];
  /** Creates the error with the list of columns at fault. */
  constructor(message: string, columns: string[]) {
    super(message);
    this.columns = columns;
  }
}

/**
 * Another writer committed a change that logically conflicts with this transaction (for example
 * an overwrite of partitions that a concurrent commit also changed). Re-read and try again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConcurrentModificationError } from "./errors.ts";
 * const e = new ConcurrentModificationError("version 5 added files in partitions read by this overwrite");
 * assert.equal(e.name, "ConcurrentModificationError");
 * ```
 */
export class ConcurrentModificationError extends DeltaError {
  override name = "ConcurrentModificationError";
}

/**
 * An operation was called with invalid arguments or data that breaks its contract (duplicate
 * merge keys, rows outside a `replaceWhere` range, a too short VACUUM retention...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidOperationError } from "./errors.ts";
 * const e = new InvalidOperationError("VACUUM retention 1 h is below the 168 h minimum");
 * assert.equal(e.name, "InvalidOperationError");
 * ```
 */
export class InvalidOperationError extends DeltaError {
  override name = "InvalidOperationError";
}

/**
 * A write carries an application transaction (a Delta `txn` action: `appId` and an
 * application-defined version) that the table already holds at that version or a later one:
 * committed before this write read the table, or by a concurrent writer that won the race.
 * Nothing of this write was committed. Idempotent writers (e.g. an ingestion keyed by file
 * content) take it as "already done".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TransactionAlreadyCommittedError } from "./errors.ts";
 * const e = new TransactionAlreadyCommittedError("app-1 version 3 is already committed", ["app-1"]);
 * assert.deepEqual(e.appIds, ["app-1"]);
 * ```
 */
export class TransactionAlreadyCommittedError extends DeltaError {
  override name = "TransactionAlreadyCommittedError";
  /** The application ids already committed. */
  readonly appIds: string[];
  /** Creates the error with the application ids already committed. */
  constructor(message: string, appIds: string[]) {
    super(message);
    this.appIds = appIds;
  }
}

/**
 * A data file does not match the `add` action that references it: missing from disk, a size on
 * disk other than `add.size`, a row count in its Parquet footer other than the log's
 * `stats.numRecords`, or no readable Parquet footer. The file was replaced, truncated or
 * overwritten outside the table layer; nothing of the table is returned. The message names the
 * table, the version read, the file and what differs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataFileCorruptError, DeltaError } from "./errors.ts";
 * const e = new DataFileCorruptError("size on disk 10 bytes, add.size 4096", {
 *   table: "/lake/silver/eco2mix",
 *   version: 3,
 *   file: "part-00000.parquet",
 * });
 * assert.ok(e instanceof DeltaError);
 * assert.equal(
 *   e.message,
 *   "/lake/silver/eco2mix (version 3): data file part-00000.parquet does not match its add " +
 *     "action: size on disk 10 bytes, add.size 4096",
 * );
 * ```
 */
export class DataFileCorruptError extends DeltaError {
  override name = "DataFileCorruptError";
  /** Table root. */
  readonly table: string;
  /** Version of the snapshot read. */
  readonly version: number;
  /** The file's path as the `add` action gives it. */
  readonly file: string;
  /** Creates the error; `difference` says what does not match. */
  constructor(difference: string, where: { table: string; version: number; file: string }) {
    super(
      `${where.table} (version ${where.version}): data file ${where.file} does not match its ` +
        `add action: ${difference}`,
    );
    this.table = where.table;
    this.version = where.version;
    this.file = where.file;
  }
}
