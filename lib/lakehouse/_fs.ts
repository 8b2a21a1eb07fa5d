/**
 * File system primitives of the writer: atomic replace and put-if-absent.
 *
 * @module
 */

import { dirname, join } from "node:path";

function tempName(target: string): string {
  return join(dirname(target), `.${crypto.randomUUID()}.tmp`);
}

/**
 * Writes a file through a temporary sibling and a rename (readers see old or new, whole; the
 * name never disappears). `mode` sets the permissions of the new file (e.g. 0o600).
 */
export async function writeFileAtomic(
  target: string,
  bytes: Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const tmp = tempName(target);
  await Deno.writeFile(tmp, bytes, options);
  try {
    await Deno.rename(tmp, target);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * Creates `target` with these bytes only if it does not exist yet, atomically: the bytes go to
 * a temporary file that is then hard-linked to the target (a link never replaces an existing
 * file, and readers never see it half-written). Returns false when another writer created the
 * target first. `mode` sets the permissions of the new file (e.g. 0o600).
 */
export async function putIfAbsent(
  target: string,
  bytes: Uint8Array,
  options: { mode?: number } = {},
): Promise<boolean> {
  const tmp = tempName(target);
  await Deno.writeFile(tmp, bytes, options);
  try {
    await Deno.link(tmp, target);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}
