/**
 * Files of the reference folder (the notebooks' `reference_dir`) found by name, recursively,
 * so that users can drop reference data anywhere in it: the same rule as the models' reference
 * data (`lib/forecasting/reference.ts`), for inputs outside the models such as daily market prices.
 *
 * @module
 */

import { join } from "node:path";

/**
 * The files under `dir` whose name matches `pattern`, recursively, sorted; an absent folder
 * finds nothing. Symbolic links are followed (a folder of links to a shared store is common);
 * the real path of every folder visited guards against link cycles, and broken links are
 * skipped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findFilesByName } from "./reference_files.ts";
 * import { sharedDataPath } from "../testing/shared_data.ts";
 * const found = await findFilesByName(sharedDataPath(), /^european_wholesale.*\.csv$/);
 * assert.deepEqual(found.map((f) => f.split("/").slice(-2).join("/")), [
 *   "prices/european_wholesale_electricity_price_data_daily_FRA.csv",
 * ]);
 * assert.deepEqual(await findFilesByName("/nonexistent", /x/), []);
 * ```
 */
export async function findFilesByName(dir: string, pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  const visited = new Set<string>();
  async function walk(folder: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      const real = await Deno.realPath(folder);
      if (visited.has(real)) return;
      visited.add(real);
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      const target = entry.isSymlink ? await Deno.stat(path).catch(() => null) : entry;
      if (target?.isDirectory) await walk(path);
      else if (target?.isFile && pattern.test(entry.name)) found.push(path);
    }
  }
  await walk(dir);
  return found.sort();
}
