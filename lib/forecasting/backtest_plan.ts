/**
 * The plan of the consumption backtest (`backtest.ts`, whose module doc describes the method):
 * the periods of the real-time series where RTE's J-1 and J forecasts are published, their local
 * weeks with the week whose models forecast each (the retraining cadence), and the models of each
 * horizon. Pure functions of the series and the calendar: no model is fitted here.
 *
 * @module
 */

import { dateOfDayNumber, localDayNumber, parisInstant } from "./calendar.ts";
import { type HorizonName, HORIZONS, type TemperatureInput } from "./features.ts";
import { type LearnerName, modelLabel, TAKES_TEMPERATURE } from "./forecaster_config.ts";
import { type HalfHourlySeries, seriesLength, slotInstant, SOURCE_REAL_TIME } from "./series.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** How often the models are trained again: every month (default) or every week. */
export const RETRAIN_CADENCES = ["mois", "semaine"] as const;
/** One of {@linkcode RETRAIN_CADENCES}. */
export type RetrainCadence = (typeof RETRAIN_CADENCES)[number];

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
 * import { backtestPeriods } from "./backtest_plan.ts";
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

/**
 * The weeks of the periods (local Monday to Sunday, cut to the period) and the week whose
 * models forecast each: every week (`semaine`), or the first week of a period and every week
 * whose first instant is in a later month than the last retraining (`mois`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestWeeks } from "./backtest_plan.ts";
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
      const month = dateOfDayNumber(localDayNumber(start)).slice(0, 7);
      const newMonth = retrain < 0 ||
        dateOfDayNumber(localDayNumber(weeks[retrain].start)).slice(0, 7) !== month;
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
 * import { backtestVariants } from "./backtest_plan.ts";
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
  return (Object.keys(HORIZONS) as HorizonName[]).flatMap((horizon) => {
    const takes = withTemperature && TAKES_TEMPERATURE[horizon];
    const live: TemperatureInput = takes ? "forecast" : "none";
    const inputs: TemperatureInput[] = takes ? ["forecast", "observed", "none"] : ["none"];
    return inputs.map((temperature) => ({
      horizon,
      learner: learners[horizon],
      temperature,
      model: modelLabel(learners[horizon], temperature, live),
      live: temperature === live,
    }));
  });
}
