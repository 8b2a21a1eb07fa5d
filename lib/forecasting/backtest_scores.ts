/**
 * Scores of the consumption backtest (`backtest.ts`): its forecasts aligned per horizon on the
 * instants where the actual value and every model are defined, then MAPE, MAE, RMSE and bias of
 * each model against RTE's forecast of the horizon (and of the live model against its variants)
 * by week, month, season and over the whole backtest, with the day-block bootstrap interval of
 * the MAPE difference (`mapeDifference`) and the P10-P90 coverage. Their rows are the
 * `scores_backtest_consommation` table's, French column names included.
 *
 * @module
 */

import { dateOfDayNumber, localDayNumber } from "./calendar.ts";
import { type Coverage, intervalCoverage, MlInputError, regressionMetrics } from "../ml/mod.ts";
import { type HorizonName, HORIZONS } from "./features.ts";
import { type MapeDifference, mapeDifference } from "./forecast_scores.ts";
import type { BacktestForecast, BacktestResult } from "./backtest.ts";
import { RTE_REFERENCE } from "./backtest_plan.ts";

/** The grains of the scores. */
export const SCORE_GRAINS = ["ensemble", "saison", "mois", "semaine"] as const;
/** One of {@linkcode SCORE_GRAINS}. */
export type ScoreGrain = (typeof SCORE_GRAINS)[number];

/**
 * Meteorological season (French, no accent) of a local month 1-12.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seasonOfMonth } from "./backtest_scores.ts";
 * assert.deepEqual([12, 1, 3, 6, 9].map(seasonOfMonth), ["hiver", "hiver", "printemps", "ete", "automne"]);
 * ```
 */
export function seasonOfMonth(month: number): "hiver" | "printemps" | "ete" | "automne" {
  return month === 12 || month <= 2
    ? "hiver"
    : month <= 5
    ? "printemps"
    : month <= 8
    ? "ete"
    : "automne";
}

/** One score of one model against one reference, on one group of instants. */
export interface BacktestScore {
  horizon: HorizonName;
  grain: ScoreGrain;
  /** `toutes`, a season, a month (YYYY-MM) or a week's Monday (YYYY-MM-DD). */
  groupe: string;
  model: string;
  /** RTE's forecast of the horizon, or the live model's other variant compared. */
  reference: string;
  /** First and last instants (UTC epoch ms), half-hours and local days scored. */
  debut: number;
  fin: number;
  demi_heures: number;
  jours: number;
  mape: number;
  mae: number;
  rmse: number;
  biais: number;
  mape_reference: number;
  /** `mape - mape_reference` (points) and its 95 % day-block bootstrap interval. */
  ecart_mape: number;
  ic_bas: number;
  ic_haut: number;
  /** P10-P90 coverage (%) and shares below P10 and above P90 (NaN without intervals). */
  couverture_p10_p90: number;
  sous_p10: number;
  au_dessus_p90: number;
}

/** Options of {@linkcode backtestScores}. */
export interface ScoreOptions {
  /** Bootstrap resamples of each difference (default 2000). */
  resamples?: number;
  seed?: number;
}

/** One horizon's forecasts aligned on its common instants. */
interface AlignedHorizon {
  epochMs: Float64Array;
  actual: Float64Array;
  week: string[];
  models: Map<
    string,
    { prediction: Float64Array; p10: Float64Array | null; p90: Float64Array | null }
  >;
}

/** The forecasts of a horizon on the instants where every model and the actual value exist. */
function align(forecasts: readonly BacktestForecast[], horizon: HorizonName): AlignedHorizon {
  const mine = forecasts.filter((f) => f.horizon === horizon);
  const names = [...new Set(mine.map((f) => f.model))];
  const byInstant = new Map<
    number,
    { actual: number; week: string; values: Map<string, number[]> }
  >();
  for (const f of mine) {
    f.epochMs.forEach((t, i) => {
      let entry = byInstant.get(t);
      if (!entry) {
        entry = { actual: f.actual[i], week: f.week, values: new Map() };
        byInstant.set(t, entry);
      }
      entry.values.set(f.model, [f.prediction[i], f.p10?.[i] ?? NaN, f.p90?.[i] ?? NaN]);
    });
  }
  const instants = [...byInstant.keys()].sort((a, b) => a - b).filter((t) => {
    const e = byInstant.get(t)!;
    return Number.isFinite(e.actual) &&
      names.every((m) => Number.isFinite(e.values.get(m)?.[0] ?? NaN));
  });
  const withIntervals = new Set(mine.filter((f) => f.p10 && f.p90).map((f) => f.model));
  const column = (model: string, k: number) =>
    Float64Array.from(instants, (t) => byInstant.get(t)!.values.get(model)![k]);
  return {
    epochMs: Float64Array.from(instants),
    actual: Float64Array.from(instants, (t) => byInstant.get(t)!.actual),
    week: instants.map((t) => byInstant.get(t)!.week),
    models: new Map(names.map((m) => [m, {
      prediction: column(m, 0),
      p10: withIntervals.has(m) ? column(m, 1) : null,
      p90: withIntervals.has(m) ? column(m, 2) : null,
    }])),
  };
}

/**
 * Scores of every model of a backtest (see the module doc): per horizon and grain (`ensemble`,
 * `saison`, `mois`, `semaine`), each model against RTE's forecast of the horizon, and the live
 * model against each other variant, on the same instants.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestScores } from "./backtest_scores.ts";
 * // Two days from Monday 6 January 2025, midnight in Paris.
 * const t = Float64Array.from({ length: 96 }, (_, i) => Date.UTC(2025, 0, 5, 23) + i * 1_800_000);
 * const actual = t.map(() => 100);
 * const block = (model: string, v: number, interval = false) => ({
 *   period: 0, week: "2025-01-06", horizon: "j1" as const, model, epochMs: t,
 *   cutoffMs: t, trainedUntil: 0, actual, prediction: t.map(() => v),
 *   p10: interval ? t.map(() => 99) : null, p50: null, p90: interval ? t.map(() => 101.5) : null,
 * });
 * const scores = backtestScores([block("gbdt", 101, true), block("rte_j1", 98)], { resamples: 200 });
 * const all = scores.find((s) => s.grain === "ensemble" && s.model === "gbdt")!;
 * const round = (v: number) => Math.round(v * 1e9) / 1e9;
 * assert.deepEqual([all.mape, all.mape_reference, all.ecart_mape].map(round), [1, 2, -1]);
 * assert.equal(all.jours, 2);
 * assert.equal(all.couverture_p10_p90, 100);
 * assert.deepEqual([...new Set(scores.map((s) => s.grain))], ["ensemble", "saison", "mois", "semaine"]);
 * ```
 */
export function backtestScores(
  result: Pick<BacktestResult, "forecasts"> | readonly BacktestForecast[],
  options: ScoreOptions = {},
): BacktestScore[] {
  const forecasts = Array.isArray(result) ? result : (result as BacktestResult).forecasts;
  const scores: BacktestScore[] = [];
  for (const horizon of Object.keys(HORIZONS) as HorizonName[]) {
    if (!forecasts.some((f) => f.horizon === horizon)) continue;
    const a = align(forecasts, horizon);
    const reference = RTE_REFERENCE[horizon];
    if (!a.models.has(reference)) {
      throw new MlInputError(`backtest: no ${reference} forecast for ${horizon}`);
    }
    if (a.epochMs.length === 0) continue;
    const live = [...a.models.entries()].find(([, m]) => m.p10)?.[0];
    const others = [...a.models.keys()].filter((m) => m !== reference);
    const pairs = [
      ...others.map((model) => ({ model, reference })),
      ...(live ? others.filter((m) => m !== live).map((m) => ({ model: live, reference: m })) : []),
    ];
    const days = Array.from(a.epochMs, localDayNumber);
    const month = Array.from(a.epochMs, (t) => dateOfDayNumber(localDayNumber(t)).slice(0, 7));
    const keys: Record<ScoreGrain, string[]> = {
      ensemble: month.map(() => "toutes"),
      saison: month.map((m) => seasonOfMonth(Number(m.slice(5)))),
      mois: month,
      semaine: a.week,
    };
    for (const grain of SCORE_GRAINS) {
      const groups = [...new Set(keys[grain])];
      for (const groupe of groups) {
        const rows: number[] = [];
        keys[grain].forEach((k, i) => k === groupe && rows.push(i));
        const pick = (v: Float64Array) => Float64Array.from(rows, (i) => v[i]);
        const actual = pick(a.actual);
        const blocks = rows.map((i) => days[i]);
        for (const pair of pairs) {
          const m = a.models.get(pair.model)!;
          const predicted = pick(m.prediction);
          const ref = pick(a.models.get(pair.reference)!.prediction);
          const metrics = regressionMetrics(actual, predicted);
          const d: MapeDifference = mapeDifference(
            actual,
            predicted,
            ref,
            blocks,
            options.resamples,
            options.seed,
          );
          const coverage: Coverage | null = m.p10 && m.p90
            ? intervalCoverage(actual, pick(m.p10), pick(m.p90))
            : null;
          scores.push({
            horizon,
            grain,
            groupe,
            model: pair.model,
            reference: pair.reference,
            debut: a.epochMs[rows[0]],
            fin: a.epochMs[rows[rows.length - 1]],
            demi_heures: rows.length,
            jours: d.blocks,
            mape: metrics.mape,
            mae: metrics.mae,
            rmse: metrics.rmse,
            biais: metrics.bias,
            mape_reference: regressionMetrics(actual, ref).mape,
            ecart_mape: d.difference,
            ic_bas: d.low,
            ic_haut: d.high,
            couverture_p10_p90: coverage?.pct ?? NaN,
            sous_p10: coverage ? (100 * coverage.below) / coverage.n : NaN,
            au_dessus_p90: coverage ? (100 * coverage.above) / coverage.n : NaN,
          });
        }
      }
    }
  }
  return scores;
}
