/**
 * Delta Lake tables in a local folder or on Azure Blob storage, read and written as
 * nodejs-polars DataFrames.
 *
 * This is a generic table layer (it knows nothing about the data it stores). Tables are real
 * Delta Lake tables (protocol reader 1 / writer 2) that Spark, Databricks, delta-rs or DuckDB
 * read as they are. A table's location is a folder, `az://<container>/<prefix>` or
 * `abfss://<container>@<account>.dfs.core.windows.net/<prefix>` (credentials from the usual
 * Azure environment variables): every operation below, the lock and SQL work on both through one
 * {@linkcode Storage} interface (see `storage.ts`).
 *
 * ## Catalog and tables
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { Catalog } from "./mod.ts";
 *
 * const root = await Deno.makeTempDir();
 * const catalog = new Catalog(root, [{
 *   name: "mesures",
 *   layer: "silver",
 *   partitionColumns: ["annee"],
 *   keyColumns: ["annee", "id"],
 *   description: "one row per measurement",
 * }]);
 * const table = catalog.table("mesures");
 * const day = (ids: number[], mw: number) =>
 *   pl.DataFrame({ annee: ids.map(() => 2025), id: ids, mw: ids.map(() => mw) });
 *
 * await table.append(day([1, 2], 10));                 // v0 (creates the table)
 * await table.merge(day([2, 3], 20));                  // v1: upsert by key (2 updated, 3 new)
 * await table.replaceWhere(day([9], 0), [{ column: "annee", eq: 2025 }]); // v2
 * assert.equal((await table.read()).height, 1);
 * assert.equal((await table.read({ version: 1 })).height, 3); // time travel
 * assert.equal((await table.history()).length, 3);
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * - Writes: {@linkcode DeltaTable.append} (blind append, never conflicts),
 *   {@linkcode DeltaTable.overwrite}, {@linkcode DeltaTable.replaceWhere} (replace the rows
 *   matching a {@linkcode Predicate}, e.g. a date range), {@linkcode DeltaTable.merge} (MERGE by
 *   key: upsert, optionally leaving equal rows in place and deleting the rows of a scope the
 *   source no longer holds; only the files holding a changed row are rewritten). A write whose
 *   frame schema differs from the table's throws {@linkcode SchemaMismatchError} naming the
 *   columns; adding columns needs `mergeSchema: true` (a logged schema change).
 * - Reads: {@linkcode DeltaTable.read} with `version` or `timestamp` (time travel), `columns`,
 *   `where`. Timestamps come back as `Datetime("us", "UTC")`.
 * - Changes: {@linkcode DeltaTable.changesSince} (rows inserted and deleted since a version, from
 *   the data files the two versions do not share; see {@linkcode tableChanges}).
 * - Introspection: {@linkcode DeltaTable.history} (DESCRIBE HISTORY),
 *   {@linkcode DeltaTable.files} (current files and sizes), {@linkcode DeltaTable.snapshot}.
 * - Maintenance: {@linkcode DeltaTable.optimize} (bin-packing, `zOrderBy`),
 *   {@linkcode DeltaTable.vacuum} (7-day retention by default, `dryRun`, `force`).
 *
 * ## One writer per lakehouse
 *
 * {@linkcode acquireLakehouseLock} takes the write lock of a lakehouse (a lock file in its root,
 * local or on Azure; a stale lock left by a dead process of the same host is taken over, a lock from
 * another host never is); child processes inherit it through {@linkcode LAKEHOUSE_LOCK_ENV}.
 *
 * ## Protocol
 *
 * Commits are `_delta_log/%020d.json`, created put-if-absent (hard link of a temporary file
 * locally, an upload with `If-None-Match: *` on Azure):
 * a writer that loses a race checks the winning commits for logical conflicts
 * ({@linkcode ConcurrentModificationError}) and retries at the next version. Writes can carry
 * application transactions (`txns`: Delta `txn` actions, appId and version) that make them
 * idempotent: a write whose appId the table already holds, or a concurrent winner adds, fails
 * with {@linkcode TransactionAlreadyCommittedError} and commits nothing; the snapshot keeps the
 * latest version per appId ({@linkcode Snapshot}`.txns`). A Parquet checkpoint is written
 * every 10 commits (`delta.checkpointInterval`). Data files are zstd Parquet in Hive partition
 * folders escaped like Spark's, with exact per-file statistics. A write is durable when it
 * returns: its data files, then the log entry (before its link into `_delta_log/`), then the
 * folders holding the new names are fsynced.
 *
 * The reader replays classic, multi-part and v2 checkpoints, tolerates a corrupt or missing
 * `_last_checkpoint`, reads column mapping (name and id), deletion vectors, `timestamp_ntz`, and
 * INT96 timestamps. Anything it cannot read correctly (reader features it does not know, binary
 * columns, which nodejs-polars cannot represent) raises {@linkcode UnsupportedFeatureError}
 * before returning any row. Every data file is checked against its `add` action before it is
 * read (size, and row count in the Parquet footer when the log has stats), by `read()` and by
 * SQL alike: a file replaced or truncated outside the layer raises
 * {@linkcode DataFileCorruptError}.
 *
 * @module
 */

export { Catalog, type TableDefinition } from "./catalog.ts";
export {
  type CommitResult,
  DeltaTable,
  type FileInfo,
  type MergeOptions,
  type MergeResult,
  type OverwriteOptions,
  type ReadTableOptions,
  type TableOptions,
  type WriteOptions,
} from "./table.ts";
export type { OptimizeOptions, VacuumOptions, VacuumResult } from "./maintenance.ts";
export { type TableChanges, tableChanges } from "./changes.ts";
export type { Condition, Predicate, Scalar } from "./predicate.ts";
export {
  type HistoryEntry,
  loadSnapshot,
  readHistory,
  type Snapshot,
  type TimeTravel,
} from "./log.ts";
export { readFiles } from "./reader.ts";
export {
  acquireLakehouseLock,
  LAKEHOUSE_LOCK_ENV,
  type LakehouseLock,
  LakehouseLockedError,
  type LakehouseLockOptions,
  LOCK_FILE,
  type LockHolder,
  TAKEOVER_FILE,
} from "./lock.ts";
export type {
  Action,
  AddFile,
  CommitInfo,
  Metadata,
  Protocol,
  RemoveFile,
  Txn,
} from "./actions.ts";
export type { DeltaType, StructField, StructType } from "./schema.ts";
export {
  ConcurrentModificationError,
  CorruptLogError,
  DataFileCorruptError,
  DeltaError,
  InvalidOperationError,
  NotADeltaTableError,
  SchemaMismatchError,
  TransactionAlreadyCommittedError,
  UnsupportedFeatureError,
  VersionNotFoundError,
} from "./errors.ts";
export {
  querySql,
  sqlCacheDir,
  SqlError,
  type SqlOptions,
  type SqlParameter,
  withTablesOnDisk,
} from "./sql.ts";
export {
  checkWritable,
  isRemoteLocation,
  joinLocation,
  locate,
  normaliseLocation,
  type Storage,
  StorageLocationError,
} from "./storage.ts";
