/**
 * Report step: tables → RAPPORT_ANALYSE.md with its PNG figures, and the gold workbook.
 *
 * Why the report reads the lakehouse rather than notebook variables: it must say the same
 * thing whether the pipeline ran headless or someone stepped through the notebooks, and be
 * rebuilt from any past version of the tables.
 *
 * Why one module of this size: the report and the workbook are the two deliverables of the
 * same step, and the workbook's sheets too large for Excel are cut to the report's main
 * perimeter with the report's private helpers (`mainPerimeter`, `only`), so both show the same
 * rows.
 *
 * @module
 */

import { basename, join, relative } from "node:path";
import pl from "nodejs-polars";
import { type LakehouseCatalog, readIfPresent, TABLE, type TableName } from "./catalog.ts";
import { NATIONAL_VIEW, withNationalView } from "../layers/gold.ts";
import {
  carbonHourProfile,
  consumptionExtremes,
  energyBySource,
  keyFindings,
  mixCo2Correlation,
  monthlyMix,
  weekendEffect,
  yearOverYearTrends,
} from "../analysis/mod.ts";
import { anomalyEventSentence, exchangeEpisodeSentence } from "../report/events.ts";
import { extremePriceDays, priceDrivers, priceNarrative } from "../report/prices.ts";
import { forecastQuality } from "../report/forecast_quality.ts";
import { mapeDifference } from "../forecasting/mod.ts";
import { formatParisDate } from "../notebook/format.ts";
import { buildReport, type ReportData, type ReportFigure } from "../report/report.ts";
import { priceCorrelations } from "../analysis/prices.ts";
import { PRICE_STEP } from "../layers/prices.ts";
import { goldWorkbook, MAX_SHEET_CELLS, type WorkbookTable } from "../report/workbook.ts";
import { readManifest } from "../runner/manifest.ts";
import {
  co2Figure,
  consumptionFigure,
  type DashboardTables,
  exchangesFigure,
  exportFigures,
  type Figure,
  FigureRenderer,
  hasChromium,
  mixPieFigure,
  priceFigure,
  productionFigure,
  renewableShareFigure,
  toMixForecastData,
} from "../viz/mod.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;
const records = (df: pl.DataFrame) => df.toRecords() as Row[];

/** Options of {@linkcode writeReport}. */
export interface ReportOptions {
  /** Folder receiving RAPPORT_ANALYSE.md and figures/ (the project root in the pipeline). */
  outputDir: string;
  runId?: string | null;
  /** Folder of the run: the report lists the steps its manifest says were skipped. */
  runDir?: string;
  inputs: string[];
  /** Skip the figures even when Chromium is installed (the reason is written instead). */
  withoutFigures?: string;
  /**
   * Draw the figures with this renderer (left open), one already started; default: Chromium is
   * launched, when installed, while the tables are read.
   */
  renderer?: FigureRenderer;
}

/** What {@linkcode writeReport} wrote. */
export interface ReportFiles {
  report: string;
  figures: string[];
  data: ReportData;
}

/**
 * Silver holds no eCO2mix row: the inputs were only other datasets (the ODRÉ consumption
 * history, which is reference data). The message says, in French, what to give instead.
 */
export class NoEco2mixSeriesError extends Error {
  override name = "NoEco2mixSeriesError";
}

/**
 * The silver rows of the perimeter the report and the charts describe: France when the files
 * are national, else the national view of the regions, else the first perimeter; eCO2mix data
 * only (the consumption history is another measurement): {@linkcode NoEco2mixSeriesError} when
 * there is none.
 *
 * @example
 * ```ts ignore
 * const { perimeter, silver } = await mainSeries(openCatalog());
 * ```
 */
export async function mainSeries(
  catalog: LakehouseCatalog,
): Promise<{ perimeter: string; silver: pl.DataFrame }> {
  const table = catalog.table(TABLE.eco2mix_silver);
  // The history's files are skipped by their stats, not read and filtered out.
  const eco2mix = await table.read({ where: [{ column: "jeu_donnees", eq: "eco2mix" }] });
  if (eco2mix.height === 0) {
    const sets = (await table.read({ columns: ["jeu_donnees"] })).getColumn("jeu_donnees");
    const present = (sets.unique().sort().toArray() as string[]).join(", ");
    throw new NoEco2mixSeriesError(
      `eco2mix_silver ne contient aucune ligne eCO2mix${
        present ? ` (jeux de données présents : ${present})` : ""
      } : les analyses, les graphiques et le rapport décrivent les fichiers eCO2mix de RTE. ` +
        "L'historique de consommation ODRÉ (consommation-quotidienne-brute) est une donnée de " +
        "référence : placez-le dans reference_dir et donnez en entrée (--input) un fichier " +
        "eCO2mix national ou régional.",
    );
  }
  const nationalised = withNationalView(eco2mix);
  const perimeter = mainPerimeter(nationalised);
  return { perimeter, silver: only(nationalised, perimeter) };
}

function mainPerimeter(silver: pl.DataFrame): string {
  const perimeters = silver.getColumn("perimetre").unique().toArray() as string[];
  if (perimeters.includes("France")) return "France";
  if (perimeters.includes(NATIONAL_VIEW)) return NATIONAL_VIEW;
  return perimeters.sort()[0];
}

const only = (df: pl.DataFrame, perimeter: string) =>
  df.filter(pl.col("perimetre").eq(pl.lit(perimeter)));

/**
 * Everything the dashboard draws, read from the lakehouse: the main perimeter's silver rows
 * ({@linkcode mainSeries}), and the tables present among the models' predictions and feature
 * importance, the anomaly events, the exchange episodes, the daily prices and the mix
 * classifiers' predictions.
 *
 * @example
 * ```ts ignore
 * const { perimeter, tables } = await dashboardTables(openCatalog());
 * await writeDashboard("tableau_de_bord.html", tables);
 * ```
 */
export async function dashboardTables(
  catalog: LakehouseCatalog,
): Promise<{ perimeter: string; tables: DashboardTables }> {
  const { perimeter, silver } = await mainSeries(catalog);
  const optional = async (name: TableName) => (await readIfPresent(catalog, name)) ?? undefined;
  return {
    perimeter,
    tables: {
      silver,
      predictions: await optional(TABLE.predictions_consommation),
      featureImportance: await optional(TABLE.importance_variables),
      anomalyEvents: await optional(TABLE.evenements_anomalies),
      exchangeEpisodes: await optional(TABLE.episodes_echanges),
      prices: await optional(TABLE.prix_mix_quotidien),
      mixPredictions: await optional(TABLE.predictions_mix),
    },
  };
}

/**
 * The report's figures for one perimeter, computed from silver and gold.
 */
function reportFigures(
  silver: pl.DataFrame,
  exchanges: pl.DataFrame | null,
  prices: pl.DataFrame | null,
): Record<string, Figure> {
  const figures: Record<string, Figure> = {
    consommation: consumptionFigure(silver),
    mix: mixPieFigure(silver),
    production: productionFigure(silver),
    part_renouvelable: renewableShareFigure(silver),
  };
  if (
    silver.columns.includes("taux_co2") && silver.getColumn("taux_co2").nullCount() < silver.height
  ) {
    figures.co2 = co2Figure(silver);
  }
  if (exchanges && exchanges.height > 0) figures.echanges = exchangesFigure(exchanges);
  if (prices && prices.height > 0) figures.prix = priceFigure(prices);
  return figures;
}

/**
 * The report's next-hours mix: the dashboard's selection of notebook 09's forecasts in
 * `predictions_mix` (`toMixForecastData`: gradient boosting, the brief's classes or else the
 * terciles, by horizon, Paris times), as rows; null without any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { mixForecasts } from "./report_step.ts";
 * const at = (h: number) => new Date(Date.UTC(2025, 6, 25, 13 + h, 15));
 * const frame = pl.DataFrame({
 *   timestamp_utc: [at(2), at(1), at(1), at(1)],
 *   horizon_heures: [2, 1, 1, 1],
 *   periode: ["prevision", "prevision", "prevision", "test"],
 *   schema: ["brief", "brief", "terciles", "brief"],
 *   model: ["gbdt", "gbdt", "gbdt", "gbdt"],
 *   classe_predite: ["30-50 %", "<30 %", "bas", "<30 %"],
 * });
 * assert.deepEqual(mixForecasts(frame), {
 *   schema: "classes du cahier des charges",
 *   forecasts: [
 *     { horizonHours: 1, instant: "25/07/2025 16:15", predictedClass: "<30 %" },
 *     { horizonHours: 2, instant: "25/07/2025 17:15", predictedClass: "30-50 %" },
 *   ],
 * });
 * assert.equal(mixForecasts(null), null);
 * ```
 */
export function mixForecasts(frame: pl.DataFrame | null): ReportData["nextHoursMix"] {
  if (!frame || frame.height === 0) return null;
  const f = toMixForecastData(frame);
  if (f.schema === null) return null;
  return {
    schema: f.schema,
    forecasts: f.horizonHours.map((h, k) => ({
      horizonHours: h,
      instant: f.instant[k],
      predictedClass: f.predictedClass[k],
    })),
  };
}

/**
 * Test-period scores of every trained model in `predictions_consommation`, each beside RTE's
 * forecast of the same horizon scored on exactly the same instants: the intraday J forecast for
 * one hour ahead (`h1`), the J-1 forecast for day-ahead (`j1`). Baselines are left out.
 *
 * @example
 * ```ts ignore
 * const scores = modelScores(await catalog.table("predictions_consommation").read());
 * ```
 */
export function modelScores(predictions: pl.DataFrame): ReportData["models"] {
  const test = predictions.filter(
    pl.col("periode").eq(pl.lit("test")).and(pl.col("actual").isNotNull()),
  );
  const reference = pl.when(pl.col("horizon").eq(pl.lit("h1"))).then(pl.lit("rte_j"))
    .otherwise(pl.lit("rte_j1"));
  const rte = test.filter(pl.col("model").eq(reference)).select(
    "horizon",
    "timestamp_utc",
    pl.col("prediction").alias("_rte_prediction"),
  );
  const models = test.filter(
    pl.col("model").str.startsWith("rte_").not().and(
      pl.col("model").str.startsWith("persistance").not(),
    ),
  ).join(rte, { on: ["horizon", "timestamp_utc"], how: "left" });
  const scored = records(
    models.groupBy(["horizon", "model"]).agg(
      pl.col("timestamp_utc").min().alias("debut"),
      pl.col("timestamp_utc").max().alias("fin"),
    ).sort(["horizon", "model"]),
  ).map((r) => {
    const rows = records(
      models.filter(
        pl.col("horizon").eq(pl.lit(r.horizon)).and(pl.col("model").eq(pl.lit(r.model))),
      )
        .select("timestamp_utc", "actual", "prediction", "_rte_prediction"),
    );
    const ape = (p: number, y: number) => 100 * Math.abs(p - y) / y;
    const mean = (xs: number[]) => xs.reduce((t, x) => t + x, 0) / xs.length;
    const withRte = rows.filter((x) => x._rte_prediction !== null);
    // The same day blocks as notebook 08's interval: errors within a day are correlated.
    const days = withRte.map((x) => parisDayNumber(x.timestamp_utc));
    const difference = withRte.length > 0
      ? mapeDifference(
        withRte.map((x) => x.actual),
        withRte.map((x) => x.prediction),
        withRte.map((x) => x._rte_prediction),
        days,
      )
      : null;
    return {
      model: r.model as string,
      horizon: r.horizon as string,
      mape: mean(rows.map((x) => ape(x.prediction, x.actual))),
      rmse: Math.sqrt(mean(rows.map((x) => (x.prediction - x.actual) ** 2))),
      rteMape: withRte.length ? mean(withRte.map((x) => ape(x._rte_prediction, x.actual))) : null,
      rteDifference: difference &&
        { difference: difference.difference, low: difference.low, high: difference.high },
      start: formatParisDate(r.debut),
      end: formatParisDate(r.fin),
    };
  });
  return scored.sort((a, b) => a.horizon.localeCompare(b.horizon) || a.mape - b.mape);
}

/** The Paris local day of an instant as a number (yyyymmdd), a block of the bootstrap. */
function parisDayNumber(t: Date | number): number {
  const [d, m, y] = formatParisDate(t).split("/");
  return Number(`${y}${m}${d}`);
}

/**
 * The steps the notebooks of a run skipped, and why (the `skipped` list of each notebook of
 * `<runDir>/manifest.json`), in run order; none when the folder has no manifest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skippedStepsOfRun } from "./report_step.ts";
 * assert.deepEqual(await skippedStepsOfRun(await Deno.makeTempDir()), []);
 * ```
 */
export async function skippedStepsOfRun(runDir: string): Promise<ReportData["skippedSteps"]> {
  let manifest;
  try {
    manifest = await readManifest(runDir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return manifest.notebooks.flatMap((n) =>
    (n.skipped ?? []).map((s) => ({
      notebook: basename(n.input).replace(/\.ipynb$/, ""),
      step: s.step,
      reason: s.reason,
    }))
  );
}

/** The report's price section from the days of `prix_mix_quotidien` that have a price. */
function priceReport(days: pl.DataFrame, spot: pl.DataFrame | null): ReportData["prices"] {
  const correlations = priceCorrelations(days);
  const extremes = records(extremePriceDays(days));
  const high = extremes.filter((r) => r.categorie === "très élevé").reverse().slice(0, 5);
  return {
    file: spot && spot.height > 0 ? String(spot.getColumn("source_file").toArray()[0]) : "",
    text: priceNarrative(days, correlations),
    correlations: priceDrivers(correlations),
    days: [...extremes.filter((r) => r.categorie === "négatif"), ...high].map((r) => ({
      date: r.date,
      weekday: r.jour,
      price: r.prix_eur_mwh,
      category: r.categorie,
    })),
  };
}

/** Gathers every number of the report from the tables (and the skipped steps of the run). */
export async function collectReportData(
  catalog: LakehouseCatalog,
  options: Omit<ReportOptions, "outputDir" | "withoutFigures" | "renderer">,
): Promise<
  {
    data: Omit<ReportData, "figures">;
    silver: pl.DataFrame;
    exchanges: pl.DataFrame | null;
    /** The perimeter's rows of `prix_mix_quotidien`, when it has any. */
    prices: pl.DataFrame | null;
  }
> {
  const { perimeter, silver } = await mainSeries(catalog);
  const measured = silver.filter(pl.col("consommation").isNotNull());
  const [span] = records(measured.select(
    pl.col("date_locale").min().dt.strftime("%d/%m/%Y").alias("debut"),
    pl.col("date_locale").max().dt.strftime("%d/%m/%Y").alias("fin"),
    pl.col("energie_consommation_mwh").sum().alias("mwh"),
    pl.col("pas_minutes").sum().alias("minutes"),
  ));
  const [peak] = records(
    consumptionExtremes(measured, 1).filter(pl.col("extreme").eq(pl.lit("pic"))).select(
      "consommation",
      pl.col("date_locale").dt.strftime("%d/%m/%Y").alias("jour"),
      "heure_locale",
    ),
  );
  const mix = records(energyBySource(silver)).map((r) => ({
    source: r.source as string,
    sharePct: r.part_pct as number,
    energyTwh: r.energie_twh as number,
  }));
  const share = (sources: string[]) =>
    mix.filter((m) => sources.includes(m.source)).reduce((t, m) => t + m.sharePct, 0);
  const renewables = ["eolien", "solaire", "hydraulique", "bioenergies"];

  const gold = {
    exchanges: await readIfPresent(catalog, TABLE.echanges_internationaux),
    carbon: await readIfPresent(catalog, TABLE.empreinte_carbone),
    precision: await readIfPresent(catalog, TABLE.precision_previsions),
    predictions: await readIfPresent(catalog, TABLE.predictions_consommation),
    anomalies: await readIfPresent(catalog, TABLE.anomalies),
    events: await readIfPresent(catalog, TABLE.evenements_anomalies),
    episodes: await readIfPresent(catalog, TABLE.episodes_echanges),
    prices: await readIfPresent(catalog, TABLE.prix_mix_quotidien),
    spot: await readIfPresent(catalog, TABLE.prix_spot_quotidiens),
    quality: await readIfPresent(catalog, TABLE.qualite_donnees),
  };
  const exchanges = gold.exchanges ? only(gold.exchanges, perimeter) : null;
  const borders = exchanges
    ? records(
      exchanges.filter(pl.col("pays").neq(pl.lit("Total"))).groupBy("pays")
        .agg(pl.col("solde_net_mwh").sum().div(1e6).alias("solde_twh")).sort("solde_twh"),
    ).filter((r) => r.solde_twh !== null)
      .map((r) => ({ country: r.pays, balanceTwh: r.solde_twh }))
    : [];

  let co2: ReportData["co2"] = null;
  const carbon = gold.carbon ? only(gold.carbon, perimeter) : null;
  if (carbon && carbon.getColumn("co2_total_tonnes").nullCount() < carbon.height) {
    const byHour = records(carbonHourProfile(carbon)).filter((r) => r.taux_co2_moyen_gkwh !== null)
      .sort((a, b) => a.taux_co2_moyen_gkwh - b.taux_co2_moyen_gkwh);
    const [total] = records(carbon.select(
      pl.col("co2_total_tonnes").sum().div(pl.col("production_totale_mwh").sum()).mul(1000)
        .alias("taux"),
    ));
    const correlations = records(mixCo2Correlation(silver))
      .filter((r) => r.correlation_pearson !== null)
      .sort((a, b) => Math.abs(b.correlation_pearson) - Math.abs(a.correlation_pearson));
    const [simple] = records(silver.select(pl.col("taux_co2").mean().alias("taux")));
    if (byHour.length) {
      co2 = {
        meanGkwh: total.taux,
        plainMeanGkwh: simple.taux,
        cleanestHour: byHour[0].heure,
        cleanestGkwh: byHour[0].taux_co2_moyen_gkwh,
        dirtiestHour: byHour.at(-1)!.heure,
        dirtiestGkwh: byHour.at(-1)!.taux_co2_moyen_gkwh,
        correlation: correlations[0]
          ? { variable: correlations[0].variable, r: correlations[0].correlation_pearson }
          : null,
      };
    }
  }
  const rteForecasts = gold.precision
    ? records(
      only(gold.precision, perimeter).filter(pl.col("dimension").eq(pl.lit("global"))),
    ).map((r) => ({ horizon: r.horizon, mape: r.mape_pct, mae: r.mae_mw }))
    : [];
  const anomalies = gold.anomalies ? only(gold.anomalies, perimeter) : null;
  const events = gold.events ? only(gold.events, perimeter) : null;
  const episodes = gold.episodes ? only(gold.episodes, perimeter) : null;
  const episodeCount = (sens: string) =>
    episodes ? episodes.filter(pl.col("sens").eq(pl.lit(sens))).height : 0;
  const weekend = records(weekendEffect(silver))[0];
  const skippedSteps = options.runDir ? await skippedStepsOfRun(options.runDir) : [];
  const priceDays = gold.prices ? only(gold.prices, perimeter) : null;
  return {
    silver,
    exchanges,
    prices: priceDays && priceDays.height > 0 ? priceDays : null,
    data: {
      generatedAt: new Date(),
      runId: options.runId ?? null,
      inputs: options.inputs,
      perimeter,
      start: span.debut,
      end: span.fin,
      findings: keyFindings(silver),
      consumption: {
        twh: span.mwh / 1e6,
        meanMw: span.mwh / (span.minutes / 60),
        peakMw: peak?.consommation ?? 0,
        peakWhen: peak ? `le ${peak.jour} à ${peak.heure_locale}` : "",
      },
      weekendEffectPct: weekend?.effet_weekend_pct ?? null,
      mix,
      renewableSharePct: mix.length ? share(renewables) : null,
      lowCarbonSharePct: mix.length ? share(["nucleaire", ...renewables]) : null,
      trends: records(yearOverYearTrends(silver)).map((r) => ({
        series: r.serie,
        slope: r.pente_par_mois,
        unit: r.unite,
        firstMonth: r.premier_mois,
        lastMonth: r.dernier_mois,
      })),
      monthsCovered: monthlyMix(silver).height,
      exchanges: borders,
      episodes: episodes && episodes.height > 0
        ? {
          physical: episodes.filter(pl.col("mesure").eq(pl.lit("commercial"))).height === 0,
          percentile: Number(episodes.getColumn("centile").toArray()[0]),
          minDurationHours: Number(episodes.getColumn("duree_min_heures").toArray()[0]),
          import: episodeCount("import"),
          export: episodeCount("export"),
          examples: records(episodes.sort(pl.col("energie_mwh").abs(), true).head(3))
            .map(exchangeEpisodeSentence),
        }
        : null,
      co2,
      rteForecasts,
      models: gold.predictions ? modelScores(gold.predictions) : [],
      anomalies: {
        total: anomalies?.height ?? 0,
        events: events?.height ?? 0,
        examples: events
          ? records(events.sort(pl.col("ecart_energie_mwh").abs(), true).head(5))
            .map(anomalyEventSentence)
          : [],
      },
      skippedSteps,
      prices: priceDays && priceDays.height > 0 ? priceReport(priceDays, gold.spot) : {
        missing: skippedSteps.find((s) => s.step === PRICE_STEP)?.reason ??
          "aucun prix de gros ne couvre la période des données (le notebook 06 lit le fichier " +
            "de prix quotidiens d'Ember dans le dossier de référence)",
      },
      quality: gold.quality
        ? records(
          gold.quality.groupBy("regle").agg(
            pl.col("lignes_en_echec").sum().alias("echecs"),
            pl.col("lignes_verifiees").sum().alias("verifiees"),
          ).sort("regle"),
        ).map((r) => ({ rule: r.regle, failures: r.echecs, checked: r.verifiees }))
        : [],
      forecastQuality: forecastQuality(
        gold.predictions,
        await readIfPresent(catalog, TABLE.scores_backtest_consommation),
      ),
      nextHoursMix: mixForecasts(await readIfPresent(catalog, TABLE.predictions_mix)),
    },
  };
}

/**
 * Writes `RAPPORT_ANALYSE.md` and its figures (PNG through headless Chromium when it is
 * installed; otherwise the report says so) into `outputDir`.
 *
 * @example
 * ```ts ignore
 * const { report } = await writeReport(openCatalog(), { outputDir: ".", inputs: ["data/x.xls"] });
 * ```
 */
export async function writeReport(
  catalog: LakehouseCatalog,
  options: ReportOptions,
): Promise<ReportFiles> {
  // Chromium starts and loads plotly (seconds, in its own processes) while this thread reads
  // the tables and computes the numbers.
  const launched = options.withoutFigures || options.renderer || !hasChromium()
    ? null
    : FigureRenderer.launch();
  launched?.catch(() => {}); // awaited below
  const renderer = options.withoutFigures ? null : options.renderer ?? launched;
  try {
    const { data, silver, exchanges, prices } = await collectReportData(catalog, options);
    let figures: ReportData["figures"];
    let files: string[] = [];
    const dir = join(options.outputDir, "figures");
    if (options.withoutFigures) figures = { missing: options.withoutFigures };
    else if (!renderer) {
      figures = { missing: "Chromium n'est pas installé (apt-get install chromium)" };
    } else {
      const specs = reportFigures(silver, exchanges, prices);
      files = await exportFigures(specs, dir, {
        width: 1000,
        height: 500,
        renderer: await renderer,
      });
      figures = Object.values(specs).map((f, i): ReportFigure => ({
        file: relative(options.outputDir, files[i]),
        title: figureTitle(f),
      }));
    }
    const report = join(options.outputDir, "RAPPORT_ANALYSE.md");
    const full: ReportData = { ...data, figures };
    await Deno.writeTextFile(report, buildReport(full));
    return { report, figures: files, data: full };
  } finally {
    await launched?.then((r) => r.close(), () => {});
  }
}

function figureTitle(f: Figure): string {
  const title = f.layout.title as { text?: string } | string | undefined;
  return (typeof title === "string" ? title : title?.text ?? "Figure").replace(/<[^>]+>/g, " ");
}

/** Options of {@linkcode writeGoldWorkbook}. */
export interface WorkbookOptions {
  /**
   * Build the workbook in a Web Worker (default false). Its serialisation is seconds of
   * synchronous work (12 s for the 34 MB of the 2025 file): in a worker it runs on the other
   * core while this thread renders the report's figures, instead of holding up everything.
   */
  worker?: boolean;
}

/**
 * Writes every gold table to an Excel workbook for business users; returns its path.
 *
 * @example
 * ```ts ignore
 * const path = await writeGoldWorkbook(openCatalog(), "runs/x/tables_gold.xlsx", { worker: true });
 * ```
 */
export async function writeGoldWorkbook(
  catalog: LakehouseCatalog,
  path: string,
  options: WorkbookOptions = {},
): Promise<string> {
  if (options.worker) return await workbookInWorker(catalog.root, path);
  const tables = [];
  for (const d of catalog.list().filter((t) => t.layer === "gold")) {
    const frame = await readIfPresent(catalog, d.name);
    if (frame) tables.push(fitToSheet({ name: d.name, description: d.description ?? "", frame }));
  }
  await Deno.writeFile(path, goldWorkbook(tables));
  return path;
}

/** The workbook of the lakehouse at `root`, written by `_workbook_worker.ts`. */
function workbookInWorker(root: string, path: string): Promise<string> {
  const worker = new Worker(new URL("./_workbook_worker.ts", import.meta.url), { type: "module" });
  return new Promise<string>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<WorkbookReply>) => {
      const reply = event.data;
      if ("error" in reply) reject(new Error(`workbook ${path}: ${reply.error}`));
      else resolve(reply.path);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`workbook ${path}: ${event.message}`));
    };
    worker.postMessage({ root, path } satisfies WorkbookRequest);
  }).finally(() => worker.terminate());
}

/** What `_workbook_worker.ts` is asked. */
export interface WorkbookRequest {
  root: string;
  path: string;
}

/** What `_workbook_worker.ts` answers. */
export type WorkbookReply = { path: string } | { error: string };

/**
 * A table cut to what one sheet holds (`MAX_SHEET_CELLS`), the cut said in its description (the
 * workbook's read-me): the rows of the main perimeter (France, else the national view of the
 * regions), then if still too large its first rows. The lakehouse keeps the whole table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { fitToSheet } from "./report_step.ts";
 * const frame = pl.DataFrame({ perimetre: ["France", "Bretagne"], v: [1, 2] });
 * assert.equal(fitToSheet({ name: "t", description: "d", frame }).frame.height, 2);
 * ```
 */
export function fitToSheet(table: WorkbookTable, maxCells = MAX_SHEET_CELLS): WorkbookTable {
  const { frame } = table;
  const fits = (df: pl.DataFrame) => df.height * Math.max(1, df.width) <= maxCells;
  if (fits(frame)) return table;
  const notes: string[] = [];
  let kept = frame;
  if (frame.columns.includes("perimetre")) {
    const perimeter = mainPerimeter(frame);
    kept = only(frame, perimeter);
    notes.push(`seules les lignes du périmètre « ${perimeter} »`);
  }
  if (!fits(kept)) {
    kept = kept.head(Math.floor(maxCells / Math.max(1, kept.width)));
    notes.push(`seules les ${kept.height.toLocaleString("fr-FR")} premières lignes`);
  }
  return {
    ...table,
    frame: kept,
    description: `${table.description} Table trop grande pour une feuille ` +
      `(${frame.height.toLocaleString("fr-FR")} lignes) : ${notes.join(", puis ")} ; la table ` +
      "complète est dans le lakehouse.",
  };
}
