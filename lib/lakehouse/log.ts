/**
 * Reading the Delta transaction log: listing `_delta_log/`, replaying commits from the newest
 * usable checkpoint (classic, multi-part or v2 with sidecars) into a {@linkcode Snapshot}, time
 * travel by version or timestamp, and the commit history.
 *
 * @module
 */

import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import type {
  Action,
  AddFile,
  CommitInfo,
  DomainMetadata,
  Metadata,
  Protocol,
  RemoveFile,
  Txn,
} from "./actions.ts";
import {
  CorruptLogError,
  NotADeltaTableError,
  UnsupportedFeatureError,
  VersionNotFoundError,
} from "./errors.ts";
import { canonicalPath } from "./partition.ts";
import { type ColumnMappingMode, parseSchemaString, type StructType } from "./schema.ts";
import { joinLocation, locate } from "./storage.ts";

/** Name of the log folder inside a table. */
export const LOG_DIR = "_delta_log";

/** Reader features this implementation reads correctly. */
export const SUPPORTED_READER_FEATURES: ReadonlySet<string> = new Set([
  "columnMapping",
  "timestampNtz",
  "vacuumProtocolCheck",
  "v2Checkpoint",
  "deletionVectors",
  "typeWidening",
  "typeWidening-preview",
]);

/**
 * File name of the commit of a version (`%020d.json`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commitFileName } from "./log.ts";
 * assert.equal(commitFileName(12), "00000000000000000012.json");
 * ```
 */
export function commitFileName(version: number): string {
  return `${String(version).padStart(20, "0")}.json`;
}

/** A checkpoint found in the log folder. */
export interface CheckpointFile {
  /** Version the checkpoint describes. */
  version: number;
  /** `classic` (single file), `multipart` or `v2` (UUID-named, with sidecars). */
  kind: "classic" | "multipart" | "v2";
  /** File names of all its parts in `_delta_log/`. */
  files: string[];
}

/** What `_delta_log/` holds. */
export interface LogListing {
  /** Table root. */
  root: string;
  /** Commit file names by version. */
  commits: Map<number, string>;
  /** Complete checkpoints, oldest first. */
  checkpoints: CheckpointFile[];
}

const COMMIT_RE = /^(\d{20})\.json$/;
const CLASSIC_RE = /^(\d{20})\.checkpoint\.parquet$/;
const MULTIPART_RE = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const V2_RE = /^(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)$/;

/**
 * Lists the commits and the complete checkpoints of a table. Throws
 * {@linkcode NotADeltaTableError} when the folder has no `_delta_log` with a commit or a
 * checkpoint in it.
 *
 * @example
 * ```ts ignore
 * import { listLog } from "./log.ts";
 * const listing = await listLog("lakehouse/silver/eco2mix");
 * console.log(Math.max(...listing.commits.keys()));
 * ```
 */
export async function listLog(root: string): Promise<LogListing> {
  const commits = new Map<number, string>();
  const multipart = new Map<string, { version: number; parts: Map<number, string>; n: number }>();
  const checkpoints: CheckpointFile[] = [];
  // A missing folder lists as empty (object storage has no folders).
  const log = locate(joinLocation(root, LOG_DIR));
  for (const e of await log.storage.list(log.key)) {
    if (e.folder) continue;
    let m: RegExpExecArray | null;
    if ((m = COMMIT_RE.exec(e.name))) commits.set(Number(m[1]), e.name);
    else if ((m = CLASSIC_RE.exec(e.name))) {
      checkpoints.push({ version: Number(m[1]), kind: "classic", files: [e.name] });
    } else if ((m = MULTIPART_RE.exec(e.name))) {
      const key = `${m[1]}/${Number(m[3])}`;
      const entry = multipart.get(key) ??
        { version: Number(m[1]), parts: new Map(), n: Number(m[3]) };
      entry.parts.set(Number(m[2]), e.name);
      multipart.set(key, entry);
    } else if ((m = V2_RE.exec(e.name))) {
      checkpoints.push({ version: Number(m[1]), kind: "v2", files: [e.name] });
    }
  }
  for (const { version, parts, n } of multipart.values()) {
    // An incomplete multi-part checkpoint (a writer died mid-way) is not usable.
    if (parts.size === n) {
      const files = [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
      checkpoints.push({ version, kind: "multipart", files });
    }
  }
  if (commits.size === 0 && checkpoints.length === 0) {
    throw new NotADeltaTableError(`${root}: not a Delta table (no commit in ${LOG_DIR})`);
  }
  // Prefer, for one version, a v2 over a classic checkpoint (both describe the same state).
  const rank = { multipart: 0, classic: 1, v2: 2 };
  checkpoints.sort((a, b) => a.version - b.version || rank[a.kind] - rank[b.kind]);
  return { root, commits, checkpoints };
}

/** Latest version a listing can reconstruct. */
export function latestVersion(listing: LogListing): number {
  let latest = -1;
  for (const v of listing.commits.keys()) latest = Math.max(latest, v);
  for (const c of listing.checkpoints) latest = Math.max(latest, c.version);
  return latest;
}

/** The state of a table at one version. */
export interface Snapshot {
  /** Table root folder. */
  root: string;
  /** Version of this snapshot. */
  version: number;
  /** Commit timestamp of this version (epoch ms; in-commit timestamp or file time). */
  timestamp: number;
  /** Protocol in force. */
  protocol: Protocol;
  /** Metadata in force. */
  metadata: Metadata;
  /** Parsed schema. */
  schema: StructType;
  /** Column mapping mode. */
  columnMapping: ColumnMappingMode;
  /** Active data files. */
  files: AddFile[];
  /** Removed files still tracked as tombstones. */
  tombstones: RemoveFile[];
  /** Application transaction versions by app id. */
  txns: Map<string, Txn>;
  /** Active domain metadata by domain. */
  domains: Map<string, DomainMetadata>;
}

/** Where to travel in time: a version, or the last version committed at or before a time. */
export interface TimeTravel {
  /** Table version. */
  version?: number;
  /** A point in time (Date or epoch ms). */
  timestamp?: Date | number;
}

/**
 * Parses a newline-delimited JSON commit. Errors name the file and the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCommit } from "./log.ts";
 * const actions = parseCommit('{"txn":{"appId":"a","version":1}}\n', "00.json");
 * assert.equal(actions[0].txn?.appId, "a");
 * ```
 */
export function parseCommit(text: string, file: string): Action[] {
  const actions: Action[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      actions.push(JSON.parse(line));
    } catch (e) {
      throw new CorruptLogError(`${file}:${i + 1}: invalid JSON action (${(e as Error).message})`);
    }
  }
  return actions;
}

/** Reads and parses the commit of a version. */
export async function readCommit(root: string, version: number): Promise<Action[]> {
  const file = joinLocation(root, LOG_DIR, commitFileName(version));
  const { storage, key } = locate(file);
  const bytes = await storage.read(key);
  if (bytes === null) {
    throw new VersionNotFoundError(`${file}: commit of version ${version} does not exist`);
  }
  return parseCommit(new TextDecoder().decode(bytes), file);
}

// hyparquet gives INT64 as bigint; the log protocol's numbers all fit in a double.
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plain(v);
  return out;
}

/** Reads the actions of a Parquet checkpoint or sidecar file. */
async function readParquetActions(file: string): Promise<Action[]> {
  const bytes = await readLogFile(file);
  let rows: Record<string, unknown>[];
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    rows = await parquetReadObjects({ file: buffer as ArrayBuffer, compressors });
  } catch (e) {
    throw new CorruptLogError(`${file}: unreadable checkpoint (${(e as Error).message})`);
  }
  const actions: Action[] = [];
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if (value === null || value === undefined) continue;
      const action = plain(value) as Record<string, unknown>;
      if (key === "add" || key === "remove") {
        // Checkpoints written with writeStatsAsStruct may carry stats only as a struct.
        if (action.stats == null && action.stats_parsed != null) {
          action.stats = JSON.stringify(action.stats_parsed);
        }
        delete action.stats_parsed;
        delete action.partitionValues_parsed;
      }
      actions.push({ [key]: action } as Action);
    }
  }
  return actions;
}

/** Actions of a checkpoint, sidecars included. */
async function readCheckpoint(root: string, cp: CheckpointFile): Promise<Action[]> {
  const actions: Action[] = [];
  for (const name of cp.files) {
    const file = joinLocation(root, LOG_DIR, name);
    const part = name.endsWith(".json")
      ? parseCommit(new TextDecoder().decode(await readLogFile(file)), file)
      : await readParquetActions(file);
    for (const a of part) {
      if (a.sidecar) {
        const sidecar = joinLocation(
          root,
          LOG_DIR,
          "_sidecars",
          decodeURIComponent(a.sidecar.path),
        );
        actions.push(...await readParquetActions(sidecar));
      } else actions.push(a);
    }
  }
  return actions;
}

/** The bytes of a file the log lists or names (a checkpoint part, a sidecar). */
async function readLogFile(file: string): Promise<Uint8Array> {
  const { storage, key } = locate(file);
  const bytes = await storage.read(key);
  if (bytes === null) throw new CorruptLogError(`${file} is missing`);
  return bytes;
}

/** Modification time of a log file, epoch ms (0 when it vanished). */
async function modificationTime(file: string): Promise<number> {
  const { storage, key } = locate(file);
  return (await storage.stat(key))?.lastModified ?? 0;
}

/**
 * Throws {@linkcode UnsupportedFeatureError} unless this implementation can read a table with
 * this protocol.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsupportedFeatureError } from "./errors.ts";
 * import { checkReadSupport } from "./log.ts";
 * checkReadSupport({ minReaderVersion: 1, minWriterVersion: 2 });
 * assert.throws(
 *   () => checkReadSupport({ minReaderVersion: 99, minWriterVersion: 2 }),
 *   UnsupportedFeatureError,
 * );
 * ```
 */
export function checkReadSupport(protocol: Protocol): void {
  const v = protocol.minReaderVersion;
  if (!Number.isInteger(v) || v < 1 || v > 3) {
    throw new UnsupportedFeatureError(
      `reader protocol version ${v} is not supported (this reader supports 1 to 3)`,
    );
  }
  if (v === 3) {
    const unsupported = (protocol.readerFeatures ?? []).filter((f) =>
      !SUPPORTED_READER_FEATURES.has(f)
    );
    if (unsupported.length) {
      throw new UnsupportedFeatureError(
        `reader table features not supported: ${unsupported.join(", ")}`,
      );
    }
  }
}

/** Mutable state while replaying the log. */
class Replay {
  protocol?: Protocol;
  metadata?: Metadata;
  files = new Map<string, AddFile>();
  tombstones = new Map<string, RemoveFile>();
  txns = new Map<string, Txn>();
  domains = new Map<string, DomainMetadata>();
  constructor(readonly root: string) {}

  // A file is identified by its canonical path plus its deletion vector (a DELETE that adds a
  // new DV to an existing file removes the old (path, dv) pair and adds the new one).
  key(
    path: string,
    dv: { storageType: string; pathOrInlineDv: string; offset?: number | null } | null | undefined,
  ): string {
    const id = dv
      ? `${dv.storageType}${dv.pathOrInlineDv}${dv.offset != null ? `@${dv.offset}` : ""}`
      : "";
    return `${canonicalPath(this.root, path)}\u0000${id}`;
  }

  apply(actions: Action[]): void {
    for (const a of actions) {
      if (a.add) {
        const k = this.key(a.add.path, a.add.deletionVector);
        this.files.set(k, a.add);
        this.tombstones.delete(k);
      } else if (a.remove) {
        const k = this.key(a.remove.path, a.remove.deletionVector);
        this.files.delete(k);
        this.tombstones.set(k, a.remove);
      } else if (a.metaData) this.metadata = a.metaData;
      else if (a.protocol) this.protocol = a.protocol;
      else if (a.txn) this.txns.set(a.txn.appId, a.txn);
      else if (a.domainMetadata) {
        if (a.domainMetadata.removed) this.domains.delete(a.domainMetadata.domain);
        else this.domains.set(a.domainMetadata.domain, a.domainMetadata);
      }
    }
  }
}

/** Commit timestamps (epoch ms) of the versions whose commit file still exists. */
export async function commitTimestamps(listing: LogListing): Promise<Map<number, number>> {
  const versions = [...listing.commits.keys()].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let previous = -Infinity;
  for (const v of versions) {
    const file = joinLocation(listing.root, LOG_DIR, listing.commits.get(v)!);
    let ts = await inCommitTimestamp(file);
    if (ts === undefined) ts = await modificationTime(file);
    // Like Delta's history manager: commit times must increase with versions (file times
    // can go backwards when clocks drift or files are copied).
    if (ts <= previous) ts = previous + 1;
    out.set(v, ts);
    previous = ts;
  }
  return out;
}

async function inCommitTimestamp(file: string): Promise<number | undefined> {
  // commitInfo is the first action of a commit when in-commit timestamps are on.
  const text = new TextDecoder().decode(await readLogFile(file));
  const first = text.slice(0, text.indexOf("\n") >= 0 ? text.indexOf("\n") : text.length);
  if (!first.includes("inCommitTimestamp")) return undefined;
  try {
    const ts = JSON.parse(first)?.commitInfo?.inCommitTimestamp;
    return typeof ts === "number" ? ts : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The version a time-travel request resolves to: the version itself (checked to exist), or the
 * last version committed at or before a timestamp (a timestamp after the last commit gives the
 * latest version; one before the first commit throws).
 */
export async function resolveVersion(
  listing: LogListing,
  travel: TimeTravel = {},
): Promise<number> {
  const latest = latestVersion(listing);
  if (travel.version !== undefined && travel.timestamp !== undefined) {
    throw new VersionNotFoundError("give a version or a timestamp, not both");
  }
  if (travel.version !== undefined) {
    if (!Number.isInteger(travel.version) || travel.version < 0 || travel.version > latest) {
      throw new VersionNotFoundError(
        `${listing.root}: version ${travel.version} does not exist (latest is ${latest})`,
      );
    }
    return travel.version;
  }
  if (travel.timestamp === undefined) return latest;
  const at = travel.timestamp instanceof Date ? travel.timestamp.getTime() : travel.timestamp;
  const times = await commitTimestamps(listing);
  let found = -1;
  for (const [v, ts] of times) if (ts <= at && v > found) found = v;
  if (found < 0) {
    const first = Math.min(...times.keys());
    throw new VersionNotFoundError(
      `${listing.root}: ${new Date(at).toISOString()} is before the earliest available commit ` +
        `(version ${first}, ${new Date(times.get(first) ?? 0).toISOString()})`,
    );
  }
  return found;
}

/**
 * Replays the log up to a version (latest by default) into a {@linkcode Snapshot}, starting from
 * the newest complete checkpoint at or below it. A missing or corrupt `_last_checkpoint` does
 * not matter: the log folder is listed. Throws {@linkcode CorruptLogError} for a gap in the
 * commits or a log without `protocol`/`metaData`, and {@linkcode UnsupportedFeatureError} for a
 * protocol this reader cannot honour.
 *
 * @example
 * ```ts ignore
 * import { loadSnapshot } from "./log.ts";
 * const snap = await loadSnapshot("lakehouse/silver/eco2mix", { version: 3 });
 * console.log(snap.files.length);
 * ```
 */
export async function loadSnapshot(
  root: string,
  travel: TimeTravel = {},
  listing?: LogListing,
): Promise<Snapshot> {
  listing ??= await listLog(root);
  const version = await resolveVersion(listing, travel);
  const checkpoint = listing.checkpoints.filter((c) => c.version <= version).at(-1);
  const start = checkpoint ? checkpoint.version + 1 : 0;
  for (let v = start; v <= version; v++) {
    if (!listing.commits.has(v)) {
      const reason = v === 0 && !checkpoint
        ? "no checkpoint and no commit 0: the log was cleaned up before this version"
        : "versions are not contiguous";
      const err = v === start && !checkpoint && version < latestVersion(listing)
        ? VersionNotFoundError
        : CorruptLogError;
      throw new err(`${joinLocation(root, LOG_DIR, commitFileName(v))} is missing (${reason})`);
    }
  }
  const replay = new Replay(root);
  if (checkpoint) replay.apply(await readCheckpoint(root, checkpoint));
  const commits = await Promise.all(
    Array.from({ length: version - start + 1 }, (_, i) => readCommit(root, start + i)),
  );
  for (const actions of commits) replay.apply(actions);
  const where = checkpoint ? ` (checkpoint ${checkpoint.version} and later commits)` : "";
  if (!replay.protocol) {
    throw new CorruptLogError(`${root}: no protocol action up to version ${version}${where}`);
  }
  if (!replay.metadata) {
    throw new CorruptLogError(`${root}: no metaData action up to version ${version}${where}`);
  }
  checkReadSupport(replay.protocol);
  const mode = (replay.metadata.configuration?.["delta.columnMapping.mode"] ?? "none") as string;
  if (mode !== "none" && mode !== "name" && mode !== "id") {
    throw new UnsupportedFeatureError(`column mapping mode ${mode} is not supported`);
  }
  const commitFile = listing.commits.get(version);
  let timestamp = 0;
  if (commitFile) {
    const info = commits.at(-1)?.find((a) => a.commitInfo)?.commitInfo;
    timestamp = info?.inCommitTimestamp ??
      await modificationTime(joinLocation(root, LOG_DIR, commitFile));
  }
  return {
    root,
    version,
    timestamp,
    protocol: replay.protocol,
    metadata: { ...replay.metadata, configuration: replay.metadata.configuration ?? {} },
    schema: parseSchemaString(replay.metadata.schemaString),
    columnMapping: mode,
    files: [...replay.files.values()],
    tombstones: [...replay.tombstones.values()],
    txns: replay.txns,
    domains: replay.domains,
  };
}

/** One entry of the table history (DESCRIBE HISTORY). */
export interface HistoryEntry extends CommitInfo {
  /** Version of the commit. */
  version: number;
  /** Commit time, epoch ms. */
  timestamp: number;
}

/**
 * The commit history, newest first, like `DESCRIBE HISTORY` (versions whose commit file was
 * cleaned up are absent).
 *
 * @example
 * ```ts ignore
 * import { readHistory } from "./log.ts";
 * for (const h of await readHistory("lakehouse/silver/eco2mix", 5)) console.log(h.version, h.operation);
 * ```
 */
export async function readHistory(root: string, limit?: number): Promise<HistoryEntry[]> {
  const listing = await listLog(root);
  const times = await commitTimestamps(listing);
  const versions = [...listing.commits.keys()].sort((a, b) => b - a).slice(0, limit);
  return await Promise.all(versions.map(async (v) => {
    const info = (await readCommit(root, v)).find((a) => a.commitInfo)?.commitInfo ?? {};
    return { ...info, version: v, timestamp: times.get(v) ?? info.timestamp ?? 0 };
  }));
}
