/**
 * The commit protocol: put-if-absent of `_delta_log/%020d.json` (a hard link locally, an upload
 * with `If-None-Match: *` on Azure: see `storage.ts`), conflict detection against the
 * commits that won the race, retries, and a checkpoint every `delta.checkpointInterval` commits.
 *
 * Application transactions (`txn` actions) make writes idempotent, as Delta's protocol intends:
 * a transaction carrying `txn` (appId, version) fails with
 * {@linkcode TransactionAlreadyCommittedError} when a commit that won the race holds the same
 * appId at that version or later (and the table layer checks the snapshot it read the same way).
 *
 * @module
 */

import type { Action, AddFile, CommitInfo, RemoveFile, Txn } from "./actions.ts";
import { writeCheckpoint } from "./checkpoint.ts";
import { ConcurrentModificationError, TransactionAlreadyCommittedError } from "./errors.ts";
import { commitFileName, loadSnapshot, LOG_DIR, readCommit } from "./log.ts";
import { canonicalPath } from "./partition.ts";
import { joinLocation, locate } from "./storage.ts";

/** Engine name written in `commitInfo.engineInfo`. */
export const ENGINE_INFO = `lib-lakehouse Deno/${Deno.version.deno}`;

/** Default `delta.checkpointInterval`. */
export const DEFAULT_CHECKPOINT_INTERVAL = 10;

/** A transaction ready to commit. */
export interface Transaction {
  /** Table root. */
  root: string;
  /** Version the transaction read (-1 when it creates the table). */
  readVersion: number;
  /** Actions to commit (without commitInfo). */
  actions: Action[];
  /** commitInfo fields (operation, parameters, metrics, isBlindAppend). */
  info: CommitInfo;
  /**
   * Whether a file added or removed by a concurrent commit falls in what this transaction read
   * (so its result would have been different). Blind appends read nothing.
   */
  reads?: (partitionValues: Record<string, string | null>) => boolean;
  /** Checkpoint interval of the table. */
  checkpointInterval?: number;
}

/** What a commit produced. */
export interface CommitResult {
  /** Version committed. */
  version: number;
  /** Number of commits that won a race first and were checked for conflicts. */
  retries: number;
}

const MAX_ATTEMPTS = 10_000;

function serialise(actions: Action[]): Uint8Array {
  return new TextEncoder().encode(actions.map((a) => JSON.stringify(a)).join("\n") + "\n");
}

/**
 * Throws {@linkcode TransactionAlreadyCommittedError} when `committed` (the `txn` actions of a
 * snapshot or of a winning commit) holds one of `ours` app ids at that version or a later one.
 * `where` (table root or commit file) starts the message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAppTransactions } from "./_commit.ts";
 * const ours = [{ appId: "ingest:abc", version: 0 }];
 * checkAppTransactions(ours, [{ appId: "ingest:def", version: 0 }], "/t");
 * assert.throws(
 *   () => checkAppTransactions(ours, [{ appId: "ingest:abc", version: 0 }], "/t"),
 *   /ingest:abc/,
 * );
 * ```
 */
export function checkAppTransactions(ours: Txn[], committed: Iterable<Txn>, where: string): void {
  const wanted = new Map(ours.map((t) => [t.appId, t.version]));
  const done: Txn[] = [];
  for (const t of committed) {
    const v = wanted.get(t.appId);
    if (v !== undefined && t.version >= v) done.push(t);
  }
  if (done.length) {
    throw new TransactionAlreadyCommittedError(
      `${where}: application transaction${done.length > 1 ? "s" : ""} ` +
        done.map((t) => `${t.appId} (version ${t.version})`).join(", ") +
        " already committed; nothing of this write was committed",
      done.map((t) => t.appId),
    );
  }
}

/** Throws {@linkcode ConcurrentModificationError} if a winning commit conflicts with `txn`. */
function checkConflicts(txn: Transaction, winner: Action[], version: number): void {
  const where = joinLocation(txn.root, LOG_DIR, commitFileName(version));
  const ours = new Set(
    txn.actions.filter((a) => a.remove).map((a) => canonicalPath(txn.root, a.remove!.path)),
  );
  for (const a of winner) {
    if (a.metaData || a.protocol) {
      throw new ConcurrentModificationError(
        `${where}: a concurrent commit changed the table ${a.metaData ? "metadata" : "protocol"}`,
      );
    }
    if (a.remove && ours.has(canonicalPath(txn.root, a.remove.path))) {
      throw new ConcurrentModificationError(
        `${where}: a concurrent commit also removed ${a.remove.path}`,
      );
    }
    const file: AddFile | RemoveFile | undefined = a.add ?? a.remove;
    if (file && file.dataChange !== false && txn.reads?.(file.partitionValues ?? {})) {
      throw new ConcurrentModificationError(
        `${where}: a concurrent commit ${a.add ? "added" : "removed"} ${file.path}, ` +
          "in data this transaction read; read the table again and retry",
      );
    }
  }
}

/**
 * Commits a transaction: tries `readVersion + 1`, and when another writer got there first,
 * checks the winner for an application transaction of ours and for logical conflicts, and tries
 * the next version. Writes a checkpoint when the committed version is a multiple of the
 * checkpoint interval. Throws only when none of its attempts created a log entry, so the data
 * files a failed transaction wrote are referenced by no version.
 */
export async function commit(txn: Transaction): Promise<CommitResult> {
  const appTxns = txn.actions.flatMap((a) => a.txn ? [a.txn] : []);
  let version = txn.readVersion + 1;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const info: CommitInfo = {
      timestamp: Date.now(),
      ...txn.info,
      ...(txn.readVersion >= 0 ? { readVersion: txn.readVersion } : {}),
      isolationLevel: "Serializable",
      engineInfo: ENGINE_INFO,
      txnId: crypto.randomUUID(),
    };
    const bytes = serialise([{ commitInfo: info }, ...txn.actions]);
    const target = joinLocation(txn.root, LOG_DIR, commitFileName(version));
    const { storage, key } = locate(target);
    if (await storage.putIfAbsent(key, bytes)) {
      await maybeCheckpoint(txn, version);
      return { version, retries: attempt };
    }
    const winner = await readCommit(txn.root, version);
    checkAppTransactions(appTxns, winner.flatMap((a) => a.txn ? [a.txn] : []), target);
    if (version === 0) {
      throw new ConcurrentModificationError(
        `${target}: the table was created concurrently by another writer`,
      );
    }
    checkConflicts(txn, winner, version);
    version++;
  }
  throw new ConcurrentModificationError(`${txn.root}: gave up after ${MAX_ATTEMPTS} lost races`);
}

async function maybeCheckpoint(txn: Transaction, version: number): Promise<void> {
  const interval = txn.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL;
  if (version === 0 || version % interval !== 0) return;
  // The commit is already durable; a failed checkpoint only costs replay time, so it must not
  // turn a successful write into an error.
  try {
    await writeCheckpoint(await loadSnapshot(txn.root, { version }));
  } catch (e) {
    console.warn(`lakehouse: checkpoint of ${txn.root} at version ${version} failed: ${e}`);
  }
}
