/**
 * Maintenance of the gold tables, as Databricks users run it: OPTIMIZE (bin-packing the small
 * files each rebuild leaves) with ZORDER BY date, then VACUUM with the tables' retention.
 *
 * Why ZORDER BY date on gold: users read gold by period (a day, a month); clustering rows by
 * date lets readers skip files from their min/max statistics. Why VACUUM keeps 7 days: older
 * versions stay readable by time travel for that long, as Delta's default promises.
 *
 * @module
 */

import type { LakehouseCatalog, TableName } from "./catalog.ts";

/** One table's maintenance. */
export interface TableMaintenance {
  table: string;
  fichiers_avant: number;
  octets_avant: number;
  fichiers_apres: number;
  octets_apres: number;
  /** Version written by OPTIMIZE (null: nothing to compact). */
  version_optimize: number | null;
  zorder: string;
  /** Files VACUUM deleted (older than the retention and no longer referenced). */
  fichiers_supprimes: number;
}

async function footprint(catalog: LakehouseCatalog, name: TableName): Promise<[number, number]> {
  const files = await catalog.table(name).files();
  return [files.length, files.reduce((n, f) => n + f.size, 0)];
}

/**
 * Runs OPTIMIZE (ZORDER BY `date` where the table has it) and VACUUM on every existing table
 * of `layer`, and says what changed.
 *
 * @example
 * ```ts ignore
 * console.table(await maintainLayer(openCatalog(), "gold"));
 * ```
 */
export async function maintainLayer(
  catalog: LakehouseCatalog,
  layer: string,
  options: { retentionHours?: number } = {},
): Promise<TableMaintenance[]> {
  const out: TableMaintenance[] = [];
  for (const { name } of catalog.list().filter((t) => t.layer === layer)) {
    const table = catalog.table(name);
    if (!(await table.exists())) continue;
    const [fichiers_avant, octets_avant] = await footprint(catalog, name);
    const columns = (await table.schema()).fields.map((f) => f.name);
    const zOrderBy = columns.includes("date") ? ["date"] : undefined;
    const commit = await table.optimize({ zOrderBy });
    const vacuum = await table.vacuum({ retentionHours: options.retentionHours });
    const [fichiers_apres, octets_apres] = await footprint(catalog, name);
    out.push({
      table: name,
      fichiers_avant,
      octets_avant,
      fichiers_apres,
      octets_apres,
      version_optimize: commit?.version ?? null,
      zorder: zOrderBy?.join(", ") ?? "",
      fichiers_supprimes: vacuum.files.length,
    });
  }
  return out;
}
