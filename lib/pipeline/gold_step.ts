/**
 * Gold step: `eco2mix_silver` → the KPI tables of the brief.
 *
 * Why gold is rebuilt whole from silver: silver itself is rebuilt from all of bronze, and the
 * gold tables are small aggregates (a year of national data gives about 200k hourly rows at
 * most), so recomputing them is cheaper and safer than tracking which days changed. Each table
 * is replaced in one Delta commit.
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import { buildGold, GOLD_TABLES, type GoldOptions } from "../layers/gold.ts";

/** What the gold step wrote: rows and version per table. */
export interface GoldReport {
  tables: { table: string; lignes: number; version: number }[];
  /** The frames written, for display without reading them back. */
  frames: Record<string, pl.DataFrame>;
}

/** Silver does not exist yet. */
export class EmptySilverError extends Error {
  override name = "EmptySilverError";
}

/**
 * Reads the current silver snapshot, builds every gold table and replaces them.
 *
 * @example
 * ```ts ignore
 * const report = await refreshGold(openCatalog());
 * console.log(report.tables);
 * ```
 */
export async function refreshGold(
  catalog: Catalog,
  options: GoldOptions = {},
): Promise<GoldReport> {
  const silverTable = catalog.table("eco2mix_silver");
  if (!(await silverTable.exists())) {
    throw new EmptySilverError("eco2mix_silver does not exist yet: run the silver step first");
  }
  const gold = buildGold(await silverTable.read(), options);
  const tables: GoldReport["tables"] = [];
  const frames: Record<string, pl.DataFrame> = {};
  for (const name of GOLD_TABLES) {
    const frame = gold[name];
    // Derived tables follow the code: a new column is a logged metaData change.
    const commit = await catalog.table(name).overwrite(frame, { overwriteSchema: true });
    tables.push({ table: name, lignes: frame.height, version: commit.version });
    frames[name] = frame;
  }
  return { tables, frames };
}
