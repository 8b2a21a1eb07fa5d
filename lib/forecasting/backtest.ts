/**
 * Rolling-origin backtest of the consumption forecasts, week by week, against RTE's own
 * forecasts on exactly the same instants.
 *
 * **Periods.** Every stretch of the real-time series where the consumption and both of RTE's
 * forecasts (J-1 and J) are published (`backtestPeriods`, `backtest_plan.ts`); on the shared data: June
 * 2016, December 2021 (ODRÉ's export) and January to July 2025. Each period is forecast from the
 * ODRÉ history up to its first instant followed by its own real-time data (`spliceSeries`), so
 * nothing after the period is in its series.
 *
 * **Weeks and retraining.** A period is cut into local weeks (Monday 00:00 Paris; the first and
 * last may be partial, `backtestWeeks`). The models of a week are trained on the rows
 * whose target is at or before the cut-off of the week's first forecast — Sunday 23:00 for `h1`,
 * Sunday 12:00 for `j1` (or the same times before a partial week's first instant) — and on
 * nothing later. They are **retrained every month** by default (cadence `mois`: the first week of
 * each period and each week starting in a new month; `semaine` retrains every week): the week's
 * forecasts then come from models 0 to 4 weeks old, as a forecaster refitting monthly would
 * have. Every row's features use only what was known at that row's own cut-off (`features.ts`).
 * The learner is the one notebook 08 selected (cross-validation is not repeated per week), with
 * the profile's parameters.
 *
 * **Models.** One hour ahead, the live model (no temperature: `TAKES_TEMPERATURE`), corrected by
 * RTE's J-1 forecast, published the day before (`CORRECTED_BY_RTE_J1`; `online_correction.ts`: a
 * linear stacking of the model and J-1 fitted on the last `calibrationDays` days of the live
 * model's own out-of-sample forecasts), labelled as in notebook 08 (`gbdt_corrige_rte_j1`). Day
 * ahead, the live model, the same learner given the
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
 * **Scores** (`backtestScores`, `backtest_scores.ts`): per horizon, on the instants where the actual value,
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

import {
  FitPool,
  mapConcurrent,
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
  measuredInstants,
  trainingStart,
} from "./features.ts";
import {
  CORRECTED_BY_RTE_J1,
  type LearnerName,
  modelFeatures,
  RTE_J1_CORRECTION_SUFFIX,
  type TrainingProfile,
} from "./forecaster_config.ts";
import { type ConsumptionForecaster, fitForecaster } from "./forecasting.ts";
import {
  type BacktestPeriod,
  backtestPeriods,
  type BacktestVariant,
  backtestVariants,
  type BacktestWeek,
  backtestWeeks,
  type RetrainCadence,
  RTE_REFERENCE,
} from "./backtest_plan.ts";
import { forecastStream, onlineCorrection } from "./online_correction.ts";
import {
  type HalfHourlySeries,
  seriesLength,
  sliceSeries,
  slotInstant,
  spliceSeries,
} from "./series.ts";
import type { TempoCalendar } from "./tempo.ts";
import type { DailyTemperature } from "./weather.ts";

const DAY_MS = 86_400_000;

/** Days of the calibration window of the intervals (see the module doc). */
export const CALIBRATION_DAYS = 28;

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
        const trainStart = trainingStart(
          series.startMs,
          data.temperature?.firstDay ?? null,
          firstCutoff,
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
          const corrected = onlineCorrection(
            forecastStream(series, set, stream.rows, stream.predicted),
            { windowDays: calibrationDays },
          );
          // The weeks' rows are the stream's last ones, in the same order.
          let offset = stream.rows.length - liveForecasts.reduce((t, f) => t + f.epochMs.length, 0);
          for (const f of liveForecasts) {
            const slice = (v: Float64Array) => v.slice(offset, offset + f.epochMs.length);
            // Labelled as in `predictions_consommation` when RTE's J-1 corrects them.
            if (CORRECTED_BY_RTE_J1[horizon]) f.model += RTE_J1_CORRECTION_SUFFIX;
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
