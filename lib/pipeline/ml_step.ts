/**
 * Machine-learning steps: tables of the lakehouse → features → models in the registry →
 * predictions back in the lakehouse.
 *
 * - {@linkcode prepareConsumptionFeatures} (notebook 07): `eco2mix_silver` (+ `previsions_rte`)
 *   and the reference data (consumption history, temperatures, Tempo) → the cut-off features of
 *   both horizons in `caracteristiques_consommation`, with the split of every row.
 * - {@linkcode trainConsumptionModels} (notebook 08): `caracteristiques_consommation` → the
 *   three learners per horizon, selected by rolling-origin cross-validation, registered under
 *   `models/` (alias `champion` on the selected one), scored against persistence and RTE on the
 *   same test instants → `predictions_consommation`.
 *
 * Why the features are stored rather than recomputed in notebook 08: the models' lineage then
 * names one table version (which itself records the silver version and the reference files it
 * was built from), and the exact rows a model saw can be read back with time travel.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import { PATHS } from "../paths.ts";
import { gitState } from "../runner/manifest.ts";
import { featureMatrixFromDataFrame } from "../ml/dataframe.ts";
import { takeRows } from "../ml/dataset.ts";
import {
  assignSplits,
  auditCutoffs,
  consumptionFeatures,
  type CutoffAudit,
  featureNames,
  type HorizonName,
  HORIZONS,
  measuredInstants,
  testPeriodStart,
} from "../ml/features.ts";
import {
  baselineForecasts,
  type ConsumptionForecaster,
  crossValidateLearners,
  type CrossValidationReport,
  fitForecaster,
  forecasterFromModel,
  forecasterImportance,
  type ForecasterParams,
  type LearnerName,
  LEARNERS,
  type MapeDifference,
  mapeDifference,
  modelFeatures,
  type ModelScore,
  type ProfileName,
  PROFILES,
  type ResidualAnalysis,
  residualAnalysis,
  scoreOnCommonRows,
} from "../ml/forecasting.ts";
import { type GroupMetrics, metricsByHour, metricsByMonth } from "../ml/metrics.ts";
import type { PermutationImportanceResult } from "../ml/importance.ts";
import { loadReference, type ReferenceData, type ReferenceFile } from "../ml/reference.ts";
import { ModelRegistry, type TrainingDataRef } from "../ml/registry.ts";
import { type Thermosensitivity, thermosensitivity } from "../ml/weather.ts";
import {
  dailyMeans,
  HALF_HOUR_MS,
  type HalfHourlySeries,
  type LevelShift,
  levelShift,
  seriesFromColumns,
  seriesFromSilver,
  slotIndex,
  slotInstant,
  SOURCE_HISTORY,
  SOURCE_REAL_TIME,
  spliceSeries,
} from "../ml/series.ts";
import { localDayNumber, parisInstant } from "../ml/calendar.ts";
import {
  BRIEF_CLASSES,
  classDistribution,
  type ClassShare,
  measuredMixInstants,
  MIX_COLUMNS,
  MIX_FEATURES,
  MIX_PROFILES,
  type MixHorizonResult,
  type MixScore,
  type MixSeries,
  mixSeriesFromSilver,
  quantileClasses,
  trainMixHorizon,
} from "../ml/classification.ts";

/** A step cannot run on what the lakehouse holds (the message says what to run first). */
export class MlStepError extends Error {
  override name = "MlStepError";
}

const FEATURES_TABLE = "caracteristiques_consommation";
const PREDICTIONS_TABLE = "predictions_consommation";
const IMPORTANCE_TABLE = "importance_variables";
const DAY_MS = 86_400_000;

/** Where the consumption history came from. */
export type HistorySource = "silver" | "reference" | "absente";

/** What {@linkcode prepareConsumptionFeatures} wrote and found. */
export interface FeaturePreparation {
  /** Version of `caracteristiques_consommation` written. */
  version: number;
  /** The frame written (both horizons). */
  frame: pl.DataFrame;
  /** Version of `eco2mix_silver` read. */
  silverVersion: number;
  reference: ReferenceData;
  historique: HistorySource;
  /** First instant of the test period (UTC epoch ms). */
  testStart: number;
  /** ODRÉ history minus the eCO2mix series on the half-hours both have (null: no overlap). */
  ecartNiveau: LevelShift | null;
  /** Slope of daily consumption on temperature over the series (null without temperatures). */
  thermosensibilite: Thermosensitivity | null;
  /** The cut-off checked on the real series around the start of the test period. */
  audit: CutoffAudit[];
  /** Rows per horizon and split. */
  resume: {
    horizon: HorizonName;
    jeu: string;
    lignes: number;
    debut: Date | null;
    fin: Date | null;
  }[];
}

/** Options of {@linkcode prepareConsumptionFeatures}. */
export interface PrepareOptions {
  /** Folder searched (recursively) for the reference files. */
  referenceDir: string;
  /** Share of the eCO2mix half-hours in the test period (default 0.2). */
  testFraction?: number;
}

const SERIES_COLUMNS = [
  "jeu_donnees",
  "perimetre",
  "timestamp_utc",
  "consommation",
  "eolien",
  "solaire",
  "prevision_j1",
  "prevision_j",
];

/** Epoch milliseconds of a datetime column, whatever its unit (Delta reads back microseconds). */
function epochColumn(df: pl.DataFrame, name: string): number[] {
  return df.select(pl.col(name).cast(pl.Datetime("ms", "UTC")).cast(pl.Int64)).getColumn(name)
    .toArray().map(Number);
}

/** The national eCO2mix series of silver, RTE's forecasts of unmeasured instants appended. */
async function realTimeSeries(catalog: Catalog): Promise<{
  series: HalfHourlySeries;
  silver: pl.DataFrame;
  silverVersion: number;
}> {
  const silverTable = catalog.table("eco2mix_silver");
  if (!(await silverTable.exists())) {
    throw new MlStepError("eco2mix_silver does not exist yet: run notebooks 02 and 03 first");
  }
  const silverVersion = await silverTable.version();
  const available = new Set((await silverTable.schema()).fields.map((f) => f.name));
  const silver = await silverTable.read({
    version: silverVersion,
    columns: SERIES_COLUMNS.filter((c) => available.has(c)),
  });
  const national = silver.filter(
    pl.col("jeu_donnees").eq(pl.lit("eco2mix")).and(pl.col("perimetre").eq(pl.lit("France"))),
  );
  if (national.height === 0) {
    throw new MlStepError(
      "eco2mix_silver has no national (perimetre France) eCO2mix row: the consumption models " +
        "forecast the national series; ingest a national file",
    );
  }
  let rows = national.select(
    pl.col("timestamp_utc"),
    ...SERIES_COLUMNS.slice(3).map((c) =>
      (available.has(c) ? pl.col(c) : pl.lit(null)).cast(pl.Float64).alias(c)
    ),
  );
  const forecastsTable = catalog.table("previsions_rte");
  if (await forecastsTable.exists()) {
    const future = (await forecastsTable.read()).filter(
      pl.col("jeu_donnees").eq(pl.lit("eco2mix")).and(pl.col("perimetre").eq(pl.lit("France"))),
    );
    if (future.height > 0) {
      const extra = future.select(
        pl.col("timestamp_utc"),
        pl.lit(null).cast(pl.Float64).alias("consommation"),
        pl.lit(null).cast(pl.Float64).alias("eolien"),
        pl.lit(null).cast(pl.Float64).alias("solaire"),
        pl.col("prevision_j1").cast(pl.Float64),
        pl.col("prevision_j").cast(pl.Float64),
      ).join(rows.select("timestamp_utc"), { on: "timestamp_utc", how: "anti" });
      rows = pl.concat([rows, extra], { how: "vertical" });
    }
  }
  rows = rows.sort("timestamp_utc");
  const values = Object.fromEntries(
    ["consommation", "eolien", "solaire", "prevision_j1", "prevision_j"].map((c) => [
      c,
      rows.getColumn(c).cast(pl.Float64).toArray() as (number | null)[],
    ]),
  );
  const series = seriesFromColumns(epochColumn(rows, "timestamp_utc"), values, SOURCE_REAL_TIME);
  return { series, silver, silverVersion };
}

/** The last slot with a measured consumption. */
function lastMeasured(series: HalfHourlySeries): number {
  for (let i = series.consommation.length - 1; i >= 0; i--) {
    if (!Number.isNaN(series.consommation[i])) return slotInstant(series, i);
  }
  throw new MlStepError("the eCO2mix series has no measured consumption");
}

/** Target instants of a horizon: measured ones from `from`, then the forecasts to make. */
function targetInstants(series: HalfHourlySeries, horizon: HorizonName, from: number): number[] {
  const measured = Array.from(measuredInstants(series, from));
  const last = lastMeasured(series);
  if (horizon === "h1") return [...measured, last + HALF_HOUR_MS, last + 2 * HALF_HOUR_MS];
  // Day-ahead: every half-hour of the local day after the last measurement.
  const tomorrow = localDayNumber(last) + 1;
  const start = parisInstant(tomorrow, 0);
  const end = parisInstant(tomorrow + 1, 0);
  const next: number[] = [];
  for (let t = start; t < end; t += HALF_HOUR_MS) next.push(t);
  return [...measured.filter((t) => t < start), ...next];
}

/** Float64 feature columns with NaN stored as null (Delta statistics cannot hold NaN). */
function featureFrame(
  horizon: HorizonName,
  set: ReturnType<typeof consumptionFeatures>,
  splits: string[],
): pl.DataFrame {
  const columns: Record<string, unknown> = {
    horizon: Array(set.epochMs.length).fill(horizon),
    timestamp_utc: set.epochMs,
    cutoff_utc: set.cutoffMs,
    jeu: splits,
    source: Array.from(set.source, (s) => (s === SOURCE_HISTORY ? "historique" : "eco2mix")),
    consommation: set.target,
    prevision_rte_j1: set.rteJ1,
    prevision_rte_j: set.rteJ,
  };
  set.x.names.forEach((name, j) => (columns[name] = set.x.columns[j]));
  const floats = ["consommation", "prevision_rte_j1", "prevision_rte_j", ...set.x.names];
  return pl.DataFrame(columns).withColumns(
    ...["timestamp_utc", "cutoff_utc"].map((c) =>
      pl.col(c).cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")
    ),
    ...floats.map((c) => pl.col(c).cast(pl.Float64).fillNan(null)),
  );
}

/**
 * Builds the features of both horizons from silver and the reference data, and replaces
 * `caracteristiques_consommation`.
 *
 * @example
 * ```ts ignore
 * const prep = await prepareConsumptionFeatures(openCatalog(), { referenceDir: "data/reference" });
 * console.log(prep.resume, prep.reference.manquants);
 * ```
 */
export async function prepareConsumptionFeatures(
  catalog: Catalog,
  options: PrepareOptions,
): Promise<FeaturePreparation> {
  const { series: realTime, silver, silverVersion } = await realTimeSeries(catalog);
  const reference = await loadReference(options.referenceDir);
  const ingested = seriesFromSilver(silver, "consommation_brute", SOURCE_HISTORY);
  const history = ingested ?? reference.historique?.series ?? null;
  const historique: HistorySource = ingested ? "silver" : history ? "reference" : "absente";
  const series = spliceSeries(history, realTime)!;
  const temperature = reference.temperatures?.daily ?? null;
  const shift = history ? levelShift(history, realTime) : null;
  // Eight days of lags (and of temperature differences) before the first row.
  const from = Math.max(
    series.startMs,
    temperature ? temperature.firstDay * DAY_MS : -Infinity,
  ) + 8 * DAY_MS;
  const inputs = { temperature, tempo: reference.tempo?.calendar ?? null };
  const lineage = {
    _silver_version: silverVersion,
    _reference: JSON.stringify(referenceFiles(reference)),
  };
  // The test period: the last 20 % of every measured eCO2mix half-hour (the file, not only the
  // rows with a week of lags before them).
  const measured = measuredInstants(series);
  const slots = Array.from(measured, (t) => slotIndex(series, t));
  const testStart = testPeriodStart({
    epochMs: measured,
    target: Float64Array.from(slots, (k) => series.consommation[k]),
    source: Uint8Array.from(slots, (k) => series.source[k]),
  }, options.testFraction);
  const frames: pl.DataFrame[] = [];
  const audit: CutoffAudit[] = [];
  for (const horizon of Object.keys(HORIZONS) as HorizonName[]) {
    const targets = targetInstants(series, horizon, from);
    const set = consumptionFeatures(series, horizon, targets, inputs);
    // Three weeks either side of the test start, cut a week before and a week after it.
    const around = targets.filter((t) => Math.abs(t - testStart) <= 21 * DAY_MS);
    audit.push(
      ...auditCutoffs(series, horizon, around, inputs, [
        testStart - 7 * DAY_MS + 17 * 60_000,
        testStart + 7 * DAY_MS,
      ]),
    );
    const splits = assignSplits(set, testStart);
    frames.push(
      featureFrame(horizon, set, splits).withColumns(
        pl.lit(lineage._silver_version).cast(pl.Int64).alias("_silver_version"),
        pl.lit(lineage._reference).alias("_reference"),
      ),
    );
  }
  // The horizons have different lags: each row has nulls in the other horizon's columns.
  const frame = pl.concat(frames, { how: "diagonal" });
  const commit = await catalog.table(FEATURES_TABLE).overwrite(frame, { overwriteSchema: true });
  const resume = frame.groupBy(["horizon", "jeu"]).agg(
    pl.len().alias("lignes"),
    pl.col("timestamp_utc").min().alias("debut"),
    pl.col("timestamp_utc").max().alias("fin"),
  ).sort(["horizon", "debut"]).toRecords() as FeaturePreparation["resume"];
  return {
    version: commit.version,
    frame,
    silverVersion,
    reference,
    historique,
    testStart,
    ecartNiveau: shift && shift.n > 0 ? shift : null,
    thermosensibilite: temperature ? thermosensitivity(dailyMeans(series), temperature) : null,
    audit,
    resume,
  };
}

function referenceFiles(reference: ReferenceData): ReferenceFile[] {
  return [
    ...(reference.historique?.files ?? []),
    ...(reference.temperatures?.files ?? []),
    ...(reference.tempo?.files ?? []),
  ];
}

/** Options of {@linkcode trainConsumptionModels}. */
export interface TrainingOptions {
  /** Training configuration (default `complet`). */
  profil?: ProfileName;
  /** Registry root (default the project's `models/`). */
  modelsDir?: string;
  /** Code version recorded with each model (default: the git commit, `-dirty` if modified). */
  codeVersion?: string;
}

/** Everything measured for one horizon. */
export interface HorizonReport {
  horizon: HorizonName;
  label: string;
  avecTemperature: boolean;
  /** Rolling-origin cross-validation of the learners (selection). */
  validationCroisee: CrossValidationReport;
  /** The selected learner, and the registry versions of every fitted model (by label). */
  champion: LearnerName;
  versions: Record<string, number>;
  /** Registered name and version of every fitted model. */
  enregistrements: { model: string; nom: string; version: number; champion: boolean }[];
  /** Training rows and seconds per fitted model. */
  entrainements: { model: string; lignes: number; secondes: number }[];
  /** Scores on the test period, every model and baseline on the same instants. */
  scores: ModelScore[];
  /** First and last test instants scored. */
  testDebut: number;
  testFin: number;
  /** Champion and RTE J-1 per local hour and per month. */
  parHeure: (GroupMetrics & { model: string })[];
  parMois: (GroupMetrics & { model: string })[];
  residus: ResidualAnalysis;
  importance: {
    parCaracteristique: PermutationImportanceResult;
    parGroupe: PermutationImportanceResult;
  };
  /**
   * Champion's MAPE minus RTE's (J-1, then J) on the test instants, with a 95 % interval from a
   * bootstrap of whole days.
   */
  ecartsRte: ({ reference: string } & MapeDifference)[];
  /** The champion reloaded from the registry predicts exactly the same values. */
  rechargementIdentique: boolean;
}

/** What {@linkcode trainConsumptionModels} did. */
export interface TrainingReport {
  profil: ProfileName;
  featuresVersion: number;
  predictionsVersion: number;
  horizons: HorizonReport[];
  /** The rows written to `predictions_consommation`. */
  predictions: pl.DataFrame;
}

async function codeVersionOf(): Promise<string> {
  const git = await gitState(PATHS.root);
  if (!git?.commit) return "inconnue (hors dépôt git)";
  return git.dirty ? `${git.commit}-dirty` : git.commit;
}

/** The rows of one horizon as a feature set, and the split of each row. */
interface HorizonData {
  set: ReturnType<typeof consumptionFeatures>;
  split: string[];
}

function horizonData(frame: pl.DataFrame, horizon: HorizonName, temperature: boolean): HorizonData {
  const rows = frame.filter(pl.col("horizon").eq(pl.lit(horizon))).sort("timestamp_utc");
  const float = (c: string) =>
    Float64Array.from(rows.getColumn(c).toArray() as (number | null)[], (v) => v ?? NaN);
  const set = {
    horizon,
    epochMs: Float64Array.from(epochColumn(rows, "timestamp_utc")),
    cutoffMs: Float64Array.from(epochColumn(rows, "cutoff_utc")),
    target: float("consommation"),
    source: Uint8Array.from(
      rows.getColumn("source").toArray() as string[],
      (s) => s === "historique" ? SOURCE_HISTORY : SOURCE_REAL_TIME,
    ),
    rteJ1: float("prevision_rte_j1"),
    rteJ: float("prevision_rte_j"),
    x: featureMatrixFromDataFrame(rows, featureNames(horizon, { temperature })),
  };
  return { set, split: rows.getColumn("jeu").toArray() as string[] };
}

function indicesOf(split: string[], name: string, keep: (i: number) => boolean = () => true) {
  const out: number[] = [];
  split.forEach((s, i) => {
    if (s === name && keep(i)) out.push(i);
  });
  return out;
}

/** Registered model name of a horizon. */
export function registeredName(horizon: HorizonName, temperature: boolean): string {
  return `consommation_${horizon}${temperature ? "" : "_sans_temperature"}`;
}

/**
 * Trains, selects, registers and scores the consumption models of both horizons from the
 * current `caracteristiques_consommation`, and replaces `predictions_consommation`.
 *
 * @example
 * ```ts ignore
 * const report = await trainConsumptionModels(openCatalog(), { profil: "rapide" });
 * console.log(report.horizons.map((h) => [h.horizon, h.champion, h.scores]));
 * ```
 */
export async function trainConsumptionModels(
  catalog: Catalog,
  options: TrainingOptions = {},
): Promise<TrainingReport> {
  const profil = options.profil ?? "complet";
  const profile = PROFILES[profil];
  if (!profile) throw new MlStepError(`unknown profile '${profil}' (complet or rapide)`);
  const table = catalog.table(FEATURES_TABLE);
  if (!(await table.exists())) {
    throw new MlStepError(`${FEATURES_TABLE} does not exist yet: run notebook 07 first`);
  }
  const featuresVersion = await table.version();
  const frame = await table.read({ version: featuresVersion });
  const registry = new ModelRegistry(options.modelsDir ?? PATHS.models);
  const codeVersion = options.codeVersion ?? await codeVersionOf();
  const temperature = frame.getColumn("temperature")?.nullCount() < frame.height;
  const lineage = lineageOf(frame, featuresVersion);
  const horizons: HorizonReport[] = [];
  const predictionFrames: pl.DataFrame[] = [];
  for (const horizon of Object.keys(HORIZONS) as HorizonName[]) {
    const { report, predictions } = await trainHorizon(
      horizonData(frame, horizon, temperature),
      { horizon, temperature, profil, registry, codeVersion, lineage },
    );
    horizons.push(report);
    predictionFrames.push(predictions);
  }
  const predictions = pl.concat(predictionFrames, { how: "vertical" });
  const commit = await catalog.table(PREDICTIONS_TABLE).overwrite(predictions, {
    overwriteSchema: true,
  });
  await catalog.table(IMPORTANCE_TABLE).overwrite(importanceFrame(horizons), {
    overwriteSchema: true,
  });
  return { profil, featuresVersion, predictionsVersion: commit.version, horizons, predictions };
}

/** Rows of `importance_variables`: each champion's permutation importance per feature. */
function importanceFrame(horizons: HorizonReport[]): pl.DataFrame {
  const rows = horizons.flatMap((h) =>
    h.importance.parCaracteristique.importances.map((i) => ({
      horizon: h.horizon,
      model: `${h.champion} (${h.horizon})`,
      feature: i.feature,
      importance: i.mean,
      ecart_type: i.std,
    }))
  );
  return pl.readRecords(rows);
}

/** The tables and files a model trained on `frame` depends on. */
function lineageOf(frame: pl.DataFrame, featuresVersion: number): TrainingDataRef[] {
  const silverVersion = Number(frame.getColumn("_silver_version").toArray()[0]);
  const files = JSON.parse(String(frame.getColumn("_reference").toArray()[0])) as ReferenceFile[];
  return [
    { table: FEATURES_TABLE, version: featuresVersion },
    { table: "eco2mix_silver", version: silverVersion },
    ...files.map((f) => ({
      table: `reference:${f.file}`,
      version: f.sha256,
      description: "reference file (SHA-256)",
    })),
  ];
}

interface HorizonContext {
  horizon: HorizonName;
  temperature: boolean;
  profil: ProfileName;
  registry: ModelRegistry;
  codeVersion: string;
  lineage: TrainingDataRef[];
}

async function trainHorizon(
  data: HorizonData,
  context: HorizonContext,
): Promise<{ report: HorizonReport; predictions: pl.DataFrame }> {
  const { horizon, temperature, profil, registry, codeVersion } = context;
  const profile = PROFILES[profil];
  const testRows = indicesOf(data.split, "test");
  if (testRows.length === 0) throw new MlStepError(`${horizon}: no test row`);
  const testStart = data.set.epochMs[testRows[0]];
  const earliest = profile.trainDays === null ? -Infinity : testStart - profile.trainDays * DAY_MS;
  const trainRows = indicesOf(data.split, "entrainement", (i) => data.set.epochMs[i] >= earliest);
  const forecastRows = indicesOf(data.split, "prevision");
  const features = modelFeatures(horizon, { temperature });
  const started = new Date();
  const cv = await crossValidateLearners(data.set, trainRows, features, profile);
  const champion = cv.meilleur;
  // The cross-validation fits are training runs too: one record per learner, its folds' scores.
  for (const mean of cv.moyennes) {
    const folds = cv.folds.filter((f) => f.learner === mean.learner);
    await registry.logRun({
      model: registeredName(horizon, temperature),
      params: { learner: mean.learner, profil, features, plis: folds.length },
      metrics: {
        mape_validation_croisee: mean.mape,
        rmse_validation_croisee: mean.rmse,
        ...Object.fromEntries(folds.map((f) => [`mape_pli_${f.fold}`, f.mape])),
      },
      startedAt: started,
      durationMs: 1000 * folds.reduce((t, f) => t + f.secondes, 0),
      trainingData: context.lineage,
      codeVersion,
      tags: { horizon, learner: mean.learner, profil, etape: "validation_croisee" },
    });
  }
  const xTrain = takeRows(data.set.x, trainRows);
  const yTrain = Float64Array.from(trainRows, (i) => data.set.target[i]);
  const xTest = takeRows(data.set.x, testRows);
  const yTest = Float64Array.from(testRows, (i) => data.set.target[i]);
  const xNext = takeRows(data.set.x, forecastRows);
  const trainingData: TrainingDataRef[] = [
    {
      ...context.lineage[0],
      rows: trainRows.length,
      from: new Date(data.set.epochMs[trainRows[0]]).toISOString(),
      to: new Date(data.set.epochMs[trainRows.at(-1)!]).toISOString(),
      description: `horizon ${horizon}, jeu entrainement`,
    },
    ...context.lineage.slice(1),
  ];
  const fitted: {
    name: string;
    registered: string;
    forecaster: ConsumptionForecaster;
    version: number;
    predicted: Float64Array;
  }[] = [];
  const entrainements: HorizonReport["entrainements"] = [];
  const variants: { learner: LearnerName; withTemperature: boolean }[] = [
    ...LEARNERS.map((learner) => ({ learner, withTemperature: temperature })),
    ...(temperature ? [{ learner: champion, withTemperature: false }] : []),
  ];
  for (const { learner, withTemperature } of variants) {
    const name = registeredName(horizon, withTemperature);
    const label = withTemperature === temperature ? learner : `${learner}_sans_temperature`;
    const fitStarted = new Date();
    const t0 = performance.now();
    const { forecaster, rows } = await fitForecaster(xTrain, yTrain, {
      horizon,
      learner,
      features: modelFeatures(horizon, { temperature: withTemperature }),
      profile,
    });
    const seconds = (performance.now() - t0) / 1000;
    const predicted = forecaster.predict(xTest);
    const { scores } = scoreOnCommonRows(yTest, { [label]: predicted });
    const metrics = {
      mape_test: scores[0].mape,
      rmse_test: scores[0].rmse,
      mae_test: scores[0].mae,
      biais_test: scores[0].bias,
      ...(withTemperature === temperature
        ? { mape_validation_croisee: cv.moyennes.find((m) => m.learner === learner)!.mape }
        : {}),
    };
    const info = await registry.register(name, forecaster.model, {
      params: forecaster.params,
      metrics,
      trainingData,
      codeVersion,
      description: `${learner}, horizon ${horizon} (${HORIZONS[horizon].label}), ` +
        (withTemperature ? "avec température observée" : "sans température"),
      tags: { horizon, learner, profil, temperature: String(withTemperature) },
    });
    await registry.logRun({
      model: name,
      params: { ...forecaster.params, profil },
      metrics: { ...metrics, lignes_entrainement: rows, secondes: seconds },
      artifacts: [`${name}/versions/${String(info.version).padStart(6, "0")}/model.json`],
      startedAt: fitStarted,
      durationMs: seconds * 1000,
      trainingData,
      codeVersion,
      version: info.version,
      tags: { horizon, learner, profil },
    });
    if (learner === champion) await registry.setAlias(name, "champion", info.version);
    fitted.push({ name: label, registered: name, forecaster, version: info.version, predicted });
    entrainements.push({ model: label, lignes: rows, secondes: seconds });
  }
  const forecasts: Record<string, Float64Array> = {};
  for (const f of fitted) forecasts[f.name] = f.predicted;
  const baselines = baselineForecasts({
    ...data.set,
    x: xTest,
    rteJ1: pick(data.set.rteJ1, testRows),
    rteJ: pick(data.set.rteJ, testRows),
  });
  const all: Record<string, Float64Array> = { ...forecasts, ...baselines };
  const { scores, rows } = scoreOnCommonRows(yTest, all);
  const championForecaster = fitted.find((f) => f.name === champion)!.forecaster;
  const common = (values: Float64Array) => Float64Array.from(rows, (k) => values[k]);
  const yCommon = common(yTest);
  const tCommon = Float64Array.from(rows, (k) => data.set.epochMs[testRows[k]]);
  const grouped = (by: typeof metricsByHour) =>
    [champion, "rte_j1"].flatMap((model) =>
      by(yCommon, common(all[model]), tCommon).map((g) => ({ model, ...g }))
    );
  // The registry round trip: the champion as stored predicts what was scored.
  const stored = await context.registry.load(registeredName(horizon, temperature), "champion");
  const reloaded = forecasterFromModel(stored.model, stored.info.params as ForecasterParams);
  const again = reloaded.predict(xTest);
  const rechargementIdentique = again.every((v, k) => Object.is(v, forecasts[champion][k]));
  const report: HorizonReport = {
    horizon,
    label: HORIZONS[horizon].label,
    avecTemperature: temperature,
    validationCroisee: cv,
    champion,
    versions: Object.fromEntries(fitted.map((f) => [f.name, f.version])),
    enregistrements: fitted.map((f) => ({
      model: f.name,
      nom: f.registered,
      version: f.version,
      champion: f.name === champion || f.name === `${champion}_sans_temperature`,
    })),
    entrainements,
    scores,
    testDebut: tCommon[0],
    testFin: tCommon[tCommon.length - 1],
    parHeure: grouped(metricsByHour),
    parMois: grouped(metricsByMonth),
    residus: residualAnalysis(yCommon, common(forecasts[champion]), tCommon),
    ecartsRte: ["rte_j1", "rte_j"].map((reference) => ({
      reference,
      ...mapeDifference(
        yCommon,
        common(forecasts[champion]),
        common(all[reference]),
        tCommon.map(localDayNumber),
      ),
    })),
    importance: forecasterImportance(
      championForecaster,
      xTest,
      yTest,
      profile.permutationRepeats,
    ),
    rechargementIdentique,
  };
  const predictions = predictionRows(data, testRows, forecastRows, all, {
    next: Object.fromEntries(
      fitted.filter((f) => f.name === champion || f.name.endsWith("_sans_temperature"))
        .map((f) => [f.name, f.forecaster.predict(xNext)]),
    ),
    rteNext: pick(data.set.rteJ1, forecastRows),
    versions: report.versions,
  });
  return { report, predictions };
}

function pick(values: Float64Array, rows: number[]): Float64Array {
  return Float64Array.from(rows, (i) => values[i]);
}

/** Rows of `predictions_consommation` for one horizon. */
function predictionRows(
  data: HorizonData,
  testRows: number[],
  forecastRows: number[],
  test: Record<string, Float64Array>,
  next: {
    next: Record<string, Float64Array>;
    rteNext: Float64Array;
    versions: Record<string, number>;
  },
): pl.DataFrame {
  const parts: pl.DataFrame[] = [];
  const add = (periode: string, rows: number[], model: string, values: Float64Array) => {
    const keep = rows.map((_, k) => k).filter((k) => Number.isFinite(values[k]));
    if (keep.length === 0) return;
    const actual = keep.map((k) => data.set.target[rows[k]]);
    const prediction = keep.map((k) => values[k]);
    parts.push(pl.DataFrame({
      timestamp_utc: keep.map((k) => data.set.epochMs[rows[k]]),
      cutoff_utc: keep.map((k) => data.set.cutoffMs[rows[k]]),
      horizon: keep.map(() => data.set.horizon),
      model: keep.map(() => model),
      model_version: keep.map(() => next.versions[model] ?? null),
      periode: keep.map(() => periode),
      prediction,
      actual: actual.map((v) => (Number.isNaN(v) ? null : v)),
      error: prediction.map((p, k) => (Number.isNaN(actual[k]) ? null : p - actual[k])),
    }, {
      schema: {
        timestamp_utc: pl.Float64,
        cutoff_utc: pl.Float64,
        horizon: pl.Utf8,
        model: pl.Utf8,
        model_version: pl.Int32,
        periode: pl.Utf8,
        prediction: pl.Float64,
        actual: pl.Float64,
        error: pl.Float64,
      },
    }));
  };
  for (const [model, values] of Object.entries(test)) add("test", testRows, model, values);
  for (const [model, values] of Object.entries(next.next)) {
    add("prevision", forecastRows, model, values);
  }
  add("prevision", forecastRows, "rte_j1", next.rteNext);
  return pl.concat(parts, { how: "vertical" }).withColumns(
    ...["timestamp_utc", "cutoff_utc"].map((c) =>
      pl.col(c).cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")
    ),
  );
}

const MIX_PREDICTIONS_TABLE = "predictions_mix";

/** Options of {@linkcode trainMixClassifiers}. */
export interface MixTrainingOptions {
  /** Training configuration (default `complet`). */
  profil?: ProfileName;
  /** Horizons in hours (default 1 to 6). */
  horizons?: number[];
  /** Registry root (default the project's `models/`). */
  modelsDir?: string;
  /** Code version recorded with each model (default: the git commit). */
  codeVersion?: string;
  /** Share of the measured instants in the test period (default 0.2). */
  testFraction?: number;
}

/** One horizon and class scheme of {@linkcode MixTrainingReport}. */
export interface MixHorizonReport {
  horizon_heures: number;
  schema: string;
  classes: string[];
  /** Registry name and version of the classifier. */
  modele: string;
  version: number;
  lignes_entrainement: number;
  lignes_test: number;
  secondes: number;
  scores: MixScore[];
  importance: PermutationImportanceResult;
}

/** What {@linkcode trainMixClassifiers} did. */
export interface MixTrainingReport {
  silverVersion: number;
  /** Step of the series (minutes). */
  pasMinutes: number;
  testDebut: number;
  testFin: number;
  /** The brief's classes over every measured instant, and over the test period. */
  distribution: ClassShare[];
  distributionTest: ClassShare[];
  /** Brief classes that never occur in the data. */
  jamais: string[];
  horizons: MixHorizonReport[];
  predictionsVersion: number;
}

/**
 * Trains, registers and scores the renewable-share classifiers (the brief's classes and the
 * tercile variant) for each horizon from `eco2mix_silver`, and replaces `predictions_mix`.
 *
 * @example
 * ```ts ignore
 * const report = await trainMixClassifiers(openCatalog(), { profil: "rapide" });
 * console.log(report.distribution, report.horizons.map((h) => h.scores));
 * ```
 */
export async function trainMixClassifiers(
  catalog: Catalog,
  options: MixTrainingOptions = {},
): Promise<MixTrainingReport> {
  const profil = options.profil ?? "complet";
  const params = MIX_PROFILES[profil];
  if (!params) throw new MlStepError(`unknown profile '${profil}' (complet or rapide)`);
  const silverTable = catalog.table("eco2mix_silver");
  if (!(await silverTable.exists())) {
    throw new MlStepError("eco2mix_silver does not exist yet: run notebooks 02 and 03 first");
  }
  const silverVersion = await silverTable.version();
  const silver = await silverTable.read({
    version: silverVersion,
    columns: ["jeu_donnees", "perimetre", "timestamp_utc", "pas_minutes", ...MIX_COLUMNS],
  });
  const mix = mixSeriesFromSilver(silver);
  if (!mix) throw new MlStepError("eco2mix_silver has no national (perimetre France) row");
  const registry = new ModelRegistry(options.modelsDir ?? PATHS.models);
  const codeVersion = options.codeVersion ?? await codeVersionOf();
  // The test period: the last 20 % of the measured instants, as for consumption.
  const measured = measuredMixInstants(mix);
  const nTest = Math.max(1, Math.round(measured.length * (options.testFraction ?? 0.2)));
  const testStart = measured[measured.length - nTest];
  // A day of history before the first target (the share 24 h before is a feature).
  const targets = measured.filter((t) => t >= mix.startMs + DAY_MS);
  const shares = mix.columns.part_renouvelables;
  const shareAt = (t: number) => shares[(t - mix.startMs) / mix.stepMs];
  const testShares = Array.from(measured.filter((t) => t >= testStart), shareAt);
  // One tercile scheme for every horizon, from the shares before the test period.
  const terciles = quantileClasses(Array.from(measured.filter((t) => t < testStart), shareAt));
  const distribution = classDistribution(shares, BRIEF_CLASSES);
  const horizons: MixHorizonReport[] = [];
  const frames: pl.DataFrame[] = [];
  const trainingData: TrainingDataRef[] = [{ table: "eco2mix_silver", version: silverVersion }];
  for (const hours of options.horizons ?? [1, 2, 3, 4, 5, 6]) {
    for (
      const [schema, schemeOf] of [
        ["brief", () => BRIEF_CLASSES],
        ["terciles", () => terciles],
      ] as const
    ) {
      const started = new Date();
      const r = trainMixHorizon(mix, hours, targets, testStart, schemeOf, params);
      const name = `mix_renouvelable${schema === "brief" ? "" : "_terciles"}_h${hours}`;
      const gbdt = r.scores.find((s) => s.model === "gbdt")!.metrics;
      const metrics = {
        exactitude_test: gbdt.accuracy,
        exactitude_equilibree_test: gbdt.balancedAccuracy,
        f1_macro_test: gbdt.macroF1,
      };
      const info = await registry.register(name, r.model, {
        params: {
          horizon_heures: hours,
          schema: r.scheme,
          features: [...MIX_FEATURES],
          gbdt: params,
        },
        metrics,
        trainingData: [{ ...trainingData[0], rows: r.trainRows.length }],
        codeVersion,
        description: `classe de la part renouvelable dans ${hours} h (${schema})`,
        tags: { horizon_heures: String(hours), schema, profil },
      });
      await registry.setAlias(name, "champion", info.version);
      await registry.logRun({
        model: name,
        params: { horizon_heures: hours, schema: r.scheme.name, gbdt: params, profil },
        metrics: { ...metrics, lignes_entrainement: r.trainRows.length, secondes: r.seconds },
        artifacts: [`${name}/versions/${String(info.version).padStart(6, "0")}/model.json`],
        startedAt: started,
        durationMs: r.seconds * 1000,
        trainingData,
        codeVersion,
        version: info.version,
        tags: { horizon_heures: String(hours), schema },
      });
      horizons.push({
        horizon_heures: hours,
        schema,
        classes: [...r.scheme.labels],
        modele: name,
        version: info.version,
        lignes_entrainement: r.trainRows.length,
        lignes_test: r.testRows.length,
        secondes: r.seconds,
        scores: r.scores,
        importance: r.importance,
      });
      frames.push(mixPredictionRows(r, mix, targets, schema, info.version));
    }
  }
  const commit = await catalog.table(MIX_PREDICTIONS_TABLE).overwrite(
    pl.concat(frames, { how: "vertical" }),
    { overwriteSchema: true },
  );
  return {
    silverVersion,
    pasMinutes: mix.stepMs / 60_000,
    testDebut: testStart,
    testFin: measured[measured.length - 1],
    distribution,
    distributionTest: classDistribution(testShares, BRIEF_CLASSES),
    jamais: distribution.filter((c) => c.lignes === 0).map((c) => c.classe),
    horizons,
    predictionsVersion: commit.version,
  };
}

/** Rows of `predictions_mix` for one horizon and scheme. */
function mixPredictionRows(
  r: MixHorizonResult,
  mix: MixSeries,
  targets: Float64Array,
  schema: string,
  version: number,
): pl.DataFrame {
  const parts = Object.entries(r.forecasts).map(([model, classes]) => {
    const rows = r.testRows.map((_, k) => k).filter((k) => classes[k] !== null);
    return pl.DataFrame({
      timestamp_utc: rows.map((k) => targets[r.testRows[k]]),
      horizon_heures: rows.map(() => r.horizonHeures),
      schema: rows.map(() => schema),
      model: rows.map(() => model),
      model_version: rows.map(() => (model === "gbdt" ? version : null)),
      classe_predite: rows.map((k) => classes[k]),
      classe_reelle: rows.map((k) => r.actual[k]),
      part_reelle: rows.map((k) =>
        mix.columns.part_renouvelables[(targets[r.testRows[k]] - mix.startMs) / mix.stepMs]
      ),
    }, {
      schema: {
        timestamp_utc: pl.Float64,
        horizon_heures: pl.Int32,
        schema: pl.Utf8,
        model: pl.Utf8,
        model_version: pl.Int32,
        classe_predite: pl.Utf8,
        classe_reelle: pl.Utf8,
        part_reelle: pl.Float64,
      },
    });
  });
  return pl.concat(parts, { how: "vertical" }).withColumns(
    pl.col("timestamp_utc").cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC"),
  );
}
