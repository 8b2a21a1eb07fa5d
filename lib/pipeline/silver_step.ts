/**
 * Silver step: `eco2mix_bronze` → `eco2mix_silver` and its companions (`previsions_rte`,
 * `lacunes`, `rejets_bronze`), checked by the data-quality rules (`qualite_donnees`,
 * `quarantaine`).
 *
 * Why silver is rebuilt from the whole of bronze: overlap precedence (definitive over
 * consolidated over real-time, then the latest ingestion) and gap interpolation look across
 * files, so a silver row depends on every file covering its instant. Rebuilding takes well
 * under a second per year of national data, and each table is replaced in one Delta commit, so
 * readers see either the previous silver or the new one, never a mix. The quality rules run
 * before anything is written: a `fail` rule stops the step with the tables unchanged, and rows
 * failing a `quarantine` rule go to `quarantaine` instead of silver. When no row is left for
 * silver, the step stops with {@linkcode EmptySilverError} after writing the tables that say why.
 *
 * @module
 */

import type pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import { type SilverOptions, toSilver } from "../layers/silver.ts";
import { checkQuality } from "../quality/mod.ts";

/** What the silver step wrote. */
export interface SilverReport {
  /** Version of `eco2mix_silver` written. */
  version: number;
  /** Rows per written table. */
  rows: Record<string, number>;
  /** Per source file: bronze lines and where each went (see `toSilver`). */
  bilan: pl.DataFrame;
  /** Data-quality results (also written to `qualite_donnees`). */
  qualite: pl.DataFrame;
}

/** Bronze is empty: nothing to build silver from. */
export class EmptyBronzeError extends Error {
  override name = "EmptyBronzeError";
}

/**
 * Every bronze line was set aside (rejected or quarantined): silver would be empty. The message
 * is French, for the notebook reader, and names the tables that say why.
 */
export class EmptySilverError extends Error {
  override name = "EmptySilverError";
}

/**
 * Reads the current bronze snapshot, builds silver and replaces the silver tables.
 *
 * @example
 * ```ts ignore
 * const report = await refreshSilver(openCatalog(), { invalidValues: "quarantine" });
 * console.log(report.rows);
 * ```
 */
export async function refreshSilver(
  catalog: Catalog,
  options: SilverOptions = {},
): Promise<SilverReport> {
  const bronzeTable = catalog.table("eco2mix_bronze");
  if (!(await bronzeTable.exists())) {
    throw new EmptyBronzeError("eco2mix_bronze does not exist yet: run the bronze step first");
  }
  const result = toSilver(await bronzeTable.read(), options);
  const quality = checkQuality(result.silver);
  const outputs: [string, pl.DataFrame][] = [
    ["previsions_rte", result.previsions],
    ["lacunes", result.lacunes],
    ["rejets_bronze", result.rejets],
    ["qualite_donnees", quality.qualite_donnees],
    ["quarantaine", quality.quarantaine],
    ["eco2mix_silver", quality.valides],
  ];
  const rows: Record<string, number> = {};
  let version = -1;
  if (quality.valides.height === 0) {
    // The tables that say why are written; silver keeps its previous version.
    for (const [name, frame] of outputs.slice(0, -1)) {
      await catalog.table(name).overwrite(frame, { overwriteSchema: true });
    }
    throw new EmptySilverError(
      `aucune ligne de bronze ne devient une ligne silver : ${result.rejets.height} lignes ` +
        `rejetées (table rejets_bronze), ${quality.quarantaine.height} en quarantaine (table ` +
        `quarantaine) ; eco2mix_silver garde sa version précédente`,
    );
  }
  for (const [name, frame] of outputs) {
    // A code change may add derived columns: replacing a derived table's schema is a logged
    // metaData change in its Delta history.
    const commit = await catalog.table(name).overwrite(frame, { overwriteSchema: true });
    rows[name] = frame.height;
    if (name === "eco2mix_silver") version = commit.version;
  }
  return { version, rows, bilan: result.bilan, qualite: quality.qualite_donnees };
}
