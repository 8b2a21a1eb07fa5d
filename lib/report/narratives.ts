/**
 * One French sentence (or two) interpreting each chart of notebook 10, computed from the same
 * tables the chart draws. No number is typed by hand: on other data the sentences change.
 *
 * Every function takes one perimeter's silver rows (national view included for regional
 * files) or the gold table the chart reads.
 *
 * @module
 */

import pl from "nodejs-polars";
import {
  carbonHourProfile,
  energyBySource,
  mixCo2Correlation,
  weekendEffect,
  weeklyProfile,
  yearOverYearTrends,
} from "../analysis/mod.ts";
import { formatNumber } from "../notebook/format.ts";
import { countryName, shareName, sourceName } from "../notebook/labels.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;
const records = (df: pl.DataFrame) => df.toRecords() as Row[];

/**
 * French number formatting with a fixed number of decimals (see `formatNumber` of
 * lib/notebook/format.ts: decimal comma, narrow no-break spaces from 10 000 on).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fr } from "./narratives.ts";
 * assert.equal(fr(1.6, 2), "1,60");
 * assert.equal(fr(87028), "87\u202f028");
 * ```
 */
export function fr(x: number, digits = 0): string {
  return formatNumber(x, digits, { fixed: true });
}

/** Mean power over the rows, weighted by each row's real step (MW). */
function meanMw(silver: pl.DataFrame, column: string): number | null {
  if (!silver.columns.includes(column)) return null;
  const [r] = records(
    silver.filter(pl.col(column).isNotNull()).select(
      pl.col(column).mul(pl.col("pas_minutes")).sum().div(pl.col("pas_minutes").sum()).alias("m"),
    ),
  );
  return r?.m ?? null;
}

/** Hour of the day (local) with the highest and the lowest step-weighted mean of `column`. */
function hourExtremes(silver: pl.DataFrame, column: string): { max: Row; min: Row } | null {
  if (!silver.columns.includes(column)) return null;
  const byHour = records(
    silver.filter(pl.col(column).isNotNull())
      .withColumns(pl.col("heure_locale").str.slice(0, 2).cast(pl.Int32).alias("_h"))
      .groupBy("_h").agg(
        pl.col(column).mul(pl.col("pas_minutes")).sum().div(pl.col("pas_minutes").sum()).alias("m"),
      ).sort("m"),
  );
  return byHour.length ? { max: byHour.at(-1)!, min: byHour[0] } : null;
}

/**
 * Interpretation of the consumption curve: mean, peak and trough with their dates.
 *
 * @example
 * ```ts ignore
 * await md(consumptionNarrative(silver));
 * ```
 */
export function consumptionNarrative(silver: pl.DataFrame): string {
  const rows = silver.filter(pl.col("consommation").isNotNull());
  if (rows.height === 0) return "Aucune consommation mesurée dans les données.";
  const at = (descending: boolean) =>
    records(
      rows.sort("consommation", descending).head(1).select(
        "consommation",
        pl.col("date_locale").dt.strftime("%d/%m/%Y").alias("jour"),
        "heure_locale",
      ),
    )[0];
  const peak = at(true);
  const trough = at(false);
  return `La consommation moyenne est de ${fr(meanMw(rows, "consommation")!)} MW ; elle culmine ` +
    `à ${fr(peak.consommation)} MW le ${peak.jour} à ${peak.heure_locale} et descend à ` +
    `${
      fr(trough.consommation)
    } MW le ${trough.jour} à ${trough.heure_locale}, soit un rapport de ` +
    `${fr(peak.consommation / trough.consommation, 1)} entre la pointe et le creux.`;
}

/** Interpretation of the mix pie and the stacked production: the three largest sources. */
export function mixNarrative(silver: pl.DataFrame): string {
  const mix = records(energyBySource(silver));
  if (mix.length === 0) return "Les données ne publient pas de production par filière.";
  const parts = mix.slice(0, 3).map((m) =>
    `${sourceName(m.source, "le")} (${fr(m.part_pct, 1)} %, ${fr(m.energie_twh, 2)} TWh)`
  );
  const fossil = mix.filter((m) => ["gaz", "charbon", "fioul", "thermique"].includes(m.source))
    .reduce((t, m) => t + m.part_pct, 0);
  return `La production est d'abord assurée par ${parts.join(", puis ")}. Les énergies fossiles ` +
    `ne pèsent que ${fr(fossil, 1)} % de la production.`;
}

/** Interpretation of the daily load profile: peak and off-peak hours. */
export function loadProfileNarrative(silver: pl.DataFrame): string {
  const h = hourExtremes(silver, "consommation");
  if (!h) return "Aucune consommation mesurée dans les données.";
  return `En moyenne sur la période, la consommation est la plus forte vers ${h.max._h} h ` +
    `(${fr(h.max.m)} MW) et la plus faible vers ${h.min._h} h (${fr(h.min.m)} MW), soit ` +
    `${fr(100 * (h.max.m / h.min.m - 1), 0)} % d'écart au cours de la journée.`;
}

/** Interpretation of the day × hour heatmap: the weekday and hour with the highest mean. */
export function heatmapNarrative(silver: pl.DataFrame): string {
  const profile = records(weeklyProfile(silver).sort("moyenne_mw", true));
  if (profile.length === 0) return "Aucune consommation mesurée dans les données.";
  const top = profile[0];
  const low = profile.at(-1)!;
  return `Le créneau le plus chargé de la semaine est le ${top.nom_jour} vers ${top.heure} h ` +
    `(${fr(top.moyenne_mw)} MW en moyenne), le plus creux le ${low.nom_jour} vers ${low.heure} h ` +
    `(${fr(low.moyenne_mw)} MW).`;
}

/** Interpretation of weekday vs weekend. */
export function weekendNarrative(silver: pl.DataFrame): string {
  const [w] = records(weekendEffect(silver));
  // Without weekend days (or without working days) the means are null.
  if (!w || w.effet_weekend_pct === null) {
    return "La période ne contient pas à la fois des jours ouvrés et des week-ends.";
  }
  return `Le week-end, la consommation moyenne (${fr(w.moyenne_weekend_mw)} MW) est ` +
    `${w.effet_weekend_pct < 0 ? "inférieure" : "supérieure"} de ${
      fr(Math.abs(w.effet_weekend_pct), 1)
    } % ` +
    `à celle des jours ouvrés (${
      fr(w.moyenne_semaine_mw)
    } MW) : l'activité économique se lit dans ` +
    `la courbe.`;
}

/** Interpretation of the wind chart: mean, maximum, offshore share. */
export function windNarrative(silver: pl.DataFrame): string {
  const mean = meanMw(silver, "eolien");
  if (mean === null) return "Les données ne publient pas de production éolienne.";
  const [max] = records(silver.select(pl.col("eolien").max().alias("m")));
  const offshore = silver.columns.includes("eolien_offshore")
    ? meanMw(silver, "eolien_offshore")
    : null;
  return `L'éolien produit ${fr(mean)} MW en moyenne, avec un maximum de ${fr(max.m)} MW : une ` +
    `production très variable, qui suit le vent et non la demande.` +
    (offshore !== null && mean > 0
      ? ` L'éolien en mer en fournit ${fr(100 * offshore / mean, 1)} %.`
      : "");
}

/** Interpretation of solar production by hour of the day. */
export function solarNarrative(silver: pl.DataFrame): string {
  const h = hourExtremes(silver, "solaire");
  if (!h || h.max.m <= 0) return "Les données ne publient pas de production solaire.";
  return `Le solaire culmine vers ${h.max._h} h (${fr(h.max.m)} MW en moyenne sur la période) et ` +
    `s'annule la nuit : c'est lui qui creuse la demande nette en milieu de journée.`;
}

/** Interpretation of the renewable share over time: mean, range of daily shares, trend. */
export function renewableShareNarrative(silver: pl.DataFrame): string {
  const daily = records(
    silver.filter(pl.col("production_totale").isNotNull()).groupBy("date_locale").agg(
      pl.col("energie_production_totale_mwh").sum().alias("p"),
      pl.col("renouvelables_total").mul(pl.col("pas_minutes")).div(60).sum().alias("r"),
    ).withColumns(pl.col("r").div(pl.col("p")).mul(100).alias("part")).sort("part"),
  );
  if (daily.length === 0) return "Les données ne publient pas de production par filière.";
  const total = daily.reduce((t, d) => ({ p: t.p + d.p, r: t.r + d.r }), { p: 0, r: 0 });
  // Year over year only: a slope over less than two years would measure the season.
  const trend = records(yearOverYearTrends(silver)).find((t) => t.serie === "part_renouvelables");
  const day = (d: Row) =>
    new Date(d.date_locale).toISOString().slice(0, 10).split("-").reverse().join("/");
  return `Les renouvelables couvrent ${fr(100 * total.r / total.p, 1)} % de la production sur la ` +
    `période, de ${fr(daily[0].part, 1)} % (${day(daily[0])}) à ${fr(daily.at(-1)!.part, 1)} % ` +
    `(${day(daily.at(-1)!)}) selon les jours.` +
    (trend
      ? ` Tendance, d'une année sur l'autre (mêmes mois comparés de ${trend.premier_mois} à ` +
        `${trend.dernier_mois}) : ${trend.pente_par_mois >= 0 ? "+" : "−"}${
          fr(Math.abs(trend.pente_par_mois), 2)
        } point par mois.`
      : "");
}

/** Interpretation of the exchanges by border, from the gold table `echanges_internationaux`. */
export function exchangesNarrative(exchanges: pl.DataFrame): string {
  const borders = records(
    exchanges.filter(pl.col("pays").neq(pl.lit("Total"))).groupBy("pays")
      .agg(pl.col("solde_net_mwh").sum().div(1e6).alias("twh")).sort("twh"),
  ).filter((b) => b.twh !== null);
  if (borders.length === 0) return "Les données ne publient pas d'échanges commerciaux par pays.";
  const net = borders.reduce((t, b) => t + b.twh, 0);
  const first = borders[0];
  return `Sur la période, la France est ${net < 0 ? "exportatrice" : "importatrice"} nette de ` +
    `${fr(Math.abs(net), 2)} TWh ; le plus gros solde ${
      first.twh < 0 ? "exportateur" : "importateur"
    } ` +
    `est avec ${countryName(first.pays)} (${fr(Math.abs(first.twh), 2)} TWh).`;
}

/** Interpretation of the Sankey: where the energy produced goes. */
export function flowsNarrative(silver: pl.DataFrame): string {
  const energy = (expr: pl.Expr) =>
    records(silver.select(expr.mul(pl.col("pas_minutes")).div(60).sum().div(1e6).alias("v")))[0]
      .v ?? 0;
  const production = energy(pl.col("production_totale"));
  const consumption = energy(pl.col("consommation"));
  if (!production) return "Les données ne publient pas de production.";
  const exports = silver.columns.includes("ech_physiques")
    ? -energy(
      pl.when(pl.col("ech_physiques").lt(0)).then(pl.col("ech_physiques")).otherwise(pl.lit(0)),
    )
    : 0;
  const pumping = silver.columns.includes("pompage") ? -energy(pl.col("pompage").fillNull(0)) : 0;
  return `${fr(production, 2)} TWh produits : ${
    fr(100 * consumption / production, 1)
  } % couvrent la ` +
    `consommation intérieure (${fr(consumption, 2)} TWh), ${fr(100 * exports / production, 1)} % ` +
    `partent à l'export et ${fr(100 * pumping / production, 1)} % remplissent les stations de ` +
    `pompage (STEP).`;
}

/** Interpretation of the CO2 intensity over time, from the gold table `empreinte_carbone`. */
export function co2Narrative(footprint: pl.DataFrame): string {
  const byHour = records(carbonHourProfile(footprint)).filter((r) => r.taux_co2_moyen_gkwh !== null)
    .sort((a, b) => a.taux_co2_moyen_gkwh - b.taux_co2_moyen_gkwh);
  if (byHour.length === 0) return "Les données ne publient pas de taux de CO2.";
  const [total] = records(footprint.select(
    pl.col("co2_total_tonnes").sum().alias("t"),
    pl.col("production_totale_mwh").sum().alias("p"),
  ));
  return `L'intensité carbone moyenne est de ${fr(1000 * total.t / total.p, 1)} g/kWh ` +
    `(${fr(total.t / 1e6, 2)} Mt de CO2 émises). L'heure la plus propre est ${byHour[0].heure} h ` +
    `(${fr(byHour[0].taux_co2_moyen_gkwh, 1)} g/kWh), la plus carbonée ${byHour.at(-1)!.heure} h ` +
    `(${fr(byHour.at(-1)!.taux_co2_moyen_gkwh, 1)} g/kWh).`;
}

/** Interpretation of the mix vs CO2 scatter: the strongest correlations. */
export function mixCo2Narrative(silver: pl.DataFrame): string {
  const c = records(mixCo2Correlation(silver)).filter((r) => r.correlation_pearson !== null)
    .sort((a, b) => b.correlation_pearson - a.correlation_pearson);
  if (c.length === 0) return "Les données ne publient pas de taux de CO2.";
  const top = c[0];
  const low = c.at(-1)!;
  return `L'intensité carbone suit d'abord ${shareName(top.variable)} (r = ${
    fr(top.correlation_pearson, 2)
  }) ; ` +
    `la variable qui la fait le plus baisser est ${shareName(low.variable)} (r = ${
      fr(low.correlation_pearson, 2)
    }).`;
}
