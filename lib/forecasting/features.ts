/**
 * Features of the consumption forecasts, each computed as it would have been known at the
 * forecast's **cut-off**: the instant the forecast is made.
 *
 * Two horizons ({@linkcode HORIZONS}):
 * - `h1`, one hour ahead: the cut-off of a target instant `t` is `t - 1 h`;
 * - `j1`, day-ahead: every instant of local day D is forecast with what is known at 12:00
 *   (Paris) on D-1, the time market players send their day-ahead schedules; the lead time runs
 *   from 12 h (00:00) to 36 h (23:30).
 *
 * **How the cut-off is enforced.** Every measured value (consumption, wind, solar) is read
 * through one accessor that returns NaN for a slot after the row's cut-off; a value labelled `s`
 * counts as known at `s` (RTE publishes each real-time value as it is measured; the history
 * follows the same convention). Lags that may fall after the cut-off are therefore never
 * chosen: `h1` uses 1 h, 1 h 30, 2 h, 24 h, 25 h and 168 h; `j1` the last known value, the same
 * time of day on the last known day (24 h or 48 h back), 48 h and 168 h. Rolling means cover
 * the 24 h and 7 days ending at the cut-off. The Tempo colour of a day counts as known from
 * 11:00 on the day before ({@linkcode tempoColumn}). The calendar is known in advance.
 *
 * **Holidays around the target, day-ahead.** A day-ahead forecast reads its level from the
 * days before (the lags and the 24-hour mean end at 12:00 on D-1): after a holiday they
 * understate an ordinary day, and the day before a holiday is itself quieter. `j1` therefore also
 * gets how much D-1, D-2, D-7 and D+1 are off work (`dayOff`: 1 holiday, 0.5 bridge day). On
 * the rolling backtest (39 weeks of 2016, 2021 and 2025) they took the observed-temperature
 * model's MAPE from 2.121 % to 2.039 %. `h1`, whose lags are one hour old, goes without.
 *
 * **Temperatures, two ways.** The `_prevision` temperature features are computed from the
 * temperature forecast known at the cut-off (the days before the cut-off's day observed, later
 * days forecast from them and the seasonal normal: `TemperatureOutlook` in `weather.ts`): they
 * are the inputs of the live models. The plain temperature features use the **observed**
 * temperature of the target day, which no forecaster knows at the cut-off: models given them
 * are an upper bound (what a perfect weather forecast would give), labelled so wherever they are
 * shown. {@linkcode TemperatureInput} names the three feature sets of a model.
 *
 * `features_test.ts` proves the cut-off: changing any measured value, Tempo colour or
 * temperature after a row's cut-off leaves that row's features unchanged, the observed
 * temperatures excepted.
 *
 * @module
 */

import {
  type CalendarColumns,
  calendarFeatures,
  dayOff,
  localDayNumber,
  parisInstant,
} from "./calendar.ts";
import { type FeatureMatrix, MlInputError, mulberry32 } from "../ml/mod.ts";
import { type HalfHourlySeries, seriesLength, slotIndex, slotInstant } from "./series.ts";
import { type TempoCalendar, tempoColumn, tempoPublication } from "./tempo.ts";
import {
  type DailyTemperature,
  FORECAST_TEMPERATURE_FEATURES,
  forecastTemperatureFeatures,
  TEMPERATURE_FEATURES,
  temperatureFeatures,
} from "./weather.ts";

/** The forecast horizons. */
export type HorizonName = "h1" | "j1";

/** A forecast horizon: its name, a French label and the cut-off of each target instant. */
export interface Horizon {
  readonly name: HorizonName;
  /** French label for tables and prose. */
  readonly label: string;
  /** Instant (UTC epoch ms) at which the forecast of `epochMs` is made. */
  cutoff(epochMs: number): number;
  /** Measured features of this horizon, in order. */
  readonly measured: readonly string[];
  /** Features giving {@linkcode dayOff} of the local day this many days from the target's. */
  readonly daysOff: Readonly<Record<string, number>>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The two horizons of the consumption forecasts. */
export const HORIZONS: Readonly<Record<HorizonName, Horizon>> = {
  h1: {
    name: "h1",
    label: "une heure avant",
    cutoff: (t) => t - HOUR_MS,
    measured: [
      "lag_1h",
      "lag_1h30",
      "lag_2h",
      "lag_24h",
      "lag_25h",
      "lag_168h",
      "moyenne_24h",
      "moyenne_7j",
    ],
    daysOff: {},
  },
  j1: {
    name: "j1",
    label: "la veille à 12:00",
    cutoff: (t) => parisInstant(localDayNumber(t) - 1, 12 * 60),
    measured: [
      "derniere_valeur",
      "lag_meme_heure",
      "lag_48h",
      "lag_168h",
      "moyenne_24h",
      "moyenne_7j",
    ],
    daysOff: { ferie_veille: -1, ferie_avant_veille: -2, ferie_j7: -7, ferie_lendemain: 1 },
  },
};

/** Features that are neither calendar, temperature nor the horizon's consumption lags. */
const CONTEXT_FEATURES = ["tempo", "eolien_solaire", "source_temps_reel"] as const;

/** Options of {@linkcode featureNames} and {@linkcode consumptionFeatures}. */
export interface FeatureOptions {
  /**
   * Include the temperature features, observed and forecast (default true when temperatures
   * are given).
   */
  temperature?: boolean;
}

/**
 * The temperatures a model is given: the forecast known at the cut-off (`forecast`, the live
 * models), the observed temperature of the target day (`observed`, an upper bound), or none.
 */
export type TemperatureInput = "forecast" | "observed" | "none";

/**
 * The temperature features of one {@linkcode TemperatureInput}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { temperatureFeaturesOf } from "./features.ts";
 * assert.ok(temperatureFeaturesOf("forecast").includes("temperature_prevision"));
 * assert.ok(temperatureFeaturesOf("observed").includes("temperature"));
 * assert.deepEqual(temperatureFeaturesOf("none"), []);
 * ```
 */
export function temperatureFeaturesOf(input: TemperatureInput): readonly string[] {
  return input === "forecast"
    ? FORECAST_TEMPERATURE_FEATURES
    : input === "observed"
    ? TEMPERATURE_FEATURES
    : [];
}

/**
 * The feature names of a horizon, in the order of the feature matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureNames } from "./features.ts";
 * const names = featureNames("j1", { temperature: false });
 * assert.ok(names.includes("lag_meme_heure") && !names.includes("lag_1h"));
 * assert.ok(!names.includes("temperature"));
 * assert.ok(featureNames("j1").includes("temperature_prevision"));
 * ```
 */
export function featureNames(horizon: HorizonName, options: FeatureOptions = {}): string[] {
  const calendar = calendarFeatures([]);
  return [
    ...Object.keys(calendar),
    ...CONTEXT_FEATURES,
    ...Object.keys(HORIZONS[horizon].daysOff),
    ...HORIZONS[horizon].measured,
    ...(options.temperature === false ? [] : [
      ...TEMPERATURE_FEATURES,
      ...FORECAST_TEMPERATURE_FEATURES,
    ]),
  ];
}

/** The features of every target row of one horizon. */
export interface ConsumptionFeatureSet {
  readonly horizon: HorizonName;
  /** Target instants (UTC epoch ms), increasing. */
  readonly epochMs: Float64Array;
  /** Cut-off of each row. */
  readonly cutoffMs: Float64Array;
  /** Measured consumption at the target (NaN when not measured yet). */
  readonly target: Float64Array;
  /** Source of the target value (0 history, 1 real-time). */
  readonly source: Uint8Array;
  /** RTE's J-1 and J forecasts of the target instant (NaN where absent). */
  readonly rteJ1: Float64Array;
  readonly rteJ: Float64Array;
  /** Every feature; the temperature ones (observed and forecast) only when temperatures were given. */
  readonly x: FeatureMatrix;
}

/** Inputs of {@linkcode consumptionFeatures} besides the series. */
export interface FeatureInputs {
  /** National daily temperatures; without them, no temperature feature. */
  temperature?: DailyTemperature | null;
  /** Tempo calendar; without it, `tempo` is NaN. */
  tempo?: TempoCalendar | null;
}

/** Rolling means need this share of their window measured. */
const MIN_WINDOW_COVERAGE = 0.9;

/** Prefix sums of values and of measured counts, for O(1) window means. */
function prefixSums(values: Float64Array): { sum: Float64Array; count: Int32Array } {
  const sum = new Float64Array(values.length + 1);
  const count = new Int32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const ok = !Number.isNaN(v);
    sum[i + 1] = sum[i] + (ok ? v : 0);
    count[i + 1] = count[i] + (ok ? 1 : 0);
  }
  return { sum, count };
}

/**
 * Features of `horizon` for the target instants given (on the half-hourly grid, increasing;
 * they may lie after the series' end: a forecast of tomorrow).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consumptionFeatures } from "./features.ts";
 * import { seriesFromColumns } from "./series.ts";
 * const t0 = Date.UTC(2025, 0, 1);
 * const instants = Array.from({ length: 48 * 10 }, (_, i) => t0 + i * 1_800_000);
 * const series = seriesFromColumns(instants, { consommation: instants.map((_, i) => 60_000 + i) });
 * const target = t0 + 48 * 9 * 1_800_000 + 10 * 1_800_000; // day 10 at 05:00 UTC
 * const f = consumptionFeatures(series, "h1", [target]);
 * const lag1h = f.x.columns[f.x.names.indexOf("lag_1h")][0];
 * assert.equal(lag1h, 60_000 + 48 * 9 + 10 - 2);
 * ```
 */
export function consumptionFeatures(
  series: HalfHourlySeries,
  horizon: HorizonName,
  targets: ArrayLike<number>,
  inputs: FeatureInputs = {},
  options: FeatureOptions = {},
): ConsumptionFeatureSet {
  const spec = HORIZONS[horizon];
  if (!spec) throw new MlInputError(`unknown horizon '${horizon}' (known: h1, j1)`);
  const n = targets.length;
  const length = seriesLength(series);
  const epochMs = Float64Array.from(targets);
  const cutoffMs = new Float64Array(n);
  const cutoffSlot = new Int32Array(n);
  const targetSlot = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = epochMs[i];
    targetSlot[i] = slotIndex(series, t);
    if (slotInstant(series, targetSlot[i]) !== t) {
      throw new MlInputError(`target row ${i} (${new Date(t).toISOString()}) is not on :00/:30`);
    }
    if (i > 0 && !(t > epochMs[i - 1])) {
      throw new MlInputError(`target rows are not increasing at row ${i}`);
    }
    cutoffMs[i] = spec.cutoff(t);
    // The last slot labelled at or before the cut-off.
    cutoffSlot[i] = slotIndex(series, cutoffMs[i]);
  }
  const consumption = series.consommation;
  // The single door to measured values: NaN outside the series or after the row's cut-off.
  const known = (values: Float64Array, i: number, slot: number) =>
    slot >= 0 && slot < length && slot <= cutoffSlot[i] ? values[slot] : NaN;
  const lag = (i: number, hours: number) => known(consumption, i, targetSlot[i] - hours * 2);
  const sums = prefixSums(consumption);
  // Mean of the measured values of the `slots` slots ending at the cut-off (slots outside the
  // series count as missing).
  const windowMean = (i: number, slots: number) => {
    const clamp = (k: number) => Math.max(0, Math.min(length, k));
    const end = clamp(cutoffSlot[i] + 1);
    const start = clamp(cutoffSlot[i] + 1 - slots);
    const count = sums.count[end] - sums.count[start];
    return count >= MIN_WINDOW_COVERAGE * slots ? (sums.sum[end] - sums.sum[start]) / count : NaN;
  };
  const measuredFeature: Record<string, (i: number) => number> = {
    lag_1h: (i) => lag(i, 1),
    lag_1h30: (i) => lag(i, 1.5),
    lag_2h: (i) => lag(i, 2),
    lag_24h: (i) => lag(i, 24),
    lag_25h: (i) => lag(i, 25),
    lag_48h: (i) => lag(i, 48),
    lag_168h: (i) => lag(i, 168),
    derniere_valeur: (i) => known(consumption, i, cutoffSlot[i]),
    // Same time of day on the most recent day measured at the cut-off.
    lag_meme_heure: (i) => {
      const previous = lag(i, 24);
      return Number.isNaN(previous) ? lag(i, 48) : previous;
    },
    moyenne_24h: (i) => windowMean(i, 48),
    moyenne_7j: (i) => windowMean(i, 336),
  };
  const columns: Record<string, Float64Array> = {};
  const calendar: CalendarColumns = calendarFeatures(epochMs);
  Object.assign(columns, calendar);
  columns.tempo = inputs.tempo
    ? tempoColumn(epochMs, cutoffMs, inputs.tempo)
    : new Float64Array(n).fill(NaN);
  columns.eolien_solaire = new Float64Array(n);
  columns.source_temps_reel = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = cutoffSlot[i];
    columns.eolien_solaire[i] = known(series.eolien, i, c) + known(series.solaire, i, c);
    columns.source_temps_reel[i] = c >= 0 && c < length ? series.source[c] : NaN;
  }
  const daysOff = Object.entries(spec.daysOff);
  if (daysOff.length) {
    // Rows come 48 a day: the local day and its values are computed once per day.
    const outputs = daysOff.map(([name]) => (columns[name] = new Float64Array(n)));
    const values = new Float64Array(daysOff.length);
    let lastDay = NaN;
    for (let i = 0; i < n; i++) {
      const day = localDayNumber(epochMs[i]);
      if (day !== lastDay) {
        lastDay = day;
        daysOff.forEach(([, offset], k) => (values[k] = dayOff(day + offset)));
      }
      for (let k = 0; k < outputs.length; k++) outputs[k][i] = values[k];
    }
  }
  for (const name of spec.measured) {
    const f = measuredFeature[name];
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) column[i] = f(i);
    columns[name] = column;
  }
  const withTemperature = options.temperature ?? Boolean(inputs.temperature);
  if (withTemperature) {
    if (!inputs.temperature) {
      throw new MlInputError("temperature features requested but no temperature series given");
    }
    Object.assign(columns, temperatureFeatures(epochMs, inputs.temperature));
    Object.assign(columns, forecastTemperatureFeatures(epochMs, cutoffMs, inputs.temperature));
  }
  const names = featureNames(horizon, { temperature: withTemperature });
  const at = (values: Float64Array, slot: number) =>
    slot >= 0 && slot < length ? values[slot] : NaN;
  return {
    horizon,
    epochMs,
    cutoffMs,
    target: Float64Array.from(targetSlot, (s) => at(consumption, s)),
    source: Uint8Array.from(targetSlot, (s) => (s >= 0 && s < length ? series.source[s] : 0)),
    rteJ1: Float64Array.from(targetSlot, (s) => at(series.prevision_j1, s)),
    rteJ: Float64Array.from(targetSlot, (s) => at(series.prevision_j, s)),
    x: { names, columns: names.map((name) => columns[name]), nRows: n },
  };
}

/** Local time (minutes after midnight Paris) by which RTE's J-1 of a day is published the day before. */
export const RTE_J1_PUBLICATION_MINUTES = 16 * 60;

/**
 * When RTE's J-1 forecast of local day `day` counts as published: 16:00 (Paris) on the day
 * before. The real-time files show it between 10:00 and 15:30 on D-1: the June 2016 file,
 * downloaded after 09:45 on 25 June, has J-1 up to 26 June 00:00 only; the 2025 file, downloaded
 * at 15:30 on 25 July, has it through 27 July 00:00 (shared/data/SOURCES.md §2). Whether it is
 * out before the day-ahead cut-off (12:00 on D-1) is not established, so the day-ahead models
 * never see it; one hour ahead, every cut-off of day D (from 23:00 on D-1) is after it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { rteJ1Publication } from "./features.ts";
 * assert.equal(rteJ1Publication(dayNumberOfDate("2025-01-09")), Date.UTC(2025, 0, 8, 15));
 * ```
 */
export function rteJ1Publication(day: number): number {
  return parisInstant(day - 1, RTE_J1_PUBLICATION_MINUTES);
}

/**
 * RTE's J-1 forecast as known at each row's cut-off: at the target instant and at the cut-off's
 * slot, NaN where the forecast of that instant's local day is published after the cut-off
 * ({@linkcode rteJ1Publication}) or absent. Always NaN at the target for `j1` rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { consumptionFeatures, knownRteJ1 } from "./features.ts";
 * import { seriesFromColumns } from "./series.ts";
 * const t = Array.from({ length: 48 * 3 }, (_, i) => Date.UTC(2025, 0, 1) + i * 1_800_000);
 * const series = seriesFromColumns(t, { consommation: t.map(() => 60_000), prevision_j1: t.map((_, i) => i) });
 * const h1 = consumptionFeatures(series, "h1", [t[100]]);
 * assert.deepEqual(knownRteJ1(series, h1), { atTarget: Float64Array.of(100), atCutoff: Float64Array.of(98) });
 * const j1 = consumptionFeatures(series, "j1", [t[100]]);
 * assert.ok(Number.isNaN(knownRteJ1(series, j1).atTarget[0]));
 * ```
 */
export function knownRteJ1(
  series: HalfHourlySeries,
  set: Pick<ConsumptionFeatureSet, "epochMs" | "cutoffMs">,
): { atTarget: Float64Array; atCutoff: Float64Array } {
  const length = seriesLength(series);
  const value = (t: number, cutoff: number) => {
    if (rteJ1Publication(localDayNumber(t)) > cutoff) return NaN;
    const slot = slotIndex(series, t);
    return slot >= 0 && slot < length ? series.prevision_j1[slot] : NaN;
  };
  return {
    atTarget: Float64Array.from(set.epochMs, (t, i) => value(t, set.cutoffMs[i])),
    atCutoff: Float64Array.from(
      set.cutoffMs,
      (c) => value(slotInstant(series, slotIndex(series, c)), c),
    ),
  };
}

/**
 * The instants of a series from `fromMs` to `toMs` (both included) where consumption is
 * measured: the rows a model can be trained or scored on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measuredInstants } from "./features.ts";
 * import { seriesFromColumns } from "./series.ts";
 * const t0 = Date.UTC(2025, 0, 1);
 * const s = seriesFromColumns([t0, t0 + 3_600_000], { consommation: [1, 2] });
 * assert.deepEqual([...measuredInstants(s)], [t0, t0 + 3_600_000]); // 00:30 is a hole
 * ```
 */
export function measuredInstants(
  series: HalfHourlySeries,
  fromMs = -Infinity,
  toMs = Infinity,
): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < seriesLength(series); i++) {
    const t = slotInstant(series, i);
    if (t >= fromMs && t <= toMs && !Number.isNaN(series.consommation[i])) out.push(t);
  }
  return Float64Array.from(out);
}

/** Days of consumption a first training row needs before it: the longest lag and window (7 days), and one. */
export const LAG_DAYS = 8;
/** Days of temperatures before a cut-off that let a model learn their effect over a whole year. */
export const MIN_TEMPERATURE_DAYS = 365;

/**
 * The first target instant a model may be trained on, for a forecast from `cutoffMs`: eight days
 * after the series' start (the lags), and when temperatures are used, eight days after theirs,
 * unless they cover less than a year before the cut-off. Then the rows without temperature are
 * kept: they teach the calendar and the lags over every season, while a model trained only on
 * the few months with temperatures applies a winter's response to June. Measured on the
 * backtest's June 2016 (temperatures from January 2016): the observed-temperature model's MAPE
 * went from 2.81 % trained on the year before the cut-off to 1.72 % on the history since 2012.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainingStart } from "./features.ts";
 * const day = 86_400_000;
 * const seriesStart = Date.UTC(2012, 0, 1);
 * const temperatureDay = Date.UTC(2016, 0, 1) / day;
 * // Nine years of temperatures before the cut-off: the rows start with them.
 * assert.equal(trainingStart(seriesStart, temperatureDay, Date.UTC(2025, 0, 5)), Date.UTC(2016, 0, 9));
 * // Five months only: the whole history.
 * assert.equal(trainingStart(seriesStart, temperatureDay, Date.UTC(2016, 5, 1)), Date.UTC(2012, 0, 9));
 * assert.equal(trainingStart(seriesStart, null, Date.UTC(2025, 0, 5)), Date.UTC(2012, 0, 9));
 * ```
 */
export function trainingStart(
  seriesStartMs: number,
  temperatureFirstDay: number | null,
  cutoffMs: number,
): number {
  const first = seriesStartMs + LAG_DAYS * DAY_MS;
  if (temperatureFirstDay === null) return first;
  const temperatureStart = temperatureFirstDay * DAY_MS;
  if (cutoffMs - temperatureStart < MIN_TEMPERATURE_DAYS * DAY_MS) return first;
  return Math.max(first, temperatureStart + LAG_DAYS * DAY_MS);
}

/** The role of a row in training and evaluation. */
export type SplitName = "entrainement" | "ecart" | "test" | "prevision";

/**
 * Start of the test period: the first of the last `testFraction` (default 20 %) of the measured
 * instants of the eCO2mix series (`source` 1, finite target), the brief's chronological 80/20
 * split.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { testPeriodStart } from "./features.ts";
 * const epochMs = Float64Array.from({ length: 11 }, (_, i) => i * 1_800_000);
 * const target = epochMs.map((_, i) => (i < 10 ? 50_000 : NaN)); // the last row is a forecast
 * assert.equal(testPeriodStart({ epochMs, target, source: new Uint8Array(11).fill(1) }), 8 * 1_800_000);
 * ```
 */
export function testPeriodStart(
  set: Pick<ConsumptionFeatureSet, "epochMs" | "target" | "source">,
  testFraction = 0.2,
): number {
  const measured: number[] = [];
  for (let i = 0; i < set.epochMs.length; i++) {
    if (set.source[i] === 1 && !Number.isNaN(set.target[i])) measured.push(set.epochMs[i]);
  }
  if (measured.length < 2) {
    throw new MlInputError("no eCO2mix measurement to test on (the series is all history)");
  }
  const testSize = Math.max(1, Math.round(measured.length * testFraction));
  return measured[measured.length - testSize];
}

/**
 * The split of each row: `test` from `testStart` on (measured rows of the eCO2mix series),
 * `prevision` for rows not measured yet (after the data), `entrainement` for rows whose target is
 * at or before the cut-off of the first test row, and `ecart` between the two, so that no
 * training target is later than what the first test forecast may know.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assignSplits } from "./features.ts";
 * const h = 3_600_000;
 * const split = assignSplits({
 *   epochMs: Float64Array.of(0, h, 2 * h, 3 * h, 4 * h),
 *   cutoffMs: Float64Array.of(-h, 0, h, 2 * h, 3 * h),
 *   target: Float64Array.of(1, 1, 1, 1, NaN),
 *   source: Uint8Array.of(1, 1, 1, 1, 1),
 * }, 3 * h);
 * assert.deepEqual(split, ["entrainement", "entrainement", "entrainement", "test", "prevision"]);
 * ```
 */
export function assignSplits(
  set: Pick<ConsumptionFeatureSet, "epochMs" | "cutoffMs" | "target" | "source">,
  testStart: number,
): SplitName[] {
  const first = set.epochMs.findIndex((t) => t >= testStart);
  const trainEnd = first < 0 ? Infinity : set.cutoffMs[first];
  return Array.from(set.epochMs, (t, i): SplitName => {
    if (Number.isNaN(set.target[i])) return "prevision";
    if (t >= testStart) return set.source[i] === 1 ? "test" : "ecart";
    return t <= trainEnd ? "entrainement" : "ecart";
  });
}

/** Result of {@linkcode auditCutoffs} for one cut instant. */
export interface CutoffAudit {
  horizon: HorizonName;
  /** Instant after which every measurement was replaced (UTC epoch ms). */
  cutoff: number;
  /** Rows whose cut-off is at or before it, and how many kept every feature unchanged. */
  rowsBefore: number;
  unchanged: number;
  /** Rows whose cut-off is after it, and how many saw a feature change. */
  rowsAfter: number;
  changed: number;
}

/**
 * Checks the cut-off on real data: for each cut instant, every measurement after it (consumption,
 * wind, solar), every Tempo colour published after it and every daily temperature of the cut's
 * day or later are replaced by random values, and the features are recomputed. Rows whose
 * cut-off is at or before the cut must keep every feature but the observed temperatures (the
 * upper-bound inputs, see the module doc) unchanged (`unchanged` = `rowsBefore`); rows after
 * it show that the replacement did reach the features.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { auditCutoffs } from "./features.ts";
 * import { seriesFromColumns } from "./series.ts";
 * const t = Array.from({ length: 48 * 12 }, (_, i) => Date.UTC(2025, 0, 1) + i * 1_800_000);
 * const series = seriesFromColumns(t, { consommation: t.map((_, i) => 50_000 + (i % 97)) });
 * const [audit] = auditCutoffs(series, "h1", t.slice(48 * 8), {}, [t[48 * 10]]);
 * assert.equal(audit.unchanged, audit.rowsBefore);
 * assert.ok(audit.changed > 0);
 * ```
 */
export function auditCutoffs(
  series: HalfHourlySeries,
  horizon: HorizonName,
  targets: ArrayLike<number>,
  inputs: FeatureInputs,
  cuts: readonly number[],
  seed = 1,
): CutoffAudit[] {
  const base = consumptionFeatures(series, horizon, targets, inputs);
  return cuts.map((cut) => {
    const rng = mulberry32(seed);
    // The slots after the cut, in order (a loop over the whole 2012-2025 series cost 0.1 s).
    const first = Math.max(0, slotIndex(series, cut) + 1);
    const scramble = (values: Float64Array) => {
      const out = values.slice();
      for (let i = first; i < out.length; i++) out[i] = 100_000 * rng();
      return out;
    };
    const tempo = inputs.tempo &&
      new Map(
        [...inputs.tempo].map(([day, code]) => [day, tempoPublication(day) > cut ? 3 : code]),
      );
    const temperature = inputs.temperature &&
      scrambledTemperatures(inputs.temperature, localDayNumber(cut), rng);
    const other = consumptionFeatures(
      {
        ...series,
        consommation: scramble(series.consommation),
        eolien: scramble(series.eolien),
        solaire: scramble(series.solaire),
      },
      horizon,
      targets,
      { ...inputs, tempo, temperature },
    );
    // The observed temperatures are not known at the cut-off by definition (see the module doc).
    const checked = base.x.names.flatMap((name, j) =>
      (TEMPERATURE_FEATURES as readonly string[]).includes(name) ? [] : [j]
    );
    const audit = { horizon, cutoff: cut, rowsBefore: 0, unchanged: 0, rowsAfter: 0, changed: 0 };
    for (let i = 0; i < base.x.nRows; i++) {
      const same = checked.every((j) => Object.is(base.x.columns[j][i], other.x.columns[j][i]));
      if (base.cutoffMs[i] <= cut) {
        audit.rowsBefore++;
        if (same) audit.unchanged++;
      } else {
        audit.rowsAfter++;
        if (!same) audit.changed++;
      }
    }
    return audit;
  });
}

/**
 * A copy of `daily` whose days from `fromDay` on hold random temperatures (what a leakage check
 * replaces).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scrambledTemperatures } from "./features.ts";
 * import { mulberry32 } from "../ml/mod.ts";
 * const daily = {
 *   firstDay: 10, tmoy: Float64Array.of(1, 2, 3), tmin: Float64Array.of(0, 1, 2),
 *   tmax: Float64Array.of(2, 3, 4), interpole: new Uint8Array(3),
 * };
 * const s = scrambledTemperatures(daily, 12, mulberry32(1));
 * assert.deepEqual([...s.tmoy.subarray(0, 2)], [1, 2]);
 * assert.notEqual(s.tmoy[2], 3);
 * ```
 */
export function scrambledTemperatures(
  daily: DailyTemperature,
  fromDay: number,
  rng: () => number,
): DailyTemperature {
  const scramble = (values: Float64Array) =>
    values.map((v, k) => (daily.firstDay + k >= fromDay ? 40 * rng() - 10 : v));
  return {
    ...daily,
    tmoy: scramble(daily.tmoy),
    tmin: scramble(daily.tmin),
    tmax: scramble(daily.tmax),
  };
}
