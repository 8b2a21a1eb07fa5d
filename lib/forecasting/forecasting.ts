/**
 * Consumption forecasting: three learners on the cut-off features of `features.ts`, compared with
 * persistence and RTE's own forecasts on the same instants.
 *
 * **Learners** ({@linkcode LEARNERS}): a ridge regression (the linear baseline, on a one-hot
 * design: half-hour of the day, weekday and month as indicators, heating and cooling degrees per
 * three-hour block), a random forest and histogram gradient-boosted trees, all from `lib/ml`;
 * day-ahead, also an ensemble (`moyenne_modeles`), the mean of the forecasts of several of those
 * models ({@linkcode ENSEMBLE_MEMBERS}), each with its own reference level and thermal term.
 *
 * **Relative target.** Each model predicts the ratio of the consumption to a reference level
 * known at the cut-off ({@linkcode REFERENCE_FEATURE}: the value one hour before for `h1`, the
 * mean of the 24 h before the cut-off for `j1`), and sees the other consumption features as
 * ratios to that reference too; the forecast is the ratio times the reference. A model of shapes
 * rather than levels is what lets it learn on ODRÉ's consolidated history and forecast the
 * real-time series, whose level is about 2 % lower (and any slow drift of the level, such as the
 * 2022-2023 fall in consumption): a forecast scales exactly with the level of its inputs
 * (`forecasting_test.ts`). First measurement, same features, gradient boosting one hour ahead on
 * the last 20 % of the 2025 file: 0.76 % MAPE with an absolute target, 0.68 % with the relative
 * one.
 *
 * **Thermal term.** A day-ahead forecaster first fits a least-squares line from the change in
 * heating degrees to the relative target (`thermal_term.ts`); the learner learns what the line
 * leaves, and the forecast adds the two.
 *
 * **Configuration** (`forecaster_config.ts`): the learners, the features each model is given and
 * the training profiles. **Scores** (`forecast_scores.ts`): baselines, metrics on common rows,
 * residuals and the bootstrap interval of a MAPE difference.
 *
 * **Measured** (profile `complet`, test = the last 20 % of the 2025 real-time file, 1,974
 * half-hours from 2025-06-14 12:30 to 07-25 15:00 Paris time; observed temperature standing in
 * for a forecast): one hour ahead, gradient boosting 0.728 % MAPE, RMSE 413 MW (0.736 % without
 * temperature; RTE's intraday J 0.782 %, persistence 3.458 %); day-ahead, gradient boosting
 * 1.624 %, RMSE 970 MW (2.417 % without temperature; RTE's J-1 1.597 % on the same half-hours).
 * Random forest 0.756 % / 1.814 %, ridge 1.063 % / 3.693 %. Fits on the ~165k training
 * half-hours (2 cores): ridge 2.2 s, random forest 17-23 s, gradient boosting 10.5-11.6 s; one
 * day's forecast 0.1-1.1 ms. Reproduce: notebooks 02, 03, 07, 08 (`-p profil=complet`), or
 * `deno bench -A --v8-flags=--expose-gc lib/bench/forecasting_bench.ts`.
 *
 * @module
 */

import {
  AverageRegressor,
  averageRegressor,
  type FeatureMatrix,
  fitGbdtRegressor,
  FitPool,
  fitRandomForestRegressorInWorkers,
  fitRidge,
  GbdtRegressor,
  type LearnerSpec,
  mapConcurrent,
  meanOfPredictions,
  MlInputError,
  type Model,
  permutationImportance,
  type PermutationImportanceResult,
  refitGbdtLeaves,
  type Regressor,
  type RelativeErrorQuantiles,
  relativeErrorQuantiles,
  rollingOriginSplits,
  type RowRange,
  selectFeatures,
  takeRows,
} from "../ml/mod.ts";
import type { ConsumptionFeatureSet, HorizonName } from "./features.ts";
import { CALENDAR_FEATURES } from "./calendar.ts";
import {
  distinctSingleModels,
  ENSEMBLE_MEMBERS,
  type LearnerName,
  learnersOf,
  LEVEL_FEATURES,
  REFERENCE_FEATURE,
  type SingleLearnerName,
  singleModelKey,
  singleModelsOf,
  type SingleModelSpec,
  type TrainingProfile,
} from "./forecaster_config.ts";
import { scoreOnCommonRows } from "./forecast_scores.ts";
import {
  fitThermalTerm,
  type ThermalTerm,
  thermalTermFeatures,
  thermalTermValues,
  withoutOtherTerms,
} from "./thermal_term.ts";

/** Ridge design: one-hot calendar, degrees per 3-hour block, other features as they are. */
const ONE_HOT: Readonly<Record<string, readonly number[]>> = {
  heure: Array.from({ length: 48 }, (_, k) => k / 2),
  jour_semaine: [0, 1, 2, 3, 4, 5, 6],
  mois: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
};
const DEGREE_BLOCK_HOURS = 3;

function linearDesign(x: FeatureMatrix): FeatureMatrix {
  const names: string[] = [];
  const columns: Float64Array[] = [];
  x.names.forEach((name, j) => {
    const levels = ONE_HOT[name];
    if (levels) {
      // The first level is the reference category (its indicator would be collinear).
      for (const level of levels.slice(1)) {
        names.push(`${name}=${level}`);
        columns.push(x.columns[j].map((v) => (v === level ? 1 : 0)));
      }
    } else if (name !== "jour_annee") {
      names.push(name);
      columns.push(x.columns[j]);
    }
  });
  const hour = x.columns[x.names.indexOf("heure")];
  for (const degrees of ["degres_chauffe", "degres_climatisation"]) {
    const j = x.names.indexOf(degrees);
    if (j < 0 || !hour) continue;
    for (let block = 0; block < 24 / DEGREE_BLOCK_HOURS; block++) {
      names.push(`${degrees}*bloc${block}`);
      columns.push(
        x.columns[j].map((v, i) => (Math.floor(hour[i] / DEGREE_BLOCK_HOURS) === block ? v : 0)),
      );
    }
  }
  return { names, columns, nRows: x.nRows };
}

/** What is needed, besides the fitted model, to forecast (stored in the registry). */
export interface ForecasterParams {
  horizon: HorizonName;
  learner: LearnerName;
  /** Input features (names in the feature set), in order. */
  features: string[];
  /** The reference level (a feature name) the target is divided by. */
  reference: string;
  /** Learner parameters. */
  learnerParams: unknown;
  /**
   * The linear thermal term fitted before the learner (`thermal_term.ts`; day-ahead models
   * registered before it existed have none).
   */
  thermal?: ThermalTerm;
  /**
   * The members of an ensemble (`moyenne_modeles`), in the order of its model's (an
   * `AverageRegressor`), each with its own features, reference and thermal term; absent for a
   * single model.
   */
  members?: ForecasterParams[];
}

/**
 * A consumption forecaster: input transform, fitted model, output transform; or, for an
 * ensemble (`moyenne_modeles`), the mean in MW of its members' forecasts.
 */
export class ConsumptionForecaster {
  /** The members of an ensemble (null for a single model). */
  readonly members: readonly ConsumptionForecaster[] | null;

  /** Use {@linkcode fitForecaster} or {@linkcode forecasterFromModel}. */
  constructor(readonly params: ForecasterParams, readonly model: Regressor) {
    if (!params.members) {
      this.members = null;
      return;
    }
    if (!(model instanceof AverageRegressor) || model.members.length !== params.members.length) {
      throw new MlInputError(
        `an ensemble of ${params.members.length} members needs an average of as many models, ` +
          `got a ${model.kind}`,
      );
    }
    this.members = params.members.map((p, k) => new ConsumptionForecaster(p, model.members[k]));
  }

  /** The input features, as `lib/ml` predictors expose them (permutation importance). */
  get featureNames(): readonly string[] {
    return this.params.features;
  }

  /**
   * A single model's input from the raw features (relative to the reference; one-hot for ridge);
   * an ensemble's members have theirs.
   */
  modelInput(x: FeatureMatrix): { input: FeatureMatrix; reference: Float64Array } {
    if (this.members) {
      throw new MlInputError("an ensemble has no input of its own: see its members");
    }
    return modelInput(selectFeatures(x, this.params.features), this.params);
  }

  /**
   * Forecasts (MW) for every row of `x`; NaN where the reference level (of a member) is unknown.
   */
  predict(x: FeatureMatrix): Float64Array {
    if (this.members) return meanOfPredictions(this.members.map((m) => m.predict(x)));
    const { input, reference } = this.modelInput(x);
    const ratio = this.model.predict(input);
    const thermal = this.params.thermal && thermalTermValues(this.params.thermal, input);
    return ratio.map((r, i) => (r + (thermal ? thermal[i] : 0)) * reference[i]);
  }
}

/**
 * The ensemble of fitted forecasters of one horizon: its forecast is the mean of theirs, in MW
 * (each member relative to its own reference level). Its model, an `AverageRegressor` of theirs,
 * is stored and reloaded as one (`forecasterFromModel`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "../ml/mod.ts";
 * import { ensembleForecaster, fitForecaster } from "./forecasting.ts";
 * import { PROFILES } from "./forecaster_config.ts";
 * const n = 500;
 * const x = featureMatrix({
 *   heure: Array.from({ length: n }, (_, i) => (i % 48) / 2),
 *   lag_1h: Array.from({ length: n }, () => 50_000),
 * });
 * const y = Array.from({ length: n }, (_, i) => 50_000 + 100 * (i % 48));
 * const spec = { horizon: "h1" as const, features: ["heure", "lag_1h"], profile: PROFILES.rapide };
 * const a = (await fitForecaster(x, y, { ...spec, learner: "gbdt" })).forecaster;
 * const b = (await fitForecaster(x, y, { ...spec, learner: "ridge" })).forecaster;
 * const both = ensembleForecaster([a, b]);
 * assert.equal(both.params.learner, "moyenne_modeles");
 * assert.equal(both.predict(x)[7], (a.predict(x)[7] + b.predict(x)[7]) / 2);
 * ```
 */
export function ensembleForecaster(
  members: readonly ConsumptionForecaster[],
): ConsumptionForecaster {
  if (members.some((m) => m.members)) throw new MlInputError("an ensemble cannot be a member");
  const horizons = new Set(members.map((m) => m.params.horizon));
  if (horizons.size !== 1) throw new MlInputError("the members of an ensemble share a horizon");
  const params: ForecasterParams = {
    horizon: members[0].params.horizon,
    learner: "moyenne_modeles",
    features: [...new Set(members.flatMap((m) => m.params.features))],
    reference: members[0].params.reference,
    learnerParams: null,
    members: members.map((m) => m.params),
  };
  return new ConsumptionForecaster(params, averageRegressor(members.map((m) => m.model)));
}

function modelInput(
  x: FeatureMatrix,
  params: Pick<ForecasterParams, "reference" | "learner">,
): { input: FeatureMatrix; reference: Float64Array } {
  const r = x.names.indexOf(params.reference);
  if (r < 0) throw new MlInputError(`reference feature '${params.reference}' is not an input`);
  const reference = x.columns[r];
  const names: string[] = [];
  const columns: Float64Array[] = [];
  x.names.forEach((name, j) => {
    if (j === r) return;
    names.push(name);
    columns.push(
      LEVEL_FEATURES.includes(name) ? x.columns[j].map((v, i) => v / reference[i]) : x.columns[j],
    );
  });
  const relative = { names, columns, nRows: x.nRows };
  return { input: params.learner === "ridge" ? linearDesign(relative) : relative, reference };
}

/**
 * Rebuilds a forecaster from a registered model and its stored parameters.
 *
 * @example
 * ```ts ignore
 * const { model, info } = await registry.load("consommation_j1", "champion");
 * const forecaster = forecasterFromModel(model, info.params as ForecasterParams);
 * ```
 */
export function forecasterFromModel(model: Model, params: ForecasterParams): ConsumptionForecaster {
  if (!("predict" in model) || "classes" in model) {
    throw new MlInputError(`a ${model.kind} model is not a regressor`);
  }
  return new ConsumptionForecaster(params, model as Regressor);
}

/** What {@linkcode fitForecaster} needs besides the data. */
export interface ForecasterSpec {
  horizon: HorizonName;
  learner: LearnerName;
  /** The features a model may be given (each keeps those of its reference, `withoutOtherTerms`). */
  features: readonly string[];
  profile: TrainingProfile;
  /**
   * The reference level of a single model (default the horizon's, {@linkcode REFERENCE_FEATURE});
   * an ensemble's members have theirs ({@linkcode ENSEMBLE_MEMBERS}).
   */
  reference?: string;
}

/** The learner of `learner` with the profile's parameters, as a {@linkcode FitPool} job. */
function learnerSpec(learner: SingleLearnerName, profile: TrainingProfile): LearnerSpec {
  if (learner === "ridge") return { learner, params: profile.ridge };
  if (learner === "gbdt") return { learner, params: profile.gbdt };
  return { learner, params: profile.forest };
}

/**
 * Fits a forecaster on the rows of `x` with a finite target and reference (and, for ridge, finite
 * inputs: linear models cannot skip a missing value). Returns it with the rows used. With a
 * `pool`, the model is fitted in one of its workers (the same model: see `fit_pool.ts`). An
 * ensemble (`moyenne_modeles`) fits its members ({@linkcode ENSEMBLE_MEMBERS}) side by side; its
 * rows are its first member's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "../ml/mod.ts";
 * import { fitForecaster } from "./forecasting.ts";
 * import { PROFILES } from "./forecaster_config.ts";
 * const n = 500;
 * const x = featureMatrix({
 *   heure: Array.from({ length: n }, (_, i) => (i % 48) / 2),
 *   lag_1h: Array.from({ length: n }, () => 50_000),
 * });
 * const y = Array.from({ length: n }, (_, i) => 50_000 * (1 + 0.01 * ((i % 48) / 2 > 12 ? 1 : 0)));
 * const { forecaster } = await fitForecaster(x, y, {
 *   horizon: "h1", learner: "gbdt", features: ["heure", "lag_1h"], profile: PROFILES.rapide,
 * });
 * assert.ok(Math.abs(forecaster.predict(x)[40] - 50_500) < 50);
 * ```
 */
export async function fitForecaster(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  spec: ForecasterSpec,
  options: { pool?: FitPool } = {},
): Promise<{ forecaster: ConsumptionForecaster; rows: number }> {
  const learner = spec.learner;
  if (learner === "moyenne_modeles") {
    const members = ENSEMBLE_MEMBERS[spec.horizon];
    if (members.length < 2) throw new MlInputError(`no ensemble for horizon ${spec.horizon}`);
    const fits = await Promise.all(
      members.map((m) => fitForecaster(x, y, { ...spec, ...m }, options)),
    );
    return { forecaster: ensembleForecaster(fits.map((f) => f.forecaster)), rows: fits[0].rows };
  }
  const reference = spec.reference ?? REFERENCE_FEATURE[spec.horizon];
  const features = withoutOtherTerms(reference, spec.features);
  if (!features.includes(reference)) {
    throw new MlInputError(`the ${spec.horizon} features must include '${reference}'`);
  }
  const params: ForecasterParams = {
    horizon: spec.horizon,
    learner,
    features,
    reference,
    learnerParams: learnerSpec(learner, spec.profile).params,
  };
  const { xs, target, rows } = trainingRows(x, y, params);
  const thermal = fitThermalTerm(xs, target, thermalTermFeatures(reference, features));
  if (thermal) {
    params.thermal = thermal;
    subtractThermalTerm(target, xs, thermal);
  }
  let model: Regressor;
  if (options.pool) {
    model = await options.pool.fit(learnerSpec(learner, spec.profile), xs, target) as Regressor;
  } else if (learner === "ridge") model = fitRidge(xs, target, spec.profile.ridge);
  else if (learner === "gbdt") model = fitGbdtRegressor(xs, target, spec.profile.gbdt);
  else {
    model = await fitRandomForestRegressorInWorkers(
      xs,
      target,
      spec.profile.forest,
      spec.profile.workers,
    );
  }
  return { forecaster: new ConsumptionForecaster(params, model), rows };
}

/** What the learner is left to learn: the relative target minus the thermal term. */
function subtractThermalTerm(target: Float64Array, xs: FeatureMatrix, thermal: ThermalTerm): void {
  const values = thermalTermValues(thermal, xs);
  for (let i = 0; i < target.length; i++) target[i] -= values[i];
}

/**
 * The model's training input and relative target: the rows of `x` with a finite target and
 * reference (and, for ridge, finite inputs: linear models cannot skip a missing value), the
 * thermal term of `params` (if any) subtracted from the target.
 */
function trainingRows(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  params: ForecasterParams,
): { xs: FeatureMatrix; target: Float64Array; rows: number } {
  const { input, reference: level } = modelInput(selectFeatures(x, params.features), params);
  const keep: number[] = [];
  for (let i = 0; i < x.nRows; i++) {
    if (!(Number.isFinite(y[i]) && level[i] > 0)) continue;
    if (params.learner === "ridge" && input.columns.some((c) => !Number.isFinite(c[i]))) continue;
    keep.push(i);
  }
  if (keep.length === 0) throw new MlInputError(`${params.learner}: no usable training row`);
  const xs = takeRows(input, keep);
  const target = Float64Array.from(keep, (i) => y[i] / level[i]);
  if (params.thermal) subtractThermalTerm(target, xs, params.thermal);
  return { xs, target, rows: keep.length };
}

/**
 * The daily refit of a gradient-boosting forecaster: the trees of `previous` (a registered
 * version) kept, their leaf values re-estimated on the training rows of `x` that
 * {@linkcode fitForecaster} would use ({@linkcode refitGbdtLeaves} in `lib/ml`: 2.0-2.7 s of CPU
 * where regrowing the `complet` profile's 600 trees took 6.8-13.8 s on the 2025 file's ~165k rows,
 * `lib/bench/leaf_refit.ts`). Same parameters and features as `previous`;
 * only a `gbdt` forecaster qualifies (an `MlInputError` otherwise), or an ensemble with `gbdt`
 * members: theirs are refitted, its other members kept as they are (re-estimating a forest's
 * leaves, means of bootstrap samples, is not implemented; like every member, a kept forest
 * forecasts from today's reference level, only its shapes wait for the next full fit).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureMatrix } from "../ml/mod.ts";
 * import { fitForecaster, refitForecasterLeaves } from "./forecasting.ts";
 * import { PROFILES } from "./forecaster_config.ts";
 * const n = 500;
 * const x = featureMatrix({
 *   heure: Array.from({ length: n }, (_, i) => (i % 48) / 2),
 *   lag_1h: Array.from({ length: n }, () => 50_000),
 * });
 * const y = Array.from({ length: n }, (_, i) => 50_000 * (1 + 0.01 * ((i % 48) / 2 > 12 ? 1 : 0)));
 * const { forecaster } = await fitForecaster(x, y, {
 *   horizon: "h1", learner: "gbdt", features: ["heure", "lag_1h"], profile: PROFILES.rapide,
 * });
 * // Evenings now 3 % above the level instead of 1 %.
 * const y2 = y.map((v, i) => ((i % 48) / 2 > 12 ? 51_500 : v));
 * const refit = refitForecasterLeaves(forecaster, x, y2);
 * assert.equal(refit.rows, n);
 * assert.ok(Math.abs(refit.forecaster.predict(x)[40] - 51_500) < 50);
 * ```
 */
export function refitForecasterLeaves(
  previous: ConsumptionForecaster,
  x: FeatureMatrix,
  y: ArrayLike<number>,
): { forecaster: ConsumptionForecaster; rows: number } {
  if (previous.members) {
    const refits = previous.members.map((m) =>
      m.params.learner === "gbdt" ? refitForecasterLeaves(m, x, y) : null
    );
    const first = refits.find((r) => r !== null);
    if (!first) throw new MlInputError("leaf refit: an ensemble without a gbdt member");
    return {
      forecaster: ensembleForecaster(refits.map((r, k) => r?.forecaster ?? previous.members![k])),
      rows: first.rows,
    };
  }
  if (previous.params.learner !== "gbdt" || !(previous.model instanceof GbdtRegressor)) {
    throw new MlInputError(
      `leaf refit: a gbdt forecaster is needed, got ${previous.params.learner} ` +
        `(${previous.model.kind})`,
    );
  }
  const { xs, target, rows } = trainingRows(x, y, previous.params);
  const model = refitGbdtLeaves(previous.model, xs, target);
  return { forecaster: new ConsumptionForecaster(previous.params, model), rows };
}

/** One fold of the rolling-origin cross-validation of one learner. */
export interface FoldScore {
  learner: LearnerName;
  fold: number;
  /** First and last target instants of the fold's test rows (UTC epoch ms). */
  start: number;
  end: number;
  trainingRows: number;
  testRows: number;
  mape: number;
  rmse: number;
  mae: number;
  seconds: number;
}

/** Rolling-origin cross-validation result. */
export interface CrossValidationReport {
  folds: FoldScore[];
  /**
   * Mean MAPE, RMSE and MAE over the folds a learner was scored on, per learner (LEARNERS
   * order), with the number of those folds.
   */
  means: { learner: LearnerName; mape: number; rmse: number; mae: number; foldCount: number }[];
  /** Learners eliminated by the race (scored on the raced folds only). */
  eliminated: LearnerName[];
  /** Learner with the lowest mean MAPE among those scored on every fold. */
  best: LearnerName;
  /**
   * Quantiles of each learner's relative errors over the folds it was scored on (in each fold
   * the rows every learner of the fold scored): the conformal calibration of its prediction
   * intervals (`intervals.ts`).
   */
  relativeErrors: ({ learner: LearnerName } & RelativeErrorQuantiles)[];
}

/** Rows between training and test in a fold: the horizon's longest lead time. */
export const CV_GAP_ROWS: Readonly<Record<HorizonName, number>> = { h1: 2, j1: 72 };

/** Told after each fit of a series of `total` fits (`done` of them finished so far). */
export type FitProgress = (done: number, total: number) => void;

/** Learners from the costliest fit to the cheapest (measured on the 165k-row history). */
const COSTLIEST_FIRST: readonly SingleLearnerName[] = ["random_forest", "gbdt", "ridge"];

/**
 * Rolling-origin cross-validation over `trainRows` of `set` (chronological row indices): the
 * last `cvFolds × cvFoldDays` days are cut into consecutive test folds; each fold trains every
 * learner on all the rows before it (minus the horizon's lead time) and scores it on the fold.
 * Every learner is scored on the same rows of a fold (see {@linkcode scoreOnCommonRows}). An
 * ensemble's forecasts of a fold are the mean of its members' (see {@linkcode ENSEMBLE_MEMBERS});
 * a member that is also compared alone is fitted once.
 *
 * The fits of all folds and learners are independent: they run side by side in a
 * {@linkcode FitPool} (`pool`, or one of `profile.workers` workers for this call), the costliest
 * learners first so that the last fits to finish are short ones; the scores are those of fits
 * made one after the other. `onFit` is told as each fit ends (progress of a long selection).
 *
 * **Racing** (`profile.cvRace`, as in racing algorithms for model selection): the last
 * `cvRace.folds` folds (nearest the test period, the most training rows) are run first; a
 * learner worse than the leader (lowest mean MAPE on them) by more than `cvRace.margin` on
 * each of those folds cannot plausibly win and is not fitted on the other folds; one whose model
 * is a member of an ensemble still in the race is fitted anyway, so it stays in, scored on every
 * fold. On the 2025 file the random forest, the costliest learner, was 6 to 10 % behind gradient
 * boosting one hour ahead: racing spares most of its fits.
 *
 * @example
 * ```ts ignore
 * const cv = await crossValidateLearners(set, trainRows, features, PROFILES.complet);
 * console.log(cv.best, cv.means);
 * ```
 */
export async function crossValidateLearners(
  set: ConsumptionFeatureSet,
  trainRows: ArrayLike<number>,
  features: readonly string[],
  profile: TrainingProfile,
  learners: readonly LearnerName[] = learnersOf(set.horizon),
  options: { pool?: FitPool; onFit?: FitProgress } = {},
): Promise<CrossValidationReport> {
  const splits = rollingOriginSplits(trainRows.length, {
    nFolds: profile.cvFolds,
    testSize: profile.cvFoldDays * 48,
    gap: CV_GAP_ROWS[set.horizon],
  });
  const rowsOf = (range: RowRange) =>
    Array.from({ length: range.end - range.start }, (_, k) => trainRows[range.start + k]);
  // The distinct models to fit for `candidates`, the costliest first.
  const unitsFor = (candidates: readonly LearnerName[]) =>
    distinctSingleModels(candidates, set.horizon).sort((a, b) =>
      COSTLIEST_FIRST.indexOf(a.learner) - COSTLIEST_FIRST.indexOf(b.learner)
    );
  const race = profile.cvRace && profile.cvRace.folds < splits.length && learners.length > 1
    ? profile.cvRace
    : null;
  const raced = race ? splits.slice(-race.folds) : splits;
  const rest = race ? splits.slice(0, -race.folds) : [];
  const pool = options.pool ?? new FitPool(profile.workers);
  let done = 0;
  let total = unitsFor(learners).length * splits.length;
  // Forecasts of each model on each fold, by `${unitKey}/${fold}`.
  const fitted = new Map<string, { predicted: Float64Array; seconds: number }>();
  const run = async (units: SingleModelSpec[], folds: typeof splits) => {
    const jobs = units.flatMap((unit) => folds.map((split) => ({ unit, split })));
    // Each job builds its rows when it starts: only the running jobs' data is in memory.
    await mapConcurrent(jobs, pool.size, async ({ unit, split }) => {
      const train = rowsOf(split.train);
      const started = performance.now();
      const { forecaster } = await fitForecaster(
        takeRows(set.x, train),
        Float64Array.from(train, (i) => set.target[i]),
        { horizon: set.horizon, ...unit, features, profile },
        { pool },
      );
      const seconds = (performance.now() - started) / 1000;
      const predicted = forecaster.predict(takeRows(set.x, rowsOf(split.test)));
      fitted.set(`${singleModelKey(unit)}/${split.fold}`, { predicted, seconds });
      options.onFit?.(++done, total);
    });
  };
  // A learner's forecasts of a fold (an ensemble's: the mean of its members') and their cost.
  const forecastOf = (learner: LearnerName, fold: number) => {
    const parts = singleModelsOf(learner, set.horizon).map((u) =>
      fitted.get(`${singleModelKey(u)}/${fold}`)!
    );
    return {
      predicted: meanOfPredictions(parts.map((p) => p.predicted)),
      seconds: parts.reduce((t, p) => t + p.seconds, 0),
    };
  };
  const folds: FoldScore[] = [];
  const pooled = new Map(
    learners.map((l) => [l, { actual: [] as number[], predicted: [] as number[] }]),
  );
  // Scores a fold: every learner of `scored`, on the rows all of them predicted.
  const score = (split: (typeof splits)[number], scored: readonly LearnerName[]) => {
    const train = split.train.end - split.train.start;
    const test = rowsOf(split.test);
    const mine = scored.map((learner) => ({ learner, ...forecastOf(learner, split.fold) }));
    const actual = Float64Array.from(test, (i) => set.target[i]);
    const { scores, rows } = scoreOnCommonRows(
      actual,
      Object.fromEntries(mine.map((f) => [f.learner, f.predicted])),
    );
    for (const f of mine) {
      const p = pooled.get(f.learner)!;
      for (const k of rows) {
        p.actual.push(actual[k]);
        p.predicted.push(f.predicted[k]);
      }
    }
    for (const [k, s] of scores.entries()) {
      folds.push({
        learner: s.model as LearnerName,
        fold: split.fold,
        start: set.epochMs[test[rows[0]]],
        end: set.epochMs[test[rows[rows.length - 1]]],
        trainingRows: train,
        testRows: s.n,
        mape: s.mape,
        rmse: s.rmse,
        mae: s.mae,
        seconds: mine[k].seconds,
      });
    }
  };
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const meanMape = (learner: LearnerName) =>
    mean(folds.filter((f) => f.learner === learner).map((f) => f.mape));
  let eliminated: LearnerName[] = [];
  try {
    await run(unitsFor(learners), raced);
    for (const split of raced) score(split, learners);
    if (race) {
      const leader = learners.reduce((a, b) => (meanMape(b) < meanMape(a) ? b : a));
      const mapeOf = (learner: LearnerName, fold: number) =>
        folds.find((f) => f.learner === learner && f.fold === fold)!.mape;
      const behind = learners.filter((l) =>
        l !== leader &&
        raced.every((s) => mapeOf(l, s.fold) > mapeOf(leader, s.fold) * (1 + race.margin))
      );
      // A learner behind stays in when the others' models are all it is made of: it costs no fit.
      const kept = unitsFor(learners.filter((l) => !behind.includes(l))).map(singleModelKey);
      eliminated = behind.filter((l) =>
        singleModelsOf(l, set.horizon).some((u) => !kept.includes(singleModelKey(u)))
      );
    }
    const survivors = unitsFor(learners.filter((l) => !eliminated.includes(l)));
    total -= (unitsFor(learners).length - survivors.length) * rest.length;
    await run(survivors, rest);
  } finally {
    if (!options.pool) pool.close();
  }
  for (const split of rest) score(split, learners.filter((l) => !eliminated.includes(l)));
  folds.sort((a, b) =>
    a.fold - b.fold || learners.indexOf(a.learner) - learners.indexOf(b.learner)
  );
  const means = learners.map((learner) => {
    const mine = folds.filter((f) => f.learner === learner);
    return {
      learner,
      mape: mean(mine.map((f) => f.mape)),
      rmse: mean(mine.map((f) => f.rmse)),
      mae: mean(mine.map((f) => f.mae)),
      foldCount: mine.length,
    };
  });
  const best = means.filter((m) => !eliminated.includes(m.learner))
    .reduce((best, m) => (m.mape < best.mape ? m : best)).learner;
  const relativeErrors = learners.map((learner) => ({
    learner,
    ...relativeErrorQuantiles(pooled.get(learner)!.actual, pooled.get(learner)!.predicted),
  }));
  return { folds, means, eliminated, best, relativeErrors };
}

/** Groups of features for a grouped permutation importance. */
export const FEATURE_GROUPS: Readonly<Record<string, (name: string) => boolean>> = {
  calendrier: (n) => (CALENDAR_FEATURES as readonly string[]).includes(n),
  tempo: (n) => n === "tempo",
  consommation_passee: (n) => LEVEL_FEATURES.includes(n),
  temperature: (n) =>
    n.startsWith("temperature") || n.startsWith("degres") || n.startsWith("ecart"),
};

/** What {@linkcode forecasterImportance} measures. */
export interface ForecasterImportance {
  byFeature: PermutationImportanceResult;
  byGroup: PermutationImportanceResult;
}

/**
 * Permutation importance of a forecaster on held-out rows, scored by MAPE (in points of
 * percentage): each feature alone, and each group of {@linkcode FEATURE_GROUPS} shuffled
 * together (correlated lags share their importance when shuffled one by one).
 *
 * @example
 * ```ts ignore
 * const { byFeature, byGroup } = forecasterImportance(forecaster, xTest, yTest, 5);
 * ```
 */
export function forecasterImportance(
  forecaster: ConsumptionForecaster,
  x: FeatureMatrix,
  y: ArrayLike<number>,
  repeats: number,
  seed = 0,
): ForecasterImportance {
  const rows: number[] = [];
  const predicted = forecaster.predict(x);
  for (let i = 0; i < x.nRows; i++) if (Number.isFinite(predicted[i]) && y[i] > 0) rows.push(i);
  const xs = takeRows(selectFeatures(x, forecaster.featureNames), rows);
  const ys = Float64Array.from(rows, (i) => y[i]);
  const options = { score: mapeOf, greaterIsBetter: false, nRepeats: repeats, seed };
  const groups = Object.values(FEATURE_GROUPS)
    .map((belongs) => forecaster.featureNames.filter(belongs))
    .filter((g) => g.length > 0);
  return {
    byFeature: permutationImportance(forecaster, xs, ys, options),
    byGroup: permutationImportance(forecaster, xs, ys, { ...options, features: groups }),
  };
}

function mapeOf(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += Math.abs((yPred[i] - yTrue[i]) / yTrue[i]);
  return (100 * sum) / yTrue.length;
}
