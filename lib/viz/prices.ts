/**
 * The daily wholesale price chart from the gold table `prix_mix_quotidien`: the data the
 * dashboard carries and the figure of notebook 10 (same portable spec, `_core_prices.ts`).
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Figure } from "./_core_data.ts";
import { type PriceData, priceSpec } from "./_core_prices.ts";
import { requireColumns } from "./_frame.ts";

/**
 * The daily prices of one perimeter (`prix_mix_quotidien`) for the chart, in date order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toPriceData } from "./prices.ts";
 * const daily = pl.DataFrame({
 *   perimetre: ["France", "France"],
 *   date: [new Date("2025-05-11T00:00:00Z"), new Date("2025-05-10T00:00:00Z")],
 *   prix_eur_mwh: [-5.2, 40], part_renouvelables_pct: [41.26, 30.04],
 *   categorie_prix: ["negatif", "normal"],
 * }).withColumn(pl.col("date").cast(pl.Date));
 * const p = toPriceData(daily, "France");
 * assert.deepEqual(p.days, ["2025-05-10", "2025-05-11"]);
 * assert.deepEqual(p.renewableSharePct, [30, 41.3]);
 * ```
 */
export function toPriceData(daily: pl.DataFrame, perimetre: string): PriceData {
  requireColumns(daily, "prix_mix_quotidien", [
    "date",
    "prix_eur_mwh",
    "part_renouvelables_pct",
    "categorie_prix",
  ]);
  const rows =
    (daily.columns.includes("perimetre")
      ? daily.filter(pl.col("perimetre").eq(pl.lit(perimetre)))
      : daily).sort("date").select(
        pl.col("date").dt.strftime("%Y-%m-%d"),
        "prix_eur_mwh",
        pl.col("part_renouvelables_pct").round(1),
        "categorie_prix",
      );
  const values = <T>(column: string) => rows.getColumn(column).toArray() as T[];
  return {
    days: values<string>("date"),
    price: values<number>("prix_eur_mwh"),
    renewableSharePct: values<number | null>("part_renouvelables_pct"),
    category: values<string>("categorie_prix"),
  };
}

/**
 * The daily price and renewable share of the period (notebook 10), from `prix_mix_quotidien`
 * (its first perimeter when `perimetre` is not given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { priceFigure } from "./prices.ts";
 * const daily = pl.DataFrame({
 *   perimetre: ["France"], date: [new Date("2025-05-11T00:00:00Z")], prix_eur_mwh: [-5.2],
 *   part_renouvelables_pct: [41.3], categorie_prix: ["negatif"],
 * }).withColumn(pl.col("date").cast(pl.Date));
 * assert.equal(priceFigure(daily).data[2].name, "Prix négatif");
 * ```
 */
export function priceFigure(daily: pl.DataFrame, perimetre?: string): Figure {
  const chosen = perimetre ??
    (daily.columns.includes("perimetre") && daily.height > 0
      ? String(daily.getColumn("perimetre").toArray()[0])
      : "");
  return priceSpec(toPriceData(daily, chosen), "", "");
}
