/**
 * {@linkcode DeltaTable}: one Delta Lake table in a local folder or on Azure Blob storage (see
 * `storage.ts` for locations), read and written as nodejs-polars DataFrames.
 *
 * Why one module of this size: every write of the class (create, append, overwrite, merge,
 * optimize, vacuum) goes through the same private checks of the snapshot it starts from
 * (protocol and writer features, schema changes, partition columns) and the same
 * `txn`/commit path, so the methods and their file-selection helpers stay together; the log,
 * snapshots, commits and data files have their own modules.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Action, AddFile, Metadata, Protocol, RemoveFile, Txn } from "./actions.ts";
import {
  checkAppTransactions,
  commit,
  type CommitResult,
  DEFAULT_CHECKPOINT_INTERVAL,
  type Transaction,
} from "./_commit.ts";
import { DataFileOptions, writeDataFiles } from "./_write.ts";
import { matchRows } from "./_rows.ts";
import { type TableChanges, tableChanges } from "./changes.ts";
import {
  InvalidOperationError,
  NotADeltaTableError,
  SchemaMismatchError,
  UnsupportedFeatureError,
} from "./errors.ts";
import {
  type HistoryEntry,
  listLog,
  loadSnapshot,
  readHistory,
  type Snapshot,
  type TimeTravel,
} from "./log.ts";
import { canonicalPath, partitionValueExpr, resolveLogPath } from "./partition.ts";
import { locate, normaliseLocation } from "./storage.ts";
import { describePredicate, type Predicate, predicateExpr } from "./predicate.ts";
import { emptyFrame, readFiles } from "./reader.ts";
import {
  conformFrame,
  describeDiff,
  diffSchemas,
  isSameSchema,
  mergeSchemas,
  polarsTypeOf,
  schemaOfFrame,
  type StructType,
} from "./schema.ts";
import { numRecords, statsMayMatch } from "./stats.ts";
import {
  type OptimizeOptions,
  optimizeTable,
  type VacuumOptions,
  type VacuumResult,
  vacuumTable,
} from "./maintenance.ts";

export type { CommitResult } from "./_commit.ts";

/** How a table is created when it does not exist yet. */
export interface TableOptions {
  /** Table name (metaData.name). */
  name?: string;
  /** Table description (metaData.description). */
  description?: string;
  /** Partition columns, in directory order. */
  partitionColumns?: string[];
  /** Key columns, the default of {@linkcode DeltaTable.merge}. */
  keyColumns?: string[];
  /**
   * Data columns whose values never share a data file within a partition (every write and
   * OPTIMIZE splits by them): reads filtering on them skip the other values' files by stats.
   */
  fileSplitColumns?: string[];
  /** Extra table properties (`delta.*`), e.g. `delta.checkpointInterval`. */
  configuration?: Record<string, string>;
}

/** Options of writes. */
export interface WriteOptions {
  /** Allow new columns (an explicit, logged schema change: a new metaData action). */
  mergeSchema?: boolean;
  /** Maximum rows per data file (default 1,000,000). */
  maxRowsPerFile?: number;
  /**
   * Application transactions committed atomically with the rows (Delta `txn` actions, e.g.
   * `{ appId: "ingest:<sha256>", version: 0 }`), which make the write idempotent: when the
   * table already holds one of these app ids at this version or a later one, or a concurrent
   * commit adds it first, the write throws {@linkcode TransactionAlreadyCommittedError} and
   * commits nothing (its data files are removed). The latest version per app id is in
   * {@linkcode Snapshot.txns}; each write's `lastUpdated` is later than that of every txn the
   * table already holds, so among several app ids the last written has the largest.
   */
  txns?: Pick<Txn, "appId" | "version">[];
}

/** Options of {@linkcode DeltaTable.overwrite}. */
export interface OverwriteOptions extends WriteOptions {
  /** Replace the schema (and partitioning) with the frame's. */
  overwriteSchema?: boolean;
}

/** Options of {@linkcode DeltaTable.read}. */
export interface ReadTableOptions extends TimeTravel {
  /** Columns to return, in this order. */
  columns?: string[];
  /** Row filter; conditions on partition columns also skip whole files. */
  where?: Predicate;
}

/** Options of {@linkcode DeltaTable.merge}. */
export interface MergeOptions extends WriteOptions {
  /**
   * Key columns (default: the table's `keyColumns`). Keys match null-safely, as SQL's `<=>`:
   * a null key value matches a null.
   */
  keys?: string[];
  /**
   * `WHEN MATCHED AND <some column differs> THEN UPDATE`: a matched row equal to its source row
   * in every column stays where it is (counted `unchanged`), so a file none of whose rows
   * changes is not rewritten. Without it every matched row is rewritten, as a plain MERGE does.
   */
  onlyChanged?: boolean;
  /**
   * `WHEN NOT MATCHED BY SOURCE AND <scope> THEN DELETE`: target rows whose key is not in the
   * source are deleted when they fall in the scope: `true` for the whole table, or a frame whose
   * rows list the scope's values of its columns (null-safe), e.g. the series being replaced.
   * With the partition columns among both the keys and the scope's columns, only the
   * partitions of the source and of the scope are read.
   */
  deleteMissing?: true | pl.DataFrame;
}

/** Result of a merge. */
export interface MergeResult extends CommitResult {
  /** Source rows that replaced an existing row. */
  updated: number;
  /** Source rows that were new. */
  inserted: number;
  /** Target rows deleted (`deleteMissing`). */
  deleted: number;
  /** Source rows equal to their target row, left in place (`onlyChanged`). */
  unchanged: number;
}

/** A data file of a version, as `DESCRIBE DETAIL` / `inputFiles()` would list it. */
export interface FileInfo {
  /** Path relative to the table root (decoded). */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Rows, when the log has stats. */
  numRecords: number | null;
  /** Partition values as protocol text. */
  partitionValues: Record<string, string | null>;
  /** Modification time, epoch ms. */
  modificationTime: number;
}

/** Writer features this implementation honours when writing. */
const SUPPORTED_WRITER_FEATURES = new Set(["appendOnly", "invariants"]);

/**
 * One Delta table rooted at a location: a local folder, or `az://<container>/<prefix>` (see
 * `storage.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { DeltaTable } from "./table.ts";
 * const root = await Deno.makeTempDir();
 * const t = new DeltaTable(`${root}/demo`, { partitionColumns: ["annee"] });
 * await t.append(pl.DataFrame({ annee: [2024, 2025], mw: [1.5, 2.5] }));
 * await t.append(pl.DataFrame({ annee: [2025], mw: [3.5] }));
 * assert.equal((await t.read()).height, 3);
 * assert.equal((await t.read({ version: 0 })).height, 2);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class DeltaTable {
  /** Table root: a local folder (absolute) or an `az://` location. */
  readonly root: string;
  /** Options used when the table is created, and merge keys. */
  readonly options: TableOptions;

  /** A handle on the table at `root` (the folder need not exist yet). */
  constructor(root: string, options: TableOptions = {}) {
    this.root = normaliseLocation(root);
    this.options = options;
  }

  /** True when the folder holds a Delta table. */
  async exists(): Promise<boolean> {
    try {
      await listLog(this.root);
      return true;
    } catch (e) {
      if (e instanceof NotADeltaTableError) return false;
      throw e;
    }
  }

  /** The table state at the latest version, or at a version or timestamp. */
  snapshot(travel: TimeTravel = {}): Promise<Snapshot> {
    return loadSnapshot(this.root, travel);
  }

  /** Latest version. */
  async version(): Promise<number> {
    return (await this.snapshot()).version;
  }

  /** The schema at the latest version (or at a past one). */
  async schema(travel: TimeTravel = {}): Promise<StructType> {
    return (await this.snapshot(travel)).schema;
  }

  /**
   * Reads the latest snapshot, or a past one (`version` or `timestamp`), optionally only some
   * columns and rows. A `where` skips the files that cannot hold a matching row, by partition
   * values and by the stats of data columns (Delta data skipping), then filters the rows.
   */
  async read(options: ReadTableOptions = {}): Promise<pl.DataFrame> {
    const snap = await this.snapshot(options);
    let files = snap.files;
    if (options.where?.length) files = filesMatching(snap, options.where);
    const wanted = options.columns;
    const filterCols = options.where?.map((c) => c.column) ?? [];
    const columns = wanted ? [...new Set([...wanted, ...filterCols])] : undefined;
    let df = await readFiles(snap, files, { columns, where: options.where });
    if (options.where?.length) df = df.filter(predicateExpr(options.where, snap.schema));
    return wanted ? df.select(...wanted) : df;
  }

  /** Rows inserted and deleted since a version (see {@linkcode tableChanges}). */
  changesSince(fromVersion: number, toVersion?: number): Promise<TableChanges> {
    return tableChanges(this.root, fromVersion, toVersion);
  }

  /** The history, newest first (`DESCRIBE HISTORY`). */
  history(limit?: number): Promise<HistoryEntry[]> {
    return readHistory(this.root, limit);
  }

  /** Data files of the latest version (or a past one) with their sizes. */
  async files(travel: TimeTravel = {}): Promise<FileInfo[]> {
    const snap = await this.snapshot(travel);
    return snap.files.map((f) => ({
      path: resolveLogPath("", f.path).replace(/^\//, ""),
      size: f.size,
      numRecords: numRecords(f),
      partitionValues: f.partitionValues,
      modificationTime: f.modificationTime,
    }));
  }

  /** Creates the table from a frame's schema (and rows), failing if it exists. */
  async create(df: pl.DataFrame, options: WriteOptions = {}): Promise<CommitResult> {
    if (await this.exists()) {
      throw new InvalidOperationError(`${this.root}: table already exists`);
    }
    return this.#write(df, "Append", null, options);
  }

  /** Appends rows (creates the table if needed). A blind append never conflicts. */
  append(df: pl.DataFrame, options: WriteOptions = {}): Promise<CommitResult> {
    return this.#write(df, "Append", null, options);
  }

  /** Replaces every row (creates the table if needed). */
  overwrite(df: pl.DataFrame, options: OverwriteOptions = {}): Promise<CommitResult> {
    return this.#write(df, "Overwrite", [], options);
  }

  /**
   * Replaces the rows matching a predicate (Delta's `replaceWhere`), e.g. a date range: rows
   * of the frame must all match it.
   */
  replaceWhere(
    df: pl.DataFrame,
    where: Predicate,
    options: WriteOptions = {},
  ): Promise<CommitResult> {
    if (!where.length) throw new InvalidOperationError("replaceWhere needs a predicate");
    return this.#write(df, "Overwrite", where, options);
  }

  /**
   * MERGE by key: rows of `df` replace the rows with the same key, other rows are inserted; with
   * `onlyChanged`, rows equal to their target row are left alone; with `deleteMissing`, target
   * rows of a scope that the source no longer holds are deleted (see {@linkcode MergeOptions}).
   * Only files holding a row that changes are rewritten, in one commit. Keys default to the
   * table's `keyColumns`; duplicate keys in `df` throw.
   */
  async merge(df: pl.DataFrame, options: MergeOptions = {}): Promise<MergeResult> {
    const keys = options.keys ?? this.options.keyColumns;
    if (!keys?.length) {
      throw new InvalidOperationError(`${this.root}: merge needs key columns`);
    }
    const snap = await this.#latest();
    if (!snap) {
      const r = await this.#write(df, "Append", null, options);
      return { ...r, updated: 0, inserted: df.height, deleted: 0, unchanged: 0 };
    }
    const { schema, metadataAction } = this.#schemaFor(snap, df, options);
    const txns = txnActions(snap, options);
    const source = conformFrame(df, schema);
    for (const k of keys) {
      if (!source.columns.includes(k)) {
        throw new SchemaMismatchError(`merge key ${k} is not a column`, [k]);
      }
    }
    const dup = source.select(...keys).filter(source.select(...keys).isDuplicated());
    if (dup.height) {
      throw new InvalidOperationError(
        `merge source has ${dup.height} rows with a duplicated key, e.g. ` +
          JSON.stringify(dup.head(1).toRecords()[0]),
      );
    }
    const scope = options.deleteMissing && options.deleteMissing !== true
      ? scopeFrame(options.deleteMissing, schema, this.root)
      : null;
    const parts = snap.metadata.partitionColumns;
    // Files that may hold a source key or a scope row: when every partition column is a key and
    // a scope column, only the partitions of the source and of the scope.
    const pruned = parts.length > 0 && parts.every((p) => keys.includes(p)) &&
      options.deleteMissing !== true && (!scope || parts.every((p) => scope.columns.includes(p)));
    const partitionsRead = pruned
      ? pl.concat([source.select(...parts), ...(scope ? [scope.select(...parts)] : [])]).unique()
      : null;
    const candidates = partitionsRead ? filesInPartitionsOf(snap, partitionsRead) : snap.files;
    const removes: Action[] = [];
    const kept: pl.DataFrame[] = [];
    // Source rows equal to their target row: left in place, not written again.
    const unchanged = new Set<number>();
    let updated = 0;
    let deleted = 0;
    let matched = 0;
    for (const add of candidates) {
      const target = conformFrame(await readFiles(snap, [add]), schema);
      const hits = matchRows(target, source, keys);
      const hit = new Set(hits.getColumn("left").toArray() as number[]);
      matched += hit.size;
      const same = new Set<number>();
      if (options.onlyChanged && hit.size) {
        const equal = keys.length === source.width
          ? hits
          : matchRows(target, source, source.columns);
        const [l, r] = ["left", "right"].map((c) => equal.getColumn(c).toArray() as number[]);
        l.forEach((row, i) => {
          same.add(row);
          unchanged.add(r[i]);
        });
      }
      const gone = new Set<number>();
      if (options.deleteMissing) {
        const inScope = scope
          ? matchRows(target, scope, scope.columns).getColumn("left").toArray() as number[]
          : Array.from({ length: target.height }, (_, i) => i);
        for (const row of inScope) if (!hit.has(row)) gone.add(row);
      }
      const changed = hit.size - same.size;
      if (changed === 0 && gone.size === 0) continue;
      updated += changed;
      deleted += gone.size;
      removes.push({ remove: removeOf(add, true) });
      kept.push(
        keepRows(target, (row) => !gone.has(row) && (!hit.has(row) || same.has(row))),
      );
    }
    const written = unchanged.size ? keepRows(source, (row) => !unchanged.has(row)) : source;
    const out = pl.concat([...kept, written], { how: "vertical", rechunk: false });
    const adds = await writeDataFiles(
      this.root,
      out,
      schema,
      parts,
      this.#fileOptions(options, snap),
    );
    const touched = new Set(candidates.map((f) => partitionKey(f.partitionValues, parts)));
    const notMatchedBySource = options.deleteMissing
      ? {
        notMatchedBySourcePredicates: JSON.stringify([{
          actionType: "delete",
          ...(scope ? { predicate: `(${scope.columns.join(", ")}) IN scope` } : {}),
        }]),
      }
      : {};
    const result = await commitOrDiscard(adds, {
      root: this.root,
      readVersion: snap.version,
      actions: [
        ...(metadataAction ? [metadataAction] : []),
        ...txns,
        ...removes,
        ...adds.map((add) => ({ add })),
      ],
      info: {
        operation: "MERGE",
        operationParameters: {
          predicate: JSON.stringify(keys.map((k) => `t.${k} <=> s.${k}`).join(" AND ")),
          matchedPredicates: JSON.stringify([{
            actionType: "update",
            ...(options.onlyChanged ? { predicate: "t.* <> s.*" } : {}),
          }]),
          notMatchedPredicates: JSON.stringify([{ actionType: "insert" }]),
          ...notMatchedBySource,
        },
        isBlindAppend: false,
        operationMetrics: {
          numSourceRows: String(source.height),
          numTargetRowsUpdated: String(updated),
          numTargetRowsInserted: String(source.height - matched),
          numTargetRowsDeleted: String(deleted),
          numTargetRowsCopied: String(out.height - written.height),
          numTargetFilesRemoved: String(removes.length),
          numTargetFilesAdded: String(adds.length),
          numOutputRows: String(out.height),
        },
      },
      reads: partitionsRead
        ? (pv) =>
          touched.has(partitionKey(pv, parts)) ||
          partitionsRead.join(partitionFrame(snap, [pv]), { on: parts, how: "semi" }).height > 0
        : () => true,
      checkpointInterval: checkpointInterval(snap.metadata),
    });
    return {
      ...result,
      updated,
      inserted: source.height - matched,
      deleted,
      unchanged: matched - updated,
    };
  }

  /** OPTIMIZE (bin-packing small files), optionally ZORDER BY columns. See `maintenance.ts`. */
  async optimize(options: OptimizeOptions = {}): Promise<CommitResult | null> {
    return optimizeTable(await this.#writable(), {
      splitColumns: this.options.fileSplitColumns,
      ...options,
    });
  }

  /** VACUUM: deletes files no version within the retention needs. See `maintenance.ts`. */
  async vacuum(options: VacuumOptions = {}): Promise<VacuumResult> {
    return vacuumTable(await this.#writable(), options);
  }

  /**
   * The latest snapshot, or null when there is no table yet: one listing of the log (a request
   * on object storage), where `exists()` then `snapshot()` would take two.
   */
  async #latest(): Promise<Snapshot | null> {
    try {
      return await this.snapshot();
    } catch (e) {
      if (e instanceof NotADeltaTableError) return null;
      throw e;
    }
  }

  async #writable(): Promise<Snapshot> {
    const snap = await this.snapshot();
    checkWriteSupport(snap.protocol, snap.metadata);
    return snap;
  }

  /** Schema a write uses, and the metaData action a schema change needs. */
  #schemaFor(
    snap: Snapshot,
    df: pl.DataFrame,
    options: OverwriteOptions,
  ): { schema: StructType; metadataAction?: Action } {
    checkWriteSupport(snap.protocol, snap.metadata);
    const frame = schemaOfFrame(df);
    if (options.overwriteSchema) {
      const partitionColumns = this.options.partitionColumns ?? snap.metadata.partitionColumns;
      checkPartitionColumns(frame, partitionColumns);
      return {
        schema: frame,
        metadataAction: {
          metaData: {
            ...snap.metadata,
            schemaString: JSON.stringify(frame),
            partitionColumns,
          },
        },
      };
    }
    const diff = diffSchemas(snap.schema, frame);
    if (isSameSchema(diff)) return { schema: snap.schema };
    if (!options.mergeSchema || diff.retyped.length) {
      const cols = [...diff.missing, ...diff.extra, ...diff.retyped.map((r) => r.split(":")[0])];
      throw new SchemaMismatchError(
        `${this.root}: frame schema differs from the table: ${describeDiff(diff)}` +
          (diff.retyped.length ? "" : " (pass mergeSchema: true to add the new columns)"),
        cols,
      );
    }
    const merged = mergeSchemas(snap.schema, frame);
    if (merged.fields.length === snap.schema.fields.length) return { schema: snap.schema };
    console.info(
      `lakehouse: ${this.root}: schema change (mergeSchema), new columns: ${diff.extra.join(", ")}`,
    );
    return {
      schema: merged,
      metadataAction: { metaData: { ...snap.metadata, schemaString: JSON.stringify(merged) } },
    };
  }

  /** Options of the data files a write adds to the table at `snap`. */
  #fileOptions(options: WriteOptions, snap: Snapshot): DataFileOptions {
    const n = Number(snap.metadata.configuration["delta.dataSkippingNumIndexedCols"]);
    return {
      maxRowsPerFile: options.maxRowsPerFile,
      indexedColumns: Number.isInteger(n) ? n : undefined,
      splitColumns: this.options.fileSplitColumns,
    };
  }

  /**
   * Append (`replace === null`), overwrite (`[]`) or replaceWhere (a predicate).
   */
  async #write(
    df: pl.DataFrame,
    mode: "Append" | "Overwrite",
    replace: Predicate | null,
    options: OverwriteOptions,
  ): Promise<CommitResult> {
    const snap = await this.#latest();
    if (!snap) return this.#createWith(df, mode, options);
    const { schema, metadataAction } = this.#schemaFor(snap, df, options);
    const parts = (metadataAction?.metaData ?? snap.metadata).partitionColumns;
    const data = conformFrame(df, schema);
    if (mode === "Overwrite" && snap.metadata.configuration["delta.appendOnly"] === "true") {
      throw new InvalidOperationError(`${this.root}: table is append-only (delta.appendOnly)`);
    }
    const actions: Action[] = [
      ...(metadataAction ? [metadataAction] : []),
      ...txnActions(snap, options),
    ];
    let reads: ((pv: Record<string, string | null>) => boolean) | undefined;
    let kept: pl.DataFrame | null = null;
    let removed = 0;
    let removedRows = 0;
    if (replace !== null && replace.length > 0) {
      const outside = data.filter(predicateExpr(replace, schema).not());
      if (outside.height) {
        throw new InvalidOperationError(
          `${this.root}: ${outside.height} rows do not match replaceWhere ` +
            `(${describePredicate(replace)}), e.g. ${
              JSON.stringify(outside.head(1).toRecords()[0])
            }`,
        );
      }
      const onlyPartitions = replace.every((c) => parts.includes(c.column));
      const matching = filesMatching(snap, replace);
      const keep: pl.DataFrame[] = [];
      for (const add of matching) {
        if (onlyPartitions) {
          actions.push({ remove: removeOf(add, true) });
          removed++;
          removedRows += numRecords(add) ?? 0;
          continue;
        }
        const rows = conformFrame(await readFiles(snap, [add]), schema);
        const rest = rows.filter(predicateExpr(replace, schema).not());
        if (rest.height === rows.height) continue;
        actions.push({ remove: removeOf(add, true) });
        removed++;
        removedRows += rows.height - rest.height;
        if (rest.height) keep.push(rest);
      }
      if (keep.length) kept = pl.concat(keep, { how: "vertical" });
      const touched = new Set(matching.map((f) => partitionKey(f.partitionValues, parts)));
      reads = onlyPartitions || parts.length === 0
        ? (pv) =>
          parts.length === 0 || touched.has(partitionKey(pv, parts)) ||
          partitionMatches(snap, pv, replace, parts)
        : () => true;
    } else if (mode === "Overwrite") {
      for (const add of snap.files) {
        actions.push({ remove: removeOf(add, true) });
        removed++;
        removedRows += numRecords(add) ?? 0;
      }
      reads = () => true;
    }
    const out = kept ? pl.concat([kept, data], { how: "vertical" }) : data;
    const adds = await writeDataFiles(
      this.root,
      out,
      schema,
      parts,
      this.#fileOptions(options, snap),
    );
    actions.push(...adds.map((add) => ({ add })));
    return commitOrDiscard(adds, {
      root: this.root,
      readVersion: snap.version,
      actions,
      info: writeInfo(mode, parts, replace, adds, removed, removedRows, !reads && !metadataAction),
      reads,
      checkpointInterval: checkpointInterval(snap.metadata),
    });
  }

  async #createWith(
    df: pl.DataFrame,
    mode: "Append" | "Overwrite",
    options: WriteOptions,
  ): Promise<CommitResult> {
    const schema = schemaOfFrame(df);
    const parts = this.options.partitionColumns ?? [];
    checkPartitionColumns(schema, parts);
    const protocol: Protocol = { minReaderVersion: 1, minWriterVersion: 2 };
    const metaData: Metadata = {
      id: crypto.randomUUID(),
      name: this.options.name ?? null,
      description: this.options.description ?? null,
      format: { provider: "parquet", options: {} },
      schemaString: JSON.stringify(schema),
      partitionColumns: parts,
      configuration: this.options.configuration ?? {},
      createdTime: Date.now(),
    };
    const data = conformFrame(df, schema);
    const adds = await writeDataFiles(this.root, data, schema, parts, {
      maxRowsPerFile: options.maxRowsPerFile,
      splitColumns: this.options.fileSplitColumns,
    });
    const info = writeInfo(mode, parts, null, adds, 0, 0, true);
    return commitOrDiscard(adds, {
      root: this.root,
      readVersion: -1,
      actions: [
        { protocol },
        { metaData },
        ...txnActions(null, options),
        ...adds.map((add) => ({ add })),
      ],
      info: { ...info, operation: "CREATE TABLE AS SELECT", isBlindAppend: true },
    });
  }
}

/**
 * The `txn` actions of a write, after checking that the snapshot it read (null: a new table)
 * does not hold them already.
 */
function txnActions(snap: Snapshot | null, options: WriteOptions): Action[] {
  const txns = options.txns ?? [];
  const ids = new Set(txns.map((t) => t.appId));
  if (ids.size !== txns.length) {
    throw new InvalidOperationError("a write carries the same txn appId twice");
  }
  for (const t of txns) {
    if (!Number.isInteger(t.version)) {
      throw new InvalidOperationError(`txn ${t.appId}: version ${t.version} is not an integer`);
    }
  }
  if (snap) {
    checkAppTransactions(txns, snap.txns.values(), `${snap.root} (version ${snap.version})`);
  }
  // Later than every txn the table holds, whatever the clock does: readers can order them.
  const latest = Math.max(0, ...[...(snap?.txns.values() ?? [])].map((t) => t.lastUpdated ?? 0));
  const lastUpdated = Math.max(Date.now(), latest + 1);
  return txns.map(({ appId, version }) => ({ txn: { appId, version, lastUpdated } }));
}

/**
 * Commits a write, and when the commit fails removes the data files it added: `commit` throws
 * only when no log entry of ours exists, so no version references them. (A writer killed
 * before committing leaves its files to VACUUM, which deletes unreferenced files older than
 * the retention.)
 */
async function commitOrDiscard(adds: AddFile[], txn: Transaction): Promise<CommitResult> {
  try {
    return await commit(txn);
  } catch (e) {
    await Promise.all(adds.map((a) => {
      const { storage, key } = locate(canonicalPath(txn.root, a.path));
      return storage.delete(key).catch(() => {});
    }));
    throw e;
  }
}

function writeInfo(
  mode: "Append" | "Overwrite",
  parts: string[],
  replace: Predicate | null,
  adds: AddFile[],
  removed: number,
  removedRows: number,
  blind: boolean,
) {
  const rows = adds.reduce((s, a) => s + (numRecords(a) ?? 0), 0);
  return {
    operation: "WRITE",
    operationParameters: {
      mode,
      partitionBy: JSON.stringify(parts),
      ...(replace?.length ? { predicate: JSON.stringify([describePredicate(replace)]) } : {}),
    },
    isBlindAppend: blind,
    operationMetrics: {
      numFiles: String(adds.length),
      numOutputRows: String(rows),
      numOutputBytes: String(adds.reduce((s, a) => s + a.size, 0)),
      ...(mode === "Overwrite"
        ? { numRemovedFiles: String(removed), numDeletedRows: String(removedRows) }
        : {}),
    },
  };
}

/** Throws unless this writer can honour the table's protocol. */
export function checkWriteSupport(protocol: Protocol, metadata: Metadata): void {
  const v = protocol.minWriterVersion;
  const unsupported = v === 7
    ? (protocol.writerFeatures ?? []).filter((f) => !SUPPORTED_WRITER_FEATURES.has(f))
    : v > 2
    ? [`writer version ${v}`]
    : [];
  if (protocol.minReaderVersion > 1) {
    unsupported.push(`reader version ${protocol.minReaderVersion}`);
  }
  if (unsupported.length) {
    throw new UnsupportedFeatureError(
      `this writer only writes protocol 1/2 tables; unsupported: ${unsupported.join(", ")}`,
    );
  }
  if (metadata.schemaString.includes("delta.invariants")) {
    throw new UnsupportedFeatureError("column invariants (delta.invariants) are not enforced");
  }
}

function checkPartitionColumns(schema: StructType, parts: string[]): void {
  for (const p of parts) {
    const f = schema.fields.find((f) => f.name === p);
    if (!f) throw new SchemaMismatchError(`partition column ${p} is not in the frame`, [p]);
    if (typeof f.type !== "string") {
      throw new SchemaMismatchError(`partition column ${p} must have a primitive type`, [p]);
    }
  }
}

function checkpointInterval(metadata: Metadata): number {
  const v = Number(metadata.configuration["delta.checkpointInterval"]);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_CHECKPOINT_INTERVAL;
}

/** The `remove` action of an active file. */
export function removeOf(add: AddFile, dataChange: boolean): RemoveFile {
  return {
    path: add.path,
    deletionTimestamp: Date.now(),
    dataChange,
    extendedFileMetadata: true,
    partitionValues: add.partitionValues,
    size: add.size,
    ...(add.stats ? { stats: add.stats } : {}),
    ...(add.deletionVector ? { deletionVector: add.deletionVector } : {}),
  };
}

function partitionKey(pv: Record<string, string | null>, parts: string[]): string {
  return JSON.stringify(parts.map((p) => pv[p] ?? null));
}

/** One row per file: its partition values, typed. */
function partitionFrame(snap: Snapshot, pvs: Record<string, string | null>[]): pl.DataFrame {
  const parts = snap.metadata.partitionColumns;
  const types = new Map(snap.schema.fields.map((f) => [f.name, f.type]));
  const rows = pvs.map((pv) =>
    pl.DataFrame({ _: [0] }).select(
      ...parts.map((p) => partitionValueExpr(pv[p] ?? null, types.get(p)!).alias(p)),
    )
  );
  return rows.length ? pl.concat(rows, { how: "vertical" }) : emptyFrame({
    type: "struct",
    fields: snap.schema.fields.filter((f) => parts.includes(f.name)),
  });
}

function partitionMatches(
  snap: Snapshot,
  pv: Record<string, string | null>,
  where: Predicate,
  parts: string[],
): boolean {
  const onParts = where.filter((c) => parts.includes(c.column));
  if (!onParts.length) return true;
  return partitionFrame(snap, [pv]).filter(predicateExpr(onParts, snap.schema)).height > 0;
}

/**
 * Files that may hold rows matching the predicate: their partition values satisfy its conditions
 * on partition columns, and their stats do not rule out its conditions on data columns (Delta
 * data skipping, {@linkcode statsMayMatch}). The caller still filters the rows.
 */
function filesMatching(snap: Snapshot, where: Predicate): AddFile[] {
  const parts = snap.metadata.partitionColumns;
  const onParts = where.filter((c) => parts.includes(c.column));
  const onData = where.filter((c) => !parts.includes(c.column));
  let files = snap.files;
  if (onParts.length && files.length) {
    const frame = partitionFrame(snap, files.map((f) => f.partitionValues))
      .withRowIndex("__i")
      .filter(predicateExpr(onParts, snap.schema));
    const idx = frame.getColumn("__i").toArray() as number[];
    files = idx.map((i) => snap.files[i]);
  }
  if (!onData.length) return files;
  const prefix = Number(snap.metadata.configuration["delta.dataSkippingStringPrefixLength"]);
  const options = {
    columnMapping: snap.columnMapping,
    stringPrefixLength: Number.isInteger(prefix) && prefix > 0 ? prefix : undefined,
  };
  return files.filter((f) => statsMayMatch(f, onData, snap.schema, options));
}

/** Files in the partitions present in a frame of partition columns. */
function filesInPartitionsOf(snap: Snapshot, partsDf: pl.DataFrame): AddFile[] {
  const parts = snap.metadata.partitionColumns;
  if (!snap.files.length) return [];
  const frame = partitionFrame(snap, snap.files.map((f) => f.partitionValues)).withRowIndex("__i");
  const hit = frame.join(partsDf, { on: parts, how: "semi" });
  const idx = hit.getColumn("__i").toArray() as number[];
  return idx.map((i) => snap.files[i]);
}

/** The rows of `df` whose row number passes `keep`. */
function keepRows(df: pl.DataFrame, keep: (row: number) => boolean): pl.DataFrame {
  const mask = pl.Series("keep", Array.from({ length: df.height }, (_, i) => keep(i)), pl.Bool);
  return df.filter(mask);
}

/** The `deleteMissing` scope with the table's column types (its columns must be table columns). */
function scopeFrame(scope: pl.DataFrame, schema: StructType, root: string): pl.DataFrame {
  const fields = new Map(schema.fields.map((f) => [f.name, f]));
  const unknown = scope.columns.filter((c) => !fields.has(c));
  if (unknown.length || scope.columns.length === 0) {
    throw new SchemaMismatchError(
      `${root}: merge deleteMissing scope columns must be table columns: ${
        unknown.join(", ") || "none given"
      }`,
      unknown,
    );
  }
  return scope.select(
    ...scope.columns.map((c) => pl.col(c).cast(polarsTypeOf(fields.get(c)!.type)).alias(c)),
  ).unique();
}
