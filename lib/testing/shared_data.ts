/**
 * Where tests and benchmarks find the real RTE data (never copied into the project).
 *
 * The folder defaults to `../shared/data` next to the project root and can be moved with the
 * `ECO2MIX_SHARED_DATA` environment variable. A missing file throws: a test that silently skips
 * real data would pass without checking anything.
 *
 * @module
 */

import { join } from "node:path";
import { PATHS } from "../paths.ts";

/**
 * Absolute path of a file under the shared data folder.
 *
 * @example
 * ```ts
 * import { sharedDataPath } from "./shared_data.ts";
 * const tr2025 = sharedDataPath("eco2mix/eCO2mix_RTE_En-cours-TR_2025-01_2025-07.xls");
 * ```
 */
export function sharedDataPath(...parts: string[]): string {
  const root = Deno.env.get("ECO2MIX_SHARED_DATA") ?? join(PATHS.root, "..", "shared", "data");
  const path = join(root, ...parts);
  try {
    Deno.statSync(path);
  } catch {
    throw new Error(
      `Shared test data not found: ${path}. Set ECO2MIX_SHARED_DATA to the folder holding ` +
        "eco2mix/, weather/, delta-golden/ (see README, section Tests).",
    );
  }
  return path;
}

/** RTE's spelling of the 12 mainland regions in its regional file names. */
export const MAINLAND_REGIONS: readonly string[] = [
  "Auvergne-Rhône-Alpes",
  "Bourgogne-Franche-Comté",
  "Bretagne",
  "Centre-Val-de-Loire",
  "Grand-Est",
  "Hauts-de-France",
  "Ile-de-France",
  "Normandie",
  "Nouvelle-Aquitaine",
  "Occitanie",
  "PACA",
  "Pays-de-la-Loire",
];

/**
 * Paths, relative to the shared data folder, of the 12 regional definitive files of 2014: a
 * whole year of mainland France, whose sum is RTE's national perimeter.
 *
 * @example
 * ```ts
 * import { REGIONAL_2014, sharedDataPath } from "./shared_data.ts";
 * console.assert(REGIONAL_2014.length === 12 && Deno.statSync(sharedDataPath(REGIONAL_2014[0])).isFile);
 * ```
 */
export const REGIONAL_2014: readonly string[] = MAINLAND_REGIONS.map((r) =>
  `eco2mix/regional/eCO2mix_RTE_${r}_Annuel-Definitif_2014.xls`
);
