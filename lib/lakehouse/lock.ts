/**
 * One writer per lakehouse: a lock file in the lakehouse root (a local folder or an `az://`
 * location: the lock goes through the same {@linkcode Storage} as the tables).
 *
 * Why: each Delta commit is safe under concurrency, but a pipeline run reads bronze, rebuilds
 * silver and gold from it and reports on what it wrote; two runs interleaving their steps on
 * one lakehouse would mix their results. A run therefore takes this lock first, and its child
 * processes (notebook kernels) inherit it.
 *
 * ## Protocol
 *
 * - The lock is the file {@linkcode LOCK_FILE} in the lakehouse root: JSON
 *   ({@linkcode LockHolder}: pid, host, start time, owner, process start time, token), mode 0600.
 *   It is created complete and atomically with `Storage.putIfAbsent`: locally a temporary file
 *   hard-linked to its name, which fails if the name exists (the same create-if-absent as
 *   `O_EXCL`, without a window where another process reads a half-written file); on Azure an
 *   upload with `If-None-Match: *`.
 * - Held by a live process: {@linkcode acquireLakehouseLock} polls every `pollMs` for up to
 *   `waitMs`, then throws {@linkcode LakehouseLockedError}.
 * - Held by a dead process of the same host (no such pid, a zombie, or the pid now belongs to a
 *   process with another start time: PID reuse): the lock is stale and is taken over; the
 *   result's `tookOverFrom` says from whom.
 * - Held by another host: never taken over (its processes cannot be checked from here); the
 *   error says how to remove the file by hand.
 * - Takeover: a compare-and-swap (`Storage.replaceIfVersion`): a taker reads the lock file with
 *   its version, and replaces it by its own only if it still holds the stale token and is still
 *   that version (the name never disappears, so no writer creating a new lock can slip in
 *   between). So of concurrent takers, exactly one wins; the others then see a live holder.
 *   Locally, takers serialise on an advisory `flock` of {@linkcode TAKEOVER_FILE}, under which
 *   the file is re-read and renamed over; the kernel drops a `flock` when its process dies, so
 *   this guard never goes stale, and the guard file stays (unlinking a `flock`ed file lets two
 *   processes lock two different inodes). On Azure the replace is an upload with `If-Match` of
 *   the ETag read. Renaming the stale file away instead is not safe alone: a slow taker could
 *   rename the fresh lock a faster taker just created.
 * - Child processes: the parent passes {@linkcode LakehouseLock.env}
 *   (`ECO2MIX_LAKEHOUSE_LOCK=<token>`) to them; in a child, `acquireLakehouseLock` returns an
 *   `inherited` lock when the file holds that token, and its `release` leaves the file alone.
 * - `release` removes the file only if it still holds this lock's token (and, on Azure, only if it
 *   is still the blob version read).
 *
 * Liveness is read from `/proc`; where there is none, a lock of the same host is treated as
 * live (never taken over automatically). Processes of one host must share a PID namespace and a
 * host name: two containers with the same host name and separate PID namespaces sharing a
 * lakehouse folder would see each other's locks as stale.
 *
 * @module
 */

import { DeltaError } from "./errors.ts";
import { isRemoteLocation, joinLocation, locate, type VersionedObject } from "./storage.ts";

/** Name of the lock file in the lakehouse root. */
export const LOCK_FILE = "_lakehouse.lock";

/**
 * Name of the file whose `flock` serialises takeovers of a stale lock in a local folder (kept in
 * place): the local storage's guard of a compare-and-swap of {@linkcode LOCK_FILE}.
 */
export const TAKEOVER_FILE = `${LOCK_FILE}.takeover`;

/** Environment variable through which child processes inherit their parent's lock. */
export const LAKEHOUSE_LOCK_ENV = "ECO2MIX_LAKEHOUSE_LOCK";

const DEFAULT_POLL_MS = 250;

/** Content of the lock file: who holds the lock. */
export interface LockHolder {
  /** Process id of the holder. */
  pid: number;
  /** Host name of the holder (`Deno.hostname()`). */
  host: string;
  /** When the lock was taken, ISO 8601 UTC. */
  started_at: string;
  /** Who holds it, e.g. a run id (null when not given). */
  owner: string | null;
  /**
   * Start time of the holder process in clock ticks after boot (field 22 of
   * `/proc/<pid>/stat`), which tells a reused pid from the holder; null without `/proc`.
   */
  process_start: number | null;
  /** Random token of this acquisition (what children inherit). */
  token: string;
}

/** Options of {@linkcode acquireLakehouseLock}. */
export interface LakehouseLockOptions {
  /** Who takes the lock, e.g. a run id: written in the file and shown to waiting writers. */
  owner?: string;
  /** How long to wait for a live holder, in ms (default 0: fail at once). */
  waitMs?: number;
  /** Interval between two looks at the lock file while waiting, in ms (default 250). */
  pollMs?: number;
}

/** A held (or inherited) lakehouse lock. */
export interface LakehouseLock extends AsyncDisposable {
  /** Location of the lock file (an absolute path, or an `az://` location). */
  readonly path: string;
  /** What the lock file holds: this process, or the parent it was inherited from. */
  readonly holder: LockHolder;
  /** True in a child process that inherited its parent's lock (release is then a no-op). */
  readonly inherited: boolean;
  /** The dead holder of a stale lock this acquisition took over, or null. */
  readonly tookOverFrom: LockHolder | null;
  /** Environment to give child processes so that they inherit the lock. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Removes the lock file if it still holds this lock's token. Returns true when it did;
   * false for an inherited lock, a second call, or a file that is gone or no longer ours.
   */
  release(): Promise<boolean>;
}

/**
 * The lakehouse is locked by another writer (or its lock file cannot be read). The message
 * names the holder (pid, host, start time, owner) and the lock file, and says what to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LakehouseLockedError } from "./lock.ts";
 * const e = new LakehouseLockedError("/data/lakehouse is locked", "/data/lakehouse/_lakehouse.lock", null);
 * assert.equal(e.name, "LakehouseLockedError");
 * assert.equal(e.path, "/data/lakehouse/_lakehouse.lock");
 * ```
 */
export class LakehouseLockedError extends DeltaError {
  override name = "LakehouseLockedError";
  /** Location of the lock file. */
  readonly path: string;
  /** The holder, or null when the lock file could not be read. */
  readonly holder: LockHolder | null;
  /** Creates the error for the lock file at `path`. */
  constructor(message: string, path: string, holder: LockHolder | null) {
    super(message);
    this.path = path;
    this.holder = holder;
  }
}

/**
 * Takes the write lock of the lakehouse at `dir`, a local folder (created if missing) or an
 * `az://` location.
 *
 * Resolves at once when the lock is free, stale (its process died on this host; see
 * `tookOverFrom`), or already held by the parent run (`inherited`, through
 * {@linkcode LAKEHOUSE_LOCK_ENV}). While a live process holds it, polls every `pollMs` for up
 * to `waitMs` (default 0), then rejects with {@linkcode LakehouseLockedError}; a lock taken on
 * another host is never taken over. Release it with `release()` or `await using`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireLakehouseLock, LakehouseLockedError } from "./lock.ts";
 * const dir = await Deno.makeTempDir();
 * {
 *   await using lock = await acquireLakehouseLock(dir, { owner: "run-42" });
 *   assert.equal(lock.holder.pid, Deno.pid);
 *   assert.equal(lock.tookOverFrom, null);
 *   // A second writer (here the same process) finds it held:
 *   await assert.rejects(acquireLakehouseLock(dir), LakehouseLockedError);
 *   // Child processes get `lock.env` to write the same lakehouse:
 *   // new Deno.Command(Deno.execPath(), { args, env: lock.env }).spawn();
 * } // released here
 * const again = await acquireLakehouseLock(dir);
 * assert.equal(await again.release(), true);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function acquireLakehouseLock(
  dir: string,
  options: LakehouseLockOptions = {},
): Promise<LakehouseLock> {
  const path = joinLocation(dir, LOCK_FILE);
  const waitMs = options.waitMs ?? 0;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const inheritedToken = Deno.env.get(LAKEHOUSE_LOCK_ENV);
  const me: LockHolder = {
    pid: Deno.pid,
    host: Deno.hostname(),
    started_at: new Date().toISOString(),
    owner: options.owner ?? null,
    process_start: (await processStat(Deno.pid))?.start ?? null,
    token: crypto.randomUUID(),
  };
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await create(path, me)) return new HeldLock(path, me, false, null);
    const current = await readHolder(path);
    if (current === null) continue; // released between our attempt and our read
    const holder = current.holder;
    if (inheritedToken !== undefined && holder.token === inheritedToken) {
      return new HeldLock(path, holder, true, null);
    }
    const state = holder.host === me.host ? await processState(holder, me) : "other host";
    if (state === "dead") {
      if (await takeOver(path, current, me)) return new HeldLock(path, me, false, holder);
      continue; // another taker won: look at its lock
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new LakehouseLockedError(lockedMessage(dir, path, holder, state, waitMs), path, holder);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
}

class HeldLock implements LakehouseLock {
  #released = false;
  constructor(
    readonly path: string,
    readonly holder: LockHolder,
    readonly inherited: boolean,
    readonly tookOverFrom: LockHolder | null,
  ) {}

  get env(): Readonly<Record<string, string>> {
    return { [LAKEHOUSE_LOCK_ENV]: this.holder.token };
  }

  async release(): Promise<boolean> {
    if (this.inherited || this.#released) return false;
    this.#released = true;
    const { storage, key } = locate(this.path);
    const current = await storage.readVersioned(key);
    if (current === null || tokenOf(decode(current.bytes)) !== this.holder.token) return false;
    return await storage.deleteIfVersion(key, current.version);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

function serialise(holder: LockHolder): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(holder, null, 2) + "\n");
}

function create(path: string, holder: LockHolder): Promise<boolean> {
  const { storage, key } = locate(path);
  return storage.putIfAbsent(key, serialise(holder), { mode: 0o600 });
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** A local file's text (`/proc`), or null when it does not exist. */
async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

function tokenOf(text: string): string | undefined {
  try {
    return JSON.parse(text)?.token;
  } catch {
    return undefined;
  }
}

/** The lock file as read, and its holder. */
interface ReadLock {
  holder: LockHolder;
  object: VersionedObject;
}

/** How to remove a lock file by hand. */
function removeHint(path: string): string {
  return isRemoteLocation(path)
    ? `delete the blob ${path} (e.g. az storage blob delete)`
    : `rm '${path}'`;
}

/** The holder in the lock file, or null when there is no lock file. */
async function readHolder(path: string): Promise<ReadLock | null> {
  const unusable = (why: string) =>
    new LakehouseLockedError(
      `${path}: lock file ${why}; if no process is writing this lakehouse, remove it ` +
        `(${removeHint(path)})`,
      path,
      null,
    );
  let object: VersionedObject | null;
  try {
    const { storage, key } = locate(path);
    object = await storage.readVersioned(key);
  } catch (e) {
    if (e instanceof Deno.errors.PermissionDenied) {
      throw unusable("cannot be read (permission denied: probably held by another user)");
    }
    throw e;
  }
  if (object === null) return null;
  let h: Partial<LockHolder>;
  try {
    h = JSON.parse(decode(object.bytes));
  } catch (e) {
    throw unusable(`is not valid JSON (${(e as Error).message})`);
  }
  const valid = h !== null && typeof h === "object" && Number.isInteger(h.pid) &&
    typeof h.host === "string" && typeof h.started_at === "string" &&
    typeof h.token === "string" && (h.owner === null || typeof h.owner === "string") &&
    (h.process_start === null || typeof h.process_start === "number");
  if (!valid) throw unusable("does not have the expected fields");
  return { holder: h as LockHolder, object };
}

/**
 * State (R, S, Z...) and start time of a process from `/proc/<pid>/stat`, or null when there is
 * no such process (or no `/proc`).
 */
async function processStat(pid: number): Promise<{ state: string; start: number } | null> {
  const text = await readText(`/proc/${pid}/stat`);
  if (text === null) return null;
  // Field 2 (the command name) is in parentheses and may hold spaces and ")": fields 3 and
  // later follow the last ")". Field 3 is the state, field 22 the start time.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], start: Number(fields[19]) };
}

type HolderState = "alive" | "dead" | "unknown" | "other host";

async function processState(holder: LockHolder, me: LockHolder): Promise<HolderState> {
  if (me.process_start === null) return "unknown"; // no /proc here
  const stat = await processStat(holder.pid);
  if (stat === null || stat.state === "Z" || stat.state === "X") return "dead";
  if (holder.process_start !== null && stat.start !== holder.process_start) return "dead";
  return "alive";
}

/**
 * Replaces the stale lock read as `stale` by ours; false when another writer got the lock first.
 * Only takers replace a lock file and a dead holder cannot release it, so the file still at the
 * version read still holds the stale token when the replace lands.
 */
async function takeOver(path: string, stale: ReadLock, me: LockHolder): Promise<boolean> {
  const { storage, key } = locate(path);
  return await storage.replaceIfVersion(key, serialise(me), stale.object.version, { mode: 0o600 });
}

function lockedMessage(
  dir: string,
  path: string,
  h: LockHolder,
  state: HolderState,
  waitMs: number,
): string {
  const started = h.process_start === null
    ? ""
    : `, process started ${h.process_start} clock ticks after boot`;
  const what = `${dir} is locked by another writer: pid ${h.pid} on host ${h.host}` +
    ` (lock taken ${h.started_at}${started}), owner ${h.owner ?? "not given"}; ` +
    `lock file ${path}. Waited ${waitMs} ms.`;
  const remove = `remove the lock file (${removeHint(path)})`;
  switch (state) {
    case "other host":
      return `${what} The holder runs on another host, whose processes cannot be checked from ` +
        `${Deno.hostname()}, so its lock is never taken over automatically: if no process on ` +
        `${h.host} is writing this lakehouse any more, ${remove}.`;
    case "unknown":
      return `${what} This system has no /proc to tell whether that process still runs: if it ` +
        `has ended, ${remove}.`;
    default:
      return `${what} That process is still running on this host: wait for it to end (waitMs) ` +
        `or stop it; a lock left by a process that died is taken over automatically.`;
  }
}
