/**
 * Wholesale prices as a presenter reads them (notebooks 06 and 10, the report): the period's
 * figures, the days of negative or extreme prices, and what the price moves with, in French
 * with rounded numbers.
 *
 * @module
 */

import pl from "nodejs-polars";
import { fr } from "./narratives.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

/** French labels of the price drivers of `priceCorrelations`. */
const DRIVER_LABELS: Readonly<Record<string, string>> = {
  consommation_gwh: "consommation du jour",
  part_nucleaire_pct: "part du nucléaire",
  part_renouvelables_pct: "part des renouvelables",
  part_fossiles_pct: "part des fossiles",
  taux_co2_gkwh: "intensité carbone",
};

/** French labels of `categorie_prix`. */
const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  negatif: "négatif",
  tres_bas: "très bas",
  normal: "normal",
  tres_eleve: "très élevé",
};

const day = (d: Date) => d.toISOString().slice(0, 10).split("-").reverse().join("/");

/**
 * The figures of the period's prices (from `prix_mix_quotidien`, €/MWh, days dd/mm/yyyy);
 * English fields, a code type.
 */
export interface PriceOverview {
  start: string;
  end: string;
  days: number;
  mean: number;
  min: { date: string; price: number };
  max: { date: string; price: number };
  negativeDays: number;
  veryHighDays: number;
}

/**
 * The period's price figures: first and last day (dd/mm/yyyy), days, mean of the daily
 * prices, lowest and highest day, days of negative and of very high prices; null without rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { priceOverview } from "./prices.ts";
 * const daily = pl.DataFrame({
 *   date: [new Date("2025-05-10T00:00:00Z"), new Date("2025-05-11T00:00:00Z")],
 *   prix_eur_mwh: [40, -5.2], categorie_prix: ["normal", "negatif"],
 * }).withColumn(pl.col("date").cast(pl.Date));
 * const o = priceOverview(daily)!;
 * assert.deepEqual([o.start, o.end, o.days, o.mean, o.negativeDays], ["10/05/2025", "11/05/2025", 2, 17.4, 1]);
 * assert.deepEqual(o.min, { date: "11/05/2025", price: -5.2 });
 * assert.equal(priceOverview(daily.head(0)), null);
 * ```
 */
export function priceOverview(daily: pl.DataFrame): PriceOverview | null {
  if (daily.height === 0) return null;
  const rows = daily.sort("date").toRecords() as Row[];
  const byPrice = [...rows].sort((a, b) => a.prix_eur_mwh - b.prix_eur_mwh);
  const count = (c: string) => rows.filter((r) => r.categorie_prix === c).length;
  return {
    start: day(rows[0].date),
    end: day(rows.at(-1)!.date),
    days: rows.length,
    mean: rows.reduce((t, r) => t + r.prix_eur_mwh, 0) / rows.length,
    min: { date: day(byPrice[0].date), price: byPrice[0].prix_eur_mwh },
    max: { date: day(byPrice.at(-1)!.date), price: byPrice.at(-1)!.prix_eur_mwh },
    negativeDays: count("negatif"),
    veryHighDays: count("tres_eleve"),
  };
}

/**
 * The days of negative, very low or very high prices, as a display table sorted by price:
 * `date`, `jour`, `prix_eur_mwh`, `categorie`, `consommation_gwh`, `part_renouvelables_pct`,
 * `part_nucleaire_pct`, `taux_co2_gkwh` (rounded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { extremePriceDays } from "./prices.ts";
 * const daily = pl.DataFrame({
 *   date: [new Date("2025-05-11T00:00:00Z"), new Date("2025-05-12T00:00:00Z")],
 *   prix_eur_mwh: [-5.234, 60], categorie_prix: ["negatif", "normal"],
 *   consommation_mwh: [900_123, 1e6], part_renouvelables_pct: [41.26, 30],
 *   part_nucleaire_pct: [57.04, 68], taux_co2_gkwh: [9.87, 20],
 * }).withColumn(pl.col("date").cast(pl.Date));
 * const [r] = extremePriceDays(daily).toRecords();
 * assert.deepEqual(
 *   [r.date, r.jour, r.prix_eur_mwh, r.categorie, r.consommation_gwh, r.part_renouvelables_pct],
 *   ["11/05/2025", "dimanche", -5.23, "négatif", 900.1, 41.3],
 * );
 * ```
 */
export function extremePriceDays(daily: pl.DataFrame): pl.DataFrame {
  const rows = daily.filter(pl.col("categorie_prix").neq(pl.lit("normal")))
    .sort("prix_eur_mwh").toRecords() as Row[];
  const round = (x: number | null, digits: number) =>
    x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;
  const weekday = new Intl.DateTimeFormat("fr-FR", { weekday: "long", timeZone: "UTC" });
  return pl.DataFrame({
    date: pl.Series("date", rows.map((r) => day(r.date)), pl.Utf8),
    jour: pl.Series("jour", rows.map((r) => weekday.format(r.date)), pl.Utf8),
    prix_eur_mwh: pl.Series("prix_eur_mwh", rows.map((r) => round(r.prix_eur_mwh, 2)), pl.Float64),
    categorie: pl.Series("categorie", rows.map((r) => CATEGORY_LABELS[r.categorie_prix]), pl.Utf8),
    consommation_gwh: pl.Series(
      "consommation_gwh",
      rows.map((r) => round(r.consommation_mwh / 1000, 1)),
      pl.Float64,
    ),
    part_renouvelables_pct: pl.Series(
      "part_renouvelables_pct",
      rows.map((r) => round(r.part_renouvelables_pct, 1)),
      pl.Float64,
    ),
    part_nucleaire_pct: pl.Series(
      "part_nucleaire_pct",
      rows.map((r) => round(r.part_nucleaire_pct, 1)),
      pl.Float64,
    ),
    taux_co2_gkwh: pl.Series(
      "taux_co2_gkwh",
      rows.map((r) => round(r.taux_co2_gkwh, 1)),
      pl.Float64,
    ),
  });
}

/**
 * One row of {@linkcode priceDrivers}: a driver of the daily price (English fields, a code
 * type; the label and the unit are French, for the reader).
 */
export interface PriceDriver {
  /** French label ("part des renouvelables"). */
  variable: string;
  /** Pearson's r (`correlation_pearson`). */
  r: number;
  /** Least-squares slope (`pente`), in `unit` ("€/MWh par point"). */
  slope: number;
  unit: string;
  /** Complete days correlated (`nb_jours`). */
  days: number;
}

/**
 * The correlations of `priceCorrelations` with French labels, strongest first (by |r|);
 * drivers without a correlation (constant, or no value) are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { priceDrivers } from "./prices.ts";
 * const correlations = pl.DataFrame({
 *   variable: ["consommation_gwh", "part_renouvelables_pct", "part_nucleaire_pct"],
 *   correlation_pearson: [0.87, -0.92, null], pente: [0.15, -7.4, null],
 *   unite_pente: ["€/MWh par GWh consommé", "€/MWh par point", "€/MWh par point"],
 *   nb_jours: [205, 205, 205],
 * });
 * const [first, second] = priceDrivers(correlations);
 * assert.equal(first.variable, "part des renouvelables");
 * assert.equal(second.r, 0.87);
 * assert.equal(priceDrivers(correlations).length, 2);
 * ```
 */
export function priceDrivers(correlations: pl.DataFrame): PriceDriver[] {
  return (correlations.toRecords() as Row[])
    .filter((r) => r.correlation_pearson !== null)
    .map((r) => ({
      variable: DRIVER_LABELS[r.variable] ?? r.variable,
      r: r.correlation_pearson,
      slope: r.pente,
      unit: r.unite_pente,
      days: r.nb_jours,
    }))
    .sort((a, b) => Math.abs(b.r) - Math.abs(a.r));
}

/**
 * The price drivers as a display table: `variable` (French), `correlation` (r, 2 decimals),
 * `pente` (2 decimals) and `unite`, `jours`, strongest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { priceDriverTable } from "./prices.ts";
 * const correlations = pl.DataFrame({
 *   variable: ["taux_co2_gkwh"], correlation_pearson: [0.88925], pente: [3.3892],
 *   unite_pente: ["€/MWh par g/kWh"], nb_jours: [205],
 * });
 * assert.deepEqual(priceDriverTable(correlations).toRecords()[0], {
 *   variable: "intensité carbone", correlation: 0.89, pente: 3.39, unite: "€/MWh par g/kWh", jours: 205,
 * });
 * ```
 */
export function priceDriverTable(correlations: pl.DataFrame): pl.DataFrame {
  const drivers = priceDrivers(correlations);
  return pl.DataFrame({
    variable: pl.Series("variable", drivers.map((d) => d.variable), pl.Utf8),
    correlation: pl.Series(
      "correlation",
      drivers.map((d) => Math.round(d.r * 100) / 100),
      pl.Float64,
    ),
    pente: pl.Series("pente", drivers.map((d) => Math.round(d.slope * 100) / 100), pl.Float64),
    unite: pl.Series("unite", drivers.map((d) => d.unit), pl.Utf8),
    jours: pl.Series("jours", drivers.map((d) => d.days), pl.Int32),
  });
}

/**
 * Two or three French sentences on the period's prices: level and range, negative and very
 * high days, and the strongest correlation (said to be one, not a cause).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { priceNarrative } from "./prices.ts";
 * const daily = pl.DataFrame({
 *   date: [new Date("2025-05-10T00:00:00Z"), new Date("2025-05-11T00:00:00Z")],
 *   prix_eur_mwh: [40, -5.2], categorie_prix: ["normal", "negatif"],
 * }).withColumn(pl.col("date").cast(pl.Date));
 * const correlations = pl.DataFrame({
 *   variable: ["part_renouvelables_pct"], correlation_pearson: [-0.75], pente: [-7.41],
 *   unite_pente: ["€/MWh par point"], nb_jours: [2],
 * });
 * assert.equal(
 *   priceNarrative(daily, correlations),
 *   "Sur 2 jours, du 10/05/2025 au 11/05/2025, le prix de gros moyen est de 17,4 €/MWh, de " +
 *     "−5,2 €/MWh (11/05/2025) à 40,0 €/MWh (10/05/2025) ; 1 jour à prix négatif. Le prix " +
 *     "varie d'abord avec la part des renouvelables (r = −0,75 sur 2 jours complets : " +
 *     "−7,41 €/MWh par point) ; une corrélation ne dit pas la cause.",
 * );
 * ```
 */
export function priceNarrative(daily: pl.DataFrame, correlations: pl.DataFrame): string {
  const o = priceOverview(daily);
  if (!o) return "Aucun prix de gros ne couvre la période des données.";
  const [top] = priceDrivers(correlations);
  const plural = (n: number, word: string) => `${fr(n)} ${word}${n > 1 ? "s" : ""}`;
  // Every driver label is feminine: "la part…", "l'intensité…".
  const article = (label: string) => (/^[aeiouéè]/i.test(label) ? "l'" : "la ") + label;
  return `Sur ${plural(o.days, "jour")}, du ${o.start} au ${o.end}, le prix de gros moyen est ` +
    `de ${fr(o.mean, 1)} €/MWh, de ${fr(o.min.price, 1)} €/MWh (${o.min.date}) à ` +
    `${fr(o.max.price, 1)} €/MWh (${o.max.date}) ; ` +
    (o.negativeDays > 0
      ? `${plural(o.negativeDays, "jour")} à prix négatif.`
      : "aucun jour à prix négatif.") +
    (top
      ? ` Le prix varie d'abord avec ${article(top.variable)} (r = ${fr(top.r, 2)} sur ` +
        `${plural(top.days, "jour")} ${top.days > 1 ? "complets" : "complet"} : ` +
        `${top.slope > 0 ? "+" : ""}${fr(top.slope, 2)} ${top.unit}) ; une corrélation ne ` +
        "dit pas la cause."
      : "");
}
