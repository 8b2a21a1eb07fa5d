/**
 * Advanced analyses of the eCO2mix series, as pure DataFrame -> DataFrame functions over the
 * silver frame (lib/layers/silver.ts) or gold tables (lib/layers/gold.ts):
 *
 * - rolling means on real time (consumption 24 h, renewables 7 days) with window coverage;
 * - monthly trends of the renewable share and offshore wind (slope per month, with its unit);
 * - anomaly detection (weekly-slot Hampel filter, robust MAD score) into an `anomalies` frame,
 *   grouped into events with their energy deviation and likely calendar cause;
 * - weekly seasonality (weekday × hour profile, signed weekend effect);
 * - cleanest and most carbon-intensive hours;
 * - Pearson correlation between mix shares and CO2 intensity;
 * - daily wholesale prices against consumption, mix and CO2 intensity (negative and extreme days);
 * - exploration (notebook 04): statistics per column, consumption extremes, energy by source,
 *   completeness and key findings phrased from the numbers.
 *
 * Every function works per series (`perimetre`, and `jeu_donnees` when present). For a
 * national series from regional files, pass `withNationalView(silver)` from lib/layers/gold.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { consumptionMean24h, weekendEffect } from "./mod.ts";
 * const silver = pl.DataFrame({
 *   perimetre: ["France", "France"],
 *   timestamp_utc: [Date.UTC(2025, 0, 10, 11), Date.UTC(2025, 0, 11, 11)],
 *   date_locale: ["2025-01-10", "2025-01-11"],
 *   pas_minutes: [30, 30],
 *   consommation: [60_000, 54_000],
 * }).withColumns(
 *   pl.col("timestamp_utc").cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
 *   pl.col("date_locale").str.strptime(pl.Date, "%Y-%m-%d"),
 *   pl.col("pas_minutes").cast(pl.Int32),
 * );
 * assert.equal(weekendEffect(silver).getColumn("effet_weekend_pct").toArray()[0], -10);
 * assert.equal(consumptionMean24h(silver).height, 2);
 * ```
 *
 * @module
 */

export { AnalysisInputError } from "./_input.ts";
export * from "./anomalies.ts";
export * from "./anomaly_events.ts";
export * from "./carbon.ts";
export * from "./correlation.ts";
export * from "./exploration.ts";
export * from "./prices.ts";
export * from "./rolling.ts";
export * from "./seasonality.ts";
export * from "./trend.ts";
