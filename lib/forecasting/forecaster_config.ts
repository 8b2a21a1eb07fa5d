/**
 * The configuration of the consumption forecasters of `forecasting.ts`: the learners compared,
 * the reference level and the features each model is given, the named training profiles and the
 * labels of the models in the predictions tables.
 *
 * **Features left out of the models.** `source_temps_reel` and `eolien_solaire` are computed
 * (see `features.ts`) but not given to the models: the history has no production, so wind and
 * solar are known for 2025 only. Measured with them (day-ahead gradient boosting, profile
 * `complet`): rolling-origin MAPE 2.015 % instead of 2.012 %, test MAPE 1.75 % instead of 1.62 %.
 *
 * **Profiles.** `complet` is the configuration the scores are reported with; `rapide` trains on
 * the last two years with small ensembles, for continuous integration and quick looks.
 *
 * @module
 */

import type { GbdtParams, RandomForestParams, RidgeParams } from "../ml/mod.ts";
import {
  featureNames,
  type HorizonName,
  temperatureFeaturesOf,
  type TemperatureInput,
} from "./features.ts";

/**
 * The learners compared, simplest first; the last, `moyenne_modeles`, is an ensemble: the average
 * of the forecasts of several models ({@linkcode ENSEMBLE_MEMBERS}), compared only where its
 * horizon has members ({@linkcode learnersOf}).
 */
export const LEARNERS = ["ridge", "random_forest", "gbdt", "moyenne_modeles"] as const;
/** One of {@linkcode LEARNERS}. */
export type LearnerName = (typeof LEARNERS)[number];
/** A learner fitted as one model (every learner but the ensemble). */
export type SingleLearnerName = Exclude<LearnerName, "moyenne_modeles">;

/** A model fitted alone: a learner and the reference level its target is divided by. */
export interface SingleModelSpec {
  readonly learner: SingleLearnerName;
  readonly reference: string;
}

/**
 * The members of each horizon's ensemble, the first relative to the horizon's reference
 * ({@linkcode REFERENCE_FEATURE}); none one hour ahead, where RTE's J-1 corrects the champion
 * instead ({@linkcode CORRECTED_BY_RTE_J1}).
 *
 * **Why these three** (rolling backtest of 39 weeks of 2016, 2021 and 2025, day-ahead models
 * with the observed temperature, monthly retraining): gradient boosting relative to the 24-hour
 * mean 1.837-1.863 % MAPE (two seeds), relative to the 7-day mean, with the thermal term of its
 * own days, 1.892 %, the random forest 1.955 %; the two boostings averaged 1.789 %, the ensemble of
 * the three **1.764 %**, RTE's J-1 1.768 % (with the temperature forecast 2.688 → 2.627 %, without
 * temperature 3.045 → 2.870 %; a forest of 25 trees instead of 50 gave 1.768 % for 6 % less
 * fitting). The two references see a change of level from different distances, and the forest's
 * errors are the least correlated with the boostings'. The cost: three fits instead of one for
 * each day-ahead model (the cold run, `lib/bench/daily_run.ts`: 239 s instead of 169 s; the daily
 * refit re-estimates leaves and is unchanged).
 */
export const ENSEMBLE_MEMBERS: Readonly<Record<HorizonName, readonly SingleModelSpec[]>> = {
  h1: [],
  j1: [
    { learner: "gbdt", reference: "moyenne_24h" },
    { learner: "gbdt", reference: "moyenne_7j" },
    { learner: "random_forest", reference: "moyenne_24h" },
  ],
};

/**
 * The learners compared for `horizon`: {@linkcode LEARNERS}, the ensemble only where it has
 * members.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learnersOf } from "./forecaster_config.ts";
 * assert.deepEqual(learnersOf("j1"), ["ridge", "random_forest", "gbdt", "moyenne_modeles"]);
 * assert.deepEqual(learnersOf("h1"), ["ridge", "random_forest", "gbdt"]);
 * ```
 */
export function learnersOf(horizon: HorizonName): LearnerName[] {
  return LEARNERS.filter((l) => l !== "moyenne_modeles" || ENSEMBLE_MEMBERS[horizon].length > 1);
}

/**
 * The models fitted alone that a learner of `horizon` is made of: itself relative to the
 * horizon's reference, or the ensemble's members. The gradient boosting and the forest compared
 * alone are also the day-ahead ensemble's first and third members: a caller fitting both fits
 * them once ({@linkcode singleModelKey}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { singleModelKey, singleModelsOf } from "./forecaster_config.ts";
 * assert.deepEqual(singleModelsOf("gbdt", "j1").map(singleModelKey), ["gbdt@moyenne_24h"]);
 * assert.deepEqual(singleModelsOf("moyenne_modeles", "j1").map(singleModelKey), [
 *   "gbdt@moyenne_24h", "gbdt@moyenne_7j", "random_forest@moyenne_24h",
 * ]);
 * ```
 */
export function singleModelsOf(
  learner: LearnerName,
  horizon: HorizonName,
): readonly SingleModelSpec[] {
  return learner === "moyenne_modeles"
    ? ENSEMBLE_MEMBERS[horizon]
    : [{ learner, reference: REFERENCE_FEATURE[horizon] }];
}

/** `learner@reference`: what tells two {@linkcode SingleModelSpec} apart. */
export function singleModelKey(spec: SingleModelSpec): string {
  return `${spec.learner}@${spec.reference}`;
}

/**
 * The models fitted alone that `learners` are made of, each once, in order of first appearance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { distinctSingleModels, singleModelKey } from "./forecaster_config.ts";
 * assert.deepEqual(distinctSingleModels(["gbdt", "moyenne_modeles"], "j1").map(singleModelKey), [
 *   "gbdt@moyenne_24h", "gbdt@moyenne_7j", "random_forest@moyenne_24h",
 * ]);
 * ```
 */
export function distinctSingleModels(
  learners: readonly LearnerName[],
  horizon: HorizonName,
): SingleModelSpec[] {
  const specs = new Map<string, SingleModelSpec>();
  for (const learner of learners) {
    for (const spec of singleModelsOf(learner, horizon)) specs.set(singleModelKey(spec), spec);
  }
  return [...specs.values()];
}

/** The reference level each horizon's target and consumption features are divided by. */
export const REFERENCE_FEATURE: Readonly<Record<HorizonName, string>> = {
  h1: "lag_1h",
  j1: "moyenne_24h",
};

/** Features in MW, given to the models as ratios to the reference. */
export const LEVEL_FEATURES: readonly string[] = [
  "lag_1h",
  "lag_1h30",
  "lag_2h",
  "lag_24h",
  "lag_25h",
  "lag_48h",
  "lag_168h",
  "derniere_valeur",
  "lag_meme_heure",
  "moyenne_24h",
  "moyenne_7j",
];

/** Computed features the models do not use (see the module doc). */
export const UNUSED_FEATURES: readonly string[] = ["source_temps_reel", "eolien_solaire"];

/** The named training configurations. */
export type ProfileName = "complet" | "rapide";

/** Everything a profile sets. */
export interface TrainingProfile {
  readonly gbdt: GbdtParams;
  readonly forest: RandomForestParams;
  readonly ridge: RidgeParams;
  /** Rolling-origin folds and the days in each. */
  readonly cvFolds: number;
  readonly cvFoldDays: number;
  /**
   * Racing of the cross-validation (null: every learner on every fold): after the last
   * `folds` folds, a learner whose MAPE exceeds the leader's by more than `margin` (relative)
   * on each of them is eliminated and fits no other fold (see `crossValidateLearners` in `forecasting.ts`).
   */
  readonly cvRace: { readonly folds: number; readonly margin: number } | null;
  /** Shuffles per feature in permutation importance. */
  readonly permutationRepeats: number;
  /** Training starts at this many days before the test period (null: all the history). */
  readonly trainDays: number | null;
  /** Web Workers growing the random forest. */
  readonly workers: number;
}

/** The profiles: `complet` for the reported scores, `rapide` for CI. */
export const PROFILES: Readonly<Record<ProfileName, TrainingProfile>> = {
  complet: {
    gbdt: {
      maxIter: 600,
      learningRate: 0.1,
      maxLeafNodes: 63,
      minSamplesLeaf: 20,
      subsample: 0.5,
      // One thread: a second histogram thread costs more CPU than it saves (measured 8-15 s
      // with one, 11-16 s with two on 165k rows); independent fits share the cores (FitPool).
      nThreads: 1,
    },
    // 50 trees: the forest was 40 % of a cold run's fitting CPU and never the champion; halving
    // it moved its day-ahead cross-validation MAPE from 2.209 % to 2.228 % (2 folds, 2025 file;
    // the GBDT's is about 2.15 %), since a forest's error has flattened well before 100 trees.
    forest: { nEstimators: 50, minSamplesLeaf: 5, maxFeatures: 0.5, maxSamples: 0.5 },
    ridge: { alpha: 1 },
    cvFolds: 5,
    cvFoldDays: 28,
    cvRace: { folds: 2, margin: 0.05 },
    permutationRepeats: 5,
    trainDays: null,
    workers: 2,
  },
  rapide: {
    gbdt: { maxIter: 120, learningRate: 0.2, maxLeafNodes: 31, minSamplesLeaf: 20 },
    forest: { nEstimators: 12, minSamplesLeaf: 20, maxFeatures: 0.5, maxSamples: 0.3 },
    ridge: { alpha: 1 },
    cvFolds: 5,
    cvFoldDays: 7,
    cvRace: { folds: 2, margin: 0.05 },
    permutationRepeats: 2,
    trainDays: 730,
    workers: 2,
  },
};

/**
 * Whether each horizon's models are given temperatures. One hour ahead they are not: the last
 * half-hours already hold the weather's effect, and on the backtest (39 weeks of 2016, 2021 and
 * 2025, profile `complet`) the model without them scored 0.681 % against 0.682 % with the
 * temperature forecast, within 0.005 point in every season, for 16 features instead of 28 (a third
 * less fitting, and no upper-bound or no-temperature model to fit beside it).
 */
export const TAKES_TEMPERATURE: Readonly<Record<HorizonName, boolean>> = { h1: false, j1: true };

/**
 * Whether each horizon's live forecast is its champion corrected by RTE's J-1
 * (`online_correction.ts`). One hour ahead, the J-1 of the target instant was published the day
 * before and carries RTE's weather forecast, which the model lacks; a day ahead, the J-1 of the
 * target day is published after the cut-off.
 */
export const CORRECTED_BY_RTE_J1: Readonly<Record<HorizonName, boolean>> = { h1: true, j1: false };

/** Label suffix of a champion's forecasts corrected by RTE's J-1 (`gbdt_corrige_rte_j1`). */
export const RTE_J1_CORRECTION_SUFFIX = "_corrige_rte_j1";

/**
 * The feature names a model of `horizon` is given (before the relative transform): the
 * temperature features of `temperature` only (see `TemperatureInput`), and none for a horizon
 * that takes no temperature ({@linkcode TAKES_TEMPERATURE}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelFeatures } from "./forecaster_config.ts";
 * const live = modelFeatures("j1", { temperature: "forecast" });
 * assert.ok(live.includes("moyenne_24h") && live.includes("temperature_prevision"));
 * assert.ok(live.includes("ecart_degres_chauffe_prevision") && !live.includes("temperature"));
 * assert.ok(!live.includes("eolien_solaire"));
 * assert.ok(modelFeatures("j1", { temperature: "observed" }).includes("temperature"));
 * assert.deepEqual(
 *   modelFeatures("h1", { temperature: "forecast" }),
 *   modelFeatures("h1", { temperature: "none" }),
 * );
 * ```
 */
export function modelFeatures(
  horizon: HorizonName,
  options: { temperature: TemperatureInput },
): string[] {
  const temperature = TAKES_TEMPERATURE[horizon] ? temperatureFeaturesOf(options.temperature) : [];
  const other = featureNames(horizon, { temperature: false });
  return featureNames(horizon, { temperature: true }).filter((name) =>
    !UNUSED_FEATURES.includes(name) && (other.includes(name) || temperature.includes(name))
  );
}

/** Label suffix of a model given other temperatures than the live model of its horizon. */
export const TEMPERATURE_SUFFIX: Readonly<Record<TemperatureInput, string>> = {
  forecast: "_temperature_prevue",
  observed: "_temperature_observee",
  none: "_sans_temperature",
};

/**
 * The label of a model in the predictions tables: the learner's name for the live model (the
 * temperatures `live` says), suffixed by its temperature input otherwise — `gbdt` (forecast
 * temperature), `gbdt_temperature_observee` (the upper bound), `gbdt_sans_temperature`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelLabel } from "./forecaster_config.ts";
 * assert.equal(modelLabel("gbdt", "forecast", "forecast"), "gbdt");
 * assert.equal(modelLabel("gbdt", "observed", "forecast"), "gbdt_temperature_observee");
 * assert.equal(modelLabel("ridge", "none", "none"), "ridge");
 * ```
 */
export function modelLabel(
  learner: string,
  input: TemperatureInput,
  live: TemperatureInput,
): string {
  return input === live ? learner : `${learner}${TEMPERATURE_SUFFIX[input]}`;
}
