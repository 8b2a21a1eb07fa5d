/**
 * RAPPORT_ANALYSE.md: the analysis report, as a pure function of figures computed from the
 * tables. Every number in it comes from {@linkcode ReportData}; the text around the numbers
 * changes with them (a net importer is not called an exporter, a model worse than RTE is not
 * recommended).
 *
 * Why one module of this size: {@linkcode ReportData} and the sections that turn it into text are
 * read together; each sentence depends on several of its fields, and the private section helpers
 * serve {@linkcode buildReport} only.
 *
 * @module
 */

import { ML_STEPS } from "../forecasting/mod.ts";
import { formatParisDateTime } from "../notebook/format.ts";
import {
  countryName,
  isUpperBound,
  modelName,
  shareName,
  sourceName,
  trendName,
} from "../notebook/labels.ts";
import { mdCode, mdText } from "../notebook/markdown.ts";
import { type ForecastQuality, forecastQualitySection } from "./forecast_quality.ts";
import { fr } from "./narratives.ts";
import type { PriceDriver } from "./prices.ts";

/** A figure of the report (a PNG next to the report). */
export interface ReportFigure {
  /** Path relative to the report's folder. */
  file: string;
  title: string;
}

/**
 * The numbers the report is written from (see `lib/pipeline/report_step.ts`). Every field is
 * English (a code type); the French is in the values (names from the data, sentences) and in
 * the Markdown {@linkcode buildReport} writes. No nested record is a row of a catalogue table:
 * each is computed from the tables, whose French columns the field docs name.
 */
export interface ReportData {
  generatedAt: Date;
  runId: string | null;
  inputs: string[];
  /** The perimeter described (`perimetre` of silver: France, the regions' national view...). */
  perimeter: string;
  /** First and last Paris days with a measured consumption (dd/mm/yyyy). */
  start: string;
  end: string;
  /** Sentences from `keyFindings` (lib/analysis/exploration.ts). */
  findings: string[];
  /** Energy (TWh), mean and peak power (MW), and when the peak was ("le 14/01/2025 à 08:45"). */
  consumption: { twh: number; meanMw: number; peakMw: number; peakWhen: string };
  /** Weekend consumption against working days (%, `effet_weekend_pct`). */
  weekendEffectPct: number | null;
  /** Production by source (`energyBySource`), largest first: share (%) and energy (TWh). */
  mix: { source: string; sharePct: number; energyTwh: number }[];
  renewableSharePct: number | null;
  /** Nuclear and renewables. */
  lowCarbonSharePct: number | null;
  /**
   * Year-over-year trends (`yearOverYearTrends`): none with less than two years of months, when
   * a slope over the months would measure the season.
   */
  trends: {
    series: string;
    /** Per month (`pente_par_mois`), in `unit`. */
    slope: number;
    unit: string;
    firstMonth: string;
    lastMonth: string;
  }[];
  /** Months of the period (local), to say why there is no trend. */
  monthsCovered: number;
  /** Net commercial balance per country (`pays`, > 0 import), in TWh. */
  exchanges: { country: string; balanceTwh: number }[];
  /**
   * Episodes of massive import or export (`episodes_echanges`) of the perimeter: their rule,
   * counts by direction and the largest ones, one French sentence each; null without the table
   * or without any exchange balance in the data.
   */
  episodes: {
    /** Whether the episodes are of the physical balance (files without borders). */
    physical: boolean;
    percentile: number;
    minDurationHours: number;
    import: number;
    export: number;
    examples: string[];
  } | null;
  co2: {
    /** Σ emissions / Σ production: weighted by production (g/kWh). */
    meanGkwh: number;
    /** Plain mean of the steps' `taux_co2` (what notebooks 03 and 05 show). */
    plainMeanGkwh: number;
    /** Local hour with the lowest mean intensity, and that intensity (g/kWh). */
    cleanestHour: number;
    cleanestGkwh: number;
    /** Local hour with the highest mean intensity, and that intensity (g/kWh). */
    dirtiestHour: number;
    dirtiestGkwh: number;
    correlation: { variable: string; r: number } | null;
  } | null;
  /** RTE's forecasts on the whole period (`start` to `end`): MAPE (%), MAE (MW). */
  rteForecasts: { horizon: string; mape: number; mae: number }[];
  /** Our models on their test period (empty when no model was trained). */
  models: {
    model: string;
    horizon: string;
    mape: number;
    rmse: number;
    rteMape: number | null;
    /**
     * MAPE minus RTE's on the same instants (points), 95 % interval from a bootstrap of whole
     * Paris days; null without RTE's forecast on the test period.
     */
    rteDifference: { difference: number; low: number; high: number } | null;
    /** First and last Paris days of the test period. */
    start: string;
    end: string;
  }[];
  /**
   * Anomalous steps, the events they form (`evenements_anomalies`) and the largest events by
   * energy deviation, one French sentence each.
   */
  anomalies: { total: number; events: number; examples: string[] };
  /** Per rule of `qualite_donnees`: rows failing and rows checked. */
  quality: { rule: string; failures: number; checked: number }[];
  /**
   * Steps the run's notebooks skipped because they could not run on the data (from the run
   * manifest), in run order; empty for a complete run or without a manifest.
   */
  skippedSteps: { notebook: string; step: string; reason: string }[];
  /**
   * Daily wholesale prices of the period: the summary sentence, the drivers, the negative and
   * very high days (French weekday and category), the file; or why there are none.
   */
  prices: {
    file: string;
    text: string;
    correlations: PriceDriver[];
    days: { date: string; weekday: string; price: number; category: string }[];
  } | { missing: string };
  /**
   * Live models versus their upper bound, P10-P90 coverage, and the backtest against RTE
   * (`forecast_quality.ts`); absent or null when there is nothing to say.
   */
  forecastQuality?: ForecastQuality | null;
  /**
   * The class of the renewable share forecast 1 to 6 hours after the last measured instant
   * (notebook 09's `predictions_mix`, rows `prevision`): the scheme's French name and one row per
   * horizon with the Paris time of its target; absent or null when no classifier ran.
   */
  nextHoursMix?: {
    schema: string;
    forecasts: { horizonHours: number; instant: string; predictedClass: string }[];
  } | null;
  /** Figures, or why there are none. */
  figures: ReportFigure[] | { missing: string };
}

const label = (source: string) => sourceName(source);

function skippedSection(skipped: ReportData["skippedSteps"]): string[] {
  if (skipped.length === 0) return [];
  return [
    "## Étapes ignorées",
    "",
    "Ces étapes n'ont pas pu s'exécuter sur les données de ce run ; leurs résultats sont absents " +
    "du rapport, et leurs tables sont vides :",
    "",
    ...skipped.map((s) =>
      `- **${mdText(s.step)}** (notebook ${mdCode(s.notebook)}) : ${mdText(s.reason)}.`
    ),
    "",
  ];
}

/**
 * What the report says of the models' temperature: a model `X_sans_temperature` is trained
 * beside `X` only when the temperatures fed the models (`lib/pipeline/forecast_step.ts`).
 */
function temperatureNote(models: ReportData["models"]): string {
  return models.some((m) => m.model.endsWith("_sans_temperature"))
    ? "_Les modèles de la veille (j1) reçoivent la prévision de température connue à la " +
      "coupure ; le modèle « température observée » reçoit celle du jour prévu, inconnue à la " +
      "coupure (une borne haute, pas une prévision réelle) ; les modèles « sans température » " +
      "s'en passent, comme ceux d'une heure avant (h1), à qui elle n'apportait rien._"
    : "_Les modèles n'utilisent pas de température (pas de données de référence couvrant la " +
      "période)._";
}

function episodesSection(e: ReportData["episodes"]): string[] {
  if (e === null) return [];
  const balance = e.physical
    ? "le solde physique horaire de tous les échanges, faute de détail par frontière dans les " +
      "fichiers,"
    : "le solde horaire d'une frontière, ou de toutes,";
  const rule = `au moins ${e.minDurationHours} heures consécutives où ${balance} atteint le ` +
    `${fr(e.percentile)}e centile de sa valeur absolue sur la période`;
  const total = e.import + e.export;
  if (total === 0) return [`Aucun épisode d'échanges massifs (${rule}).`, ""];
  return [
    `**Épisodes d'échanges massifs** (${rule}) : ${fr(total)}, dont ${fr(e.export)} d'export et ` +
    `${fr(e.import)} d'import. Les plus importants (heures de Paris) :`,
    "",
    ...e.examples.map((sentence) => `- ${mdText(sentence)}`),
    "",
  ];
}

function mixForecastSection(d: ReportData): string[] {
  const title = ["### Mix des prochaines heures", ""];
  const m = d.nextHoursMix ?? null;
  if (!m || m.forecasts.length === 0) {
    const skipped = d.skippedSteps.some((s) => s.notebook.startsWith("09"));
    return [
      ...title,
      "_Pas de prévision du mix : les classifieurs du notebook 09 n'ont pas été entraînés dans " +
      (skipped ? "ce run (voir « Étapes ignorées »)._" : "ce run._"),
      "",
    ];
  }
  return [
    ...title,
    "Classe de la part renouvelable de la production prévue après la dernière mesure " +
    `(${m.schema}, gradient boosting, heures de Paris) :`,
    "",
    "| échéance | instant | classe |",
    "|---:|---|---|",
    ...m.forecasts.map((p) => `| ${p.horizonHours} h | ${p.instant} | ${p.predictedClass} |`),
    "",
  ];
}

function pricesSection(p: ReportData["prices"]): string[] {
  const title = ["## Prix de gros de l'électricité", ""];
  if ("missing" in p) {
    return [...title, `Aucun prix de gros dans ce rapport : ${mdText(p.missing)}.`, ""];
  }
  return [
    ...title,
    mdText(p.text),
    "",
    "| variable du jour | corrélation r | pente |",
    "|---|---:|---:|",
    ...p.correlations.map((c) =>
      `| ${c.variable} | ${fr(c.r, 2)} | ${c.slope > 0 ? "+" : ""}${fr(c.slope, 2)} ${c.unit} |`
    ),
    "",
    ...(p.days.length
      ? [
        "Jours à prix négatif ou très élevé (5 % des jours les plus chers de la période) :",
        "",
        ...p.days.map((j) => `- ${j.weekday} ${j.date} : ${fr(j.price, 2)} €/MWh (${j.category})`),
        "",
      ]
      : []),
    `_Prix day-ahead journaliers de la France (source : Ember, « European Wholesale Electricity ` +
    `Price Data », CC BY 4.0 ; fichier ${mdCode(p.file)}). Corrélations de Pearson sur les ` +
    "jours complets ; une corrélation ne dit pas la cause._",
    "",
  ];
}

/** "du 02/06/2025 au 25/07/2025", or each horizon's period when they differ. */
function testPeriods(models: ReportData["models"]): string {
  const periods = [...new Set(models.map((m) => `du ${m.start} au ${m.end}`))];
  if (periods.length === 1) return periods[0];
  const byHorizon = new Map(
    models.map((m) => [m.horizon, `${m.horizon} du ${m.start} au ${m.end}`]),
  );
  return [...byHorizon.values()].join(", ");
}

function trendsSection(d: ReportData): string[] {
  const title = ["## Tendances", ""];
  if (d.trends.length === 0) {
    return [
      ...title,
      `Les données couvrent ${fr(d.monthsCovered)} mois : il faut au moins deux années pour ` +
      "comparer chaque mois au même mois de l'année précédente. Sur moins de deux ans, une pente " +
      "de mois en mois mesurerait surtout la saison (l'éolien baisse de l'hiver à l'été chaque " +
      "année) : aucune tendance n'est donc donnée.",
      "",
    ];
  }
  return [
    ...title,
    "Variation moyenne d'un mois par rapport au même mois de l'année précédente (la saison " +
    "s'annule), ramenée à un mois :",
    "",
    ...d.trends.map((t) =>
      `- ${capitalise(trendName(t.series))} : ${t.slope >= 0 ? "+" : "−"}${
        fr(Math.abs(t.slope), 2)
      } ` +
      `${t.unit}, mois comparés de ${t.firstMonth} à ${t.lastMonth}.`
    ),
    "",
  ];
}

function figuresSection(figures: ReportData["figures"]): string[] {
  if ("missing" in figures) {
    return ["## Figures", "", `_Figures non générées : ${figures.missing}._`, ""];
  }
  return [
    "## Figures",
    "",
    ...figures.flatMap((f) => [`### ${f.title}`, "", `![${f.title}](${f.file})`, ""]),
  ];
}

/**
 * Our model against RTE's forecast of the same horizon on the same test instants, in French: the
 * two MAPEs, the period, the difference with its 95 % interval, and which is better only when
 * the interval excludes 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rteComparison } from "./report.ts";
 * const model = { model: "gbdt", horizon: "j1", mape: 1.62, rmse: 900, rteMape: 1.6, start: "02/06/2025", end: "25/07/2025" };
 * const tie = rteComparison({ ...model, rteDifference: { difference: 0.02, low: -0.22, high: 0.29 } });
 * assert.ok(tie.includes("ne se distinguent pas"));
 * assert.ok(!tie.includes("meilleure"));
 * assert.ok(tie.includes("[−0,22 ; +0,29]"));
 * const worse = rteComparison({ ...model, mape: 2.18, rteDifference: { difference: 0.58, low: 0.31, high: 0.86 } });
 * assert.ok(worse.includes("RTE fait mieux"));
 * ```
 */
export function rteComparison(m: ReportData["models"][number]): string {
  const rte = m.horizon === "h1" ? "la prévision J de RTE" : "la prévision J-1 de RTE";
  const scores =
    `notre meilleur modèle (${modelName(m.model)}) : MAPE ${fr(m.mape, 2)} % ; ${rte} : ${
      fr(m.rteMape ?? NaN, 2)
    } %, ` +
    `sur les mêmes instants de la période de test, du ${m.start} au ${m.end}`;
  if (!m.rteDifference) {
    return `${scores}. Sans intervalle de confiance, aucune des deux n'est dite meilleure.`;
  }
  const e = m.rteDifference;
  const interval = `écart ${signed(e.difference)} point, intervalle de confiance à 95 % ` +
    `[${signed(e.low)} ; ${signed(e.high)}] (rééchantillonnage par jours)`;
  if (e.low > 0) {
    return `${scores} ; ${interval}. ${capitalise(rte)} fait mieux : ` +
      `l'utiliser comme référence et réserver nos modèles aux horizons qu'elle ne couvre pas.`;
  }
  if (e.high < 0) {
    return `${scores} ; ${interval}. Notre modèle fait mieux sur cette période de test, avec ` +
      `ce qui est connu à la coupure : à confirmer sur toutes les saisons (backtest) avant ` +
      `usage opérationnel.`;
  }
  return `${scores} ; ${interval}. L'intervalle contient 0 : les deux prévisions ne se ` +
    `distinguent pas sur cette période de test.`;
}

/** A signed French number with 2 decimals and a true minus sign: "+0,29", "−0,22". */
function signed(x: number): string {
  return `${x >= 0 ? "+" : "−"}${fr(Math.abs(x), 2)}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Recommendations that follow from the numbers: each names the figure it rests on.
 *
 * @example
 * ```ts ignore
 * const lines = recommendations(data);
 * ```
 */
export function recommendations(d: ReportData): string[] {
  const out: string[] = [];
  if (d.co2 && d.co2.dirtiestGkwh > 0) {
    const gain = 100 * (1 - d.co2.cleanestGkwh / d.co2.dirtiestGkwh);
    out.push(
      `**Décaler les usages flexibles** (recharge de véhicules, ballons d'eau chaude, process ` +
        `industriels) vers ${d.co2.cleanestHour} h, l'heure la moins carbonée en moyenne ` +
        `(${fr(d.co2.cleanestGkwh, 1)} g/kWh), plutôt que ${d.co2.dirtiestHour} h ` +
        `(${fr(d.co2.dirtiestGkwh, 1)} g/kWh) : ${fr(gain, 0)} % d'émissions directes en moins ` +
        `par kWh déplacé.`,
    );
  }
  // The upper bound (observed temperature) is no forecast: never "our best model".
  const best = d.models.filter((m) => !isUpperBound(m.model))
    .sort((a, b) => a.mape - b.mape);
  const dayAhead = best.find((m) => m.horizon === "j1" || m.horizon === "veille");
  const rteJ1 = d.rteForecasts.find((p) => p.horizon === "j1");
  if (dayAhead && dayAhead.rteMape !== null) {
    out.push(`**Prévision de la veille** : ${rteComparison(dayAhead)}`);
  } else if (rteJ1) {
    out.push(
      `**Prévision de la veille** : la prévision J-1 de RTE se trompe en moyenne de ` +
        `${fr(rteJ1.mae)} MW (MAPE ${fr(rteJ1.mape, 2)} % du ${d.start} au ${d.end}) ; c'est ` +
        `l'étalon de tout modèle interne.`,
    );
  }
  if (d.consumption.peakMw > 0) {
    out.push(
      `**Pointe** : le pic de ${fr(d.consumption.peakMw)} MW (${d.consumption.peakWhen}) dépasse ` +
        `la moyenne de la période de ${
          fr(100 * (d.consumption.peakMw / d.consumption.meanMw - 1), 0)
        } % ; ` +
        `les effacements de consommation ont le plus de valeur sur ces heures.`,
    );
  }
  const biggest =
    [...d.exchanges].sort((a, b) => Math.abs(b.balanceTwh) - Math.abs(a.balanceTwh))[0];
  if (biggest && biggest.balanceTwh !== 0) {
    out.push(
      `**Interconnexions** : le plus gros solde commercial net est un ` +
        `${biggest.balanceTwh < 0 ? "export vers" : "import depuis"} ${
          mdText(countryName(biggest.country))
        } ` +
        `(${fr(Math.abs(biggest.balanceTwh), 2)} TWh ${
          biggest.balanceTwh < 0 ? "exportés" : "importés"
        }).`,
    );
  }
  const balance = d.quality.find((q) => q.rule === "bilan_puissance");
  if (balance && balance.failures > 0) {
    out.push(
      `**Qualité des données** : ${fr(balance.failures)} pas sur ${fr(balance.checked)} ne ` +
        `${
          balance.failures > 1 ? "respectent" : "respecte"
        } pas l'identité de bilan à 100 MW près ; les signaler à la source plutôt que ` +
        `de les corriger.`,
    );
  }
  return out;
}

/**
 * The report's Markdown.
 *
 * @example
 * ```ts ignore
 * await Deno.writeTextFile("RAPPORT_ANALYSE.md", buildReport(data));
 * ```
 */
export function buildReport(d: ReportData): string {
  const main = d.mix[0];
  const exporter = d.exchanges.reduce((t, e) => t + e.balanceTwh, 0);
  const lines = [
    "# Rapport d'analyse — électricité en France (eCO2mix)",
    "",
    `_Rapport généré automatiquement par le pipeline le ${
      formatParisDateTime(d.generatedAt).replace(" ", " à ")
    }, heure de Paris` +
    `${d.runId ? ` (run \`${d.runId}\`)` : ""}, à partir de : ${
      d.inputs.map(mdCode).join(", ")
    }. ` +
    `Tous les chiffres sont calculés à partir de ces données ; relancer le pipeline sur d'autres ` +
    `fichiers les met à jour._`,
    "",
    `Périmètre : **${mdText(d.perimeter)}**, du ${d.start} au ${d.end}.`,
    "",
    ...skippedSection(d.skippedSteps),
    "## Enseignements clés",
    "",
    // Plain sentences that quote names from the data.
    ...d.findings.map((f) => `- ${mdText(f)}`),
    "",
    "## Consommation",
    "",
    `La consommation atteint ${fr(d.consumption.twh, 2)} TWh sur la période, soit ` +
    `${fr(d.consumption.meanMw)} MW en moyenne, avec un pic de ${fr(d.consumption.peakMw)} MW ` +
    `${d.consumption.peakWhen}.` +
    (d.weekendEffectPct === null
      ? ""
      : ` Le week-end, elle est ${d.weekendEffectPct < 0 ? "inférieure" : "supérieure"} ` +
        `de ${fr(Math.abs(d.weekendEffectPct), 1)} % à celle des jours ouvrés.`),
    "",
    "## Mix énergétique",
    "",
    main
      ? `Première source : **${label(main.source)}**, ${fr(main.sharePct, 1)} % de la production ` +
        `(${fr(main.energyTwh, 2)} TWh).`
      : "Aucune production publiée dans les données.",
    "",
    "| source | énergie (TWh) | part de la production (%) |",
    "|---|---:|---:|",
    ...d.mix.map((m) => `| ${label(m.source)} | ${fr(m.energyTwh, 3)} | ${fr(m.sharePct, 1)} |`),
    "",
    ...(d.renewableSharePct === null ? [] : [
      `Part renouvelable de la production : ${fr(d.renewableSharePct, 1)} % ; part bas carbone ` +
      `(nucléaire et renouvelables) : ${fr(d.lowCarbonSharePct ?? 0, 1)} %.`,
      "",
    ]),
    ...trendsSection(d),
    "## Échanges internationaux",
    "",
    ...(d.exchanges.length
      ? [
        `Solde commercial net sur la période : ${exporter < 0 ? "export" : "import"} de ` +
        `${fr(Math.abs(exporter), 2)} TWh.`,
        "",
        "| pays | solde net (TWh, > 0 import) |",
        "|---|---:|",
        ...d.exchanges.map((e) =>
          `| ${mdText(countryName(e.country, false))} | ${fr(e.balanceTwh, 3)} |`
        ),
        "",
      ]
      : ["Les fichiers ne publient pas d'échanges commerciaux par pays.", ""]),
    ...episodesSection(d.episodes),
    "## Environnement",
    "",
    ...(d.co2
      ? [
        `Intensité carbone moyenne du ${d.start} au ${d.end} : ${
          fr(d.co2.meanGkwh, 1)
        } g/kWh, pondérée par la production (émissions directes totales divisées par la ` +
        `production totale) ; la moyenne simple des pas, affichée dans les notebooks 03 et 05, ` +
        `vaut ${fr(d.co2.plainMeanGkwh, 1)} g/kWh (chaque pas y pèse autant, ` +
        `quelle que soit sa production). Heure la plus propre en moyenne : ${d.co2.cleanestHour} h ` +
        `(${fr(d.co2.cleanestGkwh, 1)} g/kWh) ; la plus carbonée : ${d.co2.dirtiestHour} h ` +
        `(${fr(d.co2.dirtiestGkwh, 1)} g/kWh).` +
        (d.co2.correlation
          ? ` La variable du mix la plus corrélée à l'intensité est ${
            shareName(d.co2.correlation.variable)
          } ` +
            `(r = ${fr(d.co2.correlation.r, 2)}).`
          : ""),
        "",
      ]
      : ["Les fichiers régionaux ne publient pas de taux de CO2.", ""]),
    ...pricesSection(d.prices),
    "## Prévision de la consommation",
    "",
    ...(d.rteForecasts.length
      ? [`Prévisions de RTE sur toute la période, du ${d.start} au ${d.end} :`, ""]
      : ["Les fichiers ne publient pas de prévision de consommation de RTE.", ""]),
    ...d.rteForecasts.map((p) =>
      `- Prévision ${p.horizon === "j1" ? "J-1" : "J"} de RTE : MAPE ${fr(p.mape, 2)} %, ` +
      `MAE ${fr(p.mae)} MW.`
    ),
    ...(d.models.length
      ? [
        "",
        d.models.some((m) => m.rteMape !== null)
          ? `Nos modèles sur leur période de test (${testPeriods(d.models)}), chacun comparé à ` +
            "la prévision de RTE du même horizon sur les mêmes instants (J pour h1, J-1 pour " +
            "j1) ; l'écart de MAPE a un intervalle de confiance à 95 % (rééchantillonnage par " +
            "jours) et n'est significatif que si l'intervalle exclut 0 :"
          : `Nos modèles sur leur période de test (${testPeriods(d.models)}) ; les fichiers ne ` +
            "publient pas de prévision de RTE à laquelle les comparer :",
        "",
        "| modèle | horizon | MAPE (%) | RMSE (MW) | MAPE de RTE (%) | écart (points) | IC 95 % | significatif |",
        "|---|---|---:|---:|---:|---:|---|---|",
        ...d.models.map((m) =>
          `| ${modelName(m.model)} | ${m.horizon} | ${fr(m.mape, 2)} | ${fr(m.rmse)} | ${
            m.rteMape === null ? "—" : fr(m.rteMape, 2)
          } | ${m.rteDifference ? signed(m.rteDifference.difference) : "—"} | ${
            m.rteDifference
              ? `[${signed(m.rteDifference.low)} ; ${signed(m.rteDifference.high)}]`
              : "—"
          } | ${
            m.rteDifference
              ? (m.rteDifference.low > 0 || m.rteDifference.high < 0 ? "oui" : "non")
              : "—"
          } |`
        ),
        "",
        temperatureNote(d.models),
        "",
        ...forecastQualitySection(d.forecastQuality ?? null),
      ]
      : [
        "",
        "_Aucun modèle entraîné dans ce run" +
        (d.skippedSteps.some((s) => s.step === ML_STEPS.consommation)
          ? " : l'étape a été ignorée (voir « Étapes ignorées »)._"
          : "._"),
      ]),
    "",
    ...mixForecastSection(d),
    "## Anomalies",
    "",
    (d.anomalies.total === 0
      ? "Aucun pas inhabituel détecté"
      : `${fr(d.anomalies.total)} pas inhabituel${d.anomalies.total > 1 ? "s" : ""} détecté` +
        (d.anomalies.total > 1 ? "s" : "")) +
    ` (écart à la médiane du même créneau sur ±3 semaines, score robuste)` +
    (d.anomalies.events > 0
      ? `, regroupés en ${fr(d.anomalies.events)} événement${
        d.anomalies.events > 1 ? "s" : ""
      } (pas anormaux d'une même série, du même côté, à moins de 3 heures d'intervalle). ` +
        `Les plus marqués par leur écart d'énergie (heures de Paris) :`
      : "."),
    "",
    ...d.anomalies.examples.map((sentence) => `- ${mdText(sentence)}`),
    "",
    "## Recommandations",
    "",
    ...recommendations(d).map((r, i) => `${i + 1}. ${r}`),
    "",
    "## Conclusions",
    "",
    main
      ? `Sur cette période, l'électricité française reste dominée par ${
        sourceName(main.source, "le")
      } ` +
        `(${fr(main.sharePct, 1)} %), ${
          (d.lowCarbonSharePct ?? 0) >= 90 ? "très largement" : "majoritairement"
        } bas carbone (${fr(d.lowCarbonSharePct ?? 0, 1)} %)` +
        (d.exchanges.length ? `, et ${exporter < 0 ? "exportatrice" : "importatrice"} nette.` : ".")
      : "Les données chargées ne contiennent pas de production.",
    "",
    ...figuresSection(d.figures),
  ];
  // A section without its optional lines leaves blank lines behind: one separates paragraphs.
  return lines.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}
