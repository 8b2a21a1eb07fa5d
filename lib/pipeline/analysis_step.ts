/**
 * Analysis step: `eco2mix_silver` → `anomalies`.
 *
 * Why anomalies are stored while the other analyses are not: they are events users follow up
 * (a record peak, a production drop) and look up later by date, whereas rolling means, trends
 * and profiles are cheap views recomputed in notebook 06 from silver and gold.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import { type AnomalyOptions, detectAnomalies } from "../analysis/mod.ts";
import { withNationalView } from "../layers/gold.ts";

/**
 * Detects anomalies on the eCO2mix series of silver (national view of regional files
 * included) and replaces the `anomalies` table; returns the frame written.
 *
 * @example
 * ```ts ignore
 * const anomalies = await refreshAnomalies(openCatalog());
 * ```
 */
export async function refreshAnomalies(
  catalog: Catalog,
  options: AnomalyOptions = {},
): Promise<pl.DataFrame> {
  const silver = await catalog.table("eco2mix_silver").read();
  const eco2mix = withNationalView(silver.filter(pl.col("jeu_donnees").eq(pl.lit("eco2mix"))));
  const anomalies = detectAnomalies(eco2mix, options);
  await catalog.table("anomalies").overwrite(anomalies, { overwriteSchema: true });
  return anomalies;
}
