/**
 * Rolling-origin backtest of the consumption forecasts, week by week, against RTE's own
 * forecasts on exactly the same instants.
 *
 * **Periods.** Every stretch of the real-time series where the consumption and both of RTE's
 * forecasts (J-1 and J) are published ({@linkcode backtestPeriods}); on the shared data: June
 * 2016, December 2021 (ODRÉ's export) and January to July 2025. Each period is forecast from the
 * ODRÉ history up to its first instant followed by its own real-time data (`spliceSeries`), so
 * nothing after the period is in its series.
 *
 * **Weeks and retraining.** A period is cut into local weeks (Monday 00:00 Paris; the first and
 * last may be partial, {@linkcode backtestWeeks}). The models of a week are trained on the rows
 * whose target is at or before the cut-off of the week's first forecast — Sunday 23:00 for `h1`,
 * Sunday 12:00 for `j1` (or the same times before a partial week's first instant) — and on
 * nothing later. They are **retrained every month** by default (cadence `mois`: the first week of
 * each period and each week starting in a new month; `semaine` retrains every week): the week's
 * forecasts then come from models 0 to 4 weeks old, as a forecaster refitting monthly would
 * have. Every row's features use only what was known at that row's own cut-off (`features.ts`).
 * The learner is the one notebook 08 selected (cross-validation is not repeated per week), with
 * the profile's parameters.
 *
 * **Models.** One hour ahead, the live model (temperature forecast known at the cut-off),
 * corrected by RTE's J-1 forecast, published the day before (`online_correction.ts`: a linear
 * stacking of the model and J-1 fitted on the last `calibrationDays` days of the live model's
 * own out-of-sample forecasts). Day ahead, the live model, the same learner given the
 * **observed** temperature of the target day (an upper bound: no forecaster knows it at 12:00 the
 * day before) and without temperature; none of them sees J-1, whose publication before 12:00 the
 * day before is not established (`rteJ1Publication`). Without temperatures in the inputs, the
 * live models have none.
 *
 * **Intervals.** The live models' P10, P50 and P90 are conformal on recent residuals
 * (`online_correction.ts`): each forecast is scaled by the quantiles of the relative errors of
 * the live model's forecasts over the `calibrationDays` (28) days before its cut-off, recomputed
 * every day. Before a period's first week, the live model has no such forecast: at the first
 * retraining only, the same learner is also fitted on the rows before the last
 * `calibrationDays` days and forecasts them, and these forecasts open the stream. Their coverage
 * is one of the scores.
 *
 * **Scores** ({@linkcode backtestScores}): per horizon, on the instants where the actual value,
 * every model and RTE's forecast of that horizon (J for `h1`, J-1 for `j1`) are all defined;
 * MAPE, MAE, RMSE, bias by week, month, season and over the whole backtest, with the difference
 * of MAPE to RTE and its 95 % interval from a bootstrap of whole days (`mapeDifference`), and the
 * live model against the other variants the same way.
 *
 * `backtest_test.ts` checks on the real series that no forecast depends on data after its
 * cut-off, the training cut-off of its model included.
 *
 * @module
 */

import { localDayNumber, parisInstant } from "./calendar.ts";
import {
  type Coverage,
  FitPool,
  intervalCoverage,
  mapConcurrent,
  MlInputError,
  regressionMetrics,
  type RelativeErrorQuantiles,
  relativeErrorQuantiles,
  selectFeatures,
  takeRows,
} from "../ml/mod.ts";
import {
  consumptionFeatures,
  type ConsumptionFeatureSet,
  type HorizonName,
  HORIZONS,
  knownRteJ1,
  measuredInstants,
  type TemperatureInput,
} from "./features.ts";
import {
  type LearnerName,
  modelFeatures,
  modelLabel,
  REFERENCE_FEATURE,
  type TrainingProfile,
} from "./forecaster_config.ts";
import { type ConsumptionForecaster, fitForecaster } from "./forecasting.ts";
import { type MapeDifference, mapeDifference } from "./forecast_scores.ts";
import { onlineCorrection } from "./online_correction.ts";
import {
  type HalfHourlySeries,
  seriesLength,
  sliceSeries,
  slotInstant,
  SOURCE_REAL_TIME,
  spliceSeries,
} from "./series.ts";
import type { TempoCalendar } from "./tempo.ts";
import type { DailyTemperature } from "./weather.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** How often the models are trained again: every month (default) or every week. */
export const RETRAIN_CADENCES = ["mois", "semaine"] as const;
/** One of {@linkcode RETRAIN_CADENCES}. */
export type RetrainCadence = (typeof RETRAIN_CADENCES)[number];

/** Days of the calibration window of the intervals (see the module doc). */
export const CALIBRATION_DAYS = 28;
/** Days of training before the first cut-off when the temperatures start later. */
const MIN_TRAIN_DAYS = 365;
/** Days of consumption before the first training row (the longest lag and window). */
const LAG_DAYS = 8;

/** RTE's forecast each horizon is compared with. */
export const RTE_REFERENCE: Readonly<Record<HorizonName, "rte_j" | "rte_j1">> = {
  h1: "rte_j",
  j1: "rte_j1",
};

/** A stretch of real-time data where the consumption and RTE's J-1 and J forecasts exist. */
export interface BacktestPeriod {
  /** First and last such instants (UTC epoch ms). */
  start: number;
  end: number;
  /** Half-hours with all three values. */
  halfHours: number;
}

/**
 * The periods of a series where real-time consumption and RTE's J-1 and J forecasts are all
 * published, on the half-hourly grid: runs of such slots, holes of at most `maxGapHours` hours
 * (the autumn DST hour, a missing value) bridged, runs shorter than `minDays` days dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestPeriods } from "./backtest.ts";
 * import { seriesFromColumns } from "./series.ts";
 * const t = Array.from({ length: 48 * 5 }, (_, i) => Date.UTC(2025, 0, 1) + i * 1_800_000);
 * const v = t.map((_, i) => (i >= 48 * 2 && i < 48 * 3 ? null : 60_000)); // a day without data
 * const s = seriesFromColumns(t, { consommation: v, prevision_j1: v, prevision_j: v }, 1);
 * const periods = backtestPeriods(s, { minDays: 1 });
 * assert.deepEqual(periods.map((p) => p.halfHours), [96, 96]);
 * assert.equal(periods[1].start, t[48 * 3]);
 * ```
 */
export function backtestPeriods(
  series: HalfHourlySeries,
  options: { maxGapHours?: number; minDays?: number } = {},
): BacktestPeriod[] {
  const maxGap = (options.maxGapHours ?? 6) * 2;
  const minSlots = (options.minDays ?? 2) * 48;
  const periods: BacktestPeriod[] = [];
  let current: BacktestPeriod | null = null;
  let lastSlot = -Infinity;
  const close = () => {
    if (current && current.halfHours >= minSlots) periods.push(current);
    current = null;
  };
  for (let i = 0; i < seriesLength(series); i++) {
    const ok = series.source[i] === SOURCE_REAL_TIME && Number.isFinite(series.consommation[i]) &&
      Number.isFinite(series.prevision_j1[i]) && Number.isFinite(series.prevision_j[i]);
    if (!ok) continue;
    if (i - lastSlot > maxGap + 1) close();
    const t = slotInstant(series, i);
    current ??= { start: t, end: t, halfHours: 0 };
    current.end = t;
    current.halfHours++;
    lastSlot = i;
  }
  close();
  return periods;
}

/** One week of a period. */
export interface BacktestWeek {
  /** Index of its period. */
  period: number;
  /** Local date (YYYY-MM-DD) of its Monday. */
  week: string;
  /** First and last instants of the period in the week (UTC epoch ms). */
  start: number;
  end: number;
  /** Index (in the list) of the week whose models forecast it: itself when it retrains. */
  modelWeek: number;
}

/** Monday (day number) of the local week of a day (day 0, 1970-01-01, was a Thursday). */
function mondayOf(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

/** Local month (YYYY-MM) and date of an instant. */
function localDate(epochMs: number): string {
  return new Date(localDayNumber(epochMs) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The weeks of the periods (local Monday to Sunday, cut to the period) and the week whose
 * models forecast each: every week (`semaine`), or the first week of a period and every week
 * whose first instant is in a later month than the last retraining (`mois`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestWeeks } from "./backtest.ts";
 * // Wednesday 1 January 2025 (Paris) to Monday 10 February 2025.
 * const period = { start: Date.UTC(2024, 11, 31, 23), end: Date.UTC(2025, 1, 10, 12), halfHours: 0 };
 * const weeks = backtestWeeks([period], "mois");
 * assert.deepEqual(weeks.map((w) => w.week).slice(0, 2), ["2024-12-30", "2025-01-06"]);
 * assert.equal(weeks[0].start, period.start);
 * // Retrained on 1 January and on Monday 3 February.
 * assert.deepEqual([...new Set(weeks.map((w) => weeks[w.modelWeek].week))], ["2024-12-30", "2025-02-03"]);
 * ```
 */
export function backtestWeeks(
  periods: readonly BacktestPeriod[],
  cadence: RetrainCadence,
): BacktestWeek[] {
  const weeks: BacktestWeek[] = [];
  periods.forEach((period, p) => {
    let retrain = -1;
    for (let monday = mondayOf(localDayNumber(period.start));; monday += 7) {
      const start = Math.max(period.start, parisInstant(monday, 0));
      const end = Math.min(period.end, parisInstant(monday + 7, 0) - HOUR_MS / 2);
      if (start > period.end) break;
      const month = localDate(start).slice(0, 7);
      const newMonth = retrain < 0 || localDate(weeks[retrain].start).slice(0, 7) !== month;
      if (retrain < 0 || cadence === "semaine" || newMonth) retrain = weeks.length;
      weeks.push({
        period: p,
        week: new Date(monday * DAY_MS).toISOString().slice(0, 10),
        start,
        end,
        modelWeek: retrain,
      });
    }
  });
  return weeks;
}

/** A model of the backtest: its horizon, label and temperature input. */
export interface BacktestVariant {
  horizon: HorizonName;
  learner: LearnerName;
  temperature: TemperatureInput;
  /** Label in the tables (see `modelLabel`). */
  model: string;
  /** Whether it is the live model of its horizon (the one with intervals). */
  live: boolean;
}

/**
 * The models of each horizon (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestVariants } from "./backtest.ts";
 * const v = backtestVariants({ h1: "gbdt", j1: "gbdt" }, true);
 * assert.deepEqual(v.map((m) => m.model), [
 *   "gbdt", "gbdt", "gbdt_temperature_observee", "gbdt_sans_temperature",
 * ]);
 * assert.deepEqual(v.map((m) => m.horizon), ["h1", "j1", "j1", "j1"]);
 * ```
 */
export function backtestVariants(
  learners: Readonly<Record<HorizonName, LearnerName>>,
  withTemperature: boolean,
): BacktestVariant[] {
  const live: TemperatureInput = withTemperature ? "forecast" : "none";
  const inputs: Record<HorizonName, TemperatureInput[]> = {
    h1: [live],
    j1: withTemperature ? ["forecast", "observed", "none"] : ["none"],
  };
  return (Object.keys(HORIZONS) as HorizonName[]).flatMap((horizon) =>
    inputs[horizon].map((temperature) => ({
      horizon,
      learner: learners[horizon],
      temperature,
      model: modelLabel(learners[horizon], temperature, live),
      live: temperature === live,
    }))
  );
}

/** What the backtest reads. */
export interface BacktestData {
  /** ODRÉ's consolidated history (source 0), or null. */
  history: HalfHourlySeries | null;
  /** The real-time eCO2mix series, RTE's forecasts included (source 1). */
  realTime: HalfHourlySeries;
  temperature: DailyTemperature | null;
  tempo: TempoCalendar | null;
}

/** Options of {@linkcode runBacktest}. */
export interface BacktestOptions {
  profile: TrainingProfile;
  /** Learner of each horizon (default gradient boosting). */
  learners?: Partial<Record<HorizonName, LearnerName>>;
  /** Default `mois`. */
  cadence?: RetrainCadence;
  /** Default {@linkcode CALIBRATION_DAYS}. */
  calibrationDays?: number;
  /**
   * Only the instants from `from` to `to` (UTC epoch ms; default all): the periods are cut to
   * them before being split into weeks (their series still start at the period's start).
   */
  from?: number;
  to?: number;
  /** Horizons to run (default both). */
  horizons?: readonly HorizonName[];
  /** Workers of the fits (default a pool of `profile.workers`, closed at the end). */
  pool?: FitPool;
  /** Told after each fit. */
  onFit?: (done: number, total: number) => void;
}

/** The forecasts of one model over one week. */
export interface BacktestForecast {
  period: number;
  week: string;
  horizon: HorizonName;
  /** Model label, or `rte_j` / `rte_j1`. */
  model: string;
  /** Target instants (UTC epoch ms) and the cut-off of each forecast. */
  epochMs: Float64Array;
  cutoffMs: Float64Array;
  /** Last target instant the model was trained on (its training cut-off; NaN for RTE). */
  trainedUntil: number;
  actual: Float64Array;
  prediction: Float64Array;
  /** P10, P50, P90 of the live models; null for the others. */
  p10: Float64Array | null;
  p50: Float64Array | null;
  p90: Float64Array | null;
}

/** One fit of the backtest. */
export interface BacktestFit {
  period: number;
  /** Week the models are trained for. */
  week: string;
  horizon: HorizonName;
  model: string;
  /** `modele` (forecasts the weeks) or `calibration` (calibrates the intervals). */
  role: "modele" | "calibration";
  /** Last target instant of its training rows (UTC epoch ms) and how many rows. */
  trainedUntil: number;
  rows: number;
  seconds: number;
}

/** The calibration of the live model of one horizon at one retraining. */
export interface BacktestCalibration extends RelativeErrorQuantiles {
  period: number;
  week: string;
  horizon: HorizonName;
  model: string;
  /** First and last calibration instants (UTC epoch ms). */
  start: number;
  end: number;
}

/** What {@linkcode runBacktest} produced. */
export interface BacktestResult {
  periods: BacktestPeriod[];
  weeks: BacktestWeek[];
  variants: BacktestVariant[];
  cadence: RetrainCadence;
  calibrationDays: number;
  forecasts: BacktestForecast[];
  fits: BacktestFit[];
  calibrations: BacktestCalibration[];
}

/** One fit to make. */
interface FitJob {
  variant: BacktestVariant;
  week: number;
  role: "modele" | "calibration";
  rows: number[];
  /** Rows the calibration model forecasts. */
  calibrationRows: number[];
}

/** Rows of `set` whose target is in [from, to]. */
function rowsBetween(set: ConsumptionFeatureSet, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < set.epochMs.length; i++) {
    if (set.epochMs[i] >= from && set.epochMs[i] <= to) out.push(i);
  }
  return out;
}

/**
 * Runs the backtest (see the module doc): the periods of `data.realTime`, their weeks (those
 * between `from` and `to`), the fits of every retraining side by side in the fit pool, and the
 * forecasts of every week with RTE's beside them.
 *
 * @example
 * ```ts ignore
 * const result = await runBacktest({ history, realTime, temperature, tempo }, {
 *   profile: PROFILES.complet,
 * });
 * const scores = backtestScores(result);
 * ```
 */
export async function runBacktest(
  data: BacktestData,
  options: BacktestOptions,
): Promise<BacktestResult> {
  const cadence = options.cadence ?? "mois";
  const calibrationDays = options.calibrationDays ?? CALIBRATION_DAYS;
  const horizons = options.horizons ?? (Object.keys(HORIZONS) as HorizonName[]);
  const learners = { h1: "gbdt", j1: "gbdt", ...options.learners } as Record<
    HorizonName,
    LearnerName
  >;
  const { profile } = options;
  const whole = backtestPeriods(data.realTime);
  // The periods within [from, to]; each one's series starts where its whole period does.
  const periods = backtestPeriods(
    sliceSeries(
      data.realTime,
      Math.max(options.from ?? -Infinity, data.realTime.startMs),
      Math.min(options.to ?? Infinity, slotInstant(data.realTime, seriesLength(data.realTime) - 1)),
    ),
  );
  const starts = periods.map((p) =>
    whole.find((w) => w.start <= p.start && p.start <= w.end)!.start
  );
  const weeks = backtestWeeks(periods, cadence);
  const variants = backtestVariants(learners, data.temperature !== null)
    .filter((v) => horizons.includes(v.horizon));
  const result: BacktestResult = {
    periods,
    weeks: weeks,
    variants,
    cadence,
    calibrationDays,
    forecasts: [],
    fits: [],
    calibrations: [],
  };
  const pool = options.pool ?? new FitPool(profile.workers);
  const retrainsPerPeriod = periods.map((_, p) =>
    weeks.filter((w, k) => w.period === p && w.modelWeek === k).length
  );
  // Every variant at each retraining, and the live models' calibration at a period's first.
  const live = variants.filter((v) => v.live).length;
  const total = retrainsPerPeriod.reduce((t, r) => t + r * variants.length + (r ? live : 0), 0);
  let done = 0;
  try {
    for (let p = 0; p < periods.length; p++) {
      const mine = weeks.map((w, k) => ({ w, k })).filter(({ w }) => w.period === p);
      if (mine.length === 0) continue;
      const series = spliceSeries(
        data.history,
        sliceSeries(data.realTime, starts[p], periods[p].end),
      )!;
      for (const horizon of horizons) {
        const spec = HORIZONS[horizon];
        const retrains = mine.filter(({ w, k }) => w.modelWeek === k);
        const firstCutoff = spec.cutoff(retrains[0].w.start);
        const temperatureStart = data.temperature ? data.temperature.firstDay * DAY_MS : Infinity;
        // Training rows from when temperatures exist, or a year before the first cut-off when
        // they start later (June 2016: the temperatures start in January).
        const trainStart = Math.max(
          series.startMs + LAG_DAYS * DAY_MS,
          Math.min(temperatureStart + LAG_DAYS * DAY_MS, firstCutoff - MIN_TRAIN_DAYS * DAY_MS),
        );
        const set = consumptionFeatures(
          series,
          horizon,
          measuredInstants(series, trainStart, periods[p].end),
          { temperature: data.temperature, tempo: data.tempo },
        );
        const window = (cutoff: number) =>
          profile.trainDays === null ? trainStart : Math.max(
            trainStart,
            cutoff - profile.trainDays * DAY_MS,
          );
        const jobs: FitJob[] = [];
        for (const [r, { w, k }] of retrains.entries()) {
          const cutoff = spec.cutoff(w.start);
          const calibrationStart = cutoff - calibrationDays * DAY_MS;
          // Only before a period's first week has the live model no out-of-sample forecast.
          const calibrationRows = r === 0 ? rowsBetween(set, calibrationStart + 1, cutoff) : [];
          const calibrationCutoff = calibrationRows.length
            ? spec.cutoff(set.epochMs[calibrationRows[0]])
            : -Infinity;
          for (const variant of variants.filter((v) => v.horizon === horizon)) {
            jobs.push({
              variant,
              week: k,
              role: "modele",
              rows: rowsBetween(set, window(cutoff), cutoff),
              calibrationRows: [],
            });
            if (variant.live && calibrationRows.length) {
              jobs.push({
                variant,
                week: k,
                role: "calibration",
                rows: rowsBetween(set, window(calibrationCutoff), calibrationCutoff),
                calibrationRows,
              });
            }
          }
        }
        const fitted = await mapConcurrent(jobs, pool.size, async (job) => {
          const features = modelFeatures(horizon, { temperature: job.variant.temperature });
          const x = selectFeatures(set.x, features);
          const started = performance.now();
          const { forecaster, rows } = await fitForecaster(
            takeRows(x, job.rows),
            Float64Array.from(job.rows, (i) => set.target[i]),
            { horizon, learner: job.variant.learner, features, profile },
            { pool },
          );
          options.onFit?.(++done, total);
          return { forecaster, rows, seconds: (performance.now() - started) / 1000 };
        });
        jobs.forEach((job, j) =>
          result.fits.push({
            period: p,
            week: weeks[job.week].week,
            horizon,
            model: job.variant.model,
            role: job.role,
            trainedUntil: set.epochMs[job.rows[job.rows.length - 1]],
            rows: fitted[j].rows,
            seconds: fitted[j].seconds,
          })
        );
        const models = new Map<string, ConsumptionForecaster>();
        // The live model's out-of-sample forecasts in time order: the calibration window before
        // the period's first week, then every week (see `online_correction.ts`).
        const stream = { rows: [] as number[], predicted: [] as number[] };
        jobs.forEach((job, j) => {
          const key = `${job.week}/${job.variant.model}`;
          if (job.role === "modele") {
            models.set(key, fitted[j].forecaster);
            return;
          }
          const rows = job.calibrationRows;
          const predicted = fitted[j].forecaster.predict(takeRows(set.x, rows));
          stream.rows.push(...rows);
          stream.predicted.push(...predicted);
          result.calibrations.push({
            period: p,
            week: weeks[job.week].week,
            horizon,
            model: job.variant.model,
            start: set.epochMs[rows[0]],
            end: set.epochMs[rows[rows.length - 1]],
            ...relativeErrorQuantiles(Float64Array.from(rows, (i) => set.target[i]), predicted),
          });
        });
        const weekForecasts: BacktestForecast[] = [];
        const liveForecasts: BacktestForecast[] = [];
        for (const { w } of mine) {
          const rows = rowsBetween(set, w.start, w.end);
          if (rows.length === 0) continue;
          const pick = (values: Float64Array) => Float64Array.from(rows, (i) => values[i]);
          const base = {
            period: p,
            week: w.week,
            horizon,
            epochMs: pick(set.epochMs),
            cutoffMs: pick(set.cutoffMs),
            actual: pick(set.target),
            p10: null,
            p50: null,
            p90: null,
          };
          const x = takeRows(set.x, rows);
          for (const variant of variants.filter((v) => v.horizon === horizon)) {
            const forecast: BacktestForecast = {
              ...base,
              model: variant.model,
              trainedUntil: spec.cutoff(weeks[w.modelWeek].start),
              prediction: models.get(`${w.modelWeek}/${variant.model}`)!.predict(x),
            };
            weekForecasts.push(forecast);
            if (variant.live) {
              liveForecasts.push(forecast);
              stream.rows.push(...rows);
              stream.predicted.push(...forecast.prediction);
            }
          }
          weekForecasts.push({
            ...base,
            model: RTE_REFERENCE[horizon],
            trainedUntil: NaN,
            prediction: pick(horizon === "h1" ? set.rteJ : set.rteJ1),
          });
        }
        if (liveForecasts.length) {
          const pick = (values: ArrayLike<number>) => stream.rows.map((i) => values[i]);
          const rte = horizon === "h1" ? knownRteJ1(series, set) : null;
          const corrected = onlineCorrection({
            epochMs: pick(set.epochMs),
            cutoffMs: pick(set.cutoffMs),
            actual: pick(set.target),
            predicted: stream.predicted,
            rteJ1: rte && {
              level: pick(set.x.columns[set.x.names.indexOf(REFERENCE_FEATURE.h1)]),
              atTarget: pick(rte.atTarget),
              atCutoff: pick(rte.atCutoff),
            },
          }, { windowDays: calibrationDays });
          // The weeks' rows are the stream's last ones, in the same order.
          let offset = stream.rows.length - liveForecasts.reduce((t, f) => t + f.epochMs.length, 0);
          for (const f of liveForecasts) {
            const slice = (v: Float64Array) => v.slice(offset, offset + f.epochMs.length);
            f.prediction = slice(corrected.prediction);
            f.p10 = slice(corrected.p10);
            f.p50 = slice(corrected.p50);
            f.p90 = slice(corrected.p90);
            offset += f.epochMs.length;
          }
        }
        result.forecasts.push(...weekForecasts);
      }
    }
  } finally {
    if (!options.pool) pool.close();
  }
  return result;
}

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
 * import { seasonOfMonth } from "./backtest.ts";
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
 * import { backtestScores } from "./backtest.ts";
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
    const month = Array.from(a.epochMs, (t) => localDate(t).slice(0, 7));
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
