/**
 * Daily temperatures for the consumption models: ODRÉ's `temperature-quotidienne-regionale`
 * (format in shared/data/SOURCES.md §7) made national.
 *
 * **National temperature.** The mean of the 12 mainland regions weighted by their share of
 * electricity consumption ({@linkcode REGION_WEIGHTS}: each region's 2014 consumption from RTE's
 * definitive regional eCO2mix files, which add up to the national eCO2mix perimeter, 462.35 TWh).
 * Corsica is left out, as it is from eCO2mix's "France". Weighting by consumption rather than by
 * area gives Ile-de-France (15 %) and Auvergne-Rhône-Alpes (14 %) the weight their heating and
 * cooling load has on the national curve.
 *
 * **Missing days.** The file lacks 28 days (month ends since 2024, all regions at once). A day
 * without all 12 regions is filled by linear interpolation between the nearest complete days
 * when they are at most {@linkcode MAX_INTERPOLATED_DAYS} apart, and flagged `interpole`; a
 * longer hole stays NaN.
 *
 * **What the features are.** A daily observed temperature is a stand-in for the weather forecast
 * a real forecaster would use: every score computed with it says so. Features per target instant
 * (its Paris local day D): `temperature` (mean of D), `temperature_min`, `temperature_max`,
 * `temperature_veille` (mean of D-1), `temperature_lissee` (exponential smoothing of daily means,
 * the building stock's thermal inertia: `0.8 × yesterday's smoothed + 0.2 × today`),
 * `degres_chauffe` = max(0, 15 - mean) and `degres_climatisation` = max(0, mean - 20) (heating
 * load grows by about 2,100-2,400 MW per °C below 15 °C; cooling above about 20 °C), and the
 * changes since the days the consumption lags come from: `ecart_temperature_veille`,
 * `ecart_temperature_2j`, `ecart_temperature_7j` (mean of D minus mean of D-1, D-2, D-7), which
 * tell a model how far the lagged level must move; `ecart_degres_chauffe` and
 * `ecart_degres_chauffe_lisses`, the heating degrees of D (of the mean, of the smoothed
 * temperature) minus the mean of those of D-1 and D-2, the days the day-ahead reference level
 * (the 24 hours before 12:00 on D-1) spans, and `ecart_degres_chauffe_7j` and
 * `ecart_degres_chauffe_lisses_7j`, the same against the days the 7-day mean before that cut-off
 * spans (D-1 and D-8 for half a day each, D-2 to D-7 whole): the inputs of the day-ahead models'
 * linear thermal terms (`thermal_term.ts`).
 * `temperature_horaire` spreads the day over its
 * hours, the usual diurnal shape (minimum at 06:00, maximum at 15:00 local time, half-cosine
 * ramps between them, the night falling from the previous day's maximum to the day's minimum and
 * the evening towards the next day's minimum), and `degres_climatisation_horaire` = max(0,
 * hourly - 24): air-conditioning follows the afternoon heat, not the daily mean (measured on the
 * last 20 % of the 2025 file, a heat wave included: day-ahead MAPE 1.64 % → 1.61 %).
 *
 * Over 600 lines as one module: the forecast features (`TemperatureOutlook`,
 * `forecastTemperatureFeatures`) are the observed ones computed from forecast days, through the
 * same private definitions (`instantFeatures`, the smoothing, `dayValue`, `featureColumns`); split
 * apart, those would become public exports of `mod.ts`, and a change to one definition could miss
 * the other.
 *
 * @module
 */

import { ReferenceDataError } from "./_reference_error.ts";
import {
  dateOfDayNumber,
  isBridgeDay,
  isHoliday,
  localDayNumber,
  parisOffsetMinutes,
} from "./calendar.ts";

/**
 * Weight of each mainland region (INSEE code) in the national temperature: its 2014 electricity
 * consumption in MWh (sum of the half-hourly `Consommation` × 0.5 h of RTE's definitive
 * regional file).
 */
export const REGION_WEIGHTS: Readonly<Record<string, { region: string; mwh: number }>> = {
  "11": { region: "Île-de-France", mwh: 70_240_947.5 },
  "24": { region: "Centre-Val de Loire", mwh: 18_587_560 },
  "27": { region: "Bourgogne-Franche-Comté", mwh: 20_413_627.5 },
  "28": { region: "Normandie", mwh: 27_141_488 },
  "32": { region: "Hauts-de-France", mwh: 50_862_840.5 },
  "44": { region: "Grand Est", mwh: 44_879_585.5 },
  "52": { region: "Pays de la Loire", mwh: 26_298_733.5 },
  "53": { region: "Bretagne", mwh: 21_662_581.5 },
  "75": { region: "Nouvelle-Aquitaine", mwh: 42_234_608 },
  "76": { region: "Occitanie", mwh: 35_266_281 },
  "84": { region: "Auvergne-Rhône-Alpes", mwh: 64_108_060 },
  "93": { region: "Provence-Alpes-Côte d'Azur", mwh: 40_652_265 },
};

/** Longest run of missing days filled by interpolation. */
export const MAX_INTERPOLATED_DAYS = 7;

/** Base temperatures (°C) of heating and cooling degrees. */
export const HEATING_BASE_C = 15;
export const COOLING_BASE_C = 20;
/** Base (°C) of the hourly cooling degrees. */
export const HOURLY_COOLING_BASE_C = 24;
/** Local hours of the daily minimum and maximum in the diurnal profile. */
const HOUR_OF_MIN = 6;
const HOUR_OF_MAX = 15;
/** Weight of the previous smoothed value in `temperature_lissee`. */
const SMOOTHING = 0.8;

/** INSEE code of Corsica, read and left out of the national temperature. */
const CORSICA = "94";

const HEADER = ["ID", "Date", "Code INSEE région", "Région", "TMin (°C)", "TMax (°C)", "TMoy (°C)"];
const DAY_MS = 86_400_000;

/** National daily temperatures on consecutive days (index = day - firstDay). */
export interface DailyTemperature {
  /** Day number (days since 1970-01-01) of the first day. */
  readonly firstDay: number;
  /** Weighted national mean, minimum and maximum (°C); NaN where unknown. */
  readonly tmoy: Float64Array;
  readonly tmin: Float64Array;
  readonly tmax: Float64Array;
  /** 1 where the day was interpolated. */
  readonly interpole: Uint8Array;
}

/** One line of ODRÉ's regional daily temperature file. */
export interface RegionalTemperature {
  /** 1-based line of the file. */
  line: number;
  /** Day number (days since 1970-01-01) of the date. */
  day: number;
  /** INSEE code of the region (`94`: Corsica, outside the national perimeter). */
  code: string;
  region: string;
  tmin: number;
  tmax: number;
  tmoy: number;
}

/**
 * Reads ODRÉ's regional daily temperature CSV (UTF-8 with BOM, `;`, `dd/mm/yy` dates) into its
 * lines, Corsica included; any malformed line (field count, unknown region, date, value, a
 * region given twice for a day) is a {@linkcode ReferenceDataError} naming the file and line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRegionalTemperatures } from "./weather.ts";
 * const text = "\uFEFFID;Date;Code INSEE région;Région;TMin (°C);TMax (°C);TMoy (°C)\r\n" +
 *   "2025-01-01T00:00:00-11;01/01/25;11;Île-de-France;1;9;5\r\n";
 * const [row] = readRegionalTemperatures(text, "t.csv");
 * assert.deepEqual([row.line, row.code, row.tmoy], [2, "11", 5]);
 * assert.throws(() => readRegionalTemperatures(text.replace(";11;", ";12;"), "t.csv"), /line 2/);
 * ```
 */
export function readRegionalTemperatures(text: string, file: string): RegionalTemperature[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = lines[0].split(";").map((h) => h.trim());
  if (HEADER.some((name, j) => header[j] !== name)) {
    throw new ReferenceDataError(
      `${file}: line 1: not ODRÉ's temperature-quotidienne-regionale (header ${
        JSON.stringify(lines[0].slice(0, 80))
      })`,
    );
  }
  const rows: RegionalTemperature[] = [];
  const seen = new Set<string>(); // `${day} ${code}`
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const f = lines[i].split(";");
    const where = `${file}: line ${i + 1}`;
    if (f.length !== HEADER.length) {
      throw new ReferenceDataError(`${where}: ${f.length} fields, expected ${HEADER.length}`);
    }
    if (REGION_WEIGHTS[f[2]] === undefined && f[2] !== CORSICA) {
      throw new ReferenceDataError(`${where}: unknown region code ${JSON.stringify(f[2])}`);
    }
    const m = /^(\d{2})\/(\d{2})\/(\d{2})$/.exec(f[1]);
    if (!m) throw new ReferenceDataError(`${where}: bad date ${JSON.stringify(f[1])} (dd/mm/yy)`);
    const day = Date.UTC(2000 + Number(m[3]), Number(m[2]) - 1, Number(m[1])) / DAY_MS;
    const values = [f[4], f[5], f[6]].map((v) => (v.trim() === "" ? NaN : Number(v)));
    if (!values.every(Number.isFinite)) {
      throw new ReferenceDataError(
        `${where}: temperature is not a number (${f.slice(4).join(";")})`,
      );
    }
    const key = `${day} ${f[2]}`;
    if (seen.has(key)) {
      throw new ReferenceDataError(`${where}: region ${f[2]} given twice for ${f[1]}`);
    }
    seen.add(key);
    const [tmin, tmax, tmoy] = values;
    rows.push({ line: i + 1, day, code: f[2], region: f[3], tmin, tmax, tmoy });
  }
  if (rows.length === 0) throw new ReferenceDataError(`${file}: no temperature row`);
  return rows;
}

/**
 * The national daily series of regional temperature lines ({@linkcode readRegionalTemperatures},
 * or the table holding them), summed in the order given: the file's line order gives the same
 * floating-point result as reading the file. Corsica is left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nationalFromRegional, REGION_WEIGHTS } from "./weather.ts";
 * const rows = Object.keys(REGION_WEIGHTS).map((code, k) => ({
 *   line: k + 2, day: 20_089, code, region: "r", tmin: 1, tmax: 9, tmoy: 5,
 * }));
 * const t = nationalFromRegional(rows, "t.csv");
 * assert.deepEqual([t.firstDay, t.tmoy[0], t.interpole[0]], [20_089, 5, 0]);
 * ```
 */
export function nationalFromRegional(
  rows: readonly Omit<RegionalTemperature, "line" | "region">[],
  file: string,
): DailyTemperature {
  const totalWeight = Object.values(REGION_WEIGHTS).reduce((s, r) => s + r.mwh, 0);
  // Per day: weighted sums of the three temperatures and the regions seen.
  const days = new Map<number, { sums: [number, number, number]; regions: number }>();
  for (const row of rows) {
    const weight = REGION_WEIGHTS[row.code]?.mwh;
    if (weight === undefined) continue; // Corse: outside eCO2mix's national perimeter
    let entry = days.get(row.day);
    if (!entry) {
      entry = { sums: [0, 0, 0], regions: 0 };
      days.set(row.day, entry);
    }
    entry.regions++;
    entry.sums[0] += weight * row.tmin;
    entry.sums[1] += weight * row.tmax;
    entry.sums[2] += weight * row.tmoy;
  }
  if (days.size === 0) throw new ReferenceDataError(`${file}: no temperature row`);
  const keys = [...days.keys()];
  const firstDay = Math.min(...keys);
  const n = Math.max(...keys) - firstDay + 1;
  const columns = [0, 1, 2].map(() => new Float64Array(n).fill(NaN));
  for (const [day, { sums, regions }] of days) {
    // A partial day would shift the mean towards the regions present: treat it as missing.
    if (regions !== Object.keys(REGION_WEIGHTS).length) continue;
    for (let k = 0; k < 3; k++) columns[k][day - firstDay] = sums[k] / totalWeight;
  }
  const interpole = new Uint8Array(n);
  for (const column of columns) interpolateShortHoles(column, interpole);
  const [tmin, tmax, tmoy] = columns;
  return { firstDay, tmoy, tmin, tmax, interpole };
}

/**
 * Reads ODRÉ's regional daily temperature CSV into the national daily series
 * ({@linkcode readRegionalTemperatures} then {@linkcode nationalFromRegional}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nationalTemperature, REGION_WEIGHTS } from "./weather.ts";
 * const header = "ID;Date;Code INSEE région;Région;TMin (°C);TMax (°C);TMoy (°C)";
 * const lines = Object.keys(REGION_WEIGHTS).map((code) =>
 *   `2025-01-01T00:00:00-${code};01/01/25;${code};r;1;9;5`
 * );
 * const t = nationalTemperature(`\uFEFF${header}\r\n${lines.join("\r\n")}\r\n`, "t.csv");
 * assert.equal(t.tmoy[0], 5);
 * ```
 */
export function nationalTemperature(text: string, file: string): DailyTemperature {
  return nationalFromRegional(readRegionalTemperatures(text, file), file);
}

/** Fills runs of NaN of at most MAX_INTERPOLATED_DAYS between two values, flagging them. */
function interpolateShortHoles(values: Float64Array, flags: Uint8Array): void {
  let last = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    const gap = i - last - 1;
    if (last >= 0 && gap > 0 && gap <= MAX_INTERPOLATED_DAYS) {
      for (let k = last + 1; k < i; k++) {
        values[k] = values[last] + ((values[i] - values[last]) * (k - last)) / (i - last);
        flags[k] = 1;
      }
    }
    last = i;
  }
}

/** Names of the columns {@linkcode temperatureFeatures} returns, in order. */
export const TEMPERATURE_FEATURES = [
  "temperature",
  "temperature_min",
  "temperature_max",
  "temperature_veille",
  "temperature_lissee",
  "degres_chauffe",
  "degres_climatisation",
  "ecart_temperature_veille",
  "ecart_temperature_2j",
  "ecart_temperature_7j",
  "ecart_degres_chauffe",
  "ecart_degres_chauffe_lisses",
  "ecart_degres_chauffe_7j",
  "ecart_degres_chauffe_lisses_7j",
  "temperature_horaire",
  "degres_climatisation_horaire",
] as const;

/** The first features of {@linkcode TEMPERATURE_FEATURES}, one value per local day. */
const DAILY_FEATURES = 14;

/** Daily values (by day number) the temperature features of one row are computed from. */
interface DailyValues {
  tmoy(day: number): number;
  tmin(day: number): number;
  tmax(day: number): number;
  /** `temperature_lissee` of the day. */
  smoothed(day: number): number;
}

/** Half-cosine ramp from `a` to `b` over `span` hours, `k` hours in. */
function ramp(a: number, b: number, k: number, span: number): number {
  return a + ((b - a) * (1 - Math.cos((Math.PI * k) / span))) / 2;
}

/**
 * The features of instants from the daily values `v`, in {@linkcode TEMPERATURE_FEATURES}
 * order. The daily values of the instant's local day are kept while the instants stay in it
 * (the 48 rows of a day share them); only the hourly profile is computed for each instant. The
 * array returned is reused by the next call.
 */
function instantFeatures(v: DailyValues): (epochMs: number) => number[] {
  const values: number[] = new Array(TEMPERATURE_FEATURES.length);
  let day = NaN;
  let [before, after] = [NaN, NaN]; // Tmax of the day before, Tmin of the day after
  // Math.max propagates NaN: an unknown temperature gives unknown degrees.
  const heating = (t: number) => Math.max(0, HEATING_BASE_C - t);
  // Heating degrees of day d minus their mean over the `days` days of a day-ahead reference
  // level ending at 12:00 on d-1: d-1 and d-days-1 half each, the days between whole.
  const heatingChange = (f: (day: number) => number, d: number, days: number) => {
    let before = (heating(f(d - 1)) + heating(f(d - days - 1))) / 2;
    for (let k = 2; k <= days; k++) before += heating(f(d - k));
    return heating(f(d)) - before / days;
  };
  return (epochMs) => {
    const d = localDayNumber(epochMs);
    if (d !== day) {
      day = d;
      const t = v.tmoy(d);
      values.splice(
        0,
        DAILY_FEATURES,
        t,
        v.tmin(d),
        v.tmax(d),
        v.tmoy(d - 1),
        v.smoothed(d),
        heating(t),
        Math.max(0, t - COOLING_BASE_C),
        t - v.tmoy(d - 1),
        t - v.tmoy(d - 2),
        t - v.tmoy(d - 7),
        heatingChange(v.tmoy, d, 1),
        heatingChange(v.smoothed, d, 1),
        heatingChange(v.tmoy, d, 7),
        heatingChange(v.smoothed, d, 7),
      );
      before = v.tmax(d - 1);
      after = v.tmin(d + 1);
    }
    const [tmin, tmax] = [values[1], values[2]];
    const wall = new Date(epochMs + parisOffsetMinutes(epochMs) * 60_000);
    const hour = wall.getUTCHours() + wall.getUTCMinutes() / 60;
    const night = 24 - HOUR_OF_MAX + HOUR_OF_MIN;
    const hourly = hour < HOUR_OF_MIN
      ? ramp(before, tmin, hour + 24 - HOUR_OF_MAX, night)
      : hour <= HOUR_OF_MAX
      ? ramp(tmin, tmax, hour - HOUR_OF_MIN, HOUR_OF_MAX - HOUR_OF_MIN)
      : ramp(tmax, after, hour - HOUR_OF_MAX, night);
    values[DAILY_FEATURES] = hourly;
    values[DAILY_FEATURES + 1] = Math.max(0, hourly - HOURLY_COOLING_BASE_C);
    return values;
  };
}

/** `temperature_lissee` of every day of the series (restarting after an unknown day). */
function smoothedSeries(tmoy: Float64Array): Float64Array {
  const smoothed = new Float64Array(tmoy.length).fill(NaN);
  for (let d = 0; d < smoothed.length; d++) {
    const previous = d > 0 ? smoothed[d - 1] : NaN;
    smoothed[d] = Number.isNaN(previous)
      ? tmoy[d]
      : SMOOTHING * previous + (1 - SMOOTHING) * tmoy[d];
  }
  return smoothed;
}

/** Value of day number `day` in a daily column starting at `firstDay` (NaN outside). */
function dayValue(values: Float64Array, firstDay: number, day: number): number {
  const k = day - firstDay;
  return k >= 0 && k < values.length ? values[k] : NaN;
}

/**
 * Temperature features of each target instant (see the module doc); NaN outside the series.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { temperatureFeatures } from "./weather.ts";
 * const daily = {
 *   firstDay: dayNumberOfDate("2025-01-01"),
 *   tmoy: Float64Array.of(4, 6), tmin: Float64Array.of(1, 2), tmax: Float64Array.of(8, 9),
 *   interpole: new Uint8Array(2),
 * };
 * const f = temperatureFeatures([Date.UTC(2025, 0, 2, 12)], daily);
 * assert.deepEqual([f.temperature[0], f.temperature_veille[0], f.degres_chauffe[0]], [6, 4, 9]);
 * assert.ok(Math.abs(f.temperature_lissee[0] - (0.8 * 4 + 0.2 * 6)) < 1e-12);
 * ```
 */
export function temperatureFeatures(
  epochMs: ArrayLike<number>,
  daily: DailyTemperature,
): Record<(typeof TEMPERATURE_FEATURES)[number], Float64Array> {
  const smoothed = smoothedSeries(daily.tmoy);
  const { firstDay } = daily;
  const observed: DailyValues = {
    tmoy: (day) => dayValue(daily.tmoy, firstDay, day),
    tmin: (day) => dayValue(daily.tmin, firstDay, day),
    tmax: (day) => dayValue(daily.tmax, firstDay, day),
    smoothed: (day) => dayValue(smoothed, firstDay, day),
  };
  const row = instantFeatures(observed);
  return featureColumns(TEMPERATURE_FEATURES, epochMs.length, (i) => row(epochMs[i]));
}

/** Columns named `names` of `n` rows, row `i` from `row(i)` (values in `names` order). */
function featureColumns<Name extends string>(
  names: readonly Name[],
  n: number,
  row: (i: number) => number[],
): Record<Name, Float64Array> {
  const columns = names.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const values = row(i);
    for (let j = 0; j < columns.length; j++) columns[j][i] = values[j];
  }
  return Object.fromEntries(names.map((name, j) => [name, columns[j]])) as Record<
    Name,
    Float64Array
  >;
}

/**
 * The national series as rows (`date`, `temperature`, `temperature_min`, `temperature_max`,
 * `interpole`), for display.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { temperatureRows } from "./weather.ts";
 * const rows = temperatureRows({
 *   firstDay: 20_089, tmoy: Float64Array.of(5), tmin: Float64Array.of(1), tmax: Float64Array.of(9),
 *   interpole: Uint8Array.of(0),
 * });
 * assert.deepEqual(rows[0], { date: "2025-01-01", temperature: 5, temperature_min: 1, temperature_max: 9, interpole: false });
 * ```
 */
export function temperatureRows(daily: DailyTemperature): {
  date: string;
  temperature: number;
  temperature_min: number;
  temperature_max: number;
  interpole: boolean;
}[] {
  return Array.from(daily.tmoy, (t, d) => ({
    date: dateOfDayNumber(daily.firstDay + d),
    temperature: t,
    temperature_min: daily.tmin[d],
    temperature_max: daily.tmax[d],
    interpole: daily.interpole[d] === 1,
  }));
}

/** Thermosensitivity of consumption: the slope of daily mean consumption on temperature. */
export interface Thermosensitivity {
  /** MW per °C (negative: consumption rises as it gets colder). */
  mwPerDegree: number;
  /** Days used (working days, complete, mean temperature below the threshold). */
  days: number;
  /** Threshold (°C) below which days are used. */
  thresholdC: number;
}

/**
 * Ordinary least-squares slope of the daily mean consumption on the national daily mean
 * temperature, over complete working days (Monday-Friday, not holidays nor bridges) colder than
 * `threshold` (°C, default 15): RTE quotes about -2,100 to -2,400 MW per °C for France.
 * `dailyConsumption` maps day numbers to the day's mean consumption (MW).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayNumberOfDate } from "./calendar.ts";
 * import { thermosensitivity } from "./weather.ts";
 * const monday = dayNumberOfDate("2025-01-06");
 * const days = [0, 1, 2, 3].map((k) => monday + k);
 * const daily = { firstDay: monday, tmoy: Float64Array.of(2, 4, 6, 8), tmin: new Float64Array(4), tmax: new Float64Array(4), interpole: new Uint8Array(4) };
 * const consumption = new Map(days.map((d, k) => [d, 70_000 - 2_000 * (2 + 2 * k)]));
 * assert.equal(thermosensitivity(consumption, daily).mwPerDegree, -2_000);
 * ```
 */
export function thermosensitivity(
  dailyConsumption: ReadonlyMap<number, number>,
  daily: DailyTemperature,
  threshold = HEATING_BASE_C,
): Thermosensitivity {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [day, mw] of dailyConsumption) {
    const t = daily.tmoy[day - daily.firstDay];
    const weekday = (((day + 3) % 7) + 7) % 7;
    if (!(t < threshold) || weekday > 4 || isHoliday(day) || isBridgeDay(day)) continue;
    xs.push(t);
    ys.push(mw);
  }
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (xs[k] - mx) * (ys[k] - my);
    sxx += (xs[k] - mx) ** 2;
  }
  return { mwPerDegree: sxy / sxx, days: n, thresholdC: threshold };
}

/** Names of the columns {@linkcode forecastTemperatureFeatures} returns, in order. */
export const FORECAST_TEMPERATURE_FEATURES = TEMPERATURE_FEATURES.map((name) =>
  `${name}_prevision` as const
);

/** One of {@linkcode FORECAST_TEMPERATURE_FEATURES}. */
export type ForecastTemperatureFeature = (typeof FORECAST_TEMPERATURE_FEATURES)[number];

/** The daily temperatures a forecast is made of. */
export type TemperatureKind = "tmoy" | "tmin" | "tmax";
const KINDS: readonly TemperatureKind[] = ["tmoy", "tmin", "tmax"];

/** Days of observations before a cut-off needed to estimate the seasonal normal. */
export const MIN_NORMAL_DAYS = 365;
/** Longest lead (days) with its own anomaly coefficient; the normal alone beyond. */
export const MAX_LEAD_DAYS = 14;
/** Pairs of days needed to estimate the anomaly coefficient of a lead. */
const MIN_PAIRS = 60;
/** Basis of the seasonal normal: a constant and two annual harmonics. */
const BASIS_SIZE = 5;
const YEAR_DAYS = 365.2425;

function basis(day: number): number[] {
  const w = (2 * Math.PI * day) / YEAR_DAYS;
  return [1, Math.cos(w), Math.sin(w), Math.cos(2 * w), Math.sin(2 * w)];
}

/** Solves the symmetric system `a x = b` (Gaussian elimination, partial pivoting); null if singular. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) {
      if (Math.abs(m[r * n + c]) > Math.abs(m[pivot * n + c])) pivot = r;
    }
    if (Math.abs(m[pivot * n + c]) < 1e-9) return null;
    for (let k = 0; k < n; k++) [m[c * n + k], m[pivot * n + k]] = [m[pivot * n + k], m[c * n + k]];
    [x[c], x[pivot]] = [x[pivot], x[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let k = c + 1; k < n; k++) s -= m[c * n + k] * x[k];
    x[c] = s / m[c * n + c];
  }
  return x;
}

/**
 * The temperature forecast a forecaster could make at the end of each day K from the national
 * daily temperatures observed up to K, and nothing later: the stand-in for a weather forecast
 * of the models labelled live (`_prevision` features), where the observed temperature of the
 * target day is an upper bound no forecaster reaches.
 *
 * **How.** A day counts as observed once it is over (its daily mean, minimum and maximum are
 * then known); interpolated days (see {@linkcode nationalTemperature}) count as unknown, since
 * their value depends on a later day. With L the last observed day at or before K, each of the
 * mean, minimum and maximum of a later day d is forecast as its seasonal normal plus the anomaly
 * of day L damped by the lead: `normal(d) + φ(d - L) × (T(L) - normal(L))`. The normal is a
 * constant plus two annual harmonics fitted by least squares on every observed day up to K;
 * φ(h) is the regression slope of the anomaly h days later on the anomaly of a day, over the
 * observed pairs up to K, clamped to [0, 1] (about 0.8 one day ahead, 0.55 two days ahead on
 * the national mean); 0 beyond {@linkcode MAX_LEAD_DAYS}. With fewer than
 * {@linkcode MIN_NORMAL_DAYS} observed days (the file starts in January 2016) there is no
 * normal: the forecast is the last observed value (persistence). Every estimate is updated day by
 * day from running sums, so the forecast of any cut-off costs the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TemperatureOutlook } from "./weather.ts";
 * // Ten days observed: too few for a normal, so the forecast is the last observed day.
 * const tmoy = Float64Array.from({ length: 10 }, (_, d) => 5 + d);
 * const daily = { firstDay: 20_000, tmoy, tmin: tmoy, tmax: tmoy, interpole: new Uint8Array(10) };
 * const outlook = new TemperatureOutlook(daily);
 * assert.equal(outlook.at("tmoy", 20_004, 20_003), 8); // observed: day 3 is over at the end of day 4
 * assert.equal(outlook.at("tmoy", 20_004, 20_006), 9); // two days ahead: day 4's value
 * ```
 */
export class TemperatureOutlook {
  readonly #daily: DailyTemperature;
  readonly #smoothed: Float64Array;
  /** Per day K (index K - firstDay): the last observed day at or before K (NaN: none). */
  readonly #lastObserved: Float64Array;
  /** Per kind and day K: the normal's coefficients (NaN: no normal yet) and φ by lead. */
  readonly #beta: Record<TemperatureKind, Float64Array>;
  readonly #phi: Record<TemperatureKind, Float64Array>;

  constructor(daily: DailyTemperature) {
    this.#daily = daily;
    this.#smoothed = smoothedSeries(daily.tmoy);
    const n = daily.tmoy.length;
    const observed = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      observed[k] = daily.interpole[k] === 0 && Number.isFinite(daily.tmoy[k]) ? 1 : 0;
    }
    this.#lastObserved = new Float64Array(n).fill(NaN);
    for (let k = 0; k < n; k++) {
      this.#lastObserved[k] = observed[k]
        ? daily.firstDay + k
        : k > 0
        ? this.#lastObserved[k - 1]
        : NaN;
    }
    // The basis of every day, shared by the three kinds.
    const bases = new Float64Array(n * BASIS_SIZE);
    for (let k = 0; k < n; k++) bases.set(basis(daily.firstDay + k), k * BASIS_SIZE);
    this.#beta = {} as Record<TemperatureKind, Float64Array>;
    this.#phi = {} as Record<TemperatureKind, Float64Array>;
    for (const kind of KINDS) {
      const { beta, phi } = runningEstimates(daily[kind], bases, observed);
      this.#beta[kind] = beta;
      this.#phi[kind] = phi;
    }
  }

  /** The last day observed at the end of day `k` (NaN: none). */
  lastObserved(k: number): number {
    const { firstDay } = this.#daily;
    const i = Math.min(k, firstDay + this.#lastObserved.length - 1) - firstDay;
    return i >= 0 ? this.#lastObserved[i] : NaN;
  }

  /**
   * The value of `kind` on day `day` as known at the end of day `k`: observed when `day` is
   * the last observed day or before it, forecast after it (NaN before the data start).
   */
  at(kind: TemperatureKind, k: number, day: number): number {
    const last = this.lastObserved(k);
    if (Number.isNaN(last)) return NaN;
    const { firstDay } = this.#daily;
    const values = this.#daily[kind];
    if (day <= last) return dayValue(values, firstDay, day);
    const observed = values[last - firstDay];
    const i = Math.min(k, firstDay + values.length - 1) - firstDay;
    const beta = this.#beta[kind].subarray(i * BASIS_SIZE, (i + 1) * BASIS_SIZE);
    if (Number.isNaN(beta[0])) return observed;
    const normal = (d: number) => basis(d).reduce((s, b, j) => s + b * beta[j], 0);
    const lead = day - last;
    const phi = lead <= MAX_LEAD_DAYS ? this.#phi[kind][i * MAX_LEAD_DAYS + lead - 1] : 0;
    return normal(day) + phi * (observed - normal(last));
  }

  /** `temperature_lissee` of `day` as known at the end of day `k`. */
  smoothed(k: number, day: number): number {
    const last = this.lastObserved(k);
    if (Number.isNaN(last)) return NaN;
    const { firstDay } = this.#daily;
    if (day <= last) return dayValue(this.#smoothed, firstDay, day);
    let s = this.#smoothed[last - firstDay];
    for (let d = last + 1; d <= day; d++) {
      const t = this.at("tmoy", k, d);
      s = Number.isNaN(s) ? t : SMOOTHING * s + (1 - SMOOTHING) * t;
    }
    return s;
  }
}

/**
 * The outlook of each daily series seen (a series is built once and never changed): the
 * features of both horizons and their cut-off audit share one, where each call built its own
 * (four builds of 2016-2025, 0.3 s, on each daily run of notebook 07).
 */
const outlooks = new WeakMap<DailyTemperature, TemperatureOutlook>();

function outlookOf(daily: DailyTemperature): TemperatureOutlook {
  let outlook = outlooks.get(daily);
  if (!outlook) outlooks.set(daily, outlook = new TemperatureOutlook(daily));
  return outlook;
}

/**
 * For each day K of a daily column: the least-squares coefficients of the seasonal normal on
 * the observed days up to K, and the anomaly coefficient of each lead on the observed pairs up
 * to K, from running sums (anomalies expand into sums of products of values and basis terms).
 */
function runningEstimates(
  values: Float64Array,
  bases: Float64Array,
  observed: Uint8Array,
): { beta: Float64Array; phi: Float64Array } {
  const n = values.length;
  const p = BASIS_SIZE;
  const beta = new Float64Array(n * p).fill(NaN);
  const phi = new Float64Array(n * MAX_LEAD_DAYS);
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  let days = 0;
  // Per lead h, over the observed pairs (a, b = a + h): Σ y_a y_b, Σ x_a y_b, Σ x_b y_a,
  // Σ x_a x_b', and for the denominator Σ y_a², Σ x_a y_a, Σ x_a x_a'.
  const pairs = new Int32Array(MAX_LEAD_DAYS);
  const yy = new Float64Array(MAX_LEAD_DAYS);
  const xay = new Float64Array(MAX_LEAD_DAYS * p);
  const xby = new Float64Array(MAX_LEAD_DAYS * p);
  const xx = new Float64Array(MAX_LEAD_DAYS * p * p);
  const aa = new Float64Array(MAX_LEAD_DAYS);
  const xaa = new Float64Array(MAX_LEAD_DAYS * p);
  const xxa = new Float64Array(MAX_LEAD_DAYS * p * p);
  for (let k = 0; k < n; k++) {
    if (observed[k]) {
      const x = k * p; // the day's basis in `bases`
      const y = values[k];
      days++;
      for (let i = 0; i < p; i++) {
        xty[i] += bases[x + i] * y;
        for (let j = 0; j < p; j++) xtx[i * p + j] += bases[x + i] * bases[x + j];
      }
      for (let h = 1; h <= MAX_LEAD_DAYS; h++) {
        const a = k - h;
        if (a < 0 || !observed[a]) continue;
        const xa = a * p;
        const ya = values[a];
        const o = (h - 1) * p;
        pairs[h - 1]++;
        yy[h - 1] += ya * y;
        aa[h - 1] += ya * ya;
        for (let i = 0; i < p; i++) {
          xay[o + i] += bases[xa + i] * y;
          xby[o + i] += bases[x + i] * ya;
          xaa[o + i] += bases[xa + i] * ya;
          for (let j = 0; j < p; j++) {
            xx[o * p + i * p + j] += bases[xa + i] * bases[x + j];
            xxa[o * p + i * p + j] += bases[xa + i] * bases[xa + j];
          }
        }
      }
    }
    if (days < MIN_NORMAL_DAYS) continue;
    const b = solve(xtx, xty, p);
    if (!b) continue;
    beta.set(b, k * p);
    for (let h = 1; h <= MAX_LEAD_DAYS; h++) {
      if (pairs[h - 1] < MIN_PAIRS) continue;
      const o = (h - 1) * p;
      // Σ (y_a - x_a'β)(y_b - x_b'β) and Σ (y_a - x_a'β)².
      let num = yy[h - 1];
      let den = aa[h - 1];
      for (let i = 0; i < p; i++) {
        num -= b[i] * (xay[o + i] + xby[o + i]);
        den -= 2 * b[i] * xaa[o + i];
        for (let j = 0; j < p; j++) {
          num += b[i] * xx[o * p + i * p + j] * b[j];
          den += b[i] * xxa[o * p + i * p + j] * b[j];
        }
      }
      phi[k * MAX_LEAD_DAYS + h - 1] = den > 0 ? Math.min(1, Math.max(0, num / den)) : 0;
    }
  }
  return { beta, phi };
}

/**
 * The temperature features of each target instant computed from the forecast known at its
 * cut-off ({@linkcode TemperatureOutlook}): the days before the cut-off's day are over and
 * observed, later days are forecast. Same definitions as {@linkcode temperatureFeatures}, names
 * suffixed `_prevision`. Changing any temperature of the cut-off's day or later leaves a row's
 * values unchanged (`weather_test.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecastTemperatureFeatures, TemperatureOutlook } from "./weather.ts";
 * const tmoy = Float64Array.from({ length: 10 }, (_, d) => 5 + d);
 * const daily = { firstDay: 20_000, tmoy, tmin: tmoy, tmax: tmoy, interpole: new Uint8Array(10) };
 * // A target on day 20_008 at 12:00 UTC forecast at 10:00 UTC on day 20_007: day 20_006 is
 * // the last one over, so the day's forecast is its value (no normal with ten days).
 * const day = 86_400_000;
 * const f = forecastTemperatureFeatures([20_008 * day + 12 * 3_600_000], [20_007 * day + 36e5 * 10], daily);
 * assert.equal(f.temperature_prevision[0], 11);
 * assert.equal(f.temperature_veille_prevision[0], 11);
 * assert.ok(new TemperatureOutlook(daily) instanceof TemperatureOutlook);
 * ```
 */
export function forecastTemperatureFeatures(
  epochMs: ArrayLike<number>,
  cutoffMs: ArrayLike<number>,
  daily: DailyTemperature | TemperatureOutlook,
): Record<ForecastTemperatureFeature, Float64Array> {
  const outlook = daily instanceof TemperatureOutlook ? daily : outlookOf(daily);
  let key = NaN;
  let row: ((epochMs: number) => number[]) | null = null;
  return featureColumns(FORECAST_TEMPERATURE_FEATURES, epochMs.length, (i) => {
    // The last day over at the cut-off; rows sharing it share the daily values (memoised).
    const k = localDayNumber(cutoffMs[i]) - 1;
    if (k !== key || !row) {
      key = k;
      const memo = (f: (day: number) => number) => {
        const cache = new Map<number, number>();
        return (day: number) => {
          let v = cache.get(day);
          if (v === undefined) cache.set(day, v = f(day));
          return v;
        };
      };
      row = instantFeatures({
        tmoy: memo((day) => outlook.at("tmoy", k, day)),
        tmin: memo((day) => outlook.at("tmin", k, day)),
        tmax: memo((day) => outlook.at("tmax", k, day)),
        smoothed: memo((day) => outlook.smoothed(k, day)),
      });
    }
    return row(epochMs[i]);
  });
}
