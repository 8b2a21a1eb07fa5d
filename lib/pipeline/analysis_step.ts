/**
 * Analysis step: `eco2mix_silver` → `anomalies` and `evenements_anomalies`.
 *
 * Why anomalies are stored while the other analyses are not: they are events users follow up
 * (a record peak, a production drop) and look up later by date, whereas rolling means, trends
 * and profiles are cheap views recomputed in notebook 06 from silver and gold.
 *
 * @module
 */

import pl from "nodejs-polars";
import {
  type AnomalyEventOptions,
  anomalyEvents,
  anomalyScores,
  detectAnomalies,
} from "../analysis/mod.ts";
import { withNationalView } from "../layers/gold.ts";
import { type LakehouseCatalog, TABLE } from "./catalog.ts";

/** What {@linkcode refreshAnomalies} wrote. */
export interface AnomalyTables {
  /** The anomalous steps (`anomalies`). */
  anomalies: pl.DataFrame;
  /** The same steps grouped into events (`evenements_anomalies`). */
  events: pl.DataFrame;
}

/**
 * Detects anomalies on the eCO2mix series of silver (national view of regional files
 * included), groups them into events, and replaces the `anomalies` and
 * `evenements_anomalies` tables; returns the frames written.
 *
 * @example
 * ```ts ignore
 * const { anomalies, events } = await refreshAnomalies(openCatalog());
 * ```
 */
export async function refreshAnomalies(
  catalog: LakehouseCatalog,
  options: AnomalyEventOptions = {},
): Promise<AnomalyTables> {
  // The history's files (consommation_brute) are skipped by their stats, not read and dropped.
  const eco2mix = withNationalView(
    await catalog.table(TABLE.eco2mix_silver).read({
      where: [{ column: "jeu_donnees", eq: "eco2mix" }],
    }),
  );
  // Scored once for both tables: the weekly-slot medians are the costly part.
  const scored = { ...options, scores: anomalyScores(eco2mix, options) };
  const anomalies = detectAnomalies(eco2mix, scored);
  const events = anomalyEvents(eco2mix, scored);
  await catalog.table(TABLE.anomalies).overwrite(anomalies, { overwriteSchema: true });
  await catalog.table(TABLE.evenements_anomalies).overwrite(events, { overwriteSchema: true });
  return { anomalies, events };
}
