/**
 * The project's catalogue: every table of the lakehouse, its layer, partitioning, keys and
 * what it holds. Pipeline steps and notebooks name tables only through it (Kedro style), so a
 * reader sees in one place what exists and where.
 *
 * @module
 */

import { Catalog, type TableDefinition } from "../lakehouse/mod.ts";
import { PATHS } from "../paths.ts";

/** Every table, in data-flow order. */
export const TABLES: readonly TableDefinition[] = [
  {
    name: "eco2mix_bronze",
    layer: "bronze",
    description: "Every data line of every ingested file, as read (text cells), with lineage " +
      "(_ingested_at, _source_file, _source_sha256, _source_line). Append-only; a file whose " +
      "content was already ingested is skipped.",
  },
  {
    name: "eco2mix_silver",
    layer: "silver",
    partitionColumns: ["annee_mois"],
    keyColumns: ["jeu_donnees", "perimetre", "timestamp_utc"],
    description: "One row per (jeu_donnees, perimetre, instant): UTC and Paris time, real step, " +
      "values in MW as Float64, derived totals and shares, energies in MWh. Partitioned by " +
      "local month (1,500-3,000 rows per perimeter and month: no tiny files).",
  },
  {
    name: "previsions_rte",
    layer: "silver",
    keyColumns: ["jeu_donnees", "perimetre", "timestamp_utc"],
    description: "RTE's J-1 and J forecasts (and commercial schedules) for instants not yet " +
      "measured: tomorrow's official forecast.",
  },
  {
    name: "lacunes",
    layer: "silver",
    description: "Every gap of the measured series: missing instants and cells, interpolated " +
      "(short gaps) or left null (long gaps), including the autumn DST hour RTE never publishes.",
  },
  {
    name: "qualite_donnees",
    layer: "silver",
    description: "Data-quality rule results per run and file: rule, action, period, rows " +
      "checked, rows failed, worst value.",
  },
  {
    name: "quarantaine",
    layer: "silver",
    description: "Bronze lines kept out of silver by a quarantine rule, with the rule and detail.",
  },
];

/**
 * The catalogue of the lakehouse at `root` (default: the project's `lakehouse/`).
 *
 * @example
 * ```ts
 * import { openCatalog } from "./catalog.ts";
 * const catalog = openCatalog(await Deno.makeTempDir());
 * console.assert(catalog.pathOf("eco2mix_silver").endsWith("/silver/eco2mix_silver"));
 * ```
 */
export function openCatalog(root: string = PATHS.lakehouse): Catalog {
  return new Catalog(root, [...TABLES]);
}
