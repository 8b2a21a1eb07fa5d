/**
 * Portable core, part 5: everything the dashboard draws for a period (same inlining rules as
 * `_core_data.ts`): the key figures and every chart, keyed by the id of its place in the page.
 *
 * @module
 */

import {
  energyOf,
  type Figure,
  type HourlyData,
  presentSources,
  sliceDays,
  valuesOf,
} from "./_core_data.ts";
import { formatEnergy, formatLocal, formatValue, periodLabel } from "./_core_format.ts";
import {
  borderTotals,
  co2Spec,
  consumptionSpec,
  exchangesSpec,
  heatmapSpec,
  loadProfileSpec,
  mixCo2ScatterSpec,
  mixPieSpec,
  physicalBalance,
  productionStackSpec,
  renewableShareSpec,
  sankeySpec,
  solarProfileSpec,
  weekdayWeekendSpec,
  windSpec,
} from "./_core_figures.ts";
import {
  type AnomalyEventData,
  anomalyEventsSpec,
  type ExchangeEpisodeData,
  exchangeEpisodesSpec,
  type MixForecastData,
  mixForecastSpec,
} from "./_core_events.ts";
import { type PriceData, priceSpec } from "./_core_prices.ts";
import {
  errorByHourSpec,
  errorHistogramSpec,
  type ImportanceData,
  importanceSpec,
  type PredictionData,
  predictionsSpec,
  slicePredictions,
} from "./_core_ml.ts";

/** Everything the dashboard page carries (JSON). */
export interface DashboardData {
  /** Hourly means of the perimeter. */
  readonly hourly: HourlyData;
  /** Forecasts (ML models and RTE's), or null. */
  readonly predictions: PredictionData | null;
  /** Feature importance, or null. */
  readonly importance: ImportanceData | null;
  /** Anomaly events of the perimeter; null or absent when the table was not given. */
  readonly anomalyEvents?: AnomalyEventData | null;
  /** Episodes of massive import or export; null or absent when the table was not given. */
  readonly episodes?: ExchangeEpisodeData | null;
  /** Daily wholesale prices; null or absent when the table was not given. */
  readonly prices?: PriceData | null;
  /** Mix class forecast of the next hours; null or absent when the table was not given. */
  readonly mixForecast?: MixForecastData | null;
}

/** One key figure of the overview. */
export interface Kpi {
  /** What it is (French). */
  readonly label: string;
  /** The value with its unit. */
  readonly value: string;
  /** Context (date of a peak, basis of a share). */
  readonly detail: string;
}

/**
 * The key figures of a period: consumption energy and peak, renewable and nuclear shares of
 * production, production-weighted CO2 intensity, net commercial balance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dashboardKpis } from "./_core_dashboard.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0],
 *   day: [0], hour: [18], duration: [1], series: { consommation: [70000], nucleaire: [60000], eolien: [20000] } };
 * const kpis = dashboardKpis(h);
 * assert.equal(kpis[0].value, "70,0 GWh");
 * assert.equal(kpis[2].value, "25,0 %");
 * ```
 */
export function dashboardKpis(h: HourlyData): Kpi[] {
  const kpis: Kpi[] = [];
  const consumption = valuesOf(h, "consommation");
  if (consumption) {
    let peak = -Infinity;
    let at = 0;
    consumption.forEach((v, i) => {
      if (v !== null && v > peak) {
        peak = v;
        at = i;
      }
    });
    kpis.push(
      {
        label: "Consommation",
        value: formatEnergy(energyOf(h, "consommation")),
        detail: periodLabel(h.days),
      },
      {
        label: "Pic de consommation",
        value: formatValue(peak, 0) + " MW",
        detail: "moyenne horaire, le " + formatLocal(h.days[h.day[at]]) + " à " + h.hour[at] +
          " h",
      },
    );
  }
  const sources = presentSources(h);
  const production = sources.reduce((a, s) => a + energyOf(h, s.key), 0);
  if (production > 0) {
    const share = (family: string) =>
      (100 *
        sources.filter((s) => s.family === family).reduce((a, s) => a + energyOf(h, s.key), 0)) /
      production;
    kpis.push(
      {
        label: "Part renouvelable",
        value: formatValue(share("renouvelable"), 1) + " %",
        detail: "de " + formatEnergy(production) + " produits",
      },
      {
        label: "Part nucléaire",
        value: formatValue(share("nucleaire"), 1) + " %",
        detail: "de la production",
      },
    );
  }
  const co2 = valuesOf(h, "taux_co2");
  if (co2 && production > 0) {
    let weighted = 0;
    let weight = 0;
    co2.forEach((v, i) => {
      if (v === null) return;
      let p = 0;
      for (const s of sources) p += h.series[s.key][i] ?? 0;
      weighted += v * p * h.duration[i];
      weight += p * h.duration[i];
    });
    if (weight > 0) {
      kpis.push({
        label: "Intensité carbone",
        value: formatValue(weighted / weight, 1) + " gCO₂/kWh",
        detail: "moyenne pondérée par la production",
      });
    }
  }
  const borders = borderTotals(h);
  if (borders.length > 0) {
    const net = borders.reduce((a, b) => a + b.importMwh + b.exportMwh, 0);
    kpis.push({
      label: "Solde des échanges",
      value: (net > 0 ? "+" : "") + formatEnergy(net),
      detail: net <= 0
        ? "exportateur net (échanges commerciaux)"
        : "importateur net (échanges commerciaux)",
    });
  }
  return kpis;
}

/**
 * Every chart of the dashboard for the local dates [`from`, `to`] (empty bound: open), keyed by
 * the id of its place in the page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dashboardFigures } from "./_core_dashboard.ts";
 * const h = { perimeter: "France", stepHours: 1, t0: 0, days: ["2025-01-01"], t: [0],
 *   day: [0], hour: [0], duration: [1], series: { consommation: [60000] } };
 * const figs = dashboardFigures({ hourly: h, predictions: null, importance: null }, "", "");
 * assert.equal(Object.keys(figs).length, 21);
 * assert.equal(figs.consommation.data.length, 1);
 * ```
 */
export function dashboardFigures(
  data: DashboardData,
  from: string,
  to: string,
): Record<string, Figure> {
  const h = sliceDays(data.hourly, from, to);
  const p = data.predictions
    ? slicePredictions(data.predictions, from, to)
    : { days: [], series: [] };
  const importance = data.importance ?? { feature: [], importance: [], model: [], unit: "" };
  return {
    consommation: consumptionSpec(h),
    mix: mixPieSpec(h),
    production: productionStackSpec(h),
    profil: loadProfileSpec(h),
    heatmap: heatmapSpec(h),
    semaine: weekdayWeekendSpec(h),
    eolien: windSpec(h),
    solaire: solarProfileSpec(h),
    part_renouvelable: renewableShareSpec(h),
    echanges: exchangesSpec(borderTotals(h), h.perimeter, periodLabel(h.days), physicalBalance(h)),
    sankey: sankeySpec(h),
    co2: co2Spec(h),
    mix_co2: mixCo2ScatterSpec(h),
    predictions: predictionsSpec(p),
    erreurs_histogramme: errorHistogramSpec(p),
    erreurs_heure: errorByHourSpec(p),
    importance: importanceSpec(importance),
    mix_prochaines_heures: mixForecastSpec(data.mixForecast ?? null),
    evenements_anomalies: anomalyEventsSpec(data.anomalyEvents ?? null, from, to),
    episodes_echanges: exchangeEpisodesSpec(data.episodes ?? null, from, to),
    prix: priceSpec(data.prices ?? null, from, to),
  };
}
