/**
 * Table maintenance: OPTIMIZE (bin-packing small files, optionally ZORDER BY) and VACUUM.
 *
 * @module
 */

import type { Action, AddFile } from "./actions.ts";
import { commit, type CommitResult } from "./_commit.ts";
import { writeDataFiles } from "./_write.ts";
import { retentionMs } from "./checkpoint.ts";
import { InvalidOperationError, SchemaMismatchError } from "./errors.ts";
import type { Snapshot } from "./log.ts";
import { canonicalPath } from "./partition.ts";
import { readFiles } from "./reader.ts";
import { deletionVectorPath } from "./deletion_vector.ts";
import { zOrderSort } from "./zorder.ts";
import { joinLocation, locate } from "./storage.ts";

/** Options of OPTIMIZE. */
export interface OptimizeOptions {
  /** Target file size in bytes (default 128 MiB). Files at least this big are left alone. */
  targetFileSize?: number;
  /** ZORDER BY these columns (data columns, not partition columns). */
  zOrderBy?: string[];
  /**
   * Data columns whose values never share a file (the table's `fileSplitColumns`): files are
   * compacted only with files of the same values, and rewritten split by them.
   */
  splitColumns?: string[];
}

/** Default OPTIMIZE target file size. */
export const DEFAULT_TARGET_FILE_SIZE = 128 * 1024 * 1024;

function removeFor(add: AddFile, now: number): Action {
  return {
    remove: {
      path: add.path,
      deletionTimestamp: now,
      dataChange: false,
      extendedFileMetadata: true,
      partitionValues: add.partitionValues,
      size: add.size,
      ...(add.stats ? { stats: add.stats } : {}),
    },
  };
}

/**
 * Groups the files of one partition into bins of about `target` bytes (first fit on files
 * sorted by size); bins with a single file are dropped (nothing to compact).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binPack } from "./maintenance.ts";
 * const f = (size: number) => ({ path: String(size), size, partitionValues: {}, modificationTime: 0, dataChange: true });
 * const bins = binPack([f(40), f(30), f(50), f(200)], 100);
 * assert.equal(bins.length, 1);
 * assert.deepEqual(bins[0].map((a) => a.size), [30, 40]);
 * ```
 */
export function binPack(files: AddFile[], target: number): AddFile[][] {
  const small = files.filter((f) => f.size < target).sort((a, b) => a.size - b.size);
  const bins: AddFile[][] = [];
  let bin: AddFile[] = [];
  let size = 0;
  for (const f of small) {
    if (bin.length && size + f.size > target) {
      bins.push(bin);
      bin = [];
      size = 0;
    }
    bin.push(f);
    size += f.size;
  }
  if (bin.length) bins.push(bin);
  return bins.filter((b) => b.length > 1);
}

/**
 * The files of each partition, and within it of each combination of split columns' values (a
 * file's value is its stats' min when it equals the max; files of several values, or without
 * stats, form one more group, whose compacted files are split).
 */
function byPartition(snap: Snapshot, splitColumns: string[]): Map<string, AddFile[]> {
  const groups = new Map<string, AddFile[]>();
  const parts = snap.metadata.partitionColumns;
  const valueOf = (f: AddFile, c: string): unknown => {
    if (!f.stats) return null;
    try {
      const { minValues, maxValues } = JSON.parse(f.stats);
      const v = minValues?.[c];
      return v !== undefined && v === maxValues?.[c] ? v : null;
    } catch {
      return null;
    }
  };
  for (const f of snap.files) {
    const key = JSON.stringify([
      ...parts.map((p) => f.partitionValues[p] ?? null),
      ...splitColumns.map((c) => valueOf(f, c)),
    ]);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return groups;
}

/**
 * OPTIMIZE: rewrites small files of each partition into files of about the target size
 * (`dataChange: false` on both sides, so streaming readers skip the commit). With `zOrderBy`,
 * every partition with more than one file (or any file) is rewritten in Z-order. Returns null
 * when there is nothing to do.
 */
export async function optimizeTable(
  snap: Snapshot,
  options: OptimizeOptions = {},
): Promise<CommitResult | null> {
  const target = options.targetFileSize ?? DEFAULT_TARGET_FILE_SIZE;
  const zorder = options.zOrderBy ?? [];
  const parts = snap.metadata.partitionColumns;
  for (const c of zorder) {
    if (!snap.schema.fields.some((f) => f.name === c) || parts.includes(c)) {
      throw new SchemaMismatchError(`ZORDER BY ${c}: not a data column of the table`, [c]);
    }
  }
  const now = Date.now();
  const actions: Action[] = [];
  let removedBytes = 0;
  let addedBytes = 0;
  let removedFiles = 0;
  let addedFiles = 0;
  for (const files of byPartition(snap, options.splitColumns ?? []).values()) {
    const bins = zorder.length ? [files] : binPack(files, target);
    for (const bin of bins) {
      let df = await readFiles(snap, bin);
      if (zorder.length) df = zOrderSort(df, zorder);
      const bytes = bin.reduce((s, f) => s + f.size, 0);
      // Size files by the bin's bytes per row (compression is about the same after rewrite).
      const rowsPerFile = Math.max(1, Math.floor((target / Math.max(bytes, 1)) * df.height));
      const adds = await writeDataFiles(snap.root, df, snap.schema, parts, {
        maxRowsPerFile: rowsPerFile,
        dataChange: false,
        splitColumns: options.splitColumns,
      });
      actions.push(...bin.map((f) => removeFor(f, now)), ...adds.map((add) => ({ add })));
      removedBytes += bytes;
      removedFiles += bin.length;
      addedFiles += adds.length;
      addedBytes += adds.reduce((s, a) => s + a.size, 0);
    }
  }
  if (!actions.length) return null;
  return await commit({
    root: snap.root,
    readVersion: snap.version,
    actions,
    info: {
      operation: "OPTIMIZE",
      operationParameters: { predicate: "[]", zOrderBy: JSON.stringify(zorder) },
      isBlindAppend: false,
      operationMetrics: {
        numRemovedFiles: String(removedFiles),
        numAddedFiles: String(addedFiles),
        numRemovedBytes: String(removedBytes),
        numAddedBytes: String(addedBytes),
      },
    },
    // OPTIMIZE changes no row: it only conflicts with a concurrent removal of its inputs.
    reads: () => false,
  });
}

/** Options of VACUUM. */
export interface VacuumOptions {
  /** Retention in hours (default: the table's `delta.deletedFileRetentionDuration`, 7 days). */
  retentionHours?: number;
  /** Only list what would be deleted. */
  dryRun?: boolean;
  /** Allow a retention shorter than the table's (breaks time travel to older versions). */
  force?: boolean;
}

/** Result of VACUUM. */
export interface VacuumResult {
  /** Files deleted (or that would be, on a dry run), relative to the table root. */
  files: string[];
  /** Their total size in bytes. */
  bytes: number;
  /** True for a dry run. */
  dryRun: boolean;
}

/**
 * Like Spark: hidden files and folders (`_delta_log`, `.tmp`, `_SUCCESS`...) are not data,
 * except Hive partition folders whose names may start with "_" but hold "=".
 */
function isHidden(relativePath: string): boolean {
  return relativePath.split("/").some((part) =>
    (part.startsWith("_") || part.startsWith(".")) && !part.includes("=")
  );
}

/**
 * VACUUM: deletes the files under the table folder that the current version does not use, that
 * no version within the retention needs (tombstones younger than the retention are kept), and
 * that are older than the retention (so files being written by a concurrent writer survive).
 * A retention shorter than the table's refuses unless `force`.
 */
export async function vacuumTable(
  snap: Snapshot,
  options: VacuumOptions = {},
): Promise<VacuumResult> {
  const tableRetention = retentionMs(
    snap.metadata.configuration["delta.deletedFileRetentionDuration"],
  );
  const retention = options.retentionHours !== undefined
    ? options.retentionHours * 3_600_000
    : tableRetention;
  if (!(retention >= 0)) throw new InvalidOperationError(`invalid retention ${retention} ms`);
  if (retention < tableRetention && !options.force) {
    throw new InvalidOperationError(
      `VACUUM retention ${retention / 3_600_000} h is shorter than the table's ` +
        `${tableRetention / 3_600_000} h: time travel to older versions would break and ` +
        "concurrent writers could lose files; pass force: true to do it anyway",
    );
  }
  const cutoff = Date.now() - retention;
  const keep = new Set<string>();
  for (const f of snap.files) {
    keep.add(canonicalPath(snap.root, f.path));
    if (f.deletionVector && f.deletionVector.storageType !== "i") {
      keep.add(deletionVectorPath(snap.root, f.deletionVector));
    }
  }
  for (const r of snap.tombstones) {
    if ((r.deletionTimestamp ?? 0) > cutoff) keep.add(canonicalPath(snap.root, r.path));
  }
  const files: string[] = [];
  let bytes = 0;
  const { storage, key: rootKey } = locate(snap.root);
  for (const entry of await storage.list(rootKey, { recursive: true })) {
    if (isHidden(entry.name)) continue;
    const full = joinLocation(snap.root, entry.name);
    if (keep.has(full)) continue;
    const { key } = locate(full);
    const stat = await storage.stat(key);
    if (stat === null || stat.lastModified > cutoff) continue;
    files.push(entry.name);
    bytes += stat.size;
    if (!options.dryRun) await storage.delete(key);
  }
  return { files: files.sort(), bytes, dryRun: options.dryRun ?? false };
}
