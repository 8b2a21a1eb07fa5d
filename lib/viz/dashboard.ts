/**
 * The offline dashboard: one self-contained HTML file (plotly inlined, data embedded, no
 * network access) with every chart of the brief in six sections, the wholesale prices, the
 * dated events (anomaly events, exchange episodes) and the mix class forecast of the next hours,
 * and a date-range filter that re-slices the data in the page and redraws every chart and key
 * figure.
 *
 * Why this shape: the page redraws with the very functions that build the notebook figures
 * (`_core_*.ts`, inlined through `Function.prototype.toString`), so a chart cannot differ
 * between the notebook and the dashboard. The data travel as hourly means (`HourlyData`; a
 * coarser step beyond 400,000 values, about 18 months of a national file), rounded to the MW
 * (0.1 g/kWh for CO2), gzipped and base64-encoded: about 0.3 MB for seven months, beside
 * plotly's 4.8 MB; the page inflates them with the browser's `DecompressionStream`.
 *
 * @module
 */

import { gzipSync } from "fflate";
import pl from "nodejs-polars";
import * as coreDashboard from "./_core_dashboard.ts";
import * as coreEvents from "./_core_events.ts";
import * as corePrices from "./_core_prices.ts";
import type { DashboardData } from "./_core_dashboard.ts";
import * as coreData from "./_core_data.ts";
import type { HourlyData } from "./_core_data.ts";
import * as coreFigures from "./_core_figures.ts";
import * as coreFormat from "./_core_format.ts";
import * as coreMl from "./_core_ml.ts";
import type { PredictionData } from "./_core_ml.ts";
import {
  base64,
  escapeHtml,
  PLOT_CONFIG,
  plotlyScriptTag,
  scriptJson,
  scriptSource,
} from "./_plotly.ts";
import type { SeriesChoice } from "./_frame.ts";
import { toAnomalyEventData, toExchangeEpisodeData } from "./events.ts";
import { toHourly } from "./hourly.ts";
import { toPriceData } from "./prices.ts";
import {
  rteForecasts,
  standardPredictions,
  toImportanceData,
  toMixForecastData,
  toPredictionData,
} from "./ml.ts";
import { COLORS, COUNTRIES, SOURCES } from "./palette.ts";

/** The tables the dashboard draws. */
export interface DashboardTables {
  /** Silver (or any silver-like frame, see `toHourly`). Required. */
  readonly silver: pl.DataFrame;
  /** ML predictions (`timestamp`, `prediction`, `actual`, optional `model`, `horizon`). */
  readonly predictions?: pl.DataFrame;
  /** Feature importance (`feature`, `importance`, optional `model`). */
  readonly featureImportance?: pl.DataFrame;
  /** Anomaly events (the gold table `evenements_anomalies`). */
  readonly anomalyEvents?: pl.DataFrame;
  /** Episodes of massive import or export (the gold table `episodes_echanges`). */
  readonly exchangeEpisodes?: pl.DataFrame;
  /** Daily wholesale prices joined with the mix (the gold table `prix_mix_quotidien`). */
  readonly prices?: pl.DataFrame;
  /** The mix classifiers' predictions (the table `predictions_mix`, notebook 09). */
  readonly mixPredictions?: pl.DataFrame;
}

/** Options of {@linkcode buildDashboard}. */
export interface DashboardOptions extends SeriesChoice {
  /** Page title (default `Électricité en France – tableau de bord`, with the perimeter). */
  readonly title?: string;
  /** Generation instant shown in the page (default: now). */
  readonly generatedAt?: Date;
  /**
   * Value budget of the hourly data (rows x columns with data, default 400,000): longer periods
   * get 2, 3, 4... hour buckets, said in the page.
   */
  readonly maxValues?: number;
  /** Add RTE's J-1 and J forecasts as reference models (default true). */
  readonly rteReference?: boolean;
  /** What the importance values measure (default `importance`). */
  readonly importanceUnit?: string;
}

/** A section of the page: anchor, French title and text, charts (`wide` ones span the row). */
interface Section {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly charts: readonly { id: string; wide?: boolean }[];
  readonly kpis?: boolean;
}

const SECTIONS: readonly Section[] = [
  {
    id: "vue-ensemble",
    title: "Vue d'ensemble",
    text: "Consommation, mix et production par source sur la période choisie.",
    kpis: true,
    charts: [{ id: "consommation", wide: true }, { id: "mix" }, { id: "production" }],
  },
  {
    id: "analyse-temporelle",
    title: "Analyse temporelle",
    text: "Cycle journalier, saisonnalité et effet du week-end sur la consommation.",
    charts: [{ id: "profil" }, { id: "semaine" }, { id: "heatmap", wide: true }],
  },
  {
    id: "renouvelables",
    title: "Renouvelables",
    text: "Éolien terrestre et en mer, solaire selon l'heure, part renouvelable de la production.",
    charts: [{ id: "eolien" }, { id: "solaire" }, { id: "part_renouvelable", wide: true }],
  },
  {
    id: "echanges",
    title: "Échanges",
    text: "Échanges commerciaux aux frontières, flux d'énergie des sources vers les usages, et " +
      "épisodes d'import ou d'export massifs (au moins 3 heures consécutives au-delà du 95e " +
      "centile du solde horaire, par frontière et toutes frontières).",
    charts: [{ id: "echanges" }, { id: "sankey" }, { id: "episodes_echanges", wide: true }],
  },
  {
    id: "environnement",
    title: "Environnement",
    text: "Intensité carbone de la production et son lien avec le mix.",
    charts: [{ id: "co2" }, { id: "mix_co2" }],
  },
  {
    id: "prix",
    title: "Prix de gros",
    text: "Prix de gros journalier de l'électricité en France (marché day-ahead, source Ember) " +
      "et part des renouvelables dans la production ; points : jours à prix négatif ou très élevé.",
    charts: [{ id: "prix", wide: true }],
  },
  {
    id: "ml",
    title: "Machine learning",
    text: "Prévisions de consommation des modèles, comparées à celles de RTE (J-1, J) " +
      "et au réalisé, sur les heures que couvrent les modèles ; erreurs de prévision. " +
      "L'importance des variables, propre à l'entraînement, et la classe de la part " +
      "renouvelable prévue pour les heures qui suivent la dernière mesure ne dépendent pas de " +
      "la période choisie.",
    charts: [
      { id: "predictions", wide: true },
      { id: "erreurs_histogramme" },
      { id: "erreurs_heure" },
      { id: "importance", wide: true },
      { id: "mix_prochaines_heures", wide: true },
    ],
  },
  {
    id: "evenements",
    title: "Événements",
    text: "Événements anormaux de la période (anomalies regroupées), avec leur cause probable.",
    charts: [{ id: "evenements_anomalies", wide: true }],
  },
];

/**
 * The chart ids of the page, section by section (each has a `chart-<id>` element).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DASHBOARD_CHARTS } from "./dashboard.ts";
 * assert.equal(DASHBOARD_CHARTS.length, 21);
 * assert.equal(DASHBOARD_CHARTS[0], "consommation");
 * ```
 */
export const DASHBOARD_CHARTS: readonly string[] = SECTIONS.flatMap((s) =>
  s.charts.map((c) => c.id)
);

/** Every function of the portable core, in declaration order, for the page. */
function coreFunctions(): ((...args: never[]) => unknown)[] {
  const exported = [
    coreData,
    coreFormat,
    coreFigures,
    coreMl,
    coreEvents,
    corePrices,
    coreDashboard,
  ]
    .flatMap((m) => Object.values(m) as unknown[])
    .filter((v): v is (...args: never[]) => unknown => typeof v === "function");
  return [
    ...exported,
    ...coreFigures.FIGURE_HELPERS,
    ...coreMl.ML_HELPERS,
    ...coreEvents.EVENT_HELPERS,
  ];
}

/**
 * The page's script: the palette constants and the portable core, declared under the names the
 * core uses. Exposed for tests that run the page's code outside a browser.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dashboardCoreScript } from "./dashboard.ts";
 * const run = new Function(dashboardCoreScript() + "\nreturn formatValue(-12345.6, 1);");
 * assert.equal(run(), "\u221212\u202f345,6");
 * ```
 */
export function dashboardCoreScript(): string {
  return [
    `const SOURCES = ${scriptJson(SOURCES)};`,
    `const COUNTRIES = ${scriptJson(COUNTRIES)};`,
    `const COLORS = ${scriptJson(COLORS)};`,
    ...coreFunctions().map((f) => scriptSource(f.toString())),
  ].join("\n");
}

/** Rounds every value of a column (nulls kept) to `decimals` digits. */
function rounded(values: readonly (number | null)[], decimals: number): (number | null)[] {
  const k = 10 ** decimals;
  return values.map((v) => (v === null ? null : Math.round(v * k) / k));
}

/** Hourly data rounded for the page: MW to the unit, CO2 to 0.1 g/kWh, durations to 1e-4 h. */
function compactHourly(h: HourlyData): HourlyData {
  const series: Record<string, (number | null)[]> = {};
  for (const [key, values] of Object.entries(h.series)) {
    series[key] = rounded(values, key.startsWith("taux_co2") ? 1 : 0);
  }
  return { ...h, duration: rounded(h.duration, 4) as number[], series };
}

function compactPredictions(p: PredictionData): PredictionData {
  return {
    days: p.days,
    series: p.series.map((s) => ({
      ...s,
      prediction: rounded(s.prediction, 0) as number[],
      actual: rounded(s.actual, 0),
    })),
  };
}

/**
 * The predictions the page shows: the ML models' (hourly means) and, when silver has them, RTE's
 * J-1 and J forecasts, restricted to the instants the models cover so that every series is
 * scored on the same hours.
 */
function dashboardPredictions(
  tables: DashboardTables,
  options: DashboardOptions,
): PredictionData | null {
  const parts: pl.DataFrame[] = [];
  let ml: pl.DataFrame | undefined;
  if (tables.predictions) {
    ml = standardPredictions(tables.predictions);
    parts.push(ml);
  }
  const hasForecast = ["prevision_j1", "prevision_j"].some((c) =>
    tables.silver.columns.includes(c)
  );
  if (
    (options.rteReference ?? true) && hasForecast && tables.silver.columns.includes("consommation")
  ) {
    let rte = rteForecasts(tables.silver, options);
    if (ml && ml.height > 0) {
      const ms = pl.col("timestamp").cast(pl.Int64);
      const [range] = ml.select(ms.min().alias("lo"), ms.max().alias("hi")).toRecords() as {
        lo: number;
        hi: number;
      }[];
      rte = rte.filter(ms.gtEq(pl.lit(range.lo)).and(ms.ltEq(pl.lit(range.hi))));
    }
    parts.push(rte);
  }
  if (parts.length === 0) return null;
  const all = parts.length === 1 ? parts[0] : pl.concat(parts, { how: "diagonal" });
  return compactPredictions(toPredictionData(all, { stepMinutes: 60 }));
}

/**
 * The dashboard's data: hourly means of the perimeter, predictions, importance (JSON-able).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { dashboardData } from "./dashboard.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")],
 *   consommation: [60000.4], prevision_j1: [61000] });
 * const data = dashboardData({ silver });
 * assert.equal(data.hourly.series.consommation[0], 60000);
 * assert.equal(data.predictions?.series[0].model, "RTE");
 * assert.equal(data.importance, null);
 * ```
 */
export function dashboardData(
  tables: DashboardTables,
  options: DashboardOptions = {},
): DashboardData {
  const hourly = toHourly(tables.silver, {
    perimeter: options.perimeter,
    dataset: options.dataset,
    stepHours: "auto",
    maxValues: options.maxValues,
  });
  return {
    hourly: compactHourly(hourly),
    predictions: dashboardPredictions(tables, { ...options, perimeter: hourly.perimeter }),
    importance: tables.featureImportance
      ? toImportanceData(tables.featureImportance, options.importanceUnit)
      : null,
    anomalyEvents: tables.anomalyEvents
      ? toAnomalyEventData(tables.anomalyEvents, hourly.perimeter)
      : null,
    episodes: tables.exchangeEpisodes
      ? toExchangeEpisodeData(tables.exchangeEpisodes, hourly.perimeter)
      : null,
    prices: tables.prices ? toPriceData(tables.prices, hourly.perimeter) : null,
    mixForecast: tables.mixPredictions ? toMixForecastData(tables.mixPredictions) : null,
  };
}

const STYLE = `
:root{--ink:#22223B;--muted:#5C677D;--line:#E3E5EA;--bg:#F6F7F9;--accent:#2672B0}
*{box-sizing:border-box}
body{margin:0;font-family:Inter,'Segoe UI',Roboto,Arial,sans-serif;color:var(--ink);background:var(--bg)}
header{position:sticky;top:0;z-index:10;background:#fff;border-bottom:1px solid var(--line);padding:12px 24px}
h1{font-size:22px;margin:0 0 4px}
.sous-titre{color:var(--muted);margin:0 0 8px;font-size:14px}
form{display:flex;flex-wrap:wrap;gap:8px;align-items:center;font-size:14px}
input[type=date]{font:inherit;padding:4px 6px;border:1px solid var(--line);border-radius:6px}
button{font:inherit;padding:4px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
button:hover{border-color:var(--accent);color:var(--accent)}
#etat{color:var(--muted);margin-left:8px}
nav{margin-top:8px;display:flex;flex-wrap:wrap;gap:14px;font-size:14px}
nav a{color:var(--accent);text-decoration:none}
main{padding:8px 24px 24px}
section{margin-top:18px}
h2{font-size:19px;margin:0 0 2px;scroll-margin-top:140px}
section>p{color:var(--muted);margin:0 0 10px;font-size:14px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:10px;margin-bottom:12px}
.kpi{background:#fff;border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.kpi .libelle{font-size:13px;color:var(--muted)}
.kpi .valeur{font-size:22px;font-weight:600;margin:2px 0}
.kpi .detail{font-size:12px;color:var(--muted)}
.grille{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:12px}
.graphique{background:#fff;border:1px solid var(--line);border-radius:10px;min-height:460px;padding:4px}
.large{grid-column:1/-1}
footer{padding:16px 24px 32px;color:var(--muted);font-size:13px;line-height:1.5}
@media (max-width:600px){.grille{grid-template-columns:1fr}}
`;

/** The page's own script: decode the data, wire the filter, draw everything. */
const APP_SCRIPT = `
async function lireDonnees() {
  const b64 = document.getElementById("donnees").textContent.trim();
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const flux = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return JSON.parse(await new Response(flux).text());
}
function dessinerKpis(kpis) {
  const zone = document.getElementById("kpis");
  zone.replaceChildren(...kpis.map((k) => {
    const carte = document.createElement("div");
    carte.className = "kpi";
    for (const [classe, texte] of [["libelle", k.label], ["valeur", k.value], ["detail", k.detail]]) {
      const e = document.createElement("div");
      e.className = classe;
      e.textContent = texte;
      carte.append(e);
    }
    return carte;
  }));
}
(async () => {
  const DATA = await lireDonnees();
  const debut = document.getElementById("debut");
  const fin = document.getElementById("fin");
  const etat = document.getElementById("etat");
  const jours = DATA.hourly.days;
  const premier = jours[0] || "";
  const dernier = jours[jours.length - 1] || "";
  for (const champ of [debut, fin]) {
    champ.min = premier;
    champ.max = dernier;
  }
  debut.value = premier;
  fin.value = dernier;
  let rendus = 0;
  async function dessiner() {
    let de = debut.value;
    let a = fin.value;
    if (de && a && de > a) [de, a] = [a, de];
    const t0 = performance.now();
    const figures = dashboardFigures(DATA, de, a);
    await Promise.all(Object.keys(figures).map((id) => {
      const el = document.getElementById("chart-" + id);
      return el ? Plotly.react(el, figures[id].data, figures[id].layout, CONFIG) : null;
    }));
    dessinerKpis(dashboardKpis(sliceDays(DATA.hourly, de, a)));
    const n = sliceDays(DATA.hourly, de, a).days.length;
    etat.textContent = n + " jour" + (n > 1 ? "s" : "") + " affiché" + (n > 1 ? "s" : "") +
      " · redessiné en " + Math.round(performance.now() - t0) + " ms";
    document.body.dataset.rendus = String(++rendus);
  }
  function periode(joursVoulus) {
    if (!dernier) return;
    if (joursVoulus === 0) {
      debut.value = premier;
    } else {
      const d = new Date(dernier + "T00:00:00Z");
      d.setUTCDate(d.getUTCDate() - joursVoulus + 1);
      const iso = d.toISOString().slice(0, 10);
      debut.value = iso < premier ? premier : iso;
    }
    fin.value = dernier;
    dessiner();
  }
  debut.addEventListener("change", dessiner);
  fin.addEventListener("change", dessiner);
  for (const bouton of document.querySelectorAll("button[data-jours]")) {
    bouton.addEventListener("click", (e) => {
      e.preventDefault();
      periode(Number(bouton.dataset.jours));
    });
  }
  await dessiner();
})().catch((erreur) => {
  document.getElementById("etat").textContent = "Erreur : " + erreur.message;
  throw erreur;
});
`;

/**
 * The dashboard as one self-contained HTML document (French, no network access needed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { buildDashboard } from "./dashboard.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], consommation: [60000] });
 * const html = buildDashboard({ silver }, { generatedAt: new Date("2025-01-02T08:00:00Z") });
 * assert.ok(html.startsWith("<!DOCTYPE html>"));
 * assert.ok(html.includes('id="chart-sankey"'));
 * ```
 */
export function buildDashboard(tables: DashboardTables, options: DashboardOptions = {}): string {
  const data = dashboardData(tables, options);
  const h = data.hourly;
  const title = options.title ?? `Électricité – ${h.perimeter} : tableau de bord`;
  const generated = (options.generatedAt ?? new Date()).toISOString().slice(0, 16).replace(
    "T",
    " ",
  );
  const payload = base64(gzipSync(new TextEncoder().encode(JSON.stringify(data)), { level: 9 }));
  const resolution = h.stepHours === 1
    ? "moyennes horaires"
    : `moyennes par pas de ${h.stepHours} h (période longue)`;
  const sections = SECTIONS.map((s) =>
    `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2><p>${escapeHtml(s.text)}</p>` +
    (s.kpis ? `<div class="kpis" id="kpis"></div>` : "") +
    `<div class="grille">${
      s.charts.map((c) =>
        `<div class="graphique${c.wide ? " large" : ""}" id="chart-${c.id}"></div>`
      )
        .join("")
    }</div></section>`
  ).join("\n");
  return `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>${escapeHtml(title)}</h1>
<p class="sous-titre">Périmètre ${escapeHtml(h.perimeter)} · ${
    escapeHtml(coreFormat.periodLabel(h.days))
  } · généré le ${generated} UTC</p>
<form id="filtre" onsubmit="return false">
<label>Du <input type="date" id="debut"></label>
<label>au <input type="date" id="fin"></label>
<button type="button" data-jours="7">7 derniers jours</button>
<button type="button" data-jours="30">30 derniers jours</button>
<button type="button" data-jours="0">Toute la période</button>
<span id="etat">Chargement…</span></form>
<nav>${SECTIONS.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join("")}</nav>
<noscript><p>Ce tableau de bord a besoin de JavaScript pour dessiner les graphiques.</p></noscript>
</header>
<main>
${sections}
</main>
<footer>Source : RTE – éCO2mix (données de production et de consommation d'électricité), via les
fichiers fournis au pipeline. Heures locales (Europe/Paris). Les graphiques sont calculés dans la
page à partir des ${resolution} de la table silver, arrondies au MW ; les énergies sont ces
moyennes multipliées par la durée couverte. Les périodes longues sont tracées en moyennes
journalières (le sous-titre de chaque graphique l'indique). Échanges : &gt; 0 import, &lt; 0
export. Erreurs de prévision : prévision − réalisé, sur moyennes horaires.</footer>
<script type="application/octet-stream" id="donnees">${payload}</script>
${plotlyScriptTag()}
<script>
const CONFIG = ${scriptJson(PLOT_CONFIG)};
${dashboardCoreScript()}
${scriptSource(APP_SCRIPT)}
</script>
</body></html>
`;
}

/**
 * Builds the dashboard and writes it to `path`; returns its size in bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { writeDashboard } from "./dashboard.ts";
 * const silver = pl.DataFrame({ timestamp_utc: [new Date("2025-01-01T00:00:00Z")], consommation: [60000] });
 * const path = await Deno.makeTempFile({ suffix: ".html" });
 * const bytes = await writeDashboard(path, { silver });
 * assert.equal(bytes, (await Deno.stat(path)).size);
 * await Deno.remove(path);
 * ```
 */
export async function writeDashboard(
  path: string,
  tables: DashboardTables,
  options: DashboardOptions = {},
): Promise<number> {
  const bytes = new TextEncoder().encode(buildDashboard(tables, options));
  await Deno.writeFile(path, bytes);
  return bytes.length;
}
