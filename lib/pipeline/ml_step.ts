/**
 * Machine-learning steps: tables of the lakehouse → features → models in the registry →
 * predictions back in the lakehouse.
 *
 * - {@linkcode prepareConsumptionFeatures} (notebook 07): `eco2mix_silver` (+ `previsions_rte`)
 *   and the reference data (consumption history, temperatures, Tempo) → the cut-off features of
 *   both horizons in `caracteristiques_consommation`, with the split of every row.
 * - {@linkcode ConsumptionTraining} (notebook 08, one horizon per cell; or
 *   {@linkcode trainConsumptionModels} in one call): `caracteristiques_consommation` → the
 *   three learners per horizon, selected by rolling-origin cross-validation, registered under
 *   `models/` (alias `champion` on the selected one), scored against persistence and RTE on the
 *   same test instants → `predictions_consommation`. The selected (live) model is given the
 *   temperature forecast known at the cut-off; the same learner given the observed temperature
 *   of the target day (an upper bound, `_temperature_observee`) and without temperature
 *   (`_sans_temperature`) are scored beside it. The live model's P10, P50 and P90 come from the
 *   quantiles of its relative errors on the cross-validation folds (`lib/ml/intervals.ts`).
 *
 * - {@linkcode trainMixClassifiers} (notebook 09): `eco2mix_silver` → the renewable-share
 *   classifiers, 1 to 6 hours ahead → `predictions_mix` (the test period, and the classes
 *   forecast for the 1-6 hours after the last measurement).
 *
 * Why the features are stored rather than recomputed in notebook 08: the models' lineage then
 * names one table version (which itself records the silver version and the reference files it
 * was built from), and the exact rows a model saw can be read back with time travel.
 *
 * **The national series.** RTE's national files (`perimetre` France) when silver has them, else
 * the sum of the 12 mainland regions (gold's national view, "France (somme des régions)"); see
 * `lib/ml/feasibility.ts`.
 *
 * **Skipped steps.** A step that cannot run on valid data (no national series, too few rows, a
 * single class...) returns a `Skipped` record (`lib/ml/feasibility.ts`) instead of throwing, and
 * its notebook shows it with `skipped()`; parts of a step (a horizon, a class scheme, the
 * learner selection, the features of a reference input that does not cover the period) are
 * skipped the same way and listed in the step's report (`ignores`). The tables a wholly skipped
 * step writes are **replaced by empty tables with their schema**, never left as they were: a
 * lakehouse reused across runs must not show the previous run's predictions as this run's, and
 * the empty version in the Delta history records the skip. Errors remain for what is not data:
 * a table a previous notebook should have written is missing, or an unknown profile.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import { PATHS } from "../paths.ts";
import { joinLocation } from "../lakehouse/storage.ts";
import { gitState } from "../runner/manifest.ts";
import { NATIONAL_VIEW, withNationalView } from "../layers/gold.ts";
import { featureMatrixFromDataFrame } from "../ml/dataframe.ts";
import { takeRows } from "../ml/dataset.ts";
import {
  chooseNationalSeries,
  consumptionHorizonPlan,
  definedForecasts,
  horizonStep,
  INPUT_TRAIN_WINDOW_DAYS,
  type LearnerSelection,
  mixClassesPlan,
  mixDataPlan,
  ML_STEPS,
  type NationalSeriesChoice,
  referenceInputDecision,
  skip,
  type Skipped,
  skippedWhole,
  usableFeatures,
} from "../ml/feasibility.ts";
import {
  assignSplits,
  auditCutoffs,
  consumptionFeatures,
  type CutoffAudit,
  featureNames,
  type HorizonName,
  HORIZONS,
  measuredInstants,
  type TemperatureInput,
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
  modelLabel,
  type ModelScore,
  type ProfileName,
  PROFILES,
  REFERENCE_FEATURE,
  type ResidualAnalysis,
  residualAnalysis,
  scoreOnCommonRows,
  TEMPERATURE_SUFFIX,
} from "../ml/forecasting.ts";
import {
  type Coverage,
  type ForecastQuantiles,
  forecastQuantiles,
  intervalCoverage,
  type RelativeErrorQuantiles,
} from "../ml/intervals.ts";
import { type GroupMetrics, metricsByHour, metricsByMonth } from "../ml/metrics.ts";
import type { PermutationImportanceResult } from "../ml/importance.ts";
import type { ReferenceData, ReferenceFile } from "../ml/reference.ts";
import { loadReferenceCached, REFERENCE_CACHE_DIR } from "../ml/reference_cache.ts";
import { ModelRegistry, type TrainingDataRef } from "../ml/registry.ts";
import { RegistryError } from "../ml/errors.ts";
import type { GbdtClassifier } from "../ml/gbdt.ts";
import { type MixFitParams, planMixRefit } from "../ml/mix_refit.ts";
import {
  fingerprintRows,
  newSelection,
  planRetraining,
  type RetrainingPlan,
  type RetrainingPolicy,
  retrainingRecord,
  type SelectionConfig,
  SelectionStore,
  sourceFingerprint,
} from "../ml/selection_cache.ts";
import { tempoColumn } from "../ml/tempo.ts";
import { FitPool, mapConcurrent } from "../ml/fit_pool.ts";
import {
  FORECAST_TEMPERATURE_FEATURES,
  TEMPERATURE_FEATURES,
  temperatureFeatures,
  type Thermosensitivity,
  thermosensitivity,
} from "../ml/weather.ts";
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
  classOf,
  type ClassShare,
  measuredMixInstants,
  MIX_COLUMNS,
  MIX_FEATURES,
  MIX_PROFILES,
  mixFeatures,
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
const HOUR_MS = 3_600_000;

/** Where the consumption history came from. */
export type HistorySource = "silver" | "reference" | "absente";

/** What {@linkcode prepareConsumptionFeatures} wrote and found. */
export interface FeaturePreparation {
  kind: "prepared";
  /** Version of `caracteristiques_consommation` written. */
  version: number;
  /** The frame written (both horizons). */
  frame: pl.DataFrame;
  /** Version of `eco2mix_silver` read. */
  silverVersion: number;
  /** `perimetre` of the series: `France`, or the national view of the regions. */
  perimetre: string;
  reference: ReferenceData;
  historique: HistorySource;
  /** First instant of the test period (UTC epoch ms). */
  testStart: number;
  /** ODRÉ history minus the eCO2mix series on the half-hours both have (null: no overlap). */
  ecartNiveau: LevelShift | null;
  /**
   * Slope of daily consumption on temperature over the series (null without temperatures, or
   * when they are not used in this run).
   */
  thermosensibilite: Thermosensitivity | null;
  /** Whether the temperatures and the Tempo calendar feed the features of this run. */
  entrees: { temperatures: boolean; tempo: boolean };
  /** Reference inputs whose features were left out of this run, and why. */
  ignores: Skipped[];
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
  "consommation",
  "eolien",
  "solaire",
  "prevision_j1",
  "prevision_j",
];

/** Columns every read of silver takes: keys, and what the national view groups by. */
const SILVER_KEYS = ["jeu_donnees", "perimetre", "timestamp_utc", "pas_minutes"];

/** Epoch milliseconds of a datetime column, whatever its unit (Delta reads back microseconds). */
function epochColumn(df: pl.DataFrame, name: string): number[] {
  return df.select(pl.col(name).cast(pl.Datetime("ms", "UTC")).cast(pl.Int64)).getColumn(name)
    .toArray().map(Number);
}

/** Silver's rows of the national eCO2mix series a step works on. */
interface NationalSilver {
  kind: "found";
  choice: Exclude<NationalSeriesChoice, Skipped>;
  /** The national rows (`France`, or the national view of the regions). */
  national: pl.DataFrame;
  /** Every row read (all data sets and perimeters). */
  silver: pl.DataFrame;
  silverVersion: number;
}

/**
 * Reads `columns` of silver and picks the national series (see `chooseNationalSeries`): RTE's
 * `France` rows, else the national view of the regions built by the gold layer.
 */
async function nationalSilver(
  catalog: Catalog,
  columns: readonly string[],
  step: string,
): Promise<NationalSilver | Skipped> {
  const silverTable = catalog.table("eco2mix_silver");
  if (!(await silverTable.exists())) {
    throw new MlStepError("eco2mix_silver does not exist yet: run notebooks 02 and 03 first");
  }
  const silverVersion = await silverTable.version();
  const available = new Set((await silverTable.schema()).fields.map((f) => f.name));
  const silver = await silverTable.read({
    version: silverVersion,
    columns: [...SILVER_KEYS, ...columns].filter((c) => available.has(c)),
  });
  const eco2mix = silver.filter(pl.col("jeu_donnees").eq(pl.lit("eco2mix")));
  const perimetres = eco2mix.getColumn("perimetre").unique().toArray() as string[];
  const view = perimetres.includes("France")
    ? null
    : withNationalView(eco2mix).filter(pl.col("perimetre").eq(pl.lit(NATIONAL_VIEW)));
  const choice = chooseNationalSeries(step, perimetres, view?.height ?? 0);
  if (choice.kind === "skipped") return choice;
  const national = view ?? eco2mix.filter(pl.col("perimetre").eq(pl.lit(choice.perimetre)));
  return { kind: "found", choice, national, silver, silverVersion };
}

/**
 * The national eCO2mix series of silver (source real-time), RTE's forecasts of unmeasured
 * instants appended; skipped without a national series (see `chooseNationalSeries`).
 *
 * @example
 * ```ts ignore
 * const found = await realTimeSeries(openCatalog());
 * if (found.kind === "found") console.log(found.perimetre, found.series.startMs);
 * ```
 */
export async function realTimeSeries(catalog: Catalog): Promise<
  | Skipped
  | {
    kind: "found";
    series: HalfHourlySeries;
    silver: pl.DataFrame;
    silverVersion: number;
    perimetre: string;
  }
> {
  const found = await nationalSilver(catalog, SERIES_COLUMNS, ML_STEPS.preparation);
  if (found.kind === "skipped") return found;
  const { national, silver, silverVersion } = found;
  const perimetre = found.choice.perimetre;
  let rows = national.select(
    pl.col("timestamp_utc"),
    ...SERIES_COLUMNS.map((c) =>
      (national.columns.includes(c) ? pl.col(c) : pl.lit(null)).cast(pl.Float64).alias(c)
    ),
  );
  const forecastsTable = catalog.table("previsions_rte");
  if (await forecastsTable.exists()) {
    const future = (await forecastsTable.read()).filter(
      pl.col("jeu_donnees").eq(pl.lit("eco2mix")).and(pl.col("perimetre").eq(pl.lit(perimetre))),
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
    SERIES_COLUMNS.map((
      c,
    ) => [c, rows.getColumn(c).cast(pl.Float64).toArray() as (number | null)[]]),
  );
  const series = seriesFromColumns(epochColumn(rows, "timestamp_utc"), values, SOURCE_REAL_TIME);
  return { kind: "found", series, silver, silverVersion, perimetre };
}

/**
 * The consumption history the models learn from: silver's `consommation_brute` rows when the
 * user ingested ODRÉ's history, else the history file of the reference folder, else none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { consumptionHistory } from "./ml_step.ts";
 * const silver = pl.DataFrame({
 *   jeu_donnees: ["eco2mix"], perimetre: ["France"], timestamp_utc: [new Date(0)],
 * });
 * const none = consumptionHistory(silver, { historique: null });
 * assert.deepEqual(none, { history: null, historique: "absente" });
 * ```
 */
export function consumptionHistory(
  silver: pl.DataFrame,
  reference: Pick<ReferenceData, "historique">,
): { history: HalfHourlySeries | null; historique: HistorySource } {
  const ingested = seriesFromSilver(silver, "consommation_brute", SOURCE_HISTORY);
  const history = ingested ?? reference.historique?.series ?? null;
  return { history, historique: ingested ? "silver" : history ? "reference" : "absente" };
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
    // Explicit types: an empty frame (a skipped preparation) must still have the schema.
    ...["horizon", "jeu", "source"].map((c) => pl.col(c).cast(pl.Utf8)),
    ...["timestamp_utc", "cutoff_utc"].map((c) =>
      pl.col(c).cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")
    ),
    ...floats.map((c) => pl.col(c).cast(pl.Float64).fillNan(null)),
  );
}

/** Lineage columns of `caracteristiques_consommation`. */
function withLineage(frame: pl.DataFrame, silverVersion: number | null, reference: string | null) {
  return frame.withColumns(
    pl.lit(silverVersion).cast(pl.Int64).alias("_silver_version"),
    pl.lit(reference).cast(pl.Utf8).alias("_reference"),
  );
}

/** `caracteristiques_consommation` with its columns and no row (both horizons' features). */
function emptyFeatureFrame(): pl.DataFrame {
  const none = new Float64Array(0);
  const frames = (Object.keys(HORIZONS) as HorizonName[]).map((horizon) => {
    const names = featureNames(horizon, { temperature: false });
    return featureFrame(horizon, {
      horizon,
      epochMs: none,
      cutoffMs: none,
      target: none,
      source: new Uint8Array(0),
      rteJ1: none,
      rteJ: none,
      x: { names, columns: names.map(() => none), nRows: 0 },
    }, []);
  });
  return withLineage(pl.concat(frames, { how: "diagonal" }), null, null);
}

/** Replaces a table by an empty one with the given columns (a skipped step; see the module doc). */
async function writeEmpty(catalog: Catalog, name: string, frame: pl.DataFrame): Promise<void> {
  await catalog.table(name).overwrite(frame.head(0), { overwriteSchema: true });
}

/**
 * The measured instants a reference input is judged on (see `referenceInputDecision`): the
 * training rows (from `from`) of the window before the test period, and the test period.
 */
function measuredSplit(measured: Float64Array, from: number, testStart: number) {
  const start = Math.max(from, testStart - INPUT_TRAIN_WINDOW_DAYS * DAY_MS);
  return {
    train: measured.filter((t) => t >= start && t < testStart),
    test: measured.filter((t) => t >= testStart),
  };
}

/**
 * Builds the features of both horizons from silver and the reference data, and replaces
 * `caracteristiques_consommation`. Without a national series (see `chooseNationalSeries`) or a
 * measured consumption, the preparation is skipped and the table is replaced by an empty one.
 *
 * @example
 * ```ts ignore
 * const prep = await prepareConsumptionFeatures(openCatalog(), { referenceDir: "data/reference" });
 * if (prep.kind === "prepared") console.log(prep.resume, prep.reference.manquants);
 * ```
 */
export async function prepareConsumptionFeatures(
  catalog: Catalog,
  options: PrepareOptions,
): Promise<FeaturePreparation | Skipped> {
  const found = await realTimeSeries(catalog);
  const eco2mixMeasured = found.kind === "found"
    ? found.series.consommation.filter((v) => !Number.isNaN(v)).length
    : 0;
  if (found.kind === "skipped" || eco2mixMeasured < 2) {
    await writeEmpty(catalog, FEATURES_TABLE, emptyFeatureFrame());
    return found.kind === "skipped" ? found : skip(
      ML_STEPS.preparation,
      `la série nationale n'a que ${eco2mixMeasured} demi-heure(s) de consommation mesurée : ` +
        "pas de période de test possible",
    );
  }
  const { series: realTime, silver, silverVersion, perimetre } = found;
  // Parsed once per version of the reference files, cached beside the tables.
  const { reference } = await loadReferenceCached(
    options.referenceDir,
    joinLocation(catalog.root, REFERENCE_CACHE_DIR),
  );
  const { history, historique } = consumptionHistory(silver, reference);
  const series = spliceSeries(history, realTime)!;
  const shift = history ? levelShift(history, realTime) : null;
  // The test period: the last 20 % of every measured eCO2mix half-hour (the file, not only the
  // rows with a week of lags before them).
  const measured = measuredInstants(series);
  const slots = Array.from(measured, (t) => slotIndex(series, t));
  const testStart = testPeriodStart({
    epochMs: measured,
    target: Float64Array.from(slots, (k) => series.consommation[k]),
    source: Uint8Array.from(slots, (k) => series.source[k]),
  }, options.testFraction);
  // Eight days of lags (and of temperature differences) before the first row; with
  // temperatures, the rows start with them. A reference input that does not cover the training
  // and test half-hours is left out of this run (see `referenceInputDecision`).
  const ignores: Skipped[] = [];
  const rows = measuredSplit(measured, series.startMs + 8 * DAY_MS, testStart);
  const daily = reference.temperatures?.daily ?? null;
  let temperature: typeof daily = null;
  if (daily) {
    const decision = referenceInputDecision("temperatures", {
      train: temperatureFeatures(rows.train, daily).temperature,
      test: temperatureFeatures(rows.test, daily).temperature,
    });
    if (decision.kind === "used") temperature = daily;
    else ignores.push(decision);
  }
  const from = Math.max(series.startMs, temperature ? temperature.firstDay * DAY_MS : -Infinity) +
    8 * DAY_MS;
  let tempo = reference.tempo?.calendar ?? null;
  if (tempo) {
    // The colour of a day is published the day before: known at every instant of the day.
    const decision = referenceInputDecision("tempo", {
      train: tempoColumn(rows.train, rows.train, tempo),
      test: tempoColumn(rows.test, rows.test, tempo),
    });
    if (decision.kind === "skipped") {
      ignores.push(decision);
      tempo = null;
    }
  }
  const inputs = { temperature, tempo };
  const lineage = {
    _silver_version: silverVersion,
    _reference: JSON.stringify([
      ...(reference.historique?.files ?? []),
      ...(temperature ? reference.temperatures?.files ?? [] : []),
      ...(tempo ? reference.tempo?.files ?? [] : []),
    ]),
  };
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
      withLineage(featureFrame(horizon, set, splits), lineage._silver_version, lineage._reference),
    );
  }
  // The horizons have different lags: each row has nulls in the other horizon's columns.
  // Rechunked (a diagonal concat is not, unasked): the writer's partitionBy on a chunked frame
  // took seconds.
  const frame = pl.concat(frames, { how: "diagonal", rechunk: true });
  const commit = await catalog.table(FEATURES_TABLE).overwrite(frame, { overwriteSchema: true });
  const resume = frame.groupBy(["horizon", "jeu"]).agg(
    pl.len().alias("lignes"),
    pl.col("timestamp_utc").min().alias("debut"),
    pl.col("timestamp_utc").max().alias("fin"),
  ).sort(["horizon", "debut"]).toRecords() as FeaturePreparation["resume"];
  return {
    kind: "prepared",
    version: commit.version,
    frame,
    silverVersion,
    perimetre,
    reference,
    historique,
    testStart,
    ecartNiveau: shift && shift.n > 0 ? shift : null,
    thermosensibilite: temperature ? thermosensitivity(dailyMeans(series), temperature) : null,
    entrees: { temperatures: temperature !== null, tempo: tempo !== null },
    ignores,
    audit,
    resume,
  };
}

/** Options of {@linkcode trainConsumptionModels}. */
export interface TrainingOptions {
  /** Training configuration (default `complet`). */
  profil?: ProfileName;
  /** Registry root (default the project's `models/`). */
  modelsDir?: string;
  /** Code version recorded with each model (default: the git commit, `-dirty` if modified). */
  codeVersion?: string;
  /** When to select and fit again (default `auto`; see `lib/ml/selection_cache.ts`). */
  reentrainement?: RetrainingPolicy;
}

/** What a run did about training, for the notebook (the registry records the same). */
export type RetrainingSummary = Pick<RetrainingPlan, "policy" | "case" | "raison">;

/** Everything measured for one horizon. */
export interface HorizonReport {
  horizon: HorizonName;
  label: string;
  /** Whether the live model is given the temperature forecast known at the cut-off. */
  avecTemperature: boolean;
  /** How the learner was chosen (cross-validation, possibly with adapted folds, or default). */
  selection: LearnerSelection;
  /** Whether the models were selected, refitted, or loaded from the registry, and why. */
  reentrainement: RetrainingSummary;
  /** Rolling-origin cross-validation of the learners (null: selection skipped, see above). */
  validationCroisee: CrossValidationReport | null;
  /** The selected learner, and the registry versions of every fitted model (by label). */
  champion: LearnerName;
  versions: Record<string, number>;
  /** Features the models were given, and the model features left out (no value in this run). */
  caracteristiques: string[];
  caracteristiquesRetirees: string[];
  /** Baselines without any value on the test period (e.g. RTE's forecasts of regional data). */
  referencesAbsentes: string[];
  /** Registered name and version of every fitted model. */
  enregistrements: { model: string; nom: string; version: number; champion: boolean }[];
  /** Training rows and seconds per fitted model. */
  entrainements: { model: string; lignes: number; secondes: number }[];
  /** Scores on the test period, every model and baseline on the same instants. */
  scores: ModelScore[];
  /** First and last test instants scored. */
  testDebut: number;
  testFin: number;
  /** Champion and RTE J-1 (when published) per local hour and per month. */
  parHeure: (GroupMetrics & { model: string })[];
  parMois: (GroupMetrics & { model: string })[];
  residus: ResidualAnalysis;
  importance: {
    parCaracteristique: PermutationImportanceResult;
    parGroupe: PermutationImportanceResult;
  };
  /**
   * The champion's registered version the importance was measured on: this run's, or, after a
   * daily refit, the last version fitted with every model (see `ChampionImportance`).
   */
  importanceMesureeSurVersion: number;
  /**
   * MAPE minus RTE's (J-1, then J, those published) on the test instants, with a 95 % interval
   * from a bootstrap of whole days: of the champion, then of its upper bound with observed
   * temperature when there is one.
   */
  ecartsRte: ({ model: string; reference: string } & MapeDifference)[];
  /**
   * Quantiles of the champion's relative errors on the cross-validation folds, which make its
   * P10, P50 and P90 (null without cross-validation).
   */
  intervalles: RelativeErrorQuantiles | null;
  /** Share of the test instants inside the champion's [P10, P90] (null without intervals). */
  couvertureTest: Coverage | null;
  /** The champion reloaded from the registry predicts exactly the same values. */
  rechargementIdentique: boolean;
}

/** A champion's permutation importance and the registered version it was measured on. */
interface ChampionImportance {
  version: number;
  parCaracteristique: PermutationImportanceResult;
  parGroupe: PermutationImportanceResult;
}

/** What {@linkcode trainConsumptionModels} did. */
export interface TrainingReport {
  kind: "trained";
  profil: ProfileName;
  featuresVersion: number;
  predictionsVersion: number;
  /** The horizons trained (a horizon without enough data is in `ignores` instead). */
  horizons: HorizonReport[];
  /** Parts skipped: horizons, learner selections. */
  ignores: Skipped[];
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

/**
 * Registered model name of a horizon's model given `input` temperatures: `consommation_j1` for
 * the live model with the forecast temperature, suffixed as the labels otherwise
 * (`consommation_j1_temperature_observee`, `consommation_j1_sans_temperature`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { registeredName } from "./ml_step.ts";
 * assert.equal(registeredName("j1", "forecast"), "consommation_j1");
 * assert.equal(registeredName("h1", "none"), "consommation_h1_sans_temperature");
 * ```
 */
export function registeredName(horizon: HorizonName, input: TemperatureInput): string {
  return `consommation_${horizon}${input === "forecast" ? "" : TEMPERATURE_SUFFIX[input]}`;
}

/** Columns of `predictions_consommation`, before the instants become datetimes. */
const PREDICTION_SCHEMA = {
  timestamp_utc: pl.Float64,
  cutoff_utc: pl.Float64,
  horizon: pl.Utf8,
  model: pl.Utf8,
  model_version: pl.Int32,
  periode: pl.Utf8,
  prediction: pl.Float64,
  actual: pl.Float64,
  error: pl.Float64,
  /** The champion's P10, P50 and P90 (null for the other models). */
  p10: pl.Float64,
  p50: pl.Float64,
  p90: pl.Float64,
};

/** An empty frame of the given columns. */
function emptyFrame(schema: Record<string, pl.DataType>): pl.DataFrame {
  return pl.DataFrame(
    Object.fromEntries(
      Object.entries(schema).map(([name, type]) => [name, pl.Series(name, [], type)]),
    ),
  );
}

/** Instants (epoch ms as Float64) → UTC datetimes. */
function asInstants(frame: pl.DataFrame, columns: string[]): pl.DataFrame {
  return frame.withColumns(
    ...columns.map((c) =>
      pl.col(c).cast(pl.Int64).cast(pl.Datetime("ms")).dt.replaceTimeZone("UTC")
    ),
  );
}

/** Where a horizon's training stands, for a live display (see {@linkcode ConsumptionTraining}). */
export interface TrainingProgress {
  horizon: HorizonName;
  /** Cross-validation fits (model selection), then the fits of the models kept. */
  phase: "cross_validation" | "refit";
  done: number;
  total: number;
}

/**
 * Notebook 08's training, one horizon at a time: {@linkcode ConsumptionTraining.open} reads
 * `caracteristiques_consommation`, {@linkcode ConsumptionTraining.train} selects, fits, registers
 * and scores the models of one horizon, {@linkcode ConsumptionTraining.finish} replaces
 * `predictions_consommation` and `importance_variables` once every horizon is done.
 *
 * Why a session rather than one call: a selection from scratch takes minutes per horizon; one
 * notebook cell per horizon keeps each cell well within the runner's per-cell timeout on a busy
 * machine and shows each horizon's result as soon as it is known. The tables are written only
 * by `finish`, so a run stopped between horizons leaves them as they were.
 *
 * @example
 * ```ts ignore
 * const training = await ConsumptionTraining.open(openCatalog(), { profil: "rapide" });
 * for (const horizon of training.horizons) await training.train(horizon);
 * const report = await training.finish();
 * ```
 */
export class ConsumptionTraining {
  readonly #catalog: Catalog;
  readonly #frame: pl.DataFrame;
  readonly #context: Omit<HorizonContext, "horizon" | "pool" | "onProgress">;
  readonly #done = new Set<HorizonName>();
  readonly #reports: HorizonReport[] = [];
  readonly #ignores: Skipped[] = [];
  readonly #predictions: pl.DataFrame[] = [];

  private constructor(
    catalog: Catalog,
    frame: pl.DataFrame,
    readonly featuresVersion: number,
    context: Omit<HorizonContext, "horizon" | "pool" | "onProgress">,
  ) {
    this.#catalog = catalog;
    this.#frame = frame;
    this.#context = context;
  }

  /**
   * Reads the current `caracteristiques_consommation`. Throws {@linkcode MlStepError} when the
   * table does not exist (notebook 07 has not run) or the profile is unknown.
   */
  static async open(catalog: Catalog, options: TrainingOptions = {}): Promise<ConsumptionTraining> {
    const profil = options.profil ?? "complet";
    if (!PROFILES[profil]) throw new MlStepError(`unknown profile '${profil}' (complet or rapide)`);
    const table = catalog.table(FEATURES_TABLE);
    if (!(await table.exists())) {
      throw new MlStepError(`${FEATURES_TABLE} does not exist yet: run notebook 07 first`);
    }
    const featuresVersion = await table.version();
    const frame = await table.read({ version: featuresVersion });
    return new ConsumptionTraining(catalog, frame, featuresVersion, {
      // Without temperatures in this run the features table has no temperature column.
      temperature: frame.columns.includes("temperature") &&
        frame.getColumn("temperature").nullCount() < frame.height,
      profil,
      registry: new ModelRegistry(options.modelsDir ?? PATHS.models),
      codeVersion: options.codeVersion ?? await codeVersionOf(),
      // An empty table (a skipped notebook 07) has no lineage row; nothing is trained then.
      lineage: frame.height ? lineageOf(frame, featuresVersion) : [],
      policy: options.reentrainement ?? "auto",
      code: {
        featureCode: await sourceFingerprint([new URL("../ml/features.ts", import.meta.url)]),
        learnerCode: await sourceFingerprint([new URL("../ml/forecasting.ts", import.meta.url)]),
      },
    });
  }

  /** The training profile. */
  get profil(): ProfileName {
    return this.#context.profil;
  }

  /** The horizons to train: none when the features table is empty (see `finish`). */
  get horizons(): HorizonName[] {
    return this.#frame.height === 0 ? [] : Object.keys(HORIZONS) as HorizonName[];
  }

  /**
   * Selects (or reuses the cached selection), fits, registers and scores the models of
   * `horizon`; a horizon without enough data is skipped (see `consumptionHorizonPlan`).
   * `onProgress` is told after each fit.
   */
  async train(
    horizon: HorizonName,
    options: { onProgress?: (p: TrainingProgress) => void } = {},
  ): Promise<HorizonReport | Skipped> {
    if (!this.horizons.includes(horizon)) {
      throw new MlStepError(`no ${horizon} horizon to train in ${FEATURES_TABLE}`);
    }
    if (this.#done.has(horizon)) throw new MlStepError(`horizon ${horizon} already trained`);
    const pool = new FitPool(PROFILES[this.profil].workers);
    let trained;
    try {
      trained = await trainHorizon(
        horizonData(this.#frame, horizon, this.#context.temperature),
        { ...this.#context, horizon, pool, onProgress: options.onProgress },
      );
    } finally {
      pool.close();
    }
    this.#done.add(horizon);
    if (trained.kind === "skipped") {
      this.#ignores.push(trained);
      return trained;
    }
    this.#reports.push(trained.report);
    if (trained.report.selection.kind === "defaut") {
      this.#ignores.push(trained.report.selection.skipped);
    }
    this.#predictions.push(trained.predictions);
    return trained.report;
  }

  /**
   * Replaces `predictions_consommation` and `importance_variables` with the horizons trained,
   * or with empty tables when none could be (the whole step is then skipped). Every horizon
   * must have been through `train` first.
   */
  async finish(): Promise<TrainingReport | Skipped> {
    const missing = this.horizons.filter((h) => !this.#done.has(h));
    if (missing.length) {
      throw new MlStepError(`train ${missing.join(", ")} before writing the predictions`);
    }
    const horizons = this.#reports;
    if (horizons.length === 0) {
      await writeEmpty(this.#catalog, PREDICTIONS_TABLE, emptyPredictions());
      await writeEmpty(this.#catalog, IMPORTANCE_TABLE, importanceFrame([]));
      return this.#frame.height === 0
        ? skip(
          ML_STEPS.consommation,
          `la table \`${FEATURES_TABLE}\` est vide : la préparation des données (notebook 07) a ` +
            "été ignorée pour ces données",
        )
        : skippedWhole(ML_STEPS.consommation, this.#ignores);
    }
    const predictions = pl.concat(this.#predictions, { how: "vertical" });
    const commit = await this.#catalog.table(PREDICTIONS_TABLE).overwrite(predictions, {
      overwriteSchema: true,
    });
    await this.#catalog.table(IMPORTANCE_TABLE).overwrite(importanceFrame(horizons), {
      overwriteSchema: true,
    });
    return {
      kind: "trained",
      profil: this.profil,
      featuresVersion: this.featuresVersion,
      predictionsVersion: commit.version,
      horizons,
      ignores: this.#ignores,
      predictions,
    };
  }
}

/**
 * Trains, selects, registers and scores the consumption models of both horizons from the
 * current `caracteristiques_consommation`, and replaces `predictions_consommation` and
 * `importance_variables` (a {@linkcode ConsumptionTraining} run start to end). A horizon without
 * enough data is skipped (see `consumptionHorizonPlan`); when both are, or the features table
 * is empty, the whole step is skipped and both tables are replaced by empty ones.
 *
 * @example
 * ```ts ignore
 * const report = await trainConsumptionModels(openCatalog(), { profil: "rapide" });
 * if (report.kind === "trained") console.log(report.horizons.map((h) => [h.horizon, h.champion]));
 * ```
 */
export async function trainConsumptionModels(
  catalog: Catalog,
  options: TrainingOptions = {},
): Promise<TrainingReport | Skipped> {
  const training = await ConsumptionTraining.open(catalog, options);
  for (const horizon of training.horizons) await training.train(horizon);
  return await training.finish();
}

function emptyPredictions(): pl.DataFrame {
  return asInstants(emptyFrame(PREDICTION_SCHEMA), ["timestamp_utc", "cutoff_utc"]);
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
  const column = (name: keyof (typeof rows)[number]) => rows.map((r) => r[name]);
  return pl.DataFrame({
    horizon: pl.Series("horizon", column("horizon"), pl.Utf8),
    model: pl.Series("model", column("model"), pl.Utf8),
    feature: pl.Series("feature", column("feature"), pl.Utf8),
    importance: pl.Series("importance", column("importance"), pl.Float64),
    ecart_type: pl.Series("ecart_type", column("ecart_type"), pl.Float64),
  });
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

/** How the registry describes a model's temperature input. */
const TEMPERATURE_DESCRIPTIONS: Readonly<Record<TemperatureInput, string>> = {
  forecast: "température prévue à la coupure (modèle en service)",
  observed: "température observée du jour prévu (borne haute : inconnue à la coupure)",
  none: "sans température",
};

interface HorizonContext {
  horizon: HorizonName;
  temperature: boolean;
  profil: ProfileName;
  registry: ModelRegistry;
  codeVersion: string;
  lineage: TrainingDataRef[];
  policy: RetrainingPolicy;
  /** Fingerprints of the features' and learners' code (see `SelectionConfig`). */
  code: Pick<SelectionConfig, "featureCode" | "learnerCode">;
  /** Workers for every fit of the horizon (cross-validation and refits). */
  pool: FitPool;
  onProgress?: (p: TrainingProgress) => void;
}

/** The temperature input of a model's label (`gbdt`, `gbdt_sans_temperature`...). */
function inputOfLabel(label: string, live: TemperatureInput): TemperatureInput {
  const other = (["observed", "none", "forecast"] as const).find((input) =>
    input !== live && label.endsWith(TEMPERATURE_SUFFIX[input])
  );
  return other ?? live;
}

async function trainHorizon(
  data: HorizonData,
  context: HorizonContext,
): Promise<{ kind: "trained"; report: HorizonReport; predictions: pl.DataFrame } | Skipped> {
  const { horizon, profil, registry, codeVersion } = context;
  const profile = PROFILES[profil];
  const testRows = indicesOf(data.split, "test");
  const testStart = testRows.length ? data.set.epochMs[testRows[0]] : Infinity;
  const earliest = profile.trainDays === null ? -Infinity : testStart - profile.trainDays * DAY_MS;
  const trainRows = indicesOf(data.split, "entrainement", (i) => data.set.epochMs[i] >= earliest);
  const forecastRows = indicesOf(data.split, "prevision");
  // Rows a model can learn from or forecast: a known reference level (and target).
  const level = data.set.x.columns[data.set.x.names.indexOf(REFERENCE_FEATURE[horizon])];
  const plan = consumptionHorizonPlan({
    horizon,
    trainRows: trainRows.filter((i) => level[i] > 0 && Number.isFinite(data.set.target[i]))
      .length,
    testRows: testRows.filter((i) => level[i] > 0).length,
    profile,
  });
  if (plan.kind === "skipped") return plan;
  const usable = (names: readonly string[]) =>
    usableFeatures(
      data.set.x,
      { train: trainRows, test: testRows },
      names,
      REFERENCE_FEATURE[horizon],
    );
  const { features, dropped } = usable(
    modelFeatures(horizon, { temperature: context.temperature ? "forecast" : "none" }),
  );
  const forecastTemperatures = FORECAST_TEMPERATURE_FEATURES as readonly string[];
  const temperature = features.some((f) => forecastTemperatures.includes(f));
  // The live model's temperatures; the upper bound swaps them for the observed ones.
  const live: TemperatureInput = temperature ? "forecast" : "none";
  const withoutTemperature = features.filter((f) => !forecastTemperatures.includes(f));
  const observed = usable(TEMPERATURE_FEATURES).features;
  const featuresOf = (input: TemperatureInput) =>
    input === live
      ? features
      : input === "observed"
      ? [...withoutTemperature, ...observed]
      : withoutTemperature;
  const selection = plan.selection;
  const modelName = registeredName(horizon, live);
  const config: SelectionConfig = {
    name: modelName,
    profile: profil,
    learners: { candidats: [...LEARNERS], parametres: profile },
    validation: selection,
    features,
    ...context.code,
  };
  const trainData = fingerprintRows(
    takeRows(data.set.x, trainRows),
    Float64Array.from(trainRows, (i) => data.set.target[i]),
    Float64Array.from(trainRows, (i) => data.set.epochMs[i]),
  );
  const store = new SelectionStore(registry.root);
  const retraining = planRetraining(context.policy, await store.load(modelName), {
    config,
    data: trainData,
  });
  if (retraining.case === "sans_modele") return skip(horizonStep(horizon), retraining.raison);
  const record = retrainingRecord(retraining);
  const cached = retraining.selection;
  const started = new Date();
  let cv: CrossValidationReport | null = null;
  let champion: LearnerName;
  if (cached) champion = cached.champion as LearnerName;
  else if (selection.kind === "validation_croisee") {
    cv = await crossValidateLearners(
      data.set,
      trainRows,
      features,
      { ...profile, cvFolds: selection.folds, cvFoldDays: selection.foldDays },
      LEARNERS,
      {
        pool: context.pool,
        onFit: (done, total) =>
          context.onProgress?.({ horizon, phase: "cross_validation", done, total }),
      },
    );
    champion = cv.meilleur;
    // The cross-validation fits are training runs too: one record per learner, its folds' scores.
    for (const mean of cv.moyennes) {
      const folds = cv.folds.filter((f) => f.learner === mean.learner);
      await registry.logRun({
        model: modelName,
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
        retraining: record,
      });
    }
  } else champion = selection.learner;
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
  // Every model of the horizon: the learners with the live inputs, then (with temperatures) the
  // champion with the observed ones (the upper bound) and without any.
  const variants: { learner: LearnerName; input: TemperatureInput }[] = [
    ...LEARNERS.map((learner) => ({ learner, input: live })),
    ...(temperature && observed.length ? [{ learner: champion, input: "observed" as const }] : []),
    ...(temperature ? [{ learner: champion, input: "none" as const }] : []),
  ];
  const labels = variants.map(({ learner, input }) => modelLabel(learner, input, live));
  const toFit = retraining.scope === "all"
    ? variants
    : retraining.scope === "champion"
    ? [{ learner: champion, input: live }]
    : [];
  const fittedLabels = new Set(toFit.map(({ learner, input }) => modelLabel(learner, input, live)));
  // The models not fitted in this run make their predictions from the registry.
  const reused = retraining.scope === "all"
    ? []
    : Object.entries(cached!.fit!.versions).filter(([label]) => !fittedLabels.has(label));
  for (const [label, version] of reused) {
    const registered = registeredName(horizon, inputOfLabel(label, live));
    const stored = await registry.load(registered, version);
    const forecaster = forecasterFromModel(stored.model, stored.info.params as ForecasterParams);
    fitted.push({
      name: label,
      registered,
      forecaster,
      version,
      predicted: forecaster.predict(xTest),
    });
  }
  if (retraining.scope === "none") {
    await registry.logRun({
      model: modelName,
      params: { profil, modeles: cached!.fit!.versions },
      metrics: {},
      trainingData: context.lineage,
      codeVersion,
      tags: { horizon, profil, etape: "reentrainement" },
      retraining: record,
    });
  }
  // The fits are independent: side by side in the pool; registered below in a fixed order.
  let refitsDone = 0;
  const refits = await mapConcurrent(
    toFit,
    context.pool.size,
    async ({ learner, input }) => {
      const startedAt = new Date();
      const t0 = performance.now();
      const fit = await fitForecaster(xTrain, yTrain, {
        horizon,
        learner,
        features: featuresOf(input),
        profile,
      }, { pool: context.pool });
      context.onProgress?.({ horizon, phase: "refit", done: ++refitsDone, total: toFit.length });
      return { ...fit, startedAt, seconds: (performance.now() - t0) / 1000 };
    },
  );
  for (const [k, { forecaster, rows, startedAt: fitStarted, seconds }] of refits.entries()) {
    const { learner, input } = toFit[k];
    const name = registeredName(horizon, input);
    const label = modelLabel(learner, input, live);
    const predicted = forecaster.predict(xTest);
    const { scores } = scoreOnCommonRows(yTest, { [label]: predicted });
    const cvMape = input === live
      ? cv?.moyennes.find((m) => m.learner === learner)?.mape
      : undefined;
    const metrics = {
      mape_test: scores[0].mape,
      rmse_test: scores[0].rmse,
      mae_test: scores[0].mae,
      biais_test: scores[0].bias,
      ...(cvMape === undefined ? {} : { mape_validation_croisee: cvMape }),
    };
    const info = await registry.register(name, forecaster.model, {
      params: forecaster.params,
      metrics,
      trainingData,
      codeVersion,
      description: `${learner}, horizon ${horizon} (${HORIZONS[horizon].label}), ` +
        TEMPERATURE_DESCRIPTIONS[input],
      tags: { horizon, learner, profil, temperature: input },
      retraining: record,
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
      retraining: record,
    });
    if (learner === champion) await registry.setAlias(name, "champion", info.version);
    fitted.push({ name: label, registered: name, forecaster, version: info.version, predicted });
    entrainements.push({ model: label, lignes: rows, secondes: seconds });
  }
  // In the order of `variants` whether fitted or reused (models no longer compared last).
  const rank = (name: string) => (labels.indexOf(name) + labels.length + 1) % (labels.length + 1);
  fitted.sort((a, b) => rank(a.name) - rank(b.name));
  const versions = Object.fromEntries(fitted.map((f) => [f.name, f.version]));
  // The champion's intervals: its errors on the folds, kept with the selection for the runs
  // that reuse it.
  const intervalles: RelativeErrorQuantiles | null = cv
    ? cv.erreursRelatives.find((e) => e.learner === champion)!
    : (cached?.details as { erreursRelatives?: RelativeErrorQuantiles | null } | null)
      ?.erreursRelatives ?? null;
  const championForecaster = fitted.find((f) => f.name === champion)!.forecaster;
  // The champion's permutation importance costs more than its daily refit: measured when every
  // model is fitted (a selection, or weekly with the comparisons) and reused with the daily
  // refits in between, saying on which version it was measured.
  const previousImportance =
    (cached?.fit?.details as { importance?: ChampionImportance } | undefined)
      ?.importance;
  const importance: ChampionImportance = retraining.scope !== "all" && previousImportance
    ? previousImportance
    : {
      version: versions[champion],
      ...forecasterImportance(championForecaster, xTest, yTest, profile.permutationRepeats),
    };
  if (retraining.scope !== "none") {
    if (!cached) {
      await store.save(newSelection({
        config,
        data: trainData,
        champion,
        params: fitted.find((f) => f.name === champion)!.forecaster.params,
        scores: (cv?.moyennes ?? []).map((m) => ({
          learner: m.learner,
          score: m.mape,
          others: { rmse: m.rmse },
        })),
        details: { erreursRelatives: intervalles },
        selectedAt: started,
      }));
    }
    await store.recordFit(modelName, {
      data: trainData,
      versions,
      // Comparisons reused: their training data stays that of their last fit.
      comparisonData: retraining.scope === "champion"
        ? cached!.fit!.comparisonData ?? cached!.fit!.data
        : trainData,
      details: { importance },
    });
  }
  const forecasts: Record<string, Float64Array> = {};
  for (const f of fitted) forecasts[f.name] = f.predicted;
  const baselines = definedForecasts(baselineForecasts({
    ...data.set,
    x: xTest,
    rteJ1: pick(data.set.rteJ1, testRows),
    rteJ: pick(data.set.rteJ, testRows),
  }));
  const all: Record<string, Float64Array> = { ...forecasts, ...baselines.defined };
  const { scores, rows } = scoreOnCommonRows(yTest, all);
  const common = (values: Float64Array) => Float64Array.from(rows, (k) => values[k]);
  const yCommon = common(yTest);
  const tCommon = Float64Array.from(rows, (k) => data.set.epochMs[testRows[k]]);
  const grouped = (by: typeof metricsByHour) =>
    [champion, "rte_j1"].filter((model) => model in all).flatMap((model) =>
      by(yCommon, common(all[model]), tCommon).map((g) => ({ model, ...g }))
    );
  // The registry round trip: the champion as stored predicts what was scored.
  const stored = await context.registry.load(modelName, versions[champion]);
  const reloaded = forecasterFromModel(stored.model, stored.info.params as ForecasterParams);
  const again = reloaded.predict(xTest);
  const rechargementIdentique = again.every((v, k) => Object.is(v, forecasts[champion][k]));
  const upperBound = modelLabel(champion, "observed", live);
  const quantiles = intervalles && {
    test: forecastQuantiles(forecasts[champion], intervalles),
    next: forecastQuantiles(championForecaster.predict(xNext), intervalles),
  };
  const report: HorizonReport = {
    horizon,
    label: HORIZONS[horizon].label,
    avecTemperature: temperature,
    selection,
    reentrainement: { policy: retraining.policy, case: retraining.case, raison: retraining.raison },
    validationCroisee: cv,
    champion,
    versions,
    caracteristiques: features,
    caracteristiquesRetirees: dropped,
    referencesAbsentes: baselines.absent,
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
    ecartsRte: [champion, upperBound].filter((model) => model in all).flatMap((model) =>
      ["rte_j1", "rte_j"].filter((reference) => reference in all).map((reference) => ({
        model,
        reference,
        ...mapeDifference(
          yCommon,
          common(all[model]),
          common(all[reference]),
          tCommon.map(localDayNumber),
        ),
      }))
    ),
    intervalles,
    couvertureTest: quantiles && intervalCoverage(yTest, quantiles.test.p10, quantiles.test.p90),
    importance: {
      parCaracteristique: importance.parCaracteristique,
      parGroupe: importance.parGroupe,
    },
    importanceMesureeSurVersion: importance.version,
    rechargementIdentique,
  };
  // Beyond the data, the observed temperature of the day forecast is not known: no upper bound.
  const predictions = predictionRows(data, testRows, forecastRows, all, {
    next: Object.fromEntries(
      fitted.filter((f) => f.name === champion || f.name.endsWith(TEMPERATURE_SUFFIX.none))
        .map((f) => [f.name, f.forecaster.predict(xNext)]),
    ),
    rteNext: pick(data.set.rteJ1, forecastRows),
    versions: report.versions,
    intervals: quantiles && { model: champion, ...quantiles },
  });
  return { kind: "trained", report, predictions };
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
    /** The P10, P50 and P90 of one model on the test and forecast rows. */
    intervals: { model: string; test: ForecastQuantiles; next: ForecastQuantiles } | null;
  },
): pl.DataFrame {
  const parts: pl.DataFrame[] = [];
  const add = (
    periode: string,
    rows: number[],
    model: string,
    values: Float64Array,
    q?: ForecastQuantiles,
  ) => {
    const keep = rows.map((_, k) => k).filter((k) => Number.isFinite(values[k]));
    if (keep.length === 0) return;
    const actual = keep.map((k) => data.set.target[rows[k]]);
    const prediction = keep.map((k) => values[k]);
    const quantile = (name: keyof ForecastQuantiles) =>
      keep.map((k) => (q && Number.isFinite(q[name][k]) ? q[name][k] : null));
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
      p10: quantile("p10"),
      p50: quantile("p50"),
      p90: quantile("p90"),
    }, { schema: PREDICTION_SCHEMA }));
  };
  const intervalsOf = (model: string, periode: "test" | "next") =>
    next.intervals?.model === model ? next.intervals[periode] : undefined;
  for (const [model, values] of Object.entries(test)) {
    add("test", testRows, model, values, intervalsOf(model, "test"));
  }
  for (const [model, values] of Object.entries(next.next)) {
    add("prevision", forecastRows, model, values, intervalsOf(model, "next"));
  }
  add("prevision", forecastRows, "rte_j1", next.rteNext);
  return asInstants(
    parts.length ? pl.concat(parts, { how: "vertical" }) : emptyFrame(PREDICTION_SCHEMA),
    ["timestamp_utc", "cutoff_utc"],
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
  /**
   * Horizons whose permutation importance is computed (default all): it costs more than the
   * fits, so a caller showing a few asks for those.
   */
  importanceHorizons?: number[];
  /**
   * `auto` (default): a registered classifier serves until its data is a week behind or what
   * shaped it changed (see lib/ml/mix_refit.ts); `complet`: every classifier is fitted;
   * `aucun`: the registered classifiers serve.
   */
  reentrainement?: RetrainingPolicy;
}

/** One horizon and class scheme of {@linkcode MixTrainingReport}. */
export interface MixHorizonReport {
  horizon_heures: number;
  schema: string;
  classes: string[];
  /** Registry name and version of the classifier. */
  modele: string;
  version: number;
  /** Whether it was fitted in this run or reused from the registry, and why. */
  reentrainement: { reajuste: boolean; raison: string };
  lignes_entrainement: number;
  lignes_test: number;
  secondes: number;
  scores: MixScore[];
  /** Null for a horizon not in `importanceHorizons`. */
  importance: PermutationImportanceResult | null;
  /**
   * The forecast beyond the data: the class `horizon_heures` after the last measured instant
   * (`instant`), from what is known at that instant.
   */
  prevision: { instant: number; classe: string };
}

/** What {@linkcode trainMixClassifiers} did. */
export interface MixTrainingReport {
  kind: "trained";
  silverVersion: number;
  /** `perimetre` of the series: `France`, or the national view of the regions. */
  perimetre: string;
  /** Step of the series (minutes). */
  pasMinutes: number;
  testDebut: number;
  testFin: number;
  /** The brief's classes over every measured instant, and over the test period. */
  distribution: ClassShare[];
  distributionTest: ClassShare[];
  /** Brief classes that never occur in the data. */
  jamais: string[];
  /** The class schemes trained, per horizon (a scheme of a single class is in `ignores`). */
  horizons: MixHorizonReport[];
  /** Class schemes skipped. */
  ignores: Skipped[];
  predictionsVersion: number;
}

/** Columns of `predictions_mix`, before the instants become datetimes. */
const MIX_PREDICTION_SCHEMA = {
  timestamp_utc: pl.Float64,
  horizon_heures: pl.Int32,
  /** `test` (scored against the actual class) or `prevision` (after the last measurement). */
  periode: pl.Utf8,
  schema: pl.Utf8,
  model: pl.Utf8,
  model_version: pl.Int32,
  classe_predite: pl.Utf8,
  classe_reelle: pl.Utf8,
  part_reelle: pl.Float64,
};

/**
 * Trains, registers and scores the renewable-share classifiers (the brief's classes and the
 * tercile variant) for each horizon from `eco2mix_silver`, and replaces `predictions_mix`. A
 * class scheme with a single class among the training instants is skipped; without a national
 * series or enough instants (see `mixDataPlan`), or when both schemes are skipped, the whole step
 * is, and `predictions_mix` is replaced by an empty table.
 *
 * @example
 * ```ts ignore
 * const report = await trainMixClassifiers(openCatalog(), { profil: "rapide" });
 * if (report.kind === "trained") console.log(report.horizons.map((h) => h.scores));
 * ```
 */
export async function trainMixClassifiers(
  catalog: Catalog,
  options: MixTrainingOptions = {},
): Promise<MixTrainingReport | Skipped> {
  const profil = options.profil ?? "complet";
  const params = MIX_PROFILES[profil];
  if (!params) throw new MlStepError(`unknown profile '${profil}' (complet or rapide)`);
  const skipAll = async (skipped: Skipped) => {
    await writeEmpty(
      catalog,
      MIX_PREDICTIONS_TABLE,
      asInstants(emptyFrame(MIX_PREDICTION_SCHEMA), ["timestamp_utc"]),
    );
    return skipped;
  };
  // The national view recomputes the share from the summed totals.
  const found = await nationalSilver(
    catalog,
    [...MIX_COLUMNS, "renouvelables_total", "production_totale"],
    ML_STEPS.mix,
  );
  if (found.kind === "skipped") return await skipAll(found);
  const { silverVersion } = found;
  const perimetre = found.choice.perimetre;
  const mix = mixSeriesFromSilver(found.national, perimetre)!;
  const horizonHours = options.horizons ?? [1, 2, 3, 4, 5, 6];
  // The test period: the last 20 % of the measured instants, as for consumption.
  const measured = measuredMixInstants(mix);
  const nTest = Math.max(1, Math.round(measured.length * (options.testFraction ?? 0.2)));
  const testStart = measured.length ? measured[measured.length - nTest] : Infinity;
  // A day of history before the first target (the share 24 h before is a feature).
  const targets = measured.filter((t) => t >= mix.startMs + DAY_MS);
  const shares = mix.columns.part_renouvelables;
  const shareAt = (t: number) => shares[(t - mix.startMs) / mix.stepMs];
  // The training targets of the longest horizon: the fewest, included in every other horizon's.
  const longest = Math.max(...horizonHours);
  const fewest = Array.from(targets.filter((t) => t <= testStart - longest * HOUR_MS), shareAt);
  const data = mixDataPlan({
    trainInstants: fewest.length,
    testInstants: measured.length ? nTest : 0,
    stepMinutes: mix.stepMs / 60_000,
  });
  if (data.kind === "skipped") return await skipAll(data);
  const registry = new ModelRegistry(options.modelsDir ?? PATHS.models);
  const codeVersion = options.codeVersion ?? await codeVersionOf();
  const testShares = Array.from(measured.filter((t) => t >= testStart), shareAt);
  // One tercile scheme for every horizon, from the shares before the test period.
  const terciles = quantileClasses(Array.from(measured.filter((t) => t < testStart), shareAt));
  const distribution = classDistribution(shares, BRIEF_CLASSES);
  const schemes = [["brief", BRIEF_CLASSES], ["terciles", terciles]] as const;
  const ignores: Skipped[] = [];
  const trained = schemes.filter(([schema, scheme]) => {
    const plan = mixClassesPlan(schema, classOf(fewest, scheme));
    if (plan.kind === "skipped") ignores.push(plan);
    return plan.kind === "run";
  });
  if (trained.length === 0) return await skipAll(skippedWhole(ML_STEPS.mix, ignores));
  const horizons: MixHorizonReport[] = [];
  const frames: pl.DataFrame[] = [];
  const trainingData: TrainingDataRef[] = [{ table: "eco2mix_silver", version: silverVersion }];
  const lastMeasured = measured[measured.length - 1];
  const jobs = horizonHours.flatMap((hours) =>
    trained.map(([schema, scheme]) => ({ hours, schema, scheme }))
  );
  const classificationCode = await sourceFingerprint([
    new URL("../ml/classification.ts", import.meta.url),
  ]);
  // The last training target of a horizon: its first test cut-off or before.
  const trainingEndOf = (hours: number) =>
    targets.findLast((t) => t <= testStart - hours * HOUR_MS) ?? -Infinity;
  const nameOf = (schema: string, hours: number) =>
    `mix_renouvelable${schema === "brief" ? "" : "_terciles"}_h${hours}`;
  const plans = await Promise.all(jobs.map(async ({ hours, schema }) =>
    planMixRefit(
      options.reentrainement ?? "auto",
      await registry.getVersion(nameOf(schema, hours), "champion").catch((e) => {
        if (e instanceof RegistryError) return null;
        throw e;
      }),
      {
        gbdt: params,
        profil,
        features: MIX_FEATURES,
        code: classificationCode,
        fixedScheme: schema === "brief" ? BRIEF_CLASSES : null,
        trainingEnd: trainingEndOf(hours),
      },
    )
  ));
  // The classifiers are independent: fitted side by side on every core, registered in order.
  const pool = new FitPool(PROFILES[profil].workers);
  let results: { r: MixHorizonResult; started: Date }[];
  try {
    results = await mapConcurrent(jobs.map((_, k) => k), pool.size, async (k) => {
      const { hours, schema, scheme } = jobs[k];
      const plan = plans[k];
      const started = new Date();
      const fitted = plan.refit ? undefined : {
        model: (await registry.load(nameOf(schema, hours), plan.version)).model as GbdtClassifier,
        scheme: plan.scheme,
      };
      // A reused classifier's importance is the one measured at its fit, when there was one:
      // the permutations cost more than the fit itself.
      const wanted = options.importanceHorizons?.includes(hours) ?? true;
      const stored = wanted && !plan.refit
        ? await registry.attachment(nameOf(schema, hours), plan.version, "importance")
        : null;
      const r = await trainMixHorizon(mix, hours, targets, testStart, () => scheme, params, {
        pool,
        importanceRepeats: wanted && stored === null ? 3 : 0,
        fitted,
      });
      if (stored !== null) r.importance = stored as PermutationImportanceResult;
      return { r, started };
    });
  } finally {
    pool.close();
  }
  for (const [k, { hours, schema }] of jobs.entries()) {
    const { r, started } = results[k];
    const plan = plans[k];
    const name = nameOf(schema, hours);
    const gbdt = r.scores.find((s) => s.model === "gbdt")!.metrics;
    const metrics = {
      exactitude_test: gbdt.accuracy,
      exactitude_equilibree_test: gbdt.balancedAccuracy,
      f1_macro_test: gbdt.macroF1,
    };
    const reentrainement = { reajuste: plan.refit, raison: plan.reason };
    const report = {
      horizon_heures: hours,
      schema,
      classes: [...r.scheme.labels],
      modele: name,
      reentrainement,
      lignes_test: r.testRows.length,
      secondes: r.seconds,
      scores: r.scores,
      importance: r.importance,
    };
    // Beyond the data: the features of lastMeasured + hours are all known at lastMeasured.
    const next = mixFeatures(mix, hours, [lastMeasured + hours * HOUR_MS]);
    const prevision = {
      instant: next.epochMs[0],
      classe: String(r.model.predict(next.x)[0]),
    };
    if (!plan.refit) {
      horizons.push({
        ...report,
        version: plan.version,
        lignes_entrainement: plan.rows,
        prevision,
      });
      frames.push(mixPredictionRows(r, mix, targets, schema, plan.version, prevision));
      continue;
    }
    const fitParams: MixFitParams = {
      horizon_heures: hours,
      schema: r.scheme,
      features: [...MIX_FEATURES],
      gbdt: params,
      profil,
      empreinte_code: classificationCode,
      fin_entrainement: new Date(trainingEndOf(hours)).toISOString(),
    };
    const info = await registry.register(name, r.model, {
      params: fitParams,
      metrics,
      trainingData: [{ ...trainingData[0], rows: r.trainRows.length }],
      codeVersion,
      description: `classe de la part renouvelable dans ${hours} h (${schema})`,
      tags: { horizon_heures: String(hours), schema, profil },
      attachments: r.importance ? { importance: r.importance } : undefined,
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
      ...report,
      version: info.version,
      lignes_entrainement: r.trainRows.length,
      prevision,
    });
    frames.push(mixPredictionRows(r, mix, targets, schema, info.version, prevision));
  }
  const commit = await catalog.table(MIX_PREDICTIONS_TABLE).overwrite(
    pl.concat(frames, { how: "vertical" }),
    { overwriteSchema: true },
  );
  return {
    kind: "trained",
    silverVersion,
    perimetre,
    pasMinutes: mix.stepMs / 60_000,
    testDebut: testStart,
    testFin: measured[measured.length - 1],
    distribution,
    distributionTest: classDistribution(testShares, BRIEF_CLASSES),
    jamais: distribution.filter((c) => c.lignes === 0).map((c) => c.classe),
    horizons,
    ignores,
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
  prevision: MixHorizonReport["prevision"],
): pl.DataFrame {
  const parts = Object.entries(r.forecasts).map(([model, classes]) => {
    const rows = r.testRows.map((_, k) => k).filter((k) => classes[k] !== null);
    return pl.DataFrame({
      timestamp_utc: rows.map((k) => targets[r.testRows[k]]),
      horizon_heures: rows.map(() => r.horizonHeures),
      periode: rows.map(() => "test"),
      schema: rows.map(() => schema),
      model: rows.map(() => model),
      model_version: rows.map(() => (model === "gbdt" ? version : null)),
      classe_predite: rows.map((k) => classes[k]),
      classe_reelle: rows.map((k) => r.actual[k]),
      part_reelle: rows.map((k) =>
        mix.columns.part_renouvelables[(targets[r.testRows[k]] - mix.startMs) / mix.stepMs]
      ),
    }, { schema: MIX_PREDICTION_SCHEMA });
  });
  const next = pl.DataFrame({
    timestamp_utc: [prevision.instant],
    horizon_heures: [r.horizonHeures],
    periode: ["prevision"],
    schema: [schema],
    model: ["gbdt"],
    model_version: [version],
    classe_predite: [prevision.classe],
    classe_reelle: [null],
    part_reelle: [null],
  }, { schema: MIX_PREDICTION_SCHEMA });
  return asInstants(pl.concat([...parts, next], { how: "vertical" }), ["timestamp_utc"]);
}
