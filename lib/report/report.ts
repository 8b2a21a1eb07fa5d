/**
 * RAPPORT_ANALYSE.md: the analysis report, as a pure function of figures computed from the
 * tables. Every number in it comes from {@linkcode ReportData}; the text around the numbers
 * changes with them (a net importer is not called an exporter, a model worse than RTE is not
 * recommended).
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

/** A figure of the report (a PNG next to the report). */
export interface ReportFigure {
  /** Path relative to the report's folder. */
  file: string;
  title: string;
}

/** The numbers the report is written from (see `lib/pipeline/report_step.ts`). */
export interface ReportData {
  generatedAt: Date;
  runId: string | null;
  inputs: string[];
  perimetre: string;
  debut: string;
  fin: string;
  /** Sentences from `keyFindings` (lib/analysis/exploration.ts). */
  findings: string[];
  consommation: { twh: number; moyenne_mw: number; pic_mw: number; pic_quand: string };
  effetWeekendPct: number | null;
  mix: { source: string; part_pct: number; energie_twh: number }[];
  partRenouvelablesPct: number | null;
  partBasCarbonePct: number | null;
  /**
   * Year-over-year trends (`yearOverYearTrends`): none with less than two years of months, when
   * a slope over the months would measure the season.
   */
  tendances: {
    serie: string;
    pente: number;
    unite: string;
    premierMois: string;
    dernierMois: string;
  }[];
  /** Months of the period (local), to say why there is no trend. */
  moisCouverts: number;
  echanges: { pays: string; solde_twh: number }[];
  /**
   * Episodes of massive import or export (`episodes_echanges`) of the perimeter: their rule,
   * counts by direction and the largest ones, one French sentence each; null without the table
   * or without any exchange balance in the data.
   */
  episodes: {
    /** Whether the episodes are of the physical balance (files without borders). */
    physique: boolean;
    centile: number;
    dureeMinHeures: number;
    import: number;
    export: number;
    exemples: string[];
  } | null;
  co2: {
    /** Σ emissions / Σ production: weighted by production. */
    taux_moyen_gkwh: number;
    /** Plain mean of the steps' `taux_co2` (what notebooks 03 and 05 show). */
    taux_moyen_simple_gkwh: number;
    heure_propre: number;
    taux_propre: number;
    heure_carbonee: number;
    taux_carbonee: number;
    correlation: { variable: string; r: number } | null;
  } | null;
  /** RTE's forecasts on the whole period (`debut` to `fin`): MAPE (%), MAE (MW). */
  previsionsRte: { horizon: string; mape: number; mae: number }[];
  /** Our models on their test period (empty when no model was trained). */
  modeles: {
    modele: string;
    horizon: string;
    mape: number;
    rmse: number;
    mapeRte: number | null;
    /**
     * MAPE minus RTE's on the same instants (points), 95 % interval from a bootstrap of whole
     * Paris days; null without RTE's forecast on the test period.
     */
    ecartRte: { difference: number; low: number; high: number } | null;
    /** First and last Paris days of the test period. */
    debut: string;
    fin: string;
  }[];
  /**
   * Anomalous steps, the events they form (`evenements_anomalies`) and the largest events by
   * energy deviation, one French sentence each.
   */
  anomalies: { total: number; evenements: number; exemples: string[] };
  qualite: { regle: string; echecs: number; verifiees: number }[];
  /**
   * Steps the run's notebooks skipped because they could not run on the data (from the run
   * manifest), in run order; empty for a complete run or without a manifest.
   */
  etapesIgnorees: { notebook: string; step: string; reason: string }[];
  /**
   * Daily wholesale prices of the period: the summary sentence, the drivers, the negative and
   * very high days, the file; or why there are none.
   */
  prix: {
    fichier: string;
    texte: string;
    correlations: { variable: string; r: number; pente: number; unite: string; jours: number }[];
    jours: { date: string; jour: string; prix: number; categorie: string }[];
  } | { absent: string };
  /**
   * Live models versus their upper bound, P10-P90 coverage, and the backtest against RTE
   * (`forecast_quality.ts`); absent or null when there is nothing to say.
   */
  fiabilite?: ForecastQuality | null;
  /**
   * The class of the renewable share forecast 1 to 6 hours after the last measured instant
   * (notebook 09's `predictions_mix`, rows `prevision`): the scheme's French name and one row per
   * horizon with the Paris time of its target; absent or null when no classifier ran.
   */
  mixProchainesHeures?: {
    schema: string;
    previsions: { horizon_heures: number; instant: string; classe: string }[];
  } | null;
  /** Figures, or why there are none. */
  figures: ReportFigure[] | { absentes: string };
}

const label = (source: string) => sourceName(source);

function skippedSection(skipped: ReportData["etapesIgnorees"]): string[] {
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
function temperatureNote(models: ReportData["modeles"]): string {
  return models.some((m) => m.modele.endsWith("_sans_temperature"))
    ? "_Les modèles reçoivent la prévision de température connue à la coupure ; le modèle " +
      "« température observée » reçoit celle du jour prévu, inconnue à la coupure (une borne " +
      "haute, pas une prévision réelle) ; les modèles « sans température » s'en passent._"
    : "_Les modèles n'utilisent pas de température (pas de données de référence couvrant la " +
      "période)._";
}

function episodesSection(e: ReportData["episodes"]): string[] {
  if (e === null) return [];
  const balance = e.physique
    ? "le solde physique horaire de tous les échanges, faute de détail par frontière dans les " +
      "fichiers,"
    : "le solde horaire d'une frontière, ou de toutes,";
  const rule = `au moins ${e.dureeMinHeures} heures consécutives où ${balance} atteint le ` +
    `${fr(e.centile)}e centile de sa valeur absolue sur la période`;
  const total = e.import + e.export;
  if (total === 0) return [`Aucun épisode d'échanges massifs (${rule}).`, ""];
  return [
    `**Épisodes d'échanges massifs** (${rule}) : ${fr(total)}, dont ${fr(e.export)} d'export et ` +
    `${fr(e.import)} d'import. Les plus importants (heures de Paris) :`,
    "",
    ...e.exemples.map((sentence) => `- ${mdText(sentence)}`),
    "",
  ];
}

function mixForecastSection(d: ReportData): string[] {
  const title = ["### Mix des prochaines heures", ""];
  const m = d.mixProchainesHeures ?? null;
  if (!m || m.previsions.length === 0) {
    const skipped = d.etapesIgnorees.some((s) => s.notebook.startsWith("09"));
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
    ...m.previsions.map((p) => `| ${p.horizon_heures} h | ${p.instant} | ${p.classe} |`),
    "",
  ];
}

function pricesSection(p: ReportData["prix"]): string[] {
  const title = ["## Prix de gros de l'électricité", ""];
  if ("absent" in p) {
    return [...title, `Aucun prix de gros dans ce rapport : ${mdText(p.absent)}.`, ""];
  }
  return [
    ...title,
    mdText(p.texte),
    "",
    "| variable du jour | corrélation r | pente |",
    "|---|---:|---:|",
    ...p.correlations.map((c) =>
      `| ${c.variable} | ${fr(c.r, 2)} | ${c.pente > 0 ? "+" : ""}${fr(c.pente, 2)} ${c.unite} |`
    ),
    "",
    ...(p.jours.length
      ? [
        "Jours à prix négatif ou très élevé (5 % des jours les plus chers de la période) :",
        "",
        ...p.jours.map((j) => `- ${j.jour} ${j.date} : ${fr(j.prix, 2)} €/MWh (${j.categorie})`),
        "",
      ]
      : []),
    `_Prix day-ahead journaliers de la France (source : Ember, « European Wholesale Electricity ` +
    `Price Data », CC BY 4.0 ; fichier ${mdCode(p.fichier)}). Corrélations de Pearson sur les ` +
    "jours complets ; une corrélation ne dit pas la cause._",
    "",
  ];
}

/** "du 02/06/2025 au 25/07/2025", or each horizon's period when they differ. */
function testPeriods(models: ReportData["modeles"]): string {
  const periods = [...new Set(models.map((m) => `du ${m.debut} au ${m.fin}`))];
  if (periods.length === 1) return periods[0];
  const byHorizon = new Map(
    models.map((m) => [m.horizon, `${m.horizon} du ${m.debut} au ${m.fin}`]),
  );
  return [...byHorizon.values()].join(", ");
}

function trendsSection(d: ReportData): string[] {
  const title = ["## Tendances", ""];
  if (d.tendances.length === 0) {
    return [
      ...title,
      `Les données couvrent ${fr(d.moisCouverts)} mois : il faut au moins deux années pour ` +
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
    ...d.tendances.map((t) =>
      `- ${capitalise(trendName(t.serie))} : ${t.pente >= 0 ? "+" : "−"}${
        fr(Math.abs(t.pente), 2)
      } ` +
      `${t.unite}, mois comparés de ${t.premierMois} à ${t.dernierMois}.`
    ),
    "",
  ];
}

function figuresSection(figures: ReportData["figures"]): string[] {
  if ("absentes" in figures) {
    return ["## Figures", "", `_Figures non générées : ${figures.absentes}._`, ""];
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
 * const model = { modele: "gbdt", horizon: "j1", mape: 1.62, rmse: 900, mapeRte: 1.6, debut: "02/06/2025", fin: "25/07/2025" };
 * const tie = rteComparison({ ...model, ecartRte: { difference: 0.02, low: -0.22, high: 0.29 } });
 * assert.ok(tie.includes("ne se distinguent pas"));
 * assert.ok(!tie.includes("meilleure"));
 * assert.ok(tie.includes("[−0,22 ; +0,29]"));
 * const worse = rteComparison({ ...model, mape: 2.18, ecartRte: { difference: 0.58, low: 0.31, high: 0.86 } });
 * assert.ok(worse.includes("RTE fait mieux"));
 * ```
 */
export function rteComparison(m: ReportData["modeles"][number]): string {
  const rte = m.horizon === "h1" ? "la prévision J de RTE" : "la prévision J-1 de RTE";
  const scores =
    `notre meilleur modèle (${modelName(m.modele)}) : MAPE ${fr(m.mape, 2)} % ; ${rte} : ${
      fr(m.mapeRte ?? NaN, 2)
    } %, ` +
    `sur les mêmes instants de la période de test, du ${m.debut} au ${m.fin}`;
  if (!m.ecartRte) {
    return `${scores}. Sans intervalle de confiance, aucune des deux n'est dite meilleure.`;
  }
  const e = m.ecartRte;
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
  if (d.co2 && d.co2.taux_carbonee > 0) {
    const gain = 100 * (1 - d.co2.taux_propre / d.co2.taux_carbonee);
    out.push(
      `**Décaler les usages flexibles** (recharge de véhicules, ballons d'eau chaude, process ` +
        `industriels) vers ${d.co2.heure_propre} h, l'heure la moins carbonée en moyenne ` +
        `(${fr(d.co2.taux_propre, 1)} g/kWh), plutôt que ${d.co2.heure_carbonee} h ` +
        `(${fr(d.co2.taux_carbonee, 1)} g/kWh) : ${fr(gain, 0)} % d'émissions directes en moins ` +
        `par kWh déplacé.`,
    );
  }
  // The upper bound (observed temperature) is no forecast: never "our best model".
  const best = d.modeles.filter((m) => !isUpperBound(m.modele))
    .sort((a, b) => a.mape - b.mape);
  const dayAhead = best.find((m) => m.horizon === "j1" || m.horizon === "veille");
  const rteJ1 = d.previsionsRte.find((p) => p.horizon === "j1");
  if (dayAhead && dayAhead.mapeRte !== null) {
    out.push(`**Prévision de la veille** : ${rteComparison(dayAhead)}`);
  } else if (rteJ1) {
    out.push(
      `**Prévision de la veille** : la prévision J-1 de RTE se trompe en moyenne de ` +
        `${fr(rteJ1.mae)} MW (MAPE ${fr(rteJ1.mape, 2)} % du ${d.debut} au ${d.fin}) ; c'est ` +
        `l'étalon de tout modèle interne.`,
    );
  }
  if (d.consommation.pic_mw > 0) {
    out.push(
      `**Pointe** : le pic de ${
        fr(d.consommation.pic_mw)
      } MW (${d.consommation.pic_quand}) dépasse ` +
        `la moyenne de la période de ${
          fr(100 * (d.consommation.pic_mw / d.consommation.moyenne_mw - 1), 0)
        } % ; ` +
        `les effacements de consommation ont le plus de valeur sur ces heures.`,
    );
  }
  const biggest = [...d.echanges].sort((a, b) => Math.abs(b.solde_twh) - Math.abs(a.solde_twh))[0];
  if (biggest && biggest.solde_twh !== 0) {
    out.push(
      `**Interconnexions** : le plus gros solde commercial net est un ` +
        `${biggest.solde_twh < 0 ? "export vers" : "import depuis"} ${
          mdText(countryName(biggest.pays))
        } ` +
        `(${fr(Math.abs(biggest.solde_twh), 2)} TWh ${
          biggest.solde_twh < 0 ? "exportés" : "importés"
        }).`,
    );
  }
  const balance = d.qualite.find((q) => q.regle === "bilan_puissance");
  if (balance && balance.echecs > 0) {
    out.push(
      `**Qualité des données** : ${fr(balance.echecs)} pas sur ${fr(balance.verifiees)} ne ` +
        `${
          balance.echecs > 1 ? "respectent" : "respecte"
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
  const exporter = d.echanges.reduce((t, e) => t + e.solde_twh, 0);
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
    `Périmètre : **${mdText(d.perimetre)}**, du ${d.debut} au ${d.fin}.`,
    "",
    ...skippedSection(d.etapesIgnorees),
    "## Enseignements clés",
    "",
    // Plain sentences that quote names from the data.
    ...d.findings.map((f) => `- ${mdText(f)}`),
    "",
    "## Consommation",
    "",
    `La consommation atteint ${fr(d.consommation.twh, 2)} TWh sur la période, soit ` +
    `${fr(d.consommation.moyenne_mw)} MW en moyenne, avec un pic de ${
      fr(d.consommation.pic_mw)
    } MW ` +
    `${d.consommation.pic_quand}.` +
    (d.effetWeekendPct === null
      ? ""
      : ` Le week-end, elle est ${d.effetWeekendPct < 0 ? "inférieure" : "supérieure"} ` +
        `de ${fr(Math.abs(d.effetWeekendPct), 1)} % à celle des jours ouvrés.`),
    "",
    "## Mix énergétique",
    "",
    main
      ? `Première source : **${label(main.source)}**, ${fr(main.part_pct, 1)} % de la production ` +
        `(${fr(main.energie_twh, 2)} TWh).`
      : "Aucune production publiée dans les données.",
    "",
    "| source | énergie (TWh) | part de la production (%) |",
    "|---|---:|---:|",
    ...d.mix.map((m) => `| ${label(m.source)} | ${fr(m.energie_twh, 3)} | ${fr(m.part_pct, 1)} |`),
    "",
    ...(d.partRenouvelablesPct === null ? [] : [
      `Part renouvelable de la production : ${
        fr(d.partRenouvelablesPct, 1)
      } % ; part bas carbone ` +
      `(nucléaire et renouvelables) : ${fr(d.partBasCarbonePct ?? 0, 1)} %.`,
      "",
    ]),
    ...trendsSection(d),
    "## Échanges internationaux",
    "",
    ...(d.echanges.length
      ? [
        `Solde commercial net sur la période : ${exporter < 0 ? "export" : "import"} de ` +
        `${fr(Math.abs(exporter), 2)} TWh.`,
        "",
        "| pays | solde net (TWh, > 0 import) |",
        "|---|---:|",
        ...d.echanges.map((e) =>
          `| ${mdText(countryName(e.pays, false))} | ${fr(e.solde_twh, 3)} |`
        ),
        "",
      ]
      : ["Les fichiers ne publient pas d'échanges commerciaux par pays.", ""]),
    ...episodesSection(d.episodes),
    "## Environnement",
    "",
    ...(d.co2
      ? [
        `Intensité carbone moyenne du ${d.debut} au ${d.fin} : ${
          fr(d.co2.taux_moyen_gkwh, 1)
        } g/kWh, pondérée par la production (émissions directes totales divisées par la ` +
        `production totale) ; la moyenne simple des pas, affichée dans les notebooks 03 et 05, ` +
        `vaut ${fr(d.co2.taux_moyen_simple_gkwh, 1)} g/kWh (chaque pas y pèse autant, ` +
        `quelle que soit sa production). Heure la plus propre en moyenne : ${d.co2.heure_propre} h ` +
        `(${fr(d.co2.taux_propre, 1)} g/kWh) ; la plus carbonée : ${d.co2.heure_carbonee} h ` +
        `(${fr(d.co2.taux_carbonee, 1)} g/kWh).` +
        (d.co2.correlation
          ? ` La variable du mix la plus corrélée à l'intensité est ${
            shareName(d.co2.correlation.variable)
          } ` +
            `(r = ${fr(d.co2.correlation.r, 2)}).`
          : ""),
        "",
      ]
      : ["Les fichiers régionaux ne publient pas de taux de CO2.", ""]),
    ...pricesSection(d.prix),
    "## Prévision de la consommation",
    "",
    ...(d.previsionsRte.length
      ? [`Prévisions de RTE sur toute la période, du ${d.debut} au ${d.fin} :`, ""]
      : ["Les fichiers ne publient pas de prévision de consommation de RTE.", ""]),
    ...d.previsionsRte.map((p) =>
      `- Prévision ${p.horizon === "j1" ? "J-1" : "J"} de RTE : MAPE ${fr(p.mape, 2)} %, ` +
      `MAE ${fr(p.mae)} MW.`
    ),
    ...(d.modeles.length
      ? [
        "",
        d.modeles.some((m) => m.mapeRte !== null)
          ? `Nos modèles sur leur période de test (${testPeriods(d.modeles)}), chacun comparé à ` +
            "la prévision de RTE du même horizon sur les mêmes instants (J pour h1, J-1 pour " +
            "j1) ; l'écart de MAPE a un intervalle de confiance à 95 % (rééchantillonnage par " +
            "jours) et n'est significatif que si l'intervalle exclut 0 :"
          : `Nos modèles sur leur période de test (${testPeriods(d.modeles)}) ; les fichiers ne ` +
            "publient pas de prévision de RTE à laquelle les comparer :",
        "",
        "| modèle | horizon | MAPE (%) | RMSE (MW) | MAPE de RTE (%) | écart (points) | IC 95 % | significatif |",
        "|---|---|---:|---:|---:|---:|---|---|",
        ...d.modeles.map((m) =>
          `| ${modelName(m.modele)} | ${m.horizon} | ${fr(m.mape, 2)} | ${fr(m.rmse)} | ${
            m.mapeRte === null ? "—" : fr(m.mapeRte, 2)
          } | ${m.ecartRte ? signed(m.ecartRte.difference) : "—"} | ${
            m.ecartRte ? `[${signed(m.ecartRte.low)} ; ${signed(m.ecartRte.high)}]` : "—"
          } | ${m.ecartRte ? (m.ecartRte.low > 0 || m.ecartRte.high < 0 ? "oui" : "non") : "—"} |`
        ),
        "",
        temperatureNote(d.modeles),
        "",
        ...forecastQualitySection(d.fiabilite ?? null),
      ]
      : [
        "",
        "_Aucun modèle entraîné dans ce run" +
        (d.etapesIgnorees.some((s) => s.step === ML_STEPS.consommation)
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
    (d.anomalies.evenements > 0
      ? `, regroupés en ${fr(d.anomalies.evenements)} événement${
        d.anomalies.evenements > 1 ? "s" : ""
      } (pas anormaux d'une même série, du même côté, à moins de 3 heures d'intervalle). ` +
        `Les plus marqués par leur écart d'énergie (heures de Paris) :`
      : "."),
    "",
    ...d.anomalies.exemples.map((sentence) => `- ${mdText(sentence)}`),
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
        `(${fr(main.part_pct, 1)} %), ${
          (d.partBasCarbonePct ?? 0) >= 90 ? "très largement" : "majoritairement"
        } bas carbone (${fr(d.partBasCarbonePct ?? 0, 1)} %)` +
        (d.echanges.length ? `, et ${exporter < 0 ? "exportatrice" : "importatrice"} nette.` : ".")
      : "Les données chargées ne contiennent pas de production.",
    "",
    ...figuresSection(d.figures),
  ];
  // A section without its optional lines leaves blank lines behind: one separates paragraphs.
  return lines.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}
