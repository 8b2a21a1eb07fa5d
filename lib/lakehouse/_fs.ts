/**
 * File system primitives of the writer: atomic replace, put-if-absent and directory creation,
 * all durable. A write reported done survives a crash or a power loss: the bytes are synced
 * (fsync) before the name that publishes them is created, and the directory holding a new name
 * is synced after it. The fsync calls go through {@linkcode durability}, which tests replace to
 * observe them.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";

/**
 * The fsync calls of the writer. Tests replace these functions (and restore them) to see which
 * files and folders are synced, and when.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durability, writeFileAtomic } from "./_fs.ts";
 * const dir = await Deno.makeTempDir();
 * const { syncFile, syncDirectory } = durability;
 * const synced: string[] = [];
 * durability.syncFile = (path) => (synced.push(`file ${path.endsWith(".tmp")}`), syncFile(path));
 * durability.syncDirectory = (path) => (synced.push(`dir ${path === dir}`), syncDirectory(path));
 * try {
 *   await writeFileAtomic(`${dir}/a.json`, new TextEncoder().encode("{}"));
 * } finally {
 *   Object.assign(durability, { syncFile, syncDirectory });
 * }
 * assert.deepEqual(synced, ["file true", "dir true"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const durability = {
  /** Flushes a file's bytes and metadata to the disk. */
  syncFile: (path: string): Promise<void> => sync(path),
  /** Flushes a directory's entries (names created, linked or renamed in it) to the disk. */
  syncDirectory: (path: string): Promise<void> => sync(path),
};

async function sync(path: string): Promise<void> {
  // fsync needs no write access: a read-only handle flushes the whole file (or directory).
  const file = await Deno.open(path);
  try {
    await file.sync();
  } finally {
    file.close();
  }
}

function tempName(target: string): string {
  return join(dirname(target), `.${crypto.randomUUID()}.tmp`);
}

/**
 * Writes a file through a temporary sibling and a rename (readers see old or new, whole; the
 * name never disappears), durably. `mode` sets the permissions of the new file (e.g. 0o600).
 */
export async function writeFileAtomic(
  target: string,
  bytes: Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const tmp = tempName(target);
  await Deno.writeFile(tmp, bytes, options);
  try {
    await durability.syncFile(tmp);
    await Deno.rename(tmp, target);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  await durability.syncDirectory(dirname(target));
}

/**
 * Creates `target` with these bytes only if it does not exist yet, atomically and durably: the
 * bytes go to a temporary file, synced, that is then hard-linked to the target (a link never
 * replaces an existing file, and readers never see it half-written); the directory is synced
 * after the link. Returns false when another writer created the target first. `mode` sets the
 * permissions of the new file (e.g. 0o600).
 */
export async function putIfAbsent(
  target: string,
  bytes: Uint8Array,
  options: { mode?: number } = {},
): Promise<boolean> {
  const tmp = tempName(target);
  await Deno.writeFile(tmp, bytes, options);
  try {
    await durability.syncFile(tmp);
    await Deno.link(tmp, target);
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
  await durability.syncDirectory(dirname(target));
  return true;
}

/**
 * Creates a directory and its missing parents, durably: the entry of each new directory is
 * synced in its parent. Returns the directories it created, outermost first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeDirectory } from "./_fs.ts";
 * const root = await Deno.makeTempDir();
 * assert.deepEqual(await makeDirectory(`${root}/a/b`), [`${root}/a`, `${root}/a/b`]);
 * assert.deepEqual(await makeDirectory(`${root}/a/b`), []);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function makeDirectory(path: string): Promise<string[]> {
  const missing: string[] = [];
  for (let dir = resolve(path); !(await exists(dir)); dir = dirname(dir)) missing.unshift(dir);
  if (!missing.length) return [];
  await Deno.mkdir(path, { recursive: true });
  for (const dir of missing) await durability.syncDirectory(dirname(dir));
  return missing;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
