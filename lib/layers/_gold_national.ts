/**
 * The national view of regional silver rows (private helper of gold.ts).
 *
 * @module
 */

import pl from "nodejs-polars";
import { NATURE_RANK } from "../eco2mix/mod.ts";
import { checkSilver, EMISSION_FACTORS, percent } from "./_gold_frame.ts";

/**
 * `perimetre` of the rows `withNationalView` (gold.ts) adds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NATIONAL_VIEW } from "./_gold_national.ts";
 * assert.ok(NATIONAL_VIEW.startsWith("France (")); // never mistaken for national files
 * ```
 */
export const NATIONAL_VIEW = "France (somme des régions)";

/** Perimeter of RTE's national files: not a region, never summed. */
const FRANCE = "France";
/** Rows of a region (a perimeter the national view sums). */
const REGIONAL = pl.col("perimetre").neq(pl.lit(FRANCE))
  .and(pl.col("perimetre").neq(pl.lit(NATIONAL_VIEW)));

/** Ratios: recomputed from the summed columns, never summed. */
const RATIOS = ["part_renouvelables", "part_bas_carbone", "taux_co2", "taux_co2_recalcule"];
/** Same value in every region at one instant. */
const SHARED = ["date_locale", "heure_locale", "decalage_utc_minutes", "annee", "annee_mois"];
const GROUP = ["jeu_donnees", "timestamp_utc", "pas_minutes"];

/** Sum that is null as soon as one region is null: a missing region must not shrink France. */
function strictSum(column: string): pl.Expr {
  return pl.when(pl.col(column).nullCount().gt(0)).then(pl.lit(null))
    .otherwise(pl.col(column).sum()).alias(column);
}

/** The least advanced revision stage among the regions: the national row is only that good. */
function leastNature(): pl.Expr {
  const entries = Object.entries(NATURE_RANK);
  let rank: pl.Expr = pl.lit(null).cast(pl.Int32);
  for (const [name, r] of entries) {
    rank = pl.when(pl.col("nature").eq(pl.lit(name))).then(pl.lit(r)).otherwise(rank);
  }
  let nature: pl.Expr = pl.lit(null).cast(pl.Utf8);
  const least = rank.min();
  for (const [name, r] of entries) {
    nature = pl.when(least.eq(pl.lit(r))).then(pl.lit(name)).otherwise(nature);
  }
  return nature.alias("nature");
}

/**
 * Silver rows plus, when the frame holds regional rows (`perimetre` other than `France`), one
 * national row per instant summing the regions, with `perimetre` = {@linkcode NATIONAL_VIEW}.
 * See gold.ts for the rules; idempotent (rows already labelled national are kept as they are).
 */
export function nationalView(silver: pl.DataFrame): pl.DataFrame {
  checkSilver(silver, ["jeu_donnees"], "withNationalView");
  if (silver.filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW))).height > 0) return silver;
  const regional = silver.filter(REGIONAL);
  if (regional.height === 0) return silver;

  const schema = regional.schema;
  const aggs: pl.Expr[] = [pl.col("perimetre").count().alias("_regions")];
  if ("taux_co2" in schema && "production_totale" in schema) {
    // RTE's intensity of France is the production-weighted mean of the regions' intensities.
    const weighted = pl.col("taux_co2").mul(pl.col("production_totale"));
    aggs.push(
      pl.when(weighted.isNull().any()).then(pl.lit(null)).otherwise(weighted.sum())
        .alias("_co2_pondere"),
    );
  }
  for (const [name, dtype] of Object.entries(schema) as [string, pl.DataType][]) {
    if (GROUP.includes(name) || name === "perimetre" || RATIOS.includes(name)) continue;
    if (SHARED.includes(name)) aggs.push(pl.col(name).first().alias(name));
    else if (name === "nature") aggs.push(leastNature());
    else if (name === "ligne_reconstituee") aggs.push(pl.col(name).any().alias(name));
    else if (name === "colonnes_interpolees") continue; // joined below, from the few flagged rows
    else if (dtype.equals(pl.Float64)) aggs.push(strictSum(name));
    // Lineage and per-region labels have no national value.
    else aggs.push(pl.lit(null).cast(dtype).alias(name));
  }
  // Only instants where every region of the data set is present: a partial sum is not France.
  const regions = regional.groupBy("jeu_donnees")
    .agg(pl.col("perimetre").nUnique().cast(pl.Int64).alias("_attendues"));
  let national = regional.lazy().groupBy(GROUP).agg(...aggs).collectSync()
    .join(regions, { on: "jeu_donnees" })
    .filter(pl.col("_regions").cast(pl.Int64).eq(pl.col("_attendues")))
    .drop("_regions", "_attendues")
    .withColumn(pl.lit(NATIONAL_VIEW).alias("perimetre"));
  national = national.withColumns(
    ...RATIOS.filter((c) => c in schema).map((c) => ratio(c, national.columns)),
  );
  if ("colonnes_interpolees" in schema) {
    const merged = regional.filter(pl.col("colonnes_interpolees").isNotNull()).groupBy(GROUP).agg(
      pl.col("colonnes_interpolees").str.split(",").explode().unique().sort().str.concat(","),
    );
    national = national.join(merged, { on: GROUP, how: "left" });
  }
  national = national.select(...silver.columns.map((c) => pl.col(c).cast(schema[c]).alias(c)));
  const keys = ["jeu_donnees", "perimetre", "timestamp_utc"];
  return pl.concat([silver, national], { how: "vertical", rechunk: true })
    .sort(keys.filter((k) => silver.columns.includes(k)));
}

/** A ratio column of the national rows, from the national sums. */
function ratio(name: string, columns: readonly string[]): pl.Expr {
  const has = (c: string) => columns.includes(c);
  const total = pl.col("production_totale");
  switch (name) {
    case "part_renouvelables":
      return percent(pl.col("renouvelables_total"), total).alias(name);
    case "part_bas_carbone":
      return percent(pl.col("bas_carbone_total"), total).alias(name);
    case "taux_co2_recalcule": {
      const fuels = Object.keys(EMISSION_FACTORS);
      if (!fuels.every(has)) return pl.lit(null).cast(pl.Float64).alias(name);
      const tonnes = fuels.map((f) => pl.col(f).mul(EMISSION_FACTORS[f]))
        .reduce((a, b) => a.plus(b));
      return pl.when(total.gt(0)).then(tonnes.mul(1000).div(total)).otherwise(pl.lit(null))
        .alias(name);
    }
    default: // taux_co2
      return has("_co2_pondere")
        ? pl.when(total.gt(0)).then(pl.col("_co2_pondere").div(total)).otherwise(pl.lit(null))
          .alias(name)
        : pl.lit(null).cast(pl.Float64).alias(name);
  }
}

/**
 * The regions {@linkcode nationalView} sums, sorted: every perimeter but `France` (national
 * files) and the national view itself. A national row needs all of them at its instant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { regionsOf } from "./_gold_national.ts";
 * const silver = pl.DataFrame({ perimetre: ["PACA", "France", "Bretagne", "PACA"] });
 * assert.deepEqual(regionsOf(silver), ["Bretagne", "PACA"]);
 * ```
 */
export function regionsOf(silver: pl.DataFrame): string[] {
  return (silver.filter(REGIONAL).getColumn("perimetre").unique().toArray() as string[]).sort();
}
