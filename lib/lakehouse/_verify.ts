/**
 * Data files checked against their `add` actions before any row of them is read: the size on
 * disk must be `add.size` (required by the protocol), and the row count in the Parquet footer
 * must be `stats.numRecords` when the log has stats (they are optional). A file replaced,
 * truncated or overwritten outside the table layer (a `COPY ... TO` over it, a partial copy)
 * would otherwise be read as whatever it now holds, or as nulls.
 *
 * Only the footer is read (the file's last 64 KiB, more when its metadata is larger), so the
 * check costs one stat and one small ranged read per file, locally or on Azure.
 *
 * @module
 */

import { parquetMetadata } from "hyparquet";
import type { AddFile } from "./actions.ts";
import { DataFileCorruptError } from "./errors.ts";
import type { Snapshot } from "./log.ts";
import { resolveLogPath } from "./partition.ts";
import { numRecords } from "./stats.ts";
import { locate } from "./storage.ts";

/** Bytes read from the end of a file to find its footer (most footers fit). */
const TAIL_BYTES = 64 * 1024;
/** Files checked at once (each holds a file descriptor while it is checked). */
const CONCURRENCY = 16;
/** "PAR1", little-endian: the magic number ending a Parquet file. */
const PARQUET_MAGIC = 0x31524150;

/**
 * Checks every given file of a snapshot (all its files by default) against its `add` action and
 * returns their row counts from the Parquet footers, in the same order. Throws
 * {@linkcode DataFileCorruptError} for the first file that is missing, has another size than
 * `add.size`, another row count than `stats.numRecords`, or no readable footer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { DeltaTable } from "./table.ts";
 * import { verifyDataFiles } from "./_verify.ts";
 * import { DataFileCorruptError } from "./errors.ts";
 * const root = await Deno.makeTempDir();
 * const t = new DeltaTable(root);
 * await t.append(pl.DataFrame({ mw: [1.5, 2.5] }));
 * const snap = await t.snapshot();
 * assert.deepEqual(await verifyDataFiles(snap), [2]);
 * await Deno.truncate(`${root}/${snap.files[0].path}`, 10);
 * await assert.rejects(verifyDataFiles(snap), DataFileCorruptError);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function verifyDataFiles(
  snapshot: Snapshot,
  files: AddFile[] = snapshot.files,
): Promise<number[]> {
  const rows = new Array<number>(files.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < files.length) {
      const i = next++;
      try {
        rows[i] = await verifyDataFile(snapshot, files[i]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  return rows;
}

/** Checks one file (see {@linkcode verifyDataFiles}); its row count. */
async function verifyDataFile(snapshot: Snapshot, add: AddFile): Promise<number> {
  const path = resolveLogPath(snapshot.root, add.path);
  const corrupt = (difference: string) =>
    new DataFileCorruptError(difference, {
      table: snapshot.root,
      version: snapshot.version,
      file: add.path,
    });
  const { storage, key } = locate(path);
  const stat = await storage.stat(key);
  if (stat === null) throw corrupt(`the file is missing (${path})`);
  const size = stat.size;
  if (size !== Number(add.size)) {
    const where = storage.kind === "local" ? "on disk" : "in storage";
    throw corrupt(`size ${where} ${size} bytes, add.size ${add.size}`);
  }
  const rows = await footerRows(
    (offset, length) => storage.readRange(key, offset, length),
    size,
    corrupt,
  );
  const expected = numRecords(add);
  if (expected !== null && expected !== rows) {
    throw corrupt(`${rows} rows in the Parquet footer, stats.numRecords ${expected}`);
  }
  return rows;
}

/** Row count in the footer of a Parquet file of `size` bytes. */
async function footerRows(
  readAt: (offset: number, length: number) => Promise<Uint8Array>,
  size: number,
  corrupt: (difference: string) => DataFileCorruptError,
): Promise<number> {
  // A Parquet file is "PAR1", data, metadata, its 4-byte length, "PAR1".
  if (size < 12) throw corrupt(`${size} bytes is too short for a Parquet file`);
  let tail = await readAt(Math.max(0, size - TAIL_BYTES), Math.min(size, TAIL_BYTES));
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (view.getUint32(tail.length - 4, true) !== PARQUET_MAGIC) {
    throw corrupt("no Parquet footer (the file does not end with PAR1)");
  }
  const metadataLength = view.getUint32(tail.length - 8, true);
  if (metadataLength + 12 > size) {
    throw corrupt(`Parquet footer length ${metadataLength} exceeds the file`);
  }
  if (metadataLength + 8 > tail.length) {
    tail = await readAt(size - metadataLength - 8, metadataLength + 8);
  }
  try {
    return Number(parquetMetadata(tail, { geoparquet: false }).num_rows);
  } catch (e) {
    throw corrupt(`unreadable Parquet footer (${(e as Error).message})`);
  }
}
