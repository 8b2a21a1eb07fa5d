/**
 * Daily wholesale prices against the day's consumption, mix and CO2 intensity: which of them
 * moves the price, and the days of negative or extreme prices.
 *
 * Prices are national (one day-ahead price for France): join them to the national perimeter
 * (`France`, or the sum of the regions).
 *
 * @module
 */

import pl from "nodejs-polars";
import { requireColumns } from "./_input.ts";

/** The gold and silver frames {@linkcode dailyPriceMix} joins the prices to. */
export interface DailyPriceInputs {
  /** Gold `mix_energetique_quotidien`. */
  readonly mix: pl.DataFrame;
  /** Gold `empreinte_carbone` (hourly tonnes and production). */
  readonly carbon: pl.DataFrame;
  /** Silver rows (`perimetre`, `date_locale`, `consommation`, `pas_minutes`). */
  readonly silver: pl.DataFrame;
}

/** Options of {@linkcode dailyPriceMix}. */
export interface PriceCategoryOptions {
  /** Percentile (0-50) below which a day's price is `tres_bas`, above 100 - it `tres_eleve`. */
  readonly tailPercent?: number;
}

/**
 * `prix_mix_quotidien`: one row per perimeter and local day that has a price and a mix.
 *
 * Columns: `perimetre`, `date`, `prix_eur_mwh`; `consommation_mwh` (Σ consumption × step of the
 * day, from silver); `part_nucleaire_pct`, `part_renouvelables_pct`, `part_fossiles_pct`
 * (shares of the day's production, gold); `taux_co2_gkwh` (the day's production-weighted CO2
 * intensity, Σ tonnes / Σ MWh of `empreinte_carbone`; null without a published rate);
 * `jour_complet` (gold's completeness of the day); `categorie_prix`: `negatif` (< 0),
 * `tres_eleve` (at or above the `100 - tailPercent` percentile of the period's daily prices,
 * default 95th), `tres_bas` (at or below the `tailPercent` percentile, default 5th, and not
 * negative), else `normal`. Sorted by perimeter and date.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { dailyPriceMix } from "./prices.ts";
 * const day = (d: string) => new Date(`${d}T00:00:00Z`);
 * const prices = pl.DataFrame({ date: [day("2025-05-11"), day("2025-05-12")], prix_eur_mwh: [-5.2, 60] })
 *   .withColumn(pl.col("date").cast(pl.Date));
 * const mix = pl.DataFrame({
 *   perimetre: ["France"], date: [day("2025-05-11")], part_nucleaire_pct: [70],
 *   part_renouvelables_pct: [29], part_fossiles_pct: [1], jour_complet: [true],
 * }).withColumn(pl.col("date").cast(pl.Date));
 * const carbon = pl.DataFrame({
 *   perimetre: ["France"], date: [day("2025-05-11")], co2_total_tonnes: [20], production_totale_mwh: [1000],
 * }).withColumn(pl.col("date").cast(pl.Date));
 * const silver = pl.DataFrame({
 *   perimetre: ["France"], date_locale: [day("2025-05-11")], consommation: [40000], pas_minutes: [30],
 * }).withColumn(pl.col("date_locale").cast(pl.Date));
 * const [row] = dailyPriceMix(prices, { mix, carbon, silver }).toRecords();
 * assert.equal(row.prix_eur_mwh, -5.2);
 * assert.equal(row.consommation_mwh, 20_000);
 * assert.equal(row.taux_co2_gkwh, 20);
 * assert.equal(row.categorie_prix, "negatif");
 * ```
 */
export function dailyPriceMix(
  prices: pl.DataFrame,
  inputs: DailyPriceInputs,
  options: PriceCategoryOptions = {},
): pl.DataFrame {
  const tail = options.tailPercent ?? 5;
  requireColumns(prices, ["date", "prix_eur_mwh"], "dailyPriceMix (prices)");
  const shares = ["part_nucleaire_pct", "part_renouvelables_pct", "part_fossiles_pct"];
  requireColumns(inputs.mix, ["perimetre", "date", ...shares, "jour_complet"], "dailyPriceMix");
  requireColumns(
    inputs.carbon,
    ["perimetre", "date", "co2_total_tonnes", "production_totale_mwh"],
    "dailyPriceMix (carbon)",
  );
  requireColumns(
    inputs.silver,
    ["perimetre", "date_locale", "consommation", "pas_minutes"],
    "dailyPriceMix (silver)",
  );
  const consumption = inputs.silver.filter(pl.col("consommation").isNotNull())
    .select("perimetre", pl.col("date_locale").alias("date"), "consommation", "pas_minutes")
    .groupBy(["perimetre", "date"]).agg(
      pl.col("consommation").mul(pl.col("pas_minutes")).div(60).sum().alias("consommation_mwh"),
    );
  // Hours without a rate have null tonnes: their production is left out of the rate too.
  const carbon = inputs.carbon.filter(pl.col("co2_total_tonnes").isNotNull())
    .groupBy(["perimetre", "date"]).agg(
      pl.col("co2_total_tonnes").sum().mul(1000).div(pl.col("production_totale_mwh").sum())
        .alias("taux_co2_gkwh"),
    );
  const price = pl.col("prix_eur_mwh");
  const joined = inputs.mix.select("perimetre", "date", ...shares, "jour_complet")
    .join(prices.select("date", price.cast(pl.Float64)), { on: "date", how: "inner" })
    .join(consumption, { on: ["perimetre", "date"], how: "left" })
    .join(carbon, { on: ["perimetre", "date"], how: "left" });
  return joined.withColumns(
    price.quantile(tail / 100, "linear").over("perimetre").alias("_bas"),
    price.quantile(1 - tail / 100, "linear").over("perimetre").alias("_haut"),
  ).select(
    "perimetre",
    "date",
    "prix_eur_mwh",
    "consommation_mwh",
    ...shares,
    "taux_co2_gkwh",
    "jour_complet",
    pl.when(price.lt(0)).then(pl.lit("negatif"))
      .when(price.gtEq(pl.col("_haut"))).then(pl.lit("tres_eleve"))
      .when(price.ltEq(pl.col("_bas"))).then(pl.lit("tres_bas"))
      .otherwise(pl.lit("normal")).alias("categorie_prix"),
  ).sort(["perimetre", "date"]);
}

/** What the price is correlated with, and the unit of the slope. */
const DRIVERS: readonly { variable: string; x: pl.Expr; unite: string }[] = [
  {
    variable: "consommation_gwh",
    x: pl.col("consommation_mwh").div(1000),
    unite: "€/MWh par GWh consommé",
  },
  { variable: "part_nucleaire_pct", x: pl.col("part_nucleaire_pct"), unite: "€/MWh par point" },
  {
    variable: "part_renouvelables_pct",
    x: pl.col("part_renouvelables_pct"),
    unite: "€/MWh par point",
  },
  { variable: "part_fossiles_pct", x: pl.col("part_fossiles_pct"), unite: "€/MWh par point" },
  { variable: "taux_co2_gkwh", x: pl.col("taux_co2_gkwh"), unite: "€/MWh par g/kWh" },
];

/**
 * Pearson correlation, day by day, between the price and each driver (daily consumption in
 * GWh, nuclear, renewable and fossil shares, CO2 intensity), over the complete days of
 * {@linkcode dailyPriceMix}; with the least-squares slope of the price on the driver and its
 * unit. A driver that never varies (or has no value) has no correlation (null).
 *
 * Columns: `perimetre`, `variable`, `correlation_pearson`, `pente`, `unite_pente`, `nb_jours`,
 * in the order of the drivers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { priceCorrelations } from "./prices.ts";
 * const daily = pl.DataFrame({
 *   perimetre: ["France", "France", "France"], prix_eur_mwh: [40, 60, 80],
 *   consommation_mwh: [1e6, 1.2e6, 1.4e6], part_nucleaire_pct: [70, 70, 70],
 *   part_renouvelables_pct: [30, 25, 20], part_fossiles_pct: [0, 5, 10],
 *   taux_co2_gkwh: [10, 20, 30], jour_complet: [true, true, true],
 * });
 * const r = priceCorrelations(daily).toRecords();
 * assert.equal(r[0].variable, "consommation_gwh");
 * assert.ok(Math.abs((r[0].correlation_pearson as number) - 1) < 1e-12);
 * assert.ok(Math.abs((r[0].pente as number) - 0.1) < 1e-12); // 20 €/MWh per 200 GWh
 * assert.equal(r[1].correlation_pearson, null); // constant nuclear share
 * assert.ok(Math.abs((r[2].pente as number) + 4) < 1e-12);
 * ```
 */
export function priceCorrelations(daily: pl.DataFrame): pl.DataFrame {
  requireColumns(daily, ["perimetre", "prix_eur_mwh", "jour_complet"], "priceCorrelations");
  const complete = daily.filter(pl.col("jour_complet"));
  const long = pl.concat(DRIVERS.map((d, order) =>
    complete.select(
      "perimetre",
      pl.lit(order).alias("_ordre"),
      pl.lit(d.variable).alias("variable"),
      pl.lit(d.unite).alias("unite_pente"),
      d.x.cast(pl.Float64).alias("_x"),
      pl.col("prix_eur_mwh").alias("_y"),
    ).filter(pl.col("_x").isNotNull().and(pl.col("_y").isNotNull()))
  ));
  const r = pl.pearsonCorr("_x", "_y");
  return long.groupBy(["perimetre", "_ordre", "variable", "unite_pente"]).agg(
    r.alias("correlation_pearson"),
    r.mul(pl.col("_y").std()).div(pl.col("_x").std()).alias("pente"),
    pl.len().cast(pl.Int32).alias("nb_jours"),
  ).withColumns(
    pl.col("correlation_pearson").fillNan(null),
    pl.col("pente").fillNan(null),
  ).sort(["perimetre", "_ordre"]).select(
    "perimetre",
    "variable",
    "correlation_pearson",
    "pente",
    "unite_pente",
    "nb_jours",
  );
}
