/**
 * The learning engine, in TypeScript with typed arrays only:
 *
 * - learners: ridge / OLS ({@link fitRidge}), histogram gradient-boosted trees
 *   ({@link fitGbdtRegressor}, {@link fitGbdtClassifier}) and random forests
 *   ({@link fitRandomForestRegressor}, {@link fitRandomForestClassifier}, also in Web Workers);
 * - metrics: MAE, RMSE, MAPE, bias, R2, per hour / month, confusion matrix, per-class scores;
 * - time-series splits: chronological and rolling-origin, with a gap, and cross-validation;
 * - permutation importance and exact TreeSHAP contributions;
 * - exact JSON (de)serialisation and a file-based model registry with aliases and a runs log;
 * - independent fits side by side in worker threads ({@link FitPool}), conformal prediction
 *   intervals, and the fingerprint of source code that keys caches ({@link sourceFingerprint}).
 *
 * It knows nothing of eCO2mix: the forecasting of those data is `lib/forecasting`, built on it.
 *
 * Every learner takes a {@link FeatureMatrix} (named Float64Array columns, NaN = missing) and
 * is deterministic for a given seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chronologicalSplit, featureMatrix, fitGbdtRegressor, mape, sliceRows } from "./mod.ts";
 * const t = Array.from({ length: 2000 }, (_, i) => i);
 * const x = featureMatrix({ heure: t.map((i) => i % 24), jour: t.map((i) => Math.floor(i / 24) % 7) });
 * const y = t.map((i) => 50_000 + 5_000 * Math.sin(((i % 24) / 24) * 2 * Math.PI) - (Math.floor(i / 24) % 7 >= 5 ? 4_000 : 0));
 * const { train, test } = chronologicalSplit(x.nRows);
 * const model = fitGbdtRegressor(sliceRows(x, train.start, train.end), y.slice(train.start, train.end));
 * const error = mape(y.slice(test.start, test.end), model.predict(sliceRows(x, test.start, test.end)));
 * assert.ok(error < 1);
 * ```
 *
 * @module
 */

export { MlInputError, ModelFormatError, RegistryError } from "./errors.ts";
export {
  type FeatureMatrix,
  featureMatrix,
  selectFeatures,
  sliceRows,
  takeRows,
} from "./dataset.ts";
export { featureMatrixFromDataFrame, numericColumn } from "./dataframe.ts";
export {
  accuracy,
  balancedAccuracy,
  bias,
  type ClassificationMetrics,
  classificationMetrics,
  type ClassMetrics,
  type ConfusionMatrix,
  confusionMatrix,
  type GroupMetrics,
  type Label,
  mae,
  mape,
  metricsByGroup,
  metricsByHour,
  metricsByMonth,
  r2,
  type RegressionMetrics,
  regressionMetrics,
  rmse,
} from "./metrics.ts";
export {
  type Classifier,
  type Model,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelJson,
  type ModelKind,
  type Regressor,
} from "./model.ts";
export { fitRidge, ridgeFromJSON, type RidgeParams, RidgeRegressor } from "./linear.ts";
export {
  averageFromJSON,
  AverageRegressor,
  averageRegressor,
  meanOfPredictions,
} from "./average.ts";
export {
  fitGbdtClassifier,
  fitGbdtRegressor,
  GbdtClassifier,
  type GbdtClassifierParams,
  type GbdtFitOptions,
  gbdtFromJSON,
  type GbdtParams,
  GbdtRegressor,
  type GbdtRegressorParams,
  type GbdtTrainingInfo,
  refitGbdtLeaves,
} from "./gbdt.ts";
export {
  fitRandomForestClassifier,
  fitRandomForestClassifierInWorkers,
  fitRandomForestRegressor,
  fitRandomForestRegressorInWorkers,
  RandomForestClassifier,
  randomForestFromJSON,
  type RandomForestParams,
  RandomForestRegressor,
} from "./random_forest.ts";
export type { FeatureImportance } from "./_ensemble.ts";
export type { Forest, ForestJson } from "./_forest.ts";
export type { BinEdges } from "./_binning.ts";
export type { DType, EncodedArray } from "./_codec.ts";
export { type ShapExplanation, shapValues } from "./explain.ts";
export {
  type PermutationImportance,
  permutationImportance,
  type PermutationImportanceOptions,
  type PermutationImportanceResult,
  type Predictor,
} from "./importance.ts";
export {
  checkChronological,
  chronologicalSplit,
  type ChronologicalSplitOptions,
  type Fold,
  type RollingOriginOptions,
  rollingOriginSplits,
  type RowRange,
  type TrainTestSplit,
} from "./splits.ts";
export { crossValidate, type CrossValidationResult, type FoldResult } from "./cross_validation.ts";
export {
  loadModel,
  modelFromJSON,
  modelToJSONText,
  saveModel,
  writeFileAtomic,
} from "./model_io.ts";
export {
  type Metrics,
  ModelRegistry,
  type ModelVersionInfo,
  type RegisterInfo,
  type RetrainingRecord,
  type RunInput,
  type RunRecord,
  type TrainingDataRef,
  type VersionRef,
} from "./registry.ts";
export { FitPool, type LearnerSpec, mapConcurrent } from "./fit_pool.ts";
export {
  conformalQuantile,
  type Coverage,
  type ForecastQuantiles,
  forecastQuantiles,
  INTERVAL_QUANTILES,
  intervalCoverage,
  type RelativeErrorQuantiles,
  relativeErrorQuantiles,
} from "./intervals.ts";
export { mulberry32, type Rng } from "./_rng.ts";
export { localModules, sourceFingerprint, SourceFingerprintError } from "./source_fingerprint.ts";
export { decodeArray, encodeArray } from "./_codec.ts";
