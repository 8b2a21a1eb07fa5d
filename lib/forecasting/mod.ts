/**
 * Forecasting of the eCO2mix data: the domain side of the machine-learning steps (notebooks
 * 07-09 and the backtest), on the learners, metrics, splits and registry of `lib/ml`.
 *
 * - the national half-hourly series and the consumption history (`series.ts`), the Paris
 *   calendar (`calendar.ts`), daily temperatures and their forecast (`weather.ts`), the Tempo
 *   colours (`tempo.ts`), the reference files found and read (`reference.ts`);
 * - the cut-off features of both horizons (`features.ts`), the consumption forecasters' learners,
 *   features and profiles (`forecaster_config.ts`), their fits and selection (`forecasting.ts`) and
 *   scores (`forecast_scores.ts`), the renewable-share classifiers (`classification.ts`);
 * - what the data allow (`feasibility.ts`), when to select and fit again (`selection_cache.ts`,
 *   `mix_refit.ts`), the weekly backtest against RTE: its periods, weeks and models
 *   (`backtest_plan.ts`), run (`backtest.ts`, `online_correction.ts`) and scores
 *   (`backtest_scores.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HORIZONS } from "./mod.ts";
 * assert.deepEqual(Object.keys(HORIZONS), ["h1", "j1"]);
 * ```
 *
 * @module
 */

export * from "./calendar.ts";
export * from "./tempo.ts";
export * from "./weather.ts";
export * from "./series.ts";
export * from "./features.ts";
export * from "./reference.ts";
export { ReferenceDataError } from "./_reference_error.ts";
export * from "./forecaster_config.ts";
export * from "./forecasting.ts";
export * from "./thermal_term.ts";
export * from "./forecast_scores.ts";
export * from "./classification.ts";
export * from "./feasibility.ts";
export * from "./selection_cache.ts";
export * from "./mix_refit.ts";
export * from "./online_correction.ts";
export * from "./backtest_plan.ts";
export * from "./backtest.ts";
export * from "./backtest_scores.ts";
