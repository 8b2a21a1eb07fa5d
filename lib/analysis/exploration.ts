/**
 * Exploratory analysis of silver (notebook 04): descriptive statistics per column, consumption
 * peaks, energy by source, completeness, and key findings phrased from the numbers.
 *
 * Why energies rather than mean powers: silver mixes 15-minute and 30-minute rows, and a
 * mean of MW over rows would weight a 15-minute row like a 30-minute one. Sums of
 * `energie_*_mwh` weight every row by its real step.
 *
 * @module
 */

import pl from "nodejs-polars";
import { COLUMNS } from "../eco2mix/mod.ts";
import { formatNumber } from "../notebook/format.ts";
import { sourceName } from "../notebook/labels.ts";

/** Production sources in RTE's order, with their energy columns in silver. */
export const SOURCES: readonly string[] = [
  "nucleaire",
  "hydraulique",
  "eolien",
  "solaire",
  "bioenergies",
  "gaz",
  "charbon",
  "fioul",
  "thermique",
];

const SERIES = ["jeu_donnees", "perimetre"];

function seriesOf(df: pl.DataFrame): string[] {
  return SERIES.filter((c) => df.columns.includes(c));
}

/**
 * Count, missing values, mean, standard deviation and quantiles of every numeric column of
 * the column catalogue present in `silver`, per series (data set and perimeter), with its unit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { describeColumns } from "./exploration.ts";
 * const s = pl.DataFrame({ perimetre: ["France", "France", "France"], consommation: [1, 2, null] });
 * const [row] = describeColumns(s).toRecords();
 * assert.equal(row.colonne, "consommation");
 * assert.equal(row.manquantes, 1);
 * assert.equal(row.moyenne, 1.5);
 * ```
 */
export function describeColumns(silver: pl.DataFrame): pl.DataFrame {
  const numeric = COLUMNS.filter((c) => c.unit && silver.columns.includes(c.name));
  const by = seriesOf(silver);
  const frames = numeric.map((c) => {
    const v = pl.col(c.name).cast(pl.Float64);
    return silver.groupBy(by).agg(
      pl.lit(c.name).alias("colonne"),
      pl.lit(c.unit).alias("unite"),
      v.count().cast(pl.Int64).alias("valeurs"),
      v.isNull().sum().cast(pl.Int64).alias("manquantes"),
      v.mean().alias("moyenne"),
      v.std().alias("ecart_type"),
      v.min().alias("min"),
      v.quantile(0.05).alias("p05"),
      v.median().alias("mediane"),
      v.quantile(0.95).alias("p95"),
      v.max().alias("max"),
    );
  });
  if (frames.length === 0) return pl.DataFrame({ colonne: [] });
  return pl.concat(frames).filter(pl.col("valeurs").gt(0)).sort([...by, "colonne"]);
}

/**
 * The `n` highest and the `n` lowest consumption instants of each series (data set and
 * perimeter), with local time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { consumptionExtremes } from "./exploration.ts";
 * const s = pl.DataFrame({ perimetre: ["F", "F", "F"], date_locale: ["a", "b", "c"],
 *   heure_locale: ["00:00", "00:00", "00:00"], timestamp_utc: [1, 2, 3], consommation: [5, 9, 7] });
 * const x = consumptionExtremes(s, 1);
 * assert.deepEqual(x.getColumn("consommation").toArray(), [9, 5]);
 * ```
 */
export function consumptionExtremes(silver: pl.DataFrame, n = 5): pl.DataFrame {
  const series = seriesOf(silver);
  const rows = silver.filter(pl.col("consommation").isNotNull())
    .select(...series, "timestamp_utc", "date_locale", "heure_locale", "consommation");
  const [first, ...rest] = series;
  const rank = (descending: boolean, kind: string) =>
    rows.filter(pl.col("consommation").rank("ordinal", descending).over(first, ...rest).lt(n + 1))
      .sort("consommation", descending)
      .withColumns(pl.lit(kind).alias("extreme"));
  return pl.concat([rank(true, "pic"), rank(false, "creux")])
    .sort([...series, "extreme"], [...series.map(() => false), true])
    .select(...series, "extreme", "timestamp_utc", "date_locale", "heure_locale", "consommation");
}

/**
 * Energy produced by each source (TWh) and its share of production, per series (data set and
 * perimeter). Sources a perimeter does not publish are left out; for regional files `thermique`
 * stands for the three fossil fuels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { energyBySource } from "./exploration.ts";
 * const s = pl.DataFrame({ perimetre: ["F"], energie_nucleaire_mwh: [3e6], energie_eolien_mwh: [1e6],
 *   energie_production_totale_mwh: [4e6] });
 * const r = energyBySource(s).toRecords();
 * assert.equal(r[0].source, "nucleaire");
 * assert.equal(r[0].part_pct, 75);
 * assert.equal(r[0].energie_twh, 3);
 * // A region publishes `thermique` only; its empty fuel columns hide nothing.
 * const region = pl.DataFrame({ perimetre: ["B"], energie_thermique_mwh: [1e6],
 *   energie_gaz_mwh: [null], energie_production_totale_mwh: [4e6] });
 * assert.deepEqual(energyBySource(region).getColumn("source").toArray(), ["thermique"]);
 * ```
 */
export function energyBySource(silver: pl.DataFrame): pl.DataFrame {
  const sources = SOURCES.filter((s) => silver.columns.includes(`energie_${s}_mwh`));
  const fuels = ["gaz", "charbon", "fioul"].filter((s) => sources.includes(s));
  const series = seriesOf(silver);
  const totals = silver.groupBy(series).agg(
    ...sources.map((s) => pl.col(`energie_${s}_mwh`).sum().alias(s)),
    pl.col("energie_production_totale_mwh").sum().alias("_total"),
  );
  // National rows carry both the three fuels and their sum `thermique`: a series with fuels counts
  // them only. Regional rows have `thermique` alone (their fuel columns exist in silver, empty).
  const withFuels = fuels.length
    ? pl.sumHorizontal(fuels.map((s) => pl.col(s).fillNull(0).abs())).gt(0)
    : pl.lit(false);
  const long = pl.concat(sources.map((s) =>
    totals.select(
      ...series,
      pl.lit(s).alias("source"),
      (s === "thermique" ? pl.when(withFuels).then(pl.lit(0)).otherwise(pl.col(s)) : pl.col(s))
        .alias("_mwh"),
      pl.col("_total"),
    )
  ));
  return long.filter(pl.col("_mwh").abs().gt(0)).select(
    ...series,
    "source",
    pl.col("_mwh").div(1e6).alias("energie_twh"),
    pl.col("_mwh").div(pl.col("_total")).mul(100).alias("part_pct"),
  ).sort([...series, "energie_twh"], [...series.map(() => false), true]);
}

/**
 * Completeness per series and local month: rows with a measured consumption against the
 * steps the month has (days × 24 h × 60 / step, DST days included by counting real hours).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { completeness } from "./exploration.ts";
 * const s = pl.DataFrame({ perimetre: ["F", "F"], annee_mois: ["2025-02", "2025-02"],
 *   pas_minutes: [30, 30], consommation: [1, null], ligne_reconstituee: [false, true] });
 * const [r] = completeness(s).toRecords();
 * assert.equal(r.instants_attendus, 1344);
 * assert.equal(r.instants_mesures, 1);
 * ```
 */
export function completeness(silver: pl.DataFrame): pl.DataFrame {
  const series = seriesOf(silver);
  const counts = silver.groupBy([...series, "annee_mois"]).agg(
    pl.col("pas_minutes").min().alias("pas_minutes"),
    pl.col("consommation").isNotNull().sum().cast(pl.Int64).alias("instants_mesures"),
    pl.col("ligne_reconstituee").cast(pl.Int64).sum().alias("instants_reconstitues"),
  );
  const months = counts.getColumn("annee_mois").unique().toArray() as string[];
  // Typed explicitly: an empty silver gives no month to infer the types from.
  const hours = pl.DataFrame([
    pl.Series("annee_mois", months, pl.Utf8),
    pl.Series("_heures", months.map(monthHours), pl.Int64),
  ]);
  return counts.join(hours, { on: "annee_mois" }).withColumns(
    pl.col("_heures").mul(60).div(pl.col("pas_minutes")).cast(pl.Int64).alias("instants_attendus"),
  ).withColumns(
    // Float division: Int64 / Int64 truncates in polars (a 79.5 % month would show 0 %).
    pl.col("instants_mesures").cast(pl.Float64).div(pl.col("instants_attendus").cast(pl.Float64))
      .mul(100).alias("completude_pct"),
  ).drop("_heures").sort([...series, "annee_mois"]);
}

/** Hours of a local (Europe/Paris) month "YYYY-MM": one less in March, one more in October. */
function monthHours(month: string): number {
  const [y, m] = month.split("-").map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return days * 24 + (m === 10 ? 1 : m === 3 ? -1 : 0);
}

/**
 * Key findings of the data, as French sentences whose numbers all come from `silver` (and are
 * recomputed on other inputs): period, mean and peak consumption, main source, renewable and
 * low-carbon shares, net exchanges, forecast accuracy.
 *
 * @example
 * ```ts ignore
 * for (const s of keyFindings(silver)) console.log(s);
 * ```
 */
export function keyFindings(silver: pl.DataFrame): string[] {
  const out: string[] = [];
  const fmt = (x: number, digits = 0) => formatNumber(x, digits, { fixed: true });
  const series = seriesOf(silver);
  const keys = silver.select(...series).unique().sort(series).toRecords() as Record<
    string,
    string
  >[];
  for (const key of keys) {
    const s = silver.filter(
      series.map((c) => pl.col(c).eq(pl.lit(key[c]))).reduce((a, b) => a.and(b)),
    );
    // The consumption history is another measurement than eCO2mix: say which one is meant.
    const perimetre = key.jeu_donnees && key.jeu_donnees !== "eco2mix"
      ? `${key.perimetre} (${key.jeu_donnees})`
      : key.perimetre;
    const measured = s.filter(pl.col("consommation").isNotNull());
    if (measured.height === 0) continue;
    const [span] = measured.select(
      pl.col("date_locale").min().dt.strftime("%d/%m/%Y").alias("debut"),
      pl.col("date_locale").max().dt.strftime("%d/%m/%Y").alias("fin"),
      pl.col("energie_consommation_mwh").sum().alias("mwh"),
      pl.col("pas_minutes").mul(pl.col("consommation").isNotNull()).sum().alias("minutes"),
    ).toRecords() as unknown as { debut: string; fin: string; mwh: number; minutes: number }[];
    const [peak] = consumptionExtremes(measured, 1).filter(pl.col("extreme").eq(pl.lit("pic")))
      .select(
        "consommation",
        pl.col("date_locale").dt.strftime("%d/%m/%Y").alias("jour"),
        "heure_locale",
      )
      .toRecords() as unknown as { consommation: number; jour: string; heure_locale: string }[];
    const meanMw = span.mwh / (span.minutes / 60);
    out.push(
      `${perimetre} — du ${span.debut} au ${span.fin} : consommation de ${
        fmt(span.mwh / 1e6, 2)
      } TWh, ` +
        `soit ${fmt(meanMw)} MW en moyenne ; pic de ${fmt(peak.consommation)} MW le ` +
        `${peak.jour} à ${peak.heure_locale}.`,
    );
    const sources = energyBySource(s).toRecords() as unknown as {
      source: string;
      part_pct: number;
    }[];
    if (sources.length) {
      out.push(
        `${perimetre} — première source : ${sourceName(sources[0].source, "le")} (${
          fmt(sources[0].part_pct, 1)
        } % ` +
          `de la production), puis ${
            sources.slice(1, 3).map((x) =>
              `${sourceName(x.source, "le")} (${fmt(x.part_pct, 1)} %)`
            ).join(", ")
          }.`,
      );
    }
    const [shares] = s.select(
      pl.col("energie_production_totale_mwh").sum().alias("prod"),
      shareOf(s, ["eolien", "solaire", "hydraulique", "bioenergies"]).alias("renouv"),
      shareOf(s, ["nucleaire", "eolien", "solaire", "hydraulique", "bioenergies"]).alias("bas_c"),
    ).toRecords() as unknown as { prod: number; renouv: number; bas_c: number }[];
    if (shares.prod > 0) {
      out.push(
        `${perimetre} — part renouvelable de la production : ${fmt(shares.renouv, 1)} % ; ` +
          `part bas carbone (nucléaire + renouvelables) : ${fmt(shares.bas_c, 1)} %.`,
      );
    }
    if (s.columns.includes("ech_physiques")) {
      const [ex] = s.select(
        pl.col("ech_physiques").mul(pl.col("pas_minutes")).div(60).sum().div(1e6).alias("twh"),
      ).toRecords() as unknown as { twh: number }[];
      if (ex.twh !== 0) {
        out.push(
          `${perimetre} — échanges physiques : ${ex.twh < 0 ? "export" : "import"} net de ` +
            `${fmt(Math.abs(ex.twh), 2)} TWh sur la période.`,
        );
      }
    }
    const withForecast = measured.filter(pl.col("prevision_j1").isNotNull());
    if (withForecast.height > 0) {
      const [f] = withForecast.select(
        pl.col("ecart_prevision_j1").abs().div(pl.col("consommation")).mean().mul(100).alias(
          "mape",
        ),
        pl.col("ecart_prevision_j1").abs().mean().alias("mae"),
      ).toRecords() as unknown as { mape: number; mae: number }[];
      out.push(
        `${perimetre} — la prévision J-1 de RTE se trompe en moyenne de ${fmt(f.mae)} MW ` +
          `(MAPE ${fmt(f.mape, 2)} %) sur les ${
            fmt(withForecast.height)
          } instants de la période où elle ` +
          "est publiée (moyenne simple des écarts absolus).",
      );
    }
  }
  return out;
}

function shareOf(s: pl.DataFrame, sources: string[]): pl.Expr {
  const present = sources.filter((x) => s.columns.includes(`energie_${x}_mwh`));
  return present
    .map((x) => pl.col(`energie_${x}_mwh`).sum())
    .reduce((a, b) => a.add(b))
    .div(pl.col("energie_production_totale_mwh").sum())
    .mul(100);
}
