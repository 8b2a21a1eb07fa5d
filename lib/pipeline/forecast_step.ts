/**
 * Notebook 08's step: {@linkcode ConsumptionTraining} (one horizon per cell; or
 * {@linkcode trainConsumptionModels} in one call) reads `caracteristiques_consommation`, selects
 * among the learners of each horizon (`learnersOf`: three, and day-ahead the ensemble of three of
 * them) by rolling-origin cross-validation, registers them under `models/` (alias `champion` on
 * the selected one), scores them against persistence and RTE on
 * the same test instants, and writes `predictions_consommation` and `importance_variables`. The
 * selected (live) model is given the temperature forecast known at the cut-off; the same learner
 * given the observed temperature of the target day (an upper bound, `_temperature_observee`) and
 * without temperature (`_sans_temperature`) are scored beside it. The live model's P10, P50 and
 * P90 come from the quantiles of its relative errors on the cross-validation folds
 * (`lib/ml/intervals.ts`).
 *
 * One horizon's selection, fits and scores are in `_forecast_horizon.ts`; skipped steps and
 * errors: see `_ml_step_shared.ts`.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { Catalog } from "../lakehouse/mod.ts";
import { PATHS } from "../paths.ts";
import {
  type Coverage,
  featureMatrixFromDataFrame,
  FitPool,
  type GroupMetrics,
  ModelRegistry,
  type PermutationImportanceResult,
  type RelativeErrorQuantiles,
  sourceFingerprint,
  type TrainingDataRef,
} from "../ml/mod.ts";
import {
  type CrossValidationReport,
  featureNames,
  type HorizonName,
  HORIZONS,
  type LearnerName,
  type LearnerSelection,
  type MapeDifference,
  ML_STEPS,
  type ModelScore,
  type ProfileName,
  PROFILES,
  type ReferenceFile,
  type RefitMethod,
  type ResidualAnalysis,
  type RetrainingPlan,
  type RetrainingPolicy,
  skip,
  type Skipped,
  skippedWhole,
  SOURCE_HISTORY,
  SOURCE_REAL_TIME,
} from "../forecasting/mod.ts";
import {
  codeVersionOf,
  epochColumn,
  FEATURES_TABLE,
  MlStepError,
  writeEmpty,
} from "./_ml_step_shared.ts";
import {
  emptyPredictions,
  type HorizonContext,
  type HorizonData,
  trainHorizon,
} from "./_forecast_horizon.ts";

export { MlStepError } from "./_ml_step_shared.ts";
export { registeredName } from "./_forecast_horizon.ts";

const PREDICTIONS_TABLE = "predictions_consommation";
const IMPORTANCE_TABLE = "importance_variables";

/** Options of {@linkcode trainConsumptionModels}. */
export interface TrainingOptions {
  /** Training configuration (default `complet`). */
  profile?: ProfileName;
  /** Registry root (default the project's `models/`). */
  modelsDir?: string;
  /** Code version recorded with each model (default: the git commit, `-dirty` if modified). */
  codeVersion?: string;
  /** When to select and fit again (default `auto`; see `lib/forecasting/selection_cache.ts`). */
  retraining?: RetrainingPolicy;
}

/** What a run did about training, for the notebook (the registry records the same). */
export type RetrainingSummary = Pick<RetrainingPlan, "policy" | "case" | "reason">;

/** Everything measured for one horizon. */
export interface HorizonReport {
  kind: "trained";
  horizon: HorizonName;
  label: string;
  /** Whether the live model is given the temperature forecast known at the cut-off. */
  withTemperature: boolean;
  /** How the learner was chosen (cross-validation, possibly with adapted folds, or default). */
  selection: LearnerSelection;
  /** Whether the models were selected, refitted, or loaded from the registry, and why. */
  retraining: RetrainingSummary;
  /** Rolling-origin cross-validation of the learners (null: selection skipped, see above). */
  crossValidation: CrossValidationReport | null;
  /** The selected learner, and the registry versions of every fitted model (by label). */
  champion: LearnerName;
  versions: Record<string, number>;
  /** Features the models were given, and the model features left out (no value in this run). */
  features: string[];
  droppedFeatures: string[];
  /** Baselines without any value on the test period (e.g. RTE's forecasts of regional data). */
  missingBaselines: string[];
  /** Registered name and version of every fitted model. */
  registrations: { model: string; registeredName: string; version: number; champion: boolean }[];
  /**
   * Training rows, seconds and method per fitted model (`feuilles_reestimees`: the champion's
   * registered trees kept, their leaves re-estimated; see `RefitMethod`).
   */
  fits: { model: string; rows: number; seconds: number; method: RefitMethod }[];
  /** Scores on the test period, every model and baseline on the same instants. */
  scores: ModelScore[];
  /** First and last test instants scored. */
  testStart: number;
  testEnd: number;
  /** Champion and RTE J-1 (when published) per local hour and per month. */
  byHour: (GroupMetrics & { model: string })[];
  byMonth: (GroupMetrics & { model: string })[];
  residuals: ResidualAnalysis;
  importance: {
    byFeature: PermutationImportanceResult;
    byGroup: PermutationImportanceResult;
  };
  /**
   * The champion's registered version the importance was measured on: this run's, or, after a
   * daily refit, the last version fitted with every model (see `ChampionImportance`).
   */
  importanceMeasuredOnVersion: number;
  /**
   * MAPE minus RTE's (J-1, then J, those published) on the test instants, with a 95 % interval
   * from a bootstrap of whole days: of the champion, then of its forecasts corrected by RTE's J-1
   * and of its upper bound with observed temperature when there are.
   */
  rteGaps: ({ model: string; reference: string } & MapeDifference)[];
  /**
   * Quantiles of the champion's relative errors on the cross-validation folds, which make its
   * P10, P50 and P90 (null without cross-validation).
   */
  intervals: RelativeErrorQuantiles | null;
  /** Share of the test instants inside the champion's [P10, P90] (null without intervals). */
  testCoverage: Coverage | null;
  /**
   * The live forecast one hour ahead (`CORRECTED_BY_RTE_J1`): the champion's corrected by RTE's
   * J-1, its label (`gbdt_corrige_rte_j1`) and the share of the test instants inside its own
   * [P10, P90] (from its recent errors, `online_correction.ts`); null for the other horizons.
   */
  rteCorrection: { model: string; testCoverage: Coverage } | null;
  /** The champion reloaded from the registry predicts exactly the same values. */
  reloadIdentical: boolean;
}

/**
 * The label of a horizon's forecast in service: one hour ahead its champion's corrected by RTE's
 * J-1 when there was J-1 to correct with (`rteCorrection`), otherwise the champion's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { liveModel } from "./forecast_step.ts";
 * assert.equal(liveModel({ champion: "gbdt", rteCorrection: null }), "gbdt");
 * assert.equal(
 *   liveModel({ champion: "gbdt", rteCorrection: { model: "gbdt_corrige_rte_j1" } }),
 *   "gbdt_corrige_rte_j1",
 * );
 * ```
 */
export function liveModel(
  h: Pick<HorizonReport, "champion"> & { rteCorrection: { model: string } | null },
): string {
  return h.rteCorrection?.model ?? h.champion;
}

/** What {@linkcode trainConsumptionModels} did. */
export interface TrainingReport {
  kind: "trained";
  profile: ProfileName;
  featuresVersion: number;
  predictionsVersion: number;
  /** The horizons trained (a horizon without enough data is in `skipped` instead). */
  horizons: HorizonReport[];
  /** Parts skipped: horizons, learner selections. */
  skipped: Skipped[];
  /** The rows written to `predictions_consommation`. */
  predictions: pl.DataFrame;
}

/** Where a horizon's training stands, for a live display (see {@linkcode ConsumptionTraining}). */
export interface TrainingProgress {
  horizon: HorizonName;
  /** Cross-validation fits (model selection), then the fits of the models kept. */
  phase: "cross_validation" | "refit";
  done: number;
  total: number;
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
 * const training = await ConsumptionTraining.open(openCatalog(), { profile: "rapide" });
 * for (const horizon of training.horizons) await training.train(horizon);
 * const report = await training.finish();
 * ```
 */
export class ConsumptionTraining {
  readonly #catalog: Catalog;
  readonly #frame: pl.DataFrame;
  readonly #context: Omit<HorizonContext, "horizon" | "pool" | "onProgress">;
  readonly #done = new Set<HorizonName>();
  /** Every horizon's training, started by the first `train` (see there). */
  readonly #started = new Map<HorizonName, ReturnType<typeof trainHorizon>>();
  readonly #progress = new Map<HorizonName, (p: TrainingProgress) => void>();
  #pool: FitPool | null = null;
  readonly #reports: HorizonReport[] = [];
  readonly #skipped: Skipped[] = [];
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
    const profile = options.profile ?? "complet";
    if (!PROFILES[profile]) {
      throw new MlStepError(`unknown profile '${profile}' (complet or rapide)`);
    }
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
      profileName: profile,
      registry: new ModelRegistry(options.modelsDir ?? PATHS.models),
      codeVersion: options.codeVersion ?? await codeVersionOf(),
      // An empty table (a skipped notebook 07) has no lineage row; nothing is trained then.
      lineage: frame.height ? lineageOf(frame, featuresVersion) : [],
      policy: options.retraining ?? "auto",
      code: {
        featureCode: await sourceFingerprint([
          new URL("../forecasting/features.ts", import.meta.url),
        ]),
        learnerCode: await sourceFingerprint([
          new URL("../forecasting/forecaster_config.ts", import.meta.url),
          new URL("../forecasting/forecasting.ts", import.meta.url),
          new URL("../forecasting/forecast_scores.ts", import.meta.url),
        ]),
      },
    });
  }

  /** The training profile. */
  get profile(): ProfileName {
    return this.#context.profileName;
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
    if (options.onProgress) this.#progress.set(horizon, options.onProgress);
    // Every horizon starts at the first call, their fits queued in one pool, the first
    // horizon's lane before the second's: a daily refit is one fit per horizon, each on one
    // thread, so the second horizon's fills the worker the first leaves idle (and the scoring
    // of one overlaps the other's fits), while a selection from scratch of the first horizon
    // keeps the pace it has alone (its cell's timeout). Each horizon's models are the same as
    // trained alone (seeded fits, per-name versions).
    for (const h of this.horizons) this.#start(h);
    let trained;
    try {
      trained = await this.#start(horizon);
    } catch (error) {
      this.#close();
      throw error;
    }
    this.#done.add(horizon);
    if (this.#done.size === this.horizons.length) this.#close();
    if (trained.kind === "skipped") {
      this.#skipped.push(trained);
      return trained;
    }
    this.#reports.push(trained.report);
    if (trained.report.selection.kind === "defaut") {
      this.#skipped.push(trained.report.selection.skipped);
    }
    this.#predictions.push(trained.predictions);
    return trained.report;
  }

  #start(horizon: HorizonName): ReturnType<typeof trainHorizon> {
    let started = this.#started.get(horizon);
    if (!started) {
      this.#pool ??= new FitPool(PROFILES[this.profile].workers);
      started = trainHorizon(horizonData(this.#frame, horizon, this.#context.temperature), {
        ...this.#context,
        horizon,
        pool: this.#pool.lane(this.horizons.indexOf(horizon)),
        // Told from the moment `train(horizon)` is called: earlier fits are not announced.
        onProgress: (p) => this.#progress.get(horizon)?.(p),
      });
      started.catch(() => {}); // awaited by train(horizon), or abandoned with the pool
      this.#started.set(horizon, started);
    }
    return started;
  }

  /** Stops the pool's workers (a horizon still training then fails, unobserved). */
  #close(): void {
    this.#pool?.close();
    this.#pool = null;
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
        : skippedWhole(ML_STEPS.consommation, this.#skipped);
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
      profile: this.profile,
      featuresVersion: this.featuresVersion,
      predictionsVersion: commit.version,
      horizons,
      skipped: this.#skipped,
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
 * const report = await trainConsumptionModels(openCatalog(), { profile: "rapide" });
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

/** Rows of `importance_variables`: each champion's permutation importance per feature. */
function importanceFrame(horizons: HorizonReport[]): pl.DataFrame {
  const rows = horizons.flatMap((h) =>
    h.importance.byFeature.importances.map((i) => ({
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
