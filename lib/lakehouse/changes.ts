/**
 * The rows that changed between two versions of a table, from the data files the two versions
 * do not share.
 *
 * Why from the files: Delta's change data feed (`delta.enableChangeDataFeed`) needs writer
 * version 4, which this layer does not write. Two snapshots of a table share every data file
 * no commit between them touched; the rows of the files only the older version has, set
 * against the rows of the files only the newer one has, are what was deleted and inserted (an
 * updated row is one of each). OPTIMIZE rewrites files without changing rows: its files cancel
 * out. The older version's files must still exist: VACUUM deletes them after the retention,
 * and then the read fails with a {@linkcode DeltaError} (the caller rebuilds from scratch).
 *
 * @module
 */

import pl from "nodejs-polars";
import type { AddFile } from "./actions.ts";
import { InvalidOperationError } from "./errors.ts";
import { loadSnapshot } from "./log.ts";
import { readFiles } from "./reader.ts";
import { matchRows } from "./_rows.ts";
import { conformFrame, describeDiff, diffSchemas } from "./schema.ts";

/** What {@linkcode tableChanges} found. */
export interface TableChanges {
  /** The older version. */
  fromVersion: number;
  /** The newer version. */
  toVersion: number;
  /** Rows the newer version has and the older one has not (new rows, new state of updated rows). */
  inserted: pl.DataFrame;
  /** Rows the older version has and the newer one has not (deleted rows, old state of updated rows). */
  deleted: pl.DataFrame;
  /** Data files read: those the two versions do not share. */
  filesRead: number;
}

/** A data file's identity in a snapshot: its path, and its deletion vector if any. */
function fileId(add: AddFile): string {
  const dv = add.deletionVector;
  return dv ? `${add.path}#${dv.storageType}:${dv.pathOrInlineDv}:${dv.offset ?? ""}` : add.path;
}

/**
 * Rows inserted and deleted between versions `fromVersion` and `toVersion` (default: the latest)
 * of the table at `root`, with the newer version's schema. Rows are compared on every column
 * (null-safe) and as sets: a table holding the same row twice would see the copies as one.
 * Columns added in between (`mergeSchema`) read as null in the older rows; any other schema
 * change throws {@linkcode InvalidOperationError} (compare whole snapshots instead).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { DeltaTable } from "./table.ts";
 * import { tableChanges } from "./changes.ts";
 * const t = new DeltaTable(`${await Deno.makeTempDir()}/t`, { keyColumns: ["id"] });
 * await t.append(pl.DataFrame({ id: [1, 2, 3], mw: [10, 20, 30] }));
 * await t.merge(pl.DataFrame({ id: [2, 4], mw: [21, 40] }));
 * const changes = await tableChanges(t.root, 0);
 * assert.deepEqual(changes.inserted.sort("id").toRecords(), [{ id: 2, mw: 21 }, { id: 4, mw: 40 }]);
 * assert.deepEqual(changes.deleted.toRecords(), [{ id: 2, mw: 20 }]);
 * ```
 */
export async function tableChanges(
  root: string,
  fromVersion: number,
  toVersion?: number,
): Promise<TableChanges> {
  const older = await loadSnapshot(root, { version: fromVersion });
  const newer = await loadSnapshot(root, toVersion === undefined ? {} : { version: toVersion });
  if (newer.version < older.version) {
    throw new InvalidOperationError(
      `${root}: changes from version ${older.version} to an older version ${newer.version}`,
    );
  }
  const diff = diffSchemas(newer.schema, older.schema);
  if (diff.extra.length || diff.retyped.length) {
    throw new InvalidOperationError(
      `${root}: the schema changed between versions ${older.version} and ${newer.version} ` +
        `(${describeDiff(diff)}); compare whole snapshots instead`,
    );
  }
  const olderIds = new Set(older.files.map(fileId));
  const newerIds = new Set(newer.files.map(fileId));
  const removed = older.files.filter((f) => !newerIds.has(fileId(f)));
  const added = newer.files.filter((f) => !olderIds.has(fileId(f)));
  const before = conformFrame(await readFiles(older, removed), newer.schema);
  const after = conformFrame(await readFiles(newer, added), newer.schema);
  const pairs = matchRows(before, after, after.columns);
  const unmatched = (df: pl.DataFrame, side: "left" | "right") =>
    df.withRowIndex(side).join(pairs.select(side).unique(), { on: side, how: "anti" }).drop(side);
  return {
    fromVersion: older.version,
    toVersion: newer.version,
    inserted: unmatched(after, "right"),
    deleted: unmatched(before, "left"),
    filesRead: removed.length + added.length,
  };
}
